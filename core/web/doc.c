/*
 * GET /ui/d/{id}: a document's page.  The title once; its stage, due date
 * and the approvals counted so far; its body (Markdown through the
 * publisher's safe renderer on the thread pool, body.c: an author's raw
 * HTML never reaches the page; a first line repeating the title left out);
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
#include "docs/attachments.h"
#include "docs/internal.h"
#include "ui/dates.h"
#include "web/agencies.h"
#include "web/body.h"
#include "web/choices.h"
#include "web/doc.h"
#include "web/entries.h"
#include "web/fields.h"
#include "web/files.h"
#include "web/labels.h"
#include "web/pages.h"

typedef struct doc_show {
    web_call *c;
    int status;
    char *alert, *comment;
    int comment_invalid, fields_missing;
    json_t *doc;  /* the read's answer, kept while the body renders */
    json_t *refs; /* who names it (docs_referrers_read's), or NULL */
} doc_show;

static void doc_show_free(doc_show *s)
{
    free(s->alert);
    free(s->comment);
    json_decref(s->doc);
    json_decref(s->refs);
    web_call_free(s->c);
    free(s);
}

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
        /* One quorum action per stage: the row needs no action's label. */
        (void)type;
        json_array_append_new(list, json_pack("{s:s}", "text", text ? text : ""));
        free(text);
    }
    json_decref(counts);
    return list;
}

/* The notice after an action went through (doc_act.c's redirect):
 * ?done=<action>&to=<stage> when it moved the document, the new stage by
 * its label; ?done=<action>&given=N&of=M when it was one approval of a
 * quorum and the stage stayed, so that it does not read as final.  Only
 * names the workflow knows are shown, by their labels. */
static void done_notice(web_call *c, json_t *m, const wf_workflow *wf, const char *type)
{
    char done[128], to[128], given[16], of[16];
    if (web_query(c, "done", done, sizeof(done)) != 1 || !wf_has_action(wf, done))
        return;
    char *text = NULL;
    char *end1, *end2;
    long g, n;
    if (web_query(c, "to", to, sizeof(to)) == 1 && wf_find_stage(wf, to)) {
        const char *label = web_stage_label(c, wf, to);
        util_buf b;
        util_buf_init(&b);
        const char *tmpl = web_text(c, "pages", "done_moved");
        const char *at = strstr(tmpl, "{stage}");
        if (at) {
            util_buf_append(&b, tmpl, (size_t)(at - tmpl));
            util_buf_append(&b, label, strlen(label));
            util_buf_append(&b, at + 7, strlen(at + 7));
            text = b.data ? strdup(b.data) : NULL;
        }
        util_buf_dispose(&b);
    } else if (web_query(c, "given", given, sizeof(given)) == 1 &&
               web_query(c, "of", of, sizeof(of)) == 1 && (g = strtol(given, &end1, 10)) > 0 &&
               (n = strtol(of, &end2, 10)) > g && !*end1 && !*end2 && n < 100) {
        static const char *const names[] = {"given", "needed"};
        const long values[] = {g, n};
        text = web_fill(web_text(c, "pages", "done_approval"), names, values, 2);
    }
    if (text) {
        json_object_set_new(m, "done", json_string(text));
        free(text);
    } else {
        char *plain = NULL;
        const char *label = web_wf_label(c, type, "action", done);
        const char *word = web_text(c, "pages", "done");
        size_t cap = strlen(word) + strlen(label) + 3;
        plain = malloc(cap);
        if (plain) {
            snprintf(plain, cap, "%s: %s", word, label);
            json_object_set_new(m, "done", json_string(plain));
        }
        free(plain);
    }
}

/* A ref's value on the page: a link named as the document's list entry
 * names it, when the reader may read that document; words saying it is
 * closed to the reader when it exists but is not theirs to read (an agency
 * officer's referral naming the case: the id would say nothing to them);
 * else the bare id. */
static json_t *ref_cell(const char *to, const char *id, void *arg)
{
    web_call *c = arg;
    json_t *e;
    int rc = docs_find_entry(&e, c->svc, c->user, id);
    if (rc == KENES_EFORBIDDEN)
        return json_pack("{s:s}", "text", web_text(c, "meetings", "ref_closed"));
    const char *type = rc == 0 ? json_string_value(json_object_get(e, "type")) : NULL;
    if (!to || !type || strcmp(type, to) != 0) {
        json_decref(e);
        return NULL;
    }
    char *label = web_ref_label(c, e);
    char href[4200];
    snprintf(href, sizeof(href), "/ui/d/%s", id);
    json_t *cell = json_pack("{s:s, s:s}", "text", label ? label : id, "href", href);
    free(label);
    json_decref(e);
    return cell;
}

/* The declared field called name in fields (a schema's list), or NULL. */
static const json_t *declared(const json_t *fields, const char *name, size_t len)
{
    size_t i;
    const json_t *f;
    json_array_foreach(fields, i, f)
    {
        const char *n = doc_str(f, "name");
        if (n && strlen(n) == len && strncmp(n, name, len) == 0)
            return f;
    }
    return NULL;
}

/* The object holding the value at path ("fields.agenda[0].case") in
 * fields, with *decl its fields' declarations; NULL when it is not there. */
static const json_t *holder(const json_t **decl, const json_t *schema, const json_t *fields,
                            const char *path)
{
    const char *p = strncmp(path, "fields.", 7) == 0 ? path + 7 : NULL;
    const json_t *obj = fields;
    *decl = json_object_get(schema, "fields");
    while (p && json_is_object(obj)) {
        size_t n = strcspn(p, ".[");
        if (p[n] == '\0')
            return obj; /* the last name: the value's own */
        const json_t *f = declared(*decl, p, n);
        char name[128];
        if (!f || n >= sizeof(name))
            return NULL;
        memcpy(name, p, n);
        name[n] = '\0';
        obj = json_object_get(obj, name);
        p += n;
        if (*p == '[') {
            char *end;
            long row = strtol(p + 1, &end, 10);
            if (*end != ']' || row < 0)
                return NULL;
            obj = json_array_get(obj, (size_t)row);
            p = end + 1;
        }
        *decl = json_object_get(f, "fields");
        if (*p != '.')
            return NULL;
        p++;
    }
    return NULL;
}

/* What the item naming this document decided: the labels of its optional
 * enumerations that are set (a meeting's agenda item: its decision; the
 * required one, its kind, says only that it is about a case), and «не
 * принято» when its vote (a group "vote" with "for" and "against") did not
 * adopt it: a decision counts only with more for than against. */
static void enum_words(util_buf *b, const web_call *c, const json_t *decl, const json_t *row,
                       int depth)
{
    size_t i;
    const json_t *f;
    json_array_foreach(decl, i, f)
    {
        const char *name = doc_str(f, "name") ? doc_str(f, "name") : "";
        const char *kind = doc_str(f, "kind") ? doc_str(f, "kind") : "";
        /* A group's enumerations too (a referral's outcome: its result),
         * one level down, required or not: the group itself is optional. */
        if (depth == 0 && strcmp(kind, "group") == 0) {
            enum_words(b, c, json_object_get(f, "fields"), json_object_get(row, name), 1);
            continue;
        }
        const char *v = doc_str(row, name);
        if (!v || strcmp(kind, "enum") != 0 ||
            (depth == 0 && json_is_true(json_object_get(f, "required"))))
            continue;
        size_t k;
        const json_t *opt;
        json_array_foreach(json_object_get(f, "values"), k, opt)
        {
            const char *label = doc_str(json_object_get(opt, "label"), ui_lang_code(c->lang));
            if (label && strcmp(doc_str(opt, "value") ? doc_str(opt, "value") : "", v) == 0)
                util_buf_printf(b, "%s%s", b->len ? "; " : "", label);
        }
    }
}

static void item_words(util_buf *b, const web_call *c, const json_t *decl, const json_t *row)
{
    size_t start = b->len;
    const json_t *vote = json_object_get(row, "vote");
    const json_t *pro = json_object_get(vote, "for"), *contra = json_object_get(vote, "against");
    enum_words(b, c, decl, row, 0);
    if (b->len > start && json_is_integer(pro) && json_is_integer(contra) &&
        json_integer_value(pro) <= json_integer_value(contra))
        util_buf_printf(b, " — %s", web_text(c, "meetings", "not_adopted"));
}

/* The first top-level field of kind in schema whose value is set (required
 * ones first: a meeting's date and number), as text in words into out. */
static void first_of_kind(char *out, size_t cap, const web_call *c, const json_t *schema,
                          const json_t *fields, const char *kind)
{
    out[0] = '\0';
    for (int pass = 0; pass < 2 && !out[0]; pass++) {
        size_t i;
        const json_t *f;
        json_array_foreach(json_object_get(schema, "fields"), i, f)
        {
            const json_t *v = json_object_get(fields, doc_str(f, "name") ? doc_str(f, "name") : "");
            if (out[0] || !v || strcmp(doc_str(f, "kind") ? doc_str(f, "kind") : "", kind) != 0 ||
                json_is_true(json_object_get(f, "required")) != (pass == 0))
                continue;
            if (json_is_string(v) && ui_format_ymd(out, c->lang, json_string_value(v)) == 0)
                continue;
            if (json_is_integer(v))
                snprintf(out, cap, "%lld", (long long)json_integer_value(v));
        }
    }
}

/* The label of the first required enumeration of schema set in fields (an
 * execution report's half-year: «II полугодие»), into out; "" if none. */
static void first_enum_label(char *out, size_t cap, const web_call *c, const json_t *schema,
                             const json_t *fields)
{
    out[0] = '\0';
    size_t i, k;
    const json_t *f, *opt;
    json_array_foreach(json_object_get(schema, "fields"), i, f)
    {
        const char *v = doc_str(fields, doc_str(f, "name") ? doc_str(f, "name") : "");
        if (out[0] || !v || strcmp(doc_str(f, "kind") ? doc_str(f, "kind") : "", "enum") != 0 ||
            !json_is_true(json_object_get(f, "required")))
            continue;
        json_array_foreach(json_object_get(f, "values"), k, opt)
        {
            const char *label = doc_str(json_object_get(opt, "label"), ui_lang_code(c->lang));
            if (label && !out[0] && strcmp(doc_str(opt, "value") ? doc_str(opt, "value") : "", v) == 0)
                snprintf(out, cap, "%s", label);
        }
    }
}

/* 1 if a referrer's schema can say a decision (what enum_words reads: an
 * optional enumeration, or one inside a group): a meeting's item, a
 * referral's outcome; an execution report has none, and no such column. */
static int decides(const json_t *schema)
{
    size_t i, k;
    const json_t *f, *g;
    json_array_foreach(json_object_get(schema, "fields"), i, f)
    {
        const char *kind = doc_str(f, "kind") ? doc_str(f, "kind") : "";
        if (strcmp(kind, "enum") == 0 && !json_is_true(json_object_get(f, "required")))
            return 1;
        if (strcmp(kind, "list") == 0 || strcmp(kind, "group") == 0)
            json_array_foreach(json_object_get(f, "fields"), k, g)
            {
                if (strcmp(doc_str(g, "kind") ? doc_str(g, "kind") : "", "enum") == 0 &&
                    (strcmp(kind, "group") == 0 || !json_is_true(json_object_get(g, "required"))))
                    return 1;
            }
    }
    return 0;
}

/* A document without a title that is no case, named by its number and
 * date (a meeting: "Заседание комиссии № 21 от 1 декабря 2026 г."), when
 * its schema has both; else its line's title stays. */
static void untitled_heading(const web_call *c, json_t *line, const json_t *schema,
                             const json_t *fields, const char *type)
{
    char number[32], date[UI_DATE_CAP + 32];
    first_of_kind(number, sizeof(number), c, schema, fields, "integer");
    first_of_kind(date, sizeof(date), c, schema, fields, "date");
    if (!number[0] || !date[0])
        return;
    static const char *const names[] = {"type", "number", "date"};
    const char *texts[] = {web_type_name(c, type), number, date};
    char *text = web_fill_text(web_text(c, "meetings", "heading"), names, texts, 3);
    if (text)
        json_object_set_new(line, "title", json_string(text));
    free(text);
}

/* 1 if type's documents are addressed to an agency (agency_field). */
static int wf_addressed(const web_call *c, const char *type)
{
    const wf_workflow *wf = wf_set_find(c->svc->workflows, type);
    return wf && wf->agency_field;
}

/* t.meetings.<col>_<type> (- as _), else t.meetings.<col>: a column's
 * heading for referrers of type (a referral's date is its due date). */
static const char *col_word(const web_call *c, const char *col, const char *type)
{
    char key[200];
    snprintf(key, sizeof(key), "%s_%s", col, type);
    for (char *k = key; *k; k++)
        if (*k == '-')
            *k = '_';
    const char *w = ui_text(ui_words(c->ctx->ui), c->lang, "meetings", key);
    return w ? w : web_text(c, "meetings", col);
}

/* The documents that name this one (a case's meetings, its referrals, a
 * plan's execution reports), grouped by type: [{"heading", "decides" (the
 * type can say a decision: its column shown), "cols": {"date","number","stage","decision"
 * and, for a type addressed to an agency, "agency"}, "rows": [{"href","date",
 * "number","stage","decision", "agency"}]}].  The heading is
 * t.meetings.referrers_<type> (- as _), else the type's name; the first
 * column is a row's date, else its required enumeration's label (a
 * report's half-year), each column's heading col_<col>_<type>. */
static json_t *referrers_view(const web_call *c, const json_t *refs)
{
    json_t *groups = json_array(), *by_type = json_object();
    size_t i;
    const json_t *r;
    json_array_foreach(refs, i, r)
    {
        const json_t *e = json_object_get(r, "entry"), *fields = json_object_get(r, "fields");
        const char *type = doc_str(e, "type"), *id = doc_str(e, "id");
        const json_t *schema = docs_schema(c->svc, type);
        if (!type || !id)
            continue;
        json_t *group = json_object_get(by_type, type);
        if (!group) {
            char key[200];
            snprintf(key, sizeof(key), "referrers_%s", type);
            for (char *k = key; *k; k++)
                if (*k == '-')
                    *k = '_';
            const char *heading = ui_text(ui_words(c->ctx->ui), c->lang, "meetings", key);
            group = json_pack("{s:s, s:[], s:{s:s, s:s, s:s, s:s}}", "heading",
                              heading ? heading : web_type_name(c, type), "rows", "cols",
                              "date", col_word(c, "col_date", type), "number",
                              col_word(c, "col_number", type), "stage",
                              col_word(c, "col_stage", type), "decision",
                              col_word(c, "col_decision", type));
            if (wf_addressed(c, type))
                json_object_set_new(json_object_get(group, "cols"), "agency",
                                    json_string(col_word(c, "col_agency", type)));
            json_object_set_new(group, "decides", json_boolean(decides(schema)));
            json_object_set_new(by_type, type, group);
            json_array_append(groups, group);
        }
        char date[UI_DATE_CAP + 32], number[32], href[4200];
        first_of_kind(date, sizeof(date), c, schema, fields, "date");
        if (!date[0]) /* no date: the row is named by its kind (a half-year) */
            first_enum_label(date, sizeof(date), c, schema, fields);
        first_of_kind(number, sizeof(number), c, schema, fields, "integer");
        snprintf(href, sizeof(href), "/ui/d/%s", id);
        util_buf b;
        util_buf_init(&b);
        size_t k;
        const json_t *path;
        json_array_foreach(json_object_get(r, "paths"), k, path)
        {
            const json_t *decl;
            const json_t *row = holder(&decl, schema, fields, json_string_value(path));
            if (row)
                item_words(&b, c, decl, row);
        }
        json_t *line = json_pack(
            "{s:s, s:s, s:s, s:s, s:s}", "href", href, "date",
            date[0] ? date : web_text(c, "pages", "none"), "number",
            number[0] ? number : web_text(c, "pages", "none"), "stage",
            web_wf_label(c, type, "stage", doc_str(e, "stage")), "decision",
            b.len ? b.data : web_text(c, "pages", "none"));
        util_buf_dispose(&b);
        json_object_set(line, "decides", json_object_get(group, "decides"));
        const wf_workflow *rwf = wf_set_find(c->svc->workflows, type);
        if (rwf && rwf->agency_field) {
            const char *name = web_agency_name(c, doc_str(e, "region"),
                                               doc_str(fields, rwf->agency_field));
            json_object_set_new(line, "agency",
                                json_string(name ? name : web_text(c, "pages", "none")));
        }
        json_array_append_new(json_object_get(group, "rows"), line);
    }
    json_decref(by_type);
    return groups;
}

/* The note of a document amended while in force (the read's "in_force"):
 * which version stays public, with links to its public page and its text
 * in the history; NULL when the version shown is the one in force. */
static json_t *in_force_view(const web_call *c, const idx_doc *d, const json_t *doc)
{
    const json_t *in_force = json_object_get(doc, "in_force");
    const char *version = doc_str(in_force, "version"), *since = doc_str(in_force, "since");
    if (!version)
        return NULL;
    char day[UI_DATE_CAP] = "", href[4300], vhref[4400];
    int64_t ms;
    if (since && util_parse_rfc3339(&ms, since) == 0)
        web_day_case(day, c, ms, WEB_DAY_FROM);
    static const char *const names[] = {"since"};
    const char *const texts[] = {day};
    char *note = web_fill_text(web_text(c, "pages", "in_force_note"), names, texts, 1);
    snprintf(href, sizeof(href), "/public/%s", d->id);
    snprintf(vhref, sizeof(vhref), "/ui/d/%s/history?version=%s", d->id, version);
    json_t *v = json_pack("{s:s, s:s, s:s, s:s, s:s}", "text", note ? note : "", "public_href",
                          href, "public_text", web_text(c, "pages", "in_force_public"),
                          "version_href", vhref, "version_text",
                          web_text(c, "pages", "in_force_version"));
    free(note);
    return v;
}

/* schema without the fields an action records (records:) that the
 * document does not hold yet: a case's transfer before anyone asked for
 * one, an act before the approval.  The action's form asks for them; an
 * empty section of them on every page says nothing.  A new reference. */
static json_t *without_unrecorded(const wf_workflow *wf, json_t *schema, const json_t *fields)
{
    const json_t *decls = json_object_get(schema, "fields");
    json_t *kept = json_array(), *out = json_copy(schema);
    size_t i;
    const json_t *f;
    json_array_foreach(decls, i, f)
    {
        const char *name = doc_str(f, "name");
        int drop = 0;
        for (size_t t = 0; wf && name && !json_object_get(fields, name) && t < wf->ntransitions;
             t++)
            for (size_t k = 0; !wf->transitions[t].former && k < wf->transitions[t].nrecords; k++)
                drop |= strcmp(wf->transitions[t].records[k], name) == 0;
        if (!drop)
            json_array_append(kept, (json_t *)f);
    }
    if (!out || !kept || !json_is_array(decls)) {
        json_decref(out);
        json_decref(kept);
        return schema;
    }
    json_object_set_new(out, "fields", kept);
    json_decref(schema);
    return out;
}

/* The page of d, whose answer (docs_answer's) doc is; html: its body
 * rendered (body.c), or NULL when it has none or the renderer refused it. */
static void render(web_call *c, const idx_doc *d, const json_t *doc, const doc_show *s,
                   const char *html)
{
    int status = s->status;
    const char *alert = s->alert;
    const char *type = doc_str(doc, "type"), *stage = doc_str(doc, "stage");
    const char *title = doc_str(doc, "title");
    size_t body_len;
    const char *body = web_body_after_title(doc_str(doc, "body") ? doc_str(doc, "body") : "",
                                            title, &body_len);
    json_t *entry = docs_entry(c->svc, d);
    json_t *line = web_entry_view(c, entry);
    int pseudonymous = json_object_get(entry, "pseudonym") != NULL;
    json_decref(entry);
    /* A case has no title of its own: its line's (the pseudonym) stands for one. */
    if (title && *title)
        json_object_set_new(line, "title", json_string(title));
    else if (!pseudonymous)
        untitled_heading(c, line, docs_schema(c->svc, type), json_object_get(doc, "fields"), type);
    json_t *needs_comment;
    json_t *actions = actions_view(c, d, type, &needs_comment);
    json_t *sections;
    const json_t *words = json_object_get(ui_strings_all(ui_words(c->ctx->ui), c->lang), "pages");
    /* A number naming an item of another document reads with its label; an
     * agency's code (a referral's) reads as its name. */
    char wrote[41];
    /* Its current version: the records have what wrote it (no packed read). */
    json_t *shown = web_choices_named(c, docs_schema(c->svc, type), json_object_get(doc, "fields"),
                                      d->id,
                                      docs_written(wrote, d, doc_str(doc, "version")) > 0 ? wrote
                                                                                          : NULL);
    json_t *schema = web_schema_agencies(c, type, docs_schema(c->svc, type), doc_str(doc, "region"));
    if (schema)
        schema = without_unrecorded(wf_set_find(c->svc->workflows, type), schema,
                                    json_object_get(doc, "fields"));
    if (web_fields_view_refs(&sections, schema, shown, NULL, c->lang, words, ref_cell, c) < 0)
        sections = json_array();
    json_decref(schema);
    json_decref(shown);
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
    json_object_set_new(m, "has_body", json_boolean(*body));
    if (!html && *body) /* too big or broken for the renderer: shown as text */
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
        if (s->fields_missing)
            json_object_set_new(m, "fix_href", json_string(href));
    }
    if (json_array_size(s->refs))
        json_object_set_new(m, "referrers", referrers_view(c, s->refs));
    json_t *returned = web_returned_view(c, d, docs_confidential(c->svc, d));
    if (returned)
        json_object_set_new(m, "returned", returned);
    json_t *in_force = in_force_view(c, d, doc);
    if (in_force)
        json_object_set_new(m, "in_force", in_force);
    int may_attach = docs_may_attach(c->svc, c->user, d);
    if (may_attach || json_array_size(json_object_get(doc, "attachments"))) {
        snprintf(href, sizeof(href), "/ui/d/%s", d->id);
        json_object_set_new(m, "files", web_files_view(c, d, doc, href, NULL, may_attach));
    }
    if (status == 200 && !alert && wf)
        done_notice(c, m, wf, type);
    web_page_html(c, status, "doc", m, html ? html : "");
}

/* The index may have moved on while the body rendered: d is found again. */
static void body_done(int status, const char *html, void *payload)
{
    doc_show *s = payload;
    web_call *c = s->c;
    idx_doc *d;
    docs_result why;
    if (status < 0)
        log_warn("web", "document page: a body the renderer refused (%d)", status);
    if (docs_find(&d, &why, c->svc, c->user, c->arg, 0) < 0)
        web_fail_code(c, why.code);
    else
        render(c, d, s->doc, s, status < 0 ? NULL : html);
    doc_show_free(s);
}

/* Who names the document is known (and each confidential one's read
 * logged): the body next, then the page. */
static void refs_done(const docs_result *r, void *payload)
{
    doc_show *s = payload;
    web_call *c = s->c;
    idx_doc *d;
    docs_result why;
    if (r->code == 0)
        s->refs = json_incref(r->json);
    else /* the page still shows the document itself, which was read */
        log_warn("web", "document page: its referrers not shown (%d)", r->code);
    if (docs_find(&d, &why, c->svc, c->user, c->arg, 0) < 0) {
        web_fail_code(c, why.code);
    } else {
        const char *body = doc_str(s->doc, "body");
        size_t len;
        const char *md = web_body_after_title(body ? body : "", doc_str(s->doc, "title"), &len);
        if (!*md) {
            render(c, d, s->doc, s, NULL);
        } else {
            if (web_body_render(c, d->id, docs_confidential(c->svc, d), md, len, body_done, s) == 0)
                return;
            web_fail(c, 500, "internal");
        }
    }
    doc_show_free(s);
}

static void read_done(const docs_result *r, void *payload)
{
    doc_show *s = payload;
    web_call *c = s->c;
    if (r->code != 0) {
        web_fail_code(c, r->code);
        doc_show_free(s);
        return;
    }
    s->doc = json_incref(r->json);
    docs_referrers_read(c->svc, c->user, c->arg, refs_done, s);
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
        s->fields_missing = ref->fields_missing;
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
    size_t cap = strlen(d->id) + 8;
    char *path = malloc(cap);
    if (path) {
        snprintf(path, cap, "/ui/d/%s", d->id);
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
