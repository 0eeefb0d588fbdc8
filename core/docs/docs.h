/*
 * The document service's operations, apart from HTTP: create, edit,
 * transition, erase, and the reads (the document, its history, a past
 * version, a diff), with the rules that decide them (who, which stage,
 * which version, which repository).  The API and the demo loader both drive
 * these, so there is one write path and one read path.
 *
 * Each operation calls its callback exactly once, on the loop: at once
 * when the request is refused, or after the commit (or, for a confidential
 * document, the access log's line of the read) is durable.  A refusal is a
 * KENES_E* code with a reason word ("stale", "wrong_stage", ...) the caller
 * may show; what status or exit code it becomes is the caller's business.
 */
#ifndef KENES_DOCS_H
#define KENES_DOCS_H

#include <jansson.h>
#include <stdint.h>

#include "auth/auth.h"
#include "docs/rights.h"
#include "docs/service.h"
#include "storage/index.h"

typedef struct docs_result {
    int code;            /* 0, or the KENES_E* code of the refusal */
    const char *reason;  /* "validation", "forbidden", "stale", ... (NULL on success) */
    const char *message; /* for people (NULL on success) */
    json_t *fields;      /* [{"path","message"}] for validation, borrowed; or NULL */
    idx_doc *doc;        /* a write's document on success */
    int created;         /* 1 when doc is new */
    json_t *json;        /* a read's answer on success, borrowed */
} docs_result;

typedef void (*docs_cb)(const docs_result *r, void *payload);

/* ---- writes ---- */

/* body: {"type","region","title","body","fields"} (already checked for unknown keys). */
void docs_create(docs_service *svc, const auth_user *u, const json_t *body, docs_cb cb,
                 void *payload);
/* body: {"title","body","fields"}; keys left out keep their value. */
void docs_edit(docs_service *svc, const auth_user *u, idx_doc *d, const json_t *body,
               const char *if_match, docs_cb cb, void *payload);
/* comment may be NULL. */
void docs_transition(docs_service *svc, const auth_user *u, idx_doc *d, const char *action,
                     const char *comment, const char *if_match, docs_cb cb, void *payload);
/* Erase a case by destroying its key (admins only, confidential documents
 * only, with a reason): a tombstone commit records it, every version then
 * is KENES_EGONE and the history stays. */
void docs_erase(docs_service *svc, const auth_user *u, idx_doc *d, const char *reason,
                const char *if_match, docs_cb cb, void *payload);

/* ---- reads (read.c) ---- */

/*
 * The document u asks for: 0 and *out, or KENES_ENOTFOUND, KENES_EFORBIDDEN
 * (u may not read it), KENES_EGONE (an erased case; unless history_only:
 * its history stays readable), with *why filled as a refusal.
 */
int docs_find(idx_doc **out, docs_result *why, docs_service *svc, const auth_user *u,
              const char *id, int history_only);

/*
 * Record that u read d (what: "read", "history", "version", "diff",
 * "dossier") before anything of it is shown: for a confidential type, cb
 * runs once the access log's line is durable (code 0) or cannot be written
 * (KENES_EIO: show nothing); for any other type, cb(0) at once.  Every read
 * below goes through here; the dossier's download calls it itself.
 */
typedef void (*docs_logged_cb)(int code, void *payload);
void docs_log_read(docs_service *svc, const auth_user *u, const idx_doc *d, const char *what,
                   docs_logged_cb cb, void *payload);

/* The document as it stands (r->json: docs_answer's). */
void docs_read(docs_service *svc, const auth_user *u, const idx_doc *d, docs_cb cb,
               void *payload);
/* Its history, newest first: {"id","versions":[...]}. */
void docs_history(docs_service *svc, const auth_user *u, const idx_doc *d, docs_cb cb,
                  void *payload);
/* The history's JSON itself (new reference), for the dossier. */
json_t *docs_history_json(docs_service *svc, const idx_doc *d);
/* The version at commit (read from git on the thread pool). */
void docs_read_version(docs_service *svc, const auth_user *u, const idx_doc *d,
                       const char *commit, docs_cb cb, void *payload);
/* The diff between two versions (either may be NULL: to, the latest; from,
 * the version before to).  KENES_ENOTFOUND when one is not d's version. */
void docs_diff(docs_service *svc, const auth_user *u, const idx_doc *d, const char *from,
               const char *to, docs_cb cb, void *payload);
/* The version d had at at_ms, or NULL (it did not exist yet). */
const idx_version *docs_version_at(const idx_doc *d, int64_t at_ms);
/* The version of d at commit, or NULL. */
const idx_version *docs_find_version(const idx_doc *d, const char *commit);

/* ---- rules and views ---- */

/* 1 if the document's key was destroyed. */
int docs_erased(const docs_service *svc, const idx_doc *d);

/* The repository a type's documents live in (REPO_DOCUMENTS or REPO_CASES). */
int docs_repo_of_type(const docs_service *svc, const char *type);
store *docs_store(docs_service *svc, const idx_doc *d);

/* 1 if the user may read the document (the workflow's read: rules; admins always). */
int docs_may_read(const docs_service *svc, const auth_user *u, const idx_doc *d);
/* 1 if u meets rule (rights.h) for d, as the workflow of d's type says. */
int docs_allowed(const docs_service *svc, const auth_user *u, const idx_doc *d,
                 access_rule rule);
/* 1 if the type's documents are confidential (lists show only a summary). */
int docs_confidential(const docs_service *svc, const idx_doc *d);

/* When the document is due in its current stage: *due_ms, or -1 when no deadline applies. */
void docs_due(const docs_service *svc, const idx_doc *d, int64_t *due_ms);

/* The answer for one document: its JSON plus version, due, overdue (new reference). */
json_t *docs_answer(const docs_service *svc, const idx_doc *d, const json_t *doc,
                    const char *version);
/* The list entry: id, type, region, stage, version, due, overdue, and the
 * title, or for a confidential type only what its plugin's summary adds. */
json_t *docs_list_entry(const docs_service *svc, const idx_doc *d);

#endif
