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

/* Set out's "due" (RFC 3339, or null) and "overdue" for d (docs.c). */
void docs_put_due(json_t *out, const docs_service *svc, const idx_doc *d);

/* A write of d is made: hand cb r->doc, r->created, r->version and the
 * document as written, once its reading is logged (read.c).  When the log
 * cannot be written, cb still gets code 0, with only what says the change is
 * made. */
void docs_show_written(docs_service *svc, const auth_user *u, idx_doc *d, int created,
                       docs_cb cb, void *payload);

/* One commit of d that keeps its stage (an attach or a detach): newdoc
 * (stolen) and files, the caller's until cb, written together (docs.c). */
void docs_submit_files(docs_service *svc, idx_doc *d, json_t *newdoc, const auth_user *u,
                       const char *action, const char *comment, const store_file *files,
                       size_t nfiles, int flags, docs_cb cb, void *payload);

#endif
