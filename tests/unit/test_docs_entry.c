/* What the index keeps of a document (docs/entry.c, issue 16 item 4): the
 * entry that lists, referrers, reports and plugins' walks read once the
 * document's JSON has left memory, and the reverse map of refs. */
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
#include "storage/hpack.h"
#include "plugin/kapi.h"

static docs_service svc;
static auth_user admin = {.name = "admin", .role = ROLE_ADMIN};

/* A document committed once (commit n), its entry kept as write_done keeps it. */
static idx_doc *add(const char *json, int repo, int n)
{
    json_error_t e;
    json_t *doc = json_loads(json, 0, &e);
    assert_non_null(doc);
    idx_doc *d = index_get(svc.index, json_string_value(json_object_get(doc, "id")));
    if (!d)
        assert_int_equal(index_add(&d, svc.index, json_string_value(json_object_get(doc, "id"))),
                         0);
    d->repo = repo;
    char stage[64], who[] = "x", action[] = "create";
    snprintf(stage, sizeof(stage), "%s", json_string_value(json_object_get(doc, "stage")));
    idx_version v = {.time_ms = 1770000000000 + n, .author = who, .role = who, .action = action,
                     .to = stage};
    snprintf(v.commit, sizeof(v.commit), "%040d", n);
    assert_int_equal(index_add_version(d, &v), 0);
    assert_int_equal(docs_entry_keep(&svc, d, doc), 0);
    index_set_doc(d, doc);
    return d;
}

#define CASE_1                                                                                    \
    "{\"id\":\"case/KZ-11/0001\",\"type\":\"case-review\",\"region\":\"KZ-11\",\"title\":null,"   \
    "\"stage\":\"registered\",\"body\":\"Секретная подробность\",\"fields\":{\"child\":{"         \
    "\"pseudonym\":\"K11-0042\",\"full_name\":\"Айгерим Нурланова\",\"birth_date\":\"2012-03-04\"," \
    "\"address\":\"ул. Абая\",\"school\":\"Гимназия\"},\"grounds\":[\"neglect\"],"                 \
    "\"follow_ups\":[{\"due\":\"2026-03-01\",\"measure\":\"Беседа с семьёй\",\"done\":null}]}}"

static int setup(void **state)
{
    (void)state;
    setenv("KENES_TEST_DROP", "1", 1);
    if (docs_fixture_open(&svc, KENES_SOURCE_DIR "/workflows", 1) != 0)
        return -1;
    docs_attach_api(&svc);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    docs_fixture_close(&svc);
    return 0;
}

static void test_case_entry(void **state)
{
    (void)state;
    idx_doc *d = add(CASE_1, REPO_DOCUMENTS, 1);
    assert_true(d->entry.kept);
    assert_string_equal(d->entry.type, "case-review");
    assert_string_equal(d->entry.region, "KZ-11");
    assert_string_equal(d->entry.stage, "registered");
    assert_null(d->entry.title); /* confidential: no title kept */
    assert_false(docs_resident(&svc, d));
    /* Its due time is kept too: docs_due reads it, with or without the JSON. */
    assert_true(d->entry.due_known);
    int64_t due;
    docs_due(&svc, d, &due);
    assert_true(due == d->entry.due_ms);
    /* The summary's pseudonym, nothing typed about the child. */
    assert_string_equal(d->entry.listed, "{\"pseudonym\":\"K11-0042\"}");
    /* index_fields: grounds whole, of each follow-up only due/done/outcome. */
    json_t *p = json_loads(d->entry.projection, 0, NULL);
    assert_non_null(p);
    assert_string_equal(json_string_value(json_array_get(json_object_get(p, "grounds"), 0)),
                        "neglect");
    json_t *row = json_array_get(json_object_get(p, "follow_ups"), 0);
    assert_string_equal(json_string_value(json_object_get(row, "due")), "2026-03-01");
    assert_true(json_is_null(json_object_get(row, "done")));
    assert_null(json_object_get(row, "measure"));
    assert_null(json_object_get(p, "child"));
    json_decref(p);
    /* Interned: another case shares the strings. */
    idx_doc *d2 = add("{\"id\":\"case/KZ-11/0002\",\"type\":\"case-review\",\"region\":\"KZ-11\","
                      "\"stage\":\"registered\",\"fields\":{}}",
                      REPO_DOCUMENTS, 2);
    assert_ptr_equal(d2->entry.type, d->entry.type);
    assert_ptr_equal(d2->entry.stage, d->entry.stage);
    assert_null(d2->entry.listed);
    assert_null(d2->entry.projection);
}

/* The list of a case whose JSON was dropped: its entry alone. */
static void test_list_without_json(void **state)
{
    (void)state;
    idx_doc *d = add(CASE_1, REPO_DOCUMENTS, 3);
    idx_doc *plan = add("{\"id\":\"plan/KZ-11/2026\",\"type\":\"regional-plan\",\"region\":"
                        "\"KZ-11\",\"title\":\"План\",\"stage\":\"draft\",\"fields\":{},"
                        "\"body\":\"\"}",
                        REPO_DOCUMENTS, 4);
    docs_entry_drop(&svc, d);
    docs_entry_drop(&svc, plan);
    assert_null(d->doc);
    assert_non_null(plan->doc); /* resident: true */
    json_t *list;
    docs_filter f = {.overdue = -1, .type = "case-review", .q = "k11-0042"};
    assert_int_equal(docs_list(&list, &svc, &admin, &f), 0);
    assert_int_equal(json_array_size(list), 1);
    json_t *e = json_array_get(list, 0);
    assert_string_equal(json_string_value(json_object_get(e, "id")), "case/KZ-11/0001");
    assert_string_equal(json_string_value(json_object_get(e, "pseudonym")), "K11-0042");
    assert_string_equal(json_string_value(json_object_get(e, "stage")), "registered");
    assert_null(json_object_get(e, "title"));
    json_decref(list);
    docs_filter g = {.overdue = -1, .region = "KZ-11", .q = "план"};
    assert_int_equal(docs_list(&list, &svc, &admin, &g), 0);
    assert_int_equal(json_array_size(list), 1);
    json_decref(list);
}

static size_t seen;
static int count_grounds(const kenes_doc *doc, void *arg)
{
    (void)arg;
    const kenes_api *api = kapi_get();
    seen += json_array_size(json_object_get(api->doc_fields(doc), "grounds"));
    return 0;
}

/* A plugin walking cases sees the fields the type's index_fields names. */
static void test_walk_sees_projection(void **state)
{
    (void)state;
    idx_doc *d = add(CASE_1, REPO_DOCUMENTS, 5);
    docs_entry_drop(&svc, d);
    assert_null(d->doc);
    seen = 0;
    assert_int_equal(kapi_get()->doc_each("case-review", "KZ-11", count_grounds, NULL), 0);
    assert_int_equal(seen, 1);
}

/* The reverse map follows each commit: a meeting's agenda naming a case. */
static void test_referrers_map(void **state)
{
    (void)state;
    add(CASE_1, REPO_DOCUMENTS, 6);
    const char *meeting =
        "{\"id\":\"meeting/KZ-11/2026-03-01\",\"type\":\"commission-meeting\",\"region\":"
        "\"KZ-11\",\"stage\":\"draft\",\"fields\":{\"agenda\":[{\"kind\":\"matter\"},"
        "{\"kind\":\"case\",\"case\":\"case/KZ-11/0001\"}]}}";
    idx_doc *m = add(meeting, REPO_DOCUMENTS, 7);
    size_t n;
    idx_doc *const *who = index_referrers(svc.index, "case/KZ-11/0001", &n);
    assert_int_equal(n, 1);
    assert_ptr_equal(who[0], m);
    json_t *refs;
    assert_int_equal(docs_referrers(&refs, &svc, &admin, "case/KZ-11/0001"), 0);
    assert_int_equal(json_array_size(refs), 1);
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(json_array_get(refs, 0), "paths"), 0)),
        "fields.agenda[1].case");
    json_decref(refs);
    /* The next version names it no more: gone from the map. */
    add("{\"id\":\"meeting/KZ-11/2026-03-01\",\"type\":\"commission-meeting\",\"region\":"
        "\"KZ-11\",\"stage\":\"draft\",\"fields\":{\"agenda\":[{\"kind\":\"matter\"}]}}",
        REPO_DOCUMENTS, 8);
    assert_null(index_referrers(svc.index, "case/KZ-11/0001", &n));
    assert_int_equal(n, 0);
}

/* A fresh document of the index, one version, no entry yet. */
static idx_doc *bare(const char *id, int n)
{
    idx_doc *d = NULL;
    assert_int_equal(index_add(&d, svc.index, id), 0);
    char who[] = "x", action[] = "create", stage[] = "draft";
    idx_version v = {.time_ms = 1770000000000 + n, .author = who, .role = who,
                     .action = action, .to = stage};
    snprintf(v.commit, sizeof(v.commit), "%040d", n);
    assert_int_equal(index_add_version(d, &v), 0);
    return d;
}

/* The snapshot's bytes of an entry give back the same entry, its refs
 * mapped again; bytes cut short or pointing outside are refused, and the
 * document is left without an entry (it is read instead). */
static void test_entry_bytes(void **state)
{
    (void)state;
    idx_doc *c = add(CASE_1, REPO_DOCUMENTS, 9);
    util_buf b;
    util_buf_init(&b);
    assert_int_equal(docs_entry_pack(&b, c), 0);
    idx_doc *c2 = bare("case/KZ-11/0009", 10);
    assert_int_equal(docs_entry_unpack(&svc, c2, b.data, b.len), 0);
    assert_true(c2->entry.kept);
    assert_ptr_equal(c2->entry.type, c->entry.type);
    assert_ptr_equal(c2->entry.region, c->entry.region);
    assert_ptr_equal(c2->entry.stage, c->entry.stage);
    assert_null(c2->entry.title);
    assert_string_equal(c2->entry.listed, c->entry.listed);
    assert_string_equal(c2->entry.projection, c->entry.projection);
    assert_int_equal(c2->entry.blob_len, c->entry.blob_len);
    assert_memory_equal(c2->entry.blob, c->entry.blob, c->entry.blob_len);
    assert_true(c2->entry.due_from_ms == c->entry.due_from_ms);
    assert_true(c2->entry.due_known);

    /* Refs: a meeting's, unpacked under another id, is in the reverse map. */
    const char *meeting =
        "{\"id\":\"meeting/KZ-11/2026-04-01\",\"type\":\"commission-meeting\",\"region\":"
        "\"KZ-11\",\"stage\":\"draft\",\"fields\":{\"agenda\":[{\"kind\":\"case\","
        "\"case\":\"case/KZ-11/0009\"}]}}";
    idx_doc *m = add(meeting, REPO_DOCUMENTS, 11);
    b.len = 0;
    assert_int_equal(docs_entry_pack(&b, m), 0);
    idx_doc *m2 = bare("meeting/KZ-11/2026-04-02", 12);
    assert_int_equal(docs_entry_unpack(&svc, m2, b.data, b.len), 0);
    size_t n;
    index_referrers(svc.index, "case/KZ-11/0009", &n);
    assert_int_equal(n, 2);

    /* Every cut is refused and keeps nothing. */
    idx_doc *x = bare("case/KZ-11/0010", 13);
    for (size_t cut = 0; cut < b.len; cut++) {
        assert_int_equal(docs_entry_unpack(&svc, x, b.data, cut), KENES_EINVAL);
        assert_false(x->entry.kept);
    }
    /* A part's offset past the blob, and another format. */
    char *bad = malloc(b.len);
    assert_non_null(bad);
    memcpy(bad, b.data, b.len);
    size_t off = 1 + 8;
    for (int i = 0; i < 3; i++)
        off += bad[off] ? 2 + strlen(bad + off + 1) : 1;
    bad[off] = bad[off + 1] = bad[off + 2] = (char)0xff; /* the title's offset: 2^31 - 1 */
    bad[off + 3] = 0x7f;
    assert_int_equal(docs_entry_unpack(&svc, x, bad, b.len), KENES_EINVAL);
    memcpy(bad, b.data, b.len);
    bad[0] = 2;
    assert_int_equal(docs_entry_unpack(&svc, x, bad, b.len), KENES_EINVAL);
    assert_false(x->entry.kept);
    free(bad);
    /* No entry, nothing to pack. */
    util_buf c3;
    util_buf_init(&c3);
    assert_int_equal(docs_entry_pack(&c3, x), KENES_EINVAL);
    util_buf_dispose(&c3);
    util_buf_dispose(&b);
}

/* A roster amended after it came into force is owed by no date (editions:
 * first), which only its whole history tells.  With its older versions in
 * the scratch file and the file unreadable, it must not come out due by
 * the order's date as a first edition would (a late roster in the lists,
 * a reminder), kept in its entry until its next commit. */
static void test_amendment_due_needs_its_history(void **state)
{
    (void)state;
    char dir[64];
    assert_int_equal(docs_fixture_spill(&svc, dir, "due"), 0);
    idx_doc *d;
    assert_int_equal(index_add(&d, svc.index, "roster/KZ-11/2026"), 0);
    d->repo = REPO_DOCUMENTS;
    static const char *const steps[][4] = {
        {"submit", "draft", "regional-approval", NULL},
        {"return", "regional-approval", "draft", "Уточните состав комиссии."},
    };
    static const char *const tail[][4] = {
        {"submit", "draft", "regional-approval", NULL},
        {"approve", "regional-approval", "ministry-agreement", NULL},
        {"agree", "ministry-agreement", "ministry-agreement", "1/2"},
        {"agree", "ministry-agreement", "in-force", "2/2"},
        {"amend", "in-force", "draft", NULL},
        {"edit", "draft", "draft", NULL},
    };
    unsigned n = 0;
    idx_version v = {.author = "off11", .role = "regional-official", .action = "create", .to = "draft"};
    for (int k = -1; k < 2 * 60 + 6; k++) {
        if (k >= 0) {
            const char *const *s = k < 2 * 60 ? steps[k % 2] : tail[k - 2 * 60];
            v = (idx_version){.author = "off11", .role = "regional-official", .action = (char *)s[0],
                              .from = (char *)s[1], .to = (char *)s[2]};
            if (strcmp(s[0], "agree") == 0)
                v.approval = (char *)s[3];
            else
                v.comment = (char *)s[3];
        }
        snprintf(v.commit, sizeof(v.commit), "%08x%032x", n * 2654435761u, n);
        v.time_ms = 1770000000000 + n++ * 1000;
        assert_int_equal(index_record(svc.index, d, &v), 0);
    }
    assert_true(d->old.nspilled > 0);
    index_set_doc(d, json_pack("{s:s, s:s, s:s, s:s, s:{}}", "id", d->id, "type",
                               "commission-roster", "region", "KZ-11", "stage", "draft", "fields"));
    int64_t due;
    assert_int_equal(docs_due(&svc, d, &due), 0);
    assert_true(due == -1); /* an amendment: no date */
    /* A chunk the file does not have: its read fails, and says so. */
    uint32_t slot = d->old.refs[0].slot;
    d->old.refs[0].slot = 1u << 30;
    assert_int_equal(docs_due(&svc, d, &due), KENES_EIO);
    assert_true(due == -1);
    /* Its entry keeps no due date then: the next ask, the file read, is right. */
    assert_int_equal(docs_entry_keep(&svc, d, d->doc), 0);
    assert_false(d->entry.due_known);
    d->old.refs[0].slot = slot;
    assert_int_equal(docs_entry_keep(&svc, d, d->doc), 0);
    assert_true(d->entry.due_known);
    assert_true(d->entry.due_ms == -1);
    index_remove(svc.index, d->id);
    assert_int_equal(rmdir(dir), 0); /* the scratch file has no name */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_case_entry),
        cmocka_unit_test(test_list_without_json),
        cmocka_unit_test(test_walk_sees_projection),
        cmocka_unit_test(test_referrers_map),
        cmocka_unit_test(test_entry_bytes),
        cmocka_unit_test(test_amendment_due_needs_its_history),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
