/*
 * Plans and rosters as tables (export.h): one row per measure or member,
 * the document's header repeated on each row so that a spreadsheet can
 * filter and sort.  Column headers are the schema's labels where the field
 * is the type's (the same words as the form and the document page) and
 * content/reports.yaml's exports: words for the rest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/log.h"
#include "docs/docs.h"
#include "docs/fetch.h"
#include "docs/workflow.h"
#include "plugin/region.h"
#include "plugin/schema.h"
#include "publish/export.h"
#include "publish/public.h"

const char *const export_list_names[3] = {"plans", "rosters", "cases"};

typedef struct builder {
    publisher *pub;
    const export_ask *a;
    const char *lang; /* "ru", "kk", "en" */
    xtable *t;
    int rc;
} builder;

/* ---- the schema's words ---- */

/* The field at path ("measures.funding.amount_kzt") of type's schema, or NULL. */
static const json_t *schema_field(const builder *b, const char *type, const char *path)
{
    const json_t *schema = docs_schema(b->pub->svc, type);
    const json_t *fields = json_object_get(schema, "fields"), *f = NULL;
    char name[64];
    for (const char *p = path; fields && p && *p;) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        snprintf(name, sizeof(name), "%.*s", (int)n, p);
        if (!(f = schema_field_named(fields, name)))
            return NULL;
        fields = json_object_get(f, "fields");
        p = dot ? dot + 1 : NULL;
    }
    return f;
}

static const char *label_of(const builder *b, const char *type, const char *path)
{
    const json_t *f = schema_field(b, type, path);
    const char *s = json_string_value(json_object_get(json_object_get(f, "label"), b->lang));
    if (s)
        return s;
    const char *dot = strrchr(path, '.');
    return dot ? dot + 1 : path;
}

/* An enum value's label in the reader's language (a code the schema no
 * longer lists stays as it is). */
static const char *value_label(const builder *b, const char *type, const char *path,
                               const char *value)
{
    size_t i;
    const json_t *v;
    json_array_foreach(json_object_get(schema_field(b, type, path), "values"), i, v)
    {
        const char *code = json_string_value(json_object_get(v, "value"));
        if (value && code && strcmp(code, value) == 0) {
            const json_t *l = json_object_get(v, "label");
            const char *s = json_is_string(l) ? json_string_value(l)
                                              : json_string_value(json_object_get(l, b->lang));
            return s ? s : value;
        }
    }
    return value;
}

static const char *word(const builder *b, const char *name)
{
    return report_export_word(&b->pub->words, b->a->lang, name);
}

/* ---- cells ---- */

static void put(builder *b, size_t col, const char *value)
{
    if (b->rc == 0)
        b->rc = xtable_set(b->t, col, value);
}

/* A JSON value as a cell: a string as it is, a number as a figure. */
static void put_json(builder *b, size_t col, const json_t *v)
{
    if (json_is_integer(v))
        b->rc = b->rc ? b->rc : xtable_setf(b->t, col, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        b->rc = b->rc ? b->rc : xtable_setf(b->t, col, "%.15g", json_real_value(v));
    else
        put(b, col, json_string_value(v));
}

/* "2026-Q3" in words ("3-й квартал 2026 г.", as the pages say it), else
 * the value as it is (a date). */
static void put_deadline(builder *b, size_t col, const char *v)
{
    int y, q, end = 0;
    if (!v || sscanf(v, "%4d-Q%1d%n", &y, &q, &end) != 2 || v[end] || q < 1 || q > 4) {
        put(b, col, v);
        return;
    }
    util_buf out;
    util_buf_init(&out);
    for (const char *p = word(b, "quarter"); *p; p++) {
        if (strncmp(p, "{year}", 6) == 0) {
            util_buf_printf(&out, "%d", y);
            p += 5;
        } else if (strncmp(p, "{n}", 3) == 0) {
            util_buf_printf(&out, "%d", q);
            p += 2;
        } else {
            util_buf_append(&out, p, 1);
        }
    }
    char *s = util_buf_detach(&out, NULL);
    put(b, col, s ? s : v);
    free(s);
}

/* ---- the document's header, on each of its rows ---- */

/* d's history cannot be read now (the index logged why): no export at all,
 * said once, with its id. */
static void unread(builder *b, const idx_doc *d, int rc)
{
    if (b->rc == 0)
        log_error("export", "%s: its history cannot be read now (%s): no export is made", d->id,
                  kenes_strerror(rc));
    b->rc = b->rc ? b->rc : rc;
}

enum { H_REGION, H_DOC, H_STAGE, H_SINCE, H_ACT_NUMBER, H_ACT_DATE, H_N };

static void header_columns(builder *b, const char *type)
{
    static const char *const words[] = {"region", "document", "stage", "in_force_since"};
    for (size_t i = 0; i < 4 && b->rc == 0; i++)
        b->rc = xtable_column(b->t, i, word(b, words[i]), i == H_SINCE ? XCOL_DATE : XCOL_TEXT);
    if (b->rc == 0)
        b->rc = xtable_column(b->t, H_ACT_NUMBER, label_of(b, type, "act.number"), XCOL_TEXT);
    if (b->rc == 0)
        b->rc = xtable_column(b->t, H_ACT_DATE, label_of(b, type, "act.date"), XCOL_DATE);
}

static void header_cells(builder *b, const idx_doc *d, const json_t *doc, const wf_workflow *wf)
{
    const region *rg = region_find(json_string_value(json_object_get(doc, "region")));
    const char *stage = json_string_value(json_object_get(doc, "stage"));
    put(b, H_REGION, !rg ? json_string_value(json_object_get(doc, "region"))
                     : b->a->lang == REPORT_KK ? rg->kk
                     : b->a->lang == REPORT_EN ? rg->en : rg->ru);
    put(b, H_DOC, d->id);
    const char *label = wf ? wf_label(wf, "stage", wf_stage_now(wf, stage), b->lang) : NULL;
    put(b, H_STAGE, label ? label : stage);
    /* When it first came into force (an amendment agreed later leaves it in
     * force all along); empty for a text never in force. */
    int64_t since;
    int rc = docs_first_in_force_ms(&since, wf, d);
    if (rc < 0) { /* never an empty date for a history not read */
        unread(b, d, rc);
        return;
    }
    if (since >= 0) {
        char when[32];
        util_format_rfc3339(when, sizeof(when), since);
        when[10] = '\0';
        put(b, H_SINCE, when);
    }
    const json_t *act = json_object_get(json_object_get(doc, "fields"), "act");
    put(b, H_ACT_NUMBER, json_string_value(json_object_get(act, "number")));
    put(b, H_ACT_DATE, json_string_value(json_object_get(act, "date")));
}

/* ---- plans ---- */

enum { P_YEAR = H_N, P_NUMBER, P_DIRECTION, P_TITLE, P_LEAD, P_CO, P_DEADLINE, P_SOURCE,
       P_AMOUNT, P_INDICATOR, P_CONCEPT, P_BASELINE, P_TARGET, P_REPORT, P_STATUS, P_ACTUAL,
       P_SPENT, P_REASON, P_N };

#define PLAN "regional-plan"
#define EXEC "plan-execution"

static void plan_columns(builder *b)
{
    static const struct {
        size_t col;
        const char *type, *path, *word;
        xcol_kind kind;
    } cols[] = {
        {P_YEAR, PLAN, "period", NULL, XCOL_NUMBER},
        {P_NUMBER, NULL, NULL, "number", XCOL_NUMBER},
        {P_DIRECTION, PLAN, "measures.direction", NULL, XCOL_TEXT},
        {P_TITLE, PLAN, "measures.title", NULL, XCOL_TEXT},
        {P_LEAD, PLAN, "measures.lead_agency", NULL, XCOL_TEXT},
        {P_CO, PLAN, "measures.co_executors", NULL, XCOL_TEXT},
        {P_DEADLINE, PLAN, "measures.deadline", NULL, XCOL_DATE},
        {P_SOURCE, NULL, NULL, "funding_source", XCOL_TEXT},
        {P_AMOUNT, NULL, NULL, "funding_amount", XCOL_NUMBER},
        {P_INDICATOR, PLAN, "measures.indicator", NULL, XCOL_TEXT},
        {P_CONCEPT, PLAN, "measures.concept_item", NULL, XCOL_TEXT},
        {P_BASELINE, PLAN, "measures.baseline", NULL, XCOL_NUMBER},
        {P_TARGET, PLAN, "measures.target", NULL, XCOL_NUMBER},
        {P_REPORT, NULL, NULL, "execution_report", XCOL_TEXT},
        {P_STATUS, EXEC, "rows.status", NULL, XCOL_TEXT},
        {P_ACTUAL, EXEC, "rows.actual", NULL, XCOL_NUMBER},
        {P_SPENT, EXEC, "rows.spent_kzt", NULL, XCOL_NUMBER},
        {P_REASON, EXEC, "rows.reason", NULL, XCOL_TEXT},
    };
    header_columns(b, PLAN);
    for (size_t i = 0; i < UTIL_ARRAY_LEN(cols) && b->rc == 0; i++)
        b->rc = xtable_column(b->t, cols[i].col,
                              cols[i].word ? word(b, cols[i].word)
                                           : label_of(b, cols[i].type, cols[i].path),
                              cols[i].kind);
}

/* The latest accepted execution report of plan d (by year, then half)
 * written against the plan's version in force, whose commit is version:
 * one written against an earlier version numbers other measures, and is
 * not read against this one (README, "Plan execution").  NULL: none. */
static const json_t *execution_of(builder *b, const idx_doc *d, const char *version)
{
    docs_service *svc = b->pub->svc;
    size_t n;
    idx_doc *const *refs = index_referrers(svc->index, d->id, &n);
    const json_t *best = NULL;
    long long best_key = -1;
    for (size_t i = 0; i < n && b->rc == 0; i++) {
        const wf_workflow *wf;
        const char *rv;
        char wrote[41];
        const json_t *face = public_face_of(svc, refs[i], &wf, &rv);
        const json_t *f = json_object_get(face, "fields");
        const char *plan = json_string_value(json_object_get(f, "plan"));
        if (!face || strcmp(wf->type, EXEC) != 0 || !plan || strcmp(plan, d->id) != 0)
            continue;
        /* Either history not read: never a plan's rows without the report it has. */
        int rc = docs_written(wrote, refs[i], rv);
        if (rc < 0) {
            unread(b, refs[i], rc);
            continue;
        }
        if (rc > 0 && (rc = docs_version_before(svc, d->id, version, refs[i]->id, wrote)) < 0)
            unread(b, d, rc);
        if (rc <= 0)
            continue;
        const char *half = json_string_value(json_object_get(f, "half"));
        long long key = (long long)json_integer_value(json_object_get(f, "year")) * 10 +
                        (half ? atoi(half) : 0);
        if (key > best_key) {
            best_key = key;
            best = face;
        }
    }
    return best;
}

static const json_t *execution_row(const json_t *report, size_t number)
{
    size_t i;
    const json_t *r;
    json_array_foreach(json_object_get(json_object_get(report, "fields"), "rows"), i, r)
        if (json_integer_value(json_object_get(r, "measure")) == (json_int_t)number)
            return r;
    return NULL;
}

static void plan_rows(builder *b, const idx_doc *d, const json_t *doc, const wf_workflow *wf,
                      const char *version)
{
    const json_t *fields = json_object_get(doc, "fields");
    const json_t *report = version ? execution_of(b, d, version) : NULL;
    char period[96] = "";
    if (report) {
        const json_t *rf = json_object_get(report, "fields");
        snprintf(period, sizeof(period), "%lld, %s",
                 (long long)json_integer_value(json_object_get(rf, "year")),
                 value_label(b, EXEC, "half", json_string_value(json_object_get(rf, "half"))));
    }
    size_t i;
    const json_t *m;
    json_array_foreach(json_object_get(fields, "measures"), i, m)
    {
        if (b->rc == 0)
            b->rc = xtable_add_row(b->t);
        header_cells(b, d, doc, wf);
        put_json(b, P_YEAR, json_object_get(fields, "period"));
        b->rc = b->rc ? b->rc : xtable_setf(b->t, P_NUMBER, "%zu", i + 1);
        put(b, P_DIRECTION, value_label(b, PLAN, "measures.direction",
                                        json_string_value(json_object_get(m, "direction"))));
        put(b, P_TITLE, json_string_value(json_object_get(m, "title")));
        put(b, P_LEAD, json_string_value(json_object_get(m, "lead_agency")));
        util_buf co;
        util_buf_init(&co);
        size_t k;
        const json_t *e;
        json_array_foreach(json_object_get(m, "co_executors"), k, e)
            util_buf_printf(&co, "%s%s", k ? "; " : "", json_string_value(e) ? json_string_value(e) : "");
        char *cos = util_buf_detach(&co, NULL);
        put(b, P_CO, cos);
        free(cos);
        put_deadline(b, P_DEADLINE, json_string_value(json_object_get(m, "deadline")));
        const json_t *funding = json_object_get(m, "funding");
        put(b, P_SOURCE, json_string_value(json_object_get(funding, "source")));
        put_json(b, P_AMOUNT, json_object_get(funding, "amount_kzt"));
        put(b, P_INDICATOR, json_string_value(json_object_get(m, "indicator")));
        put(b, P_CONCEPT, value_label(b, PLAN, "measures.concept_item",
                                      json_string_value(json_object_get(m, "concept_item"))));
        put_json(b, P_BASELINE, json_object_get(m, "baseline"));
        put_json(b, P_TARGET, json_object_get(m, "target"));
        if (!report)
            continue;
        put(b, P_REPORT, period);
        const json_t *row = execution_row(report, i + 1);
        if (!row) {
            put(b, P_STATUS, word(b, "not_reported"));
            continue;
        }
        put(b, P_STATUS, value_label(b, EXEC, "rows.status",
                                     json_string_value(json_object_get(row, "status"))));
        put_json(b, P_ACTUAL, json_object_get(row, "actual"));
        put_json(b, P_SPENT, json_object_get(row, "spent_kzt"));
        put(b, P_REASON, json_string_value(json_object_get(row, "reason")));
    }
}

/* ---- rosters ---- */

#define ROSTER "commission-roster"

enum { R_NUMBER = H_N, R_NAME, R_POSITION, R_ORGANISATION, R_ROLE, R_CATEGORY, R_N };

static void roster_columns(builder *b)
{
    static const char *const paths[] = {"members.full_name", "members.position",
                                        "members.organisation", "members.role",
                                        "members.category"};
    header_columns(b, ROSTER);
    if (b->rc == 0)
        b->rc = xtable_column(b->t, R_NUMBER, word(b, "number"), XCOL_NUMBER);
    for (size_t i = 0; i < UTIL_ARRAY_LEN(paths) && b->rc == 0; i++)
        b->rc = xtable_column(b->t, R_NAME + i, label_of(b, ROSTER, paths[i]), XCOL_TEXT);
}

static void roster_rows(builder *b, const idx_doc *d, const json_t *doc, const wf_workflow *wf)
{
    size_t i;
    const json_t *m;
    json_array_foreach(json_object_get(json_object_get(doc, "fields"), "members"), i, m)
    {
        if (b->rc == 0)
            b->rc = xtable_add_row(b->t);
        header_cells(b, d, doc, wf);
        b->rc = b->rc ? b->rc : xtable_setf(b->t, R_NUMBER, "%zu", i + 1);
        put(b, R_NAME, json_string_value(json_object_get(m, "full_name")));
        put(b, R_POSITION, json_string_value(json_object_get(m, "position")));
        put(b, R_ORGANISATION, json_string_value(json_object_get(m, "organisation")));
        put(b, R_ROLE, value_label(b, ROSTER, "members.role",
                                   json_string_value(json_object_get(m, "role"))));
        put(b, R_CATEGORY, value_label(b, ROSTER, "members.category",
                                       json_string_value(json_object_get(m, "category"))));
    }
}

/* ---- the walk ---- */

/* One region's documents of type into the table. */
static void region_docs(builder *b, const char *type, const char *code)
{
    docs_service *svc = b->pub->svc;
    size_t n;
    idx_doc *const *docs = index_group(svc->index, type, code, &n);
    for (size_t i = 0; i < n && b->rc == 0; i++) {
        const idx_doc *d = docs[i];
        const wf_workflow *wf = wf_set_find(svc->workflows, type);
        const char *version = NULL;
        const json_t *doc;
        if (b->a->current) {
            if (!b->a->reader || !docs_may_read(svc, b->a->reader, d))
                continue;
            doc = docs_fetch_now(svc, d); /* resident: parsed from its text (docs/fetch.h) */
            const json_t *face = docs_public_face(svc, d, &version);
            if (face != doc) /* a draft of an amendment: no report counts against it */
                version = NULL;
        } else {
            doc = public_face_of(svc, d, &wf, &version);
        }
        if (!doc || !wf || docs_erased(svc, d))
            continue;
        /* Held while its rows are made: they may parse other documents. */
        json_t *held = json_incref((json_t *)doc);
        if (b->a->list == EXPORT_PLANS)
            plan_rows(b, d, doc, wf, version);
        else
            roster_rows(b, d, doc, wf);
        json_decref(held);
    }
}

int export_docs_table(xtable **out, publisher *pub, const export_ask *a)
{
    static const char *const sheets[] = {"sheet_plans", "sheet_rosters"};
    builder b = {.pub = pub, .a = a, .lang = report_lang_codes[a->lang]};
    *out = NULL;
    if (a->list != EXPORT_PLANS && a->list != EXPORT_ROSTERS)
        return KENES_EINVAL;
    const char *type = a->list == EXPORT_PLANS ? PLAN : ROSTER;
    b.rc = xtable_new(&b.t, report_export_word(&pub->words, a->lang, sheets[a->list]),
                      a->list == EXPORT_PLANS ? P_N : R_N);
    if (b.rc == 0)
        a->list == EXPORT_PLANS ? plan_columns(&b) : roster_columns(&b);
    for (size_t r = 0; r < region_count() && b.rc == 0; r++)
        if (!a->region || strcmp(a->region, region_at(r)->code) == 0)
            region_docs(&b, type, region_at(r)->code);
    if (b.rc < 0) {
        xtable_free(b.t);
        return b.rc;
    }
    *out = b.t;
    return 0;
}

void export_file_names(char *name, size_t namecap, char *ascii, size_t asciicap,
                       const report_words *w, const export_ask *a, const char *today)
{
    static const char *const files[] = {"file_plans", "file_rosters", "file_cases"};
    const char *region = a->region ? a->region : "";
    snprintf(name, namecap, "%s%s%s %s", report_export_word(w, a->lang, files[a->list]),
             *region ? " " : "", region, today);
    snprintf(ascii, asciicap, "kenes-%s%s%s%s-%s", export_list_names[a->list],
             a->current ? "-current" : "", *region ? "-" : "", region, today);
}
