/*
 * bench_common.h: what the benchmarks under bench/ share.  Each benchmark is
 * one C file compiled on its own (no CMake target, see BENCHMARKS.md); it
 * defines BENCH_NAME (the prefix of its messages) and includes this file.
 *
 *   - helpers: die() (stops a running server, removes the temp root unless
 *     --keep), fmt() (snprintf that refuses to truncate), clocks, rm_tree;
 *   - latency samples: nearest-rank percentiles, medians;
 *   - child processes: run_cmd (kenes init, user add, git), run_capture
 *     (stdout collected), start_server
 *     (`kenes serve --listen 127.0.0.1:0`, port read from its first line),
 *     stop_server (SIGTERM, exit code 0 expected);
 *   - a blocking HTTP/1.1 keep-alive client parsed with http-parser, login;
 *   - libgit2: git_die, count_commits;
 *   - the command line every benchmark shares (parse_options), the temp
 *     root (make_root), a regional plan's body (plan_body_text, from the
 *     measures PLAN_MEASURES lists).
 *
 * Every function is static and marked unused, so a benchmark that needs only
 * part of it still builds with -Wall -Wextra -Werror.
 */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#ifndef BENCH_NAME
#error "define BENCH_NAME (the program's name, for messages) before including bench_common.h"
#endif

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
#include <signal.h>
#include <stddef.h>
#include <stdarg.h>
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

#define BENCH_FN static __attribute__((unused))

/* The 20 regions of content/regions.yaml (ISO 3166-2:KZ). */
static const char *const REGIONS[] = {
    "KZ-10", "KZ-11", "KZ-15", "KZ-19", "KZ-23", "KZ-27", "KZ-31", "KZ-33", "KZ-35", "KZ-39",
    "KZ-43", "KZ-47", "KZ-55", "KZ-59", "KZ-61", "KZ-62", "KZ-63", "KZ-71", "KZ-75", "KZ-79",
};
#define NREGIONS ((int)(sizeof(REGIONS) / sizeof(REGIONS[0])))

/* The measures a plan's body lists.  bench_history's plans name the first
 * eight (a body of about 1.5 KiB), bench_writes's all of them (about 2 KiB). */
static const char *const PLAN_MEASURES[] = {
    "профилактика правонарушений среди несовершеннолетних и работа с семьями группы риска",
    "летний отдых и оздоровление детей из многодетных и малообеспеченных семей",
    "психологическая поддержка подростков в школах и колледжах области",
    "межведомственные рейды по выявлению детей, оставшихся без попечения родителей",
    "обучение специалистов комиссий по делам несовершеннолетних и защите их прав",
    "кружки и секции на базе школ, бесплатные для детей из социально уязвимых семей",
    "профилактика буллинга и кибербуллинга: линия доверия и работа с родителями",
    "мониторинг исполнения мер и ежеквартальный отчёт комиссии акимату",
    "доступная среда для детей с особыми образовательными потребностями",
    "сопровождение выпускников детских домов в первые годы самостоятельной жизни",
    "информирование населения о правах ребёнка на казахском и русском языках",
};
#define NPLAN_MEASURES (sizeof(PLAN_MEASURES) / sizeof(PLAN_MEASURES[0]))

/* ------------------------------------------------------------------------ */
/* Small helpers                                                            */

static pid_t g_server_pid; /* a running server, stopped by die() */
static char g_root[4096];  /* the temp root, removed by die() unless --keep */
static int g_keep;

BENCH_FN void cleanup(void);

BENCH_FN void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
BENCH_FN void die(const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fprintf(stderr, "%s: ", BENCH_NAME);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    cleanup();
    exit(1);
}

/* snprintf that refuses to truncate: every buffer here is sized for its use. */
BENCH_FN void fmt(char *buf, size_t cap, const char *f, ...) __attribute__((format(printf, 3, 4)));
BENCH_FN void fmt(char *buf, size_t cap, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    int n = vsnprintf(buf, cap, f, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= cap) {
        fprintf(stderr, BENCH_NAME ": internal error: buffer too small for \"%s\"\n", f);
        abort();
    }
}

BENCH_FN int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

BENCH_FN void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, BENCH_NAME ": out of memory\n");
        abort();
    }
    return p;
}

BENCH_FN void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p) {
        fprintf(stderr, BENCH_NAME ": out of memory\n");
        abort();
    }
    return p;
}

BENCH_FN int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    if (remove(path) < 0)
        fprintf(stderr, BENCH_NAME ": cannot remove %s: %s\n", path, strerror(errno));
    return 0;
}

BENCH_FN void rm_tree(const char *dir)
{
    if (dir && *dir && access(dir, F_OK) == 0)
        nftw(dir, rm_entry, 32, FTW_DEPTH | FTW_PHYS);
}

BENCH_FN const char *fs_name(const char *path)
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

static uint64_t g_du_bytes;

BENCH_FN int du_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)path;
    (void)flag;
    (void)ftw;
    g_du_bytes += (uint64_t)st->st_blocks * 512;
    return 0;
}

/* Disk usage of a folder, in bytes (like du). */
BENCH_FN uint64_t disk_usage(const char *dir)
{
    g_du_bytes = 0;
    nftw(dir, du_entry, 32, FTW_PHYS);
    return g_du_bytes;
}

/* ------------------------------------------------------------------------ */
/* Latency samples                                                          */

typedef struct {
    double *v; /* milliseconds */
    size_t n, cap;
} samples;

BENCH_FN void samples_add(samples *s, double ms)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 1024;
        s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
    }
    s->v[s->n++] = ms;
}

BENCH_FN int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Nearest-rank percentile (q in (0, 1]); sorts s. */
BENCH_FN double percentile(samples *s, double q)
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

BENCH_FN double median(const double *v, size_t n)
{
    double *c = xmalloc(n * sizeof(*c));
    memcpy(c, v, n * sizeof(*c));
    qsort(c, n, sizeof(*c), cmp_double);
    double m = n % 2 ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2;
    free(c);
    return m;
}

/* ------------------------------------------------------------------------ */
/* Child processes                                                          */

/* Starts argv in a child: stdin from in_fd (-1: /dev/null), stdout to out_fd
 * (-1: log_path) and stderr appended to log_path; the child closes the pipe
 * ends in close_fds (-1: none).  Returns its pid, or -1. */
BENCH_FN pid_t spawn(char *const argv[], int in_fd, int out_fd, const int close_fds[2],
                     const char *log_path)
{
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    signal(SIGPIPE, SIG_DFL);
    int fd = in_fd >= 0 ? in_fd : open("/dev/null", O_RDONLY);
    int lfd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0 || lfd < 0 || dup2(fd, 0) < 0 || dup2(out_fd >= 0 ? out_fd : lfd, 1) < 0 ||
        dup2(lfd, 2) < 0)
        _exit(127);
    for (int i = 0; i < 2; i++)
        if (close_fds[i] >= 0)
            close(close_fds[i]);
    execvp(argv[0], argv);
    _exit(127);
}

/* pid's wait status, or -1. */
BENCH_FN int wait_status(pid_t pid)
{
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return status;
}

/* Runs argv with stdin_text (or /dev/null) on stdin and stdout + stderr
 * appended to log_path; returns its wait status, or -1. */
BENCH_FN int run_cmd(char *const argv[], const char *stdin_text, const char *log_path)
{
    int in[2] = {-1, -1};
    if (stdin_text && pipe(in) < 0)
        return -1;
    const int close_fds[2] = {in[1], -1};
    pid_t pid = spawn(argv, in[0], -1, close_fds, log_path);
    if (pid < 0)
        return -1;
    if (stdin_text) {
        close(in[0]);
        size_t len = strlen(stdin_text);
        ssize_t w = write(in[1], stdin_text, len);
        (void)w; /* a child that does not read it fails on its own */
        close(in[1]);
    }
    return wait_status(pid);
}

/* Runs argv; its stdout is collected in *out (NUL-terminated), its stderr
 * appended to log_path.  Returns its wait status, or -1. */
BENCH_FN int run_capture(char *const argv[], char **out, size_t *out_len, const char *log_path)
{
    int pfd[2];
    if (pipe(pfd) < 0)
        return -1;
    pid_t pid = spawn(argv, -1, pfd[1], pfd, log_path);
    if (pid < 0)
        return -1;
    close(pfd[1]);
    size_t cap = 4096, len = 0;
    char *buf = xmalloc(cap);
    for (;;) {
        if (cap - len < 2048)
            buf = xrealloc(buf, cap *= 2);
        ssize_t n = read(pfd[0], buf + len, cap - len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    close(pfd[0]);
    buf[len] = '\0';
    int status = wait_status(pid);
    if (status == -1) {
        free(buf);
        return -1;
    }
    *out = buf;
    *out_len = len;
    return status;
}

BENCH_FN void describe_status(char *buf, size_t cap, int status)
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

BENCH_FN void print_log_tail(const char *log_path, int lines)
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

/* Starts `kenes serve --data data --listen 127.0.0.1:0` (stderr to log_path)
 * and waits up to timeout_s seconds for its "listening" line. */
BENCH_FN void start_server(server *srv, const char *kenes, const char *data, const char *log_path,
                           int timeout_s)
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
    int64_t deadline = now_ns() + timeout_s * (int64_t)1000000000;
    while (!memchr(line, '\n', len)) {
        int left_ms = (int)((deadline - now_ns()) / 1000000);
        struct pollfd pfd = {.fd = srv->out_fd, .events = POLLIN};
        if (left_ms <= 0 || len == sizeof(line) - 1) {
            print_log_tail(log_path, 20);
            die("kenes serve printed no \"listening\" line within %d s", timeout_s);
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
BENCH_FN void stop_server(server *srv)
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

/* A header's name or value arrives in pieces: append one to buf (keeping a
 * byte for the NUL), or mark it too long to be the one looked for. */
BENCH_FN void append_capped(char *buf, size_t cap, size_t *len, int *too_long, const char *at,
                            size_t n)
{
    if (*len + n < cap) {
        memcpy(buf + *len, at, n);
        *len += n;
    } else {
        *too_long = 1;
    }
}

BENCH_FN int on_header_field(http_parser *p, const char *at, size_t len)
{
    conn *c = p->data;
    if (c->hstate != 1) {
        c->hstate = 1;
        c->field_len = 0;
        c->field_long = 0;
    }
    append_capped(c->field, sizeof(c->field), &c->field_len, &c->field_long, at, len);
    return 0;
}

BENCH_FN int on_header_value(http_parser *p, const char *at, size_t len)
{
    conn *c = p->data;
    if (c->hstate != 2) {
        c->hstate = 2;
        c->is_etag = !c->field_long && c->field_len == 4 && strncasecmp(c->field, "etag", 4) == 0;
        if (c->is_etag)
            c->etag_len = 0, c->etag_long = 0;
    }
    if (c->is_etag)
        append_capped(c->etag, sizeof(c->etag), &c->etag_len, &c->etag_long, at, len);
    return 0;
}

BENCH_FN int on_body(http_parser *p, const char *at, size_t len)
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

BENCH_FN int on_message_complete(http_parser *p)
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

BENCH_FN void conn_init(conn *c, int port)
{
    memset(c, 0, sizeof(*c));
    c->fd = -1;
    c->port = port;
}

BENCH_FN void conn_close(conn *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
}

BENCH_FN void conn_free(conn *c)
{
    conn_close(c);
    free(c->body);
    free(c->req);
    c->body = c->req = NULL;
}

BENCH_FN int conn_connect(conn *c, char *err, size_t cap)
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

/* Sends one request (with json as its body, or none when json is NULL) and
 * reads its whole answer.  *ms is the time from the first byte sent to the
 * end of the answer.  Returns the status, or -1 with err set.  The answer's
 * body is c->body (NUL-terminated), its ETag c->etag. */
BENCH_FN int conn_request(conn *c, const char *method, const char *path, const char *token,
                          const char *if_match, const char *json, double *ms, char *err,
                          size_t cap)
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
    char body_hdr[128] = "";
    if (if_match)
        fmt(if_match_hdr, sizeof(if_match_hdr), "If-Match: %s\r\n", if_match);
    if (token)
        fmt(auth_hdr, sizeof(auth_hdr), "Authorization: Bearer %s\r\n", token);
    if (json)
        fmt(body_hdr, sizeof(body_hdr),
            "Content-Type: application/json\r\nContent-Length: %zu\r\n", json_len);
    int hlen = snprintf(c->req, c->req_cap,
                        "%s %s HTTP/1.1\r\n"
                        "Host: 127.0.0.1:%d\r\n"
                        "%s%s%s"
                        "\r\n",
                        method, path, c->port, auth_hdr, if_match_hdr, body_hdr);
    if (hlen < 0 || (size_t)hlen + json_len >= c->req_cap) {
        fprintf(stderr, BENCH_NAME ": internal error: request buffer\n");
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

/* Logs in as user; token gets the bearer token.  Anything but 201 stops the run. */
BENCH_FN void login(int port, const char *user, const char *password, char *token, size_t cap,
                    const char *log_path)
{
    conn c;
    char err[4096];
    double ms;
    conn_init(&c, port);
    json_t *req = json_pack("{s:s, s:s}", "user", user, "password", password);
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

/* ------------------------------------------------------------------------ */
/* libgit2                                                                  */

BENCH_FN void git_die(const char *what)
{
    const git_error *e = git_error_last();
    die("libgit2: %s: %s", what, e && e->message ? e->message : "unknown error");
}


/* The commits on refs/heads/main of the bare repository gitdir. */
BENCH_FN long count_commits(const char *gitdir)
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

/* A whole number from lo to hi, or -1. */
BENCH_FN int parse_int(const char *s, int lo, int hi, int *out)
{
    char *end;
    errno = 0;
    long v = s ? strtol(s, &end, 10) : 0;
    if (!s || errno || *end || end == s || v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}

/* A whole-number option: name N, from lo to hi, into *value. */
typedef struct {
    const char *name;
    int lo, hi;
    int *value;
} int_option;

/* Reads the options every benchmark takes (--help, --keep, --kenes PATH,
 * --tmpdir DIR) and the numbers in opts (ending in a NULL name), checks that
 * *kenes can be run, and defaults *tmpdir to $TMPDIR, then /tmp.  Returns -1
 * to go on, or the exit code (usage's, for a wrong option). */
BENCH_FN int parse_options(int argc, char **argv, const int_option *opts, const char **kenes,
                           const char **tmpdir, int (*usage)(const char *msg))
{
    char msg[256];
    *kenes = NULL;
    *tmpdir = getenv("TMPDIR");
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        const int_option *o = opts;
        while (o->name && strcmp(a, o->name) != 0)
            o++;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(NULL);
            return 0;
        } else if (!strcmp(a, "--keep")) {
            g_keep = 1;
        } else if (!strcmp(a, "--kenes") && v) {
            *kenes = v, i++;
        } else if (!strcmp(a, "--tmpdir") && v) {
            *tmpdir = v, i++;
        } else if (o->name) {
            if (parse_int(v, o->lo, o->hi, o->value) < 0) {
                fmt(msg, sizeof(msg), "%s needs a number from %d to %d", o->name, o->lo, o->hi);
                return usage(msg);
            }
            i++;
        } else {
            fmt(msg, sizeof(msg), "unknown or incomplete option '%.200s'", a);
            return usage(msg);
        }
    }
    if (!*kenes)
        return usage("--kenes PATH is required");
    if (access(*kenes, X_OK) < 0) {
        fprintf(stderr, BENCH_NAME ": %s: %s\n", *kenes, strerror(errno));
        return 2;
    }
    if (!*tmpdir || !**tmpdir)
        *tmpdir = "/tmp";
    return -1;
}

/* The temp root g_root: a new folder tmpdir/name-XXXXXX.  0, or 1 (the exit
 * code) after saying why. */
BENCH_FN int make_root(const char *tmpdir, const char *name)
{
    fmt(g_root, sizeof(g_root), "%s/%s-XXXXXX", tmpdir, name);
    if (!mkdtemp(g_root)) {
        fprintf(stderr, BENCH_NAME ": mkdtemp %s: %s\n", g_root, strerror(errno));
        g_root[0] = '\0';
        return 1;
    }
    return 0;
}

/* A regional plan's Markdown body for region and period at revision rev (0:
 * as created): a heading, the first nmeasures of PLAN_MEASURES numbered,
 * and a line per revision. */
BENCH_FN char *plan_body_text(const char *region, int period, int rev, size_t nmeasures)
{
    const char *const *measures = PLAN_MEASURES;
    if (nmeasures > NPLAN_MEASURES)
        nmeasures = NPLAN_MEASURES;
    size_t cap = 4096, len = 0;
    char *b = xmalloc(cap);
    len += (size_t)snprintf(b + len, cap - len,
                            "# План мероприятий %s на %d год\n\n"
                            "Региональный план в рамках концепции «Дети Казахстана».\n\n"
                            "## Меры\n\n",
                            region, period);
    for (size_t i = 0; i < nmeasures && len < cap; i++)
        len += (size_t)snprintf(b + len, cap - len, "%zu. %s.\n", i + 1, measures[i]);
    if (rev > 0 && len < cap)
        len += (size_t)snprintf(b + len, cap - len,
                                "\n_Редакция %d: учтены замечания министерства._\n", rev);
    if (len >= cap) {
        fprintf(stderr, BENCH_NAME ": internal error: plan body too long\n");
        abort();
    }
    return b;
}

/* Stops a server still running (SIGTERM, then SIGKILL after 10 s) and removes
 * the temp root unless --keep.  die() calls it; main calls it at the end. */
BENCH_FN void cleanup(void)
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
            fprintf(stderr, BENCH_NAME ": kept %s\n", g_root);
        else
            rm_tree(g_root);
        g_root[0] = '\0';
    }
}


#endif
