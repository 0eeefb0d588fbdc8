/* The store tests' one fixture: see store_fixture.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture_files.h"
#include "store_fixture.h"

int store_fixture_open(store_fixture *f, const char *name, int sign)
{
    char err[256];
    memset(f, 0, sizeof(*f));
    if (scratch_dir_new(f->dir, sizeof(f->dir), name) != 0)
        return -1;
    snprintf(f->gitdir, sizeof(f->gitdir), "%s/documents.git", f->dir);
    snprintf(f->keys, sizeof(f->keys), "%s/keys", f->dir);
    if (store_init_repo(f->gitdir) != 0 || uv_loop_init(&f->loop) != 0 ||
        store_open(&f->s, &f->loop, f->gitdir, "kenes", "kenes@localhost") != 0)
        return -1;
    if (sign && (sign_create_key(f->keys) < 0 ||
                 sign_open(&f->sig, f->keys, err, sizeof(err)) < 0 ||
                 store_set_signer(f->s, f->sig) < 0))
        return -1;
    return 0;
}

void store_fixture_close(store_fixture *f)
{
    assert_true(store_idle(f->s));
    store_close(f->s);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&f->loop), 0);
    sign_free(f->sig);
    scratch_dir_remove(f->dir);
}

static int setup_as(void **state, const char *name, int sign)
{
    store_fixture *f = calloc(1, sizeof(*f));
    if (!f || store_fixture_open(f, name, sign) != 0)
        return -1;
    *state = f;
    return 0;
}

int store_fixture_setup(void **state)
{
    return setup_as(state, "store", 0);
}

int store_fixture_setup_signed(void **state)
{
    return setup_as(state, "pack", 1);
}

int store_fixture_teardown(void **state)
{
    store_fixture *f = *state;
    store_fixture_close(f);
    free(f);
    return 0;
}

void git_out(const store_fixture *f, char *out, size_t cap, const char *args)
{
    char cmd[2048];
    snprintf(cmd, sizeof(cmd), "cd '%s' && git --git-dir='%s' %s", f->dir, f->gitdir, args);
    sh_first_line(out, cap, cmd);
}

int git_ok(const store_fixture *f, const char *args)
{
    return sh("git --git-dir='%s' %s >/dev/null 2>&1", f->gitdir, args) == 0;
}

int store_fixture_commit_doc(idx_doc **out, store *s, doc_index *ix, const char *id,
                             const char *content, size_t len, const char *to, int repo)
{
    char path[256];
    snprintf(path, sizeof(path), "%s.md", id);
    store_write w = {.path = path, .content = content, .content_len = len,
                     .author_name = "off11", .author_email = "off11@users.kenes",
                     .message = "Create\n\nKenes-Action: create\n"};
    if (store_commit_now(s, &w) != 0 || index_add(out, ix, id) != 0)
        return -1;
    idx_version v = {.time_ms = 1770458400000LL, .author = "off11", .role = "official",
                     .action = "create", .to = (char *)to};
    memcpy(v.commit, w.commit, sizeof(v.commit));
    if (index_add_version(*out, &v) != 0)
        return -1;
    (*out)->repo = repo;
    return 0;
}

void store_fixture_edit(store_write *w, const char *path, const char *content, int i)
{
    memset(w, 0, sizeof(*w));
    w->path = path;
    w->content = content;
    w->content_len = content ? strlen(content) : 0;
    w->author_name = "Әлия Серікова";
    w->author_email = "aliya@users.kenes";
    w->message = "Edit\n\nKenes-Action: edit\n";
    w->time_ms = 1770458400000LL + (int64_t)i * 1000; /* 2026-02-07T10:00:00Z */
}

static void count_answer(store_write *w, void *payload)
{
    (void)w;
    (*(size_t *)payload)++;
}

void store_fixture_submit_all(store_fixture *f, store_write *ws, size_t n)
{
    size_t answered = 0;
    for (size_t i = 0; i < n; i++)
        assert_int_equal(store_submit(f->s, &ws[i], count_answer, &answered), 0);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(answered, n);
    assert_true(store_idle(f->s));
}
