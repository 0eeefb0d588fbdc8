/*
 * A document's public face: what the public page, the anonymous lists, the
 * reports and plugins (api->doc_each_public) take for it.  It is the latest
 * version in a stage the workflow marks public, so a plan in force stays
 * public, and counts, while an amendment of it goes through the chain.
 *
 * The index holds the current version's JSON; when a commit leaves a
 * public stage (amend: in-force -> draft) the version it leaves is kept
 * beside it (idx_doc.public_doc) until a commit enters a public stage
 * again (the amendment's agreement).  At start-up datadir.c reads that
 * version from git for the documents that need it.
 *
 * Editions number what the public saw: edition 0 is the text as first
 * drawn up and brought into force; each commit that leaves a public stage
 * opens the next one (the amendment), which runs up to and including the
 * commit that brings it into force.
 */
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "docs/docs.h"
#include "docs/entry.h"
#include "docs/fetch.h"
#include "docs/internal.h"

int docs_wf_stage_public(const wf_workflow *wf, const char *stage)
{
    return wf && stage && wf_stage_public(wf, wf_stage_now(wf, stage));
}

const json_t *docs_public_face(const docs_service *svc, const idx_doc *d, const char **version)
{
    if (version)
        *version = NULL;
    if (!d || !d->version[0] || docs_erased(svc, d))
        return NULL;
    const wf_workflow *wf = wf_set_find(svc->workflows, docs_type(d));
    if (!wf)
        return NULL;
    if (docs_wf_stage_public(wf, docs_stage(d))) {
        /* A resident document parsed from its text (fetch.h); another one
         * only when it is in memory (its page fetched it first). */
        const json_t *doc = docs_fetch_now(svc, d);
        if (version && doc)
            *version = d->version;
        return doc;
    }
    if (!d->public_doc || !d->public_version[0])
        return NULL;
    if (version)
        *version = d->public_version;
    return d->public_doc;
}

void docs_public_face_keep(const docs_service *svc, idx_doc *d, const json_t *newdoc)
{
    const wf_workflow *wf = wf_set_find(svc->workflows, doc_str(newdoc, "type"));
    if (!wf)
        return;
    if (docs_wf_stage_public(wf, doc_str(newdoc, "stage"))) {
        index_set_public(d, NULL, NULL); /* the new version is the face itself */
        return;
    }
    /* Leaving a public stage: the version left stays the face. */
    const json_t *left = d->version[0] ? docs_fetch_now(svc, d) : NULL; /* resident: its text */
    if (left && docs_wf_stage_public(wf, doc_str(left, "stage")))
        index_set_public(d, json_incref((json_t *)left), d->version);
}

/* 1 if version v of a document of workflow wf entered a public stage
 * (from one that is not), 2 if it left one for a stage that is not, else 0. */
static int crossing(const wf_workflow *wf, const idx_version *v)
{
    int to = docs_wf_stage_public(wf, v->to);
    /* No from: a create, or a commit that stays in its stage (an edit, a file attached). */
    int stays = !v->from && !(v->action && strcmp(v->action, "create") == 0);
    int from = v->from ? docs_wf_stage_public(wf, v->from) : stays && to;
    return to && !from ? 1 : from && !to ? 2 : 0;
}

int docs_version_enters_public(const wf_workflow *wf, const idx_version *v)
{
    return wf && v && crossing(wf, v) == 1;
}

void docs_edition_marks(docs_edition_mark *marks, const docs_service *svc, const idx_doc *d,
                        const idx_version *all, size_t n)
{
    const wf_workflow *wf = wf_set_find(svc->workflows, docs_type(d));
    int edition = 0;
    for (size_t i = 0; i < n; i++) {
        int x = wf ? crossing(wf, &all[i]) : 0;
        if (x == 2)
            edition++;
        marks[i] = (docs_edition_mark){.edition = edition, .in_force_from = x == 1};
    }
}

int docs_first_in_force_ms(int64_t *out, const wf_workflow *wf, const idx_doc *d)
{
    idx_version *all;
    size_t n;
    *out = -1;
    if (!wf)
        return 0;
    int rc = index_versions(&all, &n, d);
    if (rc < 0)
        return rc;
    for (size_t v = 0; v < n && *out < 0; v++)
        if (docs_version_enters_public(wf, &all[v]))
            *out = all[v].time_ms;
    free(all);
    return 0;
}

int docs_edition_now(const docs_service *svc, const idx_doc *d)
{
    const wf_workflow *wf = wf_set_find(svc->workflows, docs_type(d));
    idx_version *all;
    size_t n;
    if (!wf)
        return 0;
    int rc = index_versions(&all, &n, d);
    if (rc < 0)
        return rc;
    int edition = 0;
    for (size_t i = 0; i < n; i++)
        edition += crossing(wf, &all[i]) == 2;
    free(all);
    return edition;
}

int docs_in_force_json(json_t **out, const docs_service *svc, const idx_doc *d)
{
    const char *version;
    const json_t *face = docs_public_face(svc, d, &version);
    *out = NULL;
    if (!face || face == d->doc || !version || strcmp(version, d->version) == 0)
        return 0;
    /* Since it came into force: the last entry into a public stage at or
     * before the version in force (a commit in that stage may follow it). */
    const wf_workflow *wf = wf_set_find(svc->workflows, docs_type(d));
    int64_t since = -1;
    idx_version *all;
    size_t n;
    int rc = index_versions(&all, &n, d);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        if (crossing(wf, &all[i]) == 1)
            since = all[i].time_ms;
        if (strcmp(all[i].commit, version) == 0)
            break;
    }
    free(all);
    char when[32];
    if (since >= 0)
        util_format_rfc3339(when, sizeof(when), since);
    *out = json_pack("{s:s, s:s?, s:s?}", "version", version, "stage", doc_str(face, "stage"),
                     "since", since >= 0 ? when : NULL);
    return *out ? 0 : KENES_ENOMEM;
}
