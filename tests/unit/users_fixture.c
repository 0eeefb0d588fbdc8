/* The auth tests' users: see users_fixture.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>

#include "auth/auth.h"
#include "fixture_files.h"
#include "users_fixture.h"

void users_fixture_new(char *dir, size_t dcap, char *users, size_t ucap, const char *name)
{
    char err[256];
    assert_int_equal(scratch_dir_new(dir, dcap, name), 0);
    int n = snprintf(users, ucap, "%s/users.yaml", dir);
    assert_true(n > 0 && (size_t)n < ucap);
    assert_int_equal(auth_users_add(users, "off11", ROLE_OFFICIAL, "KZ-11", "long-enough-pass", err,
                                    sizeof(err)),
                     0);
    assert_int_equal(auth_users_add(users, "rev", ROLE_REVIEWER, NULL, "another-long-pass", err,
                                    sizeof(err)),
                     0);
}

int64_t users_fixture_clock(void *payload)
{
    return *(const int64_t *)payload;
}
