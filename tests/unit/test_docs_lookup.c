/* What the document service looks up for others: the inbox's reminders
 * (remind:) and the actions that are no to-do (inbox: false), and what a
 * plugin reads of other documents and of its workflow (api->doc_each,
 * doc_with, param: docs/lookup.c).  The workflows are a fixture
 * (tests/data/workflows/inbox-set); the clock is fixed (KENES_NOW). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "docs/docs.h"
#include "docs_fixture.h"
#include "fixture_files.h"
#include "plugin/kapi.h"

static docs_service svc;
static char scratch[256];
static auth_user chair11 = {.name = "chair11", .role = ROLE_CHAIR, .region = "KZ-11"};
static auth_user chair15 = {.name = "chair15", .role = ROLE_CHAIR, .region = "KZ-15"};
static auth_user acc11 = {.name = "acc11", .role = ROLE_OFFICIAL, .region = "KZ-11"};
static auth_user acc15 = {.name = "acc15", .role = ROLE_OFFICIAL, .region = "KZ-15"};
static auth_user aud = {.name = "aud", .role = ROLE_AUDITOR};

/* One document with one committed version (its commit: n in 40 digits);
 * a case gets a key unless it is to stand erased. */
static void add(const char *json, int n, int erased)
{
    json_error_t e;
    json_t *doc = json_loads(json, 0, &e);
    assert_non_null(doc);
    const char *id = json_string_value(json_object_get(doc, "id"));
    idx_doc *d;
    assert_int_equal(index_add(&d, svc.index, id), 0);
    int cases = strncmp(id, "case/", 5) == 0;
    d->repo = cases ? REPO_CASES : REPO_DOCUMENTS;
    char stage[64], who[] = "x", action[] = "create";
    snprintf(stage, sizeof(stage), "%s", json_string_value(json_object_get(doc, "stage")));
    idx_version v = {.time_ms = 1770000000000, .author = who, .role = who, .action = action,
                     .to = stage};
    snprintf(v.commit, sizeof(v.commit), "%040d", n);
    assert_int_equal(index_add_version(d, &v), 0);
    index_set_doc(d, doc);
    if (cases && !erased) {
        char *wrapped;
        size_t len;
        assert_int_equal(vault_new_key(svc.vault, id, &wrapped, &len), 0);
        free(wrapped);
    }
}

/* A case of region in stage, its accompanier's login and its one open check's due date. */
static void add_case(const char *id, const char *region, const char *stage, const char *login,
                     const char *due, int n, int erased)
{
    char json[1024];
    snprintf(json, sizeof(json),
             "{\"id\":\"%s\",\"type\":\"case-review\",\"region\":\"%s\",\"title\":null,"
             "\"stage\":\"%s\",\"body\":\"\",\"fields\":{\"child\":{\"pseudonym\":\"P-%d\"},"
             "\"accompanier\":{\"user\":\"%s\"},\"follow_ups\":[{\"due\":\"2026-01-10\","
             "\"done\":\"2026-01-09\"},{\"due\":\"%s\"}]}}",
             id, region, stage, n, login, due);
    add(json, n, erased);
}

static int setup(void **state)
{
    (void)state;
    char err[512], keys[300], master[300];
    setenv("KENES_NOW", "2026-03-01T00:00:00Z", 1);
    if (scratch_dir_new(scratch, sizeof(scratch), "lookup") != 0 ||
        keys_dir_new(keys, sizeof(keys), master, sizeof(master), scratch) != 0 ||
        vault_create_master(master) != 0 || vault_open(&svc.vault, keys, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    if (docs_fixture_open(&svc, KENES_TEST_DATA_DIR "/workflows/inbox-set", 0) != 0)
        return -1;
    add_case("case/KZ-11/0001", "KZ-11", "in-accompaniment", "acc11", "2026-03-05", 1, 0);
    add_case("case/KZ-11/0002", "KZ-11", "in-accompaniment", "acc11", "2026-04-01", 2, 0);
    add_case("case/KZ-11/0003", "KZ-11", "closed", "acc11", "2026-02-01", 3, 0);
    add_case("case/KZ-11/0004", "KZ-11", "in-accompaniment", "acc15", "2026-02-01", 4, 0);
    add_case("case/KZ-11/0005", "KZ-11", "in-accompaniment", "acc11", "2026-03-02", 5, 1);
    add_case("case/KZ-15/0001", "KZ-15", "in-accompaniment", "acc15", "2026-03-03", 6, 0);
    add("{\"id\":\"plan/KZ-11/2026\",\"type\":\"regional-plan\",\"region\":\"KZ-11\","
        "\"title\":\"План\",\"stage\":\"draft\",\"fields\":{},\"body\":\"\"}",
        7, 0);
    docs_attach_api(&svc);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    docs_fixture_close(&svc);
    scratch_dir_remove(scratch);
    unsetenv("KENES_NOW");
    return 0;
}

/* u's inbox as "id:action,action:r" lines joined by spaces (r: a reminder). */
static char *inbox(const auth_user *u)
{
    static char out[1024];
    json_t *items, *e, *a;
    size_t i, j;
    assert_int_equal(docs_inbox(&items, &svc, u), 0);
    out[0] = '\0';
    json_array_foreach(items, i, e)
    {
        size_t n = strlen(out);
        n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%s:", n ? " " : "",
                              json_string_value(json_object_get(e, "id")));
        json_array_foreach(json_object_get(e, "actions"), j, a)
            n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%s", j ? "," : "",
                                  json_string_value(a));
        assert_true(json_is_boolean(json_object_get(e, "reminder")));
        if (json_is_true(json_object_get(e, "reminder")))
            snprintf(out + n, sizeof(out) - n, ":r");
        /* A reminder is a list entry like any: a case only by its summary. */
        assert_null(json_object_get(e, "fields"));
    }
    json_decref(items);
    return out;
}

static void test_inbox_reminders(void **state)
{
    (void)state;
    /* The chair: the overdue check first, the one due within 7 days, the
     * one due in a month without a reminder; the closed case (reopen is
     * inbox: false) and the erased one nowhere. */
    assert_string_equal(inbox(&chair11), "case/KZ-11/0004:close:r case/KZ-11/0001:close:r "
                                         "case/KZ-11/0002:close");
    /* The accompanier acts on nothing there, yet is reminded of their case
     * (not of 0004, whose accompanier is someone else, nor 0002, not yet). */
    assert_string_equal(inbox(&acc11), "case/KZ-11/0001::r");
    /* Named as accompanier of a KZ-11 case, but may not read it: nothing of it. */
    assert_string_equal(inbox(&acc15), "case/KZ-15/0001::r");
    assert_string_equal(inbox(&chair15), "case/KZ-15/0001:close:r");
    /* An auditor reads every case, but remind: does not name the role. */
    assert_string_equal(inbox(&aud), "");
}

static void test_inbox_false_still_open(void **state)
{
    (void)state;
    /* Left out of the inbox, reopen stays an action the chair may take. */
    json_t *a;
    assert_int_equal(docs_actions(&a, &svc, &chair11, index_get(svc.index, "case/KZ-11/0003")),
                     0);
    assert_int_equal(json_array_size(a), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(a, 0), "action")),
                        "reopen");
    json_decref(a);
}

/* doc_each's visits as "id@version-tail" joined by spaces. */
typedef struct seen {
    char text[512];
    int stop_after; /* stop (answer 7) after this many; 0: never */
    int count;
} seen;

static int visit(const kenes_doc *doc, void *arg)
{
    seen *s = arg;
    const kenes_api *api = kapi_get();
    size_t n = strlen(s->text);
    const char *version = api->doc_get(doc, "version");
    assert_non_null(version);
    snprintf(s->text + n, sizeof(s->text) - n, "%s%s@%s", n ? " " : "", api->doc_get(doc, "id"),
             version + strlen(version) - 1);
    return ++s->count == s->stop_after ? 7 : 0;
}

static const char *each(const char *type, const char *region)
{
    static seen s;
    memset(&s, 0, sizeof(s));
    assert_int_equal(kapi_get()->doc_each(type, region, visit, &s), 0);
    return s.text;
}

static void test_doc_each_and_with(void **state)
{
    (void)state;
    const kenes_api *api = kapi_get();
    assert_true(KENES_API_HAS(api, order_dates));
    /* id order, the erased case left out, each at its version */
    assert_string_equal(each("case-review", "KZ-11"),
                        "case/KZ-11/0001@1 case/KZ-11/0002@2 case/KZ-11/0003@3 "
                        "case/KZ-11/0004@4");
    assert_string_equal(each("case-review", NULL),
                        "case/KZ-11/0001@1 case/KZ-11/0002@2 case/KZ-11/0003@3 "
                        "case/KZ-11/0004@4 case/KZ-15/0001@6");
    assert_string_equal(each(NULL, "KZ-15"), "case/KZ-15/0001@6");
    assert_string_equal(each("regional-plan", NULL), "plan/KZ-11/2026@7");
    assert_string_equal(each("commission-roster", NULL), "");
    assert_string_equal(each("case-review", "KZ-99"), "");
    /* A non-zero answer stops the walk and is the walk's. */
    seen s = {.stop_after = 2};
    assert_int_equal(api->doc_each("case-review", NULL, visit, &s), 7);
    assert_string_equal(s.text, "case/KZ-11/0001@1 case/KZ-11/0002@2");

    seen w = {{0}, 0, 0};
    assert_int_equal(api->doc_with("case/KZ-15/0001", visit, &w), 0);
    assert_string_equal(w.text, "case/KZ-15/0001@6");
    assert_int_equal(api->doc_with("case/KZ-11/0005", visit, &w), KENES_ENOTFOUND);
    assert_int_equal(api->doc_with("case/KZ-11/9999", visit, &w), KENES_ENOTFOUND);
    assert_int_equal(w.count, 1);
}

/* doc_get(doc, "written"): the commit of the version that last wrote the
 * fields (create or edit), not a later transition's; version_before with
 * no repository attached knows no order. */
static int read_written(const kenes_doc *doc, void *arg)
{
    const char *w = kapi_get()->doc_get(doc, "written");
    snprintf(arg, 48, "%s", w ? w : "(null)");
    return 0;
}

static void test_written(void **state)
{
    (void)state;
    const kenes_api *api = kapi_get();
    assert_true(KENES_API_HAS(api, version_before));
    char text[48], want[48];
    assert_int_equal(api->doc_with("plan/KZ-11/2026", read_written, text), 0);
    snprintf(want, sizeof(want), "%040d", 7);
    assert_string_equal(text, want); /* its create */
    idx_doc *d = index_get(svc.index, "plan/KZ-11/2026");
    char who[] = "x", edit[] = "edit", submit[] = "submit", draft[] = "draft",
         review[] = "regional-approval";
    idx_version v = {.time_ms = 1770000000000, .author = who, .role = who, .action = edit,
                     .from = draft, .to = draft};
    snprintf(v.commit, sizeof(v.commit), "%040d", 8);
    assert_int_equal(index_add_version(d, &v), 0);
    v.action = submit;
    v.to = review;
    snprintf(v.commit, sizeof(v.commit), "%040d", 9);
    assert_int_equal(index_add_version(d, &v), 0);
    snprintf(d->version, sizeof(d->version), "%040d", 9);
    assert_int_equal(api->doc_with("plan/KZ-11/2026", read_written, text), 0);
    snprintf(want, sizeof(want), "%040d", 8);
    assert_string_equal(text, want); /* the edit, not the submit after it */
    assert_int_equal(api->version_before(d->id, want, d->id, d->version), 0);
    assert_int_equal(api->version_before(d->id, NULL, d->id, want), KENES_EINVAL);
    assert_int_equal(api->version_before(NULL, want, d->id, d->version), KENES_EINVAL);
    assert_int_equal(api->version_before(d->id, want, NULL, d->version), KENES_EINVAL);
}

static void test_param(void **state)
{
    (void)state;
    const kenes_api *api = kapi_get();
    assert_string_equal(api->param("case-review", "review_days"), "15");
    assert_null(api->param("case-review", "quorum"));
    assert_null(api->param("regional-plan", "review_days")); /* no workflow for it here */
    assert_null(api->param("no-such-type", "review_days"));
    /* Detached (the service is going away): nothing is found. */
    docs_detach_api(&svc);
    assert_null(api->param("case-review", "review_days"));
    assert_string_equal(each("case-review", NULL), "");
    seen w = {{0}, 0, 0};
    assert_int_equal(api->doc_with("case/KZ-15/0001", visit, &w), KENES_ENOTFOUND);
    docs_attach_api(&svc);
    assert_string_equal(api->param("case-review", "review_days"), "15");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inbox_reminders),
        cmocka_unit_test(test_inbox_false_still_open),
        cmocka_unit_test(test_doc_each_and_with),
        cmocka_unit_test(test_written),
        cmocka_unit_test(test_param),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
