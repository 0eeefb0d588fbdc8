/*
 * Signing in and out, and a user's own password.
 *
 * The sign-in form goes through exactly the API's path (api/session.c):
 * auth_throttled first, so a name or an address past its failed logins is
 * refused (429, Retry-After) before any password is checked, then
 * auth_login on auth's hashing threads.  The session is the API's: the
 * cookie holds the same bearer token, with the same idle time and lifetime,
 * and signing out ends it for both.
 *
 * A new password is checked as `kenes user passwd` checks it (length here,
 * cracklib in auth) and written the same way; the current one is verified
 * as a login is, and a wrong one counts as a failed login for that name.
 * The change ends every session of the user, this one too, so the answer
 * is the sign-in page with a notice.  Passwords are never put back in a
 * page, a log line or a URL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/util.h"
#include "kenes/plugin.h"
#include "web/pages.h"

/* A sign-in form is a name, a password, a token and a path: more is no sign-in. */
#define WEB_LOGIN_BODY_MAX 4096
#define WEB_LOGIN_NAME_MAX 128 /* kept for the form again; users.yaml's names are <= 64 */
#define WEB_LOGIN_NEXT_MAX 2048

typedef struct login_wait {
    web_call *c;
    char name[WEB_LOGIN_NAME_MAX];
    char next[WEB_LOGIN_NEXT_MAX];
} login_wait;

static const char *form_str(const json_t *form, const char *name)
{
    const char *s = json_string_value(json_object_get(form, name));
    return s ? s : "";
}

/* A sentence of t.login with {n} replaced by n (new reference). */
static json_t *text_n(const web_call *c, const char *key, unsigned n)
{
    const char *t = web_text(c, "login", key);
    const char *at = strstr(t, "{n}");
    if (!at)
        return json_string(t);
    util_buf b;
    util_buf_init(&b);
    util_buf_append(&b, t, (size_t)(at - t));
    util_buf_printf(&b, "%u", n);
    util_buf_puts(&b, at + 3);
    json_t *s = json_stringn(b.data ? b.data : "", b.len);
    util_buf_dispose(&b);
    return s;
}

/* Minutes people are told to wait: Retry-After's seconds, rounded up. */
static unsigned minutes_of(unsigned wait_s)
{
    return wait_s ? (wait_s + 59) / 60 : 1;
}

static void add_retry_after(web_call *c, unsigned wait_s)
{
    char v[16];
    snprintf(v, sizeof(v), "%u", wait_s ? wait_s : 1);
    web_add_header(c, "Retry-After", v);
}

/* The posted form of these pages, its CSRF token checked; NULL once
 * answered.  Anyone may post a sign-in: a big body is refused before it
 * costs a parse. */
static json_t *small_form(web_call *c)
{
    json_t *form;
    if (c->req->body_len > WEB_LOGIN_BODY_MAX) {
        web_fail(c, 413, "body_too_large");
        return NULL;
    }
    if (web_signed_form(&form, c) < 0)
        return NULL;
    return form;
}

/* ---- signing in ---- */

/* The sign-in page: name kept, never the password; error (t.login key) in
 * a role="alert" box with both inputs marked. */
static void login_page(web_call *c, int status, const char *name, const char *next,
                       const char *error, unsigned wait_s, int changed)
{
    json_t *m = json_pack("{s:s, s:s, s:b}", "title", web_text(c, "login", "title"), "name",
                          name ? name : "", "changed", changed);
    if (next && *next && web_next_safe(next))
        json_object_set_new(m, "next", json_string(next));
    if (error) {
        json_object_set_new(m, "error", text_n(c, error, minutes_of(wait_s)));
        json_object_set_new(m, "invalid", json_true());
    }
    if (status == 429)
        add_retry_after(c, wait_s);
    web_page(c, status, "login", m);
}

void web_login_form(web_call *c)
{
    if (c->user) {
        web_redirect(c, "/ui/inbox");
        return;
    }
    char next[WEB_LOGIN_NEXT_MAX] = "", changed[8] = "";
    if (web_query(c, "next", next, sizeof(next)) != 1 || !web_next_safe(next))
        next[0] = '\0';
    int was_changed =
        web_query(c, "changed", changed, sizeof(changed)) == 1 && strcmp(changed, "1") == 0;
    login_page(c, 200, "", next, NULL, 0, was_changed);
}

static void login_done(int status, const char *token, const auth_user *u, void *payload)
{
    login_wait *w = payload;
    web_call *c = w->c;
    if (status < 0) {
        login_page(c, 401, w->name, w->next, "wrong", 0, 0);
    } else {
        web_set_cookie(c, WEB_SESSION_COOKIE, token, (long)auth_lifetime_s(c->ctx->auth));
        log_info("auth", "user %s logged in (web)", u->name);
        web_redirect(c, w->next[0] && web_next_safe(w->next) ? w->next : "/ui/inbox");
    }
    web_call_free(c);
    free(w);
}

void web_login(web_call *c)
{
    /* Signed in already (in another tab, say): nothing to do but go on. */
    if (c->user) {
        web_redirect(c, "/ui/inbox");
        return;
    }
    json_t *form = small_form(c);
    if (!form)
        return;
    const char *name = form_str(form, "user"), *password = form_str(form, "password");
    const char *next = form_str(form, "next");
    if (!web_next_safe(next))
        next = "";
    auth *a = c->ctx->auth;
    unsigned wait_s = 0;
    login_wait *w = NULL;
    int rc;
    if (!*name || !*password) {
        login_page(c, 400, name, next, "missing", 0, 0);
    } else if (auth_throttled(a, name, c->req->peer, &wait_s)) {
        login_page(c, 429, name, next, "too_many_attempts", wait_s, 0);
    } else if (!(w = calloc(1, sizeof(*w))) || !(w->c = web_call_copy(c))) {
        free(w);
        web_fail(c, 500, "internal");
    } else {
        /* Cut short, a name could end inside a character; that long, it names no user. */
        snprintf(w->name, sizeof(w->name), "%s", strlen(name) < sizeof(w->name) ? name : "");
        snprintf(w->next, sizeof(w->next), "%s", strlen(next) < sizeof(w->next) ? next : "");
        rc = auth_login(a, name, password, c->req->peer, login_done, w);
        if (rc < 0) {
            web_call_free(w->c);
            free(w);
            if (rc == KENES_ETOOBIG)
                /* Logins in flight are capped; one is checked well within a second. */
                login_page(c, 429, name, next, "too_many_logins", 1, 0);
            else
                web_fail(c, 500, "internal");
        }
    }
    json_decref(form);
}

void web_logout(web_call *c)
{
    json_t *form = small_form(c);
    if (!form)
        return;
    auth_logout(c->ctx->auth, c->token);
    web_set_cookie(c, WEB_SESSION_COOKIE, "", 0);
    web_redirect(c, "/");
    json_decref(form);
}

/* ---- the user's own password ---- */

#define PW_CURRENT "current_password"
#define PW_NEW "new_password"
#define PW_AGAIN "new_password_again"

/* A sentence of t.login that may say the least length. */
static json_t *pw_text(const web_call *c, const char *key)
{
    return text_n(c, key, AUTH_MIN_PASSWORD);
}

/* cracklib's reasons (English, its own words) as sentences of t.login. */
static const struct {
    const char *part, *key;
} weak_reasons[] = {
    {"dictionary word", "pw_weak_dictionary"},
    {"DIFFERENT", "pw_weak_repetitive"},
    {"whitespace", "pw_weak_repetitive"},
    {"simplistic", "pw_weak_simple"},
    {"username", "pw_weak_personal"},
    {"password entry", "pw_weak_personal"},
    {"short", "pw_too_short"},
};

static const char *weak_key(const char *why)
{
    for (size_t i = 0; why && i < UTIL_ARRAY_LEN(weak_reasons); i++)
        if (strstr(why, weak_reasons[i].part))
            return weak_reasons[i].key;
    return "pw_weak_other";
}

/* One problem (text, stolen): beside its field (err.<field>) and in the
 * summary (errors); field NULL for the summary alone. */
static void pw_error(json_t *m, const char *field, json_t *text)
{
    json_t *errs = json_object_get(m, "errors");
    if (!errs)
        json_object_set_new(m, "errors", errs = json_array());
    json_t *by_field = json_object_get(m, "err");
    if (!by_field)
        json_object_set_new(m, "err", by_field = json_object());
    if (field) {
        json_object_set(by_field, field, text);
        json_array_append_new(errs, json_pack("{s:s, s:O}", "field", field, "message", text));
    } else {
        json_array_append_new(errs, json_pack("{s:O}", "message", text));
    }
    json_decref(text);
}

static json_t *pw_model(const web_call *c)
{
    return json_pack("{s:s, s:o}", "title", web_text(c, "login", "pw_title"), "hint",
                     text_n(c, "pw_new_hint", AUTH_MIN_PASSWORD));
}

void web_password_form(web_call *c)
{
    web_page(c, 200, "password", pw_model(c));
}

static void password_done(int status, const char *why, void *payload)
{
    web_call *c = payload;
    if (status == 0) {
        /* Every session of the user ended with the change, this one too. */
        web_set_cookie(c, WEB_SESSION_COOKIE, "", 0);
        web_redirect(c, "/ui/login?changed=1");
    } else if (status == KENES_EFORBIDDEN || status == KENES_EINVAL) {
        json_t *m = pw_model(c);
        if (status == KENES_EFORBIDDEN)
            pw_error(m, PW_CURRENT, pw_text(c, "pw_current_wrong"));
        else
            pw_error(m, PW_NEW, pw_text(c, weak_key(why)));
        web_page(c, 422, "password", m);
    } else {
        web_fail(c, 500, status == KENES_EIO ? "storage" : "internal");
    }
    web_call_free(c);
}

void web_password(web_call *c)
{
    json_t *form = small_form(c);
    if (!form)
        return;
    const char *current = form_str(form, PW_CURRENT), *fresh = form_str(form, PW_NEW);
    const char *again = form_str(form, PW_AGAIN);
    /* What needs no hash is said first, and costs no attempt. */
    json_t *m = pw_model(c);
    if (!*current)
        pw_error(m, PW_CURRENT, pw_text(c, "pw_current_required"));
    if (util_utf8_length(fresh) < AUTH_MIN_PASSWORD)
        pw_error(m, PW_NEW, pw_text(c, "pw_too_short"));
    else if (strcmp(fresh, current) == 0)
        pw_error(m, PW_NEW, pw_text(c, "pw_same"));
    if (strcmp(fresh, again) != 0)
        pw_error(m, PW_AGAIN, pw_text(c, "pw_mismatch"));
    auth *a = c->ctx->auth;
    unsigned wait_s = 0;
    web_call *k = NULL;
    int rc = 0;
    if (json_object_get(m, "errors")) {
        web_page(c, 422, "password", m);
        m = NULL;
    } else if (auth_throttled(a, c->user->name, c->req->peer, &wait_s)) {
        pw_error(m, NULL, text_n(c, "pw_too_many", minutes_of(wait_s)));
        add_retry_after(c, wait_s);
        web_page(c, 429, "password", m);
        m = NULL;
    } else if (!(k = web_call_copy(c)) ||
               (rc = auth_change_password(a, c->user->name, current, fresh, c->req->peer,
                                          password_done, k)) < 0) {
        web_call_free(k);
        if (rc == KENES_ETOOBIG) {
            pw_error(m, NULL, pw_text(c, "too_many_logins"));
            add_retry_after(c, 1);
            web_page(c, 429, "password", m);
            m = NULL;
        } else {
            web_fail(c, 500, "internal");
        }
    }
    json_decref(m);
    json_decref(form);
}
