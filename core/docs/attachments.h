/*
 * A document version's files (a signed scan of an act, a meeting's signed
 * resolution): added and removed by commits of their own (actions "attach"
 * and "detach", the stage unchanged), listed in the document's top-level
 * "attachments" [{"id","name","type","size","sha256","added","by"}] and
 * stored in the same commit at <id>.files/<attachment id>, sealed with the
 * case's key in the repository of cases.  Who may, in which stages: the
 * workflow's attach: rule; admins as for edits.  Every refusal writes
 * nothing.
 */
#ifndef KENES_ATTACHMENTS_H
#define KENES_ATTACHMENTS_H

#include <stddef.h>

#include "docs/docs.h"

/* At most this many files on one version. */
#define DOCS_MAX_ATTACHMENTS 20

/*
 * Add a file of media_type (Content-Type as sent) named name (UTF-8).
 * cb's r->json: {"attachment":{...},"version"} and r->version, r->doc.
 * Refusals (r->reason; r->fields one {"path","code"} where a field is at fault):
 *   KENES_EFORBIDDEN "forbidden" (the type carries no files, the role or
 *   the region may not, or the stage is not one of attach:'s);
 *   KENES_EPRECONDITION "precondition_required" (no version);
 *   KENES_ECONFLICT "stale";
 *   KENES_EVALIDATION "attachment_name", "attachment_empty", "attachment_count";
 *   KENES_ETOOBIG "attachment_too_big" (more than attachments.max_bytes);
 *   KENES_EVALIDATION "attachment_type", "attachment_mismatch" (a protocol
 *   answers these as an unsupported media type).
 */
void docs_attach(docs_service *svc, const auth_user *u, idx_doc *d, const char *name,
                 const char *media_type, const char *data, size_t len, const char *version, docs_cb cb, void *payload);

/* Remove attachment aid from the next version (the older ones keep it):
 * the same rule and refusals, KENES_ENOTFOUND when the version has none so
 * named.  r->json: {"removed": aid, "version"}. */
void docs_detach(docs_service *svc, const auth_user *u, idx_doc *d, const char *aid,
                 const char *version, docs_cb cb, void *payload);

/* The bytes of attachment aid as version commit had it (NULL: the current
 * version): r->data/r->data_len (opened, checked against its sha256) and
 * r->json its entry; for a confidential type only once the access log holds
 * the read ("attachment").  KENES_ENOTFOUND: no such version or file. */
void docs_attachment_read(docs_service *svc, const auth_user *u, const idx_doc *d,
                          const char *aid, const char *commit, docs_cb cb, void *payload);

/* The entry of aid in doc's "attachments", or NULL. */
const json_t *docs_attachment_find(const json_t *doc, const char *aid);

/* 1 if u may add and remove files of d as it stands (the workflow's attach:
 * rule, role, region and stage), for a page that offers the form. */
int docs_may_attach(const docs_service *svc, const auth_user *u, const idx_doc *d);

#endif
