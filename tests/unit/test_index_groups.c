/* The index's lists per (type, region) (storage/groups.h, index_group):
 * each sorted by id, a document moved when its region changes (a
 * transfer), taken out when it goes, and nothing else in a list. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kenes/plugin.h"
#include "storage/index.h"

/* A committed document of type and region (its entry as entry.c keeps it). */
static idx_doc *add(doc_index *ix, const char *id, const char *type, const char *region)
{
    idx_doc *d;
    assert_int_equal(index_add(&d, ix, id), 0);
    d->entry.kept = 1;
    d->entry.type = type;
    d->entry.region = region;
    assert_int_equal(index_group_note(ix, d), 0);
    return d;
}

/* The ids under (type, region), joined by spaces. */
static const char *ids(const doc_index *ix, const char *type, const char *region)
{
    static char out[512];
    size_t n;
    idx_doc *const *v = index_group(ix, type, region, &n);
    out[0] = '\0';
    for (size_t i = 0; i < n; i++)
        snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s", i ? " " : "", v[i]->id);
    return out;
}

static void filed_sorted_by_id(void **state)
{
    (void)state;
    doc_index *ix;
    assert_int_equal(index_new(&ix), 0);
    /* Out of order on purpose: the list is kept sorted as they come. */
    add(ix, "case/KZ-11/0003", "case-review", "KZ-11");
    add(ix, "case/KZ-11/0001", "case-review", "KZ-11");
    add(ix, "case/KZ-15/0001", "case-review", "KZ-15");
    add(ix, "referral/KZ-11/0001", "referral", "KZ-11");
    add(ix, "case/KZ-11/0002", "case-review", "KZ-11");
    assert_string_equal(ids(ix, "case-review", "KZ-11"),
                        "case/KZ-11/0001 case/KZ-11/0002 case/KZ-11/0003");
    assert_string_equal(ids(ix, "case-review", "KZ-15"), "case/KZ-15/0001");
    assert_string_equal(ids(ix, "referral", "KZ-11"), "referral/KZ-11/0001");
    assert_string_equal(ids(ix, "referral", "KZ-15"), "");
    assert_string_equal(ids(ix, "case-review", NULL), "");
    size_t n;
    assert_null(index_group(ix, "nothing", "KZ-11", &n));
    assert_int_equal(n, 0);
    index_free(ix);
}

/* A commit that keeps the region leaves it where it is; a transfer moves
 * it; a document whose entry names no region is in no list. */
static void moved_by_a_transfer(void **state)
{
    (void)state;
    doc_index *ix;
    assert_int_equal(index_new(&ix), 0);
    idx_doc *a = add(ix, "case/KZ-11/0001", "case-review", "KZ-11");
    add(ix, "case/KZ-11/0002", "case-review", "KZ-11");
    assert_int_equal(index_group_note(ix, a), 0); /* an edit: the same list */
    assert_string_equal(ids(ix, "case-review", "KZ-11"), "case/KZ-11/0001 case/KZ-11/0002");
    a->entry.region = "KZ-15";
    assert_int_equal(index_group_note(ix, a), 0);
    assert_string_equal(ids(ix, "case-review", "KZ-11"), "case/KZ-11/0002");
    assert_string_equal(ids(ix, "case-review", "KZ-15"), "case/KZ-11/0001");
    a->entry.region = NULL;
    assert_int_equal(index_group_note(ix, a), 0);
    assert_string_equal(ids(ix, "case-review", "KZ-15"), "");
    assert_null(a->group);
    index_free(ix);
}

/* A create that failed (index_remove) leaves its list; the last one out
 * takes the list with it. */
static void removed_when_gone(void **state)
{
    (void)state;
    doc_index *ix;
    assert_int_equal(index_new(&ix), 0);
    add(ix, "plan/KZ-11/2026", "regional-plan", "KZ-11");
    add(ix, "plan/KZ-11/2027", "regional-plan", "KZ-11");
    index_remove(ix, "plan/KZ-11/2026");
    assert_string_equal(ids(ix, "regional-plan", "KZ-11"), "plan/KZ-11/2027");
    index_remove(ix, "plan/KZ-11/2027");
    size_t n;
    assert_null(index_group(ix, "regional-plan", "KZ-11", &n));
    assert_int_equal(n, 0);
    index_free(ix);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(filed_sorted_by_id),
        cmocka_unit_test(moved_by_a_transfer),
        cmocka_unit_test(removed_when_gone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
