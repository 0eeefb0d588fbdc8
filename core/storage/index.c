#include "storage/index.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kenes/plugin.h"
#include "base/map.h"
#include "base/util.h"

/* The documents naming one target (index_ref_add). */
typedef struct ref_set {
    idx_doc **v;
    size_t n, cap;
} ref_set;

struct doc_index {
    map *docs; /* id -> idx_doc */
    map *referrers; /* target id -> ref_set */
    idx_event *events;
    size_t nevents, cap;
};

int index_new(doc_index **out)
{
    doc_index *ix = calloc(1, sizeof(*ix));
    if (!ix || map_new(&ix->docs) < 0 || map_new(&ix->referrers) < 0) {
        if (ix)
            map_free(ix->docs);
        free(ix);
        return KENES_ENOMEM;
    }
    *out = ix;
    return 0;
}

static void version_dispose(idx_version *v)
{
    free(v->author);
    free(v->role);
    free(v->action);
    free(v->from);
    free(v->to);
    free(v->comment);
    free(v->approval);
    free(v->note);
}

static void doc_free(idx_doc *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->nversions; i++)
        version_dispose(&d->versions[i]);
    free(d->versions);
    json_decref(d->doc);
    json_decref(d->public_doc);
    free(d->entry.blob);
    free(d->id);
    free(d);
}

void index_free(doc_index *ix)
{
    if (!ix)
        return;
    map_iter it;
    const char *k;
    void *v;
    map_iter_init(&it, ix->docs);
    while (map_iter_next(&it, &k, &v))
        doc_free(v);
    map_free(ix->docs);
    map_iter_init(&it, ix->referrers);
    while (map_iter_next(&it, &k, &v)) {
        free(((ref_set *)v)->v);
        free(v);
    }
    map_free(ix->referrers);
    free(ix->events);
    free(ix);
}

idx_doc *index_get(const doc_index *ix, const char *id)
{
    return map_get(ix->docs, id);
}

const char *index_doc_type(const idx_doc *d)
{
    return d->entry.kept ? d->entry.type : json_string_value(json_object_get(d->doc, "type"));
}

const char *index_doc_region(const idx_doc *d)
{
    return d->entry.kept ? d->entry.region : json_string_value(json_object_get(d->doc, "region"));
}

const char *index_doc_stage(const idx_doc *d)
{
    return d->entry.kept ? d->entry.stage : json_string_value(json_object_get(d->doc, "stage"));
}

int index_add(idx_doc **out, doc_index *ix, const char *id)
{
    if (map_get(ix->docs, id))
        return KENES_EEXISTS;
    idx_doc *d = calloc(1, sizeof(*d));
    if (!d || !(d->id = strdup(id)) || map_set(ix->docs, id, d) < 0) {
        doc_free(d);
        return KENES_ENOMEM;
    }
    *out = d;
    return 0;
}

void index_remove(doc_index *ix, const char *id)
{
    doc_free(map_remove(ix->docs, id));
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

int index_add_version(idx_doc *d, const idx_version *v)
{
    return index_record(NULL, d, v);
}

int index_record(doc_index *ix, idx_doc *d, const idx_version *v)
{
    idx_event *events = ix ? util_grow(ix->events, &ix->cap, ix->nevents, sizeof(*events), 256)
                           : NULL;
    if (ix && !events)
        return KENES_ENOMEM;
    if (ix)
        ix->events = events;
    idx_version *versions = util_grow(d->versions, &d->cap, d->nversions, sizeof(*versions), 4);
    if (!versions)
        return KENES_ENOMEM;
    d->versions = versions;
    idx_version *n = &d->versions[d->nversions];
    memset(n, 0, sizeof(*n));
    memcpy(n->commit, v->commit, sizeof(n->commit));
    n->commit[sizeof(n->commit) - 1] = '\0';
    n->time_ms = v->time_ms;
    n->author = dup_or_null(v->author);
    n->role = dup_or_null(v->role);
    n->action = dup_or_null(v->action);
    n->from = dup_or_null(v->from);
    n->to = dup_or_null(v->to);
    n->comment = dup_or_null(v->comment);
    n->approval = dup_or_null(v->approval);
    n->note = dup_or_null(v->note);
    if ((v->author && !n->author) || (v->role && !n->role) || (v->action && !n->action) ||
        (v->from && !n->from) || (v->to && !n->to) || (v->comment && !n->comment) ||
        (v->approval && !n->approval) || (v->note && !n->note)) {
        version_dispose(n);
        return KENES_ENOMEM;
    }
    d->nversions++;
    memcpy(d->version, n->commit, sizeof(d->version));
    if (ix)
        ix->events[ix->nevents++] = (idx_event){d, d->nversions - 1};
    return 0;
}

void index_set_doc(idx_doc *d, json_t *doc)
{
    json_decref(d->doc);
    d->doc = doc;
}

void index_set_public(idx_doc *d, json_t *doc, const char *commit)
{
    json_decref(d->public_doc);
    d->public_doc = doc && commit ? doc : NULL;
    if (doc && !commit)
        json_decref(doc);
    snprintf(d->public_version, sizeof(d->public_version), "%s", d->public_doc ? commit : "");
}

static int by_id(const void *a, const void *b)
{
    return strcmp((*(idx_doc *const *)a)->id, (*(idx_doc *const *)b)->id);
}

int index_list(idx_doc ***out, size_t *count, const doc_index *ix)
{
    size_t n = 0, cap = map_count(ix->docs);
    idx_doc **arr = malloc((cap ? cap : 1) * sizeof(*arr));
    if (!arr)
        return KENES_ENOMEM;
    map_iter it;
    const char *k;
    void *v;
    map_iter_init(&it, ix->docs);
    while (map_iter_next(&it, &k, &v)) {
        idx_doc *d = v;
        if ((d->doc || d->entry.kept) && d->version[0])
            arr[n++] = d;
    }
    qsort(arr, n, sizeof(*arr), by_id);
    *out = arr;
    *count = n;
    return 0;
}

int index_ref_add(doc_index *ix, const char *target, idx_doc *referrer)
{
    ref_set *rs = map_get(ix->referrers, target);
    if (!rs) {
        if (!(rs = calloc(1, sizeof(*rs))) || map_set(ix->referrers, target, rs) < 0) {
            free(rs);
            return KENES_ENOMEM;
        }
    }
    for (size_t i = 0; i < rs->n; i++)
        if (rs->v[i] == referrer)
            return 0;
    idx_doc **v = util_grow(rs->v, &rs->cap, rs->n, sizeof(*v), 2);
    if (!v)
        return KENES_ENOMEM;
    rs->v = v;
    rs->v[rs->n++] = referrer;
    return 0;
}

void index_ref_remove(doc_index *ix, const char *target, const idx_doc *referrer)
{
    ref_set *rs = map_get(ix->referrers, target);
    for (size_t i = 0; rs && i < rs->n; i++)
        if (rs->v[i] == referrer) {
            rs->v[i] = rs->v[--rs->n];
            break;
        }
    if (rs && !rs->n) {
        map_remove(ix->referrers, target);
        free(rs->v);
        free(rs);
    }
}

idx_doc *const *index_referrers(const doc_index *ix, const char *target, size_t *n)
{
    const ref_set *rs = map_get(ix->referrers, target);
    *n = rs ? rs->n : 0;
    return rs ? rs->v : NULL;
}

size_t index_count(const doc_index *ix)
{
    return map_count(ix->docs);
}

int index_foreach(doc_index *ix, int (*cb)(idx_doc *d, void *payload), void *payload)
{
    map_iter it;
    const char *k;
    void *v;
    map_iter_init(&it, ix->docs);
    while (map_iter_next(&it, &k, &v)) {
        int rc = cb(v, payload);
        if (rc)
            return rc;
    }
    return 0;
}

size_t index_event_count(const doc_index *ix)
{
    return ix->nevents;
}

const idx_event *index_event_at(const doc_index *ix, size_t i)
{
    return i < ix->nevents ? &ix->events[i] : NULL;
}

static int64_t event_time(const idx_event *e)
{
    return e->doc->versions[e->version].time_ms;
}

typedef struct ranked {
    idx_event e;
    size_t pos; /* load order, which breaks ties: one repository's commits stay in order */
} ranked;

static int by_time(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    int64_t tx = event_time(&x->e), ty = event_time(&y->e);
    if (tx != ty)
        return tx < ty ? -1 : 1;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

void index_sort_events(doc_index *ix)
{
    ranked *r = malloc((ix->nevents ? ix->nevents : 1) * sizeof(*r));
    if (!r)
        return; /* the feed is then in load order: still complete */
    for (size_t i = 0; i < ix->nevents; i++)
        r[i] = (ranked){ix->events[i], i};
    qsort(r, ix->nevents, sizeof(*r), by_time);
    for (size_t i = 0; i < ix->nevents; i++)
        ix->events[i] = r[i].e;
    free(r);
}

const idx_version *index_version_at(const idx_doc *d, int64_t at_ms)
{
    for (size_t i = d->nversions; i-- > 0;)
        if (d->versions[i].time_ms <= at_ms)
            return &d->versions[i];
    return NULL;
}
