/*
 * auth's open and close, its clock, and the sessions table: which sessions
 * are alive, begun by a login (login.c), ended by a logout, idle time, the
 * lifetime or a change of their user (users.c), and kept in
 * DATA/sessions.json through sessions.c.
 */
#include "auth/auth.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kenes/plugin.h"
#include "auth/auth_internal.h"
#include "base/log.h"
#include "base/util.h"

static int64_t core_clock(void *payload)
{
    (void)payload;
    return util_now_ms();
}

/* Paces auth_session's re-reads of users.yaml: monotonic, since KENES_NOW
 * may hold the core's clock still for a whole test. */
static int64_t steady_clock(void *payload)
{
    (void)payload;
    return (int64_t)(uv_hrtime() / 1000000u);
}

int64_t auth_now(const auth *a)
{
    return a->clock(a->clock_payload);
}

/* ---- open, close ---- */

int auth_open_clock(auth **out, uv_loop_t *loop, const char *path, unsigned idle_s,
                    auth_clock_fn clock, void *clock_payload, char *err, size_t errcap)
{
    if (sodium_init() < 0)
        return KENES_ENOMEM;
    auth *a = calloc(1, sizeof(*a));
    if (!a)
        return KENES_ENOMEM;
    a->loop = loop;
    a->clock = clock ? clock : core_clock;
    a->clock_payload = clock ? clock_payload : NULL;
    /* A caller's clock paces the re-reads too: tests move it past the second. */
    a->pace = clock ? clock : steady_clock;
    a->pace_payload = a->clock_payload;
    a->idle_ms = (int64_t)idle_s * 1000;
    a->lifetime_ms = (int64_t)AUTH_SESSION_LIFETIME_S * 1000;
    auth_user *loaded = NULL;
    size_t n = 0;
    /* stat before reading: a change in between is then seen, and read, next time. */
    int rc = (a->path = strdup(path)) ? 0 : KENES_ENOMEM;
    if (rc == 0) {
        file_id_get(&a->file, path);
        a->users_checked_ms = a->pace(a->pace_payload);
        rc = users_list_load(&loaded, &n, path, err, errcap);
    }
    if (rc == 0 && (rc = users_adopt(a, loaded, n)) < 0)
        users_list_free(loaded, n);
    a->hash_threads = 1;
    if (rc == 0)
        rc = map_new(&a->sessions);
    if (rc == 0)
        rc = map_new(&a->logins_by_addr);
    if (rc == 0)
        rc = login_throttles_make(a, AUTH_FAILURES_PER_USER, AUTH_FAILURES_PER_ADDR,
                                  AUTH_FAILURE_WINDOW_MS);
    /* No throwaway hash for unknown users here: its 64 MiB would stay on
     * the start's high-water mark for nothing.  The first login of an
     * unknown user makes it, on the hashing threads (login.c). */
    if (rc < 0) {
        auth_close(a);
        return rc;
    }
    *out = a;
    return 0;
}

int auth_open(auth **out, uv_loop_t *loop, const char *path, unsigned idle_s, char *err,
              size_t errcap)
{
    return auth_open_clock(out, loop, path, idle_s, NULL, NULL, err, errcap);
}

void auth_close(auth *a)
{
    if (!a)
        return;
    if (a->writer && a->sessions && a->touched) {
        /* The idle clocks as they stand (a stop that used no session writes
         * nothing): the loop has ended, so this is the only write. */
        char *text;
        size_t len;
        if (!sessions_writer_busy(a->writer) &&
            sessions_serialize(&text, &len, a->sessions) == 0)
            sessions_writer_write_now(a->writer, text, len);
    }
    sessions_writer_free(a->writer);
    sessions_table_free(a->sessions);
    throttle_free(a->by_user);
    throttle_free(a->by_addr);
    login_hasher_free(a->hasher);
    map_free(a->logins_by_addr);
    users_records_free(a);
    free(a->path);
    free(a->agency_list);
    free(a);
}

/* ---- sessions ---- */

/* The user a session still speaks for, or NULL once it must end: idle too
 * long, older than the absolute lifetime whatever its use, its user gone or
 * disabled, or their password changed since the login. */
static const auth_user *session_user(const auth *a, const session *s, int64_t now)
{
    /* A clock set back counts as no time passed, not as a negative one. */
    int64_t idle = now > s->last_used_ms ? now - s->last_used_ms : 0;
    int64_t age = now > s->created_ms ? now - s->created_ms : 0;
    if (idle > a->idle_ms || age >= a->lifetime_ms)
        return NULL;
    const auth_user *u = auth_user_find(a, s->user);
    if (!u || u->disabled)
        return NULL;
    char tag[SESSION_TAG_CHARS];
    session_password_tag(tag, u->hash);
    return strcmp(tag, s->password_tag) == 0 ? u : NULL;
}

void auth_sessions_changed(auth *a)
{
    char *text;
    size_t len;
    if (!a->writer)
        return;
    a->touched = 0; /* the idle clocks go with it */
    if (sessions_serialize(&text, &len, a->sessions) < 0) {
        log_error("auth", "out of memory: the sessions file was not updated");
        return;
    }
    sessions_writer_put(a->writer, text, len);
}

/* Make room for one more session of user: at most AUTH_SESSIONS_PER_USER,
 * so logging in again and again cannot grow memory without bound. */
static void sessions_trim_user(auth *a, const char *user)
{
    for (;;) {
        size_t count = 0;
        const char *oldest = NULL;
        int64_t oldest_used = INT64_MAX;
        map_iter it;
        const char *k;
        void *v;
        map_iter_init(&it, a->sessions);
        while (map_iter_next(&it, &k, &v)) {
            const session *s = v;
            if (strcmp(s->user, user) != 0)
                continue;
            count++;
            if (s->last_used_ms < oldest_used) {
                oldest_used = s->last_used_ms;
                oldest = k;
            }
        }
        if (count < AUTH_SESSIONS_PER_USER || !oldest)
            return;
        session_free(map_remove(a->sessions, oldest));
    }
}

typedef struct prune_ctx {
    const auth *a;
    int64_t now;
} prune_ctx;

static int session_ended(const session *s, void *payload)
{
    const prune_ctx *p = payload;
    return !session_user(p->a, s, p->now);
}

size_t auth_sessions_prune(auth *a)
{
    prune_ctx p = {a, auth_now(a)};
    int all;
    return sessions_remove_if(a->sessions, session_ended, &p, &all);
}

int auth_session_begin(auth *a, const auth_user *u, char token[AUTH_TOKEN_CHARS])
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2base64(token, AUTH_TOKEN_CHARS, raw, sizeof(raw),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof(raw));
    char key[SESSION_KEY_CHARS], tag[SESSION_TAG_CHARS];
    session_token_key(key, token);
    session_password_tag(tag, u->hash);
    int64_t now = auth_now(a);
    session *s = session_new(u->name, now, now, tag);
    if (!s)
        return KENES_ENOMEM;
    auth_sessions_prune(a);
    sessions_trim_user(a, u->name);
    if (map_set(a->sessions, key, s) < 0) {
        session_free(s);
        return KENES_ENOMEM;
    }
    auth_sessions_changed(a);
    return 0;
}

const auth_user *auth_session(auth *a, const char *token)
{
    if (!token || strlen(token) != AUTH_TOKEN_CHARS - 1)
        return NULL;
    char key[SESSION_KEY_CHARS];
    session_token_key(key, token);
    if (!map_get(a->sessions, key))
        return NULL;
    /* A disabled user's tokens stop working within a second: a stat of
     * users.yaml at most once a second (not one per request), and a reload
     * drops their sessions. */
    int64_t tick = a->pace(a->pace_payload);
    if (tick - a->users_checked_ms >= AUTH_USERS_CHECK_MS || tick < a->users_checked_ms) {
        a->users_checked_ms = tick;
        auth_reload(a);
    }
    session *s = map_get(a->sessions, key);
    if (!s)
        return NULL;
    int64_t now = auth_now(a);
    const auth_user *u = session_user(a, s, now);
    if (!u) {
        map_remove(a->sessions, key);
        session_free(s);
        auth_sessions_changed(a);
        return NULL;
    }
    /* Not written for this alone: a file write per request would cost more
     * than a crash (which loses only how recently sessions were used) does. */
    s->last_used_ms = now;
    a->touched = 1;
    return u;
}

int auth_logout(auth *a, const char *token)
{
    char key[SESSION_KEY_CHARS];
    if (!token)
        return KENES_ENOTFOUND;
    session_token_key(key, token);
    session *s = map_remove(a->sessions, key);
    if (!s)
        return KENES_ENOTFOUND;
    session_free(s);
    auth_sessions_changed(a);
    return 0;
}

void auth_set_lifetime(auth *a, unsigned max_lifetime_s)
{
    a->lifetime_ms = (int64_t)max_lifetime_s * 1000;
}

unsigned auth_lifetime_s(const auth *a)
{
    return (unsigned)(a->lifetime_ms / 1000);
}

int auth_sessions_keep(auth *a, const char *path, char *err, size_t errcap)
{
    if (a->writer)
        return KENES_EINVAL;
    int rc = sessions_read(a->sessions, path, err, errcap);
    if (rc == KENES_EINVAL) {
        /* Losing them signs people out, which is safe; refusing to start is not needed. */
        log_warn("auth", "%s; everyone signs in again", err);
        rc = 0;
    }
    if (rc < 0 || (rc = sessions_writer_new(&a->writer, a->loop, path)) < 0) {
        snprintf(err, errcap, "out of memory reading %s", path);
        return rc;
    }
    /* Those that ended while the server was stopped (idle, too old, a user
     * disabled or given a new password with `kenes user`) go now. */
    size_t kept = map_count(a->sessions), dropped = auth_sessions_prune(a);
    if (kept)
        log_info("auth", "%s: %zu sessions kept, %zu ended while stopped", path, kept - dropped,
                 dropped);
    if (dropped)
        auth_sessions_changed(a);
    return 0;
}
