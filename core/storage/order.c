#include "storage/order.h"

#include <git2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kenes/plugin.h"

/*
 * About 27 bytes a commit, and no allocation larger than a sliver of the
 * whole (the hash table of before took 37-75 bytes a commit and doubled at
 * once: 14.7 MB in one step at about 197,000 commits).
 *
 * - Each repository's line: the raw 20-byte ids in the order noted, in
 *   blocks of BLOCK ids (a commit's place is its index there, so the place
 *   costs nothing and the full id is kept once, for the exact comparison).
 * - An index from id to place: 256 shards by the id's first byte, each an
 *   open-addressing table of 32-bit places (the repository's bit and the
 *   place from 1; 0 is free) with a parallel byte of the id per slot, so a
 *   probe reads the line only when that byte agrees (one time in 255).
 *   4 + 1 bytes a slot, kept between MAX_LOAD / GROWTH and MAX_LOAD full.
 *   Each shard grows on its own, by a third, from a starting size of its
 *   own so that they do not all grow at the same count.
 *
 * An object id is a uniform hash already: its bytes pick the shard, the
 * home slot and the tag directly.
 */

enum {
    SHARDS = 256,
    ID = GIT_OID_RAWSZ,
    BLOCK = 256,     /* ids in every block of a line but the first while it grows */
    FIRST_BLOCK = 16 /* the first block starts this small, for small tables */
};

#define REPO_BIT ORDER_REPO_BIT
#define PLACE_MAX 0x7fffffffu /* 31 bits a repository */
/* A shard grows past 17/20 full (linear probing stays short up to there);
 * growing by a third keeps it above 0.64 after. */
#define MAX_LOAD_NUM 17u
#define MAX_LOAD_DEN 20u

typedef struct shard {
    uint32_t *slots; /* cap places, then cap tags (bytes), one allocation */
    uint32_t cap, count;
} shard;

typedef struct line {
    uint8_t **blocks; /* BLOCK ids each (the first: first_cap while smaller) */
    size_t nblocks, blocks_cap;
    uint32_t first_cap;
    uint32_t count; /* the last place given */
} line;

struct commit_order {
    shard shards[SHARDS];
    line lines[2];
    size_t count;
    uint32_t max_place;
    order_stats stats;
};

/* Every allocation passes here, so that order_get_stats says what the table
 * holds and the largest single step it took without asking malloc. */
static void *take(commit_order *o, void *old, size_t old_size, size_t size)
{
    void *p = realloc(old, size);
    if (!p)
        return NULL;
    o->stats.bytes = o->stats.bytes - old_size + size;
    if (size > o->stats.largest)
        o->stats.largest = size;
    return p;
}

static void give(commit_order *o, void *p, size_t size)
{
    free(p);
    o->stats.bytes -= size;
}

int order_new_limited(commit_order **out, uint32_t max_per_repository)
{
    if (!out || !max_per_repository || max_per_repository > PLACE_MAX)
        return KENES_EINVAL;
    commit_order *o = calloc(1, sizeof(*o));
    if (!o)
        return KENES_ENOMEM;
    o->max_place = max_per_repository;
    o->stats.bytes = o->stats.largest = sizeof(*o);
    *out = o;
    return 0;
}

int order_new(commit_order **out)
{
    return order_new_limited(out, PLACE_MAX);
}

static size_t shard_size(uint32_t cap)
{
    return (size_t)cap * (sizeof(uint32_t) + 1);
}

static uint8_t *tags_of(const shard *s)
{
    return (uint8_t *)(s->slots + s->cap);
}

void order_free(commit_order *o)
{
    if (!o)
        return;
    for (size_t i = 0; i < SHARDS; i++)
        free(o->shards[i].slots);
    for (size_t r = 0; r < 2; r++) {
        for (size_t b = 0; b < o->lines[r].nblocks; b++)
            free(o->lines[r].blocks[b]);
        free(o->lines[r].blocks);
    }
    free(o);
}

static uint32_t home_of(const uint8_t *id, uint32_t cap)
{
    uint32_t h;
    memcpy(&h, id + ID - sizeof(h), sizeof(h));
    /* h spread over [0, cap) without a division: cap need not be a power
     * of two, which lets a shard grow by a third. */
    return (uint32_t)(((uint64_t)h * cap) >> 32);
}

/* Never 0, which marks a free slot. */
static uint8_t tag_of(const uint8_t *id)
{
    return id[1] ? id[1] : 1;
}

static const uint8_t *id_at(const commit_order *o, uint32_t place)
{
    const line *l = &o->lines[place >> 31];
    uint32_t i = (place & PLACE_MAX) - 1;
    return l->blocks[i / BLOCK] + (size_t)(i % BLOCK) * ID;
}

/* The slot holding id in s, or the free one where it would go.  s is never
 * full (at most MAX_LOAD), so the walk ends. */
static uint32_t probe(const commit_order *o, const shard *s, const uint8_t *id)
{
    const uint8_t *tags = tags_of(s);
    uint8_t t = tag_of(id);
    for (uint32_t i = home_of(id, s->cap);; i = i + 1 == s->cap ? 0 : i + 1) {
        if (!tags[i] || (tags[i] == t && !memcmp(id_at(o, s->slots[i]), id, ID)))
            return i;
    }
}

static int shard_grow(commit_order *o, shard *s, size_t index)
{
    /* The starting sizes 24..31 spread the shards over a growth's third, so
     * the whole table grows a little at a time. */
    if (s->cap > UINT32_MAX / 4 * 3)
        return KENES_ENOMEM;
    uint32_t cap = s->cap ? s->cap + s->cap / 3 : 24 + (uint32_t)(index % 8);
    shard bigger = {.cap = cap, .count = s->count};
    bigger.slots = take(o, NULL, 0, shard_size(cap));
    if (!bigger.slots)
        return KENES_ENOMEM;
    uint8_t *tags = tags_of(&bigger);
    memset(tags, 0, cap);
    const uint8_t *old_tags = s->slots ? tags_of(s) : NULL;
    for (uint32_t i = 0; i < s->cap; i++) {
        if (!old_tags[i])
            continue;
        uint32_t j = probe(o, &bigger, id_at(o, s->slots[i]));
        bigger.slots[j] = s->slots[i];
        tags[j] = old_tags[i];
    }
    give(o, s->slots, shard_size(s->cap));
    *s = bigger;
    return 0;
}

/* Appends id to the line; the caller has checked the limit. */
static int line_push(commit_order *o, line *l, const uint8_t *id)
{
    size_t b = l->count / BLOCK, at = l->count % BLOCK;
    if (b == l->nblocks) {
        if (l->nblocks == l->blocks_cap) {
            size_t cap = l->blocks_cap ? l->blocks_cap * 2 : 4;
            uint8_t **blocks = take(o, l->blocks, l->blocks_cap * sizeof(*blocks),
                                    cap * sizeof(*blocks));
            if (!blocks)
                return KENES_ENOMEM;
            l->blocks = blocks;
            l->blocks_cap = cap;
        }
        uint32_t n = b ? BLOCK : FIRST_BLOCK;
        if (!(l->blocks[b] = take(o, NULL, 0, (size_t)n * ID)))
            return KENES_ENOMEM;
        if (!b)
            l->first_cap = n;
        l->nblocks++;
    } else if (!b && at == l->first_cap) {
        uint32_t n = l->first_cap * 2;
        uint8_t *first = take(o, l->blocks[0], (size_t)l->first_cap * ID, (size_t)n * ID);
        if (!first)
            return KENES_ENOMEM;
        l->blocks[0] = first;
        l->first_cap = n;
    }
    memcpy(l->blocks[b] + at * ID, id, ID);
    l->count++;
    return 0;
}

int order_note(commit_order *o, int repo, const char *commit)
{
    git_oid oid;
    if (!o || repo < 0 || repo > 1 || !commit || strlen(commit) != GIT_OID_HEXSZ ||
        git_oid_fromstr(&oid, commit) < 0)
        return KENES_EINVAL;
    const uint8_t *id = oid.id;
    size_t index = id[0];
    shard *s = &o->shards[index];
    if (s->cap && tags_of(s)[probe(o, s, id)])
        return 0; /* noted before: it keeps its first place */
    line *l = &o->lines[repo];
    /* Never wraps: a place past 31 bits would sort before the first. */
    if (l->count >= o->max_place)
        return KENES_ENOMEM;
    if ((uint64_t)(s->count + 1) * MAX_LOAD_DEN > (uint64_t)s->cap * MAX_LOAD_NUM &&
        shard_grow(o, s, index) < 0)
        return KENES_ENOMEM;
    if (line_push(o, l, id) < 0)
        return KENES_ENOMEM;
    uint32_t i = probe(o, s, id);
    s->slots[i] = (repo ? REPO_BIT : 0) | l->count;
    tags_of(s)[i] = tag_of(id);
    s->count++;
    o->count++;
    return 0;
}

uint32_t order_place(const commit_order *o, const char *commit)
{
    git_oid oid;
    if (!o || !commit || strlen(commit) != GIT_OID_HEXSZ || git_oid_fromstr(&oid, commit) < 0)
        return 0;
    const shard *s = &o->shards[oid.id[0]];
    if (!s->cap)
        return 0;
    uint32_t i = probe(o, s, oid.id);
    return tags_of(s)[i] ? s->slots[i] : 0;
}

int order_before(const commit_order *o, const char *a, const char *b)
{
    if (!o)
        return 0;
    uint32_t pa = order_place(o, a), pb = order_place(o, b);
    /* The repository's bit is the top one: equal, the places compare. */
    return pa && pb && (pa & REPO_BIT) == (pb & REPO_BIT) && pa < pb;
}

int order_commit_at(char out[41], const commit_order *o, uint32_t place)
{
    uint32_t p = place & PLACE_MAX;
    if (!o || !p || p > o->lines[place >> 31].count)
        return KENES_ENOTFOUND;
    git_oid oid;
    memcpy(oid.id, id_at(o, place), ID);
    git_oid_tostr(out, 41, &oid);
    return 0;
}

size_t order_count(const commit_order *o)
{
    return o ? o->count : 0;
}

void order_get_stats(order_stats *out, const commit_order *o)
{
    *out = o ? o->stats : (order_stats){0};
}
