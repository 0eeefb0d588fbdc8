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
#include "docs/entry.h"
#include "docs/internal.h"
#include "docs/rights.h"
#include "plugin/fold.h"
#include "plugin/kapi.h"

/* 1 if another version of d is in force (an amendment on its way:
 * public_face.c), read from the index alone. */
static int in_force_elsewhere(const docs_service *svc, const idx_doc *d)
{
    return d->public_version[0] && !docs_erased(svc, d) &&
           !docs_wf_stage_public(wf_set_find(svc->workflows, docs_type(d)), docs_stage(d));
}

/* The list entry: id, type, region, stage, version, due, overdue, and the
 * title, or for a confidential type only what its plugin's summary adds
 * (kept in the index at commit: entry.c; only strings and whole numbers,
 * and never over the core's own keys). */
static json_t *list_entry(const docs_service *svc, const idx_doc *d)
{
    json_t *e = json_pack("{s:s, s:s?, s:s?, s:s?, s:s}", "id", d->id, "type", docs_type(d),
                          "region", docs_region(d), "stage", docs_stage(d), "version",
                          d->version);
    docs_put_due(e, svc, d);
    if (in_force_elsewhere(svc, d))
        json_object_set_new(e, "in_force", json_true());
    if (!docs_confidential(svc, d))
        json_object_set_new(e, "title", json_string(docs_title(d)));
    else
        docs_entry_listed(e, d);
    return e;
}

json_t *docs_entry(const docs_service *svc, const idx_doc *d)
{
    return list_entry(svc, d);
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

/* s folded for comparison (fold.h's, words kept apart by one space), a
 * new string; NULL when s is NULL, not UTF-8 or memory runs out. */
static char *folded(const char *s)
{
    if (!s)
        return NULL;
    /* Folding rarely lengthens text much; NFKC may make one character up
     * to 18 (U+FDFA): try small, then with room for the worst. */
    size_t n = strlen(s);
    for (size_t cap = 2 * n + 16;; cap = 18 * 4 * n + 16) {
        char *out = malloc(cap);
        if (!out)
            return NULL;
        int rc = fold_text(out, cap, s, KENES_FOLD_WORDS);
        if (rc == 0)
            return out;
        free(out);
        if (rc != KENES_ETOOBIG || cap > 2 * n + 16)
            return NULL;
    }
}

/* 1 if folded text s holds the folded words q, starting at a word's start. */
static int holds(const char *s, const char *q)
{
    char *f = folded(s);
    int found = 0;
    for (const char *p = f; p && !found && (p = strstr(p, q)) != NULL; p++)
        found = p == f || p[-1] == ' ';
    free(f);
    return found;
}

/* The core's own keys of a list entry: what a summary adds is the rest. */
static int core_key(const char *k)
{
    static const char *const keys[] = {"id", "type", "region", "stage", "version", "due",
                                       "overdue", "title", "in_force"};
    for (size_t i = 0; i < UTIL_ARRAY_LEN(keys); i++)
        if (strcmp(k, keys[i]) == 0)
            return 1;
    return 0;
}

/* 1 if entry e of d matches the folded words q: a document's title or
 * body; a confidential one's summary only (the case's text is sealed, and a
 * list is no read of it). */
static int matches(const docs_service *svc, const idx_doc *d, const json_t *e, const char *q)
{
    /* A body is matched only where it is in memory (a resident type's);
     * issue 16 leaves the others' to a read on the thread pool. */
    if (!docs_confidential(svc, d))
        return holds(docs_title(d), q) ||
               (docs_resident(svc, d) && d->doc && holds(doc_str(d->doc, "body"), q));
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)e, k, v) if (!core_key(k) && holds(json_string_value(v), q))
        return 1;
    return 0;
}

static json_t *filtered(docs_service *svc, const auth_user *u, const idx_doc *d, const void *arg)
{
    const docs_filter *f = arg;
    const char *type = docs_type(d), *region = docs_region(d);
    /* As things stood at `at`: the stage and version then (type and region
     * never change). */
    const idx_version *then = f->has_at ? docs_version_at(d, f->at_ms) : NULL;
    const char *stage_now = f->has_at ? (then ? then->to : NULL) : docs_stage(d);
    if (!stage_now || !type || !region || (f->type && strcmp(f->type, type) != 0) ||
        (f->region && strcmp(f->region, region) != 0) ||
        (f->stage && strcmp(f->stage, stage_now) != 0) || !docs_may_read(svc, u, d) ||
        !overdue_as_asked(svc, d, f))
        return NULL;
    if (!f->has_at) {
        json_t *e = list_entry(svc, d);
        if (e && f->q && *f->q && !matches(svc, d, e, f->q)) {
            json_decref(e);
            e = NULL;
        }
        return e;
    }
    return json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", d->id, "type", type, "region", region,
                     "stage", then->to, "version", then->commit);
}

int docs_list(json_t **out, docs_service *svc, const auth_user *u, const docs_filter *f)
{
    docs_filter g = *f;
    char *q = NULL;
    if (f->q && *f->q && !f->has_at) {
        /* Folded once here; an empty fold (only punctuation) asks for nothing. */
        q = folded(f->q);
        if (!q)
            return KENES_ENOMEM;
        g.q = q;
    }
    int rc = collect(out, svc, u, filtered, &g);
    free(q);
    return rc;
}

/* The names of the actions open to u on d by u's own role and scope
 * (docs_actions'), but those the workflow says are no to-do (inbox: false). */
static json_t *open_actions(const docs_service *svc, const wf_workflow *wf, const auth_user *u,
                            const idx_doc *d)
{
    json_t *open, *names = json_array(), *a;
    size_t i;
    if (docs_actions(&open, svc, u, d) < 0)
        return names;
    const char *stage = docs_stage(d);
    json_array_foreach(open, i, a)
    {
        const wf_transition *t = wf_find_transition(wf, doc_str(a, "action"), stage);
        if (t && !t->no_inbox)
            json_array_append(names, json_object_get(a, "action"));
    }
    json_decref(open);
    return names;
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

/* 1 if u, who may read d, is to be reminded of d now: its stage's remind:
 * names u's role or holds u's login, and its deadline is `before` away or
 * past. */
static int reminded(const docs_service *svc, const wf_workflow *wf, const auth_user *u,
                    const idx_doc *d)
{
    const wf_stage *st = wf_find_stage(wf, docs_stage(d));
    if (!st || !st->has_remind)
        return 0;
    access_view v;
    docs_access_view(&v, d);
    const char *login = st->remind_user_field ? access_view_field(&v, st->remind_user_field)
                                              : NULL;
    if (!(st->remind_roles & (unsigned)u->role) && !(login && u->name && !strcmp(login, u->name)))
        return 0;
    int64_t due;
    docs_due(svc, d, &due);
    return due >= 0 && util_now_ms() >= due - st->remind_before_ms;
}

static json_t *to_do(docs_service *svc, const auth_user *u, const idx_doc *d, const void *arg)
{
    (void)arg;
    const wf_workflow *wf = wf_set_find(svc->workflows, docs_type(d));
    /* An admin's override is for support, not a to-do list. */
    if (!wf || u->role == ROLE_ADMIN || docs_erased(svc, d) || !docs_may_read(svc, u, d))
        return NULL;
    json_t *actions = open_actions(svc, wf, u, d);
    int remind = reminded(svc, wf, u, d);
    if (json_array_size(actions) == 0 && !remind) {
        json_decref(actions);
        return NULL;
    }
    json_t *e = list_entry(svc, d);
    json_object_set_new(e, "actions", actions);
    json_object_set_new(e, "reminder", json_boolean(remind));
    return e;
}

int docs_inbox(json_t **out, docs_service *svc, const auth_user *u)
{
    int rc = collect(out, svc, u, to_do, NULL);
    if (rc == 0)
        sort_by_due(*out);
    return rc;
}
