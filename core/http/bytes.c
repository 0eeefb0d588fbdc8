/*
 * Shared bodies and the store that keeps them by key (bytes.h).  The
 * answer that writes one is write.c's (http_respond_bytes).
 */
#include "http/bytes.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/lru.h"
#include "base/map.h"

http_bytes *http_bytes_take(char *data, size_t len)
{
    http_bytes *b = data ? malloc(sizeof(*b)) : NULL;
    if (!b) {
        free(data);
        return NULL;
    }
    *b = (http_bytes){.refs = 1, .len = len, .data = data};
    return b;
}

http_bytes *http_bytes_new(const char *data, size_t len)
{
    char *copy = malloc(len + 1);
    if (!copy)
        return NULL;
    if (len)
        memcpy(copy, data, len);
    copy[len] = '\0';
    return http_bytes_take(copy, len);
}

http_bytes *http_bytes_ref(http_bytes *b)
{
    if (b)
        b->refs++;
    return b;
}

void http_bytes_unref(http_bytes *b)
{
    if (!b || --b->refs > 0)
        return;
    free(b->data);
    free(b);
}

/* ---- the store ---- */

typedef struct entry {
    char *key; /* the map's key is its own copy; this one names the entry in drops */
    char *tag;
    http_bytes *b;
    int pinned;
    lru_node node; /* in its list, weighing b->len */
} entry;

/* Two lists: the budget bounds the loose one only, and the pinned one is
 * never trimmed (an entry goes when replaced or dropped). */
struct http_store {
    map *entries; /* key -> entry */
    lru loose, pinned;
};

static void free_entry(entry *e)
{
    http_bytes_unref(e->b);
    free(e->key);
    free(e->tag);
    free(e);
}

/* e out of its list: out of the map, and freed. */
static void forget(lru_node *n, void *payload)
{
    http_store *s = payload;
    entry *e = LRU_ENTRY(n, entry, node);
    map_remove(s->entries, e->key);
    free_entry(e);
}

int http_store_new(http_store **out, size_t budget)
{
    http_store *s = calloc(1, sizeof(*s));
    *out = NULL;
    if (!s || map_new(&s->entries) < 0) {
        free(s);
        return KENES_ENOMEM;
    }
    lru_init(&s->loose, budget, NULL, forget, s);
    lru_init(&s->pinned, SIZE_MAX, NULL, forget, s);
    *out = s;
    return 0;
}

static lru *list_of(http_store *s, const entry *e)
{
    return e->pinned ? &s->pinned : &s->loose;
}

static void drop(http_store *s, entry *e)
{
    lru_remove(list_of(s, e), &e->node);
    forget(&e->node, s);
}

void http_store_free(http_store *s)
{
    if (!s)
        return;
    map_iter it;
    const char *key;
    void *v;
    map_iter_init(&it, s->entries);
    while (map_iter_next(&it, &key, &v))
        free_entry(v);
    map_free(s->entries);
    free(s);
}

http_bytes *http_store_get(http_store *s, const char *key, const char *tag)
{
    entry *e = s ? map_get(s->entries, key) : NULL;
    if (!e || (tag ? !e->tag || strcmp(tag, e->tag) != 0 : e->tag != NULL))
        return NULL;
    if (!e->pinned)
        lru_touch(&s->loose, &e->node);
    return e->b;
}

int http_store_put(http_store *s, const char *key, const char *tag, http_bytes *b, int pinned)
{
    entry *old = map_get(s->entries, key);
    if (old)
        drop(s, old);
    if (!pinned && b->len > s->loose.budget)
        return 0; /* it would push out everything else and still not fit */
    entry *e = calloc(1, sizeof(*e));
    if (!e || !(e->key = strdup(key)) || (tag && !(e->tag = strdup(tag))) ||
        map_set(s->entries, key, e) < 0) {
        if (e) {
            free(e->key);
            free(e->tag);
        }
        free(e);
        return KENES_ENOMEM;
    }
    e->b = http_bytes_ref(b);
    e->pinned = pinned;
    lru_insert(list_of(s, e), &e->node, b->len);
    lru_trim(&s->loose, &e->node);
    return 0;
}

void http_store_drop_prefix(http_store *s, const char *prefix)
{
    if (!s)
        return;
    size_t n = strlen(prefix);
    lru *lists[2] = {&s->loose, &s->pinned};
    for (int k = 0; k < 2; k++)
        for (lru_node *node = lists[k]->newest, *older; node; node = older) {
            older = node->older;
            entry *e = LRU_ENTRY(node, entry, node);
            if (strncmp(e->key, prefix, n) == 0)
                drop(s, e);
        }
}

size_t http_store_bytes(const http_store *s)
{
    return s ? s->loose.bytes + s->pinned.bytes : 0;
}

size_t http_store_count(const http_store *s)
{
    return s ? map_count(s->entries) : 0;
}
