/*
 * The HTTP layer (http.h), end to end on one libuv loop: a server on
 * 127.0.0.1 and, for each input, one client connection that sends the
 * input's bytes, half-closes, and reads until the server closes.
 *
 * What must hold, whatever the bytes: no fault; every request reaches the
 * handler well formed (a path without '?', a NUL-terminated body of the
 * stated length); and the connection ends once the client has sent all it
 * will (a server that kept it open would hang here, which libFuzzer reports
 * as a timeout).  Requests for /later are answered from a timer, after the
 * client may have gone, as thread-pool jobs answer; the rest at once.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "http/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uv_loop_t loop;
static http_server *server;
static struct sockaddr_in server_addr;

typedef struct later {
    uv_timer_t timer;
    http_request *req;
} later;

static void check(int ok)
{
    if (!ok)
        abort();
}

static void answer(http_request *req)
{
    char head[256];
    int n = snprintf(head, sizeof(head), "%s %zu %zu\n", req->method, req->nheaders,
                     req->body_len);
    check(n > 0 && (size_t)n < sizeof(head));
    http_respond(req, 200, "text/plain", NULL, head, (size_t)n);
}

static void on_later_closed(uv_handle_t *h)
{
    free(h->data);
}

static void on_later(uv_timer_t *t)
{
    later *l = t->data;
    answer(l->req);
    uv_close((uv_handle_t *)&l->timer, on_later_closed);
}

static void handler(http_request *req, void *payload)
{
    (void)payload;
    check(req->method && req->url && req->path && req->query && req->body);
    check(strchr(req->path, '?') == NULL);
    check(req->body[req->body_len] == '\0');
    for (size_t i = 0; i < req->nheaders; i++)
        check(req->headers[i].name && req->headers[i].value);
    if (strncmp(req->path, "/later", 6) != 0) {
        answer(req);
        return;
    }
    later *l = calloc(1, sizeof(*l));
    check(l != NULL);
    l->req = req;
    l->timer.data = l;
    check(uv_timer_init(&loop, &l->timer) == 0);
    check(uv_timer_start(&l->timer, on_later, 0, 0) == 0);
}

/* One client connection. */
typedef struct client {
    uv_tcp_t tcp;
    uv_connect_t connect;
    uv_write_t write;
    uv_shutdown_t shutdown;
    uv_buf_t out;
    char in[65536];
    int closed;
} client;

static void on_client_closed(uv_handle_t *h)
{
    ((client *)h->data)->closed = 1;
}

static void client_close(client *c)
{
    if (!uv_is_closing((uv_handle_t *)&c->tcp))
        uv_close((uv_handle_t *)&c->tcp, on_client_closed);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)suggested;
    client *c = h->data;
    *buf = uv_buf_init(c->in, sizeof(c->in));
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    (void)buf;
    if (nread < 0) /* UV_EOF: the server closed; or a reset */
        client_close(s->data);
}

static void on_shutdown(uv_shutdown_t *req, int status)
{
    (void)req;
    (void)status;
}

static void on_written(uv_write_t *w, int status)
{
    client *c = w->data;
    /* A server that refused the request may close before all is sent. */
    if (status == 0)
        uv_shutdown(&c->shutdown, (uv_stream_t *)&c->tcp, on_shutdown);
}

static void on_connect(uv_connect_t *req, int status)
{
    client *c = req->data;
    check(status == 0);
    check(uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) == 0);
    c->write.data = c;
    check(uv_write(&c->write, (uv_stream_t *)&c->tcp, &c->out, 1, on_written) == 0);
}

static void setup(void)
{
    check(uv_loop_init(&loop) == 0);
    /* Small limits, so that short inputs reach them too. */
    http_limits lim = {.max_header_bytes = 1024, .max_body_bytes = 4096, .idle_timeout_ms = 0};
    http_limits_defaults(&lim);
    check(http_server_new(&server, &loop, &lim, handler, NULL) == 0);
    check(http_server_listen(server, "127.0.0.1", 0) == 0);
    check(uv_ip4_addr("127.0.0.1", http_server_port(server), &server_addr) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!server)
        setup();
    client *c = calloc(1, sizeof(*c));
    check(c != NULL);
    /* uv_write() wants a buffer that lives until it completes. */
    c->out = uv_buf_init(malloc(size ? size : 1), (unsigned)size);
    check(c->out.base != NULL);
    memcpy(c->out.base, data, size);
    check(uv_tcp_init(&loop, &c->tcp) == 0);
    c->tcp.data = c;
    c->connect.data = c;
    check(uv_tcp_connect(&c->connect, &c->tcp, (const struct sockaddr *)&server_addr,
                         on_connect) == 0);
    while (!c->closed)
        uv_run(&loop, UV_RUN_ONCE);
    /* Let the server finish with its side (and any /later timer) too. */
    uv_run(&loop, UV_RUN_NOWAIT);
    free(c->out.base);
    free(c);
    return 0;
}
