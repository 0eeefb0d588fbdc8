/*
 * GET /public/{id}: a public document's page, for anyone, in the
 * interface's look and languages.  Which documents are public is
 * publish/public.c's rule (a public stage of a type that is not
 * confidential); anything else is the same 404 page, whether it exists or
 * not, and nothing is read that the access log would have to record.
 *
 * The body is the document's own Markdown, rendered on its own (cmark-gfm,
 * safe mode) on the thread pool and kept by the publisher's page cache
 * until the text changes (body.c); render_page() holds the HTML to being
 * balanced, so it cannot close or leave open the <article> it sits in.  What the
 * server adds (the fields in tables, the stage, the approving act, the
 * versions) comes from its records through the templates, escaped, after
 * the body and outside it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/util.h"
#include "publish/public.h"
#include "ui/dates.h"
#include "web/body.h"
#include "web/choices.h"
#include "web/fields.h"
#include "web/files.h"
#include "web/labels.h"
#include "web/pages.h"

static json_t *record_rows(web_call *c, const wf_workflow *wf, const json_t *fields)
{
    json_t *rows = json_array();
    for (size_t i = 0; i < wf->nrecord; i++) {
        const wf_record_field *f = &wf->record[i];
        /* Dates in the record's words as people write them, not as stored;
         * the field is all wf_record_text reads, so only it is copied. */
        json_t *copy = json_object();
        json_object_set_new(copy, f->label.name,
                            json_deep_copy(json_object_get(fields, f->label.name)));
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

/* The versions up to the one in force, newest first: an amendment on its
 * way is not public until it comes into force.  NULL when the history
 * cannot be read now (the index logged why): never an empty one. */
static json_t *version_rows(web_call *c, const wf_workflow *wf, const idx_doc *d,
                            const char *version)
{
    idx_version *all;
    size_t n;
    if (index_versions(&all, &n, d) < 0)
        return NULL;
    json_t *list = json_array();
    size_t upto = n;
    for (size_t i = 0; version && i < n; i++)
        if (strcmp(all[i].commit, version) == 0)
            upto = i + 1;
    for (size_t i = upto; i-- > 0;) {
        const idx_version *v = &all[i];
        char when[UI_DATE_CAP], role_key[64];
        ui_format_datetime(when, c->lang, v->time_ms);
        /* The public sees who acted by office, never by login: a login named
         * here is one an outsider can lock out with failed sign-ins. */
        snprintf(role_key, sizeof(role_key), "%s", v->role ? v->role : "");
        for (char *p = role_key; *p; p++)
            if (*p == '-')
                *p = '_';
        const char *who =
            *role_key ? ui_text(ui_words(c->ctx->ui), c->lang, "roles", role_key) : NULL;
        json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s}", "when", when, "author",
                                              who ? who : "", "action",
                                              web_action_label(c, wf, v->action), "stage",
                                              web_stage_label(c, wf, v->to)));
    }
    free(all);
    return list;
}

/* A ref on a public page: anyone reads it, so it names no confidential
 * document, not even by its id (a case's id is the child's); another
 * document is named by the title of its public face, a link to its public
 * page (an execution report's plan), and one with none by nothing. */
static json_t *public_ref(const char *to, const char *id, void *arg)
{
    web_call *c = arg;
    const kenes_doctype *t = plugin_find_type(c->svc->plugins, to);
    idx_doc *d = id && util_id_valid(id) ? index_get(c->svc->index, id) : NULL;
    /* Named from the index (publish/public.h): the page being sent is not
     * pushed out of the cache by the documents it names. */
    public_names p = {0};
    int shown = d && t && !(t->flags & KENES_DOCTYPE_CONFIDENTIAL) &&
                public_names_of(&p, c->svc, d) == 0;
    const char *title = p.title, *type = p.type;
    if (!shown || !to || !type || strcmp(type, to) != 0)
        return json_pack("{s:s}", "text", web_text(c, "pages", "none"));
    char href[4200];
    snprintf(href, sizeof(href), "/public/%s", d->id);
    return json_pack("{s:s, s:s}", "text", title && *title ? title : web_type_name(c, to), "href",
                     href);
}

static void send_page(web_call *c, const idx_doc *d, const json_t *doc, const wf_workflow *wf,
                      const char *version, const char *body_html)
{
    const char *type = json_string_value(json_object_get(doc, "type"));
    const char *title = json_string_value(json_object_get(doc, "title"));
    const json_t *fields = json_object_get(doc, "fields");
    const json_t *words = json_object_get(ui_strings_all(ui_words(c->ctx->ui), c->lang), "pages");
    /* What the record shows is not shown twice. */
    const char *skip[8] = {0};
    for (size_t i = 0; i < wf->nrecord && i + 1 < UTIL_ARRAY_LEN(skip); i++)
        skip[i] = wf->record[i].label.name;
    char wrote[41];
    int rc = docs_written(wrote, d, version);
    if (rc < 0) { /* its version in force is packed, and not read now */
        web_fail(c, 500, "storage");
        return;
    }
    json_t *sections, *shown = web_choices_named(c, docs_schema(c->svc, type), fields, d->id,
                                                 rc ? wrote : NULL);
    rc = web_fields_view_refs(&sections, docs_schema(c->svc, type), shown, skip, c->lang,
                                  words, public_ref, c);
    json_decref(shown);
    if (rc < 0) {
        web_fail(c, 500, "internal");
        return;
    }
    /* Not a page without its history: it would be kept for the next visitors. */
    json_t *versions = version_rows(c, wf, d, version);
    if (!versions) {
        json_decref(sections);
        web_fail(c, 500, "storage");
        return;
    }
    json_t *m = json_pack(
        "{s:s, s:s, s:s, s:s, s:o, s:o, s:o}", "title", title ? title : d->id, "type_name",
        web_type_name(c, type), "region_name",
        web_region_name(c, json_string_value(json_object_get(doc, "region"))), "stage",
        web_stage_label(c, wf, json_string_value(json_object_get(doc, "stage"))), "sections",
        sections, "record", record_rows(c, wf, fields), "versions", versions);
    /* The files of the version the public sees (files.c). */
    if (version && json_array_size(json_object_get(doc, "attachments"))) {
        char base[4200];
        snprintf(base, sizeof(base), "/public/%s", d->id);
        json_object_set_new(m, "files", web_files_view(c, d, doc, base, version, 0));
    }
    web_public_send(c, version, m, body_html); /* public_cache.c: kept for the next */
}

/* The index may have moved on while the body was rendered: it is looked up again. */
static void body_made(int status, const char *html, void *payload)
{
    web_call *c = payload;
    idx_doc *d = index_get(c->svc->index, c->arg);
    const wf_workflow *wf;
    const char *version;
    const json_t *face = public_face_of(c->svc, d, &wf, &version);
    if (!face) {
        web_fail(c, 404, "not_found");
    } else if (status < 0) {
        log_warn("web", "public:%s: the body cannot be rendered (%d)", d->id, status);
        web_fail(c, 500, "internal");
    } else {
        send_page(c, d, face, wf, version, html);
    }
    web_call_free(c);
}

void web_public(web_call *c)
{
    docs_service *svc = c->svc;
    idx_doc *d = c->arg && util_id_valid(c->arg) ? index_get(svc->index, c->arg) : NULL;
    const wf_workflow *wf;
    const char *version;
    const json_t *face = public_face_of(svc, d, &wf, &version);
    if (!face) {
        web_fail(c, 404, "not_found");
        return;
    }
    if (web_public_cached(c, version))
        return;
    /* The version in force, even while an amendment of it is drafted. */
    const char *body = json_string_value(json_object_get(face, "body"));
    size_t md_len;
    const char *md = web_body_after_title(
        body ? body : "", json_string_value(json_object_get(face, "title")), &md_len);
    web_call *k = web_call_copy(c);
    if (!k) {
        web_fail(c, 500, "internal");
        return;
    }
    if (web_body_render(k, d->id, 0, md, md_len, body_made, k) < 0) {
        web_call_free(k);
        web_fail(c, 500, "internal");
    }
}
