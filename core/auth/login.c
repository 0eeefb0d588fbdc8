/*
 * Logins.  argon2id is slow by design (tens of ms and 64 MiB each): on
 * libuv's shared thread pool a burst of logins would queue in front of every
 * git read, write and access-log append.  So passwords are checked on threads
 * of their own, fed through a queue; each result goes back to the loop
 * through a uv_async.  The async handle exists only while logins are in
 * flight, so that a server with none has nothing of ours open on its loop
 * (auth_close needs no loop run).  Failed logins are counted per user name
 * and per client address (throttle.c) on auth's clock.
 *
 * A user's change of their own password is a login first (the current
 * password checked, throttled and counted the same way), then a second job
 * on the same threads: cracklib, argon2id of the new one and the rewrite of
 * users.yaml, none of which may block the loop.
 */
#include "auth/auth_internal.h"

#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kenes/plugin.h"
#include "base/log.h"
#include "base/util.h"

typedef struct login_job login_job;

typedef struct hasher {
    uv_mutex_t lock;
    uv_cond_t wake;
    login_job *todo, *todo_tail; /* FIFO: checked in the order they came */
    login_job *done;             /* checked, for the loop to finish */
    uv_async_t *async;           /* NULL while nothing is in flight */
    /* Held around a change of users.yaml (read, cracklib, rewrite): two
     * changes at once on two threads would each write the file it read. */
    uv_mutex_t file_lock;
    uv_thread_t threads[AUTH_HASH_THREADS_MAX];
    unsigned nthreads;
    int quit;
    atomic_uint_fast64_t verified; /* argon2id runs (auth_hashes_verified) */
    /* What an unknown user's password is checked against, so that timing
     * does not tell: made by the first such login (under lock), not at
     * start, where its 64 MiB would stay on the high-water mark. */
    char *dummy_hash;
} hasher;

/* ---- failed logins ---- */

int login_throttles_make(auth *a, unsigned per_user, unsigned per_addr, uint64_t window_ms)
{
    throttle_free(a->by_user);
    throttle_free(a->by_addr);
    a->by_user = a->by_addr = NULL;
    if (throttle_new(&a->by_user, per_user, window_ms, "for one user name", 0) < 0 ||
        throttle_new(&a->by_addr, per_addr, window_ms, "from ", 1) < 0)
        return KENES_ENOMEM;
    return 0;
}

void auth_set_login_limits(auth *a, size_t max_logins, size_t max_per_addr, unsigned threads)
{
    a->max_logins = max_logins;
    a->max_logins_per_addr = max_per_addr;
    if (!a->hasher)
        a->hash_threads = threads < 1 ? 1
                          : threads > AUTH_HASH_THREADS_MAX ? AUTH_HASH_THREADS_MAX
                                                            : threads;
}

void auth_set_limits(auth *a, unsigned per_user, unsigned per_addr, uint64_t window_ms)
{
    if (login_throttles_make(a, per_user, per_addr, window_ms) < 0)
        log_error("auth", "out of memory: logins are not throttled");
}

/* 1 if the name or the address is at its limit, *wait_ms the longer wait. */
static int throttled(auth *a, const char *name, const char *peer, uint64_t now,
                     uint64_t *wait_ms)
{
    uint64_t wait_user = 0, wait_addr = 0;
    int over = a->by_user && throttle_over(a->by_user, name, now, &wait_user);
    over |= a->by_addr && throttle_over(a->by_addr, peer, now, &wait_addr);
    *wait_ms = wait_user > wait_addr ? wait_user : wait_addr;
    return over;
}

/* Failed logins age on auth's clock, so that tests move it instead of
 * sleeping through a window.  A clock before 1970 reads as 1970. */
static uint64_t throttle_clock(const auth *a)
{
    int64_t now = auth_now(a);
    return now > 0 ? (uint64_t)now : 0;
}

int auth_throttled(auth *a, const char *name, const char *peer, unsigned *retry_after_s)
{
    uint64_t ms;
    int over = throttled(a, name, peer, throttle_clock(a), &ms);
    if (over && retry_after_s)
        *retry_after_s = ms >= 1000 ? (unsigned)((ms + 999) / 1000) : 1;
    return over;
}

/* ---- the hashing threads ---- */

struct login_job {
    login_job *next;
    auth *a;
    char *name;
    char *peer;
    char *password;
    char *hash;
    int real_user; /* the user exists and is enabled */
    int verified;
    auth_login_cb cb;
    void *payload;
    /* A change of password (auth_change_password); NULL for a login. */
    char *new_password;
    int writing;  /* the second job: the current password was right */
    int written;  /* its outcome, 0 or KENES_E* */
    char why[160]; /* cracklib's reason when it refused */
    auth_passwd_cb passwd_cb;
};

static int password_written(hasher *h, login_job *j);

/* An unknown user's job (j->hash NULL) takes the throwaway hash, made now
 * if no login made it yet.  Making it is one argon2id at the interactive
 * limits, where every user's is (users.c), so that first login costs what
 * a check costs and is not checked as well: 0 (refused) either way.
 * 1 when j->hash is set and a check is still to run. */
static int dummy_hash_of(hasher *h, login_job *j)
{
    uv_mutex_lock(&h->lock);
    j->hash = h->dummy_hash ? strdup(h->dummy_hash) : NULL;
    int have = h->dummy_hash != NULL;
    uv_mutex_unlock(&h->lock);
    if (have)
        return j->hash != NULL; /* out of memory: refused unchecked, still counted */
    char hash[crypto_pwhash_STRBYTES];
    unsigned char junk[16];
    randombytes_buf(junk, sizeof(junk));
    if (crypto_pwhash_str(hash, (const char *)junk, sizeof(junk),
                          crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return 0;
    uv_mutex_lock(&h->lock);
    if (!h->dummy_hash)
        h->dummy_hash = strdup(hash); /* another thread's, made meanwhile, is as good */
    uv_mutex_unlock(&h->lock);
    return 0;
}

/* The one place a password is checked, and counted with it: a login that
 * skipped the hash could not count one. */
static int password_verified(hasher *h, login_job *j)
{
    int ok = (j->hash || dummy_hash_of(h, j)) &&
             crypto_pwhash_str_verify(j->hash, j->password, strlen(j->password)) == 0;
    atomic_fetch_add(&h->verified, 1);
    return ok;
}

static void hasher_thread(void *arg)
{
    hasher *h = arg;
    uv_mutex_lock(&h->lock);
    for (;;) {
        while (!h->todo && !h->quit)
            uv_cond_wait(&h->wake, &h->lock);
        if (h->quit)
            break;
        login_job *j = h->todo;
        h->todo = j->next;
        if (!h->todo)
            h->todo_tail = NULL;
        uv_mutex_unlock(&h->lock);
        if (j->writing)
            j->written = password_written(h, j);
        else
            j->verified = password_verified(h, j);
        uv_mutex_lock(&h->lock);
        j->next = h->done;
        h->done = j;
        /* Under the lock: the loop closes the handle only after taking the
         * last result, which it cannot do before this send has returned. */
        uv_async_send(h->async);
    }
    uv_mutex_unlock(&h->lock);
}

void login_hasher_free(hasher *h)
{
    if (!h)
        return;
    uv_mutex_lock(&h->lock);
    h->quit = 1;
    uv_cond_broadcast(&h->wake);
    uv_mutex_unlock(&h->lock);
    for (unsigned i = 0; i < h->nthreads; i++)
        uv_thread_join(&h->threads[i]);
    uv_cond_destroy(&h->wake);
    uv_mutex_destroy(&h->file_lock);
    uv_mutex_destroy(&h->lock);
    free(h->dummy_hash);
    free(h);
}

static int hasher_new(hasher **out, unsigned nthreads)
{
    *out = NULL;
    hasher *h = calloc(1, sizeof(*h));
    if (!h)
        return KENES_ENOMEM;
    atomic_init(&h->verified, 0);
    if (uv_mutex_init(&h->lock) < 0) {
        free(h);
        return KENES_ENOMEM;
    }
    if (uv_mutex_init(&h->file_lock) < 0) {
        uv_mutex_destroy(&h->lock);
        free(h);
        return KENES_ENOMEM;
    }
    if (uv_cond_init(&h->wake) < 0) {
        uv_mutex_destroy(&h->file_lock);
        uv_mutex_destroy(&h->lock);
        free(h);
        return KENES_ENOMEM;
    }
    for (; h->nthreads < nthreads; h->nthreads++)
        if (uv_thread_create(&h->threads[h->nthreads], hasher_thread, h) < 0)
            break;
    if (!h->nthreads) {
        login_hasher_free(h);
        return KENES_ENOMEM;
    }
    *out = h;
    return 0;
}

static void login_job_free(login_job *j)
{
    if (j->password)
        sodium_memzero(j->password, strlen(j->password));
    if (j->new_password)
        sodium_memzero(j->new_password, strlen(j->new_password));
    free(j->password);
    free(j->new_password);
    free(j->name);
    free(j->peer);
    free(j->hash);
    free(j);
}

static void logins_by_addr_add(auth *a, const char *peer, int delta)
{
    uintptr_t n = (uintptr_t)map_get(a->logins_by_addr, peer);
    if (delta < 0 && n <= 1)
        map_remove(a->logins_by_addr, peer);
    else if (map_set(a->logins_by_addr, peer, (void *)(n + (uintptr_t)delta)) < 0)
        log_error("auth", "out of memory: logins from one address are not counted");
}

static int hasher_submit(auth *a, login_job *j);

/* The current password was checked (ok: right, in time, still the user's):
 * on to the second job, or the answer. */
static void passwd_verified(login_job *j, int ok)
{
    auth *a = j->a;
    if (ok) {
        j->writing = 1;
        if (hasher_submit(a, j) == 0) {
            a->logins_running++;
            return;
        }
        log_error("auth", "out of memory: the password of %s was not changed", j->name);
    }
    j->passwd_cb(ok ? KENES_ENOMEM : KENES_EFORBIDDEN, NULL, j->payload);
    login_job_free(j);
}

/* The second job, on a hashing thread: users.yaml changed, or why not. */
static int password_written(hasher *h, login_job *j)
{
    char err[512];
    uv_mutex_lock(&h->file_lock);
    int rc = users_set_password(j->a->path, j->name, j->hash, j->new_password, j->why,
                                sizeof(j->why), err, sizeof(err));
    uv_mutex_unlock(&h->file_lock);
    if (rc < 0 && rc != KENES_EINVAL)
        snprintf(j->why, sizeof(j->why), "%.*s", (int)sizeof(j->why) - 1, err);
    return rc;
}

/* Back on the loop after the second job. */
static void passwd_done(login_job *j)
{
    auth *a = j->a;
    a->logins_running--;
    int rc = j->written;
    const char *why = NULL;
    if (rc == 0) {
        /* The new hash ends the user's sessions now, not at their next request. */
        auth_reload(a);
        log_info("auth", "user %s changed their password", j->name);
    } else if (rc == KENES_EINVAL) {
        why = j->why;
    } else if (rc == KENES_ESTALE) {
        rc = KENES_EFORBIDDEN;
    } else {
        log_error("auth", "the password of %s was not changed: %s", j->name, j->why);
        if (rc != KENES_ENOMEM)
            rc = KENES_EIO;
    }
    j->passwd_cb(rc, why, j->payload);
    login_job_free(j);
}

static void login_done(login_job *j, int status)
{
    auth *a = j->a;
    a->logins_running--;
    logins_by_addr_add(a, j->peer, -1);
    auth_reload(a);
    const auth_user *u = auth_user_find(a, j->name);
    uint64_t now = throttle_clock(a), wait;
    /* Guesses sent in parallel all pass auth_throttled before the first one
     * fails.  Once the name or address is at its limit, those still in flight
     * learn nothing either: refused whatever the password, and counted. */
    int held = throttled(a, j->name, j->peer, now, &wait);
    /* The hash verified must still be the user's: a password changed or a
     * user disabled while this ran wins. */
    int ok = status == 0 && !held && j->verified && j->real_user && u && !u->disabled &&
             strcmp(u->hash, j->hash) == 0;
    if (status == 0 && !ok) {
        if (a->by_user)
            throttle_record(a->by_user, j->name, now);
        if (a->by_addr)
            throttle_record(a->by_addr, j->peer, now);
    }
    if (j->new_password) {
        passwd_verified(j, ok);
        return;
    }
    char token[AUTH_TOKEN_CHARS] = "";
    if (ok && auth_session_begin(a, u, token) < 0)
        ok = 0;
    j->cb(ok ? 0 : KENES_EFORBIDDEN, ok ? token : NULL, ok ? u : NULL, j->payload);
    sodium_memzero(token, sizeof(token));
    login_job_free(j);
}

static void on_async_closed(uv_handle_t *h)
{
    free(h);
}

static void on_hashed(uv_async_t *async)
{
    auth *a = async->data;
    hasher *h = a->hasher;
    uv_mutex_lock(&h->lock);
    login_job *done = h->done;
    h->done = NULL;
    uv_mutex_unlock(&h->lock);
    /* Taken in LIFO order; finish them in the order they were checked. */
    login_job *fifo = NULL;
    while (done) {
        login_job *next = done->next;
        done->next = fifo;
        fifo = done;
        done = next;
    }
    while (fifo) {
        login_job *next = fifo->next;
        if (fifo->writing)
            passwd_done(fifo);
        else
            login_done(fifo, 0);
        fifo = next;
    }
    if (a->logins_running == 0 && h->async) {
        /* All results are in and each send happened before its result was
         * taken: nothing will signal this handle again. */
        uv_close((uv_handle_t *)h->async, on_async_closed);
        h->async = NULL;
    }
}

/* Queue j for the hashing threads (started at the first login). */
static int hasher_submit(auth *a, login_job *j)
{
    if (!a->hasher && hasher_new(&a->hasher, a->hash_threads) < 0)
        return KENES_ENOMEM;
    hasher *h = a->hasher;
    if (!h->async) {
        uv_async_t *async = malloc(sizeof(*async));
        if (!async)
            return KENES_ENOMEM;
        if (uv_async_init(a->loop, async, on_hashed) < 0) {
            free(async);
            return KENES_ENOMEM;
        }
        async->data = a;
        h->async = async;
    }
    j->next = NULL;
    uv_mutex_lock(&h->lock);
    if (h->todo_tail)
        h->todo_tail->next = j;
    else
        h->todo = j;
    h->todo_tail = j;
    uv_cond_signal(&h->wake);
    uv_mutex_unlock(&h->lock);
    return 0;
}

/* A login's job, queued: the current password of a change too. */
static int login_start(auth *a, const char *name, const char *password, const char *peer,
                       login_job *j)
{
    /* A password changed, or a user added or enabled, applies from the next login. */
    auth_reload(a);
    /* Bounded, overall and per address: a burst of logins (junk names cost a
     * full argon2id too) waits in no queue of ours, it is refused. */
    if (!peer)
        peer = "";
    if ((a->max_logins && (size_t)a->logins_running >= a->max_logins) ||
        (a->max_logins_per_addr &&
         (uintptr_t)map_get(a->logins_by_addr, peer) >= a->max_logins_per_addr)) {
        login_job_free(j);
        return KENES_ETOOBIG;
    }
    const auth_user *u = auth_user_find(a, name);
    j->a = a;
    j->real_user = u && !u->disabled;
    j->name = strdup(name);
    j->peer = strdup(peer);
    j->password = strdup(password);
    /* Unknown users cost the same argon2id as real ones: timing does not
     * tell.  Their hash (NULL here) is the hashing thread's to find. */
    j->hash = u ? strdup(u->hash) : NULL;
    if (!j->name || !j->peer || !j->password || (u && !j->hash) || hasher_submit(a, j) < 0) {
        login_job_free(j);
        return KENES_ENOMEM;
    }
    a->logins_running++;
    logins_by_addr_add(a, peer, +1);
    return 0;
}

int auth_login(auth *a, const char *name, const char *password, const char *peer,
               auth_login_cb cb, void *payload)
{
    login_job *j = calloc(1, sizeof(*j));
    if (!j)
        return KENES_ENOMEM;
    j->cb = cb;
    j->payload = payload;
    return login_start(a, name, password, peer, j);
}

int auth_change_password(auth *a, const char *name, const char *current,
                         const char *password, const char *peer, auth_passwd_cb cb,
                         void *payload)
{
    /* Too short needs no hash to tell: refused before anything is counted. */
    if (util_utf8_length(password) < AUTH_MIN_PASSWORD)
        return KENES_EINVAL;
    login_job *j = calloc(1, sizeof(*j));
    if (!j || !(j->new_password = strdup(password))) {
        free(j);
        return KENES_ENOMEM;
    }
    j->passwd_cb = cb;
    j->payload = payload;
    return login_start(a, name, current, peer, j);
}

int auth_busy(const auth *a)
{
    return a->logins_running > 0;
}

uint64_t auth_hashes_verified(const auth *a)
{
    return a->hasher ? (uint64_t)atomic_load(&a->hasher->verified) : 0;
}
