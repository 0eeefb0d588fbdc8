/*
 * Documents over HTTP: parse and check the request, hand it to the
 * operations of docs.c, and turn their result into an answer.  Reads of
 * the current state come from the index; past versions and diffs from git
 * on the thread pool.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docs/rights.h"
#include "api/api.h"
#include "storage/docfile.h"
#include "docs/docs.h"
#include "base/log.h"
#include "storage/note.h"
#include "base/util.h"

/* ---- answers that reveal a confidential document wait for the access log ---- */

typedef struct logged_reply {
    http_request *req;
    int status;
    json_t *body;
    int written; /* the answer to a write, which is made whatever the log says */
    char extra[512];
} logged_reply;

static void logged_reply_done(int status, void *payload)
{
    logged_reply *lr = payload;
    const char *extra = lr->extra[0] ? lr->extra : NULL;
    if (status >= 0) {
        api_reply_json(lr->req, lr->status, lr->body, extra);
    } else if (lr->written) {
        /* The write is made: say so (a 500 would invite sending it twice),
         * but without the document, whose reading was not recorded. */
        json_t *b = lr->body;
        api_reply_json(lr->req, lr->status,
                       json_pack("{s:O, s:O, s:O, s:s}", "id", json_object_get(b, "id"),
                                 "version", json_object_get(b, "version"), "stage",
                                 json_object_get(b, "stage"), "withheld",
                                 "saved; the access log cannot be written, so the document is "
                                 "not shown: read it again later"),
                       extra);
        json_decref(b);
    } else {
        /* No record of the read, no read. */
        json_decref(lr->body);
        api_reply_error(lr->req, 500, "access_log", NULL, "the access log cannot be written");
    }
    free(lr);
}

/* Answer body (stolen); when d is confidential, only once the read of it by
 * user (what: "read", "history", "version", "diff") is durable in the access
 * log.  written: body answers a write, which then goes out without the
 * document if the log cannot be written. */
static void reply_logged(server *srv, http_request *req, const auth_user *user, const idx_doc *d,
                         const char *what, int status, json_t *body, int written,
                         const char *extra)
{
    if (!docs_confidential(srv, d)) {
        api_reply_json(req, status, body, extra);
        return;
    }
    logged_reply *lr = calloc(1, sizeof(*lr));
    if (!lr) {
        json_decref(body);
        api_reply_error(req, 500, "internal", NULL, "out of memory");
        return;
    }
    lr->req = req;
    lr->status = status;
    lr->body = body;
    lr->written = written;
    snprintf(lr->extra, sizeof(lr->extra), "%s", extra ? extra : "");
    if (alog_append(srv->alog, user->name, role_name(user->role), d->id, what, logged_reply_done,
                    lr) < 0)
        logged_reply_done(KENES_ENOMEM, lr);
}

/* The document as it stands; written: the answer to a write of it. */
static void reply_doc(server *srv, http_request *req, const auth_user *user, int status,
                      const idx_doc *d, int written)
{
    char extra[512];
    int n = snprintf(extra, sizeof(extra), "ETag: \"%s\"\r\n", d->version);
    if (status == 201)
        snprintf(extra + n, sizeof(extra) - (size_t)n, "Location: /api/v1/documents/%s\r\n",
                 d->id);
    reply_logged(srv, req, user, d, "read", status, docs_answer(srv, d, d->doc, d->version),
                 written, extra);
}

typedef struct http_op {
    server *srv;
    http_request *req;
    const auth_user *user;
} http_op;

/* The one place a docs_result becomes an HTTP answer. */
static void op_done(const docs_result *r, void *payload)
{
    http_op *op = payload;
    if (r->doc)
        reply_doc(op->srv, op->req, op->user, r->status, r->doc, 1);
    else
        api_reply_error(op->req, r->status, r->code,
                        r->fields ? json_incref(r->fields) : NULL, "%s", r->message);
    free(op);
}

static http_op *op_new(server *srv, http_request *req, const auth_user *user)
{
    http_op *op = malloc(sizeof(*op));
    if (!op)
        api_reply_error(req, 500, "internal", NULL, "out of memory");
    else
        *op = (http_op){srv, req, user};
    return op;
}

/* ?at=<RFC 3339>: 1 and *at_ms when given, 0 when absent, -1 after
 * answering 400 (malformed, or in the future: nothing is known of it yet). */
static int at_param(http_request *req, int64_t *at_ms)
{
    char text[64];
    int has = api_query(req, "at", text, sizeof(text));
    if (has == 0)
        return 0;
    if (has < 0 || util_parse_rfc3339(at_ms, text) < 0) {
        api_reply_error(req, 400, "bad_request", NULL,
                        "at must be an RFC 3339 time such as 2026-02-07T10:00:00Z");
        return -1;
    }
    if (*at_ms > util_now_ms()) {
        api_reply_error(req, 400, "bad_request", NULL, "at is in the future");
        return -1;
    }
    return 1;
}

void api_docs_list(server *srv, http_request *req, const auth_user *user)
{
    char type[128], region[32], stage[128];
    int64_t at_ms;
    int hat = at_param(req, &at_ms);
    if (hat < 0)
        return;
    char overdue[8];
    int ht = api_query(req, "type", type, sizeof(type));
    int hr = api_query(req, "region", region, sizeof(region));
    int hs = api_query(req, "stage", stage, sizeof(stage));
    int ho = api_query(req, "overdue", overdue, sizeof(overdue));
    if (ho > 0 && strcmp(overdue, "true") != 0 && strcmp(overdue, "false") != 0)
        ho = -1;
    if (ht < 0 || hr < 0 || hs < 0 || ho < 0) {
        api_reply_error(req, 400, "bad_request", NULL, "a query parameter is malformed");
        return;
    }
    idx_doc **all;
    size_t n;
    if (index_list(&all, &n, srv->index) < 0) {
        api_reply_error(req, 500, "internal", NULL, "out of memory");
        return;
    }
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        const json_t *doc = all[i]->doc;
        /* As things stood at `at`: the stage and version then (type and
         * region never change). */
        const idx_version *then = hat ? index_version_at(all[i], at_ms) : NULL;
        const char *stage_now = hat ? (then ? then->to : NULL)
                                    : json_string_value(json_object_get(doc, "stage"));
        if (!stage_now ||
            (ht && strcmp(type, json_string_value(json_object_get(doc, "type"))) != 0) ||
            (hr && strcmp(region, json_string_value(json_object_get(doc, "region"))) != 0) ||
            (hs && strcmp(stage, stage_now) != 0) || !docs_may_read(srv, user, all[i]))
            continue;
        if (ho > 0) {
            int64_t due;
            docs_due(srv, all[i], &due);
            int late = due >= 0 && util_now_ms() > due;
            if (late != (strcmp(overdue, "true") == 0))
                continue;
        }
        if (hat)
            json_array_append_new(
                list, json_pack("{s:s, s:O, s:O, s:s, s:s}", "id", all[i]->id, "type",
                                json_object_get(doc, "type"), "region",
                                json_object_get(doc, "region"), "stage", then->to, "version",
                                then->commit));
        else
            json_array_append_new(list, docs_list_entry(srv, all[i]));
    }
    free(all);
    api_reply_json(req, 200, json_pack("{s:o}", "documents", list), NULL);
}

void api_docs_create(server *srv, http_request *req, const auth_user *user)
{
    static const char *const allowed[] = {"type", "region", "title", "body", "fields", NULL};
    json_t *body = api_body_object(req, allowed);
    http_op *op = body ? op_new(srv, req, user) : NULL;
    if (op)
        docs_create(srv, user, body, op_done, op);
    json_decref(body);
}

static void handle_put(server *srv, http_request *req, const auth_user *user, idx_doc *d)
{
    static const char *const allowed[] = {"title", "body", "fields", NULL};
    json_t *body = api_body_object(req, allowed);
    http_op *op = body ? op_new(srv, req, user) : NULL;
    if (op)
        docs_edit(srv, user, d, body, http_request_header(req, "If-Match"), op_done, op);
    json_decref(body);
}

static void handle_transition(server *srv, http_request *req, const auth_user *user,
                              idx_doc *d)
{
    static const char *const allowed[] = {"action", "comment", NULL};
    json_t *body = api_body_object(req, allowed);
    if (!body)
        return;
    json_t *action = json_object_get(body, "action"), *comment = json_object_get(body, "comment");
    if (!json_is_string(action) || (comment && !json_is_string(comment) && !json_is_null(comment))) {
        const char *bad = json_is_string(action) ? "comment" : "action";
        api_reply_error(req, 422, "validation",
                        json_pack("[{s:s, s:s}]", "path", bad, "message", "must be a string"),
                        "%s must be a string", bad);
    } else {
        http_op *op = op_new(srv, req, user);
        if (op)
            docs_transition(srv, user, d, json_string_value(action), json_string_value(comment),
                            http_request_header(req, "If-Match"), op_done, op);
    }
    json_decref(body);
}

static void handle_erase(server *srv, http_request *req, const auth_user *user, idx_doc *d)
{
    static const char *const allowed[] = {"reason", NULL};
    json_t *body = api_body_object(req, allowed);
    if (!body)
        return;
    json_t *reason = json_object_get(body, "reason");
    if (reason && !json_is_string(reason)) {
        api_reply_error(req, 422, "validation",
                        json_pack("[{s:s, s:s}]", "path", "reason", "message", "must be a string"),
                        "reason must be a string");
    } else {
        http_op *op = op_new(srv, req, user);
        if (op)
            docs_erase(srv, user, d, json_string_value(reason),
                       http_request_header(req, "If-Match"), op_done, op);
    }
    json_decref(body);
}

/* A version's comment for the history, or NULL; *owned when malloc'd.  A
 * case's is opened from its sealed note, only while the case has its key:
 * after an erasure nothing typed is shown (not even a comment an older
 * server wrote in the clear). */
static const char *version_comment(server *srv, const idx_doc *d, const idx_version *v,
                                   int erased, char **owned)
{
    *owned = NULL;
    if (erased)
        return NULL;
    if (!v->note)
        return v->comment;
    int rc = note_open(owned, srv->vault, d->id, v->note);
    if (rc < 0 && rc != KENES_ENOTFOUND)
        log_warn("store", "the sealed note of %s at %.12s does not open", d->id, v->commit);
    return *owned;
}

static json_t *history_json(server *srv, const idx_doc *d)
{
    json_t *list = json_array();
    int erased = docs_erased(srv, d);
    for (size_t i = d->nversions; i-- > 0;) {
        const idx_version *v = &d->versions[i];
        char when[32], *owned;
        const char *comment = version_comment(srv, d, v, erased, &owned);
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

static void handle_history(server *srv, http_request *req, const auth_user *user,
                           const idx_doc *d)
{
    reply_logged(srv, req, user, d, "history", 200, history_json(srv, d), 0, NULL);
}

static const idx_version *find_version(const idx_doc *d, const char *commit)
{
    for (size_t i = 0; i < d->nversions; i++)
        if (strcmp(d->versions[i].commit, commit) == 0)
            return &d->versions[i];
    return NULL;
}

typedef struct read_op {
    store_read r;
    server *srv;
    http_request *req;
    const auth_user *user;
    char id[256];
    char path[300];
} read_op;

/* A stored file as text: sealed case files are opened with their key.
 * *text is r's buffer or a new one (then *owned set); KENES_ENOTFOUND when
 * the key was destroyed. */
static int open_file(server *srv, const char *id, char *buf, size_t len, char **text,
                     size_t *text_len, int *owned)
{
    *owned = 0;
    *text = buf;
    *text_len = len;
    if (!vault_is_sealed(buf, len))
        return 0;
    int rc = vault_unseal(srv->vault, id, buf, len, text, text_len);
    *owned = rc == 0;
    return rc;
}

static void version_read_done(store_read *r, void *payload)
{
    read_op *op = payload;
    json_t *doc = NULL;
    char err[256], *text = NULL;
    size_t len = 0;
    int owned = 0, orc = -1;
    idx_doc *d = index_get(op->srv->index, op->id);
    if (d && r->status == 0)
        orc = open_file(op->srv, op->id, r->result, r->result_len, &text, &len, &owned);
    if (orc == KENES_ENOTFOUND) {
        api_reply_error(op->req, 410, "gone", NULL, "this case was erased");
    } else if (orc < 0 || doc_parse(&doc, text, len, err, sizeof(err)) < 0) {
        log_error("store", "cannot read %s at %.12s", op->id, r->commit);
        api_reply_error(op->req, 500, "storage", NULL, "that version cannot be read");
    } else {
        json_t *out = docs_answer(op->srv, d, doc, r->commit);
        /* due/overdue speak of the document now, not of a past version. */
        json_object_del(out, "due");
        json_object_del(out, "overdue");
        reply_logged(op->srv, op->req, op->user, d, "version", 200, out, 0, NULL);
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
    idx_doc *d = index_get(op->srv->index, op->id);
    char *diff = r->result, *a = NULL, *b = NULL;
    size_t diff_len = r->result_len, alen = 0, blen = 0;
    int own_a = 0, own_b = 0, rc = d && r->status == 0 ? 0 : KENES_EIO;
    if (rc == 0 && r->kind == STORE_READ_PAIR) {
        /* Sealed files are compared once opened, never as ciphertext. */
        diff = NULL;
        rc = open_file(op->srv, op->id, r->result, r->result_len, &a, &alen, &own_a);
        if (rc == 0)
            rc = open_file(op->srv, op->id, r->result2, r->result2_len, &b, &blen, &own_b);
        if (rc == 0)
            rc = store_diff_buffers(&diff, &diff_len, op->path, a, alen, b, blen);
    }
    if (rc == KENES_ENOTFOUND)
        api_reply_error(op->req, 410, "gone", NULL, "this case was erased");
    else if (rc < 0)
        api_reply_error(op->req, 500, "storage", NULL, "the diff cannot be computed");
    else
        reply_logged(op->srv, op->req, op->user, d, "diff", 200,
                     json_pack("{s:s, s:s, s:s, s:s%}", "id", op->id, "from", r->commit, "to",
                               r->commit_to, "diff", diff ? diff : "", diff_len),
                     0, NULL);
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

static void start_read(server *srv, http_request *req, const auth_user *user, const idx_doc *d,
                       enum store_read_kind kind, const char *from, const char *to)
{
    read_op *op = calloc(1, sizeof(*op));
    if (!op) {
        api_reply_error(req, 500, "internal", NULL, "out of memory");
        return;
    }
    op->srv = srv;
    op->req = req;
    op->user = user;
    snprintf(op->id, sizeof(op->id), "%s", d->id);
    snprintf(op->path, sizeof(op->path), "%s.md", d->id);
    op->r.kind = kind;
    op->r.path = op->path;
    snprintf(op->r.commit, sizeof(op->r.commit), "%s", from);
    snprintf(op->r.commit_to, sizeof(op->r.commit_to), "%s", to ? to : "");
    if (store_read_submit(docs_store(srv, d), &op->r,
                          kind == STORE_READ_FILE ? version_read_done : diff_read_done, op) < 0) {
        free(op);
        api_reply_error(req, 500, "internal", NULL, "cannot start the read");
    }
}

static void handle_diff(server *srv, http_request *req, const auth_user *user, const idx_doc *d)
{
    char from[64] = "", to[64] = "";
    int hf = api_query(req, "from", from, sizeof(from));
    int ht = api_query(req, "to", to, sizeof(to));
    if (hf < 0 || ht < 0) {
        api_reply_error(req, 400, "bad_request", NULL, "from and to must be commit ids");
        return;
    }
    const idx_version *vt = ht ? find_version(d, to) : &d->versions[d->nversions - 1];
    if (!vt) {
        api_reply_error(req, 404, "not_found", NULL, "'to' is not a version of this document");
        return;
    }
    /* Without from: the version before to (the first version diffs against itself). */
    const idx_version *vf = hf ? find_version(d, from) : vt > d->versions ? vt - 1 : vt;
    if (!vf) {
        api_reply_error(req, 404, "not_found", NULL, "'from' is not a version of this document");
        return;
    }
    start_read(srv, req, user, d, d->repo == REPO_CASES ? STORE_READ_PAIR : STORE_READ_DIFF,
               vf->commit, vt->commit);
}

void api_docs_one(server *srv, http_request *req, const auth_user *user, const char *id,
                  const char *sub, const char *arg)
{
    idx_doc *d = index_get(srv->index, id);
    if (!d || !d->version[0]) {
        api_reply_error(req, 404, "not_found", NULL, "no such document");
        return;
    }
    if (!docs_may_read(srv, user, d)) {
        api_reply_error(req, 403, "forbidden", NULL, "your role may not read this document");
        return;
    }
    int get = strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0;
    /* An erased case keeps its history (who, when, which action) and nothing else. */
    if (docs_erased(srv, d) && !(sub && strcmp(sub, "history") == 0)) {
        api_reply_error(req, 410, "gone", NULL, "this case was erased");
        return;
    }
    if (!sub) {
        int64_t at_ms;
        int hat = get ? at_param(req, &at_ms) : 0;
        if (hat < 0)
            return;
        if (hat) {
            /* The document as it stood then: its version at that moment. */
            const idx_version *then = index_version_at(d, at_ms);
            if (!then) {
                api_reply_error(req, 404, "not_found", NULL, "the document did not exist yet");
                return;
            }
            return start_read(srv, req, user, d, STORE_READ_FILE, then->commit, NULL);
        }
        if (get)
            return reply_doc(srv, req, user, 200, d, 0);
        if (strcmp(req->method, "DELETE") == 0)
            return handle_erase(srv, req, user, d);
        if (strcmp(req->method, "PUT") == 0)
            return handle_put(srv, req, user, d);
    } else if (strcmp(sub, "transitions") == 0) {
        if (strcmp(req->method, "POST") == 0)
            return handle_transition(srv, req, user, d);
    } else if (strcmp(sub, "history") == 0) {
        if (get)
            return handle_history(srv, req, user, d);
    } else if (strcmp(sub, "versions") == 0) {
        if (get) {
            if (!find_version(d, arg)) {
                api_reply_error(req, 404, "not_found", NULL, "not a version of this document");
                return;
            }
            return start_read(srv, req, user, d, STORE_READ_FILE, arg, NULL);
        }
    } else if (strcmp(sub, "diff") == 0) {
        if (get)
            return handle_diff(srv, req, user, d);
    } else if (strcmp(sub, "dossier.zip") == 0) {
        if (get) {
            int confidential = docs_confidential(srv, d);
            if (!access_doc(user, wf_set_find(srv->workflows,
                                              json_string_value(json_object_get(d->doc, "type"))),
                            ACCESS_DOC_DOSSIER, json_string_value(json_object_get(d->doc, "region")),
                            NULL, confidential)) {
                api_reply_error(req, 403, "forbidden", NULL,
                                "a case's dossier is for auditors only");
                return;
            }
            return api_docs_dossier(srv, req, user, d, history_json(srv, d));
        }
    }
    api_reply_error(req, 405, "method_not_allowed", NULL, "%s is not allowed here", req->method);
}

/* What the caller must act on: every document they may read where a
 * transition is open to them by their own role (an admin's override is for
 * support, not a to-do list), earliest due first. */
void api_inbox(server *srv, http_request *req, const auth_user *user)
{
    idx_doc **all;
    size_t n;
    if (index_list(&all, &n, srv->index) < 0) {
        api_reply_error(req, 500, "internal", NULL, "out of memory");
        return;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) {
        idx_doc *d = all[i];
        const char *type = json_string_value(json_object_get(d->doc, "type"));
        const char *stage = json_string_value(json_object_get(d->doc, "stage"));
        const char *region = json_string_value(json_object_get(d->doc, "region"));
        const wf_workflow *wf = wf_set_find(srv->workflows, type);
        if (!wf || user->role == ROLE_ADMIN || docs_erased(srv, d) ||
            !docs_may_read(srv, user, d))
            continue;
        json_t *actions = json_array();
        for (size_t t = 0; t < wf->ntransitions; t++) {
            const wf_transition *tr = &wf->transitions[t];
            for (size_t f = 0; f < tr->nfrom; f++)
                if (strcmp(tr->from[f], stage) == 0 && access_scoped(user, tr->roles, tr->scope, region))
                    json_array_append_new(actions, json_string(tr->action));
        }
        if (json_array_size(actions) == 0) {
            json_decref(actions);
            continue;
        }
        json_t *e = docs_list_entry(srv, d);
        json_object_set_new(e, "actions", actions);
        json_array_append_new(items, e);
    }
    free(all);
    /* Earliest due first; nothing due last.  RFC 3339 UTC strings sort as times. */
    size_t k = json_array_size(items);
    for (size_t a = 1; a < k; a++)
        for (size_t b = a; b > 0; b--) {
            const char *x = json_string_value(json_object_get(json_array_get(items, b - 1), "due"));
            const char *y = json_string_value(json_object_get(json_array_get(items, b), "due"));
            if (!y || (x && strcmp(x, y) <= 0))
                break;
            json_t *tmp = json_incref(json_array_get(items, b - 1));
            json_array_set(items, b - 1, json_array_get(items, b));
            json_array_set_new(items, b, tmp);
        }
    api_reply_json(req, 200, json_pack("{s:o}", "items", items), NULL);
}
