/*
 * commission-meeting: a meeting of a region's commission on minors' affairs,
 * its agenda (children's cases by their ids, other matters), who attended,
 * each item's decision and vote, and the numbered resolution («постановление
 * № <number>») with its executors and deadlines.  The workflow
 * (workflows/commission-meeting.yaml): the secretary schedules and records
 * it, the chair signs; this plugin says what a valid meeting is
 * (validate.c), what its id and list entry are, and provides the guards
 * quorum_present and decisions_recorded.
 *
 * A meeting names children only through their cases' ids, but it records
 * who of the family came and the child's own views: it is sealed like a
 * case (repository "cases", confidential), and its list entry adds the date
 * and the number of agenda items, nothing typed.
 *
 * Only <kenes/plugin.h>, jansson, libc and the plugin SDK.
 */
#include <kenes/plugin.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commission_meeting.h"
#include "kenes_sdk.h"

/* ---- id and list entry -------------------------------------------------- */

/* meeting/<region>/<YYYY>-<number>: the year of its date, its number in
 * that year, as the resolution is numbered.  Nothing about a child. */
static int make_id(const kenes_api *api, const kenes_doc *doc, char *out, size_t cap)
{
    const json_t *fields = api->doc_fields(doc);
    const char *region = api->doc_get(doc, "region");
    const json_t *number = json_object_get(fields, "number");
    int y;
    if (!region || !api->region_valid(region) || !json_is_integer(number) ||
        !chk_is_date(api, json_string_value(json_object_get(fields, "date")), &y, NULL, NULL))
        return KENES_EINVAL;
    return sdk_id_printf(out, cap, "meeting/%s/%04d-%lld", region, y,
                         (long long)json_integer_value(number));
}

/* The date and how many items: what a list may show of a sealed meeting. */
static int summary(const kenes_api *api, const kenes_doc *doc, json_t *entry)
{
    const json_t *fields = api->doc_fields(doc);
    const char *date = json_string_value(json_object_get(fields, "date"));
    if (chk_is_date(api, date, NULL, NULL, NULL) &&
        json_object_set_new(entry, "date", json_string(date)) != 0)
        return KENES_ENOMEM;
    const json_t *agenda = json_object_get(fields, "agenda");
    if (json_is_array(agenda) &&
        json_object_set_new(entry, "items", json_integer((json_int_t)json_array_size(agenda))) !=
            0)
        return KENES_ENOMEM;
    return 0;
}

/* ---- guards ------------------------------------------------------------- */

/* More members of the approved roster present than the workflow's share
 * (params: quorum, "1/2" by default).  Counted against the roster as it is
 * now: a roster approved since the meeting was written counts. */
static int quorum_present(const kenes_api *api, const kenes_doc *doc, const kenes_ctx *ctx,
                          kenes_errors *errs)
{
    (void)ctx;
    cm_roster roster;
    int rc = cm_roster_load(&roster, api, api->doc_get(doc, "region"));
    if (rc != 0) {
        api->error_code(errs, NULL, "try_again",
                        rc == KENES_ENOMEM
                            ? "the quorum could not be counted (out of memory): try again"
                            : "the quorum could not be counted (the roster cannot be read "
                              "now): try again");
        return KENES_EGUARD;
    }
    const json_t *attendance = json_object_get(api->doc_fields(doc), "attendance");
    size_t n = json_array_size(attendance), present = 0;
    char *hit = calloc(roster.n ? roster.n : 1, 1);
    if (!hit) {
        cm_roster_dispose(&roster);
        api->error_code(errs, NULL, "try_again",
                        "the quorum could not be counted (out of memory): try again");
        return KENES_EGUARD;
    }
    for (size_t i = 0; i < n; i++) {
        const char *s = json_string_value(json_array_get(attendance, i));
        char *folded;
        if (!s || chk_fold(&folded, api, s, KENES_FOLD_WORDS) != 0)
            continue;
        long m = cm_roster_find(&roster, folded);
        free(folded);
        if (m >= 0 && !hit[m]) {
            hit[m] = 1;
            present++;
        }
    }
    free(hit);
    unsigned p, q;
    cm_quorum_share(api, &p, &q);
    size_t needed = cm_quorum_needed(roster.n, p, q);
    int found = roster.found;
    cm_roster_dispose(&roster);
    if (found && present >= needed)
        return 0;
    if (!found)
        api->error_code(errs, NULL, "quorum_missing",
                        "no quorum: the region has no approved commission roster to count "
                        "members present against");
    else
        api->error_code(errs, NULL, "quorum_missing",
                        "no quorum: %zu member%s of the approved roster present, %zu required "
                        "(fields.attendance)",
                        present, present == 1 ? "" : "s", needed);
    return KENES_EGUARD;
}

/* A meeting is recorded as held, and signed, on or after its date: one
 * dated ahead (a mistyped year) would decide a case's latest approval for
 * good. */
static int meeting_held(const kenes_api *api, const kenes_doc *doc, const kenes_ctx *ctx,
                        kenes_errors *errs)
{
    (void)ctx;
    int date = cm_date_of(api, api->doc_fields(doc));
    if (date && date <= cm_today(api))
        return 0;
    api->error_code(errs, NULL, "meeting_in_future",
                    "the meeting's date (fields.date) is after today: a meeting is recorded "
                    "once it was held");
    return KENES_EGUARD;
}

/* 1 if item has a vote: whole numbers, at least one member voting. */
static int voted(const json_t *item)
{
    const json_t *vote = json_object_get(item, "vote");
    static const char *const keys[] = {"for", "against", "abstained", NULL};
    json_int_t sum = 0;
    for (size_t k = 0; keys[k]; k++) {
        const json_t *v = json_object_get(vote, keys[k]);
        if (v && !json_is_integer(v))
            return 0;
        sum += v ? json_integer_value(v) : 0;
    }
    return sum > 0;
}

/* Every agenda item decided: a case item's decision, a matter's wording,
 * and each one's vote.  The refusal names the items, never what they say. */
static int decisions_recorded(const kenes_api *api, const kenes_doc *doc, const kenes_ctx *ctx,
                              kenes_errors *errs)
{
    (void)ctx;
    const json_t *agenda = json_object_get(api->doc_fields(doc), "agenda");
    static const char *const decisions[] = {"approve-plan", "close", "continue", "other", NULL};
    char missing[256] = "";
    size_t at = 0, count = 0, listed = 0;
    size_t i;
    const json_t *item;
    json_array_foreach(agenda, i, item) {
        const char *kind = json_string_value(json_object_get(item, "kind"));
        const char *text = json_string_value(json_object_get(item, "decision_text"));
        int decided = kind && strcmp(kind, "case") == 0
                          ? chk_one_of(decisions,
                                       json_string_value(json_object_get(item, "decision")))
                          : text && !chk_blank(text);
        if (decided && voted(item))
            continue;
        count++;
        if (listed < 5) {
            char path[CHK_PATH_CAP];
            chk_path_index(path, sizeof(path), "fields.agenda", i);
            at = chk_append(missing, sizeof(missing), at, listed ? ", " : "");
            at = chk_append(missing, sizeof(missing), at, path);
            listed++;
        }
    }
    if (json_array_size(agenda) && !count)
        return 0;
    char more[48] = "";
    if (count > listed)
        snprintf(more, sizeof(more), " and %zu more", count - listed);
    if (!count)
        api->error_code(errs, NULL, "decisions_missing",
                        "the meeting has no agenda item to decide on (fields.agenda)");
    else
        api->error_code(errs, NULL, "decisions_missing",
                        "%zu agenda item%s ha%s no decision or vote recorded (%s%s): a case "
                        "item needs its decision, any other its wording, each its vote",
                        count, count == 1 ? "" : "s", count == 1 ? "s" : "ve", missing, more);
    return KENES_EGUARD;
}

/* ---- the plugin --------------------------------------------------------- */

/* commission-meeting.schema.yaml, built in by CMake (kenes_plugin_schema). */
extern const char kenes_schema_commission_meeting[];

static const kenes_doctype types[] = {
    {.name = CM_TYPE,
     .noun = "commission meeting",
     .make_id = make_id,
     .validate = cm_validate,
     .repository = "cases",
     .flags = KENES_DOCTYPE_CONFIDENTIAL,
     .summary = summary,
     .reports = NULL,
     .schema = kenes_schema_commission_meeting},
    {0},
};

/* comment_required (return, cancel) comes from the common plugin. */
static const kenes_guard guards[] = {
    {.name = "meeting_held", .check = meeting_held},
    {.name = "quorum_present", .check = quorum_present},
    {.name = "decisions_recorded", .check = decisions_recorded},
    {0},
};

static kenes_plugin plugin = {.abi_version = KENES_ABI_VERSION,
                              .struct_size = sizeof(kenes_plugin),
                              .name = CM_TYPE,
                              .version = "0.1.0",
                              .types = types,
                              .guards = guards,
                              .fini = NULL};

/* Not SDK_PLUGIN: a meeting reads other documents (doc_each, doc_with) and
 * its workflow (param), members appended after the ones the SDK asks for. */
int kenes_plugin_init(const kenes_api *api, kenes_plugin **out)
{
    if (!api || !out)
        return KENES_EINVAL;
    if (!KENES_API_HAS(api, order_dates) || !KENES_API_HAS(api, text_fold))
        return KENES_EABI;
    return sdk_plugin_init(api, out, &plugin);
}
