/*
 * Documents over HTTP: parse and check the request, hand it to the
 * document service (docs.h), and turn its result into an answer.  Whatever
 * the service refuses is answered through the one table of codes
 * (api_reply_code); what it shows of a confidential document it has
 * logged first, itself.  What is HTTP's stays here: If-Match and ETag,
 * Location, the query.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/call.h"
#include "base/util.h"

/* ---- answers ---- */

/* One answer on its way: the request, and what goes with the reply. */
typedef struct pending {
    http_request *req;
    char extra[512];
    /* A read of the document as it stands: who names it is added. */
    api_ctx *ctx;
    const auth_user *user;
    char *id;
} pending;

static pending *pending_new(api_call *c)
{
    pending *p = calloc(1, sizeof(*p));
    if (!p)
        api_reply_error(c->req, 500, "internal", NULL, "out of memory");
    else
        p->req = c->req;
    return p;
}

/* ETag of version (and, for a new document, Location of id). */
static void doc_headers(pending *p, const char *id, const char *version, int created)
{
    int n = snprintf(p->extra, sizeof(p->extra), "ETag: \"%s\"\r\n", version);
    if (created)
        snprintf(p->extra + n, sizeof(p->extra) - (size_t)n, "Location: /api/v1/documents/%s\r\n",
                 id);
}

/* A refusal; the service's words, with HTTP's hint where one helps. */
static void reply_refusal(http_request *req, const docs_result *r)
{
    const char *message = r->message;
    if (r->code == KENES_EPRECONDITION)
        message = "send If-Match with the ETag of the version you are changing";
    api_reply_code(req, r->code, r->reason, r->fields, message);
}

/* A read's result: its JSON, or the refusal. */
static void read_done(const docs_result *r, void *payload)
{
    pending *p = payload;
    if (r->code < 0)
        reply_refusal(p->req, r);
    else
        api_reply_json(p->req, 200, json_incref(r->json), p->extra[0] ? p->extra : NULL);
    free(p);
}

/* A read as it stands, with "referenced_by": the documents naming it that
 * the reader may read, as list entries (a confidential one's summary). */
static void read_now_done(const docs_result *r, void *payload)
{
    pending *p = payload;
    if (r->code < 0)
        reply_refusal(p->req, r);
    else /* prepared.c: kept per version, the rest spliced */
        api_doc_answer(p->ctx, p->req, p->user, p->id, r->json);
    free(p->id);
    free(p);
}

/* A write's result: the document as written (the service logged its
 * reading; or, when it could not, only that the change is made), or the
 * refusal. */
static void write_done(const docs_result *r, void *payload)
{
    pending *p = payload;
    if (r->code < 0) {
        reply_refusal(p->req, r);
    } else {
        doc_headers(p, r->doc->id, r->version, r->created);
        api_reply_json(p->req, r->created ? 201 : 200, json_incref(r->json), p->extra);
    }
    free(p);
}

/* If-Match: "<version>" (or the bare version) names the version a change
 * is made to; NULL when absent. */
const char *if_match_version(char *out, size_t cap, const http_request *req)
{
    const char *h = http_request_header(req, "If-Match");
    size_t len = h ? strlen(h) : 0;
    if (len >= 2 && h[0] == '"' && h[len - 1] == '"' && len - 2 < cap) {
        memcpy(out, h + 1, len - 2);
        out[len - 2] = '\0';
        return out;
    }
    return h;
}

/* ?at=<RFC 3339>: 1 and *at_ms when given, 0 when absent, KENES_EINVAL after
 * answering 400 (malformed, or in the future: nothing is known of it yet). */
static int at_param(http_request *req, int64_t *at_ms)
{
    char text[64];
    int has = http_query(req, "at", text, sizeof(text));
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

/* A search's list, its bodies searched. */
static void list_done(const docs_result *r, void *payload)
{
    pending *p = payload;
    if (r->code < 0)
        reply_refusal(p->req, r);
    else
        api_reply_json(p->req, 200, json_pack("{s:O}", "documents", r->json), NULL);
    free(p);
}

void api_docs_list(api_call *c)
{
    http_request *req = c->req;
    char type[128], region[32], stage[128], overdue[8], q[512];
    docs_filter f = {.overdue = -1};
    int hat = at_param(req, &f.at_ms);
    if (hat < 0)
        return;
    f.has_at = hat;
    int ht = http_query(req, "type", type, sizeof(type));
    int hr = http_query(req, "region", region, sizeof(region));
    int hs = http_query(req, "stage", stage, sizeof(stage));
    int ho = http_query(req, "overdue", overdue, sizeof(overdue));
    int hq = http_query(req, "q", q, sizeof(q));
    if (ho > 0 && strcmp(overdue, "true") != 0 && strcmp(overdue, "false") != 0)
        ho = -1;
    if (ht < 0 || hr < 0 || hs < 0 || ho < 0 || hq < 0) {
        api_reply_error(req, 400, "bad_request", NULL, "a query parameter is malformed");
        return;
    }
    f.type = ht ? type : NULL;
    f.region = hr ? region : NULL;
    f.stage = hs ? stage : NULL;
    f.q = hq ? q : NULL;
    if (ho)
        f.overdue = strcmp(overdue, "true") == 0;
    json_t *list;
    int rc;
    if (f.q && *f.q && !f.has_at) {
        /* Bodies are searched on the pool: answered once that is done. */
        pending *p = pending_new(c);
        if (p)
            docs_list_search(c->svc, c->user, &f, list_done, p);
    } else if ((rc = docs_list(&list, c->svc, c->user, &f)) < 0) {
        if (rc == KENES_EIO) /* ?at= and a history not read now */
            api_reply_error(req, 500, "storage", NULL, "the history cannot be read now");
        else
            api_reply_error(req, 500, "internal", NULL, "out of memory");
    } else {
        api_reply_json(req, 200, json_pack("{s:o}", "documents", list), NULL);
    }
}

void api_docs_create(api_call *c)
{
    static const char *const allowed[] = {"type", "region", "title", "body", "fields", NULL};
    json_t *body = api_body_object(c->req, allowed);
    pending *p = body ? pending_new(c) : NULL;
    if (p)
        docs_create(c->svc, c->user, body, DOCS_SHOW, write_done, p);
    json_decref(body);
}

void api_doc_put(api_call *c)
{
    static const char *const allowed[] = {"title", "body", "fields", NULL};
    json_t *body = api_body_object(c->req, allowed);
    pending *p = body ? pending_new(c) : NULL;
    char version[64];
    if (p)
        docs_edit(c->svc, c->user, c->doc, body, if_match_version(version, sizeof(version), c->req),
                  DOCS_SHOW, write_done, p);
    json_decref(body);
}

void api_doc_transition(api_call *c)
{
    /* fields: what the action records (records:), judged by the document service. */
    static const char *const allowed[] = {"action", "comment", "fields", NULL};
    json_t *body = api_body_object(c->req, allowed);
    const char *action, *comment;
    char version[64];
    pending *p;
    if (body && string_member(c->req, body, "action", MEMBER_REQUIRED, &action) == 0 &&
        string_member(c->req, body, "comment", MEMBER_NULL_OK, &comment) == 0 && (p = pending_new(c)))
        docs_transition_fields(c->svc, c->user, c->doc, action, comment,
                               json_object_get(body, "fields"),
                               if_match_version(version, sizeof(version), c->req), DOCS_SHOW,
                               write_done, p);
    json_decref(body);
}

void api_doc_erase(api_call *c)
{
    static const char *const allowed[] = {"reason", NULL};
    json_t *body = api_body_object(c->req, allowed);
    const char *reason;
    char version[64];
    pending *p;
    if (body && string_member(c->req, body, "reason", 0, &reason) == 0 && (p = pending_new(c)))
        docs_erase(c->svc, c->user, c->doc, reason,
                   if_match_version(version, sizeof(version), c->req), DOCS_SHOW, write_done, p);
    json_decref(body);
}

/* ---- reads ---- */

void api_doc_get(api_call *c)
{
    int64_t at_ms;
    int hat = at_param(c->req, &at_ms);
    if (hat == 0 && api_doc_prepared(c))
        return;
    pending *p = hat >= 0 ? pending_new(c) : NULL;
    if (!p)
        return;
    if (hat) {
        docs_read_at(c->svc, c->user, c->doc, at_ms, read_done, p);
        return;
    }
    p->ctx = c->ctx;
    p->user = c->user;
    if (!(p->id = strdup(c->doc->id))) {
        free(p);
        api_reply_error(c->req, 500, "internal", NULL, "out of memory");
        return;
    }
    docs_read(c->svc, c->user, c->doc, read_now_done, p);
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
    int hf = http_query(c->req, "from", from, sizeof(from));
    int ht = http_query(c->req, "to", to, sizeof(to));
    if (hf < 0 || ht < 0) {
        api_reply_error(c->req, 400, "bad_request", NULL, "from and to must be commit ids");
        return;
    }
    pending *p = pending_new(c);
    if (p)
        docs_diff(c->svc, c->user, c->doc, hf ? from : NULL, ht ? to : NULL, read_done, p);
}

/* ---- the inbox ---- */

void api_inbox(api_call *c)
{
    json_t *items;
    if (docs_inbox(&items, c->svc, c->user) < 0)
        api_reply_error(c->req, 500, "internal", NULL, "out of memory");
    else
        api_reply_json(c->req, 200, json_pack("{s:o}", "items", items), NULL);
}
