/*
 * A repository's mirrors: the git remotes its main is pushed to after each
 * batch of commits (kenes.yaml mirrors:, README "Replication: mirrors").
 *
 * Each remote has a thread of its own that runs its pushes (mirror_push.h),
 * so a remote that hangs holds neither the loop nor the thread pool the
 * writer and the reads share.  The loop owns the schedule (mirror_plan.h):
 * one push in flight per remote, commits made meanwhile going with the
 * next one, a failed push retried with backoff, a diverged remote never
 * pushed to.  News comes back to the loop through a uv_async; the log gets
 * one line when a remote starts failing or is found diverged and one when
 * it is whole again.  Nothing here answers a request or waits for a push.
 */
#ifndef KENES_MIRROR_H
#define KENES_MIRROR_H

#include <jansson.h>
#include <uv.h>

#include "base/config.h"

typedef struct mirror_set mirror_set;

/* A set for the repository at gitdir; name ("documents.git") for the log. */
int mirror_set_new(mirror_set **out, uv_loop_t *loop, const char *gitdir, const char *name);
/* One more remote (copied).  Before mirror_set_start. */
int mirror_set_add(mirror_set *m, const config_mirror *c);
/* How many remotes the set has. */
size_t mirror_set_count(const mirror_set *m);
/* Start the remotes' threads and push to each at once (a start catches a
 * mirror up with what was committed while the server was stopped).  A set
 * without remotes starts nothing.  0 or negative (nothing started). */
int mirror_set_start(mirror_set *m);
/* On the loop, after a batch made n commits durable (store_set_on_batch). */
void mirror_set_committed(size_t n, void *payload);
/* For /healthz: one object per remote (url, state, behind_commits,
 * lag_seconds, failures, error).  A new reference. */
json_t *mirror_set_json(const mirror_set *m);
/* Stop: no new push; one in flight is told to stop at libgit2's next
 * progress call; the handles close at once (the loop never waits for a
 * push).  Idempotent; NULL is a no-op. */
void mirror_set_close(mirror_set *m);
/* After mirror_set_close and a loop run that let its handles close (or a
 * set never started): waits up to 5 s for pushes in flight to end, then
 * leaves a set whose push still hangs to the process's exit (logged).
 * NULL is a no-op. */
void mirror_set_free(mirror_set *m);

#endif
