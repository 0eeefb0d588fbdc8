/*
 * HTTP/1.1 server on a libuv loop, parsing with http-parser.
 *
 * Keep-alive and pipelining: requests on one connection are handled one at
 * a time, in order; the parser is paused after each complete message and
 * resumed once its answer has been written, so answers never overtake.
 * Bodies may come with Content-Length or chunked; limits are enforced while
 * reading (431 for headers, 413 for bodies) and the connection is closed
 * after such an answer.  Malformed requests get 400 and a close.
 *
 * A handler is called on the loop thread with a complete request and must
 * call http_respond() exactly once, now or later (after a thread-pool job).
 * If the client went away meanwhile, http_respond() only frees the request.
 */
#ifndef KENES_HTTP_H
#define KENES_HTTP_H

#include <stddef.h>
#include <uv.h>

#include "base/util.h"

typedef struct http_server http_server;
typedef struct http_request http_request;

typedef struct http_limits {
    size_t max_header_bytes; /* request line + headers; default 16 KiB */
    size_t max_body_bytes;   /* default 1 MiB */
    unsigned idle_timeout_ms; /* close a keep-alive connection idle this long; default 30 s */
    /* A request must arrive whole (head and body) within this of its first
     * byte, however it trickles in; else 408 and a close.  Default 60 s. */
    unsigned request_timeout_ms;
    /* Connections open at once; one more is answered 503 and closed.  Default 1024. */
    size_t max_connections;
    /* Connections open at once from one client address; one more is answered
     * 503 and closed, so one address cannot take every slot.  Default 64. */
    size_t max_connections_per_address;
    /* A request head (request line and headers) must arrive whole within
     * this of its first byte (of the connection's opening, for its first
     * request); else 408 and a close.  Shorter than request_timeout_ms: a
     * head is small, a body may be large.  Default 10 s. */
    unsigned header_timeout_ms;
    /* A body limit of a request's own (NULL: max_body_bytes for every one):
     * asked once its head is read, it answers the limit (0: max_body_bytes)
     * and, in *code, the error code a 413 then says (left NULL:
     * "body_too_large").  An upload route follows its files' limit while
     * JSON stays at max_body_bytes. */
    size_t (*body_limit)(const http_request *req, const char **code, void *payload);
    void *body_limit_payload;
    /* The answer to a body over its limit (413) for a request whose sender
     * reads pages, not JSON (NULL: the JSON error for every request): asked
     * with the request's head, it may fill body, *content_type and extra
     * header lines ("Name: value\r\n" each) and return 1; 0 keeps the
     * JSON error.  Called on the loop; the connection closes after it. */
    int (*too_big_page)(const http_request *req, util_buf *body, const char **content_type,
                        util_buf *headers, void *payload);
    void *too_big_payload;
} http_limits;

typedef struct http_header {
    char *name;  /* as sent; compare case-insensitively */
    char *value;
} http_header;

struct http_request {
    const char *method; /* "GET", "POST", ... */
    char *url;          /* the request target as sent: "/api/v1/documents?type=x" */
    char *path;         /* url up to '?', not decoded */
    char *query;        /* after '?', not decoded; "" if none */
    http_header *headers;
    size_t nheaders;
    char *body; /* NUL-terminated for convenience; body_len excludes the NUL */
    size_t body_len;
    char peer[64]; /* client address, "127.0.0.1" */
    void *data;    /* free for the handler */
};

typedef void (*http_handler)(http_request *req, void *payload);

/* Defaults for every zero member. */
void http_limits_defaults(http_limits *lim);

/* 0, KENES_EINVAL or KENES_ENOMEM. */
int http_server_new(http_server **out, uv_loop_t *loop, const http_limits *lim,
                    http_handler handler, void *payload);
/* host "127.0.0.1", port 0 for any free port.  0, or KENES_EINVAL (a bad
 * address), KENES_EEXISTS (listening already), KENES_EBUSY (the port is in
 * use), another KENES_E* code from the system. */
int http_server_listen(http_server *srv, const char *host, int port);
/* The bound port (useful after port 0). */
int http_server_port(const http_server *srv);

/* First header with this name (case-insensitive), or NULL. */
const char *http_request_header(const http_request *req, const char *name);
/* How many times a header appears. */
size_t http_request_header_count(const http_request *req, const char *name);

/*
 * Answer a request and give it back to the server (req is invalid after).
 * extra_headers: "Name: value\r\n" lines, or NULL.  Content-Length,
 * Connection and Date are added here.  The body is copied.
 */
void http_respond(http_request *req, int status, const char *content_type,
                  const char *extra_headers, const char *body, size_t body_len);

/* Value of a query parameter, percent-decoded into out: 1 found, 0 absent,
 * KENES_EINVAL malformed (query.c). */
int http_query(const http_request *req, const char *name, char *out, size_t cap);
/* Percent-decode (plus_is_space for queries and form bodies); KENES_EINVAL
 * on a broken escape, an overflow, or a result that is not UTF-8. */
int http_pct_decode(char *out, size_t cap, const char *in, size_t len, int plus_is_space);

/* Append the "Content-Disposition: attachment; ...\r\n" line that offers
 * a file called name (UTF-8) for saving, never for showing: filename= in
 * ASCII, filename*= the whole name.  0 or KENES_ENOMEM (query.c). */
int http_content_disposition(util_buf *b, const char *name);
/* The same with filename= the caller's ASCII name (an export's
 * "kenes-plans-KZ-11-2026-12-05.csv" for «Меры региональных планов ...»);
 * ascii NULL: made from name. */
int http_content_disposition_as(util_buf *b, const char *ascii, const char *name);

/* The HTTP status of a KENES_E* code, and its word ("forbidden", "stale";
 * *word may be NULL) for an answer's error code (status.c). */
int http_status_of(int code, const char **word);

/* The reason phrase for a status code ("Not Found"). */
const char *http_status_text(int status);

/*
 * Graceful stop: stop accepting, let requests in flight finish and be
 * answered, close idle connections; call done(payload) on the loop once
 * every connection is closed.  Then http_server_free().
 */
void http_server_stop(http_server *srv, void (*done)(void *payload), void *payload);
/*
 * Also true of this implementation:
 * - Refused requests get JSON {"error":{"code","message"}} and a close:
 *   400 "bad_request", 408 "request_timeout", 413 "body_too_large",
 *   431 "headers_too_large", 503 "too_many_connections",
 *   505 "http_version_not_supported" (HTTP/1.0 and 1.x are served; a request
 *   line without a version, HTTP/0.9, is 400).
 * - Connections refused at once (503) do not count against either
 *   connection limit while their answer lingers.
 * - End of input from a client counts as the client leaving: a request still
 *   with the handler is dropped, and http_respond() only frees it.
 * - http-parser caps a request head at 80 KiB whatever max_header_bytes says.
 * - If nothing is open when http_server_stop() is called, done runs before
 *   it returns.
 */
/* Only after stop's done callback (or if listen never succeeded). NULL is a no-op. */
void http_server_free(http_server *srv);

#endif
