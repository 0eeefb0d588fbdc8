/*
 * The document service: what the loop thread holds to answer for
 * documents, whoever asks (the HTTP API, the demo loader).  cmd/server.c
 * fills it at start-up and owns what it points to; docs_*() read and
 * change documents through it and know nothing of HTTP.
 *
 * A committed change is told to on_commit, so that publishing (a layer
 * above) can react without docs calling up into it.
 */
#ifndef KENES_DOCS_SERVICE_H
#define KENES_DOCS_SERVICE_H

#include <jansson.h>
#include <uv.h>

#include "audit/accesslog.h"
#include "base/config.h"
#include "docs/workflow.h"
#include "plugin/loader.h"
#include "storage/docpath.h"
#include "storage/index.h"
#include "storage/store.h"
#include "storage/vault.h"

struct anchor;

enum { REPO_DOCUMENTS = 0, REPO_CASES = 1 };

/* After a commit of d is durable and in the index.  publishes: the change
 * alters what the reports say (an approval that moved the stage). */
typedef void (*docs_commit_hook)(const idx_doc *d, int publishes, void *payload);

typedef struct docs_service {
    uv_loop_t *loop;
    const config *cfg;
    plugin_set *plugins;
    wf_set *workflows;
    store *repos[2]; /* REPO_DOCUMENTS: DATA/documents.git; REPO_CASES: DATA/cases.git */
    docpath_layout layout[2]; /* where each keeps documents' files (docpath.h) */
    doc_index *index;
    json_t *templates;     /* {type: {lang: markdown}} from content/templates */
    access_log *alog;      /* DATA/access.log: every read of a confidential document */
    struct anchor *anchor; /* DATA/access.log.checkpoint, signed (anchor.h) */
    vault *vault;          /* DATA/keys: the keys of the case files in cases.git */
    struct docs_cache *cache; /* documents' JSON read on demand (fetch.h); NULL: kept for good */
    struct docs_snaps *snaps; /* the index's start-up snapshots (snap.h); NULL: none */
    docs_commit_hook on_commit; /* may be NULL */
    void *on_commit_payload;
    /* A read replica without the case keys (cmd/replica.c): the ids
     * cases.git holds, each answered 503 instead of 404.  NULL elsewhere. */
    struct map *cases_withheld;
} docs_service;

#endif
