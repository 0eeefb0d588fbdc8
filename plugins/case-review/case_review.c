/*
 * case-review: one child, one case.  The workflow (workflows/case-review.yaml)
 * says who moves a case between stages; this plugin says what a valid case
 * is (validate.c), what its id is, what a list may show of it, what the
 * cases report counts (cases_report.c, aggregates only), and provides the
 * guards the workflow names (accompanier_assigned, measure_has_due_date,
 * follow_ups_recorded here; those about meetings and checks in decisions.c).
 *
 * A case names a child.  Three rules follow from that and shape the plugin:
 *  - no message ever repeats a value it judges (a name, a date, an
 *    address): messages reach logs and answers, so they say where (a path)
 *    and which rule, nothing else;
 *  - the id is server-chosen (case/<region>/<uuid>) and the list entry adds
 *    only the pseudonym, which must not give the child away (identity.c:
 *    the name, the birth date, the school's number, the address; the title
 *    is judged there too);
 *  - cases live in their own repository ("cases") and are flagged
 *    confidential, so the core keeps title, fields and body out of lists.
 *
 * Only <kenes/plugin.h>, jansson, libc and the plugin SDK (plugins/sdk,
 * linked in): everything else comes through the api table.
 */
#include <kenes/plugin.h>

#include <stdio.h>
#include <string.h>

#include "case_review.h"
#include "identity.h"
#include "kenes_sdk.h"

#define PSEUDONYM_MIN ID_PSEUDONYM_MIN
#define PSEUDONYM_MAX ID_PSEUDONYM_MAX

/* ---- id and list entry -------------------------------------------------- */

/* case/<region>/<uuid>: chosen by the server, once, at create.  Nothing in
 * it comes from the child. */
static int make_id(const kenes_api *api, const kenes_doc *doc, char *out, size_t cap)
{
    const char *region = api->doc_get(doc, "region");
    if (!region || !api->region_valid(region))
        return KENES_EINVAL;
    char uuid[37];
    api->uuid(uuid);
    return sdk_id_printf(out, cap, "case/%s/%s", region, uuid);
}

static int pseudonym_well_formed(const char *s)
{
    size_t len = s ? strlen(s) : 0;
    return len >= PSEUDONYM_MIN && len <= PSEUDONYM_MAX && strspn(s, ID_PSEUDONYM_CHARS) == len;
}

static const char *child_string(const json_t *child, const char *key)
{
    return json_string_value(json_object_get(child, key));
}

/* The pseudonym and nothing else: a list is seen by more eyes than a case.
 * Judged again by the rules that cost nothing (its shape, digits and
 * dates, the birth date, the school's and the address's numbers): a case
 * stored before those rules came is listed without a pseudonym that breaks
 * them.  The name was refused in pseudonyms before, and street words cost a
 * fold per case. */
static int summary(const kenes_api *api, const kenes_doc *doc, json_t *entry)
{
    const json_t *child = json_object_get(api->doc_fields(doc), "child");
    const char *p = child_string(child, "pseudonym");
    if (!pseudonym_well_formed(p))
        return 0; /* never list something that may not be a pseudonym */
    id_child *c;
    int rc = id_child_new_for_list(&c, api, child_string(child, "birth_date"),
                                   child_string(child, "address"), child_string(child, "school"));
    const char *why = NULL;
    if (rc == 0)
        rc = id_judge_pseudonym(&why, c, p);
    id_child_free(c);
    if (rc != 0 || why)
        return rc;
    if (json_object_set_new(entry, "pseudonym", json_string(p)) != 0)
        return KENES_ENOMEM;
    return 0;
}

/* ---- guards ------------------------------------------------------------- */

static int accompanier_assigned(const kenes_api *api, const kenes_doc *doc,
                                const kenes_ctx *ctx, kenes_errors *errs)
{
    (void)ctx;
    const json_t *a = json_object_get(api->doc_fields(doc), "accompanier");
    const char *name = json_string_value(json_object_get(a, "name"));
    const char *org = json_string_value(json_object_get(a, "organisation"));
    int no_name = !name || chk_blank(name), no_org = !org || chk_blank(org);
    if (!no_name && !no_org)
        return 0;
    api->error_code(errs, NULL, "accompanier_missing", "no accompanying person is assigned: %s",
               no_name && no_org ? "fields.accompanier.name and .organisation are required"
               : no_name         ? "fields.accompanier.name is required"
                                 : "fields.accompanier.organisation is required");
    return KENES_EGUARD;
}

/* A transfer must name where the case goes: a transition whose fields did
 * not change is not validated again, so a transfer sent without any would
 * otherwise wait for a region nobody can act for. */
static int transfer_named(const kenes_api *api, const kenes_doc *doc, const kenes_ctx *ctx,
                          kenes_errors *errs)
{
    (void)ctx;
    const json_t *t = json_object_get(api->doc_fields(doc), "transfer");
    const char *to = json_string_value(json_object_get(t, "to"));
    if (to && api->region_valid(to))
        return 0;
    api->error_code(errs, NULL, "transfer_missing",
                    "fields.transfer.to is required: the region the case goes to");
    return KENES_EGUARD;
}

/* The referrals of one case an agency still works on. */
typedef struct open_referrals {
    const kenes_api *api;
    const char *case_id;
    size_t count;
} open_referrals;

static int count_open(const kenes_doc *doc, void *arg)
{
    static const char *const open[] = {"sent", "accepted", NULL};
    open_referrals *o = arg;
    const char *of = json_string_value(json_object_get(o->api->doc_fields(doc), "case"));
    if (of && strcmp(of, o->case_id) == 0 && chk_one_of(open, o->api->doc_get(doc, "stage")))
        o->count++;
    return 0;
}

/* A case is not transferred while an agency of its region works on one of
 * its referrals (sent or accepted, plugins/referral): the other region's
 * commission could not read them, and the agency would go on working for a
 * child no longer its region's.  The chair withdraws them or waits for the
 * reports first.  The message gives their count, nothing of them. */
static int referrals_settled(const kenes_api *api, const kenes_doc *doc, const kenes_ctx *ctx,
                             kenes_errors *errs)
{
    (void)ctx;
    const char *id = api->doc_get(doc, "id");
    if (!id || !*id)
        return 0;
    open_referrals o = {.api = api, .case_id = id};
    int rc = KENES_API_HAS(api, doc_each)
                 ? api->doc_each(CR_REFERRAL_TYPE, api->doc_get(doc, "region"), count_open, &o)
                 : KENES_EINVAL;
    if (rc != 0) {
        api->error_code(errs, NULL, "try_again",
                        "the case's referrals could not be looked at: try again");
        return KENES_EGUARD;
    }
    if (!o.count)
        return 0;
    api->error_code(errs, NULL, "referrals_open",
                    "%zu referral%s of this case %s still open (sent or accepted): withdraw "
                    "%s or wait for the agencies' reports before transferring the case",
                    o.count, o.count == 1 ? "" : "s", o.count == 1 ? "is" : "are",
                    o.count == 1 ? "it" : "them");
    return KENES_EGUARD;
}

static int measure_has_due_date(const kenes_api *api, const kenes_doc *doc,
                                const kenes_ctx *ctx, kenes_errors *errs)
{
    (void)ctx;
    const json_t *ms = json_object_get(api->doc_fields(doc), "measures");
    size_t i;
    const json_t *m;
    json_array_foreach(ms, i, m) {
        const char *due = json_string_value(json_object_get(m, "due"));
        if (chk_is_date(api, due, NULL, NULL, NULL))
            return 0;
    }
    api->error_code(errs, NULL, "measure_due_missing",
                    "the plan needs at least one measure with a due date "
                    "(fields.measures[].due)");
    return KENES_EGUARD;
}

/* A case may be closed only when every check that fell due has been
 * recorded, and the reason for closing is given. */
static int follow_ups_recorded(const kenes_api *api, const kenes_doc *doc,
                               const kenes_ctx *ctx, kenes_errors *errs)
{
    (void)ctx;
    const json_t *fields = api->doc_fields(doc);
    int now = cr_today(api);

    char missing[256];
    size_t at = 0, count = 0, listed = 0;
    missing[0] = '\0';
    size_t i;
    const json_t *f;
    json_array_foreach(json_object_get(fields, "follow_ups"), i, f) {
        int y, m, d;
        const char *due = json_string_value(json_object_get(f, "due"));
        if (!chk_is_date(api, due, &y, &m, &d) || cr_ymd(y, m, d) > now)
            continue;
        if (chk_one_of(cr_outcomes, json_string_value(json_object_get(f, "outcome"))))
            continue;
        count++;
        if (listed < 5) {
            char path[CHK_PATH_CAP];
            chk_path_index(path, sizeof(path), "fields.follow_ups", i);
            at = chk_append(missing, sizeof(missing), at, listed ? ", " : "");
            at = chk_append(missing, sizeof(missing), at, path);
            listed++;
        }
    }
    const json_t *closure = json_object_get(fields, "closure");
    int no_reason = !chk_one_of(cr_reasons,
                                json_string_value(json_object_get(closure, "reason")));
    if (!count && !no_reason)
        return 0;

    char more[48] = "";
    if (count > listed)
        snprintf(more, sizeof(more), " and %zu more", count - listed);
    char checks[400] = "";
    if (count)
        snprintf(checks, sizeof(checks),
                 "%zu follow-up check%s due by today ha%s no outcome (%s%s)", count,
                 count == 1 ? "" : "s", count == 1 ? "s" : "ve", missing, more);
    api->error_code(errs, NULL,
                    count && no_reason ? "closure_not_ready"
                    : count            ? "follow_ups_missing"
                                       : "closure_reason_missing",
                    "closure cannot be requested yet: %s%s%s", checks,
               count && no_reason ? "; " : "",
               no_reason ? "the closure reason is required (fields.closure.reason)" : "");
    return KENES_EGUARD;
}

/* ---- the plugin --------------------------------------------------------- */

/* No part in the national and regional reports. */
static const kenes_report_section reports[] = {
    {KENES_REPORT_CASES, cr_report_cases},
    {0, NULL},
};

/* What the cases report reads of every case (cases_report.c) and nothing
 * more: the core keeps these in its index, not the case's text. */
static const char *const index_fields[] = {"grounds", "follow_ups[].due", "follow_ups[].done",
                                           "follow_ups[].outcome", NULL};

/* case-review.schema.yaml, built in by CMake (kenes_plugin_schema). */
extern const char kenes_schema_case_review[];

static const kenes_doctype types[] = {
    {.name = CR_TYPE,
     .noun = "case review",
     .make_id = make_id,
     .validate = cr_validate,
     .repository = "cases",
     .flags = KENES_DOCTYPE_CONFIDENTIAL,
     .summary = summary,
     .reports = reports,
     .schema = kenes_schema_case_review,
     .index_fields = index_fields},
    {0},
};

/* comment_required (reopen) comes from the common plugin. */
static const kenes_guard guards[] = {
    {.name = "accompanier_assigned", .check = accompanier_assigned},
    {.name = "transfer_named", .check = transfer_named},
    {.name = "referrals_settled", .check = referrals_settled},
    {.name = "measure_has_due_date", .check = measure_has_due_date},
    {.name = "follow_ups_recorded", .check = follow_ups_recorded},
    {.name = "plan_resolution_signed", .check = cr_plan_resolution_signed},
    {.name = "close_resolution_signed", .check = cr_close_resolution_signed},
    {.name = "check_scheduled", .check = cr_check_scheduled},
    {.name = "closure_allowed", .check = cr_closure_allowed},
    {0},
};

SDK_PLUGIN(CR_TYPE, "0.1.0", types, guards)
