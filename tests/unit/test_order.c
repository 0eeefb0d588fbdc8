/* The order of recorded commits (storage/order.h, index_commit_before):
 * what an execution report asks about its plan's versions, without git. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "kenes/plugin.h"
#include "storage/index.h"
#include "storage/order.h"

static void hex(char out[41], unsigned n)
{
    /* Commits whose first bytes agree, so probes collide in the table. */
    snprintf(out, 41, "00000000%032x", n);
}

static void order_is_per_repository(void **state)
{
    (void)state;
    commit_order *o = NULL;
    assert_int_equal(order_new(&o), 0);
    char a[41], b[41], c[41];
    hex(a, 1), hex(b, 2), hex(c, 3);
    assert_int_equal(order_note(o, 0, a), 0);
    assert_int_equal(order_note(o, 1, c), 0);
    assert_int_equal(order_note(o, 0, b), 0);
    assert_int_equal(order_before(o, a, b), 1);
    assert_int_equal(order_before(o, b, a), 0);
    assert_int_equal(order_before(o, a, a), 0);
    /* Two repositories' histories are not one line. */
    assert_int_equal(order_before(o, a, c), 0);
    assert_int_equal(order_before(o, c, b), 0);
    /* Noted again: it keeps its first place. */
    assert_int_equal(order_note(o, 0, a), 0);
    assert_int_equal(order_before(o, a, b), 1);
    assert_int_equal(order_count(o), 3);
    order_free(o);
}

static void unknown_and_bad_ids_are_not_before(void **state)
{
    (void)state;
    commit_order *o = NULL;
    assert_int_equal(order_new(&o), 0);
    char a[41], b[41];
    hex(a, 1), hex(b, 2);
    assert_int_equal(order_before(o, a, b), 0); /* an empty table */
    assert_int_equal(order_note(o, 0, a), 0);
    assert_int_equal(order_before(o, a, b), 0);
    assert_int_equal(order_before(o, a, NULL), 0);
    assert_int_equal(order_before(o, "xyz", a), 0);
    assert_int_equal(order_note(o, 0, "not a commit"), KENES_EINVAL);
    assert_int_equal(order_note(o, 0, NULL), KENES_EINVAL);
    assert_int_equal(order_note(o, 2, b), KENES_EINVAL);
    assert_int_equal(order_count(o), 1);
    order_free(o);
    order_free(NULL);
}

static void the_table_grows_and_keeps_every_place(void **state)
{
    (void)state;
    commit_order *o = NULL;
    assert_int_equal(order_new(&o), 0);
    char x[41], y[41];
    for (unsigned i = 1; i <= 5000; i++) {
        hex(x, i);
        assert_int_equal(order_note(o, (int)(i & 1), x), 0);
    }
    assert_int_equal(order_count(o), 5000);
    for (unsigned i = 3; i <= 5000; i += 97) {
        hex(x, i - 2), hex(y, i);
        assert_int_equal(order_before(o, x, y), 1);
        assert_int_equal(order_before(o, y, x), 0);
    }
    order_free(o);
}

static void the_index_records_the_order(void **state)
{
    (void)state;
    doc_index *ix = NULL;
    idx_doc *plan = NULL, *report = NULL;
    assert_int_equal(index_new(&ix), 0);
    assert_int_equal(index_add(&plan, ix, "plan/KZ-11/2026"), 0);
    assert_int_equal(index_add(&report, ix, "execution/KZ-11/2026-h1"), 0);
    idx_version v = {.time_ms = 1, .author = "off11", .role = "regional-official",
                     .action = "create", .to = "draft"};
    char p1[41], r1[41], p2[41];
    hex(p1, 10), hex(r1, 11), hex(p2, 12);
    memcpy(v.commit, p1, 41);
    assert_int_equal(index_record(ix, plan, &v), 0);
    memcpy(v.commit, r1, 41);
    assert_int_equal(index_record(ix, report, &v), 0);
    memcpy(v.commit, p2, 41);
    v.action = "amend";
    assert_int_equal(index_record(ix, plan, &v), 0);
    assert_int_equal(index_commit_before(ix, p1, r1), 1);
    assert_int_equal(index_commit_before(ix, p2, r1), 0);
    assert_int_equal(index_commit_before(ix, r1, p2), 1);
    index_free(ix);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(order_is_per_repository),
        cmocka_unit_test(unknown_and_bad_ids_are_not_before),
        cmocka_unit_test(the_table_grows_and_keeps_every_place),
        cmocka_unit_test(the_index_records_the_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
