/* A body's first line that only repeats the title is left out
 * (web/body.h): the document page and the public page show the title once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "web/body.h"

static const char *rest(const char *body, const char *title)
{
    size_t len;
    const char *r = web_body_after_title(body, title, &len);
    assert_int_equal(len, strlen(r));
    return r;
}

static void test_after_title(void **state)
{
    (void)state;
    const char *t = "План KZ-11 на 2026 год";
    assert_string_equal(rest("# План KZ-11 на 2026 год\n\nТекст.\n", t), "\nТекст.\n");
    assert_string_equal(rest("# План KZ-11 на 2026 год\r\nТекст.", t), "Текст.");
    assert_string_equal(rest("# План KZ-11 на 2026 год", t), "");
    /* Anything else stays whole: another heading, a longer one, a second-level one. */
    assert_string_equal(rest("# План\n\nТекст.", t), "# План\n\nТекст.");
    assert_string_equal(rest("# План KZ-11 на 2026 год и далее\n", t),
                        "# План KZ-11 на 2026 год и далее\n");
    assert_string_equal(rest("## План KZ-11 на 2026 год\n", t), "## План KZ-11 на 2026 год\n");
    /* No title (a case's): nothing is left out. */
    assert_string_equal(rest("# \nТекст", ""), "# \nТекст");
    assert_string_equal(rest("# Рассмотрение\n", NULL), "# Рассмотрение\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_after_title),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
