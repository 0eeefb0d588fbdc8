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
 * writes into its repositories.
 *
 * cases.git is followed the same way, one repository's step after the
 * other's (the second judges by the index the first has just changed),
 * when DATA/keys/cases/ holds the primary's case keys (replica_case.h):
 * its own journal, the cases served under the access matrix, each read in
 * the replica's own access log.  Without them its ids alone are listed
 * (docs_service.cases_withheld), so that a case answers 503 there, not 404.
 * A step whose commits publish the reports hands the publisher the reports
 * as they then stand (report_replace).
 */
#ifndef KENES_REPLICA_H
#define KENES_REPLICA_H

#include <jansson.h>
#include <uv.h>

#include "base/config.h"
#include "docs/service.h"
#include "publish/report.h"

typedef struct replica replica;

/* 1 if DATA/keys/cases/ holds a key file: the case keys were copied from
 * the primary, and the replica serves cases. */
int replica_has_case_keys(const char *data_dir);

/* A follower of DATA's documents.git and, when DATA has it, cases.git
 * (serve_cases: with the keys; else its ids alone).  It opens stores of
 * its own for the pool.  0 or a KENES_E* code. */
int replica_new(replica **out, docs_service *svc, const config *cfg, int serve_cases);
/* Publications taken are handed to pub (report_replace). */
void replica_set_publisher(replica *r, publisher *pub);
/* After the start-up load: the cases whose key file is missing are looked
 * for at every step (replica_case.h).  0 or KENES_ENOMEM. */
int replica_loaded(replica *r);
/* 1 if it serves cases (it holds their keys). */
int replica_serves_cases(const replica *r);

/* journal_load's unseen for the replica's start-up (payload:
 * replica_unseen_payload(r, repo)):
 * notes since, the journal's last commit, as the last one taken, and
 * returns 1: the commits after it are left to the follower, which judges
 * them before any is served. */
int replica_unseen(const char *since, char *err, size_t errcap, void *payload);
void *replica_unseen_payload(replica *r, int repo);

/* The last commit taken ("" none): what is served, for report_load. */
const char *replica_head(const replica *r);
/* cases.git's, when it serves cases; else NULL. */
const char *replica_cases_head(const replica *r);

/* Start the timer (once listening), stop it (no new look; a look in flight
 * finishes without touching the index). */
int replica_start(replica *r);
void replica_stop(replica *r);
/* After the loop ran to its end.  NULL is a no-op. */
void replica_free(replica *r);

/* For /healthz (api_ctx.replica_json; payload: the replica):
 * {"primary","following","head","newest_commit","since_moved_s","stopped"?,
 *  "cases"?: {"served","following","head","waiting_for_keys","stopped"?}};
 * *ok 0 once following either repository stopped. */
json_t *replica_json(int *ok, void *payload);

#endif
