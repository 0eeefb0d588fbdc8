#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
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
    assert_int_equal(a->nversions, 2);
    assert_null(a->versions[0].from);
    assert_string_equal(a->versions[1].from, "draft");
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

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(add_versions_and_list),
                                       cmocka_unit_test(public_version)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
