/*
 * A case, meeting or referral a read replica takes from cases.git
 * (cmd/replica.c), when its data folder holds the case keys: the sealed
 * file and its key file are read on the thread pool, and the loop, which
 * owns the vault, unwraps the key and opens the file.  A key file that
 * has not reached the replica makes the case unavailable there (503), as a
 * missing key does on the primary.  An erasure's tombstone (a case file in
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

#endif
