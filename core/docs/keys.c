/*
 * The key file of a sealed document, read on the thread pool (issue 16,
 * item 4): start-up only lists the key files (vault.h), and the first use
 * of a listed key reads its 72 bytes in the same pool job that reads the
 * document from git (fetch.c, read.c), or in a job of its own when the
 * document is at hand already (docs_key_first).  The loop unwraps the
 * bytes; it never opens a key file in serve.
 *
 * The same reads notice a key file that went away while the server held
 * its key in memory (probe finding 12): the case then answers 503
 * case_key_unavailable at once, as it would after a restart, instead of
 * going on sealing new versions with a key no file holds.  The key the
 * server still held is written beside the file as "<hex>.key.held", which
 * the vault never lists: an operator who removed the file on purpose
 * deletes that too, one who lost it renames it back and restarts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/log.h"
#include "base/util.h"
#include "docs/docs.h"
#include "docs/internal.h"

#define HELD_SUFFIX ".held"

int docs_key_read_path(char *out, size_t cap, const docs_service *svc, const idx_doc *d)
{
    out[0] = '\0';
    if (d->repo != REPO_CASES || !svc->vault || !vault_has_key(svc->vault, d->id) ||
        docs_key_unavailable(svc, d))
        return 0;
    vault_key_path(svc->vault, d->id, out, cap);
    return out[0] != '\0';
}

typedef struct held_job {
    uv_work_t work;
    char path[4200];
    char *wrapped;
    size_t len;
    int rc;
} held_job;

static void held_work(uv_work_t *w)
{
    held_job *j = w->data;
    j->rc = util_write_file_atomic(j->path, j->wrapped, j->len, 0600);
}

static void held_done(uv_work_t *w, int status)
{
    held_job *j = w->data;
    if (status < 0 || j->rc < 0)
        log_error("index", "cannot write %s: %s", j->path,
                  kenes_strerror(status < 0 ? KENES_EIO : j->rc));
    free(j->wrapped);
    free(j);
}

/* The key of id, still in memory, written on the pool to <key file>.held. */
static void key_hold(docs_service *svc, const char *id, const char *key_path)
{
    held_job *j = calloc(1, sizeof(*j));
    if (!j || vault_key_wrap(svc->vault, id, &j->wrapped, &j->len) < 0) {
        free(j);
        return;
    }
    snprintf(j->path, sizeof(j->path), "%s%s", key_path, HELD_SUFFIX);
    j->work.data = j;
    if (uv_queue_work(svc->loop, &j->work, held_work, held_done) != 0) {
        free(j->wrapped);
        free(j);
    }
}

int docs_key_settle(docs_service *svc, const char *id, int status, const char *bytes, size_t len)
{
    vault *v = svc->vault;
    idx_doc *d;
    if (vault_unavailable(v, id))
        return KENES_EUNAVAILABLE;
    if (!vault_has_key(v, id))
        return 0; /* erased meanwhile: the unseal says so */
    char path[4096], why[4400];
    vault_key_path(v, id, path, sizeof(path));
    int listed = vault_key_listed(v, id), rc;
    if (status == 0 && listed) {
        rc = vault_key_supply(v, id, bytes, len);
    } else if (status == 0) {
        return 0;
    } else if (!listed && (!(d = index_get(svc->index, id)) || d->busy)) {
        return 0; /* an erasure on its way moves the file aside: the commit decides */
    } else {
        if (listed)
            snprintf(why, sizeof(why), "cannot read its key file %s: %s", path,
                     status == KENES_ENOTFOUND ? "no such file" : kenes_strerror(status));
        else
            snprintf(why, sizeof(why), "its key file %s was removed while the server ran", path);
        rc = vault_key_lost(v, id, why);
    }
    if (rc != KENES_EUNAVAILABLE)
        return rc;
    /* Once per case: from now on docs_find answers before anything reads. */
    if (!listed) {
        log_error("index", "%s: %s; it answers 503 (case_key_unavailable) from now on. The key "
                           "the server still held is in %s%s: rename it to %s and restart to "
                           "bring the case back, or delete it if the key was removed on purpose",
                  id, vault_unavailable(v, id), path, HELD_SUFFIX, path);
        key_hold(svc, id, path);
    } else {
        log_error("index", "%s: %s; it answers 503 (case_key_unavailable) until the file is "
                           "restored from the backup of DATA/keys and the server restarted",
                  id, vault_unavailable(v, id));
    }
    return rc;
}

/* ---- a key alone, for a document already in memory ---- */

typedef struct key_job {
    uv_work_t work;
    docs_service *svc;
    char id[256];
    char path[4096];
    char *bytes;
    size_t len;
    int status;
    void (*again)(void *args);
    void (*fail)(int code, void *args);
    void *args;
} key_job;

static void key_work(uv_work_t *w)
{
    key_job *j = w->data;
    j->status = util_read_file(&j->bytes, &j->len, j->path);
}

static void key_done(uv_work_t *w, int status)
{
    key_job *j = w->data;
    int rc = docs_key_settle(j->svc, j->id, status < 0 ? KENES_EIO : j->status, j->bytes,
                             j->len);
    free(j->bytes);
    if (rc < 0)
        j->fail(rc, j->args);
    else
        j->again(j->args);
    free(j);
}

int docs_key_first(docs_service *svc, const idx_doc *d, void (*again)(void *args),
                   void (*fail)(int code, void *args), void *args)
{
    if (d->repo != REPO_CASES || !svc->vault || !vault_key_listed(svc->vault, d->id))
        return 0;
    key_job *j = calloc(1, sizeof(*j));
    if (!j) {
        fail(KENES_ENOMEM, args);
        return 1;
    }
    *j = (key_job){.svc = svc, .again = again, .fail = fail, .args = args};
    j->work.data = j;
    snprintf(j->id, sizeof(j->id), "%s", d->id);
    vault_key_path(svc->vault, d->id, j->path, sizeof(j->path));
    if (!j->path[0] || uv_queue_work(svc->loop, &j->work, key_work, key_done) != 0) {
        free(j);
        fail(KENES_EIO, args);
    }
    return 1;
}
