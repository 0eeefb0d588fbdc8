/*
 * plan-execution: what a region did, half a year at a time, of its regional
 * plan in force.  The workflow (workflows/plan-execution.yaml) says who
 * moves a report: the regional official submits it, a ministry reviewer
 * accepts it or returns it.  This plugin says what a valid report is, what
 * its id is, provides the plan_in_force guard, and writes the execution
 * and the concept's coverage into the national and regional reports
 * (execution_report.c).
 *
 * A report's fields:
 *   plan   the id of the region's regional plan in force (its public face:
 *          the version in force stays so while an amendment is drafted)
 *   year   the plan's year, 2026 to 2030
 *   half   "1" or "2": the half-year reported on
 *   rows   at least one: {measure (the measure's number in the plan in
 *          force, 1-based, in the plan's order), actual (the indicator's
 *          actual value), spent_kzt (tenge, 0 or more), status (done,
 *          in-progress, not-done), reason (required unless done)}
 *
 * Every problem is reported in one pass at its path; messages never repeat
 * the values they judge.  Only <kenes/plugin.h>, jansson, libc and the SDK.
 */
#include "plan_execution.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define YEAR_FIRST 2026 /* the concept «Дети Казахстана» runs 2026–2030 */
#define YEAR_LAST 2030
#define REASON_MAX 2000 /* code points */

const char *const pe_statuses[PE_NSTATUS + 1] = {"done", "in-progress", "not-done", NULL};
const char *const pe_directions[PE_NDIRECTIONS + 1] = {"safety", "education", "health",
                                                       "family-social-protection", NULL};

static const char *const known_fields[] = {"plan", "year", "half", "rows", NULL};
static const char *const row_keys[] = {"measure", "actual", "spent_kzt", "status", "reason", NULL};
static const char *const halves[] = {"1", "2", NULL};

/* ---- the plan in force ---------------------------------------------------- */

void pe_plan_dispose(pe_plan *p)
{
    if (!p)
        return;
    json_decref(p->measures);
    p->measures = NULL;
}

int pe_plan_of(pe_plan *out, const kenes_api *api, const kenes_doc *doc)
{
    memset(out, 0, sizeof(*out));
    const char *id = api->doc_get(doc, "id");
    const char *type = api->doc_get(doc, "type");
    const char *region = api->doc_get(doc, "region");
    snprintf(out->id, sizeof(out->id), "%s", id ? id : "");
    snprintf(out->type, sizeof(out->type), "%s", type ? type : "");
    snprintf(out->region, sizeof(out->region), "%s", region ? region : "");
    const char *version = api->doc_get(doc, "version");
    snprintf(out->version, sizeof(out->version), "%s", version ? version : "");
    const json_t *fields = api->doc_fields(doc);
    const json_t *p = json_object_get(fields, "period");
    out->period = json_is_integer(p) ? (long long)json_integer_value(p) : -1;
    /* A copy: the document is lent for the call only. */
    const json_t *m = json_object_get(fields, "measures");
    out->measures = json_is_array(m) ? json_deep_copy(m) : NULL;
    return json_is_array(m) && !out->measures ? KENES_ENOMEM : 0;
}

/* pe_plan_face's payload: where the face goes, and the api to read it with. */
typedef struct face_arg {
    pe_plan plan;
    const kenes_api *api;
} face_arg;

static int face_read(const kenes_doc *doc, void *arg)
{
    face_arg *a = arg;
    return pe_plan_of(&a->plan, a->api, doc);
}

int pe_plan_face(pe_plan *out, const kenes_api *api, const char *id)
{
    memset(out, 0, sizeof(*out));
    if (!id || !*id || !KENES_API_HAS(api, doc_public_with))
        return KENES_ENOTFOUND;
    face_arg a = {.api = api};
    int rc = api->doc_public_with(id, face_read, &a);
    if (rc < 0) {
        pe_plan_dispose(&a.plan);
        return rc;
    }
    *out = a.plan;
    return 0;
}

int pe_rows_match(const kenes_api *api, const pe_plan *plan, const char *report,
                  const char *written)
{
    if (!KENES_API_HAS(api, version_before) || !plan->id[0] || !plan->version[0] || !report ||
        !*report || !written || !*written)
        return 1;
    int rc = api->version_before(plan->id, plan->version, report, written);
    return rc < 0 || rc == 1; /* a history the core cannot read now: it cannot tell */
}

int pe_is_percent(const json_t *measure)
{
    const char *indicator = json_string_value(json_object_get(measure, "indicator"));
    return indicator && strchr(indicator, '%') != NULL;
}

/* ---- checking a report ---------------------------------------------------- */

/* fields.year: a year of the concept; -1 if it is not one (reported). */
static long long check_year(chk_report *r, const json_t *fields)
{
    const json_t *y = json_object_get(fields, "year");
    if (!y)
        chk_problem(r, "fields.year", "required", "is required: the plan's year, %d to %d",
                    YEAR_FIRST, YEAR_LAST);
    else if (!json_is_integer(y))
        chk_problem(r, "fields.year", "not_integer", "must be a whole year, %d to %d",
                    YEAR_FIRST, YEAR_LAST);
    else if (json_integer_value(y) < YEAR_FIRST || json_integer_value(y) > YEAR_LAST)
        chk_problem(r, "fields.year", "out_of_range", "must be a year from %d to %d",
                    YEAR_FIRST, YEAR_LAST);
    else
        return (long long)json_integer_value(y);
    return -1;
}

/* fields.plan: the id of the document's region's regional plan in force,
 * of the report's year.  *plan filled (measures NULL when it is not). */
static void check_plan(chk_report *r, const kenes_doc *doc, const json_t *fields, long long year,
                       pe_plan *plan)
{
    memset(plan, 0, sizeof(*plan));
    const json_t *v = json_object_get(fields, "plan");
    if (chk_text(r, "fields.plan", v, "the id of the region's regional plan in force"))
        return;
    int rc = pe_plan_face(plan, r->api, json_string_value(v));
    if (rc == KENES_ENOMEM || rc == KENES_EIO) { /* the core cannot read it now */
        chk_problem(r, "fields.plan", "try_again", "could not be read now: try again");
        return;
    }
    if (rc < 0 || strcmp(plan->type, PE_PLAN_TYPE) != 0) {
        chk_problem(r, "fields.plan", "plan_not_in_force",
                    "must name a regional plan in force (agreed by the ministry)");
        pe_plan_dispose(plan);
        return;
    }
    const char *region = r->api->doc_get(doc, "region");
    if (!region || strcmp(plan->region, region) != 0)
        chk_problem(r, "fields.plan", "plan_other_region",
                    "must be the plan of the report's own region");
    if (year >= 0 && plan->period != year)
        chk_problem(r, "fields.plan", "plan_other_year", "must be the plan of the report's year");
}

/* One row at base ("fields.rows[2]"); seen[k] is 1 once measure k+1 was
 * reported in an earlier row. */
static void check_row(chk_report *r, const char *base, const json_t *row, const pe_plan *plan,
                      unsigned char *seen, size_t nseen)
{
    char path[CHK_PATH_CAP];
    if (!json_is_object(row)) {
        chk_problem(r, base, "not_object",
                    "must be an object {measure, actual, spent_kzt, status, reason}");
        return;
    }
    chk_path_key(path, sizeof(path), base, "measure");
    const json_t *m = json_object_get(row, "measure");
    if (!m)
        chk_problem(r, path, "required", "is required: the measure's number in the plan");
    else if (!json_is_integer(m))
        chk_problem(r, path, "not_integer", "must be the measure's number in the plan");
    else if (json_integer_value(m) < 1)
        chk_problem(r, path, "out_of_range", "must be 1 or more: measures count from 1");
    else if (plan->measures && (size_t)json_integer_value(m) > json_array_size(plan->measures))
        chk_problem(r, path, "measure_not_in_plan", "must be the number of a measure of the plan in force");
    else if (plan->measures && (size_t)json_integer_value(m) <= nseen) {
        size_t k = (size_t)json_integer_value(m) - 1;
        if (seen[k])
            chk_problem(r, path, "measure_twice",
                        "is reported in an earlier row: each measure once");
        seen[k] = 1;
    }

    /* The measure the row names, when it is one of the plan's: its
     * indicator says whether the value is a percentage. */
    const json_t *measure = json_is_integer(m) && json_integer_value(m) >= 1
                                ? json_array_get(plan->measures, (size_t)json_integer_value(m) - 1)
                                : NULL;
    chk_path_key(path, sizeof(path), base, "actual");
    const json_t *a = json_object_get(row, "actual");
    double max = pe_is_percent(measure) ? PE_PERCENT_MAX : PE_COUNT_MAX;
    if (!a)
        chk_problem(r, path, "required", "is required: the indicator's actual value");
    else if (!json_is_number(a))
        chk_problem(r, path, "not_number", "must be a number: the indicator's actual value");
    else if (!(json_number_value(a) >= 0 && json_number_value(a) <= max))
        chk_problem(r, path, max == PE_PERCENT_MAX ? "percent_out_of_range" : "actual_out_of_range",
                    "must be from 0 to %s: the indicator's actual value",
                    max == PE_PERCENT_MAX ? "100 (a percentage)" : "1 000 000 000");

    chk_path_key(path, sizeof(path), base, "spent_kzt");
    chk_tenge(r, path, json_object_get(row, "spent_kzt"), "tenge spent (0: nothing)");

    chk_path_key(path, sizeof(path), base, "status");
    const json_t *st = json_object_get(row, "status");
    int status = chk_index_of(pe_statuses, json_string_value(st));
    if (status < 0)
        chk_problem(r, path, st ? "not_in_list" : "required",
                    "%s one of done, in-progress, not-done", st ? "must be" : "is required:");

    chk_path_key(path, sizeof(path), base, "reason");
    const json_t *why = json_object_get(row, "reason");
    if (why && !json_is_string(why))
        chk_problem(r, path, "not_text", "must be text: why the measure is not done");
    else if (why && !r->api->utf8_valid(json_string_value(why), json_string_length(why)))
        chk_problem(r, path, "not_utf8", "must be valid UTF-8 text");
    else if (why && r->api->utf8_length(json_string_value(why)) > REASON_MAX)
        chk_problem(r, path, "too_long", "must be at most %d characters", REASON_MAX);
    else if (status > PE_DONE && (!why || chk_blank(json_string_value(why))))
        chk_problem(r, path, "reason_required",
                    "is required when the measure is not done: why, and what comes next");
    chk_unknown_keys(r, row, base, row_keys,
                     "a row (expected measure, actual, spent_kzt, status, reason)");
}

static void check_rows(chk_report *r, const json_t *rows, const pe_plan *plan)
{
    if (chk_list(r, "fields.rows", rows, "a list of the plan's measures reported on",
                 "rows {measure, actual, spent_kzt, status, reason}"))
        return;
    if (json_array_size(rows) == 0) {
        chk_problem(r, "fields.rows", "too_few", "must hold at least one measure");
        return;
    }
    size_t nseen = json_array_size(plan->measures);
    unsigned char *seen = calloc(nseen ? nseen : 1, 1);
    if (!seen)
        nseen = 0; /* out of memory: measures are checked for range alone */
    size_t i;
    const json_t *row;
    json_array_foreach(rows, i, row) {
        if (chk_full(r))
            break;
        char base[48];
        snprintf(base, sizeof(base), "fields.rows[%zu]", i);
        check_row(r, base, row, plan, seen, nseen);
    }
    free(seen);
}

static int validate(const kenes_api *api, const kenes_doc *doc, kenes_errors *errs)
{
    chk_report r = {.api = api, .errs = errs};
    chk_header(&r, doc);
    const json_t *fields = chk_fields(&r, doc);
    if (!fields)
        return KENES_EVALIDATION;
    long long year = check_year(&r, fields);
    const json_t *half = json_object_get(fields, "half");
    if (!chk_one_of(halves, json_string_value(half)))
        chk_problem(&r, "fields.half", half ? "not_in_list" : "required",
                    "%s \"1\" or \"2\": the half-year reported on", half ? "must be" : "is required:");
    pe_plan plan;
    check_plan(&r, doc, fields, year, &plan);
    check_rows(&r, json_object_get(fields, "rows"), &plan);
    pe_plan_dispose(&plan);
    chk_unknown_keys(&r, fields, "fields", known_fields,
                     "a plan execution report (expected plan, year, half, rows)");
    return chk_result(&r);
}

static int make_id(const kenes_api *api, const kenes_doc *doc, char *out, size_t cap)
{
    const char *region = api->doc_get(doc, "region");
    const json_t *fields = api->doc_fields(doc);
    const json_t *y = json_object_get(fields, "year");
    const char *half = json_string_value(json_object_get(fields, "half"));
    if (!region || !api->region_valid(region) || !json_is_integer(y) || !chk_one_of(halves, half))
        return KENES_EINVAL;
    return sdk_id_printf(out, cap, "execution/%s/%lld-h%s", region,
                         (long long)json_integer_value(y), half);
}

/* doc_with's payload: the api, and the commit that last wrote the report. */
typedef struct written_arg {
    const kenes_api *api;
    char written[48];
} written_arg;

static int read_written(const kenes_doc *doc, void *arg)
{
    written_arg *w = arg;
    const char *c = w->api->doc_get(doc, "written");
    if (!c)
        c = w->api->doc_get(doc, "version");
    snprintf(w->written, sizeof(w->written), "%s", c ? c : "");
    return 0;
}

/* plan_in_force, on submit and on accept: the plan the report is about is
 * in force, and it is the version the rows were written against.  Rows
 * name measures by their number in the plan; an amendment agreed since the
 * report was last saved may have removed or reordered measures, and the
 * figures would land on other measures.  The official checks the rows
 * against the plan in force and saves the report again (a reviewer
 * returns it first when it was submitted). */
static int plan_in_force(const kenes_api *api, const kenes_doc *doc, const kenes_ctx *ctx,
                         kenes_errors *errs)
{
    (void)ctx;
    pe_plan plan;
    const char *id = json_string_value(json_object_get(api->doc_fields(doc), "plan"));
    int rc = pe_plan_face(&plan, api, id);
    int ok = rc == 0 && strcmp(plan.type, PE_PLAN_TYPE) == 0;
    if (rc == KENES_ENOMEM || rc == KENES_EIO) { /* not read now: no "not in force" */
        api->error_code(errs, NULL, "try_again", "the plan could not be read now: try again");
        return KENES_EGUARD;
    }
    if (!ok) {
        if (rc == 0)
            pe_plan_dispose(&plan);
        api->error_code(errs, NULL, "plan_not_in_force",
                        "the report's regional plan is not in force: it cannot be submitted");
        return KENES_EGUARD;
    }
    written_arg w = {.api = api};
    const char *self = api->doc_get(doc, "id");
    if (!self || api->doc_with(self, read_written, &w) != 0)
        w.written[0] = '\0';
    ok = pe_rows_match(api, &plan, self, w.written);
    pe_plan_dispose(&plan);
    if (ok)
        return 0;
    api->error_code(errs, NULL, "plan_changed",
                    "the plan in force was amended after this report was written: check each "
                    "row's measure against the plan in force and save the report again");
    return KENES_EGUARD;
}

/* ---- the descriptor ---------------------------------------------------- */

/* plan-execution.schema.yaml, built in by CMake (kenes_plugin_schema). */
extern const char kenes_schema_plan_execution[];

static const kenes_report_section reports[] = {
    {KENES_REPORT_NATIONAL, pe_report_national},
    {KENES_REPORT_REGION, pe_report_region},
    {0, NULL},
};

static const kenes_doctype types[] = {
    {.name = "plan-execution",
     .noun = "plan execution report",
     .make_id = make_id,
     .validate = validate,
     .reports = reports,
     .schema = kenes_schema_plan_execution},
    {0},
};

static const kenes_guard guards[] = {
    {.name = "plan_in_force", .check = plan_in_force},
    {0},
};

SDK_PLUGIN(PE_PLUGIN, "0.1.0", types, guards)
