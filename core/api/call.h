/*
 * Inside the API: one request as the router hands it to a handler, the
 * handlers (one per route of routes.c), and the replies.  Errors answer
 * {"error":{"code","message"[,"fields"]}}; a refusal from a service is a
 * KENES_E* code, whose status comes from the one table in reply.c.
 */
#ifndef KENES_API_CALL_H
#define KENES_API_CALL_H

#include <jansson.h>

#include "api/api.h"
#include "docs/docs.h"

typedef struct api_call {
    api_ctx *ctx;
    docs_service *svc;     /* ctx->svc */
    http_request *req;
    const auth_user *user; /* NULL on routes open to anyone */
    const char *token;     /* the bearer token, with user */
    const char *path;      /* the decoded path */
    const char *type;      /* {type} */
    const char *id;        /* {id} */
    const char *commit;    /* {commit} */
    const char *aid;       /* {aid}: an attachment's id */
    idx_doc *doc;          /* {id}'s document, found and readable by user */
} api_call;

/* A call lives on the router's stack: a handler that answers later keeps
 * copies of what it needs, never c itself. */
typedef void (*api_handler)(api_call *c);

/* ---- replies (reply.c) ---- */

/* Everything the API answers may carry personal data: never cache it, never sniff it. */
extern const char api_security_headers[];

/* Answer with a JSON value (the reference is stolen).  extra: "Name: v\r\n" lines or NULL. */
void api_reply_json(http_request *req, int status, json_t *body, const char *extra);
/* Answer with an error of the HTTP layer's own (a bad query, 405, 415...);
 * fields (stolen, may be NULL) lists {"path","message"}. */
void api_reply_error(http_request *req, int status, const char *reason, json_t *fields,
                     const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Answer a KENES_E* code: the status (and, if reason is NULL, the word)
 * from the table; fields borrowed, may be NULL. */
void api_reply_code(http_request *req, int code, const char *reason, const json_t *fields,
                    const char *message);

/*
 * Parse a JSON object body.  Answers the error itself (415 wrong
 * Content-Type, 400 bad JSON or an unknown key) and returns NULL;
 * allowed is a NULL-terminated list of the keys the endpoint takes.
 */
json_t *api_body_object(http_request *req, const char *const *allowed);
/* 1 if req was queued to have its large body parsed on the thread pool
 * first; api_handle sees it again then. */
int api_body_parse_first(api_ctx *ctx, http_request *req);

/* ?name=<RFC 3339> into *out (-1 when absent); 0, or KENES_EINVAL after answering 400. */
int api_time_param(http_request *req, const char *name, int64_t *out);

/* ---- handlers ---- */

/* session.c: POST /api/v1/sessions, DELETE /api/v1/sessions/current, and the small reads */
void api_login(api_call *c);
void api_logout(api_call *c);
void api_healthz(api_call *c);
void api_me(api_call *c);
void api_workflows(api_call *c);
void api_regions(api_call *c);
void api_template(api_call *c);
void api_signing_key(api_call *c);

/* documents.c */
void api_docs_list(api_call *c);
void api_docs_create(api_call *c);
void api_doc_get(api_call *c);
void api_doc_put(api_call *c);
void api_doc_erase(api_call *c);
void api_doc_transition(api_call *c);
void api_doc_history(api_call *c);
void api_doc_version(api_call *c);
void api_doc_diff(api_call *c);
void api_inbox(api_call *c);
/* documents.c: If-Match: "<version>" (or the bare version) into out; NULL when absent. */
const char *if_match_version(char *out, size_t cap, const http_request *req);
/* attachments.c: POST .../attachments, GET and DELETE .../attachments/{aid} */
void api_doc_attach(api_call *c);
void api_doc_attachment(api_call *c);
void api_doc_detach(api_call *c);
/* dossier.c */
void api_doc_dossier(api_call *c);

/* reports.c */
void api_reports(api_call *c);
/* The language (REPORT_*) whose index a /reports/ name is ("kk/", "kk",
 * "en/", "en"), or -1. */
int api_reports_index_lang(const char *name);
void api_reports_generate(api_call *c);

/* reports.c: a report's title for its page (its first heading, else name). */
void api_report_title(char *out, size_t cap, const char *md, const char *name);

/* exports.c: GET /api/v1/exports/{plans,rosters,cases}.{csv,xlsx} */
void api_exports(api_call *c);

/* ---- prepared answers (prepared.c) ---- */

/* 1 after answering req with the page kept under key ("page:national.md",
 * "text:kk/cases.md", "index:en", "bundle"), 0 when none is kept. */
int api_reports_prepared(api_ctx *ctx, http_request *req, const char *key,
                         const char *content_type, const char *headers);
/* GET of c->doc as it stands: 1 after answering (304 for If-None-Match
 * naming its version, or the kept JSON with this answer's tail), 0 when
 * the document service must read it (a confidential one, or none kept). */
int api_doc_prepared(api_call *c);
/* Answer req with answer (docs_read's JSON of id, borrowed) for u: 304 when
 * If-None-Match names its version, else its bytes, kept for the next
 * reader when id is not confidential, and the tail. */
void api_doc_answer(api_ctx *ctx, http_request *req, const auth_user *u, const char *id,
                    const json_t *answer);

/* audit_feed.c, audit_access.c */
void api_audit_feed(api_call *c);
void api_audit_access(api_call *c);
/* GET /api/v1/audit/head: the signed checkpoint as it stands (the heads of
 * both repositories and the access log's position), for an auditor to keep
 * as a witness and pin later (kenes verify --descends-from, --log-at). */
void api_audit_head(api_call *c);

/* routes.c: GET /api/v1/me's "routes", from the one table. */
json_t *api_routes_json(const auth_user *u);

#endif
