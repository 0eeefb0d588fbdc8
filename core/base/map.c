#include "base/map.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kenes/plugin.h"

/* Deleted slots keep probing chains intact until the next resize. */
static char tombstone;

struct map {
    char **keys;
    void **values;
    size_t cap; /* a power of two */
    size_t count;
    size_t used; /* count + tombstones */
};

static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

int map_new(map **out)
{
    map *m = calloc(1, sizeof(*m));
    if (!m)
        return KENES_ENOMEM;
    m->cap = 64;
    m->keys = calloc(m->cap, sizeof(char *));
    m->values = calloc(m->cap, sizeof(void *));
    if (!m->keys || !m->values) {
        map_free(m);
        return KENES_ENOMEM;
    }
    *out = m;
    return 0;
}

void map_free(map *m)
{
    if (!m)
        return;
    for (size_t i = 0; m->keys && i < m->cap; i++)
        if (m->keys[i] && m->keys[i] != &tombstone)
            free(m->keys[i]);
    free(m->keys);
    free(m->values);
    free(m);
}

static size_t find_slot(const map *m, const char *key, int *found)
{
    size_t mask = m->cap - 1, i = (size_t)hash(key) & mask, first_free = SIZE_MAX;
    for (;;) {
        char *k = m->keys[i];
        if (!k) {
            *found = 0;
            return first_free != SIZE_MAX ? first_free : i;
        }
        if (k == &tombstone) {
            if (first_free == SIZE_MAX)
                first_free = i;
        } else if (strcmp(k, key) == 0) {
            *found = 1;
            return i;
        }
        i = (i + 1) & mask;
    }
}

static int grow(map *m)
{
    map bigger = {0};
    bigger.cap = m->count * 4 > m->cap ? m->cap * 2 : m->cap;
    bigger.keys = calloc(bigger.cap, sizeof(char *));
    bigger.values = calloc(bigger.cap, sizeof(void *));
    if (!bigger.keys || !bigger.values) {
        free(bigger.keys);
        free(bigger.values);
        return KENES_ENOMEM;
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->keys[i] || m->keys[i] == &tombstone)
            continue;
        int found;
        size_t j = find_slot(&bigger, m->keys[i], &found);
        bigger.keys[j] = m->keys[i];
        bigger.values[j] = m->values[i];
    }
    free(m->keys);
    free(m->values);
    m->keys = bigger.keys;
    m->values = bigger.values;
    m->cap = bigger.cap;
    m->used = m->count;
    return 0;
}

int map_set(map *m, const char *key, void *value)
{
    if ((m->used + 1) * 4 > m->cap * 3 && grow(m) < 0)
        return KENES_ENOMEM;
    int found;
    size_t i = find_slot(m, key, &found);
    if (found) {
        m->values[i] = value;
        return 0;
    }
    char *copy = strdup(key);
    if (!copy)
        return KENES_ENOMEM;
    if (!m->keys[i])
        m->used++;
    m->keys[i] = copy;
    m->values[i] = value;
    m->count++;
    return 0;
}

void *map_get(const map *m, const char *key)
{
    int found;
    size_t i = find_slot(m, key, &found);
    return found ? m->values[i] : NULL;
}

void *map_remove(map *m, const char *key)
{
    int found;
    size_t i = find_slot(m, key, &found);
    if (!found)
        return NULL;
    void *v = m->values[i];
    free(m->keys[i]);
    m->keys[i] = &tombstone;
    m->values[i] = NULL;
    m->count--;
    return v;
}

size_t map_count(const map *m)
{
    return m->count;
}

void map_iter_init(map_iter *it, const map *m)
{
    it->m = m;
    it->i = 0;
}

int map_iter_next(map_iter *it, const char **key, void **value)
{
    for (; it->i < it->m->cap; it->i++) {
        char *k = it->m->keys[it->i];
        if (k && k != &tombstone) {
            *key = k;
            *value = it->m->values[it->i];
            it->i++;
            return 1;
        }
    }
    return 0;
}
