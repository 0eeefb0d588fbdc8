/* The store: one commit per write, in order, on a repository git itself accepts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/resource.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <git2.h>
#include <unistd.h>

#include "fixture_files.h"
#include "kenes/plugin.h"
#include "store_fixture.h"
#include "base/util.h"

#define T0 1770458400000LL /* 2026-02-07T10:00:00Z */

typedef store_fixture fixture;

/* ---- helpers ---- */

typedef struct done_log {
    int calls;
    int order[64]; /* write indices in callback order */
} done_log;

static void on_write(store_write *w, void *payload)
{
    done_log *log = payload;
    /* The write's index travels in time_ms's last digits; see make_write(). */
    log->order[log->calls++] = (int)((w->time_ms - T0) / 1000);
}

static void make_write(store_write *w, const char *path, const char *content, const char *author,
                       const char *message, int i)
{
    memset(w, 0, sizeof(*w));
    w->path = path;
    w->content = content;
    w->content_len = content ? strlen(content) : 0;
    w->author_name = author;
    w->author_email = "user@example.kz";
    w->message = message;
    w->time_ms = T0 + (int64_t)i * 1000;
}

/* Submit one write and run the loop until its callback has fired. */
static int write_now(fixture *f, const char *path, const char *content, const char *message,
                     int i, char commit[STORE_OID_HEX])
{
    store_write w;
    done_log log = {0};
    make_write(&w, path, content, "Әлия Серікова", message, i);
    assert_int_equal(store_submit(f->s, &w, on_write, &log), 0);
    assert_false(store_idle(f->s));
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(log.calls, 1);
    assert_true(store_idle(f->s));
    if (w.status == 0) {
        assert_int_equal(strlen(w.commit), 40);
        if (commit)
            strcpy(commit, w.commit);
    } else {
        assert_true(w.errmsg[0] != '\0');
    }
    return w.status;
}

static git_repository *open_git(fixture *f)
{
    git_repository *repo = NULL;
    assert_int_equal(git_repository_open_bare(&repo, f->gitdir), 0);
    return repo;
}

static git_commit *lookup(git_repository *repo, const char *hex)
{
    git_oid id;
    git_commit *c = NULL;
    assert_int_equal(git_oid_fromstr(&id, hex), 0);
    assert_int_equal(git_commit_lookup(&c, repo, &id), 0);
    return c;
}

static void assert_fsck(fixture *f)
{
    assert_true(git_ok(f, "fsck --strict --no-progress"));
}

/* ---- tests ---- */

static void test_init_repo(void **state)
{
    fixture *f = *state;
    git_repository *repo = open_git(f);
    git_reference *head;
    assert_true(git_repository_is_bare(repo));
    assert_int_equal(git_reference_lookup(&head, repo, "HEAD"), 0);
    assert_int_equal(git_reference_type(head), GIT_REFERENCE_SYMBOLIC);
    assert_string_equal(git_reference_symbolic_target(head), "refs/heads/main");
    git_reference_free(head);
    git_repository_free(repo);

    char hex[STORE_OID_HEX] = "x";
    size_t n = 99;
    assert_int_equal(store_head(f->s, hex), 0);
    assert_string_equal(hex, "");
    assert_int_equal(store_count(f->s, &n), 0);
    assert_int_equal(n, 0);
    assert_true(store_idle(f->s));
    /* An existing repository is not initialised twice. */
    assert_int_equal(store_init_repo(f->gitdir), KENES_EEXISTS);

    store *other;
    char missing[160];
    snprintf(missing, sizeof(missing), "%s/nope.git", f->dir);
    assert_int_equal(store_open(&other, &f->loop, missing, "k", "k@x"), KENES_ENOTFOUND);
    assert_null(other);
    store_close(NULL);
}

static const char *const msg_approve = "Approve regional plan KZ-11 2026\n"
                                       "\n"
                                       "Kenes-Document: plan/KZ-11/2026\n"
                                       "Kenes-Action: approve\n"
                                       "Kenes-Stage: ministry-review -> approved\n"
                                       "Kenes-Role: ministry-reviewer\n";

static void test_commits_chain_authors_messages(void **state)
{
    fixture *f = *state;
    char c1[STORE_OID_HEX], c2[STORE_OID_HEX], c3[STORE_OID_HEX];
    assert_int_equal(write_now(f, "plan/KZ-11/2026.md", "v1\n", "Create\n", 1, c1), 0);
    assert_int_equal(write_now(f, "plan/KZ-11/2026.md", "v2\n", "Edit\n", 2, c2), 0);
    assert_int_equal(write_now(f, "plan/KZ-11/2026.md", "v3\n", msg_approve, 3, c3), 0);
    assert_string_not_equal(c1, c2);
    assert_string_not_equal(c2, c3);

    git_repository *repo = open_git(f);
    git_commit *k1 = lookup(repo, c1), *k2 = lookup(repo, c2), *k3 = lookup(repo, c3);
    assert_int_equal(git_commit_parentcount(k1), 0);
    assert_int_equal(git_commit_parentcount(k2), 1);
    assert_int_equal(git_commit_parentcount(k3), 1);
    assert_true(git_oid_equal(git_commit_parent_id(k2, 0), git_commit_id(k1)));
    assert_true(git_oid_equal(git_commit_parent_id(k3, 0), git_commit_id(k2)));

    /* Author is the acting user, committer the server, both at the write's time. */
    const git_signature *a = git_commit_author(k3), *c = git_commit_committer(k3);
    assert_string_equal(a->name, "Әлия Серікова");
    assert_string_equal(a->email, "user@example.kz");
    assert_string_equal(c->name, "kenes");
    assert_string_equal(c->email, "kenes@localhost");
    assert_int_equal(a->when.time, T0 / 1000 + 3);
    assert_int_equal(c->when.time, T0 / 1000 + 3);
    assert_string_equal(git_commit_message(k3), msg_approve);

    git_message_trailer_array tr;
    assert_int_equal(git_message_trailers(&tr, git_commit_message(k3)), 0);
    assert_int_equal(tr.count, 4);
    assert_string_equal(tr.trailers[0].key, "Kenes-Document");
    assert_string_equal(tr.trailers[0].value, "plan/KZ-11/2026");
    assert_string_equal(tr.trailers[2].key, "Kenes-Stage");
    assert_string_equal(tr.trailers[2].value, "ministry-review -> approved");
    git_message_trailer_array_free(&tr);

    git_commit_free(k1);
    git_commit_free(k2);
    git_commit_free(k3);
    git_repository_free(repo);

    char head[STORE_OID_HEX];
    size_t n;
    assert_int_equal(store_head(f->s, head), 0);
    assert_string_equal(head, c3);
    assert_int_equal(store_count(f->s, &n), 0);
    assert_int_equal(n, 3);

    /* The git CLI agrees: HEAD is main, and the trailer reads back. */
    char out[256];
    git_out(f, out, sizeof(out), "rev-parse HEAD");
    assert_string_equal(out, c3);
    git_out(f, out, sizeof(out), "log -1 '--format=%(trailers:key=Kenes-Document,valueonly)'");
    assert_string_equal(out, "plan/KZ-11/2026");
    assert_fsck(f);
}

static void test_nested_paths_and_delete(void **state)
{
    fixture *f = *state;
    char c1[STORE_OID_HEX], c2[STORE_OID_HEX], c3[STORE_OID_HEX];
    const char *plan = "---\nid: plan/KZ-11/2026\ntitle: План\n---\n# Тело\n";
    assert_int_equal(write_now(f, "plan/KZ-11/2026.md", plan, "Create plan\n", 1, c1), 0);
    assert_int_equal(write_now(f, "roster/KZ-11/2026-02.md", "r\n", "Create roster\n", 2, c2),
                     0);
    assert_int_equal(write_now(f, "plan/KZ-11/2026.md", NULL, "Delete plan\n", 3, c3), 0);

    char *buf;
    size_t len;
    assert_int_equal(store_read_at(f->s, &buf, &len, c2, "plan/KZ-11/2026.md"), 0);
    assert_int_equal(len, strlen(plan));
    assert_memory_equal(buf, plan, len);
    free(buf);
    assert_int_equal(store_read_at(f->s, &buf, &len, c3, "roster/KZ-11/2026-02.md"), 0);
    assert_string_equal(buf, "r\n");
    free(buf);
    assert_int_equal(store_read_at(f->s, &buf, &len, c3, "plan/KZ-11/2026.md"), KENES_ENOTFOUND);
    assert_null(buf);
    /* A folder is not a file. */
    assert_int_equal(store_read_at(f->s, &buf, &len, c2, "plan/KZ-11"), KENES_ENOTFOUND);

    /* The nested trees are real trees, and emptied ones disappear. */
    git_repository *repo = open_git(f);
    git_commit *k2 = lookup(repo, c2), *k3 = lookup(repo, c3);
    git_tree *t2, *t3;
    git_tree_entry *e;
    assert_int_equal(git_commit_tree(&t2, k2), 0);
    assert_int_equal(git_commit_tree(&t3, k3), 0);
    assert_int_equal(git_tree_entry_bypath(&e, t2, "plan/KZ-11"), 0);
    assert_int_equal(git_tree_entry_type(e), GIT_OBJECT_TREE);
    git_tree_entry_free(e);
    assert_int_equal(git_tree_entrycount(t2), 2);
    assert_int_equal(git_tree_entry_bypath(&e, t3, "plan"), GIT_ENOTFOUND);
    assert_int_equal(git_tree_entrycount(t3), 1);
    git_tree_free(t2);
    git_tree_free(t3);
    git_commit_free(k2);
    git_commit_free(k3);
    git_repository_free(repo);

    /* Deleting what is not there fails that write only. */
    assert_int_equal(write_now(f, "plan/KZ-11/2026.md", NULL, "Delete again\n", 4, NULL),
                     KENES_ENOTFOUND);
    char c5[STORE_OID_HEX], head[STORE_OID_HEX];
    assert_int_equal(write_now(f, "plan/KZ-11/2027.md", "x", "Next\n", 5, c5), 0);
    assert_int_equal(store_head(f->s, head), 0);
    assert_string_equal(head, c5);
    size_t n;
    assert_int_equal(store_count(f->s, &n), 0);
    assert_int_equal(n, 4);
    assert_fsck(f);
}

static void test_submit_refuses_bad_input(void **state)
{
    fixture *f = *state;
    static const char *const bad_paths[] = {"",         "/abs.md",     "a//b.md", "a/../b.md",
                                            "./a.md",   "dir/",        ".git/x",  "a/.GIT/b",
                                            "..",       NULL};
    store_write w;
    done_log log = {0};
    for (size_t i = 0; i < sizeof(bad_paths) / sizeof(bad_paths[0]); i++) {
        make_write(&w, bad_paths[i], "x", "a", "m\n", 1);
        assert_int_equal(store_submit(f->s, &w, on_write, &log), KENES_EINVAL);
    }
    make_write(&w, "ok.md", "x", NULL, "m\n", 1);
    assert_int_equal(store_submit(f->s, &w, on_write, &log), KENES_EINVAL);
    make_write(&w, "ok.md", "x", "a", NULL, 1);
    assert_int_equal(store_submit(f->s, &w, on_write, &log), KENES_EINVAL);
    make_write(&w, "ok.md", "x", "a", "m\n", 1);
    assert_int_equal(store_submit(f->s, &w, NULL, &log), KENES_EINVAL);
    /* A refused submit never calls back and leaves nothing queued. */
    assert_true(store_idle(f->s));
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(log.calls, 0);

    /* An author git cannot record fails in the job, with libgit2's reason. */
    make_write(&w, "ok.md", "x", "Bad <name>", "m\n", 1);
    assert_int_equal(store_submit(f->s, &w, on_write, &log), 0);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(log.calls, 1);
    assert_int_equal(w.status, KENES_EINVAL);
    assert_non_null(strstr(w.errmsg, "author"));
    size_t n;
    assert_int_equal(store_count(f->s, &n), 0);
    assert_int_equal(n, 0);
}

typedef struct many {
    store_write w[60];
    char path[60][32];
    char content[60][32];
    char msg[60][64];
    done_log log;
} many;

typedef struct walk_expect {
    int idx[60]; /* write index of each commit, oldest first */
    int n;
    int seen;
} walk_expect;

static int check_walk(const store_commit_info *c, void *payload)
{
    walk_expect *e = payload;
    assert_true(e->seen < e->n);
    int i = e->idx[e->seen++];
    char want[64];
    snprintf(want, sizeof(want), "Write %d\n\nKenes-Document: doc/%d\n", i, i);
    assert_string_equal(c->message, want);
    assert_int_equal(c->time_ms, T0 + (int64_t)i * 1000);
    assert_string_equal(c->author_name, "Әлия Серікова");
    assert_string_equal(c->author_email, "user@example.kz");
    assert_int_equal(strlen(c->commit), 40);
    return 0;
}

static void test_fifty_writes_in_order(void **state)
{
    fixture *f = *state;
    many *m = calloc(1, sizeof(*m));
    /* 50 writes that land, and interleaved with them every sixth write
     * deletes a file that does not exist: those fail alone. */
    for (int i = 0; i < 60; i++) {
        snprintf(m->path[i], sizeof(m->path[i]), "doc/%d.md", i);
        snprintf(m->content[i], sizeof(m->content[i]), "content %d\n", i);
        snprintf(m->msg[i], sizeof(m->msg[i]), "Write %d\n\nKenes-Document: doc/%d\n", i, i);
        make_write(&m->w[i], i % 6 == 5 ? "missing/file.md" : m->path[i],
                   i % 6 == 5 ? NULL : m->content[i], "Әлия Серікова", m->msg[i], i);
        assert_int_equal(store_submit(f->s, &m->w[i], on_write, &m->log), 0);
    }
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(m->log.calls, 60);
    for (int i = 0; i < 60; i++) {
        assert_int_equal(m->log.order[i], i);
        assert_int_equal(m->w[i].status, i % 6 == 5 ? KENES_ENOTFOUND : 0);
    }

    /* 50 commits, each the parent of the next, in submission order. */
    git_repository *repo = open_git(f);
    const char *prev = NULL;
    for (int i = 0; i < 60; i++) {
        if (i % 6 == 5)
            continue;
        git_commit *c = lookup(repo, m->w[i].commit);
        if (prev) {
            char hex[STORE_OID_HEX];
            assert_int_equal(git_commit_parentcount(c), 1);
            git_oid_tostr(hex, sizeof(hex), git_commit_parent_id(c, 0));
            assert_string_equal(hex, prev);
        } else {
            assert_int_equal(git_commit_parentcount(c), 0);
        }
        prev = m->w[i].commit;
        git_commit_free(c);
    }
    git_repository_free(repo);

    size_t n;
    assert_int_equal(store_count(f->s, &n), 0);
    assert_int_equal(n, 50);
    char head[STORE_OID_HEX];
    assert_int_equal(store_head(f->s, head), 0);
    assert_string_equal(head, m->w[58].commit);

    /* Every file is in the last tree: none lost. */
    for (int i = 0; i < 60; i++) {
        char *buf;
        size_t len;
        int rc = store_read_at(f->s, &buf, &len, head, m->path[i]);
        if (i % 6 == 5) {
            assert_int_equal(rc, KENES_ENOTFOUND);
            continue;
        }
        assert_int_equal(rc, 0);
        assert_string_equal(buf, m->content[i]);
        free(buf);
    }

    /* store_walk goes oldest first. */
    walk_expect e = {.n = 0};
    for (int i = 0; i < 60; i++)
        if (i % 6 != 5)
            e.idx[e.n++] = i;
    assert_int_equal(store_walk(f->s, check_walk, &e), 0);
    assert_int_equal(e.seen, 50);
    assert_fsck(f);
    free(m);
}

static int stop_at_two(const store_commit_info *c, void *payload)
{
    (void)c;
    int *n = payload;
    return ++*n == 2 ? 42 : 0;
}

static void test_walk_stops(void **state)
{
    fixture *f = *state;
    for (int i = 0; i < 3; i++)
        assert_int_equal(write_now(f, "a.md", i == 1 ? "b" : "a", "m\n", i, NULL), 0);
    int n = 0;
    assert_int_equal(store_walk(f->s, stop_at_two, &n), 42);
    assert_int_equal(n, 2);
}

static void test_read_at_versions_and_unknown(void **state)
{
    fixture *f = *state;
    char c[3][STORE_OID_HEX];
    static const char *const v[] = {"первая\n", "вторая\n", "третья\n"};
    for (int i = 0; i < 3; i++)
        assert_int_equal(write_now(f, "plan/KZ-75/2026.md", v[i], "Edit\n", i, c[i]), 0);
    for (int i = 0; i < 3; i++) {
        char *buf;
        size_t len;
        assert_int_equal(store_read_at(f->s, &buf, &len, c[i], "plan/KZ-75/2026.md"), 0);
        assert_string_equal(buf, v[i]);
        assert_int_equal(len, strlen(v[i]));
        free(buf);
    }
    char *buf;
    size_t len;
    assert_int_equal(store_read_at(f->s, &buf, &len, "nothex", "plan/KZ-75/2026.md"),
                     KENES_ENOTFOUND);
    assert_int_equal(store_read_at(f->s, &buf, &len, "abc", "plan/KZ-75/2026.md"),
                     KENES_ENOTFOUND);
    assert_int_equal(store_read_at(f->s, &buf, &len, "0123456789012345678901234567890123456789",
                                   "plan/KZ-75/2026.md"),
                     KENES_ENOTFOUND);
    /* A blob's id is not a commit. */
    char blob[STORE_OID_HEX];
    git_out(f, blob, sizeof(blob), "rev-parse main:plan/KZ-75/2026.md");
    assert_int_equal(strlen(blob), 40);
    assert_int_equal(store_read_at(f->s, &buf, &len, blob, "plan/KZ-75/2026.md"),
                     KENES_ENOTFOUND);
    assert_int_equal(store_read_at(f->s, &buf, &len, c[0], "plan/KZ-75/2027.md"),
                     KENES_ENOTFOUND);
}

typedef struct read_log {
    int calls;
} read_log;

static void on_read(store_read *r, void *payload)
{
    read_log *log = payload;
    log->calls++;
    (void)r;
}

static void test_pool_reads(void **state)
{
    fixture *f = *state;
    char c1[STORE_OID_HEX], c2[STORE_OID_HEX], c3[STORE_OID_HEX], c4[STORE_OID_HEX];
    assert_int_equal(write_now(f, "other.md", "o\n", "Other\n", 1, c1), 0);
    assert_int_equal(write_now(f, "plan/KZ-11/2026.md", "title\nold line\nend\n", "A\n", 2, c2),
                     0);
    assert_int_equal(write_now(f, "plan/KZ-11/2026.md", "title\nnew line\nend\n", "B\n", 3, c3),
                     0);
    assert_int_equal(write_now(f, "plan/KZ-11/2026.md", NULL, "C\n", 4, c4), 0);

    enum { N = 8 };
    store_read r[N];
    read_log log = {0};
    memset(r, 0, sizeof(r));
    const char *p = "plan/KZ-11/2026.md";
    /* 0: file at c2; 1: diff c2->c3; 2: diff c1->c2 (absent before);
     * 3: diff c3->c4 (deleted); 4: unknown commit; 5: path absent;
     * 6: diff with a side that is not hex; 7: diff where neither side has it. */
    const char *from[N] = {c2, c2, c1, c3, "ffffffffffffffffffffffffffffffffffffffff", c1, c2, c1};
    const char *to[N] = {"", c3, c2, c4, "", "", "zz", c4};
    enum store_read_kind kind[N] = {STORE_READ_FILE, STORE_READ_DIFF, STORE_READ_DIFF,
                                    STORE_READ_DIFF, STORE_READ_FILE, STORE_READ_FILE,
                                    STORE_READ_DIFF, STORE_READ_DIFF};
    for (int i = 0; i < N; i++) {
        r[i].kind = kind[i];
        r[i].path = p;
        strcpy(r[i].commit, from[i]);
        strcpy(r[i].commit_to, to[i]);
        assert_int_equal(store_read_submit(f->s, &r[i], on_read, &log), 0);
    }
    assert_false(store_idle(f->s));
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(log.calls, N);
    assert_true(store_idle(f->s));

    assert_int_equal(r[0].status, 0);
    assert_string_equal(r[0].result, "title\nold line\nend\n");
    assert_int_equal(r[0].result_len, strlen("title\nold line\nend\n"));

    assert_int_equal(r[1].status, 0);
    assert_non_null(strstr(r[1].result, "diff --git a/plan/KZ-11/2026.md b/plan/KZ-11/2026.md\n"));
    assert_non_null(strstr(r[1].result, "\n-old line\n+new line\n"));
    assert_non_null(strstr(r[1].result, "\n title\n"));
    assert_int_equal(r[1].result_len, strlen(r[1].result));

    assert_int_equal(r[2].status, 0);
    assert_non_null(strstr(r[2].result, "\n+title\n+old line\n+end\n"));
    assert_non_null(strstr(r[2].result, "\n--- /dev/null\n"));
    assert_null(strstr(r[2].result, "\n-t"));

    assert_int_equal(r[3].status, 0);
    assert_non_null(strstr(r[3].result, "\n-title\n-new line\n-end\n"));
    assert_non_null(strstr(r[3].result, "\n+++ /dev/null\n"));

    for (int i = 4; i < N; i++) {
        if (r[i].status != KENES_ENOTFOUND)
            fail_msg("read %d: status %d", i, r[i].status);
        assert_null(r[i].result);
    }
    for (int i = 0; i < N; i++)
        free(r[i].result);

    /* A diff of a version against itself is empty, not an error. */
    store_read same = {.kind = STORE_READ_DIFF, .path = p};
    strcpy(same.commit, c2);
    strcpy(same.commit_to, c2);
    assert_int_equal(store_read_submit(f->s, &same, on_read, &log), 0);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(same.status, 0);
    assert_int_equal(same.result_len, 0);
    free(same.result);
}

/* A write submitted from inside a callback joins the line behind the others. */
typedef struct chain {
    fixture *f;
    store_write w[3];
    int calls;
} chain;

static void on_chain(store_write *w, void *payload)
{
    chain *c = payload;
    assert_int_equal(w->status, 0);
    assert_ptr_equal(w, &c->w[c->calls]);
    c->calls++;
    if (c->calls == 1) {
        make_write(&c->w[2], "c.md", "c", "x", "third\n", 3);
        assert_int_equal(store_submit(c->f->s, &c->w[2], on_chain, c), 0);
    }
}

static void test_submit_from_callback(void **state)
{
    fixture *f = *state;
    chain *c = calloc(1, sizeof(*c));
    c->f = f;
    make_write(&c->w[0], "a.md", "a", "x", "first\n", 1);
    make_write(&c->w[1], "b.md", "b", "x", "second\n", 2);
    assert_int_equal(store_submit(f->s, &c->w[0], on_chain, c), 0);
    assert_int_equal(store_submit(f->s, &c->w[1], on_chain, c), 0);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(c->calls, 3);
    char out[128];
    git_out(f, out, sizeof(out), "log --format=%s -3 | tr '\\n' ,");
    assert_string_equal(out, "third,second,first,");
    free(c);
}

/* Someone else moves main between writes (the git CLI, a push): the next
 * write fails and so does every later one, so that nothing kenes signs sits
 * on a commit it never checked; main stays where they put it. */
static void test_refuses_external_head(void **state)
{
    fixture *f = *state;
    char c1[STORE_OID_HEX], c2[STORE_OID_HEX], ext[STORE_OID_HEX], out[128];
    assert_int_equal(write_now(f, "a.md", "a", "first\n", 1, c1), 0);
    char args[256];
    snprintf(args, sizeof(args),
             "-c user.name=admin -c user.email=a@x commit-tree -p %s -m external %s^{tree}", c1,
             c1);
    git_out(f, ext, sizeof(ext), args);
    assert_int_equal(strlen(ext), 40);
    snprintf(args, sizeof(args), "update-ref refs/heads/main %s %s && echo ok", ext, c1);
    git_out(f, out, sizeof(out), args);
    assert_string_equal(out, "ok");
    for (int i = 0; i < 2; i++) {
        store_write w;
        done_log log = {0};
        make_write(&w, "b.md", "b", "x", "second\n", 2);
        assert_int_equal(store_submit(f->s, &w, on_write, &log), 0);
        uv_run(&f->loop, UV_RUN_DEFAULT);
        assert_int_equal(w.status, KENES_ESTALE);
        assert_string_equal(w.commit, "");
        if (!strstr(w.errmsg, "main moved behind the server's back"))
            fail_msg("errmsg: %s", w.errmsg);
    }
    git_out(f, out, sizeof(out), "rev-parse main");
    assert_string_equal(out, ext);
    /* Put back where kenes left it, main takes writes again. */
    snprintf(args, sizeof(args), "update-ref refs/heads/main %s %s && echo ok", c1, ext);
    git_out(f, out, sizeof(out), args);
    assert_int_equal(write_now(f, "b.md", "b", "second\n", 2, c2), 0);
    git_out(f, out, sizeof(out), "rev-parse main^");
    assert_string_equal(out, c1);
    assert_fsck(f);
}

/* A record that changes no file (an admin's decision) keeps its parent's tree. */
static void test_record_keeps_the_tree(void **state)
{
    fixture *f = *state;
    char c1[STORE_OID_HEX], out[128], tree[128];
    assert_int_equal(write_now(f, "a.md", "a", "first\n", 1, c1), 0);
    store_write w;
    memset(&w, 0, sizeof(w));
    w.author_name = "adm";
    w.author_email = "adm@users.kenes";
    w.message = "Accept\n\nKenes-Action: accept\n";
    assert_int_equal(store_commit_now(f->s, &w), 0);
    git_out(f, out, sizeof(out), "rev-parse main^{tree}");
    git_out(f, tree, sizeof(tree), "rev-parse main~1^{tree}");
    assert_string_equal(out, tree);
    git_out(f, out, sizeof(out), "rev-parse main^");
    assert_string_equal(out, c1);
    assert_fsck(f);
}

/* A write that libgit2 refuses (main is locked by another git) fails with
 * libgit2's reason, and the next write lands on the unchanged head. */
static void test_failure_carries_git_error(void **state)
{
    fixture *f = *state;
    char c1[STORE_OID_HEX], c3[STORE_OID_HEX], lock[192], head[STORE_OID_HEX];
    assert_int_equal(write_now(f, "a.md", "a", "first\n", 1, c1), 0);
    snprintf(lock, sizeof(lock), "%s/refs/heads/main.lock", f->gitdir);
    FILE *fp = fopen(lock, "w");
    assert_non_null(fp);
    fclose(fp);

    store_write w;
    done_log log = {0};
    make_write(&w, "b.md", "b", "x", "second\n", 2);
    assert_int_equal(store_submit(f->s, &w, on_write, &log), 0);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(w.status, KENES_EIO);
    assert_string_equal(w.commit, "");
    if (!strstr(w.errmsg, "refs/heads/main") || !strstr(w.errmsg, "lock"))
        fail_msg("errmsg: %s", w.errmsg);
    assert_int_equal(store_head(f->s, head), 0);
    assert_string_equal(head, c1);

    assert_int_equal(unlink(lock), 0);
    assert_int_equal(write_now(f, "c.md", "c", "third\n", 3, c3), 0);
    char out[128];
    git_out(f, out, sizeof(out), "rev-parse main^");
    assert_string_equal(out, c1);
    size_t n;
    assert_int_equal(store_count(f->s, &n), 0);
    assert_int_equal(n, 2);
    assert_fsck(f);
}

static void test_idle_and_close_pending(void **state)
{
    fixture *f = *state;
    assert_true(store_idle(f->s));
    assert_true(store_idle(NULL));
    /* Closing with a write in flight frees the store once the write is
     * answered; the callback still runs. */
    store *s2;
    assert_int_equal(store_open(&s2, &f->loop, f->gitdir, "kenes", "kenes@localhost"), 0);
    store_write w;
    done_log log = {0};
    make_write(&w, "x.md", "x", "a", "m\n", 1);
    assert_int_equal(store_submit(s2, &w, on_write, &log), 0);
    assert_false(store_idle(s2));
    store_close(s2);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(log.calls, 1);
    assert_int_equal(w.status, 0);
    size_t n;
    assert_int_equal(store_count(f->s, &n), 0);
    assert_int_equal(n, 1);
}

/* One write with a journal line that names it; its commit into commit. */
static int write_journaled(fixture *f, int i, char commit[STORE_OID_HEX])
{
    store_write w;
    done_log log = {0};
    char content[32], line[512];
    snprintf(content, sizeof(content), "version %d\n", i);
    /* Long lines, so the journal outgrows every object a commit writes. */
    snprintf(line, sizeof(line), "{\"n\":%d,\"pad\":\"%0300d\"}", i, 0);
    make_write(&w, "plan/KZ-11/2026.md", content, "Әлия Серікова", "edit\n", i);
    w.journal = line;
    assert_int_equal(store_submit(f->s, &w, on_write, &log), 0);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(log.calls, 1);
    snprintf(commit, STORE_OID_HEX, "%s", w.commit);
    return w.status;
}

static off_t size_of(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return st.st_size;
}

/* The disk refuses the journal's append (a file size limit stands in for a
 * full disk) after the commit was made: the file keeps no part of the line,
 * and the line goes first with the next write's, so the journal stays the
 * history's lines in order. */
static void test_journal_stays_in_order_when_an_append_fails(void **state)
{
    fixture *f = *state;
    char path[256], commits[14][STORE_OID_HEX];
    snprintf(path, sizeof(path), "%s/documents.jsonl", f->dir);
    assert_int_equal(store_set_journal(f->s, path), 0);
    for (int i = 0; i < 12; i++)
        assert_int_equal(write_journaled(f, i, commits[i]), 0);
    off_t before = size_of(path);

    struct rlimit old, lim;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    lim = old;
    lim.rlim_cur = (rlim_t)before + 40;
    signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    int rc = write_journaled(f, 12, commits[12]);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    assert_int_equal(rc, 0); /* the commit itself is made and durable */
    assert_int_equal(size_of(path), before);

    assert_int_equal(write_journaled(f, 13, commits[13]), 0);
    char *text;
    size_t len;
    assert_int_equal(util_read_file(&text, &len, path), 0);
    const char *p = text;
    for (int i = 0; i < 14; i++) {
        char want[128];
        snprintf(want, sizeof(want), "{\"commit\":\"%.40s\",\"n\":%d,", commits[i], i);
        if (strncmp(p, want, strlen(want)) != 0)
            fail_msg("line %d is not commit %d: %.80s", i + 1, i, p);
        p = strchr(p, '\n');
        assert_non_null(p);
        p++;
    }
    assert_int_equal(*p, '\0');
    free(text);
    assert_fsck(f);
}

int main(void)
{
#define T(t) cmocka_unit_test_setup_teardown(t, store_fixture_setup, store_fixture_teardown)
    const struct CMUnitTest tests[] = {
        T(test_init_repo),
        T(test_commits_chain_authors_messages),
        T(test_nested_paths_and_delete),
        T(test_submit_refuses_bad_input),
        T(test_fifty_writes_in_order),
        T(test_walk_stops),
        T(test_read_at_versions_and_unknown),
        T(test_pool_reads),
        T(test_submit_from_callback),
        T(test_refuses_external_head),
        T(test_record_keeps_the_tree),
        T(test_failure_carries_git_error),
        T(test_idle_and_close_pending),
        T(test_journal_stays_in_order_when_an_append_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
