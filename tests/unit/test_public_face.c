/* The version in force while an amendment goes through the chain
 * (docs/public_face.c): the index keeps the version a commit leaves a public
 * stage with, and forgets it when one enters a public stage again; the
 * public face, "in_force", the editions of the history, the lists' flag,
 * api->doc_each_public, and the reports (publish/report.c) all see it.  The
 * commits are made the way docs.c's write_done makes them (the face kept,
 * then the version recorded); the workflow is a fixture
 * (tests/data/workflows/force-set: draft -> agreement -> in-force, amend
 * back to draft; its former public stage was `approved`). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "docs/docs.h"
#include "docs/entry.h"
#include "docs_fixture.h"
#include "plugin/kapi.h"
#include "plugin/region.h"
#include "publish/report.h"
#include "storage/hpack.h"
#include "storage/index.h"

static docs_service svc;
static auth_user off11 = {.name = "off11", .role = ROLE_OFFICIAL, .region = "KZ-11"};

/* A plan (plan/<region>/<year>) in stage, whose one measure is called measure. */
static json_t *plan(const char *id, const char *stage, const char *measure)
{
    char region[8];
    snprintf(region, sizeof(region), "%.5s", id + 5);
    json_t *doc = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:{s:i, s:[{s:s, s:s, s:s, s:s, s:s, s:i, s:i}], "
        "s:{s:s, s:s}}}",
        "id", id, "type", "regional-plan", "region", region, "title", "План", "stage", stage,
        "body", "", "fields", "period", 2026, "measures", "direction", "safety", "title",
        measure, "lead_agency", "Управление образования", "deadline", "2026-Q4", "indicator",
        "Школы", "baseline", 0, "target", 10, "act", "number", "15", "date", "2026-02-05");
    assert_non_null(doc);
    return doc;
}

static int commits;

/* Commit doc (stolen) as d's next version, taking action from stage `from`
 * (NULL: create), at day `day` of December 2026, as write_done does. */
static void commit(idx_doc *d, json_t *doc, const char *action, const char *from, int day)
{
    char stage[64], who[] = "off11", role[] = "regional-official", act[32], fr[64];
    snprintf(stage, sizeof(stage), "%s", json_string_value(json_object_get(doc, "stage")));
    snprintf(act, sizeof(act), "%s", action);
    snprintf(fr, sizeof(fr), "%s", from ? from : "");
    idx_version v = {.time_ms = 1795996800000LL + (int64_t)day * 86400000LL, .author = who,
                     .role = role, .action = act, .from = from ? fr : NULL, .to = stage};
    snprintf(v.commit, sizeof(v.commit), "%040d", ++commits);
    docs_public_face_keep(&svc, d, doc);
    assert_int_equal(index_record(svc.index, d, &v), 0);
    assert_int_equal(docs_entry_keep(&svc, d, doc), 0);
    index_set_doc(d, doc);
}

static idx_doc *new_plan(const char *id)
{
    idx_doc *d;
    assert_int_equal(index_add(&d, svc.index, id), 0);
    d->repo = REPO_DOCUMENTS;
    return d;
}

/* A plan created, submitted and agreed (in force from day 5), its measure
 * "Первая редакция". */
static idx_doc *in_force(const char *id)
{
    idx_doc *d = new_plan(id);
    commit(d, plan(id, "draft", "Первая редакция"), "create", NULL, 1);
    commit(d, plan(id, "agreement", "Первая редакция"), "submit", "draft", 2);
    commit(d, plan(id, "in-force", "Первая редакция"), "agree", "agreement", 5);
    return d;
}

static const char *measure_of(const json_t *doc)
{
    const json_t *m = json_array_get(json_object_get(json_object_get(doc, "fields"), "measures"), 0);
    return json_string_value(json_object_get(m, "title"));
}

static int setup(void **state)
{
    (void)state;
    setenv("KENES_NOW", "2026-12-20T00:00:00Z", 1);
    if (docs_fixture_open(&svc, KENES_TEST_DATA_DIR "/workflows/force-set", 0) != 0)
        return -1;
    kapi_set_labels(wf_set_label, svc.workflows);
    docs_attach_api(&svc);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    docs_fixture_close(&svc);
    unsetenv("KENES_NOW");
    return 0;
}

static void test_never_public(void **state)
{
    (void)state;
    idx_doc *d = new_plan("plan/KZ-11/2027");
    commit(d, plan(d->id, "draft", "Черновик"), "create", NULL, 1);
    const char *version = "x";
    assert_null(docs_public_face(&svc, d, &version));
    assert_null(version);
    json_t *none;
    assert_int_equal(docs_in_force_json(&none, &svc, d), 0);
    assert_null(none);
    commit(d, plan(d->id, "agreement", "Черновик"), "submit", "draft", 2);
    commit(d, plan(d->id, "draft", "Черновик"), "return", "agreement", 3);
    /* Returned before it ever came into force: still nothing public. */
    assert_null(docs_public_face(&svc, d, NULL));
    assert_null(d->public_doc);
    docs_edition_mark marks[3];
    docs_edition_marks(marks, &svc, d, d->recent, d->nrecent);
    for (int i = 0; i < 3; i++)
        assert_true(marks[i].edition == 0 && !marks[i].in_force_from);
}

static void test_amendment_keeps_version_in_force(void **state)
{
    (void)state;
    idx_doc *d = in_force("plan/KZ-11/2026");
    char in_force_commit[41];
    snprintf(in_force_commit, sizeof(in_force_commit), "%s", d->version);
    const char *version;
    /* In force: the document itself is its face, and nothing is kept. */
    assert_ptr_equal(docs_public_face(&svc, d, &version), d->doc);
    assert_string_equal(version, in_force_commit);
    assert_null(d->public_doc);
    json_t *none;
    assert_int_equal(docs_in_force_json(&none, &svc, d), 0);
    assert_null(none);

    /* Amended: the draft is the document, the version in force its face. */
    commit(d, plan(d->id, "draft", "Первая редакция"), "amend", "in-force", 10);
    commit(d, plan(d->id, "draft", "Изменённая мера"), "edit", "draft", 11);
    commit(d, plan(d->id, "agreement", "Изменённая мера"), "submit", "draft", 12);
    const json_t *face = docs_public_face(&svc, d, &version);
    assert_non_null(face);
    assert_string_equal(version, in_force_commit);
    assert_string_equal(json_string_value(json_object_get(face, "stage")), "in-force");
    assert_string_equal(measure_of(face), "Первая редакция");
    assert_string_equal(measure_of(d->doc), "Изменённая мера");
    json_t *j;
    assert_int_equal(docs_in_force_json(&j, &svc, d), 0);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "version")), in_force_commit);
    assert_string_equal(json_string_value(json_object_get(j, "stage")), "in-force");
    assert_string_equal(json_string_value(json_object_get(j, "since")), "2026-12-05T00:00:00Z");
    json_decref(j);

    /* A return leaves the version in force as it was. */
    commit(d, plan(d->id, "draft", "Изменённая мера"), "return", "agreement", 13);
    assert_string_equal(measure_of(docs_public_face(&svc, d, &version)), "Первая редакция");
    assert_string_equal(version, in_force_commit);

    /* The list shows the draft, flagged: another version is in force. */
    json_t *list;
    docs_filter f = {.type = "regional-plan", .overdue = -1};
    assert_int_equal(docs_list(&list, &svc, &off11, &f), 0);
    size_t i;
    json_t *e;
    int flagged = 0;
    json_array_foreach(list, i, e)
    {
        int amended = strcmp(json_string_value(json_object_get(e, "id")), d->id) == 0;
        assert_int_equal(json_is_true(json_object_get(e, "in_force")), amended);
        if (amended) {
            flagged = 1;
            assert_string_equal(json_string_value(json_object_get(e, "stage")), "draft");
        }
    }
    assert_true(flagged);
    json_decref(list);

    /* Agreed: the amendment is the version in force, and nothing is kept. */
    commit(d, plan(d->id, "agreement", "Изменённая мера"), "submit", "draft", 14);
    commit(d, plan(d->id, "in-force", "Изменённая мера"), "agree", "agreement", 15);
    assert_null(d->public_doc);
    assert_ptr_equal(docs_public_face(&svc, d, &version), d->doc);
    assert_string_equal(version, d->version);
    assert_string_equal(measure_of(d->doc), "Изменённая мера");

    /* Editions: 0 up to the first agreement; 1 from the amend up to and
     * including the agreement that ends it. */
    docs_edition_mark marks[16];
    assert_true(d->nrecent <= 16);
    docs_edition_marks(marks, &svc, d, d->recent, d->nrecent);
    const int want_edition[] = {0, 0, 0, 1, 1, 1, 1, 1, 1};
    const int want_from[] = {0, 0, 1, 0, 0, 0, 0, 0, 1};
    assert_int_equal(d->nrecent, 9);
    for (size_t k = 0; k < d->nrecent; k++) {
        assert_int_equal(marks[k].edition, want_edition[k]);
        assert_int_equal(marks[k].in_force_from, want_from[k]);
    }
}

static const char *faces_seen;

static int visit(const kenes_doc *doc, void *arg)
{
    (void)arg;
    const kenes_api *api = kapi_get();
    static char out[512];
    size_t n = faces_seen ? strlen(out) : 0;
    if (!faces_seen)
        out[0] = '\0';
    const json_t *m = json_array_get(json_object_get(api->doc_fields(doc), "measures"), 0);
    snprintf(out + n, sizeof(out) - n, "%s%s:%s:%s", n ? " " : "", api->doc_get(doc, "id"),
             api->doc_get(doc, "stage"), json_string_value(json_object_get(m, "title")));
    faces_seen = out;
    return 0;
}

static void test_doc_each_public(void **state)
{
    (void)state;
    idx_doc *d = in_force("plan/KZ-15/2026");
    commit(d, plan(d->id, "draft", "Первая редакция"), "amend", "in-force", 10);
    json_t *draft = json_deep_copy(d->doc);
    json_array_set_new(json_object_get(json_object_get(draft, "fields"), "measures"), 0,
                       json_pack("{s:s, s:s}", "direction", "safety", "title", "Черновик"));
    commit(d, draft, "edit", "draft", 11);
    faces_seen = NULL;
    const kenes_api *api = kapi_get();
    assert_true(KENES_API_HAS(api, doc_each_public));
    assert_int_equal(api->doc_each_public("regional-plan", "KZ-15", visit, NULL), 0);
    assert_non_null(faces_seen);
    assert_string_equal(faces_seen, "plan/KZ-15/2026:in-force:Первая редакция");
    faces_seen = NULL;
    assert_int_equal(api->doc_public_with("plan/KZ-15/2026", visit, NULL), 0);
    assert_string_equal(faces_seen, "plan/KZ-15/2026:in-force:Первая редакция");
    /* Never in force: no face to visit. */
    assert_int_equal(api->doc_public_with("plan/KZ-11/2027", visit, NULL), KENES_ENOTFOUND);
}

static void test_former_public_stage(void **state)
{
    (void)state;
    const wf_workflow *wf = wf_set_find(svc.workflows, "regional-plan");
    assert_true(docs_wf_stage_public(wf, "in-force"));
    assert_true(docs_wf_stage_public(wf, "approved")); /* the former name of in-force */
    assert_false(docs_wf_stage_public(wf, "draft"));
    assert_false(docs_wf_stage_public(wf, NULL));
    /* Entering: a move into a public stage, or a create straight into one;
     * never a commit that stays in it (an edit, a file attached: no from). */
    char to[] = "in-force", draft[] = "draft", create[] = "create", edit[] = "edit",
         agree[] = "agree", agreement[] = "agreement";
    idx_version v = {.action = agree, .from = agreement, .to = to};
    assert_true(docs_version_enters_public(wf, &v));
    v = (idx_version){.action = create, .to = to};
    assert_true(docs_version_enters_public(wf, &v));
    v = (idx_version){.action = edit, .to = to};
    assert_false(docs_version_enters_public(wf, &v));
    v = (idx_version){.action = edit, .to = draft};
    assert_false(docs_version_enters_public(wf, &v));
    /* A version written under the former workflow came into force too. */
    idx_doc *d = new_plan("plan/KZ-71/2026");
    commit(d, plan(d->id, "draft", "Старая"), "create", NULL, 1);
    commit(d, plan(d->id, "approved", "Старая"), "approve", "agreement", 2);
    commit(d, plan(d->id, "draft", "Новая"), "amend", "approved", 3);
    assert_string_equal(measure_of(docs_public_face(&svc, d, NULL)), "Старая");
    docs_edition_mark marks[3];
    docs_edition_marks(marks, &svc, d, d->recent, d->nrecent);
    assert_true(marks[1].in_force_from && marks[1].edition == 0);
    assert_true(!marks[2].in_force_from && marks[2].edition == 1);
}

/* The reports count what is in force: the region's report shows the
 * version in force's measure, never the draft's, until it is agreed. */
static void test_reports_show_version_in_force(void **state)
{
    (void)state;
    publisher pub;
    report_publisher_init(&pub, &svc);
    json_t *built;
    assert_int_equal(report_build(&built, &pub), 0);
    assert_non_null(built);
    const char *kz11 = json_string_value(json_object_get(built, "regions/KZ-11.md"));
    assert_non_null(kz11);
    /* plan/KZ-11/2026 was amended and agreed: its new measure only. */
    assert_non_null(strstr(kz11, "Изменённая мера"));
    assert_null(strstr(kz11, "Первая редакция"));
    const char *kz15 = json_string_value(json_object_get(built, "regions/KZ-15.md"));
    /* plan/KZ-15/2026's amendment is a draft: the version in force shows. */
    assert_non_null(strstr(kz15, "Первая редакция"));
    assert_null(strstr(kz15, "Черновик"));
    /* The national report: the amended plan of KZ-15 is in force, not a draft. */
    const char *national = json_string_value(json_object_get(built, "en/national.md"));
    char row[256];
    snprintf(row, sizeof(row), "| %s | 2026 | In force |", region_find("KZ-15")->en);
    assert_non_null(strstr(national, row));
    json_decref(built);
    report_publisher_dispose(&pub);
}

/* A plan amended while in force whose older versions are in the scratch
 * file, and a chunk of them that does not read back (one the file does not
 * have): what needs them says KENES_EIO, never "never in force", "created
 * in this stage", an answer without the version in force, or a report
 * (the cases report's histories, through the API, too).  Last: it makes
 * the fixture's index pack and spill. */
static void test_unreadable_history(void **state)
{
    (void)state;
    char dir[64];
    assert_int_equal(docs_fixture_spill(&svc, dir, "face"), 0);
    const wf_workflow *wf = wf_set_find(svc.workflows, "regional-plan");
    idx_doc *d = in_force("plan/KZ-11/2028");
    char in_force_commit[41], wrote[41];
    memcpy(in_force_commit, d->version, sizeof(in_force_commit));
    commit(d, plan(d->id, "draft", "Первая редакция"), "amend", "in-force", 6);
    for (int r = 0; r < 80; r++) { /* enough versions to fill a chunk or two */
        commit(d, plan(d->id, "agreement", "Мера"), "submit", "draft", 7);
        commit(d, plan(d->id, "draft", "Мера"), "return", "agreement", 7);
        commit(d, plan(d->id, "draft", "Мера"), "edit", "draft", 7);
    }
    assert_true(d->old.nspilled > 0);
    uint32_t slot = d->old.refs[0].slot;
    d->old.refs[0].slot = 1u << 30;
    int64_t since;
    assert_int_equal(docs_first_in_force_ms(&since, wf, d), KENES_EIO);
    json_t *j;
    assert_int_equal(docs_in_force_json(&j, &svc, d), KENES_EIO);
    assert_null(j);
    /* What wrote the version in force (a plugin's doc_get "written"). */
    assert_int_equal(docs_written(wrote, d, in_force_commit), KENES_EIO);
    assert_int_equal(kapi_get()->doc_public_with(d->id, visit, NULL), KENES_EIO);
    assert_int_equal(docs_written(wrote, d, NULL), 1); /* the latest: from the records */
    publisher pub;
    report_publisher_init(&pub, &svc);
    json_t *built;
    assert_int_equal(report_build(&built, &pub), KENES_EIO);
    assert_null(built);
    json_t *history = NULL;
    const idx_doc *sources[] = {d};
    struct kenes_report_failure failure = {0, NULL};
    struct kenes_report r = {.ndocs = 1, .sources = sources, .histories = &history,
                             .failure = &failure};
    assert_null(kapi_get()->report_doc_history(&r, 0));
    assert_int_equal(failure.rc, KENES_EIO);
    assert_string_equal(failure.doc, d->id);
    /* Read back: the same calls answer. */
    d->old.refs[0].slot = slot;
    assert_int_equal(docs_written(wrote, d, in_force_commit), 1);
    faces_seen = NULL;
    assert_int_equal(kapi_get()->doc_public_with(d->id, visit, NULL), 0);
    assert_non_null(faces_seen);
    assert_int_equal(docs_first_in_force_ms(&since, wf, d), 0);
    assert_true(since >= 0);
    assert_int_equal(docs_in_force_json(&j, &svc, d), 0);
    assert_non_null(j);
    json_decref(j);
    assert_int_equal(report_build(&built, &pub), 0);
    json_decref(built);
    assert_non_null(kapi_get()->report_doc_history(&r, 0));
    json_decref(history);
    report_publisher_dispose(&pub);
    /* Back in force under the former name of its stage: the stage before
     * is in the packed versions. */
    commit(d, plan(d->id, "agreement", "Мера"), "submit", "draft", 8);
    commit(d, plan(d->id, "in-force", "Мера"), "agree", "approved", 8);
    const char *before = "x";
    d->old.refs[0].slot = 1u << 30;
    assert_int_equal(docs_stage_before(&before, wf, d, "in-force"), KENES_EIO);
    d->old.refs[0].slot = slot;
    assert_int_equal(docs_stage_before(&before, wf, d, "in-force"), 0);
    assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_never_public),
        cmocka_unit_test(test_amendment_keeps_version_in_force),
        cmocka_unit_test(test_doc_each_public),
        cmocka_unit_test(test_former_public_stage),
        cmocka_unit_test(test_reports_show_version_in_force),
        cmocka_unit_test(test_unreadable_history),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
