/*
 * What a page handler reads from a request: cookies, the query, a form
 * body, and the CSRF token its forms must carry.
 *
 * CSRF: a form's hidden "csrf" value is a keyed BLAKE2b hash of the
 * session's token (signed in) or of the pre-session cookie (the sign-in
 * form), so it needs no table, survives a restart as the session does, and
 * shows nothing of the token it comes from.  Cookies are SameSite=Strict as
 * well; the token is the check that does not depend on the browser.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "docs/fetch.h"
#include "web/call.h"

int web_cookie(const http_request *req, const char *name, char *out, size_t cap)
{
    size_t nlen = strlen(name);
    for (size_t i = 0; i < req->nheaders; i++) {
        if (strcasecmp(req->headers[i].name, "Cookie") != 0)
            continue;
        const char *p = req->headers[i].value;
        while (*p) {
            while (*p == ' ' || *p == ';')
                p++;
            const char *end = strchr(p, ';');
            size_t len = end ? (size_t)(end - p) : strlen(p);
            if (len > nlen && strncmp(p, name, nlen) == 0 && p[nlen] == '=') {
                size_t vlen = len - nlen - 1;
                if (vlen >= cap)
                    return 0;
                memcpy(out, p + nlen + 1, vlen);
                out[vlen] = '\0';
                return 1;
            }
            p += len;
        }
    }
    return 0;
}

/* A cookie value of ours: URL-safe base64 or a language code, nothing to escape. */
static int cookie_value_ok(const char *v)
{
    for (; *v; v++)
        if (!((*v >= 'a' && *v <= 'z') || (*v >= 'A' && *v <= 'Z') || (*v >= '0' && *v <= '9') ||
              *v == '-' || *v == '_'))
            return 0;
    return 1;
}

void web_set_cookie(web_call *c, const char *name, const char *value, long max_age_s)
{
    if (!cookie_value_ok(value))
        return;
    size_t at = strlen(c->cookies);
    char age[48] = "";
    if (max_age_s >= 0)
        snprintf(age, sizeof(age), "; Max-Age=%ld", max_age_s);
    snprintf(c->cookies + at, sizeof(c->cookies) - at,
             "Set-Cookie: %s=%s; Path=/; HttpOnly; SameSite=Strict%s%s\r\n", name, value, age,
             c->ctx->secure_cookies ? "; Secure" : "");
}

void web_add_header(web_call *c, const char *name, const char *value)
{
    if (strpbrk(name, "\r\n:") || strpbrk(value, "\r\n"))
        return;
    size_t at = strlen(c->cookies);
    snprintf(c->cookies + at, sizeof(c->cookies) - at, "%s: %s\r\n", name, value);
}

int web_query(const web_call *c, const char *name, char *out, size_t cap)
{
    return http_query(c->req, name, out, cap);
}

void web_url_escape(util_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_' || *p == '.' || *p == '~' || *p == '/') {
            util_buf_append(b, (const char *)p, 1);
        } else {
            char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            util_buf_append(b, e, 3);
        }
    }
}

int web_next_safe(const char *next)
{
    if (!next || next[0] != '/' || next[1] == '/' || next[1] == '\\')
        return 0;
    /* Browsers read a backslash as '/' and drop tabs and newlines from a URL,
     * so "/\t/evil.example" is "//evil.example" to them: no control byte at all. */
    for (const unsigned char *p = (const unsigned char *)next; *p; p++)
        if (*p < 0x20 || *p == 0x7f || *p == '\\')
            return 0;
    return 1;
}

int web_form(json_t **out, web_call *c)
{
    *out = NULL;
    const char *type = http_request_header(c->req, "Content-Type");
    if (!type || strncasecmp(type, "application/x-www-form-urlencoded", 33) != 0) {
        web_fail(c, 415, "not_a_form");
        return KENES_EINVAL;
    }
    json_t *form = json_object();
    const char *p = c->req->body ? c->req->body : "";
    const char *end = p + c->req->body_len;
    size_t cap = c->req->body_len + 1;
    char *name = malloc(cap), *value = malloc(cap);
    int rc = form && name && value ? 0 : KENES_ENOMEM;
    while (rc == 0 && p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *stop = amp ? amp : end;
        const char *eq = memchr(p, '=', (size_t)(stop - p));
        if (stop > p) {
            const char *name_end = eq ? eq : stop;
            if (http_pct_decode(name, cap, p, (size_t)(name_end - p), 1) < 0 ||
                http_pct_decode(value, cap, eq ? eq + 1 : stop,
                                eq ? (size_t)(stop - eq - 1) : 0, 1) < 0 ||
                json_object_get(form, name))
                rc = KENES_EINVAL;
            else
                json_object_set_new(form, name, json_string(value));
        }
        p = amp ? amp + 1 : end;
    }
    free(name);
    free(value);
    if (rc < 0) {
        json_decref(form);
        web_fail(c, rc == KENES_ENOMEM ? 500 : 400, rc == KENES_ENOMEM ? "internal" : "bad_form");
        return rc;
    }
    *out = form;
    return 0;
}

/* The CSRF token derived from secret (a session token or the pre-session cookie). */
static void csrf_of(char out[WEB_CSRF_CHARS], const char *secret)
{
    static const unsigned char key[] = "kenes web form csrf v1"; /* domain separation */
    unsigned char h[32];
    crypto_generichash(h, sizeof(h), (const unsigned char *)secret, strlen(secret), key,
                       sizeof(key) - 1);
    sodium_bin2base64(out, WEB_CSRF_CHARS, h, sizeof(h), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void web_csrf_init(web_call *c)
{
    char pre[64];
    if (c->token) {
        csrf_of(c->csrf, c->token);
    } else if (web_cookie(c->req, WEB_PRESESSION_COOKIE, pre, sizeof(pre)) == 1 &&
               strlen(pre) >= 43 && cookie_value_ok(pre)) {
        csrf_of(c->csrf, pre);
    } else {
        unsigned char r[32];
        randombytes_buf(r, sizeof(r));
        sodium_bin2base64(pre, sizeof(pre), r, sizeof(r), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
        /* A new browser: its forms are good once it sends this cookie back. */
        web_set_cookie(c, WEB_PRESESSION_COOKIE, pre, -1);
        csrf_of(c->csrf, pre);
        c->csrf_fresh = 1;
    }
}

int web_csrf_token_ok(web_call *c, const char *sent)
{
    if (!c->csrf_fresh && sent && strlen(sent) == strlen(c->csrf) &&
        sodium_memcmp(sent, c->csrf, strlen(c->csrf)) == 0)
        return 1;
    web_fail(c, 403, "csrf");
    return 0;
}

int web_csrf_ok(web_call *c, const json_t *form)
{
    return web_csrf_token_ok(c, json_string_value(json_object_get(form, WEB_CSRF_FIELD)));
}

int web_signed_form(json_t **out, web_call *c)
{
    int rc = web_form(out, c);
    if (rc < 0)
        return rc;
    if (!web_csrf_ok(c, *out)) {
        json_decref(*out);
        *out = NULL;
        return KENES_EFORBIDDEN;
    }
    return 0;
}

web_call *web_call_copy(const web_call *c)
{
    web_call *k = malloc(sizeof(*k));
    if (!k)
        return NULL;
    *k = *c;
    if (k->doc) /* read after a step on the pool (a body rendered, a log written) */
        docs_fetch_pin(k->doc);
    k->owned_path = strdup(c->path);
    k->owned_arg = c->arg ? strdup(c->arg) : NULL;
    if (!k->owned_path || (c->arg && !k->owned_arg)) {
        web_call_free(k);
        return NULL;
    }
    k->path = k->owned_path;
    k->arg = k->owned_arg;
    k->token = c->token ? k->token_buf : NULL;
    return k;
}

void web_call_free(web_call *c)
{
    if (!c)
        return;
    if (c->doc)
        docs_fetch_unpin(c->svc, c->doc);
    free(c->owned_path);
    free(c->owned_arg);
    free(c);
}
