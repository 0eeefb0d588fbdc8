#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "auth/auth.h"
#include "auth/sessions.h"
#include "fixture_files.h"
#include "kenes/plugin.h"
#include "users_fixture.h"

static char dir[64], users[128], sessions[128];

/* auth's clock in these tests (users_fixture_clock). */
static int64_t test_now_ms;

/* The test's clock at 2026-05-28T20:26:40Z plus seconds. */
static void clock_at(long long seconds)
{
    test_now_ms = (1780000000LL + seconds) * 1000;
}

static void open_at(auth **a, uv_loop_t *loop, unsigned idle_s)
{
    char err[256];
    assert_int_equal(auth_open_clock(a, loop, users, idle_s, users_fixture_clock, &test_now_ms, err,
                                     sizeof(err)),
                     0);
}

static int setup(void **state)
{
    (void)state;
    users_fixture_new(dir, sizeof(dir), users, sizeof(users), "auth");
    clock_at(0);
    snprintf(sessions, sizeof(sessions), "%s/sessions.json", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unsetenv("KENES_NOW");
    scratch_dir_remove(dir);
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
    /* Long enough, and refused by cracklib, with its reason. */
    assert_int_equal(auth_users_add(users, "x", ROLE_AUDITOR, NULL, "            ", err,
                                    sizeof(err)),
                     KENES_EINVAL);
    assert_non_null(strstr(err, "too easy to guess"));
    assert_int_equal(auth_users_add(users, "x", ROLE_AUDITOR, NULL, "aaaaaaaaaaaa", err,
                                    sizeof(err)),
                     KENES_EINVAL);
    assert_non_null(strstr(err, "cracklib"));
    assert_int_equal(auth_users_passwd(users, "rev", "aaaaaaaaaaaa", err, sizeof(err)),
                     KENES_EINVAL);
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
    open_at(&a, &loop, 1);
    assert_int_equal(auth_user_count(a), 2);
    const auth_user *u = auth_user_find(a, "off11");
    assert_non_null(u);
    assert_int_equal(u->role, ROLE_OFFICIAL);
    assert_string_equal(u->region, "KZ-11");

    result ok = {0}, wrong = {0}, unknown = {0};
    /* No time passes on auth's clock while the three are checked: the idle
     * timeout (1 s here) is no race against argon2id. */
    assert_int_equal(auth_login(a, "off11", "long-enough-pasS", "127.0.0.1", on_login, &wrong), 0);
    assert_int_equal(
        auth_login(a, "ghost", "long-enough-pass", "127.0.0.1", on_login, &unknown), 0);
    assert_int_equal(auth_login(a, "off11", "long-enough-pass", "127.0.0.1", on_login, &ok), 0);
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
    clock_at(1);
    assert_ptr_equal(auth_session(a, ok.token), u); /* a second idle is not more than one */
    clock_at(3);
    assert_null(auth_session(a, ok.token));

    result again = {0};
    assert_int_equal(auth_login(a, "rev", "another-long-pass", "127.0.0.1", on_login, &again), 0);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(again.status, 0);
    assert_non_null(auth_session(a, again.token));
    assert_int_equal(auth_logout(a, again.token), 0);
    assert_null(auth_session(a, again.token));
    assert_int_equal(auth_logout(a, again.token), KENES_ENOTFOUND);

    auth_close(a);
    uv_loop_close(&loop);
}

/* Log in and run the loop until the answer is in. */
static result login(uv_loop_t *loop, auth *a, const char *name, const char *password,
                    const char *peer)
{
    result r = {0};
    assert_int_equal(auth_login(a, name, password, peer, on_login, &r), 0);
    uv_run(loop, UV_RUN_DEFAULT);
    assert_int_equal(r.calls, 1);
    return r;
}

static void open_auth(auth **a, uv_loop_t *loop)
{
    uv_loop_init(loop);
    open_at(a, loop, 3600);
}

static void close_auth(auth *a, uv_loop_t *loop)
{
    assert_false(auth_busy(a));
    uv_run(loop, UV_RUN_DEFAULT); /* a sessions file write still queued */
    auth_close(a);
    assert_int_equal(uv_loop_close(loop), 0);
}

static void throttle_per_user(void **state)
{
    (void)state;
    uv_loop_t loop;
    auth *a;
    open_auth(&a, &loop);
    auth_set_limits(a, 3, 100, 60000);
    unsigned wait = 0;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(auth_throttled(a, "off11", "10.0.0.1", &wait), 0);
        assert_int_equal(login(&loop, a, "off11", "wrong-password-x", "10.0.0.1").status,
                         KENES_EFORBIDDEN);
    }
    /* The fourth try waits, whatever its password and address. */
    assert_int_equal(auth_throttled(a, "off11", "10.0.0.1", &wait), 1);
    assert_true(wait >= 59 && wait <= 60);
    wait = 0;
    assert_int_equal(auth_throttled(a, "off11", "10.0.0.2", &wait), 1);
    assert_true(wait >= 59 && wait <= 60);
    /* Another user from the same address does not. */
    assert_int_equal(auth_throttled(a, "rev", "10.0.0.1", &wait), 0);
    assert_int_equal(login(&loop, a, "rev", "another-long-pass", "10.0.0.1").status, 0);

    /* Successful logins are no failures. */
    for (int i = 0; i < 4; i++)
        assert_int_equal(login(&loop, a, "rev", "another-long-pass", "10.0.0.3").status, 0);
    assert_int_equal(auth_throttled(a, "rev", "10.0.0.3", &wait), 0);

    /* Unknown names count, by the name as sent. */
    for (int i = 0; i < 3; i++)
        assert_int_equal(login(&loop, a, "ghost", "long-enough-pass", "10.0.0.4").status,
                         KENES_EFORBIDDEN);
    assert_int_equal(auth_throttled(a, "ghost", "10.0.0.5", &wait), 1);
    assert_int_equal(auth_throttled(a, "ghost2", "10.0.0.5", &wait), 0);
    close_auth(a, &loop);
}

static void throttle_per_address(void **state)
{
    (void)state;
    uv_loop_t loop;
    auth *a;
    open_auth(&a, &loop);
    auth_set_limits(a, 100, 4, 60000);
    const char *names[] = {"off11", "rev", "nobody", "x"};
    unsigned wait;
    for (int i = 0; i < 4; i++) {
        assert_int_equal(auth_throttled(a, names[i], "192.0.2.7", &wait), 0);
        assert_int_equal(login(&loop, a, names[i], "wrong-password-x", "192.0.2.7").status,
                         KENES_EFORBIDDEN);
    }
    assert_int_equal(auth_throttled(a, "rev", "192.0.2.7", &wait), 1);
    assert_int_equal(auth_throttled(a, "somebody-else", "192.0.2.7", &wait), 1);
    assert_int_equal(auth_throttled(a, "rev", "192.0.2.8", &wait), 0);
    close_auth(a, &loop);
}

/* Parallel guesses all pass auth_throttled before the first one fails: once
 * the limit is reached, those still in flight are refused whatever their
 * password (the pool has one thread here, so they finish in order). */
static void throttle_refuses_logins_in_flight(void **state)
{
    (void)state;
    uv_loop_t loop;
    auth *a;
    open_auth(&a, &loop);
    auth_set_limits(a, 2, 100, 60000);
    result r[3] = {{0}};
    unsigned wait = 0;
    /* Judged only once the loop ran: a failed assertion must not leave work queued. */
    int queued = auth_login(a, "off11", "wrong-password-1", "10.1.1.1", on_login, &r[0]);
    queued |= auth_login(a, "off11", "wrong-password-2", "10.1.1.1", on_login, &r[1]);
    int before = auth_throttled(a, "off11", "10.1.1.1", &wait);
    queued |= auth_login(a, "off11", "long-enough-pass", "10.1.1.1", on_login, &r[2]);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(queued, 0);
    assert_int_equal(before, 0);
    assert_int_equal(r[0].status, KENES_EFORBIDDEN);
    assert_int_equal(r[1].status, KENES_EFORBIDDEN);
    assert_int_equal(r[2].calls, 1);
    assert_int_equal(r[2].status, KENES_EFORBIDDEN); /* the right password, too late */
    assert_int_equal(auth_throttled(a, "off11", "10.1.1.1", &wait), 1);
    assert_true(wait >= 59);

    /* Parallel logins with the right password are no failures. */
    result ok[4] = {{0}};
    queued = 0;
    for (int i = 0; i < 4; i++)
        queued |= auth_login(a, "rev", "another-long-pass", "10.1.1.2", on_login, &ok[i]);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(queued, 0);
    for (int i = 0; i < 4; i++)
        assert_int_equal(ok[i].status, 0);
    assert_int_equal(auth_throttled(a, "rev", "10.1.1.2", &wait), 0);
    close_auth(a, &loop);
}

static void throttle_window_expires(void **state)
{
    (void)state;
    uv_loop_t loop;
    auth *a;
    open_auth(&a, &loop);
    /* The window runs on auth's clock, which the test moves: however long
     * the argon2id checks take on a loaded machine, no time passes for it. */
    auth_set_limits(a, 2, 100, 400);
    unsigned wait = 0;
    for (int i = 0; i < 2; i++)
        assert_int_equal(login(&loop, a, "off11", "wrong-password-x", "10.2.2.2").status,
                         KENES_EFORBIDDEN);
    assert_int_equal(auth_throttled(a, "off11", "10.2.2.2", &wait), 1);
    assert_int_equal(wait, 1); /* under a second left, rounded up */
    clock_at(1);
    assert_int_equal(auth_throttled(a, "off11", "10.2.2.2", &wait), 0);
    assert_int_equal(login(&loop, a, "off11", "long-enough-pass", "10.2.2.2").status, 0);

    /* 0 turns a limit off. */
    auth_set_limits(a, 0, 0, 400);
    for (int i = 0; i < 2; i++)
        login(&loop, a, "off11", "wrong-password-x", "10.2.2.2");
    assert_int_equal(auth_throttled(a, "off11", "10.2.2.2", &wait), 0);
    close_auth(a, &loop);
}

static void reload_sees_new_users(void **state)
{
    (void)state;
    uv_loop_t loop;
    auth *a;
    char err[256];
    open_auth(&a, &loop);
    result r = login(&loop, a, "rev", "another-long-pass", "127.0.0.1");
    assert_int_equal(r.status, 0);
    const auth_user *rev = auth_session(a, r.token);
    assert_non_null(rev);
    assert_int_equal(auth_reload(a), 0);

    assert_int_equal(auth_users_add(users, "new1", ROLE_AUDITOR, NULL, "brand-new-password",
                                    err, sizeof(err)),
                     0);
    assert_null(auth_user_find(a, "new1")); /* not until someone asks */
    /* A session looks at the file at most once a second (AUTH_USERS_CHECK_MS),
     * on auth's clock, which stands still here: not yet. */
    assert_ptr_equal(auth_session(a, r.token), rev);
    assert_null(auth_user_find(a, "new1"));
    test_now_ms += AUTH_USERS_CHECK_MS - 1;
    assert_ptr_equal(auth_session(a, r.token), rev);
    assert_null(auth_user_find(a, "new1"));
    test_now_ms += 1;
    assert_ptr_equal(auth_session(a, r.token), rev); /* unchanged users keep their record */
    const auth_user *u = auth_user_find(a, "new1");
    assert_non_null(u);
    assert_int_equal(u->role, ROLE_AUDITOR);
    assert_int_equal(auth_user_count(a), 3);
    assert_int_equal(auth_reload(a), 0);
    assert_int_equal(login(&loop, a, "new1", "brand-new-password", "127.0.0.1").status, 0);
    close_auth(a, &loop);
}

static void disabled_users_lose_their_sessions(void **state)
{
    (void)state;
    uv_loop_t loop;
    auth *a;
    char err[256];
    open_auth(&a, &loop);
    result off = login(&loop, a, "off11", "long-enough-pass", "127.0.0.1");
    result rev = login(&loop, a, "rev", "another-long-pass", "127.0.0.1");
    const auth_user *held = auth_session(a, off.token);
    assert_non_null(held);

    assert_int_equal(auth_users_set_disabled(users, "off11", 1, err, sizeof(err)), 0);
    clock_at(1); /* within a second of the change */
    assert_null(auth_session(a, off.token));
    assert_non_null(auth_session(a, rev.token));
    /* A record handed out before stays readable (ASan would tell) and grants nothing. */
    assert_string_equal(held->name, "off11");
    assert_true(held->disabled);
    assert_true(auth_user_find(a, "off11")->disabled);
    assert_int_equal(login(&loop, a, "off11", "long-enough-pass", "127.0.0.1").status,
                     KENES_EFORBIDDEN);
    /* Twice is no fault, and leaves the file alone. */
    assert_int_equal(auth_users_set_disabled(users, "off11", 1, err, sizeof(err)), 0);
    assert_int_equal(auth_reload(a), 0);

    assert_int_equal(auth_users_set_disabled(users, "off11", 0, err, sizeof(err)), 0);
    assert_null(auth_session(a, off.token)); /* its sessions went for good */
    result again = login(&loop, a, "off11", "long-enough-pass", "127.0.0.1");
    assert_int_equal(again.status, 0);
    assert_non_null(auth_session(a, again.token));

    assert_int_equal(auth_users_set_disabled(users, "ghost", 1, err, sizeof(err)),
                     KENES_ENOTFOUND);
    assert_non_null(strstr(err, "ghost"));
    close_auth(a, &loop);
}

static void passwd_applies_to_the_next_login(void **state)
{
    (void)state;
    uv_loop_t loop;
    auth *a;
    char err[256];
    open_auth(&a, &loop);
    result before = login(&loop, a, "rev", "another-long-pass", "127.0.0.1");
    assert_int_equal(before.status, 0);
    assert_int_equal(auth_users_passwd(users, "rev", "short", err, sizeof(err)), KENES_EINVAL);
    assert_int_equal(auth_users_passwd(users, "ghost", "a-good-new-password", err, sizeof(err)),
                     KENES_ENOTFOUND);
    assert_int_equal(auth_reload(a), 0); /* refused changes do not touch the file */
    assert_int_equal(auth_users_passwd(users, "rev", "a-good-new-password", err, sizeof(err)),
                     0);
    assert_int_equal(login(&loop, a, "rev", "another-long-pass", "127.0.0.1").status,
                     KENES_EFORBIDDEN);
    assert_int_equal(login(&loop, a, "rev", "a-good-new-password", "127.0.0.1").status, 0);
    /* The role and region stay; other users' hashes too. */
    assert_int_equal(auth_user_find(a, "rev")->role, ROLE_REVIEWER);
    assert_int_equal(login(&loop, a, "off11", "long-enough-pass", "127.0.0.1").status, 0);
    close_auth(a, &loop);
}

static void broken_file_keeps_the_users(void **state)
{
    (void)state;
    uv_loop_t loop;
    auth *a;
    open_auth(&a, &loop);
    result r = login(&loop, a, "off11", "long-enough-pass", "127.0.0.1");
    assert_int_equal(r.status, 0);
    char tmp[160];
    snprintf(tmp, sizeof(tmp), "%s.broken", users);
    FILE *f = fopen(tmp, "w");
    assert_non_null(f);
    fputs("users:\n  - name: [unclosed\n", f);
    fclose(f);
    assert_int_equal(rename(tmp, users), 0);
    assert_true(auth_reload(a) < 0);
    assert_int_equal(auth_reload(a), 0); /* reported once per change */
    assert_non_null(auth_session(a, r.token));
    assert_non_null(auth_user_find(a, "off11"));
    assert_int_equal(auth_user_count(a), 2);
    close_auth(a, &loop);
}

/* Logging in again and again keeps at most AUTH_SESSIONS_PER_USER sessions:
 * the one used least recently goes; other users' sessions stay. */
static void sessions_are_capped_per_user(void **state)
{
    (void)state;
    uv_loop_t loop;
    auth *a;
    open_auth(&a, &loop);
    result other = login(&loop, a, "rev", "another-long-pass", "10.2.0.1");
    assert_int_equal(other.status, 0);
    result first = login(&loop, a, "off11", "long-enough-pass", "10.2.0.1");
    result second = login(&loop, a, "off11", "long-enough-pass", "10.2.0.1");
    assert_int_equal(first.status, 0);
    assert_int_equal(second.status, 0);
    test_now_ms++; /* a later millisecond than the second login's */
    assert_non_null(auth_session(a, first.token)); /* used: now the second is the oldest */
    result last = {0};
    for (int i = 2; i < AUTH_SESSIONS_PER_USER + 1; i++) {
        last = login(&loop, a, "off11", "long-enough-pass", "10.2.0.1");
        assert_int_equal(last.status, 0);
    }
    assert_null(auth_session(a, second.token));
    assert_non_null(auth_session(a, first.token));
    assert_non_null(auth_session(a, last.token));
    assert_non_null(auth_session(a, other.token));
    close_auth(a, &loop);
}


/* However often a session is used, it ends max_lifetime after its login:
 * 12 hours unless set otherwise. */
static void sessions_end_after_their_lifetime(void **state)
{
    (void)state;
    uv_loop_t loop;
    auth *a;
    open_auth(&a, &loop); /* idle: one hour */
    result r = login(&loop, a, "off11", "long-enough-pass", "127.0.0.1");
    assert_int_equal(r.status, 0);
    for (long long t = 3000; t < AUTH_SESSION_LIFETIME_S; t += 3000) {
        clock_at(t);
        assert_non_null(auth_session(a, r.token));
    }
    clock_at(AUTH_SESSION_LIFETIME_S - 1);
    assert_non_null(auth_session(a, r.token));
    clock_at(AUTH_SESSION_LIFETIME_S);
    assert_null(auth_session(a, r.token));

    /* Configured shorter: ten minutes, used every minute. */
    auth_set_lifetime(a, 600);
    clock_at(100000);
    r = login(&loop, a, "off11", "long-enough-pass", "127.0.0.1");
    for (long long t = 100060; t < 100600; t += 60) {
        clock_at(t);
        assert_non_null(auth_session(a, r.token));
    }
    clock_at(100600);
    assert_null(auth_session(a, r.token));
    close_auth(a, &loop);
}

/* A new password ends the user's sessions in a running server at once. */
static void passwd_ends_the_sessions(void **state)
{
    (void)state;
    uv_loop_t loop;
    auth *a;
    char err[256];
    open_auth(&a, &loop);
    result rev = login(&loop, a, "rev", "another-long-pass", "127.0.0.1");
    result off = login(&loop, a, "off11", "long-enough-pass", "127.0.0.1");
    assert_non_null(auth_session(a, rev.token));
    assert_int_equal(auth_users_passwd(users, "rev", "a-good-new-password", err, sizeof(err)),
                     0);
    clock_at(1); /* within a second of the change */
    assert_null(auth_session(a, rev.token));
    assert_non_null(auth_session(a, off.token));
    close_auth(a, &loop);
}

static auth *open_kept(uv_loop_t *loop)
{
    auth *a;
    char err[256];
    open_auth(&a, loop);
    assert_int_equal(auth_sessions_keep(a, sessions, err, sizeof(err)), 0);
    return a;
}

/* What the file holds: hashes, not tokens; mode 0600. */
static void assert_file_keeps_no_token(const char *token)
{
    struct stat st;
    assert_int_equal(stat(sessions, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    FILE *f = fopen(sessions, "r");
    assert_non_null(f);
    char text[65536];
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    fclose(f);
    text[n] = '\0';
    assert_null(strstr(text, token));
    char key[SESSION_KEY_CHARS];
    session_token_key(key, token);
    assert_non_null(strstr(text, key));
}

/* Sessions outlive the auth (a restart), but not a logout, a new password set
 * while it was closed, or their lifetime. */
static void sessions_survive_a_restart(void **state)
{
    (void)state;
    uv_loop_t loop;
    char err[256];
    auth *a = open_kept(&loop);
    result off = login(&loop, a, "off11", "long-enough-pass", "127.0.0.1");
    result rev = login(&loop, a, "rev", "another-long-pass", "127.0.0.1");
    result gone = login(&loop, a, "off11", "long-enough-pass", "127.0.0.1");
    assert_int_equal(auth_logout(a, gone.token), 0);
    uv_run(&loop, UV_RUN_DEFAULT); /* the write the logout queued */
    assert_file_keeps_no_token(off.token);
    assert_file_keeps_no_token(rev.token);
    close_auth(a, &loop);

    clock_at(1800);
    a = open_kept(&loop);
    assert_string_equal(auth_session(a, off.token)->name, "off11");
    assert_string_equal(auth_session(a, rev.token)->name, "rev");
    assert_null(auth_session(a, gone.token));
    close_auth(a, &loop);

    /* Stopped: rev gets a new password. */
    assert_int_equal(auth_users_passwd(users, "rev", "a-good-new-password", err, sizeof(err)),
                     0);
    clock_at(3600); /* off11 was used at 1800: an hour idle is not more than one */
    a = open_kept(&loop);
    assert_null(auth_session(a, rev.token));
    assert_non_null(auth_session(a, off.token));
    /* Used every hour, until the last use before its lifetime ends... */
    for (long long t = 7200; t < AUTH_SESSION_LIFETIME_S; t += 3600) {
        clock_at(t);
        assert_non_null(auth_session(a, off.token));
    }
    close_auth(a, &loop);

    /* ...and the lifetime counts from the login, across restarts. */
    clock_at(AUTH_SESSION_LIFETIME_S - 1);
    a = open_kept(&loop);
    assert_non_null(auth_session(a, off.token));
    close_auth(a, &loop);
    clock_at(AUTH_SESSION_LIFETIME_S);
    a = open_kept(&loop);
    assert_null(auth_session(a, off.token));
    close_auth(a, &loop);
}

/* A file that is not a sessions file is dropped, not fatal: everyone signs in again. */
static void broken_sessions_file_signs_everyone_out(void **state)
{
    (void)state;
    uv_loop_t loop;
    FILE *f = fopen(sessions, "w");
    assert_non_null(f);
    fputs("{\"kenes_sessions\": 1, \"sessions\": [{\"token_hash\": \"zz\"}]}", f);
    fclose(f);
    auth *a = open_kept(&loop);
    result r = login(&loop, a, "off11", "long-enough-pass", "127.0.0.1");
    assert_non_null(auth_session(a, r.token));
    close_auth(a, &loop);
    a = open_kept(&loop);
    assert_non_null(auth_session(a, r.token)); /* the file was written anew */
    close_auth(a, &loop);
}

/* Past the limits of logins in flight, overall and per address, a login is
 * refused at once (its callback never runs) and nothing is checked; a slot
 * comes back when its login is answered. */
static void logins_in_flight_are_bounded(void **state)
{
    (void)state;
    uv_loop_t loop;
    auth *a;
    open_auth(&a, &loop);
    auth_set_login_limits(a, 3, 2, 1);
    result r[5] = {{0}};
    int rc[5];
    rc[0] = auth_login(a, "junk-1", "long-enough-pass", "10.3.0.1", on_login, &r[0]);
    rc[1] = auth_login(a, "junk-2", "long-enough-pass", "10.3.0.1", on_login, &r[1]);
    rc[2] = auth_login(a, "off11", "long-enough-pass", "10.3.0.1", on_login, &r[2]);
    rc[3] = auth_login(a, "off11", "long-enough-pass", "10.3.0.2", on_login, &r[3]);
    rc[4] = auth_login(a, "rev", "another-long-pass", "10.3.0.3", on_login, &r[4]);
    assert_true(auth_busy(a));
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(rc[0], 0);
    assert_int_equal(rc[1], 0);
    assert_int_equal(rc[2], KENES_ETOOBIG); /* a third from one address */
    assert_int_equal(rc[3], 0);
    assert_int_equal(rc[4], KENES_ETOOBIG); /* a fourth overall */
    assert_int_equal(r[0].status, KENES_EFORBIDDEN);
    assert_int_equal(r[1].status, KENES_EFORBIDDEN);
    assert_int_equal(r[2].calls, 0);
    assert_int_equal(r[3].status, 0);
    assert_int_equal(r[4].calls, 0);
    /* Refusals are no failed logins: the name is not held back. */
    unsigned wait;
    assert_int_equal(auth_throttled(a, "off11", "10.3.0.1", &wait), 0);
    assert_int_equal(login(&loop, a, "off11", "long-enough-pass", "10.3.0.1").status, 0);
    close_auth(a, &loop);
}

/* An unknown name costs what a wrong password costs: one argon2id each, so
 * timing cannot tell which names exist.  Counted, not timed (auth's clock
 * stands still throughout): a stopwatch comparing the two fails at random on
 * a loaded machine, a count does not.  A disabled user costs one as well. */
static void every_login_costs_one_hash(void **state)
{
    (void)state;
    uv_loop_t loop;
    auth *a;
    char err[256];
    open_auth(&a, &loop);
    assert_int_equal(auth_hashes_verified(a), 0);
    result wrong = login(&loop, a, "off11", "wrong-password-x", "10.5.0.1");
    assert_int_equal(auth_hashes_verified(a), 1);
    result unknown = login(&loop, a, "nobody", "wrong-password-x", "10.5.0.1");
    assert_int_equal(auth_hashes_verified(a), 2);
    assert_int_equal(wrong.status, KENES_EFORBIDDEN);
    assert_int_equal(unknown.status, KENES_EFORBIDDEN);
    assert_string_equal(wrong.token, unknown.token); /* none for either */
    assert_int_equal(auth_users_set_disabled(users, "rev", 1, err, sizeof(err)), 0);
    assert_int_equal(login(&loop, a, "rev", "another-long-pass", "10.5.0.2").status,
                     KENES_EFORBIDDEN);
    assert_int_equal(auth_hashes_verified(a), 3);
    assert_int_equal(login(&loop, a, "off11", "long-enough-pass", "10.5.0.3").status, 0);
    assert_int_equal(auth_hashes_verified(a), 4);
    /* One hash each is the same cost: an unknown name is checked against a
     * throwaway hash made at the interactive limits (auth.c), where every
     * user's is (users.c). */
    const auth_user *u = auth_user_find(a, "off11");
    assert_non_null(u);
    assert_int_equal(crypto_pwhash_str_needs_rehash(u->hash, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                                    crypto_pwhash_MEMLIMIT_INTERACTIVE),
                     0);
    close_auth(a, &loop);
}

/* auth_open reads the core's clock, util_now_ms(), which KENES_NOW fixes:
 * the end-to-end tests move the server's time with it. */
static void auth_open_reads_the_core_clock(void **state)
{
    (void)state;
    uv_loop_t loop;
    auth *a;
    char err[256];
    uv_loop_init(&loop);
    setenv("KENES_NOW", "2026-05-28T20:26:40Z", 1);
    assert_int_equal(auth_open(&a, &loop, users, 60, err, sizeof(err)), 0);
    result r = login(&loop, a, "rev", "another-long-pass", "127.0.0.1");
    assert_int_equal(r.status, 0);
    setenv("KENES_NOW", "2026-05-28T20:27:40Z", 1);
    assert_non_null(auth_session(a, r.token)); /* a minute idle is not more than one */
    setenv("KENES_NOW", "2026-05-28T20:28:41Z", 1);
    assert_null(auth_session(a, r.token));
    close_auth(a, &loop);
}

typedef struct pool_block {
    uv_sem_t release;
    result r;
} pool_block;

static void block_work(uv_work_t *w)
{
    pool_block *b = w->data;
    uv_sem_wait(&b->release);
}

static void block_done(uv_work_t *w, int status)
{
    (void)w;
    assert_int_equal(status, 0);
}

static void on_login_release(int status, const char *token, const auth_user *u, void *payload)
{
    pool_block *b = payload;
    on_login(status, token, u, &b->r);
    uv_sem_post(&b->release);
}

/* Passwords are checked off libuv's thread pool: with its only thread busy
 * (as with a slow git read) a login still finishes, and its callback is what
 * frees the pool here.  Checked on the pool, this would never end. */
static void logins_do_not_need_the_thread_pool(void **state)
{
    (void)state;
    uv_loop_t loop;
    auth *a;
    open_auth(&a, &loop);
    pool_block b = {0};
    assert_int_equal(uv_sem_init(&b.release, 0), 0);
    uv_work_t w = {.data = &b};
    assert_int_equal(uv_queue_work(&loop, &w, block_work, block_done), 0);
    assert_int_equal(auth_login(a, "rev", "another-long-pass", "10.4.0.1", on_login_release, &b),
                     0);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(b.r.calls, 1);
    assert_int_equal(b.r.status, 0);
    uv_sem_destroy(&b.release);
    close_auth(a, &loop);
}

int main(void)
{
    /* One pool thread, and one hashing thread (auth's default): logins queued
     * together finish in the order queued. */
    setenv("UV_THREADPOOL_SIZE", "1", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(add_refuses_bad_users, setup, teardown),
        cmocka_unit_test_setup_teardown(login_and_sessions, setup, teardown),
        cmocka_unit_test_setup_teardown(throttle_per_user, setup, teardown),
        cmocka_unit_test_setup_teardown(throttle_per_address, setup, teardown),
        cmocka_unit_test_setup_teardown(throttle_refuses_logins_in_flight, setup, teardown),
        cmocka_unit_test_setup_teardown(throttle_window_expires, setup, teardown),
        cmocka_unit_test_setup_teardown(reload_sees_new_users, setup, teardown),
        cmocka_unit_test_setup_teardown(disabled_users_lose_their_sessions, setup, teardown),
        cmocka_unit_test_setup_teardown(passwd_applies_to_the_next_login, setup, teardown),
        cmocka_unit_test_setup_teardown(broken_file_keeps_the_users, setup, teardown),
        cmocka_unit_test_setup_teardown(sessions_are_capped_per_user, setup, teardown),
        cmocka_unit_test_setup_teardown(logins_in_flight_are_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(every_login_costs_one_hash, setup, teardown),
        cmocka_unit_test_setup_teardown(logins_do_not_need_the_thread_pool, setup, teardown),
        cmocka_unit_test_setup_teardown(auth_open_reads_the_core_clock, setup, teardown),
        cmocka_unit_test_setup_teardown(sessions_end_after_their_lifetime, setup, teardown),
        cmocka_unit_test_setup_teardown(passwd_ends_the_sessions, setup, teardown),
        cmocka_unit_test_setup_teardown(sessions_survive_a_restart, setup, teardown),
        cmocka_unit_test_setup_teardown(broken_sessions_file_signs_everyone_out, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
