/*
 * The sessions file: DATA/sessions.json, so that a restart (a deploy) does not
 * sign everyone out.  It holds, for each session, the BLAKE2b hash of its
 * token (never the token: a copy of the file lets no one in), its user, when
 * it began and was last used (auth's clock, milliseconds since the epoch, so
 * that both survive the restart), and a tag of the user's password hash at login, so that a
 * password changed while the server was stopped still ends the sessions.
 *
 *   {"kenes_sessions": 1, "sessions": [{"token_hash": "<64 hex>", "user": "rev1",
 *     "created_ms": 1780000000000, "last_used_ms": 1780000100000,
 *     "password_tag": "<32 hex>"}, ...]}
 *
 * auth.c owns the table and decides which sessions are alive; this file reads
 * and writes it.  Writes go to the thread pool (they fsync), one at a time:
 * a change made while one is running is written once it is done, and only
 * the last state counts.
 */
#ifndef KENES_SESSIONS_H
#define KENES_SESSIONS_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "base/map.h"

#define SESSION_KEY_CHARS 65 /* hex of a 32-byte BLAKE2b, + NUL */
#define SESSION_TAG_CHARS 33 /* hex of a 16-byte BLAKE2b, + NUL */

typedef struct session {
    char *user;
    int64_t created_ms;   /* the absolute lifetime counts from here */
    int64_t last_used_ms; /* the idle time counts from here */
    char password_tag[SESSION_TAG_CHARS];
} session;

/* hex(BLAKE2b-256(token)): the key of the table and of the file. */
void session_token_key(char out[SESSION_KEY_CHARS], const char *token);
/* hex(BLAKE2b-128(hash)) of a user's password hash: equal while the password is. */
void session_password_tag(char out[SESSION_TAG_CHARS], const char *password_hash);

/* A session for user (copied); NULL if out of memory.  session_free(NULL) is a no-op. */
session *session_new(const char *user, int64_t created_ms, int64_t last_used_ms,
                     const char *password_tag);
void session_free(session *s);

/* The table (token key -> session *) as the file's JSON text. */
int sessions_serialize(char **out, size_t *len, const map *table);
/* Add the sessions of the file at path to table; a missing file adds none.
 * KENES_EINVAL with the reason in err if it is not a sessions file (nothing
 * added then), KENES_ENOMEM. */
int sessions_read(map *table, const char *path, char *err, size_t errcap);

/* Remove and free the sessions of table (token key -> session *) for which
 * ends(s, payload) is 1; how many.  Out of memory, some may stay (*all 0):
 * the next pass takes them. */
size_t sessions_remove_if(map *table, int (*ends)(const session *s, void *payload),
                          void *payload, int *all);
/* Every session of table, and table.  NULL is a no-op. */
void sessions_table_free(map *table);

/* End every session of user in the file at path (the server stopped, or
 * about to drop them itself): `kenes user disable` calls it, so that a user
 * disabled and enabled again while the server is stopped is signed out as
 * one disabled while it runs.  0 (also when there is no file), or negative
 * with err set. */
int sessions_drop_user(const char *path, const char *user, char *err, size_t errcap);

typedef struct sessions_writer sessions_writer;

int sessions_writer_new(sessions_writer **out, uv_loop_t *loop, const char *path);
/* Write text (taken, malloc'd) to the file soon, on the thread pool. */
void sessions_writer_put(sessions_writer *w, char *text, size_t len);
/* Write text now, on this thread: for the last state, once the loop has ended.
 * Takes text.  0, or a KENES_E* code (logged): KENES_EBUSY while a write runs. */
int sessions_writer_write_now(sessions_writer *w, char *text, size_t len);
/* 1 while a write is running. */
int sessions_writer_busy(const sessions_writer *w);
/* Frees it; one still writing frees itself when its write is done.  NULL is a no-op. */
void sessions_writer_free(sessions_writer *w);

#endif
