/*
 * case-review: one child, one case.  The workflow (workflows/case-review.yaml)
 * says who moves a case between stages; this plugin says what a valid case
 * is, what its id is, what a list may show of it, what the cases report
 * counts (aggregates only), and provides the guards the workflow names
 * (accompanier_assigned, measure_has_due_date, follow_ups_recorded).
 *
 * A case names a child.  Three rules follow from that and shape this file:
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
 * Only <kenes/plugin.h>, jansson, libc and the plugins' own
 * ../common/check.h (static inline helpers shared with regional-plan and
 * commission-roster: the report of problems at their paths, unknown keys,
 * blank text, strict dates, the region and the header's limits):
 * everything else comes through the api table.  What a case judges
 * differently stays here: null as absent, optional and length-limited text,
 * an optional title that must not name the child, dates in the past.
 */
#include <kenes/plugin.h>

#include <stdio.h>
#include <string.h>

#include "../common/check.h"
#include "identity.h"

#define PLUGIN_NAME "case-review"

/* Title and body limits (CHK_TITLE_MAX, CHK_BODY_MAX) and the path buffer
 * (CHK_PATH_CAP) are those of every document type: see check.h. */
#define TEXT_SHORT 200         /* names, organisations, participants */
#define TEXT_LONG 10000        /* decisions, comments, next steps */
#define PSEUDONYM_MIN ID_PSEUDONYM_MIN
#define PSEUDONYM_MAX ID_PSEUDONYM_MAX

/* parse_date, uuid, now_ms and text_fold were appended to ABI 1; a table
 * without them cannot serve this plugin. */
#define API_SIZE_NEEDED (offsetof(kenes_api, text_fold) + sizeof(void *))

/* ---- small text helpers ------------------------------------------------- *
 *
 * Blank text (Unicode spaces included) is chk_blank and base.key is
 * chk_path_key, from check.h.  These two stay: check.h has no base[i], and
 * follow_ups_recorded strings several paths into one message.
 */

/* Append s to out[0..at) without cutting a UTF-8 sequence: paths end up in
 * JSON answers, and half a character is not valid JSON text. */
static size_t append(char *out, size_t cap, size_t at, const char *s)
{
    size_t n = strlen(s);
    if (at + n >= cap) {
        n = cap - at - 1;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(out + at, s, n);
    out[at + n] = '\0';
    return at + n;
}

/* base[i], in out of CHK_PATH_CAP bytes */
static void path_index(char *out, const char *base, size_t i)
{
    char idx[32];
    snprintf(idx, sizeof(idx), "[%zu]", i);
    size_t at = append(out, CHK_PATH_CAP, 0, base);
    append(out, CHK_PATH_CAP, at, idx);
}

/* ---- dates -------------------------------------------------------------- */

/* A date as one comparable number, 20120304. */
static int ymd(int y, int m, int d)
{
    return y * 10000 + m * 100 + d;
}

/* Today's date in UTC from the core's clock (which tests fix). */
static int today(const kenes_api *api)
{
    long long ms = api->now_ms();
    long long z = ms / 86400000;
    if (ms % 86400000 < 0)
        z--;
    /* Days since 1970-01-01 to a civil date (H. Hinnant's algorithm). */
    z += 719468;
    long long era = (z >= 0 ? z : z - 146096) / 146097;
    long long doe = z - era * 146097;
    long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long long mp = (5 * doy + 2) / 153;
    long long d = doy - (153 * mp + 2) / 5 + 1;
    long long m = mp < 10 ? mp + 3 : mp - 9;
    long long y = yoe + era * 400 + (m <= 2);
    return ymd((int)y, (int)m, (int)d);
}

/* ---- validation --------------------------------------------------------- */

/* Problems go to r (chk_problem, unlimited: a case lists every problem it
 * finds, as it always has); today is for the rules on past dates. */
typedef struct {
    chk_report r;
    int today; /* YYYYMMDD, UTC */
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
            chk_problem(&c->r, path, "is required: %s", what);
        return NULL;
    }
    if (!json_is_string(v)) {
        chk_problem(&c->r, path, "must be text: %s", what);
        return NULL;
    }
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    if (strlen(s) != len || !c->r.api->utf8_valid(s, len)) {
        chk_problem(&c->r, path, "must be valid UTF-8 text");
        return NULL;
    }
    if (c->r.api->utf8_length(s) > max) {
        chk_problem(&c->r, path, "must be at most %zu characters long", max);
        return NULL;
    }
    if (required && chk_blank(s)) {
        chk_problem(&c->r, path, "must not be blank: %s", what);
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
            chk_problem(&c->r, path, "is required: a date YYYY-MM-DD");
        return DATE_ABSENT;
    }
    int y, m, d;
    if (!chk_is_date(c->r.api, json_string_value(v), &y, &m, &d)) {
        chk_problem(&c->r, path, "must be a calendar date YYYY-MM-DD");
        return DATE_BAD;
    }
    *out = ymd(y, m, d);
    return DATE_OK;
}

static const char *const grounds_values[] = {"bullying-victim", "bullying-initiator", "offence",
                                             "truancy", "family", "other", NULL};
static const char *const outcome_values[] = {"effective", "partially-effective",
                                             "not-effective", "not-done", NULL};
static const char *const reason_values[] = {"goals-met", "moved-away", "came-of-age",
                                            "transferred", "other", NULL};

/* An optional object: NULL when absent, reported when not an object. */
static const json_t *object(check *c, const json_t *obj, const char *key, const char *path,
                            const char *shape)
{
    const json_t *v = json_object_get(obj, key);
    if (absent(v))
        return NULL;
    if (!json_is_object(v)) {
        chk_problem(&c->r, path, "must be an object %s", shape);
        return NULL;
    }
    return v;
}

/* An optional list: NULL when absent, reported when not a list. */
static const json_t *list(check *c, const json_t *obj, const char *key, const char *path,
                          const char *shape)
{
    const json_t *v = json_object_get(obj, key);
    if (absent(v))
        return NULL;
    if (!json_is_array(v)) {
        chk_problem(&c->r, path, "must be a list %s", shape);
        return NULL;
    }
    return v;
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
        chk_problem(&c->r, "fields.child",
                    "is required: {pseudonym, full_name, birth_date, address, school}");
        return;
    }
    if (!json_is_object(child)) {
        chk_problem(&c->r, "fields.child",
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
        chk_problem(&c->r, pp,
                    "is required: %d to %d letters A-Z, digits or hyphens, that do not name "
                    "the child",
                    PSEUDONYM_MIN, PSEUDONYM_MAX);
    } else if (!json_is_string(p)) {
        chk_problem(&c->r, pp, "must be text: %d to %d letters A-Z, digits or hyphens",
                    PSEUDONYM_MIN, PSEUDONYM_MAX);
    } else {
        const char *s = json_string_value(p);
        size_t len = json_string_length(p);
        if (len < PSEUDONYM_MIN || len > PSEUDONYM_MAX)
            chk_problem(&c->r, pp, "must be %d to %d characters long", PSEUDONYM_MIN,
                        PSEUDONYM_MAX);
        else if (strspn(s, ID_PSEUDONYM_CHARS) != len)
            chk_problem(&c->r, pp, "may hold only letters A-Z and a-z, digits and hyphens");
        else
            ct->pseudonym = s; /* judged once the rest of the child is known */
    }

    int born;
    if (date(c, child, "birth_date", "fields.child.birth_date", REQUIRED, &born) == DATE_OK) {
        if (born >= c->today)
            chk_problem(&c->r, "fields.child.birth_date", "must be a date in the past");
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
    const char *expected = "bullying-victim, bullying-initiator, offence, truancy, family, "
                           "other";
    if (absent(g)) {
        chk_problem(&c->r, "fields.grounds", "is required: a list of one or more of %s", expected);
        return;
    }
    if (!json_is_array(g) || json_array_size(g) == 0) {
        chk_problem(&c->r, "fields.grounds", "must be a non-empty list of %s", expected);
        return;
    }
    unsigned seen = 0;
    size_t i;
    const json_t *v;
    json_array_foreach(g, i, v) {
        char path[CHK_PATH_CAP];
        path_index(path, "fields.grounds", i);
        int k = chk_index_of(grounds_values, json_string_value(v));
        if (k < 0)
            chk_problem(&c->r, path, "must be one of %s", expected);
        else if (seen & (1u << k))
            chk_problem(&c->r, path, "repeats a ground listed before it");
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
        char path[CHK_PATH_CAP];
        path_index(path, "fields.meeting.participants", i);
        text_value(c, v, path, REQUIRED, TEXT_SHORT, "a participant's name");
    }
}

static void check_accompanier(check *c, const json_t *fields)
{
    static const char *const keys[] = {"name", "organisation", NULL};
    const json_t *a = object(c, fields, "accompanier", "fields.accompanier",
                             "{name, organisation}");
    if (!a)
        return;
    chk_unknown_keys(&c->r, a, "fields.accompanier", keys,
                     "the accompanying person (expected name, organisation)");
    text(c, a, "name", "fields.accompanier.name", OPTIONAL, TEXT_SHORT,
         "the accompanying person's name");
    text(c, a, "organisation", "fields.accompanier.organisation", OPTIONAL, TEXT_SHORT,
         "the accompanying person's organisation");
}

static void check_measures(check *c, const json_t *fields)
{
    static const char *const keys[] = {"what", "who", "due", NULL};
    const json_t *ms = list(c, fields, "measures", "fields.measures", "of {what, who, due}");
    size_t i;
    const json_t *m;
    json_array_foreach(ms, i, m) {
        char base[CHK_PATH_CAP], path[CHK_PATH_CAP];
        path_index(base, "fields.measures", i);
        if (!json_is_object(m)) {
            chk_problem(&c->r, base, "must be an object {what, who, due}");
            continue;
        }
        chk_unknown_keys(&c->r, m, base, keys, "a measure (expected what, who, due)");
        chk_path_key(path, sizeof(path), base, "what");
        text(c, m, "what", path, REQUIRED, TEXT_LONG, "what is to be done");
        chk_path_key(path, sizeof(path), base, "who");
        text(c, m, "who", path, OPTIONAL, TEXT_SHORT, "who does it");
        chk_path_key(path, sizeof(path), base, "due");
        int due;
        date(c, m, "due", path, OPTIONAL, &due);
    }
}

static void check_follow_ups(check *c, const json_t *fields)
{
    static const char *const keys[] = {"due", "done", "outcome", "next_steps", NULL};
    const json_t *fs = list(c, fields, "follow_ups", "fields.follow_ups",
                            "of {due, done, outcome, next_steps}");
    size_t i;
    const json_t *f;
    json_array_foreach(fs, i, f) {
        char base[CHK_PATH_CAP], path[CHK_PATH_CAP];
        path_index(base, "fields.follow_ups", i);
        if (!json_is_object(f)) {
            chk_problem(&c->r, base, "must be an object {due, done, outcome, next_steps}");
            continue;
        }
        chk_unknown_keys(&c->r, f, base, keys,
                         "a follow-up check (expected due, done, outcome, next_steps)");
        int due, done;
        chk_path_key(path, sizeof(path), base, "due");
        date(c, f, "due", path, REQUIRED, &due);
        chk_path_key(path, sizeof(path), base, "done");
        int has_done = date(c, f, "done", path, OPTIONAL, &done);
        if (has_done == DATE_OK && done > c->today)
            chk_problem(&c->r, path, "must not be in the future: the date the check was made");

        chk_path_key(path, sizeof(path), base, "outcome");
        const json_t *o = json_object_get(f, "outcome");
        if (!absent(o) && !chk_one_of(outcome_values, json_string_value(o)))
            chk_problem(&c->r, path,
                        "must be one of effective, partially-effective, not-effective, "
                        "not-done, or null while the check is not done");
        else if (!absent(o) && has_done == DATE_ABSENT)
            chk_problem(&c->r, path, "must be null while the check is not done (no done date)");
        else if (absent(o) && has_done == DATE_OK)
            chk_problem(&c->r, path,
                        "is required once the check is done: effective, "
                        "partially-effective, not-effective or not-done");

        chk_path_key(path, sizeof(path), base, "next_steps");
        text(c, f, "next_steps", path, OPTIONAL, TEXT_LONG, "what changes next");
    }
}

static void check_closure(check *c, const json_t *fields)
{
    static const char *const keys[] = {"reason", "comment", NULL};
    const json_t *cl = object(c, fields, "closure", "fields.closure", "{reason, comment}");
    if (!cl)
        return;
    chk_unknown_keys(&c->r, cl, "fields.closure", keys, "the closure (expected reason, comment)");
    const json_t *r = json_object_get(cl, "reason");
    if (!absent(r) && !chk_one_of(reason_values, json_string_value(r)))
        chk_problem(&c->r, "fields.closure.reason",
                    "must be one of goals-met, moved-away, came-of-age, transferred, other");
    text(c, cl, "comment", "fields.closure.comment", OPTIONAL, TEXT_LONG, "a comment");
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
        chk_problem(&c->r, "title", "must be valid UTF-8 text");
        return;
    }
    size_t n = c->r.api->utf8_length(title);
    int names = 0;
    if (n < 1 || n > CHK_TITLE_MAX)
        chk_problem(&c->r, "title", "must be 1 to %d characters long, or left out",
                    CHK_TITLE_MAX);
    else if (chk_blank(title))
        chk_problem(&c->r, "title", "must not be blank (leave it out instead)");
    else if (!child || id_judge_title(&names, child, title) != 0)
        chk_problem(&c->r, "title", "could not be compared with the child's name (out of "
                                    "memory): try again");
    else if (names)
        chk_problem(&c->r, "title", "must not contain the child's name or a part of it, "
                                    "in any spelling, joined or apart");
}

static int validate(const kenes_api *api, const kenes_doc *doc, kenes_errors *errs)
{
    check c = {.r = {.api = api, .errs = errs, .unlimited = 1}, .today = today(api)};

    /* The header piece by piece, not chk_header: the title follows other
     * rules (check_title) and is judged after the child, and the body's
     * message does not give its size. */
    chk_region(&c.r, doc);

    /* No body yet is an empty body. */
    const char *body = api->doc_get(doc, "body");
    if (body) {
        size_t len = strlen(body);
        if (len > CHK_BODY_MAX)
            chk_problem(&c.r, "body", "must be at most 256 KiB");
        else if (!api->utf8_valid(body, len))
            chk_problem(&c.r, "body", "must be valid UTF-8 text");
    }

    /* ABI 1 promises an object (empty when "fields" is missing or not an
     * object, so such a case fails on fields.child); refuse anything else
     * rather than trust it. */
    const json_t *fields = api->doc_fields(doc);
    if (!json_is_object(fields)) {
        chk_problem(&c.r, "fields", "must be an object");
        return KENES_EVALIDATION;
    }
    static const char *const keys[] = {"child",    "grounds",    "meeting", "decision",
                                       "accompanier", "measures", "follow_ups", "closure",
                                       NULL};
    chk_unknown_keys(&c.r, fields, "fields", keys,
                     "a case review (expected child, grounds, meeting, decision, accompanier, "
                     "measures, follow_ups, closure)");

    child_text ct;
    check_child(&c, fields, &ct);
    id_child *child = NULL;
    int rc = id_child_new(&child, api, ct.full_name, ct.birth_date, ct.address, ct.school);
    const char *why = NULL;
    if (ct.pseudonym && (rc != 0 || id_judge_pseudonym(&why, child, ct.pseudonym) != 0))
        why = "could not be compared with the rest of the child (out of memory): try again";
    if (why)
        chk_problem(&c.r, "fields.child.pseudonym", "%s", why);
    check_title(&c, doc, child);
    id_child_free(child);

    check_grounds(&c, fields);
    check_meeting(&c, fields);
    text(&c, fields, "decision", "fields.decision", OPTIONAL, TEXT_LONG, "the decision");
    check_accompanier(&c, fields);
    check_measures(&c, fields);
    check_follow_ups(&c, fields);
    check_closure(&c, fields);

    return c.r.count ? KENES_EVALIDATION : 0;
}

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
    int n = snprintf(out, cap, "case/%s/%s", region, uuid);
    if (n < 0 || (size_t)n >= cap)
        return KENES_ETOOBIG;
    return 0;
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
    api->error(errs, NULL, "no accompanying person is assigned: %s",
               no_name && no_org ? "fields.accompanier.name and .organisation are required"
               : no_name         ? "fields.accompanier.name is required"
                                 : "fields.accompanier.organisation is required");
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
    api->error(errs, NULL, "the plan needs at least one measure with a due date "
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
    int now = today(api);

    char missing[256];
    size_t at = 0, count = 0, listed = 0;
    missing[0] = '\0';
    size_t i;
    const json_t *f;
    json_array_foreach(json_object_get(fields, "follow_ups"), i, f) {
        int y, m, d;
        const char *due = json_string_value(json_object_get(f, "due"));
        if (!chk_is_date(api, due, &y, &m, &d) || ymd(y, m, d) > now)
            continue;
        if (chk_one_of(outcome_values, json_string_value(json_object_get(f, "outcome"))))
            continue;
        count++;
        if (listed < 5) {
            char path[CHK_PATH_CAP];
            path_index(path, "fields.follow_ups", i);
            at = append(missing, sizeof(missing), at, listed ? ", " : "");
            at = append(missing, sizeof(missing), at, path);
            listed++;
        }
    }
    const json_t *closure = json_object_get(fields, "closure");
    int no_reason = !chk_one_of(reason_values,
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
    api->error(errs, NULL, "closure cannot be requested yet: %s%s%s", checks,
               count && no_reason ? "; " : "",
               no_reason ? "the closure reason is required (fields.closure.reason)" : "");
    return KENES_EGUARD;
}

/* ---- report ------------------------------------------------------------- *
 *
 * Cases have a part in reports/cases.md only, and there only as counts:
 * cases by region (all 20), by ground, by stage; follow-up checks by
 * outcome; follow-up checks overdue.  Every count goes through
 * report_count_text (1 to 4 read "< 5").  Nothing of a case's text, and
 * no id, pseudonym, name, school or date of a child, is ever written: the
 * only text here is this plugin's own and the regions' names.
 */

#define NGROUNDS 6
#define NOUTCOMES 4
static const char *const grounds_ru[NGROUNDS] = {
    "Буллинг (пострадавший)", "Буллинг (инициатор)",     "Правонарушение",
    "Пропуски занятий",       "Семейное неблагополучие", "Другое",
};
static const char *const outcomes_ru[NOUTCOMES] = {
    "Меры эффективны",
    "Меры частично эффективны",
    "Меры неэффективны",
    "Меры не выполнены",
};
#define NSTAGES 6 /* workflows/case-review.yaml */
static const char *const stages[NSTAGES + 1] = {
    "registered",       "under-review",      "plan-approved",
    "in-accompaniment", "closure-requested", "closed",
    NULL,
};
static const char *const stages_ru[NSTAGES] = {
    "Зарегистрировано", "На рассмотрении",    "План утверждён",
    "Сопровождение",    "Запрошено закрытие", "Закрыто",
};

typedef struct {
    long regions[RPT_NREGIONS];
    long grounds[NGROUNDS];
    long outcomes[NOUTCOMES];
    long stages[NSTAGES + 1]; /* the last: a stage the workflow does not have */
    long overdue;
} case_counts;

static void count_case(const kenes_api *api, const kenes_doc *doc, int now, case_counts *c)
{
    int region = rpt_region_index(api->doc_get(doc, "region"));
    if (region >= 0)
        c->regions[region]++;

    const char *stage = api->doc_get(doc, "stage");
    int st = chk_index_of(stages, stage);
    c->stages[st >= 0 ? st : NSTAGES]++;

    const json_t *fields = api->doc_fields(doc);
    unsigned seen = 0;
    size_t i;
    const json_t *v;
    json_array_foreach(json_object_get(fields, "grounds"), i, v) {
        int k = chk_index_of(grounds_values, json_string_value(v));
        if (k >= 0 && !(seen & (1u << k))) {
            seen |= 1u << k;
            c->grounds[k]++;
        }
    }

    /* A closed case's checks are no longer anyone's to make: not overdue. */
    int open = !stage || strcmp(stage, "closed") != 0;
    json_array_foreach(json_object_get(fields, "follow_ups"), i, v) {
        int k = chk_index_of(outcome_values, json_string_value(json_object_get(v, "outcome")));
        if (k >= 0)
            c->outcomes[k]++;
        int y, m, d;
        const char *due = json_string_value(json_object_get(v, "due"));
        const char *done = json_string_value(json_object_get(v, "done"));
        if (open && chk_is_date(api, due, &y, &m, &d) && ymd(y, m, d) < now &&
            !chk_is_date(api, done, NULL, NULL, NULL))
            c->overdue++;
    }
}

/* "| label | count |" with the count as it may be published. */
static void count_row(const kenes_api *api, kenes_report *r, const char *label, long n)
{
    char text[16];
    api->report_count_text(text, n);
    api->report_printf(r, "| %s | %s |\n", label, text);
}

static void report_cases(const kenes_api *api, kenes_report *r)
{
    case_counts c;
    memset(&c, 0, sizeof(c));
    int now = today(api);
    size_t n = api->report_count(r);
    for (size_t j = 0; j < n; j++)
        count_case(api, api->report_doc(r, j), now, &c);

    char text[16];
    api->report_printf(r, "## Дела и контрольные проверки\n\n"
                          "Только обобщённые сведения: число от 1 до 4 показано как «< 5», "
                          "чтобы ни одного ребёнка нельзя было узнать. "
                          "По состоянию на %02d.%02d.%04d.\n\n",
                       now % 100, now / 100 % 100, now / 10000);

    api->report_printf(r, "### Дела по регионам\n\n| Регион | Дел |\n|---|---:|\n");
    for (int i = 0; i < RPT_NREGIONS; i++) {
        api->report_count_text(text, c.regions[i]);
        api->report_printf(r, "| ");
        rpt_region_name(api, r, rpt_region_code(i));
        api->report_printf(r, " | %s |\n", text);
    }

    api->report_printf(r, "\n### Дела по основаниям рассмотрения\n\n"
                          "У одного дела может быть несколько оснований.\n\n"
                          "| Основание | Дел |\n|---|---:|\n");
    for (int k = 0; k < NGROUNDS; k++)
        count_row(api, r, grounds_ru[k], c.grounds[k]);

    api->report_printf(r, "\n### Контрольные проверки по результатам\n\n"
                          "| Результат проверки | Проверок |\n|---|---:|\n");
    for (int k = 0; k < NOUTCOMES; k++)
        count_row(api, r, outcomes_ru[k], c.outcomes[k]);

    api->report_count_text(text, c.overdue);
    api->report_printf(r, "\n### Просроченные контрольные проверки\n\n"
                          "Проверок, срок которых прошёл, а отметки о проведении нет "
                          "(без закрытых дел): %s.\n\n",
                       text);

    api->report_printf(r, "### Дела по этапам\n\n| Этап | Дел |\n|---|---:|\n");
    for (int k = 0; k < NSTAGES; k++)
        count_row(api, r, stages_ru[k], c.stages[k]);
    if (c.stages[NSTAGES])
        count_row(api, r, "Другие этапы", c.stages[NSTAGES]);
    api->report_printf(r, "\n");
}

static int report(const kenes_api *api, kenes_report *r)
{
    if (!rpt_api_ok(api))
        return KENES_EABI;
    if (api->report_kind(r) == KENES_REPORT_CASES)
        report_cases(api, r);
    return 0; /* no part in the national and regional reports */
}

/* ---- the plugin --------------------------------------------------------- */

static const kenes_doctype types[] = {
    {.name = "case-review",
     .noun = "case review",
     .make_id = make_id,
     .validate = validate,
     .repository = "cases",
     .flags = KENES_DOCTYPE_CONFIDENTIAL,
     .summary = summary,
     .report = report},
    {0},
};

/* comment_required (reopen) comes from the common plugin. */
static const kenes_guard guards[] = {
    {.name = "accompanier_assigned", .check = accompanier_assigned},
    {.name = "measure_has_due_date", .check = measure_has_due_date},
    {.name = "follow_ups_recorded", .check = follow_ups_recorded},
    {0},
};

static kenes_plugin plugin = {
    .abi_version = KENES_ABI_VERSION,
    .struct_size = sizeof(kenes_plugin),
    .name = PLUGIN_NAME,
    .version = "0.1.0",
    .types = types,
    .guards = guards,
    .fini = NULL,
};

int kenes_plugin_init(const kenes_api *api, kenes_plugin **out)
{
    if (!api || !out)
        return KENES_EINVAL;
    if (api->abi_version != KENES_ABI_VERSION || api->struct_size < API_SIZE_NEEDED)
        return KENES_EABI;
    *out = &plugin;
    return 0;
}
