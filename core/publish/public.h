/*
 * The public page of a document, GET /public/{id}: which documents are
 * public, and what the server says of one apart from its text.  Public is
 * a document in a stage its workflow calls public (public: true), of a
 * type that is not confidential, in documents.git; nothing else.  The
 * record is in the words the workflow gives (its labels, its record:
 * fields), in Russian: the public pages' language.
 */
#ifndef KENES_PUBLIC_H
#define KENES_PUBLIC_H

#include <stddef.h>

#include "docs/service.h"

typedef struct public_page {
    const char *title; /* the document's title, or its id; borrowed from the index */
    const char *body;  /* its Markdown ("" for none); borrowed from the index */
    char *record;      /* render_record_html()'s HTML; malloc'd */
    size_t record_len;
} public_page;

/* The page of document id, valid until the index changes (the loop's next
 * turn).  0; KENES_ENOTFOUND when no public document has this id;
 * KENES_ENOMEM, KENES_EINVAL (a record that is not UTF-8). */
int public_page_of(public_page *out, const docs_service *svc, const char *id);
void public_page_dispose(public_page *p);

/* How many workflows of a type that is not confidential call a stage
 * public: with none, nothing is ever published on /public or in the
 * reports' approved lists (a workflows folder from before public: true). */
size_t public_workflow_count(const docs_service *svc);

#endif
