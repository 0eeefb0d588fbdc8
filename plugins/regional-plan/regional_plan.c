/*
 * regional-plan: each region's plan under the national concept «Дети
 * Казахстана» (2026–2030).  The workflow (workflows/regional-plan.yaml) says
 * who moves a plan between stages; this plugin says what a valid plan is,
 * what its id is, provides the act_recorded guard (the akimat's approver
 * records its resolution with `approve`) and writes the plans' sections of the national and regional
 * reports.  The comment_required guard lives in plugins/common.
 *
 * A plan's fields:
 *   period           a year of the concept, 2026 to 2030
 *   measures         a list; at least one measure in each of the concept's
 *                    four directions (safety, education, health,
 *                    family-social-protection); each measure is
 *                    {title, direction, lead_agency, co_executors, deadline,
 *                     funding {source, amount_kzt}, indicator, baseline, target,
 *                     concept_item: optional, a code of content/concept.yaml}
 *   local_specifics  what is particular to the region, and why
 *   act              the akimat's resolution {number, date}: recorded by
 *                    the approver with `approve` (no create or edit sets
 *                    it), required from then on, checked whenever present
 *
 * Every problem is reported in one pass, each at its own path
 * ("fields.measures[0].direction"); messages never repeat the values they
 * judge.  Only <kenes/plugin.h>, jansson, libc and the plugin SDK
 * (plugins/sdk, linked in): everything else comes through the api table.
 */
#include <kenes/plugin.h>

#include <stdio.h>
#include <string.h>

#include "kenes_sdk.h"

#define PLUGIN_NAME "regional-plan"

#define PERIOD_FIRST 2026 /* the concept runs 2026–2030 */
#define PERIOD_LAST 2030

static const char *const known_fields[] = {"period", "measures", "local_specifics", "act", NULL};
static const char *const measure_keys[] = {"title",    "direction", "lead_agency", "co_executors",
                                           "deadline", "funding",   "indicator",   "baseline",
                                           "target",   "concept_item", NULL};
static const char *const funding_keys[] = {"source", "amount_kzt", NULL};

/* The concept's four directions, each a section of the plan. */
#define NDIRECTIONS 4
static const char *const directions[NDIRECTIONS] = {"safety", "education", "health",
                                                    "family-social-protection"};

/* 1 if fields.period is wrong (and reported). */
static int check_period(chk_report *r, const json_t *fields)
{
    const json_t *p = json_object_get(fields, "period");
    if (!p) {
        chk_problem(r, "fields.period", "required", "is required: the plan's year, %d to %d", PERIOD_FIRST,
                    PERIOD_LAST);
        return 1;
    }
    if (!json_is_integer(p)) {
        chk_problem(r, "fields.period", "not_integer", "must be a whole year (a number), %d to %d", PERIOD_FIRST,
                    PERIOD_LAST);
        return 1;
    }
    json_int_t y = json_integer_value(p);
    if (y < PERIOD_FIRST || y > PERIOD_LAST) {
        chk_problem(r, "fields.period", "period_out_of_range",
                    "must be a year from %d to %d, the period of the concept «Дети Казахстана»",
                    PERIOD_FIRST, PERIOD_LAST);
        return 1;
    }
    return 0;
}

/* baseline and target: what the indicator shows, as a number or text ("30%"). */
static void check_value(chk_report *r, const char *path, const json_t *v, const char *what)
{
    if (json_is_number(v))
        return;
    if (v && !json_is_string(v)) {
        chk_problem(r, path, "not_number_or_text", "must be a number or text: %s", what);
        return;
    }
    chk_text(r, path, v, what);
}

static void check_funding(chk_report *r, const char *base, const json_t *funding)
{
    char path[CHK_PATH_CAP];
    if (!json_is_object(funding)) {
        chk_problem(r, base, funding ? "not_object" : "required",
                    funding ? "must be an object {source, amount_kzt}"
                            : "is required: {source, amount_kzt}");
        return;
    }
    chk_path_key(path, sizeof(path), base, "source");
    chk_text(r, path, json_object_get(funding, "source"),
             "where the money comes from (for no cost, say so)");
    chk_path_key(path, sizeof(path), base, "amount_kzt");
    chk_tenge(r, path, json_object_get(funding, "amount_kzt"), "the amount (0 means no cost)");
    chk_unknown_keys(r, funding, base, funding_keys,
                     "a measure's funding (expected source, amount_kzt)");
}

static void check_co_executors(chk_report *r, const char *base, const json_t *list)
{
    if (chk_list(r, base, list, "a list of agencies (it may be empty)",
                 "agencies (it may be empty)"))
        return;
    size_t i;
    const json_t *v;
    json_array_foreach(list, i, v) {
        if (chk_full(r))
            break;
        char path[CHK_PATH_CAP + 24]; /* base is at most CHK_PATH_CAP */
        snprintf(path, sizeof(path), "%s[%zu]", base, i);
        chk_text(r, path, v, "an agency's name");
    }
}

/* concept_item (optional): one of the codes of content/concept.yaml's items.
 * Without that list (a core that loads none) no code can be known. */
static void check_concept_item(chk_report *r, const char *path, const json_t *v)
{
    if (!v)
        return;
    const json_t *concept = KENES_API_HAS(r->api, content) ? r->api->content("concept") : NULL;
    size_t i;
    const json_t *item;
    json_array_foreach(json_object_get(concept, "items"), i, item)
        if (json_is_string(v) && json_equal(json_object_get(item, "code"), v))
            return;
    chk_problem(r, path, "concept_item_unknown",
                "must be the code of an item of the national concept (content/concept.yaml)");
}

/* Check measure i; returns the index of its direction, or -1. */
static int check_measure(chk_report *r, size_t i, const json_t *m)
{
    char base[64], path[CHK_PATH_CAP];
    snprintf(base, sizeof(base), "fields.measures[%zu]", i);
    if (!json_is_object(m)) {
        chk_problem(r, base, "not_object",
                    "must be an object {title, direction, lead_agency, co_executors, "
                    "deadline, funding, indicator, baseline, target}");
        return -1;
    }

    chk_path_key(path, sizeof(path), base, "title");
    chk_text(r, path, json_object_get(m, "title"), "what the measure is");

    int dir = -1;
    chk_path_key(path, sizeof(path), base, "direction");
    const json_t *d = json_object_get(m, "direction");
    for (int k = 0; json_is_string(d) && k < NDIRECTIONS; k++)
        if (strcmp(json_string_value(d), directions[k]) == 0)
            dir = k;
    if (dir < 0)
        chk_problem(r, path, d ? "not_in_list" : "required",
                    "%s one of safety, education, health, family-social-protection",
                    d ? "must be" : "is required:");

    chk_path_key(path, sizeof(path), base, "lead_agency");
    chk_text(r, path, json_object_get(m, "lead_agency"), "the agency that leads the measure");

    chk_path_key(path, sizeof(path), base, "co_executors");
    check_co_executors(r, path, json_object_get(m, "co_executors"));

    chk_path_key(path, sizeof(path), base, "deadline");
    const json_t *dl = json_object_get(m, "deadline");
    const char *dls = json_string_value(dl);
    if (!chk_is_date(r->api, dls, NULL, NULL, NULL) && !chk_is_quarter(dls))
        chk_problem(r, path, dl ? "not_date_or_quarter" : "required",
                    "%s a date YYYY-MM-DD or a quarter such as 2026-Q3",
                    dl ? "must be" : "is required:");

    chk_path_key(path, sizeof(path), base, "funding");
    check_funding(r, path, json_object_get(m, "funding"));

    chk_path_key(path, sizeof(path), base, "indicator");
    chk_text(r, path, json_object_get(m, "indicator"), "the indicator the measure moves");
    chk_path_key(path, sizeof(path), base, "baseline");
    check_value(r, path, json_object_get(m, "baseline"), "the indicator's value now");
    chk_path_key(path, sizeof(path), base, "target");
    check_value(r, path, json_object_get(m, "target"), "the value the measure aims at");

    chk_path_key(path, sizeof(path), base, "concept_item");
    check_concept_item(r, path, json_object_get(m, "concept_item"));

    chk_unknown_keys(r, m, base, measure_keys,
                     "a measure (expected title, direction, lead_agency, co_executors, "
                     "deadline, funding, indicator, baseline, target, concept_item)");
    return dir;
}

static void check_measures(chk_report *r, const json_t *measures)
{
    if (chk_list(r, "fields.measures", measures,
                 "a list of measures, at least one in each direction (safety, education, "
                 "health, family-social-protection)",
                 "measures"))
        return;
    int covered[NDIRECTIONS] = {0};
    size_t i;
    const json_t *m;
    json_array_foreach(measures, i, m) {
        if (chk_full(r))
            break;
        int dir = check_measure(r, i, m);
        if (dir >= 0)
            covered[dir] = 1;
    }
    /* A measure with a good direction counts even if something else in it
     * is wrong: that problem is already reported at its own path. */
    for (int k = 0; k < NDIRECTIONS; k++)
        if (!covered[k])
            chk_problem(r, "fields.measures", "direction_missing",
                        "needs at least one measure in the direction %s", directions[k]);
}

static int validate(const kenes_api *api, const kenes_doc *doc, kenes_errors *errs)
{
    chk_report r = {.api = api, .errs = errs};
    chk_header(&r, doc);
    const json_t *fields = chk_fields(&r, doc); /* {} for none: fails on fields.period */
    if (!fields)
        return KENES_EVALIDATION;
    check_period(&r, fields);
    check_measures(&r, json_object_get(fields, "measures"));
    chk_text(&r, "fields.local_specifics", json_object_get(fields, "local_specifics"),
             "what is particular to this region, and why");
    return chk_finish(&r, doc, fields, "plan", known_fields,
                      "a regional plan (expected period, measures, local_specifics, act)");
}

static int make_id(const kenes_api *api, const kenes_doc *doc, char *out, size_t cap)
{
    const char *region = api->doc_get(doc, "region");
    const json_t *p = json_object_get(api->doc_fields(doc), "period");
    if (!region || !api->region_valid(region) || !json_is_integer(p))
        return KENES_EINVAL;
    return sdk_id_printf(out, cap, "plan/%s/%lld", region, (long long)json_integer_value(p));
}

/* act_recorded: the akimat approves the plan by its resolution, recorded
 * with the approval (see chk_act_recorded). */
static int act_recorded(const kenes_api *api, const kenes_doc *doc, const kenes_ctx *ctx,
                        kenes_errors *errs)
{
    (void)ctx;
    return chk_act_recorded(api, doc, errs, "plan");
}

/* ---- reports ------------------------------------------------------------
 *
 * national.md: one row per region (every one the core knows), with the year and stage of its
 * latest plan.  regions/<code>.md: the region's plans in force, measure by
 * measure under the four directions, the local specifics and the akimat's
 * resolution that approved them.
 * Everything a document says goes through report_text.
 */

/* The plugin's own words, {ru, kk, en} (RPT_WORD picks the report's). */
static const char *const direction_words[NDIRECTIONS][RPT_NLANGS] = {
    {"Безопасность", "Қауіпсіздік", "Safety"},
    {"Образование", "Білім беру", "Education"},
    {"Здоровье", "Денсаулық", "Health"},
    {"Семья и социальная защита", "Отбасы және әлеуметтік қорғау",
     "Family and social protection"}};
static const char *const W_PLANS[] = {
    "## Региональные планы\n\n"
    "По каждому региону — план на последний год, на который он составлен, и этап его "
    "рассмотрения.\n\n"
    "| Регион | Год плана | Этап |\n|---|---|---|\n",
    "## Өңірлік жоспарлар\n\n"
    "Әр өңір бойынша — ең соңғы жылға жасалған жоспар және оны қарау кезеңі.\n\n"
    "| Өңір | Жоспар жылы | Кезең |\n|---|---|---|\n",
    "## Regional plans\n\n"
    "For each region: the plan for the latest year it was drawn up for, and the stage of its "
    "review.\n\n"
    "| Region | Plan year | Stage |\n|---|---|---|\n"};
static const char *const W_NO_PLAN[] = {"нет плана", "жоспар жоқ", "no plan"};
static const char *const W_NO_COST[] = {"без затрат", "шығынсыз", "no cost"};
static const char *const W_OTHER[] = {"Прочие меры", "Басқа шаралар", "Other measures"};
static const char *const W_MEASURES[] = {
    "| Мера | Ответственный исполнитель | Соисполнители | Срок | Показатель "
    "| Базовое → целевое значение | Финансирование |\n",
    "| Шара | Жауапты орындаушы | Бірлесіп орындаушылар | Мерзімі | Көрсеткіш "
    "| Базалық → нысаналы мән | Қаржыландыру |\n",
    "| Measure | Lead agency | Co-executors | Deadline | Indicator | Baseline → target "
    "| Funding |\n"};
static const char *const W_NO_MEASURES[] = {"Мер нет.", "Шаралар жоқ.", "No measures."};
static const char *const W_PLAN_FOR[] = {"План на %lld год", "%lld жылға арналған жоспар",
                                         "Plan for %lld"};
static const char *const W_PLAN[] = {"План", "Жоспар", "Plan"};
static const char *const W_PERIOD[] = {"Период: %lld год. ", "Кезеңі: %lld жыл. ",
                                       "Period: %lld. "};
static const char *const W_APPROVED[] = {"Утверждён", "Бекітілді", "Approved"};
static const char *const W_LOCAL[] = {"#### Местная специфика\n\n",
                                      "#### Өңірдің ерекшелігі\n\n", "#### Local specifics\n\n"};
static const char *const W_NOT_STATED[] = {"Не указана.", "Көрсетілмеген.", "Not stated."};
static const char *const W_REGIONAL_PLAN[] = {"## Региональный план\n\n",
                                              "## Өңірлік жоспар\n\n", "## Regional plan\n\n"};
static const char *const W_NO_APPROVED[] = {"Действующего регионального плана нет.\n\n",
                                            "Күшіндегі өңірлік жоспар жоқ.\n\n",
                                            "There is no regional plan in force.\n\n"};

/* The plan's year, or -1 if it has none. */
static long long period_of(const kenes_api *api, const kenes_doc *doc)
{
    const json_t *p = json_object_get(api->doc_fields(doc), "period");
    return json_is_integer(p) ? (long long)json_integer_value(p) : -1;
}

static int report_national(const kenes_api *api, kenes_report *r)
{
    size_t n = api->report_count(r);
    api->report_printf(r, "%s", RPT_WORD(api, r, W_PLANS));
    for (size_t i = 0; i < api->region_count(); i++) {
        const char *code = api->region_code(i);
        const kenes_doc *latest = NULL;
        long long year = -1;
        for (size_t j = 0; j < n; j++) {
            const kenes_doc *doc = api->report_doc(r, j);
            long long y = period_of(api, doc);
            if (sdk_doc_is(api, doc, "region", code) && (!latest || y >= year))
                latest = doc, year = y;
        }
        api->report_printf(r, "| ");
        rpt_region_name(api, r, code);
        if (!latest) {
            api->report_printf(r, " | — | %s |\n", RPT_WORD(api, r, W_NO_PLAN));
            continue;
        }
        if (year >= 0)
            api->report_printf(r, " | %lld | ", year);
        else
            api->report_printf(r, " | — | ");
        rpt_stage(api, r, PLUGIN_NAME, api->doc_get(latest, "stage"));
        api->report_printf(r, " |\n");
    }
    api->report_printf(r, "\n");
    return 0;
}

/* A measure's deadline: 30.09.2026, "III квартал 2026" ("2026 жылғы III
 * тоқсан", "Q3 2026"), or its text. */
static void report_deadline(const kenes_api *api, kenes_report *r, const char *s)
{
    static const char *const roman[] = {"I", "II", "III", "IV"};
    int q = chk_is_quarter(s) ? s[6] - '0' : 0;
    int lang = rpt_lang_index(api, r);
    if (q >= 1 && q <= 4 && lang == RPT_KK)
        api->report_printf(r, "%.4s жылғы %s тоқсан", s, roman[q - 1]);
    else if (q >= 1 && q <= 4 && lang == RPT_EN)
        api->report_printf(r, "Q%d %.4s", q, s);
    else if (q >= 1 && q <= 4)
        api->report_printf(r, "%s квартал %.4s", roman[q - 1], s);
    else
        rpt_date(api, r, s, "—");
}

/* "местный бюджет: 12 500 000 ₸" (no-break spaces between the groups), or
 * "...: без затрат" for 0. */
static void report_funding(const kenes_api *api, kenes_report *r, const json_t *funding)
{
    const char *source = json_string_value(json_object_get(funding, "source"));
    const json_t *amount = json_object_get(funding, "amount_kzt");
    if (source && *source) {
        api->report_text(r, source);
        if (json_is_integer(amount))
            api->report_printf(r, ": ");
    }
    if (!json_is_integer(amount)) {
        if (!source || !*source)
            api->report_printf(r, "—");
        return;
    }
    long long a = (long long)json_integer_value(amount);
    if (a == 0) {
        api->report_printf(r, "%s", RPT_WORD(api, r, W_NO_COST));
        return;
    }
    rpt_tenge(api, r, a);
}

/* The measures of one direction (dir -1: those with no known direction) as
 * a table; nothing if there are none. */
static void report_measures(const kenes_api *api, kenes_report *r, const json_t *measures,
                            int dir)
{
    int header = 0;
    size_t i;
    const json_t *m;
    json_array_foreach(measures, i, m) {
        if (!json_is_object(m))
            continue;
        const char *d = json_string_value(json_object_get(m, "direction"));
        int k = chk_index_of(directions, d);
        if (k != dir && (dir >= 0 || k >= 0))
            continue;
        if (!header) {
            api->report_printf(r, "#### %s\n\n",
                               dir >= 0 ? RPT_WORD(api, r, direction_words[dir])
                                        : RPT_WORD(api, r, W_OTHER));
            api->report_printf(r, "%s|---|---|---|---|---|---|---|\n",
                               RPT_WORD(api, r, W_MEASURES));
            header = 1;
        }
        api->report_printf(r, "| ");
        rpt_text_or(api, r, json_string_value(json_object_get(m, "title")), "—");
        api->report_printf(r, " | ");
        rpt_text_or(api, r, json_string_value(json_object_get(m, "lead_agency")), "—");
        api->report_printf(r, " | ");
        const json_t *co = json_object_get(m, "co_executors");
        size_t c, listed = 0;
        const json_t *v;
        json_array_foreach(co, c, v) {
            const char *agency = json_string_value(v);
            if (!agency || !*agency)
                continue;
            api->report_printf(r, "%s", listed++ ? "; " : "");
            api->report_text(r, agency);
        }
        if (!listed)
            api->report_printf(r, "—");
        api->report_printf(r, " | ");
        report_deadline(api, r, json_string_value(json_object_get(m, "deadline")));
        api->report_printf(r, " | ");
        rpt_text_or(api, r, json_string_value(json_object_get(m, "indicator")), "—");
        api->report_printf(r, " | ");
        rpt_value(api, r, json_object_get(m, "baseline"));
        api->report_printf(r, " → ");
        rpt_value(api, r, json_object_get(m, "target"));
        api->report_printf(r, " | ");
        report_funding(api, r, json_object_get(m, "funding"));
        api->report_printf(r, " |\n");
    }
    if (header)
        api->report_printf(r, "\n");
    else if (dir >= 0)
        api->report_printf(r, "#### %s\n\n%s\n\n", RPT_WORD(api, r, direction_words[dir]),
                           RPT_WORD(api, r, W_NO_MEASURES));
}

static void report_plan(const kenes_api *api, kenes_report *r, const kenes_doc *doc)
{
    const json_t *fields = api->doc_fields(doc);
    long long year = period_of(api, doc);
    const char *title = api->doc_get(doc, "title");
    api->report_printf(r, "### ");
    if (title && *title)
        api->report_text(r, title);
    else if (year >= 0)
        api->report_printf(r, RPT_WORD(api, r, W_PLAN_FOR), year);
    else
        api->report_printf(r, "%s", RPT_WORD(api, r, W_PLAN));
    api->report_printf(r, "\n\n");
    if (year >= 0)
        api->report_printf(r, RPT_WORD(api, r, W_PERIOD), year);
    const json_t *act = json_object_get(fields, "act");
    if (!json_is_object(act))
        api->report_printf(r, "%s.\n\n", RPT_WORD(api, r, W_APPROVED));
    else if (rpt_lang_index(api, r) == RPT_KK) { /* «... әкімдік қаулысымен бекітілді.» */
        rpt_act(api, r, act);
        api->report_printf(r, " бекітілді.\n\n");
    } else {
        api->report_printf(r, "%s ", RPT_WORD(api, r, W_APPROVED));
        rpt_act(api, r, act);
        api->report_printf(r, ".\n\n");
    }

    const json_t *measures = json_object_get(fields, "measures");
    for (int k = 0; k < NDIRECTIONS; k++)
        report_measures(api, r, measures, k);
    report_measures(api, r, measures, -1);

    api->report_printf(r, "%s", RPT_WORD(api, r, W_LOCAL));
    rpt_text_or(api, r, json_string_value(json_object_get(fields, "local_specifics")),
                RPT_WORD(api, r, W_NOT_STATED));
    api->report_printf(r, "\n\n");
}

static int report_region(const kenes_api *api, kenes_report *r)
{
    const char *code = api->report_region(r);
    size_t n = api->report_count(r), shown = 0;
    api->report_printf(r, "%s", RPT_WORD(api, r, W_REGIONAL_PLAN));
    for (size_t j = 0; j < n; j++) {
        const kenes_doc *doc = api->report_doc(r, j);
        if (sdk_doc_is(api, doc, "region", code) && sdk_doc_is(api, doc, "stage", "in-force")) {
            report_plan(api, r, doc);
            shown++;
        }
    }
    if (!shown)
        api->report_printf(r, "%s", RPT_WORD(api, r, W_NO_APPROVED));
    return 0;
}

/* regional-plan.schema.yaml, built in by CMake (kenes_plugin_schema). */
extern const char kenes_schema_regional_plan[];

/* No part in the cases report. */
static const kenes_report_section reports[] = {
    {KENES_REPORT_NATIONAL, report_national},
    {KENES_REPORT_REGION, report_region},
    {0, NULL},
};

static const kenes_doctype types[] = {
    {.name = "regional-plan",
     .noun = "regional plan",
     .make_id = make_id,
     .validate = validate,
     .reports = reports,
     .schema = kenes_schema_regional_plan},
    {0},
};

static const kenes_guard guards[] = {
    {.name = "act_recorded", .check = act_recorded},
    {0},
};

SDK_PLUGIN(PLUGIN_NAME, "0.2.0", types, guards)
