/*
 * Documents over HTTP: parse and check the request, hand it to the
 * document service (docs.h), and turn its result into an answer.  Whatever
 * the service refuses is answered through the one table of codes
 * (api_reply_code); what it shows of a confidential document it has
 * logged first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/call.h"
#include "base/util.h"
#include "docs/rights.h"

/* ---- answers ---- */

/* One answer on its way: the request, and what goes with the reply. */
typedef struct pending {
    docs_service *svc;
    http_request *req;
    const auth_user *user;
    int status;
    json_t *body; /* a write's answer, until the read of it is logged */
    char extra[512];
} pending;

static pending *pending_new(api_call *c)
{
    pending *p = calloc(1, sizeof(*p));
    if (!p)
        api_reply_error(c->req, 500, "internal", NULL, "out of memory");
    else
        *p = (pending){.svc = c->svc, .req = c->req, .user = c->user, .status = 200};
    return p;
}

/* ETag (and, for a new document, Location) of d's latest version. */
static void doc_headers(pending *p, const idx_doc *d, int created)
{
    int n = snprintf(p->extra, sizeof(p->extra), "ETag: \"%s\"\r\n", d->version);
    if (created)
        snprintf(p->extra + n, sizeof(p->extra) - (size_t)n, "Location: /api/v1/documents/%s\r\n",
                 d->id);
}

/* A read's result: its JSON, or the refusal. */
static void read_done(const docs_result *r, void *payload)
{
    pending *p = payload;
    if (r->code < 0)
        api_reply_code(p->req, r->code, r->reason, r->fields, r->message);
    else
        api_reply_json(p->req, p->status, json_incref(r->json), p->extra[0] ? p->extra : NULL);
    free(p);
}

/* A write is made; its answer shows the document once that read is logged. */
static void written_logged(int code, void *payload)
{
    pending *p = payload;
    const char *extra = p->extra[0] ? p->extra : NULL;
    json_t *b = p->body;
    if (code >= 0) {
        api_reply_json(p->req, p->status, json_incref(b), extra);
    } else {
        /* The write is made: say so (a 500 would invite sending it twice),
         * but without the document, whose reading was not recorded. */
        api_reply_json(p->req, p->status,
                       json_pack("{s:O, s:O, s:O, s:s}", "id", json_object_get(b, "id"),
                                 "version", json_object_get(b, "version"), "stage",
                                 json_object_get(b, "stage"), "withheld",
                                 "saved; the access log cannot be written, so the document is "
                                 "not shown: read it again later"),
                       extra);
    }
    json_decref(b);
    free(p);
}

/* The one place a write's docs_result becomes an HTTP answer. */
static void write_done(const docs_result *r, void *payload)
{
    pending *p = payload;
    if (r->code < 0) {
        api_reply_code(p->req, r->code, r->reason, r->fields, r->message);
        free(p);
        return;
    }
    p->status = r->created ? 201 : 200;
    p->body = docs_answer(p->svc, r->doc, r->doc->doc, r->doc->version);
    doc_headers(p, r->doc, r->created);
    docs_log_read(p->svc, p->user, r->doc, "read", written_logged, p);
}

/* ?at=<RFC 3339>: 1 and *at_ms when given, 0 when absent, KENES_EINVAL after
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
        return KENES_EINVAL;
    }
    if (*at_ms > util_now_ms()) {
        api_reply_error(req, 400, "bad_request", NULL, "at is in the future");
        return KENES_EINVAL;
    }
    return 1;
}

enum { MEMBER_REQUIRED = 1, MEMBER_NULL_OK = 2 };

/* A string member of body, or NULL; 0, or KENES_EINVAL after answering 422
 * when it is there but no string (or absent, when MEMBER_REQUIRED; null is
 * as absent with MEMBER_NULL_OK). */
static int string_member(http_request *req, const json_t *body, const char *key, int flags,
                         const char **out)
{
    json_t *v = json_object_get(body, key);
    int absent = !v || (json_is_null(v) && (flags & MEMBER_NULL_OK));
    *out = json_string_value(v);
    if (*out || (absent && !(flags & MEMBER_REQUIRED)))
        return 0;
    api_reply_error(req, 422, "validation",
                    json_pack("[{s:s, s:s}]", "path", key, "message", "must be a string"),
                    "%s must be a string", key);
    return KENES_EINVAL;
}

/* ---- the list ---- */

void api_docs_list(api_call *c)
{
    http_request *req = c->req;
    docs_service *svc = c->svc;
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
    if (index_list(&all, &n, svc->index) < 0) {
        api_reply_error(req, 500, "internal", NULL, "out of memory");
        return;
    }
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        const json_t *doc = all[i]->doc;
        /* As things stood at `at`: the stage and version then (type and
         * region never change). */
        const idx_version *then = hat ? docs_version_at(all[i], at_ms) : NULL;
        const char *stage_now = hat ? (then ? then->to : NULL)
                                    : json_string_value(json_object_get(doc, "stage"));
        if (!stage_now ||
            (ht && strcmp(type, json_string_value(json_object_get(doc, "type"))) != 0) ||
            (hr && strcmp(region, json_string_value(json_object_get(doc, "region"))) != 0) ||
            (hs && strcmp(stage, stage_now) != 0) || !docs_may_read(svc, c->user, all[i]))
            continue;
        if (ho > 0) {
            int64_t due;
            docs_due(svc, all[i], &due);
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
            json_array_append_new(list, docs_list_entry(svc, all[i]));
    }
    free(all);
    api_reply_json(req, 200, json_pack("{s:o}", "documents", list), NULL);
}

void api_docs_create(api_call *c)
{
    static const char *const allowed[] = {"type", "region", "title", "body", "fields", NULL};
    json_t *body = api_body_object(c->req, allowed);
    pending *p = body ? pending_new(c) : NULL;
    if (p)
        docs_create(c->svc, c->user, body, write_done, p);
    json_decref(body);
}

void api_doc_put(api_call *c)
{
    static const char *const allowed[] = {"title", "body", "fields", NULL};
    json_t *body = api_body_object(c->req, allowed);
    pending *p = body ? pending_new(c) : NULL;
    if (p)
        docs_edit(c->svc, c->user, c->doc, body, http_request_header(c->req, "If-Match"),
                  write_done, p);
    json_decref(body);
}

void api_doc_transition(api_call *c)
{
    static const char *const allowed[] = {"action", "comment", NULL};
    json_t *body = api_body_object(c->req, allowed);
    const char *action, *comment;
    pending *p;
    if (body && string_member(c->req, body, "action", MEMBER_REQUIRED, &action) == 0 &&
        string_member(c->req, body, "comment", MEMBER_NULL_OK, &comment) == 0 && (p = pending_new(c)))
        docs_transition(c->svc, c->user, c->doc, action, comment,
                        http_request_header(c->req, "If-Match"), write_done, p);
    json_decref(body);
}

void api_doc_erase(api_call *c)
{
    static const char *const allowed[] = {"reason", NULL};
    json_t *body = api_body_object(c->req, allowed);
    const char *reason;
    pending *p;
    if (body && string_member(c->req, body, "reason", 0, &reason) == 0 && (p = pending_new(c)))
        docs_erase(c->svc, c->user, c->doc, reason, http_request_header(c->req, "If-Match"),
                   write_done, p);
    json_decref(body);
}

/* ---- reads ---- */

void api_doc_get(api_call *c)
{
    int64_t at_ms;
    int hat = at_param(c->req, &at_ms);
    pending *p = hat >= 0 ? pending_new(c) : NULL;
    if (!p)
        return;
    if (!hat) {
        doc_headers(p, c->doc, 0);
        docs_read(c->svc, c->user, c->doc, read_done, p);
        return;
    }
    /* The document as it stood then: its version at that moment. */
    const idx_version *then = docs_version_at(c->doc, at_ms);
    if (!then) {
        free(p);
        api_reply_error(c->req, 404, "not_found", NULL, "the document did not exist yet");
        return;
    }
    docs_read_version(c->svc, c->user, c->doc, then->commit, read_done, p);
}

void api_doc_history(api_call *c)
{
    pending *p = pending_new(c);
    if (p)
        docs_history(c->svc, c->user, c->doc, read_done, p);
}

void api_doc_version(api_call *c)
{
    pending *p = pending_new(c);
    if (p)
        docs_read_version(c->svc, c->user, c->doc, c->commit, read_done, p);
}

void api_doc_diff(api_call *c)
{
    char from[64] = "", to[64] = "";
    int hf = api_query(c->req, "from", from, sizeof(from));
    int ht = api_query(c->req, "to", to, sizeof(to));
    if (hf < 0 || ht < 0) {
        api_reply_error(c->req, 400, "bad_request", NULL, "from and to must be commit ids");
        return;
    }
    pending *p = pending_new(c);
    if (p)
        docs_diff(c->svc, c->user, c->doc, hf ? from : NULL, ht ? to : NULL, read_done, p);
}

/* ---- the inbox ---- */

/* What the caller must act on: every document they may read where a
 * transition is open to them by their own role (an admin's override is for
 * support, not a to-do list), earliest due first. */
void api_inbox(api_call *c)
{
    http_request *req = c->req;
    docs_service *svc = c->svc;
    const auth_user *user = c->user;
    idx_doc **all;
    size_t n;
    if (index_list(&all, &n, svc->index) < 0) {
        api_reply_error(req, 500, "internal", NULL, "out of memory");
        return;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) {
        idx_doc *d = all[i];
        const char *type = json_string_value(json_object_get(d->doc, "type"));
        const char *stage = json_string_value(json_object_get(d->doc, "stage"));
        const char *region = json_string_value(json_object_get(d->doc, "region"));
        const wf_workflow *wf = wf_set_find(svc->workflows, type);
        if (!wf || user->role == ROLE_ADMIN || docs_erased(svc, d) ||
            !docs_may_read(svc, user, d))
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
        json_t *e = docs_list_entry(svc, d);
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
