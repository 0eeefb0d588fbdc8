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
#include <stdlib.h>
#include <string.h>

#include "../common/check.h"
#include "identity.h"
#include "suppress.h"

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

/* Problems go to r (chk_problem; the core lists the first KENES_ERRORS_MAX
 * and loops stop once it is full); today is for the rules on past dates. */
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
        if (chk_full(&c->r))
            break;
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
        if (chk_full(&c->r))
            break;
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
        if (chk_full(&c->r))
            break;
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
        if (chk_full(&c->r))
            break;
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
    check c = {.r = {.api = api, .errs = errs}, .today = today(api)};

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
 * Cases have a part in reports/cases.md only, and there only as counts,
 * published per closed calendar month (UTC, the core's clock): the release
 * of a month is computed at the first publication after the month ends and
 * copied unchanged from the published file ever after (report_published),
 * so a case written today changes no published figure until its month
 * closes, and then only that month's release: nobody can difference two
 * versions of one figure.  What a month counts (see README, "Case
 * counts"): the cases created in it, by region, by ground and by their
 * stage at its end; the follow-up checks done in it, by outcome; the
 * checks due in it and not done in time, of cases not closed at its end.
 * Counts of 1 to 4 read "< 5", and suppress.c withholds further cells
 * ("скрыто") until no "< 5" can be worked out from the totals and the
 * other cells.  Nothing of a case's text, and no id, pseudonym, name,
 * school or date of a child, is ever written: the only text here is this
 * plugin's own and the regions' names.
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
static const char *const stages_ru[NSTAGES + 1] = {
    "Зарегистрировано", "На рассмотрении",    "План утверждён", "Сопровождение",
    "Запрошено закрытие", "Закрыто",          "Другие этапы",
};
static const char *const months_ru[12] = {
    "январь", "февраль", "март",     "апрель",  "май",    "июнь",
    "июль",   "август",  "сентябрь", "октябрь", "ноябрь", "декабрь",
};

/* The cells of one month's release, in the order suppress.c sees them. */
enum {
    CELL_REGION = 0,                           /* new cases, one per region */
    CELL_NEW = CELL_REGION + RPT_NREGIONS,     /* new cases in all */
    CELL_GROUND,                               /* new cases per ground */
    CELL_STAGE = CELL_GROUND + NGROUNDS,       /* new cases per stage at the month's end */
    CELL_OUTCOME = CELL_STAGE + NSTAGES + 1,   /* checks done, per outcome */
    CELL_DONE = CELL_OUTCOME + NOUTCOMES,      /* checks done in all */
    CELL_OVERDUE,                              /* checks due and not done in time */
    NCELLS
};

/* A month as one number, y * 12 + (m - 1). */
static int month_of(int y, int m)
{
    return y * 12 + m - 1;
}

static long long month_start_ms(int month)
{
    return chk_days_from_civil(month / 12, month % 12 + 1, 1) * 86400000LL;
}

static int month_of_ms(long long ms)
{
    int y, m, d;
    chk_date_of_ms(ms, &y, &m, &d);
    return month_of(y, m);
}

static int month_of_date(const kenes_api *api, const char *s, int *out_ymd)
{
    int y, m, d;
    if (!chk_is_date(api, s, &y, &m, &d))
        return -1;
    if (out_ymd)
        *out_ymd = ymd(y, m, d);
    return month_of(y, m);
}

/* When a case was created (its first version), or -1 if the core gave no
 * history. */
static long long created_ms(const json_t *history)
{
    const json_t *first = json_array_get(history, 0);
    return first ? (long long)json_integer_value(json_object_get(first, "time")) : -1;
}

/* Its stage at end_ms (exclusive), from its history; NULL if it did not
 * exist yet. */
static const char *stage_before(const json_t *history, long long end_ms)
{
    const char *stage = NULL;
    size_t i;
    const json_t *v;
    json_array_foreach(history, i, v) {
        if (json_integer_value(json_object_get(v, "time")) >= end_ms)
            break;
        stage = json_string_value(json_object_get(v, "to"));
    }
    return stage;
}

/* One case's part in the release of month (cells[] grows). */
static void count_case(const kenes_api *api, const kenes_doc *doc, const json_t *history,
                       int month, long *cells)
{
    long long start = month_start_ms(month), end = month_start_ms(month + 1);
    long long created = created_ms(history);
    if (created < 0 || created >= end)
        return; /* not yet a case in that month */

    const json_t *fields = api->doc_fields(doc);
    const char *stage = stage_before(history, end);
    size_t i;
    const json_t *v;
    if (created >= start) {
        int region = rpt_region_index(api->doc_get(doc, "region"));
        if (region >= 0)
            cells[CELL_REGION + region]++;
        cells[CELL_NEW]++;
        unsigned seen = 0;
        json_array_foreach(json_object_get(fields, "grounds"), i, v) {
            int k = chk_index_of(grounds_values, json_string_value(v));
            if (k >= 0 && !(seen & (1u << k))) {
                seen |= 1u << k;
                cells[CELL_GROUND + k]++;
            }
        }
        /* Where the month's new cases stood at its end.  Only these: the
         * stages of all cases, month after month, would difference to the
         * stage changes of each month, small ones included. */
        int st = chk_index_of(stages, stage);
        cells[CELL_STAGE + (st >= 0 ? st : NSTAGES)]++;
    }

    /* A closed case's checks are no longer anyone's to make: not overdue. */
    int open = !stage || strcmp(stage, "closed") != 0;
    json_array_foreach(json_object_get(fields, "follow_ups"), i, v) {
        int due = 0, done = 0;
        int k = chk_index_of(outcome_values, json_string_value(json_object_get(v, "outcome")));
        int done_month = month_of_date(api, json_string_value(json_object_get(v, "done")), &done);
        if (k >= 0 && done_month == month) {
            cells[CELL_OUTCOME + k]++;
            cells[CELL_DONE]++;
        }
        if (open && month_of_date(api, json_string_value(json_object_get(v, "due")), &due) == month &&
            (done_month < 0 || done > due))
            cells[CELL_OVERDUE]++;
    }
}

/* What a reader knows ties the cells together: the total of new cases is
 * the sum of the regions, and of the stages; each ground is given for at most every new case
 * and every new case has one (so their sum is at least the total); the
 * checks done in all are the sum of the outcomes. */
static int protect(sup_cell *cells)
{
    sup_term regions[RPT_NREGIONS + 1], grounds_sum[NGROUNDS + 1], ground_le[NGROUNDS][2],
        by_stage[NSTAGES + 2], outcomes[NOUTCOMES + 1];
    for (int i = 0; i < RPT_NREGIONS; i++)
        regions[i] = (sup_term){CELL_REGION + (size_t)i, 1};
    regions[RPT_NREGIONS] = (sup_term){CELL_NEW, -1};
    sup_relation rels[NGROUNDS + 4];
    size_t n = 0;
    rels[n++] = (sup_relation){SUP_EQ, regions, RPT_NREGIONS + 1};
    for (int k = 0; k <= NSTAGES; k++)
        by_stage[k] = (sup_term){CELL_STAGE + (size_t)k, 1};
    by_stage[NSTAGES + 1] = (sup_term){CELL_NEW, -1};
    rels[n++] = (sup_relation){SUP_EQ, by_stage, NSTAGES + 2};
    long sum = 0;
    for (int k = 0; k < NGROUNDS; k++) {
        ground_le[k][0] = (sup_term){CELL_GROUND + (size_t)k, 1};
        ground_le[k][1] = (sup_term){CELL_NEW, -1};
        rels[n++] = (sup_relation){SUP_LE, ground_le[k], 2};
        grounds_sum[k] = (sup_term){CELL_GROUND + (size_t)k, 1};
        sum += cells[CELL_GROUND + k].value;
    }
    grounds_sum[NGROUNDS] = (sup_term){CELL_NEW, -1};
    /* Only what is true: a case saved before grounds were required may
     * have none. */
    if (sum >= cells[CELL_NEW].value)
        rels[n++] = (sup_relation){SUP_GE, grounds_sum, NGROUNDS + 1};
    for (int k = 0; k < NOUTCOMES; k++)
        outcomes[k] = (sup_term){CELL_OUTCOME + (size_t)k, 1};
    outcomes[NOUTCOMES] = (sup_term){CELL_DONE, -1};
    rels[n++] = (sup_relation){SUP_EQ, outcomes, NOUTCOMES + 1};
    cells[CELL_NEW].total = cells[CELL_DONE].total = 1;
    return sup_protect(cells, NCELLS, rels, n);
}

/* A cell as published: the number, "< 5" or "скрыто". */
static void cell_text(char out[32], const sup_cell *c)
{
    if (c->state == SUP_SMALL)
        snprintf(out, 32, "< 5");
    else if (c->state == SUP_HIDDEN)
        snprintf(out, 32, "скрыто");
    else
        snprintf(out, 32, "%ld", c->value);
}

static void cell_row(const kenes_api *api, kenes_report *r, const char *label, const sup_cell *c)
{
    char text[32];
    cell_text(text, c);
    api->report_printf(r, "| %s | %s |\n", label, text);
}

/* The release of one closed month, computed now. */
static int write_month(const kenes_api *api, kenes_report *r, int month)
{
    long counts[NCELLS];
    memset(counts, 0, sizeof(counts));
    size_t n = api->report_count(r);
    for (size_t j = 0; j < n; j++)
        count_case(api, api->report_doc(r, j), api->report_doc_history(r, j), month, counts);
    sup_cell cells[NCELLS];
    memset(cells, 0, sizeof(cells));
    for (int i = 0; i < NCELLS; i++)
        cells[i].value = counts[i];
    int rc = protect(cells);
    if (rc < 0)
        return rc;

    api->report_printf(r, "### %04d-%02d: %s %04d г.\n\n", month / 12, month % 12 + 1,
                       months_ru[month % 12], month / 12);
    api->report_printf(r, "#### Новые дела по регионам\n\n| Регион | Дел |\n|---|---:|\n");
    char text[32];
    for (int i = 0; i < RPT_NREGIONS; i++) {
        cell_text(text, &cells[CELL_REGION + i]);
        api->report_printf(r, "| ");
        rpt_region_name(api, r, rpt_region_code(i));
        api->report_printf(r, " | %s |\n", text);
    }
    cell_row(api, r, "**Всего**", &cells[CELL_NEW]);

    api->report_printf(r, "\n#### Основания рассмотрения новых дел\n\n"
                          "У одного дела может быть несколько оснований.\n\n"
                          "| Основание | Дел |\n|---|---:|\n");
    for (int k = 0; k < NGROUNDS; k++)
        cell_row(api, r, grounds_ru[k], &cells[CELL_GROUND + k]);

    api->report_printf(r, "\n#### Этап новых дел на конец месяца\n\n"
                          "| Этап | Дел |\n|---|---:|\n");
    for (int k = 0; k < NSTAGES; k++)
        cell_row(api, r, stages_ru[k], &cells[CELL_STAGE + k]);
    if (cells[CELL_STAGE + NSTAGES].value)
        cell_row(api, r, stages_ru[NSTAGES], &cells[CELL_STAGE + NSTAGES]);

    api->report_printf(r, "\n#### Контрольные проверки, проведённые за месяц\n\n"
                          "| Результат проверки | Проверок |\n|---|---:|\n");
    for (int k = 0; k < NOUTCOMES; k++)
        cell_row(api, r, outcomes_ru[k], &cells[CELL_OUTCOME + k]);
    cell_row(api, r, "**Всего**", &cells[CELL_DONE]);

    cell_text(text, &cells[CELL_OVERDUE]);
    api->report_printf(r, "\n#### Просроченные контрольные проверки\n\n"
                          "Проверок со сроком в этом месяце, не проведённых в срок "
                          "(без дел, закрытых к концу месяца): %s.\n\n",
                       text);
    return 0;
}

/* A month's release as published before: the text from its "### YYYY-MM"
 * heading to the next heading of that level or above (or the end). */
typedef struct {
    int month;
    const char *text;
    size_t len;
} published_month;

#define MAX_PUBLISHED 2400 /* two centuries of months */

/* 1 and *month if line is a month's heading "### YYYY-MM...". */
static int month_heading(const char *line, int *month)
{
    if (strncmp(line, "### ", 4) != 0)
        return 0;
    const char *s = line + 4;
    for (int i = 0; i < 7; i++)
        if (i == 4 ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
            return 0;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0');
    if (m < 1 || m > 12)
        return 0;
    *month = month_of(y, m);
    return 1;
}

static size_t find_published(published_month *out, size_t cap, const char *text)
{
    size_t n = 0;
    for (const char *line = text; line && *line;) {
        int month;
        const char *next = strchr(line, '\n');
        next = next ? next + 1 : line + strlen(line);
        if (!month_heading(line, &month)) {
            line = next;
            continue;
        }
        const char *end = next;
        while (*end && !(end[0] == '#' && (strncmp(end, "### ", 4) == 0 ||
                                           strncmp(end, "## ", 3) == 0 || end[1] == ' '))) {
            const char *nl = strchr(end, '\n');
            end = nl ? nl + 1 : end + strlen(end);
        }
        if (n < cap)
            out[n++] = (published_month){month, line, (size_t)(end - line)};
        line = end;
    }
    return n;
}

static int report_cases(const kenes_api *api, kenes_report *r)
{
    published_month *old = malloc(MAX_PUBLISHED * sizeof(*old));
    if (!old)
        return KENES_ENOMEM;
    size_t nold = find_published(old, MAX_PUBLISHED, api->report_published(r));
    int rc = 0;

    /* Closed months: from the first with a case (or a release) to the last
     * that has ended. */
    int current = month_of_ms(api->now_ms());
    int first = current;
    size_t n = api->report_count(r);
    for (size_t j = 0; j < n; j++) {
        long long created = created_ms(api->report_doc_history(r, j));
        if (created >= 0 && month_of_ms(created) < first)
            first = month_of_ms(created);
    }
    int last = current - 1;
    for (size_t k = 0; k < nold; k++) {
        first = old[k].month < first ? old[k].month : first;
        last = old[k].month > last ? old[k].month : last;
    }
    if (last - first >= MAX_PUBLISHED)
        first = last - MAX_PUBLISHED + 1;

    api->report_printf(
        r, "## Дела и контрольные проверки по месяцам\n\n"
           "Сведения за каждый календарный месяц (по UTC) составляются один раз, после его "
           "окончания, и больше не меняются: дело, заведённое сегодня, войдёт только в сведения "
           "за текущий месяц, когда он закончится. Новые дела — заведённые в этом месяце "
           "(основания — как записаны, когда сведения составлены, этап — на конец месяца); "
           "проверки — проведённые в этом месяце, по дате проведения; просроченные — "
           "проверки со сроком в этом месяце, не проведённые в срок.\n\n"
           "Только обобщённые сведения: число от 1 до 4 показано как «< 5»; «скрыто» — число не "
           "публикуется, потому что по нему, итогам и другим числам таблицы можно было бы "
           "вычислить число «< 5». Ни имён, ни дат, ни номеров дел здесь нет.\n\n");
    if (last < first)
        api->report_printf(r, "Ни один месяц с делами ещё не закончился.\n\n");
    /* Newest first; a month published before is copied as it was. */
    for (int month = last; month >= first && rc == 0; month--) {
        size_t k = 0;
        while (k < nold && old[k].month != month)
            k++;
        if (k < nold) {
            api->report_printf(r, "%.*s", (int)old[k].len, old[k].text);
            continue;
        }
        if (month < current) /* never a month that has not ended */
            rc = write_month(api, r, month);
    }
    free(old);
    return rc;
}

/* The api members this report needs: up to report_published. */
#define REPORT_API_SIZE (offsetof(kenes_api, report_published) + sizeof(void *))

static int report(const kenes_api *api, kenes_report *r)
{
    if (!rpt_api_ok(api) || api->struct_size < REPORT_API_SIZE)
        return KENES_EABI;
    if (api->report_kind(r) == KENES_REPORT_CASES)
        return report_cases(api, r);
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
