/*
 * What auth's own files share, and nothing outside core/auth/ includes: the
 * struct behind the opaque `auth` and the calls between its three rooms.
 *
 *   users.c  users.yaml: the command line's add, passwd, disable; the
 *            server's copy, re-read when the file changes
 *   login.c  logins: argon2id on threads of its own, failed logins counted
 *            (throttle.c), logins in flight bounded
 *   auth.c   open and close, the clock, and the sessions table (sessions.c
 *            keeps its file)
 */
#ifndef KENES_AUTH_INTERNAL_H
#define KENES_AUTH_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "auth/auth.h"
#include "auth/sessions.h"
#include "auth/throttle.h"
#include "base/map.h"

/* The threads that check passwords (login.c). */
typedef struct hasher hasher;

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
    auth_clock_fn clock; /* every time auth reads comes from here */
    void *clock_payload;
    char *path;
    file_id file; /* of the users.yaml read last (or found broken) */
    auth_user **users;
    size_t nusers;
    auth_user **retired;
    size_t nretired;
    map *sessions; /* session_token_key(token) -> session */
    int64_t idle_ms;
    int64_t lifetime_ms;     /* from login, whatever the use */
    sessions_writer *writer; /* DATA/sessions.json; NULL: sessions are not kept */
    int touched;             /* a session was used since the table was last written */
    /* Paces auth_session's stat of users.yaml (the clock, when a caller
     * gave one; else a monotonic one), and when it last looked. */
    auth_clock_fn pace;
    void *pace_payload;
    int64_t users_checked_ms;
    int logins_running;
    throttle *by_user, *by_addr; /* failed logins per user name, per client address */
    size_t max_logins, max_logins_per_addr; /* in flight at once; 0: no limit */
    map *logins_by_addr;                    /* peer -> logins in flight from it (uintptr_t) */
    hasher *hasher;
    unsigned hash_threads;
    auth_agency_fn agency_known; /* auth_check_agencies; NULL: not checked */
    void *agency_payload;
    char *agency_list;
};

/* ---- auth.c ---- */

/* Milliseconds since the epoch on auth's clock. */
int64_t auth_now(const auth *a);
/* Drop the sessions that must end (idle, too old, their user gone, disabled
 * or given a new password); the number dropped. */
size_t auth_sessions_prune(auth *a);
/* The table changed: write it to DATA/sessions.json (on the thread pool). */
void auth_sessions_changed(auth *a);
/* A new session for u, its token in token.  0 or KENES_ENOMEM. */
int auth_session_begin(auth *a, const auth_user *u, char token[AUTH_TOKEN_CHARS]);

/* ---- users.c ---- */

/* Read users.yaml into a list (users_list_free); a missing file is an empty list. */
int users_list_load(auth_user **out, size_t *count, const char *path, char *err,
                    size_t errcap);
void users_list_free(auth_user *u, size_t n);
/* The first of users whose agency known() refuses: 0, or KENES_EINVAL said in err. */
int users_check_agencies(const auth *a, const auth_user *const *users, size_t n, char *err,
                         size_t errcap);
/* Make `loaded` (from users_list_load) a's current users; takes it on success.
 * 0, or KENES_ENOMEM with nothing changed. */
int users_adopt(auth *a, auth_user *loaded, size_t n);
/* Every record a holds, current and retired. */
void users_records_free(auth *a);
void file_id_get(file_id *f, const char *path);
/* `kenes user passwd`'s change of users.yaml (length, cracklib, argon2id,
 * an atomic rewrite), for the command line and for a user's own change.
 * With expected_hash, only while the user is enabled and their hash in the
 * file is still that one (else KENES_ESTALE).  why (whycap > 0) gets
 * cracklib's reason when it refuses the password (KENES_EINVAL). */
int users_set_password(const char *path, const char *name, const char *expected_hash,
                       const char *password, char *why, size_t whycap, char *err,
                       size_t errcap);

/* ---- login.c ---- */

/* Both throttles anew, at these limits: what was counted is forgotten.
 * 0 or KENES_ENOMEM. */
int login_throttles_make(auth *a, unsigned per_user, unsigned per_addr, uint64_t window_ms);
/* The hashing threads, once every login has been answered.  NULL is a no-op. */
void login_hasher_free(hasher *h);

#endif
