/* The audit feed (audit/feed.c): read from the two history journals on
 * the thread pool, newest first, merged by time; a cursor (the journals'
 * offsets) that continues where a page ended, stays good while lines are
 * appended, and refuses any the server did not make or that no longer
 * falls on a line's start; the filters, a rare one read in many small
 * steps; no comment in what a change shows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "audit/feed.h"
#include "base/util.h"
#include "kenes/plugin.h"
#include "storage/journal.h"

typedef struct fixture {
    char dir[64];
    char paths[2][128];
    const char *journals[2];
    doc_index *ix;
    uv_loop_t loop;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/kenes-feed-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->paths[0], sizeof(f->paths[0]), "%s/documents.jsonl", f->dir);
    snprintf(f->paths[1], sizeof(f->paths[1]), "%s/cases.jsonl", f->dir);
    f->journals[0] = f->paths[0];
    f->journals[1] = f->paths[1];
    assert_int_equal(index_new(&f->ix), 0);
    assert_int_equal(uv_loop_init(&f->loop), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    unlink(f->paths[0]);
    unlink(f->paths[1]);
    rmdir(f->dir);
    index_free(f->ix);
    uv_loop_close(&f->loop);
    free(f);
    return 0;
}

static void add_doc(fixture *f, const char *id, int repo, const char *type, const char *region)
{
    idx_doc *d;
    assert_int_equal(index_add(&d, f->ix, id), 0);
    d->repo = repo;
    index_set_doc(d, json_pack("{s:s, s:s}", "type", type, "region", region));
}

static void append_text(const char *path, const char *text)
{
    FILE *out = fopen(path, "ab");
    assert_non_null(out);
    fputs(text, out);
    fclose(out);
}

/* A version's line as the writer appends it, its commit c repeated 40 times. */
static void append_long(fixture *f, int repo, char c, const char *doc, int64_t time_ms,
                        const char *author, const char *action, const char *comment)
{
    idx_version v = {.time_ms = time_ms, .author = (char *)author, .role = "official",
                     .action = (char *)action, .to = "draft", .comment = (char *)comment};
    char *entry = journal_entry(doc, &v), commit[41];
    memset(commit, c, 40);
    commit[40] = '\0';
    size_t cap = strlen(entry) + 64;
    char *line = malloc(cap);
    assert_non_null(line);
    snprintf(line, cap, "{\"commit\":\"%s\",%s\n", commit, entry + 1);
    free(entry);
    append_text(f->paths[repo], line);
    free(line);
}

static void append(fixture *f, int repo, char c, const char *doc, int64_t time_ms,
                   const char *author, const char *action)
{
    append_long(f, repo, c, doc, time_ms, author, action, "a comment that may quote a case");
}

static audit_feed_query any(void)
{
    return (audit_feed_query){.since_ms = -1, .until_ms = -1, .limit = AUDIT_FEED_PAGE};
}

typedef struct answer {
    int done, rc;
    unsigned steps;
    json_t *page;
} answer;

static void on_page(int rc, json_t *page, unsigned steps, void *payload)
{
    answer *a = payload;
    a->done = 1;
    a->rc = rc;
    a->steps = steps;
    a->page = page;
}

/* The page for q: its code (a start's refusal or the callback's). */
static int feed(fixture *f, const audit_feed_query *q, json_t **page, unsigned *steps)
{
    answer a = {0};
    int rc = audit_feed_start(&f->loop, f->ix, f->journals, q, on_page, &a);
    *page = NULL;
    if (rc < 0)
        return rc;
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_true(a.done);
    if (steps)
        *steps = a.steps;
    *page = a.page;
    return a.rc;
}

/* The first letters of the page's commits, in order, into seen. */
static void letters(char *seen, size_t cap, const json_t *page)
{
    const json_t *events = json_object_get(page, "events");
    for (size_t i = 0; i < json_array_size(events); i++) {
        const json_t *e = json_array_get(events, i);
        char one[2] = {json_string_value(json_object_get(e, "commit"))[0], '\0'};
        strncat(seen, one, cap - strlen(seen) - 1);
        /* Who, when, what kind of step; never the comment. */
        assert_null(json_object_get(e, "comment"));
    }
}

/* One page of q, whose commits' letters must be want: the steps it took,
 * and its cursor into cursor (128 bytes; "" for null) unless NULL. */
static unsigned expect_page(fixture *f, const audit_feed_query *q, const char *want, char *cursor)
{
    json_t *page;
    unsigned steps = 0;
    assert_int_equal(feed(f, q, &page, &steps), 0);
    char seen[64] = "";
    letters(seen, sizeof(seen), page);
    assert_string_equal(seen, want);
    const char *next = json_string_value(json_object_get(page, "cursor"));
    if (cursor)
        snprintf(cursor, 128, "%s", next ? next : "");
    json_decref(page);
    return steps;
}

/* Every page of q, following the cursors: the commits' letters. */
static size_t all_pages(fixture *f, audit_feed_query q, char *seen, size_t cap)
{
    static char cursor[128];
    size_t pages = 0;
    seen[0] = '\0';
    for (;;) {
        json_t *page;
        assert_int_equal(feed(f, &q, &page, NULL), 0);
        letters(seen, cap, page);
        pages++;
        const char *next = json_string_value(json_object_get(page, "cursor"));
        if (next)
            snprintf(cursor, sizeof(cursor), "%s", next);
        json_decref(page);
        if (!next)
            return pages;
        q.cursor = cursor;
    }
}

/* Five changes at times 1 to 5 (odd ones by off11 on the plan, even ones
 * by off15 on the roster), both in documents.git, and a case's two. */
static void five_changes(fixture *f)
{
    add_doc(f, "plan/KZ-11/2026", 0, "regional-plan", "KZ-11");
    add_doc(f, "roster/KZ-15/2026", 0, "commission-roster", "KZ-15");
    for (int i = 1; i <= 5; i++)
        append(f, 0, (char)('0' + i), i % 2 ? "plan/KZ-11/2026" : "roster/KZ-15/2026", i,
               i % 2 ? "off11" : "off15", i <= 2 ? "create" : "edit");
}

static void pages_follow_the_cursor_newest_first(void **state)
{
    fixture *f = *state;
    five_changes(f);
    audit_feed_query q = any();
    q.limit = 2;
    char seen[16];
    assert_int_equal(all_pages(f, q, seen, sizeof(seen)), 3);
    assert_string_equal(seen, "54321");
    /* The same page as the index gave it: the keys, their order, the values. */
    json_t *page;
    q.limit = 1;
    assert_int_equal(feed(f, &q, &page, NULL), 0);
    char *text = json_dumps(json_object_get(page, "events"), JSON_COMPACT);
    assert_string_equal(text, "[{\"commit\":\"5555555555555555555555555555555555555555\","
                              "\"time\":\"1970-01-01T00:00:00Z\",\"user\":\"off11\","
                              "\"role\":\"official\",\"action\":\"edit\","
                              "\"document\":\"plan/KZ-11/2026\",\"type\":\"regional-plan\","
                              "\"region\":\"KZ-11\",\"to\":\"draft\",\"from\":null}]");
    free(text);
    /* A cursor stays good while lines are appended after it. */
    char cursor[128];
    snprintf(cursor, sizeof(cursor), "%s", json_string_value(json_object_get(page, "cursor")));
    json_decref(page);
    append(f, 0, '6', "plan/KZ-11/2026", 6, "off11", "edit");
    q.cursor = cursor;
    q.limit = 10;
    expect_page(f, &q, "4321", NULL);
    q = any();
    assert_int_equal(all_pages(f, q, seen, sizeof(seen)), 1);
    assert_string_equal(seen, "654321");
}

/* Two repositories, each in its order, merged by time newest first; at the
 * same time a case's comes before a plan's (the order the index kept:
 * documents loaded first, sorted stably, read backwards). */
static void journals_merge_in_time_order(void **state)
{
    fixture *f = *state;
    add_doc(f, "plan/KZ-11/2026", 0, "regional-plan", "KZ-11");
    add_doc(f, "case/KZ-11/x", 1, "case", "KZ-11");
    /* documents.git: 10, 20, 30, 30, 50 (a..e); cases.git: 5, 20, 30, 40, 60 (v..z). */
    const int64_t docs[] = {10, 20, 30, 30, 50}, cases[] = {5, 20, 30, 40, 60};
    for (int i = 0; i < 5; i++) {
        append(f, 0, (char)('a' + i), "plan/KZ-11/2026", docs[i], "a", "edit");
        append(f, 1, (char)('v' + i), "case/KZ-11/x", cases[i], "a", "edit");
    }
    char seen[16];
    for (size_t limit = 1; limit <= 11; limit++) {
        audit_feed_query q = any();
        q.limit = limit;
        all_pages(f, q, seen, sizeof(seen));
        assert_string_equal(seen, "zeyxdcwbav");
    }
    /* Administrators' and foreign commits' lines, a line naming no document
     * the index holds or one of the other repository, and a last line
     * still being appended: none is a change of the feed. */
    char commit[41];
    memset(commit, 'f', 40);
    commit[40] = '\0';
    char line[200];
    snprintf(line, sizeof(line), "{\"commit\":\"%s\",\"admin\":\"accept\"}\n", commit);
    append_text(f->paths[0], line);
    snprintf(line, sizeof(line), "{\"commit\":\"%s\",\"foreign\":true}\n", commit);
    append_text(f->paths[1], line);
    append(f, 0, 'g', "plan/KZ-99/2026", 70, "a", "edit");
    append(f, 0, 'h', "case/KZ-11/x", 70, "a", "edit");
    append_text(f->paths[1], "{\"commit\":\"iiii");
    all_pages(f, any(), seen, sizeof(seen));
    assert_string_equal(seen, "zeyxdcwbav");
}

static void bad_cursors_are_refused(void **state)
{
    fixture *f = *state;
    five_changes(f);
    audit_feed_query q = any();
    q.limit = 1;
    json_t *page;
    assert_int_equal(feed(f, &q, &page, NULL), 0);
    char cursor[128], tampered[128];
    snprintf(cursor, sizeof(cursor), "%s", json_string_value(json_object_get(page, "cursor")));
    json_decref(page);
    /* One character changed: the MAC no longer holds. */
    snprintf(tampered, sizeof(tampered), "%s", cursor);
    tampered[0] = tampered[0] == 'A' ? 'B' : 'A';
    q.cursor = tampered;
    assert_int_equal(feed(f, &q, &page, NULL), KENES_EINVAL);
    assert_null(page);
    q.cursor = "not-a-cursor";
    assert_int_equal(feed(f, &q, &page, NULL), KENES_EINVAL);
    q.cursor = NULL;
    q.limit = 0;
    assert_int_equal(feed(f, &q, &page, NULL), KENES_EINVAL);
    q.limit = AUDIT_FEED_MAX_PAGE + 1;
    assert_int_equal(feed(f, &q, &page, NULL), KENES_EINVAL);
    /* A journal changed under it: the cursor's offset inside a line, then
     * past the end.  Refused, and nothing is written. */
    char *before;
    size_t len, now_len;
    assert_int_equal(util_read_file(&before, &len, f->paths[0]), 0);
    char *moved = malloc(len + 1);
    moved[0] = ' ';
    memcpy(moved + 1, before, len);
    assert_int_equal(util_write_file_atomic(f->paths[0], moved, len + 1, 0600), 0);
    q.limit = 1;
    q.cursor = cursor;
    assert_int_equal(feed(f, &q, &page, NULL), KENES_EINVAL);
    assert_null(page);
    assert_int_equal(util_write_file_atomic(f->paths[0], before, len / 4, 0600), 0);
    assert_int_equal(feed(f, &q, &page, NULL), KENES_EINVAL);
    char *after;
    assert_int_equal(util_read_file(&after, &now_len, f->paths[0]), 0);
    assert_int_equal(now_len, len / 4);
    assert_memory_equal(after, before, now_len);
    assert_int_equal(access(f->paths[1], F_OK), -1); /* not made by a read */
    free(after);
    free(moved);
    free(before);
}

static void filters_and_times(void **state)
{
    fixture *f = *state;
    five_changes(f);
    audit_feed_query q = any();
    q.user = "off15";
    char cursor[128];
    expect_page(f, &q, "42", cursor);
    assert_string_equal(cursor, "");

    q = any();
    q.type = "regional-plan";
    q.action = "edit";
    q.region = "KZ-11";
    expect_page(f, &q, "53", NULL);

    q = any();
    q.since_ms = 2;
    q.until_ms = 4;
    expect_page(f, &q, "432", NULL);
}

/* 300 changes, a few of them rare (by a user, of a type, in a region),
 * read in steps of 256 bytes: each page takes many steps, the loop asking
 * for the next while the page is not full. */
static void a_rare_match_spans_many_steps(void **state)
{
    fixture *f = *state;
    five_changes(f);
    add_doc(f, "plan/KZ-19/2026", 0, "regional-plan", "KZ-19");
    add_doc(f, "case/KZ-19/x", 1, "case", "KZ-19");
    append(f, 0, 'y', "plan/KZ-19/2026", 9, "often", "edit");
    for (int i = 0; i < 300; i++) {
        int rare = i == 3 || i == 150;
        append(f, i % 2, rare ? 'r' : 'x', i % 2 ? "case/KZ-19/x" : "plan/KZ-11/2026",
               10 + i, rare ? "rare" : "often", "edit");
    }
    append(f, 0, 'z', "plan/KZ-19/2026", 400, "often", "edit");
    audit_feed_query q = any();
    q.user = "rare";
    q.step_bytes = 256;
    assert_true(expect_page(f, &q, "rr", NULL) > 20);
    /* The region on the loop: a page of one, then the rest by its cursor. */
    q = any();
    q.region = "KZ-19";
    q.type = "regional-plan";
    q.step_bytes = 256;
    q.limit = 1;
    char cursor[128];
    /* The newest: one step for each journal's first bytes. */
    assert_true(expect_page(f, &q, "z", cursor) <= 2);
    q.cursor = cursor;
    assert_true(expect_page(f, &q, "y", NULL) > 20);
}

/* A line many steps long (a long comment): read across the steps, whole. */
static void a_line_longer_than_a_step(void **state)
{
    fixture *f = *state;
    five_changes(f);
    char *comment = malloc(20000);
    memset(comment, 'w', 19999);
    comment[19999] = '\0';
    append_long(f, 0, 'L', "plan/KZ-11/2026", 7, "off11", "edit", comment);
    append(f, 0, '8', "plan/KZ-11/2026", 8, "off11", "edit");
    free(comment);
    audit_feed_query q = any();
    q.step_bytes = 64;
    q.user = "off15";
    /* Beyond the few KiB the start looks at for the last line's end. */
    assert_true(expect_page(f, &q, "42", NULL) > 200);
    q = any();
    q.step_bytes = 64;
    q.limit = 2;
    char cursor[128];
    expect_page(f, &q, "8L", cursor);
    q.cursor = cursor;
    expect_page(f, &q, "54", NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(pages_follow_the_cursor_newest_first, setup, teardown),
        cmocka_unit_test_setup_teardown(journals_merge_in_time_order, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_cursors_are_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(filters_and_times, setup, teardown),
        cmocka_unit_test_setup_teardown(a_rare_match_spans_many_steps, setup, teardown),
        cmocka_unit_test_setup_teardown(a_line_longer_than_a_step, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
