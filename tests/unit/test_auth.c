#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "auth.h"
#include "kenes/plugin.h"

static char dir[64], users[128];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/kenes-auth-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(users, sizeof(users), "%s/users.yaml", dir);
    char err[256];
    assert_int_equal(auth_users_add(users, "off11", ROLE_OFFICIAL, "KZ-11", "long-enough-pass", err,
                                    sizeof(err)),
                     0);
    assert_int_equal(auth_users_add(users, "rev", ROLE_REVIEWER, NULL, "another-long-pass", err,
                                    sizeof(err)),
                     0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(users);
    rmdir(dir);
    return 0;
}

static void add_refuses_bad_users(void **state)
{
    (void)state;
    char err[256];
    assert_int_equal(auth_users_add(users, "off11", ROLE_OFFICIAL, "KZ-11", "long-enough-pass", err,
                                    sizeof(err)),
                     KENES_EEXISTS);
    assert_int_equal(auth_users_add(users, "x", ROLE_AUDITOR, NULL, "short", err, sizeof(err)),
                     KENES_EINVAL);
    assert_non_null(strstr(err, "12"));
    assert_int_equal(auth_users_add(users, "x", ROLE_OFFICIAL, NULL, "long-enough-pass", err,
                                    sizeof(err)),
                     KENES_EINVAL);
    assert_int_equal(auth_users_add(users, "x", ROLE_AUDITOR, "KZ-11", "long-enough-pass", err,
                                    sizeof(err)),
                     KENES_EINVAL);
    assert_int_equal(auth_users_add(users, "Has Space", ROLE_AUDITOR, NULL, "long-enough-pass",
                                    err, sizeof(err)),
                     KENES_EINVAL);
}

typedef struct result {
    int status;
    char token[AUTH_TOKEN_CHARS];
    int calls;
} result;

static void on_login(int status, const char *token, const auth_user *u, void *payload)
{
    result *r = payload;
    r->status = status;
    r->calls++;
    if (token) {
        snprintf(r->token, sizeof(r->token), "%s", token);
        assert_non_null(u);
    }
}

static void login_and_sessions(void **state)
{
    (void)state;
    uv_loop_t loop;
    uv_loop_init(&loop);
    auth *a;
    char err[256];
    assert_int_equal(auth_open(&a, &loop, users, 1, err, sizeof(err)), 0);
    assert_int_equal(auth_user_count(a), 2);
    const auth_user *u = auth_user_find(a, "off11");
    assert_non_null(u);
    assert_int_equal(u->role, ROLE_OFFICIAL);
    assert_string_equal(u->region, "KZ-11");

    result ok = {0}, wrong = {0}, unknown = {0};
    assert_int_equal(auth_login(a, "off11", "long-enough-pass", on_login, &ok), 0);
    assert_int_equal(auth_login(a, "off11", "long-enough-pasS", on_login, &wrong), 0);
    assert_int_equal(auth_login(a, "ghost", "long-enough-pass", on_login, &unknown), 0);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(ok.calls, 1);
    assert_int_equal(ok.status, 0);
    assert_int_equal(strlen(ok.token), AUTH_TOKEN_CHARS - 1);
    assert_null(strpbrk(ok.token, "+/="));
    assert_int_equal(wrong.status, KENES_EFORBIDDEN);
    assert_int_equal(unknown.status, KENES_EFORBIDDEN);

    assert_ptr_equal(auth_session(a, ok.token), u);
    char forged[AUTH_TOKEN_CHARS];
    snprintf(forged, sizeof(forged), "%s", ok.token);
    forged[0] = forged[0] == 'A' ? 'B' : 'A';
    assert_null(auth_session(a, forged));
    assert_null(auth_session(a, ""));

    /* Idle for longer than the timeout (1 s here): the token is gone. */
    usleep(1100 * 1000);
    uv_update_time(&loop);
    assert_null(auth_session(a, ok.token));

    result again = {0};
    assert_int_equal(auth_login(a, "rev", "another-long-pass", on_login, &again), 0);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(again.status, 0);
    assert_non_null(auth_session(a, again.token));
    assert_int_equal(auth_logout(a, again.token), 0);
    assert_null(auth_session(a, again.token));
    assert_int_equal(auth_logout(a, again.token), KENES_ENOTFOUND);

    auth_close(a);
    uv_loop_close(&loop);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(add_refuses_bad_users),
        cmocka_unit_test(login_and_sessions),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
