/*
 * GET /public/{id}: a public document's page, for anyone, in the
 * interface's look and languages.  Which documents are public is
 * publish/public.c's rule (a public stage of a type that is not
 * confidential); anything else is the same 404 page, whether it exists or
 * not, and nothing is read that the access log would have to record.
 *
 * The body is the document's own Markdown, rendered on its own (cmark-gfm,
 * safe mode) on the thread pool and kept by the publisher's page cache
 * until the text changes; render_page() holds the HTML to being balanced,
 * so it cannot close or leave open the <article> it sits in.  What the
 * server adds (the fields in tables, the stage, the approving act, the
 * versions) comes from its records through the templates, escaped, after
 * the body and outside it.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/util.h"
#include "publish/pages.h"
#include "publish/public.h"
#include "publish/render.h"
#include "ui/dates.h"
#include "web/fieldtable.h"
#include "web/labels.h"
#include "web/pages.h"

typedef struct public_req {
    web_call *c;
    char *md;
    size_t md_len;
} public_req;

static void public_req_free(public_req *p)
{
    web_call_free(p->c);
    free(p->md);
    free(p);
}

/* The body without a first heading that only repeats the title: the page
 * shows the title once, as its own heading. */
static const char *body_after_title(const char *body, const char *title, size_t *len)
{
    size_t tl = title ? strlen(title) : 0;
    const char *rest = body;
    if (tl && strncmp(body, "# ", 2) == 0 && strncmp(body + 2, title, tl) == 0 &&
        (body[2 + tl] == '\n' || body[2 + tl] == '\0'))
        rest = body + 2 + tl + (body[2 + tl] == '\n');
    *len = strlen(rest);
    return rest;
}

/* On a thread of the pool. */
static int body_make(char **out, size_t *len, void *payload)
{
    public_req *p = payload;
    char *html = NULL;
    size_t hl;
    int rc = render_markdown(&html, &hl, p->md, p->md_len);
    /* The "{{body}}" page is the body alone, checked to close what it opens. */
    if (rc == 0)
        rc = render_page(out, len, "{{body}}", "", html, NULL);
    free(html);
    return rc;
}

static json_t *record_rows(web_call *c, const wf_workflow *wf, const json_t *fields)
{
    json_t *rows = json_array();
    for (size_t i = 0; i < wf->nrecord; i++) {
        const wf_record_field *f = &wf->record[i];
        /* Dates in the record's words as people write them, not as stored. */
        json_t *copy = json_deep_copy(fields);
        json_t *v = json_object_get(copy, f->label.name);
        const char *k;
        json_t *x;
        char day[UI_DATE_CAP];
        if (json_is_object(v)) {
            json_object_foreach(v, k, x)
            {
                if (json_is_string(x) && ui_format_ymd(day, c->lang, json_string_value(x)) == 0)
                    json_object_set_new(v, k, json_string(day));
            }
        } else if (json_is_string(v) &&
                   ui_format_ymd(day, c->lang, json_string_value(v)) == 0) {
            json_object_set_new(copy, f->label.name, json_string(day));
        }
        char *text = NULL;
        if (wf_record_text(&text, f, ui_lang_code(c->lang), copy) == 0 && text)
            json_array_append_new(rows, json_pack("{s:s, s:s}", "label",
                                                  f->label.text[c->lang], "text", text));
        free(text);
        json_decref(copy);
    }
    return rows;
}

static json_t *version_rows(web_call *c, const wf_workflow *wf, const idx_doc *d)
{
    json_t *list = json_array();
    for (size_t i = d->nversions; i-- > 0;) {
        const idx_version *v = &d->versions[i];
        char when[UI_DATE_CAP];
        ui_format_datetime(when, c->lang, v->time_ms);
        json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s}", "when", when, "author",
                                              v->author ? v->author : "", "action",
                                              web_action_label(c, wf, v->action), "stage",
                                              web_stage_label(c, wf, v->to)));
    }
    return list;
}

static void send_page(web_call *c, const idx_doc *d, const wf_workflow *wf, const char *body_html)
{
    const json_t *doc = d->doc;
    const char *type = json_string_value(json_object_get(doc, "type"));
    const char *title = json_string_value(json_object_get(doc, "title"));
    const json_t *fields = json_object_get(doc, "fields");
    fieldtable_words w = {.lang = c->lang,
                          .yes = web_text(c, "public", "answer_yes"),
                          .no = web_text(c, "public", "answer_no"),
                          .quarter = web_text(c, "public", "quarter")};
    /* What the record shows is not shown twice. */
    const char *skip[8] = {0};
    for (size_t i = 0; i < wf->nrecord && i + 1 < UTIL_ARRAY_LEN(skip); i++)
        skip[i] = wf->record[i].label.name;
    json_t *tables;
    if (fieldtable_build(&tables, docs_schema(c->svc, type), fields, skip, &w) < 0) {
        web_fail(c, 500, "internal");
        return;
    }
    json_t *m = json_pack(
        "{s:s, s:s, s:s, s:s, s:o, s:o, s:o}", "title", title ? title : d->id, "type_name",
        web_type_name(c, type), "region_name",
        web_region_name(c, json_string_value(json_object_get(doc, "region"))), "stage",
        web_stage_label(c, wf, json_string_value(json_object_get(doc, "stage"))), "fields", tables,
        "record", record_rows(c, wf, fields), "versions", version_rows(c, wf, d));
    web_page_html(c, 200, "public", m, body_html);
}

static void body_made(int status, const char *data, size_t len, void *payload)
{
    public_req *p = payload;
    web_call *c = p->c;
    (void)len;
    /* The index may have moved on while the body was rendered. */
    idx_doc *d = index_get(c->svc->index, c->arg);
    const wf_workflow *wf = public_workflow_of(c->svc, d);
    if (!wf) {
        web_fail(c, 404, "not_found");
    } else if (status < 0) {
        log_warn("web", "public:%s: the body cannot be rendered (%d)", d->id, status);
        web_fail(c, 500, "internal");
    } else {
        send_page(c, d, wf, data);
    }
    public_req_free(p);
}

void web_public(web_call *c)
{
    docs_service *svc = c->svc;
    publisher *pub = c->ctx->pub;
    idx_doc *d = c->arg && util_id_valid(c->arg) ? index_get(svc->index, c->arg) : NULL;
    const wf_workflow *wf = public_workflow_of(svc, d);
    if (!wf) {
        web_fail(c, 404, "not_found");
        return;
    }
    const char *body = json_string_value(json_object_get(d->doc, "body"));
    size_t md_len;
    const char *md = body_after_title(body ? body : "",
                                      json_string_value(json_object_get(d->doc, "title")), &md_len);
    unsigned char hash[PAGE_HASH_BYTES];
    crypto_generichash(hash, sizeof(hash), (const unsigned char *)md, md_len, NULL, 0);
    char key[320];
    snprintf(key, sizeof(key), "public:%s", d->id);
    const char *html;
    size_t html_len;
    if (page_cache_find(pub->pages, key, hash, &html, &html_len)) {
        send_page(c, d, wf, html);
        return;
    }
    public_req *p = calloc(1, sizeof(*p));
    if (!p || !(p->c = web_call_copy(c)) || !(p->md = strndup(md, md_len))) {
        if (p)
            public_req_free(p);
        web_fail(c, 500, "internal");
        return;
    }
    p->md_len = md_len;
    if (page_cache_make(pub->pages, svc->loop, key, hash, body_make, body_made, p) < 0) {
        public_req_free(p);
        web_fail(c, 500, "internal");
    }
}
