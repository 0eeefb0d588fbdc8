/*
 * Which documents name a document through their `ref` fields (a meeting's
 * agenda item naming a case): the other side of a ref, for the document's
 * answer ("referenced_by") and its page.
 *
 * The index keeps each document's refs (entry.c, at commit and at load)
 * and the reverse map target -> referrers (index.c), so a GET looks at the
 * few documents that name it, not at every document.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "docs/docs.h"
#include "docs/entry.h"
#include "docs/fetch.h"
#include "docs/internal.h"

/* The paths at which d names id ([] when none; NULL when u may not read
 * it, or it is erased or uncommitted). */
static json_t *naming(docs_service *svc, const auth_user *u, const idx_doc *d, const char *id)
{
    if (!d->version[0] || strcmp(d->id, id) == 0 || docs_erased(svc, d) ||
        !docs_may_read(svc, u, d))
        return NULL;
    json_t *paths = json_array();
    const char *target, *path;
    for (const char *p = d->entry.refs; (p = docs_entry_ref(p, &target, &path));)
        if (strcmp(target, id) == 0)
            json_array_append_new(paths, json_string(path));
    return paths;
}

static int by_id(const void *a, const void *b)
{
    return strcmp((*(idx_doc *const *)a)->id, (*(idx_doc *const *)b)->id);
}

/* The referrers of id u may read, as index entries (sorted by id); *n of them. */
static int referrers(idx_doc ***out, json_t **paths, size_t *n, docs_service *svc,
                     const auth_user *u, const char *id)
{
    size_t count;
    idx_doc *const *named = index_referrers(svc->index, id, &count);
    idx_doc **all = malloc((count ? count : 1) * sizeof(*all));
    *out = NULL;
    *n = 0;
    if (!all)
        return KENES_ENOMEM;
    if (count)
        memcpy(all, named, count * sizeof(*all));
    qsort(all, count, sizeof(*all), by_id);
    json_t *found = json_array();
    size_t k = 0;
    for (size_t i = 0; i < count; i++) {
        json_t *p = naming(svc, u, all[i], id);
        if (p && json_array_size(p)) {
            all[k++] = all[i];
            json_array_append(found, p);
        }
        json_decref(p);
    }
    *out = all;
    *paths = found;
    *n = k;
    return 0;
}

int docs_referrers(json_t **out, docs_service *svc, const auth_user *u, const char *id)
{
    idx_doc **found;
    json_t *paths;
    size_t n;
    *out = NULL;
    if (!id)
        return KENES_EINVAL;
    int rc = referrers(&found, &paths, &n, svc, u, id);
    if (rc < 0)
        return rc;
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *e = docs_entry(svc, found[i]);
        json_object_set(e, "paths", json_array_get(paths, i));
        json_array_append_new(list, e);
    }
    free(found);
    json_decref(paths);
    *out = list;
    return 0;
}

/* ---- with their fields, each read logged ---- */

/* One read: the list is answered once every referrer's fields are at hand
 * (fetched on the pool through the bounded cache when not in memory:
 * fetch.h) and every access-log line a confidential one asks is durable. */
typedef struct ref_read {
    docs_cb cb;
    void *payload;
    json_t *list;   /* [{"entry", "fields", "paths"}] */
    size_t pending; /* fetches and access-log lines not yet done */
    int failed;
} ref_read;

/* A referrer whose fields are being fetched: the i-th of rr's list. */
typedef struct ref_slot {
    ref_read *rr;
    const idx_doc *d;
    size_t i;
} ref_slot;

static void ref_read_finish(ref_read *rr)
{
    docs_result r = {.json = rr->list};
    if (rr->failed)
        r = (docs_result){.code = KENES_EIO, .reason = "access_log",
                          .message = "the access log cannot be written"};
    rr->cb(&r, rr->payload);
    json_decref(rr->list);
    free(rr);
}

static void ref_step(ref_read *rr)
{
    if (--rr->pending == 0)
        ref_read_finish(rr);
}

static void ref_logged(int code, void *payload)
{
    ref_read *rr = payload;
    if (code < 0)
        rr->failed = 1;
    ref_step(rr);
}

/* d's fields: its JSON's (doc), or when it could not be read (its key
 * unavailable, a failed read) what the index keeps of them. */
static void ref_fields(const ref_slot *s, int code, const json_t *doc)
{
    json_t *view = code == 0 && doc ? NULL : docs_entry_view(s->d);
    json_object_set(json_array_get(s->rr->list, s->i), "fields",
                    json_object_get(view ? view : doc, "fields"));
    json_decref(view);
}

static void ref_fetched(int code, const json_t *doc, void *payload)
{
    ref_slot *s = payload;
    ref_read *rr = s->rr;
    ref_fields(s, code, doc);
    free(s);
    ref_step(rr);
}

void docs_referrers_read(docs_service *svc, const auth_user *u, const char *id, docs_cb cb,
                         void *payload)
{
    idx_doc **found = NULL;
    json_t *paths = NULL;
    size_t n = 0;
    ref_read *rr = id ? calloc(1, sizeof(*rr)) : NULL;
    if (!rr || referrers(&found, &paths, &n, svc, u, id) < 0) {
        free(rr);
        docs_result r = {.code = KENES_ENOMEM, .reason = "internal", .message = "out of memory"};
        cb(&r, payload);
        return;
    }
    *rr = (ref_read){.cb = cb, .payload = payload, .list = json_array(), .pending = 1};
    for (size_t i = 0; i < n; i++)
        json_array_append_new(rr->list, json_pack("{s:o, s:n, s:O}", "entry",
                                                  docs_entry(svc, found[i]), "fields", "paths",
                                                  json_array_get(paths, i)));
    for (size_t i = 0; i < n; i++) {
        idx_doc *d = found[i];
        /* A confidential referrer's fields are shown only once the log holds
         * the read, as for every read (read.c). */
        if (docs_confidential(svc, d)) {
            rr->pending++;
            if (alog_append(svc->alog, u->name, role_name(u->role), d->id, "read", ref_logged,
                            rr) < 0) {
                rr->pending--;
                rr->failed = 1;
            }
        }
        /* Its fields: at once when in memory, else read on the pool (the
         * loop never reads git); the answer waits for the last. */
        ref_slot *s = malloc(sizeof(*s));
        if (!s) {
            ref_fields(&(ref_slot){rr, d, i}, KENES_ENOMEM, NULL);
            continue;
        }
        *s = (ref_slot){rr, d, i};
        rr->pending++;
        docs_fetch(svc, d, NULL, ref_fetched, s);
    }
    free(found);
    json_decref(paths);
    ref_step(rr); /* the first pending: the loops above */
}
