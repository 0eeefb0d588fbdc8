/*
 * A document's public face: what the public page, the anonymous lists, the
 * reports and plugins (api->doc_each_public) take for it.  It is the latest
 * version in a stage the workflow marks public, so a plan in force stays
 * public, and counts, while an amendment of it goes through the chain.
 */
#include <string.h>

#include "docs/docs.h"
#include "docs/internal.h"

const json_t *docs_public_face(const docs_service *svc, const idx_doc *d, const char **version)
{
    if (version)
        *version = NULL;
    if (!d || !d->doc || !d->version[0] || docs_erased(svc, d))
        return NULL;
    const wf_workflow *wf = wf_set_find(svc->workflows, doc_str(d->doc, "type"));
    if (!wf || !wf_stage_public(wf, doc_str(d->doc, "stage")))
        return NULL; /* TODO(part in-force): the version in force before an amendment */
    if (version)
        *version = d->version;
    return d->doc;
}
