/* The audit feed (audit/feed.c): pages newest first, a cursor that
 * continues where a page ended and refuses any the server did not make,
 * the filters, and no comment in what a change shows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "audit/feed.h"
#include "kenes/plugin.h"

/* Two documents, five changes at times 1 to 5 (odd ones by off11 on the
 * plan, even ones by off15 on the roster). */
static doc_index *five_changes(void)
{
    doc_index *ix;
    idx_doc *plan, *roster;
    assert_int_equal(index_new(&ix), 0);
    assert_int_equal(index_add(&plan, ix, "plan/KZ-11/2026"), 0);
    assert_int_equal(index_add(&roster, ix, "roster/KZ-15/2026"), 0);
    index_set_doc(plan, json_pack("{s:s, s:s}", "type", "regional-plan", "region", "KZ-11"));
    index_set_doc(roster,
                  json_pack("{s:s, s:s}", "type", "commission-roster", "region", "KZ-15"));
    for (int i = 1; i <= 5; i++) {
        idx_version v = {.time_ms = i, .author = i % 2 ? "off11" : "off15", .role = "official",
                         .action = i <= 2 ? "create" : "edit", .to = "draft",
                         .comment = "a comment that may quote a case"};
        memset(v.commit, '0' + i, 40);
        assert_int_equal(index_record(ix, i % 2 ? plan : roster, &v), 0);
    }
    return ix;
}

static audit_feed_query any(void)
{
    return (audit_feed_query){.since_ms = -1, .until_ms = -1, .limit = AUDIT_FEED_PAGE};
}

static const char *commit_of(const json_t *page, size_t i)
{
    return json_string_value(
        json_object_get(json_array_get(json_object_get(page, "events"), i), "commit"));
}

static void pages_follow_the_cursor_newest_first(void **state)
{
    (void)state;
    doc_index *ix = five_changes();
    audit_feed_query q = any();
    q.limit = 2;
    json_t *page;
    char seen[6] = "";
    size_t pages = 0;
    for (;;) {
        assert_int_equal(audit_feed_page(&page, ix, &q), 0);
        for (size_t i = 0; i < json_array_size(json_object_get(page, "events")); i++) {
            strncat(seen, commit_of(page, i), 1);
            /* Who, when, what kind of step; never the comment. */
            assert_null(json_object_get(json_array_get(json_object_get(page, "events"), i),
                                        "comment"));
        }
        pages++;
        const char *next = json_string_value(json_object_get(page, "cursor"));
        if (!next) {
            json_decref(page);
            break;
        }
        static char cursor[128];
        snprintf(cursor, sizeof(cursor), "%s", next);
        q.cursor = cursor;
        json_decref(page);
    }
    assert_string_equal(seen, "54321");
    assert_int_equal(pages, 3);
    index_free(ix);
}

static void a_cursor_not_made_here_is_refused(void **state)
{
    (void)state;
    doc_index *ix = five_changes();
    audit_feed_query q = any();
    q.limit = 1;
    json_t *page;
    assert_int_equal(audit_feed_page(&page, ix, &q), 0);
    char cursor[128];
    snprintf(cursor, sizeof(cursor), "%s", json_string_value(json_object_get(page, "cursor")));
    json_decref(page);
    /* One character changed: the MAC no longer holds. */
    cursor[0] = cursor[0] == 'A' ? 'B' : 'A';
    q.cursor = cursor;
    assert_int_equal(audit_feed_page(&page, ix, &q), KENES_EINVAL);
    assert_null(page);
    q.cursor = "not-a-cursor";
    assert_int_equal(audit_feed_page(&page, ix, &q), KENES_EINVAL);
    q.cursor = NULL;
    q.limit = 0;
    assert_int_equal(audit_feed_page(&page, ix, &q), KENES_EINVAL);
    q.limit = AUDIT_FEED_MAX_PAGE + 1;
    assert_int_equal(audit_feed_page(&page, ix, &q), KENES_EINVAL);
    index_free(ix);
}

static void filters_and_times(void **state)
{
    (void)state;
    doc_index *ix = five_changes();
    json_t *page;
    audit_feed_query q = any();
    q.user = "off15";
    assert_int_equal(audit_feed_page(&page, ix, &q), 0);
    assert_int_equal(json_array_size(json_object_get(page, "events")), 2);
    assert_string_equal(commit_of(page, 0), "4444444444444444444444444444444444444444");
    assert_true(json_is_null(json_object_get(page, "cursor")));
    json_decref(page);

    q = any();
    q.type = "regional-plan";
    q.action = "edit";
    q.region = "KZ-11";
    assert_int_equal(audit_feed_page(&page, ix, &q), 0);
    assert_int_equal(json_array_size(json_object_get(page, "events")), 2); /* 5 and 3 */
    json_decref(page);

    q = any();
    q.since_ms = 2;
    q.until_ms = 4;
    assert_int_equal(audit_feed_page(&page, ix, &q), 0);
    assert_int_equal(json_array_size(json_object_get(page, "events")), 3);
    assert_string_equal(commit_of(page, 2), "2222222222222222222222222222222222222222");
    json_decref(page);
    index_free(ix);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pages_follow_the_cursor_newest_first),
        cmocka_unit_test(a_cursor_not_made_here_is_refused),
        cmocka_unit_test(filters_and_times),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
