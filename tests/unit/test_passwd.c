/*
 * A user's change of their own password (auth_change_password): the current
 * password checked and counted as a login is, the new one checked as
 * `kenes user passwd` checks it, users.yaml rewritten only when both pass,
 * and the user's sessions ended.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "auth/auth.h"
#include "fixture_files.h"
#include "kenes/plugin.h"
#include "users_fixture.h"

static char dir[64], users[128];
static int64_t test_now_ms = 1780000000LL * 1000; /* stands still: no race with argon2id */

static int setup(void **state)
{
    (void)state;
    users_fixture_new(dir, sizeof(dir), users, sizeof(users), "passwd");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    scratch_dir_remove(dir);
    return 0;
}

static void open_auth(auth **a, uv_loop_t *loop)
{
    char err[256];
    uv_loop_init(loop);
    assert_int_equal(
        auth_open_clock(a, loop, users, 3600, users_fixture_clock, &test_now_ms, err, sizeof(err)), 0);
}

static void close_auth(auth *a, uv_loop_t *loop)
{
    assert_false(auth_busy(a));
    uv_run(loop, UV_RUN_DEFAULT);
    auth_close(a);
    assert_int_equal(uv_loop_close(loop), 0);
}

/* users.yaml's bytes, to free(). */
static char *file_bytes(void)
{
    FILE *f = fopen(users, "rb");
    assert_non_null(f);
    char *buf = calloc(1, 1 << 16);
    assert_non_null(buf);
    size_t n = fread(buf, 1, (1 << 16) - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

static void assert_file_is(const char *before)
{
    char *now = file_bytes();
    assert_string_equal(now, before);
    free(now);
}

typedef struct login_result {
    int status;
    char token[AUTH_TOKEN_CHARS];
} login_result;

static void on_login(int status, const char *token, const auth_user *u, void *payload)
{
    (void)u;
    login_result *r = payload;
    r->status = status;
    if (token)
        snprintf(r->token, sizeof(r->token), "%s", token);
}

static login_result login(uv_loop_t *loop, auth *a, const char *name, const char *password)
{
    login_result r = {1, ""};
    assert_int_equal(auth_login(a, name, password, "10.0.0.1", on_login, &r), 0);
    uv_run(loop, UV_RUN_DEFAULT);
    assert_int_not_equal(r.status, 1);
    return r;
}

typedef struct change_result {
    int status;
    int calls;
    char why[200];
} change_result;

static void on_changed(int status, const char *why, void *payload)
{
    change_result *r = payload;
    r->status = status;
    r->calls++;
    snprintf(r->why, sizeof(r->why), "%s", why ? why : "");
}

static change_result change(uv_loop_t *loop, auth *a, const char *name, const char *current,
                            const char *fresh)
{
    change_result r = {0};
    assert_int_equal(auth_change_password(a, name, current, fresh, "10.0.0.1", on_changed, &r),
                     0);
    uv_run(loop, UV_RUN_DEFAULT);
    assert_int_equal(r.calls, 1);
    return r;
}

static void the_right_current_password_changes_it_and_ends_the_sessions(void **state)
{
    (void)state;
    uv_loop_t loop;
    auth *a;
    open_auth(&a, &loop);
    login_result rev1 = login(&loop, a, "rev", "another-long-pass");
    login_result rev2 = login(&loop, a, "rev", "another-long-pass");
    login_result off = login(&loop, a, "off11", "long-enough-pass");
    assert_int_equal(rev1.status, 0);
    char *before = file_bytes();
    change_result r = change(&loop, a, "rev", "another-long-pass", "river-lantern-autumn");
    assert_int_equal(r.status, 0);
    char *after = file_bytes();
    assert_string_not_equal(before, after);
    assert_null(strstr(after, "river-lantern")); /* a hash, never the password */
    free(before);
    free(after);
    /* Every session of the user ended at once; other users' did not. */
    assert_null(auth_session(a, rev1.token));
    assert_null(auth_session(a, rev2.token));
    assert_non_null(auth_session(a, off.token));
    assert_int_equal(login(&loop, a, "rev", "another-long-pass").status, KENES_EFORBIDDEN);
    assert_int_equal(login(&loop, a, "rev", "river-lantern-autumn").status, 0);
    /* Role and region stay. */
    assert_int_equal(auth_user_find(a, "rev")->role, ROLE_REVIEWER);
    close_auth(a, &loop);
}

static void a_wrong_current_password_is_a_failed_login(void **state)
{
    (void)state;
    uv_loop_t loop;
    auth *a;
    open_auth(&a, &loop);
    auth_set_limits(a, 2, 100, 60000);
    char *before = file_bytes();
    login_result s = login(&loop, a, "rev", "another-long-pass");
    unsigned wait = 0;
    for (int i = 0; i < 2; i++) {
        assert_int_equal(auth_throttled(a, "rev", "10.0.0.1", &wait), 0);
        change_result r = change(&loop, a, "rev", "not-the-password", "river-lantern-autumn");
        assert_int_equal(r.status, KENES_EFORBIDDEN);
        assert_string_equal(r.why, "");
        assert_file_is(before);
    }
    assert_int_equal(auth_hashes_verified(a), 3); /* one argon2id each, the login's too */
    /* The name is held back, for logins too. */
    assert_int_equal(auth_throttled(a, "rev", "10.0.0.9", &wait), 1);
    assert_true(wait >= 59);
    /* A failed change ends no session. */
    assert_non_null(auth_session(a, s.token));
    /* An unknown user costs the same hash and changes nothing. */
    assert_int_equal(change(&loop, a, "ghost", "another-long-pass", "river-lantern-autumn").status,
                     KENES_EFORBIDDEN);
    assert_int_equal(auth_hashes_verified(a), 4);
    assert_file_is(before);
    free(before);
    close_auth(a, &loop);
}

static void a_short_password_is_refused_before_anything(void **state)
{
    (void)state;
    uv_loop_t loop;
    auth *a;
    open_auth(&a, &loop);
    change_result r = {0};
    assert_int_equal(
        auth_change_password(a, "rev", "another-long-pass", "short-one", "10.0.0.1", on_changed, &r),
        KENES_EINVAL);
    /* 11 characters of Cyrillic are 22 bytes and still too short. */
    assert_int_equal(auth_change_password(a, "rev", "another-long-pass", "абвгдеёжзий", "10.0.0.1",
                                          on_changed, &r),
                     KENES_EINVAL);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(r.calls, 0);
    assert_int_equal(auth_hashes_verified(a), 0);
    assert_false(auth_busy(a));
    close_auth(a, &loop);
}

static void cracklib_refuses_with_its_reason(void **state)
{
    (void)state;
    uv_loop_t loop;
    auth *a;
    open_auth(&a, &loop);
    auth_set_limits(a, 1, 100, 60000);
    char *before = file_bytes();
    login_result s = login(&loop, a, "rev", "another-long-pass");
    change_result r = change(&loop, a, "rev", "another-long-pass", "administrator");
    assert_int_equal(r.status, KENES_EINVAL);
    assert_non_null(strstr(r.why, "dictionary"));
    r = change(&loop, a, "rev", "another-long-pass", "abcdefghijklm");
    assert_int_equal(r.status, KENES_EINVAL);
    assert_non_null(strstr(r.why, "simplistic"));
    assert_file_is(before);
    free(before);
    /* The current password was right: no failure counted, the session lives. */
    unsigned wait;
    assert_int_equal(auth_throttled(a, "rev", "10.0.0.1", &wait), 0);
    assert_non_null(auth_session(a, s.token));
    close_auth(a, &loop);
}

/* Guesses sent in parallel: once the limit is reached, a change still in
 * flight is refused whatever its current password, as a login is. */
static void a_change_in_flight_past_the_limit_is_refused(void **state)
{
    (void)state;
    uv_loop_t loop;
    auth *a;
    open_auth(&a, &loop);
    auth_set_limits(a, 2, 100, 60000);
    char *before = file_bytes();
    change_result r[3] = {{0}};
    int queued = auth_change_password(a, "rev", "guess-number-1", "river-lantern-autumn",
                                      "10.0.0.1", on_changed, &r[0]);
    queued |= auth_change_password(a, "rev", "guess-number-2", "river-lantern-autumn", "10.0.0.1",
                                   on_changed, &r[1]);
    queued |= auth_change_password(a, "rev", "another-long-pass", "river-lantern-autumn",
                                   "10.0.0.1", on_changed, &r[2]);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(queued, 0);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(r[i].calls, 1);
        assert_int_equal(r[i].status, KENES_EFORBIDDEN);
    }
    assert_file_is(before);
    free(before);
    close_auth(a, &loop);
}

/* Changes share the cap of logins being checked: past it, refused at once. */
static void changes_count_as_logins_in_flight(void **state)
{
    (void)state;
    uv_loop_t loop;
    auth *a;
    open_auth(&a, &loop);
    auth_set_login_limits(a, 1, 1, 1);
    login_result l = {1, ""};
    change_result r = {0};
    int first = auth_login(a, "off11", "long-enough-pass", "10.0.0.1", on_login, &l);
    int second = auth_change_password(a, "rev", "another-long-pass", "river-lantern-autumn",
                                      "10.0.0.2", on_changed, &r);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(first, 0);
    assert_int_equal(second, KENES_ETOOBIG);
    assert_int_equal(r.calls, 0);
    assert_int_equal(l.status, 0);
    assert_int_equal(change(&loop, a, "rev", "another-long-pass", "river-lantern-autumn").status,
                     0);
    close_auth(a, &loop);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(the_right_current_password_changes_it_and_ends_the_sessions,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(a_wrong_current_password_is_a_failed_login, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_short_password_is_refused_before_anything, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(cracklib_refuses_with_its_reason, setup, teardown),
        cmocka_unit_test_setup_teardown(a_change_in_flight_past_the_limit_is_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(changes_count_as_logins_in_flight, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
