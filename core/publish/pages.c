#include "publish/pages.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"
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

typedef struct make_job {
    uv_work_t work;
    page_cache *c;
    char *key;
    unsigned char hash[PAGE_HASH_BYTES];
    page_make_fn make;
    page_made_cb done;
    void *payload;
    char *out;
    size_t len;
    int rc;
} make_job;

static void make_work(uv_work_t *w)
{
    make_job *j = w->data;
    j->rc = j->make(&j->out, &j->len, j->payload);
}

static void make_after(uv_work_t *w, int status)
{
    make_job *j = w->data;
    int rc = status < 0 ? kenes_error_from_errno(-status) : j->rc;
    const char *data = rc == 0 ? j->out : NULL;
    if (rc == 0 && page_cache_keep(j->c, j->key, j->hash, j->out, j->len) == 0)
        j->out = NULL; /* the cache's now; data still points at it */
    j->done(rc, data, data ? j->len : 0, j->payload);
    free(j->out);
    free(j->key);
    free(j);
}

int page_cache_make(page_cache *c, uv_loop_t *loop, const char *key, const unsigned char *hash,
                    page_make_fn make, page_made_cb done, void *payload)
{
    make_job *j = calloc(1, sizeof(*j));
    if (!j || !(j->key = strdup(key))) {
        free(j);
        return KENES_ENOMEM;
    }
    j->work.data = j;
    j->c = c;
    memcpy(j->hash, hash, sizeof(j->hash));
    j->make = make;
    j->done = done;
    j->payload = payload;
    if (uv_queue_work(loop, &j->work, make_work, make_after) < 0) {
        free(j->key);
        free(j);
        return KENES_EIO;
    }
    return 0;
}
