/*
 * When one mirror is pushed to: pure bookkeeping, no clock and no git, so
 * that tests drive it step by step with a clock of their own (mirror.c
 * hands it uv_now() and util_now_ms()).
 *
 * One push in flight at a time; commits made while it runs wait and go
 * with the next push, all together (they coalesce: the push sends main as
 * it is then), and a push that succeeds is followed by the next no sooner
 * than interval_ms later (0: at once), which bounds how often a remote is
 * connected to.  A push that fails is tried again after a wait that starts
 * at MIRROR_BACKOFF_MIN_MS and doubles up to MIRROR_BACKOFF_MAX_MS; one that
 * succeeds starts the next wait from the minimum again.  A mirror found
 * diverged (its main no ancestor of ours) is never pushed to: it is only
 * looked at again every MIRROR_BACKOFF_MAX_MS, to learn whether someone has
 * fixed it, and a restart looks at once.
 *
 * Lag: the commits main has that the mirror lacks, as far as the last push
 * measured them plus those made since, and the wall time of the oldest.
 */
#ifndef KENES_MIRROR_PLAN_H
#define KENES_MIRROR_PLAN_H

#include <stddef.h>
#include <stdint.h>

#define MIRROR_BACKOFF_MIN_MS 1000
#define MIRROR_BACKOFF_MAX_MS (5 * 60 * 1000)

/* What the mirror is, for /healthz and the log. */
enum mirror_state {
    MIRROR_UNKNOWN = 0, /* not reached yet since start */
    MIRROR_OK,          /* the last push (or look) succeeded */
    MIRROR_FAILING,     /* the last push failed: retried with backoff */
    MIRROR_DIVERGED     /* its main is no ancestor of ours: never pushed to */
};

/* How a push ended. */
enum mirror_outcome { MIRROR_PUSHED, MIRROR_FAILED, MIRROR_FOUND_DIVERGED };

/* What mirror_plan_done asks the log to say: one line when a mirror starts
 * failing or is found diverged, one when it is whole again, nothing for a
 * retry that fails like the one before. */
enum mirror_news { MIRROR_NEWS_NONE, MIRROR_NEWS_FAILING, MIRROR_NEWS_DIVERGED,
                   MIRROR_NEWS_CAUGHT_UP };

typedef struct mirror_plan {
    enum mirror_state state;
    int inflight;       /* a push runs */
    int pending;        /* commits (or a start, or a failure) no push has taken yet */
    int64_t next_ms;    /* monotonic: no push starts before */
    int64_t backoff_ms; /* the wait after the next failure */
    int64_t interval_ms; /* the least time from a push that succeeded to the next */
    size_t failures;    /* in a row */
    size_t behind;      /* commits the mirror lacks, as far as known */
    int64_t oldest_ms;  /* wall time of the oldest of them; 0 if none */
    size_t since_start; /* commits made while the running push runs */
    int64_t since_start_oldest;
} mirror_plan;

/* A new mirror: the first push is due at once (at start, to catch up). */
void mirror_plan_init(mirror_plan *p);
/* A batch of n commits became durable at wall time wall_ms. */
void mirror_plan_commits(mirror_plan *p, size_t n, int64_t wall_ms);
/* 1 if a push should start now. */
int mirror_plan_due(const mirror_plan *p, int64_t now_ms);
/* Milliseconds until a push is due, 0 if now, -1 if none is (nothing
 * pending, or a push running: its end decides). */
int64_t mirror_plan_wait(const mirror_plan *p, int64_t now_ms);
/* A push starts: it takes every commit pending. */
void mirror_plan_start(mirror_plan *p);
/* The push ended at now_ms.  behind: the commits it measured the mirror
 * lacked before it pushed (-1: it could not tell), oldest_ms their oldest's
 * wall time.  Returns what the log should say. */
enum mirror_news mirror_plan_done(mirror_plan *p, enum mirror_outcome how, long behind,
                                  int64_t oldest_ms, int64_t now_ms);
/* The state's word for /healthz: "unknown", "ok", "behind" (ok, commits on
 * their way), "failing", "diverged". */
const char *mirror_plan_word(const mirror_plan *p);

#endif
