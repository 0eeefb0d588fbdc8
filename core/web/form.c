/*
 * The create and edit forms, made from the type's schema (docs_schema):
 * GET/POST /ui/new/{type} and GET/POST /ui/d/{id}/edit.
 *
 * Without JavaScript a list's "add a row" and a row's "remove" are submit
 * buttons (_add, _remove): the form comes back from what was posted, with
 * the row added or gone, and nothing is written.  Any other submit is the
 * save (the first button in the form is a save, so that Enter in an input
 * saves rather than removing a row).  A refused save shows the form again
 * with every value kept and each problem beside its input, in the user's
 * language (t.validation.<code>), and in a summary with role="alert".
 *
 * The document service decides everything the API would: who may create
 * or edit, the region, the version (a stale edit is refused), validity.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/util.h"
#include "docs/rights.h"
#include "plugin/loader.h"
#include "plugin/region.h"
#include "web/actform.h"
#include "web/choices.h"
#include "web/formdata.h"
#include "web/agencies.h"
#include "web/entries.h"
#include "docs/attachments.h"
#include "docs/fetch.h"
#include "web/files.h"
#include "web/formview.h"
#include "web/labels.h"
#include "web/pages.h"

/* What a form page shows. */
typedef struct form_page {
    const char *type;
    const json_t *schema;
    const char *region, *title, *body; /* the header's values */
    int region_fixed;                  /* one region only: the user's, or the document's */
    json_t *fields;                    /* the values (borrowed; rows filled here) */
    int rows;                          /* FORM_ROWS_NEW or FORM_ROWS_AS_POSTED */
    json_t *errors;                    /* [{"path","text"}] (borrowed) */
    const char *version;               /* edit: the version changed */
    const char *id;                    /* edit: the document */
} form_page;

/* A save on its way through the document service. */
typedef struct pending {
    web_call *c;
    char *type, *id, *version, *region;
    json_t *doc; /* what was sent: its values fill the form again */
} pending;

static const char *str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static void pending_free(pending *p)
{
    if (!p)
        return;
    web_call_free(p->c);
    free(p->type);
    free(p->id);
    free(p->version);
    free(p->region);
    json_decref(p->doc);
    free(p);
}

/* prefix + id escaped for a URL + tail into out ("/ui/d/plan/KZ-11/2026/edit"). */
static void href_of(char *out, size_t cap, const char *prefix, const char *id, const char *tail)
{
    util_buf b;
    util_buf_init(&b);
    util_buf_puts(&b, prefix);
    web_url_escape(&b, id);
    snprintf(out, cap, "%s%s", b.data ? b.data : prefix, tail);
    util_buf_dispose(&b);
}

/* After a save: the document's page. */
static void go_to_doc(web_call *c, const char *id)
{
    char location[4200];
    href_of(location, sizeof(location), "/ui/d/", id, "");
    web_redirect(c, location);
}

/* ---- the page ---- */

static const char *region_name(const region *r, ui_lang lang)
{
    return lang == UI_KK ? r->kk : lang == UI_EN ? r->en : r->ru;
}

static void header_items(web_call *c, json_t *items, json_t *errors, const formview_words *w,
                         const form_page *f)
{
    const char *region_label = web_text(c, "form", "region");
    const region *own = f->region ? region_find(f->region) : NULL;
    if (f->region_fixed && own) {
        /* Shown, not chosen: the code travels in a hidden input. */
        formview_input(items, errors, w, "region", "text", region_label, 1, NULL, NULL, NULL);
        json_t *it = json_array_get(items, json_array_size(items) - 1);
        json_object_set_new(it, "fixed", json_true());
        json_object_set_new(it, "value", json_string(own->code));
        json_object_set_new(it, "fixed_text", json_string(region_name(own, c->lang)));
        json_object_del(it, "text");
    } else {
        json_t *options = json_array();
        for (size_t i = 0; i < region_count(); i++) {
            const region *r = region_at(i);
            json_array_append_new(options, json_pack("{s:s, s:s}", "value", r->code, "label",
                                                     region_name(r, c->lang)));
        }
        json_t *v = f->region ? json_string(f->region) : NULL;
        formview_input(items, errors, w, "region", "enum", region_label, 1, NULL, v, options);
        json_decref(v);
        json_decref(options);
    }
    /* Marked as the type requires it: a case review's title may be empty. */
    const json_t *tr = json_object_get(f->schema, "title_required");
    json_t *v = f->title ? json_string(f->title) : NULL;
    formview_input(items, errors, w, "title", "text", web_text(c, "form", "title"),
                   !json_is_false(tr), NULL, v, NULL);
    json_decref(v);
    v = f->body ? json_string(f->body) : NULL;
    formview_input(items, errors, w, "body", "textarea", web_text(c, "form", "body"), 0,
                   web_text(c, "form", "body_hint"), v, NULL);
    json_object_set_new(json_array_get(items, json_array_size(items) - 1), "wide", json_true());
    json_decref(v);
}

/* The types the schema's refs name (fields at any depth), into types. */
static void ref_types(json_t *types, const json_t *fields)
{
    size_t i;
    const json_t *f;
    json_array_foreach(fields, i, f)
    {
        const char *to = str(f, "to");
        if (to)
            json_object_set_new(types, to, json_true());
        ref_types(types, json_object_get(f, "fields"));
    }
}

/* Each ref's choices, {type: [{"value","label"}]}: the documents of that
 * type the user may read in the form's region (every region the user may
 * read while none is chosen), each named as its list entry allows (a case
 * by its pseudonym, stage and short id: never a field of it). */
static json_t *ref_choices(web_call *c, const form_page *f)
{
    json_t *types = json_object(), *out = json_object();
    ref_types(types, json_object_get(f->schema, "fields"));
    const char *type;
    json_t *unused;
    json_object_foreach(types, type, unused)
    {
        docs_filter filter = {.type = type, .overdue = -1};
        if (f->region && *f->region)
            filter.region = f->region;
        json_t *list, *options = json_array();
        if (docs_list(&list, c->svc, c->user, &filter) == 0) {
            size_t i;
            json_t *e;
            json_array_foreach(list, i, e)
            {
                char *label = web_ref_label(c, e);
                json_array_append_new(options, json_pack("{s:O, s:s}", "value",
                                                         json_object_get(e, "id"), "label",
                                                         label ? label : ""));
                free(label);
            }
            json_decref(list);
        }
        json_object_set_new(out, type, options);
    }
    json_decref(types);
    return out;
}

/* The words of a suggest's path (members[].full_name) in v, each once, into
 * seen (a set) and out, at most SUGGEST_CAP. */
enum { SUGGEST_CAP = 500 };
static void suggest_words(json_t *out, json_t *seen, const json_t *v, const char *path)
{
    if (json_array_size(out) >= SUGGEST_CAP)
        return;
    if (!*path) {
        const char *t = json_string_value(v);
        if (t && *t && !json_object_get(seen, t)) {
            json_object_set_new(seen, t, json_true());
            json_array_append_new(out, json_string(t));
        }
        return;
    }
    char name[200];
    size_t n = strcspn(path, ".[");
    if (n >= sizeof(name))
        return;
    memcpy(name, path, n);
    name[n] = '\0';
    const json_t *sub = json_object_get(v, name);
    const char *rest = path + n;
    if (strncmp(rest, "[]", 2) == 0) {
        rest += 2;
        rest += *rest == '.';
        size_t i;
        const json_t *e;
        json_array_foreach(sub, i, e)
            suggest_words(out, seen, e, rest);
    } else {
        suggest_words(out, seen, sub, rest + (*rest == '.'));
    }
}

/* The words of a suggest with public: true: the public faces (the versions
 * in force) of the documents of f's type in f's region, which anyone may
 * read; a confidential type has none to offer. */
static int same_str(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

static void public_words(json_t *words, json_t *seen, web_call *c, const docs_filter *f,
                         const char *path)
{
    idx_doc **all;
    size_t n;
    if (index_list(&all, &n, c->svc->index) < 0)
        return;
    for (size_t i = 0; i < n; i++) {
        const json_t *face = docs_public_face(c->svc, all[i], NULL);
        if (!face || docs_confidential(c->svc, all[i]) ||
            (f->type && !same_str(str(face, "type"), f->type)) ||
            (f->region && !same_str(str(face, "region"), f->region)))
            continue;
        suggest_words(words, seen, json_object_get(face, "fields"), path);
    }
    free(all);
}

/* The fields with suggest (at any depth), their words by the field's path:
 * the values at the suggest's path of the documents of its type and stage
 * the user may read in the form's region.  A confidential type offers
 * nothing: its fields are read only under the access log. */
static void suggest_fields(json_t *out, web_call *c, const form_page *f, const json_t *fields)
{
    size_t i;
    const json_t *fd;
    json_array_foreach(fields, i, fd)
    {
        const json_t *sg = json_object_get(fd, "suggest");
        const char *path = str(fd, "path");
        suggest_fields(out, c, f, json_object_get(fd, "fields"));
        if (!sg || !path)
            continue;
        docs_filter filter = {.type = str(sg, "type"), .stage = str(sg, "stage"),
                              .region = f->region && *f->region ? f->region : NULL,
                              .overdue = -1};
        json_t *list, *words = json_array(), *seen = json_object();
        if (json_is_true(json_object_get(sg, "public"))) {
            public_words(words, seen, c, &filter, str(sg, "path"));
        } else if (docs_list(&list, c->svc, c->user, &filter) == 0) {
            size_t k;
            json_t *e;
            json_array_foreach(list, k, e)
            {
                idx_doc *d;
                docs_result why = {0};
                /* docs_find parses a resident one from its text; its
                 * words are taken before the next is parsed. */
                if (docs_find(&d, &why, c->svc, c->user, str(e, "id"), 0) == 0 && d->doc &&
                    !docs_confidential(c->svc, d))
                    suggest_words(words, seen, json_object_get(d->doc, "fields"), str(sg, "path"));
            }
            json_decref(list);
        }
        json_decref(seen);
        json_object_set_new(out, path, words);
    }
}

/* The fields with choices_from (at any depth), their options by the field's
 * path: the items of the list in the document the form's ref names (its
 * version in force when it has one: the numbers a report names are those of
 * the plan in force), "1. <label>" each, valued by their number.  None
 * while the ref is unset or names what the user may not read: the input
 * stays a number. */
static void choices_fields(json_t *out, web_call *c, const form_page *f, const json_t *fields)
{
    size_t i;
    const json_t *fd;
    json_array_foreach(fields, i, fd)
    {
        const json_t *from = json_object_get(fd, "choices_from");
        const char *path = str(fd, "path");
        choices_fields(out, c, f, json_object_get(fd, "fields"));
        const json_t *items =
            from && path ? web_choice_items(c, str(f->fields, str(from, "ref")), from) : NULL;
        if (!items)
            continue;
        json_t *options = json_array();
        for (size_t k = 1; k <= json_array_size(items); k++) {
            char value[32], label[600];
            snprintf(value, sizeof(value), "%zu", k);
            web_choice_text(label, sizeof(label), items, from, k);
            json_array_append_new(options, json_pack("{s:s, s:s}", "value", value, "label", label));
        }
        json_object_set_new(out, path, options);
    }
}

/* The datalists the form's inputs name: [{"id","options":[...]}]. */
static json_t *datalists(const json_t *suggest)
{
    json_t *out = json_array();
    const char *path;
    json_t *words;
    json_object_foreach((json_t *)suggest, path, words)
    {
        char id[600];
        if (!json_array_size(words))
            continue;
        formview_id(id, sizeof(id), path);
        id[0] = 's';
        json_array_append_new(out, json_pack("{s:s, s:O}", "id", id, "options", words));
    }
    return out;
}

void web_form_words(formview_words *w, const web_call *c)
{
    *w = (formview_words){
        .lang = ui_lang_code(c->lang),
        .add_row = web_text(c, "form", "add_row"),
        .remove_row = web_text(c, "form", "remove_row"),
        .choose = web_text(c, "form", "choose"),
        .yes = web_text(c, "form", "yes"),
        .no = web_text(c, "form", "no"),
        .quarter_hint = web_text(c, "form", "quarter_hint"),
    };
}

static void render_form(web_call *c, int status, const form_page *f)
{
    /* An agency is picked from the region's list (a referral's), not typed. */
    json_t *schema = web_schema_agencies(c, f->type, f->schema, f->region);
    json_t *refs = ref_choices(c, f), *suggest = json_object(), *choices = json_object();
    suggest_fields(suggest, c, f, json_object_get(f->schema, "fields"));
    choices_fields(choices, c, f, json_object_get(f->schema, "fields"));
    formview_words w;
    web_form_words(&w, c);
    w.refs = refs;
    w.suggest = suggest;
    w.choices = choices;
    json_t *items = json_array(), *errors = f->errors ? f->errors : json_array();
    header_items(c, items, errors, &w, f);
    formdata_fill_rows(f->fields, schema, f->rows);
    int rc = formview_fields(items, errors, &w, schema, f->fields);
    json_decref(schema);
    json_decref(refs);
    json_decref(choices);
    json_t *lists = datalists(suggest);
    json_decref(suggest);
    if (rc < 0) {
        json_decref(lists);
        json_decref(items);
        if (!f->errors)
            json_decref(errors);
        web_fail(c, rc == KENES_ETOOBIG ? 413 : 500,
                 rc == KENES_ETOOBIG ? "form_too_big" : "internal");
        return;
    }

    /* The type by its workflow's name for it (labels.type: "Региональный
     * план"); a type that names itself nothing is not named by its code. */
    const char *type_name = web_type_name(c, f->type);
    int named = f->type && strcmp(type_name, f->type) != 0;
    char heading[600], action[4200], cancel[4200] = "/ui/inbox";
    snprintf(heading, sizeof(heading), named ? "%s: %s" : "%s",
             web_text(c, "form", f->id ? "edit_heading" : "new_heading"), type_name);
    if (f->id) {
        href_of(action, sizeof(action), "/ui/d/", f->id, "/edit");
        href_of(cancel, sizeof(cancel), "/ui/d/", f->id, "");
    } else {
        href_of(action, sizeof(action), "/ui/new/", f->type, "");
    }
    json_t *m = json_pack("{s:s, s:s, s:s, s:s, s:o, s:O, s:b}", "title", heading, "heading",
                          heading, "action", action, "cancel", cancel, "items", items, "errors",
                          errors, "has_errors", json_array_size(errors) > 0);
    json_object_set_new(m, "datalists", lists);
    if (f->version)
        json_object_set_new(m, "version", json_string(f->version));
    if (f->id && f->title)
        json_object_set_new(m, "doc_title", json_string(f->title));
    idx_doc *d = f->id ? index_get(c->svc->index, f->id) : NULL;
    /* A resident one parsed from its text again if the form's choices
     * pushed it out of the cache (docs/fetch.h). */
    const json_t *doc = d ? docs_fetch_now(c->svc, d) : NULL;
    if (doc && docs_may_attach(c->svc, c->user, d)) { /* files.c: the upload beside it */
        href_of(cancel, sizeof(cancel), "/ui/d/", f->id, "");
        json_object_set_new(m, "files", web_files_view(c, d, doc, cancel, NULL, 1));
    }
    if (!f->errors)
        json_decref(errors);
    web_page(c, status, "form", m);
}

json_t *web_form_problems(const web_call *c, const json_t *fields)
{
    json_t *out = json_array();
    size_t i;
    const json_t *e;
    json_array_foreach(fields, i, e)
    {
        const char *path = str(e, "path"), *code = str(e, "code");
        const char *text = code ? ui_text(ui_words(c->ctx->ui), c->lang, "validation", code) : NULL;
        if (!text)
            text = ui_text(ui_words(c->ctx->ui), c->lang, "validation", "invalid");
        if (!text)
            text = web_text(c, "form", "invalid");
        if (!path)
            path = "";
        /* Two problems that read the same at one place are one to the reader. */
        size_t k;
        const json_t *seen;
        int again = 0;
        json_array_foreach(out, k, seen) again |= strcmp(str(seen, "path"), path) == 0 &&
                                                  strcmp(str(seen, "text"), text) == 0;
        if (!again)
            json_array_append_new(out, json_pack("{s:s, s:s}", "path", path, "text", text));
    }
    /* A refusal that names no field still needs saying. */
    if (json_array_size(out) == 0)
        json_array_append_new(out, json_pack("{s:s, s:s}", "path", "", "text",
                                             web_text(c, "errors", "validation")));
    return out;
}

/* A form error of no one field's (the document exists already...). */
static json_t *form_problem(const web_call *c, const char *group, const char *key)
{
    return json_pack("[{s:s, s:s}]", "path", "", "text", web_text(c, group, key));
}

/* ---- the type and who may create it ---- */

static const wf_workflow *new_type(web_call *c)
{
    const char *type = c->arg;
    const wf_workflow *wf = type ? wf_set_find(c->svc->workflows, type) : NULL;
    if (!wf || !plugin_find_type(c->svc->plugins, type)) {
        web_fail(c, 404, "not_found");
        return NULL;
    }
    /* The region does not matter to a rule of every region; an own-region
     * rule is met in the user's own region, if anywhere. */
    if (!access_doc(c->user, wf, ACCESS_DOC_CREATE, c->user->region, NULL, 0)) {
        web_fail(c, 403, "forbidden");
        return NULL;
    }
    return wf;
}

static int region_fixed(const web_call *c, const wf_workflow *wf)
{
    return c->user->role != ROLE_ADMIN && wf->create_scope == SCOPE_OWN_REGION &&
           c->user->region != NULL;
}

void web_new_form(web_call *c)
{
    const wf_workflow *wf = new_type(c);
    if (!wf)
        return;
    json_t *tmpl = json_object_get(json_object_get(c->svc->templates, c->arg),
                                   ui_lang_code(c->lang));
    json_t *fields = json_object();
    form_page f = {.type = c->arg,
                   .schema = docs_schema(c->svc, c->arg),
                   .region = c->user->region,
                   .region_fixed = region_fixed(c, wf),
                   .body = json_string_value(tmpl),
                   .fields = fields};
    render_form(c, 200, &f);
    json_decref(fields);
}

/* The form again after _add or _remove, from what was posted: 1 if it was
 * one of them (answered), 0 if the form is a save. */
static int rows_changed(web_call *c, const json_t *form, form_page *f)
{
    const char *add = str(form, "_add"), *remove = str(form, "_remove");
    if (!add && !remove)
        return 0;
    json_t *fields;
    int rc = formdata_fields(&fields, f->schema, form, FORM_KEEP_BLANK);
    if (rc < 0) {
        web_fail(c, rc == KENES_ENOMEM ? 500 : 400, rc == KENES_ENOMEM ? "internal" : "bad_form");
        return 1;
    }
    /* A path that is no list or row of this form changes nothing. */
    if (add)
        (void)formdata_add_row(fields, f->schema, add);
    else
        (void)formdata_remove_row(fields, f->schema, remove);
    f->fields = fields;
    f->rows = FORM_ROWS_AS_POSTED;
    f->title = str(form, "title");
    f->body = str(form, "body");
    render_form(c, 200, f);
    json_decref(fields);
    return 1;
}

/* 1 (after answering 413) when the body carries more inputs than any form
 * has: counted by their separators before any is decoded, so nothing of it
 * is parsed or drawn. */
static int too_many_inputs(web_call *c)
{
    const char *p = c->req->body, *end = p ? p + c->req->body_len : NULL;
    size_t inputs = p && p < end ? 1 : 0;
    while (p && (p = memchr(p, '&', (size_t)(end - p))) != NULL) {
        p++;
        if (++inputs > FORM_MAX_INPUTS) {
            web_fail(c, 413, "body_too_large");
            return 1;
        }
    }
    return 0;
}

/* The fields a save sends, or NULL after answering 400. */
static json_t *saved_fields(web_call *c, const json_t *schema, const json_t *form)
{
    json_t *fields;
    int rc = formdata_fields(&fields, schema, form, FORM_DROP_BLANK);
    if (rc < 0) {
        web_fail(c, rc == KENES_ENOMEM ? 500 : 400, rc == KENES_ENOMEM ? "internal" : "bad_form");
        return NULL;
    }
    return fields;
}

/* A blank title is sent as null: the validator then says it is required
 * (and an edit does not keep the old one, as a left-out key would). */
static json_t *title_of(const json_t *form)
{
    const char *t = str(form, "title");
    return t && *t ? json_string(t) : json_null();
}

static void created(const docs_result *r, void *payload)
{
    pending *p = payload;
    web_call *c = p->c;
    if (r->code == 0) {
        go_to_doc(c, r->doc->id);
    } else if (r->code == KENES_EVALIDATION || r->code == KENES_EEXISTS) {
        json_t *errors = r->code == KENES_EVALIDATION ? web_form_problems(c, r->fields)
                                                      : form_problem(c, "errors", "exists");
        const wf_workflow *wf = wf_set_find(c->svc->workflows, p->type);
        form_page f = {.type = p->type,
                       .schema = docs_schema(c->svc, p->type),
                       .region = wf && region_fixed(c, wf) ? c->user->region
                                                            : str(p->doc, "region"),
                       .region_fixed = wf && region_fixed(c, wf),
                       .title = str(p->doc, "title"),
                       .body = str(p->doc, "body"),
                       .fields = json_object_get(p->doc, "fields"),
                       .rows = FORM_ROWS_REFUSED,
                       .errors = errors};
        render_form(c, r->code == KENES_EVALIDATION ? 422 : 409, &f);
        json_decref(errors);
    } else {
        web_fail_code(c, r->code);
    }
    pending_free(p);
}

void web_new(web_call *c)
{
    const wf_workflow *wf = new_type(c);
    json_t *form = NULL;
    if (!wf || too_many_inputs(c) || web_signed_form(&form, c) < 0)
        return;
    /* A fixed region is shown as the user's whatever was posted; a save
     * sends what was posted, and the document service refuses another. */
    int fixed = region_fixed(c, wf);
    form_page f = {.type = c->arg,
                   .schema = docs_schema(c->svc, c->arg),
                   .region = fixed ? c->user->region : str(form, "region"),
                   .region_fixed = fixed};
    json_t *fields = NULL;
    if (rows_changed(c, form, &f) || !(fields = saved_fields(c, f.schema, form))) {
        json_decref(form);
        return;
    }
    const char *region = str(form, "region"), *body = str(form, "body");
    json_t *doc = json_pack("{s:s, s:o, s:s, s:o}", "type", c->arg, "title", title_of(form),
                            "body", body ? body : "", "fields", fields);
    if (region && *region)
        json_object_set_new(doc, "region", json_string(region));
    json_decref(form);
    pending *p = calloc(1, sizeof(*p));
    if (!p || !doc || !(p->c = web_call_copy(c)) || !(p->type = strdup(c->arg))) {
        pending_free(p);
        json_decref(doc);
        web_fail(c, 500, "internal");
        return;
    }
    p->doc = doc;
    docs_create(c->svc, c->user, doc, 0, created, p);
}

/* ---- edit ---- */

/* The document this user may edit now, or NULL after answering: 404/403/410
 * as the document service says, 403 when the workflow keeps this user or
 * this stage from editing. */
static idx_doc *edit_target(web_call *c)
{
    idx_doc *d;
    docs_result why;
    int rc = c->arg ? docs_find(&d, &why, c->svc, c->user, c->arg, 0) : KENES_ENOTFOUND;
    if (rc < 0) {
        web_fail_code(c, rc);
        return NULL;
    }
    const wf_workflow *wf = wf_set_find(c->svc->workflows, str(d->doc, "type"));
    const wf_stage *st = wf ? wf_find_stage(wf, str(d->doc, "stage")) : NULL;
    if (!st || !st->editable || !docs_allowed(c->svc, c->user, d, ACCESS_DOC_EDIT)) {
        web_fail(c, 403, "forbidden");
        return NULL;
    }
    return d;
}

static void edit_read(const docs_result *r, void *payload)
{
    web_call *c = payload;
    if (r->code < 0) {
        web_fail_code(c, r->code);
        web_call_free(c);
        return;
    }
    const json_t *doc = r->json;
    const char *type = str(doc, "type");
    json_t *fields = json_deep_copy(json_object_get(doc, "fields"));
    if (!json_is_object(fields)) {
        json_decref(fields);
        fields = json_object();
    }
    form_page f = {.type = type,
                   .schema = docs_schema(c->svc, type),
                   .region = str(doc, "region"),
                   .region_fixed = 1,
                   .title = str(doc, "title"),
                   .body = str(doc, "body"),
                   .fields = fields,
                   .version = str(doc, "version"),
                   .id = c->arg};
    render_form(c, 200, &f);
    json_decref(fields);
    web_call_free(c);
}

void web_edit_form(web_call *c)
{
    idx_doc *d = edit_target(c);
    if (!d)
        return;
    web_call *k = web_call_copy(c);
    if (!k) {
        web_fail(c, 500, "internal");
        return;
    }
    /* Through docs_read: reading a case is logged before anything shows. */
    docs_read(c->svc, c->user, d, edit_read, k);
}

static void edited(const docs_result *r, void *payload)
{
    pending *p = payload;
    web_call *c = p->c;
    if (r->code == 0) {
        go_to_doc(c, p->id);
    } else if (r->code == KENES_ESTALE) {
        web_fail(c, 409, "stale");
    } else if (r->code == KENES_EVALIDATION) {
        json_t *errors = web_form_problems(c, r->fields);
        form_page f = {.type = p->type,
                       .schema = docs_schema(c->svc, p->type),
                       .region = p->region,
                       .region_fixed = 1,
                       .title = str(p->doc, "title"),
                       .body = str(p->doc, "body"),
                       .fields = json_object_get(p->doc, "fields"),
                       .rows = FORM_ROWS_REFUSED,
                       .errors = errors,
                       .version = p->version,
                       .id = p->id};
        render_form(c, 422, &f);
        json_decref(errors);
    } else {
        web_fail_code(c, r->code);
    }
    pending_free(p);
}

/* What the form does not show stays as it is: fields the workflow records
 * (hidden_in_form) and any the schema does not declare. */
static void keep_unshown(json_t *fields, const json_t *schema, const json_t *stored)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)stored, key, v)
    {
        const json_t *f = schema ? formdata_field(json_object_get(schema, "fields"), key) : NULL;
        if (!f || json_is_true(json_object_get(f, "hidden_in_form")))
            json_object_set(fields, key, v);
    }
}

void web_edit(web_call *c)
{
    idx_doc *d = edit_target(c);
    json_t *form = NULL;
    if (!d || too_many_inputs(c) || web_signed_form(&form, c) < 0)
        return;
    const char *type = str(d->doc, "type");
    form_page f = {.type = type,
                   .schema = docs_schema(c->svc, type),
                   .region = str(d->doc, "region"),
                   .region_fixed = 1,
                   .version = str(form, "version"),
                   .id = c->arg};
    json_t *fields = NULL;
    if (rows_changed(c, form, &f) || !(fields = saved_fields(c, f.schema, form))) {
        json_decref(form);
        return;
    }
    keep_unshown(fields, f.schema, json_object_get(d->doc, "fields"));
    const char *body = str(form, "body"), *version = str(form, "version");
    json_t *doc = json_pack("{s:o, s:s, s:o}", "title", title_of(form), "body", body ? body : "",
                            "fields", fields);
    pending *p = calloc(1, sizeof(*p));
    if (!p || !doc || !(p->c = web_call_copy(c)) || !(p->type = strdup(type)) ||
        !(p->id = strdup(c->arg)) || !(p->region = strdup(f.region ? f.region : "")) ||
        (version && !(p->version = strdup(version)))) {
        json_decref(form);
        pending_free(p);
        json_decref(doc);
        web_fail(c, 500, "internal");
        return;
    }
    json_decref(form);
    p->doc = doc;
    docs_edit(c->svc, c->user, d, doc, p->version, 0, edited, p);
}
