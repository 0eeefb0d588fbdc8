/* The regions of Kazakhstan (ISO 3166-2:KZ), loaded from content/regions.yaml. */
#ifndef KENES_REGION_H
#define KENES_REGION_H

#include <jansson.h>
#include <stddef.h>

typedef struct region {
    char *code; /* "KZ-11" */
    char *ru, *kk, *en;
} region;

/* Load the table (replacing any loaded before).  On failure writes "file:line: why". */
int region_load(const char *path, char *err, size_t errcap);
void region_unload(void);

const region *region_find(const char *code);
size_t region_count(void);
const region *region_at(size_t i);
/* [{"code","ru","kk","en"}] */
json_t *region_to_json(void);

#endif
