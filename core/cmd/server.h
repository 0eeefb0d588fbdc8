/*
 * The running server: it owns every layer's state and wires them.  Start-up
 * loads the regions, plugins and workflows (any fault stops it with
 * file:line), opens the repositories, rebuilds the in-memory index from
 * git, then listens.  SIGINT/SIGTERM stop it gracefully: no new
 * connections, requests in flight (and their commits) finish and are
 * answered, then the loop ends.
 *
 * The document service (docs/service.h) tells the publisher of each commit
 * through its commit hook; the API (api/api.h) and the web pages
 * (web/web.h) answer from the service, the publisher and auth.  The loop thread owns all of it.
 */
#ifndef KENES_SERVER_H
#define KENES_SERVER_H

#include <uv.h>

#include "api/api.h"
#include "auth/auth.h"
#include "base/config.h"
#include "docs/datadir.h"
#include "docs/service.h"
#include "http/http.h"
#include "publish/report.h"
#include "web/web.h"

typedef struct server {
    docs_service svc;
    publisher pub;
    api_ctx api;
    web_ctx web;
    auth *auth;
    http_server *http;
    struct replica *replica; /* serve --replica: the follower (cmd/replica.h); NULL otherwise */
    struct notifier *notify; /* webhooks and e-mail (notify/notify.h); NULL: none configured */
    uv_signal_t sig_int;
    uv_signal_t sig_term;
    int stopping;
} server;

/* Load everything and serve until a signal.  Returns the process exit code
 * (0 after a clean stop, 1 on a start-up or runtime fault, with one line on stderr). */
int server_run(const config *cfg, int demo);

#endif
