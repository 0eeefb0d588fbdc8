/*
 * The deliverer: one thread of its own with libcurl's multi interface, so
 * that every pending delivery runs beside the others and none waits for a
 * receiver that does not answer (connect 10 s, 30 s in all per attempt).
 * A failed attempt is tried again after notify_retry_at's pause; one still
 * failing give_up_days after it was queued is dropped with one log line.
 * A delivered item's outbox file is removed on that thread.  Never on the
 * loop: the loop only hands items over (a lock and a wake-up).
 */
#ifndef KENES_NOTIFY_DELIVER_H
#define KENES_NOTIFY_DELIVER_H

#include <stdint.h>

#include "notify/conf.h"
#include "notify/outbox.h"

#define NOTIFY_CONNECT_TIMEOUT_S 10
#define NOTIFY_ATTEMPT_TIMEOUT_S 30
#define NOTIFY_RETRY_FIRST_S 10
#define NOTIFY_RETRY_MAX_S 3600
/* Attempts under way at once per receiver (a webhook, the SMTP server):
 * a receiver that never answers holds this many, never the others'. */
#define NOTIFY_PER_RECEIVER 8

/* When to try again after `attempts` failed ones (1, 2, ...), the last
 * ending at now_ms: 10 s, 20 s, 40 s, ... doubling up to an hour.  0 with
 * *next_ms, or 1: give up (now_ms is give_up_days or more after
 * created_ms).  Pure, for the tests' clock. */
int notify_retry_at(int64_t *next_ms, unsigned attempts, int64_t created_ms, int64_t now_ms,
                    unsigned give_up_days);

/* The wall clock, never KENES_NOW's (util_now_ms): when a delivery was
 * queued and when it is tried again, so that retries and giving up move on
 * under a fixed clock too. */
int64_t notify_wall_ms(void);

/* "sha256=<hex>": HMAC-SHA256 (libsodium) of body with secret, into out. */
#define NOTIFY_SIGNATURE_CAP (7 + 64 + 1)
void notify_sign(char out[NOTIFY_SIGNATURE_CAP], const char *secret, const char *body);

typedef struct deliverer deliverer;

/* Start the thread; conf (borrowed: it must outlive the deliverer) says
 * where mail goes and each webhook's secret. */
int deliverer_start(deliverer **out, const notify_conf *conf);
/* Take the items (a list; the deliverer owns them now) and wake the thread. */
void deliverer_add(deliverer *d, notify_item *items);
/* Stop the thread at once (transfers under way are dropped: their files
 * stay for the next start) and free everything; *left (unless NULL): how
 * many items were not delivered, handed over just before included. */
void deliverer_stop(size_t *left, deliverer *d);

#endif
