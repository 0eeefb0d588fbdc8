/* A string-keyed hash map (open addressing) for the loop's in-memory state. */
#ifndef KENES_MAP_H
#define KENES_MAP_H

#include <stddef.h>

typedef struct map map;

int map_new(map **out);
/* Frees the map and its key copies, not the values.  NULL is a no-op. */
void map_free(map *m);

/* Insert or replace; the key is copied.  0 or KENES_ENOMEM. */
int map_set(map *m, const char *key, void *value);
void *map_get(const map *m, const char *key);
/* Remove and return the value (NULL if absent). */
void *map_remove(map *m, const char *key);
size_t map_count(const map *m);

/* Visit every entry in no particular order. */
typedef struct map_iter {
    const map *m;
    size_t i;
} map_iter;
void map_iter_init(map_iter *it, const map *m);
/* 1 and the entry, or 0 at the end. */
int map_iter_next(map_iter *it, const char **key, void **value);

#endif
