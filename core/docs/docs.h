/*
 * Document operations, apart from HTTP: create, edit, transition, and the
 * rules that decide them (who, which stage, which version, which
 * repository).  The HTTP handlers in api_docs.c and the demo loader both
 * drive these, so there is one write path.
 *
 * Each operation calls its callback exactly once, on the loop: at once
 * when the request is refused, or after the commit is durable.
 */
#ifndef KENES_DOCS_H
#define KENES_DOCS_H

#include <jansson.h>
#include <stdint.h>

#include "auth/auth.h"
#include "storage/index.h"
#include "cmd/server.h"

typedef struct docs_result {
    int status;          /* 200 or 201 on success; else the HTTP status of the refusal */
    const char *code;    /* "validation", "forbidden", ... (NULL on success) */
    const char *message;
    json_t *fields;      /* [{"path","message"}] for validation, borrowed; or NULL */
    idx_doc *doc;        /* on success */
} docs_result;

typedef void (*docs_cb)(const docs_result *r, void *payload);

/* body: {"type","region","title","body","fields"} (already checked for unknown keys). */
void docs_create(server *srv, const auth_user *u, const json_t *body, docs_cb cb, void *payload);
/* body: {"title","body","fields"}; keys left out keep their value. */
void docs_edit(server *srv, const auth_user *u, idx_doc *d, const json_t *body,
               const char *if_match, docs_cb cb, void *payload);
/* comment may be NULL. */
void docs_transition(server *srv, const auth_user *u, idx_doc *d, const char *action,
                     const char *comment, const char *if_match, docs_cb cb, void *payload);

/* Erase a case by destroying its key (admins only, confidential documents
 * only, with a reason): a tombstone commit records it, every version then
 * answers 410 and the history stays. */
void docs_erase(server *srv, const auth_user *u, idx_doc *d, const char *reason,
                const char *if_match, docs_cb cb, void *payload);
/* 1 if the document's key was destroyed. */
int docs_erased(const server *srv, const idx_doc *d);

/* The repository a type's documents live in (REPO_DOCUMENTS or REPO_CASES). */
int docs_repo_of_type(const server *srv, const char *type);
store *docs_store(server *srv, const idx_doc *d);

/* 1 if the user may read the document (the workflow's read: rules; admins always). */
int docs_may_read(const server *srv, const auth_user *u, const idx_doc *d);
/* 1 if the type's documents are confidential (lists show only a summary). */
int docs_confidential(const server *srv, const idx_doc *d);

/* When the document is due in its current stage: *due_ms, or -1 when no deadline applies. */
void docs_due(const server *srv, const idx_doc *d, int64_t *due_ms);

/* The answer for one document: its JSON plus version, due, overdue (new reference). */
json_t *docs_answer(const server *srv, const idx_doc *d, const json_t *doc, const char *version);
/* The list entry: id, type, region, stage, version, due, overdue, and the
 * title, or for a confidential type only what its plugin's summary adds. */
json_t *docs_list_entry(const server *srv, const idx_doc *d);

#endif
