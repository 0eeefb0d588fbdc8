/*
 * The store tests' one fixture (test_store, test_store_pack, and the
 * repository of test_docs_fetch and test_journal): a scratch folder holding documents.git,
 * a loop, and the store open on them, optionally signing its commits.
 * Include <cmocka.h> (and what it needs) first.
 */
#ifndef KENES_TEST_STORE_FIXTURE_H
#define KENES_TEST_STORE_FIXTURE_H

#include <stddef.h>

#include <uv.h>

#include "storage/index.h"
#include "storage/sign.h"
#include "storage/store.h"

typedef struct store_fixture {
    char dir[64];     /* /tmp/kenes-<name>-XXXXXX */
    char gitdir[128]; /* dir/documents.git */
    char keys[128];   /* dir/keys, the signing key's folder (signed only) */
    uv_loop_t loop;
    store *s; /* open on gitdir, run by loop */
    signer *sig; /* s's signer, or NULL */
} store_fixture;

/* Make f's folder, repository, loop and store; with sign, a new signing
 * key in f->keys signs s's commits.  0, or -1 as a cmocka setup answers. */
int store_fixture_open(store_fixture *f, const char *name, int sign);
/* The store closed once idle (the test fails if it is not), the loop run
 * out and closed, the folder removed. */
void store_fixture_close(store_fixture *f);

/* store_fixture_open as cmocka setups (*state: a new store_fixture), and
 * store_fixture_close as their teardown (which frees it). */
int store_fixture_setup(void **state);
int store_fixture_setup_signed(void **state);
int store_fixture_teardown(void **state);

/* w as an officer's edit (Әлия Серікова's) of path to content (NULL: no
 * content), the i-th write of a test: its time 2026-02-07T10:00:00Z + i s. */
void store_fixture_edit(store_write *w, const char *path, const char *content, int i);

/* Submit the n writes ws to f's store at once, run the loop out, and
 * check that each was answered once and the store is idle (their outcomes
 * are in ws[i].status). */
void store_fixture_submit_all(store_fixture *f, store_write *ws, size_t n);

/* Run `git --git-dir=<gitdir> args` (a shell command line) in f->dir: its
 * first line of output, without the newline, in out. */
void git_out(const store_fixture *f, char *out, size_t cap, const char *args);
/* 1 if `git --git-dir=<gitdir> args` exits 0 (its output discarded). */
int git_ok(const store_fixture *f, const char *args);

/* Commit content as <id>.md in s by off11 ("create"), then add id to ix
 * with that commit as its one version (to: its stage) in repository repo:
 * *out.  0, or -1 as a cmocka setup answers. */
int store_fixture_commit_doc(idx_doc **out, store *s, doc_index *ix, const char *id,
                             const char *content, size_t len, const char *to, int repo);

#endif
