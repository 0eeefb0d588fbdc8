/*
 * Cases have a part in reports/cases.md only, and there only as counts,
 * published per closed calendar month (UTC, the core's clock): the release
 * of a month is computed at the first publication after the month ends and
 * copied unchanged from the published file ever after (report_published),
 * so a case written today changes no published figure until its month
 * closes, and then only that month's release: nobody can difference two
 * versions of one figure.  What a month counts (see README, "Case
 * counts"): the cases created in it, by region, by ground and by their
 * stage at its end; the follow-up checks done in it, by outcome; the
 * checks due in it and not done in time, of cases not closed at its end.
 * Counts of 1 to 4 read "< 5", and suppress.c withholds further cells
 * ("скрыто") until no "< 5" can be worked out from the totals and the
 * other cells.  Nothing of a case's text, and no id, pseudonym, name,
 * school or date of a child, is ever written: the only text here is this
 * plugin's own, the regions' names and the stages' labels of the workflow.
 */

#include <kenes/plugin.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case_review.h"
#include "kenes_sdk.h"
#include "suppress.h"

#define NGROUNDS CR_NGROUNDS
#define NOUTCOMES CR_NOUTCOMES
/* The plugin's own words, {ru, kk, en} (RPT_WORD picks the report's). */
static const char *const ground_words[NGROUNDS][RPT_NLANGS] = {
    {"Буллинг (пострадавший)", "Буллинг (зардап шегуші)", "Bullying (victim)"},
    {"Буллинг (инициатор)", "Буллинг (бастамашы)", "Bullying (initiator)"},
    {"Правонарушение", "Құқық бұзушылық", "Offence"},
    {"Пропуски занятий", "Сабақтан себепсіз қалу", "Truancy"},
    {"Семейное неблагополучие", "Отбасындағы қолайсыз жағдай", "Family difficulties"},
    {"Риск суицида или самоповреждения", "Суицид немесе өзіне зиян келтіру қаупі",
     "Risk of suicide or self-harm"},
    {"Насилие в отношении ребёнка", "Балаға қатысты зорлық-зомбылық",
     "Violence against the child"},
    {"Безнадзорность", "Қараусыз қалу", "Neglect"},
    {"Употребление алкоголя, наркотиков или других психоактивных веществ",
     "Алкогольді, есірткіні немесе басқа психобелсенді заттарды қолдану",
     "Use of alcohol, drugs or other psychoactive substances"},
    {"Уход из дома", "Үйден кетіп қалу", "Running away from home"},
    {"Онлайн-риски (в том числе вовлечение в мошенничество с платежами)",
     "Интернеттегі қауіптер (оның ішінде төлем алаяқтығына тартылу)",
     "Online risks (including being drawn into payment fraud)"},
    {"Другое", "Басқа", "Other"},
};
static const char *const outcome_words[NOUTCOMES][RPT_NLANGS] = {
    {"Меры эффективны", "Шаралар нәтижелі", "Measures effective"},
    {"Меры частично эффективны", "Шаралар ішінара нәтижелі", "Measures partly effective"},
    {"Меры неэффективны", "Шаралар нәтижесіз", "Measures not effective"},
    {"Меры не выполнены", "Шаралар орындалмады", "Measures not carried out"},
};
static const char *const month_words[12][RPT_NLANGS] = {
    {"январь", "қаңтар", "January"},    {"февраль", "ақпан", "February"},
    {"март", "наурыз", "March"},        {"апрель", "сәуір", "April"},
    {"май", "мамыр", "May"},            {"июнь", "маусым", "June"},
    {"июль", "шілде", "July"},          {"август", "тамыз", "August"},
    {"сентябрь", "қыркүйек", "September"}, {"октябрь", "қазан", "October"},
    {"ноябрь", "қараша", "November"},   {"декабрь", "желтоқсан", "December"},
};
static const char *const W_TOTAL[] = {"**Всего**", "**Барлығы**", "**Total**"};
static const char *const W_HIDDEN[] = {"скрыто", "жасырылған", "withheld"};
static const char *const W_OTHER_STAGES[] = {"Другие этапы", "Басқа кезеңдер", "Other stages"};
/* A month's release: its five parts, in order (find_cells reads them back). */
#define NPARTS 5
static const char *const W_PART[NPARTS][RPT_NLANGS] = {
    {"#### Новые дела по регионам\n\n| Регион | Дел |\n|---|---:|\n",
     "#### Өңірлер бойынша жаңа істер\n\n| Өңір | Істер |\n|---|---:|\n",
     "#### New cases by region\n\n| Region | Cases |\n|---|---:|\n"},
    {"\n#### Основания рассмотрения новых дел\n\n"
     "У одного дела может быть несколько оснований.\n\n| Основание | Дел |\n|---|---:|\n",
     "\n#### Жаңа істерді қарау негіздері\n\n"
     "Бір істің бірнеше негізі болуы мүмкін.\n\n| Негіз | Істер |\n|---|---:|\n",
     "\n#### Grounds of the new cases\n\n"
     "One case may have several grounds.\n\n| Ground | Cases |\n|---|---:|\n"},
    {"\n#### Этап новых дел на конец месяца\n\n| Этап | Дел |\n|---|---:|\n",
     "\n#### Жаңа істердің ай соңындағы кезеңі\n\n| Кезең | Істер |\n|---|---:|\n",
     "\n#### Stage of the new cases at the month's end\n\n| Stage | Cases |\n|---|---:|\n"},
    {"\n#### Контрольные проверки, проведённые за месяц\n\n"
     "| Результат проверки | Проверок |\n|---|---:|\n",
     "\n#### Ай ішінде өткізілген бақылау тексерулері\n\n"
     "| Тексеру нәтижесі | Тексерулер |\n|---|---:|\n",
     "\n#### Follow-up checks done in the month\n\n| Outcome | Checks |\n|---|---:|\n"},
    {"\n#### Просроченные контрольные проверки\n\n"
     "Проверок со сроком в этом месяце, не проведённых в срок "
     "(без дел, закрытых к концу месяца): %s.\n\n",
     "\n#### Мерзімі өткен бақылау тексерулері\n\n"
     "Мерзімі осы айда болған, уақытында өткізілмеген тексерулер "
     "(ай соңына дейін жабылған істерсіз): %s.\n\n",
     "\n#### Overdue follow-up checks\n\n"
     "Checks due in this month and not done in time "
     "(cases closed by the month's end left out): %s.\n\n"},
};
static const char *const W_INTRO[] = {
    "## Дела и контрольные проверки по месяцам\n\n"
    "Сведения за каждый календарный месяц (по UTC) составляются один раз, после его "
    "окончания, и больше не меняются: дело, заведённое сегодня, войдёт только в сведения "
    "за текущий месяц, когда он закончится. Новые дела — заведённые в этом месяце "
    "(основания — как записаны, когда сведения составлены, этап — на конец месяца); "
    "проверки — проведённые в этом месяце, по дате проведения; просроченные — "
    "проверки со сроком в этом месяце, не проведённые в срок.\n\n"
    "Только обобщённые сведения: число от 1 до 4 показано как «< 5»; «скрыто» — число не "
    "публикуется, потому что по нему, итогам и другим числам таблицы можно было бы "
    "вычислить число «< 5». Ни имён, ни дат, ни номеров дел здесь нет.\n\n",
    "## Айлар бойынша істер мен бақылау тексерулері\n\n"
    "Әр күнтізбелік айдың (UTC бойынша) деректері ол аяқталғаннан кейін бір рет жасалады "
    "және бұдан әрі өзгермейді: бүгін ашылған іс ағымдағы ай аяқталғанда ғана сол айдың "
    "деректеріне енеді. Жаңа істер — осы айда ашылған істер (негіздері — деректер жасалған "
    "кездегідей, кезеңі — ай соңындағы); тексерулер — осы айда өткізілгендері, өткізілген "
    "күні бойынша; мерзімі өткендер — мерзімі осы айда болып, уақытында өткізілмеген "
    "тексерулер.\n\n"
    "Тек жиынтық деректер: 1-ден 4-ке дейінгі сан «< 5» түрінде көрсетілген; «жасырылған» — "
    "сан жарияланбайды, өйткені ол, қорытындылар және кестенің басқа сандары арқылы «< 5» "
    "санын есептеп шығаруға болар еді. Мұнда аты-жөн де, күн де, іс нөмірі де жоқ.\n\n",
    "## Cases and follow-up checks by month\n\n"
    "The figures of each calendar month (UTC) are made once, after it ends, and never change: "
    "a case opened today enters only the figures of the current month, once it ends. New "
    "cases are those opened in the month (grounds as recorded when the figures were made, "
    "stage at the month's end); checks are those done in the month, by the date done; "
    "overdue ones are checks due in the month and not done in time.\n\n"
    "Aggregates only: a count from 1 to 4 is shown as «< 5»; «withheld» means the count is not "
    "published, because from it, the totals and the other counts of the table a «< 5» could "
    "be worked out. No names, dates or case numbers appear here.\n\n"};
static const char *const W_NO_MONTH[] = {"Ни один месяц с делами ещё не закончился.\n\n",
                                         "Істер бар айлардың бірі де әлі аяқталған жоқ.\n\n",
                                         "No month with cases has ended yet.\n\n"};
/* The stages of workflows/case-review.yaml, in its order; the report shows
 * each as the workflow labels it. */
#define NSTAGES 6
static const char *const stages[NSTAGES + 1] = {
    "registered",       "under-review",      "plan-approved",
    "in-accompaniment", "closure-requested", "closed",
    NULL,
};
/* The cells of one month's release, in the order suppress.c sees them:
 * first one per region (as many as the core knows, api->region_count), so
 * the rest is offset by that number. */
typedef struct layout {
    size_t nregions; /* CELL_REGION is 0: new cases, one per region */
    size_t new_;     /* new cases in all */
    size_t ground;   /* new cases per ground */
    size_t stage;    /* new cases per stage at the month's end (+1: other stages) */
    size_t outcome;  /* checks done, per outcome */
    size_t done;     /* checks done in all */
    size_t overdue;  /* checks due and not done in time */
    size_t ncells;
} layout;

/* More regions than any country has: a bound on what the core may say. */
#define REGIONS_MAX 256

static layout layout_of(const kenes_api *api)
{
    size_t n = api->region_count();
    layout l = {.nregions = n < REGIONS_MAX ? n : REGIONS_MAX};
    l.new_ = l.nregions;
    l.ground = l.new_ + 1;
    l.stage = l.ground + NGROUNDS;
    l.outcome = l.stage + NSTAGES + 1;
    l.done = l.outcome + NOUTCOMES;
    l.overdue = l.done + 1;
    l.ncells = l.overdue + 1;
    return l;
}

/* Index of a region code among the core's regions, or -1. */
static long region_index(const kenes_api *api, const char *code)
{
    for (size_t i = 0; code && i < api->region_count(); i++)
        if (strcmp(api->region_code(i), code) == 0)
            return (long)i;
    return -1;
}

/* A month as one number, y * 12 + (m - 1). */
static int month_of(int y, int m)
{
    return y * 12 + m - 1;
}

static long long month_start_ms(const kenes_api *api, int month)
{
    return api->date_ms(month / 12, month % 12 + 1, 1);
}

static int month_of_ms(const kenes_api *api, long long ms)
{
    int y, m, d;
    api->date_of_ms(ms, &y, &m, &d);
    return month_of(y, m);
}

static int month_of_date(const kenes_api *api, const char *s, int *out_ymd)
{
    int y, m, d;
    if (!chk_is_date(api, s, &y, &m, &d))
        return -1;
    if (out_ymd)
        *out_ymd = cr_ymd(y, m, d);
    return month_of(y, m);
}

/* When a case was created (its first version), or -1 if the core gave no
 * history. */
static long long created_ms(const json_t *history)
{
    const json_t *first = json_array_get(history, 0);
    return first ? (long long)json_integer_value(json_object_get(first, "time")) : -1;
}

/* Its stage at end_ms (exclusive), from its history; NULL if it did not
 * exist yet. */
static const char *stage_before(const json_t *history, long long end_ms)
{
    const char *stage = NULL;
    size_t i;
    const json_t *v;
    json_array_foreach(history, i, v) {
        if (json_integer_value(json_object_get(v, "time")) >= end_ms)
            break;
        stage = json_string_value(json_object_get(v, "to"));
    }
    return stage;
}

/* One case's part in the release of month (cells[] grows). */
static void count_case(const kenes_api *api, const layout *l, const kenes_doc *doc,
                       const json_t *history, int month, long *cells)
{
    long long start = month_start_ms(api, month), end = month_start_ms(api, month + 1);
    long long created = created_ms(history);
    if (created < 0 || created >= end)
        return; /* not yet a case in that month */

    const json_t *fields = api->doc_fields(doc);
    const char *stage = stage_before(history, end);
    size_t i;
    const json_t *v;
    if (created >= start) {
        long region = region_index(api, api->doc_get(doc, "region"));
        if (region >= 0)
            cells[region]++;
        cells[l->new_]++;
        unsigned seen = 0;
        json_array_foreach(json_object_get(fields, "grounds"), i, v) {
            int k = chk_index_of(cr_grounds, json_string_value(v));
            if (k >= 0 && !(seen & (1u << k))) {
                seen |= 1u << k;
                cells[l->ground + (size_t)k]++;
            }
        }
        /* Where the month's new cases stood at its end.  Only these: the
         * stages of all cases, month after month, would difference to the
         * stage changes of each month, small ones included. */
        int st = chk_index_of(stages, stage);
        cells[l->stage + (size_t)(st >= 0 ? st : NSTAGES)]++;
    }

    /* A closed case's checks are no longer anyone's to make: not overdue. */
    int open = !stage || strcmp(stage, "closed") != 0;
    json_array_foreach(json_object_get(fields, "follow_ups"), i, v) {
        int due = 0, done = 0;
        int k = chk_index_of(cr_outcomes, json_string_value(json_object_get(v, "outcome")));
        int done_month = month_of_date(api, json_string_value(json_object_get(v, "done")), &done);
        if (k >= 0 && done_month == month) {
            cells[l->outcome + (size_t)k]++;
            cells[l->done]++;
        }
        if (open && month_of_date(api, json_string_value(json_object_get(v, "due")), &due) == month &&
            (done_month < 0 || done > due))
            cells[l->overdue]++;
    }
}

/* What a reader knows ties the cells together: the total of new cases is
 * the sum of the regions, and of the stages; each ground is given for at most every new case
 * and every new case has one (so their sum is at least the total); the
 * checks done in all are the sum of the outcomes. */
static int protect(const layout *l, sup_cell *cells)
{
    sup_term regions[REGIONS_MAX + 1], grounds_sum[NGROUNDS + 1], ground_le[NGROUNDS][2], by_stage[NSTAGES + 2],
        outcomes[NOUTCOMES + 1];
    for (size_t i = 0; i < l->nregions; i++)
        regions[i] = (sup_term){i, 1};
    regions[l->nregions] = (sup_term){l->new_, -1};
    sup_relation rels[NGROUNDS + 4];
    size_t n = 0;
    rels[n++] = (sup_relation){SUP_EQ, regions, l->nregions + 1};
    for (int k = 0; k <= NSTAGES; k++)
        by_stage[k] = (sup_term){l->stage + (size_t)k, 1};
    by_stage[NSTAGES + 1] = (sup_term){l->new_, -1};
    rels[n++] = (sup_relation){SUP_EQ, by_stage, NSTAGES + 2};
    long sum = 0;
    for (int k = 0; k < NGROUNDS; k++) {
        ground_le[k][0] = (sup_term){l->ground + (size_t)k, 1};
        ground_le[k][1] = (sup_term){l->new_, -1};
        rels[n++] = (sup_relation){SUP_LE, ground_le[k], 2};
        grounds_sum[k] = (sup_term){l->ground + (size_t)k, 1};
        sum += cells[l->ground + (size_t)k].value;
    }
    grounds_sum[NGROUNDS] = (sup_term){l->new_, -1};
    /* Only what is true: a case saved before grounds were required may
     * have none. */
    if (sum >= cells[l->new_].value)
        rels[n++] = (sup_relation){SUP_GE, grounds_sum, NGROUNDS + 1};
    for (int k = 0; k < NOUTCOMES; k++)
        outcomes[k] = (sup_term){l->outcome + (size_t)k, 1};
    outcomes[NOUTCOMES] = (sup_term){l->done, -1};
    rels[n++] = (sup_relation){SUP_EQ, outcomes, NOUTCOMES + 1};
    cells[l->new_].total = cells[l->done].total = 1;
    return sup_protect(cells, l->ncells, rels, n);
}

/* A cell as published: the number, "< 5" or "скрыто" ("жасырылған", "withheld"). */
static void cell_text(const kenes_api *api, const kenes_report *r, char out[32],
                      const sup_cell *c)
{
    if (c->state == SUP_SMALL)
        snprintf(out, 32, "< 5");
    else if (c->state == SUP_HIDDEN)
        snprintf(out, 32, "%s", RPT_WORD(api, r, W_HIDDEN));
    else
        snprintf(out, 32, "%ld", c->value);
}

static void cell_row(const kenes_api *api, kenes_report *r, const char *label, const sup_cell *c)
{
    char text[32];
    cell_text(api, r, text, c);
    api->report_printf(r, "| %s | %s |\n", label, text);
}

/* A row whose label is the workflow's (escaped, as text not the plugin's own). */
static void stage_row(const kenes_api *api, kenes_report *r, const char *stage,
                      const sup_cell *c)
{
    char text[32];
    cell_text(api, r, text, c);
    api->report_printf(r, "| ");
    if (stage)
        rpt_stage(api, r, CR_TYPE, stage);
    else
        api->report_printf(r, "%s", RPT_WORD(api, r, W_OTHER_STAGES));
    api->report_printf(r, " | %s |\n", text);
}

/* "### 2026-02: февраль 2026 г." ("2026 жылғы ақпан", "February 2026"). */
static void month_heading_text(char *out, size_t cap, int lang, int month)
{
    int y = month / 12, m = month % 12;
    if (lang == RPT_KK)
        snprintf(out, cap, "### %04d-%02d: %04d жылғы %s\n", y, m + 1, y, month_words[m][lang]);
    else if (lang == RPT_EN)
        snprintf(out, cap, "### %04d-%02d: %s %04d\n", y, m + 1, month_words[m][lang], y);
    else
        snprintf(out, cap, "### %04d-%02d: %s %04d г.\n", y, m + 1, month_words[m][lang], y);
}

/* The counts of one closed month, suppressed as they must be published. */
static int count_month(const kenes_api *api, kenes_report *r, const layout *l, int month,
                       sup_cell *cells)
{
    long *counts = calloc(l->ncells, sizeof(*counts));
    if (!counts)
        return KENES_ENOMEM;
    size_t n = api->report_count(r);
    for (size_t j = 0; j < n; j++)
        count_case(api, l, api->report_doc(r, j), api->report_doc_history(r, j), month, counts);
    for (size_t i = 0; i < l->ncells; i++)
        cells[i].value = counts[i];
    free(counts);
    return protect(l, cells);
}

/* The release of one closed month, computed now. */
static int write_month(const kenes_api *api, kenes_report *r, int month)
{
    layout l = layout_of(api);
    sup_cell *cells = calloc(l.ncells, sizeof(*cells));
    if (!cells)
        return KENES_ENOMEM;
    int rc = count_month(api, r, &l, month, cells);
    if (rc < 0) {
        free(cells);
        return rc;
    }

    char text[96];
    month_heading_text(text, sizeof(text), rpt_lang_index(api, r), month);
    api->report_printf(r, "%s\n%s", text, RPT_WORD(api, r, W_PART[0]));
    for (size_t i = 0; i < l.nregions; i++) {
        cell_text(api, r, text, &cells[i]);
        api->report_printf(r, "| ");
        rpt_region_name(api, r, api->region_code(i));
        api->report_printf(r, " | %s |\n", text);
    }
    cell_row(api, r, RPT_WORD(api, r, W_TOTAL), &cells[l.new_]);

    api->report_printf(r, "%s", RPT_WORD(api, r, W_PART[1]));
    for (int k = 0; k < NGROUNDS; k++)
        cell_row(api, r, RPT_WORD(api, r, ground_words[k]), &cells[l.ground + (size_t)k]);

    api->report_printf(r, "%s", RPT_WORD(api, r, W_PART[2]));
    for (int k = 0; k < NSTAGES; k++)
        stage_row(api, r, stages[k], &cells[l.stage + (size_t)k]);
    if (cells[l.stage + NSTAGES].value)
        stage_row(api, r, NULL, &cells[l.stage + NSTAGES]);

    api->report_printf(r, "%s", RPT_WORD(api, r, W_PART[3]));
    for (int k = 0; k < NOUTCOMES; k++)
        cell_row(api, r, RPT_WORD(api, r, outcome_words[k]), &cells[l.outcome + (size_t)k]);
    cell_row(api, r, RPT_WORD(api, r, W_TOTAL), &cells[l.done]);

    cell_text(api, r, text, &cells[l.overdue]);
    api->report_printf(r, RPT_WORD(api, r, W_PART[4]), text);
    free(cells);
    return 0;
}

/* A month's release as published before: the text from its "### YYYY-MM"
 * heading to the next heading of that level or above (or the end). */
typedef struct {
    int month;
    const char *text;
    size_t len;
} published_month;

#define MAX_PUBLISHED 2400 /* two centuries of months */

/* 1 and *month if line is a month's heading "### YYYY-MM...". */
static int month_heading(const char *line, int *month)
{
    if (strncmp(line, "### ", 4) != 0)
        return 0;
    const char *s = line + 4;
    for (int i = 0; i < 7; i++)
        if (i == 4 ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
            return 0;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0');
    if (m < 1 || m > 12)
        return 0;
    *month = month_of(y, m);
    return 1;
}

static size_t find_published(published_month *out, size_t cap, const char *text)
{
    size_t n = 0;
    for (const char *line = text; line && *line;) {
        int month;
        const char *next = strchr(line, '\n');
        next = next ? next + 1 : line + strlen(line);
        if (!month_heading(line, &month)) {
            line = next;
            continue;
        }
        const char *end = next;
        while (*end && !(end[0] == '#' && (strncmp(end, "### ", 4) == 0 ||
                                           strncmp(end, "## ", 3) == 0 || end[1] == ' '))) {
            const char *nl = strchr(end, '\n');
            end = nl ? nl + 1 : end + strlen(end);
        }
        if (n < cap)
            out[n++] = (published_month){month, line, (size_t)(end - line)};
        line = end;
    }
    return n;
}

/* ---- a release published in another language ----------------------------
 *
 * A language published for the first time is handed the Russian text
 * (report_published): its closed months must say what the Russian ones
 * said, never be counted again (a count made twice could be differenced).
 * So a release in another language is read back, cell by cell, and written
 * in this one: the same figures, "< 5" and withheld cells in the same
 * places. */

/* 1 if the ru label names words[k][RPT_RU] for some k (*k set). */
static int ru_word(const char *label, size_t len, const char *const (*words)[RPT_NLANGS],
                   int n, int *k)
{
    for (*k = 0; *k < n; (*k)++)
        if (strlen(words[*k][RPT_RU]) == len && strncmp(words[*k][RPT_RU], label, len) == 0)
            return 1;
    return 0;
}

/* A cell's text in this report's language: "< 5", a number, or withheld. */
static void put_cell(const kenes_api *api, kenes_report *r, const char *v, size_t len)
{
    int k;
    if (ru_word(v, len, &W_HIDDEN, 1, &k))
        api->report_printf(r, "%s", RPT_WORD(api, r, W_HIDDEN));
    else
        api->report_printf(r, "%.*s", (int)len, v);
}

/* One row "| label | value |" of part `part` (0-3), row i of nrows. */
static void translate_row(const kenes_api *api, kenes_report *r, int part, size_t i,
                          size_t nrows, const char *label, size_t llen, const char *v,
                          size_t vlen)
{
    int k;
    api->report_printf(r, "| ");
    if ((part == 0 || part == 3) && i + 1 == nrows)
        api->report_printf(r, "%s", RPT_WORD(api, r, W_TOTAL));
    else if (part == 0 && nrows == api->region_count() + 1)
        rpt_region_name(api, r, api->region_code(i));
    else if (part == 1 && ru_word(label, llen, ground_words, NGROUNDS, &k))
        api->report_printf(r, "%s", RPT_WORD(api, r, ground_words[k]));
    else if (part == 3 && ru_word(label, llen, outcome_words, NOUTCOMES, &k))
        api->report_printf(r, "%s", RPT_WORD(api, r, outcome_words[k]));
    else if (part == 2 && ru_word(label, llen, &W_OTHER_STAGES, 1, &k))
        api->report_printf(r, "%s", RPT_WORD(api, r, W_OTHER_STAGES));
    else {
        const char *stage = NULL;
        for (int s = 0; part == 2 && s < NSTAGES && !stage; s++) {
            /* The label as report_text wrote it: the same when it has no
             * punctuation to escape; else it stays as published. */
            const char *want = api->label(CR_TYPE, "stage", stages[s], "ru");
            if (want && strlen(want) == llen && strncmp(want, label, llen) == 0)
                stage = stages[s];
        }
        if (stage)
            rpt_stage(api, r, CR_TYPE, stage);
        else
            api->report_printf(r, "%.*s", (int)llen, label); /* as published */
    }
    api->report_printf(r, " | ");
    put_cell(api, r, v, vlen);
    api->report_printf(r, " |\n");
}

/* The cells of one part's table: rows "| label | value |" past its head. */
typedef struct row {
    const char *label, *value;
    size_t llen, vlen;
} row;

#define MAX_ROWS 512

static void translate_month(const kenes_api *api, kenes_report *r, const published_month *pm,
                            int month)
{
    char heading[96];
    month_heading_text(heading, sizeof(heading), rpt_lang_index(api, r), month);
    api->report_printf(r, "%s\n", heading);
    row *rows = malloc(MAX_ROWS * sizeof(*rows));
    int part = -1;
    size_t nrows = 0;
    const char *end = pm->text + pm->len;
    for (const char *line = pm->text; rows && line < end;) {
        const char *nl = memchr(line, '\n', (size_t)(end - line));
        const char *eol = nl ? nl : end;
        if (strncmp(line, "#### ", 5) == 0) {
            /* A part's rows end where the next part begins. */
            if (part >= 0 && part < 4)
                for (size_t i = 0; i < nrows; i++)
                    translate_row(api, r, part, i, nrows, rows[i].label, rows[i].llen,
                                  rows[i].value, rows[i].vlen);
            part++;
            nrows = 0;
            if (part >= 0 && part < 4)
                api->report_printf(r, "%s", RPT_WORD(api, r, W_PART[part]));
        } else if (part >= 0 && part < 4 && strncmp(line, "| ", 2) == 0) {
            /* "| label | value |": the value is the last cell. */
            const char *bar = eol - 1;
            while (bar > line && *bar != '|')
                bar--;
            const char *vend = bar, *vstart = bar - 1;
            while (vstart > line && *vstart != '|')
                vstart--;
            const char *v = vstart + 2, *label = line + 2;
            size_t vlen = vend > v ? (size_t)(vend - v - 1) : 0;
            size_t llen = vstart > label ? (size_t)(vstart - label - 1) : 0;
            int count = vlen && (strncmp(v, "< 5", 3) == 0 || (*v >= '0' && *v <= '9') ||
                                 strncmp(v, "скрыто", vlen) == 0);
            if (count && nrows < MAX_ROWS)
                rows[nrows++] = (row){label, v, llen, vlen};
        } else if (part == 4 && eol > line + 2 && eol[-1] == '.') {
            /* "...: value." */
            const char *colon = eol - 1;
            while (colon > line && !(colon[0] == ':' && colon[1] == ' '))
                colon--;
            if (colon > line) {
                char value[32];
                size_t n = (size_t)(eol - 1 - (colon + 2));
                snprintf(value, sizeof(value), "%.*s", (int)(n < 31 ? n : 31), colon + 2);
                int k;
                api->report_printf(r, RPT_WORD(api, r, W_PART[4]),
                                   ru_word(value, strlen(value), &W_HIDDEN, 1, &k)
                                       ? RPT_WORD(api, r, W_HIDDEN)
                                       : value);
                part++;
            }
        }
        line = nl ? nl + 1 : end;
    }
    if (rows && part >= 0 && part < 4)
        for (size_t i = 0; i < nrows; i++)
            translate_row(api, r, part, i, nrows, rows[i].label, rows[i].llen, rows[i].value,
                          rows[i].vlen);
    free(rows);
}

/* A month published before: as it was, if in this report's language. */
static void copy_month(const kenes_api *api, kenes_report *r, const published_month *pm)
{
    char heading[96];
    int lang = rpt_lang_index(api, r);
    month_heading_text(heading, sizeof(heading), lang, pm->month);
    if (lang == RPT_RU || strncmp(pm->text, heading, strlen(heading)) == 0)
        api->report_printf(r, "%.*s", (int)pm->len, pm->text);
    else
        translate_month(api, r, pm, pm->month);
}

int cr_report_cases(const kenes_api *api, kenes_report *r)
{
    published_month *old = malloc(MAX_PUBLISHED * sizeof(*old));
    if (!old)
        return KENES_ENOMEM;
    size_t nold = find_published(old, MAX_PUBLISHED, api->report_published(r));
    int rc = 0;

    /* Closed months: from the first with a case (or a release) to the last
     * that has ended. */
    int current = month_of_ms(api, api->now_ms());
    int first = current;
    size_t n = api->report_count(r);
    for (size_t j = 0; j < n; j++) {
        long long created = created_ms(api->report_doc_history(r, j));
        if (created >= 0 && month_of_ms(api, created) < first)
            first = month_of_ms(api, created);
    }
    int last = current - 1;
    for (size_t k = 0; k < nold; k++) {
        first = old[k].month < first ? old[k].month : first;
        last = old[k].month > last ? old[k].month : last;
    }
    if (last - first >= MAX_PUBLISHED)
        first = last - MAX_PUBLISHED + 1;

    api->report_printf(r, "%s", RPT_WORD(api, r, W_INTRO));
    if (last < first)
        api->report_printf(r, "%s", RPT_WORD(api, r, W_NO_MONTH));
    /* Newest first; a month published before is copied as it was. */
    for (int month = last; month >= first && rc == 0; month--) {
        size_t k = 0;
        while (k < nold && old[k].month != month)
            k++;
        if (k < nold) {
            copy_month(api, r, &old[k]);
            continue;
        }
        if (month < current) /* never a month that has not ended */
            rc = write_month(api, r, month);
    }
    free(old);
    return rc;
}

