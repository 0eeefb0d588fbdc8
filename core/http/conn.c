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
#include "http/conn.h"

#include <stdlib.h>
#include <string.h>

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

void conn_close(conn *c)
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

void conn_reject(conn *c, enum http_errno err);

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
void conn_idle(conn *c)
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
void conn_finish(conn *c)
{
    c->state = C_FINISH;
    if (uv_shutdown(&c->shutdown, (uv_stream_t *)&c->tcp, on_shutdown) < 0) {
        conn_close(c);
        return;
    }
    conn_update_reading(c);
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

void conn_feed(conn *c)
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

void conn_update_reading(conn *c)
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

int http_error_of_uv(int uv_rc)
{
    /* libuv's codes are -errno on the systems kenes runs on; a port taken
     * is a wait, not a fault of the request. */
    return uv_rc == UV_EADDRINUSE ? KENES_EBUSY : kenes_error_from_errno(-uv_rc);
}

int http_server_new(http_server **out, uv_loop_t *loop, const http_limits *lim,
                    http_handler handler, void *payload)
{
    if (!out)
        return KENES_EINVAL;
    *out = NULL;
    if (!loop || !handler)
        return KENES_EINVAL;
    http_server *srv = calloc(1, sizeof(*srv));
    if (!srv)
        return KENES_ENOMEM;
    srv->loop = loop;
    if (lim)
        srv->lim = *lim;
    http_limits_defaults(&srv->lim);
    srv->handler = handler;
    srv->payload = payload;
    if (map_new(&srv->per_addr) < 0) {
        free(srv);
        return KENES_ENOMEM;
    }
    http_parse_settings(&srv->settings);
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
        return KENES_EINVAL;
    if (srv->stopping)
        return KENES_EINVAL;
    if (srv->listener)
        return KENES_EEXISTS;
    struct sockaddr_storage ss;
    if (uv_ip4_addr(host, port, (struct sockaddr_in *)&ss) != 0 &&
        uv_ip6_addr(host, port, (struct sockaddr_in6 *)&ss) != 0)
        return KENES_EINVAL;
    uv_tcp_t *l = malloc(sizeof(*l));
    if (!l)
        return KENES_ENOMEM;
    int rc = uv_tcp_init(srv->loop, l);
    if (rc < 0) {
        free(l);
        return http_error_of_uv(rc);
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
        return http_error_of_uv(rc);
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
