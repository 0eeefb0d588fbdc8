/* The history page's two columns, made from a patch's hunks (web/diffcols.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/error.h"
#include "web/diffcols.h"

static const char PATCH[] =
    "diff --git a/plan/KZ-11/2026.md b/plan/KZ-11/2026.md\n"
    "index 1111111..2222222 100644\n"
    "--- a/plan/KZ-11/2026.md\n"
    "+++ b/plan/KZ-11/2026.md\n"
    "@@ -4,6 +4,5 @@ id: plan/KZ-11/2026\n"
    " region: KZ-11\n"
    "-stage: draft\n"
    "-title: old\n"
    "+stage: ministry-review\n"
    " fields:\n"
    "\n"
    "-gone\n"
    " tail\n"
    "@@ -40 +39,2 @@\n"
    "+new one\n"
    "+new two\n"
    "\\ No newline at end of file\n";

static const char *side(const json_t *row, const char *which, const char *key)
{
    return json_string_value(json_object_get(json_object_get(row, which), key));
}

static int no(const json_t *row, const char *which)
{
    return (int)json_integer_value(json_object_get(json_object_get(row, which), "no"));
}

static void hunks_become_rows(void **state)
{
    (void)state;
    json_t *rows;
    int changes;
    assert_int_equal(diffcols_build(&rows, &changes, PATCH, NULL, NULL), 0);
    /* hunk, region, stage|stage, title|-, fields, "", gone|-, tail, hunk, -|new one, -|new two */
    assert_int_equal(json_array_size(rows), 11);
    assert_int_equal(changes, 5);
    json_t *h = json_array_get(rows, 0);
    assert_true(json_is_true(json_object_get(h, "hunk")));
    assert_int_equal(json_integer_value(json_object_get(h, "left_from")), 4);
    assert_int_equal(json_integer_value(json_object_get(h, "right_from")), 4);
    json_t *r = json_array_get(rows, 1);
    assert_string_equal(side(r, "left", "text"), "region: KZ-11");
    assert_string_equal(side(r, "right", "kind"), "same");
    assert_int_equal(no(r, "left"), 4);
    /* The removed run faces the added one row by row. */
    r = json_array_get(rows, 2);
    assert_string_equal(side(r, "left", "text"), "stage: draft");
    assert_string_equal(side(r, "left", "kind"), "del");
    assert_true(json_is_true(json_object_get(json_object_get(r, "left"), "changed")));
    assert_string_equal(side(r, "right", "text"), "stage: ministry-review");
    assert_string_equal(side(r, "right", "kind"), "add");
    assert_int_equal(no(r, "left"), 5);
    assert_int_equal(no(r, "right"), 5);
    r = json_array_get(rows, 3);
    assert_string_equal(side(r, "left", "text"), "title: old");
    assert_null(json_object_get(r, "right"));
    r = json_array_get(rows, 4);
    assert_string_equal(side(r, "left", "text"), "fields:");
    assert_int_equal(no(r, "left"), 7);
    assert_int_equal(no(r, "right"), 6);
    /* An empty context line without its space is still context. */
    r = json_array_get(rows, 5);
    assert_string_equal(side(r, "left", "text"), "");
    assert_string_equal(side(r, "right", "kind"), "same");
    r = json_array_get(rows, 6);
    assert_string_equal(side(r, "left", "text"), "gone");
    assert_null(json_object_get(r, "right"));
    h = json_array_get(rows, 8);
    assert_int_equal(json_integer_value(json_object_get(h, "left_from")), 40);
    assert_int_equal(json_integer_value(json_object_get(h, "right_from")), 39);
    r = json_array_get(rows, 10);
    assert_null(json_object_get(r, "left"));
    assert_string_equal(side(r, "right", "text"), "new two");
    assert_int_equal(no(r, "right"), 40);
    json_decref(rows);
}

static char *upper_stage(const char *line, void *payload)
{
    (*(int *)payload)++;
    return strncmp(line, "stage: ", 7) == 0 ? strdup("STAGE") : NULL;
}

static void words_replace_lines_on_both_sides(void **state)
{
    (void)state;
    json_t *rows;
    int changes, calls = 0;
    assert_int_equal(diffcols_build(&rows, &changes, PATCH, upper_stage, &calls), 0);
    json_t *r = json_array_get(rows, 2);
    assert_string_equal(side(r, "left", "text"), "STAGE");
    assert_string_equal(side(r, "right", "text"), "STAGE");
    assert_string_equal(side(json_array_get(rows, 3), "left", "text"), "title: old");
    assert_true(calls >= 10);
    json_decref(rows);
}

static void empty_and_broken(void **state)
{
    (void)state;
    json_t *rows;
    int changes;
    assert_int_equal(diffcols_build(&rows, &changes, "", NULL, NULL), 0);
    assert_int_equal(json_array_size(rows), 0);
    assert_int_equal(changes, 0);
    json_decref(rows);
    assert_int_equal(diffcols_build(&rows, &changes, NULL, NULL, NULL), 0);
    json_decref(rows);
    assert_int_equal(diffcols_build(&rows, &changes, "@@ -x +1 @@\n+a\n", NULL, NULL),
                     KENES_EINVAL);
    assert_null(rows);
    assert_int_equal(diffcols_build(&rows, &changes, "@@ -1 +1\n+a\n", NULL, NULL),
                     KENES_EINVAL);
    /* Lines before any hunk (the headers) are no rows. */
    assert_int_equal(diffcols_build(&rows, &changes, "--- a/x\n+++ b/x\n", NULL, NULL), 0);
    assert_int_equal(json_array_size(rows), 0);
    json_decref(rows);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hunks_become_rows),
        cmocka_unit_test(words_replace_lines_on_both_sides),
        cmocka_unit_test(empty_and_broken),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
