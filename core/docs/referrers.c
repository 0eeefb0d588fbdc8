/*
 * Which documents name a document through their `ref` fields (a meeting's
 * agenda item naming a case): the other side of a ref, for the document's
 * answer ("referenced_by") and its page.
 *
 * Every call walks every document the index holds: O(documents), which is
 * fine for the few thousand documents a region has.  Issue 16 will keep an
 * index of refs (updated on commit) instead.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "docs/docs.h"
#include "docs/internal.h"

#define PATH_CAP 512

/* Appends to paths the path of every ref under decl (a schema's fields)
 * whose value in obj is id: groups and lists of groups at any depth. */
static void refs_in(json_t *paths, const json_t *decl, const json_t *obj, const char *prefix,
                    const char *id)
{
    size_t i;
    const json_t *f;
    if (!json_is_object(obj))
        return;
    json_array_foreach(decl, i, f)
    {
        const char *name = doc_str(f, "name"), *kind = doc_str(f, "kind");
        const json_t *v = name ? json_object_get(obj, name) : NULL;
        char path[PATH_CAP];
        if (!v || !kind ||
            (size_t)snprintf(path, sizeof(path), "%s%s", prefix, name) >= sizeof(path) - 1)
            continue;
        if (strcmp(kind, "ref") == 0) {
            if (json_is_string(v) && strcmp(json_string_value(v), id) == 0)
                json_array_append_new(paths, json_string(path));
        } else if (strcmp(kind, "group") == 0) {
            strcat(path, ".");
            refs_in(paths, json_object_get(f, "fields"), v, path, id);
        } else if (strcmp(kind, "list") == 0 && json_is_array(v) && json_object_get(f, "fields")) {
            size_t k;
            const json_t *row;
            json_array_foreach(v, k, row)
            {
                char rowpath[PATH_CAP];
                if ((size_t)snprintf(rowpath, sizeof(rowpath), "%s[%zu].", path, k) <
                    sizeof(rowpath))
                    refs_in(paths, json_object_get(f, "fields"), row, rowpath, id);
            }
        }
    }
}

/* The paths at which d names id ([] when none; NULL when d cannot, or u may
 * not read it). */
static json_t *naming(docs_service *svc, const auth_user *u, const idx_doc *d, const char *id)
{
    const json_t *schema;
    if (!d->doc || !d->version[0] || strcmp(d->id, id) == 0 ||
        !(schema = docs_schema(svc, doc_str(d->doc, "type"))) || docs_erased(svc, d) ||
        !docs_may_read(svc, u, d))
        return NULL;
    json_t *paths = json_array();
    refs_in(paths, json_object_get(schema, "fields"), json_object_get(d->doc, "fields"),
            "fields.", id);
    return paths;
}

/* The referrers of id u may read, as index entries (sorted by id); *n of them. */
static int referrers(idx_doc ***out, json_t **paths, size_t *n, docs_service *svc,
                     const auth_user *u, const char *id)
{
    idx_doc **all;
    size_t count;
    *out = NULL;
    *n = 0;
    if (index_list(&all, &count, svc->index) < 0)
        return KENES_ENOMEM;
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

typedef struct ref_read {
    docs_cb cb;
    void *payload;
    json_t *list;   /* [{"entry", "fields", "paths"}] */
    size_t pending; /* access-log lines not yet durable */
    int failed;
} ref_read;

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

static void ref_logged(int code, void *payload)
{
    ref_read *rr = payload;
    if (code < 0)
        rr->failed = 1;
    if (--rr->pending == 0)
        ref_read_finish(rr);
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
    for (size_t i = 0; i < n; i++) {
        const idx_doc *d = found[i];
        json_array_append_new(rr->list,
                              json_pack("{s:o, s:O, s:O}", "entry", docs_entry(svc, d), "fields",
                                        json_object_get(d->doc, "fields"), "paths",
                                        json_array_get(paths, i)));
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
    }
    free(found);
    json_decref(paths);
    ref_logged(0, rr); /* the first pending: the loop above */
}
