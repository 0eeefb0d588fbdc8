/* The server's consolidation merges at most storage.max_merge_mib of packs
 * (store_set_max_merge, pack_choice.h): the packs beyond the bound keep
 * their files, unless more than max_packs - 1 would stay (the count wins). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <unistd.h>

#include "fixture_files.h"
#include "kenes/plugin.h"
#include "storage/store_internal.h"
#include "store_fixture.h"

#define T0 1770458400000LL /* 2026-02-07T10:00:00Z */
/* A file zlib cannot shrink, bigger than the 1 MiB bound once packed. */
#define BIG (1536 * 1024)

typedef store_fixture fixture;

/* The writer's answer: counted in the int payload points to. */
static void answered(store_write *w, void *payload)
{
    (void)w;
    ++*(int *)payload;
}

/* One write as its own batch (its own pack); waits for the writer and for
 * a consolidation it started (store_idle). */
static void write_one(fixture *f, const char *path, const char *content, int i)
{
    store_write w = {.path = path,
                     .content = content,
                     .content_len = strlen(content),
                     .author_name = "Әлия Серікова",
                     .author_email = "aliya@users.kenes",
                     .message = "Edit\n\nKenes-Action: edit\n",
                     .time_ms = T0 + (int64_t)i * 1000};
    int calls = 0;
    assert_int_equal(store_submit(f->s, &w, answered, &calls), 0);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(calls, 1);
    assert_int_equal(w.status, 0);
    assert_true(store_idle(f->s));
}

/* Bytes 1..255 from xorshift: no NUL (the content is a C string), no
 * pattern for zlib. */
static char *noise(uint32_t seed)
{
    char *s = malloc(BIG + 1);
    assert_non_null(s);
    for (int i = 0; i < BIG; i++) {
        seed ^= seed << 13, seed ^= seed >> 17, seed ^= seed << 5;
        s[i] = (char)(1 + seed % 255);
    }
    s[BIG] = '\0';
    return s;
}

static long packs(fixture *f)
{
    char out[64];
    git_out(f, out, sizeof(out), "count-objects -v | sed -n 's/^packs: //p'");
    return atol(out);
}

/* The names of the packs now, one per line, sorted, into out. */
static void pack_names(fixture *f, char *out, size_t cap)
{
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "ls '%s/objects/pack' | sed -n 's/\\.pack$//p' | sort | tr '\\n' ' '",
             f->gitdir);
    sh_first_line(out, cap, cmd);
}

/* Two large packs and the batches' small ones: the rule alone merges all
 * of them (the larger is not twice the other); bounded at 1 MiB, only the
 * small ones are merged and both large packs stay as they are. */
static void test_bound_keeps_the_large_packs(void **state)
{
    fixture *f = *state;
    char *a = noise(2463534242u), *b = noise(88675123u);
    char large[512], after[512];
    assert_int_equal(store_set_max_packs(f->s, 0), 0); /* none while they are written */
    write_one(f, "a.bin", a, 0);
    write_one(f, "b.bin", b, 1);
    pack_names(f, large, sizeof(large));
    assert_int_equal(packs(f), 2);
    assert_int_equal(store_set_max_merge(f->s, 1), 0);
    assert_int_equal(store_set_max_packs(f->s, 4), 0);
    for (int i = 0; i < 3; i++)
        write_one(f, i % 2 ? "x.md" : "y.md", i % 2 ? "x\n" : "y\n", 2 + i);
    /* 5 packs > 4: the three small ones merged into one */
    assert_int_equal(f->s->pack_rc, 0);
    assert_int_equal(f->s->pack_stats.packs_merged, 3);
    assert_int_equal(packs(f), 3);
    pack_names(f, after, sizeof(after));
    char *one = strtok(large, " "), *two = strtok(NULL, " ");
    assert_non_null(two);
    assert_non_null(strstr(after, one));
    assert_non_null(strstr(after, two));
    assert_true(git_ok(f, "fsck --strict --no-progress"));
    free(a);
    free(b);
}

/* max_packs 2: at most one pack may stay, so the smaller large pack joins
 * the merge beyond the bound (the count wins); the larger stays. */
static void test_count_wins_over_the_bound(void **state)
{
    fixture *f = *state;
    char *a = noise(2463534242u), *b = noise(88675123u);
    assert_int_equal(store_set_max_packs(f->s, 0), 0);
    write_one(f, "a.bin", a, 0);
    write_one(f, "b.bin", b, 1);
    assert_int_equal(store_set_max_merge(f->s, 1), 0);
    assert_int_equal(store_set_max_packs(f->s, 2), 0);
    write_one(f, "x.md", "x\n", 2); /* 3 packs > 2 */
    assert_int_equal(f->s->pack_rc, 0);
    assert_int_equal(f->s->pack_stats.packs_merged, 2);
    assert_int_equal(packs(f), 2);
    assert_true(git_ok(f, "fsck --strict --no-progress"));
    free(a);
    free(b);
}

/* Beyond STORE_MAX_MERGE_MIB_MAX the bound is refused, and so while busy. */
static void test_set_max_merge(void **state)
{
    fixture *f = *state;
    assert_int_equal(store_set_max_merge(f->s, STORE_MAX_MERGE_MIB_MAX + 1), KENES_EINVAL);
    assert_int_equal(f->s->max_merge_mib, STORE_MAX_MERGE_MIB_DEFAULT);
    assert_int_equal(store_set_max_merge(NULL, 1), KENES_EINVAL);
    assert_int_equal(store_set_max_merge(f->s, 0), 0); /* no bound */
}

#define T(t) cmocka_unit_test_setup_teardown(t, store_fixture_setup, store_fixture_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_bound_keeps_the_large_packs),
        T(test_count_wins_over_the_bound),
        T(test_set_max_merge),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
