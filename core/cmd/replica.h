/*
 * A read replica (kenes serve --replica): DATA's documents.git is the target
 * of a primary's push mirror, and the replica follows its main as it moves.
 * Once a second a timer looks (on the thread pool) whether main moved; the
 * new commits are judged by the rules kenes verify applies (verify_unseen:
 * a signature by a key DATA/allowed_signers lists, trailers, transitions),
 * read as the start-up reads them (journal_follow), appended to the
 * replica's own history journal, and then, on the loop, recorded in the
 * index the way the writer records its own (docs_committed).
 *
 * A commit that fails the rules, or a main that no longer holds the last
 * commit taken (rewritten), stops the following: what was taken before is
 * served, the log says why once, /healthz answers 503.  The replica never
 * writes into its repositories.  cases.git is received but not served (its
 * commits are sealed with keys a replica does not hold).
 */
#ifndef KENES_REPLICA_H
#define KENES_REPLICA_H

#include <jansson.h>
#include <uv.h>

#include "base/config.h"
#include "docs/service.h"

typedef struct replica replica;

/* A follower of svc's documents.git (svc->repos[REPO_DOCUMENTS] opened).
 * It opens a store of its own for the pool.  0 or a KENES_E* code. */
int replica_new(replica **out, docs_service *svc, const config *cfg);

/* journal_load's unseen for the replica's start-up (payload: the replica):
 * notes since, the journal's last commit, as the last one taken, and
 * returns 1: the commits after it are left to the follower, which judges
 * them before any is served. */
int replica_unseen(const char *since, char *err, size_t errcap, void *payload);

/* The last commit taken ("" none): what is served, for report_load. */
const char *replica_head(const replica *r);

/* Start the timer (once listening), stop it (no new look; a look in flight
 * finishes without touching the index). */
int replica_start(replica *r);
void replica_stop(replica *r);
/* After the loop ran to its end.  NULL is a no-op. */
void replica_free(replica *r);

/* For /healthz (api_ctx.replica_json; payload: the replica):
 * {"primary","following","head","newest_commit","since_moved_s","stopped"?};
 * *ok 0 once following stopped. */
json_t *replica_json(int *ok, void *payload);

#endif
