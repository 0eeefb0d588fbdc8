/* The order of recorded commits (storage/order.h): what an execution
 * report asks about its plan's versions, without git (index_commit_before,
 * test_before.c). */
#include <malloc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kenes/plugin.h"
#include "storage/index.h"
#include "storage/order.h"

static void hex(char out[41], unsigned n)
{
    /* Commits whose first bytes agree, so probes collide in the table. */
    snprintf(out, 41, "00000000%032x", n);
}

static void order_is_per_repository(void **state)
{
    (void)state;
    commit_order *o = NULL;
    assert_int_equal(order_new(&o), 0);
    char a[41], b[41], c[41];
    hex(a, 1), hex(b, 2), hex(c, 3);
    assert_int_equal(order_note(o, 0, a), 0);
    assert_int_equal(order_note(o, 1, c), 0);
    assert_int_equal(order_note(o, 0, b), 0);
    assert_int_equal(order_before(o, a, b), 1);
    assert_int_equal(order_before(o, b, a), 0);
    assert_int_equal(order_before(o, a, a), 0);
    /* Two repositories' histories are not one line. */
    assert_int_equal(order_before(o, a, c), 0);
    assert_int_equal(order_before(o, c, b), 0);
    /* Noted again: it keeps its first place. */
    assert_int_equal(order_note(o, 0, a), 0);
    assert_int_equal(order_before(o, a, b), 1);
    assert_int_equal(order_count(o), 3);
    order_free(o);
}

static void unknown_and_bad_ids_are_not_before(void **state)
{
    (void)state;
    commit_order *o = NULL;
    assert_int_equal(order_new(&o), 0);
    char a[41], b[41];
    hex(a, 1), hex(b, 2);
    assert_int_equal(order_before(o, a, b), 0); /* an empty table */
    assert_int_equal(order_note(o, 0, a), 0);
    assert_int_equal(order_before(o, a, b), 0);
    assert_int_equal(order_before(o, a, NULL), 0);
    assert_int_equal(order_before(o, "xyz", a), 0);
    assert_int_equal(order_note(o, 0, "not a commit"), KENES_EINVAL);
    assert_int_equal(order_note(o, 0, NULL), KENES_EINVAL);
    assert_int_equal(order_note(o, 2, b), KENES_EINVAL);
    assert_int_equal(order_count(o), 1);
    order_free(o);
    order_free(NULL);
}

static void the_table_grows_and_keeps_every_place(void **state)
{
    (void)state;
    commit_order *o = NULL;
    assert_int_equal(order_new(&o), 0);
    char x[41], y[41];
    for (unsigned i = 1; i <= 5000; i++) {
        hex(x, i);
        assert_int_equal(order_note(o, (int)(i & 1), x), 0);
    }
    assert_int_equal(order_count(o), 5000);
    for (unsigned i = 3; i <= 5000; i += 97) {
        hex(x, i - 2), hex(y, i);
        assert_int_equal(order_before(o, x, y), 1);
        assert_int_equal(order_before(o, y, x), 0);
    }
    order_free(o);
}

/* A fixed sequence (splitmix64), so that a failure can be run again. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* 20 random bytes as a commit's 40 hex digits, as git's object ids are. */
static void random_commit(char out[41], uint64_t *state)
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 40; i += 16) {
        uint64_t r = next_random(state);
        for (int j = i; j < i + 16 && j < 40; j++, r >>= 4)
            out[j] = digits[r & 15];
    }
    out[40] = '\0';
}

enum { MILLION = 1000000, CHECKPOINT = 100000 };

static void a_million_commits_keep_their_places_compactly(void **state)
{
    (void)state;
    char (*ids)[41] = malloc((size_t)MILLION * sizeof(*ids));
    unsigned char *repos = malloc(MILLION);
    assert_non_null(ids);
    assert_non_null(repos);
    uint64_t seed = 16;
    for (size_t i = 0; i < MILLION; i++) {
        random_commit(ids[i], &seed);
        repos[i] = (unsigned char)(next_random(&seed) % 3 == 0); /* a third in cases */
    }
    struct mallinfo2 before = mallinfo2();
    commit_order *o = NULL;
    assert_int_equal(order_new(&o), 0);
    order_stats st;
    for (size_t i = 0; i < MILLION; i++) {
        assert_int_equal(order_note(o, repos[i], ids[i]), 0);
        if ((i + 1) % CHECKPOINT == 0) {
            /* No step larger than 1/64 of the table, at any size past the
             * first blocks. */
            order_get_stats(&st, o);
            assert_true(st.largest * 64 <= st.bytes);
        }
    }
    struct mallinfo2 after = mallinfo2();
    assert_int_equal(order_count(o), MILLION);
    order_get_stats(&st, o);
    double own = (double)st.bytes / MILLION;
    double heap = (double)(after.uordblks - before.uordblks) / MILLION;
    printf("commit order: %d commits, %.2f bytes a commit counted by the table, "
           "%.2f by mallinfo2 (0 under ASan), largest allocation %zu of %zu bytes\n",
           MILLION, own, heap, st.largest, st.bytes);
    assert_true(own <= 32.0);
#ifndef __SANITIZE_ADDRESS__
    assert_true(heap <= 32.0);
#endif
    assert_true(st.largest * 64 <= st.bytes);

    /* Every commit after the previous one of its repository, never before
     * it; and none across repositories. */
    size_t last[2] = {SIZE_MAX, SIZE_MAX};
    for (size_t i = 0; i < MILLION; i++) {
        size_t p = last[repos[i]], q = last[!repos[i]];
        if (p != SIZE_MAX) {
            assert_int_equal(order_before(o, ids[p], ids[i]), 1);
            assert_int_equal(order_before(o, ids[i], ids[p]), 0);
        }
        if (q != SIZE_MAX)
            assert_int_equal(order_before(o, ids[q], ids[i]), 0);
        last[repos[i]] = i;
    }
    /* Far apart as well: the order is the whole line's, not neighbours'. */
    for (size_t k = 0; k < 100000; k++) {
        size_t i = next_random(&seed) % MILLION, j = next_random(&seed) % MILLION;
        int want = repos[i] == repos[j] && i < j;
        assert_int_equal(order_before(o, ids[i], ids[j]), want);
    }
    /* Ids never noted, the first 19 bytes of a noted one among them. */
    char unknown[41];
    for (size_t k = 0; k < 100000; k++) {
        size_t i = next_random(&seed) % MILLION;
        if (k % 2) {
            random_commit(unknown, &seed);
        } else {
            memcpy(unknown, ids[i], 41);
            unknown[39] = unknown[39] == '0' ? '1' : '0';
        }
        assert_int_equal(order_before(o, unknown, ids[i]), 0);
        assert_int_equal(order_before(o, ids[i], unknown), 0);
    }
    /* Noted again, in either repository: nothing moves, nothing is added. */
    for (size_t i = 0; i < 1000; i++)
        assert_int_equal(order_note(o, (int)(i & 1), ids[i * 997]), 0);
    assert_int_equal(order_count(o), MILLION);
    order_stats again;
    order_get_stats(&again, o);
    assert_int_equal(again.bytes, st.bytes);
    assert_int_equal(order_before(o, ids[0], ids[MILLION - 1]),
                     repos[0] == repos[MILLION - 1]);
    order_free(o);
    free(ids);
    free(repos);
}

static void a_repository_past_its_limit_is_refused(void **state)
{
    (void)state;
    commit_order *o = NULL;
    assert_int_equal(order_new_limited(&o, 0), KENES_EINVAL);
    assert_int_equal(order_new_limited(&o, 0x80000000u), KENES_EINVAL);
    assert_int_equal(order_new_limited(&o, 3), 0);
    char x[4][41], y[41];
    for (unsigned i = 0; i < 4; i++)
        hex(x[i], 100 + i);
    hex(y, 200);
    for (unsigned i = 0; i < 3; i++)
        assert_int_equal(order_note(o, 0, x[i]), 0);
    order_stats full, after;
    order_get_stats(&full, o);
    /* A fourth place would not fit: refused, not wrapped, nothing written. */
    assert_int_equal(order_note(o, 0, x[3]), KENES_ENOMEM);
    order_get_stats(&after, o);
    assert_int_equal(after.bytes, full.bytes);
    assert_int_equal(order_count(o), 3);
    assert_int_equal(order_before(o, x[2], x[3]), 0);
    assert_int_equal(order_before(o, x[3], x[0]), 0);
    assert_int_equal(order_before(o, x[0], x[2]), 1);
    /* One already noted is still no error; the other repository has room. */
    assert_int_equal(order_note(o, 0, x[1]), 0);
    assert_int_equal(order_note(o, 1, y), 0);
    assert_int_equal(order_count(o), 4);
    order_free(o);
    order_get_stats(&after, NULL);
    assert_int_equal(after.bytes, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(order_is_per_repository),
        cmocka_unit_test(unknown_and_bad_ids_are_not_before),
        cmocka_unit_test(the_table_grows_and_keeps_every_place),
        cmocka_unit_test(a_million_commits_keep_their_places_compactly),
        cmocka_unit_test(a_repository_past_its_limit_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
