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
#include "docs/entry.h"
#include "docs/fetch.h"
#include "docs/internal.h"
#include "base/util.h"
#include "plugin/kapi.h"

static int same(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

/* What a plugin is shown of d: its latest committed version, or with
 * public set its public face; NULL for an erased or uncommitted one (or,
 * public, one never public), else the JSON with its commit in *version. */
static const json_t *shown(const docs_service *svc, const idx_doc *d, int public,
                           const char **version)
{
    if (public)
        return docs_public_face(svc, d, version);
    if (!d || !d->version[0] || docs_erased(svc, d))
        return NULL;
    *version = d->version;
    return docs_fetch_now(svc, d); /* a resident one parsed from its text */
}

/* docs.h; what doc_get(doc, "written") answers, so that a plugin can tell
 * what another document was when this one's text was written. */
static const char *written_in(char buf[41], const idx_version *v, size_t n, const char *version)
{
    while (n > 0 && version && strcmp(v[n - 1].commit, version) != 0)
        n--;
    for (; n > 0; n--)
        if (same(v[n - 1].action, "create") || same(v[n - 1].action, "edit"))
            return memcpy(buf, v[n - 1].commit, 41);
    return NULL;
}

int docs_written(char buf[41], const idx_doc *d, const char *version)
{
    if (!d)
        return 0;
    /* The recent versions hold the latest create or edit (index.h): the
     * packed ones are read only for an older version. */
    idx_version *all;
    size_t n;
    if (written_in(buf, d->recent, d->nrecent, version))
        return 1;
    if (!d->old.count)
        return 0;
    int rc = index_versions(&all, &n, d);
    if (rc < 0)
        return rc; /* never "no such version" for a history not read */
    rc = written_in(buf, all, n, version) != NULL;
    free(all);
    return rc;
}

/* When d was first committed, RFC 3339, into out (cap bytes); NULL when
 * it has no version yet. */
static const char *created(char *out, size_t cap, const idx_doc *d)
{
    int64_t ms = index_created_ms(d);
    if (ms < 0)
        return NULL;
    util_format_rfc3339(out, cap, ms);
    return out;
}

/* What a walk shows of d of a type that is not resident: the fields its
 * index keeps (entry.c), its latest version, or with public set the same
 * when that version is in a public stage (such a type keeps no other face
 * in memory).  NULL when d is left out, else a new reference. */
static json_t *entry_shown(const docs_service *svc, const idx_doc *d, int public,
                           const char **version)
{
    if (!d->version[0] || docs_erased(svc, d) ||
        (public &&
         !docs_wf_stage_public(wf_set_find(svc->workflows, docs_type(d)), docs_stage(d))))
        return NULL;
    *version = d->version;
    return docs_entry_view(d);
}

/* The documents a walk over (type, region) looks at, sorted by id, as a
 * new array: the index's list of that type and region (groups.h) once
 * every entry is kept — the start-up's settle made the cache (fetch.h) and
 * every commit since keeps its entry — else every committed document (an
 * index a tool or a test built without entries, a walk over every region). */
static int candidates(idx_doc ***out, size_t *n, const docs_service *svc, const char *type,
                      const char *region)
{
    if (!type || !region || !svc->cache)
        return index_list(out, n, svc->index);
    idx_doc *const *filed = index_group(svc->index, type, region, n);
    *out = malloc((*n ? *n : 1) * sizeof(**out));
    if (!*out)
        return KENES_ENOMEM;
    if (*n)
        memcpy(*out, filed, *n * sizeof(**out));
    return 0;
}

static int walk(docs_service *svc, int public, const char *type, const char *region,
                int (*fn)(const kenes_doc *doc, void *arg), void *arg)
{
    idx_doc **all;
    size_t n;
    /* A copy: nothing a plugin does from fn changes the index, but the
     * walk does not lean on that. */
    if (candidates(&all, &n, svc, type, region) < 0)
        return KENES_ENOMEM;
    /* What the walk showed, held until it ends: a plugin may keep what it
     * was shown of one document while it is shown the next, and parsing
     * that one may push the first out of the cache (fetch.h). */
    json_t **held = calloc(n ? n : 1, sizeof(*held));
    if (!held) {
        free(all);
        return KENES_ENOMEM;
    }
    size_t nheld = 0;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const idx_doc *d = all[i];
        /* Type and region from the index: no JSON is looked at for the rest. */
        if ((type && !same(docs_type(d), type)) || (region && !same(docs_region(d), region)))
            continue;
        const char *version = NULL;
        json_t *view = NULL;
        const json_t *doc = docs_resident(svc, d) ? shown(svc, d, public, &version)
                                                  : (view = entry_shown(svc, d, public, &version));
        if (!doc)
            continue;
        if (!view)
            held[nheld++] = json_incref((json_t *)doc);
        char when[40], wrote[41];
        int w = docs_written(wrote, d, version);
        if (w < 0) { /* the walk stops: a plugin is never shown "written: none" for it */
            json_decref(view);
            rc = w;
            break;
        }
        struct kenes_doc kd = {.json = doc, .version = version, .written = w ? wrote : NULL,
                               .created = created(when, sizeof(when), d)};
        rc = fn(&kd, arg);
        json_decref(view);
    }
    for (size_t i = 0; i < nheld; i++)
        json_decref(held[i]);
    free(held);
    free(all);
    return rc;
}

static int find(docs_service *svc, int public, const char *id,
                int (*fn)(const kenes_doc *doc, void *arg), void *arg)
{
    const char *version;
    idx_doc *d = index_get(svc->index, id);
    const json_t *doc = shown(svc, d, public, &version);
    if (!doc && d && d->version[0] && !d->doc && !docs_erased(svc, d) &&
        !docs_key_unavailable(svc, d)) {
        /* Not in memory: the loop never reads git, so the write that asks
         * fetches it and is judged again (fetch.h). */
        docs_fetch_note_miss(svc, d);
        return KENES_EBUSY;
    }
    if (!doc)
        return KENES_ENOTFOUND;
    /* Held while fn runs: a walk it starts may push d out of the cache. */
    char when[40], wrote[41];
    int w = docs_written(wrote, d, version);
    if (w < 0)
        return w;
    json_t *held = json_incref((json_t *)doc);
    struct kenes_doc view = {.json = doc, .version = version, .written = w ? wrote : NULL,
                             .created = created(when, sizeof(when), d)};
    int rc = fn(&view, arg);
    json_decref(held);
    return rc;
}

static int each(void *payload, const char *type, const char *region,
                int (*fn)(const kenes_doc *doc, void *arg), void *arg)
{
    return walk(payload, 0, type, region, fn, arg);
}

static int with(void *payload, const char *id, int (*fn)(const kenes_doc *doc, void *arg),
                void *arg)
{
    return find(payload, 0, id, fn, arg);
}

static int each_public(void *payload, const char *type, const char *region,
                       int (*fn)(const kenes_doc *doc, void *arg), void *arg)
{
    return walk(payload, 1, type, region, fn, arg);
}

static int with_public(void *payload, const char *id, int (*fn)(const kenes_doc *doc, void *arg),
                       void *arg)
{
    return find(payload, 1, id, fn, arg);
}

static const char *param(void *payload, const char *type, const char *name)
{
    docs_service *svc = payload;
    const wf_workflow *wf = wf_set_find(svc->workflows, type);
    return wf ? wf_param(wf, name) : NULL;
}

/* docs.h; also api->version_before.  Each repository's history is one
 * line (main), so "before" is "recorded before": the index knows that order
 * without asking git on the loop.  The documents are named because the
 * index answers from their versions, not from a table of every commit. */
int docs_version_before(docs_service *svc, const char *doc_a, const char *a, const char *doc_b,
                        const char *b)
{
    const idx_doc *da = doc_a ? index_get(svc->index, doc_a) : NULL;
    const idx_doc *db = doc_b ? index_get(svc->index, doc_b) : NULL;
    return index_commit_before(da, a, db, b);
}

static int before(void *payload, const char *doc_a, const char *a, const char *doc_b,
                  const char *b)
{
    return docs_version_before(payload, doc_a, a, doc_b, b);
}

void docs_attach_api(docs_service *svc)
{
    kapi_docs src = {each, with, param, each_public, with_public, svc, before};
    kapi_set_docs(&src);
}

void docs_detach_api(docs_service *svc)
{
    kapi_forget_docs(svc);
}
