/*
 * Publishing, without a login:
 *   GET /reports/                  the list of reports (Russian)
 *   GET /reports/kk/, /reports/en/ the list of the Kazakh, the English reports
 *   GET /reports/{name}            a report as HTML (cmark, safe mode, in the page template
 *                                  in the report's language): national, regions/KZ-11,
 *                                  kk/national, en/cases, ...
 *   GET /reports/{name}.md         its Markdown
 *   GET /reports/bundle.zip        every report's Markdown, every language, in one zip
 *                                  (the folders as in documents.git: kk/, en/)
 * and, for admins, POST /api/v1/reports/generate.
 * Reports are served as last published (committed), never half-written.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/call.h"
#include "base/log.h"
#include "publish/render.h"
#include "publish/pages.h"
#include "publish/report.h"
#include "base/util.h"

/* Public pages: no script at all, and nothing but the template's own style
 * (RENDER_PAGE_CSP names its hash). */
static const char page_headers[] = "Cache-Control: no-cache\r\n"
                                   "X-Content-Type-Options: nosniff\r\n"
                                   "Referrer-Policy: no-referrer\r\n"
                                   "Content-Security-Policy: " RENDER_PAGE_CSP "\r\n";

static const char bundle_headers[] =
    "Cache-Control: no-cache\r\nX-Content-Type-Options: nosniff\r\n"
    "Content-Disposition: attachment; filename=\"kenes-reports.zip\"\r\n";

/* A page to render, or the bundle to zip, on the thread pool
 * (page_cache_make); the job owns copies of everything it reads but the
 * read-only page template. */
typedef struct render_job {
    publisher *pub;
    http_request *req;
    char *key;
    const char *tmpl; /* a page: the template in its language (the publisher's) */
    char *title, *md; /* a page */
    size_t md_len;
    char **names, **texts; /* or the bundle: n reports */
    size_t *lens, n;
} render_job;

static void render_job_free(render_job *j)
{
    for (size_t i = 0; i < j->n; i++) {
        free(j->names[i]);
        free(j->texts[i]);
    }
    free(j->names);
    free(j->texts);
    free(j->lens);
    free(j->key);
    free(j->title);
    free(j->md);
    free(j);
}

/* What a page or the bundle is made from goes into its hash part by part; a
 * NUL ends each part, so that no two different inputs run together the same. */
static void hash_part(crypto_generichash_state *st, const char *data, size_t len)
{
    crypto_generichash_update(st, (const unsigned char *)data, len);
    crypto_generichash_update(st, (const unsigned char *)"", 1);
}

static void reply(http_request *req, int bundle, const char *data, size_t len)
{
    if (bundle)
        http_respond(req, 200, "application/zip", bundle_headers, data, len);
    else
        http_respond(req, 200, "text/html; charset=utf-8", page_headers, data, len);
}

/* On a thread of the pool. */
static int render_make(char **out, size_t *len, void *payload)
{
    render_job *j = payload;
    if (j->names)
        return render_bundle(out, len, (const char *const *)j->names,
                             (const char *const *)j->texts, j->lens, j->n);
    char *body = NULL;
    size_t blen;
    int rc = render_markdown(&body, &blen, j->md, j->md_len);
    if (rc == 0)
        rc = render_page(out, len, j->tmpl, j->title, body, NULL);
    free(body);
    return rc;
}

/* Back on the loop, the result kept for the next reader: answer. */
static void rendered(int status, const char *data, size_t len, void *payload)
{
    render_job *j = payload;
    if (status < 0) {
        log_warn("reports", "%s cannot be made (%d)", j->key, status);
        if (j->names)
            api_reply_error(j->req, 500, "bundle", NULL, "the bundle cannot be built");
        else
            api_reply_error(j->req, 500, "render", NULL, "the page cannot be rendered");
    } else {
        reply(j->req, j->names != NULL, data, len);
    }
    render_job_free(j);
}

/*
 * These pages need no login, and making them is work (a long plan, up to
 * the render budget's 0.3 s; a zip of every report): it runs on the thread
 * pool, never on the loop, and each keeps its last result (pages.h), so a
 * request whose input hashes the same (BLAKE2b) gets it back at the cost
 * of a hash, before anything is copied.
 */
static int answered_from_cache(publisher *pub, http_request *req, const char *key,
                               const unsigned char hash[PAGE_HASH_BYTES], int bundle)
{
    const char *data;
    size_t len;
    if (!page_cache_find(pub->pages, key, hash, &data, &len))
        return 0;
    reply(req, bundle, data, len);
    return 1;
}

/* A job with the key, its input filled in by the caller, or NULL. */
static render_job *render_job_new(publisher *pub, http_request *req, const char *key)
{
    render_job *j = calloc(1, sizeof(*j));
    if (j && !(j->key = strdup(key))) {
        free(j);
        return NULL;
    }
    if (j) {
        j->pub = pub;
        j->req = req;
    }
    return j;
}

static void queue(render_job *j, const unsigned char hash[PAGE_HASH_BYTES])
{
    if (page_cache_make(j->pub->pages, j->pub->svc->loop, j->key, hash, render_make, rendered,
                        j) < 0) {
        api_reply_error(j->req, 500, "internal", NULL, "the page cannot be made now");
        render_job_free(j);
    }
}

/* A page of md (rendered on its own) under title, in language lang. */
static void send_markdown_page(publisher *pub, http_request *req, const char *key, int lang,
                               const char *title, const char *md, size_t len)
{
    const char *tmpl = report_page_template(pub, lang);
    if (!tmpl) {
        api_reply_error(req, 500, "internal", NULL, "the page cannot be made now");
        return;
    }
    unsigned char hash[PAGE_HASH_BYTES];
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, sizeof(hash));
    hash_part(&st, title, strlen(title));
    hash_part(&st, md, len);
    crypto_generichash_final(&st, hash, sizeof(hash));
    if (answered_from_cache(pub, req, key, hash, 0))
        return;
    render_job *j = render_job_new(pub, req, key);
    if (!j || !(j->title = strdup(title)) || !(j->md = malloc(len + 1))) {
        if (j)
            render_job_free(j);
        api_reply_error(req, 500, "internal", NULL, "out of memory");
        return;
    }
    j->tmpl = tmpl;
    memcpy(j->md, md, len);
    j->md[len] = '\0';
    j->md_len = len;
    queue(j, hash);
}

static void send_index(api_ctx *ctx, http_request *req, int lang)
{
    publisher *pub = ctx->pub;
    char key[32];
    snprintf(key, sizeof(key), "index:%s", report_lang_codes[lang]);
    if (api_reports_prepared(ctx, req, key, "text/html; charset=utf-8", page_headers))
        return;
    char *md = report_index_md(pub, lang);
    if (!md) {
        api_reply_error(req, 500, "internal", NULL, "out of memory");
        return;
    }
    const char *title = pub->words.lang[lang].index_title;
    send_markdown_page(pub, req, key, lang, title ? title : "", md, strlen(md));
    free(md);
}

int api_reports_index_lang(const char *name)
{
    for (int l = 0; l < REPORT_NLANGS; l++) {
        const char *dir = report_lang_dirs[l];
        size_t n = strlen(dir);
        /* "kk/" or "kk"; the Russian index is /reports/ itself. */
        if (n && (strcmp(name, dir) == 0 || (strncmp(name, dir, n - 1) == 0 && !name[n - 1])))
            return l;
    }
    return -1;
}

static void send_bundle(api_ctx *ctx, http_request *req)
{
    publisher *pub = ctx->pub;
    if (api_reports_prepared(ctx, req, "bundle", "application/zip", bundle_headers))
        return;
    unsigned char hash[PAGE_HASH_BYTES];
    crypto_generichash_state st;
    const char *name;
    json_t *v;
    crypto_generichash_init(&st, NULL, 0, sizeof(hash));
    json_object_foreach(pub->reports, name, v)
    {
        hash_part(&st, name, strlen(name));
        hash_part(&st, json_string_value(v), json_string_length(v));
    }
    crypto_generichash_final(&st, hash, sizeof(hash));
    if (answered_from_cache(pub, req, "bundle", hash, 1))
        return;

    size_t n = json_object_size(pub->reports);
    render_job *j = render_job_new(pub, req, "bundle");
    int ok = j && (j->names = calloc(n ? n : 1, sizeof(*j->names))) &&
             (j->texts = calloc(n ? n : 1, sizeof(*j->texts))) &&
             (j->lens = calloc(n ? n : 1, sizeof(*j->lens)));
    json_object_foreach(pub->reports, name, v)
    {
        if (!ok)
            break;
        size_t len = json_string_length(v);
        j->names[j->n] = strdup(name);
        j->texts[j->n] = malloc(len + 1);
        j->lens[j->n] = len;
        ok = j->names[j->n] && j->texts[j->n];
        if (j->texts[j->n])
            memcpy(j->texts[j->n], json_string_value(v), len + 1);
        j->n++;
    }
    if (!ok) {
        if (j)
            render_job_free(j);
        api_reply_error(req, 500, "bundle", NULL, "the bundle cannot be built");
        return;
    }
    queue(j, hash);
}

/* A report's title for the page's <title>: its first heading ("# ..."),
 * which reports.yaml gives, with Markdown's backslash escapes dropped;
 * else the name.  The heading itself is on the page once, from the text. */
void api_report_title(char *out, size_t cap, const char *md, const char *name)
{
    size_t n = 0;
    if (strncmp(md, "# ", 2) != 0) {
        snprintf(out, cap, "%s", name);
        return;
    }
    for (const char *p = md + 2; *p && *p != '\n' && n + 1 < cap; p++) {
        static const char punct[] = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
        if (*p == '\\' && p[1] && strchr(punct, p[1]))
            p++;
        out[n++] = *p;
    }
    out[n] = '\0';
    /* Cut at a whole UTF-8 character, should the heading be longer than out. */
    while (n > 0 && !util_utf8_valid(out, n))
        out[--n] = '\0';
}

void api_reports(api_call *c)
{
    publisher *pub = c->ctx->pub;
    http_request *req = c->req;
    const char *path = c->path;
    if (strcmp(path, "/reports/") == 0 || strcmp(path, "/reports") == 0)
        return send_index(c->ctx, req, REPORT_RU);
    const char *name = path + strlen("/reports/");
    int index = api_reports_index_lang(name);
    if (index >= 0)
        return send_index(c->ctx, req, index);
    if (strcmp(name, "bundle.zip") == 0)
        return send_bundle(c->ctx, req);
    char key[128];
    size_t len = strlen(name);
    int markdown = len > 3 && strcmp(name + len - 3, ".md") == 0;
    snprintf(key, sizeof(key), "%.*s.md", (int)(markdown ? len - 3 : len), name);
    /* Kept since the last publication: only what was published is. */
    char prepared[160];
    snprintf(prepared, sizeof(prepared), "%s:%s", markdown ? "text" : "page", key);
    if (api_reports_prepared(c->ctx, req, prepared,
                             markdown ? "text/markdown; charset=utf-8" : "text/html; charset=utf-8",
                             page_headers))
        return;
    json_t *text = json_object_get(pub->reports, key);
    if (!text) {
        api_reply_error(req, 404, "not_found", NULL, "no such report (yet)");
        return;
    }
    if (markdown) {
        http_respond(req, 200, "text/markdown; charset=utf-8", page_headers,
                     json_string_value(text), json_string_length(text));
        return;
    }
    char cache_key[160];
    snprintf(cache_key, sizeof(cache_key), "report:%s", key);
    /* A report is the server's Markdown throughout: every text from a
     * document in it went through report_text (kapi_md_escape), which makes
     * it plain text that cannot open a construct swallowing what follows. */
    char title[512];
    const char *rest;
    api_report_title(title, sizeof(title), json_string_value(text), key);
    send_markdown_page(pub, req, cache_key, report_lang_of(key, &rest), title,
                       json_string_value(text), json_string_length(text));
}

static void generated(int status, const json_t *changed, void *payload)
{
    http_request *req = payload;
    if (status < 0)
        api_reply_error(req, 500, "report", NULL, "the reports could not be published");
    else
        api_reply_json(req, 200, json_pack("{s:O}", "changed", changed), NULL);
}

void api_reports_generate(api_call *c)
{
    report_publish(c->ctx->pub, generated, c->req);
}
