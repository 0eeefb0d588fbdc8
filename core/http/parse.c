/*
 * Requests from bytes: http-parser's callbacks build a request, enforce the
 * limits on its head and body while it arrives, and pause the parser once
 * it is complete (one request at a time on a connection).
 */
#include "http/conn.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

req_impl *req_new(conn *c)
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

void req_free(req_impl *r)
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
char *http_buf_take(util_buf *b, size_t *len)
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
            return KENES_ENOMEM;
        r->pub.headers = h;
        r->cap_headers = cap;
    }
    /* http-parser keeps trailing whitespace; RFC 9110 says it is not part of the value. */
    while (r->value.len && (r->value.data[r->value.len - 1] == ' ' ||
                            r->value.data[r->value.len - 1] == '\t'))
        r->value.data[--r->value.len] = '\0';
    char *name = http_buf_take(&r->name, NULL);
    char *value = http_buf_take(&r->value, NULL);
    if (!name || !value) {
        free(name);
        free(value);
        return KENES_ENOMEM;
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
        return KENES_EINVAL;
    const char *s = r->url.data;
    if (u.field_set & (1 << UF_PATH))
        r->pub.path = dup_range(s + u.field_data[UF_PATH].off, u.field_data[UF_PATH].len);
    else /* absolute-form without a path ("http://host") means "/" */
        r->pub.path = dup_range(is_connect ? "" : "/", is_connect ? 0 : 1);
    if (u.field_set & (1 << UF_QUERY))
        r->pub.query = dup_range(s + u.field_data[UF_QUERY].off, u.field_data[UF_QUERY].len);
    else
        r->pub.query = dup_range("", 0);
    r->pub.url = http_buf_take(&r->url, NULL);
    if (!r->pub.path || !r->pub.query || !r->pub.url)
        return KENES_ENOMEM;
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

int conn_fail(conn *c, int status, const char *msg)
{
    c->fail = status;
    c->fail_msg = msg;
    return HTTP_PARSE_STOP;
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
        return HTTP_PARSE_STOP;
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
        return HTTP_PARSE_STOP;
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
        return HTTP_PARSE_STOP;
    if (util_buf_append(&c->req->value, at, len) < 0)
        return conn_fail(c, -1, NULL);
    c->req->in_value = 1;
    return 0;
}

int conn_write(conn *c, char *data, size_t len, int final);

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
    if (rc == KENES_EINVAL)
        return conn_fail(c, 400, "malformed request target");
    if (rc < 0)
        return conn_fail(c, -1, NULL);
    r->pub.method = http_method_str((enum http_method)p->method);
    r->head = p->method == HTTP_HEAD;

    int chunked = (p->flags & F_CHUNKED) != 0;
    int has_length = !chunked && p->content_length != ULLONG_MAX;
    c->body_max = c->srv->lim.max_body_bytes;
    c->body_code = "body_too_large";
    if (c->srv->lim.body_limit) {
        const char *code = NULL;
        size_t max = c->srv->lim.body_limit(&r->pub, &code, c->srv->lim.body_limit_payload);
        if (max)
            c->body_max = max;
        if (code)
            c->body_code = code;
    }
    /* Refuse before the body is sent, not after reading it. */
    if (has_length && p->content_length > c->body_max)
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
    if (c->req->body.len + len > c->body_max)
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
    r->pub.body = http_buf_take(&r->body, &r->pub.body_len);
    if (!r->pub.body)
        return conn_fail(c, -1, NULL);
    c->ready = 1;
    c->req_began = 0;
    /* One request at a time: the rest waits in c->in until this one is answered. */
    http_parser_pause(p, 1);
    return 0;
}

void http_parse_settings(http_parser_settings *s)
{
    http_parser_settings_init(s);
    s->on_message_begin = on_message_begin;
    s->on_url = on_url;
    s->on_header_field = on_header_field;
    s->on_header_value = on_header_value;
    s->on_headers_complete = on_headers_complete;
    s->on_body = on_body;
    s->on_message_complete = on_message_complete;
}
