/*
 * The last result of each public page (a report as HTML, an approved
 * document's page, the bundle), kept with the hash of what it was made
 * from: a request whose input hashes the same gets it back at the cost of
 * a hash.  Keys name what was published ("report:national.md",
 * "public:<id>", "body:<id>", "bundle"), never a request's path, so the
 * cache holds at most one result per report, per document shown, and the
 * bundle; and at most a budget of bytes (the least recently used go first),
 * so memory does not grow with the number of documents ever shown.
 *
 * A result not kept is made on libuv's thread pool (page_cache_make),
 * never on the loop: a long plan takes cmark up to the render budget, a
 * zip of every report longer, and the loop answers everyone else meanwhile.
 */
#ifndef KENES_PAGES_H
#define KENES_PAGES_H

#include <sodium.h>
#include <stddef.h>
#include <uv.h>

typedef struct page_cache page_cache;

#define PAGE_HASH_BYTES crypto_generichash_BYTES

/* What the cache keeps at most until page_cache_set_budget says otherwise. */
#define PAGE_CACHE_DEFAULT_BYTES ((size_t)16 << 20)

int page_cache_new(page_cache **out);
void page_cache_free(page_cache *c); /* NULL is a no-op */

/* Keep at most bytes (pages, keys and bookkeeping): past it the least
 * recently used pages go, at once and on every keep (kenes.yaml
 * limits.page_cache_mib). */
void page_cache_set_budget(page_cache *c, size_t bytes);
/* Pages kept, the bytes they count for, pages evicted so far (any may be NULL). */
void page_cache_stats(const page_cache *c, size_t *pages, size_t *bytes, size_t *evictions);

/* 1 and *data, *len (the cache's, valid until the next keep of any key:
 * answer with it now) when key's result was made from what hashes to hash;
 * 0 otherwise.  A hit makes the page the most recently used. */
int page_cache_find(page_cache *c, const char *key, const unsigned char *hash, const char **data,
                    size_t *len);

/* Keep data (stolen on 0) as key's result made from hash, evicting the
 * least recently used pages past the budget (never this one).  0,
 * KENES_ENOMEM, or KENES_ETOOBIG for a page bigger than the whole budget
 * (kept nowhere; key's former result is dropped all the same). */
int page_cache_keep(page_cache *c, const char *key, const unsigned char *hash, char *data,
                    size_t len);

/* Makes a result on a thread of the pool: 0 with *out (malloc'd) and *len,
 * or a negative KENES_E* code.  It reads only what its payload owns. */
typedef int (*page_make_fn)(char **out, size_t *len, void *payload);
/* Back on the loop: status 0 with the result (valid until the next keep of
 * its key: answer with it now), or a negative KENES_E* code and NULL. */
typedef void (*page_made_cb)(int status, const char *data, size_t len, void *payload);

/*
 * Run make(payload) on loop's thread pool, keep what it made as key's result
 * from hash, then call done on the loop (a result that cannot be kept, out
 * of memory, is handed to done all the same).  c must outlive the call.
 * 0, or KENES_ENOMEM or KENES_EIO when the work cannot be queued: then
 * neither make nor done is ever called.
 */
int page_cache_make(page_cache *c, uv_loop_t *loop, const char *key, const unsigned char *hash,
                    page_make_fn make, page_made_cb done, void *payload);

#endif
