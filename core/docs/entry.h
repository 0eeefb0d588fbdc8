/*
 * What the index keeps of a document once its JSON may leave memory
 * (issue 16, item 4): the few things requests over many documents need
 * (lists, inbox, deadlines, rights, referrers, reports), computed when the
 * JSON is at hand — at commit and at the start-up load — and nothing else.
 */
#ifndef KENES_DOCS_ENTRY_H
#define KENES_DOCS_ENTRY_H

#include <jansson.h>

#include "docs/docs.h"

/* 1 if d's JSON stays in memory for good (its workflow says `resident:
 * true`: the few documents plugins walk in full), 0 if it is read on demand
 * through the bounded cache (docs/fetch.c). */
int docs_resident(const docs_service *svc, const idx_doc *d);

/* Compute from doc (d's current JSON) what the index keeps of d, replacing
 * what it kept before.  Called on the loop after each commit and for each
 * document the start-up load reads; doc stays the caller's. */
int docs_entry_keep(docs_service *svc, idx_doc *d, const json_t *doc);

#endif
