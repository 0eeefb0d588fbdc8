#include "publish/public.h"

#include "docs/docs.h"

const wf_workflow *public_workflow_of(const docs_service *svc, const idx_doc *d)
{
    if (!d || !d->doc || d->repo != REPO_DOCUMENTS || docs_confidential(svc, d))
        return NULL;
    const wf_workflow *wf =
        wf_set_find(svc->workflows, json_string_value(json_object_get(d->doc, "type")));
    return wf && wf_stage_public(wf, json_string_value(json_object_get(d->doc, "stage"))) ? wf : NULL;
}

size_t public_workflow_count(const docs_service *svc)
{
    size_t n = 0;
    for (size_t i = 0; i < wf_set_count(svc->workflows); i++) {
        const wf_workflow *wf = wf_set_at(svc->workflows, i);
        const kenes_doctype *t = plugin_find_type(svc->plugins, wf->type);
        if (!t || (t->flags & KENES_DOCTYPE_CONFIDENTIAL))
            continue;
        for (size_t s = 0; s < wf->nstages; s++)
            if (wf->stages[s].is_public) {
                n++;
                break;
            }
    }
    return n;
}
