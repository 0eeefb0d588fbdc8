/*
 * What a valid commission meeting is (kenes_doctype.validate).  Every
 * problem is reported in one pass, each at its own path; no message repeats
 * a value it judges (a name, a case id, a child's view): messages reach
 * logs and answers, so they say where and which rule, nothing else.
 *
 * Two rules look at other documents through the api: who attended must be
 * on the region's approved roster (roster.c), and a case on the agenda
 * must be a case of the meeting's own region.  What the meeting needs
 * before it is recorded as held (a quorum, a decision and a vote on every
 * item) is the guards' (commission_meeting.c): a scheduled meeting has
 * neither yet.
 */
#include <kenes/plugin.h>

#include <stdlib.h>
#include <string.h>

#include "commission_meeting.h"
#include "kenes_sdk.h"

#define NUMBER_MAX 100000

int cm_today(const kenes_api *api)
{
    int y, m, d;
    api->today(&y, &m, &d);
    return y * 10000 + m * 100 + d;
}

int cm_date_of(const kenes_api *api, const json_t *fields)
{
    int y, m, d;
    if (!chk_is_date(api, json_string_value(json_object_get(fields, "date")), &y, &m, &d))
        return 0;
    return y * 10000 + m * 100 + d;
}

/* 1 if s (valid UTF-8) holds a character that shows nothing yet changes
 * what is compared: zero-width spaces and joiners, direction marks, the
 * soft hyphen, the byte order mark (Unicode's format characters, Cf). */
static int has_format_char(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned cp;
        size_t n;
        if (*p < 0x80) {
            cp = *p;
            n = 1;
        } else if ((*p & 0xe0) == 0xc0) {
            cp = *p & 0x1fu;
            n = 2;
        } else if ((*p & 0xf0) == 0xe0) {
            cp = *p & 0x0fu;
            n = 3;
        } else {
            cp = *p & 0x07u;
            n = 4;
        }
        for (size_t k = 1; k < n && p[k]; k++)
            cp = (cp << 6) | (p[k] & 0x3fu);
        if (cp == 0xad || cp == 0x61c || cp == 0x180e || (cp >= 0x200b && cp <= 0x200f) ||
            (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x2064) ||
            (cp >= 0x2066 && cp <= 0x206f) || cp == 0xfeff || (cp >= 0xfff9 && cp <= 0xfffb) ||
            (cp >= 0xe0000 && cp <= 0xe007f) || (cp >= 0x1d173 && cp <= 0x1d17a))
            return 1;
        for (size_t k = 0; k < n && *p; k++)
            p++;
    }
    return 0;
}

enum { OPTIONAL = 0, REQUIRED = 1 };

static int absent(const json_t *v)
{
    return !v || json_is_null(v);
}

static const char *text(chk_report *r, const json_t *obj, const char *key, const char *base,
                        int required, size_t max, const char *what)
{
    char path[CHK_PATH_CAP];
    chk_path_key(path, sizeof(path), base, key);
    return chk_text_at(r, json_object_get(obj, key), path, required, max, what);
}

/* obj[key], an object or a list: NULL when absent, reported when of
 * another type. */
static const json_t *shaped(chk_report *r, const json_t *obj, const char *key, const char *path,
                            json_type type, const char *shape)
{
    const json_t *v = json_object_get(obj, key);
    if (absent(v))
        return NULL;
    if (json_typeof(v) != type) {
        chk_problem(r, path, type == JSON_OBJECT ? "not_object" : "not_list", "must be %s %s",
                    type == JSON_OBJECT ? "an object" : "a list", shape);
        return NULL;
    }
    return v;
}

static void check_date(chk_report *r, const json_t *obj, const char *key, const char *path,
                       int required)
{
    const json_t *v = json_object_get(obj, key);
    if (absent(v)) {
        if (required)
            chk_problem(r, path, "required", "is required: a date YYYY-MM-DD");
        return;
    }
    if (!chk_is_date(r->api, json_string_value(v), NULL, NULL, NULL))
        chk_problem(r, path, "not_date", "must be a calendar date YYYY-MM-DD");
}

/* obj[key] a whole number from min to max: its value, or -1 when absent or
 * wrong (reported). */
static long long whole(chk_report *r, const json_t *obj, const char *key, const char *path,
                       int required, long long min, long long max, const char *what)
{
    const json_t *v = json_object_get(obj, key);
    if (absent(v)) {
        if (required)
            chk_problem(r, path, "required", "is required: %s", what);
        return -1;
    }
    if (!json_is_integer(v)) {
        chk_problem(r, path, "not_integer", "must be a whole number: %s", what);
        return -1;
    }
    long long n = json_integer_value(v);
    if (n < min || n > max) {
        chk_problem(r, path, "out_of_range", "must be from %lld to %lld", min, max);
        return -1;
    }
    return n;
}

/* A list of short texts (attendance, guests), each judged; *out the list
 * (NULL when absent or not a list).  Its length, or -1 without one. */
static long text_list(chk_report *r, const json_t *fields, const char *key, const char *what,
                      const json_t **out)
{
    char base[CHK_PATH_CAP];
    chk_path_key(base, sizeof(base), "fields", key);
    const json_t *list = shaped(r, fields, key, base, JSON_ARRAY, "of names");
    *out = list;
    if (!list)
        return -1;
    if (json_array_size(list) > CM_LIST_MAX) {
        chk_problem(r, base, "too_many", "must hold at most %d names", CM_LIST_MAX);
        *out = NULL;
        return -1;
    }
    size_t i;
    const json_t *v;
    json_array_foreach(list, i, v) {
        if (chk_full(r))
            break;
        char path[CHK_PATH_CAP];
        chk_path_index(path, sizeof(path), base, i);
        const char *s = chk_text_at(r, v, path, REQUIRED, CM_TEXT_SHORT, what);
        if (s && has_format_char(s))
            chk_problem(r, path, "invisible_char",
                        "must not hold invisible characters (zero-width spaces, direction "
                        "marks): type the name as it reads");
    }
    return (long)json_array_size(list);
}

/* ---- attendance against the roster --------------------------------------- */

/* Each name present must be a member of the region's approved roster, once. */
static void check_attendance(chk_report *r, const char *region, const json_t *list)
{
    size_t n = json_array_size(list);
    if (!n || !region || !r->api->region_valid(region))
        return;
    cm_roster roster;
    int loaded = cm_roster_load(&roster, r->api, region);
    if (loaded != 0) {
        chk_problem(r, "fields.attendance", "try_again",
                    loaded == KENES_ENOMEM
                        ? "could not be compared with the roster (out of memory): try again"
                        : "could not be compared with the roster (it cannot be read now): "
                          "try again");
        return;
    }
    if (!roster.found) {
        chk_problem(r, "fields.attendance", "roster_missing",
                    "the region has no approved commission roster to check attendance against");
        cm_roster_dispose(&roster);
        return;
    }
    long *seen = calloc(n, sizeof(long)); /* the member each name is, -1 if none */
    if (!seen) {
        chk_problem(r, "fields.attendance", "try_again",
                    "could not be compared with the roster (out of memory): try again");
        cm_roster_dispose(&roster);
        return;
    }
    for (size_t i = 0; i < n && !chk_full(r); i++) {
        seen[i] = -1;
        const json_t *v = json_array_get(list, i);
        const char *s = json_string_value(v);
        if (!s || strlen(s) != json_string_length(v) || !r->api->utf8_valid(s, strlen(s)) ||
            chk_blank(s) || r->api->utf8_length(s) > CM_TEXT_SHORT || has_format_char(s))
            continue; /* reported as text already */
        char path[CHK_PATH_CAP];
        chk_path_index(path, sizeof(path), "fields.attendance", i);
        char *folded;
        int rc = chk_fold(&folded, r->api, s, KENES_FOLD_WORDS);
        if (rc != 0) {
            if (rc == KENES_ENOMEM)
                chk_problem(r, path, "try_again",
                            "could not be compared with the roster (out of memory): try again");
            else
                chk_problem(r, path, "not_utf8", "must be valid UTF-8 text");
            continue;
        }
        seen[i] = cm_roster_find(&roster, folded);
        free(folded);
        if (seen[i] < 0) {
            chk_problem(r, path, "not_on_roster",
                        "names no member of the region's approved commission roster (full "
                        "names as the roster writes them)");
            continue;
        }
        for (size_t j = 0; j < i; j++)
            if (seen[j] == seen[i]) {
                chk_problem(r, path, "repeated", "names a member listed before");
                break;
            }
    }
    free(seen);
    cm_roster_dispose(&roster);
}

/* ---- the agenda ------------------------------------------------------------ */

static const char *const item_keys[] = {"kind",     "case",          "matter", "participants",
                                        "child_view", "decision",    "decision_text", "vote",
                                        NULL};
static const char *const participant_keys[] = {"notified", "child", "representative",
                                               "accompanier", NULL};
static const char *const vote_keys[] = {"for", "against", "abstained", NULL};
static const char *const kinds[] = {"case", "matter", NULL};
static const char *const decisions[] = {"approve-plan", "close", "continue", "other", NULL};

/* The case ids on the meeting's agenda as committed: a case named there
 * was judged when it was put on the agenda, and one erased since must not
 * stop the meeting's record from being edited. */
typedef struct saved_agenda {
    const kenes_api *api;
    json_t *cases; /* a list of ids (NULL for a new meeting) */
} saved_agenda;

static int copy_cases(const kenes_doc *doc, void *arg)
{
    saved_agenda *s = arg;
    s->cases = json_array();
    if (!s->cases)
        return KENES_ENOMEM;
    size_t i;
    const json_t *item;
    json_array_foreach(json_object_get(s->api->doc_fields(doc), "agenda"), i, item) {
        const json_t *c = json_object_get(item, "case");
        if (json_is_string(c) && json_array_append_new(s->cases, json_copy((json_t *)c)) != 0)
            return KENES_ENOMEM;
    }
    return 0;
}

static int on_saved_agenda(const json_t *saved, const char *id)
{
    size_t i;
    const json_t *c;
    json_array_foreach(saved, i, c)
        if (strcmp(json_string_value(c), id) == 0)
            return 1;
    return 0;
}

typedef struct case_check {
    const kenes_api *api;
    const char *region;
    int is_case, same_region;
} case_check;

static int look_at_case(const kenes_doc *doc, void *arg)
{
    case_check *c = arg;
    const char *type = c->api->doc_get(doc, "type");
    const char *region = c->api->doc_get(doc, "region");
    c->is_case = type && strcmp(type, CM_CASE_TYPE) == 0;
    c->same_region = region && strcmp(region, c->region) == 0;
    return 0;
}

/* item.case: a case of the meeting's region, once on the agenda. */
static void check_case_ref(chk_report *r, const char *region, const json_t *agenda, size_t i,
                           const json_t *item, const char *base, const json_t *saved)
{
    char path[CHK_PATH_CAP];
    chk_path_key(path, sizeof(path), base, "case");
    const char *kind = json_string_value(json_object_get(item, "kind"));
    int of_case = kind && strcmp(kind, "case") == 0;
    const json_t *v = json_object_get(item, "case");
    if (absent(v) || (json_is_string(v) && chk_blank(json_string_value(v)))) {
        if (of_case)
            chk_problem(r, path, "case_required", "is required on a case item: the case's id");
        return;
    }
    const char *id = json_string_value(v);
    if (!id) {
        chk_problem(r, path, "not_text", "must be text: a case's id");
        return;
    }
    for (size_t j = 0; j < i; j++) {
        const char *before = json_string_value(json_object_get(json_array_get(agenda, j), "case"));
        if (before && strcmp(before, id) == 0) {
            chk_problem(r, path, "case_twice", "names a case already on this agenda");
            return;
        }
    }
    if (!region || !r->api->region_valid(region))
        return; /* reported at region: no region to compare with */
    if (on_saved_agenda(saved, id))
        return; /* judged when it was put there; the meeting's region cannot change */
    case_check c = {.api = r->api, .region = region};
    int rc = strlen(id) == json_string_length(v) && strlen(id) < 256
                 ? r->api->doc_with(id, look_at_case, &c)
                 : KENES_ENOTFOUND;
    if (rc != 0 || !c.is_case)
        chk_problem(r, path, "case_unknown", "names no case review");
    else if (!c.same_region)
        chk_problem(r, path, "case_other_region",
                    "names a case of another region: a commission decides on its own "
                    "region's cases");
}

static void check_participants(chk_report *r, const json_t *item, const char *base)
{
    char at[CHK_PATH_CAP];
    chk_path_key(at, sizeof(at), base, "participants");
    const json_t *p = shaped(r, item, "participants", at, JSON_OBJECT,
                             "{notified, child, representative, accompanier}");
    if (!p)
        return;
    chk_unknown_keys(r, p, at, participant_keys,
                     "who took part (expected notified, child, representative, accompanier)");
    for (size_t k = 0; participant_keys[k]; k++) {
        const json_t *v = json_object_get(p, participant_keys[k]);
        if (absent(v) || json_is_boolean(v))
            continue;
        char path[CHK_PATH_CAP];
        chk_path_key(path, sizeof(path), at, participant_keys[k]);
        chk_problem(r, path, "not_boolean", "must be true or false");
    }
}

/* item.vote: whole numbers; with attendance known, they add up to it. */
static void check_vote(chk_report *r, const json_t *item, const char *base, long present)
{
    char at[CHK_PATH_CAP];
    chk_path_key(at, sizeof(at), base, "vote");
    const json_t *vote = shaped(r, item, "vote", at, JSON_OBJECT, "{for, against, abstained}");
    if (!vote)
        return;
    chk_unknown_keys(r, vote, at, vote_keys, "a vote (expected for, against, abstained)");
    long long sum = 0;
    int given = 0, bad = 0;
    for (size_t k = 0; vote_keys[k]; k++) {
        char path[CHK_PATH_CAP];
        chk_path_key(path, sizeof(path), at, vote_keys[k]);
        const json_t *v = json_object_get(vote, vote_keys[k]);
        long long n = whole(r, vote, vote_keys[k], path, OPTIONAL, 0, CM_VOTES_MAX,
                            "the number of members who voted so");
        if (n >= 0) {
            sum += n;
            given = 1;
        } else if (!absent(v)) {
            bad = 1;
        }
    }
    /* A vote left out counts as none; every member present votes one way. */
    if (given && !bad && present > 0 && sum != present)
        chk_problem(r, at, "vote_total",
                    "for, against and abstained must add up to the number of members present "
                    "(fields.attendance)");
}

static void check_agenda(chk_report *r, const json_t *fields, const char *region, long present,
                         const json_t *saved)
{
    const json_t *agenda = json_object_get(fields, "agenda");
    if (chk_list(r, "fields.agenda", absent(agenda) ? NULL : agenda,
                 "the agenda, one item or more", "agenda items {kind, case or matter, ...}"))
        return;
    if (json_array_size(agenda) == 0) {
        chk_problem(r, "fields.agenda", "too_few", "must hold one item or more");
        return;
    }
    if (json_array_size(agenda) > CM_LIST_MAX) {
        chk_problem(r, "fields.agenda", "too_many", "must hold at most %d items", CM_LIST_MAX);
        return;
    }
    size_t i;
    const json_t *item;
    json_array_foreach(agenda, i, item) {
        if (chk_full(r))
            break;
        char base[CHK_PATH_CAP], path[CHK_PATH_CAP];
        chk_path_index(base, sizeof(base), "fields.agenda", i);
        if (!json_is_object(item)) {
            chk_problem(r, base, "not_object", "must be an object {kind, case or matter, ...}");
            continue;
        }
        chk_unknown_keys(r, item, base, item_keys,
                         "an agenda item (expected kind, case, matter, participants, "
                         "child_view, decision, decision_text, vote)");
        chk_path_key(path, sizeof(path), base, "kind");
        const json_t *kind = json_object_get(item, "kind");
        const char *k = json_string_value(kind);
        if (absent(kind))
            chk_problem(r, path, "required", "is required: case or matter");
        else if (!chk_one_of(kinds, k))
            chk_problem(r, path, "not_in_list", "must be case or matter");

        check_case_ref(r, region, agenda, i, item, base, saved);

        chk_path_key(path, sizeof(path), base, "matter");
        const json_t *m = json_object_get(item, "matter");
        int is_matter = k && strcmp(k, "matter") == 0;
        if (is_matter && (absent(m) || (json_is_string(m) && chk_blank(json_string_value(m)))))
            chk_problem(r, path, "matter_required", "is required on an item that is no case: "
                                                    "what the commission discusses");
        else
            chk_text_at(r, m, path, OPTIONAL, CM_TEXT_MATTER, "what the commission discusses");

        check_participants(r, item, base);
        text(r, item, "child_view", base, OPTIONAL, CM_TEXT_LONG, "the child's own view");
        chk_path_key(path, sizeof(path), base, "decision");
        const json_t *d = json_object_get(item, "decision");
        if (!absent(d) && !chk_one_of(decisions, json_string_value(d)))
            chk_problem(r, path, "not_in_list", "must be one of approve-plan, close, continue, "
                                                "other");
        text(r, item, "decision_text", base, OPTIONAL, CM_TEXT_LONG, "the decision's wording");
        check_vote(r, item, base, present);
    }
}

/* ---- the resolution --------------------------------------------------------- */

static void check_resolution(chk_report *r, const json_t *fields)
{
    static const char *const keys[] = {"points", NULL};
    static const char *const point_keys[] = {"text", "executor", "due", NULL};
    const json_t *res = shaped(r, fields, "resolution", "fields.resolution", JSON_OBJECT,
                               "{points}");
    if (!res)
        return;
    chk_unknown_keys(r, res, "fields.resolution", keys, "the resolution (expected points)");
    const json_t *points = shaped(r, res, "points", "fields.resolution.points", JSON_ARRAY,
                                  "of {text, executor, due}");
    size_t i;
    const json_t *p;
    json_array_foreach(points, i, p) {
        if (chk_full(r))
            break;
        char base[CHK_PATH_CAP], path[CHK_PATH_CAP];
        chk_path_index(base, sizeof(base), "fields.resolution.points", i);
        if (!json_is_object(p)) {
            chk_problem(r, base, "not_object", "must be an object {text, executor, due}");
            continue;
        }
        chk_unknown_keys(r, p, base, point_keys,
                         "a point of the resolution (expected text, executor, due)");
        text(r, p, "text", base, REQUIRED, CM_TEXT_LONG, "what is resolved");
        text(r, p, "executor", base, REQUIRED, CM_TEXT_SHORT, "who carries it out");
        chk_path_key(path, sizeof(path), base, "due");
        check_date(r, p, "due", path, REQUIRED);
    }
}

/* ---- the id ------------------------------------------------------------------- */

/* The number and the year of the date are the meeting's id
 * (meeting/<region>/<YYYY>-<number>), and the resolution's number: once the
 * meeting exists, an edit may not make them say another. */
static void check_same_id(chk_report *r, const kenes_doc *doc, const json_t *fields,
                          long long number)
{
    const char *id = r->api->doc_get(doc, "id");
    const char *region = r->api->doc_get(doc, "region");
    int y;
    if (!id || !id[0] || !region || number < 1 ||
        !chk_is_date(r->api, json_string_value(json_object_get(fields, "date")), &y, NULL, NULL))
        return;
    char want[128];
    if (sdk_id_printf(want, sizeof(want), "meeting/%s/%04d-%lld", region, y, number) != 0 ||
        strcmp(want, id) != 0)
        chk_problem(r, "fields.number", "meeting_renumbered",
                    "the number and the date's year name the meeting (its id): they cannot "
                    "change once it is scheduled; schedule a new meeting instead");
}

int cm_validate(const kenes_api *api, const kenes_doc *doc, kenes_errors *errs)
{
    chk_report r = {.api = api, .errs = errs};
    chk_header_untitled(&r, doc);
    const json_t *fields = chk_fields(&r, doc);
    if (!fields)
        return KENES_EVALIDATION;
    static const char *const keys[] = {"number", "date", "place", "attendance", "guests",
                                       "agenda", "resolution", NULL};
    chk_unknown_keys(&r, fields, "fields", keys,
                     "a commission meeting (expected number, date, place, attendance, guests, "
                     "agenda, resolution)");
    long long number = whole(&r, fields, "number", "fields.number", REQUIRED, 1, NUMBER_MAX,
                             "the meeting's number in its year");
    check_date(&r, fields, "date", "fields.date", REQUIRED);
    /* Recorded as held (meeting_held checked the date then): an edit may
     * not move it ahead of today. */
    const char *stage = api->doc_get(doc, "stage");
    int date = cm_date_of(api, fields);
    if (stage && strcmp(stage, "scheduled") != 0 && date > cm_today(api))
        chk_problem(&r, "fields.date", "meeting_in_future",
                    "must not be after today once the meeting is recorded as held");
    check_same_id(&r, doc, fields, number);
    text(&r, fields, "place", "fields", REQUIRED, CM_TEXT_SHORT, "where the meeting is held");

    const json_t *attendance, *guests;
    long present = text_list(&r, fields, "attendance", "a member's full name", &attendance);
    check_attendance(&r, api->doc_get(doc, "region"), attendance);
    text_list(&r, fields, "guests", "a guest's name and organisation", &guests);

    saved_agenda saved = {.api = api};
    const char *id = api->doc_get(doc, "id");
    if (id && id[0]) {
        int rc = api->doc_with(id, copy_cases, &saved);
        if (rc != 0 && rc != KENES_ENOTFOUND)
            chk_problem(&r, "fields.agenda", "try_again",
                        "could not be compared with the meeting as recorded: try again");
    }
    check_agenda(&r, fields, api->doc_get(doc, "region"), present, saved.cases);
    json_decref(saved.cases);
    check_resolution(&r, fields);
    return chk_result(&r);
}
