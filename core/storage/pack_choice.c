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

/* a + b, at most UINT64_MAX. */
static uint64_t add(uint64_t a, uint64_t b)
{
    return a + b < a ? UINT64_MAX : a + b;
}

int pack_choose(size_t *nmerge, unsigned char *merge, const pack_weight *packs, size_t n,
                uint64_t loose, size_t max_keep, uint64_t max_merge)
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
            total = add(total, packs[i].size);
        } else {
            r[m].size = packs[i].size;
            r[m++].at = i;
        }
    }
    if (m > 1)
        qsort(r, m, sizeof(*r), by_size);
    /* The bound: only the smallest packs that fit in max_merge together
     * (with the loose objects; a forced pack does not count: rare, after a
     * crash, and it must go with the packs it duplicates) can be merged;
     * the larger ones stay, for a later consolidation or kenes gc, and the
     * rule below is played among the ones that fit.  Cutting the rule's
     * choice afterwards instead would leave the pack of the last bounded
     * merge just under the largest, the progression broken there, and
     * every next consolidation would rewrite it again. */
    size_t fit = m;
    if (max_merge) {
        uint64_t sum = loose;
        for (fit = 0; fit < m && add(sum, r[fit].size) <= max_merge; fit++)
            sum = add(sum, r[fit].size);
    }
    /* From the largest down, the progression holds while each pack is at
     * least twice the next smaller one; where it first breaks, that smaller
     * one and everything below it are the tail. */
    size_t split = 0;
    for (size_t i = fit; i-- > 1;)
        if (below(r[i].size, r[i - 1].size)) {
            split = i;
            break;
        }
    for (size_t i = 0; i < split; i++)
        total = add(total, r[i].size);
    /* The new pack weighs about the tail: a kept pack below twice that
     * would break the progression, and joins. */
    while (split < fit && below(r[split].size, total)) {
        total = add(total, r[split].size);
        split++;
    }
    /* The count wins over the bound: past max_keep kept packs the next
     * smallest join whatever their weight (pack_choice.h says why). */
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
