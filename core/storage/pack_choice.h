/*
 * Which packs a server consolidation merges (store_pack.c), as a pure
 * function of their sizes, so that the rule is tested on its own.
 *
 * The rule is git's `repack --geometric=2`: sorted by size, the largest
 * packs that already form a progression in which each is at least twice
 * the next smaller one stay as they are; the small tail below them (and
 * loose objects, and a pack that must go) is merged into one new pack,
 * and any kept pack smaller than twice that new pack joins it, so that the
 * progression holds again afterwards.  A consolidation then rewrites what
 * the batches wrote since, not the history: each object is rewritten about
 * log2(repository / batch) times over its life.  The whole history (a walk
 * of every ref, unreachable objects pruned) is `kenes gc`'s.
 */
#ifndef KENES_PACK_CHOICE_H
#define KENES_PACK_CHOICE_H

#include <stddef.h>
#include <stdint.h>

typedef struct pack_weight {
    uint64_t size;  /* bytes of the .pack */
    int force;      /* merged whatever its size (a pack indexed after a crash) */
} pack_weight;

/* merge[i] = 1 for each of the n packs to merge, 0 for one that stays;
 * *nmerge how many are merged.  loose: bytes of loose objects, merged too.
 * max_keep > 0: at most that many packs stay (the next smallest ones join
 * the merge), so the packs after it are at most max_keep + 1 whatever the
 * sizes.  One pack alone and nothing loose is not worth rewriting: *nmerge
 * 0 and every merge[i] 0 (with loose objects, *nmerge 0 means only they
 * are packed).
 *
 * max_merge > 0 bounds the bytes merged at once: the rule is played among
 * the smallest packs whose sizes (with the loose objects', which are merged
 * whatever the bound) add up to at most max_merge; the larger ones stay,
 * for a later consolidation or kenes gc.  Forced packs neither count in
 * the bound nor wait.  When the bound and max_keep
 * disagree, max_keep wins: the smallest packs beyond the bound join until
 * at most max_keep stay.  The count is what every object lookup pays (one
 * index searched per pack), what the descriptors and mapped windows grow
 * with, and what starts the next consolidation: kept above it, every batch
 * would start a consolidation the bound lets do nothing.  What the count
 * adds is the smallest packs, so it is large only once more than max_keep
 * packs each outweigh the bound.  0 or KENES_ENOMEM. */
int pack_choose(size_t *nmerge, unsigned char *merge, const pack_weight *packs, size_t n,
                uint64_t loose, size_t max_keep, uint64_t max_merge);

#endif
