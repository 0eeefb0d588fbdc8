#include "storage/groups.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/map.h"
#include "base/util.h"
#include "kenes/plugin.h"
#include "storage/index.h"

struct idx_group {
    char *key;
    idx_doc **v; /* sorted by id */
    size_t n, cap;
};

struct idx_groups {
    map *by_key; /* "type\x1fregion" -> idx_group */
};

int groups_new(idx_groups **out)
{
    idx_groups *g = calloc(1, sizeof(*g));
    if (!g || map_new(&g->by_key) < 0) {
        free(g);
        return KENES_ENOMEM;
    }
    *out = g;
    return 0;
}

static void group_free(idx_group *gr)
{
    free(gr->v);
    free(gr->key);
    free(gr);
}

void groups_free(idx_groups *g)
{
    if (!g)
        return;
    map_iter it;
    const char *k;
    void *v;
    map_iter_init(&it, g->by_key);
    while (map_iter_next(&it, &k, &v))
        group_free(v);
    map_free(g->by_key);
    free(g);
}

/* The map's key of (type, region) into out; 0, or KENES_ETOOBIG. */
static int key_of(char *out, size_t cap, const char *type, const char *region)
{
    int n = snprintf(out, cap, "%s\x1f%s", type, region);
    return n < 0 || (size_t)n >= cap ? KENES_ETOOBIG : 0;
}

/* Where id is in gr, or where it would go (*found says which). */
static size_t slot(const idx_group *gr, const char *id, int *found)
{
    size_t lo = 0, hi = gr->n;
    *found = 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(gr->v[mid]->id, id);
        if (c == 0) {
            *found = 1;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void groups_forget(idx_groups *g, idx_doc *d)
{
    idx_group *gr = d->group;
    d->group = NULL;
    if (!gr)
        return;
    int found;
    size_t i = slot(gr, d->id, &found);
    if (found) {
        memmove(&gr->v[i], &gr->v[i + 1], (gr->n - i - 1) * sizeof(*gr->v));
        gr->n--;
    }
    if (!gr->n) {
        map_remove(g->by_key, gr->key);
        group_free(gr);
    }
}

int groups_file(idx_groups *g, idx_doc *d, const char *type, const char *region)
{
    char key[512];
    if (!type || !region || key_of(key, sizeof(key), type, region) < 0) {
        groups_forget(g, d);
        return 0;
    }
    idx_group *gr = map_get(g->by_key, key);
    if (gr && gr == d->group)
        return 0; /* where it was: the usual commit */
    groups_forget(g, d);
    if (!gr) {
        if (!(gr = calloc(1, sizeof(*gr))) || !(gr->key = strdup(key)) ||
            map_set(g->by_key, key, gr) < 0) {
            if (gr)
                free(gr->key);
            free(gr);
            return KENES_ENOMEM;
        }
    }
    idx_doc **v = util_grow(gr->v, &gr->cap, gr->n, sizeof(*v), 8);
    if (!v) {
        if (!gr->n) {
            map_remove(g->by_key, key);
            group_free(gr);
        }
        return KENES_ENOMEM;
    }
    gr->v = v;
    int found;
    size_t i = slot(gr, d->id, &found);
    /* Ids made in sequence land at the end: nothing moves. */
    memmove(&gr->v[i + 1], &gr->v[i], (gr->n - i) * sizeof(*gr->v));
    gr->v[i] = d;
    gr->n++;
    d->group = gr;
    return 0;
}

idx_doc *const *groups_get(const idx_groups *g, const char *type, const char *region, size_t *n)
{
    char key[512];
    const idx_group *gr =
        type && region && key_of(key, sizeof(key), type, region) == 0 ? map_get(g->by_key, key)
                                                                      : NULL;
    *n = gr ? gr->n : 0;
    return gr ? gr->v : NULL;
}
