/*
 * The document service's own: what its files share and no caller sees.
 */
#ifndef KENES_DOCS_INTERNAL_H
#define KENES_DOCS_INTERNAL_H

#include <jansson.h>

#include "docs/docs.h"
#include "storage/store.h"

/* A string member of a document (or of any JSON object), or NULL. */
static inline const char *doc_str(const json_t *doc, const char *key)
{
    return json_string_value(json_object_get(doc, key));
}

/* *start: when a deadline of stage st that counts from a date field
 * (deadline_from) starts for fields, as midnight UTC of that date; -1 when
 * the field holds no date.  0. */
int docs_due_from(int64_t *start, const json_t *fields, const wf_stage *st);

/* Set out's "due" (RFC 3339, or null) and "overdue" for d (docs.c). */
void docs_put_due(json_t *out, const docs_service *svc, const idx_doc *d);

/* A write of d is made: hand cb r->doc, r->created, r->version and the
 * document as written, once its reading is logged (read.c).  When the log
 * cannot be written, cb still gets code 0, with only what says the change is
 * made. */
void docs_show_written(docs_service *svc, const auth_user *u, idx_doc *d, int created,
                       docs_cb cb, void *payload);

/* ---- the write path, docs.c's, shared with transition.c ---- */

/* What a commit records beyond the document itself. */
typedef struct docs_change {
    const char *action;
    const char *from; /* NULL for create and edit */
    const char *to;
    const char *comment;
    const char *approval; /* "1/2" */
    const char *content;  /* blob id approved */
    int created;
    int erase; /* destroy the case's key and store a tombstone in the clear */
    const store_file *files; /* further files (attachments.c, clears_files): paths
                                copied, content (NULL: removed) the caller's until cb */
    size_t nfiles;
} docs_change;

/* Answer cb with a refusal: code (KENES_E*), the reason word callers show,
 * fields (stolen; may be NULL), and a message for people. */
void docs_refuse(docs_cb cb, void *payload, int code, const char *reason, json_t *fields,
                 const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* A problem as a validation answer lists it: where, which rule (a code
 * content/ui/strings/validation.yaml words for people), and in English;
 * docs_one_field: a list of that one. */
json_t *docs_problem(const char *path, const char *code, const char *message);
json_t *docs_one_field(const char *path, const char *code, const char *message);
/* 0 if version names d's latest version (and no write of it is on its
 * way); else refused through cb. */
int docs_check_version(const idx_doc *d, const char *version, docs_cb cb, void *payload);
/* The type's validator on doc: 0 if good, else refused through cb (KENES_EVALIDATION). */
int docs_validate(const kenes_doctype *t, const json_t *doc, docs_cb cb, void *payload);
/* Queue one commit for d (newdoc is stolen); cb when it is durable or failed. */
void docs_submit_write(docs_service *svc, idx_doc *d, json_t *newdoc, const auth_user *u,
                       const docs_change *ch, const char *noun, int flags, docs_cb cb,
                       void *payload);

/* ---- the operations once d's JSON is at hand (fetch_ops.c fetches
 * first and calls these; the public docs_* are those wrappers) ---- */

/* A write's: 0 (answered through cb, or queued), or KENES_EBUSY when a
 * plugin asked for a document not in memory (docs_fetch_note_miss): nothing
 * is answered then, and the write is judged again once it is read. */
int docs_create_now(docs_service *svc, const auth_user *u, const json_t *body, int flags,
                    docs_cb cb, void *payload);
int docs_edit_now(docs_service *svc, const auth_user *u, idx_doc *d, const json_t *body,
                  const char *version, int flags, docs_cb cb, void *payload);
int docs_transition_fields_now(docs_service *svc, const auth_user *u, idx_doc *d,
                               const char *action, const char *comment, const json_t *fields,
                               const char *version, int flags, docs_cb cb, void *payload);
void docs_erase_now(docs_service *svc, const auth_user *u, idx_doc *d, const char *reason,
                    const char *version, int flags, docs_cb cb, void *payload);
void docs_read_now(docs_service *svc, const auth_user *u, const idx_doc *d, docs_cb cb,
                   void *payload);
void docs_read_at_now(docs_service *svc, const auth_user *u, const idx_doc *d, int64_t at_ms,
                      docs_cb cb, void *payload);
void docs_export_now(docs_service *svc, const auth_user *u, const idx_doc *d,
                     const docs_packer *pk, docs_cb cb, void *payload);
void docs_attach_now(docs_service *svc, const auth_user *u, idx_doc *d, const char *name,
                     const char *media_type, const char *data, size_t len, const char *version,
                     docs_cb cb, void *payload);
void docs_detach_now(docs_service *svc, const auth_user *u, idx_doc *d, const char *aid,
                     const char *version, docs_cb cb, void *payload);
void docs_attachment_read_now(docs_service *svc, const auth_user *u, const idx_doc *d,
                              const char *aid, const char *commit, docs_cb cb, void *payload);

/* ---- a sealed document's key file, read on the thread pool (keys.c) ---- */

/* 1 and out (cap bytes) the key file a pool job reading d should read too:
 * d is sealed and has a key (listed, to be unwrapped from those bytes, or
 * in memory, whose file must still be there); else 0. */
int docs_key_read_path(char *out, size_t cap, const docs_service *svc, const idx_doc *d);
/* On the loop, with what a pool job read of id's key file (status 0 and
 * bytes, or KENES_ENOTFOUND or another code): a listed key unwrapped; a file
 * that cannot be read, or was removed while the key was in memory, makes
 * the case unavailable (logged once).  0, KENES_EUNAVAILABLE, KENES_ENOMEM. */
int docs_key_settle(docs_service *svc, const char *id, int status, const char *bytes,
                    size_t len);
/* d at hand but its key only listed: 1 and its file read on the pool, then
 * again(args), or fail(code, args); 0 when there is nothing to read. */
int docs_key_first(docs_service *svc, const idx_doc *d, void (*again)(void *args),
                   void (*fail)(int code, void *args), void *args);

#endif
