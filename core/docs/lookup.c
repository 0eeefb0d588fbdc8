/*
 * What a plugin may read of other documents (api->doc_each, doc_with) and of
 * its workflow (api->param): the service's index and workflows, handed to
 * the plugin table once they are loaded.  A meeting's validator asks for
 * the region's roster, a case's guard for the meetings that decided on it.
 *
 * The index lives on the loop, and so do the callbacks that may ask
 * (validate, guards, summary, reports): nothing here locks.
 */
#include <stdlib.h>
#include <string.h>

#include "docs/docs.h"
#include "docs/internal.h"
#include "plugin/kapi.h"

static int same(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

/* A committed, not erased document: one a plugin may be shown. */
static int visible(const docs_service *svc, const idx_doc *d)
{
    return d->doc && d->version[0] && !docs_erased(svc, d);
}

static int each(void *payload, const char *type, const char *region,
                int (*fn)(const kenes_doc *doc, void *arg), void *arg)
{
    docs_service *svc = payload;
    idx_doc **all;
    size_t n;
    if (index_list(&all, &n, svc->index) < 0)
        return KENES_ENOMEM;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const idx_doc *d = all[i];
        if (!visible(svc, d) || (type && !same(doc_str(d->doc, "type"), type)) ||
            (region && !same(doc_str(d->doc, "region"), region)))
            continue;
        struct kenes_doc view = {.json = d->doc, .version = d->version};
        rc = fn(&view, arg);
    }
    free(all);
    return rc;
}

static int with(void *payload, const char *id, int (*fn)(const kenes_doc *doc, void *arg),
                void *arg)
{
    docs_service *svc = payload;
    const idx_doc *d = index_get(svc->index, id);
    if (!d || !visible(svc, d))
        return KENES_ENOTFOUND;
    struct kenes_doc view = {.json = d->doc, .version = d->version};
    return fn(&view, arg);
}

static int each_public(void *payload, const char *type, const char *region,
                       int (*fn)(const kenes_doc *doc, void *arg), void *arg)
{
    docs_service *svc = payload;
    idx_doc **all;
    size_t n;
    if (index_list(&all, &n, svc->index) < 0)
        return KENES_ENOMEM;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const char *version;
        const json_t *face = docs_public_face(svc, all[i], &version);
        if (!face || (type && !same(doc_str(face, "type"), type)) ||
            (region && !same(doc_str(face, "region"), region)))
            continue;
        struct kenes_doc view = {.json = face, .version = version};
        rc = fn(&view, arg);
    }
    free(all);
    return rc;
}

static int with_public(void *payload, const char *id, int (*fn)(const kenes_doc *doc, void *arg),
                       void *arg)
{
    docs_service *svc = payload;
    const char *version;
    const json_t *face = docs_public_face(svc, index_get(svc->index, id), &version);
    if (!face)
        return KENES_ENOTFOUND;
    struct kenes_doc view = {.json = face, .version = version};
    return fn(&view, arg);
}

static const char *param(void *payload, const char *type, const char *name)
{
    docs_service *svc = payload;
    const wf_workflow *wf = wf_set_find(svc->workflows, type);
    return wf ? wf_param(wf, name) : NULL;
}

void docs_attach_api(docs_service *svc)
{
    kapi_docs src = {each, with, param, each_public, with_public, svc};
    kapi_set_docs(&src);
}

void docs_detach_api(docs_service *svc)
{
    kapi_forget_docs(svc);
}
