#include "publish/pages.h"

#include <stdlib.h>
#include <string.h>

#include "base/map.h"
#include "kenes/plugin.h"

struct page_cache {
    map *pages; /* key -> page */
};

typedef struct page {
    unsigned char hash[PAGE_HASH_BYTES];
    char *data; /* the page, or the zip */
    size_t len;
} page;

int page_cache_new(page_cache **out)
{
    page_cache *c = calloc(1, sizeof(*c));
    *out = NULL;
    if (!c)
        return KENES_ENOMEM;
    if (map_new(&c->pages) < 0) {
        free(c);
        return KENES_ENOMEM;
    }
    *out = c;
    return 0;
}

void page_cache_free(page_cache *c)
{
    map_iter it;
    const char *key;
    void *v;
    if (!c)
        return;
    map_iter_init(&it, c->pages);
    while (map_iter_next(&it, &key, &v)) {
        free(((page *)v)->data);
        free(v);
    }
    map_free(c->pages);
    free(c);
}

int page_cache_find(const page_cache *c, const char *key, const unsigned char *hash,
                    const char **data, size_t *len)
{
    const page *pg = map_get(c->pages, key);
    if (!pg || sodium_memcmp(pg->hash, hash, PAGE_HASH_BYTES) != 0)
        return 0;
    *data = pg->data;
    *len = pg->len;
    return 1;
}

int page_cache_keep(page_cache *c, const char *key, const unsigned char *hash, char *data,
                    size_t len)
{
    page *pg = map_get(c->pages, key);
    if (!pg && (pg = calloc(1, sizeof(*pg))) != NULL && map_set(c->pages, key, pg) < 0) {
        free(pg);
        pg = NULL;
    }
    if (!pg)
        return KENES_ENOMEM;
    free(pg->data);
    memcpy(pg->hash, hash, sizeof(pg->hash));
    pg->data = data;
    pg->len = len;
    return 0;
}
