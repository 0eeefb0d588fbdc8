#include "storage/mirror_plan.h"

#include <string.h>

void mirror_plan_init(mirror_plan *p)
{
    memset(p, 0, sizeof(*p));
    p->pending = 1;
    p->backoff_ms = MIRROR_BACKOFF_MIN_MS;
}

void mirror_plan_commits(mirror_plan *p, size_t n, int64_t wall_ms)
{
    if (!n)
        return;
    if (!p->behind)
        p->oldest_ms = wall_ms;
    p->behind += n;
    if (p->inflight) {
        if (!p->since_start)
            p->since_start_oldest = wall_ms;
        p->since_start += n;
    }
    p->pending = 1;
}

int mirror_plan_due(const mirror_plan *p, int64_t now_ms)
{
    return mirror_plan_wait(p, now_ms) == 0;
}

int64_t mirror_plan_wait(const mirror_plan *p, int64_t now_ms)
{
    /* A diverged mirror is only looked at again, pending or not. */
    if (p->inflight || (!p->pending && p->state != MIRROR_DIVERGED))
        return -1;
    return p->next_ms > now_ms ? p->next_ms - now_ms : 0;
}

void mirror_plan_start(mirror_plan *p)
{
    p->inflight = 1;
    p->pending = 0;
    p->since_start = 0;
    p->since_start_oldest = 0;
}

enum mirror_news mirror_plan_done(mirror_plan *p, enum mirror_outcome how, long behind,
                                  int64_t oldest_ms, int64_t now_ms)
{
    enum mirror_state was = p->state;
    p->inflight = 0;
    if (how == MIRROR_PUSHED) {
        /* What was made while the push ran is all it still lacks. */
        p->behind = p->since_start;
        p->oldest_ms = p->since_start_oldest;
        p->state = MIRROR_OK;
        p->failures = 0;
        p->backoff_ms = MIRROR_BACKOFF_MIN_MS;
        p->next_ms = now_ms + p->interval_ms;
        return was == MIRROR_FAILING || was == MIRROR_DIVERGED ? MIRROR_NEWS_CAUGHT_UP
                                                               : MIRROR_NEWS_NONE;
    }
    if (behind >= 0) {
        p->behind = (size_t)behind + p->since_start;
        p->oldest_ms = behind > 0 ? oldest_ms : p->since_start_oldest;
    }
    if (!p->behind)
        p->oldest_ms = 0;
    p->failures++;
    if (how == MIRROR_FOUND_DIVERGED) {
        p->state = MIRROR_DIVERGED;
        p->next_ms = now_ms + MIRROR_BACKOFF_MAX_MS;
        return was == MIRROR_DIVERGED ? MIRROR_NEWS_NONE : MIRROR_NEWS_DIVERGED;
    }
    /* The commits it carried are still to be pushed. */
    p->pending = 1;
    p->state = MIRROR_FAILING;
    p->next_ms = now_ms + p->backoff_ms;
    p->backoff_ms = p->backoff_ms * 2 > MIRROR_BACKOFF_MAX_MS ? MIRROR_BACKOFF_MAX_MS
                                                               : p->backoff_ms * 2;
    return was == MIRROR_FAILING ? MIRROR_NEWS_NONE : MIRROR_NEWS_FAILING;
}

const char *mirror_plan_word(const mirror_plan *p)
{
    switch (p->state) {
    case MIRROR_OK:
        return p->behind ? "behind" : "ok";
    case MIRROR_FAILING:
        return "failing";
    case MIRROR_DIVERGED:
        return "diverged";
    default:
        return "unknown";
    }
}
