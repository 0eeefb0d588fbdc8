/*
 * The router: the API as one table of method, path pattern, the rule that
 * guards it (rights.h) and the handler.  A request's path becomes a pattern
 * ("/api/v1/documents/{id}/history"), the table names the route, the
 * rule is checked from it (the token, the role; for {id}, the document and
 * whether the caller may read it), then the handler parses, calls the
 * service and replies.  Rules that depend on what is asked (edit, act,
 * erase, create) the document service checks itself.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "api/call.h"
#include "base/util.h"
#include "docs/fetch.h"
#include "docs/rights.h"

#define ROLES_AUDIT (ROLE_AUDITOR | ROLE_ADMIN)

typedef struct api_route {
    const char *method;
    const char *path; /* with {type}, {id}, {name}, {commit} placeholders */
    access_rule rule;
    unsigned roles; /* for ACCESS_ROLES */
    api_handler handler;
} api_route;

static const api_route routes[] = {
    {"GET", "/healthz", ACCESS_ANYONE, 0, api_healthz},
    {"GET", "/reports/", ACCESS_ANYONE, 0, api_reports},
    {"GET", "/reports/{name}", ACCESS_ANYONE, 0, api_reports},
    {"POST", "/api/v1/reports/generate", ACCESS_ROLES, ROLE_ADMIN, api_reports_generate},
    {"GET", "/api/v1/inbox", ACCESS_SIGNED_IN, 0, api_inbox},
    /* Public data without a token; with one, edition=current too (exports.c). */
    {"GET", "/api/v1/exports/{name}", ACCESS_ANYONE, 0, api_exports},
    {"POST", "/api/v1/sessions", ACCESS_ANYONE, 0, api_login},
    {"DELETE", "/api/v1/sessions/current", ACCESS_SIGNED_IN, 0, api_logout},
    {"GET", "/api/v1/me", ACCESS_SIGNED_IN, 0, api_me},
    {"GET", "/api/v1/workflows", ACCESS_SIGNED_IN, 0, api_workflows},
    {"GET", "/api/v1/regions", ACCESS_SIGNED_IN, 0, api_regions},
    {"GET", "/api/v1/templates/{type}", ACCESS_SIGNED_IN, 0, api_template},
    {"GET", "/api/v1/signing-key", ACCESS_SIGNED_IN, 0, api_signing_key},
    {"GET", "/api/v1/audit", ACCESS_ROLES, ROLES_AUDIT, api_audit_feed},
    {"GET", "/api/v1/audit/access", ACCESS_ROLES, ROLES_AUDIT, api_audit_access},
    {"GET", "/api/v1/audit/head", ACCESS_ROLES, ROLES_AUDIT, api_audit_head},
    {"GET", "/api/v1/documents", ACCESS_DOC_LIST, 0, api_docs_list},
    {"POST", "/api/v1/documents", ACCESS_DOC_CREATE, 0, api_docs_create},
    {"GET", "/api/v1/documents/{id}", ACCESS_DOC_READ, 0, api_doc_get},
    {"PUT", "/api/v1/documents/{id}", ACCESS_DOC_EDIT, 0, api_doc_put},
    {"DELETE", "/api/v1/documents/{id}", ACCESS_DOC_ERASE, 0, api_doc_erase},
    {"POST", "/api/v1/documents/{id}/transitions", ACCESS_DOC_ACT, 0, api_doc_transition},
    {"GET", "/api/v1/documents/{id}/history", ACCESS_DOC_HISTORY, 0, api_doc_history},
    {"GET", "/api/v1/documents/{id}/versions/{commit}", ACCESS_DOC_READ, 0, api_doc_version},
    {"GET", "/api/v1/documents/{id}/diff", ACCESS_DOC_READ, 0, api_doc_diff},
    {"GET", "/api/v1/documents/{id}/dossier.zip", ACCESS_DOC_DOSSIER, 0, api_doc_dossier},
    /* who may add or remove files: the workflow's attach:, which the service checks */
    {"POST", "/api/v1/documents/{id}/attachments", ACCESS_DOC_READ, 0, api_doc_attach},
    {"GET", "/api/v1/documents/{id}/attachments/{aid}", ACCESS_DOC_READ, 0, api_doc_attachment},
    {"DELETE", "/api/v1/documents/{id}/attachments/{aid}", ACCESS_DOC_READ, 0, api_doc_detach},
};

/* The route for a method and a path pattern; NULL if none.  *path_known
 * says whether the pattern exists with another method (then 405, not 404). */
static const api_route *route_find(const char *method, const char *pattern, int *path_known)
{
    *path_known = 0;
    for (size_t i = 0; i < UTIL_ARRAY_LEN(routes); i++) {
        const api_route *r = &routes[i];
        if (strcmp(r->path, pattern) != 0)
            continue;
        *path_known = 1;
        /* HEAD is a GET without its body. */
        if (strcmp(r->method, method) == 0 ||
            (strcmp(method, "HEAD") == 0 && strcmp(r->method, "GET") == 0))
            return r;
    }
    return NULL;
}

json_t *api_routes_json(const auth_user *u)
{
    json_t *list = json_array();
    for (size_t i = 0; i < UTIL_ARRAY_LEN(routes); i++)
        json_array_append_new(list, json_pack("{s:s, s:s, s:o}", "method", routes[i].method,
                                              "path", routes[i].path, "allowed",
                                              access_route_json(u, routes[i].rule,
                                                                routes[i].roles)));
    return list;
}

static int split_document_path(char *rest, const char **sub, const char **arg)
{
    static const char *const tails[] = {"transitions", "history", "diff", "dossier.zip",
                                        "attachments"};
    *sub = NULL;
    *arg = NULL;
    char *slash = strrchr(rest, '/');
    if (!slash)
        return 0;
    for (size_t i = 0; i < UTIL_ARRAY_LEN(tails); i++) {
        if (strcmp(slash + 1, tails[i]) == 0) {
            *slash = '\0';
            *sub = tails[i];
            return 0;
        }
    }
    char *a = strstr(rest, "/attachments/");
    if (a && strlen(a + 13) == 16 && strspn(a + 13, "0123456789abcdef") == 16) {
        *a = '\0';
        *sub = "attachments";
        *arg = a + 13;
        return 0;
    }
    char *v = strstr(rest, "/versions/");
    if (v && strlen(v + 10) == 40 && !strchr(v + 10, '/')) {
        *v = '\0';
        *sub = "versions";
        *arg = v + 10;
    }
    return 0;
}
static int route_pattern(http_request *req, char *pattern, size_t cap, const char *path,
                         char *id, size_t idcap, const char **sub, const char **arg,
                         const char **type)
{
    *sub = *arg = *type = NULL;
    if (strcmp(path, "/reports") == 0 || strcmp(path, "/reports/") == 0) {
        snprintf(pattern, cap, "/reports/");
        return 0;
    }
    if (strncmp(path, "/reports/", 9) == 0) {
        /* national, cases, regions/KZ-11, kk/national, with .md or not, a
         * language's index (kk/, en/), or bundle.zip */
        const char *n = path + 9;
        if (!util_id_valid(n) && strchr(n, '/') && api_reports_index_lang(n) < 0) {
            api_reply_error(req, 400, "bad_request", NULL, "not a report name");
            return KENES_EINVAL;
        }
        snprintf(pattern, cap, "/reports/{name}");
        return 0;
    }
    if (strncmp(path, "/api/v1/exports/", 16) == 0 && path[16] && !strchr(path + 16, '/')) {
        snprintf(pattern, cap, "/api/v1/exports/{name}");
    } else if (strncmp(path, "/api/v1/templates/", 18) == 0 && path[18] && !strchr(path + 18, '/')) {
        *type = path + 18;
        snprintf(pattern, cap, "/api/v1/templates/{type}");
    } else if (strncmp(path, "/api/v1/documents/", 18) == 0) {
        snprintf(id, idcap, "%s", path + 18);
        split_document_path(id, sub, arg);
        if (!util_id_valid(id)) {
            api_reply_error(req, 400, "bad_id", NULL, "not a valid document id");
            return KENES_EINVAL;
        }
        snprintf(pattern, cap, "/api/v1/documents/{id}%s%s%s", *sub ? "/" : "", *sub ? *sub : "",
                 !*arg ? "" : strcmp(*sub, "attachments") == 0 ? "/{aid}" : "/{commit}");
    } else {
        snprintf(pattern, cap, "%s", path);
    }
    return 0;
}

/* The bearer token of a request, or NULL (also NULL when sent more than once). */
static const char *bearer(const http_request *req)
{
    if (http_request_header_count(req, "Authorization") != 1)
        return NULL;
    const char *h = http_request_header(req, "Authorization");
    if (strncasecmp(h, "Bearer ", 7) != 0)
        return NULL;
    return h + 7;
}

/* The rule of the route, checked: 0, or the refusal answered. */
static int check_rule(api_call *c, const api_route *r)
{
    if (r->rule == ACCESS_ANYONE)
        return 0;
    c->token = bearer(c->req);
    c->user = c->token ? auth_session(c->ctx->auth, c->token) : NULL;
    if (!c->user) {
        api_reply_error(c->req, 401, "unauthorized", NULL,
                        "a valid bearer token is required (POST /api/v1/sessions)");
        return KENES_EUNAUTHORIZED;
    }
    if (r->rule == ACCESS_ROLES && !(r->roles & (unsigned)c->user->role)) {
        api_reply_error(c->req, 403, "forbidden", NULL, "your role may not use %s", r->path);
        return KENES_EFORBIDDEN;
    }
    return 0;
}

/* For {id} routes: the document, which the caller must be able to read
 * (and, for a dossier, take whole).  0, or the refusal answered. */
static int find_document(api_call *c, const api_route *r)
{
    docs_result why;
    if (!c->id || strncmp(r->path, "/api/v1/documents/{id}", 22) != 0)
        return 0;
    if (docs_find(&c->doc, &why, c->svc, c->user, c->id, r->rule == ACCESS_DOC_HISTORY) < 0) {
        api_reply_code(c->req, why.code, why.reason, NULL, why.message);
        return why.code;
    }
    if (r->rule == ACCESS_DOC_DOSSIER && !docs_allowed(c->svc, c->user, c->doc, r->rule)) {
        api_reply_error(c->req, 403, "forbidden", NULL, "%s", access_refusal(r->rule));
        return KENES_EFORBIDDEN;
    }
    return 0;
}

/* A request of one document whose JSON is not in memory is handled again
 * once it is read (docs/fetch.h): who, what and which document are decided
 * anew then. */
static void handle_again(void *req, void *ctx)
{
    api_handle(req, ctx);
}

void api_handle(http_request *req, void *payload)
{
    api_ctx *ctx = payload;
    for (size_t i = 0; i < req->nheaders; i++) {
        const http_header *h = &req->headers[i];
        if (!util_utf8_valid(h->name, strlen(h->name)) ||
            !util_utf8_valid(h->value, strlen(h->value))) {
            api_reply_error(req, 400, "bad_request", NULL, "a header is not valid UTF-8");
            return;
        }
    }
    char path[4096], pattern[4200], id[4096] = "";
    const char *sub, *arg, *type;
    if (http_pct_decode(path, sizeof(path), req->path, strlen(req->path), 0) < 0) {
        api_reply_error(req, 400, "bad_request", NULL, "the path is not valid");
        return;
    }
    if (route_pattern(req, pattern, sizeof(pattern), path, id, sizeof(id), &sub, &arg, &type) < 0)
        return;
    int known;
    const api_route *r = route_find(req->method, pattern, &known);
    if (!r) {
        if (known)
            api_reply_error(req, 405, "method_not_allowed", NULL, "%s is not allowed here",
                            req->method);
        else
            api_reply_error(req, 404, "not_found", NULL, "no such resource");
        return;
    }
    /* A read replica takes no write: signing in and out are its own
     * sessions, every other write is the primary's. */
    if (ctx->replica_primary && strcmp(r->method, "GET") != 0 && r->handler != api_login &&
        r->handler != api_logout) {
        api_reply_error(req, 503, "replica", NULL,
                        "this server is a read-only replica: write on the primary, %s",
                        ctx->replica_primary);
        return;
    }
    int files = sub && strcmp(sub, "attachments") == 0;
    api_call c = {.ctx = ctx, .svc = ctx->svc, .req = req, .path = path, .type = type,
                  .id = id[0] ? id : NULL, .commit = files ? NULL : arg,
                  .aid = files ? arg : NULL};
    if (check_rule(&c, r) < 0)
        return;
    /* Handled again once parsed: who, what and which document are decided
     * anew then, on the loop, as for any request. */
    if (r->rule != ACCESS_ANYONE && api_body_parse_first(ctx, req))
        return;
    if (c.id && strncmp(r->path, "/api/v1/documents/{id}", 22) == 0 &&
        docs_fetch_redo(ctx->svc, c.user, c.id, handle_again, req, ctx))
        return;
    if (find_document(&c, r) < 0)
        return;
    /* Kept in the cache while the handler runs: what it reads of other
     * documents (a plan's items, a plugin's walk) must not push it out. */
    idx_doc *held = c.doc;
    if (held)
        docs_fetch_pin(held);
    r->handler(&c);
    if (held)
        docs_fetch_unpin(ctx->svc, held);
}
