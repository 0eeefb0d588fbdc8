/*
 * HTTP server tests: the server runs on its own loop thread, the test talks
 * to it over 127.0.0.1 with plain blocking sockets, byte for byte.
 *
 * The test handler answers by path:
 *   /async/<ms>...  later, from a uv_timer (like a thread-pool job would)
 *   /mark/<ms>      at once, after starting a uv_timer of ms, the mark: the
 *                   timeout tests assert that a close comes after it fired
 *                   (an order of events on the server's loop), never how
 *                   many milliseconds they measured themselves
 *   /hdr            the X-A header, its count and the peer
 *   /status/<n>     status n with a body the server must drop if n is bodyless
 *   anything else   at once: "<method> <path> <query> <body_len>\n<body>"
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/error.h"
#include "http/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <uv.h>

/* ---- the server side, on its own thread -------------------------------- */

typedef struct fixture {
    uv_loop_t loop;
    uv_thread_t thread;
    uv_async_t stop_async;
    uv_sem_t ready;
    http_server *srv;
    http_limits lim;
    int port;
    int listen_rc;
    int loop_close_rc;
    int stop_sent;
    atomic_int handled;     /* requests handed to the handler */
    atomic_int answered;    /* http_respond() calls */
    atomic_int outstanding; /* handed, not yet answered */
    atomic_int max_outstanding;
    atomic_int seq; /* orders the two events below */
    atomic_int done_seq;
    atomic_int last_answer_seq;
    atomic_int mark_seq; /* when the last /mark/<ms> timer fired; 0: not yet */
    atomic_int server_errors; /* cmocka cannot fail a test from the loop thread */
} fixture;

typedef struct later {
    uv_timer_t timer;
    http_request *req;
    fixture *fx;
} later;

static void answer(fixture *fx, http_request *req)
{
    char *buf = NULL;
    size_t len = 0;
    int status = 200;
    int n = 0;
    if (strcmp(req->path, "/hdr") == 0) {
        const char *a = http_request_header(req, "x-a");
        n = asprintf(&buf, "X-A=%s;count=%zu;peer=%s;missing=%s", a ? a : "(null)",
                     http_request_header_count(req, "X-A"), req->peer,
                     http_request_header(req, "X-None") ? "no" : "yes");
    } else if (strcmp(req->path, "/echo") == 0) {
        /* Straight from the request: http_respond() must copy before it frees. */
        atomic_store(&fx->last_answer_seq, atomic_fetch_add(&fx->seq, 1) + 1);
        atomic_fetch_add(&fx->answered, 1);
        atomic_fetch_sub(&fx->outstanding, 1);
        http_respond(req, 200, http_request_header(req, "Content-Type"), NULL, req->body,
                     req->body_len);
        return;
    } else if (sscanf(req->path, "/status/%d", &status) == 1) {
        n = asprintf(&buf, "must not be sent");
    } else {
        /* Echo small bodies only: big ones are checked by length. */
        size_t shown = req->body_len <= 4096 ? req->body_len : 0;
        n = asprintf(&buf, "%s %s %s %zu\n%.*s", req->method, req->path, req->query,
                     req->body_len, (int)shown, req->body);
        if (req->body[req->body_len] != '\0')
            atomic_fetch_add(&fx->server_errors, 1);
    }
    if (n < 0) {
        atomic_fetch_add(&fx->server_errors, 1);
        buf = NULL;
        n = 0;
    }
    len = (size_t)n;
    atomic_store(&fx->last_answer_seq, atomic_fetch_add(&fx->seq, 1) + 1);
    atomic_fetch_add(&fx->answered, 1);
    atomic_fetch_sub(&fx->outstanding, 1);
    http_respond(req, status, "text/plain", "X-Test: 1\r\n", buf, len);
    free(buf);
}

static void on_later_closed(uv_handle_t *h)
{
    free(h->data);
}

static void on_later(uv_timer_t *t)
{
    later *l = t->data;
    answer(l->fx, l->req);
    uv_close((uv_handle_t *)&l->timer, on_later_closed);
}

static void on_mark(uv_timer_t *t)
{
    later *l = t->data;
    atomic_store(&l->fx->mark_seq, atomic_fetch_add(&l->fx->seq, 1) + 1);
    uv_close((uv_handle_t *)&l->timer, on_later_closed);
}

static void handler(http_request *req, void *payload)
{
    fixture *fx = payload;
    atomic_fetch_add(&fx->handled, 1);
    int now = atomic_fetch_add(&fx->outstanding, 1) + 1;
    if (now > atomic_load(&fx->max_outstanding))
        atomic_store(&fx->max_outstanding, now);
    int ms;
    if (sscanf(req->path, "/async/%d", &ms) == 1) {
        later *l = calloc(1, sizeof(*l));
        if (!l) {
            atomic_fetch_add(&fx->server_errors, 1);
            return;
        }
        l->req = req;
        l->fx = fx;
        l->timer.data = l;
        uv_timer_init(&fx->loop, &l->timer);
        uv_timer_start(&l->timer, on_later, (uint64_t)ms, 0);
        return;
    }
    if (sscanf(req->path, "/mark/%d", &ms) == 1) {
        /* Started before the answer, so before any timer the answer (re)starts:
         * libuv fires timers due at the same time in the order started. */
        later *l = calloc(1, sizeof(*l));
        if (!l) {
            atomic_fetch_add(&fx->server_errors, 1);
        } else {
            l->fx = fx;
            l->timer.data = l;
            uv_timer_init(&fx->loop, &l->timer);
            uv_timer_start(&l->timer, on_mark, (uint64_t)ms, 0);
        }
    }
    answer(fx, req);
}

static void on_done(void *payload)
{
    fixture *fx = payload;
    atomic_store(&fx->done_seq, atomic_fetch_add(&fx->seq, 1) + 1);
    /* Free at once: answers still owed to vanished clients must not need the server. */
    http_server_free(fx->srv);
    fx->srv = NULL;
    uv_close((uv_handle_t *)&fx->stop_async, NULL);
}

static void on_stop_async(uv_async_t *a)
{
    fixture *fx = a->data;
    http_server_stop(fx->srv, on_done, fx);
}

static void server_thread(void *arg)
{
    fixture *fx = arg;
    uv_loop_init(&fx->loop);
    fx->stop_async.data = fx;
    uv_async_init(&fx->loop, &fx->stop_async, on_stop_async);
    int rc = http_server_new(&fx->srv, &fx->loop, &fx->lim, handler, fx);
    fx->listen_rc = rc ? rc : http_server_listen(fx->srv, "127.0.0.1", 0);
    fx->port = http_server_port(fx->srv);
    uv_sem_post(&fx->ready);
    uv_run(&fx->loop, UV_RUN_DEFAULT);
    fx->loop_close_rc = uv_loop_close(&fx->loop);
}

static int start(void **state, const http_limits *lim)
{
    /* A hung test fails instead of blocking ctest until its timeout. */
    alarm(30);
    fixture *fx = calloc(1, sizeof(*fx));
    if (!fx)
        return -1;
    if (lim)
        fx->lim = *lim;
    uv_sem_init(&fx->ready, 0);
    uv_thread_create(&fx->thread, server_thread, fx);
    uv_sem_wait(&fx->ready);
    if (fx->listen_rc != 0 || fx->port <= 0) {
        fprintf(stderr, "listen: %s\n", kenes_strerror(fx->listen_rc));
        return -1;
    }
    *state = fx;
    return 0;
}

/* The limits come as the test's prestate (cmocka_unit_test_prestate_setup_
 * teardown); without one (NULL) the server runs with the defaults. */
static int setup(void **state)
{
    return start(state, *state);
}

static http_limits small = {.max_header_bytes = 1024, .max_body_bytes = 1000,
                            .idle_timeout_ms = 300};
static http_limits slow = {.idle_timeout_ms = 400, .request_timeout_ms = 1000};
static http_limits two_connections = {.max_connections = 2};
static http_limits short_head = {.header_timeout_ms = 300, .request_timeout_ms = 60000};
static http_limits per_address = {.max_connections = 4, .max_connections_per_address = 2};

static void stop_server(fixture *fx)
{
    if (fx->stop_sent)
        return;
    fx->stop_sent = 1;
    uv_async_send(&fx->stop_async);
}

static int teardown(void **state)
{
    fixture *fx = *state;
    stop_server(fx);
    uv_thread_join(&fx->thread);
    uv_sem_destroy(&fx->ready);
    assert_true(atomic_load(&fx->done_seq) > 0);
    /* Every handle closed: nothing of the server's is left on the loop. */
    assert_int_equal(fx->loop_close_rc, 0);
    assert_int_equal(atomic_load(&fx->handled), atomic_load(&fx->answered));
    assert_int_equal(atomic_load(&fx->server_errors), 0);
    free(fx);
    alarm(0);
    return 0;
}

/* ---- the client side ---------------------------------------------------- */

typedef struct client {
    int fd;
    char *buf;
    size_t len, cap;
} client;

typedef struct response {
    int status;
    char *head;
    char *body;
    size_t body_len;
} response;

/* from: the source address ("127.0.0.2": all of 127/8 is loopback), or NULL. */
static int dial_from(int port, const char *from)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct timeval tv = {.tv_sec = 5};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    if (from) {
        struct sockaddr_in src = {.sin_family = AF_INET};
        assert_int_equal(inet_pton(AF_INET, from, &src.sin_addr), 1);
        assert_int_equal(bind(fd, (struct sockaddr *)&src, sizeof(src)), 0);
    }
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        int err = errno;
        close(fd);
        return -err;
    }
    return fd;
}

static int dial(int port)
{
    return dial_from(port, NULL);
}

static client *client_open_from(fixture *fx, const char *from)
{
    client *c = calloc(1, sizeof(*c));
    assert_non_null(c);
    c->fd = dial_from(fx->port, from);
    assert_true(c->fd >= 0);
    return c;
}

static client *client_open(fixture *fx)
{
    return client_open_from(fx, NULL);
}

static void client_close(client *c)
{
    if (c->fd >= 0)
        close(c->fd);
    free(c->buf);
    free(c);
}

static void send_bytes(client *c, const char *s, size_t n)
{
    while (n) {
        ssize_t k = send(c->fd, s, n, MSG_NOSIGNAL);
        assert_true(k > 0);
        s += k;
        n -= (size_t)k;
    }
}

static void send_str(client *c, const char *s)
{
    send_bytes(c, s, strlen(s));
}

/* More bytes: >0 read, 0 EOF, <0 error or timeout (-errno). */
static int client_fill(client *c)
{
    if (c->cap - c->len < 65536) {
        c->cap = c->cap * 2 + 65536;
        c->buf = realloc(c->buf, c->cap);
        assert_non_null(c->buf);
    }
    ssize_t n = recv(c->fd, c->buf + c->len, c->cap - c->len - 1, 0);
    if (n > 0)
        c->len += (size_t)n;
    return n >= 0 ? (int)n : -errno;
}

/* 1 if the server closed the connection, 0 if it sent bytes, -1 on timeout. */
static int client_eof(client *c)
{
    if (c->len)
        return 0;
    int n = client_fill(c);
    if (n == 0 || n == -ECONNRESET)
        return 1;
    return n > 0 ? 0 : -1;
}

/* Value of a response header, or NULL; static storage. */
static const char *resp_header(const response *r, const char *name)
{
    static char value[256];
    size_t nlen = strlen(name);
    for (const char *line = strstr(r->head, "\r\n") + 2; *line && strncmp(line, "\r\n", 2);
         line = strstr(line, "\r\n") + 2) {
        if (strncasecmp(line, name, nlen) == 0 && line[nlen] == ':') {
            const char *v = line + nlen + 1;
            while (*v == ' ')
                v++;
            size_t vlen = (size_t)(strstr(v, "\r\n") - v);
            if (vlen >= sizeof(value))
                vlen = sizeof(value) - 1;
            memcpy(value, v, vlen);
            value[vlen] = '\0';
            return value;
        }
    }
    return NULL;
}

/* One response; head_request: the answer to a HEAD has no body whatever it says. */
static int read_response(client *c, response *r, int head_request)
{
    memset(r, 0, sizeof(*r));
    char *end;
    while (!c->len || !(end = memmem(c->buf, c->len, "\r\n\r\n", 4)))
        if (client_fill(c) <= 0)
            return -1;
    size_t hlen = (size_t)(end - c->buf) + 4;
    r->head = strndup(c->buf, hlen);
    if (sscanf(r->head, "HTTP/1.1 %d ", &r->status) != 1)
        return -1;
    const char *cl = resp_header(r, "Content-Length");
    size_t blen = cl && !head_request ? strtoul(cl, NULL, 10) : 0;
    while (c->len < hlen + blen)
        if (client_fill(c) <= 0)
            return -1;
    r->body = malloc(blen + 1);
    memcpy(r->body, c->buf + hlen, blen);
    r->body[blen] = '\0';
    r->body_len = blen;
    c->len -= hlen + blen;
    memmove(c->buf, c->buf + hlen + blen, c->len);
    return 0;
}

static void resp_free(response *r)
{
    free(r->head);
    free(r->body);
    memset(r, 0, sizeof(*r));
}

/* Read one answer into r (resp_free it after) and check its status. */
static void read_status(client *c, response *r, int status)
{
    assert_int_equal(read_response(c, r, 0), 0);
    assert_int_equal(r->status, status);
}

/* Send one request, read its answer, check status and body. */
static void roundtrip(client *c, const char *req, int status, const char *body)
{
    response r;
    send_str(c, req);
    read_status(c, &r, status);
    if (body)
        assert_string_equal(r.body, body);
    resp_free(&r);
}

static void expect_error(client *c, int status, const char *code)
{
    response r;
    read_status(c, &r, status);
    assert_string_equal(resp_header(&r, "Content-Type"), "application/json");
    assert_string_equal(resp_header(&r, "Connection"), "close");
    char want[128];
    snprintf(want, sizeof(want), "{\"error\":{\"code\":\"%s\",\"message\":\"", code);
    assert_non_null(strstr(r.body, want));
    assert_int_equal(r.body[r.body_len - 1], '}');
    resp_free(&r);
    assert_int_equal(client_eof(c), 1);
}

/* Until *v reaches want, however long a loaded machine takes; a server that
 * never gets there ends the test at start()'s alarm. */
static void wait_for(atomic_int *v, int want)
{
    while (atomic_load(v) < want)
        usleep(1000);
}

/* A new connection (from: as client_open_from) that asked for path and was
 * answered, kept open. */
static client *open_served(fixture *fx, const char *from, const char *path)
{
    char req[64], body[64];
    snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\n\r\n", path);
    snprintf(body, sizeof(body), "GET %s  0\n", path);
    client *c = client_open_from(fx, from);
    roundtrip(c, req, 200, body);
    return c;
}

/* A new connection sends req until it is served (200), each refusal a 503,
 * 50 tries at most: the server frees a slot on its next loop turn, which a
 * closing client cannot wait for. */
static void until_served(fixture *fx, const char *req)
{
    for (int i = 0; i < 50; i++) {
        client *c = client_open(fx);
        send_str(c, req);
        response r;
        assert_int_equal(read_response(c, &r, 0), 0);
        int status = r.status;
        resp_free(&r);
        client_close(c);
        if (status == 200)
            break;
        assert_int_equal(status, 503);
        usleep(20 * 1000);
    }
}

/* ---- tests --------------------------------------------------------------- */

static void never_called(http_request *req, void *payload)
{
    (void)payload;
    http_respond(req, 500, NULL, NULL, NULL, 0);
    fail();
}

static void set_flag(void *payload)
{
    *(int *)payload = 1;
}

static void test_api(void **state)
{
    (void)state;
    http_limits lim = {.max_body_bytes = 5};
    http_limits_defaults(&lim);
    assert_int_equal(lim.max_header_bytes, 16 * 1024);
    assert_int_equal(lim.max_body_bytes, 5);
    assert_int_equal(lim.idle_timeout_ms, 30000);
    assert_string_equal(http_status_text(404), "Not Found");
    assert_string_equal(http_status_text(431), "Request Header Fields Too Large");
    assert_string_equal(http_status_text(299), "Unknown");

    uv_loop_t loop;
    uv_loop_init(&loop);
    http_server *srv = (http_server *)1;
    assert_int_equal(http_server_new(&srv, &loop, NULL, NULL, NULL), KENES_EINVAL);
    assert_null(srv);
    http_server_free(NULL);

    /* A failed listen leaves a server that can be freed at once. */
    assert_int_equal(http_server_new(&srv, &loop, NULL, never_called, NULL), 0);
    assert_int_equal(http_server_listen(srv, "not an address", 0), KENES_EINVAL);
    assert_int_equal(http_server_listen(srv, "127.0.0.1", 0), 0);
    int port = http_server_port(srv);
    assert_true(port > 0);
    http_server *other;
    assert_int_equal(http_server_new(&other, &loop, NULL, never_called, NULL), 0);
    assert_int_equal(http_server_listen(other, "127.0.0.1", port), KENES_EBUSY);
    http_server_free(other);

    int done = 0;
    http_server_stop(srv, set_flag, &done);
    assert_int_equal(done, 0); /* the listener closes in a callback */
    assert_int_equal(uv_run(&loop, UV_RUN_DEFAULT), 0);
    assert_int_equal(done, 1);
    http_server_free(srv);
    assert_int_equal(uv_loop_close(&loop), 0);
}

static void test_simple_get(void **state)
{
    fixture *fx = *state;
    client *c = client_open(fx);
    response r;
    send_str(c, "GET /hello?x=1&y HTTP/1.1\r\nHost: t\r\n\r\n");
    read_status(c, &r, 200);
    assert_string_equal(r.body, "GET /hello x=1&y 0\n");
    assert_int_equal(strncmp(r.head, "HTTP/1.1 200 OK\r\n", 17), 0);
    assert_string_equal(resp_header(&r, "Content-Length"), "19");
    assert_string_equal(resp_header(&r, "Content-Type"), "text/plain");
    assert_string_equal(resp_header(&r, "Connection"), "keep-alive");
    assert_string_equal(resp_header(&r, "X-Test"), "1");
    const char *date = resp_header(&r, "Date");
    assert_non_null(date);
    assert_int_equal(strlen(date), 29); /* "Sun, 06 Nov 1994 08:49:37 GMT" */
    assert_string_equal(date + 25, " GMT");
    resp_free(&r);

    roundtrip(c, "GET /hdr HTTP/1.1\r\nX-A: first  \r\nx-a: second\r\n\r\n", 200,
              "X-A=first;count=2;peer=127.0.0.1;missing=yes");
    roundtrip(c, "GET http://example.org/abs?q HTTP/1.1\r\n\r\n", 200, "GET /abs q 0\n");
    client_close(c);
}

static void test_keep_alive(void **state)
{
    fixture *fx = *state;
    client *c = client_open(fx);
    roundtrip(c, "GET /one HTTP/1.1\r\n\r\n", 200, "GET /one  0\n");
    roundtrip(c, "GET /two HTTP/1.1\r\n\r\n", 200, "GET /two  0\n");
    assert_int_equal(atomic_load(&fx->handled), 2);
    client_close(c);
}

static void test_connection_close(void **state)
{
    fixture *fx = *state;
    response r;

    client *c = client_open(fx);
    send_str(c, "GET /a HTTP/1.1\r\nConnection: close\r\n\r\n");
    assert_int_equal(read_response(c, &r, 0), 0);
    assert_string_equal(resp_header(&r, "Connection"), "close");
    resp_free(&r);
    assert_int_equal(client_eof(c), 1);
    client_close(c);

    c = client_open(fx);
    send_str(c, "GET /b HTTP/1.0\r\n\r\n");
    read_status(c, &r, 200);
    assert_string_equal(resp_header(&r, "Connection"), "close");
    resp_free(&r);
    assert_int_equal(client_eof(c), 1);
    client_close(c);

    c = client_open(fx);
    send_str(c, "GET /c HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    assert_int_equal(read_response(c, &r, 0), 0);
    assert_string_equal(resp_header(&r, "Connection"), "keep-alive");
    resp_free(&r);
    roundtrip(c, "GET /d HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 200, "GET /d  0\n");
    client_close(c);
}

static void test_pipelining(void **state)
{
    fixture *fx = *state;
    client *c = client_open(fx);
    /* The first is answered last by the handler, yet must come first. */
    send_str(c, "GET /async/150?n=1 HTTP/1.1\r\n\r\n"
                "POST /sync?n=2 HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"
                "GET /async/10?n=3 HTTP/1.1\r\n\r\n");
    const char *want[] = {"GET /async/150 n=1 0\n", "POST /sync n=2 3\nabc",
                          "GET /async/10 n=3 0\n"};
    for (int i = 0; i < 3; i++) {
        response r;
        read_status(c, &r, 200);
        assert_string_equal(r.body, want[i]);
        resp_free(&r);
    }
    /* One at a time: the parser waited for each answer. */
    assert_int_equal(atomic_load(&fx->max_outstanding), 1);
    assert_int_equal(atomic_load(&fx->handled), 3);

    /* A bad request behind a good one is answered after it, in order. */
    send_str(c, "GET /ok HTTP/1.1\r\n\r\nNOT HTTP AT ALL\r\n\r\n");
    response r;
    read_status(c, &r, 200);
    resp_free(&r);
    expect_error(c, 400, "bad_request");
    client_close(c);
}

static void test_content_length_body(void **state)
{
    fixture *fx = *state;
    client *c = client_open(fx);
    send_str(c, "POST /docs?t=1 HTTP/1.1\r\nContent-Type: text/plain\r\n"
                "Content-Length: 11\r\n\r\nhel");
    usleep(20000);
    send_str(c, "lo world");
    response r;
    read_status(c, &r, 200);
    assert_string_equal(r.body, "POST /docs t=1 11\nhello world");
    resp_free(&r);
    roundtrip(c, "PUT /empty HTTP/1.1\r\nContent-Length: 0\r\n\r\n", 200, "PUT /empty  0\n");
    send_str(c, "POST /echo HTTP/1.1\r\nContent-Type: text/x-echo\r\n"
                "Content-Length: 4\r\n\r\nping");
    assert_int_equal(read_response(c, &r, 0), 0);
    assert_string_equal(r.body, "ping");
    assert_string_equal(resp_header(&r, "Content-Type"), "text/x-echo");
    resp_free(&r);
    client_close(c);
}

static void test_chunked_body(void **state)
{
    fixture *fx = *state;
    client *c = client_open(fx);
    send_str(c, "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
    usleep(20000);
    send_str(c, "6;ext=1\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n");
    response r;
    read_status(c, &r, 200);
    assert_string_equal(r.body, "POST /c  11\nhello world");
    resp_free(&r);
    roundtrip(c, "GET /after HTTP/1.1\r\n\r\n", 200, "GET /after  0\n");
    client_close(c);
}

static char *header_of(size_t total)
{
    /* "GET / HTTP/1.1\r\nX-Big: " + filler + "\r\n\r\n" is exactly total bytes. */
    const char *pre = "GET / HTTP/1.1\r\nX-Big: ";
    size_t fixed = strlen(pre) + 4;
    char *s = malloc(total + 1);
    assert_non_null(s);
    strcpy(s, pre);
    memset(s + strlen(pre), 'a', total - fixed);
    strcpy(s + total - 4, "\r\n\r\n");
    return s;
}

static void test_headers_too_large(void **state)
{
    fixture *fx = *state;
    client *c = client_open(fx);
    char *req = header_of(16 * 1024 - 8);
    roundtrip(c, req, 200, "GET /  0\n");
    free(req);
    req = header_of(17 * 1024);
    send_str(c, req);
    free(req);
    expect_error(c, 431, "headers_too_large");
    client_close(c);

    /* Split over many small writes: the count spans reads. */
    c = client_open(fx);
    send_str(c, "GET / HTTP/1.1\r\n");
    for (int i = 0; i < 40; i++) {
        char line[600];
        snprintf(line, sizeof(line), "X-%d: %0500d\r\n", i, 0);
        send_str(c, line);
    }
    send_str(c, "\r\n");
    expect_error(c, 431, "headers_too_large");
    client_close(c);
    assert_int_equal(atomic_load(&fx->handled), 1);
}

static void test_small_limits(void **state)
{
    fixture *fx = *state;
    client *c = client_open(fx);
    char body[1001];
    memset(body, 'b', sizeof(body));
    char head[128];
    snprintf(head, sizeof(head), "POST /max HTTP/1.1\r\nContent-Length: 1000\r\n\r\n");
    send_str(c, head);
    send_bytes(c, body, 1000);
    response r;
    read_status(c, &r, 200);
    assert_non_null(strstr(r.body, "POST /max  1000\nbbb"));
    resp_free(&r);
    send_str(c, "POST /max HTTP/1.1\r\nContent-Length: 1001\r\n\r\n");
    expect_error(c, 413, "body_too_large");
    client_close(c);

    c = client_open(fx);
    char *big = calloc(1, 1100);
    memcpy(big, "GET / HTTP/1.1\r\nX: ", 19);
    memset(big + 19, 'x', 1100 - 19 - 5);
    send_str(c, big);
    free(big);
    expect_error(c, 431, "headers_too_large");
    client_close(c);
}

/* A route with a limit of its own (an upload): bigger there, smaller
 * elsewhere, with its own code in the 413. */
static size_t upload_limit(const http_request *req, const char **code, void *payload)
{
    (void)payload;
    if (strcmp(req->path, "/upload") != 0)
        return 0;
    *code = "attachment_too_big";
    return 2000;
}

static http_limits per_route = {.max_body_bytes = 1000, .body_limit = upload_limit};

static void test_body_limit_per_route(void **state)
{
    fixture *fx = *state;
    client *c = client_open(fx);
    char body[2001];
    memset(body, 'u', sizeof(body));
    send_str(c, "POST /upload HTTP/1.1\r\nContent-Length: 2000\r\n\r\n");
    send_bytes(c, body, 2000);
    response r;
    read_status(c, &r, 200);
    assert_non_null(strstr(r.body, "POST /upload  2000\n"));
    resp_free(&r);
    send_str(c, "POST /upload HTTP/1.1\r\nContent-Length: 2001\r\n\r\n");
    expect_error(c, 413, "attachment_too_big");
    client_close(c);
    /* Chunked: counted as it comes, against the route's limit. */
    c = client_open(fx);
    send_str(c, "POST /upload HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n7d1\r\n");
    send_bytes(c, body, 2001);
    send_str(c, "\r\n0\r\n\r\n");
    expect_error(c, 413, "attachment_too_big");
    client_close(c);
    /* Every other route keeps max_body_bytes. */
    c = client_open(fx);
    send_str(c, "POST /other HTTP/1.1\r\nContent-Length: 1001\r\n\r\n");
    expect_error(c, 413, "body_too_large");
    client_close(c);
    assert_int_equal(atomic_load(&fx->handled), 1);
}

static void test_body_too_large_content_length(void **state)
{
    fixture *fx = *state;
    client *c = client_open(fx);
    /* Refused on the headers alone: no body is ever sent. */
    send_str(c, "POST /big HTTP/1.1\r\nContent-Length: 1048577\r\n\r\n");
    expect_error(c, 413, "body_too_large");
    client_close(c);

    c = client_open(fx);
    size_t n = 1024 * 1024;
    char *body = malloc(n);
    memset(body, 'z', n);
    send_str(c, "POST /big HTTP/1.1\r\nContent-Length: 1048576\r\n\r\n");
    send_bytes(c, body, n);
    free(body);
    roundtrip(c, "", 200, "POST /big  1048576\n");
    client_close(c);
    assert_int_equal(atomic_load(&fx->handled), 1);
}

static void test_body_too_large_chunked(void **state)
{
    fixture *fx = *state;
    client *c = client_open(fx);
    send_str(c, "POST /big HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n");
    char *chunk = malloc(65536 + 16);
    int hl = sprintf(chunk, "10000\r\n");
    memset(chunk + hl, 'c', 65536);
    memcpy(chunk + hl + 65536, "\r\n", 2);
    for (int i = 0; i < 17; i++) /* 17 x 64 KiB > 1 MiB */
        send_bytes(c, chunk, (size_t)hl + 65536 + 2);
    free(chunk);
    expect_error(c, 413, "body_too_large");
    client_close(c);
    assert_int_equal(atomic_load(&fx->handled), 0);
}

static void test_bad_request(void **state)
{
    fixture *fx = *state;
    const char *bad[] = {
        "GARBAGE\r\n\r\n",
        "GET / HTTP/9.x\r\n\r\n",
        "GET / HTTP/1.1\r\nBad Header\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        client *c = client_open(fx);
        send_str(c, bad[i]);
        expect_error(c, 400, "bad_request");
        client_close(c);
    }
    assert_int_equal(atomic_load(&fx->handled), 0);
}

static void test_invalid_utf8_target(void **state)
{
    fixture *fx = *state;
    static const char *bad[] = {"/caf\xc3", "/\xff", "/\xc0\xaf", "/\xed\xa0\x80", "/a\tb",
                                "/q?x=\xe2\x82"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        client *c = client_open(fx);
        char req[128];
        snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\n\r\n", bad[i]);
        send_str(c, req);
        expect_error(c, 400, "bad_request");
        client_close(c);
    }
    /* NUL cannot be formatted with %s. */
    client *c = client_open(fx);
    send_bytes(c, "GET /a\0b HTTP/1.1\r\n\r\n", 21);
    expect_error(c, 400, "bad_request");
    client_close(c);
    assert_int_equal(atomic_load(&fx->handled), 0);

    /* Valid UTF-8 passes, undecoded. */
    c = client_open(fx);
    roundtrip(c, "GET /caf\xc3\xa9/%2F?q=\xd0\xba HTTP/1.1\r\n\r\n", 200,
              "GET /caf\xc3\xa9/%2F q=\xd0\xba 0\n");
    client_close(c);
}

static void test_head_and_bodyless(void **state)
{
    fixture *fx = *state;
    client *c = client_open(fx);
    response r;
    send_str(c, "HEAD /h HTTP/1.1\r\n\r\n");
    assert_int_equal(read_response(c, &r, 1), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(resp_header(&r, "Content-Length"), "11"); /* "HEAD /h  0\n" */
    resp_free(&r);
    /* Had a body been sent, it would be read as the next answer's start. */
    roundtrip(c, "GET /next HTTP/1.1\r\n\r\n", 200, "GET /next  0\n");

    send_str(c, "GET /status/204 HTTP/1.1\r\n\r\n");
    read_status(c, &r, 204);
    assert_null(resp_header(&r, "Content-Length"));
    resp_free(&r);
    roundtrip(c, "GET /status/404 HTTP/1.1\r\n\r\n", 404, "must not be sent");
    roundtrip(c, "GET /last HTTP/1.1\r\n\r\n", 200, "GET /last  0\n");
    client_close(c);
}

static void test_expect_continue(void **state)
{
    fixture *fx = *state;
    client *c = client_open(fx);
    response r;
    send_str(c, "POST /e HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
    read_status(c, &r, 100);
    resp_free(&r);
    roundtrip(c, "hello", 200, "POST /e  5\nhello");
    client_close(c);
}

static void test_idle_timeout(void **state)
{
    fixture *fx = *state;
    client *c = client_open(fx);
    /* The mark is as long as the idle timeout (300 ms) and starts before the
     * answer restarts the idle timer: never before the idle timeout means
     * not before the mark.  However late both come on a loaded machine,
     * their order stays; a server that never closed would fail client_eof(). */
    roundtrip(c, "GET /mark/300 HTTP/1.1\r\n\r\n", 200, "GET /mark/300  0\n");
    assert_int_equal(client_eof(c), 1);
    assert_true(atomic_load(&fx->mark_seq) > 0);
    client_close(c);

    /* A half-sent request is no reason to stay either. */
    c = client_open(fx);
    send_str(c, "GET /half HTTP/1.1\r\nX-A:");
    assert_int_equal(client_eof(c), 1);
    client_close(c);
    assert_int_equal(atomic_load(&fx->handled), 1);
}

static void test_disconnect_before_async_answer(void **state)
{
    fixture *fx = *state;
    /* Gone before the answer: the server lives on. */
    client *c = client_open(fx);
    send_str(c, "GET /async/100 HTTP/1.1\r\n\r\n");
    wait_for(&fx->handled, 1);
    client_close(c);
    wait_for(&fx->answered, 1);
    c = client_open(fx);
    roundtrip(c, "GET /alive HTTP/1.1\r\n\r\n", 200, "GET /alive  0\n");
    client_close(c);

    /* The server notices the client leave while the handler still holds the
     * request: stop completes (and frees the server) before the answer, which
     * then only frees the request. */
    c = client_open(fx);
    send_str(c, "GET /async/1000 HTTP/1.1\r\n\r\nGET /queued HTTP/1.1\r\n\r\n");
    wait_for(&fx->handled, 3);
    client_close(c);
    stop_server(fx);
    wait_for(&fx->done_seq, 1);
    assert_int_equal(atomic_load(&fx->answered), 2);
    wait_for(&fx->answered, 3);
    assert_true(atomic_load(&fx->done_seq) < atomic_load(&fx->last_answer_seq));
}

static void test_graceful_stop(void **state)
{
    fixture *fx = *state;
    client *busy = client_open(fx);
    client *idle = client_open(fx);
    roundtrip(idle, "GET /idle HTTP/1.1\r\n\r\n", 200, "GET /idle  0\n");
    send_str(busy, "GET /async/800 HTTP/1.1\r\n\r\n");
    wait_for(&fx->handled, 2);

    stop_server(fx);
    /* Idle connections close at once, and nobody new gets in. */
    assert_int_equal(client_eof(idle), 1);
    client_close(idle);
    int fd = dial(fx->port);
    assert_int_equal(fd, -ECONNREFUSED);

    /* The request in flight is answered, with a close. */
    response r;
    read_status(busy, &r, 200);
    assert_string_equal(r.body, "GET /async/800  0\n");
    assert_string_equal(resp_header(&r, "Connection"), "close");
    resp_free(&r);
    assert_int_equal(atomic_load(&fx->done_seq), 0);
    assert_int_equal(client_eof(busy), 1);
    client_close(busy);
    wait_for(&fx->done_seq, 1);
    assert_true(atomic_load(&fx->done_seq) > atomic_load(&fx->last_answer_seq));
}

/* Send bytes every 50 ms, until the server answers or closes (10 s at most):
 * far inside setup_slow's idle timeout (400 ms) even on a loaded machine, so
 * only the request's deadline can end it. */
static void trickle(client *c, const char *bytes)
{
    for (int i = 0; i < 200; i++) {
        struct pollfd p = {.fd = c->fd, .events = POLLIN};
        if (poll(&p, 1, 50) != 0)
            break; /* the answer is there */
        if (send(c->fd, bytes, strlen(bytes), MSG_NOSIGNAL) < 0)
            break; /* the server closed: as it should */
    }
}

/* A request that trickles in (slowloris) never lets the idle timer fire,
 * but it must still arrive whole within request_timeout_ms. */
static void test_request_timeout(void **state)
{
    fixture *fx = *state;
    client *c = client_open(fx);
    /* The mark is as long as the request timeout (1 s) and starts before the
     * slow request's first byte, from which its deadline runs. */
    roundtrip(c, "GET /mark/1000 HTTP/1.1\r\n\r\n", 200, "GET /mark/1000  0\n");
    send_str(c, "GET /slow HTTP/1.1\r\n");
    trickle(c, "X-A: b\r\n");
    expect_error(c, 408, "request_timeout");
    assert_int_equal(client_eof(c), 1);
    /* Never before the request timeout: the 408 came after the mark (and the
     * 408 itself, not an idle close, shows the request's deadline). */
    assert_true(atomic_load(&fx->mark_seq) > 0);
    client_close(c);
    assert_int_equal(atomic_load(&fx->handled), 1); /* the mark, not the slow one */

    /* A slow body counts too; a request that arrives in time is answered. */
    c = client_open(fx);
    roundtrip(c, "GET /fast HTTP/1.1\r\n\r\n", 200, "GET /fast  0\n");
    send_str(c, "POST /slow-body HTTP/1.1\r\nContent-Length: 100\r\n\r\n");
    trickle(c, "x");
    expect_error(c, 408, "request_timeout");
    client_close(c);
}

/* Past max_connections a client is answered 503 and closed at once; a slot
 * freed is taken again. */
static void test_max_connections(void **state)
{
    fixture *fx = *state;
    client *a = open_served(fx, NULL, "/a"), *b = open_served(fx, NULL, "/b");
    client *c = client_open(fx);
    expect_error(c, 503, "too_many_connections");
    assert_int_equal(client_eof(c), 1);
    client_close(c);
    roundtrip(a, "GET /a2 HTTP/1.1\r\n\r\n", 200, "GET /a2  0\n");
    client_close(b);
    /* The server notices b's close on its next loop turn. */
    until_served(fx, "GET /c HTTP/1.1\r\n\r\n");
    client_close(a);
}

/* HTTP/1.0 and 1.1 are served; another version is 505, none at all (HTTP/0.9) 400. */
static void test_http_version(void **state)
{
    fixture *fx = *state;
    client *c = client_open(fx);
    roundtrip(c, "GET /old HTTP/1.0\r\n\r\n", 200, "GET /old  0\n");
    client_close(c);
    const char *unknown[] = {"GET /healthz HTTP/9.9\r\n\r\n", "GET / HTTP/2.0\r\n\r\n",
                             "GET / HTTP/0.8\r\n\r\n", "GET / HTTP/3.1\r\nHost: x\r\n\r\n",
                             "GET / HTTP/1.2\r\n\r\n"};
    for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
        c = client_open(fx);
        send_str(c, unknown[i]);
        expect_error(c, 505, "http_version_not_supported");
        client_close(c);
    }
    /* Without headers' end too: an HTTP/0.9 client sends one line and waits. */
    const char *none[] = {"GET /healthz\r\n", "GET /healthz\r\n\r\n", "GET / HTTP/0.9\r\n\r\n",
                          "GET /a HTTP/1.1\r\n\r\nGET /b\r\n"};
    for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
        c = client_open(fx);
        send_str(c, none[i]);
        if (i == 3) {
            response r;
            read_status(c, &r, 200);
            resp_free(&r);
        }
        expect_error(c, 400, "bad_request");
        client_close(c);
    }
    assert_int_equal(atomic_load(&fx->handled), 2);
}

/* A head that trickles in, or never comes, gets 408 at the head's deadline,
 * long before the whole request's. */
static void test_header_timeout(void **state)
{
    fixture *fx = *state;
    client *c = client_open(fx);
    send_str(c, "GET /slow HTTP/1.1\r\n");
    for (int i = 0; i < 100; i++) {
        if (send(c->fd, "X-A: b\r\n", 8, MSG_NOSIGNAL) < 0)
            break; /* the server closed: as it should */
        usleep(100 * 1000);
    }
    response r;
    read_status(c, &r, 408);
    assert_non_null(strstr(r.body, "request line and headers did not arrive whole within 1 s"));
    resp_free(&r);
    client_close(c);

    /* Connected, silent: the first head's deadline runs from the connection. */
    c = client_open(fx);
    expect_error(c, 408, "request_timeout");
    client_close(c);

    /* A complete head is not held to it: a request answered, the next one's
     * deadline starts at its own first byte. */
    c = client_open(fx);
    roundtrip(c, "GET /a HTTP/1.1\r\n\r\n", 200, "GET /a  0\n");
    roundtrip(c, "GET /b HTTP/1.1\r\n\r\n", 200, "GET /b  0\n");
    /* ... and a later head that stops halfway gets 408 at its own deadline,
     * not only at the idle timeout (30 s; the client gives up after 5). */
    send_str(c, "GET /c HTTP/1.1\r\nX-A:");
    expect_error(c, 408, "request_timeout");
    client_close(c);
    assert_int_equal(atomic_load(&fx->handled), 2);
}

/* One address cannot take every slot: past its own cap it is refused (503),
 * its refused connections do not count, and another address is served. */
static void test_connections_per_address(void **state)
{
    fixture *fx = *state;
    client *a = open_served(fx, NULL, "/a"), *b = open_served(fx, NULL, "/b");
    client *refused[10];
    for (size_t i = 0; i < 10; i++) {
        refused[i] = client_open(fx);
        response r;
        read_status(refused[i], &r, 503);
        assert_non_null(strstr(r.body, "\"too_many_connections\""));
        assert_non_null(strstr(r.body, "2 connections are open from your address"));
        resp_free(&r);
    }
    client *other = open_served(fx, "127.0.0.2", "/c");
    client *other2 = open_served(fx, "127.0.0.2", "/d");
    /* Now 4 are open: the overall cap speaks, for anyone. */
    client *third = client_open_from(fx, "127.0.0.3");
    expect_error(third, 503, "too_many_connections");
    client_close(third);
    for (size_t i = 0; i < 10; i++)
        client_close(refused[i]);
    client_close(other2);
    client_close(other);
    client_close(b);
    /* a's slot from its address comes back once b's close is seen. */
    until_served(fx, "GET /e HTTP/1.1\r\n\r\n");
    client_close(a);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_api),
        cmocka_unit_test_setup_teardown(test_simple_get, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keep_alive, setup, teardown),
        cmocka_unit_test_setup_teardown(test_connection_close, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pipelining, setup, teardown),
        cmocka_unit_test_setup_teardown(test_content_length_body, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chunked_body, setup, teardown),
        cmocka_unit_test_setup_teardown(test_headers_too_large, setup, teardown),
        cmocka_unit_test_prestate_setup_teardown(test_small_limits, setup, teardown, &small),
        cmocka_unit_test_setup_teardown(test_body_too_large_content_length, setup, teardown),
        cmocka_unit_test_prestate_setup_teardown(test_body_limit_per_route, setup, teardown,
                                                 &per_route),
        cmocka_unit_test_setup_teardown(test_body_too_large_chunked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_request, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_utf8_target, setup, teardown),
        cmocka_unit_test_setup_teardown(test_head_and_bodyless, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expect_continue, setup, teardown),
        cmocka_unit_test_prestate_setup_teardown(test_idle_timeout, setup, teardown, &small),
        cmocka_unit_test_setup_teardown(test_disconnect_before_async_answer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_graceful_stop, setup, teardown),
        cmocka_unit_test_prestate_setup_teardown(test_request_timeout, setup, teardown, &slow),
        cmocka_unit_test_prestate_setup_teardown(test_max_connections, setup, teardown,
                                                 &two_connections),
        cmocka_unit_test_setup_teardown(test_http_version, setup, teardown),
        cmocka_unit_test_prestate_setup_teardown(test_header_timeout, setup, teardown, &short_head),
        cmocka_unit_test_prestate_setup_teardown(test_connections_per_address, setup, teardown,
                                                 &per_address),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
