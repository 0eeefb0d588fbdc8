/*
 * A resident document's text (issue 16, item 4): the few documents plugins
 * walk in full (plans, rosters, execution reports, meetings: their workflow
 * says `resident: true`) stay in memory for good, but as the compact JSON
 * text the start-up snapshot keeps, not as a parsed tree (several times its
 * bytes).  They are parsed on use into the bounded cache (fetch.h,
 * docs_fetch_now), like a document read on demand but without a read.
 *
 * A meeting lives in cases.git: its text is kept sealed with its case's
 * key, as git and the snapshot keep it, so that the only clear copy is the
 * parsed tree while it is cached (bounded, least recently used first out),
 * and an erasure (the key destroyed, the text dropped) leaves nothing of
 * it readable.
 */
#ifndef KENES_DOCS_RESIDENT_H
#define KENES_DOCS_RESIDENT_H

#include <jansson.h>
#include <stddef.h>

#include "docs/docs.h"

/* Keep doc (d's current JSON; the caller's) as d's text, replacing the
 * text d had: 0; KENES_ENOTFOUND or KENES_EUNAVAILABLE when d is a case
 * whose key cannot seal it (erased: the caller keeps the JSON itself, as
 * before the text); KENES_ENOMEM. */
int docs_resident_keep(docs_service *svc, idx_doc *d, const json_t *doc);

/* At start: the bytes the snapshot kept for d (what docs_resident_keep
 * made, at d's current version) become d's text as they are; a sealed
 * text's key is unwrapped now (start-up may read the key file; the loop
 * later must not).  0 when taken; 1 when not (a case's bytes in the clear,
 * a key that cannot be used: the load reads the file and says so);
 * KENES_ENOMEM. */
int docs_resident_take(docs_service *svc, idx_doc *d, const char *bytes, size_t len);

#endif
