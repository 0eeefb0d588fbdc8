#include "publish/public.h"

#include "docs/docs.h"
#include "docs/entry.h"

const json_t *public_face_of(const docs_service *svc, const idx_doc *d, const wf_workflow **wf,
                             const char **version)
{
    *wf = NULL;
    if (version)
        *version = NULL;
    if (!d || d->repo != REPO_DOCUMENTS || docs_confidential(svc, d))
        return NULL;
    const json_t *face = docs_public_face(svc, d, version);
    if (face)
        *wf = wf_set_find(svc->workflows, json_string_value(json_object_get(face, "type")));
    return *wf ? face : NULL;
}

int public_names_of(public_names *out, const docs_service *svc, const idx_doc *d)
{
    *out = (public_names){0};
    if (!d || !d->version[0] || d->repo != REPO_DOCUMENTS || docs_confidential(svc, d) ||
        docs_erased(svc, d))
        return KENES_ENOTFOUND;
    const wf_workflow *wf = wf_set_find(svc->workflows, docs_type(d));
    if (wf && docs_wf_stage_public(wf, docs_stage(d)) && d->entry.kept) {
        *out = (public_names){wf, docs_title(d), docs_type(d), docs_region(d), docs_stage(d)};
        return 0;
    }
    /* Amended since, or an index without entries (a tool's): the face. */
    const char *version;
    const json_t *face = public_face_of(svc, d, &wf, &version);
    if (!face)
        return KENES_ENOTFOUND;
    const char *stage = json_string_value(json_object_get(face, "stage"));
    *out = (public_names){wf, json_string_value(json_object_get(face, "title")),
                          json_string_value(json_object_get(face, "type")),
                          json_string_value(json_object_get(face, "region")),
                          stage ? wf_stage_now(wf, stage) : NULL};
    return 0;
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
