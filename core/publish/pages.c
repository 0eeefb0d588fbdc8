#include "publish/pages.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/lru.h"
#include "base/map.h"
#include "kenes/plugin.h"

/* The pages live in one list, most recently used first; past the budget
 * the least recently used go (a page is made again on its next request).
 * Keys are per document ("body:<id>", "public:<id>"), so without a bound
 * the cache would grow with every document ever shown. */
typedef struct page {
    unsigned char hash[PAGE_HASH_BYTES];
    char *key; /* the map's key is its own copy: this one names the page to evict */
    char *data; /* the page, or the zip */
    size_t len;
    lru_node node; /* weighs page_cost() */
} page;

struct page_cache {
    map *pages; /* key -> page */
    lru lru;    /* bytes at most: page_cache_set_budget */
};

/* What a page costs: its bytes, its key twice (ours and the map's) and the
 * bookkeeping, so that many tiny pages count too. */
static size_t page_cost(const page *pg)
{
    return pg->len + 2 * (strlen(pg->key) + 1) + sizeof(*pg) + 64;
}

static void page_free(page *pg)
{
    free(pg->key);
    free(pg->data);
    free(pg);
}

/* pg out of the list: out of the map, and freed. */
static void forget(lru_node *n, void *payload)
{
    page_cache *c = payload;
    page *pg = LRU_ENTRY(n, page, node);
    map_remove(c->pages, pg->key);
    page_free(pg);
}

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
    lru_init(&c->lru, PAGE_CACHE_DEFAULT_BYTES, NULL, forget, c);
    *out = c;
    return 0;
}

void page_cache_free(page_cache *c)
{
    if (!c)
        return;
    lru_clear(&c->lru);
    map_free(c->pages);
    free(c);
}

void page_cache_set_budget(page_cache *c, size_t bytes)
{
    lru_set_budget(&c->lru, bytes);
}

void page_cache_stats(const page_cache *c, size_t *pages, size_t *bytes, size_t *evictions)
{
    if (pages)
        *pages = map_count(c->pages);
    if (bytes)
        *bytes = c->lru.bytes;
    if (evictions)
        *evictions = c->lru.evicted;
}

int page_cache_find(page_cache *c, const char *key, const unsigned char *hash, const char **data,
                    size_t *len)
{
    page *pg = map_get(c->pages, key);
    if (!pg || sodium_memcmp(pg->hash, hash, PAGE_HASH_BYTES) != 0)
        return 0;
    lru_touch(&c->lru, &pg->node);
    *data = pg->data;
    *len = pg->len;
    return 1;
}

int page_cache_keep(page_cache *c, const char *key, const unsigned char *hash, char *data,
                    size_t len)
{
    page *pg = map_get(c->pages, key);
    if (pg) {
        /* The old result goes whatever happens: it is no longer key's. */
        lru_remove(&c->lru, &pg->node);
        forget(&pg->node, c);
    }
    if (!(pg = calloc(1, sizeof(*pg))) || !(pg->key = strdup(key))) {
        free(pg);
        return KENES_ENOMEM;
    }
    pg->len = len;
    /* One page past the whole budget would empty the cache for itself. */
    if (page_cost(pg) > c->lru.budget) {
        free(pg->key);
        free(pg);
        return KENES_ETOOBIG;
    }
    if (map_set(c->pages, key, pg) < 0) {
        free(pg->key);
        free(pg);
        return KENES_ENOMEM;
    }
    memcpy(pg->hash, hash, sizeof(pg->hash));
    pg->data = data;
    /* Never this one: the caller answers with it. */
    lru_insert(&c->lru, &pg->node, page_cost(pg));
    lru_trim(&c->lru, &pg->node);
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
