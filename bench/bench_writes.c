/*
 * bench_writes: durable writes per second of kenes, next to a raw libgit2
 * commit loop with fsync measured in the same run.
 *
 *   bench_writes --kenes PATH/TO/kenes [--clients N] [--rounds R] [--edits E]
 *                [--tmpdir DIR] [--keep]
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
 * Both run in a fresh folder under --tmpdir (default $TMPDIR or /tmp), so on
 * the same file system; on tmpfs fsync does nothing, which makes a run there a
 * measure of the CPU cost alone (the header says so).  Login, start-up and the
 * checks after a phase are outside the timings.
 *
 * Rounds alternate the order (odd rounds kenes first, even rounds raw first).
 * The table gives each round, then the median, minimum and maximum of each
 * column; kenes/raw is the ratio of writes/s to commits/s within a round (its
 * median over the rounds, not the ratio of the medians).
 *
 * Build (see BENCHMARKS.md):
 *   cc -O2 -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror bench/bench_writes.c \
 *      -o build-bench/bench_writes $(pkg-config --cflags --libs libgit2 jansson) \
 *      -lhttp_parser -lpthread
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <git2.h>
#include <http_parser.h>
#include <jansson.h>

/* ------------------------------------------------------------------------ */
/* The workload                                                             */

static const char *const REGIONS[] = {
    "KZ-10", "KZ-11", "KZ-15", "KZ-19", "KZ-23", "KZ-27", "KZ-31", "KZ-33", "KZ-35", "KZ-39",
    "KZ-43", "KZ-47", "KZ-55", "KZ-59", "KZ-61", "KZ-62", "KZ-63", "KZ-71", "KZ-75", "KZ-79",
};
enum {
    NREGIONS = sizeof(REGIONS) / sizeof(REGIONS[0]),
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
    switch (step_action(s)) {
    case ACT_CREATE:
        return "draft";
    case ACT_SUBMIT:
        return "ministry-review";
    default:
        return "returned";
    }
}

static int steps_per_plan(int edits) { return 2 + 3 * edits; }

/* ------------------------------------------------------------------------ */
/* Small helpers                                                            */

static pid_t g_server_pid; /* a running server, stopped by die() */
static char g_root[4096];  /* the temp root, removed by die() unless --keep */
static int g_keep;

static void cleanup(void);

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fprintf(stderr, "bench_writes: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    cleanup();
    exit(1);
}

/* snprintf that refuses to truncate: every buffer here is sized for its use. */
static void fmt(char *buf, size_t cap, const char *f, ...) __attribute__((format(printf, 3, 4)));
static void fmt(char *buf, size_t cap, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    int n = vsnprintf(buf, cap, f, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= cap) {
        fprintf(stderr, "bench_writes: internal error: buffer too small for \"%s\"\n", f);
        abort();
    }
}

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "bench_writes: out of memory\n");
        abort();
    }
    return p;
}

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p) {
        fprintf(stderr, "bench_writes: out of memory\n");
        abort();
    }
    return p;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    if (remove(path) < 0)
        fprintf(stderr, "bench_writes: cannot remove %s: %s\n", path, strerror(errno));
    return 0;
}

static void rm_tree(const char *dir)
{
    if (dir && *dir && access(dir, F_OK) == 0)
        nftw(dir, rm_entry, 32, FTW_DEPTH | FTW_PHYS);
}

static const char *fs_name(const char *path)
{
    struct statfs sf;
    if (statfs(path, &sf) < 0)
        return "unknown";
    switch ((unsigned long)sf.f_type) {
    case 0xEF53UL:
        return "ext2/3/4";
    case 0x58465342UL:
        return "xfs";
    case 0x9123683EUL:
        return "btrfs";
    case 0x01021994UL:
        return "tmpfs: fsync is a no-op, so these writes are not durable";
    case 0x794C7630UL:
        return "overlayfs";
    case 0x2FC12FC1UL:
        return "zfs";
    default:
        return "other";
    }
}

/* ------------------------------------------------------------------------ */
/* Latency samples                                                          */

typedef struct {
    double *v; /* milliseconds */
    size_t n, cap;
} samples;

static void samples_add(samples *s, double ms)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 1024;
        s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
    }
    s->v[s->n++] = ms;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Nearest-rank percentile (q in (0, 1]); sorts s. */
static double percentile(samples *s, double q)
{
    if (s->n == 0)
        return 0;
    qsort(s->v, s->n, sizeof(*s->v), cmp_double);
    size_t rank = (size_t)(q * (double)s->n);
    if ((double)rank < q * (double)s->n)
        rank++;
    if (rank < 1)
        rank = 1;
    return s->v[rank - 1];
}

static double median(const double *v, size_t n)
{
    double *c = xmalloc(n * sizeof(*c));
    memcpy(c, v, n * sizeof(*c));
    qsort(c, n, sizeof(*c), cmp_double);
    double m = n % 2 ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2;
    free(c);
    return m;
}

/* ------------------------------------------------------------------------ */
/* Document content                                                         */

/* The Markdown body of plan p at revision rev: about 2 KiB, mostly Cyrillic. */
static char *plan_body(int p, int rev)
{
    static const char *const measures[] = {
        "профилактика правонарушений среди несовершеннолетних и работа с семьями группы риска",
        "летний отдых и оздоровление детей из многодетных и малообеспеченных семей",
        "психологическая поддержка подростков в школах и колледжах области",
        "межведомственные рейды по выявлению детей, оставшихся без попечения родителей",
        "обучение специалистов комиссий по делам несовершеннолетних и защите их прав",
        "доступная среда для детей с особыми образовательными потребностями",
        "кружки и секции на базе школ, бесплатные для детей из социально уязвимых семей",
        "профилактика буллинга и кибербуллинга: линия доверия и работа с родителями",
        "сопровождение выпускников детских домов в первые годы самостоятельной жизни",
        "информирование населения о правах ребёнка на казахском и русском языках",
        "мониторинг исполнения мер и ежеквартальный отчёт комиссии акимату",
    };
    size_t cap = 4096, len = 0;
    char *b = xmalloc(cap);
    len += (size_t)snprintf(b + len, cap - len,
                            "# План мероприятий %s на %d год\n\n"
                            "Региональный план в рамках концепции «Дети Казахстана».\n\n"
                            "## Меры\n\n",
                            plan_region(p), plan_period(p));
    for (size_t i = 0; i < sizeof(measures) / sizeof(measures[0]) && len < cap; i++)
        len += (size_t)snprintf(b + len, cap - len, "%zu. %s.\n", i + 1, measures[i]);
    if (rev > 0 && len < cap)
        len += (size_t)snprintf(b + len, cap - len,
                                "\n_Редакция %d: учтены замечания министерства._\n", rev);
    if (len >= cap) {
        fprintf(stderr, "bench_writes: internal error: plan body too long\n");
        abort();
    }
    return b;
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
/* Child processes                                                          */

/* Runs argv with stdin_text (or /dev/null) on stdin and stdout + stderr
 * appended to log_path; returns its wait status, or -1. */
static int run_cmd(char *const argv[], const char *stdin_text, const char *log_path)
{
    int in[2] = {-1, -1};
    if (stdin_text && pipe(in) < 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        signal(SIGPIPE, SIG_DFL);
        int fd = stdin_text ? in[0] : open("/dev/null", O_RDONLY);
        if (fd < 0 || dup2(fd, 0) < 0)
            _exit(127);
        if (stdin_text)
            close(in[1]);
        int lfd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        if (lfd < 0 || dup2(lfd, 1) < 0 || dup2(lfd, 2) < 0)
            _exit(127);
        execvp(argv[0], argv);
        _exit(127);
    }
    if (stdin_text) {
        close(in[0]);
        size_t len = strlen(stdin_text);
        ssize_t w = write(in[1], stdin_text, len);
        (void)w; /* a child that does not read it fails on its own */
        close(in[1]);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return status;
}

static void describe_status(char *buf, size_t cap, int status)
{
    if (status == -1)
        fmt(buf, cap, "could not be run (%s)", strerror(errno));
    else if (WIFEXITED(status))
        fmt(buf, cap, "exited with code %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        fmt(buf, cap, "was killed by signal %d", WTERMSIG(status));
    else
        fmt(buf, cap, "ended with wait status %d", status);
}

static void print_log_tail(const char *log_path, int lines)
{
    FILE *f = fopen(log_path, "r");
    if (!f)
        return;
    char **ring = calloc((size_t)lines, sizeof(char *));
    char *line = NULL;
    size_t cap = 0;
    long n = 0;
    while (ring && getline(&line, &cap, f) >= 0) {
        free(ring[n % lines]);
        ring[n % lines] = strdup(line);
        n++;
    }
    fprintf(stderr, "--- last lines of %s ---\n", log_path);
    for (long i = n > lines ? n - lines : 0; ring && i < n; i++)
        fputs(ring[i % lines] ? ring[i % lines] : "", stderr);
    fprintf(stderr, "---\n");
    for (int i = 0; ring && i < lines; i++)
        free(ring[i]);
    free(ring);
    free(line);
    fclose(f);
}

typedef struct {
    pid_t pid;
    int out_fd; /* the read end of its stdout, open until it has stopped */
    int port;
    char version[64];
    char log_path[4200];
} server;

static void start_server(server *srv, const char *kenes, const char *data, const char *log_path)
{
    int out[2];
    memset(srv, 0, sizeof(*srv));
    fmt(srv->log_path, sizeof(srv->log_path), "%s", log_path);
    if (pipe(out) < 0)
        die("pipe: %s", strerror(errno));
    pid_t pid = fork();
    if (pid < 0)
        die("fork: %s", strerror(errno));
    if (pid == 0) {
        signal(SIGPIPE, SIG_DFL);
        int nul = open("/dev/null", O_RDONLY);
        int lfd = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (nul < 0 || lfd < 0 || dup2(nul, 0) < 0 || dup2(out[1], 1) < 0 || dup2(lfd, 2) < 0)
            _exit(127);
        close(out[0]);
        close(out[1]);
        close(nul);
        close(lfd);
        execlp(kenes, kenes, "serve", "--data", data, "--listen", "127.0.0.1:0", (char *)NULL);
        _exit(127);
    }
    close(out[1]);
    srv->pid = g_server_pid = pid;
    srv->out_fd = out[0];

    /* Its first line on stdout says where it listens. */
    char line[512];
    size_t len = 0;
    int64_t deadline = now_ns() + 30 * (int64_t)1000000000;
    while (!memchr(line, '\n', len)) {
        int left_ms = (int)((deadline - now_ns()) / 1000000);
        struct pollfd pfd = {.fd = srv->out_fd, .events = POLLIN};
        if (left_ms <= 0 || len == sizeof(line) - 1) {
            print_log_tail(log_path, 20);
            die("kenes serve printed no \"listening\" line within 30 s");
        }
        int pr = poll(&pfd, 1, left_ms);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr <= 0)
            continue;
        ssize_t n = read(srv->out_fd, line + len, sizeof(line) - 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            print_log_tail(log_path, 20);
            die("kenes serve closed its stdout before saying where it listens");
        }
        len += (size_t)n;
        line[len] = '\0';
    }
    line[len] = '\0';
    if (sscanf(line, "kenes %63s listening on http://127.0.0.1:%d", srv->version, &srv->port) !=
            2 ||
        srv->port <= 0 || srv->port > 65535) {
        print_log_tail(log_path, 20);
        die("unexpected first line from kenes serve: %.*s", (int)strcspn(line, "\n"), line);
    }
}

/* SIGTERM, then its exit status must be 0 (within 60 s). */
static void stop_server(server *srv)
{
    if (kill(srv->pid, SIGTERM) < 0)
        die("kill %d: %s", (int)srv->pid, strerror(errno));
    int status = 0;
    int64_t deadline = now_ns() + 60 * (int64_t)1000000000;
    for (;;) {
        pid_t w = waitpid(srv->pid, &status, WNOHANG);
        if (w == srv->pid)
            break;
        if (w < 0 && errno != EINTR)
            die("waitpid: %s", strerror(errno));
        if (now_ns() > deadline) {
            kill(srv->pid, SIGKILL);
            waitpid(srv->pid, &status, 0);
            g_server_pid = 0;
            print_log_tail(srv->log_path, 20);
            die("kenes serve did not stop within 60 s of SIGTERM");
        }
        struct timespec ts = {0, 5 * 1000000};
        nanosleep(&ts, NULL);
    }
    g_server_pid = 0;
    close(srv->out_fd);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        char what[128];
        describe_status(what, sizeof(what), status);
        print_log_tail(srv->log_path, 20);
        die("kenes serve %s after SIGTERM (expected exit code 0)", what);
    }
}

/* ------------------------------------------------------------------------ */
/* An HTTP/1.1 client connection: blocking socket, http-parser for answers  */

typedef struct {
    int fd;
    int port;
    http_parser parser;
    int complete;
    int hstate; /* 0 start, 1 in a header field, 2 in a header value */
    char field[32];
    size_t field_len;
    int field_long;
    int is_etag;
    char etag[128];
    size_t etag_len;
    int etag_long;
    char *body;
    size_t body_len, body_cap;
    char *req;
    size_t req_cap;
    long reconnects;
    char rbuf[16384];
} conn;

static int on_header_field(http_parser *p, const char *at, size_t len)
{
    conn *c = p->data;
    if (c->hstate != 1) {
        c->hstate = 1;
        c->field_len = 0;
        c->field_long = 0;
    }
    if (c->field_len + len < sizeof(c->field)) {
        memcpy(c->field + c->field_len, at, len);
        c->field_len += len;
    } else {
        c->field_long = 1;
    }
    return 0;
}

static int on_header_value(http_parser *p, const char *at, size_t len)
{
    conn *c = p->data;
    if (c->hstate != 2) {
        c->hstate = 2;
        c->is_etag = !c->field_long && c->field_len == 4 && strncasecmp(c->field, "etag", 4) == 0;
        if (c->is_etag)
            c->etag_len = 0, c->etag_long = 0;
    }
    if (c->is_etag) {
        if (c->etag_len + len < sizeof(c->etag)) {
            memcpy(c->etag + c->etag_len, at, len);
            c->etag_len += len;
        } else {
            c->etag_long = 1;
        }
    }
    return 0;
}

static int on_body(http_parser *p, const char *at, size_t len)
{
    conn *c = p->data;
    if (c->body_len + len + 1 > c->body_cap) {
        c->body_cap = 2 * (c->body_len + len + 1);
        c->body = xrealloc(c->body, c->body_cap);
    }
    memcpy(c->body + c->body_len, at, len);
    c->body_len += len;
    return 0;
}

static int on_message_complete(http_parser *p)
{
    conn *c = p->data;
    c->complete = 1;
    http_parser_pause(p, 1); /* one answer per request: stop right here */
    return 0;
}

static const http_parser_settings PARSER_SETTINGS = {
    .on_header_field = on_header_field,
    .on_header_value = on_header_value,
    .on_body = on_body,
    .on_message_complete = on_message_complete,
};

static void conn_init(conn *c, int port)
{
    memset(c, 0, sizeof(*c));
    c->fd = -1;
    c->port = port;
}

static void conn_close(conn *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
}

static void conn_free(conn *c)
{
    conn_close(c);
    free(c->body);
    free(c->req);
    c->body = c->req = NULL;
}

static int conn_connect(conn *c, char *err, size_t cap)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)c->port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        fmt(err, cap, "socket: %s", strerror(errno));
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    while (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        if (errno == EINTR)
            continue;
        fmt(err, cap, "connect 127.0.0.1:%d: %s", c->port, strerror(errno));
        close(fd);
        return -1;
    }
    c->fd = fd;
    return 0;
}

/* Sends one request and reads its whole answer.  *ms is the time from the
 * first byte sent to the end of the answer.  Returns the status, or -1 with
 * err set.  The answer's body is c->body (NUL-terminated), its ETag c->etag. */
static int conn_request(conn *c, const char *method, const char *path, const char *token,
                        const char *if_match, const char *json, double *ms, char *err, size_t cap)
{
    if (c->fd < 0 && conn_connect(c, err, cap) < 0)
        return -1;
    size_t json_len = json ? strlen(json) : 0;
    size_t need = 1024 + strlen(path) + (token ? strlen(token) : 0) +
                  (if_match ? strlen(if_match) : 0) + json_len;
    if (need > c->req_cap) {
        c->req_cap = need;
        c->req = xrealloc(c->req, c->req_cap);
    }
    char if_match_hdr[256] = "";
    char auth_hdr[256] = "";
    if (if_match)
        fmt(if_match_hdr, sizeof(if_match_hdr), "If-Match: %s\r\n", if_match);
    if (token)
        fmt(auth_hdr, sizeof(auth_hdr), "Authorization: Bearer %s\r\n", token);
    int hlen = snprintf(c->req, c->req_cap,
                        "%s %s HTTP/1.1\r\n"
                        "Host: 127.0.0.1:%d\r\n"
                        "%s%s"
                        "Content-Type: application/json\r\n"
                        "Content-Length: %zu\r\n"
                        "\r\n",
                        method, path, c->port, auth_hdr, if_match_hdr, json_len);
    if (hlen < 0 || (size_t)hlen + json_len >= c->req_cap) {
        fprintf(stderr, "bench_writes: internal error: request buffer\n");
        abort();
    }
    memcpy(c->req + hlen, json ? json : "", json_len);
    size_t total = (size_t)hlen + json_len;

    http_parser_init(&c->parser, HTTP_RESPONSE);
    c->parser.data = c;
    c->complete = 0;
    c->hstate = 0;
    c->etag_len = 0;
    c->etag_long = 0;
    c->body_len = 0;

    int64_t t0 = now_ns();
    for (size_t off = 0; off < total;) {
        ssize_t n = send(c->fd, c->req + off, total - off, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            fmt(err, cap, "%s %s: send: %s", method, path, strerror(errno));
            conn_close(c);
            return -1;
        }
        off += (size_t)n;
    }
    while (!c->complete) {
        ssize_t n = recv(c->fd, c->rbuf, sizeof(c->rbuf), 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            fmt(err, cap, "%s %s: recv: %s", method, path, strerror(errno));
            conn_close(c);
            return -1;
        }
        size_t parsed = http_parser_execute(&c->parser, &PARSER_SETTINGS, c->rbuf, (size_t)n);
        enum http_errno e = HTTP_PARSER_ERRNO(&c->parser);
        if (c->complete) {
            if (parsed != (size_t)n) {
                fmt(err, cap, "%s %s: %zd bytes after the end of the answer", method, path,
                    n - (ssize_t)parsed);
                conn_close(c);
                return -1;
            }
            break;
        }
        if (e != HPE_OK) {
            fmt(err, cap, "%s %s: bad HTTP answer: %s (%s)", method, path, http_errno_name(e),
                http_errno_description(e));
            conn_close(c);
            return -1;
        }
        if (n == 0) {
            fmt(err, cap, "%s %s: the server closed the connection before the end of the answer",
                method, path);
            conn_close(c);
            return -1;
        }
    }
    *ms = (double)(now_ns() - t0) / 1e6;

    if (!c->body)
        c->body = xmalloc(c->body_cap = 1);
    c->body[c->body_len] = '\0';
    c->etag[c->etag_long ? 0 : c->etag_len] = '\0';
    if (!http_should_keep_alive(&c->parser)) {
        conn_close(c); /* the server will close it: reconnect for the next one */
        c->reconnects++;
    }
    return c->parser.status_code;
}

/* ------------------------------------------------------------------------ */
/* kenes round                                                              */

typedef struct {
    long n;      /* writes or commits */
    double secs; /* wall time */
    double rate; /* n / secs */
    double p50, p99, max;
} phase_result;

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

static void login(int port, char *token, size_t cap, const char *log_path)
{
    conn c;
    char err[4096];
    double ms;
    conn_init(&c, port);
    json_t *req = json_pack("{s:s, s:s}", "user", BENCH_USER, "password", BENCH_PASSWORD);
    char *json = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    int st = conn_request(&c, "POST", "/api/v1/sessions", NULL, NULL, json, &ms, err, sizeof(err));
    free(json);
    if (st != 201) {
        print_log_tail(log_path, 20);
        if (st < 0)
            die("login: %s", err);
        die("POST /api/v1/sessions: expected 201, got %d: %.2000s", st, c.body);
    }
    json_error_t jerr;
    json_t *doc = json_loadb(c.body, c.body_len, 0, &jerr);
    const char *t = json_string_value(json_object_get(doc, "token"));
    if (!t || strlen(t) >= cap)
        die("POST /api/v1/sessions: no usable token in %.2000s", c.body);
    fmt(token, cap, "%s", t);
    json_decref(doc);
    conn_free(&c);
}

static long count_commits(const char *gitdir)
{
    git_repository *repo = NULL;
    git_revwalk *walk = NULL;
    git_oid oid;
    long n = 0;
    if (git_repository_open_bare(&repo, gitdir) < 0 || git_revwalk_new(&walk, repo) < 0 ||
        git_revwalk_push_ref(walk, "refs/heads/main") < 0) {
        const git_error *e = git_error_last();
        die("reading %s: %s", gitdir, e && e->message ? e->message : "libgit2 error");
    }
    while (git_revwalk_next(&oid, walk) == 0)
        n++;
    git_revwalk_free(walk);
    git_repository_free(repo);
    return n;
}

static void kenes_round(const char *kenes, const char *dir, int nclients, int edits,
                        phase_result *r, char *version, size_t version_cap, long *reconnects)
{
    char data[4200], log_path[4200], users_log[4200];
    fmt(data, sizeof(data), "%s/data", dir);
    fmt(log_path, sizeof(log_path), "%s/serve.log", dir);
    fmt(users_log, sizeof(users_log), "%s/cli.log", dir);

    char *init_argv[] = {(char *)kenes, "init", "--data", data, NULL};
    int st = run_cmd(init_argv, NULL, users_log);
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

    server srv;
    start_server(&srv, kenes, data, log_path);
    fmt(version, version_cap, "%s", srv.version);
    char token[256];
    login(srv.port, token, sizeof(token), log_path);

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
    r->n = (long)all.n;
    r->secs = (double)(t_end - t_start) / 1e9;
    r->rate = (double)r->n / r->secs;
    r->p50 = percentile(&all, 0.50);
    r->p99 = percentile(&all, 0.99);
    r->max = all.v[all.n - 1];
    free(all.v);

    stop_server(&srv);

    /* Every acknowledged write is one commit on main, and all are valid. */
    char gitdir[4300];
    fmt(gitdir, sizeof(gitdir), "%s/documents.git", data);
    long commits = count_commits(gitdir);
    if (commits != want)
        die("%s holds %ld commits on main after %ld acknowledged writes", gitdir, commits, want);
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

static void git_die(const char *what)
{
    const git_error *e = git_error_last();
    die("libgit2: %s: %s", what, e && e->message ? e->message : "unknown error");
}

/* The file the server would write for plan p after step s. */
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

/* One commit, as the server's writer makes it (core/store.c commit_one). */
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
    r->n = (long)lat.n;
    r->secs = (double)(t_end - t_start) / 1e9;
    r->rate = (double)r->n / r->secs;
    r->p50 = percentile(&lat, 0.50);
    r->p99 = percentile(&lat, 0.99);
    r->max = lat.v[lat.n - 1];
    free(lat.v);
}

/* ------------------------------------------------------------------------ */
/* main                                                                     */

static void cleanup(void)
{
    if (g_server_pid > 0) {
        kill(g_server_pid, SIGTERM);
        int status;
        for (int i = 0; i < 1000 && waitpid(g_server_pid, &status, WNOHANG) == 0; i++) {
            struct timespec ts = {0, 10 * 1000000};
            nanosleep(&ts, NULL);
        }
        if (waitpid(g_server_pid, &status, WNOHANG) == 0) {
            kill(g_server_pid, SIGKILL);
            waitpid(g_server_pid, &status, 0);
        }
        g_server_pid = 0;
    }
    if (g_root[0]) {
        if (g_keep)
            fprintf(stderr, "bench_writes: kept %s\n", g_root);
        else
            rm_tree(g_root);
        g_root[0] = '\0';
    }
}

/* The median over the rounds of one double field of phase_result. */
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
            "                    [--tmpdir DIR] [--keep]\n"
            "  --clients N  parallel HTTP clients, 1-%d (default 8)\n"
            "  --rounds R   rounds, each kenes then raw or raw then kenes, 1-%d (default 5)\n"
            "  --edits E    return/edit/submit cycles per plan, 0-%d (default 2): each round\n"
            "               makes %d x (2 + 3E) writes\n"
            "  --tmpdir DIR where the data folders and the raw repository go\n"
            "               (default $TMPDIR or /tmp)\n"
            "  --keep       keep the temp folders\n",
            MAX_CLIENTS, MAX_ROUNDS, MAX_EDITS, NPLANS);
    return 2;
}

static int parse_int(const char *s, int lo, int hi, int *out)
{
    char *end;
    errno = 0;
    long v = s ? strtol(s, &end, 10) : 0;
    if (!s || errno || *end || end == s || v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}

int main(int argc, char **argv)
{
    const char *kenes = NULL, *tmpdir = getenv("TMPDIR");
    int nclients = 8, rounds = 5, edits = 2;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(NULL);
            return 0;
        } else if (!strcmp(a, "--keep")) {
            g_keep = 1;
        } else if (!strcmp(a, "--kenes") && v) {
            kenes = v, i++;
        } else if (!strcmp(a, "--tmpdir") && v) {
            tmpdir = v, i++;
        } else if (!strcmp(a, "--clients")) {
            if (parse_int(v, 1, MAX_CLIENTS, &nclients) < 0)
                return usage("--clients needs a number from 1 to 100");
            i++;
        } else if (!strcmp(a, "--rounds")) {
            if (parse_int(v, 1, MAX_ROUNDS, &rounds) < 0)
                return usage("--rounds needs a number from 1 to 100");
            i++;
        } else if (!strcmp(a, "--edits")) {
            if (parse_int(v, 0, MAX_EDITS, &edits) < 0)
                return usage("--edits needs a number from 0 to 50");
            i++;
        } else {
            char msg[256];
            fmt(msg, sizeof(msg), "unknown or incomplete option '%.200s'", a);
            return usage(msg);
        }
    }
    if (!kenes)
        return usage("--kenes PATH is required");
    if (access(kenes, X_OK) < 0) {
        fprintf(stderr, "bench_writes: %s: %s\n", kenes, strerror(errno));
        return 2;
    }
    if (!tmpdir || !*tmpdir)
        tmpdir = "/tmp";

    signal(SIGPIPE, SIG_IGN);
    if (git_libgit2_init() < 0 || git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 1) < 0)
        git_die("init");

    fmt(g_root, sizeof(g_root), "%s/kenes-bench-XXXXXX", tmpdir);
    if (!mkdtemp(g_root)) {
        fprintf(stderr, "bench_writes: mkdtemp %s: %s\n", g_root, strerror(errno));
        g_root[0] = '\0';
        return 1;
    }

    int major, minor, rev;
    git_libgit2_version(&major, &minor, &rev);
    int steps = steps_per_plan(edits);
    printf("bench_writes: %d client%s, %d round%s, %d edit cycle%s per plan: "
           "%d plans x %d writes = %d durable writes per round\n",
           nclients, nclients == 1 ? "" : "s", rounds, rounds == 1 ? "" : "s", edits,
           edits == 1 ? "" : "s", NPLANS, steps, NPLANS * steps);
    printf("libgit2 %d.%d.%d with GIT_OPT_ENABLE_FSYNC_GITDIR; temp folders in %s (%s)\n\n",
           major, minor, rev, tmpdir, fs_name(g_root));
    printf("round  order      |  kenes writes/s  p50 ms  p99 ms |  raw commits/s  p50 ms  "
           "p99 ms | kenes/raw\n");
    fflush(stdout);

    phase_result *kr = calloc((size_t)rounds, sizeof(*kr));
    phase_result *rr = calloc((size_t)rounds, sizeof(*rr));
    double *col = calloc((size_t)rounds, sizeof(*col));
    if (!kr || !rr || !col)
        die("out of memory");
    char version[64] = "?";
    long reconnects_total = 0;
    for (int i = 0; i < rounds; i++) {
        char dir[4200];
        fmt(dir, sizeof(dir), "%s/round-%d", g_root, i + 1);
        if (mkdir(dir, 0700) < 0)
            die("mkdir %s: %s", dir, strerror(errno));
        int kenes_first = i % 2 == 0;
        for (int k = 0; k < 2; k++) {
            if ((k == 0) == kenes_first) {
                long reconnects = 0;
                kenes_round(kenes, dir, nclients, edits, &kr[i], version, sizeof(version),
                            &reconnects);
                reconnects_total += reconnects;
            } else {
                raw_round(dir, edits, &rr[i]);
            }
        }
        printf("%5d  %-10s | %15.1f %7.2f %7.2f | %14.1f %7.2f %7.2f | %9.3f\n", i + 1,
               kenes_first ? "kenes,raw" : "raw,kenes", kr[i].rate, kr[i].p50, kr[i].p99,
               rr[i].rate, rr[i].p50, rr[i].p99, kr[i].rate / rr[i].rate);
        fflush(stdout);
        if (!g_keep)
            rm_tree(dir);
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
    printf("median            | %15.1f %7.2f %7.2f | %14.1f %7.2f %7.2f | %9.3f\n", k_rate, k_p50,
           k_p99, r_rate, r_p50, r_p99, ratio);
    /* The spread: on a shared machine it says how far to trust the medians. */
    double lo[7], hi[7];
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
    printf("min               | %15.1f %7.2f %7.2f | %14.1f %7.2f %7.2f | %9.3f\n", lo[0], lo[1],
           lo[2], lo[3], lo[4], lo[5], lo[6]);
    printf("max               | %15.1f %7.2f %7.2f | %14.1f %7.2f %7.2f | %9.3f\n", hi[0], hi[1],
           hi[2], hi[3], hi[4], hi[5], hi[6]);
    printf("\nkenes %s, %d client%s: median %.1f durable writes/s (p50 %.2f ms, p99 %.2f ms); "
           "raw libgit2 with fsync: %.1f commits/s (p50 %.2f ms, p99 %.2f ms); "
           "kenes/raw %.3f\n",
           version, nclients, nclients == 1 ? "" : "s", k_rate, k_p50, k_p99, r_rate, r_p50,
           r_p99, ratio);
    if (reconnects_total)
        printf("note: the server closed keep-alive connections %ld times (clients reconnected)\n",
               reconnects_total);
    free(kr);
    free(rr);
    free(col);
    cleanup();
    git_libgit2_shutdown();
    return 0;
}
