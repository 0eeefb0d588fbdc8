/*
 * A case, meeting or referral a read replica takes from cases.git
 * (cmd/replica.c), when its data folder holds the case keys: the sealed
 * file and its key file are read on the thread pool, and the loop, which
 * owns the vault, unwraps the key and opens the file.  A key file that
 * has not reached the replica makes the case unavailable there (503), as a
 * missing key does on the primary, until the file comes (replica_waits).  An erasure's tombstone (a case file in
 * the clear) removes the replica's copy of the key, as the primary removed
 * its own.
 */
#ifndef KENES_REPLICA_CASE_H
#define KENES_REPLICA_CASE_H

#include <jansson.h>
#include <stddef.h>

#include "docs/service.h"

typedef struct replica_case {
    char *text; /* the file at the version, sealed or (an erasure) in the clear */
    size_t len;
    char *key; /* the key file's bytes; NULL when there is none */
    size_t key_len;
    char key_path[4096];
    int key_removed; /* the tombstone of an erasure: the key file was removed */
} replica_case;

/* On the pool, with a store of the caller's alone: id's file at commit and
 * its key file.  v is only asked where the key file lives (its folder's
 * name, fixed at open).  0, or negative with err. */
int replica_case_read(replica_case *c, store *s, const vault *v, const char *id,
                      const char *commit, char *err, size_t errcap);

/* On the loop: the case opened with its key (*out, and its size in *len).
 * KENES_EUNAVAILABLE when its key is not here or does not open (recorded
 * in the vault, logged once), KENES_EINVAL for a file that does not parse. */
int replica_case_open(json_t **out, size_t *len, docs_service *svc, replica_case *c,
                      const char *id);

void replica_case_dispose(replica_case *c);

/*
 * Cases whose key file had not reached the replica when their commit was
 * taken (or at start): each follower step looks for their key files
 * again, so that a case is served as soon as an operator's copy of
 * DATA/keys/cases/ brings its key, without a restart.
 */
typedef struct replica_waits replica_waits;
typedef struct replica_wait_look replica_wait_look;

int replica_waits_new(replica_waits **out);
void replica_waits_free(replica_waits *w);
/* id (a case recorded unavailable for want of its key) is looked for. */
int replica_waits_add(replica_waits *w, const char *id);
/* Every case of svc's index recorded unavailable (the start-up's). */
int replica_waits_seed(replica_waits *w, docs_service *svc);
size_t replica_waits_count(const replica_waits *w);

/* On the loop: what one look reads (each waiting case at its version now);
 * *out NULL when none waits.  0 or KENES_ENOMEM. */
int replica_wait_look_new(replica_wait_look **out, const replica_waits *w,
                          const docs_service *svc);
/* On the pool: each one's key file and, where it is there, its file. */
void replica_wait_look_run(replica_wait_look *l, store *s, const vault *v);
/* On the loop: each whose key came is opened and served from now on (its
 * entry and JSON kept as a commit's are), and waits no more; one whose
 * key does not open waits no more either (logged: it needs an operator). */
void replica_wait_look_settle(replica_wait_look *l, replica_waits *w, docs_service *svc);
void replica_wait_look_free(replica_wait_look *l);

#endif
