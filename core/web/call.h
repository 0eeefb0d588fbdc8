/*
 * Inside the web interface: one request as the router hands it to a page
 * handler, and what every handler uses (the page's model, replies, the
 * form, cookies, CSRF).  A handler answers exactly once, through one of the
 * web_reply_* / web_page / web_redirect / web_fail calls.
 */
#ifndef KENES_WEB_CALL_H
#define KENES_WEB_CALL_H

#include <jansson.h>

#include "docs/docs.h"
#include "http/bytes.h"
#include "web/web.h"

#define WEB_SESSION_COOKIE "kenes_session"
#define WEB_LANG_COOKIE "kenes_lang"
#define WEB_PRESESSION_COOKIE "kenes_csrf" /* ties the sign-in form to this browser */
#define WEB_CSRF_FIELD "csrf"
#define WEB_CSRF_CHARS 44 /* 43 + NUL */

typedef struct web_call {
    web_ctx *ctx;
    docs_service *svc;
    http_request *req;
    const char *path;      /* decoded */
    const char *arg;       /* {id} or {type} or {name}, decoded; NULL without */
    const auth_user *user; /* from the session cookie; NULL when not signed in */
    const char *token;     /* the session's token, with user (in token_buf) */
    char token_buf[AUTH_TOKEN_CHARS + 8];
    ui_lang lang;
    char csrf[WEB_CSRF_CHARS]; /* what this browser's forms must carry; "" if none yet */
    int csrf_fresh;            /* the pre-session cookie is new: no form can carry its token yet */
    char cookies[1024];        /* Set-Cookie (and web_add_header) lines to send with the answer */
    char *owned_path, *owned_arg; /* a copy's own (web_call_copy) */
    /* The document a page of one document names (its JSON read before the
     * handler runs), or NULL; a copy keeps it in memory until freed. */
    idx_doc *doc;
} web_call;

/* A call lives on the router's stack: a handler that answers later (after
 * a read or a write of the document service) keeps copies of what it
 * needs, never c itself; web_call_copy makes one. */
typedef void (*web_handler)(web_call *c);
web_call *web_call_copy(const web_call *c);
void web_call_free(web_call *c);

/* ---- replies (reply.c) ---- */

/* The page `view` with model (stolen; the common keys are added: lang, t,
 * user, csrf, path, langs). */
void web_page(web_call *c, int status, const char *view, json_t *model);
/* The same, with html (trusted: made by the server, e.g. render_markdown's
 * safe output) put where the view has the comment "<!--kenes:html-->".
 * No value can forge that comment: every value is escaped, '<' first. */
void web_page_html(web_call *c, int status, const char *view, json_t *model, const char *html);
/* web_page_html's page into *out (a util_buf of its own): 0, or a KENES_E*
 * code (logged; *out untouched) after which the caller answers 500. */
int web_page_text(util_buf *out, web_call *c, const char *view, json_t *model, const char *html);
/* Answer with a page made before (bytes.h), with the headers every page carries. */
void web_respond_bytes(web_call *c, int status, http_bytes *page);
/* The page `view` with model (stolen) into body, and the header lines a
 * page carries into headers, for an answer the http layer sends itself
 * (web_too_big_page): 0 or a KENES_E* code. */
int web_render(util_buf *body, util_buf *headers, web_call *c, const char *view, json_t *model);
/* 303 to location (a path of ours, starting with '/'). */
void web_redirect(web_call *c, const char *location);
/* The error page: status, and the sentence t.errors.<key> in the user's language. */
void web_fail(web_call *c, int status, const char *key);
/* A refusal of the document service as an error page (403 forbidden, 404,
 * 410 gone, 409 stale...), its status from the same codes the API uses. */
void web_fail_code(web_call *c, int code);
/* A read replica's 503 page: errors' key, its {primary} filled, headed by
 * errors' title_key, without the banner (the page says it). */
void web_fail_replica(web_call *c, const char *key, const char *title_key);
/* The common model alone (new reference), for a page that renders pieces itself. */
json_t *web_model(web_call *c, json_t *model);
/* A word of the interface in the user's language (t.<group>.<key>), never NULL. */
const char *web_text(const web_call *c, const char *group, const char *key);

/* ---- the request (request.c) ---- */

/* A cookie's value, copied into out: 1 found, 0 not. */
int web_cookie(const http_request *req, const char *name, char *out, size_t cap);
/* Queue a Set-Cookie for the answer (HttpOnly, SameSite=Strict, Path=/,
 * Secure behind TLS); max_age_s 0 deletes it, -1 makes it last the
 * browser's session. */
void web_set_cookie(web_call *c, const char *name, const char *value, long max_age_s);
/* Queue another header line for the answer ("Retry-After", "3"); a name
 * or value holding CR or LF is dropped. */
void web_add_header(web_call *c, const char *name, const char *value);
/* A query parameter, decoded: 1 found, 0 absent, KENES_EINVAL malformed. */
int web_query(const web_call *c, const char *name, char *out, size_t cap);

/* An application/x-www-form-urlencoded body as {name: value} (new
 * reference): 0, or KENES_EINVAL (not a form, a broken escape, a name
 * given twice) after answering 400 itself. */
int web_form(json_t **out, web_call *c);
/* Sets c->csrf: derived from the session token when signed in, else from
 * the pre-session cookie (set here when the browser has none yet). */
void web_csrf_init(web_call *c);
/* Appends s percent-encoded for a query value (RFC 3986 unreserved kept). */
void web_url_escape(util_buf *b, const char *s);
/* 1 if next is a path of this site to go back to after signing in
 * ("/ui/..." or "/"), never another site ("//evil", "/\evil", "http:"). */
int web_next_safe(const char *next);
/* 1 if the form carries this browser's CSRF token; else 0 after answering
 * 403 with the error page itself (nothing is done then). */
int web_csrf_ok(web_call *c, const json_t *form);
/* The same for a token taken from elsewhere (a multipart body's part). */
int web_csrf_token_ok(web_call *c, const char *sent);
/* web_form, then web_csrf_ok: 0 and the form, or negative after answering
 * (400, 415 or 403) with *out NULL. */
int web_signed_form(json_t **out, web_call *c);

#endif
