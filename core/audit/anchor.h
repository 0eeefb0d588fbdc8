/*
 * Anchoring the access log and the heads of the repositories in what kenes
 * signs (checkpoint.h has the file and the trailer):
 *
 * - serve: at start, the access log and both mains must still reach what
 *   the checkpoint of the last run signed (else serve stops with one line:
 *   signing the cut state anew would launder it); then every batch of log
 *   lines and every batch of commits rewrites the checkpoint, and every
 *   commit carries Kenes-Access-Log.
 * - verify: every position of the log that a commit's trailer, the
 *   checkpoint or an auditor's pin names must be in the log as it is, and
 *   every head the checkpoint or an auditor names must be in main.
 */
#ifndef KENES_ANCHOR_H
#define KENES_ANCHOR_H

#include <stddef.h>

#include "audit/accesslog.h"
#include "audit/checkpoint.h"
#include "storage/store.h"

typedef struct anchor anchor;

/* Check DATA/access.log and the repositories against the checkpoint the
 * last run left, then write a new one and hook it into alog and repos.
 * On failure err is the one line serve stops with. */
int anchor_start(anchor **out, const char *data_dir, const signer *sig, access_log *alog,
                 store *const repos[CKPT_REPOS], char *err, size_t errcap);
/* After the log and the stores are closed.  NULL is a no-op. */
void anchor_free(anchor *a);
checkpoint *anchor_checkpoint(anchor *a);

/* kenes reindex, after a history repaired on purpose: sign the checkpoint
 * anew with main's present heads (as the caller read them, store_head: ""
 * for none), keeping its position of the access log (a cut log stays a
 * fault), or, without a checkpoint, the log as it stands.  Needs
 * DATA/keys/signing.key.  0, or negative with the why in err. */
int anchor_accept_heads(const char *data_dir, const char heads[CKPT_REPOS][CKPT_OID_HEX],
                        char *err, size_t errcap);

/* ---- verify ---- */

typedef struct anchor_check anchor_check;

int anchor_check_new(anchor_check **out);
void anchor_check_free(anchor_check *c);

/* A commit's Kenes-Access-Log value (NULL when it carries none).
 * KENES_EINVAL if it is malformed (the caller reports the commit); c NULL
 * checks the form alone (serve's start-up check);
 * KENES_ENOMEM. */
int anchor_check_note(anchor_check *c, const char *repo, const char *commit, const char *value);

/* An auditor's pins: commits main must still contain, and optionally a
 * position of the log ("LINES:HASH") it must still reach. */
typedef struct anchor_pins {
    const char *const *descends_from;
    size_t ndescends;
    const char *log_at;
} anchor_pins;

/* 0 if spec is a "LINES:HASH" position. */
int anchor_parse_log_at(size_t *lines, char head[CKPT_HASH_HEX], const char *spec);

/* Check the access log (its chain, and every position noted, the
 * checkpoint's and the pinned one), the checkpoint (its signature by one of
 * keys, its heads in main) and the pinned commits.  One line on stdout per
 * fault; returns how many.  *lines: the log's lines. */
size_t anchor_check_run(anchor_check *c, size_t *lines, const char *data_dir,
                        const unsigned char (*keys)[SIGN_PUBKEY_BYTES], size_t nkeys,
                        const anchor_pins *pins);

#endif
