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
 *
 * Free text an agency reads (a referral's task and body) gives the child
 * away when it holds:
 *  - the name as a title would, or a part of 4 letters or more declined
 *    (up to 3 letters of ending: «Айгерим» in «с Айгеримой», «Ернарға»);
 *  - the birth date with its year: day, month (a number or a month's name
 *    in ru, kk or en) and year in a row in any of the usual orders, or as
 *    one number (06052011, 20110506, 060511);
 *  - the address: two of its words or numbers in a row, the words that
 *    only say what kind of place follows (улица, дом, көшесі) and
 *    abbreviations of 1-2 letters (ул., д., кв.) stepped over, so that
 *    "ул. Абая, д. 12" is found as "Абая 12" and "Абая, 12";
 *  - the school: two words or numbers of its name in a row the same way,
 *    school words (школа, мектеп, гимназия, №) stepped over, or one of its
 *    numbers right after "№" or such a word («школа № 913»).
 * Single words and numbers alone are not refused: "12 занятий" or a street
 * that is also a poet's name say nothing on their own.
 */
#include "identity.h"
#include "names.h"
#include "kenes_sdk.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PART_MIN 3   /* shorter name parts match too much by chance */
#define JOINED_MIN 6 /* a name this long is looked for inside words too */
#define STREET_MIN 4 /* shorter address words are not looked for */
#define DIGITS_MAX 6
#define RUN_MAX 4
#define INFLECTED_MIN 4 /* a declined name: its part at least this long */
#define ENDING_MAX 3    /* and an ending of at most this many letters */

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

/* ---- free text (id_judge_text) ------------------------------------------ */

/* Free text as tokens: its folded words, each a number (its digits without
 * leading zeros) or a word (its skeleton), with the words that only say
 * what kind of place or school follows marked, so that rules can step over
 * them. */
typedef struct {
    size_t n;
    char **num;   /* [n]: digits, or NULL for a word */
    char **sk;    /* [n]: the word's skeleton, or NULL for a number */
    char **word;  /* [n]: the folded word itself */
    char *words;  /* the folded text the tokens point into */
} tokens;

static void tokens_dispose(tokens *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->sk ? t->sk[i] : NULL);
    free(t->num);
    free(t->sk);
    free(t->word);
    free(t->words);
    memset(t, 0, sizeof(*t));
}

static int all_digits(const char *w)
{
    return *w && strspn(w, "0123456789") == strlen(w);
}

static int is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

/* words: folded with KENES_FOLD_WORDS (stolen).  Folding keeps letters and
 * digits together ("№0" is "no0", "д.12" is "д 12" but "д12" one word):
 * numbers are split off the letters they touch, to be compared alone. */
static int tokens_init(tokens *t, char *folded)
{
    memset(t, 0, sizeof(*t));
    size_t len = strlen(folded), at = 0;
    char *words = malloc(2 * len + 1);
    if (!words) {
        free(folded);
        return KENES_ENOMEM;
    }
    for (size_t i = 0; i < len; i++) {
        if (i > 0 && folded[i] != ' ' && folded[i - 1] != ' ' &&
            is_digit(folded[i]) != is_digit(folded[i - 1]))
            words[at++] = ' ';
        words[at++] = folded[i];
    }
    words[at] = '\0';
    free(folded);
    t->words = words;
    size_t n = 1;
    for (const char *p = words; *p; p++)
        n += *p == ' ';
    t->num = calloc(n, sizeof(*t->num));
    t->sk = calloc(n, sizeof(*t->sk));
    t->word = calloc(n, sizeof(*t->word));
    if (!t->num || !t->sk || !t->word)
        return KENES_ENOMEM;
    char *save;
    for (char *w = strtok_r(words, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
        size_t i = t->n++;
        t->word[i] = w;
        if (all_digits(w)) {
            while (w[0] == '0' && w[1])
                w++;
            t->num[i] = w;
        } else if (!(t->sk[i] = names_skeleton_new(w))) {
            return KENES_ENOMEM;
        }
    }
    return 0;
}

static int tokens_of(tokens *t, const kenes_api *api, const char *text)
{
    char *words;
    memset(t, 0, sizeof(*t));
    int rc = names_fold_optional(&words, api, text, KENES_FOLD_WORDS);
    if (rc != 0 || !words)
        return rc;
    return tokens_init(t, words);
}

/* 1 if tokens i and j are the same number or the same word (skeletons). */
static int same_token(const tokens *a, size_t i, const tokens *b, size_t j)
{
    if (a->num[i] || b->num[j])
        return a->num[i] && b->num[j] && strcmp(a->num[i], b->num[j]) == 0;
    return strcmp(a->sk[i], b->sk[j]) == 0;
}

/* The month (1-12) a word names in Russian, Kazakh or English, by the start
 * of its skeleton ("января", "қаңтар", "Jan."), else 0. */
static int month_word(const char *sk)
{
    static const char *const starts[12][4] = {
        {"ian", "kantar", NULL},        {"fev", "feb", "akpan", NULL},
        {"mar", "nauriz", NULL},        {"apr", "sauir", NULL},
        {"mai", "mamir", NULL},         {"iun", "mausim", NULL},
        {"iul", "silde", NULL},         {"avg", "aug", "tamiz", NULL},
        {"sen", "sep", "kirkuiek", NULL}, {"okt", "oct", "kazan", NULL},
        {"noi", "nov", "karasa", NULL}, {"dek", "dec", "zeltoksan", NULL},
    };
    for (int m = 0; sk && m < 12; m++)
        for (size_t k = 0; starts[m][k]; k++)
            if (strncmp(sk, starts[m][k], strlen(starts[m][k])) == 0)
                return m + 1;
    return 0;
}

/* Token i as a number (a date's part), -1 for a word or too many digits. */
static long token_value(const tokens *t, size_t i)
{
    const char *s = t->num[i];
    if (!s || strlen(s) > 4)
        return -1;
    return strtol(s, NULL, 10);
}

/* 1 if token i is the birth year: all four digits, or the last two written
 * with two. */
static int is_year(const id_child *c, const tokens *t, size_t i)
{
    const char *w = t->word[i];
    long v = token_value(t, i);
    return v >= 0 && ((strlen(w) == 4 && v == c->by) || (strlen(w) == 2 && v == c->by % 100));
}

static int is_month(const id_child *c, const tokens *t, size_t i)
{
    return t->num[i] ? token_value(t, i) == c->bm : month_word(t->sk[i]) == c->bm;
}

static int is_day(const id_child *c, const tokens *t, size_t i)
{
    return token_value(t, i) == c->bd;
}

/* The birth date with its year: three tokens in a row (day month year,
 * year month day, month day year), or one number of 6 or 8 digits. */
static int text_holds_birth_date(const id_child *c, const tokens *t)
{
    if (!c->by)
        return 0;
    char forms[4][16];
    snprintf(forms[0], sizeof(forms[0]), "%02d%02d%04d", c->bd, c->bm, c->by);
    snprintf(forms[1], sizeof(forms[1]), "%04d%02d%02d", c->by, c->bm, c->bd);
    snprintf(forms[2], sizeof(forms[2]), "%02d%02d%02d", c->bd, c->bm, c->by % 100);
    snprintf(forms[3], sizeof(forms[3]), "%02d%02d%02d", c->by % 100, c->bm, c->bd);
    for (size_t i = 0; i < t->n; i++) {
        for (size_t k = 0; t->num[i] && k < 4; k++)
            if (strcmp(t->word[i], forms[k]) == 0)
                return 1;
        if (i + 2 >= t->n)
            continue;
        if ((is_day(c, t, i) && is_month(c, t, i + 1) && is_year(c, t, i + 2)) ||
            (is_year(c, t, i) && is_month(c, t, i + 1) && is_day(c, t, i + 2)) ||
            (is_month(c, t, i) && is_day(c, t, i + 1) && is_year(c, t, i + 2)))
            return 1;
    }
    return 0;
}

/* Words that say what an address's or a school's part is, not which: left
 * out before looking for the address's or school's words in a row. */
static int school_word(const char *w)
{
    static const char *const starts[] = {"школ", "мектеб", "мектеп", "гимназ", "лице",
                                         "school", "средн", "общеобразоват", "орта",
                                         "жалпы", "негізгі", "коммунальн", NULL};
    static const char *const words[] = {"сш", "сош", "оош", "ош", "no", "n", "им", "имени",
                                        "атындағы", "кгу", "гу", "кгкп", NULL};
    for (size_t i = 0; starts[i]; i++)
        if (strncmp(w, starts[i], strlen(starts[i])) == 0)
            return 1;
    for (size_t i = 0; words[i]; i++)
        if (strcmp(w, words[i]) == 0)
            return 1;
    return 0;
}

/* A word that tells nothing: a place or school word, or a short word
 * (abbreviations: «ул.», «д.», «кв.»). */
static int filler(const tokens *t, size_t i, int school)
{
    if (t->num[i])
        return 0;
    return place_word(t->word[i]) || (school && school_word(t->word[i])) ||
           strlen(t->sk[i]) < 3;
}

/* 1 if two tokens of what (the address or the school's name) that tell
 * something stand in a row in the text too, with only filler between. */
static int holds_pair(const tokens *what, const tokens *text, int school)
{
    size_t prev = (size_t)-1;
    for (size_t j = 0; j < what->n; j++) {
        if (filler(what, j, school))
            continue;
        if (prev != (size_t)-1) {
            size_t last = (size_t)-1;
            for (size_t i = 0; i < text->n; i++) {
                if (filler(text, i, school))
                    continue;
                if (last != (size_t)-1 && same_token(text, last, what, prev) &&
                    same_token(text, i, what, j))
                    return 1;
                last = i;
            }
        }
        prev = j;
    }
    return 0;
}

/* 1 if the text has a number of the school's name right after "№" or a
 * school word («школа № 12», «СШ 12», «мектеп 12»). */
static int holds_school_number(const tokens *school, const tokens *text)
{
    for (size_t i = 1; i < text->n; i++) {
        if (!text->num[i] || text->num[i - 1] || !school_word(text->word[i - 1]))
            continue;
        for (size_t j = 0; j < school->n; j++)
            if (same_token(text, i, school, j))
                return 1;
    }
    return 0;
}

/* 1 if a word of the text is a part of the name with an ending added, as
 * sentences decline names: «с Айгерим», «Нурлановой», «Ернарға».  Parts of 4
 * letters or more, endings of up to 3 (in the skeleton). */
static int holds_inflected_part(const id_child *c, const tokens *t)
{
    for (size_t i = 0; i < t->n; i++) {
        if (!t->sk[i])
            continue;
        size_t n = strlen(t->sk[i]);
        for (size_t k = 0; k < c->nparts; k++) {
            size_t m = strlen(c->part[k]);
            if (m >= INFLECTED_MIN && n >= m && n - m <= ENDING_MAX &&
                strncmp(t->sk[i], c->part[k], m) == 0)
                return 1;
        }
    }
    return 0;
}

int id_judge_text(const char **code, const id_child *c, const char *text)
{
    *code = NULL;
    int names = 0;
    int rc = id_judge_title(&names, c, text);
    if (rc != 0 || names) {
        *code = names ? "text_names_child" : NULL;
        return rc;
    }
    tokens t, address, school;
    memset(&address, 0, sizeof(address));
    memset(&school, 0, sizeof(school));
    rc = tokens_of(&t, c->api, text);
    if (rc == 0 && c->address && !c->for_list) {
        char *copy = strdup(c->address);
        rc = copy ? tokens_init(&address, copy) : KENES_ENOMEM;
    }
    if (rc == 0 && c->school && !c->for_list) {
        char *copy = strdup(c->school);
        rc = copy ? tokens_init(&school, copy) : KENES_ENOMEM;
    }
    if (rc == 0) {
        if (holds_inflected_part(c, &t))
            *code = "text_names_child";
        else if (text_holds_birth_date(c, &t))
            *code = "text_birth_date";
        else if (holds_pair(&address, &t, 0))
            *code = "text_address";
        else if (holds_pair(&school, &t, 1) || holds_school_number(&school, &t))
            *code = "text_school";
    }
    tokens_dispose(&t);
    tokens_dispose(&address);
    tokens_dispose(&school);
    return rc;
}
