/*
 * The web interface: HTML pages for people, beside the JSON API and on the
 * same document service, sessions and access rules.  cmd/server.c hands a
 * request here when web_wants() says the path is a page's ("/", "/ui/...",
 * "/static/...", "/public/{id}"); everything else goes to the API.
 */
#ifndef KENES_WEB_H
#define KENES_WEB_H

#include "auth/auth.h"
#include "docs/service.h"
#include "http/http.h"
#include "publish/report.h"
#include "ui/ui.h"

typedef struct web_ctx {
    docs_service *svc;
    publisher *pub;
    auth *auth;
    ui *ui;
    int secure_cookies; /* kenes.yaml's behind_tls: cookies carry Secure */
    /* Pages kept made (public_cache.c), the store the API keeps its own in;
     * NULL: none kept. */
    struct http_store *prepared;
    /* A read replica (cmd/replica.c): the primary's address, which every
     * form that would change something is refused naming (503); NULL on a primary. */
    const char *replica_primary;
} web_ctx;

/* A commit of d (cmd/server.c passes on the document service's hook): a
 * public page kept may show d's public face, or name it, so the public
 * pages kept go when d is a public type's (public_cache.c). */
void web_public_committed(web_ctx *ctx, const idx_doc *d);

/* 1 if the request's path is the interface's. */
int web_wants(const http_request *req);
/* The http_handler for those paths; payload is the web_ctx. */
void web_handle(http_request *req, void *payload);

/* The http_limits.too_big_page for those paths (payload: the web_ctx): a
 * body over its limit on a /ui/ route (an upload far too big) answers an
 * error page in the reader's language, naming the file limit on the upload
 * routes, instead of the API's JSON. */
int web_too_big_page(const http_request *req, util_buf *body, const char **content_type,
                     util_buf *headers, void *payload);

#endif
