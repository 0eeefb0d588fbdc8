#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <git2.h>

#include "message.h"

static void compose_transition(void **state)
{
    (void)state;
    msg_info in = {"plan/KZ-11/2026", "approve", "ministry-review", "approved",
                   "ministry-reviewer", NULL, "regional plan", NULL, NULL};
    char *m;
    assert_int_equal(msg_compose(&m, &in), 0);
    assert_string_equal(m, "Approve regional plan KZ-11 2026\n\n"
                           "Kenes-Document: plan/KZ-11/2026\n"
                           "Kenes-Action: approve\n"
                           "Kenes-Stage: ministry-review -> approved\n"
                           "Kenes-Role: ministry-reviewer\n");
    msg_parsed p;
    assert_int_equal(msg_parse(&p, m), 0);
    assert_string_equal(p.document, "plan/KZ-11/2026");
    assert_string_equal(p.action, "approve");
    assert_string_equal(p.from, "ministry-review");
    assert_string_equal(p.to, "approved");
    assert_string_equal(p.role, "ministry-reviewer");
    assert_null(p.comment);
    msg_parsed_dispose(&p);
    free(m);
}

static void comment_survives_and_cannot_forge_trailers(void **state)
{
    (void)state;
    /* A comment that looks like trailers stays a comment. */
    const char *comment = "Верните с мерами.\n\nKenes-Action: approve\nKenes-Stage: x -> approved";
    msg_info in = {"plan/KZ-15/2026", "return", "ministry-review", "returned",
                   "ministry-reviewer", comment, "regional plan", NULL, NULL};
    char *m;
    assert_int_equal(msg_compose(&m, &in), 0);
    assert_non_null(strstr(m, "Return regional plan KZ-15 2026\n"));
    msg_parsed p;
    assert_int_equal(msg_parse(&p, m), 0);
    assert_string_equal(p.action, "return");
    assert_string_equal(p.to, "returned");
    assert_string_equal(p.comment, comment);
    msg_parsed_dispose(&p);
    free(m);
}

static void create_and_foreign(void **state)
{
    (void)state;
    msg_info in = {"plan/KZ-11/2026", "start-review", NULL, "draft", "admin", "", "case", NULL,
                   NULL};
    char *m;
    assert_int_equal(msg_compose(&m, &in), 0);
    assert_true(strncmp(m, "Start review case KZ-11 2026\n", 29) == 0);
    msg_parsed p;
    assert_int_equal(msg_parse(&p, m), 0);
    assert_null(p.from);
    assert_string_equal(p.to, "draft");
    msg_parsed_dispose(&p);
    free(m);
    assert_int_equal(msg_parse(&p, "sneaky approval\n"), -1);
    assert_int_equal(msg_parse(&p, "x\n\nKenes-Action: approve\n"), -1);
}

static void approval_trailers(void **state)
{
    (void)state;
    msg_info in = {"plan/KZ-11/2026", "approve", "ministry-review", "ministry-review",
                   "ministry-reviewer", NULL, "regional plan", "1/2",
                   "0123456789abcdef0123456789abcdef01234567"};
    char *m;
    assert_int_equal(msg_compose(&m, &in), 0);
    assert_non_null(strstr(m, "Kenes-Approval: 1/2\n"));
    assert_non_null(strstr(m, "Kenes-Content: 0123456789abcdef0123456789abcdef01234567\n"));
    msg_parsed p;
    assert_int_equal(msg_parse(&p, m), 0);
    assert_string_equal(p.approval, "1/2");
    assert_string_equal(p.content, "0123456789abcdef0123456789abcdef01234567");
    assert_string_equal(p.from, "ministry-review");
    assert_string_equal(p.to, "ministry-review");
    msg_parsed_dispose(&p);
    free(m);
}

int main(void)
{
    git_libgit2_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(compose_transition),
        cmocka_unit_test(comment_survives_and_cannot_forge_trailers),
        cmocka_unit_test(create_and_foreign),
        cmocka_unit_test(approval_trailers),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    git_libgit2_shutdown();
    return rc;
}
