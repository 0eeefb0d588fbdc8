/*
 * The web interface's answers: pages from templates with the model every
 * page shares, redirects, and error pages in the user's language.
 *
 * Every page carries the same protections: a Content-Security-Policy that
 * admits only this site's own scripts, styles and images (no inline
 * script, so the templates' escaping is not the only guard), no framing,
 * no sniffing, and no caching of pages that may hold what only the signed-in
 * user may read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/log.h"
#include "base/util.h"
#include "plugin/region.h"
#include "web/agencies.h"
#include "web/call.h"
#include "web/fields.h"

static const char page_headers[] =
    "Content-Security-Policy: default-src 'none'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "X-Frame-Options: DENY\r\n"
    "Referrer-Policy: same-origin\r\n"
    "Cache-Control: no-store\r\n";

const char *web_text(const web_call *c, const char *group, const char *key)
{
    const char *t = ui_text(ui_words(c->ctx->ui), c->lang, group, key);
    return t ? t : key;
}

/* The role's key among t.roles ("regional-official" -> "regional_official"). */
static void role_key(char *out, size_t cap, const char *role)
{
    snprintf(out, cap, "%s", role);
    for (char *p = out; *p; p++)
        if (*p == '-')
            *p = '_';
}

static const char *region_in(const char *code, ui_lang lang)
{
    const region *r = code ? region_find(code) : NULL;
    if (!r)
        return code;
    return lang == UI_KK ? r->kk : lang == UI_EN ? r->en : r->ru;
}

/* The language switch: this page again with ?lang=xx (other parameters kept). */
static json_t *lang_links(const web_call *c)
{
    static const char *const names[UI_NLANGS] = {"Русский", "Қазақша", "English"};
    json_t *list = json_array();
    const char *q = c->req->query ? c->req->query : "";
    for (int l = 0; l < UI_NLANGS; l++) {
        util_buf b;
        util_buf_init(&b);
        /* c->path: a page answering for another (a refused form shown
         * again) switches to that page, not to the form's target. */
        web_url_escape(&b, c->path);
        util_buf_puts(&b, "?");
        /* Keep the query but its lang. */
        const char *p = q;
        while (*p) {
            const char *amp = strchr(p, '&');
            size_t len = amp ? (size_t)(amp - p) : strlen(p);
            if (len && strncmp(p, "lang=", 5) != 0 && !(len == 4 && strncmp(p, "lang", 4) == 0)) {
                util_buf_append(&b, p, len);
                util_buf_puts(&b, "&");
            }
            p += len + (amp ? 1 : 0);
        }
        util_buf_printf(&b, "lang=%s", ui_lang_code((ui_lang)l));
        json_array_append_new(list, json_pack("{s:s, s:s, s:s%, s:b}", "code",
                                              ui_lang_code((ui_lang)l), "name", names[l], "href",
                                              b.data, b.len, "current", l == (int)c->lang));
        util_buf_dispose(&b);
    }
    return list;
}

json_t *web_model(web_call *c, json_t *model)
{
    if (!model)
        model = json_object();
    json_object_set_new(model, "lang", json_string(ui_lang_code(c->lang)));
    json_object_set(model, "t", (json_t *)ui_strings_all(ui_words(c->ctx->ui), c->lang));
    json_object_set_new(model, "csrf", json_string(c->csrf));
    json_object_set_new(model, "path", json_string(c->path));
    json_object_set_new(model, "langs", lang_links(c));
    /* A read replica says so on every page, before anyone fills in a form
     * only to learn it at the end (web.c refuses what is sent all the same). */
    if (c->ctx->replica_primary && !json_object_get(model, "replica_notice")) {
        static const char *const names[] = {"primary"};
        const char *texts[] = {c->ctx->replica_primary};
        char *text = web_fill_text(web_text(c, "common", "replica_banner"), names, texts, 1);
        if (text)
            json_object_set_new(model, "replica_notice", json_string(text));
        free(text);
    }
    if (c->user) {
        char key[64];
        role_key(key, sizeof(key), role_name(c->user->role));
        json_t *u = json_pack("{s:s, s:s, s:s}", "name", c->user->name, "role",
                              role_name(c->user->role), "role_label",
                              web_text(c, "roles", key));
        if (c->user->region) {
            json_object_set_new(u, "region", json_string(c->user->region));
            json_object_set_new(u, "region_name", json_string(region_in(c->user->region, c->lang)));
        }
        /* An agency's officer: which agency (content/agencies.yaml's name). */
        const char *agency = c->user->agency && c->user->region
                                 ? web_agency_name(c, c->user->region, c->user->agency)
                                 : NULL;
        if (agency)
            json_object_set_new(u, "agency_name", json_string(agency));
        json_object_set_new(model, "user", u);
    }
    return model;
}

static void respond_html(web_call *c, int status, const char *body, size_t len)
{
    char headers[sizeof(page_headers) + sizeof(c->cookies) + 64];
    snprintf(headers, sizeof(headers), "%s%sContent-Language: %s\r\n", page_headers, c->cookies,
             ui_lang_code(c->lang));
    http_respond(c->req, status, "text/html; charset=utf-8", headers, body, len);
}

#define WEB_HTML_SLOT "<!--kenes:html-->"

void web_page(web_call *c, int status, const char *view, json_t *model)
{
    web_page_html(c, status, view, model, NULL);
}

int web_page_text(util_buf *out, web_call *c, const char *view, json_t *model, const char *html)
{
    model = web_model(c, model);
    util_buf b;
    util_buf_init(&b);
    int rc = ui_render_page(&b, c->ctx->ui, view, model);
    json_decref(model);
    char *slot = rc == 0 && html && b.data ? strstr(b.data, WEB_HTML_SLOT) : NULL;
    if (slot) {
        util_buf with;
        util_buf_init(&with);
        size_t at = (size_t)(slot - b.data), skip = strlen(WEB_HTML_SLOT);
        if (util_buf_append(&with, b.data, at) < 0 || util_buf_puts(&with, html) < 0 ||
            util_buf_append(&with, slot + skip, b.len - at - skip) < 0)
            rc = KENES_ENOMEM;
        util_buf_dispose(&b);
        b = with;
    }
    if (rc < 0) {
        log_error("web", "page %s: %s", view, kenes_strerror(rc));
        util_buf_dispose(&b);
        return rc;
    }
    *out = b;
    return 0;
}

static void respond_broken(web_call *c)
{
    static const char broken[] = "<!doctype html><title>500</title><p>Internal error.</p>";
    respond_html(c, 500, broken, sizeof(broken) - 1);
}

void web_page_html(web_call *c, int status, const char *view, json_t *model, const char *html)
{
    util_buf b;
    if (web_page_text(&b, c, view, model, html) < 0) {
        respond_broken(c);
        return;
    }
    respond_html(c, status, b.data ? b.data : "", b.len);
    util_buf_dispose(&b);
}

void web_respond_bytes(web_call *c, int status, http_bytes *page)
{
    char headers[sizeof(page_headers) + sizeof(c->cookies) + 64];
    snprintf(headers, sizeof(headers), "%s%sContent-Language: %s\r\n", page_headers, c->cookies,
             ui_lang_code(c->lang));
    http_respond_bytes(c->req, status, "text/html; charset=utf-8", headers, page, NULL, 0);
}

int web_render(util_buf *body, util_buf *headers, web_call *c, const char *view, json_t *model)
{
    model = web_model(c, model);
    int rc = ui_render_page(body, c->ctx->ui, view, model);
    json_decref(model);
    if (rc == 0)
        rc = util_buf_printf(headers, "%s%sContent-Language: %s\r\n", page_headers, c->cookies,
                             ui_lang_code(c->lang));
    return rc < 0 ? rc : 0;
}

void web_redirect(web_call *c, const char *location)
{
    char headers[sizeof(page_headers) + sizeof(c->cookies) + 4200];
    snprintf(headers, sizeof(headers), "%s%sLocation: %s\r\n", page_headers, c->cookies,
             web_next_safe(location) ? location : "/");
    http_respond(c->req, 303, "text/plain; charset=utf-8", headers, "", 0);
}

void web_fail(web_call *c, int status, const char *key)
{
    json_t *m = json_pack("{s:i, s:s, s:s}", "status", status, "message",
                          web_text(c, "errors", key), "title", web_text(c, "errors", "title"));
    web_page(c, status, "error", m);
}

void web_fail_replica(web_call *c, const char *key, const char *title_key)
{
    static const char *const names[] = {"primary"};
    const char *texts[] = {c->ctx->replica_primary};
    char *text = web_fill_text(web_text(c, "errors", key), names, texts, 1);
    json_t *m = json_pack("{s:i, s:s, s:s}", "status", 503, "message",
                          text ? text : web_text(c, "errors", "unavailable"), "title",
                          web_text(c, "errors", title_key));
    free(text);
    json_object_set_new(m, "replica_notice", json_false()); /* the page says it already */
    web_page(c, 503, "error", m);
}

void web_fail_code(web_call *c, int code)
{
    const char *word;
    int status = http_status_of(code, &word);
    /* A sealed document a replica cannot open: it holds no key for it. */
    if (code == KENES_EUNAVAILABLE && c->ctx->replica_primary)
        web_fail_replica(c, "replica_no_key", "replica_title");
    else
        web_fail(c, status, word);
}
