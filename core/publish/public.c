#include "publish/public.h"

#include <stdlib.h>
#include <string.h>

#include "docs/docs.h"
#include "publish/render.h"

/* The language of the public pages: the record's labels are taken in it. */
#define PUBLIC_LANG "ru"

static const char *doc_str(const idx_doc *d, const char *key)
{
    return json_string_value(json_object_get(d->doc, key));
}

/* The record's rows: each field the workflow shows that the document has. */
static int record_rows(render_row **rows, size_t *n, char ***texts, const wf_workflow *wf,
                       const json_t *fields)
{
    *n = 0;
    *rows = calloc(wf->nrecord ? wf->nrecord : 1, sizeof(**rows));
    *texts = calloc(wf->nrecord ? wf->nrecord : 1, sizeof(**texts));
    if (!*rows || !*texts)
        return KENES_ENOMEM;
    for (size_t i = 0; i < wf->nrecord; i++) {
        const wf_record_field *f = &wf->record[i];
        char *text;
        int rc = wf_record_text(&text, f, PUBLIC_LANG, fields);
        if (rc < 0)
            return rc;
        if (!text)
            continue;
        (*texts)[*n] = text;
        (*rows)[*n] = (render_row){.label = f->label.text[WF_LANG_RU], .text = text};
        (*n)++;
    }
    return 0;
}

int public_page_of(public_page *out, const docs_service *svc, const char *id)
{
    memset(out, 0, sizeof(*out));
    idx_doc *d = index_get(svc->index, id);
    const char *stage = d && d->doc ? doc_str(d, "stage") : NULL;
    const wf_workflow *wf = d && d->doc ? wf_set_find(svc->workflows, doc_str(d, "type")) : NULL;
    if (!d || !wf_stage_public(wf, stage) || docs_confidential(svc, d) ||
        d->repo != REPO_DOCUMENTS)
        return KENES_ENOTFOUND;
    render_version *versions = calloc(d->nversions ? d->nversions : 1, sizeof(*versions));
    render_row *rows = NULL;
    char **texts = NULL;
    size_t nrows = 0;
    int rc = versions ? record_rows(&rows, &nrows, &texts, wf, json_object_get(d->doc, "fields"))
                      : KENES_ENOMEM;
    for (size_t i = 0; rc == 0 && i < d->nversions; i++) {
        const idx_version *v = &d->versions[d->nversions - 1 - i]; /* newest first */
        versions[i] = (render_version){
            .time_ms = v->time_ms, .author = v->author, .action = v->action, .stage = v->to};
    }
    render_record rec = {.stage = stage,
                         .stage_label = wf_label(wf, "stage", stage, PUBLIC_LANG),
                         .rows = rows,
                         .nrows = nrows,
                         .versions = versions,
                         .nversions = d->nversions};
    if (rc == 0)
        rc = render_record_html(&out->record, &out->record_len, &rec);
    for (size_t i = 0; texts && i < nrows; i++)
        free(texts[i]);
    free(texts);
    free(rows);
    free(versions);
    if (rc < 0)
        return rc;
    const char *title = doc_str(d, "title"), *body = doc_str(d, "body");
    out->title = title ? title : id;
    out->body = body ? body : "";
    return 0;
}

void public_page_dispose(public_page *p)
{
    free(p->record);
    p->record = NULL;
}

size_t public_workflow_count(const docs_service *svc)
{
    size_t n = 0;
    for (size_t i = 0; i < wf_set_count(svc->workflows); i++) {
        const wf_workflow *wf = wf_set_at(svc->workflows, i);
        const kenes_doctype *t = plugin_find_type(svc->plugins, wf->type);
        if (!t || (t->flags & KENES_DOCTYPE_CONFIDENTIAL))
            continue;
        for (size_t s = 0; s < wf->nstages; s++)
            if (wf->stages[s].is_public) {
                n++;
                break;
            }
    }
    return n;
}
