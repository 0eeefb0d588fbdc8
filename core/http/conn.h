/*
 * Inside the HTTP server: a connection and the request it is reading, as
 * the three rooms of core/http share them.  conn.c owns connections, their
 * limits and timers, and the listener; parse.c turns bytes into requests
 * (http-parser's callbacks); write.c writes answers (and the refusals the
 * server makes on its own).  Users include http/http.h only.
 */
#ifndef KENES_HTTP_CONN_H
#define KENES_HTTP_CONN_H

#include <http_parser.h>
#include <stdint.h>
#include <uv.h>

#include "base/error.h"
#include "base/map.h"
#include "base/util.h"
#include "http/http.h"


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
    size_t body_max;      /* the request's body limit (limits.body_limit) */
    const char *body_code; /* and what its 413 says */
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
    struct http_bytes *body; /* a shared body written beside data (bytes.h), or NULL */
} out;

/* What a parser callback returns to stop http-parser (its contract, not a
 * KENES_E* code; 1 and 2 mean something else from on_headers_complete). */
#define HTTP_PARSE_STOP (-1)

/* ---- conn.c ---- */
/* The KENES_E* code of a libuv error. */
int http_error_of_uv(int uv_rc);
void conn_close(conn *c);
/* Parse what has arrived, as far as the state allows. */
void conn_feed(conn *c);
/* Start or stop reading as the state and the read-ahead bound say. */
void conn_update_reading(conn *c);
/* After the last answer: shut the write side down and linger (C_FINISH). */
void conn_finish(conn *c);
/* Between requests: wait for the next, with the idle timer running. */
void conn_idle(conn *c);

/* ---- parse.c ---- */
/* The parser's callbacks, for http_server_new. */
void http_parse_settings(http_parser_settings *s);
req_impl *req_new(conn *c);
/* Stop parsing c: answer status (with msg, static text, or NULL) once the
 * parser returns, or close without an answer for -1.  Returns what a
 * parser callback returns to stop. */
int conn_fail(conn *c, int status, const char *msg);
/* b's bytes as one NUL-terminated string (b emptied); NULL out of memory. */
char *http_buf_take(util_buf *b, size_t *len);
void req_free(req_impl *r);

/* ---- write.c ---- */
/* Queue data (stolen) on c's socket; final: an answer, not a 100 Continue.
 * 0, or a KENES_E* code (data freed). */
int conn_write(conn *c, char *data, size_t len, int final);
/* The whole answer: status line, headers, body (copied). */
int conn_send(conn *c, int status, const char *content_type, const char *extra, const char *body,
              size_t body_len, int keep_alive, int head_only);
/* Answer a request the server refuses itself (400, 408, 413, 431, 503,
 * 505) as JSON, and close after it. */
void conn_reject(conn *c, enum http_errno err);

#endif
