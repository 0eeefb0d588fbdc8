/*
 * bench_writes: durable writes per second of kenes, next to a raw libgit2
 * commit loop with fsync measured in the same run.
 *
 *   bench_writes --kenes PATH/TO/kenes [--clients N] [--rounds R] [--edits E]
 *                [--seed-docs N [--seed-from DIR]] [--tmpdir DIR] [--nosync-dir DIR]
 *                [--keep]
 *
 * Each round:
 *
 *  kenes  A fresh data folder (kenes init, one admin user "bench"), then
 *         `kenes serve --listen 127.0.0.1:0`; the port comes from the line
 *         "kenes X listening on http://127.0.0.1:PORT" on its stdout.  One
 *         login, then N client threads, each on its own keep-alive
 *         connection, take plans from a shared counter until the 100 plans
 *         (20 regions x periods 2026-2030) are gone.  Per plan, in order:
 *
 *             create (201), submit (200),
 *             then E times: return with a comment (200), edit the body
 *                           with PUT (200), submit again (200)
 *
 *         so 2 + 3E writes per plan, 100 (2 + 3E) per round (800 with the
 *         default E = 2).  Every write carries If-Match (except the create)
 *         and every one is a git commit the server answers only once it is
 *         fsynced.  A plan belongs to one client at a time, so no write
 *         waits on another to the same document (no 412).  The latency of a
 *         write runs from the first byte sent to the last byte of the answer
 *         read; writes/s is the writes over the time from the moment all
 *         clients are connected and released to the moment the last one has
 *         its last answer.  Any answer other than the expected status and
 *         stage stops the run with the request and the answer.  After the
 *         clients, SIGTERM must stop the server with exit code 0, main must
 *         hold exactly one commit per write, and `kenes verify` must pass.
 *
 *  raw    A fresh bare repository next to the data folder, in the same
 *         process: git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 1), then the
 *         same number of commits in the same order (plan by plan), each
 *         writing a file of the same shape (front matter + the same body) at
 *         plan/KZ-xx/YYYY.md the way the server's writer does: read main,
 *         blob, git_tree_create_updated, git_commit_create, then a
 *         compare-and-swap update of refs/heads/main.  Latency per commit,
 *         commits/s over the loop.
 *
 * --seed-docs N: the kenes data folder starts with N documents instead of
 * none (issue 16: writes at 100,000 documents against writes at 1,000).  The
 * seed is built once, before the rounds, by bench_start (beside this binary:
 * `bench_start --build-only --sizes N`, the demo's documents copied with new
 * ids, mostly cases and referrals, sealed with their own keys, and their
 * journal lines), then packed (git repack -a -d, as consolidation leaves a
 * repository) and given the user "bench"; each round copies it (cp -a) in
 * place of `kenes init`.  The plans the clients write are not among the seed's
 * (its ids end otherwise), so the writes are the same as without a seed; what
 * differs is everything the server holds and does beside them.  The check
 * after a round counts the seed's commits too, KiB/write counts only what the
 * round added, and `kenes verify` is not run (a seed's commits hold many
 * documents each, which verify refuses).
 *
 * Both run in a fresh folder under --tmpdir (default $TMPDIR or /tmp), so on
 * the same file system; on tmpfs fsync does nothing, which makes a run there a
 * measure of the CPU cost alone (the header says so).  Login, start-up and the
 * checks after a phase are outside the timings.
 *
 * --nosync-dir DIR (a tmpfs, where fsync does nothing): each round also runs
 * the kenes phase with its data folder there, "kenes with fsync off", so that
 * durable ÷ fsync-off is a ratio within one round (issue 16's goals), not of
 * two runs minutes apart on a shared machine.
 *
 * Rounds alternate the order (odd rounds kenes first, even rounds raw first;
 * with --nosync-dir the three phases rotate).  The table gives each round,
 * then the median, minimum and maximum of each column; kenes/raw is the ratio
 * of writes/s to commits/s within a round (its median over the rounds, not the
 * ratio of the medians), and so is kenes/nosync.
 *
 * Build (see BENCHMARKS.md; it includes bench/bench_common.h):
 *   cc -O2 -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror bench/bench_writes.c \
 *      -o build-bench/bench_writes $(pkg-config --cflags --libs libgit2 jansson) \
 *      -lhttp_parser -lpthread
 */

#define BENCH_NAME "bench_writes"
#include "bench_common.h" /* helpers, server, HTTP client */

#include <ftw.h>
#include <pthread.h>
#include <stdatomic.h>

/* ------------------------------------------------------------------------ */
/* The workload                                                             */

enum {
    FIRST_PERIOD = 2026,
    NPERIODS = 5,
    NPLANS = NREGIONS * NPERIODS,
    MAX_CLIENTS = NPLANS,
    MAX_ROUNDS = 100,
    MAX_EDITS = 50,
};

#define BENCH_USER "bench"
#define BENCH_PASSWORD "bench-password-2026"

/* Plan p: regions vary fastest, so consecutive plans are different regions. */
static const char *plan_region(int p) { return REGIONS[p % NREGIONS]; }
static int plan_period(int p) { return FIRST_PERIOD + p / NREGIONS; }

/* Step s of a plan: 0 create, 1 submit, then (return, edit, submit) x E. */
typedef enum { ACT_CREATE, ACT_SUBMIT, ACT_RETURN, ACT_EDIT } action;

static action step_action(int s)
{
    if (s == 0)
        return ACT_CREATE;
    if (s == 1)
        return ACT_SUBMIT;
    static const action cycle[] = {ACT_RETURN, ACT_EDIT, ACT_SUBMIT};
    return cycle[(s - 2) % 3];
}

/* The body revision a step leaves: 0 until the first edit, k after the k-th. */
static int step_revision(int s) { return s < 3 ? 0 : (s - 3) / 3 + 1; }

static const char *step_stage(int s)
{
    /* The chain since issue 15: submit goes to the akimat, return back to draft. */
    switch (step_action(s)) {
    case ACT_SUBMIT:
        return "regional-approval";
    default:
        return "draft";
    }
}

static int steps_per_plan(int edits) { return 2 + 3 * edits; }

/* ------------------------------------------------------------------------ */
/* Document content                                                         */

/* The Markdown body of plan p at revision rev: about 2 KiB, mostly Cyrillic,
 * every measure bench_common.h lists. */
static char *plan_body(int p, int rev)
{
    return plan_body_text(plan_region(p), plan_period(p), rev, NPLAN_MEASURES);
}

static void plan_title(char *buf, size_t cap, int p)
{
    fmt(buf, cap, "План мероприятий %s на %d год", plan_region(p), plan_period(p));
}

/* One measure of a plan, with every key the regional-plan plugin asks for. */
static json_t *plan_measure(const char *direction, const char *title, const char *deadline,
                            json_int_t amount_kzt)
{
    return json_pack("{s:s, s:s, s:s, s:[s, s], s:s, s:{s:s, s:I}, s:s, s:i, s:i}", "title", title,
                     "direction", direction, "lead_agency", "Управление образования области",
                     "co_executors", "Департамент полиции", "Управление здравоохранения",
                     "deadline", deadline, "funding", "source",
                     amount_kzt ? "местный бюджет" : "не требуется", "amount_kzt", amount_kzt,
                     "indicator", "Доля школ, охваченных мерой, %", "baseline", 40, "target",
                     90);
}

/* The fields of plan p: its period, a measure in each of the concept's four
 * directions and the region's specifics (a plan the plugin accepts). */
static json_t *plan_fields(int p)
{
    int y = plan_period(p);
    char q2[16], q3[16], q4[16], sep[16];
    fmt(q2, sizeof(q2), "%d-Q2", y);
    fmt(q3, sizeof(q3), "%d-Q3", y);
    fmt(q4, sizeof(q4), "%d-Q4", y);
    fmt(sep, sizeof(sep), "%d-09-01", y);
    json_t *f = json_pack(
        "{s:i, s:[o, o, o, o], s:s}", "period", y, "measures",
        plan_measure("safety", "Службы примирения в школах", q2, 12500000),
        plan_measure("education", "Обучение педагогов профилактике буллинга", sep, 0),
        plan_measure("health", "Школьные психологи: супервизия", q3, 4000000),
        plan_measure("family-social-protection", "Сопровождение семей в трудной ситуации", q4, 0),
        "local_specifics",
        "Сельские районы далеко от центров помощи: выездные бригады и дистанционные консультации.");
    if (!f) {
        fprintf(stderr, "bench_writes: internal error: plan fields\n");
        abort();
    }
    return f;
}

/* ------------------------------------------------------------------------ */
/* kenes round                                                              */

typedef struct {
    long n;      /* writes or commits */
    double secs; /* wall time */
    double rate; /* n / secs */
    double p50, p99, max;
    double kib_per_write; /* objects/ on disk after the phase, over n */
} phase_result;

static uint64_t g_disk_bytes;

static int add_size(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)path;
    (void)ftw;
    if (type == FTW_F)
        g_disk_bytes += (uint64_t)st->st_blocks * 512;
    return 0;
}

/* What the repository's objects take on disk (allocated blocks), per write. */
static double kib_per_write(const char *gitdir, long writes)
{
    char objects[4400];
    fmt(objects, sizeof(objects), "%s/objects", gitdir);
    g_disk_bytes = 0;
    if (nftw(objects, add_size, 16, FTW_PHYS) != 0)
        die("cannot measure %s", objects);
    return (double)g_disk_bytes / 1024.0 / (double)writes;
}

/* The result of a phase from its latencies (freed here) and its span. */
static void phase_result_take(phase_result *r, samples *lat, int64_t t_start, int64_t t_end)
{
    r->n = (long)lat->n;
    r->secs = (double)(t_end - t_start) / 1e9;
    r->rate = (double)r->n / r->secs;
    r->p50 = percentile(lat, 0.50);
    r->p99 = percentile(lat, 0.99);
    r->max = lat->v[lat->n - 1];
    free(lat->v);
    lat->v = NULL;
}

typedef struct {
    int port;
    const char *token;
    int edits;
    atomic_int next_plan;
    atomic_int failed;
    pthread_mutex_t err_lock;
    char err[4096];
    pthread_barrier_t start;
} run_ctx;

typedef struct {
    run_ctx *ctx;
    pthread_t thread;
    conn c;
    samples lat;
    int64_t t_end;
    char err[4096];
} client;

static void fail(run_ctx *ctx, const char *msg)
{
    pthread_mutex_lock(&ctx->err_lock);
    if (!atomic_load(&ctx->failed))
        fmt(ctx->err, sizeof(ctx->err), "%s", msg);
    atomic_store(&ctx->failed, 1);
    pthread_mutex_unlock(&ctx->err_lock);
}

/* One write: expects status `want` and the document in `stage`; updates etag. */
static int do_write(client *cl, const char *method, const char *path, json_t *req, int want,
                    const char *stage, char *etag, size_t etag_cap)
{
    run_ctx *ctx = cl->ctx;
    if (atomic_load(&ctx->failed))
        return -1;
    char *json = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    if (!json) {
        fail(ctx, "json_dumps failed");
        return -1;
    }
    double ms = 0;
    int st = conn_request(&cl->c, method, path, ctx->token, etag[0] ? etag : NULL, json, &ms,
                          cl->err, sizeof(cl->err));
    free(json);
    if (st < 0) {
        fail(ctx, cl->err);
        return -1;
    }
    if (st != want) {
        fmt(cl->err, sizeof(cl->err), "%s %s (If-Match: %s): expected %d, got %d: %.2000s",
            method, path, etag[0] ? etag : "-", want, st, cl->c.body);
        fail(ctx, cl->err);
        return -1;
    }
    samples_add(&cl->lat, ms);

    /* Check the answer: the document in the expected stage, ETag = version. */
    json_error_t jerr;
    json_t *doc = json_loadb(cl->c.body, cl->c.body_len, 0, &jerr);
    const char *got_stage = json_string_value(json_object_get(doc, "stage"));
    const char *version = json_string_value(json_object_get(doc, "version"));
    char want_etag[128] = "";
    if (version && strlen(version) < sizeof(want_etag) - 2)
        fmt(want_etag, sizeof(want_etag), "\"%s\"", version);
    const char *problem = !doc                                     ? "the body is not JSON"
                          : !got_stage || strcmp(got_stage, stage) ? "not in the expected stage"
                          : !want_etag[0]                          ? "no version"
                          : cl->c.etag[0] && strcmp(cl->c.etag, want_etag)
                              ? "ETag differs from the version"
                          : !cl->c.etag[0] && want == 201 ? "no ETag on a create"
                                                          : NULL;
    if (problem) {
        fmt(cl->err, sizeof(cl->err), "%s %s: %s (expected stage %s, ETag %s): %.2000s", method,
            path, problem, stage, cl->c.etag[0] ? cl->c.etag : "none", cl->c.body);
        json_decref(doc);
        fail(ctx, cl->err);
        return -1;
    }
    fmt(etag, etag_cap, "%s", want_etag);
    json_decref(doc);
    return 0;
}

static int run_plan(client *cl, int p)
{
    int edits = cl->ctx->edits;
    const char *region = plan_region(p);
    int period = plan_period(p);
    char etag[128] = "", title[256], doc_path[128], tr_path[160];
    plan_title(title, sizeof(title), p);
    fmt(doc_path, sizeof(doc_path), "/api/v1/documents/plan/%s/%d", region, period);
    fmt(tr_path, sizeof(tr_path), "%s/transitions", doc_path);

    for (int s = 0; s < steps_per_plan(edits); s++) {
        int rc;
        switch (step_action(s)) {
        case ACT_CREATE: {
            char *body = plan_body(p, 0);
            json_t *req = json_pack("{s:s, s:s, s:s, s:s, s:o}", "type", "regional-plan",
                                    "region", region, "title", title, "body", body, "fields",
                                    plan_fields(p));
            free(body);
            rc = do_write(cl, "POST", "/api/v1/documents", req, 201, step_stage(s), etag,
                          sizeof(etag));
            break;
        }
        case ACT_SUBMIT:
            rc = do_write(cl, "POST", tr_path, json_pack("{s:s}", "action", "submit"), 200,
                          step_stage(s), etag, sizeof(etag));
            break;
        case ACT_RETURN: {
            char comment[128];
            fmt(comment, sizeof(comment), "Уточните меры и сроки (замечание %d).",
                step_revision(s) + 1);
            rc = do_write(cl, "POST", tr_path,
                          json_pack("{s:s, s:s}", "action", "return", "comment", comment), 200,
                          step_stage(s), etag, sizeof(etag));
            break;
        }
        case ACT_EDIT: {
            char *body = plan_body(p, step_revision(s));
            json_t *req = json_pack("{s:s}", "body", body);
            free(body);
            rc = do_write(cl, "PUT", doc_path, req, 200, step_stage(s), etag, sizeof(etag));
            break;
        }
        default:
            rc = -1;
        }
        if (rc < 0)
            return -1;
    }
    return 0;
}

static void *client_main(void *arg)
{
    client *cl = arg;
    run_ctx *ctx = cl->ctx;
    if (conn_connect(&cl->c, cl->err, sizeof(cl->err)) < 0)
        fail(ctx, cl->err);
    pthread_barrier_wait(&ctx->start);
    while (!atomic_load(&ctx->failed)) {
        int p = atomic_fetch_add(&ctx->next_plan, 1);
        if (p >= NPLANS || run_plan(cl, p) < 0)
            break;
    }
    cl->t_end = now_ns();
    return NULL;
}

/* The seed (--seed-docs): its folder, and what it holds before any round. */
typedef struct {
    int docs;
    char dir[4200];
    long commits;        /* on documents.git's main */
    uint64_t obj_bytes;  /* documents.git/objects on disk */
} seed_info;

static seed_info g_seed;

static void add_bench_user(const char *kenes, const char *data, const char *log);

/* bench_start beside this binary builds the seed; then it is packed and
 * given the user the clients log in as. */
static void build_seed(const char *argv0, const char *kenes, int docs)
{
    char bench_start[4200], log[4300], sizes[32];
    fmt(bench_start, sizeof(bench_start), "%s", argv0);
    char *slash = strrchr(bench_start, '/');
    fmt(slash ? slash + 1 : bench_start,
        sizeof(bench_start) - (size_t)(slash ? slash + 1 - bench_start : 0), "bench_start");
    fmt(log, sizeof(log), "%s/seed.log", g_root);
    fmt(sizes, sizeof(sizes), "%d", docs);
    char *argv[] = {bench_start, "--kenes", (char *)kenes, "--sizes", sizes, "--build-only",
                    "--tmpdir", g_root, NULL};
    char *out = NULL;
    size_t len = 0;
    int64_t t0 = now_ns();
    int st = run_capture(argv, &out, &len, log);
    const char *at = out ? strstr(out, " MiB on disk: ") : NULL;
    if (st != 0 || !at) {
        print_log_tail(log, 20);
        die("%s --build-only --sizes %d failed%s", bench_start, docs,
            access(bench_start, X_OK) < 0 ? " (not found: it is built beside bench_writes)" : "");
    }
    at += strlen(" MiB on disk: ");
    fmt(g_seed.dir, sizeof(g_seed.dir), "%.*s", (int)strcspn(at, "\n"), at);
    free(out);
    static const char *const repos[] = {"documents.git", "cases.git"};
    for (int r = 0; r < 2; r++) {
        char gitdir[4400];
        fmt(gitdir, sizeof(gitdir), "%s/%s", g_seed.dir, repos[r]);
        /* No delta search: sealed files are noise to it, and at 100,000
         * documents the search alone took many minutes. */
        char *repack[] = {"git", "-C", gitdir, "repack", "-a", "-d", "-q", "--window=0", NULL};
        if (run_cmd(repack, NULL, log) != 0)
            die("git repack in %s failed", gitdir);
    }
    add_bench_user(kenes, g_seed.dir, log);
    char gitdir[4400];
    fmt(gitdir, sizeof(gitdir), "%s/documents.git", g_seed.dir);
    g_seed.docs = docs;
    g_seed.commits = count_commits(gitdir);
    g_seed.obj_bytes = (uint64_t)(kib_per_write(gitdir, 1) * 1024.0);
    printf("seed: %d documents (bench_start), packed, built in %.0f s: %s\n", docs,
           (double)(now_ns() - t0) / 1e9, g_seed.dir);
    fflush(stdout);
}

static void add_bench_user(const char *kenes, const char *data, const char *log)
{
    char *user_argv[] = {(char *)kenes, "user", "add", "--data", (char *)data, "--name",
                         BENCH_USER, "--role", "admin", "--password-stdin", NULL};
    int st = run_cmd(user_argv, BENCH_PASSWORD "\n", log);
    if (st != 0) {
        char what[128];
        describe_status(what, sizeof(what), st);
        print_log_tail(log, 10);
        die("kenes user add %s", what);
    }
}

static void kenes_round(const char *kenes, const char *dir, int nclients, int edits,
                        phase_result *r, char *version, size_t version_cap, long *reconnects)
{
    char data[4200], log_path[4200], users_log[4200];
    fmt(data, sizeof(data), "%s/data", dir);
    fmt(log_path, sizeof(log_path), "%s/serve.log", dir);
    fmt(users_log, sizeof(users_log), "%s/cli.log", dir);

    int st;
    if (g_seed.docs) {
        char *cp[] = {"cp", "-a", g_seed.dir, data, NULL};
        if (run_cmd(cp, NULL, users_log) != 0)
            die("cannot copy the seed %s to %s", g_seed.dir, data);
        goto serve;
    }
    char *init_argv[] = {(char *)kenes, "init", "--data", data, NULL};
    st = run_cmd(init_argv, NULL, users_log);
    if (st != 0) {
        char what[128];
        describe_status(what, sizeof(what), st);
        print_log_tail(users_log, 10);
        die("kenes init --data %s %s", data, what);
    }
    char *user_argv[] = {(char *)kenes, "user", "add", "--data", data, "--name", BENCH_USER,
                         "--role", "admin", "--password-stdin", NULL};
    st = run_cmd(user_argv, BENCH_PASSWORD "\n", users_log);
    if (st != 0) {
        char what[128];
        describe_status(what, sizeof(what), st);
        print_log_tail(users_log, 10);
        die("kenes user add %s", what);
    }

serve:;
    server srv;
    start_server(&srv, kenes, data, log_path, g_seed.docs ? 1800 : 30); /* a seed takes a while */
    fmt(version, version_cap, "%s", srv.version);
    char token[256];
    login(srv.port, BENCH_USER, BENCH_PASSWORD, token, sizeof(token), log_path);

    run_ctx ctx = {.port = srv.port, .token = token, .edits = edits};
    atomic_init(&ctx.next_plan, 0);
    atomic_init(&ctx.failed, 0);
    pthread_mutex_init(&ctx.err_lock, NULL);
    pthread_barrier_init(&ctx.start, NULL, (unsigned)nclients + 1);
    client *cls = calloc((size_t)nclients, sizeof(*cls));
    if (!cls)
        die("out of memory");
    for (int i = 0; i < nclients; i++) {
        cls[i].ctx = &ctx;
        conn_init(&cls[i].c, srv.port);
        int rc = pthread_create(&cls[i].thread, NULL, client_main, &cls[i]);
        if (rc != 0)
            die("pthread_create: %s", strerror(rc));
    }
    pthread_barrier_wait(&ctx.start);
    int64_t t_start = now_ns(), t_end = t_start;
    for (int i = 0; i < nclients; i++)
        pthread_join(cls[i].thread, NULL);
    if (atomic_load(&ctx.failed)) {
        print_log_tail(log_path, 20);
        die("a write failed, run stopped:\n  %s", ctx.err);
    }

    samples all = {0};
    *reconnects = 0;
    for (int i = 0; i < nclients; i++) {
        if (cls[i].t_end > t_end)
            t_end = cls[i].t_end;
        for (size_t j = 0; j < cls[i].lat.n; j++)
            samples_add(&all, cls[i].lat.v[j]);
        *reconnects += cls[i].c.reconnects;
        free(cls[i].lat.v);
        conn_free(&cls[i].c);
    }
    free(cls);
    pthread_barrier_destroy(&ctx.start);
    pthread_mutex_destroy(&ctx.err_lock);

    long want = (long)NPLANS * steps_per_plan(edits);
    if ((long)all.n != want)
        die("internal error: %zu writes recorded, %ld expected", all.n, want);
    phase_result_take(r, &all, t_start, t_end);

    stop_server(&srv);

    /* Every acknowledged write is one commit on main, and all are valid. */
    char gitdir[4300];
    fmt(gitdir, sizeof(gitdir), "%s/documents.git", data);
    long commits = count_commits(gitdir) - g_seed.commits;
    if (commits != want)
        die("%s holds %ld commits on main after %ld acknowledged writes", gitdir, commits, want);
    r->kib_per_write = kib_per_write(gitdir, want) - (double)g_seed.obj_bytes / 1024.0 / (double)want;
    if (g_seed.docs)
        return; /* verify refuses a seed's commits (bench_start.c) */
    char *verify_argv[] = {(char *)kenes, "verify", "--data", data, NULL};
    st = run_cmd(verify_argv, NULL, users_log);
    if (st != 0) {
        char what[128];
        describe_status(what, sizeof(what), st);
        print_log_tail(users_log, 20);
        die("kenes verify --data %s %s", data, what);
    }
}

/* ------------------------------------------------------------------------ */
/* raw libgit2 round                                                        */

static char *raw_file(int p, int s, size_t *len)
{
    char title[256];
    plan_title(title, sizeof(title), p);
    char *body = plan_body(p, step_revision(s));
    /* The fields as a JSON flow mapping (valid YAML), indented like block YAML. */
    json_t *fields = plan_fields(p);
    char *fj = json_dumps(fields, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(fields);
    if (!fj) {
        fprintf(stderr, "bench_writes: internal error: json_dumps\n");
        abort();
    }
    size_t cap = strlen(body) + strlen(fj) + 1024;
    char *f = xmalloc(cap);
    int n = snprintf(f, cap,
                     "---\nid: plan/%s/%d\ntype: regional-plan\nregion: %s\ntitle: %s\n"
                     "stage: %s\nfields: %s\n---\n%s",
                     plan_region(p), plan_period(p), plan_region(p), title, step_stage(s), fj,
                     body);
    free(fj);
    free(body);
    if (n < 0 || (size_t)n >= cap) {
        fprintf(stderr, "bench_writes: internal error: raw file\n");
        abort();
    }
    *len = (size_t)n;
    return f;
}

static void raw_message(char *buf, size_t cap, int p, int s)
{
    static const char *const verbs[] = {"Create", "Submit", "Return", "Edit"};
    static const char *const names[] = {"create", "submit", "return", "edit"};
    action a = step_action(s);
    char stage[64];
    if (a == ACT_CREATE || a == ACT_EDIT)
        fmt(stage, sizeof(stage), "%s", step_stage(s));
    else
        fmt(stage, sizeof(stage), "%s -> %s", step_stage(s - 1), step_stage(s));
    fmt(buf, cap,
        "%s regional plan %s %d\n\n%s"
        "Kenes-Document: plan/%s/%d\nKenes-Action: %s\nKenes-Stage: %s\nKenes-Role: admin\n",
        verbs[a], plan_region(p), plan_period(p),
        a == ACT_RETURN ? "Уточните меры и сроки.\n\n" : "", plan_region(p), plan_period(p),
        names[a], stage);
}

/* One commit, as the server's writer makes it (core/storage/store.c commit_one). */
static void raw_commit(git_repository *repo, const char *path, const char *content, size_t len,
                       const char *message)
{
    git_oid parent_id, tree_id, commit_id;
    git_commit *parent = NULL;
    git_tree *base = NULL, *tree = NULL;
    git_signature *author = NULL, *committer = NULL;
    git_reference *ref = NULL;
    git_tree_update upd = {.action = GIT_TREE_UPDATE_UPSERT, .filemode = GIT_FILEMODE_BLOB,
                           .path = path};

    int rc = git_reference_name_to_id(&parent_id, repo, "refs/heads/main");
    int has_parent = rc == 0;
    if (rc < 0 && rc != GIT_ENOTFOUND)
        git_die("reading refs/heads/main");
    if (has_parent &&
        (git_commit_lookup(&parent, repo, &parent_id) < 0 || git_commit_tree(&base, parent) < 0))
        git_die("reading the head commit");
    if (git_blob_create_from_buffer(&upd.id, repo, content, len) < 0)
        git_die("writing the blob");
    if (git_tree_create_updated(&tree_id, repo, base, 1, &upd) < 0 ||
        git_tree_lookup(&tree, repo, &tree_id) < 0)
        git_die("building the tree");
    git_time_t secs = (git_time_t)time(NULL);
    if (git_signature_new(&author, BENCH_USER, BENCH_USER "@users.kenes", secs, 0) < 0 ||
        git_signature_new(&committer, "kenes", "kenes@localhost", secs, 0) < 0)
        git_die("signature");
    const git_commit *parents[1] = {parent};
    if (git_commit_create(&commit_id, repo, NULL, author, committer, NULL, message, tree,
                          has_parent ? 1 : 0, parents) < 0)
        git_die("writing the commit");
    if (git_reference_create_matching(&ref, repo, "refs/heads/main", &commit_id, has_parent,
                                      has_parent ? &parent_id : NULL, "bench: commit") < 0)
        git_die("updating refs/heads/main");
    git_reference_free(ref);
    git_signature_free(committer);
    git_signature_free(author);
    git_tree_free(tree);
    git_tree_free(base);
    git_commit_free(parent);
}

static void raw_round(const char *dir, int edits, phase_result *r)
{
    char gitdir[4200];
    fmt(gitdir, sizeof(gitdir), "%s/raw.git", dir);
    git_repository_init_options o;
    git_repository_init_options_init(&o, GIT_REPOSITORY_INIT_OPTIONS_VERSION);
    o.flags = GIT_REPOSITORY_INIT_BARE | GIT_REPOSITORY_INIT_MKPATH;
    o.initial_head = "main";
    git_repository *repo = NULL;
    if (git_repository_init_ext(&repo, gitdir, &o) < 0)
        git_die("init");

    int steps = steps_per_plan(edits);
    samples lat = {0};
    int64_t t_start = now_ns();
    for (int p = 0; p < NPLANS; p++) {
        for (int s = 0; s < steps; s++) {
            char path[64], message[512];
            size_t len;
            fmt(path, sizeof(path), "plan/%s/%d.md", plan_region(p), plan_period(p));
            raw_message(message, sizeof(message), p, s);
            char *content = raw_file(p, s, &len);
            int64_t t0 = now_ns();
            raw_commit(repo, path, content, len, message);
            samples_add(&lat, (double)(now_ns() - t0) / 1e6);
            free(content);
        }
    }
    int64_t t_end = now_ns();
    git_repository_free(repo);

    long want = (long)NPLANS * steps;
    long commits = count_commits(gitdir);
    if (commits != want)
        die("%s holds %ld commits, %ld expected", gitdir, commits, want);
    phase_result_take(r, &lat, t_start, t_end);
    r->kib_per_write = kib_per_write(gitdir, want);
}

/* ------------------------------------------------------------------------ */
/* main                                                                     */

static double median_of(const phase_result *r, int rounds, size_t off, double *scratch)
{
    for (int i = 0; i < rounds; i++)
        memcpy(&scratch[i], (const char *)&r[i] + off, sizeof(double));
    return median(scratch, (size_t)rounds);
}

static int usage(const char *msg)
{
    if (msg)
        fprintf(stderr, "bench_writes: %s\n", msg);
    fprintf(stderr,
            "usage: bench_writes --kenes PATH/TO/kenes [--clients N] [--rounds R] [--edits E]\n"
            "                    [--seed-docs N] [--tmpdir DIR] [--nosync-dir DIR] [--keep]\n"
            "  --clients N  parallel HTTP clients, 1-%d (default 8)\n"
            "  --rounds R   rounds, each kenes then raw or raw then kenes, 1-%d (default 5)\n"
            "  --edits E    return/edit/submit cycles per plan, 0-%d (default 2): each round\n"
            "               makes %d x (2 + 3E) writes\n"
            "  --tmpdir DIR where the data folders and the raw repository go\n"
            "               (default $TMPDIR or /tmp)\n"
            "  --seed-docs N  kenes's data folder starts with N documents (built once by\n"
            "               bench_start, beside this binary; copied per round); default 0\n"
            "  --seed-from DIR  with --seed-docs N: the seed an earlier run built (--keep)\n"
            "  --nosync-dir DIR  each round also runs kenes with its data there (a tmpfs:\n"
            "               fsync off), for durable / fsync-off within the round\n"
            "  --keep       keep the temp folders\n",
            MAX_CLIENTS, MAX_ROUNDS, MAX_EDITS, NPLANS);
    return 2;
}

int main(int argc, char **argv)
{
    const char *kenes, *tmpdir;
    int nclients = 8, rounds = 5, edits = 2, seed_docs = 0;
    const int_option opts[] = {{"--clients", 1, MAX_CLIENTS, &nclients},
                               {"--rounds", 1, MAX_ROUNDS, &rounds},
                               {"--edits", 0, MAX_EDITS, &edits},
                               {"--seed-docs", 0, 1000000, &seed_docs},
                               {NULL, 0, 0, NULL}};
    /* --seed-from DIR: a seed an earlier --seed-docs run built (and --keep
     * kept: DIR is the folder its "seed:" line names), used as it is. */
    const char *seed_from = NULL, *nosync = NULL;
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], "--seed-from") == 0 || strcmp(argv[i], "--nosync-dir") == 0) {
            *(argv[i][2] == 's' ? &seed_from : &nosync) = argv[i + 1];
            memmove(&argv[i], &argv[i + 2], (size_t)(argc - i - 1) * sizeof(*argv));
            argc -= 2;
            i--;
        }
    int rc = parse_options(argc, argv, opts, &kenes, &tmpdir, usage);
    if (rc >= 0)
        return rc;
    if (seed_from && !seed_docs)
        return usage("--seed-from DIR needs --seed-docs N (how many documents it holds)");

    signal(SIGPIPE, SIG_IGN);
    if (git_libgit2_init() < 0 || git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 1) < 0)
        git_die("init");

    if (make_root(tmpdir, "kenes-bench") != 0)
        return 1;

    int major, minor, rev;
    git_libgit2_version(&major, &minor, &rev);
    int steps = steps_per_plan(edits);
    printf("bench_writes: %d client%s, %d round%s, %d edit cycle%s per plan: "
           "%d plans x %d writes = %d durable writes per round\n",
           nclients, nclients == 1 ? "" : "s", rounds, rounds == 1 ? "" : "s", edits,
           edits == 1 ? "" : "s", NPLANS, steps, NPLANS * steps);
    printf("libgit2 %d.%d.%d with GIT_OPT_ENABLE_FSYNC_GITDIR; temp folders in %s (%s)\n",
           major, minor, rev, tmpdir, fs_name(g_root));
    if (seed_from) {
        char gitdir[4400];
        fmt(g_seed.dir, sizeof(g_seed.dir), "%s", seed_from);
        fmt(gitdir, sizeof(gitdir), "%s/documents.git", g_seed.dir);
        g_seed.docs = seed_docs;
        g_seed.commits = count_commits(gitdir);
        g_seed.obj_bytes = (uint64_t)(kib_per_write(gitdir, 1) * 1024.0);
        printf("seed: %d documents, as built before: %s\n", seed_docs, g_seed.dir);
    } else if (seed_docs) {
        build_seed(argv[0], kenes, seed_docs);
    }
    char nosync_root[4200] = "";
    if (nosync) {
        fmt(nosync_root, sizeof(nosync_root), "%s/kenes-bench-nosync-XXXXXX", nosync);
        if (!mkdtemp(nosync_root))
            die("mkdtemp %s: %s", nosync_root, strerror(errno));
        printf("kenes with fsync off: data folders in %s (%s)\n", nosync, fs_name(nosync_root));
    }
    printf("kenes's data folder starts with %d documents\n\n", seed_docs);
    printf("round  order            |  kenes writes/s  p50 ms  p99 ms |  raw commits/s  p50 ms  "
           "p99 ms | kenes/raw | KiB/write kenes raw%s\n",
           nosync ? " | nosync writes/s p50 ms p99 ms | kenes/nosync" : "");
    fflush(stdout);

    phase_result *kr = calloc((size_t)rounds, sizeof(*kr));
    phase_result *rr = calloc((size_t)rounds, sizeof(*rr));
    phase_result *nr = calloc((size_t)rounds, sizeof(*nr));
    double *col = calloc((size_t)rounds, sizeof(*col));
    if (!kr || !rr || !nr || !col)
        die("out of memory");
    char version[64] = "?";
    long reconnects_total = 0;
    for (int i = 0; i < rounds; i++) {
        char dir[4200];
        fmt(dir, sizeof(dir), "%s/round-%d", g_root, i + 1);
        if (mkdir(dir, 0700) < 0)
            die("mkdir %s: %s", dir, strerror(errno));
        char ndir[4300];
        fmt(ndir, sizeof(ndir), "%s/round-%d", nosync_root, i + 1);
        if (nosync && mkdir(ndir, 0700) < 0)
            die("mkdir %s: %s", ndir, strerror(errno));
        /* Phases 0 kenes, 1 raw, 2 kenes with fsync off; each round starts
         * one further on, so no phase always runs first. */
        int nphases = nosync ? 3 : 2, first = i % nphases;
        char order[32] = "";
        for (int k = 0; k < nphases; k++) {
            int ph = (first + k) % nphases;
            long reconnects = 0;
            if (ph == 1)
                raw_round(dir, edits, &rr[i]);
            else
                kenes_round(kenes, ph ? ndir : dir, nclients, edits, ph ? &nr[i] : &kr[i],
                            version, sizeof(version), &reconnects);
            reconnects_total += reconnects;
            fmt(order + strlen(order), sizeof(order) - strlen(order), "%s%s", k ? "," : "",
                ph == 0 ? "kenes" : ph == 1 ? "raw" : "nosync");
        }
        printf("%5d  %-16s | %15.1f %7.2f %7.2f | %14.1f %7.2f %7.2f | %9.3f | %15.2f %5.2f", i + 1,
               order, kr[i].rate, kr[i].p50, kr[i].p99, rr[i].rate, rr[i].p50, rr[i].p99,
               kr[i].rate / rr[i].rate, kr[i].kib_per_write, rr[i].kib_per_write);
        if (nosync)
            printf(" | %15.1f %6.2f %6.2f | %12.3f", nr[i].rate, nr[i].p50, nr[i].p99,
                   kr[i].rate / nr[i].rate);
        printf("\n");
        fflush(stdout);
        if (!g_keep) {
            rm_tree(dir);
            if (nosync)
                rm_tree(ndir);
        }
    }

    double k_rate = median_of(kr, rounds, offsetof(phase_result, rate), col);
    double k_p50 = median_of(kr, rounds, offsetof(phase_result, p50), col);
    double k_p99 = median_of(kr, rounds, offsetof(phase_result, p99), col);
    double r_rate = median_of(rr, rounds, offsetof(phase_result, rate), col);
    double r_p50 = median_of(rr, rounds, offsetof(phase_result, p50), col);
    double r_p99 = median_of(rr, rounds, offsetof(phase_result, p99), col);
    for (int j = 0; j < rounds; j++)
        col[j] = kr[j].rate / rr[j].rate;
    double ratio = median(col, (size_t)rounds);
    printf("median                  | %15.1f %7.2f %7.2f | %14.1f %7.2f %7.2f | %9.3f\n", k_rate, k_p50,
           k_p99, r_rate, r_p50, r_p99, ratio);
    /* The spread: on a shared machine it says how far to trust the medians. */
    double lo[7] = {0}, hi[7] = {0}; /* rounds >= 1: the first round sets both */
    for (int j = 0; j < rounds; j++) {
        const double v[7] = {kr[j].rate, kr[j].p50, kr[j].p99, rr[j].rate,
                             rr[j].p50,  rr[j].p99, kr[j].rate / rr[j].rate};
        for (int k = 0; k < 7; k++) {
            if (j == 0 || v[k] < lo[k])
                lo[k] = v[k];
            if (j == 0 || v[k] > hi[k])
                hi[k] = v[k];
        }
    }
    printf("min                     | %15.1f %7.2f %7.2f | %14.1f %7.2f %7.2f | %9.3f\n", lo[0], lo[1],
           lo[2], lo[3], lo[4], lo[5], lo[6]);
    printf("max                     | %15.1f %7.2f %7.2f | %14.1f %7.2f %7.2f | %9.3f\n", hi[0], hi[1],
           hi[2], hi[3], hi[4], hi[5], hi[6]);
    printf("\nkenes %s, %d client%s: median %.1f durable writes/s (p50 %.2f ms, p99 %.2f ms); "
           "raw libgit2 with fsync: %.1f commits/s (p50 %.2f ms, p99 %.2f ms); "
           "kenes/raw %.3f\n",
           version, nclients, nclients == 1 ? "" : "s", k_rate, k_p50, k_p99, r_rate, r_p50,
           r_p99, ratio);
    if (nosync) {
        for (int j = 0; j < rounds; j++)
            col[j] = kr[j].rate / nr[j].rate;
        double nratio = median(col, (size_t)rounds);
        double lo_n = col[0], hi_n = col[0];
        for (int j = 1; j < rounds; j++) {
            lo_n = col[j] < lo_n ? col[j] : lo_n;
            hi_n = col[j] > hi_n ? col[j] : hi_n;
        }
        printf("kenes with fsync off (%s): median %.1f writes/s (p50 %.2f ms, p99 %.2f ms); "
               "kenes durable/fsync-off %.3f (min %.3f, max %.3f)\n",
               nosync, median_of(nr, rounds, offsetof(phase_result, rate), col),
               median_of(nr, rounds, offsetof(phase_result, p50), col),
               median_of(nr, rounds, offsetof(phase_result, p99), col), nratio, lo_n, hi_n);
        if (!g_keep)
            rm_tree(nosync_root);
    }
    if (reconnects_total)
        printf("note: the server closed keep-alive connections %ld times (clients reconnected)\n",
               reconnects_total);
    free(kr);
    free(rr);
    free(nr);
    free(col);
    cleanup();
    git_libgit2_shutdown();
    return 0;
}
