/*
 * Helpers that document-type plugins share to check what they are given:
 * one report of every problem at its path, text that must not be blank
 * (Unicode spaces included), strict dates, the header of a document
 * (region, title, body) and the approving act {number, date}; for the
 * report sections, the 20 regions, dates and times, stage names and the
 * act, written through the api's report functions.
 *
 * A header of static inline functions built on <kenes/plugin.h> alone, so
 * each plugin stays one self-contained shared object: nothing here is
 * linked or exported, nothing of the core is seen.  Include it as
 * "../common/check.h".
 *
 * Messages never repeat the values they judge: they reach logs and answers.
 */
#ifndef KENES_PLUGINS_CHECK_H
#define KENES_PLUGINS_CHECK_H

#include <kenes/plugin.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define CHK_PATH_CAP 160
#define CHK_TITLE_MAX 200         /* code points */
#define CHK_BODY_MAX (256 * 1024) /* bytes */

/* The kenes_api up to parse_date, the last member used here (appended to
 * ABI 1): the core may hand us a larger table, never a smaller one. */
#define CHK_API_SIZE (offsetof(kenes_api, parse_date) + sizeof(void *))
/* A table with errors_full (appended to ABI 1 later). */
#define CHK_API_FULL_SIZE (offsetof(kenes_api, errors_full) + sizeof(void *))

/* ---- reporting ---------------------------------------------------------- */

typedef struct chk_report {
    const kenes_api *api;
    kenes_errors *errs; /* NULL: only count (a guard asking "is it valid?") */
    int count;          /* problems found, listed or not */
} chk_report;

/* 1 once looking further is pointless: the core's collector lists no more
 * (KENES_ERRORS_MAX; it counts the rest and says there are more), or, with
 * no collector, one problem answers the question.  Loops over a document's
 * lists and keys stop here, so a 1 MiB list of bad items costs a hundred
 * steps, not a million. */
static inline int chk_full(const chk_report *r)
{
    if (!r->errs)
        return r->count > 0;
    return r->api->struct_size >= CHK_API_FULL_SIZE && r->api->errors_full(r->errs);
}

/* Report one problem at path (the core bounds the list). */
__attribute__((format(printf, 3, 4))) static inline void
chk_problem(chk_report *r, const char *path, const char *fmt, ...)
{
    r->count++;
    if (!r->errs)
        return;
    if (chk_full(r)) {
        r->api->error(r->errs, path, "%s", ""); /* counted, not listed: the answer says so */
        return;
    }
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    r->api->error(r->errs, path, "%s", msg);
}

/* Index of s in the NULL-terminated list, or -1 (also for s NULL).  The
 * index is for callers that tally which values were seen (case-review's
 * grounds, each listed once). */
static inline int chk_index_of(const char *const *list, const char *s)
{
    for (int i = 0; s && list[i]; i++)
        if (strcmp(list[i], s) == 0)
            return i;
    return -1;
}

/* 1 if s is one of the NULL-terminated list. */
static inline int chk_one_of(const char *const *list, const char *s)
{
    return chk_index_of(list, s) >= 0;
}

/* "<base>.<key>" without cutting a UTF-8 sequence of key in half: the path
 * ends up in a JSON answer, and half a character is not valid JSON text. */
static inline void chk_path_key(char *out, size_t cap, const char *base, const char *key)
{
    int b = snprintf(out, cap, "%s.", base);
    if (b < 0 || (size_t)b >= cap)
        return;
    size_t room = cap - (size_t)b - 1, n = strlen(key);
    if (n > room) {
        n = room;
        while (n > 0 && ((unsigned char)key[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(out + b, key, n);
    out[(size_t)b + n] = '\0';
}

/* Report each key of obj that is not in known, at "<base>.<key>". */
static inline void chk_unknown_keys(chk_report *r, const json_t *obj, const char *base,
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
        chk_problem(r, path, "is not a field of %s", what);
    }
}

/* ---- text --------------------------------------------------------------- */

/* Length of the whitespace character at s, or 0.  Besides ASCII this
 * counts Unicode spaces (U+00A0, U+2000..U+200B, U+3000, ...): a comment
 * made of a no-break space is still no comment. */
static inline size_t chk_space_len(const unsigned char *s)
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

static inline int chk_blank(const char *str)
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
static inline int chk_text(chk_report *r, const char *path, const json_t *v, const char *what)
{
    if (!v) {
        chk_problem(r, path, "is required: %s", what);
        return 1;
    }
    const char *s = json_string_value(v);
    if (!s) {
        chk_problem(r, path, "must be text: %s", what);
        return 1;
    }
    if (!r->api->utf8_valid(s, json_string_length(v))) {
        chk_problem(r, path, "must be valid UTF-8 text");
        return 1;
    }
    if (chk_blank(s)) {
        chk_problem(r, path, "must not be blank: %s", what);
        return 1;
    }
    return 0;
}

/* ---- dates -------------------------------------------------------------- */

/* s has exactly the shape given, '9' standing for a digit. */
static inline int chk_shaped(const char *s, const char *shape)
{
    size_t i = 0;
    for (; shape[i]; i++)
        if (shape[i] == '9' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i])
            return 0;
    return s[i] == '\0';
}

/* A calendar date "YYYY-MM-DD": digits only (no sign, no spaces), then the
 * core says whether the day exists (*y, *m, *d may be NULL). */
static inline int chk_is_date(const kenes_api *api, const char *s, int *y, int *m, int *d)
{
    return s && chk_shaped(s, "9999-99-99") && api->parse_date(s, y, m, d) == 0;
}

/* A quarter "YYYY-Qn", n 1 to 4, in the years the core takes dates for. */
static inline int chk_is_quarter(const char *s)
{
    if (!s || !chk_shaped(s, "9999-Q9") || s[6] < '1' || s[6] > '4')
        return 0;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    return y >= 1900 && y <= 2200;
}

/* ---- a document's header ------------------------------------------------ */

/* region one of the 20.  Apart from chk_header for case-review, whose
 * title follows other rules. */
static inline void chk_region(chk_report *r, const kenes_doc *doc)
{
    const char *region = r->api->doc_get(doc, "region");
    if (!region || !*region)
        chk_problem(r, "region", "is required: a region code such as KZ-11");
    else if (!r->api->region_valid(region))
        /* The input is not echoed: it may be anything, of any length. */
        chk_problem(r, "region", "is not one of the 20 region codes (KZ-10 to KZ-79)");
}

/* region one of the 20; title 1 to CHK_TITLE_MAX characters, not blank;
 * body (absent: empty) valid UTF-8 of at most CHK_BODY_MAX bytes. */
static inline void chk_header(chk_report *r, const kenes_doc *doc)
{
    const kenes_api *api = r->api;
    chk_region(r, doc);

    const char *title = api->doc_get(doc, "title");
    if (!title) {
        chk_problem(r, "title", "is required");
    } else if (!api->utf8_valid(title, strlen(title))) {
        chk_problem(r, "title", "must be valid UTF-8 text");
    } else {
        size_t n = api->utf8_length(title);
        if (n < 1 || n > CHK_TITLE_MAX)
            chk_problem(r, "title", "must be 1 to %d characters long (it has %zu)", CHK_TITLE_MAX,
                        n);
        else if (chk_blank(title))
            chk_problem(r, "title", "must not be blank");
    }

    const char *body = api->doc_get(doc, "body");
    if (body) {
        size_t len = strlen(body);
        if (len > CHK_BODY_MAX)
            chk_problem(r, "body", "must be at most 256 KiB (it has %zu bytes)", len);
        else if (!api->utf8_valid(body, len))
            chk_problem(r, "body", "must be valid UTF-8 text");
    }
}

/* ---- the approving act -------------------------------------------------- */

#define CHK_ACT_NUMBER_MAX 40

/* 0 if act is a valid {number, date}, else 1 with each problem reported
 * under fields.act. */
static inline int chk_act(chk_report *r, const json_t *act)
{
    static const char *const keys[] = {"number", "date", NULL};
    int before = r->count;
    if (!json_is_object(act)) {
        chk_problem(r, "fields.act", "must be an object {number, date}: the approving act");
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
            chk_problem(r, "fields.act.number", "must be an act's number, one line of at most %d "
                        "characters", CHK_ACT_NUMBER_MAX);
    }
    const json_t *date = json_object_get(act, "date");
    if (!chk_is_date(r->api, json_string_value(date), NULL, NULL, NULL))
        chk_problem(r, "fields.act.date", "%s the approving act's date, YYYY-MM-DD",
                    date ? "must be" : "is required:");
    chk_unknown_keys(r, act, "fields.act", keys, "an act (expected number, date)");
    return r->count != before;
}

/* fields.act: may be absent until the document is approved, must be right
 * whenever present. */
static inline void chk_act_field(chk_report *r, const kenes_doc *doc, const json_t *fields,
                                 const char *noun)
{
    const json_t *act = json_object_get(fields, "act");
    const char *stage = r->api->doc_get(doc, "stage");
    if (act)
        chk_act(r, act);
    else if (stage && strcmp(stage, "approved") == 0)
        chk_problem(r, "fields.act",
                    "is required once the %s is approved: the approving act "
                    "{number, date}",
                    noun);
}

/* The body of an "act is recorded" guard: approval does not edit fields, so
 * the act must be there, and right, before the approving transition. */
static inline int chk_act_recorded(const kenes_api *api, const kenes_doc *doc, kenes_errors *errs,
                                   const char *noun)
{
    chk_report quiet = {.api = api, .errs = NULL};
    if (chk_act(&quiet, json_object_get(api->doc_fields(doc), "act")) != 0) {
        api->error(errs, NULL,
                   "the approving act (its number and date) must first be recorded in the "
                   "%s's fields",
                   noun);
        return KENES_EGUARD;
    }
    return 0;
}

/* ---- reports ------------------------------------------------------------ *
 *
 * Helpers for the document types' sections of the published reports
 * (kenes_doctype.report).  Reports are Markdown in Russian: the plugin
 * writes its own markup with report_printf and every piece of text that
 * comes from a document with report_text, which escapes all punctuation.
 * Values a helper has checked itself (a date it parsed, a number) are
 * printed from the parsed numbers, never from the document's text.
 */

/* The kenes_api up to region_name, the last of the report members (appended
 * to ABI 1): a report callback needs all of them. */
#define CHK_REPORT_API_SIZE (offsetof(kenes_api, region_name) + sizeof(void *))

static inline int rpt_api_ok(const kenes_api *api)
{
    return api && api->struct_size >= CHK_REPORT_API_SIZE;
}

/* The 20 regions (ISO 3166-2:KZ) in the order of DOMAIN.md: the report
 * tables list every one, with or without documents.  NULL past the last. */
#define RPT_NREGIONS 20
static inline const char *rpt_region_code(int i)
{
    static const char *const codes[RPT_NREGIONS] = {
        "KZ-10", "KZ-11", "KZ-15", "KZ-19", "KZ-23", "KZ-27", "KZ-31",
        "KZ-33", "KZ-35", "KZ-39", "KZ-43", "KZ-47", "KZ-55", "KZ-59",
        "KZ-61", "KZ-62", "KZ-63", "KZ-71", "KZ-75", "KZ-79"};
    return i >= 0 && i < RPT_NREGIONS ? codes[i] : NULL;
}

/* Index of a region code among the 20, or -1. */
static inline int rpt_region_index(const char *code)
{
    for (int i = 0; code && i < RPT_NREGIONS; i++)
        if (strcmp(rpt_region_code(i), code) == 0)
            return i;
    return -1;
}

/* The region's Russian name (its code if the core knows no name), escaped:
 * the names come from content/regions.yaml, which is data too. */
static inline void rpt_region_name(const kenes_api *api, kenes_report *r, const char *code)
{
    const char *name = api->region_name(code, "ru");
    api->report_text(r, name ? name : code);
}

/* Text from a document as a table cell or a line: escaped, or dash when
 * absent or empty. */
static inline void rpt_text_or(const kenes_api *api, kenes_report *r, const char *text,
                               const char *dash)
{
    if (text && *text)
        api->report_text(r, text);
    else
        api->report_printf(r, "%s", dash);
}

/* Days since 1970-01-01 of a civil date (H. Hinnant's algorithm). */
static inline long long chk_days_from_civil(int y, int m, int d)
{
    long long yy = y - (m <= 2);
    long long era = (yy >= 0 ? yy : yy - 399) / 400;
    long long yoe = yy - era * 400;
    long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The civil date of a day since 1970-01-01. */
static inline void chk_civil_from_days(long long z, int *y, int *m, int *d)
{
    z += 719468;
    long long era = (z >= 0 ? z : z - 146096) / 146097;
    long long doe = z - era * 146097;
    long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

/* The civil date (UTC) of milliseconds since the epoch. */
static inline void chk_date_of_ms(long long ms, int *y, int *m, int *d)
{
    long long z = ms / 86400000;
    if (ms % 86400000 < 0)
        z--;
    chk_civil_from_days(z, y, m, d);
}

/* Two digits at s as a number, or -1. */
static inline int chk_two_digits(const char *s)
{
    if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
        return -1;
    return (s[0] - '0') * 10 + (s[1] - '0');
}

/* 0 and *ms (since the epoch) if s is an RFC 3339 time as the core writes
 * them, "2026-02-07T10:00:00Z", or with fractions of a second and an offset
 * ("2026-02-07T15:00:00.5+05:00"); else -1. */
static inline int chk_parse_time(const kenes_api *api, const char *s, long long *ms)
{
    char date[11];
    int y, mo, d;
    if (!s || strlen(s) < 20)
        return -1;
    memcpy(date, s, 10);
    date[10] = '\0';
    if (!chk_is_date(api, date, &y, &mo, &d) || (s[10] != 'T' && s[10] != 't') ||
        s[13] != ':' || s[16] != ':')
        return -1;
    int hh = chk_two_digits(s + 11), mi = chk_two_digits(s + 14), ss = chk_two_digits(s + 17);
    if (hh < 0 || hh > 23 || mi < 0 || mi > 59 || ss < 0 || ss > 60)
        return -1;
    const char *p = s + 19;
    long long frac = 0;
    if (*p == '.') {
        int digits = 0;
        for (p++; *p >= '0' && *p <= '9'; p++, digits++)
            if (digits < 3)
                frac = frac * 10 + (*p - '0');
        if (!digits)
            return -1;
        for (; digits < 3; digits++)
            frac *= 10;
    }
    long long offset = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh = chk_two_digits(p + 1); /* reads no further than a NUL */
        if (oh < 0 || oh > 23 || p[3] != ':')
            return -1;
        int om = chk_two_digits(p + 4);
        if (om < 0 || om > 59)
            return -1;
        offset = (*p == '-' ? -1 : 1) * (oh * 3600LL + om * 60LL);
        p += 6;
    } else {
        return -1;
    }
    if (*p)
        return -1;
    long long secs = chk_days_from_civil(y, mo, d) * 86400 + hh * 3600LL + mi * 60LL + ss;
    *ms = (secs - offset) * 1000 + frac;
    return 0;
}

/* A date as Russian texts write it, 05.02.2026, printed from its parts. */
static inline void rpt_date_parts(const kenes_api *api, kenes_report *r, int y, int m, int d)
{
    api->report_printf(r, "%02d.%02d.%04d", d, m, y);
}

/* A date from a document: DD.MM.YYYY if it is a calendar date YYYY-MM-DD,
 * else its text escaped, else (absent) dash. */
static inline void rpt_date(const kenes_api *api, kenes_report *r, const char *s,
                            const char *dash)
{
    int y, m, d;
    if (chk_is_date(api, s, &y, &m, &d))
        rpt_date_parts(api, r, y, m, d);
    else if (s && *s)
        api->report_text(r, s);
    else
        api->report_printf(r, "%s", dash);
}

/* The date (UTC) of a time in milliseconds: DD.MM.YYYY. */
static inline void rpt_date_ms(const kenes_api *api, kenes_report *r, long long ms)
{
    int y, m, d;
    chk_date_of_ms(ms, &y, &m, &d);
    rpt_date_parts(api, r, y, m, d);
}

/* The Russian name of a stage of the review workflows (regional-plan,
 * commission-roster), or NULL for a stage they do not have. */
static inline const char *rpt_review_stage(const char *stage)
{
    static const char *const stages[][2] = {
        {"draft", "черновик"},
        {"ministry-review", "на рассмотрении в министерстве"},
        {"approved", "утверждён"},
        {"returned", "возвращён на доработку"},
    };
    for (size_t i = 0; stage && i < sizeof(stages) / sizeof(stages[0]); i++)
        if (strcmp(stage, stages[i][0]) == 0)
            return stages[i][1];
    return NULL;
}

/* A stage in Russian where it is known, else its name escaped. */
static inline void rpt_stage(const kenes_api *api, kenes_report *r, const char *stage)
{
    const char *ru = rpt_review_stage(stage);
    if (ru)
        api->report_printf(r, "%s", ru);
    else if (stage && *stage)
        api->report_text(r, stage);
    else
        api->report_printf(r, "—");
}

/* The approving act, "актом № 12 от 05.02.2026", or nothing if absent. */
static inline void rpt_act(const kenes_api *api, kenes_report *r, const json_t *act)
{
    const char *number = json_string_value(json_object_get(act, "number"));
    const char *date = json_string_value(json_object_get(act, "date"));
    if (!number && !date)
        return;
    api->report_printf(r, "актом");
    if (number) {
        api->report_printf(r, " № ");
        api->report_text(r, number);
    }
    if (date) {
        api->report_printf(r, " от ");
        rpt_date(api, r, date, "—");
    }
}

#endif
