/*
 * Answers: the status line and headers (Content-Length, Connection, Date
 * added here), queued on the socket; once written, the connection goes on
 * with what the client pipelined, idles, or finishes.  Also the answers the
 * server gives on its own when it refuses a request.
 */
#include "http/conn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http/bytes.h"

static void on_write(uv_write_t *w, int status)
{
    out *o = (out *)w;
    conn *c = w->handle->data;
    int final = o->final;
    free(o->data);
    http_bytes_unref(o->body);
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
int conn_write(conn *c, char *data, size_t len, int final)
{
    out *o = malloc(sizeof(*o));
    if (!o) {
        free(data);
        return KENES_ENOMEM;
    }
    o->final = final;
    o->data = data;
    o->body = NULL;
    uv_buf_t buf = uv_buf_init(data, (unsigned)len);
    int rc = uv_write(&o->w, (uv_stream_t *)&c->tcp, &buf, 1, on_write);
    if (rc < 0) {
        free(data);
        free(o);
        return http_error_of_uv(rc);
    }
    return 0;
}

/* The Date line's value, formatted again only when the second changes:
 * every answer carries it, and a second is its precision. */
static const char *date_now(void)
{
    /* Not strftime: the names must not follow the locale. */
    static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    static char text[64];
    static time_t shown = (time_t)-1;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME_COARSE, &ts);
    if (ts.tv_sec == shown)
        return text;
    /* util_now_ms: the tests' fixed clock (KENES_NOW) shows here too. */
    time_t t = (time_t)(util_now_ms() / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(text, sizeof(text), "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday % 7],
             tm.tm_mday, months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
             tm.tm_sec);
    shown = ts.tv_sec;
    return text;
}

/* The status line and headers of an answer whose body is body_len bytes;
 * 0 or KENES_ENOMEM. */
static int head_of(util_buf *b, int status, const char *content_type, const char *extra,
                   size_t body_len, int bodyless, int keep)
{
    int rc = util_buf_printf(b, "HTTP/1.1 %d %s\r\nDate: %s\r\n", status,
                             http_status_text(status), date_now());
    if (!rc && content_type)
        rc = util_buf_printf(b, "Content-Type: %s\r\n", content_type);
    if (!rc && extra && *extra) {
        rc = util_buf_puts(b, extra);
        size_t n = strlen(extra);
        if (!rc && (n < 2 || strcmp(extra + n - 2, "\r\n") != 0))
            rc = util_buf_puts(b, "\r\n");
    }
    if (!rc && !bodyless)
        rc = util_buf_printf(b, "Content-Length: %zu\r\n", body_len);
    if (!rc)
        rc = util_buf_printf(b, "Connection: %s\r\n\r\n", keep ? "keep-alive" : "close");
    return rc < 0 ? KENES_ENOMEM : 0;
}

/* After an answer is queued: C_WRITE, or C_FINISH if it is the last. */
static void sent(conn *c, int keep)
{
    /* A client that stops reading must not hold the connection forever. */
    conn_idle(c);
    if (keep)
        c->state = C_WRITE;
    else
        conn_finish(c);
}

/* Queue a whole answer and move to C_WRITE, or to C_FINISH if it is the last. */
int conn_send(conn *c, int status, const char *content_type, const char *extra,
                     const char *body, size_t body_len, int head, int keep)
{
    if (status < 100 || status > 999)
        status = 500;
    /* RFC 9110: 1xx, 204 and 304 answers never carry a body. */
    int bodyless = status < 200 || status == 204 || status == 304;
    util_buf b;
    util_buf_init(&b);
    int rc = head_of(&b, status, content_type, extra, body_len, bodyless, keep);
    if (!rc && !bodyless && !head && body_len)
        rc = util_buf_append(&b, body, body_len);
    if (rc < 0) {
        util_buf_dispose(&b);
        return KENES_ENOMEM;
    }
    size_t len;
    char *data = http_buf_take(&b, &len);
    if (!data)
        return KENES_ENOMEM;
    rc = conn_write(c, data, len, 1);
    if (rc < 0)
        return rc;
    sent(c, keep);
    return 0;
}

/* The answer with body's bytes written where they are: the head and the
 * tail in one allocation, the body a buffer of its own between them. */
static int conn_send_bytes(conn *c, int status, const char *content_type, const char *extra,
                           http_bytes *body, const char *tail, size_t tail_len, int head,
                           int keep)
{
    if (status < 100 || status > 999)
        status = 500;
    int bodyless = status < 200 || status == 204 || status == 304;
    size_t body_len = (body ? body->len : 0) + tail_len;
    util_buf b;
    util_buf_init(&b);
    int rc = head_of(&b, status, content_type, extra, body_len, bodyless, keep);
    size_t head_len = b.len;
    int with_body = !bodyless && !head;
    if (!rc && with_body && tail_len)
        rc = util_buf_append(&b, tail, tail_len);
    out *o = rc == 0 ? malloc(sizeof(*o)) : NULL;
    if (!o) {
        util_buf_dispose(&b);
        return KENES_ENOMEM;
    }
    size_t len;
    o->final = 1;
    o->data = http_buf_take(&b, &len);
    o->body = NULL;
    if (!o->data) {
        free(o);
        return KENES_ENOMEM;
    }
    uv_buf_t bufs[3];
    unsigned n = 0;
    bufs[n++] = uv_buf_init(o->data, (unsigned)head_len);
    if (with_body && body && body->len) {
        o->body = http_bytes_ref(body);
        bufs[n++] = uv_buf_init(body->data, (unsigned)body->len);
    }
    if (with_body && tail_len)
        bufs[n++] = uv_buf_init(o->data + head_len, (unsigned)tail_len);
    rc = uv_write(&o->w, (uv_stream_t *)&c->tcp, bufs, n, on_write);
    if (rc < 0) {
        free(o->data);
        http_bytes_unref(o->body);
        free(o);
        return http_error_of_uv(rc);
    }
    sent(c, keep);
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

void http_respond_bytes(http_request *req, int status, const char *content_type,
                        const char *extra_headers, http_bytes *body, const char *tail,
                        size_t tail_len)
{
    if (!req)
        return;
    req_impl *r = (req_impl *)req;
    conn *c = r->conn;
    if (!c) {
        req_free(r);
        return;
    }
    c->req = NULL;
    int keep = r->keep_alive && !c->srv->stopping;
    int rc = conn_send_bytes(c, status, content_type, extra_headers, body, tail, tail_len,
                             r->head, keep);
    req_free(r);
    if (rc < 0)
        conn_close(c);
}

/* Answer a request the parser or a limit refused, then close. */
void conn_reject(conn *c, enum http_errno err)
{
    int status = c->fail;
    if (status == -1) {
        conn_close(c);
        return;
    }
    if (!status)
        status = err == HPE_HEADER_OVERFLOW ? 431 : 400;
    if (status == 413 && c->req && c->srv->lim.too_big_page) {
        util_buf page, extra;
        util_buf_init(&page);
        util_buf_init(&extra);
        const char *type = NULL;
        int own = c->srv->lim.too_big_page(&c->req->pub, &page, &type, &extra,
                                           c->srv->lim.too_big_payload) == 1 && type;
        if (own) {
            req_free(c->req);
            c->req = NULL;
            if (conn_send(c, status, type, extra.data, page.data ? page.data : "", page.len, 0,
                          0) < 0)
                conn_close(c);
        }
        util_buf_dispose(&page);
        util_buf_dispose(&extra);
        if (own)
            return;
    }
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
        code = c->body_code ? c->body_code : "body_too_large";
        snprintf(msg, sizeof(msg), "request body exceeds %zu bytes",
                 c->body_max ? c->body_max : c->srv->lim.max_body_bytes);
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
