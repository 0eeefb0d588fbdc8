/*
 * What a commit of a document changes in the service, once it is in main:
 * the writer's (docs.c, write_done) and a read replica's, which takes the
 * primary's commits as they arrive (cmd/replica.c).  One place, so that a
 * replica's index is the one the writer would have.
 */
#include <string.h>

#include "base/log.h"
#include "docs/docs.h"
#include "docs/entry.h"
#include "docs/fetch.h"
#include "docs/snap.h"

void docs_committed(docs_service *svc, idx_doc *d, const idx_version *v, json_t *newdoc,
                    size_t len)
{
    docs_public_face_keep(svc, d, newdoc); /* before the head moves on */
    if (index_record(svc->index, d, v) < 0)
        log_error("index", "%s: its version %.12s could not be recorded (out of memory)", d->id,
                  v->commit);
    if (docs_entry_keep(svc, d, newdoc) < 0)
        log_error("index", "%s: its index entry could not be kept (out of memory)", d->id);
    docs_snaps_committed(svc->snaps, d->repo);
    /* Resident, or cached as the version just written (fetch.h). */
    docs_fetch_keep(svc, d, newdoc, len);
    /* An approval changes what the reports say (the workflow says which
     * actions do: publishes: true); whoever publishes them listens (docs
     * never calls up into publish). */
    const wf_workflow *wf = wf_set_find(svc->workflows, docs_type(d));
    int publishes = v->from && strcmp(v->from, v->to) != 0 &&
                    wf_action_publishes(wf, v->action, v->from);
    if (svc->on_commit)
        svc->on_commit(d, publishes, svc->on_commit_payload);
}
