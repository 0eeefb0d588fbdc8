/*
 * What the index keeps of a document once its JSON may leave memory
 * (issue 16, item 4): the few things requests over many documents need
 * (lists, inbox, deadlines, rights, referrers, reports), computed when the
 * JSON is at hand — at commit and at the start-up load — and nothing else.
 *
 * Every walk over many documents reads a non-resident document through the
 * functions below, never through idx_doc.doc: its JSON may be gone.
 */
#ifndef KENES_DOCS_ENTRY_H
#define KENES_DOCS_ENTRY_H

#include <jansson.h>

#include "base/util.h"

#include "docs/docs.h"
#include "docs/rights.h"

/* 1 if d stays in memory for good, as its text parsed on use (its
 * workflow says `resident: true`: the few documents plugins walk in full;
 * resident.h), 0 if it is read on demand from git (docs/fetch.c). */
int docs_resident(const docs_service *svc, const idx_doc *d);

/* Compute from doc (d's current JSON) what the index keeps of d, replacing
 * what it kept before (and d's pairs in the reverse map of refs).  Called
 * on the loop after each commit and for each document the start-up load
 * reads; doc stays the caller's.  0 or KENES_ENOMEM. */
int docs_entry_keep(docs_service *svc, idx_doc *d, const json_t *doc);

/* d's type, region and stage (today's name), title (NULL for a
 * confidential type), from its entry, or from its JSON while no entry is
 * kept (an index another command built). */
const char *docs_type(const idx_doc *d);
const char *docs_region(const idx_doc *d);
const char *docs_stage(const idx_doc *d);
const char *docs_title(const idx_doc *d);

/* What the rights read of d (rights.h). */
void docs_access_view(access_view *v, const idx_doc *d);

/* The keys d's plugin summary adds to its list entry (a confidential
 * type's), added to e where e has none of them yet. */
void docs_entry_listed(json_t *e, const idx_doc *d);

/* What a plugin or a report is shown of a non-resident document: a new
 * {"id","type","region","stage","title","fields","body"} whose fields are
 * only those its type's index_fields names (kenes/plugin.h). */
json_t *docs_entry_view(const idx_doc *d);

/* Each (target, path) pair of d's ref fields: p starts at d->entry.refs;
 * returns the pair after it, or NULL at the end. */
const char *docs_entry_ref(const char *p, const char **target, const char **path);

/* d's entry as bytes, appended to out (the start-up snapshot keeps them):
 * 0, KENES_EINVAL when d has no entry, KENES_ENOMEM. */
int docs_entry_pack(util_buf *out, const idx_doc *d);
/* d's entry from bytes docs_entry_pack wrote (its due time computed
 * again, its refs mapped): 0, KENES_EINVAL when they are not such bytes,
 * KENES_ENOMEM. */
int docs_entry_unpack(docs_service *svc, idx_doc *d, const char *bytes, size_t len);

/* ---- the test knob KENES_TEST_DROP=1 (README, "Tests") ---- */

/* 1 if KENES_TEST_DROP=1: the cache (fetch.h) keeps no document beyond
 * the last one put in and those pinned, a resident one's tree (parsed from
 * its text, resident.h) too, so that the tests show which paths still read
 * d->doc without asking for it (docs_fetch, docs_fetch_now). */
int docs_test_drop(void);
/* Under the knob: forget d's JSON when it can be had again (its entry is
 * kept, and it is read on demand or, resident, kept as text). */
void docs_entry_drop(const docs_service *svc, idx_doc *d);

#endif
