/*
 * The plan execution reports' sections of the published reports, in ru, kk
 * and en (RPT_WORD):
 *
 *  - national.md: per direction of the concept, the measures of the plans
 *    in force (each region's plan of its latest year) and how many of them
 *    the latest accepted execution report of that plan says are done, in
 *    progress, not done, or not reported; funding planned against spent;
 *    then the concept's coverage: per item of content/concept.yaml, how
 *    many regions' plans in force have a measure naming it.
 *  - regions/<code>.md: per plan in force of the region, per direction,
 *    each measure's target against its actual value, planned funding
 *    against spent, and its status (with the reason when not done), from
 *    the latest accepted report of that plan.
 *
 * Plans and reports are read through their public faces
 * (api->doc_each_public): a plan's version in force while an amendment is
 * drafted, a report once accepted.  The counts are of measures and regions,
 * never of children, so they are printed as they are.  Everything a
 * document says goes through report_text.
 */
#include "plan_execution.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the words ------------------------------------------------------------ */

static const char *const direction_words[PE_NDIRECTIONS][RPT_NLANGS] = {
    {"Безопасность", "Қауіпсіздік", "Safety"},
    {"Образование", "Білім беру", "Education"},
    {"Здоровье", "Денсаулық", "Health"},
    {"Семья и социальная защита", "Отбасы және әлеуметтік қорғау",
     "Family and social protection"}};
static const char *const status_words[PE_NSTATUS][RPT_NLANGS] = {
    {"Выполнено", "Орындалды", "Done"},
    {"В работе", "Орындалуда", "In progress"},
    {"Не выполнено", "Орындалмады", "Not done"}};
static const char *const W_NO_DATA[] = {"нет данных", "дерек жоқ", "no data"};
static const char *const W_OTHER[] = {"Прочие меры", "Басқа шаралар", "Other measures"};

static const char *const W_NATIONAL[] = {
    "## Исполнение региональных планов\n\n"
    "По действующему плану каждого региона (на последний год, на который план действует) — "
    "по последнему отчёту об исполнении, принятому министерством.\n\n",
    "## Өңірлік жоспарлардың орындалуы\n\n"
    "Әр өңірдің күшіндегі жоспары бойынша (жоспар күшінде болған соңғы жылға) — министрлік "
    "қабылдаған орындалу туралы соңғы есеп бойынша.\n\n",
    "## Regional plans carried out\n\n"
    "For each region's plan in force (of the latest year a plan is in force for), from the "
    "latest execution report the ministry accepted.\n\n"};
static const char *const W_NATIONAL_HEAD[] = {
    "| Направление | Мер в планах | Выполнено | В работе | Не выполнено | Нет данных "
    "| Запланировано | Израсходовано |\n",
    "| Бағыт | Жоспарлардағы шаралар | Орындалды | Орындалуда | Орындалмады | Дерек жоқ "
    "| Жоспарланды | Жұмсалды |\n",
    "| Direction | Measures planned | Done | In progress | Not done | No data "
    "| Funding planned | Spent |\n"};
static const char *const W_TOTAL[] = {"**Всего**", "**Барлығы**", "**Total**"};
static const char *const W_REGIONS_LINE[] = {
    "Регионов с действующим планом: %zu; из них с принятым отчётом об исполнении: %zu.\n\n",
    "Күшіндегі жоспары бар өңірлер: %zu; оның ішінде орындалу туралы есебі қабылданғандары: "
    "%zu.\n\n",
    "Regions with a plan in force: %zu; of them with an accepted execution report: %zu.\n\n"};
static const char *const W_COVERAGE[] = {
    "### Охват пунктов Концепции «Дети Казахстана»\n\n"
    "Сколько регионов включили в действующий план меру по каждому пункту Концепции.\n\n"
    "| Пункт Концепции | Направление | Регионов |\n|---|---|---|\n",
    "### «Қазақстан балалары» тұжырымдамасы тармақтарының қамтылуы\n\n"
    "Тұжырымдаманың әр тармағы бойынша күшіндегі жоспарына іс-шара енгізген өңірлер саны.\n\n"
    "| Тұжырымдама тармағы | Бағыт | Өңірлер |\n|---|---|---|\n",
    "### Coverage of the concept “Children of Kazakhstan”\n\n"
    "How many regions' plans in force have a measure for each item of the concept.\n\n"
    "| Concept item | Direction | Regions |\n|---|---|---|\n"};
static const char *const W_UNCOVERED[] = {
    "Пунктов, по которым нет ни одной меры: %zu из %zu.\n\n",
    "Бірде-бір іс-шара жоқ тармақтар: %zu / %zu.\n\n",
    "Items no region's plan has a measure for: %zu of %zu.\n\n"};

static const char *const W_REGION[] = {"## Исполнение регионального плана\n\n",
                                       "## Өңірлік жоспардың орындалуы\n\n",
                                       "## The regional plan carried out\n\n"};
static const char *const W_NO_PLAN[] = {"Действующего регионального плана нет.\n\n",
                                        "Күшіндегі өңірлік жоспар жоқ.\n\n",
                                        "There is no regional plan in force.\n\n"};
static const char *const W_PLAN_FOR[] = {"### План на %lld год\n\n",
                                         "### %lld жылға арналған жоспар\n\n",
                                         "### Plan for %lld\n\n"};
static const char *const W_PLAN[] = {"### План\n\n", "### Жоспар\n\n", "### Plan\n\n"};
/* "по отчёту за I полугодие 2026 года" */
static const char *const W_BY_REPORT[] = {
    "По отчёту об исполнении за %s полугодие %lld года, принятому министерством.\n\n",
    "Министрлік қабылдаған %lld жылғы %s жартыжылдықтағы орындалу туралы есеп бойынша.\n\n",
    "From the execution report for the %s half of %lld, accepted by the ministry.\n\n"};
/* The latest accepted report was written against an earlier version of the
 * plan: its rows number that version's measures, not these. */
static const char *const W_STALE_REPORT[] = {
    "Последний принятый отчёт об исполнении (за %s полугодие %lld года) составлен по прежней "
    "редакции плана: номера мер в нём не совпадают с действующей редакцией, поэтому его "
    "данные здесь не показаны. Они появятся после отчёта по действующей редакции.\n\n",
    "Орындалу туралы соңғы қабылданған есеп (%lld жылғы %s жартыжылдық) жоспардың бұрынғы "
    "редакциясы бойынша жасалған: ондағы іс-шаралардың нөмірлері күшіндегі редакцияға сәйкес "
    "келмейді, сондықтан оның деректері мұнда көрсетілмеген. Олар күшіндегі редакция бойынша "
    "есеп қабылданғаннан кейін шығады.\n\n",
    "The latest accepted execution report (for the %s half of %lld) was written against an "
    "earlier version of the plan: its measure numbers are not those of the version in force, "
    "so its figures are not shown here. They will be once a report on the version in force "
    "is accepted.\n\n"};
static const char *const W_NO_REPORT[] = {
    "Отчёта об исполнении, принятого министерством, пока нет.\n\n",
    "Министрлік қабылдаған орындалу туралы есеп әзірге жоқ.\n\n",
    "No execution report has been accepted by the ministry yet.\n\n"};
static const char *const W_REGION_HEAD[] = {
    "| № | Мера | Показатель | Целевое значение | Фактическое значение | Запланировано "
    "| Израсходовано | Исполнение |\n",
    "| № | Іс-шара | Көрсеткіш | Нысаналы мән | Нақты мән | Жоспарланды | Жұмсалды "
    "| Орындалуы |\n",
    "| No. | Measure | Indicator | Target | Actual | Funding planned | Spent | Status |\n"};

/* ---- what is in force ----------------------------------------------------- */

/* An accepted execution report, copied out of its borrowed face. */
typedef struct exec_report {
    char id[257]; /* its own id (the core allows 256 bytes) */
    char plan[200];
    char written[48]; /* the commit that last wrote its rows ("" unknown) */
    long long year;
    int half;      /* 1 or 2 */
    json_t *rows;  /* a copy */
} exec_report;

typedef struct gathered {
    const kenes_api *api;
    pe_plan *plans;
    size_t nplans, plans_cap;
    exec_report *execs;
    size_t nexecs, execs_cap;
} gathered;

static int grow(void **items, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return 0;
    size_t want = *cap ? *cap * 2 : 8;
    void *p = realloc(*items, want * size);
    if (!p)
        return KENES_ENOMEM;
    *items = p;
    *cap = want;
    return 0;
}

static int take_plan(const kenes_doc *doc, void *arg)
{
    gathered *g = arg;
    if (grow((void **)&g->plans, &g->plans_cap, g->nplans, sizeof(*g->plans)) < 0)
        return KENES_ENOMEM;
    int rc = pe_plan_of(&g->plans[g->nplans], g->api, doc);
    if (rc < 0)
        return rc;
    g->nplans++;
    return 0;
}

static int take_exec(const kenes_doc *doc, void *arg)
{
    gathered *g = arg;
    const json_t *fields = g->api->doc_fields(doc);
    const char *plan = json_string_value(json_object_get(fields, "plan"));
    const json_t *year = json_object_get(fields, "year");
    const char *half = json_string_value(json_object_get(fields, "half"));
    const json_t *rows = json_object_get(fields, "rows");
    if (!plan || !json_is_integer(year) || !half || (strcmp(half, "1") && strcmp(half, "2")) ||
        !json_is_array(rows))
        return 0; /* not one validate let through: nothing to count */
    if (grow((void **)&g->execs, &g->execs_cap, g->nexecs, sizeof(*g->execs)) < 0)
        return KENES_ENOMEM;
    exec_report *e = &g->execs[g->nexecs];
    const char *id = g->api->doc_get(doc, "id");
    snprintf(e->id, sizeof(e->id), "%s", id ? id : "");
    snprintf(e->plan, sizeof(e->plan), "%s", plan);
    e->year = (long long)json_integer_value(year);
    e->half = half[0] - '0';
    const char *written = g->api->doc_get(doc, "written");
    if (!written)
        written = g->api->doc_get(doc, "version");
    snprintf(e->written, sizeof(e->written), "%s", written ? written : "");
    if (!(e->rows = json_deep_copy(rows)))
        return KENES_ENOMEM;
    g->nexecs++;
    return 0;
}

static void gathered_dispose(gathered *g)
{
    for (size_t i = 0; i < g->nplans; i++)
        pe_plan_dispose(&g->plans[i]);
    for (size_t i = 0; i < g->nexecs; i++)
        json_decref(g->execs[i].rows);
    free(g->plans);
    free(g->execs);
}

/* The plans in force and accepted reports of region (NULL: every region). */
static int gather(gathered *g, const kenes_api *api, const char *region)
{
    memset(g, 0, sizeof(*g));
    g->api = api;
    if (!KENES_API_HAS(api, doc_each_public))
        return 0;
    int rc = api->doc_each_public(PE_PLAN_TYPE, region, take_plan, g);
    if (rc == 0)
        rc = api->doc_each_public(PE_PLUGIN, region, take_exec, g);
    if (rc < 0)
        gathered_dispose(g);
    return rc;
}

/* The latest accepted report of plan id (latest year, then half), or NULL. */
static const exec_report *latest_exec(const gathered *g, const char *id)
{
    const exec_report *best = NULL;
    for (size_t i = 0; i < g->nexecs; i++) {
        const exec_report *e = &g->execs[i];
        if (strcmp(e->plan, id) == 0 &&
            (!best || e->year * 2 + e->half > best->year * 2 + best->half))
            best = e;
    }
    return best;
}

/* The latest accepted report of plan p whose rows were written against p
 * (the version in force), or NULL; *stale the latest one when it was
 * written against an earlier version (else NULL). */
static const exec_report *current_exec(const gathered *g, const pe_plan *p,
                                       const exec_report **stale)
{
    const exec_report *e = latest_exec(g, p->id);
    *stale = NULL;
    if (e && !pe_rows_match(g->api, p, e->id, e->written)) {
        *stale = e;
        return NULL;
    }
    return e;
}

/* The row of report e about measure number n (1-based), or NULL. */
static const json_t *row_of(const exec_report *e, size_t n)
{
    size_t i;
    const json_t *row;
    json_array_foreach(e ? e->rows : NULL, i, row) {
        const json_t *m = json_object_get(row, "measure");
        if (json_is_integer(m) && json_integer_value(m) == (json_int_t)n)
            return row;
    }
    return NULL;
}

static long long amount_of(const json_t *v)
{
    return json_is_integer(v) && json_integer_value(v) > 0 ? (long long)json_integer_value(v) : 0;
}

/* ---- the national report ---------------------------------------------------- */

typedef struct tally {
    size_t planned, status[PE_NSTATUS], no_data;
    long long funded, spent;
    /* A sum that would not fit: printed as a dash, never wrapped round
     * (validate bounds every amount, but a history may predate the bound). */
    int funded_over, spent_over;
} tally;

static void add_to(long long *sum, int *over, long long v)
{
    if (!*over && sdk_add(sum, v) < 0)
        *over = 1;
}

/* t += u */
static void tally_add(tally *t, const tally *u)
{
    t->planned += u->planned;
    t->no_data += u->no_data;
    for (int s = 0; s < PE_NSTATUS; s++)
        t->status[s] += u->status[s];
    t->funded_over |= u->funded_over;
    t->spent_over |= u->spent_over;
    add_to(&t->funded, &t->funded_over, u->funded);
    add_to(&t->spent, &t->spent_over, u->spent);
}

static void print_sum(const kenes_api *api, kenes_report *r, long long sum, int over)
{
    if (over)
        api->report_printf(r, "—");
    else
        rpt_tenge(api, r, sum);
}

/* Per region, its plan in force of the latest year (index into g->plans), or -1. */
static long region_plan(const gathered *g, const char *code)
{
    long best = -1;
    for (size_t i = 0; i < g->nplans; i++)
        if (strcmp(g->plans[i].region, code) == 0 &&
            (best < 0 || g->plans[i].period >= g->plans[best].period))
            best = (long)i;
    return best;
}

static void count_plan(tally *t, const pe_plan *p, const exec_report *e)
{
    size_t i;
    const json_t *m;
    json_array_foreach(p->measures, i, m) {
        int d = chk_index_of(pe_directions, json_string_value(json_object_get(m, "direction")));
        tally *at = &t[d >= 0 ? d : PE_NDIRECTIONS];
        at->planned++;
        add_to(&at->funded, &at->funded_over,
               amount_of(json_object_get(json_object_get(m, "funding"), "amount_kzt")));
        const json_t *row = row_of(e, i + 1);
        int s = chk_index_of(pe_statuses, json_string_value(json_object_get(row, "status")));
        if (s < 0) {
            at->no_data++;
            continue;
        }
        at->status[s]++;
        add_to(&at->spent, &at->spent_over, amount_of(json_object_get(row, "spent_kzt")));
    }
}

static void tally_row(const kenes_api *api, kenes_report *r, const char *name, const tally *t)
{
    api->report_printf(r, "| %s | %zu | %zu | %zu | %zu | %zu | ", name, t->planned,
                       t->status[PE_DONE], t->status[PE_IN_PROGRESS], t->status[PE_NOT_DONE],
                       t->no_data);
    print_sum(api, r, t->funded, t->funded_over);
    api->report_printf(r, " | ");
    print_sum(api, r, t->spent, t->spent_over);
    api->report_printf(r, " |\n");
}

/* Per item of the concept, the regions whose plan in force names it. */
static void report_coverage(const kenes_api *api, kenes_report *r, const gathered *g,
                            const long *chosen, size_t nregions)
{
    const json_t *concept = KENES_API_HAS(api, content) ? api->content("concept") : NULL;
    const json_t *items = json_object_get(concept, "items");
    if (!json_array_size(items))
        return;
    const char *lang = rpt_lang(api, r);
    api->report_printf(r, "%s", RPT_WORD(api, r, W_COVERAGE));
    size_t i, uncovered = 0;
    const json_t *item;
    json_array_foreach(items, i, item) {
        const char *code = json_string_value(json_object_get(item, "code"));
        if (!code)
            continue;
        size_t regions = 0;
        for (size_t k = 0; k < nregions; k++) {
            if (chosen[k] < 0)
                continue;
            size_t j;
            const json_t *m;
            int names = 0;
            json_array_foreach(g->plans[chosen[k]].measures, j, m)
                names |= json_is_string(json_object_get(m, "concept_item")) &&
                         strcmp(json_string_value(json_object_get(m, "concept_item")), code) == 0;
            regions += names;
        }
        uncovered += regions == 0;
        const json_t *title = json_object_get(item, "title");
        const char *t = json_is_string(title) ? json_string_value(title)
                                              : json_string_value(json_object_get(title, lang));
        api->report_printf(r, "| ");
        api->report_text(r, code);
        api->report_printf(r, " ");
        rpt_text_or(api, r, t, "");
        api->report_printf(r, " | ");
        int d = chk_index_of(pe_directions,
                             json_string_value(json_object_get(item, "direction")));
        api->report_printf(r, "%s", d >= 0 ? RPT_WORD(api, r, direction_words[d]) : "—");
        api->report_printf(r, " | %zu |\n", regions);
    }
    api->report_printf(r, "\n");
    api->report_printf(r, RPT_WORD(api, r, W_UNCOVERED), uncovered, json_array_size(items));
}

int pe_report_national(const kenes_api *api, kenes_report *r)
{
    gathered g;
    int rc = gather(&g, api, NULL);
    if (rc < 0)
        return rc;
    size_t nregions = api->region_count();
    long *chosen = calloc(nregions ? nregions : 1, sizeof(*chosen));
    if (!chosen) {
        gathered_dispose(&g);
        return KENES_ENOMEM;
    }
    tally t[PE_NDIRECTIONS + 1], total;
    memset(t, 0, sizeof(t));
    memset(&total, 0, sizeof(total));
    size_t with_plan = 0, with_report = 0;
    for (size_t k = 0; k < nregions; k++) {
        chosen[k] = region_plan(&g, api->region_code(k));
        if (chosen[k] < 0)
            continue;
        const exec_report *stale, *e = current_exec(&g, &g.plans[chosen[k]], &stale);
        with_plan++;
        with_report += e != NULL;
        count_plan(t, &g.plans[chosen[k]], e);
    }
    api->report_printf(r, "%s", RPT_WORD(api, r, W_NATIONAL));
    api->report_printf(r, RPT_WORD(api, r, W_REGIONS_LINE), with_plan, with_report);
    api->report_printf(r, "%s|---|---|---|---|---|---|---|---|\n",
                       RPT_WORD(api, r, W_NATIONAL_HEAD));
    for (int d = 0; d <= PE_NDIRECTIONS; d++) {
        if (d == PE_NDIRECTIONS && t[d].planned == 0)
            continue; /* no measure outside the four directions */
        tally_row(api, r,
                  d < PE_NDIRECTIONS ? RPT_WORD(api, r, direction_words[d])
                                     : RPT_WORD(api, r, W_OTHER),
                  &t[d]);
        tally_add(&total, &t[d]);
    }
    tally_row(api, r, RPT_WORD(api, r, W_TOTAL), &total);
    api->report_printf(r, "\n");
    report_coverage(api, r, &g, chosen, nregions);
    free(chosen);
    gathered_dispose(&g);
    return 0;
}

/* ---- the regional report ---------------------------------------------------- */

/* The measures of plan p in direction dir (-1: none of the four) against
 * the rows of e; nothing when it has none. */
static void report_direction(const kenes_api *api, kenes_report *r, const pe_plan *p,
                             const exec_report *e, int dir)
{
    int header = 0;
    size_t i;
    const json_t *m;
    json_array_foreach(p->measures, i, m) {
        int d = chk_index_of(pe_directions, json_string_value(json_object_get(m, "direction")));
        if (d != dir)
            continue;
        if (!header) {
            api->report_printf(r, "#### %s\n\n%s|---|---|---|---|---|---|---|---|\n",
                               dir >= 0 ? RPT_WORD(api, r, direction_words[dir])
                                        : RPT_WORD(api, r, W_OTHER),
                               RPT_WORD(api, r, W_REGION_HEAD));
            header = 1;
        }
        const json_t *row = row_of(e, i + 1);
        api->report_printf(r, "| %zu | ", i + 1);
        rpt_text_or(api, r, json_string_value(json_object_get(m, "title")), "—");
        api->report_printf(r, " | ");
        rpt_text_or(api, r, json_string_value(json_object_get(m, "indicator")), "—");
        api->report_printf(r, " | ");
        rpt_value(api, r, json_object_get(m, "target"));
        api->report_printf(r, " | ");
        if (row)
            rpt_value(api, r, json_object_get(row, "actual"));
        else
            api->report_printf(r, "—");
        api->report_printf(r, " | ");
        rpt_tenge(api, r, amount_of(json_object_get(json_object_get(m, "funding"), "amount_kzt")));
        api->report_printf(r, " | ");
        if (row)
            rpt_tenge(api, r, amount_of(json_object_get(row, "spent_kzt")));
        else
            api->report_printf(r, "—");
        api->report_printf(r, " | ");
        int s = chk_index_of(pe_statuses, json_string_value(json_object_get(row, "status")));
        api->report_printf(r, "%s", s >= 0 ? RPT_WORD(api, r, status_words[s])
                                           : RPT_WORD(api, r, W_NO_DATA));
        const char *why = json_string_value(json_object_get(row, "reason"));
        if (s > PE_DONE && why && !chk_blank(why)) {
            api->report_printf(r, ": ");
            api->report_text(r, why);
        }
        api->report_printf(r, " |\n");
    }
    if (header)
        api->report_printf(r, "\n");
}

static void report_plan(const kenes_api *api, kenes_report *r, const gathered *g,
                        const pe_plan *p)
{
    if (p->period >= 0)
        api->report_printf(r, RPT_WORD(api, r, W_PLAN_FOR), p->period);
    else
        api->report_printf(r, "%s", RPT_WORD(api, r, W_PLAN));
    const exec_report *stale, *e = current_exec(g, p, &stale);
    const exec_report *said = e ? e : stale;
    const char *const *words = e ? W_BY_REPORT : W_STALE_REPORT;
    static const char *const roman[] = {"I", "II"};
    static const char *const ordinal[] = {"first", "second"};
    if (!said)
        api->report_printf(r, "%s", RPT_WORD(api, r, W_NO_REPORT));
    else if (rpt_lang_index(api, r) == RPT_KK)
        api->report_printf(r, RPT_WORD(api, r, words), said->year, roman[said->half - 1]);
    else
        api->report_printf(r, RPT_WORD(api, r, words),
                           rpt_lang_index(api, r) == RPT_EN ? ordinal[said->half - 1]
                                                            : roman[said->half - 1],
                           said->year);
    for (int d = 0; d < PE_NDIRECTIONS; d++)
        report_direction(api, r, p, e, d);
    report_direction(api, r, p, e, -1);
}

int pe_report_region(const kenes_api *api, kenes_report *r)
{
    gathered g;
    int rc = gather(&g, api, api->report_region(r));
    if (rc < 0)
        return rc;
    api->report_printf(r, "%s", RPT_WORD(api, r, W_REGION));
    if (!g.nplans)
        api->report_printf(r, "%s", RPT_WORD(api, r, W_NO_PLAN));
    for (size_t i = 0; i < g.nplans; i++)
        report_plan(api, r, &g, &g.plans[i]);
    gathered_dispose(&g);
    return 0;
}
