#include "publish/public.h"

#include "docs/docs.h"

const json_t *public_face_of(const docs_service *svc, const idx_doc *d, const wf_workflow **wf,
                             const char **version)
{
    *wf = NULL;
    if (version)
        *version = NULL;
    if (!d || !d->doc || d->repo != REPO_DOCUMENTS || docs_confidential(svc, d))
        return NULL;
    const json_t *face = docs_public_face(svc, d, version);
    if (face)
        *wf = wf_set_find(svc->workflows, json_string_value(json_object_get(face, "type")));
    return *wf ? face : NULL;
}

const wf_workflow *public_workflow_of(const docs_service *svc, const idx_doc *d)
{
    const wf_workflow *wf;
    return public_face_of(svc, d, &wf, NULL) ? wf : NULL;
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
