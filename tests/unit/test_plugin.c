/*
 * The plugin loader against the fixture plugins in tests/plugins/ (built to
 * KENES_TEST_PLUGIN_DIR) and the real build/plugins/regional-plan.so.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plugin/kapi.h"
#include "plugin/loader.h"
#include "plugin/region.h"

#define FIXTURE(name) KENES_TEST_PLUGIN_DIR "/" name ".so"
#define REGIONAL_PLAN KENES_PLUGIN_BUILD_DIR "/regional-plan.so"

/* The core's table with log() replaced, so that a fixture's fini (which
 * logs "fini") can be counted. */
static kenes_api test_api;
static int fini_fixture, fini_dupname;

static void capture_log(int level, const char *plugin, const char *fmt, ...)
{
    (void)level;
    if (strcmp(fmt, "fini") != 0)
        return;
    if (strcmp(plugin, "fixture") == 0)
        fini_fixture++;
    else if (strcmp(plugin, "fixture-dupname") == 0)
        fini_dupname++;
}

static int setup(void **state)
{
    test_api = *kapi_get();
    test_api.log = capture_log;
    fini_fixture = fini_dupname = 0;
    plugin_set *set;
    if (plugin_set_new(&set, &test_api) != 0)
        return -1;
    *state = set;
    return 0;
}

static int teardown(void **state)
{
    plugin_set_free(*state);
    return 0;
}

/* Every refusal leaves the set as it was: nothing of the plugin visible. */
static void assert_nothing_of(const plugin_set *set, const char *type, const char *guard)
{
    if (type)
        assert_null(plugin_find_type(set, type));
    if (guard)
        assert_null(plugin_find_guard(set, guard));
}

static void test_good_fixture(void **state)
{
    plugin_set *set = *state;
    char err[512] = "";
    assert_int_equal(plugin_load(set, FIXTURE("fixture_good"), err, sizeof(err)), 0);
    assert_string_equal(err, "");
    assert_int_equal(plugin_count(set), 1);
    const kenes_plugin *p = plugin_at(set, 0);
    assert_string_equal(p->name, "fixture");
    assert_null(plugin_at(set, 1));

    const kenes_doctype *t = plugin_find_type(set, "fixture-type");
    assert_non_null(t);
    assert_string_equal(t->noun, "fixture");
    const kenes_guard *g = plugin_find_guard(set, "fixture_guard");
    assert_non_null(g);

    /* The guard runs and reports through the api table. */
    kenes_errors errs;
    kapi_errors_init(&errs);
    assert_int_equal(g->check(&test_api, NULL, NULL, &errs), KENES_EGUARD);
    assert_string_equal(errs.message, "fixture says no");
    kapi_errors_dispose(&errs);

    assert_null(plugin_find_type(set, "regional-plan"));
    assert_null(plugin_find_guard(set, "comment_required"));

    /* fini runs exactly once, when the set is freed. */
    assert_int_equal(fini_fixture, 0);
    plugin_set_free(set);
    *state = NULL;
    assert_int_equal(fini_fixture, 1);
}

/* fixture_abi<abi>.so is refused with the exact message, and nothing of it
 * (its type fixture-abi<abi>-type) is registered. */
static void assert_abi_refused(plugin_set *set, unsigned abi)
{
    char path[512], want[600], type[32], err[512];
    snprintf(path, sizeof(path), "%s/fixture_abi%u.so", KENES_TEST_PLUGIN_DIR, abi);
    snprintf(want, sizeof(want), "%s: built for plugin ABI %u, this kenes speaks ABI 5", path,
             abi);
    snprintf(type, sizeof(type), "fixture-abi%u-type", abi);
    assert_int_equal(plugin_load(set, path, err, sizeof(err)), KENES_EABI);
    assert_string_equal(err, want);
    assert_int_equal(plugin_count(set), 0);
    assert_nothing_of(set, type, NULL);
}

static void test_abi_mismatch(void **state)
{
    assert_abi_refused(*state, 1);
}

/* ABI 2 is the one before kenes_doctype.schema: refused like any other. */
static void test_abi2_refused(void **state)
{
    assert_abi_refused(*state, 2);
}

/* ABI 4 is the one whose version_before took two bare commits (ABI 5 names
 * each commit's document): refused, its type never registered. */
static void test_abi4_refused(void **state)
{
    assert_abi_refused(*state, 4);
}

/* A bad schema refuses the plugin with its plugin, type and line. */
static void test_bad_schema(void **state)
{
    plugin_set *set = *state;
    char err[512];
    int rc = plugin_load(set, FIXTURE("fixture_badschema"), err, sizeof(err));
    assert_int_equal(rc, KENES_EPLUGIN);
    assert_string_equal(err, FIXTURE("fixture_badschema") ": plugin fixture-badschema: type "
                                                          "fixture-schema-bad: schema line 4: "
                                                          "label needs its text in kk");
    assert_int_equal(plugin_count(set), 0);
    assert_nothing_of(set, "fixture-schema-ok", NULL);
    assert_nothing_of(set, "fixture-schema-bad", NULL);
}

/* A ref to a type no plugin provides: refused once the folder is loaded. */
static void test_bad_ref(void **state)
{
    plugin_set *set = *state;
    char err[512], dir[] = "/tmp/kenes-badref-XXXXXX", link[600];
    assert_non_null(mkdtemp(dir));
    snprintf(link, sizeof(link), "%s/fixture_badref.so", dir);
    assert_int_equal(symlink(FIXTURE("fixture_badref"), link), 0);
    int rc = plugin_load_dir(set, dir, err, sizeof(err));
    assert_int_equal(rc, KENES_EPLUGIN);
    char want[900];
    snprintf(want, sizeof(want), "%s: plugin fixture-badref: type fixture-ref: field "
                                 "fields.items[].case: to: 'case-reveiw' is no document type of "
                                 "the loaded plugins", link);
    assert_string_equal(err, want);
    unlink(link);
    rmdir(dir);
}

static void test_bad_struct_size(void **state)
{
    plugin_set *set = *state;
    char err[512], want[512];
    int rc = plugin_load(set, FIXTURE("fixture_badsize"), err, sizeof(err));
    assert_int_equal(rc, KENES_EABI);
    snprintf(want, sizeof(want),
             "%s: descriptor struct_size 8 is not that of an ABI 5 kenes_plugin "
             "(at least %zu bytes)",
             FIXTURE("fixture_badsize"), sizeof(kenes_plugin));
    assert_string_equal(err, want);
    assert_int_equal(plugin_count(set), 0);
}

static void test_missing_init_symbol(void **state)
{
    plugin_set *set = *state;
    char err[512];
    int rc = plugin_load(set, FIXTURE("fixture_nosym"), err, sizeof(err));
    assert_int_equal(rc, KENES_EPLUGIN);
    assert_string_equal(err, FIXTURE("fixture_nosym") ": not a kenes plugin: it does not "
                                                      "export kenes_plugin_init()");
    assert_int_equal(plugin_count(set), 0);
}

static void test_init_fails(void **state)
{
    plugin_set *set = *state;
    char err[512];
    int rc = plugin_load(set, FIXTURE("fixture_initfail"), err, sizeof(err));
    assert_int_equal(rc, KENES_EPLUGIN);
    assert_string_equal(err,
                        FIXTURE("fixture_initfail") ": kenes_plugin_init() failed with -1 "
                                                    "(KENES_EINVAL)");
    assert_int_equal(plugin_count(set), 0);
}

static void test_init_no_descriptor(void **state)
{
    plugin_set *set = *state;
    char err[512];
    int rc = plugin_load(set, FIXTURE("fixture_noout"), err, sizeof(err));
    assert_int_equal(rc, KENES_EPLUGIN);
    assert_string_equal(err, FIXTURE("fixture_noout") ": kenes_plugin_init() returned 0 but "
                                                      "no descriptor");
    assert_int_equal(plugin_count(set), 0);
}

static void test_duplicate_name(void **state)
{
    plugin_set *set = *state;
    char err[512];
    assert_int_equal(plugin_load(set, FIXTURE("fixture_good"), err, sizeof(err)), 0);
    int rc = plugin_load(set, FIXTURE("fixture_dupname"), err, sizeof(err));
    assert_int_equal(rc, KENES_EEXISTS);
    assert_string_equal(err, FIXTURE("fixture_dupname") ": a plugin named 'fixture' is already "
                                                        "loaded from " FIXTURE("fixture_good"));
    assert_int_equal(plugin_count(set), 1);
    assert_nothing_of(set, "fixture-dupname-type", "fixture_dupname_guard");
    /* The refused plugin was told to clean up; the loaded one was not. */
    assert_int_equal(fini_dupname, 1);
    assert_int_equal(fini_fixture, 0);
    assert_non_null(plugin_find_type(set, "fixture-type"));
}

static void test_duplicate_guard(void **state)
{
    plugin_set *set = *state;
    char err[512];
    assert_int_equal(plugin_load(set, FIXTURE("fixture_good"), err, sizeof(err)), 0);
    const kenes_guard *before = plugin_find_guard(set, "fixture_guard");
    int rc = plugin_load(set, FIXTURE("fixture_dupguard"), err, sizeof(err));
    assert_int_equal(rc, KENES_EEXISTS);
    assert_string_equal(err, FIXTURE("fixture_dupguard") ": guard 'fixture_guard' is already "
                                                         "provided by plugin 'fixture' from "
                                                         FIXTURE("fixture_good"));
    assert_int_equal(plugin_count(set), 1);
    assert_nothing_of(set, "fixture-dupguard-type", NULL);
    assert_ptr_equal(plugin_find_guard(set, "fixture_guard"), before);
}

/* The same object under two paths would share state: refused before its
 * init runs again, and the loaded one's fini is not called. */
static void test_same_file_twice(void **state)
{
    plugin_set *set = *state;
    char err[512];
    assert_int_equal(plugin_load(set, FIXTURE("fixture_good"), err, sizeof(err)), 0);
    int rc = plugin_load(set, KENES_TEST_PLUGIN_DIR "/./fixture_good.so", err, sizeof(err));
    assert_int_equal(rc, KENES_EEXISTS);
    assert_string_equal(err, KENES_TEST_PLUGIN_DIR "/./fixture_good.so: the same shared object "
                                                   "is already loaded from "
                                                   FIXTURE("fixture_good"));
    assert_int_equal(plugin_count(set), 1);
    assert_int_equal(fini_fixture, 0);
    assert_non_null(plugin_find_type(set, "fixture-type"));
}

static void test_missing_file(void **state)
{
    plugin_set *set = *state;
    char err[512];
    int rc = plugin_load(set, FIXTURE("no_such_plugin"), err, sizeof(err));
    assert_int_equal(rc, KENES_EPLUGIN);
    assert_int_equal(strncmp(err, FIXTURE("no_such_plugin") ": cannot load: ",
                             strlen(FIXTURE("no_such_plugin") ": cannot load: ")),
                     0);
    assert_non_null(strstr(err, "No such file"));
    assert_int_equal(plugin_count(set), 0);
}

static void test_not_a_shared_object(void **state)
{
    plugin_set *set = *state;
    char err[512];
    const char *path = KENES_SOURCE_DIR "/workflows/regional-plan.yaml";
    int rc = plugin_load(set, path, err, sizeof(err));
    assert_int_equal(rc, KENES_EPLUGIN);
    assert_int_equal(strncmp(err, path, strlen(path)), 0);
    assert_non_null(strstr(err, ": cannot load: "));
    assert_int_equal(plugin_count(set), 0);
}

/* A bare file name is a file in the current directory, not a library
 * looked up on the system's search path. */
static void test_bare_file_name(void **state)
{
    plugin_set *set = *state;
    char err[512], cwd[PATH_MAX];
    assert_non_null(getcwd(cwd, sizeof(cwd)));
    assert_int_equal(chdir(KENES_TEST_PLUGIN_DIR), 0);
    int rc = plugin_load(set, "fixture_good.so", err, sizeof(err));
    assert_int_equal(chdir(cwd), 0);
    assert_int_equal(rc, 0);
    assert_non_null(plugin_find_type(set, "fixture-type"));
}

static void test_regional_plan_so(void **state)
{
    plugin_set *set = *state;
    char err[512] = "";
    assert_int_equal(plugin_load(set, REGIONAL_PLAN, err, sizeof(err)), 0);
    assert_string_equal(err, "");
    const kenes_plugin *p = plugin_at(set, 0);
    assert_string_equal(p->name, "regional-plan");
    assert_int_equal(p->abi_version, KENES_ABI_VERSION);
    assert_non_null(p->version);
    const kenes_doctype *t = plugin_find_type(set, "regional-plan");
    assert_non_null(t);
    assert_string_equal(t->noun, "regional plan");
    assert_non_null(plugin_find_guard(set, "act_recorded"));
    /* Its schema, parsed at load, is kept in the set. */
    const json_t *schema = plugin_schema(set, "regional-plan");
    assert_non_null(schema);
    assert_string_equal(json_string_value(json_object_get(schema, "type")), "regional-plan");
    assert_null(plugin_schema(set, "no-such-type"));
    /* comment_required is plugins/common's now. */
    assert_null(plugin_find_guard(set, "comment_required"));

    /* Both loaded side by side: names, types and guards are all distinct. */
    assert_int_equal(plugin_load(set, FIXTURE("fixture_good"), err, sizeof(err)), 0);
    assert_int_equal(plugin_count(set), 2);
    assert_ptr_equal(plugin_find_type(set, "regional-plan"), t);
}

static void test_load_dir_build_plugins(void **state)
{
    plugin_set *set = *state;
    char err[512] = "";
    assert_int_equal(plugin_load_dir(set, KENES_PLUGIN_BUILD_DIR, err, sizeof(err)), 0);
    assert_string_equal(err, "");
    assert_true(plugin_count(set) >= 1);
    assert_non_null(plugin_find_type(set, "regional-plan"));
}

/* A scratch directory of symlinks, so the test decides the names. */
static char scratch[] = "/tmp/kenes-test-plugin-XXXXXX";

static void link_fixture(const char *fixture, const char *as)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/%s", scratch, as);
    assert_int_equal(symlink(fixture, path), 0);
}

static void clear_scratch(const char *const *names)
{
    char path[PATH_MAX];
    for (size_t i = 0; names[i]; i++) {
        snprintf(path, sizeof(path), "%s/%s", scratch, names[i]);
        unlink(path);
    }
    rmdir(scratch);
}

static void test_load_dir_stops_at_first_failure(void **state)
{
    plugin_set *set = *state;
    static const char *const names[] = {"10-good.so", "20-abi1.so", "30-plan.so", "README",
                                        NULL};
    char err[512], want[512];
    assert_non_null(mkdtemp(scratch));
    link_fixture(FIXTURE("fixture_good"), names[0]);
    link_fixture(FIXTURE("fixture_abi1"), names[1]);
    link_fixture(REGIONAL_PLAN, names[2]);
    link_fixture(FIXTURE("fixture_nosym"), names[3]); /* not *.so: never opened */
    int rc = plugin_load_dir(set, scratch, err, sizeof(err));
    snprintf(want, sizeof(want), "%s/20-abi1.so: built for plugin ABI 1, this kenes speaks ABI 5",
             scratch);
    clear_scratch(names);
    assert_int_equal(rc, KENES_EABI);
    assert_string_equal(err, want);
    /* In name order: the one before the failure stays, the one after never loads. */
    assert_int_equal(plugin_count(set), 1);
    assert_non_null(plugin_find_type(set, "fixture-type"));
    assert_null(plugin_find_type(set, "regional-plan"));
}

/* Name order, not directory order: with a dozen entries the file system's
 * order is all but certain to differ from it somewhere in the first three. */
static void test_load_dir_sorted(void **state)
{
    plugin_set *set = *state;
    static const char *const names[] = {"k-abi1.so", "d-abi1.so", "b-plan.so", "h-abi1.so",
                                        "a-good.so", "f-abi1.so", "c-abi1.so", "j-abi1.so",
                                        "e-abi1.so", "l-abi1.so", "g-abi1.so", "i-abi1.so",
                                        NULL};
    char err[512], want[512];
    strcpy(scratch, "/tmp/kenes-test-plugin-XXXXXX");
    assert_non_null(mkdtemp(scratch));
    for (size_t i = 0; names[i]; i++) {
        const char *target = FIXTURE("fixture_abi1");
        if (names[i][0] == 'a')
            target = FIXTURE("fixture_good");
        else if (names[i][0] == 'b')
            target = REGIONAL_PLAN;
        link_fixture(target, names[i]);
    }
    int rc = plugin_load_dir(set, scratch, err, sizeof(err));
    snprintf(want, sizeof(want), "%s/c-abi1.so: built for plugin ABI 1, this kenes speaks ABI 5",
             scratch);
    clear_scratch(names);
    strcpy(scratch, "/tmp/kenes-test-plugin-XXXXXX");
    assert_int_equal(rc, KENES_EABI);
    assert_string_equal(err, want);
    assert_int_equal(plugin_count(set), 2);
    assert_string_equal(plugin_at(set, 0)->name, "fixture");
    assert_string_equal(plugin_at(set, 1)->name, "regional-plan");
}

static void test_load_dir_missing(void **state)
{
    plugin_set *set = *state;
    char err[512];
    int rc = plugin_load_dir(set, KENES_TEST_PLUGIN_DIR "/no-such-dir", err, sizeof(err));
    assert_int_equal(rc, KENES_EIO);
    assert_non_null(strstr(err, KENES_TEST_PLUGIN_DIR "/no-such-dir: cannot read the plugin "
                                                      "directory"));
}

static void test_new_and_free(void **state)
{
    (void)state;
    plugin_set *set = (plugin_set *)0x1;
    assert_int_equal(plugin_set_new(&set, NULL), KENES_EINVAL);
    assert_null(set);
    plugin_set_free(NULL);
    assert_int_equal(plugin_count(NULL), 0);
    assert_null(plugin_find_type(NULL, "regional-plan"));
    assert_null(plugin_find_guard(NULL, "comment_required"));
}

/* ---- what the api table offers beyond the loader ------------------------ */

/* KENES_API_HAS reads struct_size: a shorter (older) table lacks the tail. */
static void test_api_has(void **state)
{
    (void)state;
    const kenes_api *api = kapi_get();
    assert_true(KENES_API_HAS(api, log));
    assert_true(KENES_API_HAS(api, label));
    kenes_api old = *api;
    old.struct_size = offsetof(kenes_api, time_parse);
    assert_true(KENES_API_HAS(&old, region_code));
    assert_false(KENES_API_HAS(&old, time_parse));
    assert_false(KENES_API_HAS(&old, label));
    const kenes_api *none = NULL;
    assert_false(KENES_API_HAS(none, log));
}

/* Problems carry a code: error_code's if it is a word, else (and for the
 * older error) "invalid"; a guard's pathless message keeps its code. */
static void test_api_error_code(void **state)
{
    (void)state;
    const kenes_api *api = kapi_get();
    assert_true(KENES_API_HAS(api, error_code));
    kenes_errors errs;
    kapi_errors_init(&errs);
    api->error_code(&errs, "fields.period", "period_out_of_range", "must be %d to %d", 2026, 2030);
    api->error_code(&errs, "title", "not_utf8", "must be valid UTF-8 text");
    api->error(&errs, "body", "old style");
    api->error_code(&errs, "region", "Not A Code", "x");
    api->error_code(&errs, "fields.x", NULL, "x");
    api->error_code(&errs, "fields.y", "9lives", "x");
    api->error_code(&errs, NULL, "comment_required", "a comment is required");
    api->error_code(&errs, NULL, "second", "only the first pathless message is kept");
    static const char *const want[][3] = {
        {"fields.period", "period_out_of_range", "must be 2026 to 2030"},
        {"title", "not_utf8", "must be valid UTF-8 text"},
        {"body", "invalid", "old style"},
        {"region", "invalid", "x"},
        {"fields.x", "invalid", "x"},
        {"fields.y", "invalid", "x"},
    };
    assert_int_equal(json_array_size(errs.fields), 6);
    for (size_t i = 0; i < 6; i++) {
        const json_t *e = json_array_get(errs.fields, i);
        assert_int_equal(json_object_size(e), 3);
        assert_string_equal(json_string_value(json_object_get(e, "path")), want[i][0]);
        assert_string_equal(json_string_value(json_object_get(e, "code")), want[i][1]);
        assert_string_equal(json_string_value(json_object_get(e, "message")), want[i][2]);
    }
    assert_string_equal(errs.message, "a comment is required");
    assert_string_equal(errs.code, "comment_required");
    assert_int_equal(errs.count, 8);
    kapi_errors_dispose(&errs);
}

/* Dates and times: one parser, UTC, fractions to the millisecond. */
static void test_api_time(void **state)
{
    (void)state;
    const kenes_api *api = kapi_get();
    long long ms = -1;
    assert_int_equal(api->time_parse("2026-02-07", &ms), 0);
    assert_true(ms == 1770422400000LL);
    assert_int_equal(api->time_parse("2026-02-07T10:00:00Z", &ms), 0);
    assert_true(ms == 1770458400000LL);
    assert_int_equal(api->time_parse("2026-02-07T15:00:00.5+05:00", &ms), 0);
    assert_true(ms == 1770458400500LL);
    assert_int_equal(api->time_parse("2026-02-07t10:00:00.123456z", &ms), 0);
    assert_true(ms == 1770458400123LL);
    static const char *const bad[] = {"",           "2026-2-07",           "2026-02-30",
                                      "2026-02-07 ", "2026-02-07T10:00:00", "2026-02-07T24:00:00Z",
                                      "2026-02-07T10:00:00.Z", "2026-02-07T10:00:00+5:00",
                                      "+2026-02-07", NULL};
    for (size_t i = 0; bad[i]; i++) {
        ms = 42;
        assert_int_equal(api->time_parse(bad[i], &ms), KENES_EINVAL);
        assert_true(ms == 42);
    }
    assert_int_equal(api->time_parse(NULL, &ms), KENES_EINVAL);

    int y, m, d;
    api->date_of_ms(1770458400500LL, &y, &m, &d);
    assert_int_equal(y * 10000 + m * 100 + d, 20260207);
    api->date_of_ms(-1, &y, &m, &d); /* before the epoch, the day before */
    assert_int_equal(y * 10000 + m * 100 + d, 19691231);
    assert_true(api->date_ms(2026, 2, 7) == 1770422400000LL);
    assert_true(api->date_ms(2024, 2, 30) == api->date_ms(2024, 3, 1)); /* runs on */

    setenv("KENES_NOW", "2026-03-01T23:59:59Z", 1);
    api->today(&y, &m, &d);
    assert_int_equal(y * 10000 + m * 100 + d, 20260301);
    unsetenv("KENES_NOW");
}

/* The regions as the core loaded them, in the file's order. */
static void test_api_regions(void **state)
{
    (void)state;
    const kenes_api *api = kapi_get();
    char err[512];
    assert_int_equal(region_load(KENES_SOURCE_DIR "/content/regions.yaml", err, sizeof(err)), 0);
    assert_int_equal(api->region_count(), 20);
    assert_string_equal(api->region_code(0), "KZ-10");
    assert_string_equal(api->region_code(19), "KZ-79");
    assert_null(api->region_code(20));
    assert_string_equal(api->region_name(api->region_code(1), "kk"), "Ақмола облысы");
    region_unload();
    assert_int_equal(api->region_count(), 0);
    assert_null(api->region_code(0));
}

static const char *fake_labels(const void *payload, const char *type, const char *what,
                               const char *name, const char *lang)
{
    (void)what;
    (void)lang;
    return strcmp(type, payload) == 0 && strcmp(name, "draft") == 0 ? "Черновик" : NULL;
}

/* api->label asks whoever loaded the workflows; nobody: NULL. */
static void test_api_label(void **state)
{
    (void)state;
    const kenes_api *api = kapi_get();
    static const char owner[] = "t";
    assert_null(api->label("t", "stage", "draft", "ru"));
    kapi_set_labels(fake_labels, owner);
    assert_string_equal(api->label("t", "stage", "draft", "ru"), "Черновик");
    assert_null(api->label("t", "stage", "done", "ru"));
    assert_null(api->label(NULL, "stage", "draft", "ru"));
    kapi_forget_labels("another payload"); /* not the one set: still there */
    assert_non_null(api->label("t", "stage", "draft", "ru"));
    kapi_forget_labels(owner);
    assert_null(api->label("t", "stage", "draft", "ru"));
}

static int write_ok(const kenes_api *api, kenes_report *r)
{
    (void)api;
    (void)r;
    return 0;
}

/* One section per kind; a kind with none is no part of the type's. */
static void test_report_section(void **state)
{
    (void)state;
    static const kenes_report_section sections[] = {{KENES_REPORT_REGION, write_ok}, {0, NULL}};
    kenes_doctype t = {.name = "t", .reports = sections};
    assert_ptr_equal(kapi_report_section(&t, KENES_REPORT_REGION), &sections[0]);
    assert_null(kapi_report_section(&t, KENES_REPORT_NATIONAL));
    assert_null(kapi_report_section(&t, 0));
    t.reports = NULL;
    assert_null(kapi_report_section(&t, KENES_REPORT_REGION));
    assert_null(kapi_report_section(NULL, KENES_REPORT_REGION));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_good_fixture, setup, teardown),
        cmocka_unit_test_setup_teardown(test_abi_mismatch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_abi2_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_abi4_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_ref, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_schema, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_struct_size, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_init_symbol, setup, teardown),
        cmocka_unit_test_setup_teardown(test_init_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_init_no_descriptor, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_guard, setup, teardown),
        cmocka_unit_test_setup_teardown(test_same_file_twice, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_a_shared_object, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bare_file_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_regional_plan_so, setup, teardown),
        cmocka_unit_test_setup_teardown(test_load_dir_build_plugins, setup, teardown),
        cmocka_unit_test_setup_teardown(test_load_dir_stops_at_first_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_load_dir_sorted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_load_dir_missing, setup, teardown),
        cmocka_unit_test(test_new_and_free),
        cmocka_unit_test(test_api_has),
        cmocka_unit_test(test_api_error_code),
        cmocka_unit_test(test_api_time),
        cmocka_unit_test(test_api_regions),
        cmocka_unit_test(test_api_label),
        cmocka_unit_test(test_report_section),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
