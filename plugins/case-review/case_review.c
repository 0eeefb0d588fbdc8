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
 *    only the pseudonym, which must not spell the child's name;
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

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../common/check.h"

#define PLUGIN_NAME "case-review"

/* Title and body limits (CHK_TITLE_MAX, CHK_BODY_MAX) and the path buffer
 * (CHK_PATH_CAP) are those of every document type: see check.h. */
#define TEXT_SHORT 200         /* names, organisations, participants */
#define TEXT_LONG 10000        /* decisions, comments, next steps */
#define PSEUDONYM_MIN 3
#define PSEUDONYM_MAX 64
#define NAME_CAP 1024         /* a 200-character name, folded or spelled in Latin */
#define PART_MIN 3            /* shorter name parts match too much by chance */

/* parse_date, uuid and now_ms were appended to ABI 1; a table without them
 * cannot serve this plugin. */
#define API_SIZE_NEEDED (offsetof(kenes_api, now_ms) + sizeof(void *))

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

/* ---- the child's name --------------------------------------------------- *
 *
 * The pseudonym is listed and the title is shown to whoever reads the case,
 * so neither may carry the child's name.  The comparison is meant to catch
 * carelessness, not a determined official: case-insensitive, and for the
 * pseudonym (Latin letters only) also across the usual Latin spellings of
 * Kazakh and Russian names (Айгерим = Aigerim = Aygerim = Ajgerim).
 */

/* Next code point of valid UTF-8 (the strings here were checked). */
static uint32_t utf8_next(const unsigned char **ps)
{
    const unsigned char *s = *ps;
    uint32_t c = s[0];
    size_t n = 1;
    if (c >= 0xF0) {
        c = ((c & 0x07u) << 18) | ((s[1] & 0x3Fu) << 12) | ((s[2] & 0x3Fu) << 6) | (s[3] & 0x3Fu);
        n = 4;
    } else if (c >= 0xE0) {
        c = ((c & 0x0Fu) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3Fu);
        n = 3;
    } else if (c >= 0xC0) {
        c = ((c & 0x1Fu) << 6) | (s[1] & 0x3Fu);
        n = 2;
    }
    *ps = s + n;
    return c;
}

static size_t utf8_put(char *out, uint32_t c)
{
    if (c < 0x80) {
        out[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        out[0] = (char)(0xC0 | (c >> 6));
        out[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        out[0] = (char)(0xE0 | (c >> 12));
        out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        out[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (c >> 18));
    out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    out[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

/* Lower case for the scripts names are written in here: Latin (with
 * Latin-1 and Extended-A), Greek, Cyrillic (with the Kazakh letters). */
static uint32_t fold(uint32_t c)
{
    if (c >= 'A' && c <= 'Z')
        return c + 32;
    if (c < 0x80)
        return c;
    if (c >= 0xC0 && c <= 0xDE && c != 0xD7)
        return c + 0x20;
    if ((c >= 0x100 && c <= 0x137) || (c >= 0x14A && c <= 0x177))
        return c | 1;
    if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
        return (c & 1) ? c + 1 : c;
    if (c == 0x178)
        return 0xFF;
    if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2)
        return c + 0x20;
    if (c >= 0x400 && c <= 0x40F)
        return c + 0x50;
    if (c >= 0x410 && c <= 0x42F)
        return c + 0x20;
    if ((c >= 0x460 && c <= 0x481) || (c >= 0x48A && c <= 0x4BF) || (c >= 0x4D0 && c <= 0x52F))
        return c | 1;
    if (c == 0x4C0)
        return 0x4CF;
    if (c >= 0x4C1 && c <= 0x4CE)
        return (c & 1) ? c + 1 : c;
    return c;
}

/* 1 if c is part of a word (letters and digits; other scripts count as
 * letters), 0 for spaces, punctuation and symbols. */
static int word_char(uint32_t c)
{
    if (c < 0x80)
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (c <= 0xBF || c == 0xD7 || c == 0xF7)
        return 0; /* Latin-1 punctuation: « » ° § ... */
    if ((c >= 0x2000 && c <= 0x2BFF) || (c >= 0x3000 && c <= 0x303F) || c == 0xFEFF)
        return 0; /* general punctuation, symbols, № */
    return 1;
}

/* s folded, each run of non-word characters made one space, trimmed: the
 * form in which the full name is looked for in a title. */
static void fold_words(const char *s, char *out, size_t cap)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t at = 0;
    int gap = 0;
    while (*p) {
        uint32_t c = utf8_next(&p);
        if (!word_char(c)) {
            gap = at > 0;
            continue;
        }
        if (at + 5 + gap >= cap)
            break;
        if (gap)
            out[at++] = ' ';
        gap = 0;
        at += utf8_put(out + at, fold(c));
    }
    out[at] = '\0';
}

/* How a folded code point is commonly written in Latin letters, the way
 * passports transliterate Kazakh and Russian names (ICAO 9303), before
 * skeleton() evens out the remaining variations.  "" for none (signs,
 * digits, other scripts). */
static const char *latin(uint32_t c)
{
    static const char *const cyr[] = {
        /* а б в г д е ж з и й к л м н о п */
        "a", "b", "v", "g", "d", "e", "zh", "z", "i", "i", "k", "l", "m", "n", "o", "p",
        /* р с т у ф х ц ч ш щ ъ ы ь э ю я */
        "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "ie", "y", "", "e", "iu", "ia",
    };
    /* Each letter NUL-terminated, so that one can be returned as a string. */
    static const char ascii[] = "a\0b\0c\0d\0e\0f\0g\0h\0i\0j\0k\0l\0m\0n\0o\0p\0q\0r\0s\0"
                                "t\0u\0v\0w\0x\0y\0z";
    if (c >= 'a' && c <= 'z')
        return ascii + 2 * (c - 'a');
    if (c >= 0x430 && c <= 0x44F)
        return cyr[c - 0x430];
    switch (c) {
    case 0x451: case 0x454: return "e";               /* ё є */
    case 0x456: case 0x457: return "i";               /* і ї */
    case 0x45E: case 0x4B1: case 0x4AF: return "u";   /* ў ұ ү */
    case 0x4D9: return "a";                           /* ә */
    case 0x493: return "g";                           /* ғ */
    case 0x49B: return "k";                           /* қ */
    case 0x4A3: return "n";                           /* ң */
    case 0x4E9: return "o";                           /* ө */
    case 0x4BB: return "h";                           /* һ */
    case 0xE0: case 0xE1: case 0xE2: case 0xE3: case 0xE4: case 0xE5: case 0x101: case 0x103:
        return "a";
    case 0xE7: case 0x10D: return "ch";
    case 0x107: return "c";
    case 0xE8: case 0xE9: case 0xEA: case 0xEB: case 0x113: case 0x117: case 0x119: return "e";
    case 0xEC: case 0xED: case 0xEE: case 0xEF: case 0x12B: case 0x131: case 0xFD: case 0xFF:
        return "i";
    case 0xF1: case 0x144: case 0x148: return "n";
    case 0xF2: case 0xF3: case 0xF4: case 0xF5: case 0xF6: case 0xF8: case 0x14D: return "o";
    case 0xF9: case 0xFA: case 0xFB: case 0xFC: case 0x16B: return "u";
    case 0x11F: case 0x1F5: return "g";
    case 0x15B: return "s";
    case 0x15F: case 0x161: return "sh";
    case 0x17E: return "zh";
    default: return "";
    }
}

/* A spelling-blind skeleton of s: its letters in Latin, with the variations
 * between transliterations evened out (y, j -> i; x -> ks; q -> k;
 * kh -> h; zh, sh, ch, gh -> z, s, c, g; ts -> c; ie -> e; a doubled letter
 * once), so that Айгерим, Aigerim, Aygerim and Ajgerim all read "aigerim".
 * The same steps run on both sides of a comparison. */
static void skeleton(const char *s, char *out, size_t cap)
{
    char lat[NAME_CAP * 3];
    size_t n = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        for (const char *l = latin(fold(utf8_next(&p))); *l && n + 2 < sizeof(lat); l++) {
            if (*l == 'x') {
                lat[n++] = 'k';
                lat[n++] = 's';
            } else {
                lat[n++] = *l == 'y' || *l == 'j' ? 'i' : *l == 'q' ? 'k' : *l;
            }
        }
    }
    lat[n] = '\0';

    size_t at = 0;
    for (size_t i = 0; i < n && at + 1 < cap; i++) {
        char c = lat[i], next = lat[i + 1];
        if (next == 'h' && (c == 'k' || c == 'z' || c == 's' || c == 'c' || c == 'g')) {
            c = c == 'k' ? 'h' : c;
            i++;
        } else if ((c == 't' && next == 's') || (c == 'i' && next == 'e')) {
            c = c == 't' ? 'c' : 'e';
            i++;
        }
        if (at > 0 && out[at - 1] == c)
            continue;
        out[at++] = c;
    }
    out[at] = '\0';
}

/* Calls fn for each word of a folded, space-separated string; stops and
 * returns 1 when fn does. */
static int each_word(const char *words, int (*fn)(const char *word, void *payload),
                     void *payload)
{
    char w[NAME_CAP];
    while (*words) {
        size_t n = strcspn(words, " ");
        if (n > 0 && n < sizeof(w)) {
            memcpy(w, words, n);
            w[n] = '\0';
            if (fn(w, payload))
                return 1;
        }
        words += n;
        words += *words == ' ';
    }
    return 0;
}

/* The child's name, prepared once per validation. */
typedef struct {
    int known;             /* full_name is valid text */
    char folded[NAME_CAP]; /* "айгерим нурланова" */
    char skel[NAME_CAP];   /* "aigerimnurlanova" */
} child_name;

static void child_name_init(child_name *cn, const char *full_name)
{
    memset(cn, 0, sizeof(*cn));
    if (!full_name)
        return;
    fold_words(full_name, cn->folded, sizeof(cn->folded));
    skeleton(full_name, cn->skel, sizeof(cn->skel));
    cn->known = cn->folded[0] != '\0';
}

static int part_in_skeleton(const char *part, void *skel)
{
    char sk[NAME_CAP];
    skeleton(part, sk, sizeof(sk));
    return strlen(sk) >= PART_MIN && strstr(skel, sk) != NULL;
}

/* 1 if the pseudonym holds the name or a part of it, in any common Latin
 * spelling. */
static int pseudonym_names_child(const child_name *cn, const char *pseudonym)
{
    if (!cn->known)
        return 0;
    char folded[NAME_CAP], skel[NAME_CAP];
    fold_words(pseudonym, folded, sizeof(folded));
    if (strstr(folded, cn->folded))
        return 1;
    skeleton(pseudonym, skel, sizeof(skel));
    if (strlen(cn->skel) >= PART_MIN && strstr(skel, cn->skel))
        return 1;
    return each_word(cn->folded, part_in_skeleton, skel);
}

static int part_is_word(const char *part, void *word_skel)
{
    char sk[NAME_CAP];
    skeleton(part, sk, sizeof(sk));
    return strlen(sk) >= PART_MIN && strcmp(sk, word_skel) == 0;
}

static int word_is_part(const char *word, void *cn)
{
    char sk[NAME_CAP];
    skeleton(word, sk, sizeof(sk));
    return sk[0] && each_word(((const child_name *)cn)->folded, part_is_word, sk);
}

/* 1 if the title holds the full name, or one of its parts, as words, in
 * any case and any common spelling.  As words: "Ан Ли" is no reason to
 * refuse "План лиги". */
static int title_names_child(const child_name *cn, const char *title)
{
    if (!cn->known)
        return 0;
    char folded[NAME_CAP * 2], name[NAME_CAP + 2];
    folded[0] = name[0] = ' ';
    fold_words(title, folded + 1, sizeof(folded) - 2);
    fold_words(cn->folded, name + 1, sizeof(name) - 2);
    strcat(folded, " ");
    strcat(name, " ");
    if (strstr(folded, name))
        return 1;
    return each_word(folded, word_is_part, (void *)cn);
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

/* fields.child.  The full name and the pseudonym, when well-formed, go to
 * *full_name and *pseudonym, to be judged against each other. */
static void check_child(check *c, const json_t *fields, const char **full_name,
                        const char **pseudonym)
{
    static const char *const keys[] = {"pseudonym", "full_name", "birth_date", "address",
                                       "school", NULL};
    *full_name = *pseudonym = NULL;
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

    *full_name = text(c, child, "full_name", "fields.child.full_name", REQUIRED, TEXT_SHORT,
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
        else if (strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-") !=
                 len)
            chk_problem(&c->r, pp, "may hold only letters A-Z and a-z, digits and hyphens");
        else
            *pseudonym = s; /* judged against the name once the name is known */
    }

    int born;
    if (date(c, child, "birth_date", "fields.child.birth_date", REQUIRED, &born) == DATE_OK &&
        born >= c->today)
        chk_problem(&c->r, "fields.child.birth_date", "must be a date in the past");

    text(c, child, "address", "fields.child.address", OPTIONAL, TEXT_SHORT, "an address");
    text(c, child, "school", "fields.child.school", OPTIONAL, TEXT_SHORT, "a school");
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
static void check_title(check *c, const kenes_doc *doc, const child_name *cn)
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
    if (n < 1 || n > CHK_TITLE_MAX)
        chk_problem(&c->r, "title", "must be 1 to %d characters long, or left out",
                    CHK_TITLE_MAX);
    else if (chk_blank(title))
        chk_problem(&c->r, "title", "must not be blank (leave it out instead)");
    else if (title_names_child(cn, title))
        chk_problem(&c->r, "title", "must not contain the child's name or a part of it");
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

    const char *full_name, *pseudonym;
    check_child(&c, fields, &full_name, &pseudonym);
    child_name cn;
    child_name_init(&cn, full_name);
    if (pseudonym && pseudonym_names_child(&cn, pseudonym))
        chk_problem(&c.r, "fields.child.pseudonym",
                    "must not contain the child's name or a part of it, in any spelling");
    check_title(&c, doc, &cn);

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
    return len >= PSEUDONYM_MIN && len <= PSEUDONYM_MAX &&
           strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-") == len;
}

/* The pseudonym and nothing else: a list is seen by more eyes than a case. */
static int summary(const kenes_api *api, const kenes_doc *doc, json_t *entry)
{
    const json_t *child = json_object_get(api->doc_fields(doc), "child");
    const char *p = json_string_value(json_object_get(child, "pseudonym"));
    if (!pseudonym_well_formed(p))
        return 0; /* never list something that may not be a pseudonym */
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
