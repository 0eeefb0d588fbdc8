/*
 * One push of a repository's main to one mirror, with libgit2, on the
 * mirror's own thread (mirror.c): never on the loop.
 *
 * It connects, reads the remote's refs/heads/main and pushes ours only
 * when theirs is absent or an ancestor of ours: never a forced update.  A
 * remote whose main is not (commits we do not have, or a rewritten
 * history) is reported diverged and left as it is.  Credentials come from
 * files named in kenes.yaml, read afresh by each push (a rotated token is
 * used at once), never from the URL.
 */
#ifndef KENES_MIRROR_PUSH_H
#define KENES_MIRROR_PUSH_H

#include <stdatomic.h>
#include <stdint.h>

#include "storage/mirror_plan.h"
#include "storage/store.h"

typedef struct mirror_job {
    /* in */
    const char *gitdir;     /* our repository */
    const char *url;        /* file://, ssh:// or https:// */
    const char *key;        /* ssh: private key file, else NULL */
    const char *token_file; /* https: token file, or NULL */
    const char *user;       /* https: user name for the token (NULL: "kenes") */
    const char *ca_file;    /* https: CAs trusted beside the system's (mirror_ca.h), or NULL */
    /* The remote's main as the last push that reached it saw it ("" if
     * none): what the lag is counted from when the remote cannot be read. */
    char known[STORE_OID_HEX];
    const atomic_int *cancel; /* set: stop as soon as libgit2 asks (shutdown) */
    /* out */
    enum mirror_outcome outcome;
    long behind;       /* commits the remote lacked before the push; -1 unknown */
    int64_t oldest_ms; /* committer time of the oldest of them */
    char pushed[STORE_OID_HEX]; /* our main as pushed (or as the remote had it) */
    char theirs[STORE_OID_HEX]; /* the remote's main as read ("" none or unread) */
    char msg[320];     /* why it failed: libgit2's or the remote's words */
    uint64_t took_ns;  /* the whole job: connect, look, count, push */
} mirror_job;

/* Run the push; j's out fields say how it went.  Never returns an error:
 * the outcome says it (MIRROR_FAILED for anything the next try may mend). */
void mirror_push_run(mirror_job *j);

#endif
