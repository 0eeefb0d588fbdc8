/*
 * GET /api/v1/documents/{id}/dossier.zip: every version of one document,
 * its history, the diffs between them and the signing key, in one zip.
 * The versions are read and the zip built on the thread pool; in between,
 * on the loop, sealed case files are opened with their key.  A case's
 * dossier (auditors only) goes out once its download is in the access log.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/call.h"
#include "publish/dossier.h"
#include "base/log.h"
#include "storage/sign.h"
#include "base/util.h"

typedef struct dossier_job {
    uv_work_t work;
    docs_service *svc;
    http_request *req;
    const auth_user *user;
    char id[256];
    char path[300];
    size_t n;
    char (*commits)[STORE_OID_HEX];
    const char **commit_ptrs;
    char **texts;
    size_t *lens;
    char *history;
    char pub[512];
    char allowed[1024];
    char *zip;
    size_t zip_len;
    int repo;
    int status;
} dossier_job;

static void job_free(dossier_job *j)
{
    for (size_t i = 0; j->texts && i < j->n; i++)
        free(j->texts[i]);
    free(j->texts);
    free(j->lens);
    free(j->commits);
    free(j->commit_ptrs);
    free(j->history);
    free(j->zip);
    free(j);
}

static void build_work(uv_work_t *w)
{
    dossier_job *j = w->data;
    dossier_version *v = calloc(j->n, sizeof(*v));
    if (!v) {
        j->status = KENES_ENOMEM;
        return;
    }
    for (size_t i = 0; i < j->n; i++)
        v[i] = (dossier_version){j->commits[i], j->texts[i], j->lens[i]};
    dossier_input in = {j->id, v, j->n, j->history, j->pub[0] ? j->pub : NULL,
                        j->allowed[0] ? j->allowed : NULL};
    j->status = dossier_build(&j->zip, &j->zip_len, &in);
    free(v);
}

static void send_zip(int status, void *payload)
{
    dossier_job *j = payload;
    if (status < 0) {
        api_reply_error(j->req, 500, "access_log", NULL, "the access log cannot be written");
    } else {
        char extra[400];
        const char *leaf = strrchr(j->id, '/');
        snprintf(extra, sizeof(extra),
                 "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n"
                 "Content-Disposition: attachment; filename=\"%s-dossier.zip\"\r\n",
                 leaf ? leaf + 1 : j->id);
        http_respond(j->req, 200, "application/zip", extra, j->zip, j->zip_len);
    }
    job_free(j);
}

static void build_done(uv_work_t *w, int status)
{
    dossier_job *j = w->data;
    idx_doc *d = index_get(j->svc->index, j->id);
    if (status < 0 || j->status < 0 || !d) {
        log_error("dossier", "cannot build the dossier of %s (%d)", j->id, j->status);
        api_reply_error(j->req, 500, "dossier", NULL, "the dossier cannot be built");
        job_free(j);
        return;
    }
    /* A case's dossier goes out once its download is in the access log. */
    docs_log_read(j->svc, j->user, d, "dossier", send_zip, j);
}

static void read_work(uv_work_t *w)
{
    dossier_job *j = w->data;
    j->status = store_read_versions(j->svc->repos[j->repo], j->texts, j->lens, j->commit_ptrs,
                                    j->n, j->path);
}

static void read_done(uv_work_t *w, int status)
{
    dossier_job *j = w->data;
    if (status < 0 || j->status < 0) {
        api_reply_error(j->req, 500, "storage", NULL, "the versions cannot be read");
        job_free(j);
        return;
    }
    /* Sealed case files are opened here, on the loop, where the keys live. */
    for (size_t i = 0; i < j->n; i++) {
        if (!vault_is_sealed(j->texts[i], j->lens[i]))
            continue;
        char *plain;
        size_t len;
        int rc = vault_unseal(j->svc->vault, j->id, j->texts[i], j->lens[i], &plain, &len);
        if (rc < 0) {
            if (rc == KENES_ENOTFOUND)
                api_reply_code(j->req, KENES_EGONE, "gone", NULL, "this case was erased");
            else
                api_reply_code(j->req, KENES_EIO, "storage", NULL, "a version cannot be opened");
            job_free(j);
            return;
        }
        free(j->texts[i]);
        j->texts[i] = plain;
        j->lens[i] = len;
    }
    if (uv_queue_work(j->svc->loop, &j->work, build_work, build_done) != 0) {
        api_reply_error(j->req, 500, "internal", NULL, "cannot build the dossier");
        job_free(j);
    }
}

void api_doc_dossier(api_call *c)
{
    docs_service *svc = c->svc;
    http_request *req = c->req;
    const idx_doc *d = c->doc;
    json_t *history = docs_history_json(svc, d);
    dossier_job *j = calloc(1, sizeof(*j));
    if (!j) {
        json_decref(history);
        api_reply_error(req, 500, "internal", NULL, "out of memory");
        return;
    }
    j->svc = svc;
    j->req = req;
    j->user = c->user;
    j->n = d->nversions;
    j->work.data = j;
    snprintf(j->id, sizeof(j->id), "%s", d->id);
    snprintf(j->path, sizeof(j->path), "%s.md", d->id);
    j->history = json_dumps(history, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(history);
    j->commits = calloc(j->n, sizeof(*j->commits));
    j->commit_ptrs = calloc(j->n, sizeof(*j->commit_ptrs));
    j->texts = calloc(j->n, sizeof(*j->texts));
    j->lens = calloc(j->n, sizeof(*j->lens));
    if (!j->history || !j->commits || !j->commit_ptrs || !j->texts || !j->lens) {
        api_reply_error(req, 500, "internal", NULL, "out of memory");
        job_free(j);
        return;
    }
    for (size_t i = 0; i < j->n; i++) {
        memcpy(j->commits[i], d->versions[i].commit, STORE_OID_HEX);
        j->commit_ptrs[i] = j->commits[i];
    }
    const signer *sg = store_signer(svc->repos[REPO_DOCUMENTS]);
    if (sg && (sign_public_line(sg, j->pub, sizeof(j->pub)) < 0 ||
               sign_allowed_signers_line(sg, svc->cfg->committer_email, j->allowed,
                                         sizeof(j->allowed)) < 0))
        j->pub[0] = j->allowed[0] = '\0';
    j->repo = d->repo;
    if (uv_queue_work(svc->loop, &j->work, read_work, read_done) != 0) {
        api_reply_error(req, 500, "internal", NULL, "cannot read the versions");
        job_free(j);
    }
}
