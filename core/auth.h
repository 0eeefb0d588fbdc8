/*
 * Users and sessions.
 *
 * Users live in DATA/users.yaml with argon2id password hashes (libsodium);
 * the command line adds them, the server reads the file at start.  A login
 * verifies the password on the thread pool (argon2id is deliberately slow)
 * and hands out a random 32-byte bearer token, URL-safe base64.  Tokens are
 * kept only as their BLAKE2b hash, and expire after the configured idle time.
 */
#ifndef KENES_AUTH_H
#define KENES_AUTH_H

#include <stddef.h>
#include <uv.h>

#include "role.h"

#define AUTH_MIN_PASSWORD 12
#define AUTH_TOKEN_CHARS 44 /* 43 + NUL */

typedef struct auth_user {
    char *name;
    enum role role;
    char *region; /* NULL unless the role acts for one region */
    char *hash;   /* crypto_pwhash_str */
    int disabled;
} auth_user;

typedef struct auth auth;

int auth_open(auth **out, uv_loop_t *loop, const char *users_path, unsigned idle_s, char *err,
              size_t errcap);
/* Only once no login is running.  NULL is a no-op. */
void auth_close(auth *a);

const auth_user *auth_user_find(const auth *a, const char *name);
size_t auth_user_count(const auth *a);
const auth_user *auth_user_at(const auth *a, size_t i);

/* status 0 with a token, or KENES_EFORBIDDEN for any bad user/password
 * (the same answer and about the same time whether or not the user exists). */
typedef void (*auth_login_cb)(int status, const char *token, const auth_user *user,
                              void *payload);
int auth_login(auth *a, const char *name, const char *password, auth_login_cb cb,
               void *payload);
/* 1 while a login is being verified. */
int auth_busy(const auth *a);

/* The user behind a token, or NULL if unknown or expired; touching it resets the idle clock. */
const auth_user *auth_session(auth *a, const char *token);
/* Forget a token.  KENES_ENOTFOUND if unknown. */
int auth_logout(auth *a, const char *token);

/* For the command line: add a user to the file (created if missing).
 * KENES_EEXISTS if the name is taken, KENES_EINVAL with a reason in err
 * for a bad name, role, region or a password shorter than AUTH_MIN_PASSWORD. */
int auth_users_add(const char *users_path, const char *name, enum role role, const char *region,
                   const char *password, char *err, size_t errcap);

#endif
