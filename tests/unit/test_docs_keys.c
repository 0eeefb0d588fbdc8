/* A sealed document's key file read on the thread pool (docs/keys.c): the
 * fetch of a case whose key is only listed reads the key file in the same
 * pool job as the document, and the loop unwraps it; a key file that is
 * missing makes the case unavailable; a document at hand whose key is only
 * listed gets its key from a job of its own; a key file removed while the
 * key is in memory is noticed by the next read from git.  The vault's own
 * (synchronous) reads of key files are counted through vault_read_hook:
 * none may happen here.  No timing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/util.h"
#include "docs/docs.h"
#include "docs/fetch.h"
#include "docs/internal.h"
#include "fixture_files.h"
#include "store_fixture.h"
#include "storage/docfile.h"

#define NCASES 3

typedef struct fixture {
    char dir[64];
    char gitdir[128];
    char keys[128];
    uv_loop_t loop;
    docs_service svc;
    idx_doc *d[NCASES];
} fixture;

static size_t sync_reads, git_reads;

static void count_git_read(const char *id, const char *version)
{
    (void)id;
    (void)version;
    git_reads++;
}

static void count_sync_read(const char *path)
{
    (void)path;
    sync_reads++;
}

static const char *const ids[NCASES] = {"case/KZ-11/a", "case/KZ-11/b", "case/KZ-11/c"};

/* Three sealed cases, one commit each, their keys written as the writer
 * writes them; the vault then opened afresh, so that all but the first key
 * to open are only listed. */
static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    char master[160], cases[160], err[512];
    vault *v = NULL;
    if (!f || scratch_dir_new(f->dir, sizeof(f->dir), "keys") != 0)
        return -1;
    snprintf(f->gitdir, sizeof(f->gitdir), "%s/cases.git", f->dir);
    snprintf(f->keys, sizeof(f->keys), "%s/keys", f->dir);
    snprintf(master, sizeof(master), "%s/master.key", f->keys);
    snprintf(cases, sizeof(cases), "%s/cases", f->keys);
    if (util_mkdirs(cases, 0700) != 0 || vault_create_master(master) != 0 ||
        vault_open(&v, f->keys, err, sizeof(err)) != 0 || store_init_repo(f->gitdir) != 0 ||
        uv_loop_init(&f->loop) != 0 ||
        store_open(&f->svc.repos[REPO_CASES], &f->loop, f->gitdir, "kenes", "kenes@localhost") !=
            0 ||
        index_new(&f->svc.index) != 0)
        return -1;
    f->svc.loop = &f->loop;
    f->svc.layout[REPO_CASES] = DOCPATH_FLAT;
    for (int i = 0; i < NCASES; i++) {
        char *wrapped, *text, *sealed, keyfile[4096];
        size_t wlen, len, slen;
        json_t *doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{}, s:s}", "id", ids[i], "type",
                                "case-review", "region", "KZ-11", "title", ids[i], "stage",
                                "intake", "fields", "body", "");
        if (vault_new_key(v, ids[i], &wrapped, &wlen) != 0 ||
            doc_serialize(&text, &len, doc) != 0 ||
            vault_seal(v, ids[i], text, len, &sealed, &slen) != 0)
            return -1;
        json_decref(doc);
        vault_key_path(v, ids[i], keyfile, sizeof(keyfile));
        if (util_write_file_atomic(keyfile, wrapped, wlen, 0600) != 0)
            return -1;
        free(wrapped);
        free(text);
        int rc = store_fixture_commit_doc(&f->d[i], f->svc.repos[REPO_CASES], f->svc.index,
                                          ids[i], sealed, slen, "intake", REPO_CASES);
        free(sealed);
        if (rc != 0)
            return -1;
    }
    vault_close(v);
    if (vault_open(&f->svc.vault, f->keys, err, sizeof(err)) != 0)
        return -1;
    sync_reads = 0;
    vault_read_hook = count_sync_read;
    docs_fetch_read_hook = count_git_read;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    vault_read_hook = NULL;
    docs_fetch_read_hook = NULL;
    index_free(f->svc.index);
    vault_close(f->svc.vault);
    store_close(f->svc.repos[REPO_CASES]);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&f->loop), 0);
    scratch_dir_remove(f->dir);
    free(f);
    return 0;
}

/* The cases whose key is only listed (vault_open unwrapped one). */
static size_t listed(fixture *f, idx_doc **out)
{
    size_t n = 0;
    for (int i = 0; i < NCASES; i++)
        if (vault_key_listed(f->svc.vault, ids[i]))
            out[n++] = f->d[i];
    return n;
}

typedef struct got {
    int calls;
    int code;
    char title[64];
} got;

static void got_doc(int code, const json_t *doc, void *payload)
{
    got *g = payload;
    g->calls++;
    g->code = code;
    snprintf(g->title, sizeof(g->title), "%s",
             doc ? json_string_value(json_object_get(doc, "title")) : "");
}

static void test_a_listed_key_is_read_with_the_document(void **state)
{
    fixture *f = *state;
    idx_doc *l[NCASES];
    assert_true(listed(f, l) >= 2);
    got g = {0};
    docs_fetch(&f->svc, l[0], NULL, got_doc, &g);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(g.calls, 1);
    assert_int_equal(g.code, 0);
    assert_string_equal(g.title, l[0]->id);
    assert_int_equal(vault_key_listed(f->svc.vault, l[0]->id), 0); /* unwrapped now */
    assert_int_equal(sync_reads, 0);
}

static void test_a_missing_key_file_makes_it_unavailable(void **state)
{
    fixture *f = *state;
    idx_doc *l[NCASES];
    char path[4096];
    assert_true(listed(f, l) >= 2);
    vault_key_path(f->svc.vault, l[1]->id, path, sizeof(path));
    assert_int_equal(unlink(path), 0);
    got g = {0};
    docs_fetch(&f->svc, l[1], NULL, got_doc, &g);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(g.calls, 1);
    assert_int_equal(g.code, KENES_EUNAVAILABLE);
    assert_non_null(strstr(vault_unavailable(f->svc.vault, l[1]->id), "no such file"));
    assert_null(l[1]->doc);
    assert_int_equal(sync_reads, 0);
    /* Asked again: answered at once, nothing read. */
    git_reads = 0;
    got g2 = {0};
    docs_fetch(&f->svc, l[1], NULL, got_doc, &g2);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(g2.code, KENES_EUNAVAILABLE);
    assert_int_equal(git_reads, 0);
    assert_int_equal(sync_reads, 0);
}

static int again_calls, fail_code;

static void again(void *args)
{
    (void)args;
    again_calls++;
}

static void failed(int code, void *args)
{
    (void)args;
    fail_code = code;
}

static void test_a_document_at_hand_gets_its_key_alone(void **state)
{
    fixture *f = *state;
    idx_doc *l[NCASES];
    assert_true(listed(f, l) >= 2);
    again_calls = fail_code = 0;
    assert_int_equal(docs_key_first(&f->svc, l[0], again, failed, NULL), 1);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(again_calls, 1);
    assert_int_equal(fail_code, 0);
    assert_int_equal(vault_key_listed(f->svc.vault, l[0]->id), 0);
    /* In memory now: nothing more to read. */
    assert_int_equal(docs_key_first(&f->svc, l[0], again, failed, NULL), 0);
    /* A missing file: fail, and the case unavailable. */
    char path[4096];
    vault_key_path(f->svc.vault, l[1]->id, path, sizeof(path));
    assert_int_equal(unlink(path), 0);
    assert_int_equal(docs_key_first(&f->svc, l[1], again, failed, NULL), 1);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(fail_code, KENES_EUNAVAILABLE);
    assert_non_null(vault_unavailable(f->svc.vault, l[1]->id));
    assert_int_equal(sync_reads, 0);
}

static void test_a_key_file_removed_while_held_is_noticed(void **state)
{
    fixture *f = *state;
    idx_doc *l[NCASES];
    char path[4096], held[4200];
    assert_true(listed(f, l) >= 1);
    got g = {0};
    docs_fetch(&f->svc, l[0], NULL, got_doc, &g); /* unwrapped: in memory */
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(g.code, 0);
    index_set_doc(l[0], NULL); /* as if the cache had let it go */
    vault_key_path(f->svc.vault, l[0]->id, path, sizeof(path));
    assert_int_equal(unlink(path), 0);
    got g2 = {0};
    docs_fetch(&f->svc, l[0], NULL, got_doc, &g2);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(g2.code, KENES_EUNAVAILABLE);
    assert_non_null(strstr(vault_unavailable(f->svc.vault, l[0]->id), "removed while"));
    /* The key it held, saved beside: renamed back, it opens as before. */
    snprintf(held, sizeof(held), "%s.held", path);
    assert_int_equal(access(held, F_OK), 0);
    assert_int_equal(rename(held, path), 0);
    assert_int_equal(sync_reads, 0);
    vault_read_hook = NULL; /* the vault opened here reads for itself */
    vault *v;
    char err[512];
    assert_int_equal(vault_open(&v, f->keys, err, sizeof(err)), 0);
    assert_int_equal(vault_key_ready(v, l[0]->id), 0);
    vault_close(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_a_listed_key_is_read_with_the_document, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_a_missing_key_file_makes_it_unavailable, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_a_document_at_hand_gets_its_key_alone, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_a_key_file_removed_while_held_is_noticed, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
