/*
 * The signed checkpoint: DATA/access.log.checkpoint, what the server last
 * made durable, signed with its Ed25519 key, so that a copy of the data
 * folder cannot be cut back without it showing:
 *
 *   kenes checkpoint 1
 *   time 2026-12-05T05:40:00Z
 *   access.log 15 <SHA-256 hex of line 15, the chain's head>
 *   documents.git <main's head, 40 hex digits, or "-" for none>
 *   cases.git <main's head, or "-">
 *   -----BEGIN SSH SIGNATURE-----
 *   ...
 *   -----END SSH SIGNATURE-----
 *
 * The signature covers every byte before "-----BEGIN" (the five lines), an
 * SSH signature for namespace "git" as sign_buffer() makes it, so
 * `ssh-keygen -Y verify -n git -f DATA/allowed_signers` checks it too.
 * The body is no git object (a commit starts with "tree "), so the
 * signature cannot pass for one of a commit.
 *
 * The server rewrites the file atomically (temporary file, fsync, rename;
 * util_replace_file) on the thread pool after every batch of access log
 * lines, before their reads are answered, and after every batch of commits.
 * Commits carry the same position of the log as a trailer,
 * "Kenes-Access-Log: <lines> <head>" (CKPT_TRAILER), added by the writer.
 */
#ifndef KENES_CHECKPOINT_H
#define KENES_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "storage/sign.h"

#define CKPT_FILE "access.log.checkpoint"
#define CKPT_TRAILER "Kenes-Access-Log"
#define CKPT_MAGIC "kenes checkpoint 1"
#define CKPT_REPOS 2      /* documents.git, cases.git, in that order */
#define CKPT_OID_HEX 41   /* 40 hex digits + NUL */
#define CKPT_HASH_HEX 65  /* 64 hex digits + NUL */

typedef struct ckpt_state {
    int64_t time_ms;
    size_t lines;                /* whole lines in the access log */
    char log_head[CKPT_HASH_HEX]; /* hash of the last of them (ALOG_GENESIS for none) */
    char heads[CKPT_REPOS][CKPT_OID_HEX]; /* main's head of each repository, "" for none */
} ckpt_state;

extern const char *const ckpt_repo_names[CKPT_REPOS];

/* ---- the file format (pure; any thread) ---- */

/* The signed text of st; *out malloc'd and NUL-terminated. */
int ckpt_format(char **out, size_t *len, const ckpt_state *st, const signer *sig);

/* Read the body of a checkpoint.  *body_len is the length of the signed
 * part (up to the signature).  KENES_EINVAL for anything kenes does not
 * write, with the why in err. */
int ckpt_parse(ckpt_state *out, size_t *body_len, const char *text, size_t len, char *err,
               size_t errcap);

/* 0 if one of keys signed the checkpoint's body; KENES_EFORBIDDEN if none
 * did; KENES_EINVAL if it carries no signature kenes reads. */
int ckpt_check_signature(const char *text, size_t len, size_t body_len,
                         const unsigned char (*keys)[SIGN_PUBKEY_BYTES], size_t nkeys);

/* "<lines> <head>" as the trailer carries it: 0, or KENES_EINVAL. */
int ckpt_parse_position(size_t *lines, char head[CKPT_HASH_HEX], const char *value);

/* ---- the live checkpoint of a running server ---- */

typedef struct checkpoint checkpoint;

/* Start from st (the log and heads as start-up found them) and write the
 * file at once.  sig must outlive the checkpoint.  On failure err says why. */
int ckpt_new(checkpoint **out, const char *path, const signer *sig, const ckpt_state *st,
             char *err, size_t errcap);
/* Only once no writer can call it any more.  NULL is a no-op. */
void ckpt_free(checkpoint *c);

/* The log grew to lines (head the hash of the last): rewrite the file.
 * Any thread; writes are serialised and each takes the newest state, so the
 * file never goes back.  0, or KENES_EIO with the state unchanged. */
int ckpt_advance_log(checkpoint *c, size_t lines, const char head[CKPT_HASH_HEX]);
/* Main of repository repo moved to commit: rewrite the file.  Any thread.
 * KENES_EIO when it cannot be written: the commit is made all the same
 * (README, Durability: the one step after main's move that does not fail
 * a write), so the head is owed, and the next rewrite that succeeds, for
 * the log or a head, names it.  Only the first of a run of failed rewrites
 * is logged, and the first that succeeds again. */
int ckpt_advance_head(checkpoint *c, int repo, const char *commit);

/* The state last written.  Any thread. */
void ckpt_current(checkpoint *c, ckpt_state *out);
/* The text last written; *out malloc'd.  Any thread. */
int ckpt_signed_text(checkpoint *c, char **out);

#endif
