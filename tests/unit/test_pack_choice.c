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
#define MAXN 64

/* merge for sizes (KiB, in the caller's order) into out as "1"/"0" by index. */
static size_t choose(char *out, const uint64_t *kib, const int *force, size_t n, uint64_t loose,
                     size_t max_keep)
{
    pack_weight w[MAXN];
    unsigned char merge[MAXN];
    size_t nmerge = 99;
    for (size_t i = 0; i < n; i++) {
        w[i].size = kib[i] * KIB;
        w[i].force = force ? force[i] : 0;
    }
    memset(merge, 7, sizeof(merge));
    assert_int_equal(pack_choose(&nmerge, merge, w, n, loose, max_keep), 0);
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
    assert_int_equal(pack_choose(&nmerge, NULL, NULL, 0, 0, 0), 0);
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

/* Sizes near the top of uint64_t neither overflow nor wrap. */
static void huge_sizes(void **state)
{
    (void)state;
    pack_weight w[3] = {{UINT64_MAX, 0}, {UINT64_MAX / 2, 0}, {UINT64_MAX - 5, 1}};
    unsigned char merge[3];
    size_t nmerge = 0;
    assert_int_equal(pack_choose(&nmerge, merge, w, 3, UINT64_MAX, 0), 0);
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
        cmocka_unit_test(huge_sizes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
