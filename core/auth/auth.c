#include "auth/auth.h"

#include <crack.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kenes/plugin.h"
#include "base/log.h"
#include "base/map.h"
#include "auth/sessions.h"
#include "auth/throttle.h"
#include "base/util.h"
#include "base/yml.h"

/*
 * argon2id is slow by design (tens of ms and 64 MiB each): on libuv's shared
 * thread pool a burst of logins would queue in front of every git read, write
 * and access-log append.  So passwords are checked on threads of their own,
 * fed through a queue; each result goes back to the loop through a uv_async.
 * The async handle exists only while logins are in flight, so that a server
 * with none has nothing of ours open on its loop (auth_close needs no loop run).
 */
typedef struct login_job login_job;

typedef struct hasher {
    uv_mutex_t lock;
    uv_cond_t wake;
    login_job *todo, *todo_tail; /* FIFO: checked in the order they came */
    login_job *done;             /* checked, for the loop to finish */
    uv_async_t *async;           /* NULL while nothing is in flight */
    uv_thread_t threads[AUTH_HASH_THREADS_MAX];
    unsigned nthreads;
    int quit;
} hasher;

static void hasher_free(hasher *h);

/* What stat says of users.yaml.  The command line replaces the file by
 * rename, so any change brings a new inode; size and mtime catch the rest. */
typedef struct file_id {
    int exists;
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime;
} file_id;

/*
 * Users are records allocated one by one.  auth_session and auth_user_find hand
 * out pointers that requests keep across the thread pool (a login being
 * verified, a write waiting for its commit), so a reload never frees a record:
 * a user that did not change keeps its record, and the record of one that
 * changed or went is marked disabled and kept in `retired` until auth_close.
 * users.yaml changes only when an administrator runs `kenes user ...`, so this
 * keeps a few records per change: simpler and safer than reference counts on
 * a pointer every handler holds.
 */
struct auth {
    uv_loop_t *loop;
    char *path;
    file_id file; /* of the users.yaml read last (or found broken) */
    auth_user **users;
    size_t nusers;
    auth_user **retired;
    size_t nretired;
    map *sessions; /* session_token_key(token) -> session */
    int64_t idle_ms;
    int64_t lifetime_ms;      /* from login, whatever the use */
    sessions_writer *writer;  /* DATA/sessions.json; NULL: sessions are not kept */
    int touched;              /* a session was used since the table was last written */
    char *dummy_hash; /* verified against for unknown users, so timing does not tell */
    int logins_running;
    throttle *by_user, *by_addr; /* failed logins per user name, per client address */
    size_t max_logins, max_logins_per_addr; /* in flight at once; 0: no limit */
    map *logins_by_addr;                    /* peer -> logins in flight from it (uintptr_t) */
    hasher *hasher;
    unsigned hash_threads;
};

static void user_dispose(auth_user *u)
{
    free(u->name);
    free(u->region);
    if (u->hash)
        sodium_memzero(u->hash, strlen(u->hash));
    free(u->hash);
}

static void users_free(auth_user *u, size_t n)
{
    for (size_t i = 0; i < n; i++)
        user_dispose(&u[i]);
    free(u);
}

static int name_valid(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' ||
              *s == '.'))
            return 0;
    return 1;
}

/* Read users.yaml; a missing file is an empty list. */
static int users_load(auth_user **out, size_t *count, const char *path, char *err,
                      size_t errcap)
{
    *out = NULL;
    *count = 0;
    if (access(path, F_OK) != 0)
        return 0;
    yml_doc y;
    int rc = yml_load_file(&y, path, err, errcap);
    if (rc < 0)
        return rc;
    size_t n;
    yaml_node_t *list = yml_get(&y, yml_root(&y), "users");
    yaml_node_item_t *items = yml_items(list, &n);
    auth_user *users = calloc(n ? n : 1, sizeof(*users));
    if (!users) {
        yml_dispose(&y);
        return KENES_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *u = yml_node(&y, items[i]);
        const char *name = yml_scalar(yml_get(&y, u, "name"));
        const char *role = yml_scalar(yml_get(&y, u, "role"));
        const char *region = yml_scalar(yml_get(&y, u, "region"));
        const char *hash = yml_scalar(yml_get(&y, u, "password"));
        const char *disabled = yml_scalar(yml_get(&y, u, "disabled"));
        if (!name || !name_valid(name) || role_parse(role) == ROLE_NONE || !hash ||
            (role_needs_region(role_parse(role)) && (!region || !*region))) {
            rc = yml_fail(err, errcap, path, u, "a user needs a valid name, role, password%s",
                          role_needs_region(role_parse(role)) ? " and region" : "");
            goto fail;
        }
        /* The server finds users by name: two of one name would be ambiguous. */
        for (size_t k = 0; k < i; k++)
            if (strcmp(users[k].name, name) == 0) {
                rc = yml_fail(err, errcap, path, u, "a second user named '%s'", name);
                goto fail;
            }
        users[i].name = strdup(name);
        users[i].role = role_parse(role);
        users[i].region = region && *region ? strdup(region) : NULL;
        users[i].hash = strdup(hash);
        users[i].disabled = disabled && strcmp(disabled, "true") == 0;
        if (!users[i].name || !users[i].hash || (region && *region && !users[i].region)) {
            snprintf(err, errcap, "out of memory reading %s", path);
            rc = KENES_ENOMEM;
            goto fail;
        }
    }
    yml_dispose(&y);
    *out = users;
    *count = n;
    return 0;
fail:
    users_free(users, n); /* calloc'd: the entries not reached yet are empty */
    yml_dispose(&y);
    return rc;
}

static int emit_scalar(yaml_emitter_t *e, const char *s, int quoted)
{
    yaml_event_t ev;
    yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)strlen(s), 1, 1,
                                 quoted ? YAML_DOUBLE_QUOTED_SCALAR_STYLE : YAML_PLAIN_SCALAR_STYLE);
    return yaml_emitter_emit(e, &ev);
}

static int write_handler(void *data, unsigned char *buffer, size_t size)
{
    return util_buf_append(data, (const char *)buffer, size) == 0;
}

/* Write users.yaml durably with libyaml's emitter. */
static int users_save(const char *path, const auth_user *users, size_t n)
{
    util_buf b;
    util_buf_init(&b);
    util_buf_puts(&b, "# kenes users: argon2id password hashes (libsodium). Change them with\n"
                      "# `kenes user ...`, not by hand.\n");
    yaml_emitter_t e;
    yaml_event_t ev;
    int ok = yaml_emitter_initialize(&e);
    yaml_emitter_set_output(&e, write_handler, &b);
    yaml_emitter_set_unicode(&e, 1);
    ok = ok && yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING) &&
         yaml_emitter_emit(&e, &ev);
    ok = ok && yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1) &&
         yaml_emitter_emit(&e, &ev);
    ok = ok && yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE) &&
         yaml_emitter_emit(&e, &ev);
    ok = ok && emit_scalar(&e, "users", 0);
    ok = ok && yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
                                                    YAML_BLOCK_SEQUENCE_STYLE) &&
         yaml_emitter_emit(&e, &ev);
    for (size_t i = 0; ok && i < n; i++) {
        ok = yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE) &&
             yaml_emitter_emit(&e, &ev);
        ok = ok && emit_scalar(&e, "name", 0) && emit_scalar(&e, users[i].name, 1);
        ok = ok && emit_scalar(&e, "role", 0) && emit_scalar(&e, role_name(users[i].role), 1);
        if (users[i].region)
            ok = ok && emit_scalar(&e, "region", 0) && emit_scalar(&e, users[i].region, 1);
        ok = ok && emit_scalar(&e, "password", 0) && emit_scalar(&e, users[i].hash, 1);
        ok = ok && emit_scalar(&e, "disabled", 0) &&
             emit_scalar(&e, users[i].disabled ? "true" : "false", 0);
        ok = ok && yaml_mapping_end_event_initialize(&ev) && yaml_emitter_emit(&e, &ev);
    }
    ok = ok && yaml_sequence_end_event_initialize(&ev) && yaml_emitter_emit(&e, &ev);
    ok = ok && yaml_mapping_end_event_initialize(&ev) && yaml_emitter_emit(&e, &ev);
    ok = ok && yaml_document_end_event_initialize(&ev, 1) && yaml_emitter_emit(&e, &ev);
    ok = ok && yaml_stream_end_event_initialize(&ev) && yaml_emitter_emit(&e, &ev);
    yaml_emitter_delete(&e);
    int rc = ok ? util_write_file_atomic(path, b.data, b.len, 0600) : -1;
    util_buf_dispose(&b);
    return rc < 0 ? KENES_EIO : 0;
}

/* argon2id at libsodium's interactive cost, like every hash in the file. */
static int hash_password(char out[crypto_pwhash_STRBYTES], const char *password, char *err,
                         size_t errcap)
{
    if (crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
        snprintf(err, errcap, "out of memory while hashing the password");
        return KENES_ENOMEM;
    }
    return 0;
}

/* Length first, then cracklib (its default dictionary, and its rules on
 * repeated, systematic and too few distinct characters). */
static int password_check(const char *password, char *err, size_t errcap)
{
    if (util_utf8_length(password) < AUTH_MIN_PASSWORD) {
        snprintf(err, errcap, "a password needs at least %d characters", AUTH_MIN_PASSWORD);
        return KENES_EINVAL;
    }
    const char *dict = GetDefaultCracklibDict();
    char pwd[4096];
    snprintf(pwd, sizeof(pwd), "%s.pwd", dict);
    /* FascistCheck cannot say that its dictionary is missing (Debian #682735). */
    if (access(pwd, R_OK) != 0) {
        snprintf(err, errcap,
                 "cannot check the password: cracklib's dictionary %s is missing "
                 "(install cracklib-runtime)",
                 pwd);
        return KENES_EIO;
    }
    const char *why = FascistCheck(password, dict);
    if (why) {
        snprintf(err, errcap, "this password is too easy to guess: %s (cracklib)", why);
        return KENES_EINVAL;
    }
    return 0;
}

int auth_users_add(const char *path, const char *name, enum role role, const char *region,
                   const char *password, char *err, size_t errcap)
{
    if (sodium_init() < 0)
        return KENES_ENOMEM;
    if (!name_valid(name)) {
        snprintf(err, errcap, "a user name is 1-64 characters of a-z, 0-9, '.', '-', '_'");
        return KENES_EINVAL;
    }
    if (role == ROLE_NONE) {
        snprintf(err, errcap, "unknown role");
        return KENES_EINVAL;
    }
    if (role_needs_region(role) && (!region || !*region)) {
        snprintf(err, errcap, "role %s needs --region", role_name(role));
        return KENES_EINVAL;
    }
    if (!role_needs_region(role) && region && *region) {
        snprintf(err, errcap, "role %s acts for no single region: drop --region", role_name(role));
        return KENES_EINVAL;
    }
    int rc = password_check(password, err, errcap);
    if (rc < 0)
        return rc;
    auth_user *users;
    size_t n;
    rc = users_load(&users, &n, path, err, errcap);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(users[i].name, name) == 0) {
            snprintf(err, errcap, "a user named '%s' exists already", name);
            users_free(users, n);
            return KENES_EEXISTS;
        }
    }
    char hash[crypto_pwhash_STRBYTES];
    if (hash_password(hash, password, err, errcap) < 0) {
        users_free(users, n);
        return KENES_ENOMEM;
    }
    auth_user *grown = realloc(users, (n + 1) * sizeof(*grown));
    if (!grown) {
        users_free(users, n);
        return KENES_ENOMEM;
    }
    users = grown;
    users[n] = (auth_user){strdup(name), role, region && *region ? strdup(region) : NULL,
                           strdup(hash), 0};
    sodium_memzero(hash, sizeof(hash));
    if (!users[n].name || !users[n].hash || (region && *region && !users[n].region))
        rc = KENES_ENOMEM;
    else if ((rc = users_save(path, users, n + 1)) < 0)
        snprintf(err, errcap, "cannot write %s", path);
    users_free(users, n + 1);
    return rc;
}

/* Load the file and find `name` in it: 0 with *users (to save and free),
 * *n and *at, or KENES_ENOTFOUND / a load error with the reason in err. */
static int users_load_one(auth_user **users, size_t *n, size_t *at, const char *path,
                          const char *name, char *err, size_t errcap)
{
    int rc = users_load(users, n, path, err, errcap);
    if (rc < 0)
        return rc;
    for (*at = 0; *at < *n; (*at)++)
        if (strcmp((*users)[*at].name, name) == 0)
            return 0;
    snprintf(err, errcap, "no user named '%s' in %s", name, path);
    users_free(*users, *n);
    return KENES_ENOTFOUND;
}

int auth_users_passwd(const char *path, const char *name, const char *password, char *err,
                      size_t errcap)
{
    if (sodium_init() < 0)
        return KENES_ENOMEM;
    int rc = password_check(password, err, errcap);
    if (rc < 0)
        return rc;
    auth_user *users;
    size_t n, at;
    rc = users_load_one(&users, &n, &at, path, name, err, errcap);
    if (rc < 0)
        return rc;
    char hash[crypto_pwhash_STRBYTES];
    char *copy = NULL;
    rc = hash_password(hash, password, err, errcap);
    if (rc == 0 && !(copy = strdup(hash)))
        rc = KENES_ENOMEM;
    if (rc == 0) {
        sodium_memzero(users[at].hash, strlen(users[at].hash));
        free(users[at].hash);
        users[at].hash = copy;
        sodium_memzero(hash, sizeof(hash));
        if ((rc = users_save(path, users, n)) < 0)
            snprintf(err, errcap, "cannot write %s", path);
    }
    users_free(users, n);
    return rc;
}

int auth_users_set_disabled(const char *path, const char *name, int disabled, char *err,
                            size_t errcap)
{
    auth_user *users;
    size_t n, at;
    int rc = users_load_one(&users, &n, &at, path, name, err, errcap);
    if (rc < 0)
        return rc;
    /* Unchanged: leave the file (and the server's view of it) alone. */
    if (users[at].disabled != !!disabled) {
        users[at].disabled = !!disabled;
        if ((rc = users_save(path, users, n)) < 0)
            snprintf(err, errcap, "cannot write %s", path);
    }
    users_free(users, n);
    return rc;
}

/* ---- the server's users: users.yaml, read at start and whenever it changes ---- */

static void file_id_get(file_id *f, const char *path)
{
    struct stat st;
    memset(f, 0, sizeof(*f));
    if (stat(path, &st) != 0)
        return;
    f->exists = 1;
    f->dev = st.st_dev;
    f->ino = st.st_ino;
    f->size = st.st_size;
    f->mtime = st.st_mtim;
}

static int file_id_same(const file_id *x, const file_id *y)
{
    return x->exists == y->exists && x->dev == y->dev && x->ino == y->ino &&
           x->size == y->size && x->mtime.tv_sec == y->mtime.tv_sec &&
           x->mtime.tv_nsec == y->mtime.tv_nsec;
}

static int user_same(const auth_user *x, const auth_user *y)
{
    return strcmp(x->name, y->name) == 0 && x->role == y->role &&
           strcmp(x->region ? x->region : "", y->region ? y->region : "") == 0 &&
           strcmp(x->hash, y->hash) == 0 && x->disabled == y->disabled;
}

/* Make `loaded` (from users_load) the current users: a user that did not
 * change keeps its record, the others get new ones and their old records are
 * retired.  Takes `loaded` on success; on KENES_ENOMEM nothing changed. */
static int users_adopt(auth *a, auth_user *loaded, size_t n)
{
    auth_user **now = calloc(n ? n : 1, sizeof(*now));
    unsigned char *fresh = calloc(n ? n : 1, 1);
    auth_user **retired = realloc(a->retired, (a->nretired + a->nusers + 1) * sizeof(*retired));
    if (retired)
        a->retired = retired;
    int rc = now && fresh && retired ? 0 : KENES_ENOMEM;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        for (size_t k = 0; k < a->nusers && !now[i]; k++)
            if (user_same(a->users[k], &loaded[i]))
                now[i] = a->users[k];
        if (!now[i]) {
            fresh[i] = 1;
            if (!(now[i] = malloc(sizeof(**now))))
                rc = KENES_ENOMEM;
        }
    }
    if (rc < 0) {
        for (size_t i = 0; now && fresh && i < n; i++)
            if (fresh[i])
                free(now[i]);
        free(now);
        free(fresh);
        return rc;
    }
    for (size_t i = 0; i < n; i++) {
        if (fresh[i])
            *now[i] = loaded[i]; /* its strings move */
        else
            user_dispose(&loaded[i]);
    }
    for (size_t k = 0; k < a->nusers; k++) {
        size_t i = 0;
        while (i < n && now[i] != a->users[k])
            i++;
        if (i == n) {
            /* Whoever still holds it holds a record that grants nothing new. */
            a->users[k]->disabled = 1;
            a->retired[a->nretired++] = a->users[k];
        }
    }
    free(loaded);
    free(fresh);
    free(a->users);
    a->users = now;
    a->nusers = n;
    return 0;
}

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

/* The table changed: write it to DATA/sessions.json (on the thread pool). */
static void sessions_changed(auth *a)
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

/* Drop the sessions that must end (session_user); the number dropped. */
static size_t sessions_prune(auth *a)
{
    prune_ctx p = {a, util_now_ms()};
    int all;
    return sessions_remove_if(a->sessions, session_ended, &p, &all);
}

int auth_reload(auth *a)
{
    file_id id;
    file_id_get(&id, a->path);
    if (file_id_same(&id, &a->file))
        return 0;
    /* Remembered even when the file is broken: one error per change, not one per request. */
    a->file = id;
    auth_user *loaded;
    size_t n;
    char err[512] = "out of memory";
    int rc = users_load(&loaded, &n, a->path, err, sizeof(err));
    if (rc == 0 && (rc = users_adopt(a, loaded, n)) < 0)
        users_free(loaded, n);
    if (rc < 0) {
        if (rc == KENES_ENOMEM)
            a->file.exists = -1; /* matches no file: try again on the next call */
        log_error("auth", "%s changed but cannot be read; keeping the users read before: %s",
                  a->path, err);
        return rc;
    }
    /* A user removed, disabled or given a new password: their sessions end now. */
    if (sessions_prune(a) > 0)
        sessions_changed(a);
    log_info("auth", "%s re-read: %zu users", a->path, a->nusers);
    return 1;
}

/* ---- failed logins ---- */

/* Both throttles anew: what was counted is forgotten. */
static int throttles_make(auth *a, unsigned per_user, unsigned per_addr, uint64_t window_ms)
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
    if (throttles_make(a, per_user, per_addr, window_ms) < 0)
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

/* Failed logins age on the core's clock, so that tests move it (KENES_NOW)
 * instead of sleeping through a window. */
static uint64_t throttle_clock(void)
{
    int64_t now = util_now_ms();
    return now > 0 ? (uint64_t)now : 0;
}

int auth_throttled(auth *a, const char *name, const char *peer, unsigned *retry_after_s)
{
    uint64_t ms;
    int over = throttled(a, name, peer, throttle_clock(), &ms);
    if (over && retry_after_s)
        *retry_after_s = ms >= 1000 ? (unsigned)((ms + 999) / 1000) : 1;
    return over;
}

/* ---- open, close, look up ---- */

int auth_open(auth **out, uv_loop_t *loop, const char *path, unsigned idle_s, char *err,
              size_t errcap)
{
    if (sodium_init() < 0)
        return KENES_ENOMEM;
    auth *a = calloc(1, sizeof(*a));
    if (!a)
        return KENES_ENOMEM;
    a->loop = loop;
    a->idle_ms = (int64_t)idle_s * 1000;
    a->lifetime_ms = (int64_t)AUTH_SESSION_LIFETIME_S * 1000;
    auth_user *loaded = NULL;
    size_t n = 0;
    /* stat before reading: a change in between is then seen, and read, next time. */
    int rc = (a->path = strdup(path)) ? 0 : KENES_ENOMEM;
    if (rc == 0) {
        file_id_get(&a->file, path);
        rc = users_load(&loaded, &n, path, err, errcap);
    }
    if (rc == 0 && (rc = users_adopt(a, loaded, n)) < 0)
        users_free(loaded, n);
    a->hash_threads = 1;
    if (rc == 0)
        rc = map_new(&a->sessions);
    if (rc == 0)
        rc = map_new(&a->logins_by_addr);
    if (rc == 0)
        rc = throttles_make(a, AUTH_FAILURES_PER_USER, AUTH_FAILURES_PER_ADDR,
                            AUTH_FAILURE_WINDOW_MS);
    if (rc == 0) {
        /* A throwaway hash with the same cost as real ones. */
        char hash[crypto_pwhash_STRBYTES];
        unsigned char junk[16];
        randombytes_buf(junk, sizeof(junk));
        if (crypto_pwhash_str(hash, (const char *)junk, sizeof(junk),
                              crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
            rc = KENES_ENOMEM;
        else if (!(a->dummy_hash = strdup(hash)))
            rc = KENES_ENOMEM;
    }
    if (rc < 0) {
        auth_close(a);
        return rc;
    }
    *out = a;
    return 0;
}

static void record_free(auth_user *u)
{
    user_dispose(u);
    free(u);
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
    hasher_free(a->hasher);
    map_free(a->logins_by_addr);
    for (size_t i = 0; i < a->nusers; i++)
        record_free(a->users[i]);
    for (size_t i = 0; i < a->nretired; i++)
        record_free(a->retired[i]);
    free(a->users);
    free(a->retired);
    free(a->path);
    free(a->dummy_hash);
    free(a);
}

const auth_user *auth_user_find(const auth *a, const char *name)
{
    for (size_t i = 0; name && i < a->nusers; i++)
        if (strcmp(a->users[i]->name, name) == 0)
            return a->users[i];
    return NULL;
}

size_t auth_user_count(const auth *a)
{
    return a->nusers;
}

const auth_user *auth_user_at(const auth *a, size_t i)
{
    return i < a->nusers ? a->users[i] : NULL;
}

/* ---- logins and sessions ---- */

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
};

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
        j->verified = crypto_pwhash_str_verify(j->hash, j->password, strlen(j->password)) == 0;
        uv_mutex_lock(&h->lock);
        j->next = h->done;
        h->done = j;
        /* Under the lock: the loop closes the handle only after taking the
         * last result, which it cannot do before this send has returned. */
        uv_async_send(h->async);
    }
    uv_mutex_unlock(&h->lock);
}

static void hasher_free(hasher *h)
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
    uv_mutex_destroy(&h->lock);
    free(h);
}

static int hasher_new(hasher **out, unsigned nthreads)
{
    *out = NULL;
    hasher *h = calloc(1, sizeof(*h));
    if (!h)
        return KENES_ENOMEM;
    if (uv_mutex_init(&h->lock) < 0) {
        free(h);
        return KENES_ENOMEM;
    }
    if (uv_cond_init(&h->wake) < 0) {
        uv_mutex_destroy(&h->lock);
        free(h);
        return KENES_ENOMEM;
    }
    for (; h->nthreads < nthreads; h->nthreads++)
        if (uv_thread_create(&h->threads[h->nthreads], hasher_thread, h) < 0)
            break;
    if (!h->nthreads) {
        hasher_free(h);
        return KENES_ENOMEM;
    }
    *out = h;
    return 0;
}

static void login_job_free(login_job *j)
{
    if (j->password)
        sodium_memzero(j->password, strlen(j->password));
    free(j->password);
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

static void login_done(login_job *j, int status)
{
    auth *a = j->a;
    a->logins_running--;
    logins_by_addr_add(a, j->peer, -1);
    auth_reload(a);
    const auth_user *u = auth_user_find(a, j->name);
    uint64_t now = throttle_clock(), wait;
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
    char token[AUTH_TOKEN_CHARS] = "";
    if (ok) {
        unsigned char raw[32];
        randombytes_buf(raw, sizeof(raw));
        sodium_bin2base64(token, sizeof(token), raw, sizeof(raw),
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING);
        sodium_memzero(raw, sizeof(raw));
        char key[SESSION_KEY_CHARS], tag[SESSION_TAG_CHARS];
        session_token_key(key, token);
        session_password_tag(tag, u->hash);
        int64_t wall = util_now_ms();
        session *s = session_new(u->name, wall, wall, tag);
        if (s) {
            sessions_prune(a);
            sessions_trim_user(a, u->name);
            ok = map_set(a->sessions, key, s) == 0;
            if (!ok)
                session_free(s);
            else
                sessions_changed(a);
        } else {
            ok = 0;
        }
    }
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

int auth_login(auth *a, const char *name, const char *password, const char *peer,
               auth_login_cb cb, void *payload)
{
    /* A password changed, or a user added or enabled, applies from the next login. */
    auth_reload(a);
    /* Bounded, overall and per address: a burst of logins (junk names cost a
     * full argon2id too) waits in no queue of ours, it is refused. */
    if (!peer)
        peer = "";
    if ((a->max_logins && (size_t)a->logins_running >= a->max_logins) ||
        (a->max_logins_per_addr &&
         (uintptr_t)map_get(a->logins_by_addr, peer) >= a->max_logins_per_addr))
        return KENES_ETOOBIG;
    login_job *j = calloc(1, sizeof(*j));
    if (!j)
        return KENES_ENOMEM;
    const auth_user *u = auth_user_find(a, name);
    j->a = a;
    j->real_user = u && !u->disabled;
    j->name = strdup(name);
    j->peer = strdup(peer);
    j->password = strdup(password);
    /* Unknown users cost the same argon2id as real ones: timing does not tell. */
    j->hash = strdup(u ? u->hash : a->dummy_hash);
    j->cb = cb;
    j->payload = payload;
    if (!j->name || !j->peer || !j->password || !j->hash || hasher_submit(a, j) < 0) {
        login_job_free(j);
        return KENES_ENOMEM;
    }
    a->logins_running++;
    logins_by_addr_add(a, peer, +1);
    return 0;
}

int auth_busy(const auth *a)
{
    return a->logins_running > 0;
}

const auth_user *auth_session(auth *a, const char *token)
{
    if (!token || strlen(token) != AUTH_TOKEN_CHARS - 1)
        return NULL;
    char key[SESSION_KEY_CHARS];
    session_token_key(key, token);
    if (!map_get(a->sessions, key))
        return NULL;
    /* A disabled user's tokens stop working at once: a stat on each
     * authenticated request is cheap, and a reload drops their sessions. */
    auth_reload(a);
    session *s = map_get(a->sessions, key);
    if (!s)
        return NULL;
    int64_t now = util_now_ms();
    const auth_user *u = session_user(a, s, now);
    if (!u) {
        map_remove(a->sessions, key);
        session_free(s);
        sessions_changed(a);
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
    sessions_changed(a);
    return 0;
}

void auth_set_lifetime(auth *a, unsigned max_lifetime_s)
{
    a->lifetime_ms = (int64_t)max_lifetime_s * 1000;
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
    size_t kept = map_count(a->sessions), dropped = sessions_prune(a);
    if (kept)
        log_info("auth", "%s: %zu sessions kept, %zu ended while stopped", path, kept - dropped,
                 dropped);
    if (dropped)
        sessions_changed(a);
    return 0;
}
