/*
 * Documents: list, create, read, edit, transition, history, versions, diff.
 *
 * Every write is decided on the loop against the in-memory index (who,
 * which stage, which version), then queued to the store's single writer;
 * the answer goes out only when the commit is durable.  A document with a
 * write queued or running is "busy": a second write carrying the same
 * If-Match could only be stale once the first lands, so it gets 412 now.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "doc.h"
#include "kapi.h"
#include "log.h"
#include "message.h"
#include "util.h"

/* ---- answers ---- */

static json_t *doc_answer(const json_t *doc, const char *version)
{
    json_t *out = json_deep_copy(doc);
    json_object_set_new(out, "version", json_string(version));
    json_object_set_new(out, "due", json_null());
    json_object_set_new(out, "overdue", json_false());
    return out;
}

static void reply_doc(http_request *req, int status, const idx_doc *d)
{
    char extra[512];
    int n = snprintf(extra, sizeof(extra), "ETag: \"%s\"\r\n", d->version);
    if (status == 201)
        snprintf(extra + n, sizeof(extra) - (size_t)n, "Location: /api/v1/documents/%s\r\n",
                 d->id);
    api_reply_json(req, status, doc_answer(d->doc, d->version), extra);
}

static const char *doc_str(const json_t *doc, const char *key)
{
    return json_string_value(json_object_get(doc, key));
}

/* ---- the write path ---- */

typedef struct write_op {
    store_write w;
    server *srv;
    http_request *req;
    idx_doc *d;
    json_t *newdoc;
    char *content;
    char *message;
    char email[128];
    char path[300];
    idx_version v;
    int created;
} write_op;

static void write_op_free(write_op *op)
{
    json_decref(op->newdoc);
    free(op->content);
    free(op->message);
    free(op->v.author);
    free(op->v.role);
    free(op->v.action);
    free(op->v.from);
    free(op->v.to);
    free(op->v.comment);
    free(op);
}

static void write_done(store_write *w, void *payload)
{
    write_op *op = payload;
    idx_doc *d = op->d;
    d->busy = 0;
    if (w->status < 0) {
        log_error("store", "commit for %s failed: %s", d->id, w->errmsg);
        api_reply_error(op->req, 500, "storage", NULL, "the change could not be saved");
        if (op->created)
            index_remove(op->srv->index, d->id);
        write_op_free(op);
        return;
    }
    memcpy(op->v.commit, w->commit, sizeof(op->v.commit));
    index_add_version(d, &op->v);
    index_set_doc(d, op->newdoc);
    op->newdoc = NULL;
    log_info("store", "%s %s by %s -> %.12s", op->v.action, d->id, op->v.author, w->commit);
    reply_doc(op->req, op->created ? 201 : 200, d);
    write_op_free(op);
}

/* Queue one commit for d.  newdoc is stolen.  Answers the request when the
 * commit is durable (or failed). */
static void submit_write(server *srv, http_request *req, idx_doc *d, json_t *newdoc,
                         const auth_user *u, const char *action, const char *from,
                         const char *to, const char *comment, const char *noun, int created)
{
    write_op *op = calloc(1, sizeof(*op));
    size_t len = 0;
    if (!op) {
        json_decref(newdoc);
        goto fail;
    }
    op->srv = srv;
    op->req = req;
    op->d = d;
    op->newdoc = newdoc;
    op->created = created;
    snprintf(op->path, sizeof(op->path), "%s.md", d->id);
    snprintf(op->email, sizeof(op->email), "%s@users.kenes", u->name);
    msg_info mi = {d->id, action, from, to, role_name(u->role), comment, noun};
    if (doc_serialize(&op->content, &len, newdoc) < 0 || msg_compose(&op->message, &mi) < 0)
        goto fail;
    op->v.time_ms = util_now_ms();
    op->v.author = strdup(u->name);
    op->v.role = strdup(role_name(u->role));
    op->v.action = strdup(action);
    op->v.from = from ? strdup(from) : NULL;
    op->v.to = strdup(to);
    op->v.comment = comment && *comment ? strdup(comment) : NULL;
    op->w.path = op->path;
    op->w.content = op->content;
    op->w.content_len = len;
    op->w.author_name = u->name;
    op->w.author_email = op->email;
    op->w.message = op->message;
    op->w.time_ms = op->v.time_ms;
    if (store_submit(srv->docs, &op->w, write_done, op) < 0)
        goto fail;
    d->busy = 1;
    return;
fail:
    if (op)
        write_op_free(op);
    if (created)
        index_remove(srv->index, d->id);
    api_reply_error(req, 500, "internal", NULL, "the change could not be queued");
}

/* ---- checks shared by the writes ---- */

static int may_act(const auth_user *u, unsigned roles, enum scope scope, const char *region)
{
    if (u->role == ROLE_ADMIN)
        return 1;
    if (!(roles & (unsigned)u->role))
        return 0;
    if (scope == SCOPE_OWN_REGION)
        return u->region && region && strcmp(u->region, region) == 0;
    return 1;
}

/* 0 if the request names the document's latest version; else answered. */
static int check_if_match(http_request *req, const idx_doc *d)
{
    const char *h = http_request_header(req, "If-Match");
    if (!h) {
        api_reply_error(req, 428, "precondition_required", NULL,
                        "send If-Match with the ETag of the version you are changing");
        return -1;
    }
    char quoted[48];
    snprintf(quoted, sizeof(quoted), "\"%s\"", d->version);
    if (d->busy || (strcmp(h, quoted) != 0 && strcmp(h, d->version) != 0)) {
        api_reply_error(req, 412, "stale", NULL,
                        "the document has changed since that version; reload it");
        return -1;
    }
    return 0;
}

/* Run the type's validator; 0 if the document is good, else answered 422. */
static int validate(http_request *req, const kenes_doctype *t, const json_t *doc)
{
    kenes_errors errs;
    kapi_errors_init(&errs);
    struct kenes_doc view = {doc};
    int rc = t->validate ? t->validate(kapi_get(), &view, &errs) : 0;
    if (rc == 0 && errs.count == 0) {
        kapi_errors_dispose(&errs);
        return 0;
    }
    json_t *fields = errs.fields ? json_incref(errs.fields) : json_array();
    if (json_array_size(fields) == 0) {
        /* A validator that refuses without saying why is a plugin fault; the
         * write is refused all the same. */
        log_warn("plugin", "validator of %s refused a document without naming a field", t->name);
        json_array_append_new(fields, json_pack("{s:s, s:s}", "path", "", "message",
                                                errs.message[0] ? errs.message : "invalid"));
    }
    api_reply_error(req, 422, "validation", fields, "the document is not valid");
    kapi_errors_dispose(&errs);
    return -1;
}

/* Top-level members whose JSON type the core checks before any plugin. */
static int check_member_types(http_request *req, const json_t *body)
{
    static const struct {
        const char *key;
        int is_object;
    } members[] = {{"type", 0}, {"region", 0}, {"title", 0}, {"body", 0}, {"fields", 1}};
    json_t *fields = json_array();
    for (size_t i = 0; i < UTIL_ARRAY_LEN(members); i++) {
        json_t *v = json_object_get(body, members[i].key);
        if (v && (members[i].is_object ? !json_is_object(v) : !json_is_string(v)))
            json_array_append_new(fields,
                                  json_pack("{s:s, s:s}", "path", members[i].key, "message",
                                            members[i].is_object ? "must be an object"
                                                                 : "must be a string"));
    }
    if (json_array_size(fields) == 0) {
        json_decref(fields);
        return 0;
    }
    api_reply_error(req, 422, "validation", fields, "the document is not valid");
    return -1;
}

/* ---- handlers ---- */

void api_docs_list(server *srv, http_request *req, const auth_user *user)
{
    (void)user;
    char type[128], region[32], stage[128];
    int ht = api_query(req, "type", type, sizeof(type));
    int hr = api_query(req, "region", region, sizeof(region));
    int hs = api_query(req, "stage", stage, sizeof(stage));
    if (ht < 0 || hr < 0 || hs < 0) {
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
        if ((ht && strcmp(type, doc_str(doc, "type")) != 0) ||
            (hr && strcmp(region, doc_str(doc, "region")) != 0) ||
            (hs && strcmp(stage, doc_str(doc, "stage")) != 0))
            continue;
        json_array_append_new(
            list, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:n, s:b}", "id", all[i]->id, "type",
                            doc_str(doc, "type"), "region", doc_str(doc, "region"), "title",
                            doc_str(doc, "title"), "stage", doc_str(doc, "stage"), "version",
                            all[i]->version, "due", "overdue", 0));
    }
    free(all);
    api_reply_json(req, 200, json_pack("{s:o}", "documents", list), NULL);
}

void api_docs_create(server *srv, http_request *req, const auth_user *user)
{
    static const char *const allowed[] = {"type", "region", "title", "body", "fields", NULL};
    json_t *body = api_body_object(req, allowed);
    if (!body)
        return;
    json_t *doc = NULL;
    if (check_member_types(req, body) < 0)
        goto out;
    const char *type = doc_str(body, "type");
    const char *region = doc_str(body, "region");
    const kenes_doctype *t = type ? plugin_find_type(srv->plugins, type) : NULL;
    const wf_workflow *wf = type ? wf_set_find(srv->workflows, type) : NULL;
    if (!t || !wf) {
        api_reply_error(req, 422, "validation",
                        json_pack("[{s:s, s:s}]", "path", "type", "message",
                                  "unknown document type"),
                        "unknown document type");
        goto out;
    }
    if (!may_act(user, wf->create_roles, wf->create_scope, region)) {
        api_reply_error(req, 403, "forbidden", NULL, "your role may not create a %s here",
                        t->noun);
        goto out;
    }
    /* The document as it will be stored; the plugin sees exactly this. */
    doc = json_object();
    json_object_set_new(doc, "id", json_string(""));
    json_object_set_new(doc, "type", json_string(type));
    json_object_set(doc, "region", json_object_get(body, "region") ? json_object_get(body, "region") : json_null());
    json_object_set(doc, "title", json_object_get(body, "title") ? json_object_get(body, "title") : json_null());
    json_object_set_new(doc, "stage", json_string(wf->initial));
    json_t *fields = json_object_get(body, "fields");
    json_object_set_new(doc, "fields", fields ? json_incref(fields) : json_object());
    json_t *text = json_object_get(body, "body");
    json_object_set_new(doc, "body", text ? json_incref(text) : json_string(""));
    if (validate(req, t, doc) < 0)
        goto out;
    char id[256] = "";
    struct kenes_doc view = {doc};
    if (!t->make_id || t->make_id(kapi_get(), &view, id, sizeof(id)) != 0 || !id[0]) {
        log_error("plugin", "%s could not name a new document", t->name);
        api_reply_error(req, 500, "internal", NULL, "the document type could not name it");
        goto out;
    }
    json_object_set_new(doc, "id", json_string(id));
    idx_doc *d;
    if (index_add(&d, srv->index, id) < 0) {
        api_reply_error(req, 409, "exists", NULL, "%s exists already", id);
        goto out;
    }
    submit_write(srv, req, d, doc, user, "create", NULL, wf->initial, NULL, t->noun, 1);
    doc = NULL;
out:
    json_decref(doc);
    json_decref(body);
}

static void handle_put(server *srv, http_request *req, const auth_user *user, idx_doc *d)
{
    static const char *const allowed[] = {"title", "body", "fields", NULL};
    const char *type = doc_str(d->doc, "type");
    const kenes_doctype *t = plugin_find_type(srv->plugins, type);
    const wf_workflow *wf = wf_set_find(srv->workflows, type);
    json_t *body = NULL, *doc = NULL;
    if (!t || !wf) {
        api_reply_error(req, 409, "conflict", NULL, "no workflow serves this document's type");
        return;
    }
    if (!may_act(user, wf->edit_roles, wf->edit_scope, doc_str(d->doc, "region"))) {
        api_reply_error(req, 403, "forbidden", NULL, "your role may not edit this document");
        return;
    }
    if (!(body = api_body_object(req, allowed)))
        return;
    if (check_member_types(req, body) < 0 || check_if_match(req, d) < 0)
        goto out;
    const char *stage = doc_str(d->doc, "stage");
    const wf_stage *st = wf_find_stage(wf, stage);
    if (!st || !st->editable) {
        api_reply_error(req, 409, "wrong_stage", NULL, "a document in stage '%s' cannot be edited",
                        stage);
        goto out;
    }
    doc = json_deep_copy(d->doc);
    const char *key;
    json_t *v;
    json_object_foreach(body, key, v) json_object_set(doc, key, v);
    if (validate(req, t, doc) < 0)
        goto out;
    if (json_equal(doc, d->doc)) {
        /* Nothing changed: no empty commit, the same version answers. */
        reply_doc(req, 200, d);
        goto out;
    }
    submit_write(srv, req, d, doc, user, "edit", NULL, stage, NULL, t->noun, 0);
    doc = NULL;
out:
    json_decref(doc);
    json_decref(body);
}

static void handle_transition(server *srv, http_request *req, const auth_user *user,
                              idx_doc *d)
{
    static const char *const allowed[] = {"action", "comment", NULL};
    json_t *body = api_body_object(req, allowed);
    if (!body)
        return;
    const char *type = doc_str(d->doc, "type"), *region = doc_str(d->doc, "region");
    const char *stage = doc_str(d->doc, "stage");
    const kenes_doctype *t = plugin_find_type(srv->plugins, type);
    const wf_workflow *wf = wf_set_find(srv->workflows, type);
    json_t *action_j = json_object_get(body, "action"), *comment_j = json_object_get(body, "comment");
    const char *action = json_string_value(action_j);
    const char *comment = json_string_value(comment_j);
    json_t *doc = NULL;
    if (!action || (comment_j && !json_is_string(comment_j) && !json_is_null(comment_j))) {
        api_reply_error(req, 422, "validation",
                        json_pack("[{s:s, s:s}]", "path", action ? "comment" : "action",
                                  "message", "must be a string"),
                        "action must be a string and comment a string");
        goto out;
    }
    if (!t || !wf || !wf_has_action(wf, action)) {
        api_reply_error(req, 422, "validation",
                        json_pack("[{s:s, s:s}]", "path", "action", "message", "unknown action"),
                        "this workflow has no action '%s'", action);
        goto out;
    }
    /* Who may ever take this action on this document, before whether it can now. */
    int allowed_somewhere = 0;
    for (size_t i = 0; i < wf->ntransitions; i++)
        if (strcmp(wf->transitions[i].action, action) == 0)
            allowed_somewhere |= may_act(user, wf->transitions[i].roles,
                                         wf->transitions[i].scope, region);
    if (!allowed_somewhere) {
        api_reply_error(req, 403, "forbidden", NULL, "your role may not %s this document", action);
        goto out;
    }
    if (check_if_match(req, d) < 0)
        goto out;
    const wf_transition *tr = wf_find_transition(wf, action, stage);
    if (!tr) {
        api_reply_error(req, 409, "wrong_stage", NULL, "'%s' is not possible in stage '%s'",
                        action, stage);
        goto out;
    }
    if (!may_act(user, tr->roles, tr->scope, region)) {
        api_reply_error(req, 403, "forbidden", NULL, "your role may not %s from stage '%s'",
                        action, stage);
        goto out;
    }
    struct kenes_doc view = {d->doc};
    struct kenes_ctx ctx = {action, comment, user->name, role_name(user->role), stage, tr->to};
    for (size_t i = 0; i < tr->nguards; i++) {
        kenes_errors errs;
        kapi_errors_init(&errs);
        int rc = tr->guards[i]->check(kapi_get(), &view, &ctx, &errs);
        if (rc != 0) {
            api_reply_error(req, 422, "guard", NULL, "%s",
                            errs.message[0] ? errs.message : tr->guard_names[i]);
            kapi_errors_dispose(&errs);
            goto out;
        }
        kapi_errors_dispose(&errs);
    }
    doc = json_deep_copy(d->doc);
    json_object_set_new(doc, "stage", json_string(tr->to));
    submit_write(srv, req, d, doc, user, action, stage, tr->to, comment, t->noun, 0);
    doc = NULL;
out:
    json_decref(doc);
    json_decref(body);
}

static void handle_history(http_request *req, const idx_doc *d)
{
    json_t *list = json_array();
    for (size_t i = d->nversions; i-- > 0;) {
        const idx_version *v = &d->versions[i];
        char when[32];
        util_format_rfc3339(when, sizeof(when), v->time_ms);
        json_array_append_new(
            list, json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s, s:s?, s:s?}", "commit", v->commit,
                            "time", when, "author", v->author, "action", v->action, "from",
                            v->from, "to", v->to, "comment", v->comment, "role", v->role));
    }
    api_reply_json(req, 200, json_pack("{s:s, s:o}", "id", d->id, "versions", list), NULL);
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
    http_request *req;
    char id[256];
    char path[300];
} read_op;

static void version_read_done(store_read *r, void *payload)
{
    read_op *op = payload;
    json_t *doc = NULL;
    char err[256];
    if (r->status < 0 || doc_parse(&doc, r->result, r->result_len, err, sizeof(err)) < 0) {
        log_error("store", "cannot read %s at %.12s", op->id, r->commit);
        api_reply_error(op->req, 500, "storage", NULL, "that version cannot be read");
    } else {
        api_reply_json(op->req, 200, doc_answer(doc, r->commit), NULL);
    }
    json_decref(doc);
    free(r->result);
    free(op);
}

static void diff_read_done(store_read *r, void *payload)
{
    read_op *op = payload;
    if (r->status < 0) {
        api_reply_error(op->req, 500, "storage", NULL, "the diff cannot be computed");
    } else {
        api_reply_json(op->req, 200,
                       json_pack("{s:s, s:s, s:s, s:s%}", "id", op->id, "from", r->commit, "to",
                                 r->commit_to, "diff", r->result ? r->result : "",
                                 r->result_len),
                       NULL);
    }
    free(r->result);
    free(op);
}

static void start_read(server *srv, http_request *req, const idx_doc *d, enum store_read_kind kind,
                       const char *from, const char *to)
{
    read_op *op = calloc(1, sizeof(*op));
    if (!op) {
        api_reply_error(req, 500, "internal", NULL, "out of memory");
        return;
    }
    op->req = req;
    snprintf(op->id, sizeof(op->id), "%s", d->id);
    snprintf(op->path, sizeof(op->path), "%s.md", d->id);
    op->r.kind = kind;
    op->r.path = op->path;
    snprintf(op->r.commit, sizeof(op->r.commit), "%s", from);
    snprintf(op->r.commit_to, sizeof(op->r.commit_to), "%s", to ? to : "");
    if (store_read_submit(srv->docs, &op->r, kind == STORE_READ_FILE ? version_read_done
                                                                      : diff_read_done,
                          op) < 0) {
        free(op);
        api_reply_error(req, 500, "internal", NULL, "cannot start the read");
    }
}

static void handle_diff(server *srv, http_request *req, const idx_doc *d)
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
    const idx_version *vf = NULL;
    if (hf) {
        vf = find_version(d, from);
    } else if (vt > d->versions) {
        vf = vt - 1;
    } else {
        vf = vt; /* the first version: an empty diff against itself */
    }
    if (!vf) {
        api_reply_error(req, 404, "not_found", NULL, "'from' is not a version of this document");
        return;
    }
    start_read(srv, req, d, STORE_READ_DIFF, vf->commit, vt->commit);
}

void api_docs_one(server *srv, http_request *req, const auth_user *user, const char *id,
                  const char *sub, const char *arg)
{
    idx_doc *d = index_get(srv->index, id);
    if (!d || !d->version[0]) {
        api_reply_error(req, 404, "not_found", NULL, "no such document");
        return;
    }
    int get = strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0;
    if (!sub) {
        if (get)
            return reply_doc(req, 200, d);
        if (strcmp(req->method, "PUT") == 0)
            return handle_put(srv, req, user, d);
    } else if (strcmp(sub, "transitions") == 0) {
        if (strcmp(req->method, "POST") == 0)
            return handle_transition(srv, req, user, d);
    } else if (strcmp(sub, "history") == 0) {
        if (get)
            return handle_history(req, d);
    } else if (strcmp(sub, "versions") == 0) {
        if (get) {
            if (!find_version(d, arg)) {
                api_reply_error(req, 404, "not_found", NULL, "not a version of this document");
                return;
            }
            return start_read(srv, req, d, STORE_READ_FILE, arg, NULL);
        }
    } else if (strcmp(sub, "diff") == 0) {
        if (get)
            return handle_diff(srv, req, d);
    }
    api_reply_error(req, 405, "method_not_allowed", NULL, "%s is not allowed here", req->method);
}
