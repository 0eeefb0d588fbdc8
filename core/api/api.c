#include "api/api.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "docs/rights.h"
#include "base/log.h"
#include "plugin/region.h"
#include "base/util.h"

/* Everything the API answers may carry personal data: never cache it, never sniff it. */
static const char security_headers[] =
    "Cache-Control: no-store\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "Referrer-Policy: no-referrer\r\n"
    "Content-Security-Policy: default-src 'none'; frame-ancestors 'none'\r\n";

void api_reply_json(http_request *req, int status, json_t *body, const char *extra)
{
    util_buf h, text;
    util_buf_init(&h);
    util_buf_init(&text);
    util_buf_puts(&h, security_headers);
    if (extra)
        util_buf_puts(&h, extra);
    char *dumped = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    if (!dumped) {
        status = 500;
        util_buf_puts(&text, "{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"}}");
    } else {
        util_buf_puts(&text, dumped);
    }
    util_buf_puts(&text, "\n");
    http_respond(req, status, "application/json; charset=utf-8", h.data, text.data, text.len);
    free(dumped);
    util_buf_dispose(&text);
    util_buf_dispose(&h);
}

void api_reply_error(http_request *req, int status, const char *code, json_t *fields,
                     const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    json_t *err = json_pack("{s:s, s:s}", "code", code, "message", msg);
    if (fields)
        json_object_set_new(err, "fields", fields);
    /* Log the route and the code, never the body: it may name a child. */
    log_info("api", "%s %s -> %d %s", req->method, req->path, status, code);
    api_reply_json(req, status, json_pack("{s:o}", "error", err), NULL);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Percent-decode; -1 on a broken escape, an overflow, or a result that is
 * not UTF-8 or holds a NUL (so "%00" and "%C0%AE" never reach a handler). */
static int pct_decode(char *out, size_t cap, const char *in, size_t len, int plus_is_space)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        char c = in[i];
        if (c == '%') {
            if (i + 2 >= len)
                return -1;
            int hi = hexval(in[i + 1]), lo = hexval(in[i + 2]);
            if (hi < 0 || lo < 0)
                return -1;
            c = (char)(hi * 16 + lo);
            i += 2;
        } else if (c == '+' && plus_is_space) {
            c = ' ';
        }
        if (o + 1 >= cap)
            return -1;
        out[o++] = c;
    }
    out[o] = '\0';
    return util_utf8_valid(out, o) ? 0 : -1;
}

int api_query(const http_request *req, const char *name, char *out, size_t cap)
{
    size_t nlen = strlen(name);
    const char *q = req->query;
    while (q && *q) {
        const char *amp = strchr(q, '&');
        size_t plen = amp ? (size_t)(amp - q) : strlen(q);
        if (plen > nlen && strncmp(q, name, nlen) == 0 && q[nlen] == '=')
            return pct_decode(out, cap, q + nlen + 1, plen - nlen - 1, 1) == 0 ? 1 : -1;
        if (plen == nlen && strncmp(q, name, nlen) == 0) {
            out[0] = '\0';
            return 1;
        }
        q = amp ? amp + 1 : NULL;
    }
    return 0;
}

/*
 * A large JSON body (up to limits.max_body_bytes, 1 MiB: hundreds of
 * thousands of values) takes jansson a good part of a second to parse, which
 * on the loop would hold up every other client.  Past API_BODY_ON_POOL bytes
 * an authenticated request is parsed on the thread pool first and then
 * handled as usual; api_body_object() takes the parsed value from here.
 */
#define API_BODY_ON_POOL (64 * 1024)
#define API_LOGIN_BODY_MAX 4096

typedef struct body_job {
    uv_work_t work;
    server *srv;
    http_request *req;
    json_t *json; /* parsed, or NULL with err */
    json_error_t err;
} body_job;

/* The body parsed for the request being handled now (loop thread only). */
static body_job *parsed_body;

static void body_parse_work(uv_work_t *w)
{
    body_job *j = w->data;
    /* The request is the handler's until it is answered: reading it here is safe. */
    j->json = json_loadb(j->req->body ? j->req->body : "", j->req->body_len,
                         JSON_REJECT_DUPLICATES, &j->err);
}

static void body_free_work(uv_work_t *w)
{
    body_job *j = w->data;
    json_decref(j->json);
    j->json = NULL;
}

static void body_free_done(uv_work_t *w, int status)
{
    (void)status;
    free(w->data);
}

static void body_parse_done(uv_work_t *w, int status)
{
    body_job *j = w->data;
    (void)status; /* not cancelled: nothing calls uv_cancel */
    parsed_body = j;
    api_handle(j->req, j->srv); /* j->req may be answered and freed on return */
    parsed_body = NULL;
    /* api_body_object lent the handler a reference.  If ours is the last one
     * now, freeing a big tree (tens of ms) goes to the pool as well. */
    if (j->json && j->json->refcount == 1 &&
        uv_queue_work(j->srv->loop, &j->work, body_free_work, body_free_done) == 0)
        return;
    json_decref(j->json);
    free(j);
}

/* 1 if the request was queued to have its body parsed first. */
static int body_parse_first(server *srv, http_request *req)
{
    if (parsed_body || req->body_len <= API_BODY_ON_POOL)
        return 0;
    body_job *j = calloc(1, sizeof(*j));
    if (!j)
        return 0; /* parsed on the loop then: slower, not wrong */
    j->srv = srv;
    j->req = req;
    j->work.data = j;
    if (uv_queue_work(srv->loop, &j->work, body_parse_work, body_parse_done) != 0) {
        free(j);
        return 0;
    }
    return 1;
}

json_t *api_body_object(http_request *req, const char *const *allowed)
{
    const char *ct = http_request_header(req, "Content-Type");
    if (!ct || strncasecmp(ct, "application/json", 16) != 0 || (ct[16] && ct[16] != ';' &&
                                                                ct[16] != ' ')) {
        api_reply_error(req, 415, "unsupported_media_type", NULL,
                        "the body must be JSON (Content-Type: application/json)");
        return NULL;
    }
    json_error_t jerr;
    json_t *body;
    if (parsed_body && parsed_body->req == req) {
        body = json_incref(parsed_body->json); /* the job keeps one: see body_parse_done */
        jerr = parsed_body->err;
    } else {
        /* jansson checks UTF-8 and refuses NUL in strings; duplicates are ambiguous, so refused. */
        body = json_loadb(req->body ? req->body : "", req->body_len, JSON_REJECT_DUPLICATES,
                          &jerr);
    }
    if (!body) {
        api_reply_error(req, 400, "bad_json", NULL, "the body is not valid JSON: %s at %d:%d",
                        jerr.text, jerr.line, jerr.column);
        return NULL;
    }
    if (!json_is_object(body)) {
        json_decref(body);
        api_reply_error(req, 400, "bad_json", NULL, "the body must be a JSON object");
        return NULL;
    }
    const char *key;
    json_t *v;
    json_object_foreach(body, key, v)
    {
        int ok = 0;
        for (size_t i = 0; allowed[i] && !ok; i++)
            ok = strcmp(allowed[i], key) == 0;
        if (!ok) {
            json_t *fields = json_pack("[{s:s, s:s}]", "path", key, "message", "unknown field");
            api_reply_error(req, 400, "unknown_field", fields, "unknown field '%s'", key);
            json_decref(body);
            return NULL;
        }
    }
    return body;
}

/* ---- sessions ---- */

static void login_done(int status, const char *token, const auth_user *u, void *payload)
{
    http_request *req = payload;
    if (status < 0) {
        api_reply_error(req, 401, "unauthorized", NULL, "wrong user name or password");
        return;
    }
    json_t *out = json_pack("{s:s, s:s, s:s, s:o}", "token", token, "user", u->name, "role",
                            role_name(u->role), "region",
                            u->region ? json_string(u->region) : json_null());
    log_info("auth", "user %s logged in", u->name);
    api_reply_json(req, 201, out, NULL);
}

static void handle_login(server *srv, http_request *req)
{
    static const char *const allowed[] = {"user", "password", NULL};
    /* Anyone may call this: a big body is refused before it costs a parse. */
    if (req->body_len > API_LOGIN_BODY_MAX) {
        api_reply_error(req, 413, "body_too_large", NULL, "a login body is at most %d bytes",
                        API_LOGIN_BODY_MAX);
        return;
    }
    json_t *body = api_body_object(req, allowed);
    if (!body)
        return;
    const char *user = json_string_value(json_object_get(body, "user"));
    const char *password = json_string_value(json_object_get(body, "password"));
    if (!user || !password) {
        json_decref(body);
        api_reply_error(req, 400, "bad_request", NULL, "user and password are required strings");
        return;
    }
    /* Too many failures for this name or from this address: refuse before
     * any password is checked. */
    unsigned wait_s = 0;
    if (auth_throttled(srv->auth, user, req->peer, &wait_s)) {
        json_decref(body);
        char extra[48];
        snprintf(extra, sizeof(extra), "Retry-After: %u\r\n", wait_s);
        log_info("api", "%s %s -> 429 too_many_attempts", req->method, req->path);
        api_reply_json(req, 429,
                       json_pack("{s:{s:s, s:s}}", "error", "code", "too_many_attempts",
                                 "message", "too many failed logins: try again later"),
                       extra);
        return;
    }
    int rc = auth_login(srv->auth, user, password, req->peer, login_done, req);
    if (rc == KENES_ETOOBIG) {
        /* Logins in flight are capped (argon2id is costly); one is checked in
         * well under a second, so a second is the honest wait. */
        log_info("api", "%s %s -> 429 too_many_logins", req->method, req->path);
        api_reply_json(req, 429,
                       json_pack("{s:{s:s, s:s}}", "error", "code", "too_many_logins", "message",
                                 "too many logins are being checked: try again in a second"),
                       "Retry-After: 1\r\n");
    } else if (rc < 0) {
        api_reply_error(req, 500, "internal", NULL, "cannot start the login");
    }
    json_decref(body);
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

static void handle_workflows(server *srv, http_request *req)
{
    json_t *list = json_array();
    for (size_t i = 0; i < wf_set_count(srv->workflows); i++)
        json_array_append_new(list, wf_to_json(wf_set_at(srv->workflows, i)));
    api_reply_json(req, 200, json_pack("{s:o}", "workflows", list), NULL);
}

/* GET /api/v1/templates/{type}?lang=ru|kk|en (ru by default) */
static void handle_template(server *srv, http_request *req, const char *type)
{
    char lang[8] = "ru";
    int has = api_query(req, "lang", lang, sizeof(lang));
    if (has < 0 || (strcmp(lang, "ru") != 0 && strcmp(lang, "kk") != 0 && strcmp(lang, "en") != 0)) {
        api_reply_error(req, 400, "bad_request", NULL, "lang must be ru, kk or en");
        return;
    }
    json_t *text = json_object_get(json_object_get(srv->templates, type), lang);
    if (!text) {
        api_reply_error(req, 404, "not_found", NULL, "no template for that type and language");
        return;
    }
    api_reply_json(req, 200, json_pack("{s:s, s:s, s:O}", "type", type, "lang", lang, "body", text),
                   NULL);
}

/* Split "plan/KZ-11/2026/transitions" into the id and what follows it. */
static int split_document_path(char *rest, const char **sub, const char **arg)
{
    static const char *const tails[] = {"transitions", "history", "diff", "dossier.zip"};
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
    char *v = strstr(rest, "/versions/");
    if (v && strlen(v + 10) == 40 && !strchr(v + 10, '/')) {
        *v = '\0';
        *sub = "versions";
        *arg = v + 10;
    }
    return 0;
}

static int method_is(const http_request *req, const char *m)
{
    return strcmp(req->method, m) == 0;
}

static void not_allowed(http_request *req)
{
    api_reply_error(req, 405, "method_not_allowed", NULL, "%s is not allowed here", req->method);
}

/* The route's pattern as access_routes[] spells it; *id and *sub and *arg
 * filled for documents.  0, or -1 after answering 400 for a bad id. */
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
        /* national, cases, regions/KZ-11, with .md or not, or bundle.zip */
        const char *n = path + 9;
        if (!util_id_valid(n) && strchr(n, '/')) {
            api_reply_error(req, 400, "bad_request", NULL, "not a report name");
            return -1;
        }
        snprintf(pattern, cap, "/reports/{name}");
        return 0;
    }
    if (strncmp(path, "/public/", 8) == 0) {
        snprintf(id, idcap, "%s", path + 8);
        if (!util_id_valid(id)) {
            api_reply_error(req, 400, "bad_id", NULL, "not a valid document id");
            return -1;
        }
        snprintf(pattern, cap, "/public/{id}");
        return 0;
    }
    if (strncmp(path, "/api/v1/templates/", 18) == 0 && path[18] && !strchr(path + 18, '/')) {
        *type = path + 18;
        snprintf(pattern, cap, "/api/v1/templates/{type}");
    } else if (strncmp(path, "/api/v1/documents/", 18) == 0) {
        snprintf(id, idcap, "%s", path + 18);
        split_document_path(id, sub, arg);
        if (!util_id_valid(id)) {
            api_reply_error(req, 400, "bad_id", NULL, "not a valid document id");
            return -1;
        }
        snprintf(pattern, cap, "/api/v1/documents/{id}%s%s%s", *sub ? "/" : "", *sub ? *sub : "",
                 *arg ? "/{commit}" : "");
    } else {
        snprintf(pattern, cap, "%s", path);
    }
    return 0;
}

void api_handle(http_request *req, void *payload)
{
    server *srv = payload;
    for (size_t i = 0; i < req->nheaders; i++) {
        const http_header *h = &req->headers[i];
        if (!util_utf8_valid(h->name, strlen(h->name)) ||
            !util_utf8_valid(h->value, strlen(h->value))) {
            api_reply_error(req, 400, "bad_request", NULL, "a header is not valid UTF-8");
            return;
        }
    }
    char path[4096], pattern[4200], id[4096];
    const char *sub, *arg, *type;
    if (pct_decode(path, sizeof(path), req->path, strlen(req->path), 0) < 0) {
        api_reply_error(req, 400, "bad_request", NULL, "the path is not valid");
        return;
    }
    if (route_pattern(req, pattern, sizeof(pattern), path, id, sizeof(id), &sub, &arg, &type) < 0)
        return;

    /* Who may call what is decided by the table in access.c, not here. */
    int known;
    const access_route *route = access_route_find(req->method, pattern, &known);
    if (!route) {
        if (known)
            return not_allowed(req);
        api_reply_error(req, 404, "not_found", NULL, "no such resource");
        return;
    }
    if (route->rule == ACCESS_ANYONE) {
        if (strcmp(route->path, "/healthz") == 0)
            api_reply_json(req, 200, json_pack("{s:s}", "status", "ok"), NULL);
        else if (strncmp(route->path, "/reports/", 9) == 0)
            api_reports(srv, req, path);
        else if (strcmp(route->path, "/public/{id}") == 0)
            api_public(srv, req, id);
        else
            handle_login(srv, req);
        return;
    }
    const char *token = bearer(req);
    const auth_user *user = token ? auth_session(srv->auth, token) : NULL;
    if (!user) {
        api_reply_error(req, 401, "unauthorized", NULL,
                        "a valid bearer token is required (POST /api/v1/sessions)");
        return;
    }
    if (route->rule == ACCESS_ROLES && !(route->roles & (unsigned)user->role)) {
        api_reply_error(req, 403, "forbidden", NULL, "your role may not use %s", route->path);
        return;
    }
    /* Handled again once parsed: who, what and which document are decided
     * anew then, on the loop, as for any request. */
    if (body_parse_first(srv, req))
        return;

    const char *p = route->path + 8; /* after "/api/v1/" */
    if (strcmp(p, "sessions/current") == 0) {
        auth_logout(srv->auth, token);
        http_respond(req, 204, NULL, security_headers, NULL, 0);
    } else if (strcmp(p, "me") == 0) {
        api_reply_json(req, 200, access_me(user, srv->workflows), NULL);
    } else if (strcmp(p, "workflows") == 0) {
        handle_workflows(srv, req);
    } else if (strcmp(p, "regions") == 0) {
        api_reply_json(req, 200, json_pack("{s:o}", "regions", region_to_json()), NULL);
    } else if (type) {
        handle_template(srv, req, type);
    } else if (strcmp(p, "reports/generate") == 0) {
        api_reports_generate(srv, req);
    } else if (strcmp(p, "inbox") == 0) {
        api_inbox(srv, req, user);
    } else if (strcmp(p, "audit") == 0) {
        api_audit_feed(srv, req);
    } else if (strcmp(p, "audit/access") == 0) {
        api_audit_access(srv, req);
    } else if (strcmp(p, "audit/head") == 0) {
        api_audit_head(srv, req);
    } else if (strcmp(p, "signing-key") == 0) {
        /* What an auditor needs to check every commit with git alone. */
        const signer *sg = store_signer(srv->repos[REPO_DOCUMENTS]);
        char pub[SIGN_LINE_MAX], allowed[1024];
        if (!sg || sign_public_line(sg, pub, sizeof(pub)) < 0 ||
            sign_allowed_signers_line(sg, srv->cfg->committer_email, allowed, sizeof(allowed)) < 0)
            api_reply_error(req, 500, "internal", NULL, "no signing key");
        else
            api_reply_json(req, 200, json_pack("{s:s, s:s}", "public_key", pub,
                                               "allowed_signers", allowed), NULL);
    } else if (strcmp(p, "documents") == 0) {
        if (method_is(req, "POST"))
            api_docs_create(srv, req, user);
        else
            api_docs_list(srv, req, user);
    } else {
        /* Document rules depend on the document: docs.c asks access.c. */
        api_docs_one(srv, req, user, id, sub, arg);
    }
}
