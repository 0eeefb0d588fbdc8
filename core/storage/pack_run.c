/*
 * The server's consolidations (store.h): one at a time per repository,
 * started by the loop after a batch once packs pile up, in a process of its
 * own (`kenes pack-child`, store_pack_exec) or, without one, on the thread
 * pool.
 *
 * Why a process of its own.  libgit2 1.5 keeps the packs of every
 * repository handle of a process in one list (its pack cache and memory
 * windows), and a consolidation opens every pack of a pile (up to 300 under
 * load) beside the writer and the readers.  In the server those were the
 * only moments the process held more than libgit2's open-file limit, and
 * libgit2 then closes the least recently used pack file of *any* handle,
 * an indexer's half-written pack included, under the other thread's feet:
 * the soaks' heap corruption ("unaligned tcache chunk", always at a
 * consolidation's end).  And the pack builder's memory, up to hundreds of
 * MiB, stayed in the pool threads' malloc arenas after every consolidation
 * (BENCHMARKS.md, the soaks).  A child shares neither: its libgit2 is its
 * own, and its memory goes back whole when it exits.  What it does is what
 * `kenes gc` does from another process while the server runs (store_pack.c
 * says why that is safe: the pack lock, the snapshot, removal last).
 */
#include "storage/store_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "kenes/plugin.h"
#include "base/error.h"
#include "base/log.h"

/* The consolidation's process keeps this many bytes of parsed objects. */
#define STORE_CHILD_CACHE ((size_t)4 << 20)

#define PACK_BACKOFF_FIRST 8
#define PACK_BACKOFF_MAX 1024
#define CHILD_OUT_MAX 1024

/* The program started for consolidations; NULL: the thread pool. */
static char *pack_exe;

int store_pack_exec(const char *exe)
{
    char *copy = exe ? strdup(exe) : NULL;
    if (exe && !copy)
        return KENES_ENOMEM;
    free(pack_exe);
    pack_exe = copy;
    return 0;
}

/* What the loop gave the running consolidation. */
static store_pack_opts pack_opts_of(const store *s)
{
    /* At most max_packs - 1 stay, so the new pack brings the count under
     * the trigger whatever the sizes. */
    store_pack_opts o = {.max_keep = s->max_packs > 1 ? s->max_packs - 1 : 1,
                         .max_merge = (uint64_t)s->max_merge_mib << 20,
                         .graph_since = s->pack_graph_since};
    return o;
}

/* On the loop, once a consolidation ended (status < 0: cancelled). */
static void pack_done(store *s, int status)
{
    const store_pack_stats *st = &s->pack_stats;
    const char *name = strrchr(s->gitdir, '/');
    name = name ? name + 1 : s->gitdir;
    s->consolidating = 0;
    /* The writer and the readers open their repository afresh: packs were
     * removed, and a handle keeps them open. */
    s->pack_gen++;
    if (status < 0)
        log_warn("store", "%s: consolidation cancelled", name);
    else if (s->pack_rc == KENES_EBUSY)
        ; /* kenes gc runs: it does the same, and the next batch asks again */
    else if (s->pack_rc < 0) {
        /* A full disk fails the next try as well, and each try writes a
         * pack as big as the repository: wait 8, 16, ... 1024 batches. */
        s->pack_backoff = s->pack_backoff ? s->pack_backoff * 2 : PACK_BACKOFF_FIRST;
        if (s->pack_backoff > PACK_BACKOFF_MAX)
            s->pack_backoff = PACK_BACKOFF_MAX;
        s->pack_wait = s->pack_backoff;
        log_error("store", "%s: cannot consolidate the packs: %s (next try after %zu "
                  "batches)", name, s->pack_msg, s->pack_wait);
    } else {
        s->pack_backoff = 0;
        if (st->graph_written)
            s->graph_since -= s->pack_graph_since < s->graph_since ? s->pack_graph_since
                                                                   : s->graph_since;
        log_info("store", "%s: consolidated %zu packs and %zu loose objects (%zu objects, "
                 "%llu KiB), merging %zu of the packs, into %zu packs (%zu objects, %llu KiB)%s",
                 name, st->packs_before, st->loose_before, st->objects_before,
                 (unsigned long long)(st->bytes_before / 1024), st->packs_merged,
                 st->packs_after, st->objects_after, (unsigned long long)(st->bytes_after / 1024),
                 st->graph_written ? "; commit-graph written" : "");
    }
    store_maybe_free(s);
}

/* ------------------------------------------------------------------------ */
/* On the thread pool                                                       */

static void pack_work(uv_work_t *req)
{
    store *s = req->data;
    store_pack_opts o = pack_opts_of(s);
    s->pack_msg[0] = '\0';
    s->pack_rc = store_consolidate_with(&s->pack_stats, s->gitdir, &o, 0, s->pack_msg,
                                        sizeof(s->pack_msg));
    /* The pack builder's memory, freed, stays with the pool thread's arena
     * unless given back. */
    malloc_trim(0);
}

static void pack_after(uv_work_t *req, int status)
{
    pack_done(req->data, status);
}

/* ------------------------------------------------------------------------ */
/* In a process of its own                                                  */

/* The outcome, one line on the child's standard output: rc and the
 * figures of store_pack_stats, then the message (store_pack_child_main). */
#define CHILD_LINE_FMT "%d %zu %zu %zu %zu %" SCNu64 " %" SCNu64 " %zu %zu %zu %d"

typedef struct pack_child pack_child;

struct pack_child {
    store *s;
    uv_process_t proc;
    uv_pipe_t out;
    int handles; /* open of the two */
    int exited;
    int64_t exit_status;
    int term_signal;
    char fail[160]; /* why it could not start, "" if it did */
    size_t len;
    char buf[CHILD_OUT_MAX];
    char spill[256]; /* what does not fit in buf: read and dropped */
};

static void child_settle(pack_child *c)
{
    store *s = c->s;
    store_pack_stats *st = &s->pack_stats;
    int rc = KENES_EIO, n = -1, pos = 0;
    memset(st, 0, sizeof(*st));
    c->buf[c->len < sizeof(c->buf) ? c->len : sizeof(c->buf) - 1] = '\0';
    if (c->exited && c->exit_status == 0 && c->term_signal == 0)
        n = sscanf(c->buf, CHILD_LINE_FMT "%n", &rc, &st->packs_before, &st->packs_after,
                   &st->loose_before, &st->loose_after, &st->bytes_before, &st->bytes_after,
                   &st->objects_before, &st->objects_after, &st->packs_merged,
                   &st->graph_written, &pos);
    if (c->term_signal && s->closing) {
        s->pack_child = NULL;
        free(c);
        pack_done(s, UV_ECANCELED); /* store_pack_stop() */
        return;
    }
    if (n == 11) {
        const char *msg = c->buf + pos + (c->buf[pos] == '\n');
        s->pack_rc = rc;
        snprintf(s->pack_msg, sizeof(s->pack_msg), "%.*s", (int)strcspn(msg, "\n"), msg);
    } else {
        memset(st, 0, sizeof(*st));
        s->pack_rc = KENES_EIO;
        if (c->fail[0])
            snprintf(s->pack_msg, sizeof(s->pack_msg), "%s", c->fail);
        else if (c->term_signal)
            snprintf(s->pack_msg, sizeof(s->pack_msg),
                     "the consolidation's process ended by signal %d", c->term_signal);
        else
            snprintf(s->pack_msg, sizeof(s->pack_msg),
                     "the consolidation's process ended with status %lld and no outcome",
                     (long long)c->exit_status);
    }
    s->pack_child = NULL;
    free(c);
    pack_done(s, 0);
}

static void child_closed(uv_handle_t *h)
{
    pack_child *c = h->data;
    if (--c->handles == 0)
        child_settle(c);
}

static void child_exit(uv_process_t *p, int64_t status, int sig)
{
    pack_child *c = p->data;
    c->exited = 1;
    c->exit_status = status;
    c->term_signal = sig;
    uv_close((uv_handle_t *)p, child_closed);
}

static void child_alloc(uv_handle_t *h, size_t want, uv_buf_t *buf)
{
    pack_child *c = h->data;
    (void)want;
    if (c->len + 1 < sizeof(c->buf))
        *buf = uv_buf_init(c->buf + c->len, (unsigned)(sizeof(c->buf) - 1 - c->len));
    else
        *buf = uv_buf_init(c->spill, sizeof(c->spill));
}

static void child_read(uv_stream_t *st, ssize_t n, const uv_buf_t *buf)
{
    pack_child *c = st->data;
    if (n > 0 && buf->base == c->buf + c->len)
        c->len += (size_t)n;
    if (n < 0) /* UV_EOF, or the pipe failed: the exit says the rest */
        uv_close((uv_handle_t *)st, child_closed);
}

/* 0 if the child runs (pack_done follows on the loop), else < 0 with
 * nothing left open. */
static int child_start(store *s)
{
    store_pack_opts o = pack_opts_of(s);
    char keep[32], merge[32], since[32], mib[32], parent[32];
    snprintf(parent, sizeof(parent), "%ld", (long)getpid());
    snprintf(keep, sizeof(keep), "%zu", o.max_keep);
    snprintf(merge, sizeof(merge), "%" PRIu64, o.max_merge);
    snprintf(since, sizeof(since), "%zu", o.graph_since);
    snprintf(mib, sizeof(mib), "%zu", store_pack_mib());
    char *args[] = {pack_exe, "pack-child", s->gitdir, keep, merge, since, mib, parent, NULL};
    pack_child *c = calloc(1, sizeof(*c));
    if (!c)
        return KENES_ENOMEM;
    c->s = s;
    if (uv_pipe_init(s->loop, &c->out, 0) < 0) {
        free(c);
        return KENES_EIO;
    }
    c->out.data = c;
    uv_stdio_container_t io[3] = {
        {.flags = UV_IGNORE},
        {.flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE, .data.stream = (uv_stream_t *)&c->out},
        {.flags = UV_INHERIT_FD, .data.fd = STDERR_FILENO}, /* its log lines join ours */
    };
    uv_process_options_t po = {.file = pack_exe, .args = args, .exit_cb = child_exit,
                               .stdio = io, .stdio_count = 3};
    int rc = uv_spawn(s->loop, &c->proc, &po);
    c->proc.data = c; /* after libuv initialised the handle; its callbacks come later */
    if (rc < 0 || uv_read_start((uv_stream_t *)&c->out, child_alloc, child_read) < 0) {
        snprintf(c->fail, sizeof(c->fail), "cannot start the consolidation's process: %s",
                 uv_strerror(rc < 0 ? rc : UV_EIO));
        /* libuv's process handle is initialised even when the spawn fails,
         * and both handles are closed before c goes: the close callbacks
         * settle it as a consolidation that failed (with the backoff). */
        c->handles = 2;
        if (rc >= 0) {
            uv_process_kill(&c->proc, SIGKILL); /* its exit closes proc */
        } else {
            c->exited = 1;
            uv_close((uv_handle_t *)&c->proc, child_closed);
        }
        uv_close((uv_handle_t *)&c->out, child_closed);
        s->pack_child = c;
        return 0;
    }
    c->handles = 2;
    s->pack_child = c;
    return 0;
}

void store_pack_stop(store *s)
{
    /* A consolidation stopped halfway leaves what a crash leaves, which
     * the next one settles (store_pack.c); the store need not wait. */
    if (s->pack_child && !s->pack_child->exited)
        uv_process_kill(&s->pack_child->proc, SIGTERM);
}

int store_pack_child_main(int argc, char **argv)
{
    store_pack_stats st = {0};
    char msg[256] = "";
    /* It dies with the server: a consolidation left halfway is settled by
     * the next one, and an orphan would hold the repository's locks. */
    store_pack_opts o = {0};
    size_t mib = 0;
    long parent = 0;
    if (argc != 6 || sscanf(argv[1], "%zu", &o.max_keep) != 1 ||
        sscanf(argv[2], "%" SCNu64, &o.max_merge) != 1 ||
        sscanf(argv[3], "%zu", &o.graph_since) != 1 || sscanf(argv[4], "%zu", &mib) != 1 ||
        sscanf(argv[5], "%ld", &parent) != 1 || store_pack_limits(mib) < 0) {
        fprintf(stderr, "kenes: pack-child is the server's own command, not a person's\n");
        return 2;
    }
    /* Objects read by the pack builder are read once or twice, never again:
     * libgit2's object cache (256 MiB by default, none of the server's
     * storage.cache_mib here) only grew the consolidation's peak, by 31 MB
     * on a 16 MiB merge (BENCHMARKS.md, session 14). */
    if (store_git_ready() < 0 ||
        git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, (ssize_t)STORE_CHILD_CACHE) < 0)
        return 1;
    /* The server may already be gone (the death signal is asked for after
     * the fork); it may also be PID 1 itself, in a container. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if ((long)getppid() != parent)
        return 1;
    int rc = store_consolidate_with(&st, argv[0], &o, 0, msg, sizeof(msg));
    printf(CHILD_LINE_FMT "\n%s\n", rc, st.packs_before, st.packs_after, st.loose_before,
           st.loose_after, st.bytes_before, st.bytes_after, st.objects_before, st.objects_after,
           st.packs_merged, st.graph_written, msg);
    return fflush(stdout) == 0 ? 0 : 1;
}

/* ------------------------------------------------------------------------ */

void store_pack_maybe_start(store *s)
{
    if (s->closing || s->consolidating || !s->max_packs)
        return;
    if (s->pack_wait) { /* counted in batches, never in time */
        s->pack_wait--;
        return;
    }
    if (s->npacks <= s->max_packs)
        return;
    s->pack_graph_since = s->graph_since;
    s->pack_work.data = s;
    int rc = pack_exe ? child_start(s)
                      : uv_queue_work(s->loop, &s->pack_work, pack_work, pack_after);
    if (rc == 0) {
        s->consolidating = 1;
        s->pack_attempts++;
    }
}

int store_set_max_packs(store *s, size_t max)
{
    if (!s || !store_idle(s))
        return KENES_EINVAL;
    s->max_packs = max;
    return 0;
}

int store_set_max_merge(store *s, size_t mib)
{
    if (!s || !store_idle(s) || mib > STORE_MAX_MERGE_MIB_MAX)
        return KENES_EINVAL;
    s->max_merge_mib = mib;
    return 0;
}
