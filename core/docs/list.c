/*
 * The lists: the documents a caller may read, filtered (as they stand or as
 * they stood at a moment), and the caller's inbox.  A list shows a
 * confidential document only as its summary (no title, fields or body), so
 * a list is no read of one and the access log holds no line for it.
 */
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "docs/docs.h"
#include "docs/internal.h"
#include "docs/rights.h"
#include "plugin/kapi.h"

/* The list entry: id, type, region, stage, version, due, overdue, and the
 * title, or for a confidential type only what its plugin's summary adds. */
static json_t *list_entry(const docs_service *svc, const idx_doc *d)
{
    const json_t *doc = d->doc;
    json_t *e = json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", d->id, "type", doc_str(doc, "type"),
                          "region", doc_str(doc, "region"), "stage", doc_str(doc, "stage"),
                          "version", d->version);
    docs_put_due(e, svc, d);
    const kenes_doctype *t = plugin_find_type(svc->plugins, doc_str(doc, "type"));
    if (!docs_confidential(svc, d)) {
        json_object_set_new(e, "title", json_string(doc_str(doc, "title")));
    } else if (t && t->summary) {
        /* The plugin adds what may be listed to a scratch object; only new
         * string keys are kept, so it cannot overwrite the core's. */
        json_t *extra = json_object();
        struct kenes_doc view = {doc};
        if (t->summary(kapi_get(), &view, extra) == 0) {
            const char *k;
            json_t *v;
            json_object_foreach(extra, k, v) if (json_is_string(v) && !json_object_get(e, k))
                json_object_set(e, k, v);
        }
        json_decref(extra);
    }
    return e;
}

/* 1 if d, which u may read, is overdue as f asks (or f does not ask). */
static int overdue_as_asked(const docs_service *svc, const idx_doc *d, const docs_filter *f)
{
    if (f->overdue < 0)
        return 1;
    int64_t due;
    docs_due(svc, d, &due);
    int late = due >= 0 && util_now_ms() > due;
    return late == f->overdue;
}

/* What one document adds to a list: a new entry, or NULL when it is left out. */
typedef json_t *(*entry_fn)(docs_service *svc, const auth_user *u, const idx_doc *d,
                            const void *arg);

/* *out: the entries fn makes of every committed document, sorted by id. */
static int collect(json_t **out, docs_service *svc, const auth_user *u, entry_fn fn,
                   const void *arg)
{
    idx_doc **all;
    size_t n;
    *out = NULL;
    if (index_list(&all, &n, svc->index) < 0)
        return KENES_ENOMEM;
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *e = fn(svc, u, all[i], arg);
        if (e)
            json_array_append_new(list, e);
    }
    free(all);
    *out = list;
    return 0;
}

static json_t *filtered(docs_service *svc, const auth_user *u, const idx_doc *d, const void *arg)
{
    const docs_filter *f = arg;
    const json_t *doc = d->doc;
    /* As things stood at `at`: the stage and version then (type and region
     * never change). */
    const idx_version *then = f->has_at ? docs_version_at(d, f->at_ms) : NULL;
    const char *stage_now = f->has_at ? (then ? then->to : NULL) : doc_str(doc, "stage");
    if (!stage_now || (f->type && strcmp(f->type, doc_str(doc, "type")) != 0) ||
        (f->region && strcmp(f->region, doc_str(doc, "region")) != 0) ||
        (f->stage && strcmp(f->stage, stage_now) != 0) || !docs_may_read(svc, u, d) ||
        !overdue_as_asked(svc, d, f))
        return NULL;
    if (!f->has_at)
        return list_entry(svc, d);
    return json_pack("{s:s, s:O, s:O, s:s, s:s}", "id", d->id, "type",
                     json_object_get(doc, "type"), "region", json_object_get(doc, "region"),
                     "stage", then->to, "version", then->commit);
}

int docs_list(json_t **out, docs_service *svc, const auth_user *u, const docs_filter *f)
{
    return collect(out, svc, u, filtered, f);
}

/* The actions open to u on d by u's own role and scope, from d's stage. */
static json_t *open_actions(const wf_workflow *wf, const auth_user *u, const idx_doc *d)
{
    const char *stage = doc_str(d->doc, "stage"), *region = doc_str(d->doc, "region");
    json_t *actions = json_array();
    for (size_t t = 0; t < wf->ntransitions; t++) {
        const wf_transition *tr = &wf->transitions[t];
        for (size_t f = 0; f < tr->nfrom; f++)
            if (strcmp(tr->from[f], stage) == 0 && access_scoped(u, tr->roles, tr->scope, region))
                json_array_append_new(actions, json_string(tr->action));
    }
    return actions;
}

/* Earliest due first; nothing due last (a stable insertion sort: RFC 3339
 * UTC strings sort as times). */
static void sort_by_due(json_t *items)
{
    size_t k = json_array_size(items);
    for (size_t a = 1; a < k; a++)
        for (size_t b = a; b > 0; b--) {
            const char *x = doc_str(json_array_get(items, b - 1), "due");
            const char *y = doc_str(json_array_get(items, b), "due");
            if (!y || (x && strcmp(x, y) <= 0))
                break;
            json_t *tmp = json_incref(json_array_get(items, b - 1));
            json_array_set(items, b - 1, json_array_get(items, b));
            json_array_set_new(items, b, tmp);
        }
}

static json_t *to_do(docs_service *svc, const auth_user *u, const idx_doc *d, const void *arg)
{
    (void)arg;
    const wf_workflow *wf = wf_set_find(svc->workflows, doc_str(d->doc, "type"));
    /* An admin's override is for support, not a to-do list. */
    if (!wf || u->role == ROLE_ADMIN || docs_erased(svc, d) || !docs_may_read(svc, u, d))
        return NULL;
    json_t *actions = open_actions(wf, u, d);
    if (json_array_size(actions) == 0) {
        json_decref(actions);
        return NULL;
    }
    json_t *e = list_entry(svc, d);
    json_object_set_new(e, "actions", actions);
    return e;
}

int docs_inbox(json_t **out, docs_service *svc, const auth_user *u)
{
    int rc = collect(out, svc, u, to_do, NULL);
    if (rc == 0)
        sort_by_due(*out);
    return rc;
}
