/*
 * HTTP/1.1 server: libuv owns the sockets and timers, http-parser the bytes.
 *
 * A connection is in one of these states:
 *
 *   C_READ    parsing; the idle timer runs while we wait for the client
 *   C_BUSY    a complete request is with the handler; the parser is paused
 *   C_WRITE   its answer is queued; once written, the parser resumes on
 *             whatever the client pipelined meanwhile.  The idle timer runs
 *             again, so a client that never reads cannot pin us
 *   C_FINISH  the last answer is queued and the write side shut down; input
 *             is drained until the client closes or the linger timer fires,
 *             so that closing never resets an answer the client has not read
 *   C_CLOSED  uv_close called; the memory goes in the close callbacks
 *
 * While a request is out (C_BUSY, C_WRITE) we keep reading, but only into a
 * bounded buffer and without parsing: that is how a client that went away is
 * noticed before its answer exists, and the bound is the backpressure.
 */
#include "http/http.h"
#include "base/map.h"
#include "base/util.h"

#include <http_parser.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Pipelined bytes kept while a request is out; past this we stop reading. */
#define HTTP_READ_AHEAD (64 * 1024)
#define HTTP_LINGER_MS 2000u
#define HTTP_BACKLOG 511

enum conn_state { C_READ, C_BUSY, C_WRITE, C_FINISH, C_CLOSED };

typedef struct conn conn;

typedef struct req_impl {
    http_request pub; /* first: http_respond() is handed this member */
    conn *conn;       /* NULL once the client is gone */
    int keep_alive;
    int head;
    int in_value; /* the last header callback was a value */
    size_t cap_headers;
    util_buf url, name, value, body;
} req_impl;

struct conn {
    uv_tcp_t tcp;
    uv_timer_t timer; /* idle timeout in C_READ, linger in C_FINISH */
    uv_shutdown_t shutdown;
    http_server *srv;
    conn *prev, *next;
    enum conn_state state;
    int open_handles;
    int reading;
    int ready;            /* the parser paused on a complete message */
    int fail;             /* status a callback asked for; -1: close, no answer */
    const char *fail_msg; /* static text for the error answer, or NULL */
    http_parser parser;
    req_impl *req; /* being parsed (C_READ) or with the handler (C_BUSY) */
    util_buf in;   /* received bytes; [in_off, in.len) not yet parsed */
    size_t in_off;
    const char *feed_base; /* start of the bytes the parser is running on */
    int in_head;           /* between message begin and headers complete */
    uint64_t req_began;    /* uv_now() at the request's first byte; 0 between requests */
    /* uv_now() when the head being read began (the connection's opening for
     * its first request); 0 once the head is complete and between requests. */
    uint64_t head_began;
    int head_late;         /* the head missed its deadline: the 408 says so */
    int admitted;          /* counted in nadmitted and per_addr (not refused at once) */
    size_t head_bytes;     /* head bytes before feed_base */
    size_t trailer_bytes;
    char peer[64];
    char rbuf[16384];
};

struct http_server {
    uv_loop_t *loop;
    /* Allocated apart: its close callback may run after http_server_free(). */
    uv_tcp_t *listener;
    http_limits lim;
    http_handler handler;
    void *payload;
    http_parser_settings settings;
    conn *conns;
    size_t nconns;    /* every connection, refused ones included: for the stop */
    size_t nadmitted; /* those not refused at once: what the limits count */
    map *per_addr;    /* peer -> admitted connections from it, as (uintptr_t) */
    int port;
    int stopping;
    int finished;
    void (*done)(void *payload);
    void *done_payload;
};

typedef struct out {
    uv_write_t w;
    int final; /* an answer, not a 100 Continue */
    char *data;
} out;

static void conn_close(conn *c);
static void conn_feed(conn *c);
static void conn_update_reading(conn *c);

void http_limits_defaults(http_limits *lim)
{
    if (!lim)
        return;
    if (!lim->max_header_bytes)
        lim->max_header_bytes = 16 * 1024;
    if (!lim->max_body_bytes)
        lim->max_body_bytes = 1024 * 1024;
    if (!lim->idle_timeout_ms)
        lim->idle_timeout_ms = 30 * 1000;
    if (!lim->request_timeout_ms)
        lim->request_timeout_ms = 60 * 1000;
    if (!lim->max_connections)
        lim->max_connections = 1024;
    if (!lim->max_connections_per_address)
        lim->max_connections_per_address = 64;
    if (!lim->header_timeout_ms)
        lim->header_timeout_ms = 10 * 1000;
}

const char *http_status_text(int status)
{
    const char *s = http_status_str((enum http_status)status);
    return strcmp(s, "<unknown>") ? s : "Unknown";
}

const char *http_request_header(const http_request *req, const char *name)
{
    for (size_t i = 0; req && i < req->nheaders; i++)
        if (strcasecmp(req->headers[i].name, name) == 0)
            return req->headers[i].value;
    return NULL;
}

size_t http_request_header_count(const http_request *req, const char *name)
{
    size_t n = 0;
    for (size_t i = 0; req && i < req->nheaders; i++)
        if (strcasecmp(req->headers[i].name, name) == 0)
            n++;
    return n;
}

/* ---- requests ---------------------------------------------------------- */

static req_impl *req_new(conn *c)
{
    req_impl *r = calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    r->conn = c;
    util_buf_init(&r->url);
    util_buf_init(&r->name);
    util_buf_init(&r->value);
    util_buf_init(&r->body);
    memcpy(r->pub.peer, c->peer, sizeof(r->pub.peer));
    r->pub.method = "";
    return r;
}

static void req_free(req_impl *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->pub.nheaders; i++) {
        free(r->pub.headers[i].name);
        free(r->pub.headers[i].value);
    }
    free(r->pub.headers);
    free(r->pub.url);
    free(r->pub.path);
    free(r->pub.query);
    free(r->pub.body);
    util_buf_dispose(&r->url);
    util_buf_dispose(&r->name);
    util_buf_dispose(&r->value);
    util_buf_dispose(&r->body);
    free(r);
}

/* util_buf_detach() of a never-written buffer is not NUL-terminated; appending
 * nothing makes sure it is. */
static char *buf_take(util_buf *b, size_t *len)
{
    if (util_buf_append(b, "", 0) < 0)
        return NULL;
    return util_buf_detach(b, len);
}

static int req_push_header(req_impl *r)
{
    if (r->pub.nheaders == r->cap_headers) {
        size_t cap = r->cap_headers ? r->cap_headers * 2 : 16;
        http_header *h = realloc(r->pub.headers, cap * sizeof(*h));
        if (!h)
            return UV_ENOMEM;
        r->pub.headers = h;
        r->cap_headers = cap;
    }
    /* http-parser keeps trailing whitespace; RFC 9110 says it is not part of the value. */
    while (r->value.len && (r->value.data[r->value.len - 1] == ' ' ||
                            r->value.data[r->value.len - 1] == '\t'))
        r->value.data[--r->value.len] = '\0';
    char *name = buf_take(&r->name, NULL);
    char *value = buf_take(&r->value, NULL);
    if (!name || !value) {
        free(name);
        free(value);
        return UV_ENOMEM;
    }
    r->pub.headers[r->pub.nheaders].name = name;
    r->pub.headers[r->pub.nheaders].value = value;
    r->pub.nheaders++;
    r->in_value = 0;
    return 0;
}

static char *dup_range(const char *s, size_t len)
{
    char *p = malloc(len + 1);
    if (p) {
        memcpy(p, s, len);
        p[len] = '\0';
    }
    return p;
}

static int req_split_url(req_impl *r, int is_connect)
{
    struct http_parser_url u;
    http_parser_url_init(&u);
    /* Its offsets are 16 bits wide. */
    if (r->url.len > UINT16_MAX ||
        http_parser_parse_url(r->url.data, r->url.len, is_connect, &u) != 0)
        return UV_EINVAL;
    const char *s = r->url.data;
    if (u.field_set & (1 << UF_PATH))
        r->pub.path = dup_range(s + u.field_data[UF_PATH].off, u.field_data[UF_PATH].len);
    else /* absolute-form without a path ("http://host") means "/" */
        r->pub.path = dup_range(is_connect ? "" : "/", is_connect ? 0 : 1);
    if (u.field_set & (1 << UF_QUERY))
        r->pub.query = dup_range(s + u.field_data[UF_QUERY].off, u.field_data[UF_QUERY].len);
    else
        r->pub.query = dup_range("", 0);
    r->pub.url = buf_take(&r->url, NULL);
    if (!r->pub.path || !r->pub.query || !r->pub.url)
        return UV_ENOMEM;
    return 0;
}

/* The router percent-decodes; raw bytes must already be UTF-8 without controls. */
static int target_ok(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return 0;
    return util_utf8_valid(s, len);
}

/* ---- parser callbacks -------------------------------------------------- */

static int conn_fail(conn *c, int status, const char *msg)
{
    c->fail = status;
    c->fail_msg = msg;
    return -1;
}

/* Request line and headers: every head byte is counted, those of earlier
 * reads in head_bytes, those of this one up to the token just seen. */
static int head_check(conn *c, const char *at, size_t len)
{
    if (c->head_bytes + (size_t)(at + len - c->feed_base) > c->srv->lim.max_header_bytes)
        return conn_fail(c, 431, NULL);
    return 0;
}

static int on_message_begin(http_parser *p)
{
    conn *c = p->data;
    req_free(c->req);
    c->req = req_new(c);
    if (!c->req)
        return conn_fail(c, -1, NULL);
    c->in_head = 1;
    c->head_bytes = 0;
    c->trailer_bytes = 0;
    c->req_began = uv_now(c->srv->loop);
    if (!c->head_began)
        c->head_began = c->req_began;
    return 0;
}

static int on_url(http_parser *p, const char *at, size_t len)
{
    conn *c = p->data;
    if (head_check(c, at, len) < 0)
        return -1;
    if (util_buf_append(&c->req->url, at, len) < 0)
        return conn_fail(c, -1, NULL);
    return 0;
}

static int trailer_check(conn *c, size_t len)
{
    /* Trailers are dropped, but bounded like headers. */
    c->trailer_bytes += len;
    if (c->trailer_bytes > c->srv->lim.max_header_bytes)
        return conn_fail(c, 431, NULL);
    return 0;
}

static int on_header_field(http_parser *p, const char *at, size_t len)
{
    conn *c = p->data;
    req_impl *r = c->req;
    if (!c->in_head)
        return trailer_check(c, len);
    if (head_check(c, at, len) < 0)
        return -1;
    if (r->in_value && req_push_header(r) < 0)
        return conn_fail(c, -1, NULL);
    if (util_buf_append(&r->name, at, len) < 0)
        return conn_fail(c, -1, NULL);
    return 0;
}

static int on_header_value(http_parser *p, const char *at, size_t len)
{
    conn *c = p->data;
    if (!c->in_head)
        return trailer_check(c, len);
    if (head_check(c, at, len) < 0)
        return -1;
    if (util_buf_append(&c->req->value, at, len) < 0)
        return conn_fail(c, -1, NULL);
    c->req->in_value = 1;
    return 0;
}

static int conn_write(conn *c, char *data, size_t len, int final);

static int on_headers_complete(http_parser *p)
{
    conn *c = p->data;
    req_impl *r = c->req;
    if (r->in_value && req_push_header(r) < 0)
        return conn_fail(c, -1, NULL);
    c->in_head = 0;
    c->head_began = 0;
    /* http-parser takes any digits; we speak HTTP/1.x only.  A request line
     * without a version is HTTP/0.9 to it, which has no headers to answer with. */
    if (p->http_major == 0 && p->http_minor == 9)
        return conn_fail(c, 400, "the request line has no HTTP version (HTTP/0.9 is not served)");
    if (p->http_major != 1 || p->http_minor > 1)
        return conn_fail(c, 505, NULL);
    if (!target_ok(r->url.data, r->url.len))
        return conn_fail(c, 400, "request target is not UTF-8 or has control characters");
    int rc = req_split_url(r, p->method == HTTP_CONNECT);
    if (rc == UV_EINVAL)
        return conn_fail(c, 400, "malformed request target");
    if (rc < 0)
        return conn_fail(c, -1, NULL);
    r->pub.method = http_method_str((enum http_method)p->method);
    r->head = p->method == HTTP_HEAD;

    int chunked = (p->flags & F_CHUNKED) != 0;
    int has_length = !chunked && p->content_length != ULLONG_MAX;
    /* Refuse before the body is sent, not after reading it. */
    if (has_length && p->content_length > c->srv->lim.max_body_bytes)
        return conn_fail(c, 413, NULL);

    const char *expect = http_request_header(&r->pub, "Expect");
    if (expect && strcasecmp(expect, "100-continue") == 0 && p->http_major == 1 &&
        p->http_minor >= 1 && (chunked || (has_length && p->content_length > 0))) {
        static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
        char *msg = dup_range(cont, sizeof(cont) - 1);
        if (!msg || conn_write(c, msg, sizeof(cont) - 1, 0) < 0)
            return conn_fail(c, -1, NULL);
    }
    return 0;
}

static int on_body(http_parser *p, const char *at, size_t len)
{
    conn *c = p->data;
    /* Chunked bodies announce no length: count as they come. */
    if (c->req->body.len + len > c->srv->lim.max_body_bytes)
        return conn_fail(c, 413, NULL);
    if (util_buf_append(&c->req->body, at, len) < 0)
        return conn_fail(c, -1, NULL);
    return 0;
}

static int on_message_complete(http_parser *p)
{
    conn *c = p->data;
    req_impl *r = c->req;
    /* After an upgrade or CONNECT the bytes that follow are not HTTP. */
    r->keep_alive = http_should_keep_alive(p) && !p->upgrade;
    r->pub.body = buf_take(&r->body, &r->pub.body_len);
    if (!r->pub.body)
        return conn_fail(c, -1, NULL);
    c->ready = 1;
    c->req_began = 0;
    /* One request at a time: the rest waits in c->in until this one is answered. */
    http_parser_pause(p, 1);
    return 0;
}

/* ---- connections ------------------------------------------------------- */

static void maybe_done(http_server *srv)
{
    if (!srv->stopping || srv->listener || srv->nconns || srv->finished)
        return;
    srv->finished = 1;
    /* Last use of srv: done may free it. */
    if (srv->done)
        srv->done(srv->done_payload);
}

static void on_conn_closed(uv_handle_t *h)
{
    conn *c = h->data;
    if (--c->open_handles > 0)
        return;
    http_server *srv = c->srv;
    if (c->prev)
        c->prev->next = c->next;
    else
        srv->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    srv->nconns--;
    if (c->admitted) {
        srv->nadmitted--;
        uintptr_t n = (uintptr_t)map_get(srv->per_addr, c->peer);
        if (n > 1)
            map_set(srv->per_addr, c->peer, (void *)(n - 1)); /* the key exists: cannot fail */
        else
            map_remove(srv->per_addr, c->peer);
    }
    util_buf_dispose(&c->in);
    free(c);
    maybe_done(srv);
}

static void conn_close(conn *c)
{
    if (c->state == C_CLOSED)
        return;
    enum conn_state was = c->state;
    c->state = C_CLOSED;
    if (c->req) {
        /* The handler still holds a request it was given; http_respond() frees it. */
        if (was == C_BUSY)
            c->req->conn = NULL;
        else
            req_free(c->req);
        c->req = NULL;
    }
    uv_close((uv_handle_t *)&c->tcp, on_conn_closed);
    if (c->open_handles > 1)
        uv_close((uv_handle_t *)&c->timer, on_conn_closed);
}

static void conn_reject(conn *c, enum http_errno err);

static uint64_t ms_left(const conn *c, uint64_t began, unsigned limit_ms)
{
    if (!began || c->state != C_READ)
        return UINT64_MAX;
    uint64_t end = began + limit_ms, now = uv_now(c->srv->loop);
    return end > now ? end - now : 0;
}

/* The ms left of the request being read, or UINT64_MAX between requests. */
static uint64_t request_left(const conn *c)
{
    return ms_left(c, c->req_began, c->srv->lim.request_timeout_ms);
}

/* The ms left of the head being read, or UINT64_MAX once it is complete. */
static uint64_t head_left(const conn *c)
{
    return ms_left(c, c->head_began, c->srv->lim.header_timeout_ms);
}

static void on_timer(uv_timer_t *t)
{
    conn *c = t->data;
    /* A request trickling in (slowloris) is told why before the close. */
    c->head_late = head_left(c) == 0;
    if (c->head_late || request_left(c) == 0) {
        conn_fail(c, 408, NULL);
        conn_reject(c, HPE_OK);
        return;
    }
    conn_close(c);
}

/* Idle timeout, or the head's or the request's deadline if one comes first. */
static void conn_idle(conn *c)
{
    uint64_t ms = c->srv->lim.idle_timeout_ms, left = request_left(c), head = head_left(c);
    if (head < left)
        left = head;
    uv_timer_start(&c->timer, on_timer, left < ms ? left : ms, 0);
}

static void on_shutdown(uv_shutdown_t *s, int status)
{
    conn *c = s->handle->data;
    if (status < 0 || c->state != C_FINISH) {
        conn_close(c);
        return;
    }
    unsigned ms = c->srv->lim.idle_timeout_ms;
    uv_timer_start(&c->timer, on_timer, ms < HTTP_LINGER_MS ? ms : HTTP_LINGER_MS, 0);
}

/* Close after what is queued has been written; see C_FINISH. */
static void conn_finish(conn *c)
{
    c->state = C_FINISH;
    if (uv_shutdown(&c->shutdown, (uv_stream_t *)&c->tcp, on_shutdown) < 0) {
        conn_close(c);
        return;
    }
    conn_update_reading(c);
}

static void on_write(uv_write_t *w, int status)
{
    out *o = (out *)w;
    conn *c = w->handle->data;
    int final = o->final;
    free(o->data);
    free(o);
    if (status < 0) {
        conn_close(c);
        return;
    }
    if (!final || c->state != C_WRITE)
        return;
    if (c->srv->stopping) {
        conn_finish(c);
        return;
    }
    c->state = C_READ;
    http_parser_pause(&c->parser, 0);
    conn_feed(c);
    if (c->state == C_READ)
        conn_idle(c);
    conn_update_reading(c);
}

/* Takes data (malloc'd) in every case. */
static int conn_write(conn *c, char *data, size_t len, int final)
{
    out *o = malloc(sizeof(*o));
    if (!o) {
        free(data);
        return UV_ENOMEM;
    }
    o->final = final;
    o->data = data;
    uv_buf_t buf = uv_buf_init(data, (unsigned)len);
    int rc = uv_write(&o->w, (uv_stream_t *)&c->tcp, &buf, 1, on_write);
    if (rc < 0) {
        free(data);
        free(o);
    }
    return rc;
}

static void format_date(char *out, size_t cap)
{
    /* Not strftime: the names must not follow the locale. */
    static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t t = (time_t)(util_now_ms() / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(out, cap, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday % 7],
             tm.tm_mday, months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
             tm.tm_sec);
}

/* Queue a whole answer and move to C_WRITE, or to C_FINISH if it is the last. */
static int conn_send(conn *c, int status, const char *content_type, const char *extra,
                     const char *body, size_t body_len, int head, int keep)
{
    if (status < 100 || status > 999)
        status = 500;
    /* RFC 9110: 1xx, 204 and 304 answers never carry a body. */
    int bodyless = status < 200 || status == 204 || status == 304;
    char date[64];
    format_date(date, sizeof(date));
    util_buf b;
    util_buf_init(&b);
    int rc = util_buf_printf(&b, "HTTP/1.1 %d %s\r\nDate: %s\r\n", status,
                             http_status_text(status), date);
    if (!rc && content_type)
        rc = util_buf_printf(&b, "Content-Type: %s\r\n", content_type);
    if (!rc && extra && *extra) {
        rc = util_buf_puts(&b, extra);
        size_t n = strlen(extra);
        if (!rc && (n < 2 || strcmp(extra + n - 2, "\r\n") != 0))
            rc = util_buf_puts(&b, "\r\n");
    }
    if (!rc && !bodyless)
        rc = util_buf_printf(&b, "Content-Length: %zu\r\n", body_len);
    if (!rc)
        rc = util_buf_printf(&b, "Connection: %s\r\n\r\n", keep ? "keep-alive" : "close");
    if (!rc && !bodyless && !head && body_len)
        rc = util_buf_append(&b, body, body_len);
    if (rc < 0) {
        util_buf_dispose(&b);
        return UV_ENOMEM;
    }
    size_t len;
    char *data = buf_take(&b, &len);
    if (!data)
        return UV_ENOMEM;
    rc = conn_write(c, data, len, 1);
    if (rc < 0)
        return rc;
    /* A client that stops reading must not hold the connection forever. */
    conn_idle(c);
    if (keep)
        c->state = C_WRITE;
    else
        conn_finish(c);
    return 0;
}

void http_respond(http_request *req, int status, const char *content_type,
                  const char *extra_headers, const char *body, size_t body_len)
{
    if (!req)
        return;
    req_impl *r = (req_impl *)req;
    conn *c = r->conn;
    if (!c) {
        req_free(r); /* the client left; nothing to answer */
        return;
    }
    c->req = NULL;
    int keep = r->keep_alive && !c->srv->stopping;
    /* The request goes only after the answer is built: body and headers may
     * well point into it (an echo, a header value). */
    int rc = conn_send(c, status, content_type, extra_headers, body, body_len, r->head, keep);
    req_free(r);
    if (rc < 0)
        conn_close(c);
}

/* Answer a request the parser or a limit refused, then close. */
static void conn_reject(conn *c, enum http_errno err)
{
    int status = c->fail;
    if (status == -1) {
        conn_close(c);
        return;
    }
    if (!status)
        status = err == HPE_HEADER_OVERFLOW ? 431 : 400;
    req_free(c->req);
    c->req = NULL;

    const char *code = "bad_request";
    char msg[160];
    /* Every message is ours or http-parser's fixed text: nothing to escape. */
    if (status == 408) {
        code = "request_timeout";
        unsigned ms = c->head_late ? c->srv->lim.header_timeout_ms : c->srv->lim.request_timeout_ms;
        snprintf(msg, sizeof(msg), "the request%s did not arrive whole within %u s",
                 c->head_late ? " line and headers" : "", (ms + 999) / 1000);
    } else if (status == 503) {
        code = "too_many_connections";
        if (c->fail_msg) /* the per-address limit */
            snprintf(msg, sizeof(msg), "%zu connections are open from your address: close one "
                     "or try again shortly", c->srv->lim.max_connections_per_address);
        else
            snprintf(msg, sizeof(msg), "%zu connections are open: try again shortly",
                     c->srv->lim.max_connections);
    } else if (status == 505) {
        code = "http_version_not_supported";
        snprintf(msg, sizeof(msg), "only HTTP/1.0 and HTTP/1.1 are served");
    } else if (status == 431) {
        code = "headers_too_large";
        snprintf(msg, sizeof(msg), "request line and headers exceed %zu bytes",
                 c->srv->lim.max_header_bytes);
    } else if (status == 413) {
        code = "body_too_large";
        snprintf(msg, sizeof(msg), "request body exceeds %zu bytes", c->srv->lim.max_body_bytes);
    } else if (c->fail_msg) {
        snprintf(msg, sizeof(msg), "%s", c->fail_msg);
    } else {
        snprintf(msg, sizeof(msg), "malformed request: %s", http_errno_description(err));
    }
    char body[256];
    int n = snprintf(body, sizeof(body), "{\"error\":{\"code\":\"%s\",\"message\":\"%s\"}}", code,
                     msg);
    if (n < 0 || (size_t)n >= sizeof(body) ||
        conn_send(c, status, "application/json", NULL, body, (size_t)n, 0, 0) < 0)
        conn_close(c);
}

static void conn_dispatch(conn *c)
{
    c->ready = 0;
    c->state = C_BUSY;
    uv_timer_stop(&c->timer);
    /* The handler may answer at once; c stays valid until its close callbacks. */
    c->srv->handler(&c->req->pub, c->srv->payload);
}

static void conn_compact(conn *c)
{
    if (c->in_off == 0)
        return;
    c->in.len -= c->in_off;
    memmove(c->in.data, c->in.data + c->in_off, c->in.len);
    c->in.data[c->in.len] = '\0';
    c->in_off = 0;
    /* Do not keep a body-sized buffer around for an idle connection. */
    if (c->in.len == 0 && c->in.cap > 2 * HTTP_READ_AHEAD)
        util_buf_dispose(&c->in);
}

static void conn_feed(conn *c)
{
    while (c->state == C_READ && c->in_off < c->in.len) {
        const char *base = c->in.data + c->in_off;
        size_t avail = c->in.len - c->in_off;
        c->feed_base = base;
        size_t used = http_parser_execute(&c->parser, &c->srv->settings, base, avail);
        c->in_off += used;
        enum http_errno err = HTTP_PARSER_ERRNO(&c->parser);
        if (err == HPE_PAUSED && c->ready) {
            conn_compact(c);
            conn_dispatch(c);
            return;
        }
        if (err == HPE_OK && c->in_head) {
            c->head_bytes += used;
            if (c->head_bytes > c->srv->lim.max_header_bytes)
                conn_fail(c, 431, NULL);
            /* A request line without a version ends up as 0.9 before any header:
             * refuse it now rather than wait for headers an HTTP/0.9 client never sends. */
            else if (c->parser.http_major == 0 && c->parser.http_minor == 9)
                conn_fail(c, 400, "the request line has no HTTP version (HTTP/0.9 is not served)");
        }
        /* A short count without an error only follows an upgrade: not for us. */
        if (err != HPE_OK || c->fail || used < avail) {
            conn_reject(c, err);
            return;
        }
    }
    conn_compact(c);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    conn *c = h->data;
    (void)suggested;
    *buf = uv_buf_init(c->rbuf, sizeof(c->rbuf));
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    conn *c = s->data;
    if (nread == 0)
        return;
    /* EOF too: clients do not half-close HTTP/1.1, and a request still out
     * is dropped (http_respond() only frees it) rather than answered to no one. */
    if (nread < 0) {
        conn_close(c);
        return;
    }
    if (c->state == C_FINISH || c->state == C_CLOSED)
        return;
    if (util_buf_append(&c->in, buf->base, (size_t)nread) < 0) {
        conn_close(c);
        return;
    }
    if (c->state == C_READ) {
        conn_feed(c);
        /* After the feed: a request begun in these bytes has deadlines now. */
        if (c->state == C_READ)
            conn_idle(c);
    }
    conn_update_reading(c);
}

static void conn_update_reading(conn *c)
{
    int want;
    switch (c->state) {
    case C_READ:
    case C_FINISH:
        want = 1;
        break;
    case C_BUSY:
    case C_WRITE:
        want = c->in.len - c->in_off < HTTP_READ_AHEAD;
        break;
    default:
        return;
    }
    if (want == c->reading)
        return;
    int rc = want ? uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read)
                  : uv_read_stop((uv_stream_t *)&c->tcp);
    if (rc < 0) {
        conn_close(c);
        return;
    }
    c->reading = want;
}

static void conn_set_peer(conn *c)
{
    struct sockaddr_storage ss;
    int len = (int)sizeof(ss);
    c->peer[0] = '\0';
    if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&ss, &len) == 0)
        uv_ip_name((const struct sockaddr *)&ss, c->peer, sizeof(c->peer));
}

static void on_connection(uv_stream_t *server, int status)
{
    http_server *srv = server->data;
    if (status < 0 || !srv || srv->stopping)
        return;
    conn *c = calloc(1, sizeof(*c));
    if (!c)
        return;
    if (uv_tcp_init(srv->loop, &c->tcp) < 0) {
        free(c);
        return;
    }
    c->srv = srv;
    c->tcp.data = c;
    c->timer.data = c;
    c->open_handles = 1;
    c->next = srv->conns;
    if (srv->conns)
        srv->conns->prev = c;
    srv->conns = c;
    srv->nconns++;
    util_buf_init(&c->in);
    http_parser_init(&c->parser, HTTP_REQUEST);
    c->parser.data = c;
    c->state = C_READ;
    if (uv_timer_init(srv->loop, &c->timer) < 0) {
        conn_close(c);
        return;
    }
    c->open_handles = 2;
    if (uv_accept(server, (uv_stream_t *)&c->tcp) < 0) {
        conn_close(c);
        return;
    }
    uv_tcp_nodelay(&c->tcp, 1);
    conn_set_peer(c);
    c->head_began = uv_now(srv->loop);
    conn_idle(c);
    /* Bounded, overall and per address, so that one client cannot take every
     * slot: past a cap a client is told so at once, not left waiting.  A
     * refused connection lingers a moment for its answer to be read, but is
     * not counted: a flood of them must not shut out another address. */
    uintptr_t from_peer = (uintptr_t)map_get(srv->per_addr, c->peer);
    if (srv->nadmitted >= srv->lim.max_connections ||
        from_peer >= srv->lim.max_connections_per_address) {
        conn_fail(c, 503, srv->nadmitted >= srv->lim.max_connections ? NULL : "per address");
        conn_reject(c, HPE_OK);
        return;
    }
    if (map_set(srv->per_addr, c->peer, (void *)(from_peer + 1)) < 0) {
        conn_close(c);
        return;
    }
    c->admitted = 1;
    srv->nadmitted++;
    conn_update_reading(c);
}

/* ---- server ------------------------------------------------------------ */

int http_server_new(http_server **out, uv_loop_t *loop, const http_limits *lim,
                    http_handler handler, void *payload)
{
    if (!out)
        return UV_EINVAL;
    *out = NULL;
    if (!loop || !handler)
        return UV_EINVAL;
    http_server *srv = calloc(1, sizeof(*srv));
    if (!srv)
        return UV_ENOMEM;
    srv->loop = loop;
    if (lim)
        srv->lim = *lim;
    http_limits_defaults(&srv->lim);
    srv->handler = handler;
    srv->payload = payload;
    if (map_new(&srv->per_addr) < 0) {
        free(srv);
        return UV_ENOMEM;
    }
    http_parser_settings_init(&srv->settings);
    srv->settings.on_message_begin = on_message_begin;
    srv->settings.on_url = on_url;
    srv->settings.on_header_field = on_header_field;
    srv->settings.on_header_value = on_header_value;
    srv->settings.on_headers_complete = on_headers_complete;
    srv->settings.on_body = on_body;
    srv->settings.on_message_complete = on_message_complete;
    *out = srv;
    return 0;
}

static void on_listener_closed(uv_handle_t *h)
{
    http_server *srv = h->data;
    free(h);
    if (srv) {
        srv->listener = NULL;
        maybe_done(srv);
    }
}

int http_server_listen(http_server *srv, const char *host, int port)
{
    if (!srv || !host || port < 0 || port > 65535)
        return UV_EINVAL;
    if (srv->stopping)
        return UV_EINVAL;
    if (srv->listener)
        return UV_EALREADY;
    struct sockaddr_storage ss;
    if (uv_ip4_addr(host, port, (struct sockaddr_in *)&ss) != 0 &&
        uv_ip6_addr(host, port, (struct sockaddr_in6 *)&ss) != 0)
        return UV_EINVAL;
    uv_tcp_t *l = malloc(sizeof(*l));
    if (!l)
        return UV_ENOMEM;
    int rc = uv_tcp_init(srv->loop, l);
    if (rc < 0) {
        free(l);
        return rc;
    }
    /* Not ours until listening works: a failure leaves srv free to be freed. */
    l->data = NULL;
    rc = uv_tcp_bind(l, (const struct sockaddr *)&ss, 0);
    if (rc == 0)
        rc = uv_listen((uv_stream_t *)l, HTTP_BACKLOG, on_connection);
    struct sockaddr_storage bound;
    int len = (int)sizeof(bound);
    if (rc == 0)
        rc = uv_tcp_getsockname(l, (struct sockaddr *)&bound, &len);
    if (rc < 0) {
        uv_close((uv_handle_t *)l, on_listener_closed);
        return rc;
    }
    srv->port = ntohs(bound.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&bound)->sin6_port
                                                  : ((struct sockaddr_in *)&bound)->sin_port);
    l->data = srv;
    srv->listener = l;
    return 0;
}

int http_server_port(const http_server *srv)
{
    return srv ? srv->port : 0;
}

void http_server_stop(http_server *srv, void (*done)(void *payload), void *payload)
{
    if (!srv || srv->stopping)
        return;
    srv->stopping = 1;
    srv->done = done;
    srv->done_payload = payload;
    if (srv->listener && !uv_is_closing((uv_handle_t *)srv->listener))
        uv_close((uv_handle_t *)srv->listener, on_listener_closed);
    /* Idle and half-received: nothing owed.  The rest close once answered. */
    for (conn *c = srv->conns; c; c = c->next)
        if (c->state == C_READ)
            conn_close(c);
    maybe_done(srv);
}

void http_server_free(http_server *srv)
{
    if (!srv)
        return;
    if (srv->listener) {
        srv->listener->data = NULL;
        if (!uv_is_closing((uv_handle_t *)srv->listener))
            uv_close((uv_handle_t *)srv->listener, on_listener_closed);
    }
    map_free(srv->per_addr);
    free(srv);
}
