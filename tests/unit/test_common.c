/*
 * The common plugin (generic guards), loaded from build/plugins/common.so
 * the way the server loads it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin/kapi.h"
#include "plugin/loader.h"
#include "plugin_fixture.h"

#define COMMON KENES_PLUGIN_BUILD_DIR "/common.so"
#define REGIONAL_PLAN KENES_PLUGIN_BUILD_DIR "/regional-plan.so"
#define COMMISSION_ROSTER KENES_PLUGIN_BUILD_DIR "/commission-roster.so"

#define MESSAGE "a comment is required for this action"

static const kenes_guard *comment_required;

static int setup_group(void **state)
{
    (void)state;
    return plugin_fixture_setup(NULL, COMMON, NULL, NULL, "comment_required", &comment_required,
                                NULL);
}

/* ---- the plugin as loaded ---------------------------------------------- */

static void test_descriptor(void **state)
{
    (void)state;
    const kenes_plugin *p = plugin_at(plugins, 0);
    assert_string_equal(p->name, "common");
    assert_int_equal(p->abi_version, KENES_ABI_VERSION);
    assert_non_null(p->version);
    /* Guards only: no document type. */
    assert_true(p->types == NULL || p->types[0].name == NULL);
    assert_string_equal(p->guards[0].name, "comment_required");
    assert_null(p->guards[1].name);
}

/* The guard moved here from regional-plan: the plugins load side by side,
 * which the loader refuses if two of them provide the same guard. */
static void test_loads_beside_the_type_plugins(void **state)
{
    (void)state;
    plugin_set *set;
    char err[512] = "";
    assert_int_equal(plugin_set_new(&set, api), 0);
    assert_int_equal(plugin_load(set, REGIONAL_PLAN, err, sizeof(err)), 0);
    assert_int_equal(plugin_load(set, COMMISSION_ROSTER, err, sizeof(err)), 0);
    assert_int_equal(plugin_load(set, COMMON, err, sizeof(err)), 0);
    assert_string_equal(err, "");
    assert_int_equal(plugin_count(set), 3);
    assert_string_equal(plugin_at(set, 2)->name, "common");
    assert_ptr_equal(plugin_find_guard(set, "comment_required")->check, comment_required->check);
    plugin_set_free(set);
}

/* ---- comment_required --------------------------------------------------- */

/* The guard reads nothing of the document: any type will do. */
static json_t *doc_of(const char *type)
{
    json_t *doc = json_pack("{s:s, s:s, s:s, s:s, s:{}}", "type", type, "region", "KZ-11", "title",
                            "t", "stage", "ministry-review", "fields");
    assert_non_null(doc);
    return doc;
}

static int run_guard(const char *type, const char *action, const char *comment, kenes_errors *errs)
{
    kenes_ctx ctx = review_ctx(action, comment, "returned");
    return guard_run(comment_required, doc_of(type), &ctx, errs);
}

static void expect_refused(const char *comment)
{
    kenes_ctx ctx = review_ctx("return", comment, "returned");
    expect_guard_refuses(comment_required, doc_of("regional-plan"), &ctx, MESSAGE);
}

static void expect_allowed(const char *comment)
{
    kenes_errors errs;
    kenes_ctx ctx = review_ctx("return", comment, "returned");
    expect_guard_allows(comment_required, doc_of("regional-plan"), &ctx, &errs);
    assert_null(errs.fields);
    kapi_errors_dispose(&errs);
}

static void test_refuses_without_comment(void **state)
{
    (void)state;
    expect_refused(NULL);
    expect_refused("");
}

static void test_refuses_whitespace(void **state)
{
    (void)state;
    expect_refused(" ");
    expect_refused(" \t\r\n\v\f ");
    expect_refused("\xc2\xa0");                             /* U+00A0 no-break space */
    expect_refused("\xc2\x85");                             /* U+0085 next line */
    expect_refused("\xe3\x80\x80 \n");                      /* U+3000 ideographic space */
    expect_refused("\xe2\x80\x8b");                         /* U+200B zero-width space */
    expect_refused("\xe2\x80\x83\xe2\x80\xa8\xe2\x80\xaf"); /* em space, line sep, narrow nbsp */
    expect_refused("\xe1\x9a\x80\xe2\x81\x9f\xe2\x81\xa0"); /* U+1680, U+205F, U+2060 */
    expect_refused("\xef\xbb\xbf");                         /* U+FEFF */
}

static void test_allows_comment(void **state)
{
    (void)state;
    expect_allowed("Добавьте меры по профилактике буллинга");
    expect_allowed("Түзетулер енгізіңіз");
    expect_allowed("  ok  ");
    expect_allowed("x");
    expect_allowed("\xc2\xa0.");
    expect_allowed("\xe2\x80\x8c"); /* U+200C zero-width non-joiner is not a space */
    expect_allowed("0");
}

/* Generic: the same answer whatever the type and the action. */
static void test_generic_message(void **state)
{
    (void)state;
    const char *types[] = {"regional-plan", "commission-roster", "case-review"};
    const char *actions[] = {"return", "reopen", "refuse"};
    for (size_t i = 0; i < 3; i++) {
        kenes_errors errs;
        assert_int_equal(run_guard(types[i], actions[i], " ", &errs), KENES_EGUARD);
        assert_string_equal(errs.message, MESSAGE);
        kapi_errors_dispose(&errs);
        assert_int_equal(run_guard(types[i], actions[i], "why", &errs), 0);
        kapi_errors_dispose(&errs);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_descriptor),
        cmocka_unit_test(test_loads_beside_the_type_plugins),
        cmocka_unit_test(test_refuses_without_comment),
        cmocka_unit_test(test_refuses_whitespace),
        cmocka_unit_test(test_allows_comment),
        cmocka_unit_test(test_generic_message),
    };
    return cmocka_run_group_tests(tests, setup_group, plugin_fixture_teardown_group);
}
