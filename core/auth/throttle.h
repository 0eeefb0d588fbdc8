/*
 * Counting failures per key in a sliding window, to refuse logins after too
 * many: one throttle counts by user name, another by client address.
 *
 * Keys are kept as hashes (BLAKE2b-128): memory per key stays small whatever
 * was sent, and a password typed into the name field is not kept.  At most
 * THROTTLE_KEYS_MAX keys are remembered; past that the least recently
 * touched is forgotten, and keys with nothing left in the window are swept
 * as they age.  Loop thread only; times are the caller's (auth passes its
 * clock's: the core's, or the one a test gave auth_open_clock).
 */
#ifndef KENES_THROTTLE_H
#define KENES_THROTTLE_H

#include <stdint.h>

#define THROTTLE_KEYS_MAX 10000

typedef struct throttle throttle;

/*
 * limit failures within window_ms (limit 0: never over).  label and log_key
 * shape the warning logged when a key reaches its limit: "5 failed logins
 * <label><key if log_key> within 900 s" (names are not logged: a password may
 * have been typed there; addresses are).  label must outlive the throttle.
 * 0 or KENES_ENOMEM.
 */
int throttle_new(throttle **out, unsigned limit, uint64_t window_ms, const char *label,
                 int log_key);
void throttle_free(throttle *t); /* NULL is a no-op */

/* One more failure for key at now. */
void throttle_record(throttle *t, const char *key, uint64_t now);

/* 1 if key is at its limit at now, with *wait_ms until that may change (the
 * oldest failure leaves the window); 0 otherwise. */
int throttle_over(throttle *t, const char *key, uint64_t now, uint64_t *wait_ms);

#endif
