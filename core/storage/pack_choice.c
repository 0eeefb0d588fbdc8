#include "storage/pack_choice.h"

#include <stdlib.h>
#include <string.h>

#include "kenes/plugin.h"

#define FACTOR 2

typedef struct ranked {
    uint64_t size;
    size_t at; /* index in the caller's array */
} ranked;

static int by_size(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->size != y->size)
        return x->size < y->size ? -1 : 1;
    return x->at < y->at ? -1 : x->at > y->at; /* a stable answer for equal sizes */
}

/* a < FACTOR * b without overflowing. */
static int below(uint64_t a, uint64_t b)
{
    return b > UINT64_MAX / FACTOR || a < FACTOR * b;
}

int pack_choose(size_t *nmerge, unsigned char *merge, const pack_weight *packs, size_t n,
                uint64_t loose, size_t max_keep)
{
    *nmerge = 0;
    if (n)
        memset(merge, 0, n);
    size_t m = 0, forced = 0;
    uint64_t total = loose;
    ranked *r = n ? malloc(n * sizeof(*r)) : NULL;
    if (n && !r)
        return KENES_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        if (packs[i].force) {
            merge[i] = 1;
            forced++;
            total = total + packs[i].size < total ? UINT64_MAX : total + packs[i].size;
        } else {
            r[m].size = packs[i].size;
            r[m++].at = i;
        }
    }
    if (m > 1)
        qsort(r, m, sizeof(*r), by_size);
    /* From the largest down, the progression holds while each pack is at
     * least twice the next smaller one; where it first breaks, that smaller
     * one and everything below it are the tail. */
    size_t split = 0;
    for (size_t i = m; i-- > 1;)
        if (below(r[i].size, r[i - 1].size)) {
            split = i;
            break;
        }
    for (size_t i = 0; i < split; i++)
        total = total + r[i].size < total ? UINT64_MAX : total + r[i].size;
    /* The new pack weighs about the tail: a kept pack below twice that
     * would break the progression, and joins. */
    while (split < m && below(r[split].size, total)) {
        total = total + r[split].size < total ? UINT64_MAX : total + r[split].size;
        split++;
    }
    while (max_keep && m - split > max_keep)
        split++;
    for (size_t i = 0; i < split; i++)
        merge[r[i].at] = 1;
    free(r);
    size_t count = split + forced;
    if (count == 1 && loose == 0) {
        /* one pack rewritten alone is the same pack again */
        memset(merge, 0, n);
        return 0;
    }
    *nmerge = count;
    return 0;
}
