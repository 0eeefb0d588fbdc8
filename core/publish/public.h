/*
 * Which documents are public: a document in a stage its workflow calls
 * public (public: true), of a type that is not confidential, in
 * documents.git, or one amended since (then its version in force); nothing
 * else.  The web interface's /public/{id} page,
 * its landing page's list and the reports' approved lists all ask here.
 */
#ifndef KENES_PUBLIC_H
#define KENES_PUBLIC_H

#include <stddef.h>

#include "docs/service.h"

/* What the public sees of d: its public face (docs_public_face: the version
 * in force, also while an amendment of it is drafted), with *wf its
 * workflow and *version (may be NULL) its commit; NULL when d is not
 * public (d may be NULL).  Borrowed from the index. */
const json_t *public_face_of(const docs_service *svc, const idx_doc *d, const wf_workflow **wf,
                             const char **version);
/* What a list of public documents names of d's public face, without
 * parsing it: from d's index entry (docs/entry.h) when its current version
 * is the face, else from the version in force the index keeps.  The
 * strings are borrowed from the index. */
typedef struct public_names {
    const wf_workflow *wf;
    const char *title, *type, *region, *stage;
} public_names;
/* 0 and out, or KENES_ENOTFOUND when d is not public (public_face_of's
 * cases; d may be NULL). */
int public_names_of(public_names *out, const docs_service *svc, const idx_doc *d);

/* The workflow of d when d has a public face, else NULL (d may be NULL). */
const wf_workflow *public_workflow_of(const docs_service *svc, const idx_doc *d);

/* How many workflows of a type that is not confidential call a stage
 * public: with none, nothing is ever published on /public or in the
 * reports' approved lists (a workflows folder from before public: true). */
size_t public_workflow_count(const docs_service *svc);

#endif
