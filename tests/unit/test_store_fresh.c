/* The writer looks nothing up before it writes (odb_nofresh.h): an object
 * already stored, in a pack or loose, is written again into the batch's
 * pack, and the file that held it is not touched (libgit2's freshen sets
 * the time of the file where it finds an object: a look-up shows there). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <utime.h>

#include <cmocka.h>

#include "fixture_files.h"
#include "kenes/plugin.h"
#include "storage/odb_nofresh.h"
#include "storage/store.h"
#include "store_fixture.h"

#define LONG_AGO 978307200 /* 2001-01-01T00:00:00Z */

typedef store_fixture fixture;

static void write_one(fixture *f, store_write *w, const char *path, const char *content, int i)
{
    store_fixture_edit(w, path, content, i);
    store_fixture_submit_all(f, w, 1);
    assert_int_equal(w->status, 0);
}

static void set_old(const char *path)
{
    struct utimbuf t = {LONG_AGO, LONG_AGO};
    assert_int_equal(utime(path, &t), 0);
}

static time_t mtime_of(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return st.st_mtime;
}

/* A blob in an earlier batch's pack and one git wrote loose, written again
 * by a batch: both files keep their (old) times, the batch's own pack
 * holds both blobs, and the repository is whole. */
static void test_write_looks_nothing_up(void **state)
{
    fixture *f = *state;
    char pack[512], loose[512], hex[STORE_OID_HEX], cmd[1024], out[256];
    store_write w1, w2, w3;
    write_one(f, &w1, "plan/KZ-10/2026.md", "packed body\n", 0);
    snprintf(cmd, sizeof(cmd), "ls '%s'/objects/pack/*.pack", f->gitdir);
    sh_first_line(pack, sizeof(pack), cmd);
    snprintf(cmd, sizeof(cmd), "printf 'loose body\\n' | git --git-dir='%s' hash-object -w --stdin",
             f->gitdir);
    sh_first_line(hex, sizeof(hex), cmd);
    snprintf(loose, sizeof(loose), "%s/objects/%.2s/%s", f->gitdir, hex, hex + 2);
    set_old(pack);
    set_old(loose);

    write_one(f, &w2, "plan/KZ-11/2026.md", "packed body\n", 1);
    write_one(f, &w3, "plan/KZ-12/2026.md", "loose body\n", 2);
    assert_int_equal(mtime_of(pack), LONG_AGO);
    assert_int_equal(mtime_of(loose), LONG_AGO);
    /* Each blob is in a pack besides the one (or the file) that held it. */
    snprintf(cmd, sizeof(cmd),
             "for i in '%s'/objects/pack/*.idx; do git show-index < \"$i\"; done | "
             "grep -c -e \" $(printf 'packed body\\n' | git hash-object --stdin) \" "
             "-e \" %s \"",
             f->gitdir, hex);
    sh_first_line(out, sizeof(out), cmd);
    assert_string_equal(out, "3"); /* packed: in 2 packs; loose: in 1 */
    git_out(f, out, sizeof(out), "show main:plan/KZ-12/2026.md");
    assert_string_equal(out, "loose body");
    git_out(f, out, sizeof(out), "show main~1:plan/KZ-10/2026.md");
    assert_string_equal(out, "packed body");
    assert_true(git_ok(f, "fsck --strict --no-progress"));
}

/* The batch's pack is seen by the next batch (the writer refreshes its list
 * of packs once a batch, never on a miss): a chain of batches each reading
 * the last one's commit and trees from its pack. */
static void test_next_batch_reads_the_last_pack(void **state)
{
    fixture *f = *state;
    char out[256];
    store_write w[4];
    write_one(f, &w[0], "a/one.md", "1\n", 0);
    write_one(f, &w[1], "a/two.md", "2\n", 1);
    write_one(f, &w[2], "a/one.md", "3\n", 2);
    write_one(f, &w[3], "b/three.md", "4\n", 3);
    git_out(f, out, sizeof(out), "count-objects -v | sed -n 's/^count: //p'");
    assert_string_equal(out, "0");
    git_out(f, out, sizeof(out), "ls-tree -r --name-only main | tr '\\n' ' '");
    assert_string_equal(out, "a/one.md a/two.md b/three.md ");
    git_out(f, out, sizeof(out), "rev-list --count main");
    assert_string_equal(out, "4");
    assert_true(git_ok(f, "fsck --strict --no-progress"));
}

/* git gc (or kenes gc, or a consolidation) replaces the packs between the
 * writer's refresh of its list and a read of its batch: the read looks at
 * objects/pack again and finds the object in the new pack.  (CI met it:
 * a write beside git gc answered "the change could not be saved".) */
static void test_read_after_the_packs_are_replaced(void **state)
{
    fixture *f = *state;
    char hex[STORE_OID_HEX], before[256], after[256];
    store_write w;
    write_one(f, &w, "plan/KZ-10/2026.md", "body\n", 0);
    git_odb *odb = NULL;
    git_odb_backend *mem = NULL, *packs = NULL;
    assert_int_equal(odb_nofresh_open(&odb, &mem, &packs, f->gitdir), 0);

    /* A loose object makes git's new pack differ from the old one. */
    git_out(f, before, sizeof(before), "count-objects -v | sed -n 's/^packs: //p'");
    assert_true(git_ok(f, "hash-object -w --stdin < /dev/null"));
    assert_true(git_ok(f, "repack -a -d -q"));
    git_out(f, after, sizeof(after), "count-objects -v | sed -n 's/^packs: //p'");
    assert_string_equal(before, "1");
    assert_string_equal(after, "1");

    git_oid id;
    git_odb_object *obj = NULL;
    git_out(f, hex, sizeof(hex), "rev-parse main");
    assert_int_equal(git_oid_fromstr(&id, hex), 0);
    assert_int_equal(git_odb_read(&obj, odb, &id), 0);
    assert_int_equal(git_odb_object_type(obj), GIT_OBJECT_COMMIT);
    git_odb_object_free(obj);
    git_out(f, hex, sizeof(hex), "rev-parse main^{tree}");
    assert_int_equal(git_oid_fromstr(&id, hex), 0);
    assert_true(git_odb_exists(odb, &id));
    /* What is stored nowhere is still not found, after one look. */
    assert_int_equal(git_oid_fromstr(&id, "0123456789abcdef0123456789abcdef01234567"), 0);
    assert_int_equal(git_odb_read(&obj, odb, &id), GIT_ENOTFOUND);
    git_odb_free(odb);
}

int main(void)
{
#define T(t) cmocka_unit_test_setup_teardown(t, store_fixture_setup_signed, store_fixture_teardown)
    const struct CMUnitTest tests[] = {
        T(test_write_looks_nothing_up),
        T(test_next_batch_reads_the_last_pack),
        T(test_read_after_the_packs_are_replaced),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
