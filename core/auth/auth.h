/*
 * Users and sessions.
 *
 * Users live in DATA/users.yaml with argon2id password hashes (libsodium);
 * the command line adds, re-keys, disables and enables them, and the server
 * re-reads the file whenever it changes (see auth_reload).  A login verifies
 * the password on threads of its own (argon2id is deliberately slow) and hands
 * out a random 32-byte bearer token, URL-safe base64.  Tokens are kept only
 * as their BLAKE2b hash, and end after the configured idle time, after an
 * absolute lifetime whatever their use, and when their user is disabled,
 * removed or given a new password.  With auth_sessions_keep they are also
 * kept in DATA/sessions.json (sessions.h), so that a restart keeps them.
 *
 * Passwords have AUTH_MIN_PASSWORD characters or more and pass cracklib's
 * FascistCheck with its default dictionary.
 *
 * Failed logins are counted per user name (as sent, existing or not) and per
 * client address; past a limit within a window, logins for that name or from
 * that address are refused before any password is checked (auth_throttled).
 */
#ifndef KENES_AUTH_H
#define KENES_AUTH_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "auth/role.h"

#define AUTH_MIN_PASSWORD 12
#define AUTH_TOKEN_CHARS 44 /* 43 + NUL */
/* Sessions one user may hold at once; a login past this ends the one used
 * least recently. */
#define AUTH_SESSIONS_PER_USER 20
/* Default of auth_set_lifetime: 12 hours from the login, whatever the use. */
#define AUTH_SESSION_LIFETIME_S 43200u
/* auth_session stats users.yaml at most this often: a user disabled or
 * re-keyed with `kenes user` loses their sessions within it.  (A login,
 * and a user's own change of password, look at once.) */
#define AUTH_USERS_CHECK_MS 1000

/* Defaults of auth_set_limits: 5 failures per user name, 20 per address, in 15 minutes. */
#define AUTH_FAILURES_PER_USER 5
#define AUTH_FAILURES_PER_ADDR 20
#define AUTH_FAILURE_WINDOW_MS (15u * 60u * 1000u)

/* Threads that check passwords (argon2id), apart from libuv's thread pool. */
#define AUTH_HASH_THREADS 2
#define AUTH_HASH_THREADS_MAX 8

typedef struct auth_user {
    char *name;
    enum role role;
    char *region; /* NULL unless the role acts for one region */
    char *agency; /* agency-officer: the agency's code (content/agencies.yaml), else NULL */
    char *hash;   /* crypto_pwhash_str */
    int disabled;
    char *email; /* where notices go (base/mailaddr.h), or NULL: none */
    char *lang;  /* "ru", "kk" or "en": the language of those notices; NULL: ru */
} auth_user;

typedef struct auth auth;

/* Milliseconds since the epoch.  auth reads time only through its clock:
 * sessions' idle time and lifetime, and the window of failed logins. */
typedef int64_t (*auth_clock_fn)(void *payload);

/* Sessions end after idle_s without use.  The clock is the core's,
 * util_now_ms() (which KENES_NOW fixes). */
int auth_open(auth **out, uv_loop_t *loop, const char *users_path, unsigned idle_s, char *err,
              size_t errcap);
/* The same with a clock of the caller's, called with clock_payload (NULL:
 * the core's), as the plugins get theirs through kenes_api: tests move time
 * instead of waiting for it, however long argon2id takes on a loaded machine.
 * It also paces auth_session's look at users.yaml (AUTH_USERS_CHECK_MS),
 * which the core's default does on a monotonic clock. */
int auth_open_clock(auth **out, uv_loop_t *loop, const char *users_path, unsigned idle_s,
                    auth_clock_fn clock, void *clock_payload, char *err, size_t errcap);
/* Only once no login is running and the loop has ended (a sessions file is
 * written a last time here).  NULL is a no-op. */
void auth_close(auth *a);

/* Re-read users.yaml if stat says it changed (inode, size or mtime); the
 * session and login calls below do this themselves.  1 if re-read, 0 if
 * unchanged, negative if the new file is broken: the users read before stay,
 * and the error is logged once per change of the file.  A user record handed
 * out earlier stays valid until auth_close, even once replaced. */
int auth_reload(auth *a);

const auth_user *auth_user_find(const auth *a, const char *name);
size_t auth_user_count(const auth *a);
const auth_user *auth_user_at(const auth *a, size_t i);

/* Sessions end max_lifetime_s after their login, however recently used. */
void auth_set_lifetime(auth *a, unsigned max_lifetime_s);

/* Keep the sessions in the file at path (DATA/sessions.json): read those kept
 * there (dropping the ones that ended meanwhile) and write the table after
 * every login, logout and session ended, and at auth_close.  A broken file is
 * logged and its sessions dropped.  Call once, right after auth_open. */
int auth_sessions_keep(auth *a, const char *path, char *err, size_t errcap);

/* Failed logins allowed per user name and per client address within
 * window_ms (0: no limit of that kind).  Forgets the failures counted so far. */
void auth_set_limits(auth *a, unsigned per_user, unsigned per_addr, uint64_t window_ms);

/* Logins being checked (or queued for it) at once, overall and from one
 * client address (0: no limit; the default), and the number of threads that
 * check them (1 by default; fixed once the first login has started).  Past
 * a limit auth_login refuses with KENES_ETOOBIG and checks nothing. */
void auth_set_login_limits(auth *a, size_t max_logins, size_t max_per_addr, unsigned threads);

/* 1 if a login for `name` from `peer` must be refused now without checking
 * the password, with the seconds until the oldest failure that counts leaves
 * the window in *retry_after_s; 0 otherwise.  Call before auth_login.
 * (Logins already in flight when the limit is reached are refused by
 * auth_login itself, whatever their password: parallel guesses gain nothing.) */
int auth_throttled(auth *a, const char *name, const char *peer, unsigned *retry_after_s);

/* status 0 with a token, or KENES_EFORBIDDEN for any bad user/password
 * (the same answer and about the same time whether or not the user exists).
 * The password is checked on auth's own threads, never on libuv's thread
 * pool, so logins do not hold up reads, writes or the access log; cb runs on
 * the loop.  Returns KENES_ETOOBIG (cb never called) while as many logins as
 * auth_set_login_limits allows are in flight, overall or from peer.
 * A failure counts against `name` and `peer` (the client's address); so does a
 * login that finishes once either is at its limit, refused whatever its password. */
typedef void (*auth_login_cb)(int status, const char *token, const auth_user *user,
                              void *payload);
int auth_login(auth *a, const char *name, const char *password, const char *peer,
               auth_login_cb cb, void *payload);
/* A user changes their own password.  The current one is checked as a login
 * checks it, on auth's threads and counted with logins: auth_throttled
 * applies (call it first), a wrong current password is a failed login for
 * `name` and `peer`, and one still in flight once either is at its limit is
 * refused whatever it was.  Then the new one passes auth_users_passwd's
 * checks (cracklib, on the same threads) and is written to users.yaml as
 * `kenes user passwd` writes it; the user's sessions end, this one's too.
 * cb runs on the loop with:
 *   0                  changed;
 *   KENES_EFORBIDDEN   the current password is wrong (or the user was
 *                      disabled, or given another password, meanwhile);
 *   KENES_EINVAL       cracklib refused the new one, `why` its reason
 *                      (English, cracklib's words: the caller says it in
 *                      the user's language);
 *   KENES_EIO          cracklib's dictionary is missing, or the file could
 *                      not be written (logged; nothing changed).
 * Returns at once (cb never called) KENES_EINVAL for a new password shorter
 * than AUTH_MIN_PASSWORD (nothing checked, nothing counted), KENES_ETOOBIG
 * as auth_login does, or KENES_ENOMEM. */
typedef void (*auth_passwd_cb)(int status, const char *why, void *payload);
int auth_change_password(auth *a, const char *name, const char *current,
                         const char *password, const char *peer, auth_passwd_cb cb,
                         void *payload);
/* How long a session lasts at most (auth_set_lifetime), in seconds: what a
 * session cookie's Max-Age says. */
unsigned auth_lifetime_s(const auth *a);

/* 1 while a login is being verified. */
int auth_busy(const auth *a);
/* Passwords checked with argon2id so far, one per login that reached a
 * hashing thread, whether or not its user exists: that every login costs
 * exactly one hash is what keeps timing from telling which names exist, and
 * a count, unlike a stopwatch, says so on a loaded machine too. */
uint64_t auth_hashes_verified(const auth *a);

/* The user behind a token, or NULL if unknown, idle too long, past its
 * lifetime, or its user is now disabled, removed from users.yaml or has a new
 * password; touching it resets the idle clock (not the lifetime). */
const auth_user *auth_session(auth *a, const char *token);
/* Forget a token.  KENES_ENOTFOUND if unknown. */
int auth_logout(auth *a, const char *token);

/* For the command line: add a user to the file (created if missing).
 * KENES_EEXISTS if the name is taken, KENES_EINVAL with a reason in err
 * for a bad name, role, region or a password shorter than AUTH_MIN_PASSWORD
 * or refused by cracklib; KENES_EIO if cracklib's dictionary is missing. */
int auth_users_add(const char *users_path, const char *name, enum role role, const char *region,
                   const char *password, char *err, size_t errcap);
/* The same with the user's agency (content/agencies.yaml's code): required
 * for agency-officer, refused (KENES_EINVAL) for every other role.  Whether
 * the region has that agency is the caller's to check (auth reads no
 * content/): `kenes user add` does, the server again at start. */
int auth_users_add_agency(const char *users_path, const char *name, enum role role,
                          const char *region, const char *agency, const char *password,
                          char *err, size_t errcap);
/* The same with an e-mail address and its language (either may be NULL):
 * KENES_EINVAL, nothing written, for an address mailaddr_valid refuses or
 * a language other than ru, kk, en. */
int auth_users_add_contact(const char *users_path, const char *name, enum role role,
                           const char *region, const char *agency, const char *email,
                           const char *lang, const char *password, char *err, size_t errcap);
/* Give a user the address notices go to (email NULL or "": none) and, when
 * lang is not NULL, their language.  KENES_EINVAL (nothing written) for an
 * address that is not one or an unknown language; KENES_ENOTFOUND for an
 * unknown user; reason in err. */
int auth_users_set_email(const char *users_path, const char *name, const char *email,
                         const char *lang, char *err, size_t errcap);

/* 1 if region has the agency of this code (content/agencies.yaml). */
typedef int (*auth_agency_fn)(const char *region, const char *agency, void *payload);
/* Check every agency officer's agency with known() now, and at every
 * re-read of users.yaml (a file naming an unknown one is not adopted: the
 * users read before stay).  KENES_EINVAL with "<users.yaml>: user 'x':
 * agency 'c' is not one of KZ-11's in <list>" in err; list names the file
 * the codes come from, for the message.  payload must outlive a. */
int auth_check_agencies(auth *a, auth_agency_fn known, void *payload, const char *list,
                        char *err, size_t errcap);
/* Give a user a new password.  KENES_ENOTFOUND for an unknown user,
 * KENES_EINVAL for a password shorter than AUTH_MIN_PASSWORD or refused by
 * cracklib, KENES_EIO without cracklib's dictionary; reason in err.  The
 * user's sessions end (the server sees the new hash in users.yaml). */
int auth_users_passwd(const char *users_path, const char *name, const char *password, char *err,
                      size_t errcap);
/* Disable (1) or enable (0) a user; doing it twice is no fault.
 * KENES_ENOTFOUND for an unknown user, reason in err. */
int auth_users_set_disabled(const char *users_path, const char *name, int disabled, char *err,
                            size_t errcap);

#endif
