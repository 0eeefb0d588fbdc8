#include "storage/mirror.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/util.h"
#include "kenes/plugin.h"
#include "storage/mirror_plan.h"
#include "storage/mirror_push.h"

typedef struct remote {
    mirror_set *set;
    config_mirror cfg; /* copied strings */
    mirror_plan plan;
    mirror_job job;    /* the thread's while go or running; the loop's after finished */
    char known[STORE_OID_HEX]; /* the remote's main as last seen */
    char error[320];   /* why the last push failed, "" after one succeeded */
    int reached;       /* a push succeeded since start */
    int64_t began_ms;  /* monotonic: when the running push began */
    long sent;         /* commits the last push that sent any sent, and how long it took */
    uint64_t sent_ms;
    uv_thread_t thread;
    int has_thread;
    int go, finished, exited; /* under set->lock */
} remote;

struct mirror_set {
    uv_loop_t *loop;
    char *gitdir;
    char *name;
    remote *remotes;
    size_t n;
    uv_mutex_t lock;
    uv_cond_t wake;
    uv_async_t async;
    uv_timer_t timer;
    int started;   /* lock, wake and the handles exist */
    int quit;      /* under lock: threads end */
    int closing;   /* loop: mirror_set_close ran */
    atomic_int cancel;
};

int mirror_set_new(mirror_set **out, uv_loop_t *loop, const char *gitdir, const char *name)
{
    mirror_set *m = calloc(1, sizeof(*m));
    if (!m || !(m->gitdir = strdup(gitdir)) || !(m->name = strdup(name))) {
        mirror_set_free(m);
        return KENES_ENOMEM;
    }
    m->loop = loop;
    *out = m;
    return 0;
}

static char *dup_or_null(const char *s, int *oom)
{
    char *d = s ? strdup(s) : NULL;
    *oom |= s && !d;
    return d;
}

int mirror_set_add(mirror_set *m, const config_mirror *c)
{
    if (m->started)
        return KENES_EINVAL;
    remote *grown = realloc(m->remotes, (m->n + 1) * sizeof(*grown));
    if (!grown)
        return KENES_ENOMEM;
    m->remotes = grown;
    remote *r = &m->remotes[m->n];
    memset(r, 0, sizeof(*r));
    int oom = 0;
    r->cfg = (config_mirror){.repo = c->repo, .scheme = c->scheme,
                             .url = dup_or_null(c->url, &oom), .key = dup_or_null(c->key, &oom),
                             .token_file = dup_or_null(c->token_file, &oom),
                             .user = dup_or_null(c->user, &oom),
                             .ca_file = dup_or_null(c->ca_file, &oom),
                             .interval_s = c->interval_s};
    m->n++;
    mirror_plan_init(&r->plan);
    r->plan.interval_ms = (int64_t)c->interval_s * 1000;
    return oom ? KENES_ENOMEM : 0;
}

size_t mirror_set_count(const mirror_set *m)
{
    return m ? m->n : 0;
}

/* A remote's thread: one push at a time, when the loop says go. */
static void remote_thread(void *arg)
{
    remote *r = arg;
    mirror_set *m = r->set;
    uv_mutex_lock(&m->lock);
    for (;;) {
        while (!r->go && !m->quit)
            uv_cond_wait(&m->wake, &m->lock);
        if (m->quit)
            break;
        r->go = 0;
        uv_mutex_unlock(&m->lock);
        mirror_push_run(&r->job);
        uv_mutex_lock(&m->lock);
        r->finished = 1;
        if (!m->quit) /* after quit the handle is closed or closing */
            uv_async_send(&m->async);
    }
    r->exited = 1;
    uv_cond_broadcast(&m->wake); /* mirror_set_free may wait for it */
    uv_mutex_unlock(&m->lock);
}

static void on_timer(uv_timer_t *t);

/* Start each push that is due, then wait for the next one due. */
static void kick(mirror_set *m)
{
    if (m->closing)
        return;
    int64_t now = (int64_t)uv_now(m->loop), wait = -1;
    for (size_t i = 0; i < m->n; i++) {
        remote *r = &m->remotes[i];
        if (!r->has_thread) /* it could not start: logged, never pushed to */
            continue;
        if (mirror_plan_due(&r->plan, now)) {
            r->job = (mirror_job){.gitdir = m->gitdir, .url = r->cfg.url, .key = r->cfg.key,
                                  .token_file = r->cfg.token_file, .user = r->cfg.user,
                                  .ca_file = r->cfg.ca_file,
                                  .cancel = &m->cancel};
            memcpy(r->job.known, r->known, sizeof(r->known));
            mirror_plan_start(&r->plan);
            r->began_ms = now;
            uv_mutex_lock(&m->lock);
            r->go = 1;
            uv_cond_broadcast(&m->wake);
            uv_mutex_unlock(&m->lock);
        }
        int64_t w = mirror_plan_wait(&r->plan, now);
        if (w >= 0 && (wait < 0 || w < wait))
            wait = w;
    }
    if (wait >= 0)
        uv_timer_start(&m->timer, on_timer, (uint64_t)wait, 0);
    else
        uv_timer_stop(&m->timer);
}

static void on_timer(uv_timer_t *t)
{
    kick(t->data);
}

/* One line when a remote starts failing, is found diverged, or is whole
 * again; a retry that fails as before says nothing. */
static void tell(const mirror_set *m, const remote *r, enum mirror_news news, size_t failures,
                 int first)
{
    const mirror_plan *p = &r->plan;
    if (news == MIRROR_NEWS_FAILING)
        log_warn("mirror", "%s -> %s: cannot push (%s); retried with backoff (%zu commit%s "
                 "behind); the server goes on serving and writing",
                 m->name, r->cfg.url, r->job.msg, p->behind, p->behind == 1 ? "" : "s");
    else if (news == MIRROR_NEWS_DIVERGED)
        log_error("mirror", "%s -> %s: diverged: %s. It is not pushed to until its main is an "
                  "ancestor of ours again or the server restarts", m->name, r->cfg.url,
                  r->job.msg);
    else if (news == MIRROR_NEWS_CAUGHT_UP)
        log_info("mirror", "%s -> %s: caught up after %zu failed attempt%s (main %.12s)",
                 m->name, r->cfg.url, failures, failures == 1 ? "" : "s", r->job.pushed);
    else if (first)
        log_info("mirror", "%s -> %s: mirrored (main %.12s)", m->name, r->cfg.url,
                 r->job.pushed[0] ? r->job.pushed : "none yet");
}

/* Back on the loop: the pushes that ended. */
static void on_async(uv_async_t *a)
{
    mirror_set *m = a->data;
    int64_t now = (int64_t)uv_now(m->loop);
    for (size_t i = 0; i < m->n; i++) {
        remote *r = &m->remotes[i];
        uv_mutex_lock(&m->lock);
        int finished = r->finished;
        r->finished = 0;
        uv_mutex_unlock(&m->lock);
        if (!finished)
            continue;
        mirror_job *j = &r->job;
        size_t failures = r->plan.failures;
        enum mirror_news news = mirror_plan_done(&r->plan, j->outcome, j->behind,
                                                 j->oldest_ms, now);
        if (j->outcome == MIRROR_PUSHED && j->behind > 0) {
            r->sent = j->behind;
            r->sent_ms = j->took_ns / 1000000;
        }
        if (j->outcome == MIRROR_PUSHED) {
            memcpy(r->known, j->pushed, sizeof(r->known));
            r->error[0] = '\0';
        } else {
            if (j->theirs[0])
                memcpy(r->known, j->theirs, sizeof(r->known));
            memcpy(r->error, j->msg, sizeof(r->error));
        }
        /* A push stopped by the shutdown is no news of the remote. */
        if (!m->closing)
            tell(m, r, news, failures, j->outcome == MIRROR_PUSHED && !r->reached);
        r->reached |= j->outcome == MIRROR_PUSHED;
    }
    kick(m);
}

int mirror_set_start(mirror_set *m)
{
    if (!m->n || m->started)
        return 0;
    if (uv_mutex_init(&m->lock) < 0)
        return KENES_EIO;
    if (uv_cond_init(&m->wake) < 0) {
        uv_mutex_destroy(&m->lock);
        return KENES_EIO;
    }
    uv_async_init(m->loop, &m->async, on_async);
    uv_timer_init(m->loop, &m->timer);
    m->async.data = m->timer.data = m;
    m->started = 1;
    for (size_t i = 0; i < m->n; i++) {
        remote *r = &m->remotes[i];
        r->set = m;
        if (uv_thread_create(&r->thread, remote_thread, r) < 0) {
            log_error("mirror", "%s -> %s: cannot start its thread", m->name, r->cfg.url);
            r->exited = 1;
            continue;
        }
        r->has_thread = 1;
    }
    kick(m);
    return 0;
}

void mirror_set_committed(size_t n, void *payload)
{
    mirror_set *m = payload;
    if (!m || !m->started || m->closing)
        return;
    int64_t wall = util_now_ms();
    for (size_t i = 0; i < m->n; i++)
        mirror_plan_commits(&m->remotes[i].plan, n, wall);
    kick(m);
}

json_t *mirror_set_json(const mirror_set *m)
{
    json_t *list = json_array();
    int64_t wall = util_now_ms(), now = m ? (int64_t)uv_now(m->loop) : 0;
    for (size_t i = 0; m && i < m->n; i++) {
        const remote *r = &m->remotes[i];
        const mirror_plan *p = &r->plan;
        int64_t lag = p->behind && p->oldest_ms && wall > p->oldest_ms
                          ? (wall - p->oldest_ms) / 1000 : 0;
        json_t *o = json_pack("{s:s, s:s, s:I, s:I, s:I}", "url", r->cfg.url, "state",
                              mirror_plan_word(p), "behind_commits", (json_int_t)p->behind,
                              "lag_seconds", (json_int_t)lag, "failures",
                              (json_int_t)p->failures);
        if (r->error[0])
            json_object_set_new(o, "error", json_string(r->error));
        if (r->sent) {
            json_object_set_new(o, "last_push_commits", json_integer(r->sent));
            json_object_set_new(o, "last_push_ms", json_integer((json_int_t)r->sent_ms));
        }
        /* A remote that accepted the connection and never answers holds
         * its own thread only: this says how long. */
        if (p->inflight)
            json_object_set_new(o, "pushing_seconds",
                                json_integer(now > r->began_ms ? (now - r->began_ms) / 1000 : 0));
        if (r->cfg.interval_s)
            json_object_set_new(o, "interval_seconds", json_integer(r->cfg.interval_s));
        /* A retry's wait, or commits waiting for the interval to pass. */
        if (!p->inflight && (p->state == MIRROR_FAILING || p->state == MIRROR_DIVERGED ||
                             (p->pending && p->next_ms > now)))
            json_object_set_new(o, "next_try_seconds",
                                json_integer(p->next_ms > now ? (p->next_ms - now + 999) / 1000
                                                              : 0));
        json_array_append_new(list, o);
    }
    return list;
}

void mirror_set_close(mirror_set *m)
{
    if (!m || !m->started || m->closing)
        return;
    m->closing = 1;
    atomic_store(&m->cancel, 1);
    uv_timer_stop(&m->timer);
    uv_mutex_lock(&m->lock);
    m->quit = 1;
    uv_cond_broadcast(&m->wake);
    uv_mutex_unlock(&m->lock);
    /* The loop need not wait for a push that hangs: the handles close now,
     * and mirror_set_free waits for the threads a little, after the loop. */
    uv_close((uv_handle_t *)&m->async, NULL);
    uv_close((uv_handle_t *)&m->timer, NULL);
}

/* How long mirror_set_free waits for a push in flight to end (it was told
 * to stop at libgit2's next progress call). */
#define MIRROR_EXIT_WAIT_NS (5ull * 1000 * 1000 * 1000)

void mirror_set_free(mirror_set *m)
{
    if (!m)
        return;
    if (m->started) {
        uint64_t until = uv_hrtime() + MIRROR_EXIT_WAIT_NS;
        size_t left = 0;
        uv_mutex_lock(&m->lock);
        for (;;) {
            left = 0;
            for (size_t i = 0; i < m->n; i++)
                left += m->remotes[i].has_thread && !m->remotes[i].exited;
            uint64_t now = uv_hrtime();
            if (!left || now >= until || uv_cond_timedwait(&m->wake, &m->lock, until - now) < 0)
                break;
        }
        uv_mutex_unlock(&m->lock);
        if (left) {
            /* Still in libgit2 (a remote that never answers): its thread
             * holds m, so m stays for the process's exit to take. */
            log_warn("mirror", "%s: %zu push%s still hang%s at exit; left to the process's end",
                     m->name, left, left == 1 ? "" : "es", left == 1 ? "s" : "");
            return;
        }
        for (size_t i = 0; i < m->n; i++)
            if (m->remotes[i].has_thread)
                uv_thread_join(&m->remotes[i].thread);
        uv_cond_destroy(&m->wake);
        uv_mutex_destroy(&m->lock);
    }
    for (size_t i = 0; i < m->n; i++) {
        free(m->remotes[i].cfg.url);
        free(m->remotes[i].cfg.key);
        free(m->remotes[i].cfg.token_file);
        free(m->remotes[i].cfg.ca_file);
        free(m->remotes[i].cfg.user);
    }
    free(m->remotes);
    free(m->gitdir);
    free(m->name);
    free(m);
}
