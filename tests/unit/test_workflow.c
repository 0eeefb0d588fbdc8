/*
 * Workflow loading: one broken file per fault under tests/data/workflows/,
 * each asserting the exact "file:line: message", then the real
 * workflows/regional-plan.yaml.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docs/workflow.h"

#define WF_DIR KENES_TEST_DATA_DIR "/workflows/"

/* A resolver standing in for the plugin set: what "plugins" provide here. */
static const kenes_guard fake_guards[] = {
    {"fixture_guard", NULL},
    {"comment_required", NULL},
    {"act_recorded", NULL},
    {"roster_act_recorded", NULL},
};

static const kenes_guard *fake_find_guard(const char *name, void *payload)
{
    int *calls = payload;
    if (calls)
        (*calls)++;
    for (size_t i = 0; i < sizeof(fake_guards) / sizeof(fake_guards[0]); i++)
        if (strcmp(fake_guards[i].name, name) == 0)
            return &fake_guards[i];
    return NULL;
}

static int fake_type_known(const char *type, void *payload)
{
    (void)payload;
    return strcmp(type, "fixture-type") == 0 || strcmp(type, "other-type") == 0 ||
           strcmp(type, "regional-plan") == 0 || strcmp(type, "commission-roster") == 0;
}

static const wf_resolver resolver = {fake_find_guard, fake_type_known, NULL, NULL};

/* The orders the issue-14 fixtures name (tests/data/orders/ok.yaml). */
static orders *fixture_orders(void)
{
    orders *o = NULL;
    char err[512] = "";
    assert_int_equal(orders_load(&o, KENES_TEST_DATA_DIR "/orders/ok.yaml", err, sizeof(err)), 0);
    return o;
}

/* Load a broken file and check the error is exactly "<path>:<line>: <message>". */
static void expect_error_res(const wf_resolver *res, const char *name, int line,
                             const char *message)
{
    char path[1024], want[2048], err[1024];
    snprintf(path, sizeof(path), WF_DIR "%s", name);
    snprintf(want, sizeof(want), "%s:%d: %s", path, line, message);
    wf_workflow *wf = (wf_workflow *)0x1;
    int rc = wf_load_file(&wf, path, res, err, sizeof(err));
    assert_int_equal(rc, KENES_EINVAL);
    assert_null(wf);
    assert_string_equal(err, want);
}

/* Load a broken file and check the error is exactly "<path>:<line>: <message>". */
static void expect_error(const char *name, int line, const char *message)
{
    char path[1024], want[2048], err[1024];
    snprintf(path, sizeof(path), WF_DIR "%s", name);
    snprintf(want, sizeof(want), "%s:%d: %s", path, line, message);
    wf_workflow *wf = (wf_workflow *)0x1;
    memset(err, 'x', sizeof(err) - 1);
    err[sizeof(err) - 1] = '\0';
    int rc = wf_load_file(&wf, path, &resolver, err, sizeof(err));
    assert_int_equal(rc, KENES_EINVAL);
    assert_null(wf);
    assert_string_equal(err, want);
}

static void test_syntax_error(void **state)
{
    (void)state;
    expect_error("syntax_error.yaml", 14, "mapping values are not allowed in this context");
}

static void test_empty_file(void **state)
{
    (void)state;
    expect_error("empty.yaml", 1, "the file is empty");
}

static void test_not_mapping(void **state)
{
    (void)state;
    expect_error("not_mapping.yaml", 2,
                 "a workflow file must be a mapping (type, initial, stages, ...)");
}

static void test_unknown_top_key(void **state)
{
    (void)state;
    expect_error("unknown_top_key.yaml", 11,
                 "unknown top-level key 'deadlines' (expected type, initial, stages, create, "
                 "edit, read, transitions, erase, labels, record, params, region_field, agency_field, "
                 "attach, former, resident)");
}

static void test_unknown_transition_key(void **state)
{
    (void)state;
    expect_error("unknown_transition_key.yaml", 21,
                 "unknown key 'gaurds' in a transition (expected action, from, to, roles, "
                 "scope, guards, approvals, not_by, publishes, inbox, records, clears, "
                 "clears_files, back, moves)");
}

static void test_unknown_stage_key(void **state)
{
    (void)state;
    expect_error("unknown_stage_key.yaml", 8,
                 "unknown key 'colour' in a stage (expected name, editable, public, deadline, remind)");
}

static void test_bad_deadline_after(void **state)
{
    (void)state;
    expect_error("bad_deadline_after.yaml", 7,
                 "'after' must be a whole number of days or hours, such as 7d or 12h");
}

static void test_bad_deadline_from(void **state)
{
    (void)state;
    expect_error("bad_deadline_from.yaml", 7,
                 "'from' must name a date field, such as fields.order_date");
}

static void test_bad_approvals(void **state)
{
    (void)state;
    expect_error("bad_approvals.yaml", 19, "'approvals' must be a whole number from 1 to 9");
    expect_error("bad_not_by.yaml", 19, "'not_by' can only be 'authors'");
}

static void test_bad_read(void **state)
{
    (void)state;
    expect_error("bad_read.yaml", 11, "unknown role 'parent' (expected regional-official, "
                                      "ministry-reviewer, auditor, admin, commission-chair, commission-secretary, akimat-approver, agency-officer)");
}

static void test_deadline_and_read_loaded(void **state)
{
    (void)state;
    wf_workflow *wf = NULL;
    char err[512] = "";
    assert_int_equal(wf_load_file(&wf, WF_DIR "deadline_read_ok.yaml", &resolver, err, sizeof(err)),
                     0);
    const wf_stage *draft = wf_find_stage(wf, "draft");
    assert_true(draft->has_deadline);
    assert_string_equal(draft->deadline_from, "order_date");
    assert_true(draft->deadline_after_ms == 7LL * 86400000);
    const wf_stage *review = wf_find_stage(wf, "review");
    assert_true(review->has_deadline);
    assert_null(review->deadline_from);
    assert_true(review->deadline_after_ms == 12LL * 3600000);
    assert_false(wf_find_stage(wf, "done")->has_deadline);
    assert_int_equal(wf->nread, 2);
    assert_int_equal(wf->read[0].roles, ROLE_OFFICIAL | ROLE_CHAIR);
    assert_int_equal(wf->read[0].scope, SCOPE_OWN_REGION);
    assert_int_equal(wf->read[1].roles, ROLE_AUDITOR);
    assert_int_equal(wf->read[1].scope, SCOPE_ALL);
    wf_workflow_free(wf);
}

static void test_unknown_create_key(void **state)
{
    (void)state;
    expect_error("unknown_create_key.yaml", 9,
                 "unknown key 'scpoe' in 'create' (expected roles, scope)");
}

static void test_duplicate_key(void **state)
{
    (void)state;
    expect_error("duplicate_key.yaml", 15,
                 "duplicate key 'to' in a transition (first at line 14)");
}

static void test_missing_type(void **state)
{
    (void)state;
    expect_error("missing_type.yaml", 2, "missing required top-level key 'type'");
}

static void test_missing_initial(void **state)
{
    (void)state;
    expect_error("missing_initial.yaml", 2, "missing required top-level key 'initial'");
}

static void test_missing_stages(void **state)
{
    (void)state;
    expect_error("missing_stages.yaml", 2, "missing required top-level key 'stages'");
}

static void test_missing_transitions(void **state)
{
    (void)state;
    expect_error("missing_transitions.yaml", 2, "missing required top-level key 'transitions'");
}

static void test_missing_to(void **state)
{
    (void)state;
    expect_error("missing_to.yaml", 17, "missing required key 'to' in a transition");
}

static void test_unknown_type(void **state)
{
    (void)state;
    expect_error("unknown_type.yaml", 2,
                 "unknown document type 'no-such-type' (no plugin provides it)");
}

static void test_duplicate_stage(void **state)
{
    (void)state;
    expect_error("duplicate_stage.yaml", 8, "duplicate stage 'draft' (first declared at line 5)");
}

static void test_bad_editable(void **state)
{
    (void)state;
    expect_error("bad_editable.yaml", 6, "'editable' must be true or false");
}

/* resident: (issue 16) keeps a type's JSON in memory; anything but a boolean is refused. */
static void test_bad_resident(void **state)
{
    (void)state;
    expect_error("bad_resident.yaml", 4, "'resident' must be true or false");
}

static void test_unknown_initial(void **state)
{
    (void)state;
    expect_error("unknown_initial.yaml", 3, "unknown stage 'drfat' (not declared in 'stages')");
}

static void test_unknown_from(void **state)
{
    (void)state;
    expect_error("unknown_from.yaml", 18, "unknown stage 'reveiw' (not declared in 'stages')");
}

static void test_unknown_to(void **state)
{
    (void)state;
    expect_error("unknown_to.yaml", 19, "unknown stage 'finished' (not declared in 'stages')");
}

static void test_unknown_role(void **state)
{
    (void)state;
    expect_error("unknown_role.yaml", 15,
                 "unknown role 'regional-oficial' (expected regional-official, "
                 "ministry-reviewer, auditor, admin, commission-chair, commission-secretary, akimat-approver, agency-officer)");
}

static void test_unknown_edit_role(void **state)
{
    (void)state;
    expect_error("unknown_edit_role.yaml", 10,
                 "unknown role 'nobody' (expected regional-official, ministry-reviewer, "
                 "auditor, admin, commission-chair, commission-secretary, akimat-approver, agency-officer)");
}

static void test_unknown_scope(void **state)
{
    (void)state;
    expect_error("unknown_scope.yaml", 16,
                 "unknown scope 'own-regoin' (expected all, own-region, named-region or "
                 "own-agency)");
}

static void test_unknown_guard(void **state)
{
    (void)state;
    expect_error("unknown_guard.yaml", 23, "unknown guard 'foo' (no plugin provides it)");
}

static void test_duplicate_action(void **state)
{
    (void)state;
    expect_error("duplicate_action.yaml", 22,
                 "action 'submit' is declared twice from stage 'draft' (first at line 12)");
}

static void test_missing_file(void **state)
{
    (void)state;
    char err[512];
    wf_workflow *wf = (wf_workflow *)0x1;
    int rc = wf_load_file(&wf, WF_DIR "no-such-file.yaml", &resolver, err, sizeof(err));
    assert_true(rc < 0);
    assert_null(wf);
    assert_string_equal(err, WF_DIR "no-such-file.yaml:0: cannot read the file");
}

/* No resolver means no plugin provides anything: the type is unknown. */
static void test_no_resolver(void **state)
{
    (void)state;
    char err[512];
    wf_workflow *wf;
    int rc = wf_load_file(&wf, KENES_SOURCE_DIR "/workflows/regional-plan.yaml", NULL, err,
                          sizeof(err));
    assert_int_equal(rc, KENES_EINVAL);
    assert_non_null(strstr(err, "unknown document type 'regional-plan'"));
}

/* A tiny error buffer truncates the message but never overflows. */
static void test_small_error_buffer(void **state)
{
    (void)state;
    char err[8 + 1];
    memset(err, '#', sizeof(err));
    wf_workflow *wf;
    assert_int_equal(wf_load_file(&wf, WF_DIR "unknown_guard.yaml", &resolver, err, 8),
                     KENES_EINVAL);
    assert_int_equal(strlen(err), 7);
    assert_int_equal(err[8], '#');
}

static void test_regional_plan_workflow(void **state)
{
    (void)state;
    char err[512] = "";
    int guard_lookups = 0;
    wf_resolver res = resolver;
    res.payload = &guard_lookups;
    wf_workflow *wf = NULL;
    int rc = wf_load_file(&wf, KENES_SOURCE_DIR "/workflows/regional-plan.yaml", &res, err,
                          sizeof(err));
    assert_string_equal(err, "");
    assert_int_equal(rc, 0);
    assert_non_null(wf);
    /* act_recorded twice (approve, and the former approve), comment_required
     * four times (two returns, amend, the former return). */
    assert_int_equal(guard_lookups, 6);

    assert_string_equal(wf->type, "regional-plan");
    assert_string_equal(wf->initial, "draft");
    assert_string_equal(wf->file, KENES_SOURCE_DIR "/workflows/regional-plan.yaml");
    assert_int_equal(wf->nstages, 4);
    /* The chain's six, and the three of before issue 15 (former:). */
    assert_int_equal(wf->ntransitions, 9);

    /* Only drafts are edited: what the akimat or the ministry looks at stays. */
    assert_true(wf_find_stage(wf, "draft")->editable);
    assert_false(wf_find_stage(wf, "regional-approval")->editable);
    assert_false(wf_find_stage(wf, "ministry-agreement")->editable);
    assert_false(wf_find_stage(wf, "in-force")->editable);
    assert_true(wf_stage_public(wf, "in-force"));
    assert_null(wf_find_stage(wf, "approved")); /* a former stage: no stage of now */

    assert_int_equal(wf->create_roles, ROLE_OFFICIAL);
    assert_int_equal(wf->create_scope, SCOPE_OWN_REGION);
    assert_int_equal(wf->edit_roles, ROLE_OFFICIAL);
    assert_int_equal(wf->edit_scope, SCOPE_OWN_REGION);

    const wf_transition *t = wf_find_transition(wf, "submit", "draft");
    assert_non_null(t);
    assert_false(t->former);
    assert_string_equal(t->to, "regional-approval");
    assert_int_equal(t->roles, ROLE_OFFICIAL);
    assert_int_equal(t->scope, SCOPE_OWN_REGION);
    assert_int_equal(t->nguards, 0);

    /* The akimat approves by its resolution, recorded with the approval. */
    t = wf_find_transition(wf, "approve", "regional-approval");
    assert_non_null(t);
    assert_string_equal(t->to, "ministry-agreement");
    assert_int_equal(t->roles, ROLE_APPROVER);
    assert_int_equal(t->scope, SCOPE_OWN_REGION);
    assert_int_equal(t->nrecords, 1);
    assert_string_equal(t->records[0], "act");
    assert_int_equal(t->nguards, 1);
    assert_string_equal(t->guard_names[0], "act_recorded");
    assert_ptr_equal(t->guards[0], &fake_guards[2]);
    assert_int_equal(t->approvals, 1);
    assert_false(t->publishes);

    t = wf_find_transition(wf, "return", "regional-approval");
    assert_non_null(t);
    assert_string_equal(t->to, "draft");
    assert_int_equal(t->roles, ROLE_APPROVER);
    assert_int_equal(t->scope, SCOPE_OWN_REGION);
    assert_string_equal(t->guard_names[0], "comment_required");
    assert_ptr_equal(t->guards[0], &fake_guards[1]);
    assert_true(t->line > 0);
    t = wf_find_transition(wf, "return", "ministry-agreement");
    assert_non_null(t);
    assert_string_equal(t->to, "draft");
    assert_int_equal(t->roles, ROLE_REVIEWER);
    assert_int_equal(t->scope, SCOPE_ALL);

    /* Four eyes at the ministry: two reviewers who did not write it. */
    t = wf_find_transition(wf, "agree", "ministry-agreement");
    assert_non_null(t);
    assert_string_equal(t->to, "in-force");
    assert_int_equal(t->roles, ROLE_REVIEWER);
    assert_int_equal(t->approvals, 2);
    assert_true(t->not_by_authors);
    assert_true(t->publishes);
    assert_true(wf_action_publishes(wf, "agree", "ministry-agreement"));
    assert_false(wf_action_publishes(wf, "approve", "regional-approval"));

    t = wf_find_transition(wf, "amend", "in-force");
    assert_non_null(t);
    assert_string_equal(t->to, "draft");
    assert_true(t->no_inbox);
    assert_int_equal(t->nclears, 1);
    assert_string_equal(t->clears[0], "act");

    assert_true(wf_has_action(wf, "return"));
    assert_false(wf_has_action(wf, "reopen"));
    assert_null(wf_find_transition(wf, "approve", "draft"));
    assert_null(wf_find_transition(wf, "agree", "regional-approval"));

    /* Before issue 15: its stages under their new names, its moves known. */
    assert_int_equal(wf->nformer_stages, 3);
    assert_true(wf->has_attach);
    assert_int_equal(wf->attach_roles, ROLE_OFFICIAL | ROLE_APPROVER);
    assert_int_equal(wf->nattach_stages, 2);

    wf_workflow_free(wf);
}

static void test_to_json(void **state)
{
    (void)state;
    char err[512];
    wf_workflow *wf;
    assert_int_equal(wf_load_file(&wf, KENES_SOURCE_DIR "/workflows/regional-plan.yaml",
                                  &resolver, err, sizeof(err)),
                     0);
    json_t *j = wf_to_json(wf);
    assert_non_null(j);
    /* The labels as the file has them (a former stage's too: history shows
     * it), then the rest exactly. */
    assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(
                            json_object_get(j, "labels"), "stages"), "returned"), "kk")),
                        "Пысықтауға қайтарылды");
    assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(
                            json_object_get(j, "labels"), "stages"), "in-force"), "kk")),
                        "Күшінде");
    assert_int_equal(json_object_size(json_object_get(json_object_get(j, "labels"), "actions")),
                     5);
    json_object_del(j, "labels");
    /* The record as the file has it: the act through its text. */
    json_t *rec = json_object_get(j, "record");
    assert_int_equal(json_array_size(rec), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(rec, 0), "field")), "act");
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_array_get(rec, 0), "text"), "ru")),
                        "{number} от {date}");
    json_object_del(j, "record");
    /* The chain, with what it was before issue 15 (former:). */
    json_t *want = json_loads(
        "{\"type\":\"regional-plan\",\"initial\":\"draft\",\"stages\":[{"
        "\"name\":\"draft\",\"editable\":true,\"public\":false},{"
        "\"name\":\"regional-approval\",\"editable\":false,\"public\":false},{"
        "\"name\":\"ministry-agreement\",\"editable\":false,\"public\":false},{"
        "\"name\":\"in-force\",\"editable\":false,\"public\":true}],\"create\":{"
        "\"roles\":[\"regional-official\"],\"scope\":\"own-region\"},\"edit\":{"
        "\"roles\":[\"regional-official\"],\"scope\":\"own-region\"},\"read\":[],"
        "\"transitions\":[{\"action\":\"submit\",\"from\":[\"draft\"],"
        "\"to\":\"regional-approval\",\"roles\":[\"regional-official\"],"
        "\"scope\":\"own-region\",\"guards\":[],\"approvals\":1,\"not_by_authors\":false,"
        "\"publishes\":false,\"inbox\":true,\"records\":[],\"clears\":[],"
        "\"clears_files\":false,\"back\":false,"
        "\"moves\":false},{\"action\":\"approve\",\"from\":[\"regional-approval\"],"
        "\"to\":\"ministry-agreement\",\"roles\":[\"akimat-approver\"],"
        "\"scope\":\"own-region\",\"guards\":[\"act_recorded\"],\"approvals\":1,"
        "\"not_by_authors\":false,\"publishes\":false,\"inbox\":true,\"records\":["
        "\"act\"],\"clears\":[],"
        "\"clears_files\":false,\"back\":false,\"moves\":false},{\"action\":\"return\","
        "\"from\":[\"regional-approval\"],\"to\":\"draft\",\"roles\":["
        "\"akimat-approver\"],\"scope\":\"own-region\",\"guards\":[\"comment_required\"],"
        "\"approvals\":1,\"not_by_authors\":false,\"publishes\":false,\"inbox\":true,"
        "\"records\":[],\"clears\":[\"act\"],"
        "\"clears_files\":false,\"back\":false,\"moves\":false},{"
        "\"action\":\"return\",\"from\":[\"ministry-agreement\"],\"to\":\"draft\","
        "\"roles\":[\"ministry-reviewer\"],\"scope\":\"all\",\"guards\":["
        "\"comment_required\"],\"approvals\":1,\"not_by_authors\":false,"
        "\"publishes\":false,\"inbox\":true,\"records\":[],\"clears\":[\"act\"],"
        "\"clears_files\":false,"
        "\"back\":false,\"moves\":false},{\"action\":\"agree\",\"from\":[\"ministry-agreement\"],"
        "\"to\":\"in-force\",\"roles\":[\"ministry-reviewer\"],\"scope\":\"all\","
        "\"guards\":[],\"approvals\":2,\"not_by_authors\":true,\"publishes\":true,"
        "\"inbox\":true,\"records\":[],\"clears\":[],"
        "\"clears_files\":false,\"back\":false,\"moves\":false},{"
        "\"action\":\"amend\",\"from\":[\"in-force\"],\"to\":\"draft\",\"roles\":["
        "\"regional-official\"],\"scope\":\"own-region\",\"guards\":["
        "\"comment_required\"],\"approvals\":1,\"not_by_authors\":false,"
        "\"publishes\":false,\"inbox\":false,\"records\":[],\"clears\":[\"act\"],"
        "\"clears_files\":true,"
        "\"back\":false,\"moves\":false}],\"erase\":null,\"region_field\":null,"
        "\"agency_field\":null,\"attach\":{\"roles\":[\"regional-official\","
        "\"akimat-approver\"],\"scope\":\"own-region\",\"stages\":[\"draft\","
        "\"regional-approval\"]},\"former\":{\"stages\":{\"approved\":\"in-force\","
        "\"ministry-review\":\"ministry-agreement\",\"returned\":\"draft\"},"
        "\"transitions\":[{\"action\":\"submit\",\"from\":[\"draft\",\"returned\"],"
        "\"to\":\"ministry-review\",\"roles\":[\"regional-official\"],"
        "\"scope\":\"own-region\",\"guards\":[],\"approvals\":1,\"not_by_authors\":false,"
        "\"publishes\":false,\"inbox\":true,\"records\":[],\"clears\":[],"
        "\"clears_files\":false,\"back\":false,"
        "\"moves\":false},{\"action\":\"approve\",\"from\":[\"ministry-review\"],"
        "\"to\":\"approved\",\"roles\":[\"ministry-reviewer\"],\"scope\":\"all\","
        "\"guards\":[\"act_recorded\"],\"approvals\":2,\"not_by_authors\":true,"
        "\"publishes\":true,\"inbox\":true,\"records\":[],\"clears\":[],"
        "\"clears_files\":false,\"back\":false,"
        "\"moves\":false},{\"action\":\"return\",\"from\":[\"ministry-review\"],"
        "\"to\":\"returned\",\"roles\":[\"ministry-reviewer\"],\"scope\":\"all\","
        "\"guards\":[\"comment_required\"],\"approvals\":1,\"not_by_authors\":false,"
        "\"publishes\":false,\"inbox\":true,\"records\":[],\"clears\":[],"
        "\"clears_files\":false,\"back\":false,"
        "\"moves\":false}]}}",
        0, NULL);
    assert_non_null(want);
    if (!json_equal(j, want)) {
        char *got = json_dumps(j, JSON_SORT_KEYS);
        print_error("got %s\n", got);
        free(got);
    }
    assert_true(json_equal(j, want));
    json_decref(want);
    json_decref(j);
    wf_workflow_free(wf);
}

/* A one-name "from" and "roles", and scope defaulting to all. */
static void test_scalar_forms(void **state)
{
    (void)state;
    char err[512];
    wf_workflow *wf;
    assert_int_equal(wf_load_file(&wf, WF_DIR "set-ok/b-fixture.yaml", &resolver, err,
                                  sizeof(err)),
                     0);
    const wf_transition *t = wf_find_transition(wf, "submit", "draft");
    assert_non_null(t);
    assert_int_equal(t->nfrom, 1);
    t = wf_find_transition(wf, "approve", "review");
    assert_int_equal(t->roles, ROLE_REVIEWER);
    assert_int_equal(t->scope, SCOPE_ALL);
    assert_int_equal(wf->edit_roles, ROLE_OFFICIAL);
    wf_workflow_free(wf);
}

static void test_set_load_dir(void **state)
{
    (void)state;
    char err[512] = "";
    wf_set *set = NULL;
    int rc = wf_set_load_dir(&set, WF_DIR "set-ok", &resolver, err, sizeof(err));
    assert_string_equal(err, "");
    assert_int_equal(rc, 0);
    assert_int_equal(wf_set_count(set), 2);
    /* Sorted by file name: a-other.yaml before b-fixture.yaml. */
    assert_string_equal(wf_set_at(set, 0)->type, "other-type");
    assert_string_equal(wf_set_at(set, 1)->type, "fixture-type");
    assert_null(wf_set_at(set, 2));
    assert_ptr_equal(wf_set_find(set, "fixture-type"), wf_set_at(set, 1));
    assert_null(wf_set_find(set, "regional-plan"));
    wf_set_free(set);
}

static void test_set_duplicate_type(void **state)
{
    (void)state;
    char err[1024];
    wf_set *set = (wf_set *)0x1;
    int rc = wf_set_load_dir(&set, WF_DIR "set-dup", &resolver, err, sizeof(err));
    assert_int_equal(rc, KENES_EINVAL);
    assert_null(set);
    assert_string_equal(err, WF_DIR "set-dup/b.yaml:2: a workflow for type 'fixture-type' is "
                             "already defined in " WF_DIR "set-dup/a.yaml");
}

static void test_set_broken_file(void **state)
{
    (void)state;
    char err[1024];
    wf_set *set = (wf_set *)0x1;
    int rc = wf_set_load_dir(&set, WF_DIR "set-broken", &resolver, err, sizeof(err));
    assert_int_equal(rc, KENES_EINVAL);
    assert_null(set);
    assert_string_equal(err, WF_DIR
                        "set-broken/b.yaml:21: unknown guard 'nope' (no plugin provides it)");
}

static void test_set_missing_dir(void **state)
{
    (void)state;
    char err[1024];
    wf_set *set = (wf_set *)0x1;
    int rc = wf_set_load_dir(&set, WF_DIR "no-such-dir", &resolver, err, sizeof(err));
    assert_int_equal(rc, KENES_ENOTFOUND); /* opendir's ENOENT, through the one mapping */
    assert_null(set);
    assert_non_null(strstr(err, WF_DIR "no-such-dir: cannot read the workflow directory"));
}

static void test_free_null(void **state)
{
    (void)state;
    wf_workflow_free(NULL);
    wf_set_free(NULL);
    assert_int_equal(wf_set_count(NULL), 0);
    assert_null(wf_set_find(NULL, "regional-plan"));
    assert_null(wf_find_transition(NULL, "submit", "draft"));
    assert_null(wf_to_json(NULL));
}

/* Every stage and action labelled in ru, kk and en, in Cyrillic where it
 * must be; the loader says which and where. */
static void test_labels_checked(void **state)
{
    (void)state;
    expect_error("labels_missing.yaml", 2,
                 "missing required top-level key 'labels' (each stage and action in ru, kk "
                 "and en)");
    expect_error("label_missing_stage.yaml", 24, "stage 'done' has no label");
    expect_error("label_unknown.yaml", 27, "a label for an unknown stage 'archived'");
    expect_error("label_latin.yaml", 24,
                 "the ru label of stage 'draft' must be written in Cyrillic");
    expect_error("label_missing_lang.yaml", 29, "missing required key 'kk' in a label");
}

static void test_labels_read(void **state)
{
    (void)state;
    char err[512] = "";
    wf_workflow *wf;
    assert_int_equal(wf_load_file(&wf, KENES_SOURCE_DIR "/workflows/regional-plan.yaml",
                                  &resolver, err, sizeof(err)),
                     0);
    assert_string_equal(wf_label(wf, "stage", "approved", "ru"), "Утверждён");
    assert_string_equal(wf_label(wf, "stage", "approved", "kk"), "Бекітілді");
    assert_string_equal(wf_label(wf, "action", "return", "en"), "Return for revision");
    assert_null(wf_label(wf, "stage", "no-such-stage", "ru"));
    assert_null(wf_label(wf, "stage", "approved", "de"));
    assert_null(wf_label(wf, "colour", "approved", "ru"));
    assert_null(wf_label(NULL, "stage", "approved", "ru"));
    wf_workflow_free(wf);
}

/* What the core does beyond moving stages is the workflow's to say. */
static void test_public_publishes_erase(void **state)
{
    (void)state;
    char err[512] = "";
    wf_workflow *wf;
    assert_int_equal(wf_load_file(&wf, WF_DIR "publish_erase_ok.yaml", &resolver, err,
                                  sizeof(err)),
                     0);
    assert_true(wf_stage_public(wf, "done"));
    assert_false(wf_stage_public(wf, "review"));
    assert_true(wf_action_publishes(wf, "approve", "review"));
    assert_false(wf_action_publishes(wf, "submit", "draft"));
    assert_false(wf_action_publishes(wf, "approve", "draft"));
    assert_true(wf_is_erasure(wf, "erase"));
    assert_false(wf_is_erasure(wf, "approve"));
    assert_string_equal(wf->erased_stage, "erased");
    assert_string_equal(wf_label(wf, "stage", "erased", "kk"), "Жойылды");
    const wf_stage *review = wf_find_stage(wf, "review");
    assert_string_equal(review->deadline_from, "checks[].due");
    assert_string_equal(review->deadline_closed_by, "done");
    json_t *j = wf_to_json(wf);
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "erase"), "stage")),
                        "erased");
    json_decref(j);
    wf_workflow_free(wf);
    /* The shipped regional plan: in-force is public, the ministry's agreement publishes. */
    assert_int_equal(wf_load_file(&wf, KENES_SOURCE_DIR "/workflows/regional-plan.yaml",
                                  &resolver, err, sizeof(err)),
                     0);
    assert_true(wf_stage_public(wf, "in-force"));
    assert_true(wf_action_publishes(wf, "agree", "ministry-agreement"));
    assert_false(wf_is_erasure(wf, "erase"));
    wf_workflow_free(wf);
}

static void test_bad_closed_by_and_erase(void **state)
{
    (void)state;
    expect_error("bad_closed_by.yaml", 8,
                 "missing required key 'closed_by' in a deadline on a list's items");
    expect_error("bad_erase.yaml", 22,
                 "the erasure 'submit' must not be a transition's action too");
}

/* record: the fields the public page shows, each under its label, read
 * through its text; the loader refuses what could not be shown. */
static void test_record_checked(void **state)
{
    (void)state;
    expect_error("record_twice.yaml", 33, "the record shows field 'act' twice");
    expect_error("record_brace.yaml", 33,
                 "the ru text of field 'act': a brace that is not a {key}");
    expect_error("record_latin.yaml", 33,
                 "the kk text of field 'act' must be written in Cyrillic");
    expect_error("record_no_label.yaml", 31,
                 "missing required key 'label' in an item of 'record'");
}

static void test_record_text(void **state)
{
    (void)state;
    char err[512] = "", *text;
    wf_workflow *wf;
    assert_int_equal(wf_load_file(&wf, WF_DIR "record_ok.yaml", &resolver, err, sizeof(err)), 0);
    assert_int_equal(wf->nrecord, 2);
    const wf_record_field *act = &wf->record[0], *order = &wf->record[1];
    assert_string_equal(act->label.text[WF_LANG_KK], "Бекіту актісі");
    json_t *fields = json_pack("{s:{s:s, s:s}, s:s}", "act", "number", "№ 15", "date",
                               "2026-02-05", "order_number", "7-п");
    assert_int_equal(wf_record_text(&text, act, "ru", fields), 0);
    assert_string_equal(text, "№ 15 от 2026-02-05");
    free(text);
    assert_int_equal(wf_record_text(&text, act, "en", fields), 0);
    assert_string_equal(text, "№ 15 of 2026-02-05");
    free(text);
    /* A string field with no text is shown as it is. */
    assert_int_equal(wf_record_text(&text, order, "kk", fields), 0);
    assert_string_equal(text, "7-п");
    free(text);
    /* A key missing among others reads "—"; none set, nothing to show. */
    json_object_del(json_object_get(fields, "act"), "number");
    assert_int_equal(wf_record_text(&text, act, "ru", fields), 0);
    assert_string_equal(text, "— от 2026-02-05");
    free(text);
    json_object_set_new(fields, "act", json_object());
    assert_int_equal(wf_record_text(&text, act, "ru", fields), 0);
    assert_null(text);
    json_object_del(fields, "act");
    json_object_del(fields, "order_number");
    assert_int_equal(wf_record_text(&text, act, "ru", fields), 0);
    assert_null(text);
    assert_int_equal(wf_record_text(&text, order, "ru", fields), 0);
    assert_null(text);
    assert_int_equal(wf_record_text(&text, act, "de", fields), KENES_EINVAL);
    assert_null(text);
    json_decref(fields);
    wf_workflow_free(wf);
}

/* The labels behind a set, as api->label reads them. */
static void test_set_label(void **state)
{
    (void)state;
    char err[512] = "";
    wf_set *set;
    assert_int_equal(wf_set_load_dir(&set, WF_DIR "set-ok", &resolver, err, sizeof(err)), 0);
    assert_string_equal(wf_set_label(set, "other-type", "stage", "review", "ru"),
                        "На рассмотрении");
    assert_null(wf_set_label(set, "no-type", "stage", "review", "ru"));
    wf_set_free(set);
}

/* Fixture name loaded with the fixture orders: the workflow; *o the
 * orders (orders_free them after it) and *res the resolver naming them. */
static wf_workflow *load_with_orders(const char *name, orders **o, wf_resolver *res)
{
    char path[1024], err[512] = "";
    wf_workflow *wf = NULL;
    *o = fixture_orders();
    *res = resolver;
    res->orders = *o;
    snprintf(path, sizeof(path), WF_DIR "%s", name);
    assert_int_equal(wf_load_file(&wf, path, res, err, sizeof(err)), 0);
    return wf;
}

/* Issue 14's keys: inbox: false on a transition, remind: on a stage,
 * deadline: {order: ...} from content/orders.yaml. */
static void test_keys14_loaded(void **state)
{
    (void)state;
    orders *o;
    wf_resolver res;
    wf_workflow *wf = load_with_orders("keys14_ok.yaml", &o, &res);
    const wf_stage *draft = wf_find_stage(wf, "draft");
    assert_true(draft->has_deadline);
    assert_string_equal(draft->deadline_order, "fixture-order");
    /* 2026-01-31 + 7 days, midnight UTC */
    assert_true(draft->deadline_at_ms == 1769817600000LL + 7 * 86400000LL);
    assert_false(draft->has_remind);
    const wf_stage *review = wf_find_stage(wf, "review");
    assert_true(review->has_remind);
    assert_int_equal(review->remind_roles, ROLE_CHAIR | ROLE_AUDITOR);
    assert_string_equal(review->remind_user_field, "accompanier.user");
    assert_true(review->remind_before_ms == 7 * 86400000LL);
    const wf_stage *done = wf_find_stage(wf, "done");
    assert_true(done->has_remind);
    assert_int_equal(done->remind_roles, 0);
    assert_string_equal(done->remind_user_field, "owner");
    assert_true(done->remind_before_ms == 0);
    assert_false(wf_find_transition(wf, "submit", "draft")->no_inbox);
    assert_true(wf_find_transition(wf, "reopen", "done")->no_inbox);
    json_t *j = wf_to_json(wf);
    json_t *stages = json_object_get(j, "stages");
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_array_get(stages, 0), "deadline"), "order")),
                        "fixture-order");
    json_t *remind = json_object_get(json_array_get(stages, 1), "remind");
    assert_string_equal(json_string_value(json_object_get(remind, "user_field")),
                        "accompanier.user");
    assert_int_equal(json_integer_value(json_object_get(remind, "before_hours")), 168);
    assert_int_equal(json_array_size(json_object_get(remind, "roles")), 2);
    json_t *reopen = json_array_get(json_object_get(j, "transitions"), 2);
    assert_true(json_is_false(json_object_get(reopen, "inbox")));
    json_decref(j);
    wf_workflow_free(wf);
    orders_free(o);
}

static void test_keys14_checked(void **state)
{
    (void)state;
    orders *o = fixture_orders();
    wf_resolver res = resolver;
    res.orders = o;
    expect_error_res(&res, "bad_inbox.yaml", 29, "'inbox' must be true or false");
    expect_error_res(&res, "bad_remind_no_deadline.yaml", 14,
                     "'remind' needs a deadline on the same stage");
    expect_error_res(&res, "bad_remind_field.yaml", 14,
                     "'user_field' must name a field holding a login, such as accompanier.user");
    expect_error_res(&res, "bad_remind_before.yaml", 14,
                     "'before' must be a whole number of days or hours, such as 7d");
    expect_error_res(&res, "bad_remind_empty.yaml", 14,
                     "'remind' needs 'roles', 'user_field' or both");
    expect_error_res(&res, "bad_remind_role.yaml", 11,
                     "unknown role 'accompanier' (expected regional-official, ministry-reviewer, "
                     "auditor, admin, commission-chair, commission-secretary, akimat-approver, agency-officer)");
    expect_error_res(&res, "unknown_order.yaml", 6,
                     "unknown order 'no-such-order' (not in content/orders.yaml)");
    expect_error_res(&res, "bad_order_after.yaml", 6,
                     "a deadline from an order takes no 'from', 'after' or 'closed_by': the "
                     "order's term is the deadline");
    orders_free(o);
    /* Without orders, nothing can name one. */
    expect_error("keys14_ok.yaml", 6, "unknown order 'fixture-order' (not in content/orders.yaml)");
}

/* Issue 15's keys: every one of them in one file, as the loader reads it. */
static void test_keys15_loaded(void **state)
{
    (void)state;
    wf_workflow *wf = NULL;
    char err[512] = "";
    assert_int_equal(wf_load_file(&wf, WF_DIR "keys15_ok.yaml", &resolver, err, sizeof(err)), 0);
    assert_string_equal(wf->region_field, "transfer.to");
    assert_string_equal(wf->agency_field, "agency");
    assert_int_equal(wf->create_scope, SCOPE_OWN_AGENCY);
    assert_int_equal(wf->nread, 3);
    assert_int_equal(wf->read[1].scope, SCOPE_NAMED_REGION);
    assert_int_equal(wf->read[2].scope, SCOPE_OWN_AGENCY);
    const wf_transition *approve = wf_find_transition(wf, "approve", "approval");
    assert_non_null(approve);
    assert_false(approve->former);
    assert_int_equal(approve->nrecords, 1);
    assert_string_equal(approve->records[0], "act");
    assert_true(wf_transition_records(approve, "act"));
    assert_false(wf_transition_records(approve, "transfer"));
    const wf_transition *transfer = wf_find_transition(wf, "transfer", "in-force");
    assert_int_equal(transfer->nrecords, 2);
    assert_string_equal(transfer->records[1], "note");
    const wf_transition *accept = wf_find_transition(wf, "accept-transfer", "moving");
    assert_true(accept->moves);
    assert_false(accept->back);
    assert_int_equal(accept->scope, SCOPE_NAMED_REGION);
    assert_int_equal(accept->nclears, 1);
    assert_string_equal(accept->clears[0], "transfer");
    const wf_transition *decline = wf_find_transition(wf, "decline-transfer", "moving");
    assert_true(decline->back);
    assert_null(decline->to);
    assert_string_equal(decline->clears[0], "transfer"); /* one name, not a list */
    assert_int_equal(wf_find_transition(wf, "report", "in-force")->scope, SCOPE_OWN_AGENCY);
    /* What only a transition records, create and edit may not write. */
    assert_true(wf_records_field(wf, "act"));
    assert_true(wf_records_field(wf, "outcome"));
    assert_false(wf_records_field(wf, "transfer.to"));
    assert_false(wf_records_field(wf, "title"));
    /* attach: */
    assert_true(wf->has_attach);
    assert_int_equal(wf->attach_roles, ROLE_OFFICIAL | ROLE_APPROVER);
    assert_int_equal(wf->attach_scope, SCOPE_OWN_REGION);
    assert_true(wf_attach_stage(wf, "draft"));
    assert_true(wf_attach_stage(wf, "approval"));
    assert_false(wf_attach_stage(wf, "in-force"));
    /* former: the stages map to today's names; the transitions are legal
     * only for verify: nothing finds them as actions. */
    assert_int_equal(wf->nformer_stages, 3);
    assert_string_equal(wf_stage_now(wf, "approved"), "in-force");
    assert_string_equal(wf_stage_now(wf, "review"), "approval");
    assert_string_equal(wf_stage_now(wf, "returned"), "draft");
    assert_string_equal(wf_stage_now(wf, "draft"), "draft");
    assert_null(wf_stage_now(wf, NULL));
    assert_true(wf_is_former_stage(wf, "approved"));
    assert_false(wf_is_former_stage(wf, "in-force"));
    assert_null(wf_find_stage(wf, "approved"));
    assert_null(wf_find_transition(wf, "submit", "returned"));
    assert_null(wf_find_transition(wf, "return", "review"));
    assert_false(wf_has_action(wf, "return"));
    assert_true(wf_has_action(wf, "submit"));
    const wf_transition *old_submit = wf_find_former_transition(wf, "submit", "draft");
    assert_non_null(old_submit);
    assert_true(old_submit->former);
    assert_string_equal(old_submit->to, "review");
    assert_ptr_equal(wf_find_former_transition(wf, "submit", "returned"), old_submit);
    assert_ptr_not_equal(wf_find_transition(wf, "submit", "draft"), old_submit);
    const wf_transition *old_approve = wf_find_former_transition(wf, "approve", "review");
    assert_int_equal(old_approve->approvals, 2);
    assert_true(old_approve->not_by_authors);
    assert_null(wf_find_former_transition(wf, "approve", "approval"));
    /* Former stages and actions keep their labels: history shows them. */
    assert_string_equal(wf_label(wf, "stage", "approved", "kk"), "Бекітілді");
    assert_string_equal(wf_label(wf, "action", "return", "en"), "Return for revision");
    wf_workflow_free(wf);
}

/* wf_to_json shows every new key; former transitions only under "former". */
static void test_keys15_json(void **state)
{
    (void)state;
    wf_workflow *wf = NULL;
    char err[512] = "";
    assert_int_equal(wf_load_file(&wf, WF_DIR "keys15_ok.yaml", &resolver, err, sizeof(err)), 0);
    json_t *j = wf_to_json(wf);
    assert_string_equal(json_string_value(json_object_get(j, "region_field")), "transfer.to");
    assert_string_equal(json_string_value(json_object_get(j, "agency_field")), "agency");
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "create"), "scope")),
                        "own-agency");
    json_t *read = json_object_get(j, "read");
    assert_string_equal(json_string_value(json_object_get(json_array_get(read, 1), "scope")),
                        "named-region");
    json_t *tr = json_object_get(j, "transitions");
    assert_int_equal(json_array_size(tr), 6);
    json_t *want = json_loads(
        "{\"action\":\"decline-transfer\",\"from\":[\"moving\"],\"to\":null,"
        "\"roles\":[\"commission-chair\"],\"scope\":\"named-region\",\"guards\":[],"
        "\"approvals\":1,\"not_by_authors\":false,\"publishes\":false,\"inbox\":true,"
        "\"records\":[],\"clears\":[\"transfer\"],"
        "\"clears_files\":false,\"back\":true,\"moves\":false}",
        0, NULL);
    assert_true(json_equal(json_array_get(tr, 4), want));
    json_decref(want);
    json_t *accept = json_array_get(tr, 3);
    assert_true(json_is_true(json_object_get(accept, "moves")));
    json_t *approve = json_array_get(tr, 1);
    assert_string_equal(json_string_value(json_array_get(json_object_get(approve, "records"), 0)),
                        "act");
    want = json_loads("{\"roles\":[\"regional-official\",\"akimat-approver\"],"
                      "\"scope\":\"own-region\",\"stages\":[\"draft\",\"approval\"]}",
                      0, NULL);
    assert_true(json_equal(json_object_get(j, "attach"), want));
    json_decref(want);
    json_t *former = json_object_get(j, "former");
    want = json_loads("{\"approved\":\"in-force\",\"review\":\"approval\",\"returned\":\"draft\"}",
                      0, NULL);
    assert_true(json_equal(json_object_get(former, "stages"), want));
    json_decref(want);
    json_t *ftr = json_object_get(former, "transitions");
    assert_int_equal(json_array_size(ftr), 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(ftr, 2), "to")),
                        "returned");
    assert_string_equal(json_string_value(json_object_get(json_array_get(ftr, 0), "action")),
                        "submit");
    json_decref(j);
    wf_workflow_free(wf);
}

/* The fix round of issue 15: a deadline that binds the first edition only
 * (editions: first), and a transition that clears the version's files. */
static void test_editions_and_clears_files(void **state)
{
    (void)state;
    orders *o;
    wf_resolver res;
    wf_workflow *wf = load_with_orders("editions_ok.yaml", &o, &res);
    assert_true(wf_find_stage(wf, "draft")->deadline_first_edition);
    assert_string_equal(wf_find_stage(wf, "draft")->deadline_order, "fixture-order");
    assert_false(wf_find_stage(wf, "review")->deadline_first_edition);
    assert_false(wf_find_stage(wf, "done")->deadline_first_edition);
    assert_true(wf_find_transition(wf, "amend", "in-force")->clears_files);
    assert_false(wf_find_transition(wf, "submit", "draft")->clears_files);
    json_t *j = wf_to_json(wf);
    json_t *stages = json_object_get(j, "stages");
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_array_get(stages, 0), "deadline"), "editions")),
                        "first");
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_array_get(stages, 1), "deadline"), "editions")),
                        "all");
    json_t *tr = json_object_get(j, "transitions");
    assert_true(json_is_true(json_object_get(json_array_get(tr, 2), "clears_files")));
    assert_true(json_is_false(json_object_get(json_array_get(tr, 0), "clears_files")));
    json_decref(j);
    wf_workflow_free(wf);

    expect_error_res(&res, "bad_editions.yaml", 7,
                     "'editions' must be 'first' (until the text first comes into force) or "
                     "'all'");
    expect_error_res(&res, "clears_files_no_attach.yaml", 19,
                     "'clears_files' needs the workflow's 'attach:' (no files otherwise)");
    expect_error_res(&res, "bad_clears_files.yaml", 20, "'clears_files' must be true or false");
    orders_free(o);
}

/* The roster's and the plan's amend clear the files; the roster's order
 * deadline binds the first edition only. */
static void test_chain_workflows_fix15(void **state)
{
    (void)state;
    orders *o = NULL;
    char err[512] = "";
    assert_int_equal(orders_load(&o, KENES_SOURCE_DIR "/content/orders.yaml", err, sizeof(err)),
                     0);
    wf_resolver res = resolver;
    res.orders = o;
    wf_workflow *wf = NULL;
    assert_int_equal(wf_load_file(&wf, KENES_SOURCE_DIR "/workflows/commission-roster.yaml", &res,
                                  err, sizeof(err)),
                     0);
    static const char *const due[] = {"draft", "regional-approval", "ministry-agreement"};
    for (size_t i = 0; i < 3; i++) {
        const wf_stage *st = wf_find_stage(wf, due[i]);
        assert_non_null(st->deadline_order);
        assert_true(st->deadline_first_edition);
    }
    assert_true(wf_find_transition(wf, "amend", "in-force")->clears_files);
    assert_false(wf_find_transition(wf, "return", "regional-approval")->clears_files);
    wf_workflow_free(wf);
    wf = NULL;
    assert_int_equal(wf_load_file(&wf, KENES_SOURCE_DIR "/workflows/regional-plan.yaml", &res,
                                  err, sizeof(err)),
                     0);
    assert_true(wf_find_transition(wf, "amend", "in-force")->clears_files);
    wf_workflow_free(wf);
    orders_free(o);
}

/* Each fault of issue 15's keys, named by file and line. */
static void test_keys15_checked(void **state)
{
    (void)state;
    expect_error("back_and_to.yaml", 18, "a transition takes 'to' or 'back: true', not both");
    expect_error("bad_back.yaml", 18, "'back' must be true or false");
    expect_error("moves_no_region_field.yaml", 20,
                 "'moves' needs the workflow's 'region_field' (where the new region is)");
    expect_error("bad_records.yaml", 20,
                 "'records' names top-level fields, such as act (not 'act.number')");
    expect_error("records_twice.yaml", 20, "'records' names field 'act' twice");
    expect_error("recorded_and_cleared.yaml", 21, "field 'transfer' is both recorded and cleared");
    expect_error("named_region_no_field.yaml", 20,
                 "scope 'named-region' needs the workflow's 'region_field'");
    expect_error("own_agency_no_field.yaml", 21,
                 "scope 'own-agency' needs the workflow's 'agency_field'");
    expect_error("named_region_create.yaml", 10,
                 "scope 'named-region' cannot be used here (a document being created names no "
                 "region yet)");
    expect_error("bad_region_field.yaml", 4,
                 "'region_field' must name a field under fields, such as transfer.to");
    expect_error("bad_agency_field.yaml", 4,
                 "'agency_field' must name a field under fields, such as agency");
    expect_error("attach_unknown_stage.yaml", 20,
                 "unknown stage 'signed' in 'attach' (not declared in 'stages')");
    expect_error("attach_no_stages.yaml", 20, "missing required key 'stages' in 'attach'");
    expect_error("attach_named_region.yaml", 20,
                 "scope 'named-region' needs the workflow's 'region_field'");
    expect_error("former_stage_current.yaml", 21, "former stage 'draft' is a stage of today too");
    expect_error("former_maps_unknown.yaml", 21,
                 "former stage 'approved' maps to unknown stage 'don' (not declared in 'stages')");
    expect_error("former_bad_key.yaml", 21,
                 "unknown key 'stage' in 'former' (expected stages, transitions)");
    expect_error("former_transition_stage.yaml", 23,
                 "unknown stage 'reviewed' (not declared in 'stages' or 'former.stages')");
    expect_error("former_stage_today.yaml", 18,
                 "unknown stage 'approved' (not declared in 'stages')");
    expect_error("former_no_label.yaml", 24,
                 "former stage 'approved' has no label (history shows it)");
    expect_error("former_twice.yaml", 24,
                 "action 'finish' is declared twice from stage 'review' (first at line 23)");
    expect_error("former_action_label.yaml", 29, "action 'approve' has no label");
    /* Without to: and without back: the message of old stands. */
    expect_error("missing_to.yaml", 17, "missing required key 'to' in a transition");
}

/* content/orders.yaml's reader: each fault named by file and line. */
static void expect_orders_error(const char *name, int line, const char *message)
{
    char path[1024], want[2048], err[1024];
    snprintf(path, sizeof(path), KENES_TEST_DATA_DIR "/orders/%s", name);
    snprintf(want, sizeof(want), "%s:%d: %s", path, line, message);
    orders *o = (orders *)0x1;
    assert_int_equal(orders_load(&o, path, err, sizeof(err)), KENES_EINVAL);
    assert_null(o);
    assert_string_equal(err, want);
}

static void test_orders(void **state)
{
    (void)state;
    orders *o = fixture_orders();
    long long date, due;
    assert_int_equal(orders_dates(o, "fixture-order", &date, &due), 0);
    assert_true(date == 1769817600000LL);
    assert_true(due == date + 7 * 86400000LL);
    assert_int_equal(orders_dates(o, "same-day", NULL, &due), 0);
    assert_int_equal(orders_dates(o, "nope", &date, &due), KENES_ENOTFOUND);
    assert_int_equal(orders_dates(NULL, "same-day", &date, &due), KENES_ENOTFOUND);
    assert_string_equal(orders_title(o, "same-day", "kk"), "Бұйрық");
    assert_null(orders_title(o, "same-day", "de"));
    orders_free(o);
    orders_free(NULL);
    /* A missing file is no order at all, not a fault. */
    assert_int_equal(orders_load(&o, KENES_TEST_DATA_DIR "/orders/none.yaml", NULL, 0), 0);
    assert_int_equal(orders_dates(o, "fixture-order", NULL, NULL), KENES_ENOTFOUND);
    orders_free(o);
    /* The real file: the roster order of 31 January 2026, a week. */
    char err[512] = "";
    assert_int_equal(orders_load(&o, KENES_SOURCE_DIR "/content/orders.yaml", err, sizeof(err)), 0);
    assert_int_equal(orders_dates(o, "roster-2026", &date, &due), 0);
    assert_true(date == 1769817600000LL && due == 1770422400000LL);
    for (int i = 0; i < 3; i++)
        assert_non_null(orders_title(o, "roster-2026", (const char *[]){"ru", "kk", "en"}[i]));
    orders_free(o);

    expect_orders_error("bad_date.yaml", 8, "'date' must be a date such as 2026-01-31");
    expect_orders_error("bad_term.yaml", 9,
                        "'term_days' must be a whole number of days from 0 to 3650");
    expect_orders_error("dup_name.yaml", 7, "order 'fixture-order' is named twice");
    expect_orders_error("bad_name.yaml", 7,
                        "'name' must be lower-case letters, digits and '-', such as roster-2026");
    expect_orders_error("no_kk.yaml", 10, "the title needs 'kk' words");
    expect_orders_error("unknown_key.yaml", 10, "unknown or repeated key 'colour' in an order");
    expect_orders_error("no_date.yaml", 7, "an order needs 'date'");
    expect_orders_error("not_list.yaml", 1, "'orders' must be a list");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_labels_checked),
        cmocka_unit_test(test_labels_read),
        cmocka_unit_test(test_public_publishes_erase),
        cmocka_unit_test(test_keys14_loaded),
        cmocka_unit_test(test_editions_and_clears_files),
        cmocka_unit_test(test_chain_workflows_fix15),
        cmocka_unit_test(test_keys14_checked),
        cmocka_unit_test(test_orders),
        cmocka_unit_test(test_keys15_loaded),
        cmocka_unit_test(test_keys15_json),
        cmocka_unit_test(test_keys15_checked),
        cmocka_unit_test(test_bad_closed_by_and_erase),
        cmocka_unit_test(test_set_label),
        cmocka_unit_test(test_record_checked),
        cmocka_unit_test(test_record_text),
        cmocka_unit_test(test_syntax_error),
        cmocka_unit_test(test_empty_file),
        cmocka_unit_test(test_not_mapping),
        cmocka_unit_test(test_unknown_top_key),
        cmocka_unit_test(test_unknown_transition_key),
        cmocka_unit_test(test_unknown_stage_key),
        cmocka_unit_test(test_unknown_create_key),
        cmocka_unit_test(test_duplicate_key),
        cmocka_unit_test(test_missing_type),
        cmocka_unit_test(test_missing_initial),
        cmocka_unit_test(test_missing_stages),
        cmocka_unit_test(test_missing_transitions),
        cmocka_unit_test(test_missing_to),
        cmocka_unit_test(test_unknown_type),
        cmocka_unit_test(test_duplicate_stage),
        cmocka_unit_test(test_bad_editable),
        cmocka_unit_test(test_bad_resident),
        cmocka_unit_test(test_unknown_initial),
        cmocka_unit_test(test_unknown_from),
        cmocka_unit_test(test_unknown_to),
        cmocka_unit_test(test_unknown_role),
        cmocka_unit_test(test_unknown_edit_role),
        cmocka_unit_test(test_unknown_scope),
        cmocka_unit_test(test_unknown_guard),
        cmocka_unit_test(test_duplicate_action),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_no_resolver),
        cmocka_unit_test(test_small_error_buffer),
        cmocka_unit_test(test_regional_plan_workflow),
        cmocka_unit_test(test_to_json),
        cmocka_unit_test(test_bad_deadline_after),
        cmocka_unit_test(test_bad_deadline_from),
        cmocka_unit_test(test_bad_read),
        cmocka_unit_test(test_bad_approvals),
        cmocka_unit_test(test_deadline_and_read_loaded),
        cmocka_unit_test(test_scalar_forms),
        cmocka_unit_test(test_set_load_dir),
        cmocka_unit_test(test_set_duplicate_type),
        cmocka_unit_test(test_set_broken_file),
        cmocka_unit_test(test_set_missing_dir),
        cmocka_unit_test(test_free_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
