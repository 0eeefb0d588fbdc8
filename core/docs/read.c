/*
 * Reads of one document: as it stands, its history, a past version, a
 * diff.  Past versions and diffs come from git on the thread pool; sealed
 * case files are opened here, on the loop, where the keys live.  Nothing of
 * a confidential document goes to the caller before the access log holds
 * the read (docs_log_read): the rule lives here once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/util.h"
#include "docs/docs.h"
#include "docs/rights.h"
#include "storage/docfile.h"
#include "storage/note.h"

static void answer(docs_cb cb, void *payload, int code, const char *reason, const char *message,
                   json_t *json)
{
    docs_result r = {code, reason, message, NULL, NULL, 0, json};
    cb(&r, payload);
}

int docs_find(idx_doc **out, docs_result *why, docs_service *svc, const auth_user *u,
              const char *id, int history_only)
{
    idx_doc *d = index_get(svc->index, id);
    *out = NULL;
    *why = (docs_result){0};
    if (!d || !d->version[0])
        *why = (docs_result){.code = KENES_ENOTFOUND, .reason = "not_found",
                               .message = "no such document"};
    else if (!docs_may_read(svc, u, d))
        *why = (docs_result){.code = KENES_EFORBIDDEN, .reason = "forbidden",
                               .message = "your role may not read this document"};
    /* An erased case keeps its history (who, when, which action) and nothing else. */
    else if (!history_only && docs_erased(svc, d))
        *why = (docs_result){.code = KENES_EGONE, .reason = "gone",
                               .message = "this case was erased"};
    else
        *out = d;
    return why->code;
}

/* ---- the access log ---- */

typedef struct logged_read {
    docs_cb cb;
    docs_logged_cb logged;
    void *payload;
    json_t *json; /* what the read shows, once logged */
} logged_read;

static void logged_read_done(int code, void *payload)
{
    logged_read *lr = payload;
    if (lr->logged)
        lr->logged(code, lr->payload);
    else if (code < 0)
        answer(lr->cb, lr->payload, KENES_EIO, "access_log", "the access log cannot be written",
               NULL); /* no record of the read, no read */
    else
        answer(lr->cb, lr->payload, 0, NULL, NULL, lr->json);
    json_decref(lr->json);
    free(lr);
}

/* Log the read, then give cb json (stolen) or logged the outcome. */
static void log_then(docs_service *svc, const auth_user *u, const idx_doc *d, const char *what,
                     json_t *json, docs_cb cb, docs_logged_cb logged, void *payload)
{
    logged_read *lr = calloc(1, sizeof(*lr));
    if (!lr) {
        json_decref(json);
        if (logged)
            logged(KENES_ENOMEM, payload);
        else
            answer(cb, payload, KENES_ENOMEM, "internal", "out of memory", NULL);
        return;
    }
    *lr = (logged_read){cb, logged, payload, json};
    if (!docs_confidential(svc, d)) {
        logged_read_done(0, lr);
        return;
    }
    int rc = alog_append(svc->alog, u->name, role_name(u->role), d->id, what, logged_read_done,
                         lr);
    if (rc < 0)
        logged_read_done(rc, lr);
}

void docs_log_read(docs_service *svc, const auth_user *u, const idx_doc *d, const char *what,
                   docs_logged_cb cb, void *payload)
{
    log_then(svc, u, d, what, NULL, NULL, cb, payload);
}

/* ---- the document and its history ---- */

void docs_read(docs_service *svc, const auth_user *u, const idx_doc *d, docs_cb cb,
               void *payload)
{
    log_then(svc, u, d, "read", docs_answer(svc, d, d->doc, d->version), cb, NULL, payload);
}

/* A version's comment for the history, or NULL; *owned when malloc'd.  A
 * case's is opened from its sealed note, only while the case has its key:
 * after an erasure nothing typed is shown (not even a comment an older
 * server wrote in the clear). */
static const char *version_comment(docs_service *svc, const idx_doc *d, const idx_version *v,
                                   int erased, char **owned)
{
    *owned = NULL;
    if (erased)
        return NULL;
    if (!v->note)
        return v->comment;
    int rc = note_open(owned, svc->vault, d->id, v->note);
    if (rc < 0 && rc != KENES_ENOTFOUND)
        log_warn("store", "the sealed note of %s at %.12s does not open", d->id, v->commit);
    return *owned;
}

json_t *docs_history_json(docs_service *svc, const idx_doc *d)
{
    json_t *list = json_array();
    int erased = docs_erased(svc, d);
    for (size_t i = d->nversions; i-- > 0;) {
        const idx_version *v = &d->versions[i];
        char when[32], *owned;
        const char *comment = version_comment(svc, d, v, erased, &owned);
        util_format_rfc3339(when, sizeof(when), v->time_ms);
        json_array_append_new(
            list, json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s, s:s?, s:s?, s:s?}", "commit",
                            v->commit, "time", when, "author", v->author, "action", v->action,
                            "from", v->from, "to", v->to, "comment", comment, "role", v->role,
                            "approval", v->approval));
        free(owned);
    }
    return json_pack("{s:s, s:o}", "id", d->id, "versions", list);
}

void docs_history(docs_service *svc, const auth_user *u, const idx_doc *d, docs_cb cb,
                  void *payload)
{
    log_then(svc, u, d, "history", docs_history_json(svc, d), cb, NULL, payload);
}

const idx_version *docs_find_version(const idx_doc *d, const char *commit)
{
    for (size_t i = 0; commit && i < d->nversions; i++)
        if (strcmp(d->versions[i].commit, commit) == 0)
            return &d->versions[i];
    return NULL;
}

const idx_version *docs_version_at(const idx_doc *d, int64_t at_ms)
{
    return index_version_at(d, at_ms);
}

/* ---- past versions and diffs, from git ---- */

typedef struct read_op {
    store_read r;
    docs_service *svc;
    const auth_user *user;
    docs_cb cb;
    void *payload;
    char id[256];
    char path[300];
} read_op;

/* A stored file as text: sealed case files are opened with their key.
 * *text is r's buffer or a new one (then *owned set); KENES_ENOTFOUND when
 * the key was destroyed. */
static int open_file(docs_service *svc, const char *id, char *buf, size_t len, char **text,
                     size_t *text_len, int *owned)
{
    *owned = 0;
    *text = buf;
    *text_len = len;
    if (!vault_is_sealed(buf, len))
        return 0;
    int rc = vault_unseal(svc->vault, id, buf, len, text, text_len);
    *owned = rc == 0;
    return rc;
}

static void version_read_done(store_read *r, void *payload)
{
    read_op *op = payload;
    json_t *doc = NULL;
    char err[256], *text = NULL;
    size_t len = 0;
    int owned = 0, orc = KENES_EIO;
    idx_doc *d = index_get(op->svc->index, op->id);
    if (d && r->status == 0)
        orc = open_file(op->svc, op->id, r->result, r->result_len, &text, &len, &owned);
    if (orc == KENES_ENOTFOUND) {
        answer(op->cb, op->payload, KENES_EGONE, "gone", "this case was erased", NULL);
    } else if (orc < 0 || doc_parse(&doc, text, len, err, sizeof(err)) < 0) {
        log_error("store", "cannot read %s at %.12s", op->id, r->commit);
        answer(op->cb, op->payload, KENES_EIO, "storage", "that version cannot be read", NULL);
    } else {
        json_t *out = docs_answer(op->svc, d, doc, r->commit);
        /* due/overdue speak of the document now, not of a past version. */
        json_object_del(out, "due");
        json_object_del(out, "overdue");
        log_then(op->svc, op->user, d, "version", out, op->cb, NULL, op->payload);
    }
    json_decref(doc);
    if (owned)
        free(text);
    free(r->result);
    free(op);
}

static void diff_read_done(store_read *r, void *payload)
{
    read_op *op = payload;
    idx_doc *d = index_get(op->svc->index, op->id);
    char *diff = r->result, *a = NULL, *b = NULL;
    size_t diff_len = r->result_len, alen = 0, blen = 0;
    int own_a = 0, own_b = 0, rc = d && r->status == 0 ? 0 : KENES_EIO;
    if (rc == 0 && r->kind == STORE_READ_PAIR) {
        /* Sealed files are compared once opened, never as ciphertext. */
        diff = NULL;
        rc = open_file(op->svc, op->id, r->result, r->result_len, &a, &alen, &own_a);
        if (rc == 0)
            rc = open_file(op->svc, op->id, r->result2, r->result2_len, &b, &blen, &own_b);
        if (rc == 0)
            rc = store_diff_buffers(&diff, &diff_len, op->path, a, alen, b, blen);
    }
    if (rc == KENES_ENOTFOUND)
        answer(op->cb, op->payload, KENES_EGONE, "gone", "this case was erased", NULL);
    else if (rc < 0)
        answer(op->cb, op->payload, KENES_EIO, "storage", "the diff cannot be computed", NULL);
    else
        log_then(op->svc, op->user, d, "diff",
                 json_pack("{s:s, s:s, s:s, s:s%}", "id", op->id, "from", r->commit, "to",
                           r->commit_to, "diff", diff ? diff : "", diff_len),
                 op->cb, NULL, op->payload);
    if (own_a)
        free(a);
    if (own_b)
        free(b);
    if (diff != r->result)
        free(diff);
    free(r->result);
    free(r->result2);
    free(op);
}

static void start_read(docs_service *svc, const auth_user *u, const idx_doc *d,
                       enum store_read_kind kind, const char *from, const char *to, docs_cb cb,
                       void *payload)
{
    read_op *op = calloc(1, sizeof(*op));
    if (!op) {
        answer(cb, payload, KENES_ENOMEM, "internal", "out of memory", NULL);
        return;
    }
    op->svc = svc;
    op->user = u;
    op->cb = cb;
    op->payload = payload;
    snprintf(op->id, sizeof(op->id), "%s", d->id);
    snprintf(op->path, sizeof(op->path), "%s.md", d->id);
    op->r.kind = kind;
    op->r.path = op->path;
    snprintf(op->r.commit, sizeof(op->r.commit), "%s", from);
    snprintf(op->r.commit_to, sizeof(op->r.commit_to), "%s", to ? to : "");
    if (store_read_submit(docs_store(svc, d), &op->r,
                          kind == STORE_READ_FILE ? version_read_done : diff_read_done, op) < 0) {
        free(op);
        answer(cb, payload, KENES_EIO, "internal", "cannot start the read", NULL);
    }
}

void docs_read_version(docs_service *svc, const auth_user *u, const idx_doc *d,
                       const char *commit, docs_cb cb, void *payload)
{
    if (!docs_find_version(d, commit)) {
        answer(cb, payload, KENES_ENOTFOUND, "not_found", "not a version of this document", NULL);
        return;
    }
    start_read(svc, u, d, STORE_READ_FILE, commit, NULL, cb, payload);
}

void docs_diff(docs_service *svc, const auth_user *u, const idx_doc *d, const char *from,
               const char *to, docs_cb cb, void *payload)
{
    const idx_version *vt = to ? docs_find_version(d, to) : &d->versions[d->nversions - 1];
    if (!vt) {
        answer(cb, payload, KENES_ENOTFOUND, "not_found", "'to' is not a version of this document",
               NULL);
        return;
    }
    /* Without from: the version before to (the first version diffs against itself). */
    const idx_version *vf = from ? docs_find_version(d, from) : vt > d->versions ? vt - 1 : vt;
    if (!vf) {
        answer(cb, payload, KENES_ENOTFOUND, "not_found",
               "'from' is not a version of this document", NULL);
        return;
    }
    start_read(svc, u, d, d->repo == REPO_CASES ? STORE_READ_PAIR : STORE_READ_DIFF, vf->commit,
               vt->commit, cb, payload);
}
