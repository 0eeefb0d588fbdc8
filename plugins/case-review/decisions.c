/*
 * What the commission decided about a case, and the guards that move a case
 * by those decisions and by its checks:
 *
 *   plan_resolution_signed   the plan is approved at a meeting (approve-plan)
 *   close_resolution_signed  the case is closed at a meeting (close)
 *   check_scheduled          a check of the measures is scheduled
 *   closure_allowed          goals-met only once every measure was due and
 *                            its latest check found it effective
 *
 * A decision counts when a commission-meeting of the case's own region is
 * signed and one of its agenda items names the case and adopts the decision
 * (more votes for than against).  Meetings are read through api->doc_each:
 * confidential like cases, so what is read here decides an answer and is
 * never copied into a message.  Messages give numbers of measures and
 * checks, never what anyone typed.
 */
#include <kenes/plugin.h>

#include <stdio.h>
#include <string.h>

#include "case_review.h"
#include "kenes_sdk.h"

/* ---- the decisions of signed meetings ----------------------------------- */

typedef struct {
    const kenes_api *api;
    const char *id; /* the case */
    cr_decided *out;
} decided_walk;

static int same(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

/* 1 if (date, number) comes after the decision already kept: meetings of one
 * day are ordered by their number, which grows through the year. */
static int later(int date, long long number, int kept_date, long long kept_number)
{
    return date > kept_date || (date == kept_date && number > kept_number);
}

static int visit_meeting(const kenes_doc *m, void *arg)
{
    decided_walk *w = arg;
    const kenes_api *api = w->api;
    if (!sdk_doc_is(api, m, "stage", "signed"))
        return 0;
    const json_t *fields = api->doc_fields(m);
    int y, mo, d;
    if (!chk_is_date(api, json_string_value(json_object_get(fields, "date")), &y, &mo, &d))
        return 0;
    int date = cr_ymd(y, mo, d);
    long long number = json_integer_value(json_object_get(fields, "number"));
    size_t i;
    const json_t *item;
    json_array_foreach(json_object_get(fields, "agenda"), i, item) {
        const char *c = json_string_value(json_object_get(item, "case"));
        if (!same(json_string_value(json_object_get(item, "kind")), "case") || !same(c, w->id))
            continue;
        const json_t *vote = json_object_get(item, "vote");
        const json_t *yes = json_object_get(vote, "for"), *no = json_object_get(vote, "against");
        if (!json_is_integer(yes) || !json_is_integer(no) ||
            json_integer_value(yes) <= json_integer_value(no))
            continue; /* not adopted */
        const char *decision = json_string_value(json_object_get(item, "decision"));
        int what = same(decision, "approve-plan") ? CR_DECIDED_APPROVE
                   : same(decision, "close")      ? CR_DECIDED_CLOSE
                                                  : CR_DECIDED_NONE;
        if (what == CR_DECIDED_NONE)
            continue;
        cr_decided *o = w->out;
        if (later(date, number, o->date, o->number)) {
            o->last = what;
            o->date = date;
            o->number = number;
        }
        if (what == CR_DECIDED_APPROVE &&
            later(date, number, o->approved_on, o->approved_number)) {
            o->approved_on = date;
            o->approved_number = number;
        }
    }
    return 0;
}

int cr_decisions(cr_decided *out, const kenes_api *api, const char *id, const char *region)
{
    memset(out, 0, sizeof(*out));
    if (!id || !*id || !region)
        return 0; /* a case not yet created: no meeting can name it */
    if (!KENES_API_HAS(api, doc_each))
        return KENES_EINVAL; /* a core that cannot show meetings: nothing decided can be known */
    decided_walk w = {api, id, out};
    return api->doc_each(CR_MEETING_TYPE, region, visit_meeting, &w);
}

/* ---- the guards --------------------------------------------------------- */

static int resolution_signed(const kenes_api *api, const kenes_doc *doc, kenes_errors *errs,
                             int wanted)
{
    cr_decided dec;
    int rc = cr_decisions(&dec, api, api->doc_get(doc, "id"), api->doc_get(doc, "region"));
    if (rc == 0 && dec.last == wanted)
        return 0;
    const char *decision = wanted == CR_DECIDED_APPROVE ? "approve-plan" : "close";
    if (rc != 0)
        api->error_code(errs, NULL, "resolution_missing",
                        "the commission's meetings could not be read: try again");
    else if (dec.last != CR_DECIDED_NONE)
        api->error_code(errs, NULL, "resolution_missing",
                        "the commission's latest signed decision on this case is not %s: a "
                        "signed meeting must decide %s on it first",
                        decision, decision);
    else
        api->error_code(errs, NULL, "resolution_missing",
                        "no signed commission meeting of the case's region decides %s on this "
                        "case (an agenda item naming it, adopted by more votes for than "
                        "against)",
                        decision);
    return KENES_EGUARD;
}

/* Approving the plan is the commission's decision at a meeting, not the
 * chair's alone: the chair records what the signed resolution says. */
int cr_plan_resolution_signed(const kenes_api *api, const kenes_doc *doc, const kenes_ctx *ctx,
                              kenes_errors *errs)
{
    (void)ctx;
    return resolution_signed(api, doc, errs, CR_DECIDED_APPROVE);
}

int cr_close_resolution_signed(const kenes_api *api, const kenes_doc *doc, const kenes_ctx *ctx,
                               kenes_errors *errs)
{
    (void)ctx;
    return resolution_signed(api, doc, errs, CR_DECIDED_CLOSE);
}

/* The order asks that someone checks in practice how the measures work: a
 * plan is approved only with such a check ahead of it. */
int cr_check_scheduled(const kenes_api *api, const kenes_doc *doc, const kenes_ctx *ctx,
                       kenes_errors *errs)
{
    (void)ctx;
    int today = cr_today(api);
    size_t i;
    const json_t *f;
    json_array_foreach(json_object_get(api->doc_fields(doc), "follow_ups"), i, f) {
        int y, m, d;
        if (chk_is_date(api, json_string_value(json_object_get(f, "due")), &y, &m, &d) &&
            cr_ymd(y, m, d) > today)
            return 0;
    }
    api->error_code(errs, NULL, "check_not_scheduled",
                    "the plan needs a follow-up check due after today "
                    "(fields.follow_ups[].due)");
    return KENES_EGUARD;
}

/* Numbers (1-based) appended to a list "1, 3, 4", the first few only. */
typedef struct {
    char text[96];
    size_t at, n;
} numbers;

static void numbers_add(numbers *l, size_t k)
{
    if (l->n++ >= 8) {
        if (l->n == 9)
            l->at = chk_append(l->text, sizeof(l->text), l->at, ", ...");
        return;
    }
    char one[24];
    snprintf(one, sizeof(one), "%s%zu", l->n > 1 ? ", " : "", k);
    l->at = chk_append(l->text, sizeof(l->text), l->at, one);
}

/* A check's done date, or 0 when it has none. */
static int done_on(const kenes_api *api, const json_t *f)
{
    int y, m, d;
    return chk_is_date(api, json_string_value(json_object_get(f, "done")), &y, &m, &d)
               ? cr_ymd(y, m, d)
               : 0;
}

/* "goals-met" says the measures worked: each measure's term is over and the
 * latest check made of it says so; a check still pending may yet say
 * otherwise.  Other reasons (moved away, came of age...) close a case
 * whatever the checks found. */
int cr_closure_allowed(const kenes_api *api, const kenes_doc *doc, const kenes_ctx *ctx,
                       kenes_errors *errs)
{
    (void)ctx;
    const json_t *fields = api->doc_fields(doc);
    const char *reason =
        json_string_value(json_object_get(json_object_get(fields, "closure"), "reason"));
    if (!reason || strcmp(reason, "goals-met") != 0)
        return 0;

    int today = cr_today(api);
    const json_t *measures = json_object_get(fields, "measures");
    const json_t *checks = json_object_get(fields, "follow_ups");
    numbers not_due = {0}, not_effective = {0}, pending = {0};
    size_t i, j;
    const json_t *m, *f;
    json_array_foreach(checks, j, f)
        if (!json_is_string(json_object_get(f, "outcome")))
            numbers_add(&pending, j + 1);
    json_array_foreach(measures, i, m) {
        int y, mo, d;
        const char *due = json_string_value(json_object_get(m, "due"));
        if (chk_is_date(api, due, &y, &mo, &d) && cr_ymd(y, mo, d) > today)
            numbers_add(&not_due, i + 1);
        /* The latest done check of this measure; of checks done the same
         * day, the worse outcome (cr_outcomes runs from best to worst): the
         * order they are listed in must not decide. */
        const char *latest = NULL;
        int latest_on = 0;
        json_array_foreach(checks, j, f) {
            const json_t *k = json_object_get(f, "measure");
            int on = done_on(api, f);
            const char *outcome = json_string_value(json_object_get(f, "outcome"));
            if (!json_is_integer(k) || json_integer_value(k) != (json_int_t)(i + 1) || !on ||
                !outcome || on < latest_on)
                continue;
            if (on == latest_on && chk_index_of(cr_outcomes, outcome) <
                                       chk_index_of(cr_outcomes, latest))
                continue;
            latest = outcome;
            latest_on = on;
        }
        if (!latest || strcmp(latest, "effective") != 0)
            numbers_add(&not_effective, i + 1);
    }
    size_t nmeasures = json_is_array(measures) ? json_array_size(measures) : 0;
    if (nmeasures && !not_due.n && !not_effective.n && !pending.n)
        return 0;

    char why[400];
    size_t at = 0;
    why[0] = '\0';
    if (!nmeasures)
        at = chk_append(why, sizeof(why), at, "; the case has no measure to have met");
    if (not_due.n) {
        at = chk_append(why, sizeof(why), at, "; not yet due: measure ");
        at = chk_append(why, sizeof(why), at, not_due.text);
    }
    if (not_effective.n) {
        at = chk_append(why, sizeof(why), at,
                        "; the latest done check does not find effective: measure ");
        at = chk_append(why, sizeof(why), at, not_effective.text);
    }
    if (pending.n) {
        at = chk_append(why, sizeof(why), at, "; no outcome yet: check ");
        at = chk_append(why, sizeof(why), at, pending.text);
    }
    api->error_code(errs, NULL, "goals_not_met",
                    "the reason goals-met needs every measure past its due date and its latest "
                    "check effective (fields.follow_ups[].measure), or another reason%s",
                    why);
    return KENES_EGUARD;
}
