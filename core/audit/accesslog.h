/*
 * The access log: every read of a confidential document, one JSON line in
 * DATA/access.log, append-only:
 *
 *   {"time":"...","user":"...","role":"...","document":"case/KZ-11/<uuid>",
 *    "action":"read","prev":"<SHA-256 hex of the previous line>"}
 *
 * Lines are chained on the loop (in order) and written by one job on the
 * thread pool, fsynced before the callback, so an answer that reveals a
 * case goes out only after its log line is on disk.  Lines queued while a
 * job runs go out together under one fsync.
 */
#ifndef KENES_ACCESSLOG_H
#define KENES_ACCESSLOG_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#define ALOG_GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

typedef struct access_log access_log;

/* Open (create) the log; reads the last line to continue the chain. */
int alog_open(access_log **out, uv_loop_t *loop, const char *path, char *err, size_t errcap);
/* Only when idle.  NULL is a no-op. */
void alog_close(access_log *l);
int alog_idle(const access_log *l);

/* The whole lines on disk and the hash of the last (ALOG_GENESIS for none).
 * On the loop, while no write job runs (start-up). */
void alog_position(const access_log *l, size_t *lines, char head[65]);

/* Cut the log back to its first `lines` lines (durably), for lines past
 * the signed checkpoint at start-up.  Only while idle; 0, KENES_EINVAL or
 * KENES_EIO. */
int alog_cut_to(access_log *l, size_t lines);

/* Called on the thread pool after each batch is fsynced, with the lines now
 * on disk and the last one's hash, before the batch's callbacks: the signed
 * checkpoint (checkpoint.h).  A negative return fails the batch as a failed
 * write would (the lines are cut back out).  Set it while idle. */
typedef int (*alog_anchor_fn)(size_t lines, const char head[65], void *payload);
int alog_set_anchor(access_log *l, alog_anchor_fn fn, void *payload);

typedef void (*alog_cb)(int status, void *payload);
/* Append one event; cb(0) once it is durable, cb(<0) if it could not be written. */
int alog_append(access_log *l, const char *user, const char *role, const char *document,
                const char *action, alog_cb cb, void *payload);

/* Check the chain of a log file (synchronous; verify and tests).  Returns 0
 * when intact, else the 1-based number of the first bad line (and why in err),
 * or a negative KENES_E* code when the file cannot be read. */
long alog_verify_file(const char *path, size_t *lines, char *err, size_t errcap);
/* The same, telling each(lineno, hash of that line) for every line up to
 * the first bad one: what the anchors (trailers, checkpoint) are held against. */
typedef void (*alog_line_fn)(size_t lineno, const char hash[65], void *payload);
long alog_scan_file(const char *path, size_t *lines, alog_line_fn each, void *payload, char *err,
                    size_t errcap);

/* Lines matching the filters (each may be NULL; times in ms, -1 for none),
 * oldest first, at most `limit` (the newest ones).  Synchronous: run it on the thread pool. */
int alog_query_file(json_t **out, const char *path, const char *document, const char *user,
                    int64_t since_ms, int64_t until_ms, size_t limit);

#endif
