#include "publish/pages.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"
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
    struct page *newer, *older;
} page;

struct page_cache {
    map *pages;   /* key -> page */
    page *newest; /* the LRU list */
    page *oldest;
    size_t bytes;  /* what the pages take, counted as page_cost() does */
    size_t budget; /* bytes at most (page_cache_set_budget) */
    size_t evictions;
};

/* What a page costs: its bytes, its key twice (ours and the map's) and the
 * bookkeeping, so that many tiny pages count too. */
static size_t page_cost(const page *pg)
{
    return pg->len + 2 * (strlen(pg->key) + 1) + sizeof(*pg) + 64;
}

static void unlink_page(page_cache *c, page *pg)
{
    if (pg->newer)
        pg->newer->older = pg->older;
    else
        c->newest = pg->older;
    if (pg->older)
        pg->older->newer = pg->newer;
    else
        c->oldest = pg->newer;
    pg->newer = pg->older = NULL;
}

static void push_newest(page_cache *c, page *pg)
{
    pg->older = c->newest;
    pg->newer = NULL;
    if (c->newest)
        c->newest->newer = pg;
    c->newest = pg;
    if (!c->oldest)
        c->oldest = pg;
}

static void page_free(page *pg)
{
    free(pg->key);
    free(pg->data);
    free(pg);
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
    c->budget = PAGE_CACHE_DEFAULT_BYTES;
    *out = c;
    return 0;
}

void page_cache_free(page_cache *c)
{
    if (!c)
        return;
    for (page *pg = c->newest, *next; pg; pg = next) {
        next = pg->older;
        page_free(pg);
    }
    map_free(c->pages);
    free(c);
}

/* Drop the oldest pages until the rest fit, never keep (just kept: the
 * caller answers with it). */
static void evict(page_cache *c, const page *keep)
{
    while (c->bytes > c->budget && c->oldest && c->oldest != keep) {
        page *pg = c->oldest;
        unlink_page(c, pg);
        map_remove(c->pages, pg->key);
        c->bytes -= page_cost(pg);
        c->evictions++;
        page_free(pg);
    }
}

void page_cache_set_budget(page_cache *c, size_t bytes)
{
    c->budget = bytes;
    evict(c, NULL);
}

void page_cache_stats(const page_cache *c, size_t *pages, size_t *bytes, size_t *evictions)
{
    if (pages)
        *pages = map_count(c->pages);
    if (bytes)
        *bytes = c->bytes;
    if (evictions)
        *evictions = c->evictions;
}

int page_cache_find(page_cache *c, const char *key, const unsigned char *hash, const char **data,
                    size_t *len)
{
    page *pg = map_get(c->pages, key);
    if (!pg || sodium_memcmp(pg->hash, hash, PAGE_HASH_BYTES) != 0)
        return 0;
    if (c->newest != pg) {
        unlink_page(c, pg);
        push_newest(c, pg);
    }
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
        unlink_page(c, pg);
        map_remove(c->pages, key);
        c->bytes -= page_cost(pg);
        page_free(pg);
    }
    if (!(pg = calloc(1, sizeof(*pg))) || !(pg->key = strdup(key))) {
        free(pg);
        return KENES_ENOMEM;
    }
    pg->len = len;
    /* One page past the whole budget would empty the cache for itself. */
    if (page_cost(pg) > c->budget) {
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
    push_newest(c, pg);
    c->bytes += page_cost(pg);
    evict(c, pg);
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
