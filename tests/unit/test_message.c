#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <git2.h>

#include "storage/message.h"

/* The message composed from in (free it). */
static char *compose(const msg_info *in)
{
    char *m;
    assert_int_equal(msg_compose(&m, in), 0);
    return m;
}

static void compose_transition(void **state)
{
    (void)state;
    msg_info in = {.document = "plan/KZ-11/2026", .action = "approve", .from = "ministry-review",
                   .to = "approved", .role = "ministry-reviewer", .noun = "regional plan"};
    char *m = compose(&in);
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

/* A return with this comment composes, parses back as a return, and gives
 * the comment back as want; the message is returned (free it). */
static char *return_with_comment(const char *comment, const char *want)
{
    msg_info in = {.document = "plan/KZ-15/2026", .action = "return", .from = "ministry-review",
                   .to = "returned", .role = "ministry-reviewer", .comment = comment,
                   .noun = "regional plan"};
    char *m = compose(&in);
    assert_non_null(strstr(m, "Return regional plan KZ-15 2026\n"));
    msg_parsed p;
    assert_int_equal(msg_parse(&p, m), 0);
    assert_string_equal(p.action, "return");
    assert_string_equal(p.to, "returned");
    assert_string_equal(p.comment, want);
    msg_parsed_dispose(&p);
    return m;
}

static void comment_survives_and_cannot_forge_trailers(void **state)
{
    (void)state;
    /* A comment that looks like trailers stays a comment. */
    const char *comment = "Верните с мерами.\n\nKenes-Action: approve\nKenes-Stage: x -> approved";
    free(return_with_comment(comment, comment));
}

static void create_and_foreign(void **state)
{
    (void)state;
    msg_info in = {.document = "plan/KZ-11/2026", .action = "start-review", .to = "draft",
                   .role = "admin", .comment = "", .noun = "case"};
    char *m = compose(&in);
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
    msg_info in = {.document = "plan/KZ-11/2026", .action = "approve", .from = "ministry-review",
                   .to = "ministry-review", .role = "ministry-reviewer", .noun = "regional plan",
                   .approval = "1/2", .content = "0123456789abcdef0123456789abcdef01234567"};
    char *m = compose(&in);
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

/* git stops reading a message at a line starting with "---" (a patch would
 * begin there): such a comment line is escaped with a space, and parsing
 * takes it back, so the trailers stay visible and the comment exact. */
static void comment_with_dash_lines(void **state)
{
    (void)state;
    const char *comment = "Таблица ниже:\n---\n  --- уже с отступом\n --- x\n----\nконец";
    char *m = return_with_comment(comment, comment);
    assert_non_null(strstr(m, "\n ---\n   --- уже с отступом\n  --- x\n ----\nконец\n\n"));
    assert_null(strstr(m, "\n---"));
    free(m);
}

/* What a browser's textarea sends: "\r\n" and a trailing newline. */
static void comment_cleaned_as_kept(void **state)
{
    (void)state;
    char *c;
    assert_int_equal(msg_comment_clean(&c, "Исправьте п. 3\r\nи п. 4  \r\n\r\n"), 0);
    assert_string_equal(c, "Исправьте п. 3\nи п. 4");
    free(return_with_comment("Исправьте п. 3\r\nи п. 4  \r\n\r\n", c));
    free(c);
    /* Nothing left: no comment at all. */
    assert_int_equal(msg_comment_clean(&c, " \r\n \n"), 0);
    assert_null(c);
    assert_int_equal(msg_comment_clean(&c, NULL), 0);
    assert_null(c);
    msg_info in = {.document = "plan/KZ-11/2026", .action = "return", .from = "ministry-review",
                   .to = "returned", .role = "ministry-reviewer", .comment = "\r\n\r\n",
                   .noun = "regional plan"};
    char *m = compose(&in);
    const char *want = "Return regional plan KZ-11 2026\n\nKenes-Document:";
    assert_true(strncmp(m, want, strlen(want)) == 0);
    free(m);
}

/* A case's comment is not in its message: the sealed note's blob id is. */
static void note_trailer(void **state)
{
    (void)state;
    msg_info in = {.document = "case/KZ-11/0001", .action = "reopen", .from = "closed",
                   .to = "under-review", .role = "commission-chair", .noun = "case review",
                   .note = "89abcdef0123456789abcdef0123456789abcdef"};
    char *m = compose(&in);
    assert_string_equal(m, "Reopen case review KZ-11 0001\n\n"
                           "Kenes-Document: case/KZ-11/0001\n"
                           "Kenes-Action: reopen\n"
                           "Kenes-Stage: closed -> under-review\n"
                           "Kenes-Role: commission-chair\n"
                           "Kenes-Note: 89abcdef0123456789abcdef0123456789abcdef\n");
    msg_parsed p;
    assert_int_equal(msg_parse(&p, m), 0);
    assert_string_equal(p.note, "89abcdef0123456789abcdef0123456789abcdef");
    assert_null(p.comment);
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
        cmocka_unit_test(comment_with_dash_lines),
        cmocka_unit_test(comment_cleaned_as_kept),
        cmocka_unit_test(note_trailer),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    git_libgit2_shutdown();
    return rc;
}
