/*
 * Prepared answers: a body made once (a report page per publication, a
 * document's JSON per version) and written to every reader without a copy.
 *
 * http_bytes is a shared, reference-counted byte string.  Every reference
 * is taken and dropped on the loop thread (a body made on the pool is
 * handed over whole, before anyone else can see it), so the count is a
 * plain integer.  http_respond_bytes queues it beside the status line and
 * headers as a buffer of its own (uv_write of several buffers) and keeps a
 * reference until the socket has taken it.
 *
 * http_store keeps such bodies by key, within a byte budget
 * (limits.prepared_mib): the least recently used unpinned entry goes first;
 * a pinned one (a published report) only when replaced or dropped.
 */
#ifndef KENES_HTTP_BYTES_H
#define KENES_HTTP_BYTES_H

#include <stddef.h>

#include "http/http.h"

typedef struct http_bytes {
    size_t refs;
    size_t len;
    char *data; /* malloc'd, owned; NUL after len for convenience */
} http_bytes;

/* A new body holding a copy of data (one reference), or NULL out of memory. */
http_bytes *http_bytes_new(const char *data, size_t len);
/* A new body taking data (malloc'd, len + 1 bytes with a NUL at len, as
 * util_buf_detach leaves it); on NULL (out of memory) data is freed. */
http_bytes *http_bytes_take(char *data, size_t len);
/* Another reference to b (b returned; NULL is NULL). */
http_bytes *http_bytes_ref(http_bytes *b);
/* Drop a reference; the last frees b.  NULL is a no-op. */
void http_bytes_unref(http_bytes *b);

/*
 * Answer req with body (borrowed: the answer takes its own reference) and
 * then tail (copied; may be NULL), as http_respond does otherwise: status,
 * extra_headers ("Name: value\r\n" lines or NULL), Content-Length, Connection
 * and Date added here.  The body's bytes are written where they are.
 */
void http_respond_bytes(http_request *req, int status, const char *content_type,
                        const char *extra_headers, http_bytes *body, const char *tail,
                        size_t tail_len);

typedef struct http_store http_store;

/* budget: bytes that unpinned entries may fill beside the pinned ones. */
int http_store_new(http_store **out, size_t budget);
void http_store_free(http_store *s); /* NULL is a no-op */
/* key's body (borrowed: valid until the next change of the store) when it
 * is there and was kept with tag (NULL matches only NULL), else NULL. */
http_bytes *http_store_get(http_store *s, const char *key, const char *tag);
/* Keep b (a reference of the store's own) as key's, with tag (copied, may
 * be NULL), replacing what key held.  An unpinned body bigger than the
 * budget is not kept.  0 or KENES_ENOMEM. */
int http_store_put(http_store *s, const char *key, const char *tag, http_bytes *b, int pinned);
/* Drop every entry whose key starts with prefix. */
void http_store_drop_prefix(http_store *s, const char *prefix);
/* Bytes held: pinned and not. */
size_t http_store_bytes(const http_store *s);
size_t http_store_count(const http_store *s);

#endif
