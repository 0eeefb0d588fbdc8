/*
 * Which documents are public: a document in a stage its workflow calls
 * public (public: true), of a type that is not confidential, in
 * documents.git; nothing else.  The web interface's /public/{id} page,
 * its landing page's list and the reports' approved lists all ask here.
 */
#ifndef KENES_PUBLIC_H
#define KENES_PUBLIC_H

#include <stddef.h>

#include "docs/service.h"

/* The workflow of d when d is public now, else NULL (d may be NULL). */
const wf_workflow *public_workflow_of(const docs_service *svc, const idx_doc *d);

/* How many workflows of a type that is not confidential call a stage
 * public: with none, nothing is ever published on /public or in the
 * reports' approved lists (a workflows folder from before public: true). */
size_t public_workflow_count(const docs_service *svc);

#endif
