/*
 * The last result of each public page (a report as HTML, an approved
 * document's page, the bundle), kept with the hash of what it was made
 * from: a request whose input hashes the same gets it back at the cost of
 * a hash.  Keys name what was published ("report:national.md",
 * "public:<id>", "bundle"), never a request's path, so the cache holds at
 * most one result per report, per approved document, and the bundle.
 */
#ifndef KENES_PAGES_H
#define KENES_PAGES_H

#include <sodium.h>
#include <stddef.h>

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

#endif
