/*
 * The store's reads of files (store.h): at a commit, on the thread pool
 * (each job with its own repository handle) or synchronously at start-up.
 */
#include "storage/store_internal.h"

#include <stdlib.h>
#include <string.h>

#include "kenes/plugin.h"
#include "storage/docpath.h"

/* The tree of commit hex; KENES_ENOTFOUND if there is no such commit. */
int store_tree_at(git_tree **out, git_repository *repo, const char *hex)
{
    git_oid id;
    git_commit *c = NULL;
    *out = NULL;
    if (store_parse_oid(&id, hex) < 0)
        return KENES_ENOTFOUND;
    int rc = store_error_of_git(git_commit_lookup(&c, repo, &id));
    if (rc < 0)
        return rc;
    rc = git_commit_tree(out, c) < 0 ? KENES_EIO : 0;
    git_commit_free(c);
    return rc;
}

/* The blob at path; KENES_ENOTFOUND if there is none (or a folder).  A
 * document's file not at path is looked for at its path in the other
 * layout (docpath.h): a commit from before kenes migrate has it there. */
int store_blob_in(git_blob **out, git_repository *repo, const git_tree *tree, const char *path)
{
    git_tree_entry *e = NULL;
    char other[DOCPATH_MAX];
    *out = NULL;
    int rc = store_error_of_git(git_tree_entry_bypath(&e, tree, path));
    if (rc == KENES_ENOTFOUND && docpath_other(other, sizeof(other), path) == 0)
        rc = store_error_of_git(git_tree_entry_bypath(&e, tree, other));
    if (rc < 0)
        return rc;
    if (git_tree_entry_type(e) != GIT_OBJECT_BLOB)
        rc = KENES_ENOTFOUND;
    else
        rc = git_blob_lookup(out, repo, git_tree_entry_id(e)) < 0 ? KENES_EIO : 0;
    git_tree_entry_free(e);
    return rc;
}

/* The bytes of a blob, NUL-terminated for callers that treat it as text. */
static int blob_copy(char **out, size_t *len, const git_blob *b)
{
    size_t n = (size_t)git_blob_rawsize(b);
    char *p = malloc(n + 1);
    if (!p)
        return KENES_ENOMEM;
    memcpy(p, git_blob_rawcontent(b), n);
    p[n] = '\0';
    *out = p;
    *len = n;
    return 0;
}

int store_read_file(char **out, size_t *len, git_repository *repo, const char *hex,
                    const char *path)
{
    git_tree *tree = NULL;
    git_blob *blob = NULL;
    int rc = store_tree_at(&tree, repo, hex);
    if (rc == 0)
        rc = store_blob_in(&blob, repo, tree, path);
    if (rc == 0)
        rc = blob_copy(out, len, blob);
    git_blob_free(blob);
    git_tree_free(tree);
    return rc;
}

static void read_work(uv_work_t *req)
{
    store_read *r = req->data;
    git_repository *repo = NULL;
    if (r->side_path)
        r->side_status = util_read_file(&r->side, &r->side_len, r->side_path);
    r->status = store_open_repo(&repo, r->s->gitdir);
    if (r->status < 0)
        return;
    if (r->kind == STORE_READ_FILE || r->kind == STORE_READ_PAIR)
        r->status = store_read_file(&r->result, &r->result_len, repo, r->commit, r->path);
    else
        r->status = store_read_diff(&r->result, &r->result_len, repo, r->commit, r->commit_to, r->path);
    if (r->status == 0 && r->kind == STORE_READ_PAIR)
        r->status = store_read_file(&r->result2, &r->result2_len, repo, r->commit_to, r->path);
    git_repository_free(repo);
}

static void read_after(uv_work_t *req, int status)
{
    store_read *r = req->data;
    store *s = r->s;
    if (status < 0 && r->status == 0)
        r->status = KENES_EIO;
    s->reads--;
    s->in_callbacks++;
    r->cb(r, r->payload);
    s->in_callbacks--;
    store_maybe_free(s);
}

int store_read_submit(store *s, store_read *r, store_read_cb cb, void *payload)
{
    if (!s || !r || !cb || s->closing || !r->path ||
        (r->kind != STORE_READ_FILE && r->kind != STORE_READ_DIFF && r->kind != STORE_READ_PAIR))
        return KENES_EINVAL;
    r->status = 0;
    r->result = r->result2 = NULL;
    r->result_len = r->result2_len = 0;
    r->side = NULL;
    r->side_len = 0;
    r->side_status = 0;
    r->s = s;
    r->cb = cb;
    r->payload = payload;
    r->work.data = r;
    if (uv_queue_work(s->loop, &r->work, read_work, read_after) < 0)
        return KENES_EIO;
    s->reads++;
    return 0;
}

int store_read_at(store *s, char **out, size_t *len, const char *commit, const char *path)
{
    *out = NULL;
    *len = 0;
    if (!s || !path)
        return KENES_EINVAL;
    return store_read_file(out, len, store_reader(s), commit, path);
}

int store_head(store *s, char out[STORE_OID_HEX])
{
    git_oid id;
    int has;
    out[0] = '\0';
    if (!s)
        return KENES_EINVAL;
    int rc = store_main_head(&id, &has, store_reader(s));
    if (rc < 0)
        return rc;
    if (has)
        git_oid_tostr(out, STORE_OID_HEX, &id);
    return 0;
}

int store_read_versions(store *s, char **texts, size_t *lens, const char *const *commits, size_t n,
                        const char *path)
{
    git_repository *repo = NULL;
    int rc = store_open_repo(&repo, s->gitdir);
    for (size_t i = 0; i < n; i++) {
        texts[i] = NULL;
        lens[i] = 0;
    }
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = store_read_file(&texts[i], &lens[i], repo, commits[i], path);
    git_repository_free(repo);
    if (rc < 0)
        for (size_t i = 0; i < n; i++) {
            free(texts[i]);
            texts[i] = NULL;
        }
    return rc;
}

/* ---- many files in one job ---- */

typedef struct scan_job {
    uv_work_t work;
    store *s;
    const char *const *commits, *const *paths;
    size_t n;
    store_scan_visit visit;
    void (*done)(int status, void *payload);
    void *payload;
    int status;
} scan_job;

static void scan_work(uv_work_t *req)
{
    scan_job *j = req->data;
    git_repository *repo = NULL;
    j->status = store_open_repo(&repo, j->s->gitdir);
    for (size_t i = 0; j->status == 0 && i < j->n; i++) {
        char *text = NULL;
        size_t len = 0;
        if (store_read_file(&text, &len, repo, j->commits[i], j->paths[i]) == 0)
            j->visit(i, text, len, j->payload);
        free(text);
    }
    git_repository_free(repo);
}

static void scan_after(uv_work_t *req, int status)
{
    scan_job *j = req->data;
    store *s = j->s;
    s->reads--;
    s->in_callbacks++;
    j->done(status < 0 && j->status == 0 ? KENES_EIO : j->status, j->payload);
    s->in_callbacks--;
    free(j);
    store_maybe_free(s);
}

int store_scan_submit(store *s, const char *const *commits, const char *const *paths, size_t n,
                      store_scan_visit visit, void (*done)(int status, void *payload),
                      void *payload)
{
    if (!s || !visit || !done || s->closing || (n && (!commits || !paths)))
        return KENES_EINVAL;
    scan_job *j = calloc(1, sizeof(*j));
    if (!j)
        return KENES_ENOMEM;
    *j = (scan_job){.s = s, .commits = commits, .paths = paths, .n = n, .visit = visit,
                    .done = done, .payload = payload};
    j->work.data = j;
    if (uv_queue_work(s->loop, &j->work, scan_work, scan_after) < 0) {
        free(j);
        return KENES_EIO;
    }
    s->reads++;
    return 0;
}
