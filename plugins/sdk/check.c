/* Checking what a plugin is given: see kenes_sdk.h. */
#include "kenes_sdk.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 1 once looking further is pointless: the core's collector lists no more
 * (KENES_ERRORS_MAX; it counts the rest and says there are more), or, with
 * no collector, one problem answers the question.  Loops over a document's
 * lists and keys stop here, so a 1 MiB list of bad items costs a hundred
 * steps, not a million. */
int chk_full(const chk_report *r)
{
    if (!r->errs)
        return r->count > 0;
    return r->api->errors_full(r->errs);
}

int chk_result(const chk_report *r)
{
    return r->count ? KENES_EVALIDATION : 0;
}

/* Report one problem at path with its code (the core bounds the list). */
void chk_problem(chk_report *r, const char *path, const char *code, const char *fmt, ...)
{
    r->count++;
    if (!r->errs)
        return;
    if (chk_full(r)) {
        /* counted, not listed: the answer says so */
        r->api->error_code(r->errs, path, code, "%s", "");
        return;
    }
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    r->api->error_code(r->errs, path, code, "%s", msg);
}

/* Index of s in the NULL-terminated list, or -1 (also for s NULL).  The
 * index is for callers that tally which values were seen (case-review's
 * grounds, each listed once). */
int chk_index_of(const char *const *list, const char *s)
{
    for (int i = 0; s && list[i]; i++)
        if (strcmp(list[i], s) == 0)
            return i;
    return -1;
}

/* 1 if s is one of the NULL-terminated list. */
int chk_one_of(const char *const *list, const char *s)
{
    return chk_index_of(list, s) >= 0;
}

size_t chk_append(char *out, size_t cap, size_t at, const char *s)
{
    if (at >= cap)
        return at;
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

void chk_path_key(char *out, size_t cap, const char *base, const char *key)
{
    if (!cap)
        return;
    size_t at = chk_append(out, cap, 0, base);
    at = chk_append(out, cap, at, ".");
    chk_append(out, cap, at, key);
}

void chk_path_index(char *out, size_t cap, const char *base, size_t i)
{
    char idx[32];
    snprintf(idx, sizeof(idx), "[%zu]", i);
    if (!cap)
        return;
    chk_append(out, cap, chk_append(out, cap, 0, base), idx);
}

/* Report each key of obj that is not in known, at "<base>.<key>". */
void chk_unknown_keys(chk_report *r, const json_t *obj, const char *base,
                                    const char *const *known, const char *what)
{
    const char *key;
    const json_t *value;
    json_object_foreach((json_t *)obj, key, value) {
        if (chk_full(r))
            break;
        if (chk_one_of(known, key))
            continue;
        char path[CHK_PATH_CAP];
        chk_path_key(path, sizeof(path), base, key);
        chk_problem(r, path, "unknown_key", "is not a field of %s", what);
    }
}

/* ---- text --------------------------------------------------------------- */

/* Length of the whitespace character at s, or 0.  Besides ASCII this
 * counts Unicode spaces (U+00A0, U+2000..U+200B, U+3000, ...): a comment
 * made of a no-break space is still no comment. */
size_t chk_space_len(const unsigned char *s)
{
    if (*s == ' ' || (*s >= '\t' && *s <= '\r'))
        return 1;
    if (s[0] == 0xC2 && (s[1] == 0x85 || s[1] == 0xA0))
        return 2; /* U+0085 NEL, U+00A0 NBSP */
    if (s[0] == 0xE1 && s[1] == 0x9A && s[2] == 0x80)
        return 3; /* U+1680 */
    if (s[0] == 0xE2 && s[1] == 0x80 &&
        ((s[2] >= 0x80 && s[2] <= 0x8B) || s[2] == 0xA8 || s[2] == 0xA9 || s[2] == 0xAF))
        return 3; /* U+2000..U+200B, U+2028, U+2029, U+202F */
    if (s[0] == 0xE2 && s[1] == 0x81 && (s[2] == 0x9F || s[2] == 0xA0))
        return 3; /* U+205F, U+2060 */
    if (s[0] == 0xE3 && s[1] == 0x80 && s[2] == 0x80)
        return 3; /* U+3000 */
    if (s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)
        return 3; /* U+FEFF */
    return 0;
}

int chk_blank(const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    while (*s) {
        size_t n = chk_space_len(s);
        if (!n)
            return 0;
        s += n;
    }
    return 1;
}

/* 1 if v (at path) is not non-blank text, and reported; what says what
 * belongs there. */
int chk_text(chk_report *r, const char *path, const json_t *v, const char *what)
{
    if (!v) {
        chk_problem(r, path, "required", "is required: %s", what);
        return 1;
    }
    const char *s = json_string_value(v);
    if (!s) {
        chk_problem(r, path, "not_text", "must be text: %s", what);
        return 1;
    }
    if (!r->api->utf8_valid(s, json_string_length(v))) {
        chk_problem(r, path, "not_utf8", "must be valid UTF-8 text");
        return 1;
    }
    if (chk_blank(s)) {
        chk_problem(r, path, "blank", "must not be blank: %s", what);
        return 1;
    }
    return 0;
}

/* ---- dates -------------------------------------------------------------- */

/* s has exactly the shape given, '9' standing for a digit. */
static int chk_shaped(const char *s, const char *shape)
{
    size_t i = 0;
    for (; shape[i]; i++)
        if (shape[i] == '9' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i])
            return 0;
    return s[i] == '\0';
}

/* A calendar date "YYYY-MM-DD": digits only (no sign, no spaces), then the
 * core says whether the day exists (*y, *m, *d may be NULL). */
int chk_is_date(const kenes_api *api, const char *s, int *y, int *m, int *d)
{
    return s && chk_shaped(s, "9999-99-99") && api->parse_date(s, y, m, d) == 0;
}

/* A quarter "YYYY-Qn", n 1 to 4, in the years the core takes dates for. */
int chk_is_quarter(const char *s)
{
    if (!s || !chk_shaped(s, "9999-Q9") || s[6] < '1' || s[6] > '4')
        return 0;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    return y >= 1900 && y <= 2200;
}

int chk_list(chk_report *r, const char *path, const json_t *v, const char *what,
             const char *items)
{
    if (json_is_array(v))
        return 0;
    if (!v)
        chk_problem(r, path, "required", "is required: %s", what);
    else
        chk_problem(r, path, "not_list", "must be a list of %s", items);
    return 1;
}

const json_t *chk_fields(chk_report *r, const kenes_doc *doc)
{
    const json_t *fields = r->api->doc_fields(doc);
    if (!json_is_object(fields)) {
        chk_problem(r, "fields", "not_object", "must be an object");
        return NULL;
    }
    return fields;
}

/* ---- a document's header ------------------------------------------------ */

/* region one of the 20.  Apart from chk_header for case-review, whose
 * title follows other rules. */
void chk_region(chk_report *r, const kenes_doc *doc)
{
    const char *region = r->api->doc_get(doc, "region");
    if (!region || !*region)
        chk_problem(r, "region", "required", "is required: a region code such as KZ-11");
    else if (!r->api->region_valid(region))
        /* The input is not echoed: it may be anything, of any length. */
        chk_problem(r, "region", "not_in_list", "is not one of the 20 region codes (KZ-10 to KZ-79)");
}

/* region one of the 20; title 1 to CHK_TITLE_MAX characters, not blank;
 * body (absent: empty) valid UTF-8 of at most CHK_BODY_MAX bytes. */
void chk_header(chk_report *r, const kenes_doc *doc)
{
    const kenes_api *api = r->api;
    chk_region(r, doc);

    const char *title = api->doc_get(doc, "title");
    if (!title) {
        chk_problem(r, "title", "required", "is required");
    } else if (!api->utf8_valid(title, strlen(title))) {
        chk_problem(r, "title", "not_utf8", "must be valid UTF-8 text");
    } else {
        size_t n = api->utf8_length(title);
        if (n < 1 || n > CHK_TITLE_MAX)
            chk_problem(r, "title", n < 1 ? "blank" : "too_long",
                        "must be 1 to %d characters long (it has %zu)", CHK_TITLE_MAX, n);
        else if (chk_blank(title))
            chk_problem(r, "title", "blank", "must not be blank");
    }

    const char *body = api->doc_get(doc, "body");
    if (body) {
        size_t len = strlen(body);
        if (len > CHK_BODY_MAX)
            chk_problem(r, "body", "too_long", "must be at most 256 KiB (it has %zu bytes)", len);
        else if (!api->utf8_valid(body, len))
            chk_problem(r, "body", "not_utf8", "must be valid UTF-8 text");
    }
}

/* chk_header for a type named by its fields (a meeting by its number, a
 * referral by its case): the title may be left out, but not be blank. */
void chk_header_untitled(chk_report *r, const kenes_doc *doc)
{
    chk_region(r, doc);
    const char *title = r->api->doc_get(doc, "title");
    if (title) {
        size_t len = strlen(title);
        if (!r->api->utf8_valid(title, len))
            chk_problem(r, "title", "not_utf8", "must be valid UTF-8 text");
        else if (r->api->utf8_length(title) > CHK_TITLE_MAX)
            chk_problem(r, "title", "too_long", "must be at most %d characters long, or left out",
                        CHK_TITLE_MAX);
        else if (chk_blank(title))
            chk_problem(r, "title", "blank", "must not be blank (leave it out instead)");
    }
    const char *body = r->api->doc_get(doc, "body");
    if (body) {
        size_t len = strlen(body);
        if (len > CHK_BODY_MAX)
            chk_problem(r, "body", "too_long", "must be at most 256 KiB");
        else if (!r->api->utf8_valid(body, len))
            chk_problem(r, "body", "not_utf8", "must be valid UTF-8 text");
    }
}

const char *chk_text_at(chk_report *r, const json_t *v, const char *path, int required,
                        size_t max, const char *what)
{
    if (!v || json_is_null(v)) {
        if (required)
            chk_problem(r, path, "required", "is required: %s", what);
        return NULL;
    }
    if (!json_is_string(v)) {
        chk_problem(r, path, "not_text", "must be text: %s", what);
        return NULL;
    }
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    if (strlen(s) != len || !r->api->utf8_valid(s, len)) {
        chk_problem(r, path, "not_utf8", "must be valid UTF-8 text");
        return NULL;
    }
    if (r->api->utf8_length(s) > max) {
        chk_problem(r, path, "too_long", "must be at most %zu characters long", max);
        return NULL;
    }
    if (required && chk_blank(s)) {
        chk_problem(r, path, "blank", "must not be blank: %s", what);
        return NULL;
    }
    return s;
}

/* ---- the approving act -------------------------------------------------- */

#define CHK_ACT_NUMBER_MAX 40

/* 0 if act is a valid {number, date}, else 1 with each problem reported
 * under fields.act. */
int chk_act(chk_report *r, const json_t *act)
{
    static const char *const keys[] = {"number", "date", NULL};
    int before = r->count;
    if (!json_is_object(act)) {
        chk_problem(r, "fields.act", "not_object", "must be an object {number, date}: the approving act");
        return 1;
    }
    const json_t *number = json_object_get(act, "number");
    if (chk_text(r, "fields.act.number", number, "the approving act's number") == 0) {
        /* A number ("№ 15-п"), not a sentence: it is shown in the part of a
         * public page that the server vouches for. */
        const char *n = json_string_value(number);
        size_t chars = 0;
        for (const char *p = n; *p; p++)
            chars += ((unsigned char)*p & 0xC0) != 0x80;
        if (chars > CHK_ACT_NUMBER_MAX || strpbrk(n, "\r\n\t"))
            chk_problem(r, "fields.act.number", "act_number",
                        "must be an act's number, one line of at most %d characters",
                        CHK_ACT_NUMBER_MAX);
    }
    const json_t *date = json_object_get(act, "date");
    int y, m, d, ty, tm, td;
    if (!chk_is_date(r->api, json_string_value(date), &y, &m, &d))
        chk_problem(r, "fields.act.date", date ? "not_date" : "required",
                    "%s the approving act's date, YYYY-MM-DD", date ? "must be" : "is required:");
    else if (KENES_API_HAS(r->api, today) &&
             (r->api->today(&ty, &tm, &td), y * 10000 + m * 100 + d > ty * 10000 + tm * 100 + td))
        /* A resolution is recorded once it is adopted, never ahead of it. */
        chk_problem(r, "fields.act.date", "date_in_future",
                    "must not be later than today: an act is recorded once it is adopted");
    chk_unknown_keys(r, act, "fields.act", keys, "an act (expected number, date)");
    return r->count != before;
}

/* fields.act: must be right whenever present, and present once the
 * document is in force.  Before that the approving transition's guard
 * (chk_act_recorded) is what asks for it: the approver records it with
 * `approve`, and an amendment's draft has none until its own approval. */
void chk_act_field(chk_report *r, const kenes_doc *doc, const json_t *fields,
                                 const char *noun)
{
    const json_t *act = json_object_get(fields, "act");
    if (act)
        chk_act(r, act);
    else if (sdk_doc_is(r->api, doc, "stage", "in-force"))
        chk_problem(r, "fields.act", "act_missing",
                    "is required once the %s is in force: the akimat's resolution "
                    "{number, date}",
                    noun);
}

int chk_finish(chk_report *r, const kenes_doc *doc, const json_t *fields, const char *noun,
               const char *const *known, const char *what)
{
    chk_act_field(r, doc, fields, noun);
    chk_unknown_keys(r, fields, "fields", known, what);
    return chk_result(r);
}

/* The body of an "act is recorded" guard: the akimat's approver records the
 * act with the approval (the workflow's records: [act]); the guard sees the
 * document with what was recorded, and refuses an approval that brought
 * none or a wrong one. */
int chk_act_recorded(const kenes_api *api, const kenes_doc *doc, kenes_errors *errs,
                                   const char *noun)
{
    chk_report quiet = {.api = api, .errs = NULL};
    if (chk_act(&quiet, json_object_get(api->doc_fields(doc), "act")) != 0) {
        api->error_code(errs, NULL, "act_missing",
                   "the akimat's resolution approving the %s (its number and date) must be "
                   "recorded with the approval",
                   noun);
        return KENES_EGUARD;
    }
    return 0;
}


int chk_fold(char **out, const kenes_api *api, const char *s, unsigned flags)
{
    *out = NULL;
    if (!s)
        return KENES_EINVAL;
    for (size_t cap = strlen(s) * 2 + 16;; cap *= 2) {
        char *buf = malloc(cap);
        if (!buf)
            return KENES_ENOMEM;
        int rc = api->text_fold(buf, cap, s, flags);
        if (rc == 0) {
            *out = buf;
            return 0;
        }
        free(buf);
        if (rc != KENES_ETOOBIG || cap > ((size_t)1 << 24))
            return rc == KENES_ETOOBIG ? KENES_ENOMEM : rc;
    }
}

/* ---- money ---------------------------------------------------------------- */

int chk_tenge(chk_report *r, const char *path, const json_t *v, const char *what)
{
    if (!v)
        chk_problem(r, path, "required", "is required: %s, a whole number of tenge", what);
    else if (!json_is_integer(v) || json_integer_value(v) < 0)
        chk_problem(r, path, "not_amount", "must be a whole number of tenge, 0 or more: %s",
                    what);
    else if (json_integer_value(v) > CHK_TENGE_MAX)
        chk_problem(r, path, "amount_too_big",
                    "must be at most 10 000 000 000 000 tenge (ten trillion): %s", what);
    else
        return 0;
    return 1;
}

int sdk_add(long long *sum, long long v)
{
    long long out;
    if (__builtin_add_overflow(*sum, v, &out))
        return KENES_ETOOBIG;
    *sum = out;
    return 0;
}
