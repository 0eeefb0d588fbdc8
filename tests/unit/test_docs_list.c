/* The lists' search (docs_filter.q) as the loop answers it: a document by
 * the words of its title, folded; a case by its pseudonym only, never by
 * its text; never a body (bodies are searched on the thread pool:
 * docs_list_search, tests/e2e/test_walks.py); and what can be done now
 * (docs_actions, docs_approvals). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "docs/docs.h"
#include "docs/entry.h"
#include "docs_fixture.h"

static docs_service svc;
static auth_user off11 = {.name = "off11", .role = ROLE_OFFICIAL, .region = "KZ-11"};
static auth_user off15 = {.name = "off15", .role = ROLE_OFFICIAL, .region = "KZ-15"};
static auth_user rev1 = {.name = "rev1", .role = ROLE_REVIEWER};
static auth_user rev2 = {.name = "rev2", .role = ROLE_REVIEWER};

static void add(const char *id, int repo, const char *json, const char *const *actions)
{
    idx_doc *d;
    assert_int_equal(index_add(&d, svc.index, id), 0);
    json_error_t e;
    json_t *doc = json_loads(json, 0, &e);
    assert_non_null(doc);
    index_set_doc(d, doc);
    d->repo = repo;
    /* author:action:from:to[:approval] */
    for (int i = 0; actions[i]; i++) {
        char buf[256], *f[5] = {0};
        snprintf(buf, sizeof(buf), "%s", actions[i]);
        char *p = buf;
        for (int k = 0; k < 5 && p; k++) {
            f[k] = p;
            p = strchr(p, ':');
            if (p)
                *p++ = '\0';
        }
        idx_version v = {.time_ms = 1770000000000 + i * 1000, .author = f[0], .role = "x",
                         .action = f[1], .from = f[2] && *f[2] ? f[2] : NULL, .to = f[3],
                         .approval = f[4]};
        snprintf(v.commit, sizeof(v.commit), "%040d", i + 1);
        assert_int_equal(index_add_version(d, &v), 0);
    }
    /* What write_done and the start-up load keep of it (docs/entry.h). */
    assert_int_equal(docs_entry_keep(&svc, d, d->doc), 0);
}

static int setup(void **state)
{
    (void)state;
    if (docs_fixture_open(&svc, KENES_SOURCE_DIR "/workflows", 1) != 0)
        return -1;
    /* The chain: sent to the akimat, approved there, agreed to by one reviewer of two. */
    static const char *const plan_v[] = {
        "off11:create::draft", "off11:submit:draft:regional-approval",
        "appr1:approve:regional-approval:ministry-agreement",
        "rev1:agree:ministry-agreement:ministry-agreement:1/2", NULL};
    add("plan/KZ-11/2026", REPO_DOCUMENTS,
        "{\"id\":\"plan/KZ-11/2026\",\"type\":\"regional-plan\",\"region\":\"KZ-11\","
        "\"title\":\"План Акмолинской области\",\"stage\":\"ministry-agreement\",\"fields\":{},"
        "\"body\":\"# План\\n\\nШкольные МЕДИАТОРЫ, выездные бригады; проект Kenes.\\n\"}",
        plan_v);
    static const char *const roster_v[] = {"off15:create::draft", NULL};
    add("roster/KZ-15/2026-02", REPO_DOCUMENTS,
        "{\"id\":\"roster/KZ-15/2026-02\",\"type\":\"commission-roster\",\"region\":\"KZ-15\","
        "\"title\":\"Состав комиссии\",\"stage\":\"draft\",\"fields\":{},\"body\":\"Ёлки\"}",
        roster_v);
    static const char *const case_v[] = {"off11:create::registered", NULL};
    add("case/KZ-11/0001", REPO_CASES,
        "{\"id\":\"case/KZ-11/0001\",\"type\":\"case-review\",\"region\":\"KZ-11\","
        "\"title\":null,\"stage\":\"registered\",\"body\":\"Секретная подробность медиаторы\","
        "\"fields\":{\"child\":{\"pseudonym\":\"K11-0042\",\"full_name\":\"Айгерим Нурланова\","
        "\"birth_date\":\"2012-03-04\",\"address\":\"ул. Абая\",\"school\":\"Гимназия\"}}}",
        case_v);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    docs_fixture_close(&svc);
    return 0;
}

/* The ids docs_list answers for q, joined by spaces. */
static char *found(const auth_user *u, const char *q)
{
    static char out[512];
    json_t *list;
    docs_filter f = {.overdue = -1, .q = q};
    assert_int_equal(docs_list(&list, &svc, u, &f), 0);
    out[0] = '\0';
    size_t i;
    json_t *e;
    json_array_foreach(list, i, e)
    {
        size_t n = strlen(out);
        snprintf(out + n, sizeof(out) - n, "%s%s", n ? " " : "",
                 json_string_value(json_object_get(e, "id")));
    }
    json_decref(list);
    return out;
}

static void test_title_and_body_folded(void **state)
{
    (void)state;
    /* The body's words: not on the loop. */
    assert_string_equal(found(&off11, "медиаторы"), "");
    assert_string_equal(found(&off11, "ВЫЕЗДНЫЕ,   бригады"), "");
    assert_string_equal(found(&off11, "ёлки"), "");
    assert_string_equal(found(&off11, "акмолинской"), "plan/KZ-11/2026"); /* the title */
    assert_string_equal(found(&off11, "АКМОЛИН"), "plan/KZ-11/2026");    /* a word's start */
    assert_string_equal(found(&off11, "кмолинской"), "");                /* not its middle */
    assert_string_equal(found(&off11, "СОСТАВ   комиссии"), "roster/KZ-15/2026-02");
    /* Nothing but punctuation asks for nothing: the whole list. */
    assert_string_equal(found(&off11, "!!"), "case/KZ-11/0001 plan/KZ-11/2026 roster/KZ-15/2026-02");
    assert_string_equal(found(&off11, NULL), "case/KZ-11/0001 plan/KZ-11/2026 roster/KZ-15/2026-02");
}

static void test_case_by_pseudonym_only(void **state)
{
    (void)state;
    assert_string_equal(found(&off11, "k11-0042"), "case/KZ-11/0001");
    assert_string_equal(found(&off11, "K11 0042"), "case/KZ-11/0001");
    assert_string_equal(found(&off11, "секретная"), "");
    assert_string_equal(found(&off11, "Айгерим"), "");
    assert_string_equal(found(&off11, "2012"), "");
    /* Its word in the case's body never finds the case. */
    assert_string_equal(found(&off11, "медиаторы"), "");
    /* Another region's official may not read it: not even its pseudonym finds it. */
    assert_string_equal(found(&off15, "K11-0042"), "");
}

static void test_actions_and_approvals(void **state)
{
    (void)state;
    idx_doc *d = index_get(svc.index, "plan/KZ-11/2026");
    json_t *a;
    assert_int_equal(docs_actions(&a, &svc, &rev2, d), 0);
    assert_int_equal(json_array_size(a), 2);
    json_t *ret = json_array_get(a, 0), *approve = json_array_get(a, 1);
    assert_string_equal(json_string_value(json_object_get(approve, "action")), "agree");
    assert_int_equal(json_integer_value(json_object_get(approve, "approvals")), 2);
    assert_int_equal(json_integer_value(json_object_get(approve, "given")), 1);
    assert_true(json_is_false(json_object_get(approve, "again")));
    assert_true(json_is_false(json_object_get(approve, "comment_required")));
    assert_string_equal(json_string_value(json_object_get(ret, "action")), "return");
    assert_true(json_is_true(json_object_get(ret, "comment_required")));
    json_decref(a);
    /* The first reviewer has given one: a second would be refused. */
    assert_int_equal(docs_actions(&a, &svc, &rev1, d), 0);
    assert_true(json_is_true(json_object_get(json_array_get(a, 1), "again")));
    json_decref(a);
    /* The official acts on nothing under review. */
    assert_int_equal(docs_actions(&a, &svc, &off11, d), 0);
    assert_int_equal(json_array_size(a), 0);
    json_decref(a);
    assert_int_equal(docs_approvals(&a, &svc, d), 0);
    assert_int_equal(json_array_size(a), 1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(a, 0), "given")), 1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(a, 0), "approvals")), 2);
    json_decref(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_title_and_body_folded),
        cmocka_unit_test(test_case_by_pseudonym_only),
        cmocka_unit_test(test_actions_and_approvals),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
