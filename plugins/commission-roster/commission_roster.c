/*
 * commission-roster: the members of a region's commission on minors'
 * affairs, as approved after the government's order of 31 January 2026
 * (widened with the expert community, parents' organisations, NGOs and
 * public councils).  The workflow (workflows/commission-roster.yaml) says
 * who moves a roster between stages and when it is due; this plugin says
 * what a valid roster is, what its id is, provides the
 * roster_act_recorded guard and writes the rosters' sections of the
 * national and regional reports.
 *
 * A roster's fields:
 *   order_date    the date of the order that requires the roster (required);
 *                 its year and month name the roster: roster/<region>/<YYYY-MM>
 *   order_number  that order's number (optional text)
 *   members       a list of {full_name, position, organisation, role, category}:
 *                 exactly one chair, at least one secretary, at most one
 *                 deputy chair, at least one member in each of the four
 *                 widened categories, nobody twice
 *   act           the approving act {number, date}: required once the
 *                 roster is approved, checked whenever present
 *
 * Members are adults acting in a public role: their names may appear in
 * reports.  Messages still never repeat the values they judge.
 */
#include <kenes/plugin.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kenes_sdk.h"

#define PLUGIN_NAME "commission-roster"

static const char *const known_fields[] = {"order_date", "order_number", "members", "act", NULL};

/* What a member is, in the order problems are reported. */
enum { NAME, POSITION, ORGANISATION, ROLE, CATEGORY, NMEMBER_KEYS };
static const char *const member_keys[NMEMBER_KEYS + 1] = {"full_name", "position", "organisation",
                                                          "role",      "category", NULL};
static const char *const member_what[NMEMBER_KEYS] = {
    "the member's full name", "the member's position", "the organisation the member is from",
    "the member's role on the commission", "the part of society the member stands for"};

enum { CHAIR, DEPUTY_CHAIR, SECRETARY, MEMBER, NROLES };
static const char *const roles[NROLES + 1] = {"chair", "deputy-chair", "secretary", "member", NULL};

static const char *const categories[] = {"state-body",
                                         "law-enforcement",
                                         "education",
                                         "health",
                                         "social-protection",
                                         "maslikhat-deputy",
                                         "expert-community",
                                         "parents-organisation",
                                         "ngo",
                                         "public-council",
                                         NULL};
/* The order of 31 January 2026: the roster is widened with these. */
#define NWIDENED 4
static const char *const widened[NWIDENED] = {"expert-community", "parents-organisation", "ngo",
                                              "public-council"};

/* ---- one person, one name ----------------------------------------------- */

/* Simple lower-case mapping for the letters names are written in here:
 * ASCII, Latin-1, Latin Extended-A (Kazakh Latin: Ä Ğ İ Ñ Ö Ş Ū Ü) and
 * Cyrillic with the Kazakh letters (Ә Ғ Қ Ң Ө Ұ Ү Һ І).  Never longer in
 * UTF-8 than the letter it maps. */
static uint32_t fold(uint32_t c)
{
    if (c >= 'A' && c <= 'Z')
        return c + 0x20;
    if ((c >= 0xC0 && c <= 0xDE && c != 0xD7) || (c >= 0x410 && c <= 0x42F))
        return c + 0x20; /* À..Þ but ×; А..Я */
    if (c >= 0x400 && c <= 0x40F)
        return c + 0x50; /* Ѐ..Џ, with Ё and І */
    if (c == 0x130)
        return 'i'; /* İ */
    if (c == 0x178)
        return 0xFF; /* Ÿ */
    if (c == 0x4C0)
        return 0x4CF; /* Ӏ */
    /* Pairs with the capital even: Ā..ķ, Ŋ..ŷ, Ѡ..ҁ, Ҋ..ҿ (Ғ Қ Ң Ү Ұ Һ), Ӑ..ӿ (Ә Ө). */
    if ((c >= 0x100 && c <= 0x137) || (c >= 0x14A && c <= 0x177) || (c >= 0x460 && c <= 0x481) ||
        (c >= 0x48A && c <= 0x4BF) || (c >= 0x4D0 && c <= 0x4FF))
        return c | 1;
    /* Pairs with the capital odd: Ĺ..ň, Ź..ž, Ӂ..ӎ. */
    if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E) || (c >= 0x4C1 && c <= 0x4CE))
        return c + (c & 1);
    return c;
}

/* Decode the code point at s (valid UTF-8); *len its bytes. */
static uint32_t decode(const unsigned char *s, size_t *len)
{
    if (s[0] < 0x80) {
        *len = 1;
        return s[0];
    }
    if (s[0] < 0xE0) {
        *len = 2;
        return (uint32_t)(s[0] & 0x1F) << 6 | (s[1] & 0x3F);
    }
    if (s[0] < 0xF0) {
        *len = 3;
        return (uint32_t)(s[0] & 0x0F) << 12 | (uint32_t)(s[1] & 0x3F) << 6 | (s[2] & 0x3F);
    }
    *len = 4;
    return (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3F) << 12 |
           (uint32_t)(s[2] & 0x3F) << 6 | (s[3] & 0x3F);
}

static size_t encode(uint32_t c, char *out)
{
    if (c < 0x80) {
        out[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        out[0] = (char)(0xC0 | c >> 6);
        out[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        out[0] = (char)(0xE0 | c >> 12);
        out[1] = (char)(0x80 | (c >> 6 & 0x3F));
        out[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | c >> 18);
    out[1] = (char)(0x80 | (c >> 12 & 0x3F));
    out[2] = (char)(0x80 | (c >> 6 & 0x3F));
    out[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

/* The name as compared: trimmed, each run of (Unicode) spaces one ' ',
 * lower case.  out has room for strlen(s) + 1: nothing here grows. */
static void name_key(const char *name, char *out)
{
    const unsigned char *s = (const unsigned char *)name;
    size_t n = 0, len;
    int space = 0;
    while (*s) {
        if ((len = chk_space_len(s)) != 0) {
            space = n > 0;
            s += len;
            continue;
        }
        if (space)
            out[n++] = ' ';
        space = 0;
        n += encode(fold(decode(s, &len)), out + n);
        s += len;
    }
    out[n] = '\0';
}

typedef struct named {
    const char *key;
    size_t index; /* in fields.members */
} named;

static int by_key_then_index(const void *a, const void *b)
{
    const named *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : (x->index > y->index) - (x->index < y->index);
}

/* Member i's full name if it passed its own check, else NULL (that problem
 * is reported at its path already). */
static const char *good_name(const kenes_api *api, const json_t *members, size_t i)
{
    const json_t *v = json_object_get(json_array_get(members, i), "full_name");
    const char *s = json_string_value(v);
    if (!s || !api->utf8_valid(s, json_string_length(v)) || chk_blank(s))
        return NULL;
    return s;
}

/* Report each member whose name an earlier member already has, at that
 * member's full_name. */
static void check_duplicates(chk_report *r, const json_t *members)
{
    size_t n = json_array_size(members), total = 0, count = 0;
    for (size_t i = 0; i < n; i++) {
        const char *s = good_name(r->api, members, i);
        if (s)
            total += strlen(s) + 1, count++;
    }
    if (count < 2)
        return;
    named *list = malloc(count * sizeof(*list));
    char *keys = malloc(total);
    size_t *first = malloc(n * sizeof(*first)); /* the earlier index, or SIZE_MAX */
    if (!list || !keys || !first) {
        chk_problem(r, "fields.members", "try_again", "could not be checked for duplicates (out of memory)");
        goto out;
    }
    char *at = keys;
    count = 0;
    for (size_t i = 0; i < n; i++) {
        first[i] = SIZE_MAX;
        const char *s = good_name(r->api, members, i);
        if (!s)
            continue;
        name_key(s, at);
        list[count++] = (named){at, i};
        at += strlen(at) + 1;
    }
    /* Sorted, the same name is a run and its first entry the earliest member. */
    qsort(list, count, sizeof(*list), by_key_then_index);
    for (size_t j = 1, head = 0; j < count; j++) {
        if (strcmp(list[j].key, list[head].key) != 0)
            head = j;
        else
            first[list[j].index] = list[head].index;
    }
    for (size_t i = 0; i < n; i++) {
        if (chk_full(r))
            break;
        if (first[i] == SIZE_MAX)
            continue;
        char path[64];
        snprintf(path, sizeof(path), "fields.members[%zu].full_name", i);
        chk_problem(r, path, "duplicate_member", "names the same person as fields.members[%zu]", first[i]);
    }
out:
    free(list);
    free(keys);
    free(first);
}

/* ---- members ------------------------------------------------------------ */

typedef struct tally {
    size_t holder[NROLES]; /* the first member with each role */
    int held[NROLES];
    int widened[NWIDENED];
} tally;

static void check_member(chk_report *r, size_t i, const json_t *m, tally *t)
{
    char base[64], path[CHK_PATH_CAP];
    snprintf(base, sizeof(base), "fields.members[%zu]", i);
    if (!json_is_object(m)) {
        chk_problem(r, base, "not_object",
                    "must be an object {full_name, position, organisation, role, category}");
        return;
    }
    for (int k = 0; k < NMEMBER_KEYS; k++) {
        chk_path_key(path, sizeof(path), base, member_keys[k]);
        const json_t *v = json_object_get(m, member_keys[k]);
        if (k != ROLE && k != CATEGORY) {
            chk_text(r, path, v, member_what[k]);
            continue;
        }
        const char *const *allowed = k == ROLE ? roles : categories;
        if (chk_one_of(allowed, json_string_value(v)))
            continue;
        if (k == ROLE)
            chk_problem(r, path, v ? "not_in_list" : "required",
                        "%s one of chair, deputy-chair, secretary, member",
                        v ? "must be" : "is required:");
        else
            chk_problem(r, path, v ? "not_in_list" : "required",
                        "%s one of state-body, law-enforcement, education, health, "
                        "social-protection, maslikhat-deputy, expert-community, "
                        "parents-organisation, ngo, public-council",
                        v ? "must be" : "is required:");
    }

    chk_unknown_keys(r, m, base, member_keys,
                     "a member (expected full_name, position, organisation, role, category)");

    const char *role = json_string_value(json_object_get(m, "role"));
    for (int k = 0; role && k < NROLES; k++) {
        if (strcmp(role, roles[k]) != 0)
            continue;
        chk_path_key(path, sizeof(path), base, "role");
        if (t->held[k] && k == CHAIR)
            chk_problem(r, path, "chair_twice",
                        "a roster has exactly one chair: fields.members[%zu] is the "
                        "chair",
                        t->holder[k]);
        else if (t->held[k] && k == DEPUTY_CHAIR)
            chk_problem(r, path, "deputy_chair_twice",
                        "a roster has at most one deputy chair: fields.members[%zu] is the "
                        "deputy chair",
                        t->holder[k]);
        if (!t->held[k]++)
            t->holder[k] = i;
    }
    const char *category = json_string_value(json_object_get(m, "category"));
    for (int k = 0; category && k < NWIDENED; k++)
        if (strcmp(category, widened[k]) == 0)
            t->widened[k] = 1;
}

static void check_members(chk_report *r, const json_t *members)
{
    if (chk_list(r, "fields.members", members,
                 "the list of the commission's members, with exactly one chair and at least "
                 "one secretary",
                 "members"))
        return;
    tally t = {0};
    size_t i;
    const json_t *m;
    json_array_foreach(members, i, m) {
        if (chk_full(r))
            break;
        check_member(r, i, m, &t);
    }
    check_duplicates(r, members);
    /* Members with a wrong field still count: that is reported at its path. */
    if (!t.held[CHAIR])
        chk_problem(r, "fields.members", "chair_missing",
                    "needs exactly one chair: no member has the role chair");
    if (!t.held[SECRETARY])
        chk_problem(r, "fields.members", "secretary_missing",
                    "needs at least one secretary: no member has the role secretary");
    for (int k = 0; k < NWIDENED; k++)
        if (!t.widened[k])
            chk_problem(r, "fields.members", "category_missing",
                        "needs at least one member in the category %s (the widened roster)",
                        widened[k]);
}

/* ---- the document ------------------------------------------------------- */

static int validate(const kenes_api *api, const kenes_doc *doc, kenes_errors *errs)
{
    chk_report r = {.api = api, .errs = errs};
    chk_header(&r, doc);
    const json_t *fields = chk_fields(&r, doc);
    if (!fields)
        return KENES_EVALIDATION;
    const json_t *date = json_object_get(fields, "order_date");
    if (!chk_is_date(api, json_string_value(date), NULL, NULL, NULL))
        chk_problem(&r, "fields.order_date", date ? "not_date" : "required",
                    "%s the date of the order, YYYY-MM-DD",
                    date ? "must be" : "is required:");
    const json_t *number = json_object_get(fields, "order_number");
    if (number)
        chk_text(&r, "fields.order_number", number, "the order's number (or leave it out)");
    check_members(&r, json_object_get(fields, "members"));
    return chk_finish(&r, doc, fields, "roster", known_fields,
                      "a commission roster (expected order_date, order_number, members, act)");
}

/* roster/<region>/<YYYY-MM of the order>: one roster per region and order month. */
static int make_id(const kenes_api *api, const kenes_doc *doc, char *out, size_t cap)
{
    const char *region = api->doc_get(doc, "region");
    const char *date = json_string_value(json_object_get(api->doc_fields(doc), "order_date"));
    int y, m;
    if (!region || !api->region_valid(region) || !chk_is_date(api, date, &y, &m, NULL))
        return KENES_EINVAL;
    return sdk_id_printf(out, cap, "roster/%s/%04d-%02d", region, y, m);
}

/* roster_act_recorded: the roster is approved with its act (see chk_act_recorded). */
static int roster_act_recorded(const kenes_api *api, const kenes_doc *doc, const kenes_ctx *ctx,
                               kenes_errors *errs)
{
    (void)ctx;
    return chk_act_recorded(api, doc, errs, "roster");
}

/* ---- reports ------------------------------------------------------------
 *
 * national.md: one row per region (every one the core knows) for its latest roster (by the
 * date of the order): stage, due date, whether it was approved in time and
 * which of the four widened categories it holds.  regions/<code>.md: the
 * members of the region's latest approved roster.  Members are adults in a
 * public role, so their names appear; everything a document says goes
 * through report_text.
 */

#define DAY_MS 86400000LL
#define DUE_DAYS 7 /* workflows/commission-roster.yaml: {from: fields.order_date, after: 7d} */

static const char *const roles_ru[NROLES] = {"председатель", "заместитель председателя",
                                             "секретарь", "член комиссии"};
static const char *const categories_ru[] = {"государственный орган",
                                            "правоохранительные органы",
                                            "образование",
                                            "здравоохранение",
                                            "социальная защита",
                                            "депутат маслихата",
                                            "экспертное сообщество",
                                            "родительская организация",
                                            "НКО",
                                            "общественный совет"};
static const char *const widened_ru[NWIDENED] = {"Экспертное сообщество",
                                                 "Родительские организации", "НКО",
                                                 "Общественные советы"};

static const char *order_date_of(const kenes_api *api, const kenes_doc *doc)
{
    const char *s = json_string_value(json_object_get(api->doc_fields(doc), "order_date"));
    return chk_is_date(api, s, NULL, NULL, NULL) ? s : NULL;
}

/* The region's roster with the latest order date (the later id on a tie, a
 * roster without a valid date before any with one); only approved ones if
 * only_approved.  NULL if there is none. */
static const kenes_doc *latest(const kenes_api *api, kenes_report *r, const char *code,
                               int only_approved)
{
    const kenes_doc *best = NULL;
    const char *best_date = "";
    size_t n = api->report_count(r);
    for (size_t j = 0; j < n; j++) {
        const kenes_doc *doc = api->report_doc(r, j);
        if (!sdk_doc_is(api, doc, "region", code) || (only_approved && !sdk_doc_is(api, doc, "stage", "approved")))
            continue;
        const char *date = order_date_of(api, doc);
        if (!date)
            date = "";
        if (!best || strcmp(date, best_date) >= 0)
            best = doc, best_date = date;
    }
    return best;
}

/* When the roster is due, in ms: the core's "due" where it answers one
 * (stages before approval), else order_date + 7 days as the workflow
 * counts it (from midnight UTC).  -1 if neither is known. */
static long long due_ms(const kenes_api *api, const kenes_doc *doc)
{
    long long ms;
    if (api->time_parse(api->doc_get(doc, "due"), &ms) == 0)
        return ms;
    if (api->time_parse(order_date_of(api, doc), &ms) != 0)
        return -1;
    return ms + DUE_DAYS * DAY_MS;
}

/* «в срок», «просрочен», «срок не истёк» or «—» (not known). */
static const char *timeliness(const kenes_api *api, const kenes_doc *doc, long long due)
{
    const char *overdue = api->doc_get(doc, "overdue");
    if (sdk_doc_is(api, doc, "stage", "approved")) {
        long long since;
        if (due < 0 || api->time_parse(api->doc_get(doc, "stage_since"), &since) != 0)
            return "—";
        return since <= due ? "в срок" : "просрочен";
    }
    if (overdue && strcmp(overdue, "true") == 0)
        return "просрочен";
    return due < 0 ? "—" : "срок не истёк";
}

static int report_national(const kenes_api *api, kenes_report *r)
{
    api->report_printf(r, "## Составы комиссий по делам несовершеннолетних\n\n"
                          "По каждому региону — последний состав комиссии (по дате приказа): "
                          "этап, срок утверждения (%d дней с даты приказа), соблюдён ли он, и "
                          "есть ли в составе представители четырёх категорий, которыми "
                          "комиссии расширены («✓» — есть, «—» — нет).\n\n",
                       DUE_DAYS);
    api->report_printf(r, "| Регион | Приказ от | Этап | Срок | Соблюдение срока");
    for (int k = 0; k < NWIDENED; k++)
        api->report_printf(r, " | %s", widened_ru[k]);
    api->report_printf(r, " |\n|---|---|---|---|---|:-:|:-:|:-:|:-:|\n");

    for (size_t i = 0; i < api->region_count(); i++) {
        const char *code = api->region_code(i);
        const kenes_doc *doc = latest(api, r, code, 0);
        api->report_printf(r, "| ");
        rpt_region_name(api, r, code);
        if (!doc) {
            api->report_printf(r, " | — | нет состава | — | —");
            for (int k = 0; k < NWIDENED; k++)
                api->report_printf(r, " | —");
            api->report_printf(r, " |\n");
            continue;
        }
        api->report_printf(r, " | ");
        rpt_date(api, r, order_date_of(api, doc), "—");
        api->report_printf(r, " | ");
        rpt_stage(api, r, PLUGIN_NAME, api->doc_get(doc, "stage"));
        long long due = due_ms(api, doc);
        if (due >= 0) {
            api->report_printf(r, " | до ");
            rpt_date_ms(api, r, due);
        } else {
            api->report_printf(r, " | —");
        }
        api->report_printf(r, " | %s", timeliness(api, doc, due));

        int present[NWIDENED] = {0};
        size_t j;
        const json_t *m;
        json_array_foreach(json_object_get(api->doc_fields(doc), "members"), j, m) {
            const char *category = json_string_value(json_object_get(m, "category"));
            for (int k = 0; category && k < NWIDENED; k++)
                if (strcmp(category, widened[k]) == 0)
                    present[k] = 1;
        }
        for (int k = 0; k < NWIDENED; k++)
            api->report_printf(r, " | %s", present[k] ? "✓" : "—");
        api->report_printf(r, " |\n");
    }
    api->report_printf(r, "\n");
    return 0;
}

/* A member's role or category in Russian, or the text escaped. */
static void report_term(const kenes_api *api, kenes_report *r, const char *const *list,
                        const char *const *ru, const char *value)
{
    int k = chk_index_of(list, value);
    if (k >= 0)
        api->report_printf(r, "%s", ru[k]);
    else
        rpt_text_or(api, r, value, "—");
}

static void report_member(const kenes_api *api, kenes_report *r, const json_t *m)
{
    api->report_printf(r, "| ");
    for (int k = 0; k < NMEMBER_KEYS; k++) {
        const char *v = json_string_value(json_object_get(m, member_keys[k]));
        if (k == ROLE)
            report_term(api, r, roles, roles_ru, v);
        else if (k == CATEGORY)
            report_term(api, r, categories, categories_ru, v);
        else
            rpt_text_or(api, r, v, "—");
        api->report_printf(r, " |%s", k + 1 < NMEMBER_KEYS ? " " : "\n");
    }
}

static int report_region(const kenes_api *api, kenes_report *r)
{
    api->report_printf(r, "## Состав комиссии по делам несовершеннолетних и защите их прав\n\n");
    const kenes_doc *doc = latest(api, r, api->report_region(r), 1);
    if (!doc) {
        api->report_printf(r, "Утверждённого состава комиссии нет.\n\n");
        return 0;
    }
    const json_t *fields = api->doc_fields(doc);
    const json_t *act = json_object_get(fields, "act");
    api->report_printf(r, "Утверждён");
    if (json_is_object(act)) {
        api->report_printf(r, " ");
        rpt_act(api, r, act);
    }
    api->report_printf(r, " по приказу");
    const char *number = json_string_value(json_object_get(fields, "order_number"));
    if (number && *number) {
        api->report_printf(r, " № ");
        api->report_text(r, number);
    }
    api->report_printf(r, " от ");
    rpt_date(api, r, order_date_of(api, doc), "—");
    api->report_printf(r, ".\n\n"
                          "| ФИО | Должность | Организация | Роль | Категория |\n"
                          "|---|---|---|---|---|\n");
    /* Chair, deputy chair, secretaries, members; then any other role. */
    const json_t *members = json_object_get(fields, "members");
    for (int role = 0; role <= NROLES; role++) {
        size_t j;
        const json_t *m;
        json_array_foreach(members, j, m) {
            if (!json_is_object(m))
                continue;
            int k = chk_index_of(roles, json_string_value(json_object_get(m, "role")));
            if (k == role || (role == NROLES && k < 0))
                report_member(api, r, m);
        }
    }
    api->report_printf(r, "\n");
    return 0;
}

/* No part in the cases report. */
static const kenes_report_section reports[] = {
    {KENES_REPORT_NATIONAL, report_national},
    {KENES_REPORT_REGION, report_region},
    {0, NULL},
};

/* commission-roster.schema.yaml, built in by CMake (kenes_plugin_schema). */
extern const char kenes_schema_commission_roster[];

static const kenes_doctype types[] = {
    {.name = "commission-roster",
     .noun = "commission roster",
     .make_id = make_id,
     .validate = validate,
     .reports = reports,
     .schema = kenes_schema_commission_roster},
    {0},
};

static const kenes_guard guards[] = {
    {.name = "roster_act_recorded", .check = roster_act_recorded},
    {0},
};

SDK_PLUGIN(PLUGIN_NAME, "0.1.0", types, guards)
