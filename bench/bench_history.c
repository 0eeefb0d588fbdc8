/*
 * bench_history: GET /api/v1/documents/{id}/history on a repository of
 * 100,000 commits over 10,000 documents, next to `git log -- path` on the
 * same repository, measured in the same run.
 *
 *   bench_history --kenes PATH/TO/kenes [--docs N] [--versions V] [--queries Q]
 *                 [--git-paths G] [--tmpdir DIR] [--keep]
 *
 * One run, in a fresh folder under --tmpdir (default $TMPDIR or /tmp):
 *
 *  check  The layout check.  A scratch data folder, `kenes serve`, and one
 *         regional plan created (POST) and edited (PUT) through the API by a
 *         regional official.  The file and the commit message it wrote must
 *         equal, byte for byte, what this program writes below for the same
 *         document (with the Kenes-Access-Log trailer the server appends):
 *         so the repository built below is what kenes itself would have
 *         written.
 *
 *  build  `kenes init`, `kenes user add` (an auditor), then N documents x V
 *         versions committed into DATA/documents.git, in this process,
 *         without the server, by the server's own writer (core/storage,
 *         linked from its static library: store_open, store_commit_now):
 *         each commit signed with the data folder's key (DATA/keys, an SSH
 *         signature for namespace git, as every commit kenes makes) and
 *         carrying the Kenes-Access-Log trailer with the access log's
 *         position (as DATA/access.log stands; no line yet).  Since issue 11
 *         a start judges every commit after the journal's last line by
 *         verify's rules and refuses to serve an unsigned one, so the first
 *         start below judges all N x V of them, as it would after losing the
 *         journal of a history it wrote itself.  fsync is OFF for the build
 *         (GIT_OPT_ENABLE_FSYNC_GITDIR 0: the build is set-up, not what is
 *         measured); the objects are loose, as kenes's writer leaves them.
 *         Document d is `plan/<region>/bNNNNN` (region d mod 20), file
 *         `plan/<region>/bNNNNN.md`: the front matter and body kenes writes
 *         (id, type regional-plan, region, title, stage draft, fields with a
 *         period and a measure in each direction, local_specifics).  Version
 *         0 is its create, versions 1..V-1 are edits (each changes the body);
 *         every commit carries the trailers kenes writes (Kenes-Document,
 *         Kenes-Action create|edit, Kenes-Stage: draft, Kenes-Role:
 *         regional-official), author official-<region>, committer kenes.
 *         They are interleaved: V rounds, each over all N documents in a new
 *         random order, so a document's versions are spread over the whole
 *         history.  Commit i is dated 2026-01-01 + 30 s x i.
 *
 *  kenes  `kenes serve --listen 127.0.0.1:0` on that folder.  The first start
 *         has no history journal yet: it walks git, judges every commit
 *         (signature, trailers, workflow) and writes
 *         DATA/index/documents.jsonl.  Start-up = from fork to the
 *         "listening" line.  Then, as the auditor on one keep-alive
 *         connection, Q history requests for documents drawn at random
 *         (uniform, fixed seed), one after another; latency from the first
 *         byte sent to the last byte of the answer.  Every answer must be
 *         200 with the document's V versions, newest first, naming exactly
 *         the commits built for it.  SIGTERM (exit code 0 expected), then a
 *         second start, which reads the journal, and the same Q requests.
 *
 *  git    `git rev-list --count main` must be N x V.  `git log --format=%H
 *         -- <path>` for G of the documents (wall time of each, from fork to
 *         exit; its output must be the document's V commits) on the loose
 *         objects, as kenes leaves the repository.
 *
 *  pack   `git repack -a -d` (what `git gc` would do, without its
 *         commit-graph), then a third start of kenes (journal read) with the
 *         same Q requests, the same G `git log` on the packed repository,
 *         `git commit-graph write --reachable --changed-paths`, and the same
 *         G `git log` once more.
 *
 * Everything runs one after another on a warm page cache (the build has just
 * written the objects); nothing is timed in parallel with anything else.
 * After the build and after the repack, syncfs() flushes the file system, so
 * that no writeback of the build runs under a measurement.
 *
 * Build (see BENCHMARKS.md; it includes bench/bench_common.h and links the
 * core's static libraries from a Release build in B, e.g. B=build-rel):
 *   cc -O2 -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Icore -Icore/include \
 *      bench/bench_history.c $B/core/audit/libkenes_audit.a \
 *      $B/core/storage/libkenes_storage.a $B/core/base/libkenes_base.a -o $B/bench_history \
 *      $(pkg-config --cflags --libs libgit2 jansson libuv libsodium yaml-0.1) \
 *      -lhttp_parser -lpthread
 */

#define BENCH_NAME "bench_history"
#include "bench_common.h" /* helpers, server, HTTP client */

/* The core's own pieces, from its static libraries: the writer and the
 * signer make the build's commits, the access log names their anchor. */
#include "audit/accesslog.h"
#include "audit/checkpoint.h"
#include "base/error.h"
#include "storage/sign.h"
#include "storage/store.h"
#include "storage/store_internal.h" /* store_git_ready: libgit2 as the server sets it up */

enum {
    DEFAULT_DOCS = 10000,
    DEFAULT_VERSIONS = 10,
    DEFAULT_QUERIES = 1000,
    DEFAULT_GIT_PATHS = 5,
    MAX_DOCS = 100000,
    MAX_VERSIONS = 1000,
    MAX_QUERIES = 1000000,
    MAX_GIT_PATHS = 100,
    MAX_COMMITS = 2000000,
    START_TIMEOUT_S = 3600,
    FIRST_PERIOD = 2026,
    NPERIODS = 5,
};

#define AUDITOR "auditor"
#define AUDITOR_PASSWORD "auditor-password-2026"
#define OFFICIAL_PASSWORD "official-password-2026"
#define ROLE "regional-official"
#define COMMITTER_NAME "kenes"     /* kenes.yaml's defaults, as kenes init writes them */
#define COMMITTER_EMAIL "kenes@localhost"
#define FIRST_COMMIT_TIME 1767225600 /* 2026-01-01T00:00:00Z */
#define COMMIT_STEP_S 30
#define SEED 0x6b656e6573ULL /* "kenes" */

/* ------------------------------------------------------------------------ */
/* The documents                                                            */

static const char *doc_region(int d) { return REGIONS[d % NREGIONS]; }
static int doc_period(int d) { return FIRST_PERIOD + (d / NREGIONS) % NPERIODS; }

static void doc_id(char *buf, size_t cap, int d)
{
    fmt(buf, cap, "plan/%s/b%05d", doc_region(d), d);
}

/* "official-kz-11": the regional official of a region, author of its plans. */
static void official_of(char *buf, size_t cap, const char *region)
{
    fmt(buf, cap, "official-%s", region);
    for (char *p = buf; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
}

static void doc_title(char *buf, size_t cap, const char *region, int period)
{
    fmt(buf, cap, "План мероприятий %s на %d год", region, period);
}

/* The Markdown body at version v (0: as created): the first eight measures
 * bench_common.h lists, about 1.5 KiB, mostly Cyrillic; every version
 * differs, so every edit is a commit. */
static char *doc_body(const char *region, int period, int v)
{
    return plan_body_text(region, period, v, 8);
}

/* One measure as the request's JSON and as the YAML kenes writes for it. */
typedef struct {
    const char *title, *direction, *lead_agency, *co_executor, *deadline_fmt, *source;
    long amount_kzt;
    const char *indicator;
} measure;

static const measure MEASURES[] = {
    {"Службы примирения в школах", "safety", "Управление образования области",
     "Департамент полиции", "%d-Q2", "местный бюджет", 12500000, "Доля школ с мерой, %"},
    {"Обучение педагогов профилактике буллинга", "education", "Управление образования области",
     "Управление здравоохранения", "%d-09-01", "не требуется", 0, "Доля педагогов, %"},
    {"Школьные психологи и супервизия", "health", "Управление здравоохранения",
     "Управление образования области", "%d-Q3", "местный бюджет", 4000000,
     "Доля школ с психологом, %"},
    {"Сопровождение семей в трудной ситуации", "family-social-protection",
     "Управление координации занятости и социальных программ", "Департамент полиции", "%d-Q4",
     "не требуется", 0, "Доля семей на сопровождении, %"},
};
#define NMEASURES ((int)(sizeof(MEASURES) / sizeof(MEASURES[0])))
#define LOCAL_SPECIFICS                                                                            \
    "Сельские районы далеко от центров помощи, поэтому работают выездные бригады."

/* The fields as the create request sends them. */
static json_t *doc_fields_json(int period)
{
    json_t *list = json_array();
    for (int i = 0; i < NMEASURES; i++) {
        const measure *m = &MEASURES[i];
        char deadline[32];
        fmt(deadline, sizeof(deadline), m->deadline_fmt, period);
        json_array_append_new(
            list, json_pack("{s:s, s:s, s:s, s:[s], s:s, s:{s:s, s:I}, s:s, s:i, s:i}", "title",
                            m->title, "direction", m->direction, "lead_agency", m->lead_agency,
                            "co_executors", m->co_executor, "deadline", deadline, "funding",
                            "source", m->source, "amount_kzt", (json_int_t)m->amount_kzt,
                            "indicator", m->indicator, "baseline", 40, "target", 90));
    }
    json_t *f = json_pack("{s:i, s:o, s:s}", "period", period, "measures", list,
                          "local_specifics", LOCAL_SPECIFICS);
    if (!f) {
        fprintf(stderr, BENCH_NAME ": internal error: fields\n");
        abort();
    }
    return f;
}

/* The file kenes writes for the document at version v, in its layout (the
 * layout check compares the two): front matter through libyaml's emitter in
 * block style, then the body. */
static size_t doc_file(char *buf, size_t cap, const char *id, const char *region, int period,
                       int v)
{
    char title[256];
    doc_title(title, sizeof(title), region, period);
    size_t len = 0;
#define PUT(...)                                                                                   \
    do {                                                                                           \
        int n_ = snprintf(buf + len, cap - len, __VA_ARGS__);                                      \
        if (n_ < 0 || (size_t)n_ >= cap - len) {                                                   \
            fprintf(stderr, BENCH_NAME ": internal error: file buffer\n");                         \
            abort();                                                                               \
        }                                                                                          \
        len += (size_t)n_;                                                                         \
    } while (0)
    PUT("---\nid: %s\ntype: regional-plan\nregion: %s\ntitle: %s\nstage: draft\n"
        "fields:\n  period: %d\n  measures:\n",
        id, region, title, period);
    for (int i = 0; i < NMEASURES; i++) {
        const measure *m = &MEASURES[i];
        char deadline[32];
        fmt(deadline, sizeof(deadline), m->deadline_fmt, period);
        PUT("  - title: %s\n    direction: %s\n    lead_agency: %s\n    co_executors:\n"
            "    - %s\n    deadline: \"%s\"\n    funding:\n      source: %s\n"
            "      amount_kzt: %ld\n    indicator: %s\n    baseline: 40\n    target: 90\n",
            m->title, m->direction, m->lead_agency, m->co_executor, deadline, m->source,
            m->amount_kzt, m->indicator);
    }
    char *body = doc_body(region, period, v);
    PUT("  local_specifics: %s\n---\n%s", LOCAL_SPECIFICS, body);
    free(body);
#undef PUT
    return len;
}

/* The commit message kenes writes for a create (v = 0) or an edit. */
static void doc_message(char *buf, size_t cap, const char *id, int v)
{
    /* "plan/KZ-11/b00042" -> "KZ-11 b00042": the id without its type prefix. */
    char what[256];
    fmt(what, sizeof(what), "%s", strchr(id, '/') + 1);
    for (char *p = what; *p; p++)
        if (*p == '/')
            *p = ' ';
    fmt(buf, cap,
        "%s regional plan %s\n\nKenes-Document: %s\nKenes-Action: %s\nKenes-Stage: draft\n"
        "Kenes-Role: " ROLE "\n",
        v == 0 ? "Create" : "Edit", what, id, v == 0 ? "create" : "edit");
}

/* ------------------------------------------------------------------------ */
/* Small things                                                             */

static uint64_t g_rng = SEED;

static uint64_t rng_next(void)
{
    /* xorshift64* */
    g_rng ^= g_rng >> 12;
    g_rng ^= g_rng << 25;
    g_rng ^= g_rng >> 27;
    return g_rng * 0x2545F4914F6CDD1DULL;
}

static int rng_below(int n) { return (int)(rng_next() % (uint64_t)n); }

static void run_or_die(char *const argv[], const char *stdin_text, const char *log_path)
{
    int st = run_cmd(argv, stdin_text, log_path);
    if (st != 0) {
        char what[128];
        describe_status(what, sizeof(what), st);
        print_log_tail(log_path, 20);
        die("%s %s %s", argv[0], argv[1], what);
    }
}

/* The server's resident memory, in MiB, or -1. */
static double rss_mib(pid_t pid)
{
    char path[64], line[256];
    fmt(path, sizeof(path), "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    double kib = -1;
    while (f && fgets(line, sizeof(line), f))
        if (sscanf(line, "VmRSS: %lf kB", &kib) == 1)
            break;
    if (f)
        fclose(f);
    return kib < 0 ? -1 : kib / 1024;
}

static long count_lines(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    long n = 0;
    int c;
    while ((c = getc(f)) != EOF)
        n += c == '\n';
    fclose(f);
    return n;
}

static void keep_last_hash(size_t lineno, const char hash[65], void *payload)
{
    (void)lineno;
    memcpy(payload, hash, 65);
}

/* "Kenes-Access-Log: <lines> <head>": DATA/access.log as it stands, its
 * whole lines and the hash of the last, which a server started on data puts
 * in every commit it makes (core/audit/anchor.c). */
static void access_log_trailer(char *out, size_t cap, const char *data)
{
    char path[4200], head[65] = ALOG_GENESIS, err[256];
    size_t lines = 0;
    fmt(path, sizeof(path), "%s/access.log", data);
    long bad = alog_scan_file(path, &lines, keep_last_hash, head, err, sizeof(err));
    if (bad != 0)
        die("%s: %s", path, err);
    fmt(out, cap, "%s: %zu %s", CKPT_TRAILER, lines, head);
}

/* Runs a git command whose output does not matter; returns its wall time in
 * seconds, or stops the run if it fails. */
static double run_timed(char *const argv[], const char *log_path)
{
    char *out;
    size_t len;
    int64_t t0 = now_ns();
    int st = run_capture(argv, &out, &len, log_path);
    double secs = (double)(now_ns() - t0) / 1e9;
    if (st != 0) {
        char what[128];
        describe_status(what, sizeof(what), st);
        print_log_tail(log_path, 10);
        die("%s %s %s", argv[0], argv[3], what);
    }
    free(out);
    return secs;
}

/* Flushes the file system holding dir; returns the seconds it took. */
static double flush_fs(const char *dir)
{
    int64_t t0 = now_ns();
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || syncfs(fd) < 0)
        die("syncfs %s: %s", dir, strerror(errno));
    close(fd);
    return (double)(now_ns() - t0) / 1e9;
}

/* ------------------------------------------------------------------------ */
/* The layout check: what kenes writes for one plan, created and edited     */

static void read_blob_at(git_repository *repo, const char *rev, const char *path, char **text,
                         size_t *len, char *msg, size_t msg_cap, char *author, size_t author_cap)
{
    git_object *obj = NULL;
    git_commit *c = NULL;
    git_tree *tree = NULL;
    git_tree_entry *e = NULL;
    git_blob *blob = NULL;
    if (git_revparse_single(&obj, repo, rev) < 0 ||
        git_commit_lookup(&c, repo, git_object_id(obj)) < 0 || git_commit_tree(&tree, c) < 0 ||
        git_tree_entry_bypath(&e, tree, path) < 0 ||
        git_blob_lookup(&blob, repo, git_tree_entry_id(e)) < 0)
        git_die("reading the scratch repository");
    *len = (size_t)git_blob_rawsize(blob);
    *text = xmalloc(*len + 1);
    memcpy(*text, git_blob_rawcontent(blob), *len);
    (*text)[*len] = '\0';
    fmt(msg, msg_cap, "%s", git_commit_message(c));
    const git_signature *a = git_commit_author(c), *k = git_commit_committer(c);
    fmt(author, author_cap, "%s <%s> / %s <%s>", a->name, a->email, k->name, k->email);
    git_blob_free(blob);
    git_tree_entry_free(e);
    git_tree_free(tree);
    git_commit_free(c);
    git_object_free(obj);
}

static void expect_same(const char *what, const char *want, size_t want_len, const char *got,
                        size_t got_len)
{
    if (want_len == got_len && memcmp(want, got, want_len) == 0)
        return;
    size_t i = 0;
    while (i < want_len && i < got_len && want[i] == got[i])
        i++;
    size_t from = i > 80 ? i - 80 : 0;
    die("layout check: %s differs from what kenes wrote at byte %zu:\n"
        "--- this program ---\n%.*s\n--- kenes ---\n%.*s\n---",
        what, i, (int)(want_len - from < 240 ? want_len - from : 240), want + from,
        (int)(got_len - from < 240 ? got_len - from : 240), got + from);
}

static void layout_check(const char *kenes, const char *dir, char *version, size_t version_cap)
{
    const char *region = "KZ-11";
    const int period = 2026;
    char data[4200], log_path[4200], cli_log[4200], official[64];
    fmt(data, sizeof(data), "%s/data", dir);
    fmt(log_path, sizeof(log_path), "%s/serve.log", dir);
    fmt(cli_log, sizeof(cli_log), "%s/cli.log", dir);
    official_of(official, sizeof(official), region);

    char *init_argv[] = {(char *)kenes, "init", "--data", data, NULL};
    run_or_die(init_argv, NULL, cli_log);
    char *user_argv[] = {(char *)kenes, "user", "add", "--data", data, "--name", official,
                         "--role", ROLE, "--region", (char *)region, "--password-stdin", NULL};
    run_or_die(user_argv, OFFICIAL_PASSWORD "\n", cli_log);

    server srv;
    start_server(&srv, kenes, data, log_path, 60);
    fmt(version, version_cap, "%s", srv.version);
    char token[256], err[4096], title[256], etag[128];
    login(srv.port, official, OFFICIAL_PASSWORD, token, sizeof(token), log_path);
    doc_title(title, sizeof(title), region, period);

    conn c;
    conn_init(&c, srv.port);
    double ms;
    for (int v = 0; v < 2; v++) {
        char *body = doc_body(region, period, v);
        json_t *req = v == 0 ? json_pack("{s:s, s:s, s:s, s:s, s:o}", "type", "regional-plan",
                                         "region", region, "title", title, "body", body,
                                         "fields", doc_fields_json(period))
                             : json_pack("{s:s}", "body", body);
        free(body);
        char *json = json_dumps(req, JSON_COMPACT);
        json_decref(req);
        char path[128];
        fmt(path, sizeof(path), "/api/v1/documents%s", v == 0 ? "" : "/plan/KZ-11/2026");
        int st = conn_request(&c, v == 0 ? "POST" : "PUT", path, token, v == 0 ? NULL : etag,
                              json, &ms, err, sizeof(err));
        free(json);
        if (st != (v == 0 ? 201 : 200)) {
            print_log_tail(log_path, 20);
            die("layout check: %s %s: %s%d %.2000s", v == 0 ? "POST" : "PUT", path,
                st < 0 ? err : "status ", st, st < 0 ? "" : c.body);
        }
        fmt(etag, sizeof(etag), "%s", c.etag);
    }
    conn_free(&c);
    stop_server(&srv);

    char gitdir[4300];
    fmt(gitdir, sizeof(gitdir), "%s/documents.git", data);
    /* The server appended the access log's position to each message; the
     * log takes no line here (a plan is no confidential read), so both
     * commits carry the one it stands at now. */
    char trailer[256];
    access_log_trailer(trailer, sizeof(trailer), data);
    git_repository *repo = NULL;
    if (git_repository_open_bare(&repo, gitdir) < 0)
        git_die("opening the scratch repository");
    const char *id = "plan/KZ-11/2026";
    for (int v = 0; v < 2; v++) {
        char *got, msg[1024], who[512], want_msg[1024], want_who[512];
        size_t got_len;
        read_blob_at(repo, v == 0 ? "main~1" : "main", "plan/KZ-11/2026.md", &got, &got_len, msg,
                     sizeof(msg), who, sizeof(who));
        size_t cap = 16384;
        char *want = xmalloc(cap);
        size_t want_len = doc_file(want, cap, id, region, period, v);
        expect_same(v == 0 ? "the file after the create" : "the file after the edit", want,
                    want_len, got, got_len);
        doc_message(want_msg, sizeof(want_msg), id, v);
        size_t n = strlen(want_msg);
        fmt(want_msg + n, sizeof(want_msg) - n, "%s\n", trailer);
        expect_same(v == 0 ? "the create's commit message" : "the edit's commit message",
                    want_msg, strlen(want_msg), msg, strlen(msg));
        fmt(want_who, sizeof(want_who),
            "%s <%s@users.kenes> / " COMMITTER_NAME " <" COMMITTER_EMAIL ">", official, official);
        expect_same("author / committer", want_who, strlen(want_who), who, strlen(who));
        free(want);
        free(got);
    }
    git_repository_free(repo);
}

/* ------------------------------------------------------------------------ */
/* The build                                                                */

typedef struct {
    int docs, versions;
    git_oid *commits; /* [d * versions + v] */
    double secs;
} built;

static int build_trailer(char *out, size_t cap, void *payload)
{
    int n = snprintf(out, cap, "%s", (const char *)payload);
    return n < 0 || (size_t)n >= cap ? KENES_EIO : 0;
}

/* The commits, made by the server's own writer (core/storage: store_open,
 * store_commit_now), signed with the data folder's key and anchored in its
 * access log as a server started on it would: so the first start judges
 * them by verify's rules and accepts them, as it would a history it wrote. */
static void build(const char *data, const char *gitdir, built *b)
{
    char keys[4200], trailer[256], err[512];
    fmt(keys, sizeof(keys), "%s/keys", data);
    access_log_trailer(trailer, sizeof(trailer), data);
    uv_loop_t loop;
    store *s = NULL;
    signer *sig = NULL;
    int rc;
    if (uv_loop_init(&loop) < 0)
        die("uv_loop_init failed");
    if ((rc = store_open(&s, &loop, gitdir, COMMITTER_NAME, COMMITTER_EMAIL)) < 0)
        die("opening %s: %s", gitdir, kenes_strerror(rc));
    if (sign_open(&sig, keys, err, sizeof(err)) < 0)
        die("%s", err);
    if ((rc = store_set_signer(s, sig)) < 0 ||
        (rc = store_set_anchor(s, build_trailer, NULL, trailer)) < 0)
        die("setting up the writer: %s", kenes_strerror(rc));

    int docs = b->docs, versions = b->versions;
    int *order = xmalloc((size_t)docs * sizeof(*order));
    for (int d = 0; d < docs; d++)
        order[d] = d;
    size_t cap = 16384;
    char *content = xmalloc(cap);
    long i = 0, total = (long)docs * versions;
    int64_t t0 = now_ns(), next_report = t0 + 10 * (int64_t)1000000000;

    for (int v = 0; v < versions; v++) {
        /* A new random order per round (Fisher-Yates). */
        for (int k = docs - 1; k > 0; k--) {
            int j = rng_below(k + 1), t = order[k];
            order[k] = order[j];
            order[j] = t;
        }
        for (int k = 0; k < docs; k++, i++) {
            int d = order[k];
            char id[64], path[80], message[512], official[64], email[128];
            doc_id(id, sizeof(id), d);
            fmt(path, sizeof(path), "%s.md", id);
            official_of(official, sizeof(official), doc_region(d));
            fmt(email, sizeof(email), "%s@users.kenes", official);
            doc_message(message, sizeof(message), id, v);
            store_write w = {
                .path = path,
                .content = content,
                .content_len = doc_file(content, cap, id, doc_region(d), doc_period(d), v),
                .author_name = official,
                .author_email = email,
                .message = message,
                .time_ms = ((int64_t)FIRST_COMMIT_TIME + (int64_t)i * COMMIT_STEP_S) * 1000,
            };
            if (store_commit_now(s, &w) < 0)
                die("commit %ld of %ld: %s", i + 1, total, w.errmsg);
            git_oid *made = &b->commits[(size_t)d * (size_t)versions + (size_t)v];
            if (git_oid_fromstr(made, w.commit) < 0)
                git_die("the new commit's id");

            int64_t now = now_ns();
            if (now > next_report) {
                fprintf(stderr, BENCH_NAME ": build: %ld of %ld commits, %.0f s\n", i + 1, total,
                        (double)(now - t0) / 1e9);
                next_report = now + 10 * (int64_t)1000000000;
            }
        }
    }
    b->secs = (double)(now_ns() - t0) / 1e9;
    store_close(s);
    uv_run(&loop, UV_RUN_DEFAULT);
    if (uv_loop_close(&loop) < 0)
        die("the writer's loop did not close");
    sign_free(sig);
    free(content);
    free(order);
}

/* ------------------------------------------------------------------------ */
/* kenes                                                                    */

typedef struct {
    double start_s; /* fork to the "listening" line */
    double rss_mib; /* resident memory right after start-up */
    double p50, p99, max, mean;
} kenes_result;

/* Checks one history answer against what the build wrote for document d. */
static void check_history(const conn *c, int d, const built *b, const char *id)
{
    json_error_t jerr;
    json_t *j = json_loadb(c->body, c->body_len, 0, &jerr);
    json_t *list = json_object_get(j, "versions");
    const char *got_id = json_string_value(json_object_get(j, "id"));
    char official[64];
    official_of(official, sizeof(official), doc_region(d));
    const char *problem = !j                                 ? "the body is not JSON"
                          : !got_id || strcmp(got_id, id)    ? "another id"
                          : !json_is_array(list)             ? "no versions"
                          : (int)json_array_size(list) != b->versions ? "not the versions built"
                                                                      : NULL;
    for (int i = 0; !problem && i < b->versions; i++) {
        /* Newest first: entry i is version versions-1-i. */
        int v = b->versions - 1 - i;
        json_t *e = json_array_get(list, (size_t)i);
        char want[GIT_OID_HEXSZ + 1];
        git_oid_tostr(want, sizeof(want), &b->commits[(size_t)d * (size_t)b->versions + (size_t)v]);
        const char *commit = json_string_value(json_object_get(e, "commit"));
        const char *action = json_string_value(json_object_get(e, "action"));
        const char *to = json_string_value(json_object_get(e, "to"));
        const char *author = json_string_value(json_object_get(e, "author"));
        const char *role = json_string_value(json_object_get(e, "role"));
        if (!commit || strcmp(commit, want))
            problem = "a commit that is not the document's (or out of order)";
        else if (!action || strcmp(action, v == 0 ? "create" : "edit"))
            problem = "a wrong action";
        else if (!to || strcmp(to, "draft") || !json_is_null(json_object_get(e, "from")))
            problem = "a wrong stage";
        else if (!author || strcmp(author, official) || !role || strcmp(role, ROLE))
            problem = "a wrong author or role";
    }
    if (problem)
        die("GET /api/v1/documents/%s/history: %s: %.3000s", id, problem, c->body);
    json_decref(j);
}

static void kenes_phase(const char *kenes, const char *data, const char *log_path,
                        const int *queries, int nqueries, const built *b, kenes_result *r)
{
    server srv;
    int64_t t0 = now_ns();
    start_server(&srv, kenes, data, log_path, START_TIMEOUT_S);
    r->start_s = (double)(now_ns() - t0) / 1e9;
    r->rss_mib = rss_mib(srv.pid);

    char token[256], err[4096];
    login(srv.port, AUDITOR, AUDITOR_PASSWORD, token, sizeof(token), log_path);
    conn c;
    conn_init(&c, srv.port);
    samples lat = {0};
    double sum = 0;
    for (int q = 0; q < nqueries; q++) {
        int d = queries[q];
        char id[64], path[160];
        doc_id(id, sizeof(id), d);
        fmt(path, sizeof(path), "/api/v1/documents/%s/history", id);
        double ms = 0;
        int st = conn_request(&c, "GET", path, token, NULL, NULL, &ms, err, sizeof(err));
        if (st != 200) {
            print_log_tail(log_path, 20);
            if (st < 0)
                die("%s", err);
            die("GET %s: expected 200, got %d: %.2000s", path, st, c.body);
        }
        samples_add(&lat, ms);
        sum += ms;
        check_history(&c, d, b, id);
    }
    if (c.reconnects)
        die("the server closed the keep-alive connection %ld times", c.reconnects);
    conn_free(&c);
    stop_server(&srv);
    r->p50 = percentile(&lat, 0.50);
    r->p99 = percentile(&lat, 0.99);
    r->max = lat.v[lat.n - 1];
    r->mean = sum / (double)nqueries;
    free(lat.v);
}

/* ------------------------------------------------------------------------ */
/* git                                                                      */

typedef struct {
    double *ms;
    double median, min, max;
} git_result;

static void git_log_phase(const char *gitdir, const int *paths, int npaths, const built *b,
                          const char *log_path, int want_graph, git_result *r)
{
    char graph[4400], graphs[4400];
    fmt(graph, sizeof(graph), "%s/objects/info/commit-graph", gitdir);
    fmt(graphs, sizeof(graphs), "%s/objects/info/commit-graphs", gitdir);
    int has_graph = access(graph, F_OK) == 0 || access(graphs, F_OK) == 0;
    if (has_graph != want_graph)
        die("%s: %s a commit-graph", gitdir, has_graph ? "unexpectedly has" : "lacks");
    for (int i = 0; i < npaths; i++) {
        int d = paths[i];
        char id[64], path[80];
        doc_id(id, sizeof(id), d);
        fmt(path, sizeof(path), "%s.md", id);
        char *argv[] = {"git", "-C", (char *)gitdir, "log", "--format=%H", "--", path, NULL};
        char *out;
        size_t len;
        int64_t t0 = now_ns();
        int st = run_capture(argv, &out, &len, log_path);
        r->ms[i] = (double)(now_ns() - t0) / 1e6;
        if (st != 0) {
            char what[128];
            describe_status(what, sizeof(what), st);
            print_log_tail(log_path, 10);
            die("git log -- %s %s", path, what);
        }
        /* Its answer: the document's commits, newest first. */
        size_t want_len = (size_t)b->versions * (GIT_OID_HEXSZ + 1);
        char *want = xmalloc(want_len + 1), *p = want;
        for (int v = b->versions - 1; v >= 0; v--) {
            git_oid_tostr(p, GIT_OID_HEXSZ + 1,
                          &b->commits[(size_t)d * (size_t)b->versions + (size_t)v]);
            p[GIT_OID_HEXSZ] = '\n';
            p += GIT_OID_HEXSZ + 1;
        }
        if (len != want_len || memcmp(out, want, want_len) != 0)
            die("git log -- %s printed other commits than the document's %d:\n%.2000s", path,
                b->versions, out);
        free(want);
        free(out);
    }
    r->median = median(r->ms, (size_t)npaths);
    r->min = r->max = r->ms[0];
    for (int i = 1; i < npaths; i++) {
        if (r->ms[i] < r->min)
            r->min = r->ms[i];
        if (r->ms[i] > r->max)
            r->max = r->ms[i];
    }
}

/* ------------------------------------------------------------------------ */
/* main                                                                     */

static int usage(const char *msg)
{
    if (msg)
        fprintf(stderr, BENCH_NAME ": %s\n", msg);
    fprintf(stderr,
            "usage: bench_history --kenes PATH/TO/kenes [--docs N] [--versions V] [--queries Q]\n"
            "                     [--git-paths G] [--tmpdir DIR] [--keep]\n"
            "  --docs N       documents, 1-%d (default %d)\n"
            "  --versions V   versions of each (a create and V-1 edits), 1-%d (default %d);\n"
            "                 N x V commits, at most %d\n"
            "  --queries Q    history requests per start of the server, 1-%d (default %d)\n"
            "  --git-paths G  documents asked of git log, before and after the commit-graph,\n"
            "                 1-%d (default %d)\n"
            "  --tmpdir DIR   where the data folders go (default $TMPDIR or /tmp)\n"
            "  --keep         keep the temp folders\n",
            MAX_DOCS, DEFAULT_DOCS, MAX_VERSIONS, DEFAULT_VERSIONS, MAX_COMMITS, MAX_QUERIES,
            DEFAULT_QUERIES, MAX_GIT_PATHS, DEFAULT_GIT_PATHS);
    return 2;
}

int main(int argc, char **argv)
{
    const char *kenes, *tmpdir;
    int docs = DEFAULT_DOCS, versions = DEFAULT_VERSIONS, nqueries = DEFAULT_QUERIES,
        npaths = DEFAULT_GIT_PATHS;
    const int_option opts[] = {{"--docs", 1, MAX_DOCS, &docs},
                               {"--versions", 1, MAX_VERSIONS, &versions},
                               {"--queries", 1, MAX_QUERIES, &nqueries},
                               {"--git-paths", 1, MAX_GIT_PATHS, &npaths},
                               {NULL, 0, 0, NULL}};
    int rc = parse_options(argc, argv, opts, &kenes, &tmpdir, usage);
    if (rc >= 0)
        return rc;
    if ((long)docs * versions > MAX_COMMITS)
        return usage("--docs x --versions may be at most 2000000 commits");
    if (npaths > docs)
        npaths = docs;

    signal(SIGPIPE, SIG_IGN);
    /* The build is set-up, not what is measured: no fsync, and no checks
     * that what a new tree or commit names exists (this process wrote it).
     * The store's one-time libgit2 set-up (which turns fsync on, as the
     * server needs) runs first, so that these hold: a repository reads the
     * fsync option when it opens its refs, at store_open. */
    if (store_git_ready() < 0 || git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 0) < 0 ||
        git_libgit2_opts(GIT_OPT_ENABLE_STRICT_OBJECT_CREATION, 0) < 0)
        git_die("init");

    if (make_root(tmpdir, "kenes-bench-history") != 0)
        return 1;
    char check_dir[4200], data[4200], gitdir[4300], cli_log[4200], serve_log[4200],
        git_log[4200], journal[4300];
    fmt(check_dir, sizeof(check_dir), "%s/layout-check", g_root);
    fmt(data, sizeof(data), "%s/data", g_root);
    fmt(gitdir, sizeof(gitdir), "%s/documents.git", data);
    fmt(cli_log, sizeof(cli_log), "%s/cli.log", g_root);
    fmt(serve_log, sizeof(serve_log), "%s/serve.log", g_root);
    fmt(git_log, sizeof(git_log), "%s/git.log", g_root);
    fmt(journal, sizeof(journal), "%s/index/documents.jsonl", data);
    if (mkdir(check_dir, 0700) < 0)
        die("mkdir %s: %s", check_dir, strerror(errno));

    long total = (long)docs * versions;
    int major, minor, rev;
    git_libgit2_version(&major, &minor, &rev);
    char git_version[128] = "git ?";
    {
        char *argv_v[] = {"git", "--version", NULL}, *out;
        size_t len;
        if (run_capture(argv_v, &out, &len, git_log) == 0) {
            fmt(git_version, sizeof(git_version), "%.*s", (int)strcspn(out, "\n"), out);
            free(out);
        }
    }

    /* 1. The layout check. */
    char version[64] = "?";
    layout_check(kenes, check_dir, version, sizeof(version));
    if (!g_keep)
        rm_tree(check_dir);

    printf("bench_history: %d documents x %d versions = %ld commits; %d history requests per "
           "start; git log on %d paths\n",
           docs, versions, total, nqueries, npaths);
    printf("kenes %s, libgit2 %d.%d.%d, %s; temp folders in %s (%s)\n", version, major, minor,
           rev, git_version, tmpdir, fs_name(g_root));
    printf("layout check: a plan created and edited through kenes %s matches, byte for byte, "
           "the files and commit messages written below\n\n",
           version);
    fflush(stdout);

    /* 2. The build. */
    char *init_argv[] = {(char *)kenes, "init", "--data", data, NULL};
    run_or_die(init_argv, NULL, cli_log);
    char *user_argv[] = {(char *)kenes, "user", "add", "--data", data, "--name", AUDITOR,
                         "--role", AUDITOR, "--password-stdin", NULL};
    run_or_die(user_argv, AUDITOR_PASSWORD "\n", cli_log);
    built b = {.docs = docs, .versions = versions};
    b.commits = calloc((size_t)total, sizeof(*b.commits));
    if (!b.commits)
        die("out of memory");
    build(data, gitdir, &b);
    long commits = count_commits(gitdir);
    if (commits != total)
        die("%s holds %ld commits on main, %ld built", gitdir, commits, total);
    double repo_mib = (double)disk_usage(gitdir) / (1024.0 * 1024.0);
    double flush_s = flush_fs(gitdir);
    printf("build (kenes's writer in this process, signed, fsync off, loose objects): %ld "
           "commits in %.1f s (%.0f commits/s); documents.git %.0f MiB\n",
           total, b.secs, (double)total / b.secs, repo_mib);
    fflush(stdout);

    /* The documents asked: uniform at random (fixed seed); git log asks the
     * first distinct ones. */
    int *queries = xmalloc((size_t)nqueries * sizeof(*queries));
    for (int q = 0; q < nqueries; q++)
        queries[q] = rng_below(docs);
    int *paths = xmalloc((size_t)npaths * sizeof(*paths));
    for (int i = 0; i < npaths;) {
        int d = rng_below(docs), dup = 0;
        for (int j = 0; j < i; j++)
            dup |= paths[j] == d;
        if (!dup)
            paths[i++] = d;
    }

    /* 3. kenes on the loose repository: the first start builds the journal
     * from git, the second reads it. */
    kenes_result k[3];
    kenes_phase(kenes, data, serve_log, queries, nqueries, &b, &k[0]);
    long journal_lines = count_lines(journal);
    if (journal_lines != total)
        die("%s has %ld lines after the first start, %ld expected", journal, journal_lines, total);
    double journal_mib = (double)disk_usage(journal) / (1024.0 * 1024.0);
    kenes_phase(kenes, data, serve_log, queries, nqueries, &b, &k[1]);

    /* 4. git log on the loose repository. */
    char *count_argv[] = {"git", "-C", gitdir, "rev-list", "--count", "main", NULL};
    char *out;
    size_t out_len;
    int st = run_capture(count_argv, &out, &out_len, git_log);
    if (st != 0 || atol(out) != total)
        die("git rev-list --count main: %s (expected %ld)", st == 0 ? out : "failed", total);
    free(out);
    git_result g[3];
    for (int i = 0; i < 3; i++)
        g[i].ms = xmalloc((size_t)npaths * sizeof(double));
    git_log_phase(gitdir, paths, npaths, &b, git_log, 0, &g[0]);

    /* 5. Packed: git repack -a -d, kenes's third start, git log, then with
     * the commit-graph. */
    char *repack_argv[] = {"git", "-C", gitdir, "repack", "-a", "-d", "-q", NULL};
    double repack_s = run_timed(repack_argv, git_log);
    double packed_mib = (double)disk_usage(gitdir) / (1024.0 * 1024.0);
    flush_s += flush_fs(gitdir);
    kenes_phase(kenes, data, serve_log, queries, nqueries, &b, &k[2]);
    git_log_phase(gitdir, paths, npaths, &b, git_log, 0, &g[1]);
    char *graph_argv[] = {"git", "-C", gitdir, "commit-graph", "write", "--reachable",
                          "--changed-paths", NULL};
    double graph_s = run_timed(graph_argv, git_log);
    git_log_phase(gitdir, paths, npaths, &b, git_log, 1, &g[2]);

    /* The table. */
    static const char *const kenes_rows[] = {
        "kenes, 1st start: journal built from git, loose",
        "kenes, 2nd start: journal read, loose",
        "kenes, 3rd start: journal read, packed",
    };
    printf("\nGET /api/v1/documents/{id}/history, %d requests per start, as the auditor\n",
           nqueries);
    printf("%-48s %8s %8s %8s %8s %8s %8s\n", "", "start s", "RSS MiB", "p50 ms", "p99 ms",
           "max ms", "mean ms");
    for (int i = 0; i < 3; i++)
        printf("%-48s %8.2f %8.0f %8.3f %8.3f %8.3f %8.3f\n", kenes_rows[i], k[i].start_s,
               k[i].rss_mib, k[i].p50, k[i].p99, k[i].max, k[i].mean);
    static const char *const git_rows[] = {
        "git log --format=%H -- path, loose",
        "git log --format=%H -- path, packed",
        "git log ..., packed + commit-graph",
    };
    printf("\ngit log on %d paths, wall time of each\n", npaths);
    printf("%-48s %9s %9s %9s   each\n", "", "median ms", "min ms", "max ms");
    for (int r = 0; r < 3; r++) {
        printf("%-48s %9.1f %9.1f %9.1f  ", git_rows[r], g[r].median, g[r].min, g[r].max);
        for (int i = 0; i < npaths; i++)
            printf(" %.0f", g[r].ms[i]);
        printf("\n");
    }
    printf("\nbuild %.1f s, documents.git %.0f MiB loose; git repack -a -d %.1f s, %.1f MiB "
           "packed; git commit-graph write --reachable --changed-paths %.1f s; journal %.1f MiB; "
           "syncfs outside the timings %.1f s\n",
           b.secs, repo_mib, repack_s, packed_mib, graph_s, journal_mib, flush_s);
    double kp99 = 0;
    for (int i = 0; i < 3; i++)
        kp99 = k[i].p99 > kp99 ? k[i].p99 : kp99;
    printf("\nkenes %s, %ld commits: history p50 %.3f ms, p99 %.3f ms (2nd start; worst p99 of "
           "the 3 starts %.3f ms: goal < 10 ms %s); git log median %.0f ms loose, %.0f ms "
           "packed, %.0f ms packed + commit-graph; git log / kenes p50: %.0fx, %.0fx, %.0fx\n",
           version, total, k[1].p50, k[1].p99, kp99, kp99 < 10 ? "met" : "NOT met", g[0].median,
           g[1].median, g[2].median, g[0].median / k[1].p50, g[1].median / k[1].p50,
           g[2].median / k[1].p50);

    for (int i = 0; i < 3; i++)
        free(g[i].ms);
    free(queries);
    free(paths);
    free(b.commits);
    cleanup();
    git_libgit2_shutdown();
    return 0;
}
