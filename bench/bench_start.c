/*
 * bench_start: start-up time and memory of `kenes serve` at 1,000, 10,000
 * and 100,000 documents (issue 16, item 4).  BENCHMARKS.md has the method,
 * the commands and the figures; in short:
 *
 *  1. Templates.  `kenes serve --demo` fills a scratch data folder with the
 *     demo's documents (every stage of every workflow, made by the service
 *     itself); each one's latest file (opened with its case key when sealed)
 *     and its history lines in the journal are read back as templates.
 *  2. Seeds.  For each size N, `kenes init` and `kenes user add` make a data
 *     folder; then this process writes N documents into it directly with
 *     libgit2 and the core's own storage code (fsync off: set-up, not what is
 *     measured).  Document k copies a template chosen by a fixed mix of types
 *     (cases and referrals most), with a new id in one of the 20 regions; a
 *     sealed type gets its own case key (DATA/keys/cases/) and its file is
 *     sealed with it, as the server seals.  The files go in in commits of
 *     --batch documents each, signed with the folder's key like the
 *     server's; the journal (DATA/index/<repo>.jsonl) gets, for each document,
 *     the lines of its template's history (actions, stages, authors), each
 *     naming the commit that added the file.  So a start reads exactly what it
 *     reads for a data folder kenes wrote: the journal, every case key, every
 *     document's file from main's tree; nothing is judged (the journal covers
 *     every commit).  Not a history for `kenes verify` (one commit holds many
 *     documents), and the reports are not published.
 *  3. Starts.  R rounds; each round starts `kenes serve` once on every seed,
 *     smallest first on odd rounds and largest first on even ones, and takes
 *     the time from fork to the "listening" line and VmHWM/VmRSS at that line
 *     (and VmRSS again after --settle ms), then SIGTERM (exit code 0
 *     expected).  The growth (10k ÷ 1k, 100k ÷ 10k) is taken per round and
 *     its median printed, so it compares starts minutes apart, not days.
 *  4. --packed: then `git repack -a -d` on each seed's repositories and the
 *     same rounds again (what consolidation, item 2, will leave).
 *
 * --build-only keeps the seeds and prints their paths: to profile a start by
 * hand (perf record, heaptrack; BENCHMARKS.md).
 */
#define BENCH_NAME "bench_start"
#include "bench_common.h"

#include <uv.h>

#include "base/error.h"
#include "storage/docfile.h"
#include "storage/docpath.h"
#include "storage/index.h"
#include "storage/journal.h"
#include "storage/message.h"
#include "storage/sign.h"
#include "storage/vault.h"

enum { MAX_SIZES = 8, MAX_TEMPLATES = 512, START_TIMEOUT_S = 1800 };

#define FIRST_TIME_MS 1767225600000LL /* 2026-01-01T00:00:00Z */
#define ADMIN "admin"
#define ADMIN_PASSWORD "Zx7-admin-bench-2026"

static const char *const REPO_NAMES[2] = {"documents", "cases"};

/* ------------------------------------------------------------------------ */
/* Templates: the demo's documents                                           */

typedef struct {
    json_t *doc;      /* the latest file, as doc_parse gives it */
    int repo;         /* 0 documents.git, 1 cases.git */
    int sealed;       /* its file was sealed with a case key */
    int uuid_leaf;    /* its id ends in a uuid (case-like) */
    char prefix[32];  /* the id's first segment: "case", "plan", ... */
    json_t *versions; /* its journal lines, oldest first */
} tmpl;

static tmpl g_tmpl[MAX_TEMPLATES];
static int g_ntmpl;

/* The mix of a seed, by the id's first segment, in percent: what a region's
 * commission accumulates over years is mostly cases and referrals. */
static const struct {
    const char *prefix;
    int pct;
} MIX[] = {
    {"case", 60}, {"referral", 25}, {"meeting", 5}, {"execution", 4}, {"plan", 3}, {"roster", 3},
};
#define NMIX ((int)(sizeof(MIX) / sizeof(MIX[0])))

static uint64_t g_rng = 0x6b656e6573ULL;
static uint64_t rng_next(void)
{
    g_rng ^= g_rng << 13;
    g_rng ^= g_rng >> 7;
    g_rng ^= g_rng << 17;
    return g_rng;
}

static int is_uuid(const char *s)
{
    if (strlen(s) != 36)
        return 0;
    for (int i = 0; i < 36; i++)
        if ((i == 8 || i == 13 || i == 18 || i == 23) ? s[i] != '-' : !strchr("0123456789abcdef", s[i]))
            return 0;
    return 1;
}

typedef struct {
    git_repository *repo;
    int r;
    vault *v;
} walk_tmpl_ctx;

static int walk_tmpl(const char *root, const git_tree_entry *e, void *payload)
{
    walk_tmpl_ctx *w = payload;
    const char *name = git_tree_entry_name(e);
    size_t n = strlen(name);
    if (git_tree_entry_type(e) != GIT_OBJECT_BLOB || n < 4 || strcmp(name + n - 3, ".md") != 0 ||
        strncmp(root, "reports/", 8) == 0)
        return 0;
    if (g_ntmpl == MAX_TEMPLATES)
        die("more than %d documents in the demo", MAX_TEMPLATES);
    git_blob *blob;
    if (git_blob_lookup(&blob, w->repo, git_tree_entry_id(e)) < 0)
        git_die("a demo file");
    char id[512], err[512], path[1024];
    /* A case's file is fanned out (<prefix>/<hh>/<uuid>.md) since issue 16: its id is not its path. */
    fmt(path, sizeof(path), "%s%s", root, name);
    const char *suffix;
    docpath_layout layout;
    if (docpath_parse(id, sizeof(id), &suffix, &layout, path) < 0)
        fmt(id, sizeof(id), "%s%.*s", root, (int)(n - 3), name);
    const char *text = git_blob_rawcontent(blob);
    size_t len = (size_t)git_blob_rawsize(blob);
    char *plain = NULL;
    tmpl *t = &g_tmpl[g_ntmpl];
    memset(t, 0, sizeof(*t));
    if (vault_is_sealed(text, len)) {
        if (vault_unseal(w->v, id, text, len, &plain, &len) < 0)
            die("the demo's %s does not open with its key", id);
        text = plain;
        t->sealed = 1;
    }
    if (doc_parse(&t->doc, text, len, err, sizeof(err)) < 0)
        die("the demo's %s: %s", id, err);
    free(plain);
    git_blob_free(blob);
    t->repo = w->r;
    fmt(t->prefix, sizeof(t->prefix), "%.*s", (int)strcspn(id, "/"), id);
    const char *leaf = strrchr(id, '/');
    t->uuid_leaf = leaf && is_uuid(leaf + 1);
    t->versions = json_array();
    g_ntmpl++;
    return 0;
}

/* The demo's journal lines, each added to its document's template. */
static void read_demo_journal(const char *demo, int r)
{
    char path[4300], *line = NULL;
    size_t cap = 0;
    fmt(path, sizeof(path), "%s/index/%s.jsonl", demo, REPO_NAMES[r]);
    FILE *f = fopen(path, "r");
    if (!f)
        die("%s: %s", path, strerror(errno));
    while (getline(&line, &cap, f) > 0) {
        json_t *j = json_loads(line, 0, NULL);
        const char *doc = json_string_value(json_object_get(j, "document"));
        for (int i = 0; doc && i < g_ntmpl; i++)
            if (strcmp(json_string_value(json_object_get(g_tmpl[i].doc, "id")), doc) == 0)
                json_array_append(g_tmpl[i].versions, j);
        json_decref(j);
    }
    free(line);
    fclose(f);
}

static void load_templates(const char *demo)
{
    char keys[4300], err[512];
    vault *v = NULL;
    fmt(keys, sizeof(keys), "%s/keys", demo);
    if (vault_open(&v, keys, err, sizeof(err)) < 0)
        die("the demo's keys: %s", err);
    for (int r = 0; r < 2; r++) {
        char gitdir[4300];
        fmt(gitdir, sizeof(gitdir), "%s/%s.git", demo, REPO_NAMES[r]);
        git_repository *repo;
        git_object *tree;
        if (git_repository_open_bare(&repo, gitdir) < 0 ||
            git_revparse_single(&tree, repo, "refs/heads/main^{tree}") < 0)
            git_die(gitdir);
        walk_tmpl_ctx w = {repo, r, v};
        if (git_tree_walk((git_tree *)tree, GIT_TREEWALK_PRE, walk_tmpl, &w) < 0)
            git_die("walking the demo");
        git_object_free(tree);
        git_repository_free(repo);
        read_demo_journal(demo, r);
    }
    vault_close(v);
    for (int i = 0; i < g_ntmpl; i++)
        if (json_array_size(g_tmpl[i].versions) == 0)
            die("the demo's journal has no line for %s",
                json_string_value(json_object_get(g_tmpl[i].doc, "id")));
    for (int m = 0; m < NMIX; m++) {
        int n = 0;
        for (int i = 0; i < g_ntmpl; i++)
            n += strcmp(g_tmpl[i].prefix, MIX[m].prefix) == 0;
        if (!n)
            die("the demo has no document of kind %s", MIX[m].prefix);
    }
}

/* `kenes serve --demo` on a new folder until it listens, then SIGTERM. */
static void make_demo(const char *kenes, const char *demo, const char *log_path)
{
    int out[2];
    if (pipe(out) < 0)
        die("pipe: %s", strerror(errno));
    char *argv[] = {(char *)kenes, "serve", "--demo", "--data", (char *)demo, "--listen",
                    "127.0.0.1:0", NULL};
    pid_t pid = spawn(argv, -1, out[1], (const int[2]){out[0], out[1]}, log_path);
    if (pid < 0)
        die("fork: %s", strerror(errno));
    close(out[1]);
    g_server_pid = pid;
    FILE *f = fdopen(out[0], "r");
    char *line = NULL;
    size_t cap = 0;
    int listening = 0;
    while (!listening && getline(&line, &cap, f) > 0)
        listening = strstr(line, " listening on http://") != NULL;
    free(line);
    if (!listening) {
        print_log_tail(log_path, 20);
        die("kenes serve --demo stopped before it listened");
    }
    kill(pid, SIGTERM);
    int status;
    waitpid(pid, &status, 0);
    g_server_pid = 0;
    fclose(f);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        die("kenes serve --demo did not stop cleanly");
}

/* ------------------------------------------------------------------------ */
/* A seed of N documents                                                    */

typedef struct {
    git_repository *repo;
    git_oid head;
    int has_head;
    git_tree_update *upd;
    size_t nupd;
    char **lines; /* journal entries of the pending documents, without commit */
    size_t nlines, cap_lines;
    FILE *journal;
    size_t commits;
    char first_id[256], first_stage[64];
} seed_repo;

typedef struct {
    int docs;
    char dir[4200];
    double build_s;
    uint64_t bytes;
    int per_kind[NMIX];
    size_t lines;
} seed;

static int pick_template(int *kind_out)
{
    static int next_in_kind[NMIX];
    int x = (int)(rng_next() % 100), m = 0;
    for (int acc = MIX[0].pct; x >= acc && m < NMIX - 1;)
        acc += MIX[++m].pct;
    *kind_out = m;
    int n = 0;
    for (int i = 0; i < g_ntmpl; i++)
        n += strcmp(g_tmpl[i].prefix, MIX[m].prefix) == 0;
    int want = next_in_kind[m]++ % n;
    for (int i = 0; i < g_ntmpl; i++)
        if (strcmp(g_tmpl[i].prefix, MIX[m].prefix) == 0 && want-- == 0)
            return i;
    die("internal error: no template");
}

static void flush_batch(seed_repo *sr, const signer *sig, int64_t time_ms)
{
    if (!sr->nupd)
        return;
    git_tree *base = NULL;
    git_commit *parent = NULL;
    if (sr->has_head &&
        (git_commit_lookup(&parent, sr->repo, &sr->head) < 0 || git_commit_tree(&base, parent) < 0))
        git_die("main's head");
    git_oid tree_id, commit_id;
    if (git_tree_create_updated(&tree_id, sr->repo, base, sr->nupd, sr->upd) < 0)
        git_die("the batch's tree");
    git_tree *tree;
    if (git_tree_lookup(&tree, sr->repo, &tree_id) < 0)
        git_die("the batch's tree");
    char *message = NULL;
    msg_info info = {.document = sr->first_id, .action = "create", .to = sr->first_stage,
                     .role = "admin", .noun = "seed"};
    if (msg_compose(&message, &info) < 0)
        die("msg_compose");
    git_signature *author, *committer;
    if (git_signature_new(&author, ADMIN, ADMIN "@users.kenes", time_ms / 1000, 0) < 0 ||
        git_signature_new(&committer, "kenes", "kenes@localhost", time_ms / 1000, 0) < 0)
        git_die("signatures");
    git_buf body = {0};
    char *armored = NULL;
    size_t alen = 0;
    const git_commit *parents[1] = {parent};
    if (git_commit_create_buffer(&body, sr->repo, author, committer, NULL, message, tree,
                                 parent ? 1 : 0, parents) < 0)
        git_die("the commit");
    if (sign_buffer(sig, &armored, &alen, body.ptr, body.size) < 0)
        die("cannot sign");
    if (alen && armored[alen - 1] == '\n')
        armored[alen - 1] = '\0';
    git_reference *ref;
    if (git_commit_create_with_signature(&commit_id, sr->repo, body.ptr, armored, "gpgsig") < 0 ||
        git_reference_create(&ref, sr->repo, "refs/heads/main", &commit_id, 1, NULL) < 0)
        git_die("the commit");
    git_reference_free(ref);
    char hex[GIT_OID_HEXSZ + 1];
    git_oid_tostr(hex, sizeof(hex), &commit_id);
    for (size_t i = 0; i < sr->nlines; i++) {
        fprintf(sr->journal, "{\"commit\":\"%s\",%s\n", hex, sr->lines[i] + 1);
        free(sr->lines[i]);
    }
    for (size_t i = 0; i < sr->nupd; i++)
        free((char *)sr->upd[i].path);
    sr->nlines = sr->nupd = 0;
    sr->head = commit_id;
    sr->has_head = 1;
    sr->commits++;
    free(armored);
    free(message);
    git_buf_dispose(&body);
    git_signature_free(author);
    git_signature_free(committer);
    git_tree_free(tree);
    git_tree_free(base);
    git_commit_free(parent);
}

static void write_key(const vault *v, const char *id, const char *wrapped, size_t len)
{
    char path[4300];
    vault_key_path(v, id, path, sizeof(path));
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0 || write(fd, wrapped, len) != (ssize_t)len || close(fd) < 0)
        die("writing %s: %s", path, strerror(errno));
}

static void build_seed(const char *kenes, seed *sd, int batch, const char *log_path)
{
    char keys[4300], err[512];
    char *init[] = {(char *)kenes, "init", "--data", sd->dir, NULL};
    char *add[] = {(char *)kenes, "user", "add", "--data", sd->dir, "--name", ADMIN,
                   "--role", "admin", "--password-stdin", NULL};
    if (run_cmd(init, NULL, log_path) != 0 || run_cmd(add, ADMIN_PASSWORD "\n", log_path) != 0) {
        print_log_tail(log_path, 20);
        die("kenes init / user add failed");
    }
    int64_t t0 = now_ns();
    fmt(keys, sizeof(keys), "%s/keys", sd->dir);
    vault *v = NULL;
    signer *sig = NULL;
    if (vault_open(&v, keys, err, sizeof(err)) < 0 || sign_open(&sig, keys, err, sizeof(err)) < 0)
        die("%s", err);
    seed_repo sr[2];
    memset(sr, 0, sizeof(sr));
    for (int r = 0; r < 2; r++) {
        char path[4300];
        fmt(path, sizeof(path), "%s/%s.git", sd->dir, REPO_NAMES[r]);
        if (git_repository_open_bare(&sr[r].repo, path) < 0)
            git_die(path);
        fmt(path, sizeof(path), "%s/index/%s.jsonl", sd->dir, REPO_NAMES[r]);
        if (!(sr[r].journal = fopen(path, "w")))
            die("%s: %s", path, strerror(errno));
        sr[r].upd = xmalloc((size_t)batch * sizeof(*sr[r].upd));
    }
    int64_t time_ms = FIRST_TIME_MS;
    for (int k = 0; k < sd->docs; k++) {
        int kind, ti = pick_template(&kind);
        const tmpl *t = &g_tmpl[ti];
        seed_repo *s = &sr[t->repo];
        const char *region = REGIONS[k % NREGIONS];
        char id[256], leaf[64];
        if (t->uuid_leaf) {
            uint64_t a = rng_next(), b = rng_next();
            fmt(leaf, sizeof(leaf), "%08x-%04x-4%03x-%04x-%012llx", (unsigned)(a >> 32),
                (unsigned)(a >> 16) & 0xffff, (unsigned)a & 0xfff,
                (unsigned)(0x8000 | ((b >> 48) & 0x3fff)),
                (unsigned long long)(b & 0xffffffffffffULL));
        } else {
            fmt(leaf, sizeof(leaf), "b%07d", k);
        }
        fmt(id, sizeof(id), "%s/%s/%s", t->prefix, region, leaf);
        json_t *doc = json_deep_copy(t->doc);
        json_object_set_new(doc, "id", json_string(id));
        json_object_set_new(doc, "region", json_string(region));
        char *text = NULL, *sealed = NULL;
        size_t len = 0;
        if (doc_serialize(&text, &len, doc) < 0)
            die("doc_serialize %s", id);
        if (t->sealed) {
            char *wrapped = NULL;
            size_t wlen = 0;
            if (vault_new_key(v, id, &wrapped, &wlen) < 0 ||
                vault_seal(v, id, text, len, &sealed, &len) < 0)
                die("sealing %s", id);
            write_key(v, id, wrapped, wlen);
            free(wrapped);
        }
        git_oid blob;
        if (git_blob_create_from_buffer(&blob, s->repo, sealed ? sealed : text, len) < 0)
            git_die("a document's blob");
        free(text);
        free(sealed);
        char path[300];
        if (docpath_of(path, sizeof(path), id, ".md", DOCPATH_FANOUT) < 0)
            die("no path for %s", id);
        s->upd[s->nupd++] = (git_tree_update){GIT_TREE_UPDATE_UPSERT, blob, GIT_FILEMODE_BLOB,
                                              strdup(path)};
        if (s->nupd == 1) {
            fmt(s->first_id, sizeof(s->first_id), "%s", id);
            fmt(s->first_stage, sizeof(s->first_stage), "%s",
                json_string_value(json_object_get(doc, "stage")));
        }
        json_decref(doc);
        /* The template's history, line for line, as this document's. */
        size_t i;
        json_t *line;
        json_array_foreach(t->versions, i, line) {
            idx_version ver = {0};
            ver.time_ms = time_ms++;
            ver.author = (char *)json_string_value(json_object_get(line, "author"));
            ver.role = (char *)json_string_value(json_object_get(line, "role"));
            ver.action = (char *)json_string_value(json_object_get(line, "action"));
            ver.from = (char *)json_string_value(json_object_get(line, "from"));
            ver.to = (char *)json_string_value(json_object_get(line, "to"));
            ver.comment = (char *)json_string_value(json_object_get(line, "comment"));
            ver.approval = (char *)json_string_value(json_object_get(line, "approval"));
            char *entry = journal_entry(id, &ver);
            if (!entry)
                die("journal_entry");
            if (s->nlines == s->cap_lines) {
                s->cap_lines = s->cap_lines ? 2 * s->cap_lines : 1024;
                s->lines = xrealloc(s->lines, s->cap_lines * sizeof(*s->lines));
            }
            s->lines[s->nlines++] = entry;
            sd->lines++;
        }
        sd->per_kind[kind]++;
        if ((int)s->nupd == batch)
            flush_batch(s, sig, time_ms);
    }
    for (int r = 0; r < 2; r++) {
        flush_batch(&sr[r], sig, time_ms);
        if (fflush(sr[r].journal) != 0 || fclose(sr[r].journal) != 0)
            die("writing the journal");
        free(sr[r].upd);
        free(sr[r].lines);
        git_repository_free(sr[r].repo);
    }
    vault_close(v);
    sign_free(sig);
    /* Nothing of the build may still be written back while a start is timed. */
    int fd = open(sd->dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0 || syncfs(fd) < 0)
        die("syncfs %s: %s", sd->dir, strerror(errno));
    close(fd);
    sd->build_s = (double)(now_ns() - t0) / 1e9;
}

/* ------------------------------------------------------------------------ */
/* Starts                                                                   */

/* A line of /proc/pid/status ("VmHWM:"), in MiB, or -1. */
static double proc_mib(pid_t pid, const char *key)
{
    char path[64], line[256];
    fmt(path, sizeof(path), "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    double mib = -1;
    while (f && fgets(line, sizeof(line), f))
        if (strncmp(line, key, strlen(key)) == 0)
            mib = strtod(line + strlen(key), NULL) / 1024.0;
    if (f)
        fclose(f);
    return mib;
}

typedef struct {
    double start_s, cpu_s, hwm, rss, rss_settled;
} start_fig;

/* The CPU time (user + system, every thread) pid has used, in seconds, or
 * -1: on a loaded machine a start waits for the CPU, and this is what it
 * asked of it. */
static double proc_cpu_s(pid_t pid)
{
    char path[64], buf[2048];
    fmt(path, sizeof(path), "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
    if (f)
        fclose(f);
    buf[n] = '\0';
    const char *p = strrchr(buf, ')'); /* the name may hold spaces */
    unsigned long long ut, st;
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
        return -1;
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static void one_start(start_fig *f, const char *kenes, const seed *sd, const char *log_path,
                      int settle_ms)
{
    server srv;
    int64_t t0 = now_ns();
    start_server(&srv, kenes, sd->dir, log_path, START_TIMEOUT_S);
    f->start_s = (double)(now_ns() - t0) / 1e9;
    f->cpu_s = proc_cpu_s(srv.pid);
    f->hwm = proc_mib(srv.pid, "VmHWM:");
    f->rss = proc_mib(srv.pid, "VmRSS:");
    struct timespec ts = {settle_ms / 1000, (settle_ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
    f->rss_settled = proc_mib(srv.pid, "VmRSS:");
    stop_server(&srv);
}

static double med_of(const start_fig *figs, int rounds, int nsizes, int s, int what)
{
    double v[64];
    for (int r = 0; r < rounds; r++) {
        const start_fig *f = &figs[r * nsizes + s];
        v[r] = what == 0 ? f->start_s : what == 1 ? f->hwm : what == 2 ? f->rss_settled : f->cpu_s;
    }
    return median(v, (size_t)rounds);
}

static void rounds_of(const char *what, const char *kenes, seed *seeds, int nsizes, int rounds,
                      int settle_ms, const char *log_path)
{
    start_fig *figs = xmalloc((size_t)(rounds * nsizes) * sizeof(*figs));
    printf("\n%s: %d rounds; start-up s to \"listening\" (wall, and CPU: user + system), "
           "VmHWM and VmRSS MiB at that line, VmRSS after %d ms\n", what, rounds, settle_ms);
    printf("round  docs     start s    CPU s  VmHWM  VmRSS  settled\n");
    for (int r = 0; r < rounds; r++) {
        for (int k = 0; k < nsizes; k++) {
            int s = r % 2 == 0 ? k : nsizes - 1 - k;
            start_fig *f = &figs[r * nsizes + s];
            one_start(f, kenes, &seeds[s], log_path, settle_ms);
            printf("%5d  %-7d  %7.2f  %7.2f  %5.0f  %5.0f  %7.0f\n", r + 1, seeds[s].docs,
                   f->start_s, f->cpu_s, f->hwm, f->rss, f->rss_settled);
            fflush(stdout);
        }
    }
    printf("median\n");
    for (int s = 0; s < nsizes; s++)
        printf("       %-7d  %7.2f  %7.2f  %5.0f         %7.0f\n", seeds[s].docs,
               med_of(figs, rounds, nsizes, s, 0), med_of(figs, rounds, nsizes, s, 3),
               med_of(figs, rounds, nsizes, s, 1), med_of(figs, rounds, nsizes, s, 2));
    for (int s = 1; s < nsizes; s++) {
        double t[64], c[64], m[64];
        for (int r = 0; r < rounds; r++) {
            t[r] = figs[r * nsizes + s].start_s / figs[r * nsizes + s - 1].start_s;
            c[r] = figs[r * nsizes + s].cpu_s / figs[r * nsizes + s - 1].cpu_s;
            m[r] = figs[r * nsizes + s].hwm / figs[r * nsizes + s - 1].hwm;
        }
        printf("growth %d -> %d documents (x%.0f): start-up x%.2f (CPU x%.2f), VmHWM x%.2f "
               "(medians of the per-round ratios)\n", seeds[s - 1].docs, seeds[s].docs,
               (double)seeds[s].docs / seeds[s - 1].docs, median(t, (size_t)rounds),
               median(c, (size_t)rounds), median(m, (size_t)rounds));
    }
    free(figs);
}

/* ------------------------------------------------------------------------ */
/* main                                                                     */

static int usage(const char *msg)
{
    if (msg)
        fprintf(stderr, BENCH_NAME ": %s\n", msg);
    fprintf(msg ? stderr : stdout,
            "usage: bench_start --kenes PATH [--sizes 1000,10000,100000] [--rounds 3]\n"
            "                   [--batch 500] [--settle-ms 2000] [--demo DIR] [--packed]\n"
            "                   [--build-only] [--seeds DIR] [--tmpdir DIR] [--keep]\n"
            "  --seeds DIR: measure the seeds DIR/data-N an earlier --keep or --build-only left\n");
    return msg ? 2 : 0;
}

int main(int argc, char **argv)
{
    const char *kenes = NULL, *tmpdir = getenv("TMPDIR"), *demo = NULL, *sizes = "1000,10000,100000";
    const char *seeds_dir = NULL; /* seeds an earlier run kept: DIR/data-N */
    int rounds = 3, batch = 500, settle_ms = 2000, packed = 0, build_only = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help"))
            return usage(NULL);
        else if (!strcmp(a, "--keep"))
            g_keep = 1;
        else if (!strcmp(a, "--packed"))
            packed = 1;
        else if (!strcmp(a, "--build-only"))
            build_only = g_keep = 1;
        else if (!strcmp(a, "--kenes") && v)
            kenes = v, i++;
        else if (!strcmp(a, "--tmpdir") && v)
            tmpdir = v, i++;
        else if (!strcmp(a, "--demo") && v)
            demo = v, i++;
        else if (!strcmp(a, "--seeds") && v)
            seeds_dir = v, i++;
        else if (!strcmp(a, "--sizes") && v)
            sizes = v, i++;
        else if (!strcmp(a, "--rounds") && v && parse_int(v, 1, 64, &rounds) == 0)
            i++;
        else if (!strcmp(a, "--batch") && v && parse_int(v, 1, 100000, &batch) == 0)
            i++;
        else if (!strcmp(a, "--settle-ms") && v && parse_int(v, 0, 600000, &settle_ms) == 0)
            i++;
        else
            return usage("unknown or incomplete option");
    }
    if (!kenes)
        return usage("--kenes PATH is required");
    if (!tmpdir || !*tmpdir)
        tmpdir = "/tmp";
    seed seeds[MAX_SIZES];
    int nsizes = 0;
    memset(seeds, 0, sizeof(seeds));
    for (const char *p = sizes; *p && nsizes < MAX_SIZES; p += *p == ',') {
        char *end;
        long n = strtol(p, &end, 10);
        if (end == p || n < 1 || n > 1000000)
            return usage("--sizes: numbers from 1 to 1000000, comma-separated");
        seeds[nsizes++].docs = (int)n;
        p = end;
    }
    git_libgit2_init();
    if (make_root(tmpdir, "bench_start"))
        return 1;
    char log_path[4300], demo_dir[4300];
    fmt(log_path, sizeof(log_path), "%s/kenes.log", g_root);
    if (seeds_dir) {
        for (int s = 0; s < nsizes; s++) {
            fmt(seeds[s].dir, sizeof(seeds[s].dir), "%s/data-%d", seeds_dir, seeds[s].docs);
            if (access(seeds[s].dir, F_OK) < 0)
                die("%s: %s", seeds[s].dir, strerror(errno));
            seeds[s].bytes = disk_usage(seeds[s].dir);
            printf("seed %d documents (kept): %.1f MiB on disk: %s\n", seeds[s].docs,
                   (double)seeds[s].bytes / 1048576.0, seeds[s].dir);
        }
        goto measure;
    }
    if (!demo) {
        fmt(demo_dir, sizeof(demo_dir), "%s/demo", g_root);
        make_demo(kenes, demo_dir, log_path);
        demo = demo_dir;
    }
    load_templates(demo);
    printf("bench_start: %d templates from the demo; mix", g_ntmpl);
    for (int m = 0; m < NMIX; m++)
        printf(" %s %d%%", MIX[m].prefix, MIX[m].pct);
    printf("; %d documents per commit; temp folders in %s (%s)\n", batch, g_root,
           fs_name(g_root));
    for (int s = 0; s < nsizes; s++) {
        fmt(seeds[s].dir, sizeof(seeds[s].dir), "%s/data-%d", g_root, seeds[s].docs);
        build_seed(kenes, &seeds[s], batch, log_path);
        seeds[s].bytes = disk_usage(seeds[s].dir);
        printf("seed %d documents:", seeds[s].docs);
        for (int m = 0; m < NMIX; m++)
            printf(" %s %d", MIX[m].prefix, seeds[s].per_kind[m]);
        printf("; %zu journal lines; built in %.1f s; %.1f MiB on disk: %s\n", seeds[s].lines,
               seeds[s].build_s, (double)seeds[s].bytes / 1048576.0, seeds[s].dir);
        fflush(stdout);
    }
    if (build_only) {
        cleanup();
        return 0;
    }
measure:
    rounds_of("loose objects", kenes, seeds, nsizes, rounds, settle_ms, log_path);
    if (packed) {
        for (int s = 0; s < nsizes; s++)
            for (int r = 0; r < 2; r++) {
                char gitdir[4300];
                fmt(gitdir, sizeof(gitdir), "%s/%s.git", seeds[s].dir, REPO_NAMES[r]);
                char *repack[] = {"git", "-C", gitdir, "repack", "-a", "-d", "-q", NULL};
                if (run_cmd(repack, NULL, log_path) != 0)
                    die("git repack in %s failed", gitdir);
            }
        rounds_of("packed (git repack -a -d)", kenes, seeds, nsizes, rounds, settle_ms, log_path);
    }
    cleanup();
    return 0;
}
