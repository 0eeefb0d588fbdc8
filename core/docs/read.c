/*
 * Reads of one document: as it stands, its history, a past version, a
 * diff.  Past versions and diffs come from git on the thread pool; sealed
 * case files are opened here, on the loop, where the keys live.  Nothing of
 * a confidential document goes to the caller before the access log holds
 * the read (log_then): the rule lives here once, and every read, a write's
 * answer and an export pass through it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/map.h"
#include "base/util.h"
#include "docs/docs.h"
#include "docs/entry.h"
#include "docs/fetch.h"
#include "docs/internal.h"
#include "docs/rights.h"
#include "storage/docfile.h"
#include "storage/note.h"

static void answer(docs_cb cb, void *payload, int code, const char *reason, const char *message,
                   json_t *json)
{
    docs_result r = {.code = code, .reason = reason, .message = message, .json = json};
    cb(&r, payload);
}

/* 1 if u may read some type of sealed document (a case, a meeting...):
 * then u may learn that one is there while its key cannot be used, whose
 * type and region nobody can read now to judge u's rights by. */
static int may_hear_of_sealed(const docs_service *svc, const auth_user *u)
{
    if (!u)
        return 0;
    for (size_t i = 0; i < wf_set_count(svc->workflows); i++) {
        const wf_workflow *wf = wf_set_at(svc->workflows, i);
        if (docs_repo_of_type(svc, wf->type) != REPO_CASES)
            continue;
        if (u->role == ROLE_ADMIN || wf->nread == 0)
            return 1;
        for (size_t k = 0; k < wf->nread; k++)
            if (wf->read[k].roles & (unsigned)u->role)
                return 1;
    }
    return 0;
}

int docs_find(idx_doc **out, docs_result *why, docs_service *svc, const auth_user *u,
              const char *id, int history_only)
{
    idx_doc *d = index_get(svc->index, id);
    int judged = d && (d->doc || d->entry.kept); /* its rights can be read */
    *out = NULL;
    *why = (docs_result){0};
    /* A replica that holds no case keys knows the cases' ids alone: one who
     * may hear of a case learns why it is not opened here. */
    if (!d && svc->cases_withheld && map_get(svc->cases_withheld, id) &&
        may_hear_of_sealed(svc, u))
        *why = (docs_result){.code = KENES_EUNAVAILABLE, .reason = "replica_no_case_keys",
                               .message = "this read-only replica holds no case keys, so "
                                          "cases, meetings and referrals are not opened here: "
                                          "read them on the primary, or have an administrator "
                                          "copy DATA/keys from the primary to this replica"};
    else if (!d || !d->version[0] ||
             (docs_key_unavailable(svc, d) && !judged && !may_hear_of_sealed(svc, u)))
        *why = (docs_result){.code = KENES_ENOTFOUND, .reason = "not_found",
                               .message = "no such document"};
    /* Judged from the index entry before anything is read, so that one who
     * may not read it learns no more of an unavailable case than of any
     * other (and no read is spent on a refusal). */
    else if (judged && !docs_may_read(svc, u, d))
        *why = (docs_result){.code = KENES_EFORBIDDEN, .reason = "forbidden",
                               .message = "your role may not read this document"};
    /* Its history too: the comments in it are sealed with the same key. */
    else if (docs_key_unavailable(svc, d))
        *why = (docs_result){.code = KENES_EUNAVAILABLE, .reason = "case_key_unavailable",
                               .message = "this document's key cannot be read now, so it is "
                                          "neither shown nor changed; an administrator restores "
                                          "its key file from the backup of DATA/keys"};
    /* Not in memory (docs/fetch.h): its read failed, or no request fetched
     * it first; the rules below read it (until the index entry holds what
     * they need), so nothing is judged without it. */
    else if (!docs_fetch_now(svc, d)) /* a resident one parsed from its text */
        *why = (docs_result){.code = KENES_EIO, .reason = "storage",
                               .message = "this document cannot be read now; try again"};
    /* An erased case keeps its history (who, when, which action) and nothing else. */
    else if (!history_only && docs_erased(svc, d))
        *why = (docs_result){.code = KENES_EGONE, .reason = "gone",
                               .message = "this case was erased"};
    else
        *out = d;
    return why->code;
}

int docs_find_entry(json_t **out, docs_service *svc, const auth_user *u, const char *id)
{
    idx_doc *d = index_get(svc->index, id);
    *out = NULL;
    if (!d || !d->version[0] || (!d->doc && !d->entry.kept))
        return KENES_ENOTFOUND;
    if (!docs_may_read(svc, u, d))
        return KENES_EFORBIDDEN;
    if (docs_key_unavailable(svc, d))
        return KENES_EUNAVAILABLE;
    if (docs_erased(svc, d))
        return KENES_EGONE;
    return (*out = docs_entry(svc, d)) ? 0 : KENES_ENOMEM;
}

int docs_may_read_early(const docs_service *svc, const auth_user *u, const idx_doc *d)
{
    return (!d->doc && !d->entry.kept) || docs_may_read(svc, u, d);
}

/* ---- the access log ---- */

/* What a read hands over once the access log holds it. */
typedef struct logged_read {
    docs_cb cb;
    void *payload;
    docs_result r; /* r.json and r.data are owned here until cb has run */
    char version[41];
    int written; /* a write's answer: the change is made whether or not the log is */
} logged_read;

/* A write that is made but whose reading the log did not take: say so (a
 * refusal would invite sending it twice), without the document. */
static json_t *withheld(const json_t *answer)
{
    return json_pack("{s:O, s:O, s:O, s:s}", "id", json_object_get(answer, "id"), "version",
                     json_object_get(answer, "version"), "stage",
                     json_object_get(answer, "stage"), "withheld",
                     "saved; the access log cannot be written, so the document is not shown: "
                     "read it again later");
}

static void logged_read_done(int code, void *payload)
{
    logged_read *lr = payload;
    if (code < 0 && lr->written) {
        json_t *shown = withheld(lr->r.json);
        json_decref(lr->r.json);
        lr->r.json = shown;
    }
    if (code < 0 && !lr->written)
        answer(lr->cb, lr->payload, KENES_EIO, "access_log", "the access log cannot be written",
               NULL); /* no record of the read, no read */
    else
        lr->cb(&lr->r, lr->payload);
    json_decref(lr->r.json);
    free((void *)lr->r.data); /* owned here: see log_then */
    free(lr);
}

/* Log that u read d (what: "read", "history", "version", "diff",
 * "dossier"), then hand cb r (whose json and data are stolen): for a
 * confidential type once the access log's line is durable, for any other at
 * once.  Every read below goes through here, so none can forget. */
static void log_then(docs_service *svc, const auth_user *u, const idx_doc *d, const char *what,
                     const docs_result *r, int written, docs_cb cb, void *payload)
{
    logged_read *lr = calloc(1, sizeof(*lr));
    if (!lr && written) {
        docs_result shown = *r; /* made all the same: never a refusal */
        shown.json = withheld(r->json);
        cb(&shown, payload);
        json_decref(shown.json);
    } else if (!lr) {
        answer(cb, payload, KENES_ENOMEM, "internal", "out of memory", NULL);
    }
    if (!lr) {
        json_decref(r->json);
        free((void *)r->data);
        return;
    }
    *lr = (logged_read){.cb = cb, .payload = payload, .r = *r, .written = written};
    if (r->version) {
        snprintf(lr->version, sizeof(lr->version), "%s", r->version);
        lr->r.version = lr->version;
    }
    if (!docs_confidential(svc, d)) {
        logged_read_done(0, lr);
        return;
    }
    int rc = alog_append(svc->alog, u->name, role_name(u->role), d->id, what, logged_read_done,
                         lr);
    if (rc < 0)
        logged_read_done(rc, lr);
}

/* Hand cb json (stolen) once its reading is logged. */
static void show(docs_service *svc, const auth_user *u, const idx_doc *d, const char *what,
                 json_t *json, docs_cb cb, void *payload)
{
    docs_result r = {.json = json};
    log_then(svc, u, d, what, &r, 0, cb, payload);
}

/* The document as it stands, and beside it the version in force when that
 * is another (an amendment on its way): "in_force" (public_face.c). */
static int current_answer(json_t **out, docs_service *svc, const idx_doc *d)
{
    json_t *in_force;
    int rc = docs_in_force_json(&in_force, svc, d);
    *out = rc < 0 ? NULL : docs_answer(svc, d, d->doc, d->version);
    if (*out && in_force)
        json_object_set(*out, "in_force", in_force);
    json_decref(in_force);
    return rc;
}

void docs_show_written(docs_service *svc, const auth_user *u, idx_doc *d, int created,
                       docs_cb cb, void *payload)
{
    /* The commit landed: the answer says so, with or without the version
     * in force beside it (a read of the document says storage instead). */
    json_t *json;
    if (current_answer(&json, svc, d) < 0)
        json = docs_answer(svc, d, d->doc, d->version);
    docs_result r = {.doc = d, .created = created, .version = d->version, .json = json};
    log_then(svc, u, d, "read", &r, 1, cb, payload);
}

/* ---- the document and its history ---- */

void docs_read_now(docs_service *svc, const auth_user *u, const idx_doc *d, docs_cb cb,
                   void *payload)
{
    json_t *json;
    int rc = current_answer(&json, svc, d);
    if (rc < 0) {
        docs_refuse(cb, payload, rc, rc == KENES_EIO ? "storage" : "internal", NULL,
                    "the document's version in force cannot be read now");
        return;
    }
    show(svc, u, d, "read", json, cb, payload);
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

/* The history's JSON (new reference), newest first, or NULL when its older
 * versions cannot be read back (the index logged why): never a shorter one. */
static json_t *history_json(docs_service *svc, const idx_doc *d)
{
    int erased = docs_erased(svc, d);
    idx_version *all;
    size_t n;
    if (index_versions(&all, &n, d) < 0)
        return NULL;
    json_t *list = json_array();
    /* Which edition each version belongs to (an amendment is one). */
    docs_edition_mark *marks = calloc(n ? n : 1, sizeof(*marks));
    if (marks)
        docs_edition_marks(marks, svc, d, all, n);
    for (size_t i = n; i-- > 0;) {
        const idx_version *v = &all[i];
        char when[32], *owned;
        const char *comment = version_comment(svc, d, v, erased, &owned);
        util_format_rfc3339(when, sizeof(when), v->time_ms);
        json_array_append_new(
            list, json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s, s:s?, s:s?, s:s?}", "commit",
                            v->commit, "time", when, "author", v->author, "action", v->action,
                            "from", v->from, "to", v->to, "comment", comment, "role", v->role,
                            "approval", v->approval));
        json_t *e = json_array_get(list, json_array_size(list) - 1);
        json_object_set_new(e, "edition", json_integer(marks ? marks[i].edition : 0));
        json_object_set_new(e, "in_force_from", json_boolean(marks && marks[i].in_force_from));
        free(owned);
    }
    free(marks);
    free(all);
    return json_pack("{s:s, s:o}", "id", d->id, "versions", list);
}

void docs_history(docs_service *svc, const auth_user *u, const idx_doc *d, docs_cb cb,
                  void *payload)
{
    json_t *history = history_json(svc, d);
    if (!history) {
        docs_refuse(cb, payload, KENES_EIO, "storage", NULL, "the history cannot be read now");
        return;
    }
    show(svc, u, d, "history", history, cb, payload);
}

int docs_find_version(idx_version *out, size_t *no, const idx_doc *d, const char *commit)
{
    return index_find_version(out, no, d, commit);
}

int docs_version_at(idx_version *out, size_t *no, const idx_doc *d, int64_t at_ms)
{
    return index_version_at(out, no, d, at_ms);
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
    char key_file[4096]; /* a sealed document's key file, read by the same job */
} read_op;

/* A read that failed: 503 when the document's key cannot be used (logged
 * once, where it was found out), 410 when it was erased, else 500. */
static void read_failed(docs_cb cb, void *payload, int rc, const char *what)
{
    if (rc == KENES_EUNAVAILABLE)
        answer(cb, payload, rc, "case_key_unavailable",
               "this document's key cannot be read now, so it is not shown; an administrator "
               "restores its key file from the backup of DATA/keys", NULL);
    else if (rc == KENES_ENOTFOUND || rc == KENES_EGONE)
        answer(cb, payload, KENES_EGONE, "gone", "this case was erased", NULL);
    else
        answer(cb, payload, KENES_EIO, "storage", what, NULL);
}

/* The key file the job read beside the document, settled on the loop
 * (keys.c): 0, or KENES_EUNAVAILABLE. */
static int read_key(read_op *op, store_read *r)
{
    int rc = r->side_path ? docs_key_settle(op->svc, op->id, r->side_status, r->side,
                                            r->side_len)
                          : 0;
    free(r->side);
    r->side = NULL;
    return rc;
}

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
    int owned = 0, orc = read_key(op, r);
    idx_doc *d = index_get(op->svc->index, op->id);
    if (orc == 0)
        orc = d && r->status == 0
                  ? open_file(op->svc, op->id, r->result, r->result_len, &text, &len, &owned)
                  : KENES_EIO;
    if (orc == 0 && doc_parse(&doc, text, len, err, sizeof(err)) < 0)
        orc = KENES_EIO;
    if (orc == KENES_EIO)
        log_error("store", "cannot read %s at %.12s", op->id, r->commit);
    if (orc < 0) {
        read_failed(op->cb, op->payload, orc, "that version cannot be read");
    } else {
        json_t *out = docs_answer(op->svc, d, doc, r->commit);
        /* due/overdue speak of the document now, not of a past version. */
        json_object_del(out, "due");
        json_object_del(out, "overdue");
        show(op->svc, op->user, d, "version", out, op->cb, op->payload);
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
    int own_a = 0, own_b = 0, rc = read_key(op, r);
    if (rc == 0 && (!d || r->status < 0))
        rc = KENES_EIO;
    if (rc == 0 && r->kind == STORE_READ_PAIR) {
        /* Sealed files are compared once opened, never as ciphertext. */
        diff = NULL;
        rc = open_file(op->svc, op->id, r->result, r->result_len, &a, &alen, &own_a);
        if (rc == 0)
            rc = open_file(op->svc, op->id, r->result2, r->result2_len, &b, &blen, &own_b);
        if (rc == 0)
            rc = store_diff_buffers(&diff, &diff_len, op->path, a, alen, b, blen);
    }
    if (rc < 0)
        read_failed(op->cb, op->payload, rc, "the diff cannot be computed");
    else
        show(op->svc, op->user, d, "diff",
             json_pack("{s:s, s:s, s:s, s:s%}", "id", op->id, "from", r->commit, "to",
                       r->commit_to, "diff", diff ? diff : "", diff_len),
             op->cb, op->payload);
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
    docs_path(op->path, sizeof(op->path), svc, d, ".md");
    op->r.kind = kind;
    op->r.path = op->path;
    if (docs_key_read_path(op->key_file, sizeof(op->key_file), svc, d))
        op->r.side_path = op->key_file;
    snprintf(op->r.commit, sizeof(op->r.commit), "%s", from);
    snprintf(op->r.commit_to, sizeof(op->r.commit_to), "%s", to ? to : "");
    if (store_read_submit(docs_store(svc, d), &op->r,
                          kind == STORE_READ_FILE ? version_read_done : diff_read_done, op) < 0) {
        free(op);
        answer(cb, payload, KENES_EIO, "internal", "cannot start the read", NULL);
    }
}

void docs_read_at_now(docs_service *svc, const auth_user *u, const idx_doc *d, int64_t at_ms,
                      docs_cb cb, void *payload)
{
    idx_version then;
    int rc = docs_version_at(&then, NULL, d, at_ms);
    if (rc < 0)
        answer(cb, payload, KENES_EIO, "storage", "the history cannot be read now", NULL);
    else if (!rc)
        answer(cb, payload, KENES_ENOTFOUND, "not_found", "the document did not exist yet", NULL);
    else
        start_read(svc, u, d, STORE_READ_FILE, then.commit, NULL, cb, payload);
}

void docs_read_version(docs_service *svc, const auth_user *u, const idx_doc *d,
                       const char *commit, docs_cb cb, void *payload)
{
    idx_version seen;
    int rc = docs_find_version(&seen, NULL, d, commit);
    if (rc <= 0) {
        if (rc < 0)
            answer(cb, payload, KENES_EIO, "storage", "the history cannot be read now", NULL);
        else
            answer(cb, payload, KENES_ENOTFOUND, "not_found", "not a version of this document",
                   NULL);
        return;
    }
    start_read(svc, u, d, STORE_READ_FILE, commit, NULL, cb, payload);
}

void docs_diff(docs_service *svc, const auth_user *u, const idx_doc *d, const char *from,
               const char *to, docs_cb cb, void *payload)
{
    idx_version vt, vf;
    size_t no = 0;
    int found = to ? docs_find_version(&vt, &no, d, to) : index_head(d) != NULL;
    if (found && !to) {
        vt = *index_head(d);
        no = index_version_count(d);
    }
    if (found < 0) {
        answer(cb, payload, KENES_EIO, "storage", "the history cannot be read now", NULL);
        return;
    }
    if (!found) {
        answer(cb, payload, KENES_ENOTFOUND, "not_found", "'to' is not a version of this document",
               NULL);
        return;
    }
    /* Without from: the version before to (the first version diffs against itself). */
    if (from)
        found = docs_find_version(&vf, NULL, d, from);
    else
        found = no <= 1 ? (vf = vt, 1) : index_version_no(&vf, d, no - 1);
    if (found < 0) {
        answer(cb, payload, KENES_EIO, "storage", "the history cannot be read now", NULL);
        return;
    }
    if (!found) {
        answer(cb, payload, KENES_ENOTFOUND, "not_found",
               "'from' is not a version of this document", NULL);
        return;
    }
    start_read(svc, u, d, d->repo == REPO_CASES ? STORE_READ_PAIR : STORE_READ_DIFF, vf.commit,
               vt.commit, cb, payload);
}

/* ---- every version at once, for an export ---- */

typedef struct export_op {
    uv_work_t work;
    docs_service *svc;
    const auth_user *user;
    docs_packer pk;
    docs_cb cb;
    void *payload;
    char id[256];
    char path[300];
    int repo;
    size_t n;
    char (*commits)[STORE_OID_HEX];
    const char **commit_ptrs;
    char **texts;
    size_t *lens;
    char *history;
    char *out;
    size_t out_len;
    int status;
} export_op;

static void export_free(export_op *op)
{
    for (size_t i = 0; op->texts && i < op->n; i++)
        free(op->texts[i]);
    free(op->texts);
    free(op->lens);
    free(op->commits);
    free(op->commit_ptrs);
    free(op->history);
    free(op->out);
    free(op);
}

/* On the thread pool: the packer sees the opened texts; only its bytes leave. */
static void pack_work(uv_work_t *w)
{
    export_op *op = w->data;
    docs_versions v = {op->id, op->commit_ptrs, (const char *const *)op->texts, op->lens, op->n,
                       op->history, op->path};
    op->status = op->pk.pack(&op->out, &op->out_len, &v, op->pk.payload);
}

static void pack_done(uv_work_t *w, int status)
{
    export_op *op = w->data;
    idx_doc *d = index_get(op->svc->index, op->id);
    if (status < 0 || op->status < 0 || !d) {
        char msg[128];
        log_error(op->pk.what, "cannot build the %s of %s (%d)", op->pk.what, op->id,
                  op->status);
        snprintf(msg, sizeof(msg), "the %s cannot be built", op->pk.what);
        answer(op->cb, op->payload, KENES_EIO, op->pk.what, msg, NULL);
        export_free(op);
        return;
    }
    /* What leaves goes out once its reading is in the access log. */
    docs_result r = {.data = op->out, .data_len = op->out_len};
    op->out = NULL;
    log_then(op->svc, op->user, d, op->pk.what, &r, 0, op->cb, op->payload);
    export_free(op);
}

static void versions_work(uv_work_t *w)
{
    export_op *op = w->data;
    op->status = store_read_versions(op->svc->repos[op->repo], op->texts, op->lens,
                                     op->commit_ptrs, op->n, op->path);
}

static void versions_done(uv_work_t *w, int status)
{
    export_op *op = w->data;
    if (status < 0 || op->status < 0) {
        answer(op->cb, op->payload, KENES_EIO, "storage", "the versions cannot be read", NULL);
        export_free(op);
        return;
    }
    /* Sealed case files are opened here, on the loop, where the keys live. */
    for (size_t i = 0; i < op->n; i++) {
        char *text;
        size_t len;
        int owned, rc = open_file(op->svc, op->id, op->texts[i], op->lens[i], &text, &len, &owned);
        if (rc < 0) {
            read_failed(op->cb, op->payload, rc, "a version cannot be opened");
            export_free(op);
            return;
        }
        if (owned) {
            free(op->texts[i]);
            op->texts[i] = text;
            op->lens[i] = len;
        }
    }
    if (uv_queue_work(op->svc->loop, &op->work, pack_work, pack_done) != 0) {
        char msg[128];
        snprintf(msg, sizeof(msg), "cannot build the %s", op->pk.what);
        answer(op->cb, op->payload, KENES_EIO, "internal", msg, NULL);
        export_free(op);
    }
}

void docs_export_now(docs_service *svc, const auth_user *u, const idx_doc *d,
                     const docs_packer *pk, docs_cb cb, void *payload)
{
    json_t *history = history_json(svc, d);
    if (!history) {
        answer(cb, payload, KENES_EIO, "storage", "the history cannot be read now", NULL);
        return;
    }
    export_op *op = calloc(1, sizeof(*op));
    if (!op) {
        json_decref(history);
        answer(cb, payload, KENES_ENOMEM, "internal", "out of memory", NULL);
        return;
    }
    idx_version *all;
    size_t n;
    int rc = index_versions(&all, &n, d);
    if (rc < 0) {
        json_decref(history);
        free(op);
        answer(cb, payload, rc, rc == KENES_EIO ? "storage" : "internal",
               "the history cannot be read now", NULL);
        return;
    }
    *op = (export_op){.svc = svc, .user = u, .pk = *pk, .cb = cb, .payload = payload,
                      .repo = d->repo, .n = n};
    op->work.data = op;
    snprintf(op->id, sizeof(op->id), "%s", d->id);
    docs_path(op->path, sizeof(op->path), svc, d, ".md");
    op->history = json_dumps(history, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(history);
    op->commits = calloc(op->n, sizeof(*op->commits));
    op->commit_ptrs = calloc(op->n, sizeof(*op->commit_ptrs));
    op->texts = calloc(op->n, sizeof(*op->texts));
    op->lens = calloc(op->n, sizeof(*op->lens));
    if (!op->history || !op->commits || !op->commit_ptrs || !op->texts || !op->lens) {
        free(all);
        answer(cb, payload, KENES_ENOMEM, "internal", "out of memory", NULL);
        export_free(op);
        return;
    }
    for (size_t i = 0; i < op->n; i++) {
        memcpy(op->commits[i], all[i].commit, STORE_OID_HEX);
        op->commit_ptrs[i] = op->commits[i];
    }
    free(all);
    if (uv_queue_work(svc->loop, &op->work, versions_work, versions_done) != 0) {
        answer(cb, payload, KENES_EIO, "internal", "cannot read the versions", NULL);
        export_free(op);
    }
}
