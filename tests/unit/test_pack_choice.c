/* Which packs a server consolidation merges (storage/pack_choice.h): git's
 * geometric rule, factor 2, as a function of sizes alone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kenes/plugin.h"
#include "storage/pack_choice.h"

#define KIB 1024u
#define MAXN 600

/* merge for sizes (KiB, in the caller's order) into out as "1"/"0" by
 * index; at most max_merge_kib merged (0 no bound). */
static size_t choose_bounded(char *out, const uint64_t *kib, const int *force, size_t n,
                             uint64_t loose, size_t max_keep, uint64_t max_merge_kib)
{
    pack_weight w[MAXN];
    unsigned char merge[MAXN];
    size_t nmerge = 99;
    for (size_t i = 0; i < n; i++) {
        w[i].size = kib[i] * KIB;
        w[i].force = force ? force[i] : 0;
    }
    memset(merge, 7, sizeof(merge));
    assert_int_equal(pack_choose(&nmerge, merge, w, n, loose, max_keep, max_merge_kib * KIB), 0);
    size_t counted = 0;
    for (size_t i = 0; i < n; i++) {
        assert_true(merge[i] == 0 || merge[i] == 1);
        out[i] = merge[i] ? '1' : '0';
        counted += merge[i];
    }
    out[n] = '\0';
    assert_int_equal(counted, nmerge);
    return nmerge;
}

static size_t choose(char *out, const uint64_t *kib, const int *force, size_t n, uint64_t loose,
                     size_t max_keep)
{
    return choose_bounded(out, kib, force, n, loose, max_keep, 0);
}

/* The batches' small packs beside one large pack: only they are merged,
 * and the large pack's file stays. */
static void the_tail_beside_a_large_pack(void **state)
{
    (void)state;
    char out[MAXN + 1];
    const uint64_t sizes[] = {2, 1000, 2, 3, 2, 2};
    assert_int_equal(choose(out, sizes, NULL, 6, 0, 0), 5);
    assert_string_equal(out, "101111");
}

/* Packs already in a progression of factor 2 all stay, whatever their
 * number and order: nothing is rewritten. */
static void a_progression_stays(void **state)
{
    (void)state;
    char out[MAXN + 1];
    const uint64_t sizes[] = {64, 4, 1024, 16, 256};
    assert_int_equal(choose(out, sizes, NULL, 5, 0, 0), 0);
    assert_string_equal(out, "00000");
    const uint64_t pair[] = {10, 20}; /* exactly twice: still a progression */
    assert_int_equal(choose(out, pair, NULL, 2, 0, 0), 0);
    assert_string_equal(out, "00");
}

/* Levels: the tail merges, the kept packs above it stay while each is at
 * least twice the next; a level the new pack would break joins it. */
static void a_level_the_merge_would_break_joins(void **state)
{
    (void)state;
    char out[MAXN + 1];
    /* 1+1+1 = 3; 5 < 2*3 joins (total 8); 40 >= 16 stays; 400 stays. */
    const uint64_t sizes[] = {400, 1, 40, 1, 5, 1};
    assert_int_equal(choose(out, sizes, NULL, 6, 0, 0), 4);
    assert_string_equal(out, "010111");
    /* The tail reaches half the largest: everything is merged. */
    const uint64_t even[] = {100, 30, 30};
    assert_int_equal(choose(out, even, NULL, 3, 0, 0), 3);
    assert_string_equal(out, "111");
}

/* One pack alone is not rewritten; with loose objects beside it, only the
 * loose objects are packed unless the pack is below twice their weight. */
static void one_pack_and_loose_objects(void **state)
{
    (void)state;
    char out[MAXN + 1];
    const uint64_t one[] = {100};
    assert_int_equal(choose(out, one, NULL, 1, 0, 0), 0);
    assert_string_equal(out, "0");
    assert_int_equal(choose(out, one, NULL, 1, 4 * KIB, 0), 0); /* 100 >= 2*4: stays */
    assert_string_equal(out, "0");
    assert_int_equal(choose(out, one, NULL, 1, 60 * KIB, 0), 1); /* 100 < 2*60: joins */
    assert_string_equal(out, "1");
    size_t nmerge = 5;
    assert_int_equal(pack_choose(&nmerge, NULL, NULL, 0, 0, 0, 0), 0);
    assert_int_equal(nmerge, 0);
}

/* A pack indexed after a crash (it duplicates what it was merged from) is
 * merged whatever its size, and weighs in the merge. */
static void a_forced_pack_is_merged(void **state)
{
    (void)state;
    char out[MAXN + 1];
    const uint64_t sizes[] = {1000, 2, 3, 500};
    const int force[] = {0, 0, 0, 1};
    /* 2 and 3 merge with the forced 500 (total 505); 1000 < 1010 joins too. */
    assert_int_equal(choose(out, sizes, force, 4, 0, 0), 4);
    assert_string_equal(out, "1111");
    const int force_small[] = {0, 1, 0, 0};
    const uint64_t spread[] = {4000, 2, 1000, 100};
    assert_int_equal(choose(out, spread, force_small, 4, 0, 0), 0); /* one alone: not worth it */
    assert_string_equal(out, "0000");
}

/* At most max_keep packs stay: past that the smallest kept join, so the
 * count after a consolidation is bounded even by a perfect progression. */
static void max_keep_bounds_what_stays(void **state)
{
    (void)state;
    char out[MAXN + 1];
    const uint64_t sizes[] = {1, 2, 4, 8, 16, 32, 64, 128};
    assert_int_equal(choose(out, sizes, NULL, 8, 0, 0), 0);
    assert_int_equal(choose(out, sizes, NULL, 8, 0, 3), 5);
    assert_string_equal(out, "11111000");
    assert_int_equal(choose(out, sizes, NULL, 8, 0, 8), 0);
}

/* The bound: of what the geometry chose, the smallest packs up to
 * max_merge; the largest stay for a later consolidation. */
static void the_bound_leaves_the_largest(void **state)
{
    (void)state;
    char out[MAXN + 1];
    /* The tail reaches half the largest: the geometry merges all three. */
    const uint64_t even[] = {100, 30, 30};
    assert_int_equal(choose_bounded(out, even, NULL, 3, 0, 0, 64), 2);
    assert_string_equal(out, "011");
    /* Room for one pack only: one alone is not worth rewriting. */
    assert_int_equal(choose_bounded(out, even, NULL, 3, 0, 0, 50), 0);
    assert_string_equal(out, "000");
    /* Loose objects count in the bound (10 + 30 + 30 > 64): one pack fits,
     * and only the loose objects are packed. */
    assert_int_equal(choose_bounded(out, even, NULL, 3, 10 * KIB, 0, 64), 0);
    assert_string_equal(out, "000");
    /* A bound above what the geometry chose changes nothing. */
    assert_int_equal(choose_bounded(out, even, NULL, 3, 0, 0, 1000), 3);
    assert_string_equal(out, "111");
    const uint64_t levels[] = {400, 1, 40, 1, 5, 1};
    assert_int_equal(choose_bounded(out, levels, NULL, 6, 0, 0, 8), 4);
    assert_string_equal(out, "010111");
}

/* A forced pack neither counts in the bound nor waits for room. */
static void a_forced_pack_ignores_the_bound(void **state)
{
    (void)state;
    char out[MAXN + 1];
    const uint64_t sizes[] = {1000, 2, 3, 500};
    const int force[] = {0, 0, 0, 1};
    assert_int_equal(choose_bounded(out, sizes, force, 4, 0, 0, 10), 3);
    assert_string_equal(out, "0111");
}

/* Consolidations fell behind: hundreds of batch packs piled up beside the
 * few large packs of earlier merges.  Unbounded, the tail outweighs half
 * the largest and every pack is merged; bounded, the small ones are, and
 * the large ones stay. */
static void falling_behind_does_not_merge_everything(void **state)
{
    (void)state;
    static char out[MAXN + 1];
    static uint64_t sizes[503];
    for (size_t i = 0; i < 500; i++)
        sizes[i] = 20; /* 500 batches of 20 KiB: 10,000 KiB */
    sizes[500] = 20480;
    sizes[501] = 5120;
    sizes[502] = 10240;
    assert_int_equal(choose(out, sizes, NULL, 503, 0, 31), 503);
    /* 16 MiB: the batches and the 5 MiB pack (15,120 KiB) */
    assert_int_equal(choose_bounded(out, sizes, NULL, 503, 0, 31, 16384), 501);
    assert_int_equal(out[500], '0');
    assert_int_equal(out[501], '1');
    assert_int_equal(out[502], '0');
    for (size_t i = 0; i < 500; i++)
        assert_int_equal(out[i], '1');
    /* 8 MiB: 409 batches fit; 94 would stay, so the count (31 kept at
     * most) takes 63 more of the smallest; the large packs stay. */
    assert_int_equal(choose_bounded(out, sizes, NULL, 503, 0, 31, 8192), 472);
    assert_int_equal(out[500], '0');
    assert_int_equal(out[501], '0');
    assert_int_equal(out[502], '0');
}

/* After a bounded merge: its pack (13 MiB) just under the largest (18
 * MiB), the batches' packs beside them.  The rule is played among the
 * packs that fit, where the 13 MiB pack heads a progression: only the
 * batches are merged, not the 13 MiB again with each consolidation. */
static void a_bounded_merge_is_not_rewritten_each_time(void **state)
{
    (void)state;
    static char out[MAXN + 1];
    static uint64_t sizes[32];
    for (size_t i = 0; i < 30; i++)
        sizes[i] = 20;
    sizes[30] = 18 * 1024;
    sizes[31] = 13 * 1024;
    assert_int_equal(choose_bounded(out, sizes, NULL, 32, 0, 31, 16384), 30);
    assert_int_equal(out[30], '0');
    assert_int_equal(out[31], '0');
    /* Unbounded, the 18 MiB pack breaks the progression and all merge. */
    assert_int_equal(choose(out, sizes, NULL, 32, 0, 31), 32);
    /* A kept pack below twice the batches' joins them, as long as the
     * whole fits in the bound: 3,000 KiB of batches, 5 MiB < 6,000 KiB. */
    for (size_t i = 0; i < 30; i++)
        sizes[i] = 100;
    sizes[31] = 5 * 1024;
    assert_int_equal(choose_bounded(out, sizes, NULL, 32, 0, 31, 16384), 31);
    assert_int_equal(out[30], '0');
    assert_int_equal(out[31], '1');
}

/* The bound and the count disagree: the count wins, with the smallest. */
static void the_count_wins_over_the_bound(void **state)
{
    (void)state;
    char out[MAXN + 1];
    const uint64_t sizes[] = {100, 101, 102, 103};
    assert_int_equal(choose_bounded(out, sizes, NULL, 4, 0, 0, 150), 0);
    assert_int_equal(choose_bounded(out, sizes, NULL, 4, 0, 2, 150), 2);
    assert_string_equal(out, "1100");
}

/* Sizes near the top of uint64_t neither overflow nor wrap. */
static void huge_sizes(void **state)
{
    (void)state;
    pack_weight w[3] = {{UINT64_MAX, 0}, {UINT64_MAX / 2, 0}, {UINT64_MAX - 5, 1}};
    unsigned char merge[3];
    size_t nmerge = 0;
    assert_int_equal(pack_choose(&nmerge, merge, w, 3, UINT64_MAX, 0, 0), 0);
    assert_int_equal(nmerge, 3);
    assert_int_equal(pack_choose(&nmerge, merge, w, 3, 0, 0, UINT64_MAX), 0);
    assert_int_equal(nmerge, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_tail_beside_a_large_pack),
        cmocka_unit_test(a_progression_stays),
        cmocka_unit_test(a_level_the_merge_would_break_joins),
        cmocka_unit_test(one_pack_and_loose_objects),
        cmocka_unit_test(a_forced_pack_is_merged),
        cmocka_unit_test(max_keep_bounds_what_stays),
        cmocka_unit_test(the_bound_leaves_the_largest),
        cmocka_unit_test(a_forced_pack_ignores_the_bound),
        cmocka_unit_test(falling_behind_does_not_merge_everything),
        cmocka_unit_test(a_bounded_merge_is_not_rewritten_each_time),
        cmocka_unit_test(the_count_wins_over_the_bound),
        cmocka_unit_test(huge_sizes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
