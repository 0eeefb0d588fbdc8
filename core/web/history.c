/*
 * GET /ui/d/{id}/history: a document's versions, newest first (who, when,
 * which action, which stage, the comment where the history shows it to
 * this reader), and on the same page, asked for by the query:
 *
 *   ?from=<commit>&to=<commit>   the two versions side by side (docs_diff's
 *                                patch, laid out in two columns)
 *   ?version=<commit>            that version: title, stage, text
 *   ?at=YYYY-MM-DD               the version in force at the end of that day,
 *                                Kazakhstan time
 *
 * Every read goes through the document service, which logs it for a case;
 * an erased case keeps its timeline (docs_find with history_only) and
 * nothing typed.  A query that names no version of this document, or a
 * date that is no date or comes before the document, shows the timeline
 * with a sentence (role="alert") and a 400/404/410 status.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/util.h"
#include "docs/entry.h"
#include "ui/dates.h"
#include "web/diffcols.h"
#include "web/fields.h"
#include "web/formdata.h"
#include "web/labels.h"
#include "web/pages.h"

enum hist_view { VIEW_NONE, VIEW_DIFF, VIEW_VERSION, VIEW_AT };

typedef struct hist_req {
    web_call *c;
    enum hist_view view;
    char from[128], to[128], version[128], at[32];
    int64_t at_ms;
    json_t *model;
} hist_req;

static void hist_free(hist_req *h)
{
    json_decref(h->model);
    web_call_free(h->c);
    free(h);
}

static void hist_render(hist_req *h, int status)
{
    /* A query refused before the timeline was read keeps its status. */
    json_int_t preset = json_integer_value(json_object_get(h->model, "status"));
    if (status == 200 && preset)
        status = (int)preset;
    web_page(h->c, status, "history", json_incref(h->model));
    hist_free(h);
}

/* The page with the timeline and a sentence saying what was wrong. */
static void hist_alert(hist_req *h, int status, const char *key)
{
    json_object_set_new(h->model, "alert", json_string(web_text(h->c, "history", key)));
    hist_render(h, status);
}

static int is_commit(const char *s)
{
    if (strlen(s) != 40)
        return 0;
    for (const char *p = s; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return 0;
    return 1;
}

/* "YYYY-MM-DD" to the last millisecond of that day in Kazakhstan. */
static int day_end(int64_t *out, const char *ymd)
{
    char iso[40];
    int64_t start;
    if (strlen(ymd) != 10 || ymd[4] != '-' || ymd[7] != '-')
        return KENES_EINVAL;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (ymd[i] < '0' || ymd[i] > '9'))
            return KENES_EINVAL;
    snprintf(iso, sizeof(iso), "%sT00:00:00+05:00", ymd);
    if (util_parse_rfc3339(&start, iso) < 0)
        return KENES_EINVAL;
    *out = start + 86400000LL - 1;
    return 0;
}

/* The number (1 = the first) of commit among all[0..n), or 0; where the
 * history's order puts it (hint, from 0) is tried first. */
static size_t version_no(const idx_version *all, size_t n, const char *commit, size_t hint)
{
    if (!commit)
        return 0;
    if (hint < n && strcmp(all[hint].commit, commit) == 0)
        return hint + 1;
    for (size_t i = 0; i < n; i++)
        if (strcmp(all[i].commit, commit) == 0)
            return i + 1;
    return 0;
}

/* "Версия 3 — 5 февраля 2026 г., 14:30"; NULL when the history cannot be
 * read now (never "version 0" for a packed one). */
static json_t *version_ref(const web_call *c, const idx_doc *d, const char *commit)
{
    idx_version v;
    size_t n = 0;
    char when[UI_DATE_CAP] = "";
    int rc = docs_find_version(&v, &n, d, commit);
    if (rc < 0)
        return NULL;
    if (rc > 0)
        ui_format_datetime(when, c->lang, v.time_ms);
    else
        n = 0;
    return json_pack("{s:s, s:I, s:s, s:s}", "word", web_text(c, "history", "version"), "no",
                     (json_int_t)n, "when", when, "commit", commit ? commit : "");
}

/* ---- the timeline ---- */

static json_t *timeline(hist_req *h, const idx_doc *d, const json_t *hist)
{
    web_call *c = h->c;
    const wf_workflow *wf = wf_set_find(c->svc->workflows, docs_type(d)); /* its entry's */
    idx_version *all;
    size_t nall;
    if (index_versions(&all, &nall, d) < 0)
        return NULL; /* never an empty timeline: the page says it cannot read */
    json_t *list = json_array();
    const json_t *rows = json_object_get(hist, "versions");
    size_t i;
    json_t *v;
    json_array_foreach(rows, i, v)
    {
        const char *commit = json_string_value(json_object_get(v, "commit"));
        /* The history lists them newest first. */
        size_t no = version_no(all, nall, commit, nall - 1 - i);
        if (!commit || !no)
            continue;
        const idx_version *iv = &all[no - 1];
        char when[UI_DATE_CAP], role_key[64], href[600];
        ui_format_datetime(when, c->lang, iv->time_ms);
        const char *role = json_string_value(json_object_get(v, "role"));
        snprintf(role_key, sizeof(role_key), "%s", role ? role : "");
        for (char *p = role_key; *p; p++)
            if (*p == '-')
                *p = '_';
        const char *role_label = role ? ui_text(ui_words(c->ctx->ui), c->lang, "roles", role_key)
                                      : NULL;
        snprintf(href, sizeof(href), "/ui/d/%s/history?version=%s", d->id, commit);
        json_t *e = json_pack(
            "{s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "no", (json_int_t)no, "commit", commit, "when",
            when, "author", iv->author ? iv->author : "", "action",
            web_action_label(c, wf, json_string_value(json_object_get(v, "action"))), "stage",
            web_stage_label(c, wf, json_string_value(json_object_get(v, "to"))), "href", href);
        if (role_label)
            json_object_set_new(e, "role", json_string(role_label));
        const char *comment = json_string_value(json_object_get(v, "comment"));
        if (comment && *comment)
            json_object_set_new(e, "comment", json_string(comment));
        const char *approval = json_string_value(json_object_get(v, "approval"));
        if (approval)
            json_object_set_new(e, "approval", json_string(approval));
        /* The compare form's choice: what was asked, else the last two. */
        int from_on = h->view == VIEW_DIFF && h->from[0] ? strcmp(h->from, commit) == 0
                                                         : no + 1 == nall;
        int to_on = h->view == VIEW_DIFF && h->to[0] ? strcmp(h->to, commit) == 0
                                                     : no == nall;
        json_object_set_new(e, "from_on", json_boolean(from_on));
        json_object_set_new(e, "to_on", json_boolean(to_on));
        json_object_set(e, "edition", json_object_get(v, "edition"));
        json_object_set_new(e, "in_force_from",
                            json_boolean(json_is_true(json_object_get(v, "in_force_from"))));
        json_object_set_new(e, "time_ms", json_integer(iv->time_ms));
        json_array_append_new(list, e);
    }
    free(all);
    return list;
}

/* ---- editions: the text first in force, then each amendment ---- */

/* When edition e came into force (ms), or -1: its version that entered a
 * public stage. */
static int64_t in_force_at(const json_t *versions, json_int_t e)
{
    size_t i;
    const json_t *v;
    json_array_foreach(versions, i, v)
    {
        if (json_integer_value(json_object_get(v, "edition")) == e &&
            json_is_true(json_object_get(v, "in_force_from")))
            return (int64_t)json_integer_value(json_object_get(v, "time_ms"));
    }
    return -1;
}

/* One edition's heading: "Изменения № 1 — действуют с 05.12.2026". */
static json_t *edition_heading(const web_call *c, const json_t *versions, json_int_t e)
{
    char n[24], from[UI_DATE_CAP], to[UI_DATE_CAP];
    snprintf(n, sizeof(n), "%lld", (long long)e);
    const char *names[] = {"n", "from", "to"};
    char *name = e == 0 ? strdup(web_text(c, "history", "edition_original"))
                        : web_fill_text(web_text(c, "history", "edition_amendment"), names,
                                        (const char *const[]){n}, 1);
    int64_t since = in_force_at(versions, e), until = in_force_at(versions, e + 1);
    const char *key = since < 0    ? "edition_in_work"
                      : until >= 0 ? (e ? "edition_was_in_force_n" : "edition_was_in_force")
                                   : (e ? "edition_in_force_n" : "edition_in_force");
    if (since >= 0)
        web_day_case(from, c, since, WEB_DAY_FROM);
    if (until >= 0)
        web_day_case(to, c, until, WEB_DAY_UNTIL);
    char *state = web_fill_text(web_text(c, "history", key), names,
                                (const char *const[]){n, since >= 0 ? from : "",
                                                      until >= 0 ? to : ""},
                                3);
    json_t *h = json_pack("{s:s, s:s, s:b}", "name", name ? name : "", "state",
                          state ? state : "", "in_force", since >= 0 && until < 0);
    free(name);
    free(state);
    return h;
}

/* The timeline (newest first) grouped by edition, newest first:
 * [{"name", "state", "in_force", "versions": [...]}]; one group without a
 * heading when the document was never amended. */
static json_t *editions(const web_call *c, const json_t *versions)
{
    json_t *out = json_array(), *group = NULL;
    json_int_t current = -1, last = json_integer_value(
                                  json_object_get(json_array_get(versions, 0), "edition"));
    size_t i;
    json_t *v;
    json_array_foreach(versions, i, v)
    {
        json_int_t e = json_integer_value(json_object_get(v, "edition"));
        if (!group || e != current) {
            group = last > 0 ? edition_heading(c, versions, e) : json_object();
            json_object_set_new(group, "versions", json_array());
            json_array_append_new(out, group);
            current = e;
        }
        json_array_append(json_object_get(group, "versions"), v);
    }
    return out;
}

/* ---- the diff ---- */

typedef struct word_ctx {
    const web_call *c;
    const wf_workflow *wf;
    const json_t *schema; /* docs_schema's, or NULL */
} word_ctx;

/* The schema's field named name: the top level first, then depth first
 * inside lists and groups.  A hunk has no reliable nesting, so a name
 * used at two depths is read as the shallower one. */
static const json_t *schema_field(const json_t *fields, const char *name, int depth)
{
    const json_t *f = formdata_field(fields, name);
    size_t i;
    if (f)
        return f;
    if (depth > 8)
        return NULL;
    json_array_foreach(fields, i, f)
    {
        const json_t *inner = json_object_get(f, "fields");
        const json_t *hit = inner ? schema_field(inner, name, depth + 1) : NULL;
        if (hit)
            return hit;
    }
    return NULL;
}

static const char *lang_text(const word_ctx *w, const json_t *label)
{
    return json_string_value(json_object_get(label, ui_lang_code(w->c->lang)));
}

/* A line whose key no field has but whose value is a time the core
 * stamped (an attached file's "added"): the time in words, as every time
 * on a page, the rest as stored; else NULL. */
static char *time_word(const word_ctx *w, const char *line, const char *colon, const char *value)
{
    char raw[64], when[UI_DATE_CAP];
    size_t vl = strlen(value);
    int64_t ms;
    if (vl >= 2 && (value[0] == '"' || value[0] == '\'') && value[vl - 1] == value[0]) {
        value++;
        vl -= 2;
    }
    if (vl == 0 || vl >= sizeof(raw))
        return NULL;
    memcpy(raw, value, vl);
    raw[vl] = '\0';
    if (util_parse_rfc3339(&ms, raw) < 0)
        return NULL;
    ui_format_datetime(when, w->c->lang, ms);
    util_buf b;
    util_buf_init(&b);
    util_buf_append(&b, line, (size_t)(colon - line));
    util_buf_printf(&b, ": %s", when);
    return util_buf_detach(&b, NULL);
}

/* A stored file's "  - direction: safety" as "  - Направление: Безопасность":
 * the key by its schema label, an enum's value by its label; a line whose
 * key no field has stays as it is. */
static char *field_word(const word_ctx *w, const char *line)
{
    const char *p = line;
    while (*p == ' ')
        p++;
    if (p[0] == '-' && p[1] == ' ')
        p += 2;
    const char *key = p;
    while ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_')
        p++;
    if (p == key || *p != ':' || (p[1] != '\0' && p[1] != ' '))
        return NULL;
    char name[128];
    if ((size_t)(p - key) >= sizeof(name))
        return NULL;
    memcpy(name, key, (size_t)(p - key));
    name[p - key] = '\0';
    const char *label = NULL;
    const json_t *f = NULL;
    if (strcmp(name, "fields") == 0 && key == line)
        label = web_text(w->c, "history", "key_fields");
    else if ((f = schema_field(json_object_get(w->schema, "fields"), name, 0)))
        label = lang_text(w, json_object_get(f, "label"));
    const char *value = p[1] ? p + 2 : "";
    if (!label)
        return time_word(w, line, p, value);
    /* An enum's value, maybe quoted, by its label. */
    const json_t *values = f ? json_object_get(f, "values") : NULL;
    const char *shown = value;
    if (values) {
        size_t vl = strlen(value), i;
        int quoted = vl >= 2 && (value[0] == '"' || value[0] == '\'') && value[vl - 1] == value[0];
        const json_t *v;
        json_array_foreach(values, i, v)
        {
            const char *code = json_string_value(json_object_get(v, "value"));
            size_t cl = code ? strlen(code) : 0;
            if (code && (quoted ? vl == cl + 2 && strncmp(value + 1, code, cl) == 0
                                : strcmp(value, code) == 0)) {
                const char *l = lang_text(w, json_object_get(v, "label"));
                shown = l ? l : value;
                break;
            }
        }
    }
    util_buf b;
    util_buf_init(&b);
    util_buf_append(&b, line, (size_t)(key - line));
    util_buf_printf(&b, "%s:%s%s", label, *shown ? " " : "", shown);
    return util_buf_detach(&b, NULL);
}

/* The front matter's names ("stage: ministry-review", "type: regional-plan",
 * "region: KZ-11") read in words, the same way on both sides. */
static char *diff_word(const char *line, void *payload)
{
    word_ctx *w = payload;
    static const struct {
        const char *key, *label;
    } keys[] = {{"stage: ", "stage"}, {"type: ", "type"}, {"region: ", "region"},
                {"title: ", "doc_title"}};
    for (size_t k = 0; k < UTIL_ARRAY_LEN(keys); k++) {
        size_t kl = strlen(keys[k].key);
        if (strncmp(line, keys[k].key, kl) != 0)
            continue;
        /* A title stays as written; a name may come quoted. */
        char *val = strdup(line + kl), *v = val;
        size_t vl = val ? strlen(val) : 0;
        if (k < 3 && vl >= 2 && (val[0] == '"' || val[0] == '\'') && val[vl - 1] == val[0]) {
            val[vl - 1] = '\0';
            v++;
        }
        const char *word = NULL;
        if (!val)
            word = NULL;
        else if (k == 0)
            word = w->wf ? wf_label(w->wf, "stage", v, ui_lang_code(w->c->lang)) : NULL;
        else if (k == 1)
            word = w->wf && strcmp(w->wf->type, v) == 0 ? web_type_name(w->c, v) : NULL;
        else if (k == 2)
            word = strcmp(web_region_name(w->c, v), v) != 0 ? web_region_name(w->c, v) : NULL;
        else
            word = v;
        if (!word) {
            free(val);
            return NULL;
        }
        util_buf b;
        util_buf_init(&b);
        util_buf_printf(&b, "%s: %s", web_text(w->c, "history", keys[k].label), word);
        free(val);
        return util_buf_detach(&b, NULL);
    }
    return field_word(w, line);
}

static void diff_done(const docs_result *r, void *payload)
{
    hist_req *h = payload;
    idx_doc *d = index_get(h->c->svc->index, h->c->arg);
    if (r->code == KENES_EUNAVAILABLE) { /* its key: the page says so, as the document's does */
        web_fail_code(h->c, r->code);
        hist_free(h);
        return;
    }
    if (r->code == KENES_EGONE)
        return hist_alert(h, 410, "gone");
    if (r->code == KENES_ENOTFOUND || !d)
        return hist_alert(h, 404, "unknown_version");
    if (r->code < 0)
        return hist_alert(h, 500, "cannot_read");
    /* From its index entry: its JSON need not be in memory after the read. */
    word_ctx w = {h->c, wf_set_find(h->c->svc->workflows, docs_type(d)),
                  docs_schema(h->c->svc, docs_type(d))};
    json_t *rows;
    int changes;
    const char *patch = json_string_value(json_object_get(r->json, "diff"));
    if (diffcols_build(&rows, &changes, patch, diff_word, &w) < 0) {
        log_warn("web", "the diff of %s does not read as hunks", d->id);
        return hist_alert(h, 500, "cannot_read");
    }
    const char *from = json_string_value(json_object_get(r->json, "from"));
    const char *to = json_string_value(json_object_get(r->json, "to"));
    json_t *from_ref = version_ref(h->c, d, from), *to_ref = version_ref(h->c, d, to);
    if (!from_ref || !to_ref) {
        json_decref(from_ref);
        json_decref(to_ref);
        json_decref(rows);
        return hist_alert(h, 500, "cannot_read");
    }
    json_object_set_new(h->model, "diff",
                        json_pack("{s:o, s:o, s:o, s:b}", "from", from_ref, "to", to_ref, "rows",
                                  rows, "same", changes == 0));
    hist_render(h, 200);
}

/* ---- one version (?version=, ?at=) ---- */

static void version_done(const docs_result *r, void *payload)
{
    hist_req *h = payload;
    idx_doc *d = index_get(h->c->svc->index, h->c->arg);
    if (r->code == KENES_EUNAVAILABLE) { /* its key: the page says so, as the document's does */
        web_fail_code(h->c, r->code);
        hist_free(h);
        return;
    }
    if (r->code == KENES_EGONE)
        return hist_alert(h, 410, "gone");
    if (r->code == KENES_ENOTFOUND || !d)
        return hist_alert(h, 404, h->view == VIEW_AT ? "before_first" : "unknown_version");
    if (r->code < 0)
        return hist_alert(h, 500, "cannot_read");
    const json_t *doc = r->json;
    const char *commit = json_string_value(json_object_get(doc, "version"));
    const wf_workflow *wf = web_workflow_of(h->c, doc);
    const char *title = json_string_value(json_object_get(doc, "title"));
    const char *body = json_string_value(json_object_get(doc, "body"));
    json_t *ref = version_ref(h->c, d, commit);
    if (!ref)
        return hist_alert(h, 500, "cannot_read");
    json_t *shown = json_pack("{s:o, s:s, s:s, s:s}", "version", ref,
                              "title", title ? title : d->id, "stage",
                              web_stage_label(h->c, wf, json_string_value(json_object_get(doc, "stage"))),
                              "body", body ? body : "");
    if (h->view == VIEW_AT) {
        char day[UI_DATE_CAP];
        ui_format_ymd(day, h->c->lang, h->at);
        json_object_set_new(shown, "at", json_string(day));
    }
    json_object_set_new(h->model, "shown", shown);
    hist_render(h, 200);
}

/* ---- the timeline first, then what the query asks ---- */

static void history_done(const docs_result *r, void *payload)
{
    hist_req *h = payload;
    web_call *c = h->c;
    docs_result why;
    idx_doc *d;
    if (r->code < 0) {
        web_fail_code(c, r->code);
        hist_free(h);
        return;
    }
    /* The index may have moved on while the read was logged. */
    if (docs_find(&d, &why, c->svc, c->user, c->arg, 1) < 0) {
        web_fail_code(c, why.code);
        hist_free(h);
        return;
    }
    /* docs_find parsed a resident one from its text: read before anything
     * else is parsed. */
    int erased = docs_erased(c->svc, d);
    const wf_workflow *wf = wf_set_find(c->svc->workflows, docs_type(d));
    const char *title = erased ? NULL : json_string_value(json_object_get(d->doc, "title"));
    char doc_href[600];
    snprintf(doc_href, sizeof(doc_href), "/ui/d/%s", d->id);
    json_object_set_new(h->model, "title", json_string(web_text(c, "history", "title")));
    json_object_set_new(
        h->model, "doc",
        json_pack("{s:s, s:s, s:s, s:s, s:b}", "id", d->id, "title", title ? title : d->id, "href",
                  doc_href, "stage",
                  web_stage_label(c, wf, docs_stage(d)),
                  "erased", erased));
    json_t *versions = timeline(h, d, r->json);
    if (!versions) {
        web_fail_code(c, KENES_EIO);
        hist_free(h);
        return;
    }
    json_object_set_new(h->model, "editions", editions(c, versions));
    json_object_set_new(h->model, "amended",
                        json_boolean(json_integer_value(json_object_get(
                                         json_array_get(versions, 0), "edition")) > 0));
    json_object_set_new(h->model, "versions", versions);
    size_t nv = index_version_count(d);
    json_object_set_new(h->model, "can_compare", json_boolean(nv > 1));
    json_object_set_new(h->model, "ncols", json_integer(nv > 1 ? 7 : 6));
    json_object_set_new(h->model, "at", json_string(h->at));
    json_object_set_new(h->model, "action", json_string(c->path));

    idx_version seen;
    int rc = 1; /* docs_find_version's: a history that cannot be read now is no 404 */
    switch (h->view) {
    case VIEW_NONE:
        return hist_render(h, 200);
    case VIEW_DIFF:
        if (h->from[0])
            rc = docs_find_version(&seen, NULL, d, h->from);
        if (rc > 0 && h->to[0])
            rc = docs_find_version(&seen, NULL, d, h->to);
        if (rc <= 0)
            return hist_alert(h, rc < 0 ? 503 : 404, rc < 0 ? "cannot_read" : "unknown_version");
        return docs_diff(c->svc, c->user, d, h->from[0] ? h->from : NULL,
                         h->to[0] ? h->to : NULL, diff_done, h);
    case VIEW_VERSION:
        if ((rc = docs_find_version(&seen, NULL, d, h->version)) <= 0)
            return hist_alert(h, rc < 0 ? 503 : 404, rc < 0 ? "cannot_read" : "unknown_version");
        return docs_read_version(c->svc, c->user, d, h->version, version_done, h);
    case VIEW_AT:
        if ((rc = docs_version_at(&seen, NULL, d, h->at_ms)) <= 0)
            return hist_alert(h, rc < 0 ? 503 : 404, rc < 0 ? "cannot_read" : "before_first");
        return docs_read_at(c->svc, c->user, d, h->at_ms, version_done, h);
    }
}

void web_history(web_call *c)
{
    idx_doc *d;
    docs_result why;
    if (docs_find(&d, &why, c->svc, c->user, c->arg, 1) < 0) {
        web_fail_code(c, why.code);
        return;
    }
    hist_req *h = calloc(1, sizeof(*h));
    if (!h || !(h->c = web_call_copy(c)) || !(h->model = json_object())) {
        if (h)
            hist_free(h);
        web_fail(c, 500, "internal");
        return;
    }
    int hf = web_query(c, "from", h->from, sizeof(h->from));
    int ht = web_query(c, "to", h->to, sizeof(h->to));
    int hv = web_query(c, "version", h->version, sizeof(h->version));
    int ha = web_query(c, "at", h->at, sizeof(h->at));
    const char *bad = NULL;
    int status = 400;
    if (hf < 0 || ht < 0 || hv < 0 || ha < 0)
        bad = "bad_query";
    else if (ha == 1 && h->at[0]) {
        h->view = VIEW_AT;
        if (day_end(&h->at_ms, h->at) < 0) {
            bad = "bad_date";
        } else if (h->at_ms > util_now_ms()) {
            h->at_ms = util_now_ms(); /* today: as things stand now */
        }
    } else if (hv == 1) {
        h->view = VIEW_VERSION;
        if (!is_commit(h->version))
            bad = "unknown_version", status = 404;
    } else if ((hf == 1 && h->from[0]) || (ht == 1 && h->to[0])) {
        h->view = VIEW_DIFF;
        if ((h->from[0] && !is_commit(h->from)) || (h->to[0] && !is_commit(h->to)))
            bad = "unknown_version", status = 404;
    }
    if (ha != 1)
        h->at[0] = '\0';
    if (bad) {
        /* The timeline still shows, with the sentence. */
        h->view = VIEW_NONE;
        json_object_set_new(h->model, "alert", json_string(web_text(c, "history", bad)));
        h->from[0] = h->to[0] = '\0';
    }
    if (bad && strcmp(bad, "bad_date") == 0)
        json_object_set_new(h->model, "at_bad", json_true());
    if (bad) /* the status the page will carry, once the timeline is read */
        json_object_set_new(h->model, "status", json_integer(status));
    docs_history(c->svc, c->user, d, history_done, h);
}
