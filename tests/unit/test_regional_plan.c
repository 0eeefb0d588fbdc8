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

#include "kapi.h"
#include "plugin.h"
#include "region.h"

#define REGIONAL_PLAN KENES_PLUGIN_BUILD_DIR "/regional-plan.so"
#define REGIONS KENES_SOURCE_DIR "/content/regions.yaml"

static plugin_set *plugins;
static const kenes_doctype *plan;
static const kenes_guard *comment_required;
static const kenes_api *api;

static int setup_group(void **state)
{
    (void)state;
    char err[512];
    if (region_load(REGIONS, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    api = kapi_get();
    if (plugin_set_new(&plugins, api) != 0 ||
        plugin_load(plugins, REGIONAL_PLAN, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    plan = plugin_find_type(plugins, "regional-plan");
    comment_required = plugin_find_guard(plugins, "comment_required");
    return plan && comment_required ? 0 : -1;
}

static int teardown_group(void **state)
{
    (void)state;
    plugin_set_free(plugins);
    region_unload();
    return 0;
}

/* A plan that passes every rule; each test breaks one thing. */
static json_t *good_plan(void)
{
    json_t *doc = json_pack(
        "{s:s, s:s, s:s, s:s, s:{s:i, s:[], s:s, s:{s:s, s:s}}, s:s}", "type", "regional-plan",
        "region", "KZ-11", "title", "План Акмолинской области на 2026 год", "stage", "draft",
        "fields", "period", 2026, "measures", "local_specifics",
        "Сельские районы: далеко до центров помощи", "act", "number", "12", "date",
        "2026-02-05", "body", "# План\n\nБезопасность, образование, здоровье, семья.\n");
    assert_non_null(doc);
    return doc;
}

static json_t *fields_of(json_t *doc)
{
    return json_object_get(doc, "fields");
}

/* Validate doc (consumed) and return the result; errs filled. */
static int validate(json_t *doc, kenes_errors *errs)
{
    kenes_doc d = {doc};
    kapi_errors_init(errs);
    int rc = plan->validate(api, &d, errs);
    json_decref(doc);
    return rc;
}

static int has_error(const kenes_errors *errs, const char *path)
{
    size_t i;
    json_t *e;
    json_array_foreach(errs->fields, i, e)
        if (strcmp(json_string_value(json_object_get(e, "path")), path) == 0)
            return 1;
    return 0;
}

/* doc fails validation with exactly one error, at path. */
static void expect_only_error(json_t *doc, const char *path)
{
    kenes_errors errs;
    int rc = validate(doc, &errs);
    if (json_array_size(errs.fields) != 1 || !has_error(&errs, path)) {
        char *s = json_dumps(errs.fields, 0);
        print_message("expected one error at %s, got: %s\n", path, s ? s : "none");
        free(s);
    }
    assert_int_equal(rc, KENES_EVALIDATION);
    assert_int_equal(errs.count, 1);
    assert_int_equal(json_array_size(errs.fields), 1);
    assert_true(has_error(&errs, path));
    /* The message is for people: some text, and valid JSON text at that. */
    const char *msg = json_string_value(json_object_get(json_array_get(errs.fields, 0), "message"));
    assert_non_null(msg);
    assert_true(strlen(msg) > 0);
    kapi_errors_dispose(&errs);
}

static void expect_valid(json_t *doc)
{
    kenes_errors errs;
    int rc = validate(doc, &errs);
    if (errs.fields) {
        char *s = json_dumps(errs.fields, 0);
        print_message("errors: %s\n", s);
        free(s);
    }
    assert_int_equal(rc, 0);
    assert_int_equal(errs.count, 0);
    assert_null(errs.fields);
    kapi_errors_dispose(&errs);
}

/* ---- the plugin as loaded ---------------------------------------------- */

static void test_descriptor(void **state)
{
    (void)state;
    assert_string_equal(plan->name, "regional-plan");
    assert_string_equal(plan->noun, "regional plan");
    assert_string_equal(plugin_at(plugins, 0)->name, "regional-plan");
    assert_null(plugin_find_type(plugins, "commission-roster"));
}

static void test_good_plan_passes(void **state)
{
    (void)state;
    expect_valid(good_plan());
}

/* measures, local_specifics and act are optional for now; no body is an empty body. */
static void test_minimal_plan_passes(void **state)
{
    (void)state;
    json_t *doc = good_plan();
    json_object_set_new(doc, "fields", json_pack("{s:i}", "period", 2030));
    json_object_del(doc, "body");
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

/* n copies of a UTF-8 character. */
static json_t *repeat(const char *ch, size_t n)
{
    size_t k = strlen(ch);
    char *s = malloc(n * k + 1);
    assert_non_null(s);
    for (size_t i = 0; i < n; i++)
        memcpy(s + i * k, ch, k);
    s[n * k] = '\0';
    json_t *j = json_string(s);
    free(s);
    assert_non_null(j);
    return j;
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
    kenes_errors errs;
    assert_int_equal(validate(doc, &errs), KENES_EVALIDATION);
    assert_int_equal(json_array_size(errs.fields), 2);
    assert_true(has_error(&errs, "fields.a"));
    assert_true(has_error(&errs, "fields.b"));
    kapi_errors_dispose(&errs);
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
 * object, so such a plan cannot pass: it has no period. */
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
    expect_only_error(doc, "fields.period");
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
    kenes_errors errs;
    assert_int_equal(validate(doc, &errs), KENES_EVALIDATION);
    assert_int_equal(json_array_size(errs.fields), 5);
    assert_true(has_error(&errs, "region"));
    assert_true(has_error(&errs, "title"));
    assert_true(has_error(&errs, "body"));
    assert_true(has_error(&errs, "fields.period"));
    assert_true(has_error(&errs, "fields.extra"));
    kapi_errors_dispose(&errs);
}

/* ---- make_id ------------------------------------------------------------ */

static void test_make_id(void **state)
{
    (void)state;
    json_t *doc = good_plan();
    kenes_doc d = {doc};
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

/* ---- the comment_required guard ----------------------------------------- */

static int run_guard(const char *comment, kenes_errors *errs)
{
    json_t *doc = good_plan();
    kenes_doc d = {doc};
    kenes_ctx ctx = {.action = "return", .comment = comment, .user = "reviewer",
                     .role = "ministry-reviewer", .from = "ministry-review", .to = "returned"};
    kapi_errors_init(errs);
    int rc = comment_required->check(api, &d, &ctx, errs);
    json_decref(doc);
    return rc;
}

static void expect_guard_refuses(const char *comment)
{
    kenes_errors errs;
    assert_int_equal(run_guard(comment, &errs), KENES_EGUARD);
    assert_string_equal(errs.message, "a comment is required to return a document");
    assert_int_equal(errs.count, 1);
    assert_null(errs.fields); /* a guard's message names no field */
    kapi_errors_dispose(&errs);
}

static void test_guard_refuses_without_comment(void **state)
{
    (void)state;
    expect_guard_refuses(NULL);
    expect_guard_refuses("");
}

static void test_guard_refuses_whitespace(void **state)
{
    (void)state;
    expect_guard_refuses(" ");
    expect_guard_refuses(" \t\r\n ");
    expect_guard_refuses("\xc2\xa0");         /* U+00A0 no-break space */
    expect_guard_refuses("\xe3\x80\x80 \n");  /* U+3000 ideographic space */
    expect_guard_refuses("\xe2\x80\x8b");     /* U+200B zero-width space */
}

static void test_guard_allows_comment(void **state)
{
    (void)state;
    const char *comments[] = {"Добавьте меры по профилактике буллинга", "  ok  ", "x",
                              "\xc2\xa0."};
    for (size_t i = 0; i < sizeof(comments) / sizeof(comments[0]); i++) {
        kenes_errors errs;
        assert_int_equal(run_guard(comments[i], &errs), 0);
        assert_int_equal(errs.count, 0);
        assert_string_equal(errs.message, "");
        kapi_errors_dispose(&errs);
    }
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
    assert_string_equal(json_string_value(json_object_get(first, "ru")), "Абайская область");
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
    expect_region_error("# no regions\nplaces: []\n", 2,
                        "unknown key 'places' (expected regions)");
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_descriptor),
        cmocka_unit_test(test_good_plan_passes),
        cmocka_unit_test(test_minimal_plan_passes),
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
        cmocka_unit_test(test_guard_refuses_without_comment),
        cmocka_unit_test(test_guard_refuses_whitespace),
        cmocka_unit_test(test_guard_allows_comment),
        cmocka_unit_test(test_regions_loaded),
        cmocka_unit_test(test_region_file_errors),
        cmocka_unit_test(test_region_reload),
    };
    return cmocka_run_group_tests(tests, setup_group, teardown_group);
}
