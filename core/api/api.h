/*
 * The HTTP API (v1): routing, authentication, JSON in and out, errors.
 * Errors answer {"error":{"code","message"[,"fields"]}} with the fitting status.
 */
#ifndef KENES_API_H
#define KENES_API_H

#include <jansson.h>

#include "auth/auth.h"
#include "http/http.h"
#include "cmd/server.h"

/* The http_handler for the whole server; payload is the server. */
void api_handle(http_request *req, void *payload);

/* Answer with a JSON value (the reference is stolen).  extra: "Name: v\r\n" lines or NULL. */
void api_reply_json(http_request *req, int status, json_t *body, const char *extra);
/* Answer with an error; fields (stolen, may be NULL) lists {"path","message"}. */
void api_reply_error(http_request *req, int status, const char *code, json_t *fields,
                     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/*
 * Parse a JSON object body.  Answers the error itself (415 wrong
 * Content-Type, 400 bad JSON or an unknown key) and returns NULL;
 * allowed is a NULL-terminated list of the keys the endpoint takes.
 */
json_t *api_body_object(http_request *req, const char *const *allowed);

/* Value of a query parameter, percent-decoded into out.  1 found, 0 absent, -1 malformed. */
int api_query(const http_request *req, const char *name, char *out, size_t cap);

/* ---- publishing (api_reports.c) ---- */
void api_reports(server *srv, http_request *req, const char *path);
void api_public(server *srv, http_request *req, const char *id);
void api_reports_generate(server *srv, http_request *req);
/* The cache of rendered pages (srv->pages).  0 or KENES_ENOMEM. */
int api_pages_new(server *srv);
void api_pages_free(server *srv);
/* GET /api/v1/inbox (api_docs.c) */
void api_inbox(server *srv, http_request *req, const auth_user *user);

/* ---- the audit feed (api_feed.c) ---- */
void api_audit_feed(server *srv, http_request *req);

/* ---- the access log (api_audit.c) ---- */
void api_audit_access(server *srv, http_request *req);
/* GET /api/v1/audit/head: the signed checkpoint as it stands (the heads of
 * both repositories and the access log's position), for an auditor to keep
 * as a witness and pin later (kenes verify --descends-from, --log-at). */
void api_audit_head(server *srv, http_request *req);

/* ---- dossiers (api_dossier.c); history is the history answer (stolen) ---- */
void api_docs_dossier(server *srv, http_request *req, const auth_user *user, const idx_doc *d,
                      json_t *history);

/* ---- documents (api_docs.c) ---- */
void api_docs_list(server *srv, http_request *req, const auth_user *user);
void api_docs_create(server *srv, http_request *req, const auth_user *user);
/* sub: NULL, "transitions", "history", "versions", "diff"; arg: the commit for versions. */
void api_docs_one(server *srv, http_request *req, const auth_user *user, const char *id,
                  const char *sub, const char *arg);

#endif
