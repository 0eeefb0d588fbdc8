#include "plugin/kapi.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin/fold.h"
#include "plugin/ktime.h"
#include "storage/index.h"
#include "base/log.h"
#include "plugin/region.h"
#include "base/util.h"

static void api_log(int level, const char *plugin, const char *fmt, ...)
{
    char msg[1024];
    UTIL_FORMAT(msg, fmt);
    log_msg(level, plugin ? plugin : "plugin", "%s", msg);
}

/* Drop a UTF-8 sequence left unfinished at the end of s (by snprintf's cut). */
static void utf8_cut_partial(char *s)
{
    size_t n = strlen(s), i = n;
    while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80 && n - i < 3)
        i--;
    if (i == 0)
        return;
    unsigned char lead = (unsigned char)s[i - 1];
    size_t want = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (n - (i - 1) < want)
        s[i - 1] = '\0';
}

static int api_errors_full(const kenes_errors *errs)
{
    return errs && json_array_size(errs->fields) >= KENES_ERRORS_MAX;
}

/* 1 if code is a word an interface can look up: a-z, 0-9 and _ ("not_utf8"),
 * starting with a letter, not too long. */
static int code_ok(const char *code)
{
    size_t n = code ? strspn(code, "abcdefghijklmnopqrstuvwxyz0123456789_") : 0;
    return n > 0 && n <= KENES_CODE_MAX && code[n] == '\0' && code[0] >= 'a' && code[0] <= 'z';
}

/* Bounded in count (KENES_ERRORS_MAX listed, the rest counted) and in size
 * (a message is cut at 511 bytes, a path at KENES_ERROR_PATH_MAX), so that no
 * document, however built, makes a long answer: one place for every plugin. */
static void api_verror(kenes_errors *errs, const char *path, const char *code, const char *fmt,
                       va_list ap) __attribute__((format(printf, 4, 0)));

static void api_verror(kenes_errors *errs, const char *path, const char *code, const char *fmt,
                       va_list ap)
{
    if (!errs)
        return;
    errs->count++;
    if (path && api_errors_full(errs)) {
        errs->unlisted++;
        return; /* before formatting: a validator that goes on costs little */
    }
    if (!code_ok(code))
        code = "invalid"; /* a code no interface could look up says only that */
    char msg[512];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    utf8_cut_partial(msg); /* a cut must not leave half a character */
    if (!path) {
        if (!errs->message[0]) {
            snprintf(errs->message, sizeof(errs->message), "%s", msg);
            snprintf(errs->code, sizeof(errs->code), "%s", code);
        }
        return;
    }
    char p[KENES_ERROR_PATH_MAX + 1];
    snprintf(p, sizeof(p), "%s", path);
    utf8_cut_partial(p);
    if (!errs->fields)
        errs->fields = json_array();
    /* json_pack refuses text that is not UTF-8: such an entry is dropped, not a crash. */
    json_t *e = json_pack("{s:s, s:s, s:s}", "path", p, "code", code, "message", msg);
    if (e)
        json_array_append_new(errs->fields, e);
}

static void api_error(kenes_errors *errs, const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    api_verror(errs, path, "invalid", fmt, ap);
    va_end(ap);
}

static void api_error_code(kenes_errors *errs, const char *path, const char *code,
                           const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    api_verror(errs, path, code, fmt, ap);
    va_end(ap);
}

static const char *api_doc_get(const kenes_doc *doc, const char *key)
{
    if (!doc || !doc->json || !key || strcmp(key, "fields") == 0)
        return NULL;
    if (strcmp(key, "version") == 0)
        return doc->version;
    if (strcmp(key, "written") == 0)
        return doc->written;
    if (strcmp(key, "created") == 0)
        return doc->created;
    return json_string_value(json_object_get(doc->json, key));
}

static const json_t *api_doc_fields(const kenes_doc *doc)
{
    static json_t *empty;
    const json_t *f = doc && doc->json ? json_object_get(doc->json, "fields") : NULL;
    if (json_is_object(f))
        return f;
    if (!empty)
        empty = json_object();
    return empty;
}

static const char *api_ctx_get(const kenes_ctx *ctx, const char *key)
{
    if (!ctx || !key)
        return NULL;
    if (strcmp(key, "action") == 0)
        return ctx->action;
    if (strcmp(key, "comment") == 0)
        return ctx->comment;
    if (strcmp(key, "user") == 0)
        return ctx->user;
    if (strcmp(key, "role") == 0)
        return ctx->role;
    if (strcmp(key, "from") == 0)
        return ctx->from;
    if (strcmp(key, "to") == 0)
        return ctx->to;
    return NULL;
}

static int api_region_valid(const char *code)
{
    return region_find(code) != NULL;
}

int kapi_region_valid(const char *code)
{
    return api_region_valid(code);
}

static void api_uuid(char out[37])
{
    unsigned char b[16];
    randombytes_buf(b, sizeof(b));
    b[6] = (unsigned char)((b[6] & 0x0F) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3F) | 0x80); /* RFC 4122 variant */
    snprintf(out, 37,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
             b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
             b[15]);
}

static long long api_now_ms(void)
{
    return (long long)util_now_ms();
}

int kapi_parse_date(const char *s, int *y, int *m, int *d)
{
    return ktime_parse_date(s, y, m, d);
}

static int api_report_kind(const kenes_report *r)
{
    return r ? r->kind : 0;
}

static const char *api_report_region(const kenes_report *r)
{
    return r ? r->region : NULL;
}

static size_t api_report_count(const kenes_report *r)
{
    return r ? r->ndocs : 0;
}

static const kenes_doc *api_report_doc(const kenes_report *r, size_t i)
{
    return r && i < r->ndocs ? &r->docs[i] : NULL;
}

static void api_report_printf(kenes_report *r, const char *fmt, ...)
{
    char buf[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (!r || n < 0)
        return;
    if ((size_t)n < sizeof(buf)) {
        util_buf_append(r->out, buf, (size_t)n);
        return;
    }
    /* Longer than the stack buffer: format again into the report itself. */
    char *big = malloc((size_t)n + 1);
    if (!big)
        return;
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    util_buf_append(r->out, big, (size_t)n);
    free(big);
}

static const json_t *api_report_doc_history(const kenes_report *r, size_t i)
{
    if (!r || i >= r->ndocs || !r->histories)
        return NULL;
    if (r->histories[i])
        return r->histories[i];
    if (!r->sources || !r->sources[i])
        return NULL;
    /* Made only when a type asks (the cases report): times and stages, never
     * an author's comment. */
    const idx_doc *d = r->sources[i];
    idx_version *all;
    size_t n;
    int rc = index_versions(&all, &n, d);
    if (rc < 0) {
        if (r->failure && !r->failure->rc)
            *r->failure = (struct kenes_report_failure){rc, d->id};
        return NULL;
    }
    json_t *list = json_array();
    for (size_t v = 0; list && v < n; v++) {
        const idx_version *ver = &all[v];
        json_t *e = json_pack("{s:I, s:s, s:s?, s:s}", "time", (json_int_t)ver->time_ms,
                              "action", ver->action ? ver->action : "", "from", ver->from,
                              "to", ver->to ? ver->to : "");
        if (!e || json_array_append_new(list, e) != 0) {
            json_decref(list);
            list = NULL;
        }
    }
    free(all);
    r->histories[i] = list;
    return list;
}

static const char *api_report_published(const kenes_report *r)
{
    return r ? r->published : NULL;
}

void kapi_md_escape(util_buf *out, const char *text)
{
    /* Every ASCII punctuation character may be backslash-escaped in CommonMark:
     * escaping them all makes document text plain text, whatever it holds. */
    for (const char *p = text; p && *p; p++) {
        char c = *p;
        if (c == '\n' || c == '\r' || c == '\t')
            c = ' ';
        if ((c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') ||
            (c >= '{' && c <= '~'))
            util_buf_append(out, "\\", 1);
        util_buf_append(out, &c, 1);
    }
}

static void api_report_text(kenes_report *r, const char *text)
{
    if (r && text)
        kapi_md_escape(r->out, text);
}

void kapi_count_text(char out[16], long n)
{
    if (n >= 1 && n <= 4)
        snprintf(out, 16, "< 5");
    else
        snprintf(out, 16, "%ld", n);
}

static const char *api_region_name(const char *code, const char *lang)
{
    const region *rg = region_find(code);
    if (!rg || !lang)
        return NULL;
    return strcmp(lang, "kk") == 0 ? rg->kk : strcmp(lang, "en") == 0 ? rg->en : rg->ru;
}

static size_t api_region_count(void)
{
    return region_count();
}

static const char *api_region_code(size_t i)
{
    const region *rg = region_at(i);
    return rg ? rg->code : NULL;
}

/* Labels live in the workflows, a layer above this one: whoever loads them
 * says where to look (kapi_set_labels). */
static kapi_label_fn label_fn;
static const void *label_payload;

void kapi_set_labels(kapi_label_fn fn, const void *payload)
{
    label_fn = fn;
    label_payload = fn ? payload : NULL;
}

void kapi_forget_labels(const void *payload)
{
    if (label_payload == payload)
        kapi_set_labels(NULL, NULL);
}

static const char *api_label(const char *type, const char *what, const char *name,
                             const char *lang)
{
    if (!label_fn || !type || !what || !name || !lang)
        return NULL;
    return label_fn(label_payload, type, what, name, lang);
}

/* ---- other documents, workflow params, orders ---- */

static kapi_docs docs_src;

void kapi_set_docs(const kapi_docs *d)
{
    if (d)
        docs_src = *d;
    else
        memset(&docs_src, 0, sizeof(docs_src));
}

void kapi_forget_docs(const void *payload)
{
    if (docs_src.payload == payload)
        kapi_set_docs(NULL);
}

static int api_doc_each(const char *type, const char *region,
                        int (*fn)(const kenes_doc *doc, void *arg), void *arg)
{
    if (!fn)
        return KENES_EINVAL;
    return docs_src.each ? docs_src.each(docs_src.payload, type, region, fn, arg) : 0;
}

static int api_doc_with(const char *id, int (*fn)(const kenes_doc *doc, void *arg), void *arg)
{
    if (!id || !fn)
        return KENES_EINVAL;
    return docs_src.with ? docs_src.with(docs_src.payload, id, fn, arg) : KENES_ENOTFOUND;
}

static const char *api_param(const char *type, const char *name)
{
    if (!type || !name || !docs_src.param)
        return NULL;
    return docs_src.param(docs_src.payload, type, name);
}

static int api_doc_each_public(const char *type, const char *region,
                               int (*fn)(const kenes_doc *doc, void *arg), void *arg)
{
    if (!fn)
        return KENES_EINVAL;
    return docs_src.each_public ? docs_src.each_public(docs_src.payload, type, region, fn, arg)
                                : 0;
}

static int api_doc_public_with(const char *id, int (*fn)(const kenes_doc *doc, void *arg),
                               void *arg)
{
    if (!id || !fn)
        return KENES_EINVAL;
    return docs_src.with_public ? docs_src.with_public(docs_src.payload, id, fn, arg)
                                : KENES_ENOTFOUND;
}

static int api_version_before(const char *doc_a, const char *a, const char *doc_b,
                              const char *b)
{
    if (!doc_a || !a || !doc_b || !b)
        return KENES_EINVAL;
    return docs_src.before ? docs_src.before(docs_src.payload, doc_a, a, doc_b, b) : 0;
}

static kapi_content_fn content_fn;
static const void *content_payload;

void kapi_set_content(kapi_content_fn fn, const void *payload)
{
    content_fn = fn;
    content_payload = fn ? payload : NULL;
}

void kapi_forget_content(const void *payload)
{
    if (content_payload == payload)
        kapi_set_content(NULL, NULL);
}

static const json_t *api_content(const char *name)
{
    return content_fn && name ? content_fn(content_payload, name) : NULL;
}

static const char *api_report_lang(const kenes_report *r)
{
    return r && r->lang ? r->lang : "ru";
}

static kapi_order_fn order_fn;
static const void *order_payload;

void kapi_set_orders(kapi_order_fn fn, const void *payload)
{
    order_fn = fn;
    order_payload = fn ? payload : NULL;
}

void kapi_forget_orders(const void *payload)
{
    if (order_payload == payload)
        kapi_set_orders(NULL, NULL);
}

static int api_order_dates(const char *name, long long *date_ms, long long *due_ms)
{
    if (!name)
        return KENES_EINVAL;
    return order_fn ? order_fn(order_payload, name, date_ms, due_ms) : KENES_ENOTFOUND;
}

const kenes_report_section *kapi_report_section(const kenes_doctype *t, int kind)
{
    for (const kenes_report_section *s = t ? t->reports : NULL; s && s->kind; s++)
        if (s->kind == kind && s->write)
            return s;
    return NULL;
}

static const kenes_api api_table = {
    .abi_version = KENES_ABI_VERSION,
    .struct_size = sizeof(kenes_api),
    .log = api_log,
    .error = api_error,
    .doc_get = api_doc_get,
    .doc_fields = api_doc_fields,
    .ctx_get = api_ctx_get,
    .region_valid = api_region_valid,
    .utf8_valid = util_utf8_valid,
    .utf8_length = util_utf8_length,
    .parse_date = ktime_parse_date,
    .uuid = api_uuid,
    .now_ms = api_now_ms,
    .report_kind = api_report_kind,
    .report_region = api_report_region,
    .report_count = api_report_count,
    .report_doc = api_report_doc,
    .report_printf = api_report_printf,
    .report_text = api_report_text,
    .report_count_text = kapi_count_text,
    .region_name = api_region_name,
    .text_fold = fold_text,
    .report_doc_history = api_report_doc_history,
    .report_published = api_report_published,
    .errors_full = api_errors_full,
    .region_count = api_region_count,
    .region_code = api_region_code,
    .time_parse = ktime_parse,
    .date_of_ms = ktime_date_of_ms,
    .date_ms = ktime_date_ms,
    .today = ktime_today,
    .label = api_label,
    .error_code = api_error_code,
    .doc_each = api_doc_each,
    .doc_with = api_doc_with,
    .param = api_param,
    .report_lang = api_report_lang,
    .order_dates = api_order_dates,
    .doc_each_public = api_doc_each_public,
    .doc_public_with = api_doc_public_with,
    .content = api_content,
    .version_before = api_version_before,
};

const kenes_api *kapi_get(void)
{
    return &api_table;
}

void kapi_errors_init(kenes_errors *e)
{
    memset(e, 0, sizeof(*e));
}

void kapi_errors_dispose(kenes_errors *e)
{
    json_decref(e->fields);
    memset(e, 0, sizeof(*e));
}
