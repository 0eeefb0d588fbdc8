/*
 * The index's start-up snapshot, per repository (DATA/index/<repo>.snap,
 * storage/snapshot.h's file): each document's entry (docs/entry.h) and the
 * version it was computed from.  A start restores the entry of every
 * document whose head is still that version and reads only the others
 * (and the JSON of resident types), so that a start does not grow with
 * the number of documents read (issue 16, item 4).
 *
 * The snapshot is written on the thread pool once the start-up load had to
 * read documents, every `index.snapshot_every` commits of a repository,
 * and at a clean stop.  It is derived data, like the journal: one that is
 * missing, damaged, sealed with another master key or computed by another
 * build or other workflows and plugins (the digest) is not used, and the
 * documents are read; a failure to write one is logged and costs the next
 * start its reads, nothing else.
 */
#ifndef KENES_DOCS_SNAP_H
#define KENES_DOCS_SNAP_H

#include <stddef.h>

#include "docs/docs.h"

typedef struct docs_snaps docs_snaps;

/* For svc's repositories, under data_dir/index; the digest is taken from
 * the running binary, cfg's workflows and plugins folders and orders.yaml,
 * the keys derived from svc's vault (open already).  0, or KENES_ENOMEM. */
int docs_snaps_new(docs_snaps **out, docs_service *svc, const char *data_dir,
                   const config *cfg);
void docs_snaps_free(docs_snaps *s); /* NULL is a no-op */

/* The start-up load's restore hook (datadir.h): repo's entries from its
 * snapshot, for each document whose head is the version recorded and that
 * needs no read for another reason (a sealed case without its key file is
 * read, so that the load says so).  Logs what it did.  0, KENES_ENOMEM. */
int docs_snaps_restore(doc_index *ix, int repo, void *snaps);

/* The start-up load's other hooks: a resident document needs its JSON
 * even with its entry restored; each document read gets its entry kept and,
 * unless resident, its JSON dropped at once (read on demand from then on). */
int docs_snaps_needs_json(const idx_doc *d, void *snaps);
int docs_snaps_keep(idx_doc *d, void *snaps);

/* After repo's load: read documents were read (datadir_rebuild_index):
 * logs the count, and writes repo's snapshot on the pool if any document
 * that is not resident had to be read. */
void docs_snaps_loaded(docs_snaps *s, int repo, size_t read);

/* A commit of repo landed (docs.c): every index.snapshot_every of them
 * (or a tenth of the documents, when that is more), a new snapshot is
 * written on the pool. */
void docs_snaps_committed(docs_snaps *s, int repo);

/* Write every repository's snapshot now, on the calling thread (a clean
 * stop, after the loop ended).  0, or the first failure (logged). */
int docs_snaps_save_now(docs_snaps *s);

/* Remove repo's snapshot in data_dir (kenes reindex): 0 when none is left. */
int docs_snaps_remove(const char *data_dir, int repo);

#endif
