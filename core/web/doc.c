/*
 * GET /ui/d/{id}: a document's page.  The title once; its stage, due date
 * and the approvals counted so far; its body (Markdown through the
 * publisher's safe renderer: an author's raw HTML never reaches the page);
 * its fields as tables (fields.c); and a form with a button for each
 * action the reader may take now, with a comment box.  The read is the
 * document service's, so a case's page is in the access log before any of
 * it is sent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/util.h"
#include "docs/internal.h"
#include "publish/render.h"
#include "ui/dates.h"
#include "web/doc.h"
#include "web/entries.h"
#include "web/fields.h"
#include "web/pages.h"

typedef struct doc_show {
    web_call *c;
    int status;
    char *alert, *comment;
    int comment_invalid;
} doc_show;

/* "{given} из {needed}" with the numbers in. */
static char *approvals_text(const web_call *c, long given, long needed)
{
    static const char *const names[] = {"given", "needed"};
    const long values[] = {given, needed};
    return web_fill(web_text(c, "pages", "approvals_of"), names, values, 2);
}

/* The action buttons, each with its label, and what the comment box says. */
static json_t *actions_view(const web_call *c, const idx_doc *d, const char *type,
                            json_t **needs_comment)
{
    json_t *open, *list = json_array();
    *needs_comment = json_array();
    if (docs_actions(&open, c->svc, c->user, d) < 0)
        return list;
    size_t i;
    json_t *a;
    json_array_foreach(open, i, a)
    {
        const char *name = json_string_value(json_object_get(a, "action"));
        const char *label = web_wf_label(c, type, "action", name);
        json_t *v = json_pack("{s:s, s:s}", "action", name, "label", label);
        if (json_is_true(json_object_get(a, "again")))
            json_object_set_new(v, "note", json_string(web_text(c, "pages", "note_again")));
        else if (json_is_true(json_object_get(a, "author")))
            json_object_set_new(v, "note", json_string(web_text(c, "pages", "note_author")));
        if (json_is_true(json_object_get(a, "comment_required")))
            json_array_append_new(*needs_comment, json_string(label));
        json_array_append_new(list, v);
    }
    json_decref(open);
    return list;
}

static json_t *approvals_view(const web_call *c, const idx_doc *d, const char *type)
{
    json_t *counts, *list = json_array();
    if (docs_approvals(&counts, c->svc, d) < 0)
        return list;
    size_t i;
    json_t *a;
    json_array_foreach(counts, i, a)
    {
        char *text = approvals_text(c, (long)json_integer_value(json_object_get(a, "given")),
                                    (long)json_integer_value(json_object_get(a, "approvals")));
        const char *name = json_string_value(json_object_get(a, "action"));
        json_array_append_new(list, json_pack("{s:s, s:s}", "label",
                                              web_wf_label(c, type, "action", name), "text",
                                              text ? text : ""));
        free(text);
    }
    json_decref(counts);
    return list;
}

/* The page of d, whose answer (docs_answer's) doc is. */
static void render(web_call *c, const idx_doc *d, const json_t *doc, const doc_show *s)
{
    int status = s->status;
    const char *alert = s->alert;
    const char *type = doc_str(doc, "type"), *stage = doc_str(doc, "stage");
    const char *title = doc_str(doc, "title"), *body = doc_str(doc, "body");
    json_t *entry = docs_entry(c->svc, d);
    json_t *line = web_entry_view(c, entry);
    json_decref(entry);
    /* A case has no title of its own: its line's (the pseudonym) stands for one. */
    if (title && *title)
        json_object_set_new(line, "title", json_string(title));
    json_t *needs_comment;
    json_t *actions = actions_view(c, d, type, &needs_comment);
    json_t *sections;
    const json_t *words = json_object_get(ui_strings_all(ui_words(c->ctx->ui), c->lang), "pages");
    if (web_fields_view(&sections, docs_schema(c->svc, type), json_object_get(doc, "fields"),
                        c->lang, words) < 0)
        sections = json_array();
    char *html = NULL;
    size_t len;
    if (body && *body && render_markdown(&html, &len, body, strlen(body)) < 0) {
        html = NULL; /* too big or broken for the renderer: shown as text below */
        log_warn("web", "document page: a body the renderer refused");
    }
    const wf_workflow *wf = wf_set_find(c->svc->workflows, type);
    const wf_stage *st = wf && stage ? wf_find_stage(wf, stage) : NULL;
    int may_edit = st && st->editable && !docs_erased(c->svc, d) &&
                   docs_allowed(c->svc, c->user, d, ACCESS_DOC_EDIT);
    char href[4300];
    json_t *m = json_pack("{s:O, s:o, s:o, s:o, s:o, s:s, s:s?}", "title",
                          json_object_get(line, "title"), "doc", line, "actions", actions,
                          "needs_comment", needs_comment, "sections", sections, "version",
                          doc_str(doc, "version") ? doc_str(doc, "version") : "", "alert", alert);
    json_object_set_new(m, "approvals", approvals_view(c, d, type));
    json_object_set_new(m, "comment", json_string(s->comment ? s->comment : ""));
    json_object_set_new(m, "comment_invalid", json_boolean(s->comment_invalid));
    json_object_set_new(m, "has_body", json_boolean(body && *body));
    if (!html && body && *body)
        json_object_set_new(m, "body_text", json_string(body));
    snprintf(href, sizeof(href), "/ui/d/%s/act", d->id);
    json_object_set_new(m, "act_href", json_string(href));
    snprintf(href, sizeof(href), "/ui/d/%s/history", d->id);
    json_object_set_new(m, "history_href", json_string(href));
    if (docs_allowed(c->svc, c->user, d, ACCESS_DOC_DOSSIER)) {
        snprintf(href, sizeof(href), "/ui/d/%s/dossier.zip", d->id);
        json_object_set_new(m, "dossier_href", json_string(href));
    }
    if (may_edit) {
        snprintf(href, sizeof(href), "/ui/d/%s/edit", d->id);
        json_object_set_new(m, "edit_href", json_string(href));
    }
    /* ?done=<action>: the notice after an action went through (a name the
     * workflow knows only, shown by its label). */
    char done[128];
    if (status == 200 && !alert && web_query(c, "done", done, sizeof(done)) == 1 && wf &&
        wf_has_action(wf, done))
        json_object_set_new(m, "done", json_string(web_wf_label(c, type, "action", done)));
    web_page_html(c, status, "doc", m, html ? html : "");
    free(html);
}

static void read_done(const docs_result *r, void *payload)
{
    doc_show *s = payload;
    web_call *c = s->c;
    idx_doc *d;
    docs_result why;
    if (r->code != 0)
        web_fail_code(c, r->code);
    else if (docs_find(&d, &why, c->svc, c->user, c->arg, 0) < 0)
        web_fail_code(c, why.code);
    else
        render(c, d, r->json, s);
    free(s->alert);
    free(s->comment);
    free(s);
    web_call_free(c);
}

void web_doc_show(web_call *c, int status, const web_doc_refusal *ref)
{
    idx_doc *d;
    docs_result why;
    int rc = docs_find(&d, &why, c->svc, c->user, c->arg ? c->arg : "", 0);
    doc_show *s = rc == 0 ? calloc(1, sizeof(*s)) : NULL;
    if (s && ref) {
        s->alert = ref->alert ? strdup(ref->alert) : NULL;
        s->comment = ref->comment ? strdup(ref->comment) : NULL;
        s->comment_invalid = ref->comment_invalid;
    }
    if (rc < 0 || !s || (ref && ((ref->alert && !s->alert) || (ref->comment && !s->comment)))) {
        if (rc < 0)
            web_fail_code(c, rc);
        else
            web_fail(c, 500, "internal");
        if (s) {
            free(s->alert);
            free(s->comment);
        }
        free(s);
        web_call_free(c);
        return;
    }
    s->c = c;
    s->status = status;
    /* Shown after a form's POST: the page's own address is the document's,
     * for the language switch's links. */
    char *path = malloc(strlen(d->id) + 8);
    if (path) {
        sprintf(path, "/ui/d/%s", d->id);
        free(c->owned_path);
        c->owned_path = path;
        c->path = path;
    }
    docs_read(c->svc, c->user, d, read_done, s);
}

void web_doc(web_call *c)
{
    web_call *k = web_call_copy(c);
    if (!k) {
        web_fail(c, 500, "internal");
        return;
    }
    web_doc_show(k, 200, NULL);
}
