/*
 * referral: a commission sends one measure of a child's case to an agency
 * of the case's region (a school's education department, the police's
 * juvenile inspectorate, health, social protection, an NGO: the region's
 * list in content/agencies.yaml).  The agency accepts or declines it and
 * reports back what was done (workflows/referral.yaml).
 *
 * An agency officer reads the referral and never the case: so the referral
 * carries the least the task needs, the measure's number, the due date,
 * the child's pseudonym (which must be the case's, so both sides mean the
 * same child) and a few lines of task.  It is sealed like the case
 * (repository "cases", confidential); its list entry adds the pseudonym,
 * the agency's code and the due date, nothing typed.
 *
 * Only <kenes/plugin.h>, jansson, libc and the plugin SDK.
 */
#include <kenes/plugin.h>

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "identity.h"
#include "kenes_sdk.h"

#define RF_TYPE "referral"
#define RF_CASE_TYPE "case-review"

#define TASK_MAX 1000     /* code points: a few lines, not the case file */
#define OUTCOME_MAX 2000  /* what the agency did */
#define AGENCY_MAX 64     /* an agency's code */
#define PSEUDONYM_MIN 3
#define PSEUDONYM_MAX 64
#define PSEUDONYM_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-"
#define MEASURES_MAX 1000 /* no case has more measures than this */

static const char *const results[] = {"done", "partly", "not-done", NULL};
/* A case in these stages is done with: nothing more is sent for it. */
static const char *const case_ended[] = {"closed", "erased", NULL};
/* A case offered to another region: its referrals are the receiving
 * commission's to send once it accepts (case-review's transfer waits for
 * the open ones, guard referrals_settled). */
#define CASE_IN_TRANSFER "transfer-requested"
/* Kazakhstan's clock (UTC+5, one zone since 1 March 2024): the day an
 * agency or a commission means by a date is theirs, not Greenwich's. */
#define KZ_OFFSET_MS (5LL * 3600 * 1000)

static int ymd(int y, int m, int d)
{
    return y * 10000 + m * 100 + d;
}

/* The calendar date in Kazakhstan at ms since the epoch. */
static int kz_date(const kenes_api *api, long long ms)
{
    int y, m, d;
    api->date_of_ms(ms + KZ_OFFSET_MS, &y, &m, &d);
    return ymd(y, m, d);
}

/* Today in Kazakhstan, by the core's clock (KENES_NOW in tests). */
static int today(const kenes_api *api)
{
    return kz_date(api, api->now_ms());
}

static int absent(const json_t *v)
{
    return !v || json_is_null(v);
}

/* ---- id and list entry -------------------------------------------------- */

/* referral/<region>/<uuid>: chosen by the server, nothing from the case. */
static int make_id(const kenes_api *api, const kenes_doc *doc, char *out, size_t cap)
{
    const char *region = api->doc_get(doc, "region");
    if (!region || !api->region_valid(region))
        return KENES_EINVAL;
    char uuid[37];
    api->uuid(uuid);
    return sdk_id_printf(out, cap, "referral/%s/%s", region, uuid);
}

static int pseudonym_well_formed(const char *s)
{
    size_t len = s ? strlen(s) : 0;
    return len >= PSEUDONYM_MIN && len <= PSEUDONYM_MAX && strspn(s, PSEUDONYM_CHARS) == len;
}

static int agency_code_well_formed(const char *s)
{
    size_t len = s ? strlen(s) : 0;
    return len > 0 && len <= AGENCY_MAX &&
           strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == len;
}

/* The pseudonym (the case judged it), the agency's code and the due date:
 * what the agency's list and the chair's inbox need to tell referrals
 * apart.  Each only when it has the shape it must have. */
static int summary(const kenes_api *api, const kenes_doc *doc, json_t *entry)
{
    const json_t *fields = api->doc_fields(doc);
    const char *p = json_string_value(json_object_get(fields, "pseudonym"));
    const char *agency = json_string_value(json_object_get(fields, "agency"));
    const char *due = json_string_value(json_object_get(fields, "due"));
    if (pseudonym_well_formed(p) && json_object_set_new(entry, "pseudonym", json_string(p)) != 0)
        return KENES_ENOMEM;
    if (agency_code_well_formed(agency) &&
        json_object_set_new(entry, "agency", json_string(agency)) != 0)
        return KENES_ENOMEM;
    if (chk_is_date(api, due, NULL, NULL, NULL) &&
        json_object_set_new(entry, "due_date", json_string(due)) != 0)
        return KENES_ENOMEM;
    return 0;
}

/* ---- validation --------------------------------------------------------- */

/* A date: its ymd, or 0 when absent (reported if required) or wrong. */
static int date_at(chk_report *r, const json_t *v, const char *path, int required)
{
    int y, m, d;
    if (absent(v)) {
        if (required)
            chk_problem(r, path, "required", "is required: a date YYYY-MM-DD");
        return 0;
    }
    if (!chk_is_date(r->api, json_string_value(v), &y, &m, &d)) {
        chk_problem(r, path, "not_date", "must be a calendar date YYYY-MM-DD");
        return 0;
    }
    return ymd(y, m, d);
}

/* What the referral's case says, copied while the core lends it. */
typedef struct case_seen {
    const kenes_api *api;
    int is_case;
    char region[16];
    char stage[64];
    char *pseudonym;      /* malloc'd, or NULL */
    size_t measures;      /* how many measures the case lists */
    id_child *child;      /* what the referral's text must not give away, or NULL */
} case_seen;

static const char *child_text(const json_t *child, const char *key)
{
    return json_string_value(json_object_get(child, key));
}

static int look_at_case(const kenes_doc *doc, void *arg)
{
    case_seen *c = arg;
    const kenes_api *api = c->api;
    const char *type = api->doc_get(doc, "type");
    const char *region = api->doc_get(doc, "region");
    const char *stage = api->doc_get(doc, "stage");
    const json_t *fields = api->doc_fields(doc);
    c->is_case = type && strcmp(type, RF_CASE_TYPE) == 0;
    /* A value too long to be a region or stage stays "": it matches none. */
    if (region && strlen(region) < sizeof(c->region))
        snprintf(c->region, sizeof(c->region), "%s", region);
    if (stage && strlen(stage) < sizeof(c->stage))
        snprintf(c->stage, sizeof(c->stage), "%s", stage);
    const json_t *child = json_object_get(fields, "child");
    const char *p = child_text(child, "pseudonym");
    if (p && !(c->pseudonym = strdup(p)))
        return KENES_ENOMEM;
    /* The child as the case's title is judged against (id_child_new folds
     * what it keeps: nothing of the lent document outlives the call). */
    if (id_child_new(&c->child, api, child_text(child, "full_name"),
                     child_text(child, "birth_date"), child_text(child, "address"),
                     child_text(child, "school")) != 0)
        return KENES_ENOMEM;
    const json_t *ms = json_object_get(fields, "measures");
    c->measures = json_is_array(ms) ? json_array_size(ms) : 0;
    return 0;
}

/* The case as the referral was written against, when it exists (a new
 * referral has none): the case it named then. */
typedef struct saved {
    const kenes_api *api;
    char *case_id; /* malloc'd, or NULL */
} saved;

static int look_at_saved(const kenes_doc *doc, void *arg)
{
    saved *s = arg;
    const char *id = json_string_value(json_object_get(s->api->doc_fields(doc), "case"));
    if (id && !(s->case_id = strdup(id)))
        return KENES_ENOMEM;
    return 0;
}

/* What the rule a code names says, for the English message. */
static const char *text_rule(const char *code)
{
    if (strcmp(code, "text_names_child") == 0)
        return "the child's name or a part of it, in any spelling";
    if (strcmp(code, "text_birth_date") == 0)
        return "the child's birth date";
    if (strcmp(code, "text_address") == 0)
        return "the child's address";
    return "the child's school";
}

/* The referral's free text (its task and body), which the agency reads,
 * against the case's child: the agency knows the child by the pseudonym
 * alone.  Judged when the referral is sent: nothing edits it afterwards. */
static void check_text(chk_report *r, const id_child *child, const char *path,
                       const char *text)
{
    const char *code = NULL;
    if (!text)
        return;
    if (id_judge_text(&code, child, text) != 0)
        chk_problem(r, path, "try_again",
                    "could not be compared with the case's child (out of memory): try again");
    else if (code)
        chk_problem(r, path, code, "must not contain %s: the agency knows the child by the "
                                   "case's pseudonym alone", text_rule(code));
}

/* fields.case, fields.measure and fields.pseudonym against the case, and
 * the text (task, body) against its child. */
static void check_against_case(chk_report *r, const kenes_doc *doc, const json_t *fields,
                               long long measure, const char *pseudonym, const char *task)
{
    const kenes_api *api = r->api;
    const json_t *v = json_object_get(fields, "case");
    if (absent(v) || (json_is_string(v) && chk_blank(json_string_value(v)))) {
        chk_problem(r, "fields.case", "required", "is required: the case's id");
        return;
    }
    const char *id = json_string_value(v);
    if (!id) {
        chk_problem(r, "fields.case", "not_text", "must be text: a case's id");
        return;
    }
    const char *region = api->doc_get(doc, "region");
    if (!region || !api->region_valid(region))
        return; /* reported at region */
    saved s = {.api = api};
    const char *self = api->doc_get(doc, "id");
    int known = self && *self;
    if (known) {
        int rc = api->doc_with(self, look_at_saved, &s);
        if (rc != 0 && rc != KENES_ENOTFOUND) {
            chk_problem(r, "fields.case", "try_again",
                        "could not be compared with the referral as recorded: try again");
            free(s.case_id);
            return;
        }
        known = rc == 0;
    }
    if (known) {
        /* Judged against its case when it was sent.  What the case has
         * become since (a pseudonym corrected, the case closed or
         * transferred to another region) does not stop the agency from
         * accepting or reporting: only another case is refused. */
        if (s.case_id && strcmp(s.case_id, id) != 0)
            chk_problem(r, "fields.case", "case_changed",
                        "names another case than the referral was sent for: send a new "
                        "referral instead");
        free(s.case_id);
        return;
    }

    case_seen c = {.api = api};
    int rc = strlen(id) == json_string_length(v) && strlen(id) < 256
                 ? api->doc_with(id, look_at_case, &c)
                 : KENES_ENOTFOUND;
    if (rc == KENES_ENOMEM) {
        chk_problem(r, "fields.case", "try_again",
                    "could not be compared with the case (out of memory): try again");
    } else if (rc != 0 || !c.is_case) {
        chk_problem(r, "fields.case", "case_unknown", "names no case review");
    } else if (strcmp(c.region, region) != 0) {
        chk_problem(r, "fields.case", "case_other_region",
                    "names a case of another region: a commission refers its own region's "
                    "cases");
    } else {
        if (chk_one_of(case_ended, c.stage))
            chk_problem(r, "fields.case", "case_closed",
                        "names a closed case: nothing more is referred for it (reopen it "
                        "first)");
        else if (strcmp(c.stage, CASE_IN_TRANSFER) == 0)
            chk_problem(r, "fields.case", "case_in_transfer",
                        "names a case offered to another region: once that region accepts "
                        "it, its commission refers it");
        if (measure > 0 && (size_t)measure > c.measures)
            chk_problem(r, "fields.measure", "measure_unknown",
                        "names no measure of the case (1 for the first of its measures)");
        if (pseudonym && (!c.pseudonym || strcmp(c.pseudonym, pseudonym) != 0))
            chk_problem(r, "fields.pseudonym", "pseudonym_mismatch",
                        "is not the pseudonym of the case: the agency knows the child by the "
                        "case's pseudonym alone");
        const char *body = api->doc_get(doc, "body");
        if (c.child) {
            check_text(r, c.child, "fields.task", task);
            if (body && api->utf8_valid(body, strlen(body)))
                check_text(r, c.child, "body", body);
        }
    }
    free(c.pseudonym);
    id_child_free(c.child);
}

/* fields.agency: one of the agencies content/agencies.yaml lists for the
 * referral's region. */
static void check_agency(chk_report *r, const kenes_doc *doc, const char *agency)
{
    const kenes_api *api = r->api;
    const char *region = api->doc_get(doc, "region");
    if (!agency || !region || !api->region_valid(region))
        return;
    const json_t *all = KENES_API_HAS(api, content) ? api->content("agencies") : NULL;
    const json_t *list = json_object_get(json_object_get(all, "agencies"), region);
    size_t i;
    const json_t *a;
    json_array_foreach(list, i, a) {
        const char *code = json_string_value(json_object_get(a, "code"));
        if (code && strcmp(code, agency) == 0)
            return;
    }
    chk_problem(r, "fields.agency", "agency_unknown",
                "names no agency of the referral's region (content/agencies.yaml lists "
                "them)");
}

/* doc_with's callback: the date the referral was sent (its first commit),
 * or 0 when the core does not say.  The UTC date, the earlier of the two
 * calendars: from 19:00 UTC it is already the next day in Astana, and an
 * outcome dated by either calendar's today is no outcome before the
 * referral. */
typedef struct sent_seen {
    const kenes_api *api;
    int date;
} sent_seen;

static int look_at_sent(const kenes_doc *doc, void *arg)
{
    sent_seen *s = arg;
    long long ms;
    int y, m, d;
    const char *created = s->api->doc_get(doc, "created");
    if (created && s->api->time_parse(created, &ms) == 0) {
        s->api->date_of_ms(ms, &y, &m, &d);
        s->date = ymd(y, m, d);
    }
    return 0;
}

/* fields.outcome, which the agency records with `report`: a date (not
 * ahead of today, nor before the referral was sent), a result and,
 * optionally, what was done. */
static void check_outcome(chk_report *r, const kenes_doc *doc, const json_t *fields)
{
    static const char *const keys[] = {"date", "result", "text", NULL};
    const json_t *o = json_object_get(fields, "outcome");
    if (absent(o))
        return;
    if (!json_is_object(o)) {
        chk_problem(r, "fields.outcome", "not_object", "must be an object {date, result, text}");
        return;
    }
    chk_unknown_keys(r, o, "fields.outcome", keys,
                     "the outcome (expected date, result, text)");
    int date = date_at(r, json_object_get(o, "date"), "fields.outcome.date", 1);
    if (date && date > today(r->api))
        chk_problem(r, "fields.outcome.date", "date_in_future",
                    "must not be after today: the outcome is what was done");
    const char *self = r->api->doc_get(doc, "id");
    sent_seen sent = {.api = r->api};
    if (date && self && *self)
        r->api->doc_with(self, look_at_sent, &sent);
    if (date && sent.date && date < sent.date)
        chk_problem(r, "fields.outcome.date", "outcome_before_sent",
                    "must not be before the day the referral was sent");
    const json_t *res = json_object_get(o, "result");
    if (absent(res))
        chk_problem(r, "fields.outcome.result", "required", "is required: done, partly or "
                                                            "not-done");
    else if (!chk_one_of(results, json_string_value(res)))
        chk_problem(r, "fields.outcome.result", "not_in_list",
                    "must be one of done, partly, not-done");
    chk_text_at(r, json_object_get(o, "text"), "fields.outcome.text", 0, OUTCOME_MAX,
            "what was done");
}

static int validate(const kenes_api *api, const kenes_doc *doc, kenes_errors *errs)
{
    chk_report r = {.api = api, .errs = errs};
    chk_header_untitled(&r, doc);
    /* The page's heading and whatever it said would go to the agency with
     * no rule to judge it by: the referral says what it is by its fields. */
    if (api->doc_get(doc, "title"))
        chk_problem(&r, "title", "referral_title",
                    "must be left out: a referral is named by its case's pseudonym, its "
                    "agency and its due date");
    const json_t *fields = chk_fields(&r, doc);
    if (!fields)
        return KENES_EVALIDATION;
    static const char *const keys[] = {"case", "measure", "agency", "due", "pseudonym",
                                       "task", "outcome", NULL};
    chk_unknown_keys(&r, fields, "fields", keys,
                     "a referral (expected case, measure, agency, due, pseudonym, task, "
                     "outcome)");

    long long measure = -1;
    const json_t *m = json_object_get(fields, "measure");
    if (absent(m))
        chk_problem(&r, "fields.measure", "required", "is required: the number of the case's "
                                                      "measure");
    else if (!json_is_integer(m))
        chk_problem(&r, "fields.measure", "not_integer", "must be a whole number");
    else if (json_integer_value(m) < 1 || json_integer_value(m) > MEASURES_MAX)
        chk_problem(&r, "fields.measure", "out_of_range", "must be from 1 to %d", MEASURES_MAX);
    else
        measure = json_integer_value(m);

    const char *agency = chk_text_at(&r, json_object_get(fields, "agency"), "fields.agency", 1,
                                 AGENCY_MAX, "the agency's code");
    check_agency(&r, doc, agency);

    int due = date_at(&r, json_object_get(fields, "due"), "fields.due", 1);
    /* Sent with a due date already past, it would be overdue on arrival. */
    const char *self = api->doc_get(doc, "id");
    if (due && !(self && *self) && due < today(api))
        chk_problem(&r, "fields.due", "due_past",
                    "must not be before today: the agency needs the time to do it");

    const char *pseudonym = chk_text_at(&r, json_object_get(fields, "pseudonym"),
                                    "fields.pseudonym", 1, PSEUDONYM_MAX, "the child's "
                                                                          "pseudonym");
    const char *task = chk_text_at(&r, json_object_get(fields, "task"), "fields.task", 1,
                                   TASK_MAX, "what the agency is asked to do");
    check_against_case(&r, doc, fields, measure, pseudonym, task);
    check_outcome(&r, doc, fields);
    return chk_result(&r);
}

/* ---- guards ------------------------------------------------------------- */

/* `report` records the outcome: without one it would report nothing.  The
 * guard sees the outcome the action records; what its values must be is
 * validate's (check_outcome), which names the input at fault. */
static int outcome_recorded(const kenes_api *api, const kenes_doc *doc, const kenes_ctx *ctx,
                            kenes_errors *errs)
{
    (void)ctx;
    const json_t *o = json_object_get(api->doc_fields(doc), "outcome");
    if (json_is_object(o) && !absent(json_object_get(o, "result")) &&
        !absent(json_object_get(o, "date")))
        return 0;
    api->error_code(errs, NULL, "referral_outcome_missing",
                    "the outcome is required to report back (fields.outcome: date and result)");
    return KENES_EGUARD;
}

/* ---- the plugin --------------------------------------------------------- */

/* What the case's guard reads of its referrals (api->doc_each: which case
 * each names): the core keeps it in its index, not the referral's text. */
static const char *const index_fields[] = {"case", NULL};

/* referral.schema.yaml, built in by CMake (kenes_plugin_schema). */
extern const char kenes_schema_referral[];

static const kenes_doctype types[] = {
    {.name = RF_TYPE,
     .noun = "referral",
     .make_id = make_id,
     .validate = validate,
     .repository = "cases",
     .flags = KENES_DOCTYPE_CONFIDENTIAL,
     .summary = summary,
     .reports = NULL,
     .schema = kenes_schema_referral,
     .index_fields = index_fields},
    {0},
};

/* comment_required (decline, withdraw) comes from the common plugin. */
static const kenes_guard guards[] = {
    {.name = "outcome_recorded", .check = outcome_recorded},
    {0},
};

static kenes_plugin plugin = {.abi_version = KENES_ABI_VERSION,
                              .struct_size = sizeof(kenes_plugin),
                              .name = RF_TYPE,
                              .version = "0.1.0",
                              .types = types,
                              .guards = guards,
                              .fini = NULL};

/* Not SDK_PLUGIN: a referral reads its case (doc_with) and the region's
 * agencies (content), members appended after the ones the SDK asks for. */
int kenes_plugin_init(const kenes_api *api, kenes_plugin **out)
{
    if (!api || !out)
        return KENES_EINVAL;
    if (!KENES_API_HAS(api, content))
        return KENES_EABI;
    return sdk_plugin_init(api, out, &plugin);
}
