/*
 * What a valid case is (kenes_doctype.validate of case-review).  Every
 * problem is reported in one pass, each at its own path; no message repeats
 * a value it judges (a name, a date, an address): messages reach logs and
 * answers, so they say where and which rule, nothing else.
 *
 * The SDK's checks serve where a case judges as every type does (unknown
 * keys, blank text, strict dates, the region).  What a case judges
 * differently stays here: null as absent, optional and length-limited text,
 * an optional title that must not name the child (identity.c), dates in
 * the past.
 */
#include <kenes/plugin.h>

#include <stdio.h>
#include <string.h>

#include "case_review.h"
#include "identity.h"
#include "kenes_sdk.h"

/* Title and body limits (CHK_TITLE_MAX, CHK_BODY_MAX) and the path buffer
 * (CHK_PATH_CAP) are those of every document type: see kenes_sdk.h. */
#define TEXT_SHORT 200         /* names, organisations, participants */
#define TEXT_LONG 10000        /* decisions, comments, next steps */
#define TRANSFER_REASON_MAX 2000 /* why a case goes to another region: a line or two */
#define LOGIN_MAX 64           /* a kenes login, as core/auth takes one */
#define PSEUDONYM_MIN ID_PSEUDONYM_MIN
#define PSEUDONYM_MAX ID_PSEUDONYM_MAX

int cr_ymd(int y, int m, int d)
{
    return y * 10000 + m * 100 + d;
}

int cr_today(const kenes_api *api)
{
    int y, m, d;
    api->today(&y, &m, &d);
    return cr_ymd(y, m, d);
}


/* Problems go to r (chk_problem; the core lists the first KENES_ERRORS_MAX
 * and loops stop once it is full); today is for the rules on past dates. */
typedef struct {
    chk_report r;
    int today; /* YYYYMMDD, UTC */
    /* The follow-ups of the case as last committed (a deep copy; NULL for a
     * new case): a check found there is not new, and the rules for new
     * checks (a measure named, not before the plan's approval) leave it be. */
    json_t *stored_checks;
    /* Its measures as committed (a deep copy; NULL for a new case): once the
     * commission approved them they stay as approved, and only a new or
     * moved due date is judged against today. */
    json_t *stored_measures;
    int approved_on; /* cr_ymd of the meeting that approved the plan, 0 for none */
} check;

enum { OPTIONAL = 0, REQUIRED = 1 };

/* 1 if v is absent, as missing keys and JSON null are for optional fields. */
static int absent(const json_t *v)
{
    return !v || json_is_null(v);
}

/* v as text of at most max characters.  NULL when absent (reported if
 * required) or wrong (reported).  Not chk_text: null counts as absent, text
 * may be optional (and then blank), and it has a length limit. */
static const char *text_value(check *c, const json_t *v, const char *path, int required,
                              size_t max, const char *what)
{
    if (absent(v)) {
        if (required)
            chk_problem(&c->r, path, "required", "is required: %s", what);
        return NULL;
    }
    if (!json_is_string(v)) {
        chk_problem(&c->r, path, "not_text", "must be text: %s", what);
        return NULL;
    }
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    if (strlen(s) != len || !c->r.api->utf8_valid(s, len)) {
        chk_problem(&c->r, path, "not_utf8", "must be valid UTF-8 text");
        return NULL;
    }
    if (c->r.api->utf8_length(s) > max) {
        chk_problem(&c->r, path, "too_long", "must be at most %zu characters long", max);
        return NULL;
    }
    if (required && chk_blank(s)) {
        chk_problem(&c->r, path, "blank", "must not be blank: %s", what);
        return NULL;
    }
    return s;
}

static const char *text(check *c, const json_t *obj, const char *key, const char *path,
                        int required, size_t max, const char *what)
{
    return text_value(c, json_object_get(obj, key), path, required, max, what);
}

enum { DATE_BAD = -1, DATE_ABSENT = 0, DATE_OK = 1 };

/* obj[key] as a date YYYY-MM-DD, as every document type reads one
 * (chk_is_date; a value that is not text reads as NULL, which it refuses).
 * *out = YYYYMMDD when DATE_OK, for the case's rules on past dates. */
static int date(check *c, const json_t *obj, const char *key, const char *path, int required,
                int *out)
{
    const json_t *v = json_object_get(obj, key);
    if (absent(v)) {
        if (required)
            chk_problem(&c->r, path, "required", "is required: a date YYYY-MM-DD");
        return DATE_ABSENT;
    }
    int y, m, d;
    if (!chk_is_date(c->r.api, json_string_value(v), &y, &m, &d)) {
        chk_problem(&c->r, path, "not_date", "must be a calendar date YYYY-MM-DD");
        return DATE_BAD;
    }
    *out = cr_ymd(y, m, d);
    return DATE_OK;
}

const char *const cr_grounds[CR_NGROUNDS + 1] = {
    "bullying-victim", "bullying-initiator", "offence",       "truancy",
    "family",          "suicide-risk",       "violence",      "neglect",
    "substance-use",   "running-away",       "online-risks",  "other",
    NULL};
const char *const cr_outcomes[CR_NOUTCOMES + 1] = {"effective", "partially-effective",
                                                   "not-effective", "not-done", NULL};
const char *const cr_reasons[] = {"goals-met", "moved-away", "came-of-age", "transferred",
                                  "other", NULL};

/* An optional value of one JSON type (an object or a list): NULL when
 * absent, reported when of another type. */
static const json_t *optional(check *c, const json_t *obj, const char *key, const char *path,
                              json_type type, const char *shape)
{
    const json_t *v = json_object_get(obj, key);
    if (absent(v))
        return NULL;
    if (json_typeof(v) != type) {
        chk_problem(&c->r, path, type == JSON_OBJECT ? "not_object" : "not_list", "must be %s %s",
                    type == JSON_OBJECT ? "an object" : "a list",
                    shape);
        return NULL;
    }
    return v;
}

static const json_t *object(check *c, const json_t *obj, const char *key, const char *path,
                            const char *shape)
{
    return optional(c, obj, key, path, JSON_OBJECT, shape);
}

static const json_t *list(check *c, const json_t *obj, const char *key, const char *path,
                          const char *shape)
{
    return optional(c, obj, key, path, JSON_ARRAY, shape);
}

/* What of fields.child is well-formed, to judge the pseudonym and the title
 * against (identity.h); NULL for what is missing or malformed. */
typedef struct {
    const char *pseudonym, *full_name, *birth_date, *address, *school;
} child_text;

/* fields.child, its well-formed parts into *ct. */
static void check_child(check *c, const json_t *fields, child_text *ct)
{
    static const char *const keys[] = {"pseudonym", "full_name", "birth_date", "address",
                                       "school", NULL};
    memset(ct, 0, sizeof(*ct));
    const json_t *child = json_object_get(fields, "child");
    if (absent(child)) {
        chk_problem(&c->r, "fields.child", "required",
                    "is required: {pseudonym, full_name, birth_date, address, school}");
        return;
    }
    if (!json_is_object(child)) {
        chk_problem(&c->r, "fields.child", "not_object",
                    "must be an object {pseudonym, full_name, birth_date, address, school}");
        return;
    }
    chk_unknown_keys(&c->r, child, "fields.child", keys,
                     "the child (expected pseudonym, full_name, birth_date, address, school)");

    ct->full_name = text(c, child, "full_name", "fields.child.full_name", REQUIRED, TEXT_SHORT,
                         "the child's full name");

    const json_t *p = json_object_get(child, "pseudonym");
    const char *pp = "fields.child.pseudonym";
    if (absent(p)) {
        chk_problem(&c->r, pp, "required",
                    "is required: %d to %d letters A-Z, digits or hyphens, that do not name "
                    "the child",
                    PSEUDONYM_MIN, PSEUDONYM_MAX);
    } else if (!json_is_string(p)) {
        chk_problem(&c->r, pp, "not_text", "must be text: %d to %d letters A-Z, digits or hyphens",
                    PSEUDONYM_MIN, PSEUDONYM_MAX);
    } else {
        const char *s = json_string_value(p);
        size_t len = json_string_length(p);
        if (len < PSEUDONYM_MIN || len > PSEUDONYM_MAX)
            chk_problem(&c->r, pp, "pseudonym_form", "must be %d to %d characters long", PSEUDONYM_MIN,
                        PSEUDONYM_MAX);
        else if (strspn(s, ID_PSEUDONYM_CHARS) != len)
            chk_problem(&c->r, pp, "pseudonym_form", "may hold only letters A-Z and a-z, digits and hyphens");
        else
            ct->pseudonym = s; /* judged once the rest of the child is known */
    }

    int born;
    if (date(c, child, "birth_date", "fields.child.birth_date", REQUIRED, &born) == DATE_OK) {
        if (born >= c->today)
            chk_problem(&c->r, "fields.child.birth_date", "date_not_past", "must be a date in the past");
        else
            ct->birth_date = json_string_value(json_object_get(child, "birth_date"));
    }

    ct->address = text(c, child, "address", "fields.child.address", OPTIONAL, TEXT_SHORT,
                       "an address");
    ct->school = text(c, child, "school", "fields.child.school", OPTIONAL, TEXT_SHORT,
                      "a school");
}

static void check_grounds(check *c, const json_t *fields)
{
    const json_t *g = json_object_get(fields, "grounds");
    /* Every ground the schema offers, from the one list the report counts. */
    char expected[400] = "";
    size_t at = 0;
    for (size_t k = 0; cr_grounds[k]; k++) {
        at = chk_append(expected, sizeof(expected), at, k ? ", " : "");
        at = chk_append(expected, sizeof(expected), at, cr_grounds[k]);
    }
    if (absent(g)) {
        chk_problem(&c->r, "fields.grounds", "required", "is required: a list of one or more of %s", expected);
        return;
    }
    if (!json_is_array(g) || json_array_size(g) == 0) {
        chk_problem(&c->r, "fields.grounds", json_is_array(g) ? "too_few" : "not_list",
                    "must be a non-empty list of %s", expected);
        return;
    }
    unsigned seen = 0;
    size_t i;
    const json_t *v;
    json_array_foreach(g, i, v) {
        if (chk_full(&c->r))
            break;
        char path[CHK_PATH_CAP];
        chk_path_index(path, sizeof(path), "fields.grounds", i);
        int k = chk_index_of(cr_grounds, json_string_value(v));
        if (k < 0)
            chk_problem(&c->r, path, "not_in_list", "must be one of %s", expected);
        else if (seen & (1u << k))
            chk_problem(&c->r, path, "repeated", "repeats a ground listed before it");
        else
            seen |= 1u << k;
    }
}

static void check_meeting(check *c, const json_t *fields)
{
    static const char *const keys[] = {"date", "participants", NULL};
    const json_t *m = object(c, fields, "meeting", "fields.meeting", "{date, participants}");
    if (!m)
        return;
    chk_unknown_keys(&c->r, m, "fields.meeting", keys,
                     "the meeting (expected date, participants)");
    int when;
    date(c, m, "date", "fields.meeting.date", OPTIONAL, &when);
    const json_t *ps = list(c, m, "participants", "fields.meeting.participants",
                            "of names");
    size_t i;
    const json_t *v;
    json_array_foreach(ps, i, v) {
        if (chk_full(&c->r))
            break;
        char path[CHK_PATH_CAP];
        chk_path_index(path, sizeof(path), "fields.meeting.participants", i);
        text_value(c, v, path, REQUIRED, TEXT_SHORT, "a participant's name");
    }
}

static void check_accompanier(check *c, const json_t *fields)
{
    static const char *const keys[] = {"name", "organisation", "user", NULL};
    const json_t *a = object(c, fields, "accompanier", "fields.accompanier",
                             "{name, organisation, user}");
    if (!a)
        return;
    chk_unknown_keys(&c->r, a, "fields.accompanier", keys,
                     "the accompanying person (expected name, organisation, user)");
    text(c, a, "name", "fields.accompanier.name", OPTIONAL, TEXT_SHORT,
         "the accompanying person's name");
    text(c, a, "organisation", "fields.accompanier.organisation", OPTIONAL, TEXT_SHORT,
         "the accompanying person's organisation");
    /* A kenes login, so that the checks coming due reach that person's
     * inbox (a login that names no one reaches no one). */
    text(c, a, "user", "fields.accompanier.user", OPTIONAL, LOGIN_MAX,
         "the accompanying person's kenes login");
}

/* 1 if v and w are the same value, absent and null alike. */
static int same_value(const json_t *v, const json_t *w)
{
    return absent(v) ? absent(w) : !absent(w) && json_equal(v, w);
}

/* The commission approved the plan's measures: what each is and by when
 * stay as approved (compared by place in the list; new measures may be
 * added after them).  Returns 1 if measure i (m, NULL when gone) differs
 * from the approved one, reported. */
static int measure_frozen(check *c, size_t i, const json_t *m, const char *base)
{
    if (!c->approved_on || i >= json_array_size(c->stored_measures))
        return 0;
    const json_t *s = json_array_get(c->stored_measures, i);
    if (m && json_is_object(s) &&
        same_value(json_object_get(s, "what"), json_object_get(m, "what")) &&
        same_value(json_object_get(s, "due"), json_object_get(m, "due")))
        return 0;
    chk_problem(&c->r, base, "measure_frozen",
                "is a measure the commission approved: what it is and its due date cannot "
                "change (add a new measure instead)");
    return 1;
}

/* 1 if measure i's due date is the one committed at that place: judged
 * against today when it was set, not again as time passes. */
static int stored_due(const check *c, size_t i, const json_t *m)
{
    const json_t *s = json_array_get(c->stored_measures, i);
    return json_is_object(s) && same_value(json_object_get(s, "due"), json_object_get(m, "due"));
}

static void check_measures(check *c, const json_t *fields)
{
    static const char *const keys[] = {"what", "who", "due", NULL};
    const json_t *ms = list(c, fields, "measures", "fields.measures", "of {what, who, due}");
    size_t i;
    const json_t *m;
    json_array_foreach(ms, i, m) {
        if (chk_full(&c->r))
            break;
        char base[CHK_PATH_CAP], path[CHK_PATH_CAP];
        chk_path_index(base, sizeof(base), "fields.measures", i);
        if (!json_is_object(m)) {
            chk_problem(&c->r, base, "not_object", "must be an object {what, who, due}");
            continue;
        }
        chk_unknown_keys(&c->r, m, base, keys, "a measure (expected what, who, due)");
        chk_path_key(path, sizeof(path), base, "what");
        text(c, m, "what", path, REQUIRED, TEXT_LONG, "what is to be done");
        chk_path_key(path, sizeof(path), base, "who");
        text(c, m, "who", path, OPTIONAL, TEXT_SHORT, "who does it");
        chk_path_key(path, sizeof(path), base, "due");
        int due;
        int frozen = measure_frozen(c, i, m, base);
        if (date(c, m, "due", path, OPTIONAL, &due) == DATE_OK && !frozen && due < c->today &&
            !stored_due(c, i, m))
            chk_problem(&c->r, path, "measure_due_past",
                        "must not be before today: a measure is planned ahead");
    }
    /* Measures the commission approved that are gone from the list. */
    size_t n = json_array_size(ms);
    for (size_t k = n; ms && k < json_array_size(c->stored_measures) && !chk_full(&c->r); k++) {
        char base[CHK_PATH_CAP];
        chk_path_index(base, sizeof(base), "fields.measures", k);
        measure_frozen(c, k, NULL, base);
    }
}

/* 1 if checks s and f are one check: the same due date and measure
 * (recording its outcome does not make it another). */
static int same_check(const json_t *s, const json_t *f)
{
    return json_is_object(s) && json_is_object(f) &&
           same_value(json_object_get(s, "due"), json_object_get(f, "due")) &&
           same_value(json_object_get(s, "measure"), json_object_get(f, "measure"));
}

/* The check as the case committed it, NULL for a new one. */
static const json_t *stored_check(const check *c, const json_t *f)
{
    size_t i;
    const json_t *s;
    json_array_foreach(c->stored_checks, i, s)
        if (same_check(s, f))
            return s;
    return NULL;
}

static size_t count_same(const json_t *list, const json_t *f)
{
    size_t i, n = 0;
    const json_t *g;
    json_array_foreach(list, i, g)
        n += same_check(g, f);
    return n;
}

/* Once the plan is approved, a check recorded in the case stays: removing
 * the one ahead would let a case close with no one having looked. */
static void check_none_removed(check *c, const json_t *fs)
{
    if (!c->approved_on)
        return;
    size_t i;
    const json_t *s;
    json_array_foreach(c->stored_checks, i, s)
        if (json_is_object(s) && count_same(fs, s) < count_same(c->stored_checks, s)) {
            chk_problem(&c->r, "fields.follow_ups", "check_removed",
                        "must keep every check recorded once the plan is approved (add a new "
                        "one instead of moving one)");
            return;
        }
}

/* fields.follow_ups[i].measure: the number (1-based) of the measure the
 * check is about, so that a measure is known to work only by a check of
 * it.  Required of new checks; those recorded before the rule came keep
 * their place. */
static void check_measure_named(check *c, const json_t *f, const char *base, long nmeasures,
                                int is_new)
{
    char path[CHK_PATH_CAP];
    chk_path_key(path, sizeof(path), base, "measure");
    const json_t *k = json_object_get(f, "measure");
    if (absent(k)) {
        if (is_new)
            chk_problem(&c->r, path, "required",
                        "is required: the number of the measure the check is about (1 for "
                        "the first)");
    } else if (!json_is_integer(k)) {
        chk_problem(&c->r, path, "not_integer", "must be a whole number: the measure's number");
    } else if (json_integer_value(k) < 1) {
        chk_problem(&c->r, path, "out_of_range", "must be 1 or more: the measure's number");
    } else if (nmeasures >= 0 && json_integer_value(k) > nmeasures) {
        chk_problem(&c->r, path, "measure_unknown",
                    "names no measure of this case (fields.measures has %ld)", nmeasures);
    }
}

static void check_follow_ups(check *c, const json_t *fields)
{
    static const char *const keys[] = {"due", "measure", "done", "outcome", "next_steps",
                                       NULL};
    const json_t *fs = list(c, fields, "follow_ups", "fields.follow_ups",
                            "of {due, measure, done, outcome, next_steps}");
    /* Measures that are no list were reported as such: no number is judged
     * against them. */
    const json_t *ms = json_object_get(fields, "measures");
    long nmeasures = absent(ms) ? 0 : json_is_array(ms) ? (long)json_array_size(ms) : -1;
    size_t i;
    const json_t *f;
    json_array_foreach(fs, i, f) {
        if (chk_full(&c->r))
            break;
        char base[CHK_PATH_CAP], path[CHK_PATH_CAP];
        chk_path_index(base, sizeof(base), "fields.follow_ups", i);
        if (!json_is_object(f)) {
            chk_problem(&c->r, base, "not_object",
                        "must be an object {due, measure, done, outcome, next_steps}");
            continue;
        }
        chk_unknown_keys(&c->r, f, base, keys,
                         "a follow-up check (expected due, measure, done, outcome, next_steps)");
        const json_t *was = stored_check(c, f);
        int is_new = !was;
        int due, done;
        chk_path_key(path, sizeof(path), base, "due");
        if (date(c, f, "due", path, REQUIRED, &due) == DATE_OK && is_new && c->approved_on &&
            due < c->approved_on)
            chk_problem(&c->r, path, "check_before_approval",
                        "must not be before the meeting that approved the plan: a check "
                        "follows the decision");
        check_measure_named(c, f, base, nmeasures, is_new);
        chk_path_key(path, sizeof(path), base, "done");
        int has_done = date(c, f, "done", path, OPTIONAL, &done);
        if (has_done == DATE_OK && done > c->today)
            chk_problem(&c->r, path, "date_in_future",
                        "must not be in the future: the date the check was made");
        else if (has_done == DATE_OK && c->approved_on && done < c->approved_on &&
                 !(was && same_value(json_object_get(was, "done"), json_object_get(f, "done"))))
            chk_problem(&c->r, path, "check_done_before_approval",
                        "must not be before the meeting that approved the plan: a check "
                        "looks at measures the commission decided");

        chk_path_key(path, sizeof(path), base, "outcome");
        const json_t *o = json_object_get(f, "outcome");
        if (!absent(o) && !chk_one_of(cr_outcomes, json_string_value(o)))
            chk_problem(&c->r, path, "not_in_list",
                        "must be one of effective, partially-effective, not-effective, "
                        "not-done, or null while the check is not done");
        else if (!absent(o) && has_done == DATE_ABSENT)
            chk_problem(&c->r, path, "outcome_before_done",
                        "must be null while the check is not done (no done date)");
        else if (absent(o) && has_done == DATE_OK)
            chk_problem(&c->r, path, "outcome_missing",
                        "is required once the check is done: effective, "
                        "partially-effective, not-effective or not-done");

        chk_path_key(path, sizeof(path), base, "next_steps");
        text(c, f, "next_steps", path, OPTIONAL, TEXT_LONG, "what changes next");
    }
    if (fs || absent(json_object_get(fields, "follow_ups")))
        check_none_removed(c, fs);
}

static void check_closure(check *c, const json_t *fields)
{
    static const char *const keys[] = {"reason", "comment", NULL};
    const json_t *cl = object(c, fields, "closure", "fields.closure", "{reason, comment}");
    if (!cl)
        return;
    chk_unknown_keys(&c->r, cl, "fields.closure", keys, "the closure (expected reason, comment)");
    const json_t *r = json_object_get(cl, "reason");
    if (!absent(r) && !chk_one_of(cr_reasons, json_string_value(r)))
        chk_problem(&c->r, "fields.closure.reason", "not_in_list",
                    "must be one of goals-met, moved-away, came-of-age, transferred, other");
    text(c, cl, "comment", "fields.closure.comment", OPTIONAL, TEXT_LONG, "a comment");
}

/* fields.transfer, recorded by the action `transfer` (workflows/
 * case-review.yaml, region_field transfer.to): the region the case goes to,
 * one the core knows and not the case's own, and why.  accept-transfer,
 * decline-transfer and withdraw-transfer clear it, so a case holds one only
 * while it is offered. */
static void check_transfer(check *c, const kenes_doc *doc, const json_t *fields)
{
    static const char *const keys[] = {"to", "reason", NULL};
    const json_t *t = object(c, fields, "transfer", "fields.transfer", "{to, reason}");
    if (!t)
        return;
    chk_unknown_keys(&c->r, t, "fields.transfer", keys, "a transfer (expected to, reason)");
    const json_t *to = json_object_get(t, "to");
    const char *region = c->r.api->doc_get(doc, "region");
    if (absent(to))
        chk_problem(&c->r, "fields.transfer.to", "required",
                    "is required: the region the case is transferred to");
    else if (!json_is_string(to) || !c->r.api->region_valid(json_string_value(to)))
        chk_problem(&c->r, "fields.transfer.to", "region_unknown",
                    "must be one of the regions' codes (content/regions.yaml)");
    else if (region && strcmp(region, json_string_value(to)) == 0)
        chk_problem(&c->r, "fields.transfer.to", "region_same",
                    "must be another region than the case's own");
    text(c, t, "reason", "fields.transfer.reason", REQUIRED, TRANSFER_REASON_MAX, "why the case is "
                                                                         "transferred");
}

/* Not chk_header's title: a case's title is optional (so the messages say
 * "or left out") and must not name the child. */
static void check_title(check *c, const kenes_doc *doc, const id_child *child)
{
    /* Optional: the core hands over a title that is missing or null as NULL. */
    const char *title = c->r.api->doc_get(doc, "title");
    if (!title)
        return;
    size_t len = strlen(title);
    if (!c->r.api->utf8_valid(title, len)) {
        chk_problem(&c->r, "title", "not_utf8", "must be valid UTF-8 text");
        return;
    }
    size_t n = c->r.api->utf8_length(title);
    int names = 0;
    if (n < 1 || n > CHK_TITLE_MAX)
        chk_problem(&c->r, "title", n < 1 ? "blank" : "too_long",
                    "must be 1 to %d characters long, or left out",
                    CHK_TITLE_MAX);
    else if (chk_blank(title))
        chk_problem(&c->r, "title", "blank", "must not be blank (leave it out instead)");
    else if (!child || id_judge_title(&names, child, title) != 0)
        chk_problem(&c->r, "title", "try_again", "could not be compared with the child's name (out of "
                                    "memory): try again");
    else if (names)
        chk_problem(&c->r, "title", "title_names_child",
                    "must not contain the child's name or a part of it, "
                                    "in any spelling, joined or apart");
}

/* doc_with's callback: the stored case's follow-ups and measures, copied
 * (the document is lent for the call only). */
static int copy_checks(const kenes_doc *doc, void *arg)
{
    check *c = arg;
    const json_t *fields = c->r.api->doc_fields(doc);
    const json_t *fs = json_object_get(fields, "follow_ups");
    const json_t *ms = json_object_get(fields, "measures");
    c->stored_checks = json_is_array(fs) ? json_deep_copy(fs) : NULL;
    c->stored_measures = json_is_array(ms) ? json_deep_copy(ms) : NULL;
    return (json_is_array(fs) && !c->stored_checks) || (json_is_array(ms) && !c->stored_measures)
               ? KENES_ENOMEM
               : 0;
}

/* What the rules for new checks compare with: the case as committed, and
 * the meeting that approved its plan.  A new case has neither. */
static int load_history(check *c, const kenes_doc *doc)
{
    const kenes_api *api = c->r.api;
    const char *id = api->doc_get(doc, "id");
    if (!id || !*id)
        return 0;
    if (!KENES_API_HAS(api, doc_with))
        return KENES_EINVAL;
    int rc = api->doc_with(id, copy_checks, c);
    if (rc != 0 && rc != KENES_ENOTFOUND)
        return rc;
    cr_decided dec;
    rc = cr_decisions(&dec, api, id, api->doc_get(doc, "region"));
    c->approved_on = dec.approved_on;
    return rc;
}

int cr_validate(const kenes_api *api, const kenes_doc *doc, kenes_errors *errs)
{
    check c = {.r = {.api = api, .errs = errs}, .today = cr_today(api)};

    /* The header piece by piece, not chk_header: the title follows other
     * rules (check_title) and is judged after the child, and the body's
     * message does not give its size. */
    chk_region(&c.r, doc);

    /* No body yet is an empty body. */
    const char *body = api->doc_get(doc, "body");
    if (body) {
        size_t len = strlen(body);
        if (len > CHK_BODY_MAX)
            chk_problem(&c.r, "body", "too_long", "must be at most 256 KiB");
        else if (!api->utf8_valid(body, len))
            chk_problem(&c.r, "body", "not_utf8", "must be valid UTF-8 text");
    }

    const json_t *fields = chk_fields(&c.r, doc); /* {} for none: fails on fields.child */
    if (!fields)
        return KENES_EVALIDATION;
    static const char *const keys[] = {"child",    "grounds",    "meeting", "decision",
                                       "accompanier", "measures", "follow_ups", "closure",
                                       "transfer", NULL};
    chk_unknown_keys(&c.r, fields, "fields", keys,
                     "a case review (expected child, grounds, meeting, decision, accompanier, "
                     "measures, follow_ups, closure, transfer)");

    child_text ct;
    check_child(&c, fields, &ct);
    id_child *child = NULL;
    int rc = id_child_new(&child, api, ct.full_name, ct.birth_date, ct.address, ct.school);
    const char *why = NULL;
    int failed = 0;
    if (ct.pseudonym && (rc != 0 || id_judge_pseudonym(&why, child, ct.pseudonym) != 0)) {
        why = "could not be compared with the rest of the child (out of memory): try again";
        failed = 1;
    }
    if (why)
        chk_problem(&c.r, "fields.child.pseudonym", failed ? "try_again" : "pseudonym_reveals",
                    "%s", why);
    check_title(&c, doc, child);
    id_child_free(child);

    check_grounds(&c, fields);
    check_meeting(&c, fields);
    text(&c, fields, "decision", "fields.decision", OPTIONAL, TEXT_LONG, "the decision");
    check_accompanier(&c, fields);
    if (load_history(&c, doc) != 0)
        chk_problem(&c.r, "fields.follow_ups", "try_again",
                    "could not be compared with the case as recorded and its meetings: "
                    "try again");
    check_measures(&c, fields);
    check_follow_ups(&c, fields);
    check_closure(&c, fields);
    check_transfer(&c, doc, fields);

    json_decref(c.stored_checks);
    json_decref(c.stored_measures);
    return chk_result(&c.r);
}

