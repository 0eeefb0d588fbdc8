/*
 * The HTTP API (v1): the one entry point cmd/server.c hands to the HTTP
 * server.  Everything else of the API (routes, handlers, replies) is
 * internal to core/api (api/call.h).
 */
#ifndef KENES_API_H
#define KENES_API_H

#include "auth/auth.h"
#include "docs/service.h"
#include "http/bytes.h"
#include "http/http.h"
#include "publish/report.h"

/* What the handlers answer from; cmd/server.c owns it and what it points to. */
typedef struct api_ctx {
    docs_service *svc;
    publisher *pub;
    auth *auth;
    /* Answers prepared once (prepared.c): the report pages of the last
     * publication, documents' JSON per version.  NULL: none kept. */
    http_store *prepared;
    unsigned reports_gen; /* which publication the report pages being made are of */
    /* Each repository's mirrors (storage/mirror.h), for /healthz; NULL: none. */
    struct mirror_set *mirrors[2];
    /* A read replica (cmd/replica.c): the primary's address, which every
     * write's 503 names; NULL on a primary.  replica_json says how far it
     * follows, for /healthz ({"head",...}; *ok 0 once following stopped). */
    const char *replica_primary;
    json_t *(*replica_json)(int *ok, void *payload);
    void *replica_payload;
} api_ctx;

/* The publisher's hook (payload: the api_ctx): the reports changed, so the
 * pages kept of them go, and every page of every language is made again
 * on the thread pool.  Also called once at start. */
void api_prepare_reports(void *payload);

/* The http_handler for the whole server; payload is the api_ctx. */
void api_handle(http_request *req, void *payload);

#endif
