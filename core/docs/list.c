/*
 * The lists: the documents a caller may read, filtered (as they stand or as
 * they stood at a moment), and the caller's inbox.  A search's words match
 * titles and summaries from the index on the loop; bodies are read and
 * matched on the thread pool (docs_list_search), at most
 * DOCS_SEARCH_BODIES documents per search.  A list shows a
 * confidential document only as its summary (no title, fields or body), so
 * a list is no read of one and the access log holds no line for it.
 */
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/util.h"
#include "docs/docs.h"
#include "docs/entry.h"
#include "docs/internal.h"
#include "docs/rights.h"
#include "plugin/fold.h"
#include "plugin/kapi.h"
#include "storage/docfile.h"
#include "storage/docpath.h"
#include "storage/vault.h"

#define NREPOS 2 /* REPO_DOCUMENTS, REPO_CASES */

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

/* 1 if entry e of d matches the folded words q from what the index keeps:
 * a document's title; a confidential one's summary (the case's text is
 * sealed, and a list is no read of it).  Bodies are searched on the pool
 * (docs_list_search), never on the loop. */
static int matches(const docs_service *svc, const idx_doc *d, const json_t *e, const char *q)
{
    if (!docs_confidential(svc, d))
        return holds(docs_title(d), q);
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)e, k, v) if (!core_key(k) && holds(json_string_value(v), q))
        return 1;
    return 0;
}

/* A list being made: with a search's words, the documents whose body is
 * yet to be searched are noted (candidates) instead of being left out. */
typedef struct list_ask {
    const docs_filter *f;
    int bodies;              /* note candidates (docs_list_search) */
    const idx_doc **cands;   /* in id order */
    json_t *cand_entries;    /* their entries, in the same order */
    size_t ncands, cap;
    int rc; /* a history not read now (at=): no list rather than one without it */
} list_ask;

static void note_candidate(list_ask *a, const idx_doc *d, json_t *e)
{
    const idx_doc **v = util_grow(a->cands, &a->cap, a->ncands, sizeof(*v), 64);
    if (!v) { /* out of memory: this one's body is not searched */
        json_decref(e);
        return;
    }
    a->cands = v;
    a->cands[a->ncands++] = d;
    json_array_append_new(a->cand_entries, e);
}

static json_t *filtered(docs_service *svc, const auth_user *u, const idx_doc *d, const void *arg)
{
    list_ask *a = (list_ask *)arg;
    const docs_filter *f = a->f;
    const char *type = docs_type(d), *region = docs_region(d);
    /* As things stood at `at`: the stage and version then (type and region
     * never change). */
    idx_version at;
    /* A history that cannot be read now (the index logged it) fails the
     * list: left out, d would look as if it did not exist then. */
    int found = f->has_at ? docs_version_at(&at, NULL, d, f->at_ms) : 0;
    if (found < 0 && !a->rc)
        a->rc = found;
    const idx_version *then = found > 0 ? &at : NULL;
    const char *stage_now = f->has_at ? (then ? then->to : NULL) : docs_stage(d);
    if (!stage_now || !type || !region || (f->type && strcmp(f->type, type) != 0) ||
        (f->region && strcmp(f->region, region) != 0) ||
        (f->stage && strcmp(f->stage, stage_now) != 0) || !docs_may_read(svc, u, d) ||
        !overdue_as_asked(svc, d, f))
        return NULL;
    if (!f->has_at) {
        json_t *e = list_entry(svc, d);
        if (e && f->q && *f->q && !matches(svc, d, e, f->q)) {
            /* Never a confidential type's body: its text is sealed. */
            if (a->bodies && !docs_confidential(svc, d))
                note_candidate(a, d, e);
            else
                json_decref(e);
            e = NULL;
        }
        return e;
    }
    return json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", d->id, "type", type, "region", region,
                     "stage", then->to, "version", then->commit);
}

/* The list f asks for into *out; with bodies, a's candidates noted.  *q:
 * f's words folded (free it), or NULL. */
static int list_of(json_t **out, char **q, list_ask *a, docs_service *svc, const auth_user *u,
                   const docs_filter *f)
{
    docs_filter *g = (docs_filter *)a->f;
    *q = NULL;
    if (f->q && *f->q && !f->has_at) {
        /* Folded once here; an empty fold (only punctuation) asks for nothing. */
        if (!(*q = folded(f->q)))
            return KENES_ENOMEM;
        g->q = *q;
    }
    int rc = collect(out, svc, u, filtered, a);
    if (rc == 0 && a->rc < 0) {
        json_decref(*out);
        *out = NULL;
        rc = a->rc;
    }
    return rc;
}

int docs_list(json_t **out, docs_service *svc, const auth_user *u, const docs_filter *f)
{
    docs_filter g = *f;
    list_ask a = {.f = &g};
    char *q;
    int rc = list_of(out, &q, &a, svc, u, f);
    free(q);
    return rc;
}

/* ---- a search of bodies, on the thread pool ---- */

/* One search: the list as the index answers it (titles, summaries), the
 * candidates whose body is read on the pool (hit[i] set there), and the
 * reads still running (one per repository). */
typedef struct search {
    docs_cb cb;
    void *payload;
    json_t *list;
    list_ask a;
    char *q;
    const char **commits, **paths;
    char *pathbuf;           /* DOCPATH_MAX per candidate */
    char (*commitbuf)[41];   /* copies: a commit meanwhile changes d->version */
    size_t *order;           /* candidate i is read as the order[i]-th */
    unsigned char *hit;      /* per read, written on the pool */
    size_t nread, pending;
    int status;
} search;

/* One repository's share: reads [first, first + n) of s. */
typedef struct search_part {
    search *s;
    size_t first;
} search_part;

static void search_free(search *s)
{
    json_decref(s->list);
    json_decref(s->a.cand_entries);
    free(s->a.cands);
    free(s->q);
    free(s->commits);
    free(s->paths);
    free(s->pathbuf);
    free(s->commitbuf);
    free(s->order);
    free(s->hit);
    free(s);
}

/* On the pool: touches only its own text, s->q (read-only) and its byte of hit. */
static void search_visit(size_t i, const char *text, size_t len, void *arg)
{
    search_part *p = arg;
    json_t *doc = NULL;
    char err[64];
    if (!vault_is_sealed(text, len) && doc_parse(&doc, text, len, err, sizeof(err)) == 0 &&
        holds(doc_str(doc, "body"), p->s->q))
        p->s->hit[p->first + i] = 1;
    json_decref(doc);
}

static int by_id_entry(const void *a, const void *b)
{
    return strcmp(doc_str(*(json_t *const *)a, "id"), doc_str(*(json_t *const *)b, "id"));
}

/* Back on the loop, the last read done: the list with the documents whose
 * body matched, in id order. */
static void search_answer(search *s)
{
    json_t *list = s->list;
    for (size_t i = 0; i < s->a.ncands; i++)
        if (s->order[i] < s->nread && s->hit[s->order[i]])
            json_array_append(list, json_array_get(s->a.cand_entries, i));
    size_t n = json_array_size(list);
    json_t **v = malloc((n ? n : 1) * sizeof(*v));
    docs_result r = {.code = KENES_ENOMEM, .reason = "internal", .message = "out of memory"};
    if (v) {
        for (size_t i = 0; i < n; i++)
            v[i] = json_incref(json_array_get(list, i));
        qsort(v, n, sizeof(*v), by_id_entry);
        json_t *sorted = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(sorted, v[i]);
        free(v);
        r = (docs_result){.json = sorted};
        if (s->status < 0)
            log_warn("list", "a search of bodies was cut short (%d): titles only", s->status);
        s->cb(&r, s->payload);
        json_decref(sorted);
    } else {
        s->cb(&r, s->payload);
    }
}

/* One read (or the set-up) done: the answer goes with the last. */
static void search_step(search *s, int status)
{
    if (status < 0)
        s->status = status;
    if (--s->pending == 0) {
        search_answer(s);
        search_free(s);
    }
}

static void search_part_done(int status, void *payload)
{
    search_part *p = payload;
    search *s = p->s;
    free(p);
    search_step(s, status);
}

/* A candidate and when it last changed (its newest version). */
typedef struct ranked {
    int64_t t;
    const char *id;
    size_t i;
} ranked;

/* The most recently changed first; then by id. */
static int newest_first(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->t != y->t)
        return x->t > y->t ? -1 : 1;
    return strcmp(x->id, y->id);
}

/* Which candidates are read, and where: order[i] for candidate i (nread or
 * more: not read), reads grouped by repository.  0 or KENES_ENOMEM. */
static int search_plan(search *s, docs_service *svc)
{
    size_t n = s->a.ncands;
    ranked *rank = malloc((n ? n : 1) * sizeof(*rank));
    s->order = malloc((n ? n : 1) * sizeof(*s->order));
    s->nread = n < DOCS_SEARCH_BODIES ? n : DOCS_SEARCH_BODIES;
    s->hit = calloc(s->nread ? s->nread : 1, 1);
    s->commits = malloc((s->nread ? s->nread : 1) * sizeof(*s->commits));
    s->paths = malloc((s->nread ? s->nread : 1) * sizeof(*s->paths));
    s->pathbuf = malloc((s->nread ? s->nread : 1) * DOCPATH_MAX);
    s->commitbuf = malloc((s->nread ? s->nread : 1) * sizeof(*s->commitbuf));
    if (!rank || !s->order || !s->hit || !s->commits || !s->paths || !s->pathbuf ||
        !s->commitbuf) {
        free(rank);
        return KENES_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        const idx_doc *d = s->a.cands[i];
        rank[i] = (ranked){index_head(d) ? index_head(d)->time_ms : 0, d->id, i};
        s->order[i] = SIZE_MAX;
    }
    qsort(rank, n, sizeof(*rank), newest_first);
    /* The first nread by recency, grouped by repository (one read each). */
    size_t k = 0;
    for (int repo = 0; repo < NREPOS; repo++)
        for (size_t r = 0; r < s->nread; r++) {
            const idx_doc *d = s->a.cands[rank[r].i];
            if (d->repo != repo)
                continue;
            char *path = s->pathbuf + k * DOCPATH_MAX;
            if (docs_path(path, DOCPATH_MAX, svc, d, ".md") < 0)
                path[0] = '\0';
            s->paths[k] = path;
            memcpy(s->commitbuf[k], d->version, sizeof(s->commitbuf[k]));
            s->commits[k] = s->commitbuf[k];
            s->order[rank[r].i] = k++;
        }
    free(rank);
    return 0;
}

/* The reads of repository repo: [first, first + n) of s. */
static int search_submit(search *s, docs_service *svc, int repo, size_t first, size_t n)
{
    search_part *p = malloc(sizeof(*p));
    if (!p)
        return KENES_ENOMEM;
    *p = (search_part){s, first};
    s->pending++;
    int rc = store_scan_submit(svc->repos[repo], s->commits + first, s->paths + first, n,
                               search_visit, search_part_done, p);
    if (rc < 0) {
        s->pending--;
        free(p);
    }
    return rc;
}

void docs_list_search(docs_service *svc, const auth_user *u, const docs_filter *f, docs_cb cb,
                      void *payload)
{
    docs_result oom = {.code = KENES_ENOMEM, .reason = "internal", .message = "out of memory"};
    search *s = calloc(1, sizeof(*s));
    if (!s) {
        cb(&oom, payload);
        return;
    }
    docs_filter g = *f;
    *s = (search){.cb = cb, .payload = payload,
                  .a = {.f = &g, .bodies = 1, .cand_entries = json_array()}};
    int rc = list_of(&s->list, &s->q, &s->a, svc, u, f);
    s->a.f = NULL; /* g is gone once this returns */
    if (rc == 0 && s->a.ncands)
        rc = search_plan(s, svc);
    if (rc < 0) {
        cb(&oom, payload);
        search_free(s);
        return;
    }
    /* One read per repository that holds candidates; none: answered now. */
    s->pending = 1;
    size_t first = 0;
    for (int repo = 0; repo < NREPOS; repo++) {
        size_t n = 0;
        for (size_t i = 0; i < s->a.ncands; i++)
            n += s->order[i] < s->nread && s->a.cands[i]->repo == repo;
        if (n && search_submit(s, svc, repo, first, n) < 0)
            s->status = KENES_EIO; /* that repository's bodies are not searched */
        first += n;
    }
    search_step(s, 0);
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

/* d's workflow when d may be in u's inbox at all, else NULL. */
static const wf_workflow *inbox_workflow(const docs_service *svc, const auth_user *u,
                                         const idx_doc *d)
{
    const wf_workflow *wf = wf_set_find(svc->workflows, docs_type(d));
    /* An admin's override is for support, not a to-do list. */
    if (!wf || u->role == ROLE_ADMIN || docs_erased(svc, d) || !docs_may_read(svc, u, d))
        return NULL;
    return wf;
}

int docs_in_inbox(const docs_service *svc, const auth_user *u, const idx_doc *d)
{
    const wf_workflow *wf = inbox_workflow(svc, u, d);
    if (!wf)
        return 0;
    if (reminded(svc, wf, u, d))
        return 1;
    json_t *actions = open_actions(svc, wf, u, d);
    int any = json_array_size(actions) > 0;
    json_decref(actions);
    return any;
}

static json_t *to_do(docs_service *svc, const auth_user *u, const idx_doc *d, const void *arg)
{
    (void)arg;
    const wf_workflow *wf = inbox_workflow(svc, u, d);
    if (!wf)
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
