/*
 * Who may do what (docs/rights.h) with the scopes of issue 15, on
 * tests/data/workflows/keys15_ok.yaml: named-region reads the region a
 * document names (region_field), own-agency the user's agency against the
 * document's (agency_field); a question about a region alone (a menu's,
 * access_scoped) answers whether some document could allow it, one about a
 * document (access_scoped_doc, access_doc_json) answers exactly; former
 * transitions give no right.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "docs/rights.h"

static const kenes_guard guards[] = {{"comment_required", NULL}, {"act_recorded", NULL}};

static const kenes_guard *find_guard(const char *name, void *payload)
{
    (void)payload;
    for (size_t i = 0; i < sizeof(guards) / sizeof(guards[0]); i++)
        if (strcmp(guards[i].name, name) == 0)
            return &guards[i];
    return NULL;
}

static int type_known(const char *type, void *payload)
{
    (void)payload;
    return strcmp(type, "fixture-type") == 0;
}

static wf_workflow *load(void)
{
    wf_resolver res = {find_guard, type_known, NULL, NULL};
    wf_workflow *wf = NULL;
    char err[512] = "";
    assert_int_equal(wf_load_file(&wf, KENES_TEST_DATA_DIR "/workflows/keys15_ok.yaml", &res, err,
                                  sizeof(err)),
                     0);
    return wf;
}

static auth_user user(const char *name, enum role role, const char *region, const char *agency)
{
    return (auth_user){.name = (char *)name, .role = role, .region = (char *)region,
                       .agency = (char *)agency};
}

/* A document of region with fields.transfer.to = to and fields.agency = agency. */
static json_t *doc(const char *region, const char *to, const char *agency)
{
    json_t *fields = json_object();
    if (to)
        json_object_set_new(fields, "transfer", json_pack("{s:s}", "to", to));
    if (agency)
        json_object_set_new(fields, "agency", json_string(agency));
    return json_pack("{s:s, s:s, s:o}", "region", region, "stage", "moving", "fields", fields);
}

static void test_named_region(void **state)
{
    (void)state;
    wf_workflow *wf = load();
    auth_user chair11 = user("c11", ROLE_CHAIR, "KZ-11", NULL);
    auth_user chair15 = user("c15", ROLE_CHAIR, "KZ-15", NULL);
    json_t *moving = doc("KZ-11", "KZ-15", NULL), *home = doc("KZ-11", NULL, NULL);
    /* read: chair named-region; the sending chair has no own-region read here */
    assert_true(access_doc_json(&chair15, wf, ACCESS_DOC_READ, moving, NULL, 1));
    assert_false(access_doc_json(&chair11, wf, ACCESS_DOC_READ, moving, NULL, 1));
    assert_false(access_doc_json(&chair15, wf, ACCESS_DOC_READ, home, NULL, 1));
    assert_true(access_doc_json(&chair15, wf, ACCESS_DOC_ACT, moving, "accept-transfer", 0));
    assert_false(access_doc_json(&chair11, wf, ACCESS_DOC_ACT, moving, "accept-transfer", 0));
    const wf_transition *accept = wf_find_transition(wf, "accept-transfer", "moving");
    assert_true(access_scoped_doc(&chair15, wf, accept->roles, accept->scope, moving));
    assert_false(access_scoped_doc(&chair15, wf, accept->roles, accept->scope, home));
    /* A region alone: some document could name the chair's region. */
    assert_true(access_scoped(&chair11, accept->roles, accept->scope, "KZ-71"));
    assert_string_equal(access_field(moving, "transfer.to"), "KZ-15");
    assert_null(access_field(moving, "transfer.from"));
    assert_null(access_field(moving, "transfer"));
    json_decref(moving);
    json_decref(home);
    wf_workflow_free(wf);
}

static void test_own_agency(void **state)
{
    (void)state;
    wf_workflow *wf = load();
    auth_user police = user("agp", ROLE_AGENCY, "KZ-11", "kz11-police");
    auth_user school = user("ags", ROLE_AGENCY, "KZ-11", "kz11-school");
    auth_user police15 = user("agp15", ROLE_AGENCY, "KZ-15", "kz11-police");
    auth_user official = user("off", ROLE_OFFICIAL, "KZ-11", NULL);
    json_t *d = doc("KZ-11", NULL, "kz11-police");
    assert_true(access_doc_json(&police, wf, ACCESS_DOC_READ, d, NULL, 1));
    assert_false(access_doc_json(&school, wf, ACCESS_DOC_READ, d, NULL, 1));
    assert_false(access_doc_json(&police15, wf, ACCESS_DOC_READ, d, NULL, 1));
    assert_true(access_doc_json(&police, wf, ACCESS_DOC_ACT, d, "report", 0));
    assert_false(access_doc_json(&school, wf, ACCESS_DOC_ACT, d, "report", 0));
    /* create: own-agency judges the document to be written */
    assert_true(access_doc_json(&police, wf, ACCESS_DOC_CREATE, d, NULL, 0));
    assert_false(access_doc_json(&school, wf, ACCESS_DOC_CREATE, d, NULL, 0));
    assert_false(access_doc_json(&official, wf, ACCESS_DOC_CREATE, d, NULL, 0));
    /* A region alone: the officer's region, if it has an agency. */
    assert_true(access_doc(&police, wf, ACCESS_DOC_LIST, "KZ-11", NULL, 0));
    assert_false(access_doc(&police, wf, ACCESS_DOC_LIST, "KZ-15", NULL, 0));
    auth_user none = user("agx", ROLE_AGENCY, "KZ-11", NULL);
    assert_false(access_doc(&none, wf, ACCESS_DOC_LIST, "KZ-11", NULL, 0));
    json_decref(d);
    wf_workflow_free(wf);
}

static void test_former_gives_no_right(void **state)
{
    (void)state;
    wf_workflow *wf = load();
    auth_user rev = user("rev", ROLE_REVIEWER, NULL, NULL);
    auth_user admin = user("adm", ROLE_ADMIN, NULL, NULL);
    json_t *d = doc("KZ-11", NULL, NULL);
    /* The former approve and return were the reviewers'; today's approve
     * is the akimat approver's, and return is no action of today. */
    assert_false(access_doc_json(&rev, wf, ACCESS_DOC_ACT, d, "approve", 0));
    assert_false(access_doc_json(&rev, wf, ACCESS_DOC_ACT, d, "return", 0));
    assert_true(access_doc_json(&admin, wf, ACCESS_DOC_READ, d, NULL, 1));
    json_decref(d);
    wf_workflow_free(wf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_named_region),
        cmocka_unit_test(test_own_agency),
        cmocka_unit_test(test_former_gives_no_right),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
