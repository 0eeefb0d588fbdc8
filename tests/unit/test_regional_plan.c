/*
 * The regional-plan plugin, loaded from build/plugins/regional-plan.so the
 * way the server loads it, against real regions (content/regions.yaml).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plugin/kapi.h"
#include "plugin/loader.h"
#include "plugin/region.h"
#include "plugin_fixture.h"


#define REGIONAL_PLAN KENES_PLUGIN_BUILD_DIR "/regional-plan.so"
#define REGIONS KENES_SOURCE_DIR "/content/regions.yaml"

static const kenes_doctype *plan;
static const kenes_guard *act_recorded;

static int setup_group(void **state)
{
    (void)state;
    return plugin_fixture_setup(&plan, REGIONAL_PLAN, REGIONS, "regional-plan", "act_recorded",
                                &act_recorded, NULL);
}

/* One measure that passes every rule. */
static json_t *good_measure(const char *direction, const char *title)
{
    json_t *m =
        json_pack("{s:s, s:s, s:s, s:[s, s], s:s, s:{s:s, s:i}, s:s, s:i, s:i}", "title", title,
                  "direction", direction, "lead_agency", "Управление образования области",
                  "co_executors", "Департамент полиции", "Управление здравоохранения", "deadline",
                  "2026-Q3", "funding", "source", "местный бюджет", "amount_kzt", 12500000,
                  "indicator", "Доля школ со службой примирения, %", "baseline", 40, "target", 90);
    assert_non_null(m);
    return m;
}

/* A plan that passes every rule; each test breaks one thing.  Measures 0-3
 * are one per direction; measure 4 is a second safety measure, so breaking
 * it breaks nothing else. */
static json_t *good_plan(void)
{
    json_t *measures = json_pack(
        "[o, o, o, o, o]", good_measure("safety", "Службы примирения в каждой школе"),
        good_measure("education", "Курсы для педагогов по профилактике буллинга"),
        good_measure("health", "Школьные психологи: супервизия и обучение"),
        good_measure("family-social-protection", "Сопровождение семей в трудной ситуации"),
        good_measure("safety", "Профилактика онлайн-рисков"));
    json_t *doc = json_pack(
        "{s:s, s:s, s:s, s:s, s:{s:i, s:o, s:s, s:{s:s, s:s}}, s:s}", "type", "regional-plan",
        "region", "KZ-11", "title", "План Акмолинской области на 2026 год", "stage", "draft",
        "fields", "period", 2026, "measures", measures, "local_specifics",
        "Сельские районы: далеко до центров помощи", "act", "number", "12", "date", "2026-02-05",
        "body", "# План\n\nБезопасность, образование, здоровье, семья.\n");
    assert_non_null(doc);
    return doc;
}

static json_t *measure_of(json_t *doc, size_t i)
{
    return json_array_get(json_object_get(json_object_get(doc, "fields"), "measures"), i);
}

static json_t *fields_of(json_t *doc)
{
    return json_object_get(doc, "fields");
}

/* ---- the plugin as loaded ---------------------------------------------- */

static void test_descriptor(void **state)
{
    (void)state;
    assert_string_equal(plan->name, "regional-plan");
    assert_string_equal(plan->noun, "regional plan");
    assert_string_equal(plugin_at(plugins, 0)->name, "regional-plan");
    assert_null(plugin_find_type(plugins, "commission-roster"));
    /* Its guard is act_recorded; comment_required moved to plugins/common. */
    assert_non_null(plugin_find_guard(plugins, "act_recorded"));
    assert_null(plugin_find_guard(plugins, "comment_required"));
    assert_string_equal(plugin_at(plugins, 0)->guards[0].name, "act_recorded");
    assert_null(plugin_at(plugins, 0)->guards[1].name);
}

static void test_good_plan_passes(void **state)
{
    (void)state;
    expect_valid(good_plan());
}

/* The act may wait until approval; no body is an empty body. */
static void test_plan_without_act_or_body_passes(void **state)
{
    (void)state;
    json_t *doc = good_plan();
    json_object_del(fields_of(doc), "act");
    json_object_del(doc, "body");
    expect_valid(doc);
}

/* One measure per direction is enough. */
static void test_four_measures_pass(void **state)
{
    (void)state;
    json_t *doc = good_plan();
    assert_int_equal(json_array_remove(json_object_get(fields_of(doc), "measures"), 4), 0);
    expect_valid(doc);
}

/* ---- region ------------------------------------------------------------- */

static void test_region_unknown(void **state)
{
    (void)state;
    json_t *doc = good_plan();
    json_object_set_new(doc, "region", json_string("KZ-99"));
    expect_only_error(doc, "region");
}

static void test_region_lowercase(void **state)
{
    (void)state;
    json_t *doc = good_plan();
    json_object_set_new(doc, "region", json_string("kz-11"));
    expect_only_error(doc, "region");
}

static void test_region_missing(void **state)
{
    (void)state;
    json_t *doc = good_plan();
    json_object_del(doc, "region");
    expect_only_error(doc, "region");
}

static void test_every_region_passes(void **state)
{
    (void)state;
    assert_int_equal(region_count(), 20);
    for (size_t i = 0; i < region_count(); i++) {
        json_t *doc = good_plan();
        json_object_set_new(doc, "region", json_string(region_at(i)->code));
        expect_valid(doc);
    }
}

/* ---- fields.period ------------------------------------------------------ */

static void expect_period_error(json_t *period)
{
    json_t *doc = good_plan();
    if (period)
        json_object_set_new(fields_of(doc), "period", period);
    else
        json_object_del(fields_of(doc), "period");
    expect_only_error(doc, "fields.period");
}

static void test_period_out_of_range(void **state)
{
    (void)state;
    expect_period_error(json_integer(2025));
    expect_period_error(json_integer(2031));
    expect_period_error(json_integer(0));
    expect_period_error(json_integer(-2026));
}

static void test_period_not_an_integer(void **state)
{
    (void)state;
    expect_period_error(json_string("2026"));
    expect_period_error(json_real(2026.0));
    expect_period_error(json_real(2026.5));
    expect_period_error(json_null());
    expect_period_error(json_true());
}

static void test_period_missing(void **state)
{
    (void)state;
    expect_period_error(NULL);
}

static void test_period_bounds_pass(void **state)
{
    (void)state;
    for (int y = 2026; y <= 2030; y++) {
        json_t *doc = good_plan();
        json_object_set_new(fields_of(doc), "period", json_integer(y));
        expect_valid(doc);
    }
}

/* ---- title -------------------------------------------------------------- */

static json_t *plan_with_title(json_t *title)
{
    json_t *doc = good_plan();
    json_object_set_new(doc, "title", title);
    return doc;
}

static void test_title_empty(void **state)
{
    (void)state;
    expect_only_error(plan_with_title(json_string("")), "title");
}

static void test_title_missing(void **state)
{
    (void)state;
    json_t *doc = good_plan();
    json_object_del(doc, "title");
    expect_only_error(doc, "title");
}

static void test_title_blank(void **state)
{
    (void)state;
    expect_only_error(plan_with_title(json_string("  \t ")), "title");
}

/* 200 characters counted as characters: 200 Cyrillic letters are 400 bytes. */
static void test_title_length_in_characters(void **state)
{
    (void)state;
    expect_valid(plan_with_title(repeat("Ж", 200)));
    expect_valid(plan_with_title(repeat("a", 200)));
    expect_valid(plan_with_title(json_string("Ә")));
    expect_only_error(plan_with_title(repeat("Ж", 201)), "title");
    expect_only_error(plan_with_title(repeat("a", 201)), "title");
}

static void test_title_invalid_utf8(void **state)
{
    (void)state;
    expect_only_error(plan_with_title(json_string_nocheck("Plan \xff")), "title");
    /* An overlong '/' and a lone surrogate are not UTF-8 either. */
    expect_only_error(plan_with_title(json_string_nocheck("\xc0\xaf")), "title");
    expect_only_error(plan_with_title(json_string_nocheck("\xed\xa0\x80")), "title");
}

/* ---- body --------------------------------------------------------------- */

static json_t *plan_with_body_of(size_t bytes)
{
    char *s = malloc(bytes + 1);
    assert_non_null(s);
    memset(s, 'x', bytes);
    s[bytes] = '\0';
    json_t *doc = good_plan();
    json_object_set_new(doc, "body", json_string(s));
    free(s);
    return doc;
}

static void test_body_size(void **state)
{
    (void)state;
    expect_valid(plan_with_body_of(256 * 1024));
    expect_only_error(plan_with_body_of(256 * 1024 + 1), "body");
}

static void test_body_invalid_utf8(void **state)
{
    (void)state;
    json_t *doc = good_plan();
    json_object_set_new(doc, "body", json_string_nocheck("# План\n\xd0"));
    expect_only_error(doc, "body");
}

/* ---- fields ------------------------------------------------------------- */

static void test_unknown_field(void **state)
{
    (void)state;
    json_t *doc = good_plan();
    json_object_set_new(fields_of(doc), "budget", json_integer(5));
    expect_only_error(doc, "fields.budget");

    doc = good_plan();
    json_object_set_new(fields_of(doc), "период", json_integer(2026));
    expect_only_error(doc, "fields.период");
}

static void test_two_unknown_fields(void **state)
{
    (void)state;
    json_t *doc = good_plan();
    json_object_set_new(fields_of(doc), "a", json_true());
    json_object_set_new(fields_of(doc), "b", json_true());
    expect_errors(doc, "fields.a", "fields.b", NULL);
}

/* A key too long for a path is cut on a character boundary: the path
 * still reaches the error list (valid UTF-8, so jansson takes it). */
static void test_long_unknown_field(void **state)
{
    (void)state;
    json_t *doc = good_plan();
    json_t *key = repeat("Ж", 300);
    json_object_set_new(fields_of(doc), json_string_value(key), json_true());
    json_decref(key);
    kenes_errors errs;
    assert_int_equal(validate(doc, &errs), KENES_EVALIDATION);
    assert_int_equal(json_array_size(errs.fields), 1);
    const char *path = json_string_value(json_object_get(json_array_get(errs.fields, 0), "path"));
    assert_int_equal(strncmp(path, "fields.ЖЖ", strlen("fields.ЖЖ")), 0);
    kapi_errors_dispose(&errs);
}

/* The core hands plugins an empty object for a "fields" that is not an
 * object, so such a plan cannot pass: it has no period, measures or
 * local specifics. */
static void test_fields_not_an_object(void **state)
{
    (void)state;
    json_t *doc = good_plan();
    json_object_set_new(doc, "fields", json_pack("[i]", 2026));
    kenes_errors errs;
    assert_int_equal(validate(doc, &errs), KENES_EVALIDATION);
    assert_true(has_error(&errs, "fields") || has_error(&errs, "fields.period"));
    kapi_errors_dispose(&errs);

    doc = good_plan();
    json_object_del(doc, "fields");
    assert_int_equal(validate(doc, &errs), KENES_EVALIDATION);
    assert_int_equal(json_array_size(errs.fields), 3);
    assert_true(has_error(&errs, "fields.period"));
    assert_true(has_error(&errs, "fields.measures"));
    assert_true(has_error(&errs, "fields.local_specifics"));
    kapi_errors_dispose(&errs);
}

/* Every problem is reported at once, each at its own path. */
static void test_all_errors_at_once(void **state)
{
    (void)state;
    json_t *doc = good_plan();
    json_object_set_new(doc, "region", json_string("KZ-00"));
    json_object_set_new(doc, "title", json_string(""));
    json_object_set_new(doc, "body", json_string_nocheck("\xff"));
    json_object_set_new(fields_of(doc), "period", json_integer(1999));
    json_object_set_new(fields_of(doc), "extra", json_null());
    expect_errors(doc, "region", "title", "body", "fields.period", "fields.extra", NULL);
}

/* ---- make_id ------------------------------------------------------------ */

static void test_make_id(void **state)
{
    (void)state;
    json_t *doc = good_plan();
    kenes_doc d = {.json = doc};
    char id[64];
    assert_int_equal(plan->make_id(api, &d, id, sizeof(id)), 0);
    assert_string_equal(id, "plan/KZ-11/2026");

    json_object_set_new(doc, "region", json_string("KZ-79"));
    json_object_set_new(fields_of(doc), "period", json_integer(2030));
    assert_int_equal(plan->make_id(api, &d, id, sizeof(id)), 0);
    assert_string_equal(id, "plan/KZ-79/2030");

    /* Exactly enough room, and one byte too little. */
    assert_int_equal(plan->make_id(api, &d, id, strlen("plan/KZ-79/2030") + 1), 0);
    assert_int_equal(plan->make_id(api, &d, id, strlen("plan/KZ-79/2030")), KENES_ETOOBIG);

    /* Never an id from a region that is not one. */
    json_object_set_new(doc, "region", json_string("../../etc"));
    assert_int_equal(plan->make_id(api, &d, id, sizeof(id)), KENES_EINVAL);
    json_decref(doc);
}

/* ---- fields.measures ---------------------------------------------------- */

/* doc fails with exactly one error, at path, whose message mentions word. */
static void expect_error_mentioning(json_t *doc, const char *path, const char *word)
{
    kenes_errors errs;
    assert_int_equal(validate(doc, &errs), KENES_EVALIDATION);
    if (json_array_size(errs.fields) != 1) {
        char *s = json_dumps(errs.fields, 0);
        print_message("expected one error at %s, got: %s\n", path, s ? s : "none");
        free(s);
    }
    assert_int_equal(json_array_size(errs.fields), 1);
    json_t *e = json_array_get(errs.fields, 0);
    assert_string_equal(json_string_value(json_object_get(e, "path")), path);
    assert_non_null(strstr(json_string_value(json_object_get(e, "message")), word));
    kapi_errors_dispose(&errs);
}

static void set_measures(json_t *doc, json_t *measures)
{
    json_object_set_new(fields_of(doc), "measures", measures);
}

static void test_measures_missing(void **state)
{
    (void)state;
    json_t *doc = good_plan();
    json_object_del(fields_of(doc), "measures");
    expect_only_error(doc, "fields.measures");
}

static void test_measures_not_a_list(void **state)
{
    (void)state;
    json_t *bad[] = {json_object(), json_string("меры"), json_null(), json_integer(4)};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        json_t *doc = good_plan();
        set_measures(doc, bad[i]);
        expect_only_error(doc, "fields.measures");
    }
}

static const char *const all_directions[] = {"safety", "education", "health",
                                             "family-social-protection"};

/* An empty list misses every direction: one error each, at fields.measures. */
static void test_measures_empty(void **state)
{
    (void)state;
    json_t *doc = good_plan();
    set_measures(doc, json_array());
    kenes_errors errs;
    assert_int_equal(validate(doc, &errs), KENES_EVALIDATION);
    assert_int_equal(json_array_size(errs.fields), 4);
    for (size_t k = 0; k < 4; k++) {
        json_t *e = json_array_get(errs.fields, k);
        assert_string_equal(json_string_value(json_object_get(e, "path")), "fields.measures");
        assert_non_null(
            strstr(json_string_value(json_object_get(e, "message")), all_directions[k]));
    }
    kapi_errors_dispose(&errs);
}

/* Each direction needs a measure; the error names the one that is missing. */
static void test_each_direction_required(void **state)
{
    (void)state;
    for (size_t k = 0; k < 4; k++) {
        json_t *doc = good_plan();
        json_t *measures = json_object_get(fields_of(doc), "measures");
        for (size_t i = json_array_size(measures); i-- > 0;) {
            const char *d =
                json_string_value(json_object_get(json_array_get(measures, i), "direction"));
            if (strcmp(d, all_directions[k]) == 0)
                json_array_remove(measures, i);
        }
        expect_error_mentioning(doc, "fields.measures", all_directions[k]);
    }
}

static void test_measure_not_an_object(void **state)
{
    (void)state;
    json_t *bad[] = {json_string("Профилактика"), json_array(), json_null(), json_true()};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        json_t *doc = good_plan();
        json_array_set_new(json_object_get(fields_of(doc), "measures"), 4, bad[i]);
        expect_only_error(doc, "fields.measures[4]");
    }
}

static void expect_measure_error(const char *key, json_t *value, const char *path)
{
    json_t *doc = good_plan();
    if (value)
        json_object_set_new(measure_of(doc, 4), key, value);
    else
        json_object_del(measure_of(doc, 4), key);
    expect_only_error(doc, path);
}

static void test_measure_fields_required(void **state)
{
    (void)state;
    const char *keys[] = {"title",   "direction", "lead_agency", "co_executors", "deadline",
                          "funding", "indicator", "baseline",    "target"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        char path[64];
        snprintf(path, sizeof(path), "fields.measures[4].%s", keys[i]);
        expect_measure_error(keys[i], NULL, path);
    }
}

static void test_direction_unknown(void **state)
{
    (void)state;
    const char *path = "fields.measures[4].direction";
    expect_measure_error("direction", json_string("bullying"), path);
    expect_measure_error("direction", json_string("Safety"), path);
    expect_measure_error("direction", json_string(" safety"), path);
    expect_measure_error("direction", json_string("family"), path);
    expect_measure_error("direction", json_string(""), path);
    expect_measure_error("direction", json_integer(1), path);
    expect_measure_error("direction", json_null(), path);
    expect_measure_error("direction", json_pack("[s]", "safety"), path);
}

/* The same measure in another direction still passes. */
static void test_every_direction_passes(void **state)
{
    (void)state;
    for (size_t k = 0; k < 4; k++) {
        json_t *doc = good_plan();
        json_object_set_new(measure_of(doc, 4), "direction", json_string(all_directions[k]));
        expect_valid(doc);
    }
}

static void test_measure_text_not_blank(void **state)
{
    (void)state;
    const char *keys[] = {"title", "lead_agency", "indicator"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        char path[64];
        snprintf(path, sizeof(path), "fields.measures[4].%s", keys[i]);
        expect_measure_error(keys[i], json_string(""), path);
        expect_measure_error(keys[i], json_string(" \t"), path);
        expect_measure_error(keys[i], json_string("\xe3\x80\x80\xc2\xa0"), path);
        expect_measure_error(keys[i], json_integer(5), path);
        expect_measure_error(keys[i], json_null(), path);
    }
}

static void test_co_executors(void **state)
{
    (void)state;
    json_t *doc = good_plan();
    json_object_set_new(measure_of(doc, 4), "co_executors", json_array());
    expect_valid(doc); /* a measure may have no co-executors */

    expect_measure_error("co_executors", json_string("Департамент полиции"),
                         "fields.measures[4].co_executors");
    expect_measure_error("co_executors", json_object(), "fields.measures[4].co_executors");
    expect_measure_error("co_executors", json_pack("[s, s]", "Акимат", "\xc2\xa0"),
                         "fields.measures[4].co_executors[1]");
    expect_measure_error("co_executors", json_pack("[i, s]", 7, "Акимат"),
                         "fields.measures[4].co_executors[0]");
    expect_measure_error("co_executors", json_pack("[s, s, [s]]", "Акимат", "НПО", "x"),
                         "fields.measures[4].co_executors[2]");
}

/* A list the plan needs (the SDK's chk_list) says what belongs there when
 * it is missing, and that it must be a list when it is something else. */
static void expect_list_error(const char *key, json_t *value, const char *path,
                              const char *word)
{
    json_t *doc = good_plan();
    json_t *in = strcmp(key, "measures") == 0 ? fields_of(doc) : measure_of(doc, 4);
    if (value)
        json_object_set_new(in, key, value);
    else
        json_object_del(in, key);
    expect_only_error_mentioning(doc, path, word);
}

static void test_list_messages(void **state)
{
    (void)state;
    expect_list_error("measures", NULL, "fields.measures",
                      "is required: a list of measures, at least one in each direction");
    expect_list_error("measures", json_string("x"), "fields.measures",
                      "must be a list of measures");
    expect_list_error("co_executors", NULL, "fields.measures[4].co_executors",
                      "is required: a list of agencies (it may be empty)");
    expect_list_error("co_executors", json_object(), "fields.measures[4].co_executors",
                      "must be a list of agencies (it may be empty)");
}

static void test_deadline_date_or_quarter_passes(void **state)
{
    (void)state;
    const char *good[] = {"2026-Q1",    "2026-Q2",    "2026-Q4",    "2030-Q3",
                          "2026-12-31", "2028-02-29", "2026-01-01", "2030-06-15"};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        json_t *doc = good_plan();
        json_object_set_new(measure_of(doc, 4), "deadline", json_string(good[i]));
        expect_valid(doc);
    }
}

static void test_deadline_bad(void **state)
{
    (void)state;
    const char *bad[] = {"2026-Q0",
                         "2026-Q5",
                         "2026-q3",
                         "2026Q3",
                         "Q3-2026",
                         "2026-Q33",
                         "2026-13-01",
                         "2026-02-30",
                         "2027-02-29",
                         "2026-2-1",
                         "2026-02-1",
                         " 2026-02-01",
                         "2026-02-01 ",
                         "2026-+2-05",
                         "2026- 2-05",
                         "+026-02-05",
                         "2026/02/05",
                         "05.02.2026",
                         "2026-02-05T10:00:00Z",
                         "",
                         "2026",
                         "III квартал 2026"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_measure_error("deadline", json_string(bad[i]), "fields.measures[4].deadline");
    expect_measure_error("deadline", json_integer(2026), "fields.measures[4].deadline");
    expect_measure_error("deadline", json_null(), "fields.measures[4].deadline");
}

static void test_funding(void **state)
{
    (void)state;
    /* 0 is "no cost"; amounts of tenge are large. */
    json_int_t amounts[] = {0, 1, 12500000, 1000000000000LL};
    for (size_t i = 0; i < sizeof(amounts) / sizeof(amounts[0]); i++) {
        json_t *doc = good_plan();
        json_object_set_new(json_object_get(measure_of(doc, 4), "funding"), "amount_kzt",
                            json_integer(amounts[i]));
        expect_valid(doc);
    }

    const char *path = "fields.measures[4].funding";
    expect_measure_error("funding", json_string("местный бюджет"), path);
    expect_measure_error("funding", json_integer(0), path);
    expect_measure_error("funding", json_array(), path);
    expect_measure_error("funding", json_null(), path);

    path = "fields.measures[4].funding.source";
    expect_measure_error("funding", json_pack("{s:i}", "amount_kzt", 0), path);
    expect_measure_error("funding", json_pack("{s:s, s:i}", "source", " ", "amount_kzt", 0), path);
    expect_measure_error("funding", json_pack("{s:i, s:i}", "source", 1, "amount_kzt", 0), path);

    path = "fields.measures[4].funding.amount_kzt";
    expect_measure_error("funding", json_pack("{s:s}", "source", "бюджет"), path);
    expect_measure_error("funding", json_pack("{s:s, s:i}", "source", "бюджет", "amount_kzt", -1),
                         path);
    expect_measure_error("funding", json_pack("{s:s, s:f}", "source", "бюджет", "amount_kzt", 1.5),
                         path);
    expect_measure_error("funding",
                         json_pack("{s:s, s:f}", "source", "бюджет", "amount_kzt", 100.0), path);
    expect_measure_error("funding",
                         json_pack("{s:s, s:s}", "source", "бюджет", "amount_kzt", "100"), path);
    expect_measure_error("funding", json_pack("{s:s, s:b}", "source", "бюджет", "amount_kzt", 0),
                         path);
    expect_measure_error("funding", json_pack("{s:s, s:n}", "source", "бюджет", "amount_kzt"),
                         path);
    /* At most 10^13 tenge (CHK_TENGE_MAX): a typo of many zeros, or a sum
     * meant to overflow the reports' tallies, is refused. */
    json_t *doc = good_plan();
    json_object_set_new(json_object_get(measure_of(doc, 4), "funding"), "amount_kzt",
                        json_integer(10000000000000LL));
    expect_valid(doc);
    doc = good_plan();
    json_object_set_new(json_object_get(measure_of(doc, 4), "funding"), "amount_kzt",
                        json_integer(10000000000001LL));
    expect_only_code(doc, path, "amount_too_big");
    doc = good_plan();
    json_object_set_new(json_object_get(measure_of(doc, 4), "funding"), "amount_kzt",
                        json_integer(INT64_MAX));
    expect_only_code(doc, path, "amount_too_big");

    expect_measure_error(
        "funding",
        json_pack("{s:s, s:i, s:s}", "source", "бюджет", "amount_kzt", 0, "currency", "KZT"),
        "fields.measures[4].funding.currency");
}

/* An indicator's values are numbers or text ("30%"). */
static void test_baseline_and_target(void **state)
{
    (void)state;
    const char *keys[] = {"baseline", "target"};
    for (size_t k = 0; k < 2; k++) {
        json_t *good[] = {json_integer(0), json_integer(-3), json_real(12.5), json_string("30%"),
                          json_string("не менее 1 на район")};
        for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
            json_t *doc = good_plan();
            json_object_set_new(measure_of(doc, 4), keys[k], good[i]);
            expect_valid(doc);
        }
        char path[64];
        snprintf(path, sizeof(path), "fields.measures[4].%s", keys[k]);
        expect_measure_error(keys[k], json_true(), path);
        expect_measure_error(keys[k], json_null(), path);
        expect_measure_error(keys[k], json_string(""), path);
        expect_measure_error(keys[k], json_string("\xe2\x80\x83"), path);
        expect_measure_error(keys[k], json_pack("[i]", 30), path);
        expect_measure_error(keys[k], json_object(), path);
    }
}

static void test_unknown_measure_key(void **state)
{
    (void)state;
    json_t *doc = good_plan();
    json_object_set_new(measure_of(doc, 2), "colour", json_string("red"));
    expect_only_error(doc, "fields.measures[2].colour");

    doc = good_plan();
    json_object_set_new(measure_of(doc, 0), "Direction", json_string("safety"));
    json_object_set_new(measure_of(doc, 0), "заметка", json_string("x"));
    expect_errors(doc, "fields.measures[0].Direction", "fields.measures[0].заметка", NULL);
}

/* Every problem of a measure at once, each at its own path. */
static void test_measure_errors_all_at_once(void **state)
{
    (void)state;
    json_t *doc = good_plan();
    json_t *m = measure_of(doc, 1);
    json_object_set_new(m, "direction", json_string("schools"));
    json_object_set_new(m, "deadline", json_string("2026-Q7"));
    json_object_set_new(json_object_get(m, "funding"), "amount_kzt", json_integer(-5));
    json_object_del(m, "indicator");
    json_object_set_new(m, "colour", json_true());
    kenes_errors errs;
    assert_int_equal(validate(doc, &errs), KENES_EVALIDATION);
    assert_int_equal(json_array_size(errs.fields), 6);
    assert_true(has_error(&errs, "fields.measures[1].direction"));
    assert_true(has_error(&errs, "fields.measures[1].deadline"));
    assert_true(has_error(&errs, "fields.measures[1].funding.amount_kzt"));
    assert_true(has_error(&errs, "fields.measures[1].indicator"));
    assert_true(has_error(&errs, "fields.measures[1].colour"));
    assert_true(has_error(&errs, "fields.measures")); /* education has no measure left */
    kapi_errors_dispose(&errs);
}

/* A measure with a wrong field still covers its direction: the error is
 * reported where it is, not as a missing direction too. */
static void test_broken_measure_still_covers_its_direction(void **state)
{
    (void)state;
    json_t *doc = good_plan();
    json_object_del(measure_of(doc, 2), "title"); /* the only health measure */
    expect_only_error(doc, "fields.measures[2].title");
}

/* A key too long for a path is cut on a character boundary. */
static void test_long_unknown_measure_key(void **state)
{
    (void)state;
    json_t *doc = good_plan();
    json_t *key = repeat("Ж", 300);
    json_object_set_new(measure_of(doc, 4), json_string_value(key), json_true());
    json_decref(key);
    kenes_errors errs;
    assert_int_equal(validate(doc, &errs), KENES_EVALIDATION);
    assert_int_equal(json_array_size(errs.fields), 1);
    const char *path = json_string_value(json_object_get(json_array_get(errs.fields, 0), "path"));
    assert_int_equal(strncmp(path, "fields.measures[4].ЖЖ", strlen("fields.measures[4].ЖЖ")), 0);
    assert_true(strlen(path) < 200);
    kapi_errors_dispose(&errs);
}

/* A flood of broken measures gives a bounded answer: the core lists the
 * first KENES_ERRORS_MAX problems and counts one more, and the plugin stops
 * looking once the list is full (errs.count counts every report made: a
 * handful past the cap, not 9 for each of 300 measures). */
static void test_problems_are_capped(void **state)
{
    (void)state;
    json_t *doc = good_plan();
    json_t *measures = json_array();
    for (int i = 0; i < 300; i++)
        json_array_append_new(measures, json_object());
    set_measures(doc, measures);
    kenes_errors errs;
    assert_int_equal(validate(doc, &errs), KENES_EVALIDATION);
    assert_int_equal(json_array_size(errs.fields), KENES_ERRORS_MAX);
    json_t *first = json_array_get(errs.fields, 0);
    assert_string_equal(json_string_value(json_object_get(first, "path")),
                        "fields.measures[0].title");
    assert_true(kapi_get()->errors_full(&errs));
    assert_true(errs.count < KENES_ERRORS_MAX + 20);
    kapi_errors_dispose(&errs);
}

/* ---- fields.local_specifics --------------------------------------------- */

static void test_local_specifics(void **state)
{
    (void)state;
    json_t *bad[] = {
        NULL,        json_string(""),         json_string(" \n\xc2\xa0"), json_integer(5),
        json_null(), json_pack("[s]", "села")};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        json_t *doc = good_plan();
        if (bad[i])
            json_object_set_new(fields_of(doc), "local_specifics", bad[i]);
        else
            json_object_del(fields_of(doc), "local_specifics");
        expect_only_error(doc, "fields.local_specifics");
    }
}

/* ---- fields.act ---------------------------------------------------------- */

static json_t *plan_in(const char *stage, json_t *act)
{
    json_t *doc = good_plan();
    json_object_set_new(doc, "stage", json_string(stage));
    if (act)
        json_object_set_new(fields_of(doc), "act", act);
    else
        json_object_del(fields_of(doc), "act");
    return doc;
}

static void test_act_optional_before_approval(void **state)
{
    (void)state;
    expect_valid(plan_in("draft", NULL));
    expect_valid(plan_in("regional-approval", NULL));
    expect_valid(plan_in("ministry-agreement", NULL));
}

static void test_act_required_once_approved(void **state)
{
    (void)state;
    expect_only_error(plan_in("in-force", NULL), "fields.act");
    expect_valid(
        plan_in("in-force", json_pack("{s:s, s:s}", "number", "45-р", "date", "2026-03-01")));
    expect_only_error(plan_in("in-force", json_pack("{s:s}", "number", "45-р")), "fields.act.date");
}

/* Before approval an act is optional, but one that is there must be right. */
static void test_act_checked_when_present(void **state)
{
    (void)state;
    expect_only_error(plan_in("draft", json_string("12 от 05.02.2026")), "fields.act");
    expect_only_error(plan_in("draft", json_array()), "fields.act");
    expect_only_error(plan_in("draft", json_null()), "fields.act");
    expect_only_error(plan_in("draft", json_pack("{s:s}", "date", "2026-02-05")),
                      "fields.act.number");
    expect_only_error(
        plan_in("draft", json_pack("{s:s, s:s}", "number", "\xe2\x80\x8b", "date", "2026-02-05")),
        "fields.act.number");
    /* A number, not a sentence that would read as the server's words on a public page. */
    expect_only_error(plan_in("draft", json_pack("{s:s, s:s}", "number",
                                                 "№ 15 от 05.02.2026; решение отменено приказом "
                                                 "министра, версия отозвана",
                                                 "date", "2026-02-05")),
                      "fields.act.number");
    expect_only_error(plan_in("draft", json_pack("{s:s, s:s}", "number", "15\nотменён", "date",
                                                 "2026-02-05")),
                      "fields.act.number");
    expect_only_error(plan_in("draft", json_pack("{s:i, s:s}", "number", 12, "date", "2026-02-05")),
                      "fields.act.number");
    expect_only_error(plan_in("draft", json_pack("{s:s}", "number", "12")), "fields.act.date");
    const char *dates[] = {"05.02.2026", "2026-02-30", "2026-Q1", "2026-+2-05", ""};
    for (size_t i = 0; i < sizeof(dates) / sizeof(dates[0]); i++)
        expect_only_error(
            plan_in("draft", json_pack("{s:s, s:s}", "number", "12", "date", dates[i])),
            "fields.act.date");
    expect_only_error(plan_in("draft", json_pack("{s:s, s:s, s:s}", "number", "12", "date",
                                                 "2026-02-05", "signed_by", "аким")),
                      "fields.act.signed_by");
}

/* ---- messages ----------------------------------------------------------- */

/* No message repeats the value it judges: they reach logs and answers. */
static void test_messages_do_not_repeat_values(void **state)
{
    (void)state;
    const char *v = "ZQXJ-секрет";
    json_t *doc = good_plan();
    json_object_set_new(doc, "region", json_string(v));
    json_object_set_new(fields_of(doc), "period", json_string(v));
    json_object_set_new(fields_of(doc), "local_specifics", json_pack("[s]", v));
    json_t *m = measure_of(doc, 4);
    json_object_set_new(m, "direction", json_string(v));
    json_object_set_new(m, "deadline", json_string(v));
    json_object_set_new(m, "co_executors", json_pack("[s, [s]]", "ok", v));
    json_object_set_new(m, "baseline", json_pack("{s:s}", "v", v));
    json_object_set_new(m, "funding", json_pack("{s:b, s:s}", "source", 1, "amount_kzt", v));
    json_object_set_new(fields_of(doc), "act", json_pack("{s:s, s:s}", "number", "1", "date", v));
    kenes_errors errs;
    assert_int_equal(validate(doc, &errs), KENES_EVALIDATION);
    assert_int_equal(json_array_size(errs.fields), 10);
    size_t i;
    json_t *e;
    json_array_foreach(errs.fields, i, e) {
        assert_null(strstr(json_string_value(json_object_get(e, "message")), "ZQXJ"));
        assert_null(strstr(json_string_value(json_object_get(e, "path")), "ZQXJ"));
    }
    kapi_errors_dispose(&errs);
}

/* ---- the act_recorded guard --------------------------------------------- */

#define ACT_MESSAGE                                                                                \
    "the akimat's resolution approving the plan (its number and date) must be recorded with "  \
    "the approval"

static void expect_act_guard_refuses(json_t *act)
{
    kenes_ctx ctx = review_ctx("approve", NULL, "ministry-agreement");
    expect_guard_refuses(act_recorded, plan_in("regional-approval", act), &ctx, ACT_MESSAGE);
}

static void test_act_guard_refuses(void **state)
{
    (void)state;
    expect_act_guard_refuses(NULL);
    expect_act_guard_refuses(json_null());
    expect_act_guard_refuses(json_string("12"));
    expect_act_guard_refuses(json_object());
    expect_act_guard_refuses(json_pack("{s:s}", "number", "12"));
    expect_act_guard_refuses(json_pack("{s:s}", "date", "2026-02-05"));
    expect_act_guard_refuses(json_pack("{s:s, s:s}", "number", " ", "date", "2026-02-05"));
    expect_act_guard_refuses(json_pack("{s:s, s:s}", "number", "12", "date", "2026-02-31"));
    expect_act_guard_refuses(
        json_pack("{s:s, s:s, s:b}", "number", "12", "date", "2026-02-05", "draft", 1));
}

static void test_act_guard_allows(void **state)
{
    (void)state;
    kenes_errors errs;
    kenes_ctx ctx = review_ctx("approve", NULL, "ministry-agreement");
    json_t *act = json_pack("{s:s, s:s}", "number", "45-р", "date", "2026-03-01");
    expect_guard_allows(act_recorded, plan_in("regional-approval", act), &ctx, &errs);
    assert_null(errs.fields);
    kapi_errors_dispose(&errs);
}

/* ---- regions ------------------------------------------------------------ */

static void test_regions_loaded(void **state)
{
    (void)state;
    assert_int_equal(region_count(), 20);
    const region *r = region_find("KZ-11");
    assert_non_null(r);
    assert_string_equal(r->ru, "Акмолинская область");
    assert_string_equal(r->kk, "Ақмола облысы");
    assert_string_equal(r->en, "Akmola Region");
    assert_string_equal(region_at(0)->code, "KZ-10");
    assert_string_equal(region_at(19)->code, "KZ-79");
    assert_null(region_at(20));
    assert_null(region_find("KZ-99"));
    assert_null(region_find(NULL));
    assert_true(kapi_region_valid("KZ-75"));
    assert_false(kapi_region_valid("KZ-7"));

    json_t *j = region_to_json();
    assert_int_equal(json_array_size(j), 20);
    json_t *first = json_array_get(j, 0);
    assert_string_equal(json_string_value(json_object_get(first, "code")), "KZ-10");
    assert_string_equal(json_string_value(json_object_get(first, "ru")), "область Абай");
    assert_string_equal(json_string_value(json_object_get(first, "kk")), "Абай облысы");
    assert_string_equal(json_string_value(json_object_get(first, "en")), "Abai Region");
    assert_int_equal(json_object_size(first), 4);
    json_decref(j);
}

/* Write text to a scratch file; path receives its name. */
static void scratch_file(char *path, size_t cap, const char *text)
{
    snprintf(path, cap, "/tmp/kenes-test-regions-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

static void expect_region_error(const char *text, int line, const char *message)
{
    char path[64], err[512], want[640];
    scratch_file(path, sizeof(path), text);
    int rc = region_load(path, err, sizeof(err));
    snprintf(want, sizeof(want), "%s:%d: %s", path, line, message);
    unlink(path);
    assert_int_equal(rc, KENES_EINVAL);
    assert_string_equal(err, want);
    /* A failed load leaves the table that was there. */
    assert_int_equal(region_count(), 20);
    assert_non_null(region_find("KZ-11"));
}

static void test_region_file_errors(void **state)
{
    (void)state;
    expect_region_error("regions:\n"
                        "  - {code: KZ-11, ru: А, kk: Ә, en: A}\n"
                        "  - {code: KZ-11, ru: Б, kk: Б, en: B}\n",
                        3, "duplicate region 'KZ-11'");
    expect_region_error("regions:\n"
                        "  - {code: KZ-11, ru: А, kk: Ә}\n",
                        2, "a region is missing 'en'");
    expect_region_error("regions:\n"
                        "  - {code: KZ-11, ru: А, kk: Ә, en: A, de: A}\n",
                        2, "unknown key 'de' in a region (expected code, ru, kk, en)");
    expect_region_error("regions:\n"
                        "  - {code: Akmola, ru: А, kk: Ә, en: A}\n",
                        2, "region code 'Akmola' is not of the form KZ-NN");
    expect_region_error("# no regions\nplaces: []\n", 2, "unknown key 'places' (expected regions)");
    expect_region_error("regions: []\n", 1, "'regions' must be a non-empty list");
}

static void test_region_reload(void **state)
{
    (void)state;
    char path[64], err[512];
    scratch_file(path, sizeof(path), "regions:\n  - {code: KZ-11, ru: А, kk: Ә, en: A}\n");
    int rc = region_load(path, err, sizeof(err));
    unlink(path);
    assert_int_equal(rc, 0);
    assert_int_equal(region_count(), 1);
    assert_null(region_find("KZ-10"));
    region_unload();
    assert_int_equal(region_count(), 0);
    assert_null(region_find("KZ-11"));
    assert_int_equal(region_load(REGIONS, err, sizeof(err)), 0);
    assert_int_equal(region_count(), 20);
}

/* ---- reports ------------------------------------------------------------ */

/* The section plan writes for kind (region: a region report's
 * region) over docs (consumed); free() it. */
static char *run_report(int kind, const char *region, json_t **docs, size_t n)
{
    return fixture_report(plan, kind, region, docs, NULL, n, NULL);
}

/* good_plan() for region and year in stage, with the keys a report's
 * documents carry besides the usual ones. */
static json_t *report_plan(const char *region, int year, const char *stage, const char *title)
{
    json_t *doc = good_plan();
    char id[64];
    snprintf(id, sizeof(id), "plan/%s/%d", region, year);
    json_object_set_new(doc, "id", json_string(id));
    json_object_set_new(doc, "region", json_string(region));
    json_object_set_new(doc, "stage", json_string(stage));
    if (title)
        json_object_set_new(doc, "title", json_string(title));
    json_object_set_new(fields_of(doc), "period", json_integer(year));
    json_object_set_new(doc, "due", json_null());
    json_object_set_new(doc, "overdue", json_string("false"));
    json_object_set_new(doc, "stage_since", json_string("2026-02-06T10:00:00Z"));
    return doc;
}

static void test_report_national(void **state)
{
    (void)state;
    /* KZ-11 and KZ-79 have two plans each: the row shows the later year,
     * whether it comes first or last. */
    json_t *docs[] = {report_plan("KZ-11", 2026, "in-force", NULL),
                      report_plan("KZ-11", 2027, "regional-approval", NULL),
                      report_plan("KZ-15", 2026, "draft", NULL),
                      report_plan("KZ-71", 2026, "returned", NULL),
                      report_plan("KZ-79", 2028, "in-force", NULL),
                      report_plan("KZ-79", 2026, "draft", NULL)};
    char *md = run_report(KENES_REPORT_NATIONAL, NULL, docs, 6);
    assert_int_equal(strncmp(md, "## Региональные планы\n", 32), 0);
    expect_line(md, "| Регион | Год плана | Этап |");
    expect_line(md, "| Акмолинская область | 2027 | На утверждении в акимате |");
    expect_line(md, "| Актюбинская область | 2026 | Черновик |");
    expect_line(md, "| город Астана | 2026 | Возвращён на доработку |");
    expect_line(md, "| город Шымкент | 2028 | Действует |");
    expect_line(md, "| область Абай | — | нет плана |");
    expect_line(md, "| область Ұлытау | — | нет плана |");
    /* Region names are escaped like any text: the hyphen too. */
    expect_line(md, "| Западно\\-Казахстанская область | — | нет плана |");
    /* Every one of the 20 regions, each once: header + 20 rows. */
    assert_int_equal(count_lines(md, "| "), 21);
    assert_int_equal(count_lines(md, "| Акмолинская область |"), 1);
    assert_null(strstr(md, "2026 | Действует |")); /* KZ-11's older plan is not its row */
    free(md);

    /* No plans at all: still 20 rows, each without a plan. */
    md = run_report(KENES_REPORT_NATIONAL, NULL, NULL, 0);
    assert_int_equal(count_lines(md, "| "), 21);
    assert_int_equal(count_lines(md, "|---|"), 1);
    int none = 0;
    for (const char *p = md; (p = strstr(p, "| — | нет плана |")) != NULL; p++)
        none++;
    assert_int_equal(none, 20);
    /* The plugin's own list of the 20 codes is the core's: every region of
     * content/regions.yaml has its row, by name (no code left unnamed). */
    assert_int_equal(region_count(), 20);
    char *plain = md_plain(md);
    for (size_t i = 0; i < region_count(); i++) {
        char row[256];
        snprintf(row, sizeof(row), "| %s | — | нет плана |", region_at(i)->ru);
        expect_line(plain, row);
    }
    assert_null(strstr(plain, "KZ-"));
    free(plain);
    free(md);
}

static void test_report_region(void **state)
{
    (void)state;
    json_t *approved = report_plan("KZ-11", 2026, "in-force", NULL);
    json_t *m1 = measure_of(approved, 1); /* education */
    json_object_set_new(m1, "deadline", json_string("2026-09-30"));
    json_object_set_new(m1, "baseline", json_string("нет данных"));
    json_object_set_new(m1, "target", json_real(12.5));
    json_object_set_new(json_object_get(m1, "funding"), "amount_kzt", json_integer(0));
    json_object_set_new(m1, "co_executors", json_array());
    json_t *draft = report_plan("KZ-11", 2027, "draft", "Черновик плана на 2027 год");
    json_t *docs[] = {approved, draft};
    char *md = run_report(KENES_REPORT_REGION, "KZ-11", docs, 2);

    assert_int_equal(strncmp(md, "## Региональный план\n\n", 38), 0);
    expect_line(md, "### План Акмолинской области на 2026 год");
    expect_line(md, "Период: 2026 год. Утверждён постановлением акимата № 12 от 05.02.2026.");
    /* The four directions in the concept's order, each its own table. */
    const char *safety = strstr(md, "\n#### Безопасность\n");
    const char *education = strstr(md, "\n#### Образование\n");
    const char *health = strstr(md, "\n#### Здоровье\n");
    const char *family = strstr(md, "\n#### Семья и социальная защита\n");
    const char *local = strstr(md, "\n#### Местная специфика\n");
    assert_true(safety && education && health && family && local);
    assert_true(safety < education && education < health && health < family && family < local);
    expect_line(md, "| Мера | Ответственный исполнитель | Соисполнители | Срок | Показатель "
                    "| Базовое → целевое значение | Финансирование |");
    assert_int_equal(count_lines(md, "| Мера |"), 4);
    /* Both safety measures under safety, before education. */
    const char *s0 = strstr(md, "| Службы примирения в каждой школе |");
    const char *s4 = strstr(md, "| Профилактика онлайн\\-рисков |");
    assert_true(s0 && s4 && safety < s0 && s0 < s4 && s4 < education);
    expect_line(md, "| Службы примирения в каждой школе | Управление образования области "
                    "| Департамент полиции; Управление здравоохранения | III квартал 2026 "
                    "| Доля школ со службой примирения\\, \\% | 40 → 90 "
                    "| местный бюджет: 12\xc2\xa0" "500\xc2\xa0" "000 ₸ |");
    expect_line(md, "| Курсы для педагогов по профилактике буллинга "
                    "| Управление образования области | — | 30.09.2026 "
                    "| Доля школ со службой примирения\\, \\% | нет данных → 12,5 "
                    "| местный бюджет: без затрат |");
    assert_true(education < strstr(md, "| Курсы для педагогов"));
    assert_true(strstr(md, "| Курсы для педагогов") < health);
    expect_line(md, "Сельские районы\\: далеко до центров помощи");
    /* Only the approved plan: not the draft. */
    assert_null(strstr(md, "Черновик"));
    assert_null(strstr(md, "2027"));
    assert_null(strstr(md, "Прочие меры"));
    free(md);
}

static void test_report_region_escapes_document_text(void **state)
{
    (void)state;
    json_t *doc = report_plan("KZ-15", 2026, "in-force", "# heading <b>plan</b>");
    json_t *m = measure_of(doc, 0);
    json_object_set_new(m, "title", json_string("<script>alert(1)</script>"));
    json_object_set_new(m, "lead_agency", json_string("[x](javascript:alert(1))"));
    json_object_set_new(m, "indicator", json_string("a | b\n# heading"));
    json_object_set_new(m, "baseline", json_string("**bold**"));
    json_object_set_new(json_object_get(m, "funding"), "source", json_string("![i](http://e/x)"));
    json_object_set_new(fields_of(doc), "local_specifics",
                        json_string("# heading\n\n<script>x</script>\n- [x](javascript:alert(1))"));
    json_object_set_new(json_object_get(fields_of(doc), "act"), "number",
                        json_string("1</p><script>"));
    json_t *docs[] = {doc};
    char *md = run_report(KENES_REPORT_REGION, "KZ-15", docs, 1);

    expect_line(md, "### \\# heading \\<b\\>plan\\<\\/b\\>");
    expect_line(md, "| \\<script\\>alert\\(1\\)\\<\\/script\\> | \\[x\\]\\(javascript\\:alert\\(1\\)\\) "
                    "| Департамент полиции; Управление здравоохранения | III квартал 2026 "
                    "| a \\| b \\# heading | \\*\\*bold\\*\\* → 90 "
                    "| \\!\\[i\\]\\(http\\:\\/\\/e\\/x\\): 12\xc2\xa0" "500\xc2\xa0" "000 ₸ |");
    expect_line(md, "\\# heading  \\<script\\>x\\<\\/script\\> \\- \\[x\\]\\(javascript\\:alert\\(1\\)\\)");
    expect_line(md, "Период: 2026 год. Утверждён постановлением акимата № 1\\<\\/p\\>\\<script\\> от 05.02.2026.");
    /* Nothing of it reads as markup. */
    assert_null(strstr(md, "<script>"));
    assert_null(strstr(md, "](javascript:"));
    assert_null(strstr(md, "\n# heading"));
    assert_null(strstr(md, "\n- "));
    assert_null(strstr(md, " **bold"));
    free(md);
}

static void test_report_region_without_approved_plan(void **state)
{
    (void)state;
    static const char sentence[] = "## Региональный план\n\nДействующего регионального плана нет.\n\n";
    /* A region with no documents at all. */
    char *md = run_report(KENES_REPORT_REGION, "KZ-62", NULL, 0);
    assert_string_equal(md, sentence);
    free(md);
    /* A region whose plans are not approved yet. */
    json_t *docs[] = {report_plan("KZ-62", 2026, "regional-approval", NULL),
                      report_plan("KZ-62", 2027, "returned", NULL)};
    md = run_report(KENES_REPORT_REGION, "KZ-62", docs, 2);
    assert_string_equal(md, sentence);
    free(md);
}

/* Plans have no part in the cases report. */
static void test_report_cases_writes_nothing(void **state)
{
    (void)state;
    json_t *docs[] = {report_plan("KZ-11", 2026, "in-force", NULL)};
    char *md = run_report(KENES_REPORT_CASES, NULL, docs, 1);
    assert_string_equal(md, "");
    free(md);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_descriptor),
        cmocka_unit_test(test_good_plan_passes),
        cmocka_unit_test(test_plan_without_act_or_body_passes),
        cmocka_unit_test(test_four_measures_pass),
        cmocka_unit_test(test_region_unknown),
        cmocka_unit_test(test_region_lowercase),
        cmocka_unit_test(test_region_missing),
        cmocka_unit_test(test_every_region_passes),
        cmocka_unit_test(test_period_out_of_range),
        cmocka_unit_test(test_period_not_an_integer),
        cmocka_unit_test(test_period_missing),
        cmocka_unit_test(test_period_bounds_pass),
        cmocka_unit_test(test_title_empty),
        cmocka_unit_test(test_title_missing),
        cmocka_unit_test(test_title_blank),
        cmocka_unit_test(test_title_length_in_characters),
        cmocka_unit_test(test_title_invalid_utf8),
        cmocka_unit_test(test_body_size),
        cmocka_unit_test(test_body_invalid_utf8),
        cmocka_unit_test(test_unknown_field),
        cmocka_unit_test(test_two_unknown_fields),
        cmocka_unit_test(test_long_unknown_field),
        cmocka_unit_test(test_fields_not_an_object),
        cmocka_unit_test(test_all_errors_at_once),
        cmocka_unit_test(test_make_id),
        cmocka_unit_test(test_measures_missing),
        cmocka_unit_test(test_measures_not_a_list),
        cmocka_unit_test(test_measures_empty),
        cmocka_unit_test(test_each_direction_required),
        cmocka_unit_test(test_measure_not_an_object),
        cmocka_unit_test(test_measure_fields_required),
        cmocka_unit_test(test_direction_unknown),
        cmocka_unit_test(test_every_direction_passes),
        cmocka_unit_test(test_measure_text_not_blank),
        cmocka_unit_test(test_co_executors),
        cmocka_unit_test(test_list_messages),
        cmocka_unit_test(test_deadline_date_or_quarter_passes),
        cmocka_unit_test(test_deadline_bad),
        cmocka_unit_test(test_funding),
        cmocka_unit_test(test_baseline_and_target),
        cmocka_unit_test(test_unknown_measure_key),
        cmocka_unit_test(test_measure_errors_all_at_once),
        cmocka_unit_test(test_broken_measure_still_covers_its_direction),
        cmocka_unit_test(test_long_unknown_measure_key),
        cmocka_unit_test(test_problems_are_capped),
        cmocka_unit_test(test_local_specifics),
        cmocka_unit_test(test_act_optional_before_approval),
        cmocka_unit_test(test_act_required_once_approved),
        cmocka_unit_test(test_act_checked_when_present),
        cmocka_unit_test(test_messages_do_not_repeat_values),
        cmocka_unit_test(test_act_guard_refuses),
        cmocka_unit_test(test_act_guard_allows),
        cmocka_unit_test(test_regions_loaded),
        cmocka_unit_test(test_region_file_errors),
        cmocka_unit_test(test_region_reload),
        cmocka_unit_test(test_report_national),
        cmocka_unit_test(test_report_region),
        cmocka_unit_test(test_report_region_escapes_document_text),
        cmocka_unit_test(test_report_region_without_approved_plan),
        cmocka_unit_test(test_report_cases_writes_nothing),
    };
    return cmocka_run_group_tests(tests, setup_group, plugin_fixture_teardown_group);
}
