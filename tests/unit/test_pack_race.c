/* Writes and consolidations at the same time, many times over (issue 16:
 * the soaks' heap corruption at a consolidation's end).  Each round
 * submits a batch while a consolidation of the same repository runs, on
 * the thread pool (the store with no program of its own) and in a process
 * of its own (`kenes pack-child`, as the server runs them); rounds are
 * counted, never timed.  Run under ASan+UBSan by the sanitizer build.
 * KENES_TEST_FILE_LIMIT=N sets libgit2's open pack limit the server once
 * set (128): with a small one the pool's rounds are the old race (a heap
 * corruption within a few runs: BENCHMARKS.md).  KENES_TEST_OVERLAPS=N asks
 * for N rounds beside a consolidation instead of OVERLAPS, and
 * KENES_TEST_MAX_PACKS=N consolidates past N packs instead of 3 (past the
 * server's old limit of 128, the piles of the soaks). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <git2.h>

#include "kenes/plugin.h"
#include "storage/store_internal.h"
#include "store_fixture.h"

#define PER_ROUND 4
#define OVERLAPS 100    /* rounds whose batch ran beside a consolidation */
#define MAX_ROUNDS 4000 /* a bound on rounds, not on time */

typedef struct round_state {
    int answered;
    int failed;
} round_state;

static void on_write(store_write *w, void *payload)
{
    round_state *r = payload;
    r->answered++;
    if (w->status != 0) {
        r->failed++;
        print_error("write failed: %s\n", w->errmsg);
    }
}

static void limits(void)
{
    /* As the server starts: libgit2's caches at limits.git_cache_mib's 32. */
    assert_int_equal(store_git_limits(32), 0);
    const char *lim = getenv("KENES_TEST_FILE_LIMIT");
    if (lim && *lim)
        assert_int_equal(git_libgit2_opts(GIT_OPT_SET_MWINDOW_FILE_LIMIT, (size_t)atol(lim)), 0);
}

/* Rounds of PER_ROUND writes to distinct files (new objects each), each
 * round submitted at once and run out on the loop, until OVERLAPS of them
 * found a consolidation running as their batch started. */
static void rounds_beside_consolidations(store_fixture *f)
{
    static char bodies[MAX_ROUNDS][PER_ROUND][48];
    static char paths[MAX_ROUNDS][PER_ROUND][48];
    store_write ws[PER_ROUND];
    round_state r = {0};
    int overlaps = 0, round = 0, writes = 0, want = OVERLAPS;
    const char *n = getenv("KENES_TEST_OVERLAPS");
    if (n && atoi(n) > 0)
        want = atoi(n);
    const char *mp = getenv("KENES_TEST_MAX_PACKS");
    limits();
    assert_int_equal(store_set_max_packs(f->s, mp && atoi(mp) > 0 ? (size_t)atoi(mp) : 3), 0);
    for (; round < MAX_ROUNDS && overlaps < want; round++) {
        for (int i = 0; i < PER_ROUND; i++) {
            snprintf(paths[round][i], sizeof(paths[round][i]), "plan/KZ-%02d/%d.md", i + 10,
                     2026 + round % 5);
            snprintf(bodies[round][i], sizeof(bodies[round][i]), "round %d, file %d\n", round, i);
            store_fixture_edit(&ws[i], paths[round][i], bodies[round][i], writes++);
        }
        int before = r.answered;
        overlaps += f->s->consolidating; /* the batch below runs beside it */
        for (int i = 0; i < PER_ROUND; i++)
            assert_int_equal(store_submit(f->s, &ws[i], on_write, &r), 0);
        /* The round's writes answered; a consolidation may go on running
         * into the next round. */
        while (r.answered < before + PER_ROUND)
            uv_run(&f->loop, UV_RUN_ONCE);
        assert_int_equal(r.failed, 0);
    }
    uv_run(&f->loop, UV_RUN_DEFAULT); /* the last consolidation ends */
    print_message("%d rounds, %d writes, %zu consolidations, %d rounds beside one\n", round,
                  writes, f->s->pack_attempts, overlaps);
    assert_int_equal(overlaps, want);
    assert_true(store_idle(f->s));
    char out[64], count[16];
    git_out(f, out, sizeof(out), "rev-list --count main");
    snprintf(count, sizeof(count), "%d", writes);
    assert_string_equal(out, count);
    assert_true(git_ok(f, "fsck --strict --no-progress"));
}

/* On the thread pool: the consolidation's libgit2 beside the writer's. */
static void test_pool_consolidations_beside_writes(void **state)
{
    assert_int_equal(store_pack_exec(NULL), 0);
    rounds_beside_consolidations(*state);
}

/* In a process of its own, as the server runs them. */
static void test_child_consolidations_beside_writes(void **state)
{
    assert_int_equal(store_pack_exec(KENES_BIN), 0);
    rounds_beside_consolidations(*state);
    assert_int_equal(store_pack_exec(NULL), 0);
}

/* A consolidation whose process fails (exe) is a consolidation that
 * failed, as one that could not write (logged, backed off; why says so in
 * the store's message), and writes go on. */
static void child_fails(store_fixture *f, const char *exe, const char *why)
{
    round_state r = {0};
    static char bodies[12][32];
    assert_int_equal(store_pack_exec(exe), 0);
    assert_int_equal(store_set_max_packs(f->s, 2), 0);
    for (int i = 0; i < 12; i++) {
        store_write w;
        snprintf(bodies[i], sizeof(bodies[i]), "version %d\n", i);
        store_fixture_edit(&w, "plan/KZ-11/2026.md", bodies[i], i);
        assert_int_equal(store_submit(f->s, &w, on_write, &r), 0);
        uv_run(&f->loop, UV_RUN_DEFAULT);
    }
    assert_int_equal(r.answered, 12);
    assert_int_equal(r.failed, 0);
    /* Past the limit from the 3rd batch: tries after batches 3 and 12. */
    assert_int_equal(f->s->pack_attempts, 2);
    assert_int_equal(f->s->pack_rc, KENES_EIO);
    assert_non_null(strstr(f->s->pack_msg, why));
    assert_int_equal(store_pack_exec(NULL), 0);
    assert_true(git_ok(f, "fsck --strict --no-progress"));
}

/* A program that is not there. */
static void test_child_that_cannot_start(void **state)
{
    child_fails(*state, "/nonexistent/kenes", "cannot start the consolidation's process");
}

/* A program that ends without the outcome line. */
static void test_child_without_outcome(void **state)
{
    child_fails(*state, "/bin/false", "ended with status 1 and no outcome");
}

/* The store closing while a consolidation's process runs: the process is
 * stopped (SIGTERM), not waited for, and the store goes (the loop empties:
 * a process left running would keep it). */
static void test_close_stops_the_child(void **state)
{
    store_fixture *f = *state;
    char script[192];
    static char bodies[64][32];
    round_state r = {0};
    snprintf(script, sizeof(script), "%s/slow-child", f->dir);
    FILE *fp = fopen(script, "w");
    assert_non_null(fp);
    fputs("#!/bin/sh\nexec sleep 600\n", fp);
    assert_int_equal(fclose(fp), 0);
    assert_int_equal(chmod(script, 0700), 0);
    assert_int_equal(store_pack_exec(script), 0);
    assert_int_equal(store_set_max_packs(f->s, 1), 0);
    for (int i = 0; i < 64 && !f->s->consolidating; i++) {
        store_write w;
        snprintf(bodies[i], sizeof(bodies[i]), "version %d\n", i);
        store_fixture_edit(&w, "plan/KZ-11/2026.md", bodies[i], i);
        assert_int_equal(store_submit(f->s, &w, on_write, &r), 0);
        while (r.answered < i + 1)
            uv_run(&f->loop, UV_RUN_ONCE);
    }
    assert_true(f->s->consolidating);
    assert_int_equal(r.failed, 0);
    store_close(f->s);
    f->s = NULL;
    uv_run(&f->loop, UV_RUN_DEFAULT); /* returns once the process ended and s went */
    assert_int_equal(store_pack_exec(NULL), 0);
}

int main(void)
{
    const char *only = getenv("KENES_TEST_ONLY"); /* one test alone, by name */
    if (only && *only)
        cmocka_set_test_filter(only);
#define T(t) cmocka_unit_test_setup_teardown(t, store_fixture_setup_signed, store_fixture_teardown)
    const struct CMUnitTest tests[] = {
        T(test_pool_consolidations_beside_writes),
        T(test_child_consolidations_beside_writes),
        T(test_child_that_cannot_start),
        T(test_child_without_outcome),
        T(test_close_stops_the_child),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
