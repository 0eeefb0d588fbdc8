#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "storage/index.h"
#include "kenes/plugin.h"

static void add_versions_and_list(void **state)
{
    (void)state;
    doc_index *ix;
    assert_int_equal(index_new(&ix), 0);
    idx_doc *b, *a, *dup;
    assert_int_equal(index_add(&b, ix, "plan/KZ-15/2026"), 0);
    assert_int_equal(index_add(&a, ix, "plan/KZ-11/2026"), 0);
    assert_int_equal(index_add(&dup, ix, "plan/KZ-11/2026"), KENES_EEXISTS);

    /* Entries without a committed version are not listed. */
    idx_doc **list;
    size_t n;
    assert_int_equal(index_list(&list, &n, ix), 0);
    assert_int_equal(n, 0);
    free(list);

    idx_version v = {.time_ms = 1, .author = "off11", .action = "create", .to = "draft"};
    memcpy(v.commit, "1111111111111111111111111111111111111111", 41);
    assert_int_equal(index_add_version(a, &v), 0);
    index_set_doc(a, json_pack("{s:s}", "id", "plan/KZ-11/2026"));
    memcpy(v.commit, "2222222222222222222222222222222222222222", 41);
    v.action = "submit";
    v.from = "draft";
    v.to = "ministry-review";
    assert_int_equal(index_add_version(a, &v), 0);
    assert_string_equal(a->version, "2222222222222222222222222222222222222222");
    assert_int_equal(a->nrecent, 2);
    assert_null(a->recent[0].from);
    assert_string_equal(a->recent[1].from, "draft");
    index_set_doc(b, json_object());
    assert_int_equal(index_add_version(b, &v), 0);

    assert_int_equal(index_list(&list, &n, ix), 0);
    assert_int_equal(n, 2);
    assert_string_equal(list[0]->id, "plan/KZ-11/2026");
    assert_string_equal(list[1]->id, "plan/KZ-15/2026");
    free(list);

    index_remove(ix, "plan/KZ-15/2026");
    assert_null(index_get(ix, "plan/KZ-15/2026"));
    assert_ptr_equal(index_get(ix, "plan/KZ-11/2026"), a);
    index_free(ix);
    index_free(NULL);
}

/* Trimmed after a load, the versions stay whole, and the next version
 * grows the array again; the count of versions recorded moves with each. */
static void trim_keeps_everything(void **state)
{
    (void)state;
    doc_index *ix;
    assert_int_equal(index_new(&ix), 0);
    idx_doc *a;
    assert_int_equal(index_add(&a, ix, "plan/KZ-11/2026"), 0);
    idx_version v = {.time_ms = 1, .author = "off11", .action = "create", .to = "draft",
                     .comment = "first"};
    for (int i = 0; i < 5; i++) {
        snprintf(v.commit, sizeof(v.commit), "%040d", i + 1);
        v.time_ms = i + 1;
        assert_int_equal(index_record(ix, a, &v), 0);
    }
    assert_true(a->recent_cap > a->nrecent); /* grown by doubling: 4, then 8 */
    index_trim(ix);
    assert_int_equal(a->recent_cap, 5);
    assert_int_equal(index_version_total(ix), 5);
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(a->recent[i].time_ms, (int64_t)i + 1);
        assert_string_equal(a->recent[i].comment, "first");
    }
    snprintf(v.commit, sizeof(v.commit), "%040d", 6);
    v.time_ms = 6;
    assert_int_equal(index_record(ix, a, &v), 0);
    assert_int_equal(a->nrecent, 6);
    assert_string_equal(a->version, "0000000000000000000000000000000000000006");
    assert_int_equal(index_version_total(ix), 6);
    /* A version added without the index (index_add_version) is not counted. */
    snprintf(v.commit, sizeof(v.commit), "%040d", 7);
    assert_int_equal(index_add_version(a, &v), 0);
    assert_int_equal(index_version_total(ix), 6);
    index_trim(ix);
    index_free(ix);
}

/* The version in force kept beside the current one (an amendment on its
 * way): set, replaced, forgotten; freed with its entry. */
static void public_version(void **state)
{
    (void)state;
    doc_index *ix;
    idx_doc *a;
    assert_int_equal(index_new(&ix), 0);
    assert_int_equal(index_add(&a, ix, "plan/KZ-11/2026"), 0);
    assert_null(a->public_doc);
    assert_string_equal(a->public_version, "");
    index_set_public(a, json_pack("{s:s}", "stage", "in-force"),
                     "1111111111111111111111111111111111111111");
    assert_string_equal(json_string_value(json_object_get(a->public_doc, "stage")), "in-force");
    assert_string_equal(a->public_version, "1111111111111111111111111111111111111111");
    index_set_public(a, json_object(), "2222222222222222222222222222222222222222");
    assert_string_equal(a->public_version, "2222222222222222222222222222222222222222");
    index_set_public(a, json_object(), NULL); /* no commit: nothing kept */
    assert_null(a->public_doc);
    assert_string_equal(a->public_version, "");
    index_set_public(a, json_object(), "3333333333333333333333333333333333333333");
    index_set_public(a, NULL, NULL);
    assert_null(a->public_doc);
    assert_string_equal(a->public_version, "");
    index_set_public(a, json_object(), "4444444444444444444444444444444444444444");
    index_free(ix); /* frees the kept version too (ASan would say otherwise) */
}

/* A version's repeated strings are one copy each: the same pointer for the
 * same text in every entry, whatever buffer the caller held; its comment
 * and note are its own. */
static void versions_share_interned_strings(void **state)
{
    (void)state;
    doc_index *ix;
    assert_int_equal(index_new(&ix), 0);
    idx_doc *a, *b;
    assert_int_equal(index_add(&a, ix, "case/KZ-11/a"), 0);
    assert_int_equal(index_add(&b, ix, "case/KZ-11/b"), 0);
    char author[16], to[16], comment[16];
    snprintf(author, sizeof(author), "%s", "off11");
    snprintf(to, sizeof(to), "%s", "draft");
    snprintf(comment, sizeof(comment), "%s", "why");
    idx_version v = {.time_ms = 1, .author = author, .role = "regional-official",
                     .action = "create", .to = to, .comment = comment, .approval = "1/2"};
    memcpy(v.commit, "1111111111111111111111111111111111111111", 41);
    assert_int_equal(index_record(ix, a, &v), 0);
    snprintf(author, sizeof(author), "%s", "rev1"); /* the caller's buffer changes */
    assert_int_equal(index_record(ix, b, &v), 0);
    snprintf(author, sizeof(author), "%s", "off11");
    v.comment = NULL;
    assert_int_equal(index_record(ix, b, &v), 0);

    assert_string_equal(a->recent[0].author, "off11");
    assert_string_equal(b->recent[0].author, "rev1");
    assert_ptr_equal(a->recent[0].author, b->recent[1].author);
    assert_ptr_not_equal(a->recent[0].author, author);
    assert_ptr_equal(a->recent[0].to, b->recent[0].to);
    assert_ptr_equal(a->recent[0].role, b->recent[1].role);
    assert_ptr_equal(a->recent[0].approval, b->recent[1].approval);
    assert_ptr_equal(a->recent[0].author, index_intern("off11"));
    assert_ptr_equal(index_intern("draft"), a->recent[0].to);
    assert_null(index_intern(NULL));
    assert_null(a->recent[0].from);
    /* Comments are not shared. */
    assert_string_equal(a->recent[0].comment, "why");
    assert_ptr_not_equal(a->recent[0].comment, b->recent[0].comment);
    assert_null(b->recent[1].comment);

    /* Many values: the table grows and keeps every one. */
    const char *kept[600];
    for (int i = 0; i < 600; i++) {
        char s[32];
        snprintf(s, sizeof(s), "stage-%d", i);
        kept[i] = index_intern(s);
        assert_non_null(kept[i]);
        assert_string_equal(kept[i], s);
    }
    for (int i = 0; i < 600; i++) {
        char s[32];
        snprintf(s, sizeof(s), "stage-%d", i);
        assert_ptr_equal(index_intern(s), kept[i]);
    }
    index_free(ix); /* the interned strings stay (ASan: no double free) */
    assert_string_equal(index_intern("off11"), "off11");
}

/* The order by id is kept as entries come and go: a start's many (sorted
 * once), a create's one (put in place), a failed create's removal. */
static void list_stays_sorted(void **state)
{
    (void)state;
    doc_index *ix;
    assert_int_equal(index_new(&ix), 0);
    enum { N = 500 };
    idx_version v = {.time_ms = 1, .author = "a", .action = "create", .to = "draft"};
    memcpy(v.commit, "1111111111111111111111111111111111111111", 41);
    /* Not in order: 7 is prime to N. */
    for (int i = 0; i < N; i++) {
        char id[32];
        snprintf(id, sizeof(id), "case/KZ-11/%04d", (i * 7) % N);
        idx_doc *d;
        assert_int_equal(index_add(&d, ix, id), 0);
        if (i % 5) { /* a fifth never commits: not listed */
            assert_int_equal(index_add_version(d, &v), 0);
            index_set_doc(d, json_object());
        }
    }
    size_t all, n;
    idx_doc *const *sorted = index_sorted(ix, &all);
    assert_int_equal(all, N);
    for (size_t i = 1; i < all; i++)
        assert_true(strcmp(sorted[i - 1]->id, sorted[i]->id) < 0);
    idx_doc **list;
    assert_int_equal(index_list(&list, &n, ix), 0);
    assert_int_equal(n, N - N / 5);
    for (size_t i = 1; i < n; i++)
        assert_true(strcmp(list[i - 1]->id, list[i]->id) < 0);
    free(list);

    /* One by one: first, middle, last, and two removed. */
    const char *more[] = {"case/KZ-11/!", "case/KZ-11/0250a", "case/KZ-99/0001", "a"};
    for (size_t k = 0; k < 4; k++) {
        idx_doc *d;
        assert_int_equal(index_add(&d, ix, more[k]), 0);
        assert_int_equal(index_add_version(d, &v), 0);
        index_set_doc(d, json_object());
    }
    index_remove(ix, "case/KZ-11/0250a");
    index_remove(ix, "case/KZ-11/0003");
    index_remove(ix, "not/there");
    sorted = index_sorted(ix, &all);
    assert_int_equal(all, N + 4 - 2);
    assert_string_equal(sorted[0]->id, "a");
    assert_string_equal(sorted[1]->id, "case/KZ-11/!");
    assert_string_equal(sorted[all - 1]->id, "case/KZ-99/0001");
    for (size_t i = 1; i < all; i++)
        assert_true(strcmp(sorted[i - 1]->id, sorted[i]->id) < 0);
    for (size_t i = 0; i < all; i++)
        assert_ptr_equal(index_get(ix, sorted[i]->id), sorted[i]);
    assert_null(index_get(ix, "case/KZ-11/0003"));
    index_free(ix);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(add_versions_and_list),
                                       cmocka_unit_test(public_version),
                                       cmocka_unit_test(versions_share_interned_strings),
                                       cmocka_unit_test(list_stays_sorted),
                                       cmocka_unit_test(trim_keeps_everything)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
