/*
 * The last result of each public page (a report as HTML, an approved
 * document's page, the bundle), kept with the hash of what it was made
 * from: a request whose input hashes the same gets it back at the cost of
 * a hash.  Keys name what was published ("report:national.md",
 * "public:<id>", "bundle"), never a request's path, so the cache holds at
 * most one result per report, per approved document, and the bundle.
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

int page_cache_new(page_cache **out);
void page_cache_free(page_cache *c); /* NULL is a no-op */

/* 1 and *data, *len (the cache's, valid until the next keep of key) when
 * key's result was made from what hashes to hash; 0 otherwise. */
int page_cache_find(const page_cache *c, const char *key, const unsigned char *hash,
                    const char **data, size_t *len);

/* Keep data (stolen on 0) as key's result made from hash.  0 or KENES_ENOMEM. */
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
