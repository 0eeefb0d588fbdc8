/*
 * The act form: an action whose transition records fields (the workflow's
 * records: [act]) asks for them before it is taken.  The document page's
 * button for it posts without them and is answered with this form (doc_act.c),
 * as is GET /ui/d/{id}/act?action=<it>: the recorded fields' inputs, made
 * from the type's schema by the edit form's own code (formdata_only,
 * formview_fields) into the edit form's page (form.html), the comment box
 * with what was typed, the action's label on the button.  Nothing is
 * written until the form is sent back filled in; then its values go as the
 * transition's "fields", and a refusal shows the form again with each
 * problem beside its input.  For whoever may attach files to the document
 * now (the akimat's approver in regional-approval) it is multipart and
 * offers the signed resolution's scan with the act (doc_act.c attaches it
 * first, then takes the action).
 */
#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "docs/attachments.h"
#include "docs/internal.h"
#include "web/actform.h"
#include "web/files.h"
#include "web/formdata.h"
#include "web/labels.h"

const wf_transition *web_act_records(const web_call *c, const idx_doc *d, const char *action)
{
    const wf_workflow *wf = wf_set_find(c->svc->workflows, doc_str(d->doc, "type"));
    const char *stage = doc_str(d->doc, "stage");
    const wf_transition *tr = wf && action && stage ? wf_find_transition(wf, action, stage) : NULL;
    return tr && tr->nrecords > 0 && !tr->former ? tr : NULL;
}

json_t *web_act_schema(const web_call *c, const idx_doc *d, const wf_transition *tr)
{
    return formdata_only(docs_schema(c->svc, doc_str(d->doc, "type")), tr->records, tr->nrecords);
}

/* The recorded fields as the document holds them now (an approval asked
 * again after a return starts from the act recorded before); nothing of a
 * confidential type's, whose index entry is no place to read them from. */
static json_t *held_values(const web_call *c, const idx_doc *d, const wf_transition *tr)
{
    json_t *out = json_object();
    const json_t *fields = json_object_get(d->doc, "fields");
    for (size_t i = 0; out && !docs_confidential(c->svc, d) && i < tr->nrecords; i++) {
        json_t *v = json_object_get(fields, tr->records[i]);
        if (v)
            json_object_set_new(out, tr->records[i], json_deep_copy(v));
    }
    return out;
}

static int has_guard(const wf_transition *tr, const char *name)
{
    for (size_t i = 0; i < tr->nguards; i++)
        if (strcmp(tr->guard_names[i], name) == 0)
            return 1;
    return 0;
}

/* "/ui/d/<id escaped><tail>" into out. */
static void doc_href(char *out, size_t cap, const char *id, const char *tail)
{
    util_buf b;
    util_buf_init(&b);
    util_buf_puts(&b, "/ui/d/");
    web_url_escape(&b, id);
    snprintf(out, cap, "%s%s", b.data ? b.data : "/ui/d/", tail);
    util_buf_dispose(&b);
}

void web_act_form(web_call *c, int status, const idx_doc *d, const wf_transition *tr,
                  const json_t *values, const char *comment, json_t *errors)
{
    const char *type = doc_str(d->doc, "type");
    json_t *schema = web_act_schema(c, d, tr);
    json_t *vals = values ? json_deep_copy(values) : held_values(c, d, tr);
    json_t *items = json_array(), *errs = errors ? json_incref(errors) : json_array();
    if (!schema || !vals || !items || !errs) {
        json_decref(schema);
        json_decref(vals);
        json_decref(items);
        json_decref(errs);
        web_fail(c, 500, "internal");
        return;
    }
    formview_words w;
    web_form_words(&w, c);
    formdata_fill_rows(vals, schema, FORM_ROWS_NEW);
    int rc = formview_fields(items, errs, &w, schema, vals);
    json_decref(vals);
    json_decref(schema);
    if (rc < 0) {
        json_decref(items);
        json_decref(errs);
        web_fail(c, rc == KENES_ETOOBIG ? 413 : 500,
                 rc == KENES_ETOOBIG ? "form_too_big" : "internal");
        return;
    }
    /* The comment goes with the action, as from the document page. */
    json_t *typed = json_string(comment ? comment : "");
    formview_input(items, errs, &w, "comment", "textarea", web_text(c, "pages", "comment"),
                   has_guard(tr, "comment_required"), NULL, typed, NULL);
    json_decref(typed);
    /* Whoever may attach files now gets the signed resolution's scan with
     * the act: one submit attaches it, then takes the action (doc_act.c). */
    int upload = docs_may_attach(c->svc, c->user, d);
    if (upload) {
        char hint[256], limit[64];
        web_size_text(limit, sizeof(limit), c,
                      (json_int_t)(c->svc->cfg ? c->svc->cfg->attachments_max_bytes : 0));
        snprintf(hint, sizeof(hint), "%s %s. %s", web_text(c, "files", "hint"), limit,
                 web_text(c, "files", "act_file_hint"));
        formview_input(items, errs, &w, "file", "file", web_text(c, "files", "act_file"), 0, hint,
                       NULL, NULL);
    }

    const wf_workflow *wf = wf_set_find(c->svc->workflows, type);
    const char *label = wf ? web_action_label(c, wf, tr->action) : tr->action;
    const char *title = doc_str(d->doc, "title");
    char action[4200], cancel[4200];
    doc_href(action, sizeof(action), d->id, "/act");
    doc_href(cancel, sizeof(cancel), d->id, "");
    json_t *m = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:b, s:s, s:[]}", "title", label,
                          "heading", label, "submit_label", label, "action", action, "cancel",
                          cancel, "items", items, "errors", errs, "has_errors",
                          json_array_size(errs) > 0, "version", d->version, "datalists");
    if (!m) {
        web_fail(c, 500, "internal");
        return;
    }
    json_object_set_new(m, "doc_title", json_string(title && *title ? title : web_type_name(c, type)));
    json_object_set_new(m, "hidden", json_pack("[{s:s, s:s}, {s:s, s:s}]", "name", "action",
                                               "value", tr->action, "name", "_record", "value",
                                               "1"));
    json_object_set_new(m, "multipart", json_boolean(upload));
    web_page(c, status, "form", m);
}
