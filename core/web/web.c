/*
 * The interface's router: one table of method, path pattern, whether the
 * page needs a signed-in user, and its handler.  A page for signed-in
 * users sends anyone else to the sign-in page (303, with ?next=); what a
 * signed-in user may see of a document the handlers ask the document
 * service, as the API does, and a refusal is an error page in the user's
 * language, never JSON.
 */
#include "web/web.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "docs/fetch.h"
#include "web/fields.h"
#include "web/files.h"
#include "web/pages.h"

typedef struct web_route {
    const char *method;
    const char *path; /* with {id}, {type}, {name} */
    int signed_in;
    web_handler handler;
} web_route;

static const web_route routes[] = {
    {"GET", "/", 0, web_landing},
    {"GET", "/static/{name}", 0, web_static},
    {"GET", "/ui/login", 0, web_login_form},
    {"POST", "/ui/login", 0, web_login},
    {"POST", "/ui/logout", 1, web_logout},
    {"GET", "/ui/password", 1, web_password_form},
    {"POST", "/ui/password", 1, web_password},
    {"GET", "/ui/inbox", 1, web_inbox},
    {"GET", "/ui/list", 1, web_list},
    {"GET", "/ui/new/{type}", 1, web_new_form},
    {"POST", "/ui/new/{type}", 1, web_new},
    {"GET", "/ui/d/{id}", 1, web_doc},
    {"POST", "/ui/d/{id}/act", 1, web_doc_act},
    {"GET", "/ui/d/{id}/act", 0, web_doc_act_get},
    {"GET", "/ui/d/{id}/edit", 1, web_edit_form},
    {"POST", "/ui/d/{id}/edit", 1, web_edit},
    {"GET", "/ui/d/{id}/history", 1, web_history},
    {"GET", "/public/{id}", 0, web_public},
    {"GET", "/ui/d/{id}/dossier.zip", 1, web_doc_dossier},
    {"POST", "/ui/d/{id}/attach", 1, web_doc_attach},
    {"POST", "/ui/d/{id}/detach", 1, web_doc_detach},
    {"GET", "/ui/d/{id}/file", 1, web_doc_file},
    {"GET", "/public/{id}/file", 0, web_public_file},
};

int web_wants(const http_request *req)
{
    const char *p = req->path;
    return strcmp(p, "/") == 0 || strcmp(p, "/ui") == 0 || strncmp(p, "/ui/", 4) == 0 ||
           strncmp(p, "/static/", 8) == 0 || strncmp(p, "/public/", 8) == 0;
}

/* The pattern of a decoded path, with its argument (into arg). */
static void pattern_of(char *pattern, size_t cap, const char *path, char *arg, size_t argcap)
{
    static const char *const doc_tails[] = {"/act",    "/edit",   "/history", "/dossier.zip",
                                            "/attach", "/detach", "/file"};
    arg[0] = '\0';
    if (strncmp(path, "/static/", 8) == 0) {
        snprintf(arg, argcap, "%s", path + 8);
        snprintf(pattern, cap, "/static/{name}");
    } else if (strncmp(path, "/public/", 8) == 0) {
        snprintf(arg, argcap, "%s", path + 8);
        size_t n = strlen(arg);
        int file = n > 5 && strcmp(arg + n - 5, "/file") == 0;
        if (file)
            arg[n - 5] = '\0';
        snprintf(pattern, cap, "/public/{id}%s", file ? "/file" : "");
    } else if (strncmp(path, "/ui/new/", 8) == 0) {
        snprintf(arg, argcap, "%s", path + 8);
        snprintf(pattern, cap, "/ui/new/{type}");
    } else if (strncmp(path, "/ui/d/", 6) == 0) {
        snprintf(arg, argcap, "%s", path + 6);
        const char *tail = "";
        size_t n = strlen(arg);
        for (size_t i = 0; i < UTIL_ARRAY_LEN(doc_tails); i++) {
            size_t k = strlen(doc_tails[i]);
            if (n > k && strcmp(arg + n - k, doc_tails[i]) == 0) {
                arg[n - k] = '\0';
                tail = doc_tails[i];
                break;
            }
        }
        snprintf(pattern, cap, "/ui/d/{id}%s", tail);
    } else {
        snprintf(pattern, cap, "%s", path);
    }
}

static const web_route *route_find(const char *method, const char *pattern, int *known)
{
    *known = 0;
    for (size_t i = 0; i < UTIL_ARRAY_LEN(routes); i++) {
        if (strcmp(routes[i].path, pattern) != 0)
            continue;
        *known = 1;
        if (strcmp(routes[i].method, method) == 0 ||
            (strcmp(method, "HEAD") == 0 && strcmp(routes[i].method, "GET") == 0))
            return &routes[i];
    }
    return NULL;
}

/* The language c's page speaks (?lang=, then the cookie, then
 * Accept-Language), remembered in the cookie when ?lang= chose it. */
static void choose_lang(web_call *c, const http_request *req)
{
    char cookie[256] = "", query_lang[16] = "";
    int has_cookie = web_cookie(req, WEB_LANG_COOKIE, cookie, sizeof(cookie));
    int has_query = web_query(c, "lang", query_lang, sizeof(query_lang)) == 1;
    c->lang = ui_lang_choose(has_query ? query_lang : NULL, has_cookie ? cookie : NULL,
                             http_request_header(req, "Accept-Language"));
    /* The switch on every page is a link with ?lang=: remember the choice. */
    ui_lang chosen;
    if (has_query && ui_lang_parse(&chosen, query_lang) == 0 &&
        (!has_cookie || strcmp(cookie, ui_lang_code(chosen)) != 0))
        web_set_cookie(c, WEB_LANG_COOKIE, ui_lang_code(chosen), 365L * 86400);
}

/* Who is asking: the session cookie, checked as a bearer token is. */
static void find_user(web_call *c, const http_request *req)
{
    if (web_cookie(req, WEB_SESSION_COOKIE, c->token_buf, sizeof(c->token_buf)) == 1 &&
        (c->user = auth_session(c->ctx->auth, c->token_buf)) != NULL)
        c->token = c->token_buf;
}

int web_too_big_page(const http_request *req, util_buf *body, const char **content_type,
                     util_buf *headers, void *payload)
{
    web_ctx *ctx = payload;
    char path[4096], pattern[4200], arg[4096];
    if (strncmp(req->path, "/ui/", 4) != 0 ||
        http_pct_decode(path, sizeof(path), req->path, strlen(req->path), 0) < 0)
        return 0;
    web_call c = {.ctx = ctx, .svc = ctx->svc, .req = (http_request *)req, .path = path};
    choose_lang(&c, req);
    pattern_of(pattern, sizeof(pattern), path, arg, sizeof(arg));
    c.arg = arg[0] ? arg : NULL;
    find_user(&c, req);
    web_csrf_init(&c);
    int upload = strcmp(pattern, "/ui/d/{id}/attach") == 0 || strcmp(pattern, "/ui/d/{id}/act") == 0;
    char limit[64], back[4200];
    web_size_text(limit, sizeof(limit), &c,
                  (json_int_t)(ctx->svc->cfg ? ctx->svc->cfg->attachments_max_bytes : 0));
    static const char *const names[] = {"limit"};
    const char *texts[] = {limit};
    char *text = upload ? web_fill_text(web_text(&c, "errors", "file_too_big"), names, texts, 1)
                        : NULL;
    json_t *m = json_pack("{s:i, s:s, s:s}", "status", 413, "message",
                          text ? text : web_text(&c, "errors", "body_too_large"), "title",
                          web_text(&c, "errors", "title"));
    free(text);
    if (upload && c.arg && c.user && util_id_valid(c.arg)) {
        snprintf(back, sizeof(back), "/ui/d/%s", c.arg);
        json_object_set_new(m, "back_href", json_string(back));
    }
    if (web_render(body, headers, &c, "error", m) < 0)
        return 0;
    *content_type = "text/html; charset=utf-8";
    return 1;
}

/* A form that would change something, sent to a read replica: nothing is
 * read of it, and the page names the primary, where it is done. */
static void replica_refuse(web_call *c)
{
    web_fail_replica(c, "replica", "replica_title");
}

/* A page of one document whose JSON is not in memory is handled again once
 * it is read (docs/fetch.h): the loop never reads git. */
static void handle_again(void *req, void *ctx)
{
    web_handle(req, ctx);
}

/* The document a page of one document names, or NULL. */
static idx_doc *page_doc(const web_call *c, const char *pattern)
{
    if (!c->arg || (strncmp(pattern, "/ui/d/{id}", 10) != 0 &&
                    strncmp(pattern, "/public/{id}", 12) != 0))
        return NULL;
    idx_doc *d = index_get(c->svc->index, c->arg);
    /* Anyone may ask for /public/<id>: only what can be public is read for them. */
    if (d && pattern[1] == 'p' && d->repo != REPO_DOCUMENTS)
        return NULL;
    return d && d->version[0] ? d : NULL;
}

void web_handle(http_request *req, void *payload)
{
    web_ctx *ctx = payload;
    char path[4096], pattern[4200], arg[4096];
    web_call c = {.ctx = ctx, .svc = ctx->svc, .req = req, .path = path};

    choose_lang(&c, req);
    if (http_pct_decode(path, sizeof(path), req->path, strlen(req->path), 0) < 0) {
        c.path = "/";
        web_fail(&c, 400, "bad_request");
        return;
    }
    if (strcmp(path, "/ui") == 0 || strcmp(path, "/ui/") == 0) {
        web_redirect(&c, "/ui/inbox");
        return;
    }
    pattern_of(pattern, sizeof(pattern), path, arg, sizeof(arg));
    c.arg = arg[0] ? arg : NULL;

    find_user(&c, req);
    web_csrf_init(&c);

    int known;
    const web_route *r = route_find(req->method, pattern, &known);
    if (!r) {
        web_fail(&c, known ? 405 : 404, known ? "method_not_allowed" : "not_found");
        return;
    }
    if (ctx->replica_primary && strcmp(r->method, "POST") == 0 && r->handler != web_login &&
        r->handler != web_logout) {
        replica_refuse(&c);
        return;
    }
    if (r->signed_in && !c.user) {
        char location[4300];
        /* Back where they were going once signed in: a GET page only. */
        if ((strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0) &&
            strlen(req->url) < 2048) {
            util_buf b;
            util_buf_init(&b);
            web_url_escape(&b, req->url);
            snprintf(location, sizeof(location), "/ui/login?next=%s", b.data ? b.data : "");
            util_buf_dispose(&b);
        } else {
            snprintf(location, sizeof(location), "/ui/login");
        }
        web_redirect(&c, location);
        return;
    }
    c.doc = page_doc(&c, pattern);
    /* A page of one document is judged by its reader's rights before a
     * read; a public page by its handler, for anyone. */
    if (c.doc && docs_fetch_redo(ctx->svc, pattern[1] == 'p' ? NULL : c.user, c.doc->id,
                                 handle_again, req, ctx))
        return;
    r->handler(&c);
}
