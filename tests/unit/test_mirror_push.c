/* One push to a mirror (storage/mirror_push.h) against a real bare
 * repository, read back with the git command: the first push sends all of
 * main, the next nothing; a mirror whose main is not an ancestor of ours
 * is reported diverged and left as it is; a mirror that cannot be reached
 * fails, its lag counted from the main it last held; the batch hook of the
 * store says how many commits each batch made. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fixture_files.h"
#include "storage/mirror_push.h"
#include "store_fixture.h"

typedef struct env {
    store_fixture f;
    char mirror[160];
    char url[200];
    size_t batches, commits; /* what the batch hook heard */
} env;

static void on_batch(size_t commits, void *payload)
{
    env *e = payload;
    e->batches++;
    e->commits += commits;
}

static int setup(void **state)
{
    static env e;
    memset(&e, 0, sizeof(e));
    if (store_fixture_open(&e.f, "mirror", 0) < 0)
        return -1;
    snprintf(e.mirror, sizeof(e.mirror), "%s/mirror.git", e.f.dir);
    snprintf(e.url, sizeof(e.url), "file://%s", e.mirror);
    if (sh("git init -q --bare -b main %s", e.mirror) != 0 ||
        store_set_on_batch(e.f.s, on_batch, &e) < 0)
        return -1;
    *state = &e;
    return 0;
}

static int teardown(void **state)
{
    env *e = *state;
    store_fixture_close(&e->f);
    return 0;
}

static void commit(env *e, const char *path, const char *content)
{
    store_write w;
    memset(&w, 0, sizeof(w));
    w.path = path;
    w.content = content;
    w.content_len = strlen(content);
    w.author_name = "off11";
    w.author_email = "off11@users.kenes";
    w.message = "Create\n";
    assert_int_equal(store_commit_now(e->f.s, &w), 0);
}

static void head_of(char *out, size_t cap, const char *gitdir)
{
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "git --git-dir=%s rev-parse --verify -q refs/heads/main", gitdir);
    sh_first_line(out, cap, cmd);
}

static void run(mirror_job *j, env *e, const char *url, const char *known)
{
    memset(j, 0, sizeof(*j));
    j->gitdir = e->f.gitdir;
    j->url = url;
    snprintf(j->known, sizeof(j->known), "%.40s", known ? known : "");
    mirror_push_run(j);
}

static void pushes_main_then_nothing(void **state)
{
    env *e = *state;
    mirror_job j;
    char ours[64], theirs[64];
    /* Nothing committed yet: nothing to push, and no failure. */
    run(&j, e, e->url, NULL);
    assert_int_equal(j.outcome, MIRROR_PUSHED);
    commit(e, "a.md", "one\n");
    commit(e, "b.md", "two\n");
    assert_int_equal(e->batches, 2);
    assert_int_equal(e->commits, 2);
    run(&j, e, e->url, NULL);
    assert_int_equal(j.outcome, MIRROR_PUSHED);
    assert_int_equal(j.behind, 2);
    assert_true(j.oldest_ms > 0);
    head_of(ours, sizeof(ours), e->f.gitdir);
    head_of(theirs, sizeof(theirs), e->mirror);
    assert_string_equal(ours, theirs);
    assert_string_equal(j.pushed, ours);
    assert_int_equal(sh("git --git-dir=%s fsck --strict --no-progress >/dev/null", e->mirror), 0);
    run(&j, e, e->url, ours);
    assert_int_equal(j.outcome, MIRROR_PUSHED);
    assert_int_equal(j.behind, 0);
}

static void diverged_is_not_overwritten(void **state)
{
    env *e = *state;
    mirror_job j;
    char before[64], after[64];
    commit(e, "a.md", "one\n");
    run(&j, e, e->url, NULL);
    assert_int_equal(j.outcome, MIRROR_PUSHED);
    /* A commit on the mirror's main that kenes never made. */
    assert_int_equal(sh("cd %s && c=$(git --git-dir=. -c user.name=x -c user.email=x@x "
                        "commit-tree main^{tree} -p main -m stray) && "
                        "git --git-dir=. update-ref refs/heads/main $c", e->mirror), 0);
    head_of(before, sizeof(before), e->mirror);
    commit(e, "b.md", "two\n");
    run(&j, e, e->url, NULL);
    assert_int_equal(j.outcome, MIRROR_FOUND_DIVERGED);
    assert_non_null(strstr(j.msg, "not an ancestor of ours"));
    assert_string_equal(j.theirs, before);
    head_of(after, sizeof(after), e->mirror);
    assert_string_equal(after, before);
}

static void unreachable_counts_from_known(void **state)
{
    env *e = *state;
    mirror_job j;
    char url[256], first[64];
    commit(e, "a.md", "one\n");
    head_of(first, sizeof(first), e->f.gitdir);
    commit(e, "b.md", "two\n");
    commit(e, "c.md", "three\n");
    snprintf(url, sizeof(url), "file://%s/nowhere.git", e->f.dir);
    run(&j, e, url, first);
    assert_int_equal(j.outcome, MIRROR_FAILED);
    assert_non_null(strstr(j.msg, "cannot reach the mirror"));
    assert_int_equal(j.behind, 2);
    run(&j, e, url, NULL); /* never reached: all of main */
    assert_int_equal(j.behind, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(pushes_main_then_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(diverged_is_not_overwritten, setup, teardown),
        cmocka_unit_test_setup_teardown(unreachable_counts_from_known, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
