/*
 * One document's JSON on demand: the cache, the reads on the thread pool,
 * and the bookkeeping of who may not lose d->doc now (fetch.h).
 *
 * Everything here runs on the loop but the file read itself (store.c's
 * pool job, with its own repository handle).  Eviction happens only when
 * something is put in, so code that runs straight after a fetch, without
 * going back to the loop, finds d->doc still there.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/lru.h"
#include "base/map.h"
#include "docs/entry.h"
#include "docs/fetch.h"
#include "docs/internal.h"
#include "docs/resident.h"
#include "docs/rights.h"
#include "storage/docfile.h"

/* A parsed tree takes several times its file's bytes (jansson's nodes and
 * hash tables); the bound counts that, not the file. */
#define FETCH_WEIGHT 6
#define FETCH_ENTRY_BYTES 256

typedef struct fetch_entry {
    char *key; /* "<id>@<version>" */
    idx_doc *d;
    char version[41];
    json_t *doc;
    lru_node node;
} fetch_entry;

typedef struct fetch_waiter {
    docs_fetch_cb cb;
    void *payload;
    int current; /* asked for d's current version */
    struct fetch_waiter *next;
} fetch_waiter;

typedef struct fetch_job {
    store_read r;
    docs_service *svc;
    idx_doc *d;
    char key[300];
    char path[300];
    char key_file[4096]; /* a sealed document's key file, read by the same job */
    fetch_waiter *waiters;
} fetch_job;

struct docs_cache {
    map *entries; /* key -> fetch_entry */
    map *pending; /* key -> fetch_job: one read per key however many wait */
    lru lru;      /* the entries, bounded by index.cache_mib */
    docs_cache_stats stats; /* reads and hits; the rest is the list's */
};

void (*docs_fetch_read_hook)(const char *id, const char *version);

/* e out of the list: out of the map too, and d->doc goes with it when it
 * was lent from e. */
static void forget(lru_node *n, void *payload)
{
    docs_cache *c = payload;
    fetch_entry *e = LRU_ENTRY(n, fetch_entry, node);
    map_remove(c->entries, e->key);
    if (e->d->doc == e->doc && strcmp(e->d->version, e->version) == 0) {
        json_decref(e->d->doc);
        e->d->doc = NULL;
    }
    json_decref(e->doc);
    free(e->key);
    free(e);
}

/* 1 if e is d's current version and d may not lose it now. */
static int pinned(const lru_node *n, void *payload)
{
    (void)payload;
    const fetch_entry *e = LRU_ENTRY(n, const fetch_entry, node);
    return (e->d->busy || e->d->pins > 0) && strcmp(e->d->version, e->version) == 0;
}

int docs_cache_new(docs_cache **out, size_t max_bytes)
{
    docs_cache *c = calloc(1, sizeof(*c));
    if (!c || map_new(&c->entries) < 0 || map_new(&c->pending) < 0) {
        if (c) {
            map_free(c->entries);
            free(c);
        }
        return KENES_ENOMEM;
    }
    lru_init(&c->lru, max_bytes, pinned, forget, c);
    *out = c;
    return 0;
}

static void drop_entry(docs_cache *c, fetch_entry *e)
{
    lru_remove(&c->lru, &e->node);
    forget(&e->node, c);
}

void docs_cache_free(docs_cache *c, doc_index *ix)
{
    (void)ix;
    if (!c)
        return;
    lru_clear(&c->lru);
    /* A read still on the pool finds no cache: server.c frees it after the
     * loop has stopped, when none is. */
    map_free(c->entries);
    map_free(c->pending);
    free(c);
}

void docs_cache_stats_of(docs_cache_stats *out, const docs_cache *c)
{
    *out = c ? c->stats : (docs_cache_stats){0};
    if (c) {
        out->evicted = c->lru.evicted;
        out->entries = c->lru.count;
        out->bytes = c->lru.bytes;
    }
}

static void make_key(char *out, size_t cap, const idx_doc *d, const char *version)
{
    snprintf(out, cap, "%s@%s", d->id, version);
}

/* Put doc (a reference taken) in c as d at version; d->doc lent it when
 * that is d's current version. */
static void put(docs_cache *c, idx_doc *d, const char *version, json_t *doc, size_t len)
{
    char key[300];
    make_key(key, sizeof(key), d, version);
    fetch_entry *e = map_get(c->entries, key);
    if (e) {
        lru_touch(&c->lru, &e->node);
    } else if (!(e = calloc(1, sizeof(*e))) || !(e->key = strdup(key)) ||
               map_set(c->entries, key, e) < 0) {
        if (e)
            free(e->key);
        free(e);
        e = NULL; /* not kept: d->doc below still holds it while it is current */
    } else {
        e->d = d;
        snprintf(e->version, sizeof(e->version), "%s", version);
        e->doc = json_incref(doc);
        lru_insert(&c->lru, &e->node, len * FETCH_WEIGHT + FETCH_ENTRY_BYTES);
    }
    if (strcmp(d->version, version) == 0 && d->doc != (e ? e->doc : doc))
        index_set_doc(d, json_incref(e ? e->doc : doc));
    lru_trim(&c->lru, e ? &e->node : NULL);
}

static int open_parse(json_t **out, const docs_service *svc, const idx_doc *d, const char *buf,
                      size_t len, int kept);

const json_t *docs_fetch_now(const docs_service *svc, const idx_doc *cd)
{
    /* The cache and d->doc are the loop's scratch, which a reader that may
     * not change d (a rights check, a page) fills all the same. */
    idx_doc *d = (idx_doc *)cd;
    if (d->doc || !d->text || !svc->cache || !d->version[0])
        return d->doc && docs_fetch_ready((docs_service *)svc, d) ? d->doc : NULL;
    json_t *doc = NULL;
    /* A sealed text's key is in memory (resident.h): the restore unwrapped
     * it, and a commit sealed with it; nothing is read here. */
    if (open_parse(&doc, svc, d, d->text, d->text_len, 1) < 0) {
        /* Logged; read from git from now on (docs_fetch), which keeps the
         * text anew (job_done). */
        index_set_text(d, NULL, 0);
        return NULL;
    }
    put(svc->cache, d, d->version, doc, d->text_len);
    json_decref(doc);
    return d->doc;
}

int docs_fetch_ready(docs_service *svc, idx_doc *d)
{
    if (!d->doc)
        return d->text && docs_fetch_now(svc, d) != NULL;
    if (svc->cache) {
        char key[300];
        make_key(key, sizeof(key), d, d->version);
        fetch_entry *e = map_get(svc->cache->entries, key);
        if (e)
            lru_touch(&svc->cache->lru, &e->node);
        svc->cache->stats.hits++;
    }
    return 1;
}

void docs_fetch_pin(idx_doc *d)
{
    d->pins++;
}

void docs_fetch_unpin(docs_service *svc, idx_doc *d)
{
    if (d->pins > 0)
        d->pins--;
    if (d->pins == 0 && !d->busy && svc->cache)
        lru_trim(&svc->cache->lru, NULL);
}

/* ---- a miss ---- */

/* A stored file (kept 0) or a resident document's kept text (kept 1: its
 * JSON) as the document's JSON: opened with its key when sealed, parsed, a
 * former stage named as today. */
static int open_parse(json_t **out, const docs_service *svc, const idx_doc *d, const char *buf,
                      size_t len, int kept)
{
    char *text = (char *)buf, err[256]; /* freed only when unsealed here */
    size_t tlen = len;
    int rc = 0;
    if (vault_is_sealed(buf, len)) {
        if (docs_key_unavailable(svc, d))
            return KENES_EUNAVAILABLE;
        rc = vault_unseal(svc->vault, d->id, buf, len, &text, &tlen);
        if (rc == KENES_ENOTFOUND)
            return KENES_EGONE;
        if (rc < 0)
            return KENES_EIO;
    }
    json_error_t jerr;
    if (!kept)
        rc = doc_parse(out, text, tlen, err, sizeof(err));
    else if (!(*out = json_loadb(text, tlen, 0, &jerr)) || !json_is_object(*out)) {
        snprintf(err, sizeof(err), "its kept text: %s", jerr.text);
        json_decref(*out);
        *out = NULL;
        rc = KENES_EINVAL;
    }
    if (text != buf) {
        sodium_memzero(text, tlen); /* a case in the clear: not left in freed memory */
        free(text);
    }
    if (rc < 0) {
        log_error("store", "%s: its file does not parse: %s", d->id, err);
        return KENES_EIO;
    }
    const char *type = doc_str(*out, "type"), *stage = doc_str(*out, "stage");
    const wf_workflow *wf = type ? wf_set_find(svc->workflows, type) : NULL;
    if (wf && stage && wf_is_former_stage(wf, stage))
        json_object_set_new(*out, "stage", json_string(wf_stage_now(wf, stage)));
    return 0;
}

static void job_done(store_read *r, void *payload)
{
    fetch_job *j = payload;
    docs_service *svc = j->svc;
    idx_doc *d = j->d;
    json_t *doc = NULL;
    int rc = r->status == 0 ? 0 : r->status == KENES_ENOTFOUND ? KENES_EIO : r->status;
    if (svc->cache) {
        map_remove(svc->cache->pending, j->key);
        svc->cache->stats.reads++;
    }
    if (docs_fetch_read_hook)
        docs_fetch_read_hook(d->id, r->commit);
    /* Its key as the job found it: unwrapped if only listed, or the case
     * unavailable if the file is gone. */
    int krc = r->side_path ? docs_key_settle(svc, d->id, r->side_status, r->side, r->side_len) : 0;
    free(r->side);
    if (krc < 0)
        rc = krc;
    if (rc == 0)
        rc = open_parse(&doc, svc, d, r->result, r->result_len, 0);
    if (rc < 0 && rc != KENES_EUNAVAILABLE) /* that one is logged once, by docs_key_settle */
        log_warn("store", "%s at %.12s cannot be read (%d)", d->id, r->commit, rc);
    free(r->result);
    /* A resident document whose text did not open (docs_fetch_now) has it
     * again from what was read. */
    if (rc == 0 && svc->cache && !d->text && strcmp(d->version, r->commit) == 0 &&
        docs_resident(svc, d))
        docs_resident_keep(svc, d, doc);
    if (rc == 0 && svc->cache)
        put(svc->cache, d, r->commit, doc, r->result_len);
    else if (rc == 0 && strcmp(d->version, r->commit) == 0)
        index_set_doc(d, json_incref(doc)); /* no cache (a tool, a test): kept for good */
    /* Each waiter answered on its own: one may start the next read.  d is
     * pinned until the last is answered: what an earlier one does (a
     * request handled again that parses or commits others) must not push
     * it out before a later one reads it (docs_fetch_redo's docs_find). */
    docs_fetch_pin(d);
    for (fetch_waiter *w = j->waiters, *next; w; w = next) {
        next = w->next;
        if (rc == 0 && w->current && d->doc)
            w->cb(0, d->doc, w->payload); /* a commit since the read started: that one */
        else
            w->cb(rc, rc == 0 ? doc : NULL, w->payload);
        free(w);
    }
    /* Unpinned without a trim: the one just read stays over the bound, as
     * put() left it, until the next document goes in. */
    if (d->pins > 0)
        d->pins--;
    json_decref(doc);
    free(j);
}

void docs_fetch(docs_service *svc, idx_doc *d, const char *version, docs_fetch_cb cb,
                void *payload)
{
    int current = !version || strcmp(version, d->version) == 0;
    if (current && docs_fetch_ready(svc, d)) {
        cb(0, d->doc, payload);
        return;
    }
    if (!version)
        version = d->version;
    if (!version[0]) {
        cb(KENES_ENOTFOUND, NULL, payload);
        return;
    }
    if (docs_key_unavailable(svc, d)) { /* nothing to open it with: no read */
        cb(KENES_EUNAVAILABLE, NULL, payload);
        return;
    }
    char key[300];
    make_key(key, sizeof(key), d, version);
    fetch_entry *e = svc->cache ? map_get(svc->cache->entries, key) : NULL;
    if (e) {
        lru_touch(&svc->cache->lru, &e->node);
        svc->cache->stats.hits++;
        cb(0, e->doc, payload);
        return;
    }
    fetch_waiter *w = calloc(1, sizeof(*w));
    if (!w) {
        cb(KENES_ENOMEM, NULL, payload);
        return;
    }
    *w = (fetch_waiter){.cb = cb, .payload = payload, .current = current};
    fetch_job *j = svc->cache ? map_get(svc->cache->pending, key) : NULL;
    if (j) {
        w->next = j->waiters;
        j->waiters = w;
        return;
    }
    if (!(j = calloc(1, sizeof(*j)))) {
        free(w);
        cb(KENES_ENOMEM, NULL, payload);
        return;
    }
    j->svc = svc;
    j->d = d;
    j->waiters = w;
    snprintf(j->key, sizeof(j->key), "%s", key);
    docs_path(j->path, sizeof(j->path), svc, d, ".md");
    j->r.kind = STORE_READ_FILE;
    j->r.path = j->path;
    if (docs_key_read_path(j->key_file, sizeof(j->key_file), svc, d))
        j->r.side_path = j->key_file;
    snprintf(j->r.commit, sizeof(j->r.commit), "%s", version);
    if ((svc->cache && map_set(svc->cache->pending, key, j) < 0) ||
        store_read_submit(docs_store(svc, d), &j->r, job_done, j) < 0) {
        if (svc->cache)
            map_remove(svc->cache->pending, key);
        free(j);
        free(w);
        cb(KENES_EIO, NULL, payload);
    }
}

/* ---- after a commit, and at start ---- */

void docs_fetch_keep(docs_service *svc, idx_doc *d, json_t *doc, size_t len)
{
    docs_cache *c = svc->cache;
    /* What was kept of d goes: an older version is read from git again if
     * asked, and an erased case's text must not outlive its key. */
    for (lru_node *n = c ? c->lru.newest : NULL, *older; n; n = older) {
        older = n->older;
        fetch_entry *e = LRU_ENTRY(n, fetch_entry, node);
        if (e->d == d)
            drop_entry(c, e);
    }
    index_set_text(d, NULL, 0);
    /* A resident document keeps its text and is parsed on use like the
     * others; one whose text cannot be made (an erased case: no key left
     * to seal it) keeps its JSON, as without a cache. */
    if (!c || (docs_resident(svc, d) && docs_resident_keep(svc, d, doc) < 0)) {
        index_set_doc(d, doc);
        return;
    }
    put(c, d, d->version, doc, len);
    json_decref(doc);
}

static int settle_one(idx_doc *d, void *payload)
{
    docs_service *svc = payload;
    if (!d->doc)
        return 0;
    /* The start-up load kept each entry as it read the document (the
     * entry maps a former stage itself): computed again it is the same. */
    int rc = d->entry.kept ? 0 : docs_entry_keep(svc, d, d->doc);
    if (rc < 0)
        return rc;
    if (!svc->cache)
        return 0;
    /* A resident document read at start (its JSON not restored from the
     * snapshot) is kept as text like the others (resident.h). */
    if (docs_resident(svc, d) && !d->text && docs_resident_keep(svc, d, d->doc) < 0)
        return 0;
    index_set_doc(d, NULL);
    return 0;
}

int docs_fetch_settle(docs_service *svc)
{
    return index_foreach(svc->index, settle_one, svc);
}

/* ---- continuations ---- */

typedef struct first_op {
    void (*again)(void *args);
    void (*fail)(int code, void *args);
    void *args;
    docs_service *svc;
    idx_doc *d;
} first_op;

static void first_done(int code, const json_t *doc, void *payload)
{
    (void)doc;
    first_op *op = payload;
    first_op o = *op;
    free(op);
    if (code == 0 && o.d->doc) {
        /* Pinned while the caller runs again: a fetch it starts itself (a
         * document its plugin asks for) must not push this one out. */
        docs_fetch_pin(o.d);
        o.again(o.args);
        docs_fetch_unpin(o.svc, o.d);
    } else {
        o.fail(code < 0 ? code : KENES_EBUSY, o.args);
    }
}

int docs_fetch_first(docs_service *svc, idx_doc *d, void (*again)(void *args),
                     void (*fail)(int code, void *args), void *args)
{
    if (docs_fetch_ready(svc, d))
        return 0;
    first_op *op = malloc(sizeof(*op));
    if (!op) {
        fail(KENES_ENOMEM, args);
        return 1;
    }
    *op = (first_op){again, fail, args, svc, d};
    docs_fetch(svc, d, NULL, first_done, op);
    return 1;
}

typedef struct redo_op {
    void (*redo)(void *req, void *ctx);
    void *req, *ctx;
    docs_service *svc;
    idx_doc *d;
    int reads;
} redo_op;

static void *redoing; /* the request handled again now: not fetched twice */

/* Reads of one request's document before it is handled again all the
 * same: each new one follows a commit that landed during the read before
 * and whose JSON already left the cache (docs_find answers then). */
#define REDO_MAX_READS 3

static void redo_done(int code, const json_t *doc, void *payload)
{
    (void)doc;
    redo_op *p = payload;
    /* Read, but a commit made another version current meanwhile and it is
     * no longer in memory: that one is read, or docs_find would answer
     * "storage" for a document that reads well. */
    if (code == 0 && p->d && ++p->reads < REDO_MAX_READS && !docs_fetch_ready(p->svc, p->d)) {
        docs_fetch(p->svc, p->d, NULL, redo_done, p);
        return;
    }
    /* A failure is answered by docs_find or the operation's own fetch. */
    redo_op op = *p;
    free(payload);
    redoing = op.req;
    op.redo(op.req, op.ctx);
    redoing = NULL;
}

static void redo_again(void *args)
{
    redo_done(0, NULL, args);
}

static void redo_failed(int code, void *args)
{
    redo_done(code, NULL, args);
}

int docs_fetch_redo(docs_service *svc, const auth_user *u, const char *id,
                    void (*redo)(void *req, void *ctx), void *req, void *ctx)
{
    idx_doc *d = id ? index_get(svc->index, id) : NULL;
    /* Rights first, from the index entry: a request that will be refused
     * spends no read, and learns nothing of the file (docs_find). */
    if (!d || !d->version[0] || redoing == req || docs_key_unavailable(svc, d) ||
        (u && !docs_may_read_early(svc, u, d)))
        return 0;
    int ready = docs_fetch_ready(svc, d);
    if (ready && !vault_key_listed(svc->vault, d->id))
        return 0;
    redo_op *op = malloc(sizeof(*op));
    if (!op)
        return 0; /* the operation's own fetch answers then */
    *op = (redo_op){redo, req, ctx, svc, d, 0};
    /* At hand but its key only listed: the key alone, on the pool. */
    if (ready)
        return docs_key_first(svc, d, redo_again, redo_failed, op);
    docs_fetch(svc, d, NULL, redo_done, op);
    return 1;
}

void docs_fetch_refuse(int code, docs_cb cb, void *payload)
{
    if (code == KENES_EGONE)
        docs_refuse(cb, payload, code, "gone", NULL, "this case was erased");
    else if (code == KENES_EUNAVAILABLE)
        docs_refuse(cb, payload, code, "case_key_unavailable", NULL,
                    "this document's key cannot be read now");
    else if (code == KENES_ENOMEM)
        docs_refuse(cb, payload, code, "internal", NULL, "out of memory");
    else if (code == KENES_EBUSY)
        docs_refuse(cb, payload, code, "busy", NULL, "the document could not be kept in memory; try again");
    else
        docs_refuse(cb, payload, KENES_EIO, "storage", NULL, "the document cannot be read now");
}

/* ---- the documents a plugin asks for while it judges ---- */

#define FETCH_MAX_MISSES 64

static idx_doc *missed[FETCH_MAX_MISSES];
static size_t nmissed;

void docs_fetch_note_miss(docs_service *svc, idx_doc *d)
{
    (void)svc;
    for (size_t i = 0; i < nmissed; i++)
        if (missed[i] == d)
            return;
    if (nmissed < FETCH_MAX_MISSES)
        missed[nmissed++] = d;
}

size_t docs_fetch_misses(void)
{
    return nmissed;
}

idx_doc *docs_fetch_miss_at(size_t i)
{
    return i < nmissed ? missed[i] : NULL;
}

void docs_fetch_clear_misses(void)
{
    nmissed = 0;
}

typedef struct refs_op {
    docs_service *svc;
    void (*then)(void *args);
    void *args;
    size_t left;
    idx_doc *docs[FETCH_MAX_MISSES];
    size_t n;
} refs_op;

static void ref_done(int code, const json_t *doc, void *payload)
{
    (void)code;
    (void)doc;
    refs_op *op = payload;
    if (--op->left > 0)
        return;
    op->then(op->args);
    for (size_t i = 0; i < op->n; i++)
        docs_fetch_unpin(op->svc, op->docs[i]);
    free(op);
}

int docs_fetch_missed(docs_service *svc, void (*then)(void *args), void *args)
{
    size_t n = nmissed;
    nmissed = 0;
    if (n == 0)
        return 0;
    refs_op *op = calloc(1, sizeof(*op));
    if (!op)
        return 0; /* judged without them: a plugin refuses what it cannot see */
    *op = (refs_op){.svc = svc, .then = then, .args = args, .left = n, .n = n};
    memcpy(op->docs, missed, n * sizeof(missed[0]));
    /* Pinned from now on, so that reading the last does not push out the
     * first, until the write has been judged with all of them. */
    for (size_t i = 0; i < n; i++)
        docs_fetch_pin(op->docs[i]);
    /* A guard against a callback that runs at once: one more than the reads. */
    op->left++;
    for (size_t i = 0; i < n; i++)
        docs_fetch(svc, op->docs[i], NULL, ref_done, op);
    ref_done(0, NULL, op);
    return 1;
}
