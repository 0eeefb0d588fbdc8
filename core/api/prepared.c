/*
 * Answers prepared once and written to every reader as they are (issue 16,
 * item 5): the store is http_store (http/bytes.h), one for the server,
 * bounded by limits.prepared_mib.
 *
 * Report pages: at each publication every page of every language (the
 * reports as HTML and as Markdown, the three indexes, the bundle) is made
 * on the thread pool and kept under its name, pinned until the next
 * publication; a GET is a lookup and a write of the kept bytes.  Between a
 * publication and the end of its job the pages of the previous one are
 * gone, and reports.c makes a page the old way (page_cache): never a page
 * of texts no longer published.
 *
 * A document's JSON: what depends only on its version (every member but
 * due, overdue and referenced_by) is kept per id, tagged with the version,
 * as compact JSON without its closing brace; each answer writes those bytes
 * and then a tail of its own with the members that depend on the moment
 * and the reader.  ETag is the version; If-None-Match naming it is a 304
 * before anything is made.  A confidential document is never kept: its
 * read goes through the document service, which logs it first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/call.h"
#include "base/log.h"
#include "base/util.h"
#include "publish/render.h"
#include "publish/report.h"

/* ---- report pages ---- */

enum item_kind { ITEM_PAGE, ITEM_TEXT, ITEM_BUNDLE };

typedef struct prep_item {
    enum item_kind kind;
    char key[160];
    const char *tmpl; /* a page: the publisher's template in its language (read-only) */
    char *title, *md; /* a page, or md for a text */
    size_t md_len;
    http_bytes *out;
} prep_item;

typedef struct prep_job {
    uv_work_t work;
    api_ctx *ctx;
    unsigned gen;
    prep_item *items;
    size_t n, cap;
    char **names, **texts; /* the bundle's files */
    size_t *lens, nfiles;
} prep_job;

static void job_free(prep_job *j)
{
    for (size_t i = 0; i < j->n; i++) {
        free(j->items[i].title);
        free(j->items[i].md);
        http_bytes_unref(j->items[i].out);
    }
    for (size_t i = 0; i < j->nfiles; i++) {
        free(j->names[i]);
        free(j->texts[i]);
    }
    free(j->items);
    free(j->names);
    free(j->texts);
    free(j->lens);
    free(j);
}

static char *copy_of(const char *s, size_t len)
{
    char *c = malloc(len + 1);
    if (c) {
        memcpy(c, s, len);
        c[len] = '\0';
    }
    return c;
}

/* An item of j (md copied); 0 or KENES_ENOMEM. */
static int add_item(prep_job *j, enum item_kind kind, const char *key, const char *tmpl,
                    const char *title, const char *md, size_t md_len)
{
    if (j->n == j->cap) {
        size_t cap = j->cap ? 2 * j->cap : 64;
        prep_item *grown = realloc(j->items, cap * sizeof(*grown));
        if (!grown)
            return KENES_ENOMEM;
        j->items = grown;
        j->cap = cap;
    }
    prep_item *it = &j->items[j->n];
    *it = (prep_item){.kind = kind, .tmpl = tmpl, .md_len = md_len};
    snprintf(it->key, sizeof(it->key), "reports/%s", key);
    it->title = title ? strdup(title) : NULL;
    it->md = md ? copy_of(md, md_len) : NULL;
    j->n++;
    if ((title && !it->title) || (md && !it->md))
        return KENES_ENOMEM;
    return 0;
}

/* On a thread of the pool: every item made; one that fails stays NULL (its
 * page is then made the old way, and the log says why). */
static void prep_work(uv_work_t *w)
{
    prep_job *j = w->data;
    for (size_t i = 0; i < j->n; i++) {
        prep_item *it = &j->items[i];
        char *out = NULL, *body = NULL;
        size_t len = 0, blen;
        if (it->kind == ITEM_TEXT) {
            it->out = http_bytes_new(it->md, it->md_len);
            continue;
        }
        if (it->kind == ITEM_BUNDLE) {
            if (render_bundle(&out, &len, (const char *const *)j->names,
                              (const char *const *)j->texts, j->lens, j->nfiles) == 0)
                it->out = http_bytes_take(out, len);
            continue;
        }
        if (render_markdown(&body, &blen, it->md, it->md_len) == 0 &&
            render_page(&out, &len, it->tmpl, it->title, body, NULL) == 0)
            it->out = http_bytes_take(out, len);
        free(body);
    }
}

static void prep_done(uv_work_t *w, int status)
{
    prep_job *j = w->data;
    api_ctx *ctx = j->ctx;
    size_t kept = 0;
    /* A publication after this one began: its job keeps the pages. */
    if (status == 0 && j->gen == ctx->reports_gen && ctx->prepared) {
        for (size_t i = 0; i < j->n; i++) {
            if (!j->items[i].out)
                log_warn("reports", "%s cannot be made; made on demand", j->items[i].key);
            else if (http_store_put(ctx->prepared, j->items[i].key, NULL, j->items[i].out, 1) == 0)
                kept++;
        }
        log_info("reports", "%zu page(s) prepared, %zu bytes kept in all", kept,
                 http_store_bytes(ctx->prepared));
    }
    job_free(j);
}

static int add_bundle(prep_job *j, const json_t *reports)
{
    size_t n = json_object_size(reports);
    const char *name;
    json_t *v;
    if (!(j->names = calloc(n ? n : 1, sizeof(*j->names))) ||
        !(j->texts = calloc(n ? n : 1, sizeof(*j->texts))) ||
        !(j->lens = calloc(n ? n : 1, sizeof(*j->lens))))
        return KENES_ENOMEM;
    json_object_foreach((json_t *)reports, name, v)
    {
        size_t len = json_string_length(v);
        j->names[j->nfiles] = strdup(name);
        j->texts[j->nfiles] = copy_of(json_string_value(v), len);
        j->lens[j->nfiles] = len;
        if (!j->names[j->nfiles++] || !j->texts[j->nfiles - 1])
            return KENES_ENOMEM;
    }
    return add_item(j, ITEM_BUNDLE, "bundle", NULL, NULL, NULL, 0);
}

static int add_reports(prep_job *j, publisher *pub)
{
    const char *name;
    json_t *v;
    int rc = 0;
    for (int l = 0; l < REPORT_NLANGS && rc == 0; l++) {
        const char *tmpl = report_page_template(pub, l);
        char *md = report_index_md(pub, l);
        const char *title = pub->words.lang[l].index_title;
        char key[32];
        snprintf(key, sizeof(key), "index:%s", report_lang_codes[l]);
        rc = md && tmpl ? add_item(j, ITEM_PAGE, key, tmpl, title ? title : "", md, strlen(md))
                        : KENES_ENOMEM;
        free(md);
    }
    json_object_foreach(pub->reports, name, v)
    {
        if (rc < 0)
            break;
        const char *md = json_string_value(v), *rest;
        size_t len = json_string_length(v);
        const char *tmpl = report_page_template(pub, report_lang_of(name, &rest));
        char key[160], title[512];
        api_report_title(title, sizeof(title), md, name);
        snprintf(key, sizeof(key), "page:%s", name);
        rc = tmpl ? add_item(j, ITEM_PAGE, key, tmpl, title, md, len) : KENES_ENOMEM;
        snprintf(key, sizeof(key), "text:%s", name);
        if (rc == 0)
            rc = add_item(j, ITEM_TEXT, key, NULL, NULL, md, len);
    }
    return rc < 0 ? rc : add_bundle(j, pub->reports);
}

void api_prepare_reports(void *payload)
{
    api_ctx *ctx = payload;
    publisher *pub = ctx->pub;
    if (!ctx->prepared)
        return;
    /* The old pages go now: until the new ones are made, reports.c makes
     * what is asked from the texts just published. */
    ctx->reports_gen++;
    http_store_drop_prefix(ctx->prepared, "reports/");
    if (!pub->reports || !pub->page_template)
        return;
    prep_job *j = calloc(1, sizeof(*j));
    if (!j) {
        log_warn("reports", "pages not prepared: out of memory");
        return;
    }
    j->ctx = ctx;
    j->gen = ctx->reports_gen;
    j->work.data = j;
    if (add_reports(j, pub) < 0 ||
        uv_queue_work(ctx->svc->loop, &j->work, prep_work, prep_done) != 0) {
        log_warn("reports", "pages not prepared: out of memory");
        job_free(j);
    }
}

int api_reports_prepared(api_ctx *ctx, http_request *req, const char *key,
                         const char *content_type, const char *headers)
{
    char full[200];
    snprintf(full, sizeof(full), "reports/%s", key);
    http_bytes *b = http_store_get(ctx->prepared, full, NULL);
    if (!b)
        return 0;
    http_respond_bytes(req, 200, content_type, headers, b, NULL, 0);
    return 1;
}

/* ---- a document's JSON ---- */

/* 1 if If-None-Match names version ("v", W/"v", a list of them, or *). */
static int none_match(const http_request *req, const char *version)
{
    const char *h = http_request_header(req, "If-None-Match");
    size_t vlen = strlen(version);
    while (h && *h) {
        while (*h == ' ' || *h == '\t' || *h == ',')
            h++;
        const char *end = strchr(h, ',');
        size_t len = end ? (size_t)(end - h) : strlen(h);
        while (len && (h[len - 1] == ' ' || h[len - 1] == '\t'))
            len--;
        if (len == 1 && *h == '*')
            return 1;
        if (len > 2 && strncmp(h, "W/", 2) == 0) {
            h += 2;
            len -= 2;
        }
        if (len >= 2 && h[0] == '"' && h[len - 1] == '"') {
            h++;
            len -= 2;
        }
        if (len && len == vlen && memcmp(h, version, len) == 0)
            return 1;
        h = end;
    }
    return 0;
}

static void not_modified(http_request *req, const char *version)
{
    char extra[640]; /* api_security_headers and the ETag */
    snprintf(extra, sizeof(extra), "%sETag: \"%s\"\r\n", api_security_headers, version);
    http_respond(req, 304, NULL, extra, NULL, 0);
}

/* ---- referenced_by, kept per document and reader ----
 *
 * The documents naming d that u may read, as list entries, change only
 * when a commit lands somewhere (an entry, a stage, a right: the index's
 * count of versions recorded moves) or when one of them passes its deadline ("overdue").
 * So the JSON text is kept in the store under d and what u's rights read
 * (login, role, region, agency), tagged with that count, and its
 * first REFS_UNTIL_DIGITS bytes say until when it holds (the nearest
 * deadline ahead among the referrers, ms; 0: for good).  Most documents
 * are named by none: "[]" without a lookup. */

#define REFS_UNTIL_DIGITS 20

/* The text into *b (a new reference, its first bytes the time it holds
 * until) made afresh.  0 or KENES_ENOMEM. */
static int refs_make(http_bytes **b, docs_service *svc, const auth_user *u, const idx_doc *d)
{
    json_t *refs = NULL;
    size_t n;
    idx_doc *const *named = index_referrers(svc->index, d->id, &n);
    int64_t now = util_now_ms(), until = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t due;
        docs_due(svc, named[i], &due);
        if (due >= now && (!until || due + 1 < until))
            until = due + 1; /* overdue from then on: made again */
    }
    if (docs_referrers(&refs, svc, u, d->id) < 0)
        return KENES_ENOMEM;
    size_t i;
    json_t *e;
    /* Where each names it is the page's business, not the answer's. */
    json_array_foreach(refs, i, e) json_object_del(e, "paths");
    char *text = json_dumps(refs, JSON_COMPACT);
    json_decref(refs);
    util_buf out;
    util_buf_init(&out);
    if (text)
        util_buf_printf(&out, "%0*lld%s", REFS_UNTIL_DIGITS, (long long)until, text);
    free(text);
    size_t len = 0;
    char *data = out.data ? util_buf_detach(&out, &len) : NULL;
    util_buf_dispose(&out);
    *b = data ? http_bytes_take(data, len) : NULL;
    if (!*b) {
        free(data);
        return KENES_ENOMEM;
    }
    return 0;
}

/* referenced_by as u sees it: *text and *len (valid until the store
 * changes; *own, if set, holds them: unref it after). */
static int refs_text(const char **text, size_t *len, http_bytes **own, api_ctx *ctx,
                     const auth_user *u, const idx_doc *d)
{
    size_t n;
    *own = NULL;
    if (!index_referrers(ctx->svc->index, d->id, &n) || !n) {
        *text = "[]";
        *len = 2;
        return 0;
    }
    char key[512], tag[32];
    snprintf(key, sizeof(key), "refs:%s\x1f%s\x1f%d\x1f%s\x1f%s", d->id, u->name ? u->name : "",
             (int)u->role, u->region ? u->region : "", u->agency ? u->agency : "");
    snprintf(tag, sizeof(tag), "%zu", index_version_total(ctx->svc->index));
    http_bytes *b = ctx->prepared ? http_store_get(ctx->prepared, key, tag) : NULL;
    if (b && b->len >= REFS_UNTIL_DIGITS) {
        long long until = strtoll(b->data, NULL, 10);
        if (!until || util_now_ms() < until) {
            *text = b->data + REFS_UNTIL_DIGITS;
            *len = b->len - REFS_UNTIL_DIGITS;
            return 0;
        }
    }
    if (refs_make(&b, ctx->svc, u, d) < 0)
        return KENES_ENOMEM;
    if (ctx->prepared)
        http_store_put(ctx->prepared, key, tag, b, 0);
    *own = b;
    *text = b->data + REFS_UNTIL_DIGITS;
    *len = b->len - REFS_UNTIL_DIGITS;
    return 0;
}

/* What depends on the moment and the reader: due and overdue, and the
 * documents naming it that u may read; then the closing brace. */
static int tail_of(util_buf *t, api_ctx *ctx, const auth_user *u, const idx_doc *d)
{
    int64_t due;
    docs_due(ctx->svc, d, &due);
    if (due < 0) {
        util_buf_puts(t, ",\"due\":null,\"overdue\":false");
    } else {
        char when[32];
        util_format_rfc3339(when, sizeof(when), due);
        util_buf_printf(t, ",\"due\":\"%s\",\"overdue\":%s", when,
                        util_now_ms() > due ? "true" : "false");
    }
    const char *refs;
    size_t len;
    http_bytes *own;
    if (refs_text(&refs, &len, &own, ctx, u, d) < 0)
        return KENES_ENOMEM;
    util_buf_puts(t, ",\"referenced_by\":");
    util_buf_append(t, refs, len);
    util_buf_puts(t, "}\n");
    http_bytes_unref(own);
    return t->data ? 0 : KENES_ENOMEM;
}

static void send_doc(http_request *req, api_ctx *ctx, const auth_user *u, const idx_doc *d,
                     http_bytes *b, const char *version)
{
    util_buf t;
    util_buf_init(&t);
    char extra[640]; /* api_security_headers and the ETag */
    snprintf(extra, sizeof(extra), "%sETag: \"%s\"\r\n", api_security_headers, version);
    if (tail_of(&t, ctx, u, d) < 0)
        api_reply_error(req, 500, "internal", NULL, "out of memory");
    else
        http_respond_bytes(req, 200, "application/json; charset=utf-8", extra, b, t.data, t.len);
    util_buf_dispose(&t);
}

int api_doc_prepared(api_call *c)
{
    const idx_doc *d = c->doc;
    if (docs_confidential(c->svc, d))
        return 0; /* its reading is logged first: docs_read */
    if (none_match(c->req, d->version)) {
        not_modified(c->req, d->version);
        return 1;
    }
    char key[300];
    snprintf(key, sizeof(key), "doc:%s", d->id);
    http_bytes *b = http_store_get(c->ctx->prepared, key, d->version);
    if (!b)
        return 0;
    send_doc(c->req, c->ctx, c->user, d, b, d->version);
    return 1;
}

void api_doc_answer(api_ctx *ctx, http_request *req, const auth_user *u, const char *id,
                    const json_t *answer)
{
    docs_service *svc = ctx->svc;
    const idx_doc *d = index_get(svc->index, id);
    const char *version = json_string_value(json_object_get(answer, "version"));
    if (!d || !version) {
        api_reply_error(req, 500, "internal", NULL, "the document is gone");
        return;
    }
    /* A confidential document's reading is in the access log by now. */
    if (none_match(req, version)) {
        not_modified(req, version);
        return;
    }
    json_t *fixed = json_copy((json_t *)answer);
    json_object_del(fixed, "due");
    json_object_del(fixed, "overdue");
    json_object_del(fixed, "referenced_by");
    char *text = json_dumps(fixed, JSON_COMPACT);
    json_decref(fixed);
    size_t len = text ? strlen(text) : 0;
    http_bytes *b = NULL;
    if (len >= 2 && text[len - 1] == '}') {
        text[len - 1] = '\0'; /* the tail closes it */
        b = http_bytes_take(text, len - 1);
    } else {
        free(text);
    }
    if (!b) {
        api_reply_error(req, 500, "internal", NULL, "out of memory");
        return;
    }
    char key[300];
    snprintf(key, sizeof(key), "doc:%s", d->id);
    /* Kept only while version is the one in the index: an answer of an
     * older one (a read that waited) is sent, not kept. */
    if (!docs_confidential(svc, d) && ctx->prepared && strcmp(d->version, version) == 0)
        http_store_put(ctx->prepared, key, version, b, 0);
    send_doc(req, ctx, u, d, b, version);
    http_bytes_unref(b);
}
