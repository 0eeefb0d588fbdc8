/*
 * One document's JSON on demand (issue 16, item 4): a document that is not
 * resident (entry.h) keeps only its index entry on the loop; whoever needs
 * its fields or body asks docs_fetch, which answers from a cache bounded by
 * bytes (kenes.yaml index.cache_mib, least recently used first out) or reads
 * the file on the thread pool (store_read_submit: the loop never touches
 * git), opens a sealed file with its key back on the loop, parses it and
 * keeps it.  While d's current version is cached, d->doc points to it, so
 * the code that runs right after a fetch reads d->doc as before; a document
 * pinned (a write on its way: d->busy, or a request between two steps:
 * docs_fetch_pin) keeps it.
 */
#ifndef KENES_DOCS_FETCH_H
#define KENES_DOCS_FETCH_H

#include <jansson.h>
#include <stddef.h>

#include "docs/docs.h"

typedef struct docs_cache docs_cache;

/* A cache of at most max_bytes (weights: each file's length times a
 * factor for the parsed tree).  0 or KENES_ENOMEM. */
int docs_cache_new(docs_cache **out, size_t max_bytes);
/* Frees what it keeps (each d->doc it lent is forgotten first: call it
 * before the index is freed).  NULL is a no-op. */
void docs_cache_free(docs_cache *c, doc_index *ix);

/* What a cache did since it was made, for tests and logs. */
typedef struct docs_cache_stats {
    size_t reads;   /* files read on the thread pool (misses) */
    size_t hits;    /* answered from memory */
    size_t evicted; /* entries dropped to stay under the bound */
    size_t entries;
    size_t bytes;
} docs_cache_stats;
void docs_cache_stats_of(docs_cache_stats *out, const docs_cache *c);

/* Called on the loop each time a miss is read from git (tests count reads
 * with it; NULL: none). */
extern void (*docs_fetch_read_hook)(const char *id, const char *version);

/* code: 0 and doc (borrowed: valid until the loop runs something else;
 * incref to keep it), or KENES_EGONE (the case was erased: its key is
 * gone), KENES_EUNAVAILABLE (its key cannot be used now), KENES_EIO,
 * KENES_ENOMEM with doc NULL. */
typedef void (*docs_fetch_cb)(int code, const json_t *doc, void *payload);

/* d's JSON at version (NULL: its current one).  cb runs at once when it is
 * in memory, else on the loop once read. */
void docs_fetch(docs_service *svc, idx_doc *d, const char *version, docs_fetch_cb cb,
                void *payload);
/* 1 if d's current JSON is in memory now (d->doc set, a resident one's
 * parsed from its text if need be: docs_fetch_now; the LRU order is
 * touched), 0 if docs_fetch would read it. */
int docs_fetch_ready(docs_service *svc, idx_doc *d);

/* d's current JSON at once, without a read: d->doc when it is in memory
 * (the LRU order touched), else, for a resident document (resident.h),
 * parsed now from its kept text (a sealed one opened with its case's key,
 * which is in memory) and put in the cache, which lends it to d->doc.
 * Borrowed, and only until the next document is parsed or fetched (the
 * cache is bounded; under KENES_TEST_DROP=1 it keeps none beyond the last
 * one and those pinned): a caller that reads another document before it
 * is done with this one holds a reference (json_incref).  NULL when
 * neither is at hand (a document read on demand and not cached, a text
 * that does not open).  Fills the cache through const pointers: the cache
 * and d->doc are the loop's scratch, not what the caller may change. */
const json_t *docs_fetch_now(const docs_service *svc, const idx_doc *d);

/* Keep d's current JSON in memory until the matching unpin (a request that
 * reads d->doc after a step on the thread pool).  Counted. */
void docs_fetch_pin(idx_doc *d);
void docs_fetch_unpin(docs_service *svc, idx_doc *d);

/* A commit made doc (stolen; len: its file's length) d's current version
 * (d->version already the new one): d->doc becomes it, cached (a resident
 * one's text kept too: resident.h);
 * what the cache kept of d's earlier versions goes (an erased case's text
 * leaves memory with its key). */
void docs_fetch_keep(docs_service *svc, idx_doc *d, json_t *doc, size_t len);

/* After the start-up load: every document's entry computed
 * (docs_entry_keep), a resident one's text kept, and every JSON dropped. */
int docs_fetch_settle(docs_service *svc);

/* Run again once d's current JSON is in memory.  0: it is there now, go on;
 * 1: a fetch started and again(args) runs once it is done (with d->doc
 * set), or fail(code, args) if it failed; args is the caller's, handed back
 * either way. */
int docs_fetch_first(docs_service *svc, idx_doc *d, void (*again)(void *args),
                     void (*fail)(int code, void *args), void *args);

/* A request of u (NULL: a public page, judged by its handler) naming
 * document id, whose JSON or key is not in memory, handled again once it
 * is read (as one whose body is parsed first): 1 and redo(req, ctx) runs
 * then (whether the read succeeded or not: the handler's own checks answer
 * a failure), 0 when it is at hand, unknown, one u may not read (judged
 * from its index entry: refused without a read), or this is req handled
 * again already. */
int docs_fetch_redo(docs_service *svc, const auth_user *u, const char *id,
                    void (*redo)(void *req, void *ctx), void *req, void *ctx);

/* The refusal a failed fetch answers with (docs_refuse's reason and message). */
void docs_fetch_refuse(int code, docs_cb cb, void *payload);

/* Plugins' doc_with during a validation (lookup.c): a document not in
 * memory is noted and the plugin told KENES_EBUSY; docs_validate then
 * answers KENES_EBUSY without refusing, and the write fetches what was
 * missed (docs_fetch_missed) and is judged again from the start. */
void docs_fetch_note_miss(docs_service *svc, idx_doc *d);
size_t docs_fetch_misses(void);
idx_doc *docs_fetch_miss_at(size_t i); /* the i-th noted, or NULL */
void docs_fetch_clear_misses(void);
/* The documents noted since the last call fetched, each pinned while
 * then(args) runs; 0: none was noted (then is not called), 1: then runs
 * once they are read. */
int docs_fetch_missed(docs_service *svc, void (*then)(void *args), void *args);

#endif
