/*
 * commission-roster: the members of a region's commission on minors'
 * affairs, as approved after the government's order of 31 January 2026
 * (widened with the expert community, parents' organisations, NGOs and
 * public councils).  The workflow (workflows/commission-roster.yaml) says
 * who moves a roster between stages and when it is due (the national
 * order's deadline, content/orders.yaml); this plugin says
 * what a valid roster is, what its id is, provides the
 * roster_act_recorded guard and writes the rosters' sections of the
 * national and regional reports.
 *
 * A roster's fields:
 *   order_date    the date of the order that requires the roster (optional,
 *                 hidden in forms: the national order of content/orders.yaml
 *                 sets the deadline); its year and month, else the national
 *                 order's, name the roster: roster/<region>/<YYYY-MM>
 *   order_number  that order's number (optional text)
 *   members       a list of {full_name, position, organisation, role, category}:
 *                 exactly one chair, at least one secretary, at most one
 *                 deputy chair, at least one member in each of the four
 *                 widened categories, nobody twice
 *   act           the akimat's resolution {number, date}: recorded by the
 *                 approver with `approve` (no create or edit sets it),
 *                 required from then on, checked whenever present
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
    /* Optional since the national order sets the deadline (rosters written
     * before keep theirs, and their ids). */
    const json_t *date = json_object_get(fields, "order_date");
    if (date && !json_is_null(date) && !chk_is_date(api, json_string_value(date), NULL, NULL, NULL))
        chk_problem(&r, "fields.order_date", "not_date",
                    "must be the date of the order, YYYY-MM-DD (or leave it out)");
    const json_t *number = json_object_get(fields, "order_number");
    if (number)
        chk_text(&r, "fields.order_number", number, "the order's number (or leave it out)");
    check_members(&r, json_object_get(fields, "members"));
    return chk_finish(&r, doc, fields, "roster", known_fields,
                      "a commission roster (expected order_date, order_number, members, act)");
}

static void order_of(const kenes_api *api, long long *date, long long *due);

/* roster/<region>/<YYYY-MM of the order>: one roster per region and order
 * month.  The order is fields.order_date where a roster has one (those
 * written before the national order came into content/), else the
 * national order's. */
static int make_id(const kenes_api *api, const kenes_doc *doc, char *out, size_t cap)
{
    const char *region = api->doc_get(doc, "region");
    const json_t *v = json_object_get(api->doc_fields(doc), "order_date");
    int y, m;
    if (json_is_null(v))
        v = NULL;
    if (!region || !api->region_valid(region))
        return KENES_EINVAL;
    if (v && !chk_is_date(api, json_string_value(v), &y, &m, NULL))
        return KENES_EINVAL;
    if (!v) {
        long long date, due;
        order_of(api, &date, &due);
        api->date_of_ms(date, &y, &m, NULL);
    }
    return sdk_id_printf(out, cap, "roster/%s/%04d-%02d", region, y, m);
}

/* roster_act_recorded: the akimat approves the roster by its resolution,
 * recorded with the approval (see chk_act_recorded). */
static int roster_act_recorded(const kenes_api *api, const kenes_doc *doc, const kenes_ctx *ctx,
                               kenes_errors *errs)
{
    (void)ctx;
    return chk_act_recorded(api, doc, errs, "roster");
}

/* ---- reports ------------------------------------------------------------
 *
 * national.md: one row per region (every one the core knows) for its latest roster (the
 * last by id: roster/<region>/<YYYY-MM>): stage, due date, whether it was
 * approved in time and which of the four widened categories it holds.
 * regions/<code>.md: the members of the region's latest roster in force,
 * and whether it came into force in time.  The deadline is the national
 * order's (content/orders.yaml, api->order_dates), the same for every
 * region: no field a region types moves it.  Members are adults in a
 * public role, so their names appear; everything a document says goes
 * through report_text.  Every word in ru, kk and en (the report's).
 */

#define DAY_MS 86400000LL
#define ORDER "roster-2026"
/* Until content/orders.yaml is loaded by the core: the order of 31 January
 * 2026 and its week. */
#define ORDER_Y 2026
#define ORDER_M 1
#define ORDER_D 31
#define ORDER_TERM_DAYS 7

static const char *const role_words[NROLES][RPT_NLANGS] = {
    {"председатель", "төраға", "chair"},
    {"заместитель председателя", "төрағаның орынбасары", "deputy chair"},
    {"секретарь", "хатшы", "secretary"},
    {"член комиссии", "комиссия мүшесі", "member"}};
static const char *const category_words[][RPT_NLANGS] = {
    {"государственный орган", "мемлекеттік орган", "state body"},
    {"правоохранительные органы", "құқық қорғау органдары", "law enforcement"},
    {"образование", "білім беру", "education"},
    {"здравоохранение", "денсаулық сақтау", "health care"},
    {"социальная защита", "әлеуметтік қорғау", "social protection"},
    {"депутат маслихата", "мәслихат депутаты", "maslikhat deputy"},
    {"экспертное сообщество", "сарапшылар қауымдастығы", "expert community"},
    {"родительская организация", "ата-аналар ұйымы", "parents' organisation"},
    {"НПО", "ҮЕҰ", "NGO"},
    {"общественный совет", "қоғамдық кеңес", "public council"}};
static const char *const widened_words[NWIDENED][RPT_NLANGS] = {
    {"Экспертное сообщество", "Сарапшылар қауымдастығы", "Expert community"},
    {"Родительские организации", "Ата-аналар ұйымдары", "Parents' organisations"},
    {"НПО", "ҮЕҰ", "NGOs"},
    {"Общественные советы", "Қоғамдық кеңестер", "Public councils"}};

static const char *const W_ROSTERS[] = {"## Составы комиссий по делам несовершеннолетних\n\n",
                                        "## Кәмелетке толмағандардың істері жөніндегі "
                                        "комиссиялардың құрамы\n\n",
                                        "## Rosters of the commissions on minors' affairs\n\n"};
/* Around the order's date and its term in days. */
static const char *const W_INTRO_1[] = {
    "По каждому региону — последний состав комиссии: этап, срок утверждения (поручение "
    "Правительства от ",
    "Әр өңір бойынша — комиссияның соңғы құрамы: кезеңі, бекіту мерзімі (Үкіметтің ",
    "For each region, its latest roster: the stage, the deadline for its approval (the "
    "Government instruction of "};
static const char *const W_INTRO_2[] = {
    " и %d дней на утверждение, одинаково для всех регионов), соблюдён ли он, и есть ли в "
    "составе представители четырёх категорий, которыми комиссии расширены («✓» — есть, "
    "«—» — нет).\n\n",
    " тапсырмасы және бекітуге %d күн, барлық өңірге бірдей), оның сақталуы және құрамда "
    "комиссиялар кеңейтілген төрт санаттың өкілдері бар-жоғы («✓» — бар, «—» — жоқ).\n\n",
    " and %d days to approve it, the same for every region), whether it was kept, and whether "
    "the roster has members from the four categories the commissions were widened with "
    "(«✓» yes, «—» no).\n\n"};
static const char *const W_HEAD[] = {"| Регион | Этап | Срок | Соблюдение срока",
                                     "| Өңір | Кезең | Мерзімі | Мерзімнің сақталуы",
                                     "| Region | Stage | Due | Deadline kept"};
static const char *const W_NO_ROSTER[] = {"нет состава", "құрам жоқ", "no roster"};
static const char *const W_BY[][2] = {{"до ", ""}, {"", " ж. дейін"}, {"by ", ""}};
enum { IN_TIME, LATE, NOT_DUE, NTIMELINESS };
static const char *const W_TIMELINESS[NTIMELINESS][RPT_NLANGS] = {
    {"в срок", "мерзімінде", "in time"},
    {"просрочен", "мерзімі өтіп кетті", "late"},
    {"срок не истёк", "мерзімі өтпеді", "not yet due"}};
static const char *const W_MEMBERS[] = {
    "## Состав комиссии по делам несовершеннолетних и защите их прав\n\n",
    "## Кәмелетке толмағандардың істері және олардың құқықтарын қорғау жөніндегі комиссияның "
    "құрамы\n\n",
    "## The commission on minors' affairs and the protection of their rights: members\n\n"};
static const char *const W_NONE_APPROVED[] = {"Действующего состава комиссии нет.\n\n",
                                              "Күшіндегі комиссия құрамы жоқ.\n\n",
                                              "There is no roster in force.\n\n"};
static const char *const W_APPROVED[] = {"Утверждён", "Бекітілді", "Approved"};
static const char *const W_DUE[] = {"Срок утверждения: ", "Бекіту мерзімі: ", "Due: "};
/* The region's report says since when kenes has the roster in force (the
 * ministry's agreement ended the chain), the date the deadline is measured
 * by (the act may be dated earlier): «действует в системе с 10.02.2026 — с
 * опозданием». */
static const char *const W_IN_KENES[][2] = {{"; действует в системе с ", ""},
                                            {"; жүйеде ", " бастап күшінде"},
                                            {"; in force in kenes since ", ""}};
static const char *const W_APPROVED_LATE[] = {"с опозданием", "кешіктірілді", "late"};
static const char *const W_MEMBER_HEAD[] = {
    "| ФИО | Должность | Организация | Роль | Категория |\n",
    "| Тегі, аты, әкесінің аты | Лауазымы | Ұйым | Комиссиядағы рөлі | Санаты |\n",
    "| Full name | Position | Organisation | Role | Category |\n"};

/* The national order's date and deadline (ms).  Until the core knows the
 * order, 31.01.2026 and its week, said once in the log. */
static void order_of(const kenes_api *api, long long *date, long long *due)
{
    static int said;
    if (KENES_API_HAS(api, order_dates) && api->order_dates(ORDER, date, due) == 0)
        return;
    if (!said++)
        api->log(KENES_LOG_INFO, PLUGIN_NAME,
                 "no order " ORDER " in the core: the roster deadline is 31.01.2026 + %d days",
                 ORDER_TERM_DAYS);
    *date = api->date_ms(ORDER_Y, ORDER_M, ORDER_D);
    *due = *date + ORDER_TERM_DAYS * DAY_MS;
}

/* The region's latest roster (the last by id), only those in force if
 * only_approved.  NULL if there is none. */
static const kenes_doc *latest(const kenes_api *api, kenes_report *r, const char *code,
                               int only_approved)
{
    const kenes_doc *best = NULL;
    size_t n = api->report_count(r);
    for (size_t j = 0; j < n; j++) {
        const kenes_doc *doc = api->report_doc(r, j);
        if (sdk_doc_is(api, doc, "region", code) &&
            (!only_approved || sdk_doc_is(api, doc, "stage", "in-force")))
            best = doc;
    }
    return best;
}

/* A roster in force is in time when it entered `in-force` (the whole chain:
 * the akimat's approval, the ministry's agreement) by the order's deadline;
 * one not in force is late once the deadline has passed. */
static int timeliness(const kenes_api *api, const kenes_doc *doc, long long due)
{
    long long since;
    if (sdk_doc_is(api, doc, "stage", "in-force") &&
        api->time_parse(api->doc_get(doc, "stage_since"), &since) == 0)
        return since <= due ? IN_TIME : LATE;
    return api->now_ms() > due ? LATE : NOT_DUE;
}

/* "до 07.02.2026", "07.02.2026 дейін", "by 07.02.2026" */
static void report_by(const kenes_api *api, kenes_report *r, long long due)
{
    int l = rpt_lang_index(api, r);
    api->report_printf(r, "%s", W_BY[l][0]);
    rpt_date_ms(api, r, due);
    api->report_printf(r, "%s", W_BY[l][1]);
}

static int report_national(const kenes_api *api, kenes_report *r)
{
    long long date, due;
    order_of(api, &date, &due);
    api->report_printf(r, "%s%s", RPT_WORD(api, r, W_ROSTERS), RPT_WORD(api, r, W_INTRO_1));
    rpt_date_ms(api, r, date);
    api->report_printf(r, RPT_WORD(api, r, W_INTRO_2), (int)((due - date) / DAY_MS));
    api->report_printf(r, "%s", RPT_WORD(api, r, W_HEAD));
    for (int k = 0; k < NWIDENED; k++)
        api->report_printf(r, " | %s", RPT_WORD(api, r, widened_words[k]));
    api->report_printf(r, " |\n|---|---|---|---|:-:|:-:|:-:|:-:|\n");

    for (size_t i = 0; i < api->region_count(); i++) {
        const char *code = api->region_code(i);
        const kenes_doc *doc = latest(api, r, code, 0);
        api->report_printf(r, "| ");
        rpt_region_name(api, r, code);
        if (!doc) {
            api->report_printf(r, " | %s | — | —", RPT_WORD(api, r, W_NO_ROSTER));
            for (int k = 0; k < NWIDENED; k++)
                api->report_printf(r, " | —");
            api->report_printf(r, " |\n");
            continue;
        }
        api->report_printf(r, " | ");
        rpt_stage(api, r, PLUGIN_NAME, api->doc_get(doc, "stage"));
        api->report_printf(r, " | ");
        report_by(api, r, due);
        api->report_printf(r, " | %s", RPT_WORD(api, r, W_TIMELINESS[timeliness(api, doc, due)]));

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

/* A member's role or category in the report's language, or the text escaped. */
static void report_term(const kenes_api *api, kenes_report *r, const char *const *list,
                        const char *const (*words)[RPT_NLANGS], const char *value)
{
    int k = chk_index_of(list, value);
    if (k >= 0)
        api->report_printf(r, "%s", RPT_WORD(api, r, words[k]));
    else
        rpt_text_or(api, r, value, "—");
}

static void report_member(const kenes_api *api, kenes_report *r, const json_t *m)
{
    api->report_printf(r, "| ");
    for (int k = 0; k < NMEMBER_KEYS; k++) {
        const char *v = json_string_value(json_object_get(m, member_keys[k]));
        if (k == ROLE)
            report_term(api, r, roles, role_words, v);
        else if (k == CATEGORY)
            report_term(api, r, categories, category_words, v);
        else
            rpt_text_or(api, r, v, "—");
        api->report_printf(r, " |%s", k + 1 < NMEMBER_KEYS ? " " : "\n");
    }
}

static int report_region(const kenes_api *api, kenes_report *r)
{
    api->report_printf(r, "%s", RPT_WORD(api, r, W_MEMBERS));
    const kenes_doc *doc = latest(api, r, api->report_region(r), 1);
    if (!doc) {
        api->report_printf(r, "%s", RPT_WORD(api, r, W_NONE_APPROVED));
        return 0;
    }
    const json_t *fields = api->doc_fields(doc);
    const json_t *act = json_object_get(fields, "act");
    int lang = rpt_lang_index(api, r);
    if (lang == RPT_KK && json_is_object(act)) { /* «... әкімдік қаулысымен бекітілді.» */
        rpt_act(api, r, act);
        api->report_printf(r, " бекітілді. ");
    } else {
        api->report_printf(r, "%s", RPT_WORD(api, r, W_APPROVED));
        if (json_is_object(act)) {
            api->report_printf(r, " ");
            rpt_act(api, r, act);
        }
        api->report_printf(r, ". ");
    }
    long long date, due;
    order_of(api, &date, &due);
    api->report_printf(r, "%s", RPT_WORD(api, r, W_DUE));
    report_by(api, r, due);
    long long since;
    if (api->time_parse(api->doc_get(doc, "stage_since"), &since) == 0) {
        api->report_printf(r, "%s", W_IN_KENES[lang][0]);
        rpt_date_ms(api, r, since);
        api->report_printf(r, "%s", W_IN_KENES[lang][1]);
    }
    int t = timeliness(api, doc, due);
    api->report_printf(r, " — %s.\n\n%s|---|---|---|---|---|\n",
                       t == LATE ? RPT_WORD(api, r, W_APPROVED_LATE)
                                 : RPT_WORD(api, r, W_TIMELINESS[t]),
                       RPT_WORD(api, r, W_MEMBER_HEAD));
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
