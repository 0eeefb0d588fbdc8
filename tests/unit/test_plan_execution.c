/*
 * The plan-execution plugin, loaded from build/plugins/plan-execution.so the
 * way the server loads it, against real regions and the real concept
 * (content/), with the fixture's document service standing in for the plans
 * in force (a plan in stage in-force is its own public face; one with
 * "_public" shows that version instead: an amendment under way).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docs/content.h"
#include "plugin/kapi.h"
#include "plugin/loader.h"
#include "plugin_fixture.h"

#define PLAN_EXECUTION KENES_PLUGIN_BUILD_DIR "/plan-execution.so"
#define REGIONS KENES_SOURCE_DIR "/content/regions.yaml"

static const kenes_doctype *pe;
static const kenes_guard *plan_in_force;
static json_t *docs;  /* the fixture's document service */
static json_t *lists; /* content/'s lists: api->content */

/* A measure of a plan: direction, planned tenge, target, concept item (NULL: none). */
static json_t *measure(const char *title, const char *direction, int amount, int target,
                       const char *concept)
{
    json_t *m = json_pack("{s:s, s:s, s:s, s:[], s:s, s:{s:s, s:i}, s:s, s:i, s:i}", "title",
                          title, "direction", direction, "lead_agency",
                          "Управление образования области", "co_executors", "deadline",
                          "2026-Q3", "funding", "source", "местный бюджет", "amount_kzt", amount,
                          "indicator", "Охват, %", "baseline", 40, "target", target);
    if (concept)
        json_object_set_new(m, "concept_item", json_string(concept));
    return m;
}

/* A plan in stage, five measures (one per direction, a second safety one). */
static json_t *plan(const char *id, const char *region, int period, const char *stage)
{
    json_t *measures = json_pack(
        "[o, o, o, o, o]", measure("Службы примирения в школах", "safety", 1000000, 90, "1.1"),
        measure("Курсы для педагогов", "education", 0, 100, "2.2"),
        measure("Школьные психологи", "health", 2500000, 80, "3.1"),
        measure("Сопровождение семей", "family-social-protection", 500000, 60, NULL),
        measure("Профилактика онлайн-рисков", "safety", 0, 75, "1.3"));
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:i, s:o, s:s}}", "id", id, "type",
                     "regional-plan", "region", region, "title", "План", "stage", stage,
                     "fields", "period", period, "measures", measures, "local_specifics",
                     "Сельские районы");
}

/* An execution report of plan_id: rows as given ([measure, status] pairs
 * stand for whole rows in tests that build their own). */
static json_t *report(const char *region, const char *plan_id, int year, const char *half)
{
    json_t *rows = json_pack(
        "[{s:i, s:f, s:i, s:s}, {s:i, s:i, s:i, s:s, s:s}, {s:i, s:i, s:i, s:s, s:s}]",
        "measure", 1, "actual", 85.5, "spent_kzt", 900000, "status", "done",
        "measure", 3, "actual", 40, "spent_kzt", 1200000, "status", "in-progress", "reason",
        "Психологи набраны в половину школ, остальные — к сентябрю",
        "measure", 4, "actual", 10, "spent_kzt", 0, "status", "not-done", "reason",
        "Не выделено финансирование");
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s, s:i, s:s, s:o}}", "type",
                     "plan-execution", "region", region, "title",
                     "Отчёт об исполнении плана за I полугодие 2026 года", "stage", "draft",
                     "body", "# Отчёт\n", "fields", "plan", plan_id, "year", year, "half", half,
                     "rows", rows);
}

static json_t *good(void)
{
    return report("KZ-11", "plan/KZ-11/2026", 2026, "1");
}

static json_t *fields_of(json_t *doc)
{
    return json_object_get(doc, "fields");
}

static json_t *row_of(json_t *doc, size_t i)
{
    return json_array_get(json_object_get(fields_of(doc), "rows"), i);
}

/* The documents every test starts with: KZ-11's plan in force for 2026 and a
 * draft for 2027; KZ-15's plan in force; KZ-19's plan being amended (its
 * draft has two measures, its version in force five); a roster in force;
 * KZ-11's accepted report for the first half. */
static int reset(void **state)
{
    (void)state;
    json_decref(docs);
    docs = json_array();
    json_array_append_new(docs, plan("plan/KZ-11/2026", "KZ-11", 2026, "in-force"));
    json_array_append_new(docs, plan("plan/KZ-11/2027", "KZ-11", 2027, "draft"));
    json_array_append_new(docs, plan("plan/KZ-15/2026", "KZ-15", 2026, "in-force"));
    json_t *amended = plan("plan/KZ-19/2026", "KZ-19", 2026, "draft");
    json_object_set_new(amended, "_public", plan("plan/KZ-19/2026", "KZ-19", 2026, "in-force"));
    json_array_remove(json_object_get(fields_of(amended), "measures"), 4);
    json_array_remove(json_object_get(fields_of(amended), "measures"), 3);
    json_array_remove(json_object_get(fields_of(amended), "measures"), 2);
    json_array_append_new(docs, amended);
    json_array_append_new(docs, json_pack("{s:s, s:s, s:s, s:s, s:{}}", "id",
                                          "roster/KZ-11/2026-02", "type", "commission-roster",
                                          "region", "KZ-11", "stage", "in-force", "fields"));
    json_t *accepted = good();
    json_object_set_new(accepted, "id", json_string("execution/KZ-11/2026-h1"));
    json_object_set_new(accepted, "stage", json_string("accepted"));
    json_array_append_new(docs, accepted);
    return 0;
}

static int setup_group(void **state)
{
    (void)state;
    char err[512];
    int rc = plugin_fixture_setup(&pe, PLAN_EXECUTION, REGIONS, "plan-execution",
                                  "plan_in_force", &plan_in_force, NULL);
    if (content_load(&lists, KENES_SOURCE_DIR "/content", err, sizeof(err)) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    kapi_set_content(content_kapi, lists);
    fixture_docs_attach(&docs, NULL);
    return rc;
}

static int teardown_group(void **state)
{
    kapi_set_docs(NULL);
    kapi_forget_content(lists);
    json_decref(lists);
    json_decref(docs);
    docs = NULL;
    return plugin_fixture_teardown_group(state);
}

/* ---- the plugin as loaded ---------------------------------------------- */

static void test_descriptor(void **state)
{
    (void)state;
    assert_string_equal(pe->name, "plan-execution");
    assert_string_equal(pe->noun, "plan execution report");
    assert_null(pe->repository); /* documents.git: nothing about a child */
    assert_int_equal(pe->flags, 0);
    assert_non_null(pe->schema);
}

static void test_good_report_passes(void **state)
{
    (void)state;
    expect_valid(good());
    /* Done needs no reason; a blank one is no problem then. */
    json_t *doc = good();
    json_object_set_new(row_of(doc, 0), "reason", json_string(" "));
    expect_valid(doc);
    /* The second half, the whole number an actual value may be. */
    doc = report("KZ-11", "plan/KZ-11/2026", 2026, "2");
    json_object_set_new(row_of(doc, 0), "actual", json_integer(90));
    expect_valid(doc);
}

static void test_make_id(void **state)
{
    (void)state;
    char id[128];
    json_t *doc = good();
    kenes_doc d = {.json = doc};
    assert_int_equal(pe->make_id(api, &d, id, sizeof(id)), 0);
    assert_string_equal(id, "execution/KZ-11/2026-h1");
    json_object_set_new(fields_of(doc), "half", json_string("2"));
    assert_int_equal(pe->make_id(api, &d, id, sizeof(id)), 0);
    assert_string_equal(id, "execution/KZ-11/2026-h2");
    json_object_set_new(fields_of(doc), "half", json_string("3"));
    assert_int_equal(pe->make_id(api, &d, id, sizeof(id)), KENES_EINVAL);
    json_decref(doc);
}

/* ---- the plan -------------------------------------------------------------- */

static void test_plan_not_in_force(void **state)
{
    (void)state;
    /* A plan still in draft, no such plan, a document in force of another type. */
    expect_only_code(report("KZ-11", "plan/KZ-11/2027", 2027, "1"), "fields.plan", "plan_not_in_force");
    expect_only_code(report("KZ-11", "plan/KZ-11/2025", 2026, "1"), "fields.plan", "plan_not_in_force");
    expect_only_code(report("KZ-11", "roster/KZ-11/2026-02", 2026, "1"), "fields.plan",
                "plan_not_in_force");
    json_t *doc = good();
    json_object_del(fields_of(doc), "plan");
    expect_only_code(doc, "fields.plan", "required");
}

static void test_plan_other_region_and_year(void **state)
{
    (void)state;
    expect_only_code(report("KZ-11", "plan/KZ-15/2026", 2026, "1"), "fields.plan", "plan_other_region");
    expect_only_code(report("KZ-11", "plan/KZ-11/2026", 2027, "1"), "fields.plan", "plan_other_year");
}

/* While an amendment is drafted, the version in force is the plan: its five
 * measures, not the draft's two. */
static void test_amended_plan_counts_in_force_version(void **state)
{
    (void)state;
    json_t *doc = report("KZ-19", "plan/KZ-19/2026", 2026, "1");
    json_object_set_new(row_of(doc, 2), "measure", json_integer(5));
    expect_valid(doc);
}

/* ---- the rows ---------------------------------------------------------------- */

static void test_measure_not_in_plan(void **state)
{
    (void)state;
    json_t *doc = good();
    json_object_set_new(row_of(doc, 1), "measure", json_integer(6));
    expect_only_code(doc, "fields.rows[1].measure", "measure_not_in_plan");
    doc = good();
    json_object_set_new(row_of(doc, 0), "measure", json_integer(0));
    expect_only_code(doc, "fields.rows[0].measure", "out_of_range");
    doc = good();
    json_object_set_new(row_of(doc, 0), "measure", json_string("1"));
    expect_only_code(doc, "fields.rows[0].measure", "not_integer");
}

static void test_measure_twice(void **state)
{
    (void)state;
    json_t *doc = good();
    json_object_set_new(row_of(doc, 2), "measure", json_integer(1));
    expect_only_code(doc, "fields.rows[2].measure", "measure_twice");
}

static void test_reason_required(void **state)
{
    (void)state;
    json_t *doc = good();
    json_object_del(row_of(doc, 2), "reason");
    expect_only_code(doc, "fields.rows[2].reason", "reason_required");
    doc = good();
    json_object_set_new(row_of(doc, 1), "reason", json_string("\xc2\xa0 "));
    expect_only_code(doc, "fields.rows[1].reason", "reason_required");
    doc = good();
    json_object_set_new(row_of(doc, 1), "reason", repeat("я", 2001));
    expect_only_code(doc, "fields.rows[1].reason", "too_long");
}

static void test_row_values(void **state)
{
    (void)state;
    json_t *doc = good();
    json_object_set_new(row_of(doc, 0), "actual", json_string("85%"));
    expect_only_code(doc, "fields.rows[0].actual", "not_number");
    doc = good();
    json_object_set_new(row_of(doc, 0), "spent_kzt", json_integer(-1));
    expect_only_code(doc, "fields.rows[0].spent_kzt", "not_amount");
    doc = good();
    json_object_set_new(row_of(doc, 0), "status", json_string("half-done"));
    expect_only_code(doc, "fields.rows[0].status", "not_in_list");
    doc = good();
    json_object_set_new(row_of(doc, 0), "note", json_string("x"));
    expect_only_code(doc, "fields.rows[0].note", "unknown_key");
    doc = good();
    json_array_set_new(json_object_get(fields_of(doc), "rows"), 0, json_integer(1));
    expect_only_code(doc, "fields.rows[0]", "not_object");
}

static void test_header_fields(void **state)
{
    (void)state;
    json_t *doc = good();
    json_object_set_new(fields_of(doc), "rows", json_array());
    expect_only_code(doc, "fields.rows", "too_few");
    doc = good();
    json_object_del(fields_of(doc), "rows");
    expect_only_code(doc, "fields.rows", "required");
    doc = good();
    json_object_set_new(fields_of(doc), "half", json_integer(1));
    expect_only_code(doc, "fields.half", "not_in_list");
    doc = report("KZ-11", "plan/KZ-11/2026", 2026, "3");
    expect_only_code(doc, "fields.half", "not_in_list");
    doc = good();
    json_object_set_new(fields_of(doc), "year", json_integer(2031));
    /* the year is wrong, so the plan's year is not compared with it */
    expect_only_code(doc, "fields.year", "out_of_range");
    doc = good();
    json_object_set_new(fields_of(doc), "quarter", json_string("2"));
    expect_only_code(doc, "fields.quarter", "unknown_key");
}

/* Every row wrong at once: each problem at its own path. */
static void test_all_problems_at_once(void **state)
{
    (void)state;
    json_t *doc = good();
    json_object_set_new(row_of(doc, 0), "measure", json_integer(9));
    json_object_set_new(row_of(doc, 1), "measure", json_integer(4));
    json_object_del(row_of(doc, 2), "reason");
    expect_errors(doc, "fields.rows[0].measure", "fields.rows[2].measure",
                  "fields.rows[2].reason", NULL);
}

/* ---- the guard ----------------------------------------------------------------- */

static void test_guard_plan_in_force(void **state)
{
    (void)state;
    kenes_ctx ctx = {.action = "submit", .user = "official", .role = "regional-official",
                     .from = "draft", .to = "submitted"};
    kenes_errors errs;
    expect_guard_allows(plan_in_force, good(), &ctx, &errs);
    kapi_errors_dispose(&errs);
    expect_guard_refuses(plan_in_force, report("KZ-11", "plan/KZ-11/2027", 2027, "1"), &ctx,
                         "the report's regional plan is not in force: it cannot be submitted");
    expect_guard_refuses(plan_in_force, report("KZ-11", "roster/KZ-11/2026-02", 2026, "1"), &ctx,
                         "the report's regional plan is not in force: it cannot be submitted");
}

/* The plan's version in force cannot be read now (the core's KENES_EIO):
 * "try again", never "not in force", from the check and the guard. */
static void test_plan_unreadable(void **state)
{
    (void)state;
    json_object_set_new(json_array_get(docs, 0), "_unreadable", json_true());
    expect_only_code(good(), "fields.plan", "try_again");
    kenes_ctx ctx = {.action = "submit", .user = "official", .role = "regional-official",
                     .from = "draft", .to = "submitted"};
    kenes_errors errs;
    assert_int_equal(guard_run(plan_in_force, good(), &ctx, &errs), KENES_EGUARD);
    assert_string_equal(errs.code, "try_again");
    kapi_errors_dispose(&errs);
}

/* The plan in force was agreed (commit "c2") after the report was last
 * written ("c1"): the rows number an earlier version's measures. */
static void test_guard_plan_changed(void **state)
{
    (void)state;
    kenes_ctx ctx = {.action = "accept", .user = "reviewer", .role = "ministry-reviewer",
                     .from = "submitted", .to = "accepted"};
    json_object_set_new(json_array_get(docs, 0), "_version", json_string("c2"));
    json_t *stored = good();
    json_object_set_new(stored, "id", json_string("execution/KZ-11/2026-h2"));
    json_object_set_new(stored, "_written", json_string("c1"));
    json_array_append_new(docs, stored);
    json_t *doc = good();
    json_object_set_new(doc, "id", json_string("execution/KZ-11/2026-h2"));
    expect_guard_refuses(plan_in_force, doc, &ctx,
                         "the plan in force was amended after this report was written: check "
                         "each row's measure against the plan in force and save the report again");
    kenes_errors errs;
    doc = good();
    json_object_set_new(doc, "id", json_string("execution/KZ-11/2026-h2"));
    assert_int_equal(guard_run(plan_in_force, doc, &ctx, &errs), KENES_EGUARD);
    assert_string_equal(errs.code, "plan_changed");
    kapi_errors_dispose(&errs);
    /* Saved again after the amendment ("c3"): the rows are the plan's. */
    json_object_set_new(stored, "_written", json_string("c3"));
    doc = good();
    json_object_set_new(doc, "id", json_string("execution/KZ-11/2026-h2"));
    expect_guard_allows(plan_in_force, doc, &ctx, &errs);
    kapi_errors_dispose(&errs);
}

/* ---- bounds ------------------------------------------------------------------------ */

/* Row i of a good report with key set to v (consumed): valid when code is
 * NULL, else refused with code alone at the row's key. */
static void expect_row_value(size_t i, const char *key, json_t *v, const char *code)
{
    json_t *doc = good();
    json_object_set_new(row_of(doc, i), key, v);
    if (!code) {
        expect_valid(doc);
        return;
    }
    char path[64];
    snprintf(path, sizeof(path), "fields.rows[%zu].%s", i, key);
    expect_only_code(doc, path, code);
}

static void test_money_and_values_bounded(void **state)
{
    (void)state;
    expect_row_value(0, "spent_kzt", json_integer(10000000000000LL), NULL);
    expect_row_value(0, "spent_kzt", json_integer(10000000000001LL), "amount_too_big");
    expect_row_value(0, "spent_kzt", json_integer(INT64_MAX), "amount_too_big");
    /* Measure 1's indicator is a percentage ("Охват, %"): 0 to 100. */
    expect_row_value(0, "actual", json_real(100.0), NULL);
    expect_row_value(0, "actual", json_real(100.01), "percent_out_of_range");
    expect_row_value(0, "actual", json_integer(-5), "percent_out_of_range");
    expect_row_value(0, "actual", json_real(1e308), "percent_out_of_range");
    /* A count (no "%" in the indicator): 0 to a billion. */
    json_t *m4 = json_array_get(json_object_get(fields_of(json_array_get(docs, 0)), "measures"), 3);
    json_object_set_new(m4, "indicator", json_string("Семьи на сопровождении, число семей"));
    expect_row_value(2, "actual", json_integer(1000000000), NULL);
    expect_row_value(2, "actual", json_real(2e9), "actual_out_of_range");
    expect_row_value(2, "actual", json_real(-0.5), "actual_out_of_range");
}

/* ---- the reports ----------------------------------------------------------------- */

static char *national(const char *lang)
{
    return fixture_report_in(pe, KENES_REPORT_NATIONAL, NULL, lang, NULL, NULL, 0, NULL);
}

static void test_national_report(void **state)
{
    (void)state;
    char *md = national("ru");
    /* KZ-11, KZ-15 and KZ-19 (its version in force) have plans in force;
     * only KZ-11 an accepted report: measures 1 done, 3 in progress, 4 not
     * done, 2 and 5 not reported; KZ-15's and KZ-19's five each not. */
    expect_line(md, "## Исполнение региональных планов");
    expect_line(md, "Регионов с действующим планом: 3; из них с принятым отчётом об исполнении: 1.");
    expect_line(md, "| Безопасность | 6 | 1 | 0 | 0 | 5 | 3\xc2\xa0" "000\xc2\xa0" "000 ₸ "
                    "| 900\xc2\xa0" "000 ₸ |");
    expect_line(md, "| Здоровье | 3 | 0 | 1 | 0 | 2 | 7\xc2\xa0" "500\xc2\xa0" "000 ₸ "
                    "| 1\xc2\xa0" "200\xc2\xa0" "000 ₸ |");
    expect_line(md, "| Семья и социальная защита | 3 | 0 | 0 | 1 | 2 | 1\xc2\xa0" "500\xc2\xa0"
                    "000 ₸ | 0 ₸ |");
    expect_line(md, "| **Всего** | 15 | 1 | 1 | 1 | 12 | 12\xc2\xa0" "000\xc2\xa0" "000 ₸ "
                    "| 2\xc2\xa0" "100\xc2\xa0" "000 ₸ |");
    /* Coverage: 1.1, 2.2, 3.1 and 1.3 named by all three plans in force. */
    char *plain = md_plain(md);
    expect_line(plain, "| 1.1 Профилактика буллинга и насилия в организациях образования "
                       "| Безопасность | 3 |");
    expect_line(plain, "| 1.2 Профилактика правонарушений среди несовершеннолетних "
                       "| Безопасность | 0 |");
    expect_line(plain, "Пунктов, по которым нет ни одной меры: 12 из 16.");
    free(plain);
    free(md);

    md = national("kk");
    expect_line(md, "## Өңірлік жоспарлардың орындалуы");
    expect_line(md, "| **Барлығы** | 15 | 1 | 1 | 1 | 12 | 12\xc2\xa0" "000\xc2\xa0" "000 ₸ "
                    "| 2\xc2\xa0" "100\xc2\xa0" "000 ₸ |");
    plain = md_plain(md);
    expect_line(plain, "| 1.1 Білім беру ұйымдарында буллинг пен зорлық-зомбылықтың алдын алу "
                       "| Қауіпсіздік | 3 |");
    free(plain);
    free(md);

    md = national("en");
    expect_line(md, "## Regional plans carried out");
    expect_line(md, "Regions with a plan in force: 3; of them with an accepted execution report: 1.");
    free(md);
}

/* The latest accepted report counts: a second half replaces the first. */
static void test_latest_report_counts(void **state)
{
    (void)state;
    json_t *second = report("KZ-11", "plan/KZ-11/2026", 2026, "2");
    json_object_set_new(second, "id", json_string("execution/KZ-11/2026-h2"));
    json_object_set_new(second, "stage", json_string("accepted"));
    json_object_set_new(row_of(second, 2), "status", json_string("done"));
    json_array_append_new(docs, second);
    /* a submitted report (not accepted) is not counted */
    json_t *pending = report("KZ-15", "plan/KZ-15/2026", 2026, "1");
    json_object_set_new(pending, "id", json_string("execution/KZ-15/2026-h1"));
    json_object_set_new(pending, "stage", json_string("submitted"));
    json_array_append_new(docs, pending);
    char *md = national("ru");
    expect_line(md, "Регионов с действующим планом: 3; из них с принятым отчётом об исполнении: 1.");
    expect_line(md, "| Семья и социальная защита | 3 | 1 | 0 | 0 | 2 | 1\xc2\xa0" "500\xc2\xa0"
                    "000 ₸ | 0 ₸ |");
    free(md);
    char *region = fixture_report_in(pe, KENES_REPORT_REGION, "KZ-11", "ru", NULL, NULL, 0, NULL);
    expect_line(region, "По отчёту об исполнении за II полугодие 2026 года, принятому министерством.");
    free(region);
}

static void test_region_report(void **state)
{
    (void)state;
    char *md = fixture_report_in(pe, KENES_REPORT_REGION, "KZ-11", "ru", NULL, NULL, 0, NULL);
    char *plain = md_plain(md);
    expect_line(md, "## Исполнение регионального плана");
    expect_line(md, "### План на 2026 год");
    expect_line(md, "По отчёту об исполнении за I полугодие 2026 года, принятому министерством.");
    expect_line(md, "#### Безопасность");
    expect_line(plain, "| 1 | Службы примирения в школах | Охват, % | 90 | 85,5 "
                       "| 1\xc2\xa0" "000\xc2\xa0" "000 ₸ | 900\xc2\xa0" "000 ₸ | Выполнено |");
    expect_line(plain, "| 5 | Профилактика онлайн-рисков | Охват, % | 75 | — | 0 ₸ | — "
                       "| нет данных |");
    expect_line(plain, "| 3 | Школьные психологи | Охват, % | 80 | 40 | 2\xc2\xa0" "500\xc2\xa0"
                       "000 ₸ | 1\xc2\xa0" "200\xc2\xa0" "000 ₸ | В работе: Психологи набраны в "
                       "половину школ, остальные — к сентябрю |");
    expect_line(plain, "| 4 | Сопровождение семей | Охват, % | 60 | 10 | 500\xc2\xa0" "000 ₸ "
                       "| 0 ₸ | Не выполнено: Не выделено финансирование |");
    free(plain);
    free(md);

    md = fixture_report_in(pe, KENES_REPORT_REGION, "KZ-11", "kk", NULL, NULL, 0, NULL);
    expect_line(md, "## Өңірлік жоспардың орындалуы");
    expect_line(md, "### 2026 жылға арналған жоспар");
    expect_line(md, "Министрлік қабылдаған 2026 жылғы I жартыжылдықтағы орындалу туралы есеп бойынша.");
    free(md);
    md = fixture_report_in(pe, KENES_REPORT_REGION, "KZ-11", "en", NULL, NULL, 0, NULL);
    expect_line(md, "From the execution report for the first half of 2026, accepted by the ministry.");
    assert_non_null(strstr(md, "| 90 | 85.5 |")); /* a decimal point in English */
    free(md);

    /* A plan in force with no accepted report, and a region with no plan. */
    md = fixture_report_in(pe, KENES_REPORT_REGION, "KZ-15", "ru", NULL, NULL, 0, NULL);
    expect_line(md, "Отчёта об исполнении, принятого министерством, пока нет.");
    free(md);
    md = fixture_report_in(pe, KENES_REPORT_REGION, "KZ-71", "ru", NULL, NULL, 0, NULL);
    expect_line(md, "Действующего регионального плана нет.");
    free(md);
}

/* The latest accepted report was written ("c1") before the plan in force
 * was agreed ("c2"): its figures are not read against the new numbering. */
static void test_report_of_an_earlier_version(void **state)
{
    (void)state;
    json_object_set_new(json_array_get(docs, 0), "_version", json_string("c2"));
    json_object_set_new(json_array_get(docs, json_array_size(docs) - 1), "_written",
                        json_string("c1"));
    char *md = fixture_report_in(pe, KENES_REPORT_REGION, "KZ-11", "ru", NULL, NULL, 0, NULL);
    char *plain = md_plain(md);
    assert_non_null(strstr(md, "Последний принятый отчёт об исполнении (за I полугодие 2026 года) "
                               "составлен по прежней редакции плана"));
    assert_null(strstr(plain, "900\xc2\xa0" "000 ₸ | Выполнено"));
    expect_line(plain, "| 1 | Службы примирения в школах | Охват, % | 90 | — "
                       "| 1\xc2\xa0" "000\xc2\xa0" "000 ₸ | — | нет данных |");
    free(plain);
    free(md);
    md = fixture_report_in(pe, KENES_REPORT_REGION, "KZ-11", "kk", NULL, NULL, 0, NULL);
    assert_non_null(strstr(md, "Орындалу туралы соңғы қабылданған есеп (2026 жылғы I жартыжылдық)"));
    free(md);
    md = fixture_report_in(pe, KENES_REPORT_REGION, "KZ-11", "en", NULL, NULL, 0, NULL);
    assert_non_null(strstr(md, "The latest accepted execution report (for the first half of 2026)"));
    free(md);
    md = national("ru");
    expect_line(md, "Регионов с действующим планом: 3; из них с принятым отчётом об исполнении: 0.");
    expect_line(md, "| **Всего** | 15 | 0 | 0 | 0 | 15 | 12\xc2\xa0" "000\xc2\xa0" "000 ₸ "
                    "| 0 ₸ |");
    free(md);
    /* Written after the plan in force: counted. */
    json_object_set_new(json_array_get(docs, json_array_size(docs) - 1), "_written",
                        json_string("c3"));
    md = national("ru");
    expect_line(md, "Регионов с действующим планом: 3; из них с принятым отчётом об исполнении: 1.");
    free(md);
}

/* Sums near the bound: every measure of the three plans in force planned at
 * 10^13 tenge add up exactly; amounts from before the bound (a history may
 * hold any 64-bit integer) never wrap round into a negative or small sum. */
static void test_sums_near_the_bound(void **state)
{
    (void)state;
    for (size_t k = 0; k < json_array_size(docs); k++) {
        json_t *d = json_array_get(docs, k);
        json_t *face = json_object_get(d, "_public") ? json_object_get(d, "_public") : d;
        size_t i;
        json_t *m;
        json_array_foreach(json_object_get(fields_of(face), "measures"), i, m)
            json_object_set_new(json_object_get(m, "funding"), "amount_kzt",
                                json_integer(10000000000000LL));
    }
    json_t *accepted = json_array_get(docs, json_array_size(docs) - 1);
    json_object_set_new(row_of(accepted, 0), "spent_kzt", json_integer(INT64_MAX));
    json_array_append_new(json_object_get(fields_of(accepted), "rows"),
                          json_pack("{s:i, s:i, s:I, s:s}", "measure", 5, "actual", 75,
                                    "spent_kzt", (json_int_t)INT64_MAX, "status", "done"));
    char *md = national("ru");
    /* Safety: 6 measures at 10^13; its two rows' spending overflows: a dash. */
    expect_line(md, "| Безопасность | 6 | 2 | 0 | 0 | 4 | 60\xc2\xa0" "000\xc2\xa0" "000\xc2\xa0"
                    "000\xc2\xa0" "000 ₸ | — |");
    expect_line(md, "| **Всего** | 15 | 2 | 1 | 1 | 11 | 150\xc2\xa0" "000\xc2\xa0"
                    "000\xc2\xa0" "000\xc2\xa0" "000 ₸ | — |");
    free(md);
}

/* Values print as figures, never with an exponent. */
static void test_values_without_exponent(void **state)
{
    (void)state;
    json_t *m1 = json_array_get(json_object_get(fields_of(json_array_get(docs, 0)), "measures"), 0);
    json_object_set_new(m1, "target", json_real(1e21));
    json_object_set_new(row_of(json_array_get(docs, json_array_size(docs) - 1), 0), "actual",
                        json_real(0.1 + 0.2));
    char *md = fixture_report_in(pe, KENES_REPORT_REGION, "KZ-11", "ru", NULL, NULL, 0, NULL);
    assert_non_null(strstr(md, "| 1000000000000000000000 | 0,3 |"));
    assert_null(strstr(md, "e+"));
    free(md);
}

/* Nothing a report says about a measure is markup: a title with a pipe stays in its cell. */
static void test_report_escapes(void **state)
{
    (void)state;
    json_t *p = json_array_get(docs, 0);
    json_object_set_new(json_array_get(json_object_get(fields_of(p), "measures"), 0), "title",
                        json_string("A | B *c*"));
    char *md = fixture_report_in(pe, KENES_REPORT_REGION, "KZ-11", "ru", NULL, NULL, 0, NULL);
    assert_non_null(strstr(md, "A \\| B \\*c\\*"));
    free(md);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup(f, reset)
    const struct CMUnitTest tests[] = {
        T(test_descriptor),
        T(test_good_report_passes),
        T(test_make_id),
        T(test_plan_not_in_force),
        T(test_plan_other_region_and_year),
        T(test_amended_plan_counts_in_force_version),
        T(test_measure_not_in_plan),
        T(test_measure_twice),
        T(test_reason_required),
        T(test_row_values),
        T(test_header_fields),
        T(test_all_problems_at_once),
        T(test_guard_plan_in_force),
        T(test_plan_unreadable),
        T(test_guard_plan_changed),
        T(test_money_and_values_bounded),
        T(test_report_of_an_earlier_version),
        T(test_sums_near_the_bound),
        T(test_values_without_exponent),
        T(test_national_report),
        T(test_latest_report_counts),
        T(test_region_report),
        T(test_report_escapes),
    };
#undef T
    return cmocka_run_group_tests_name("plan-execution", tests, setup_group, teardown_group);
}
