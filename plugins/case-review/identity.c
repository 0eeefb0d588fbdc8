/*
 * The rules, and why they are as they are:
 *
 * Both sides of every comparison are folded by the core (NFKC and case
 * folding), so "Ｚｚｙｚｘ" is "zzyzx".  Names are then compared as
 * skeletons: letters in Latin, the variations between transliterations
 * evened out, spaces, hyphens, punctuation and digits dropped, so that
 * Айгерим, Aigerim, Aygerim and "Ai-gerim" all read "aigerim".  The aim is
 * to catch carelessness, not a determined official.
 *
 * A title names the child when a run of its words, put together, is the
 * whole name (any spacing: "ан ли", "ZzyzxQwertyuiop") or one or more of the
 * name's parts of 3 letters or more in any order ("Нурланова", "Ай герим",
 * "QwertyuiopZzyzx"); or when a name of 6 letters or more appears anywhere,
 * even inside a word.  As words: "Ан Ли" is no reason to refuse "План лиги".
 *
 * A pseudonym, which lists show, is refused when it holds:
 *  - a part of the name of 3 letters or more, in any spelling;
 *  - the birth date or its year, in any order or spelling: its digits
 *    hold the year (2013), day and month (0704, 0407: so 20130407,
 *    07042013, 070413), or two groups in a row are the day and month
 *    (7-4-13, 13-4-7, 07-04);
 *  - a number from the school's name (№ 913: the group 913 or 0913);
 *  - a number of two digits or more from the address (a house or flat
 *    number of one digit matches too much by chance), or a street word of
 *    4 letters or more (words such as "улица", "көшесі" do not count);
 * and whatever the child, when it has no letter, more than 6 digits or more
 * than 4 in a row (a date, a phone or an ID number does not fit), or three
 * groups of digits that read as a date (2013-04-07, 7-4-13, 13-04-07).
 */
#include "identity.h"
#include "names.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PART_MIN 3   /* shorter name parts match too much by chance */
#define JOINED_MIN 6 /* a name this long is looked for inside words too */
#define STREET_MIN 4 /* shorter address words are not looked for */
#define DIGITS_MAX 6
#define RUN_MAX 4

struct id_child {
    const kenes_api *api;
    char *name_compact; /* the name folded, without spaces: "айгеримнурланова" */
    char *name_skel;    /* its skeleton: "aigerimnurlanova" */
    char *parts;        /* the skeletons of its words, NUL-separated */
    const char **part;  /* into parts: those of PART_MIN letters or more */
    size_t nparts;
    int by, bm, bd;   /* the birth date; by == 0 when unknown */
    char *address;    /* folded, as words (as given: for a list) */
    char *school;     /* folded (as given: for a list) */
    int for_list;     /* no name, no street words: id_child_new_for_list */
};

/* ---- the child ---------------------------------------------------------- */

/* The name's parts: the skeleton of each word of the folded name. */
static int name_parts(id_child *c, char *words)
{
    size_t n = 1;
    for (const char *p = words; *p; p++)
        n += *p == ' ';
    c->parts = malloc(names_skeleton_cap(strlen(words)) + n);
    c->part = calloc(n, sizeof(*c->part));
    if (!c->parts || !c->part)
        return KENES_ENOMEM;
    char *at = c->parts, *save;
    for (char *w = strtok_r(words, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
        names_skeleton(at, w);
        size_t len = strlen(at);
        if (len >= PART_MIN)
            c->part[c->nparts++] = at;
        at += len + 1;
    }
    return 0;
}

static int name_new(id_child *c, const char *full_name)
{
    char *words;
    int rc = names_fold_optional(&words, c->api, full_name, KENES_FOLD_WORDS);
    if (rc != 0 || !words)
        return rc;
    if (!words[0]) {
        free(words);
        return 0;
    }
    c->name_compact = strdup(words);
    if (c->name_compact)
        names_compact(c->name_compact);
    c->name_skel = c->name_compact ? names_skeleton_new(c->name_compact) : NULL;
    rc = c->name_skel ? name_parts(c, words) : KENES_ENOMEM;
    free(words);
    return rc;
}

/* A child with only its birth date known yet. */
static id_child *child_alloc(const kenes_api *api, const char *birth_date)
{
    id_child *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->api = api;
    if (!birth_date || api->parse_date(birth_date, &c->by, &c->bm, &c->bd) != 0)
        c->by = 0;
    return c;
}

int id_child_new(id_child **out, const kenes_api *api, const char *full_name,
                 const char *birth_date, const char *address, const char *school)
{
    id_child *c = child_alloc(api, birth_date);
    int rc = c ? name_new(c, full_name) : KENES_ENOMEM;
    if (rc == 0)
        rc = names_fold_optional(&c->address, api, address, KENES_FOLD_WORDS);
    if (rc == 0)
        rc = names_fold_optional(&c->school, api, school, KENES_FOLD_WORDS);
    if (rc != 0) {
        id_child_free(c);
        c = NULL;
    }
    *out = c;
    return rc;
}

int id_child_new_for_list(id_child **out, const kenes_api *api, const char *birth_date,
                          const char *address, const char *school)
{
    id_child *c = child_alloc(api, birth_date);
    int rc = c ? 0 : KENES_ENOMEM;
    /* Only their ASCII digits are read, so they need no folding. */
    if (c && ((address && !(c->address = strdup(address))) ||
              (school && !(c->school = strdup(school))))) {
        id_child_free(c);
        c = NULL;
        rc = KENES_ENOMEM;
    }
    if (c)
        c->for_list = 1;
    *out = c;
    return rc;
}

void id_child_free(id_child *c)
{
    if (!c)
        return;
    free(c->name_compact);
    free(c->name_skel);
    free(c->parts);
    free(c->part);
    free(c->address);
    free(c->school);
    free(c);
}

/* 1 if skeleton sk holds one of the name's parts. */
static int holds_part(const id_child *c, const char *sk)
{
    for (size_t k = 0; k < c->nparts; k++)
        if (strstr(sk, c->part[k]))
            return 1;
    return 0;
}

/* ---- the title ---------------------------------------------------------- */

/* The title as the name is looked for in it: its words (folded) put
 * together, and where each word starts, in that text and in its skeleton. */
typedef struct {
    char *all;          /* "делоайгеримнурланова" */
    char *sk;           /* its skeleton */
    size_t n;           /* words */
    size_t *at, *sk_at; /* word k starts at all[at[k]] and sk[sk_at[k]]; [n]: the end */
} title_text;

static void title_text_dispose(title_text *t)
{
    free(t->all);
    free(t->sk);
    free(t->at);
    free(t->sk_at);
}

static int title_text_init(title_text *t, char *words)
{
    memset(t, 0, sizeof(*t));
    size_t len = strlen(words), n = 1;
    for (const char *p = words; *p; p++)
        n += *p == ' ';
    t->all = malloc(len + 1);
    t->sk = malloc(names_skeleton_cap(len));
    t->at = calloc(n + 1, sizeof(*t->at));
    t->sk_at = calloc(n + 1, sizeof(*t->sk_at));
    if (!t->all || !t->sk || !t->at || !t->sk_at)
        return KENES_ENOMEM;
    t->all[0] = '\0';
    size_t k = 0, at = 0;
    char *save;
    for (char *w = strtok_r(words, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
        t->at[k] = at;
        /* Where the word starts in the skeleton: the length of the
         * skeleton of what comes before it. */
        names_skeleton(t->sk, t->all);
        t->sk_at[k++] = strlen(t->sk);
        size_t wl = strlen(w);
        memcpy(t->all + at, w, wl + 1);
        at += wl;
    }
    t->n = k;
    t->at[k] = at;
    t->all[at] = '\0';
    names_skeleton(t->sk, t->all);
    t->sk_at[k] = strlen(t->sk);
    return 0;
}

/* 1 if pos is where a word of the title ends. */
static int word_end(const size_t *at, size_t n, size_t pos)
{
    for (size_t k = 1; k <= n; k++)
        if (at[k] == pos)
            return 1;
    return 0;
}

/* 1 if a run of the title's words, from a word's start to a word's end,
 * is text (in all, or in sk when skel). */
static int run_is(const title_text *t, const char *text, int skel)
{
    const char *s = skel ? t->sk : t->all;
    const size_t *at = skel ? t->sk_at : t->at;
    size_t m = strlen(text);
    for (size_t k = 0; m && k < t->n; k++)
        if (strncmp(s + at[k], text, m) == 0 && word_end(at, t->n, at[k] + m))
            return 1;
    return 0;
}

/* 1 if a run of the title's words is one or more of the name's parts put
 * together, in any order: in the skeleton, from any word's start, the
 * positions the parts reach; one that is a word's end is such a run.  A
 * letter ending one part and starting the next is written once in a
 * skeleton ("Нурлан Нурланов" joined reads "nurlanurlanov"), so a part may
 * also start one letter back. */
static int run_of_parts(const id_child *c, const title_text *t, unsigned char *reach)
{
    size_t n = strlen(t->sk);
    memset(reach, 0, n + 1);
    for (size_t k = 0; k < t->n; k++)
        reach[t->sk_at[k]] |= 1; /* a start */
    for (size_t pos = 0; pos < n; pos++) {
        if (!reach[pos])
            continue;
        for (size_t k = 0; k < c->nparts; k++) {
            const char *q = c->part[k];
            size_t m = strlen(q);
            if (pos + m <= n && memcmp(t->sk + pos, q, m) == 0)
                reach[pos + m] |= 2;
            if (pos > 0 && t->sk[pos - 1] == q[0] && pos + m - 1 <= n &&
                memcmp(t->sk + pos, q + 1, m - 1) == 0)
                reach[pos + m - 1] |= 2;
        }
    }
    for (size_t k = 1; k <= t->n; k++)
        if (reach[t->sk_at[k]] & 2)
            return 1;
    return 0;
}

int id_judge_title(int *names, const id_child *c, const char *title)
{
    *names = 0;
    if (!c->name_compact)
        return 0;
    char *words;
    int rc = names_fold_optional(&words, c->api, title, KENES_FOLD_WORDS);
    if (rc != 0 || !words)
        return rc;
    title_text t;
    rc = title_text_init(&t, words);
    unsigned char *reach = rc == 0 ? malloc(strlen(t.sk) + 1) : NULL;
    if (rc == 0 && !reach)
        rc = KENES_ENOMEM;
    if (rc == 0)
        /* The whole name anywhere, joined to other words too, when long
         * enough not to turn up inside other words by chance; else as a run
         * of words, however spaced ("ан ли", "АнЛи"); or parts of it. */
        *names = (strlen(c->name_skel) >= JOINED_MIN && strstr(t.sk, c->name_skel)) ||
                 (names_chars(c->name_compact) >= JOINED_MIN && strstr(t.all, c->name_compact)) ||
                 run_is(&t, c->name_compact, 0) || run_is(&t, c->name_skel, 1) ||
                 run_of_parts(c, &t, reach);
    free(reach);
    title_text_dispose(&t);
    free(words);
    return rc;
}

/* ---- the pseudonym ------------------------------------------------------ */

/* The groups of digits of a pseudonym, and all its digits in a row. */
typedef struct {
    size_t n;
    const char *at[ID_PSEUDONYM_MAX];
    size_t len[ID_PSEUDONYM_MAX];
    char digits[ID_PSEUDONYM_MAX + 1];
    size_t ndigits, longest;
    int letters;
} digit_groups;

static void digit_groups_of(digit_groups *g, const char *p)
{
    memset(g, 0, sizeof(*g));
    for (const char *s = p; *s;) {
        size_t k = strspn(s, "0123456789");
        if (k == 0) {
            g->letters += (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z');
            s++;
            continue;
        }
        if (g->n < ID_PSEUDONYM_MAX && g->ndigits + k <= ID_PSEUDONYM_MAX) {
            g->at[g->n] = s;
            g->len[g->n++] = k;
            memcpy(g->digits + g->ndigits, s, k);
            g->ndigits += k;
        }
        g->longest = k > g->longest ? k : g->longest;
        s += k;
    }
}

/* The value of group i; -1 when it has more digits than a date part. */
static long group_value(const digit_groups *g, size_t i)
{
    if (g->len[i] > 4)
        return -1;
    long v = 0;
    for (size_t k = 0; k < g->len[i]; k++)
        v = v * 10 + (g->at[i][k] - '0');
    return v;
}

/* 1 if the digits s[0..n) are the same number as some group's (leading
 * zeros aside: school 913 is the group 0913 too). */
static int holds_number(const digit_groups *g, const char *s, size_t n)
{
    while (n > 1 && *s == '0') {
        s++;
        n--;
    }
    for (size_t i = 0; i < g->n; i++) {
        const char *a = g->at[i];
        size_t m = g->len[i];
        while (m > 1 && *a == '0') {
            a++;
            m--;
        }
        if (m == n && memcmp(a, s, n) == 0)
            return 1;
    }
    return 0;
}

/* 1 if a number in folded text (ASCII digits: NFKC made full-width and
 * superscript digits ASCII) of at least min significant digits is one of
 * the pseudonym's groups. */
static int holds_number_of(const digit_groups *g, const char *text, size_t min)
{
    for (const char *s = text; s && *s;) {
        size_t k = strspn(s, "0123456789");
        if (k == 0) {
            s++;
            continue;
        }
        size_t zeros = 0;
        while (zeros + 1 < k && s[zeros] == '0')
            zeros++;
        if (k - zeros >= min && holds_number(g, s, k))
            return 1;
        s += k;
    }
    return 0;
}

static int holds_birth_date(const id_child *c, const digit_groups *g)
{
    if (!c->by)
        return 0;
    char year[8], dm[8], md[8];
    snprintf(year, sizeof(year), "%04d", c->by);
    snprintf(dm, sizeof(dm), "%02d%02d", c->bd, c->bm);
    snprintf(md, sizeof(md), "%02d%02d", c->bm, c->bd);
    if (strstr(g->digits, year) || strstr(g->digits, dm) || strstr(g->digits, md))
        return 1;
    for (size_t i = 0; i + 1 < g->n; i++) {
        long a = group_value(g, i), b = group_value(g, i + 1);
        if ((a == c->bd && b == c->bm) || (a == c->bm && b == c->bd))
            return 1;
    }
    return 0;
}

/* Address words that say what kind of place follows, not which: in
 * nearly every address, so never a reason to refuse a pseudonym. */
static int place_word(const char *w)
{
    static const char *const words[] = {
        "улица", "проспект", "переулок", "бульвар", "шоссе", "микрорайон", "квартира",
        "корпус", "строение", "город", "село", "посёлок", "поселок", "район", "область",
        "площадь", "тупик", "проезд", "набережная", "жилой", "массив", "комплекс", "дом",
        "көшесі", "көше", "даңғылы", "даңғыл", "ауданы", "аудан", "облысы", "облыс", "қаласы",
        "қала", "ауылы", "ауыл", "шағын", "тұрғын", "пәтер", "тұйығы", "алаңы", "кенті",
        "street", "avenue", "road", "lane", "apartment", "flat", "house", "building",
        "district", "city", "village", "region", "ulitsa", "koshesi", "dangyly",
        "mikroraion", "microdistrict", NULL};
    for (size_t i = 0; words[i]; i++)
        if (strcmp(w, words[i]) == 0)
            return 1;
    return 0;
}

/* 1 if the pseudonym's skeleton holds a street word of the address. */
static int holds_street_word(const id_child *c, const char *psk, int *failed)
{
    if (c->for_list)
        return 0;
    char *words = c->address ? strdup(c->address) : NULL;
    if (c->address && !words) {
        *failed = 1;
        return 0;
    }
    int found = 0;
    char sk[ID_PSEUDONYM_MAX * 4], *save;
    for (char *w = words ? strtok_r(words, " ", &save) : NULL; w && !found;
         w = strtok_r(NULL, " ", &save)) {
        if (strpbrk(w, "0123456789") || place_word(w) || names_skeleton_cap(strlen(w)) > sizeof(sk))
            continue; /* a skeleton longer than any pseudonym's cannot be in one */
        names_skeleton(sk, w);
        found = strlen(sk) >= STREET_MIN && strstr(psk, sk) != NULL;
    }
    free(words);
    return found;
}

/* 1 if day d of month m is a calendar date in year y, a year of four
 * digits (1900-2099) or of two (in either century). */
static int is_date(const kenes_api *api, long y, size_t ylen, long m, long d)
{
    if (m < 1 || m > 12 || d < 1 || d > 31 || (ylen != 2 && ylen != 4) ||
        (ylen == 4 && (y < 1900 || y > 2099)))
        return 0;
    for (long century = 1900; century <= 2000; century += 100) {
        char s[16];
        snprintf(s, sizeof(s), "%04ld-%02ld-%02ld", ylen == 2 ? century + y : y, m, d);
        if (api->parse_date(s, NULL, NULL, NULL) == 0)
            return 1;
    }
    return 0;
}

/* 1 if three groups in a row read as a date: Y-M-D, D-M-Y or M-D-Y. */
static int holds_date(const kenes_api *api, const digit_groups *g)
{
    for (size_t i = 0; i + 2 < g->n; i++) {
        long a = group_value(g, i), b = group_value(g, i + 1), d = group_value(g, i + 2);
        size_t la = g->len[i], lb = g->len[i + 1], ld = g->len[i + 2];
        if (a < 0 || b < 0 || d < 0 || lb > 2)
            continue;
        if ((ld <= 2 && is_date(api, a, la, b, d)) ||
            (la <= 2 && (is_date(api, d, ld, b, a) || is_date(api, d, ld, a, b))))
            return 1;
    }
    return 0;
}

int id_judge_pseudonym(const char **problem, const id_child *c, const char *p)
{
    *problem = NULL;
    char *folded;
    int rc = names_fold_optional(&folded, c->api, p, 0);
    if (rc != 0 || !folded)
        return rc; /* the caller checked its shape */
    char psk[ID_PSEUDONYM_MAX * 2 + 1];
    if (names_skeleton_cap(strlen(folded)) > sizeof(psk)) {
        free(folded);
        return 0; /* longer than a pseudonym may be: the caller refuses it */
    }
    names_skeleton(psk, folded);
    free(folded);

    digit_groups g;
    digit_groups_of(&g, p);
    int failed = 0;
    if (c->name_skel && ((strlen(c->name_skel) >= PART_MIN && strstr(psk, c->name_skel)) ||
                         holds_part(c, psk)))
        *problem = "must not contain the child's name or a part of it, in any spelling";
    else if (holds_birth_date(c, &g))
        *problem = "must not contain the child's birth date or its year, in any order or "
                   "spelling";
    else if (holds_number_of(&g, c->school, 1))
        *problem = "must not contain the number of the child's school";
    else if (holds_number_of(&g, c->address, 2) || holds_street_word(c, psk, &failed))
        *problem = "must not contain a number or a street name from the child's address";
    else if (!g.letters)
        *problem = "must contain at least one letter";
    else if (g.ndigits > DIGITS_MAX || g.longest > RUN_MAX)
        *problem = "may hold at most 6 digits, and at most 4 of them in a row (a date, a phone "
                   "or an ID number does not fit)";
    else if (holds_date(c->api, &g))
        *problem = "must not contain a date (three groups of digits that read as a day, a "
                   "month and a year)";
    return failed ? KENES_ENOMEM : 0;
}
