/*
 * A list of entries bounded by bytes, least recently used first out: the
 * one the server's caches share (the documents' JSON, docs/fetch.c; the
 * page cache, publish/pages.c; prepared bytes, http/bytes.c; the login
 * throttle's keys, auth/throttle.c, each weighing 1).
 *
 * Intrusive: an entry embeds an lru_node and the list never allocates, so
 * it cannot fail; the cache keeps its own map from key to entry beside it.
 * What an entry weighs is the cache's choice (its bytes times a factor,
 * bookkeeping added), told at lru_insert.  The list counts every entry's
 * bytes, pinned or not; lru_trim drops the least recently used until the
 * count is within the budget, skipping the entries the cache says are
 * pinned (in use now) and the one it names to keep (just put in, for the
 * caller to answer with): those stay, over the budget if they must.
 */
#ifndef KENES_LRU_H
#define KENES_LRU_H

#include <stddef.h>

typedef struct lru_node {
    struct lru_node *newer, *older;
    size_t bytes;
} lru_node;

/* 1 if n may not be dropped now (in use).  payload: lru_init's. */
typedef int (*lru_pinned_fn)(const lru_node *n, void *payload);
/* n was dropped by lru_trim or lru_clear: out of the list, its bytes no
 * longer counted; free it (and its key in the cache's map).  It must not
 * change the list otherwise. */
typedef void (*lru_drop_fn)(lru_node *n, void *payload);

typedef struct lru {
    lru_node *newest, *oldest;
    size_t bytes;   /* every entry's, pinned or not */
    size_t count;   /* entries in the list */
    size_t budget;  /* bytes lru_trim brings the list down to */
    size_t evicted; /* entries lru_trim dropped so far */
    lru_pinned_fn pinned; /* NULL: none is ever pinned */
    lru_drop_fn drop;
    void *payload;
} lru;

/* An empty list of at most budget bytes. */
void lru_init(lru *l, size_t budget, lru_pinned_fn pinned, lru_drop_fn drop, void *payload);

/* n becomes the most recently used, weighing bytes; if it is in l already
 * it moves there and weighs bytes from now on.  A node not in l has newer
 * and older NULL (zeroed, or out by lru_remove).  Nothing is dropped: call
 * lru_trim after. */
void lru_insert(lru *l, lru_node *n, size_t bytes);
/* n becomes the most recently used. */
void lru_touch(lru *l, lru_node *n);
/* n weighs bytes from now on (where it is in the order stays).  Nothing is
 * dropped: call lru_trim after. */
void lru_resize(lru *l, lru_node *n, size_t bytes);
/* n out of l, its bytes no longer counted; the drop callback is not called
 * (the caller frees n) and nothing counts as evicted. */
void lru_remove(lru *l, lru_node *n);

/* Drop the least recently used entries, neither pinned nor keep (NULL:
 * none), until l's bytes are within its budget or no such entry is left.
 * Each goes through the drop callback and counts in l->evicted. */
void lru_trim(lru *l, const lru_node *keep);
/* The budget from now on, and trimmed to it at once. */
void lru_set_budget(lru *l, size_t budget);
/* Every entry dropped, pinned or not, most recently used first (a cache
 * freed); not counted as evicted. */
void lru_clear(lru *l);

/* The entry of type embedding node as member. */
#define LRU_ENTRY(node, type, member) ((type *)(void *)((char *)(node) - offsetof(type, member)))

#endif
