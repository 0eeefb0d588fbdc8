/* base/error.c: every code has a name, and errno values land on codes. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "base/error.h"

static void every_code_is_named_once(void **state)
{
    (void)state;
    for (int c = KENES_EUNAVAILABLE; c <= KENES_OK; c++) {
        const char *name = kenes_strerror(c);
        assert_non_null(name);
        assert_string_not_equal(name, "unknown error");
        for (int d = c + 1; d <= KENES_OK; d++)
            assert_string_not_equal(name, kenes_strerror(d));
    }
    assert_string_equal(kenes_strerror(KENES_EUNAVAILABLE - 1), "unknown error");
    assert_string_equal(kenes_strerror(1), "unknown error");
}

static void errno_values_become_codes(void **state)
{
    (void)state;
    /* The collision the codes once had: -ENOENT was read as KENES_ENOMEM. */
    assert_int_equal(kenes_error_from_errno(ENOENT), KENES_ENOTFOUND);
    assert_int_equal(kenes_error_from_errno(ENOMEM), KENES_ENOMEM);
    assert_int_equal(kenes_error_from_errno(EEXIST), KENES_EEXISTS);
    assert_int_equal(kenes_error_from_errno(EFBIG), KENES_ETOOBIG);
    assert_int_equal(kenes_error_from_errno(EAGAIN), KENES_EBUSY);
    /* A file's permissions, which an operator fixes: named as such. */
    assert_int_equal(kenes_error_from_errno(EACCES), KENES_EFORBIDDEN);
    assert_int_equal(kenes_error_from_errno(EIO), KENES_EIO);
    assert_int_equal(kenes_error_from_errno(ENOSPC), KENES_EIO);
    assert_int_equal(kenes_error_from_errno(0), KENES_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_code_is_named_once),
        cmocka_unit_test(errno_values_become_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
