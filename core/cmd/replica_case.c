#include "cmd/replica_case.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/error.h"
#include "base/log.h"
#include "base/map.h"
#include "base/util.h"
#include "docs/entry.h"
#include "docs/fetch.h"
#include "storage/docfile.h"
#include "storage/docpath.h"
#include "storage/store.h"
#include "storage/vault.h"

int replica_case_read(replica_case *c, store *s, const vault *v, const char *id,
                      const char *commit, char *err, size_t errcap)
{
    char path[DOCPATH_MAX];
    memset(c, 0, sizeof(*c));
    docpath_of(path, sizeof(path), id, ".md", DOCPATH_FANOUT);
    int rc = store_read_at(s, &c->text, &c->len, commit, path);
    if (rc < 0) {
        snprintf(err, errcap, "%s is missing at %.12s", path, commit);
        return rc;
    }
    vault_key_path(v, id, c->key_path, sizeof(c->key_path));
    if (!c->key_path[0])
        return 0;
    if (!vault_is_sealed(c->text, c->len)) {
        /* Erased on the primary, whose key file is gone: this copy goes too. */
        c->key_removed = unlink(c->key_path) == 0;
        return 0;
    }
    if (util_read_file(&c->key, &c->key_len, c->key_path) < 0)
        c->key = NULL; /* not here (yet): the case answers 503 */
    return 0;
}

/* Why id cannot be opened here, recorded once. */
static int unavailable(vault *v, const char *id, const char *why)
{
    if (!vault_unavailable(v, id)) {
        if (vault_set_unavailable(v, id, why) < 0)
            return KENES_ENOMEM;
        log_error("replica", "%s: %s; it answers 503 (case_key_unavailable) here until its "
                  "file is there (looked for every second)", id, why);
    }
    return KENES_EUNAVAILABLE;
}

int replica_case_open(json_t **out, size_t *len, docs_service *svc, replica_case *c,
                      const char *id)
{
    vault *v = svc->vault;
    char why[4400], err[300], *plain = NULL;
    size_t plen = c->len;
    *out = NULL;
    *len = 0;
    if (!vault_is_sealed(c->text, c->len)) {
        if (vault_has_key(v, id))
            vault_forget_key(v, id); /* erased: its history stays, nothing else */
        if (c->key_removed)
            log_info("replica", "%s: erased on the primary: this replica's copy of its key "
                     "file is removed", id);
        *len = c->len;
        return doc_parse(out, c->text, c->len, err, sizeof(err));
    }
    if (!vault_has_key(v, id) && !vault_unavailable(v, id) && c->key)
        vault_key_arrived(v, id);
    if (!vault_has_key(v, id)) {
        snprintf(why, sizeof(why), "its key file %s has not reached this replica: copy "
                 "DATA/keys/cases/ from the primary", c->key_path);
        return unavailable(v, id, why);
    }
    /* The bytes read on the pool: the loop reads no key file. */
    if (vault_key_listed(v, id) && c->key &&
        vault_key_supply(v, id, c->key, c->key_len) == KENES_EUNAVAILABLE)
        return KENES_EUNAVAILABLE; /* recorded by the vault: a damaged or foreign key */
    int rc = vault_unseal(v, id, c->text, c->len, &plain, &plen);
    if (rc == KENES_ENOTFOUND || rc == KENES_EUNAVAILABLE)
        return KENES_EUNAVAILABLE;
    if (rc < 0) {
        snprintf(why, sizeof(why), "its file does not open with the key this replica holds "
                 "(%s): the primary's DATA/keys/master.key is needed here too",
                 kenes_strerror(rc));
        return unavailable(v, id, why);
    }
    *len = plen;
    rc = doc_parse(out, plain, plen, err, sizeof(err));
    sodium_memzero(plain, plen); /* a case in the clear, as docs/fetch.c leaves none */
    free(plain);
    return rc;
}

void replica_case_dispose(replica_case *c)
{
    free(c->text);
    if (c->key) /* a key file's bytes, wiped as vault.c wipes the ones it reads */
        sodium_memzero(c->key, c->key_len);
    free(c->key);
    memset(c, 0, sizeof(*c));
}

/* ---- cases waiting for their key file ---- */

struct replica_waits {
    map *ids; /* id -> &waiting */
};

static const char waiting = 1;

typedef struct wait_one {
    char *id;
    char at[41];
    replica_case c;
    int read; /* its key file was there, and the case file read */
} wait_one;

struct replica_wait_look {
    wait_one *each;
    size_t n;
};

int replica_waits_new(replica_waits **out)
{
    replica_waits *w = calloc(1, sizeof(*w));
    *out = NULL;
    if (!w || map_new(&w->ids) < 0) {
        free(w);
        return KENES_ENOMEM;
    }
    *out = w;
    return 0;
}

void replica_waits_free(replica_waits *w)
{
    if (!w)
        return;
    map_free(w->ids);
    free(w);
}

int replica_waits_add(replica_waits *w, const char *id)
{
    return map_set(w->ids, id, (void *)&waiting);
}

size_t replica_waits_count(const replica_waits *w)
{
    return w ? map_count(w->ids) : 0;
}

typedef struct seed_ctx {
    replica_waits *w;
    const vault *v;
} seed_ctx;

static int seed_one(idx_doc *d, void *payload)
{
    seed_ctx *k = payload;
    if (d->repo != REPO_CASES || !vault_unavailable(k->v, d->id))
        return 0;
    return replica_waits_add(k->w, d->id);
}

int replica_waits_seed(replica_waits *w, docs_service *svc)
{
    seed_ctx k = {w, svc->vault};
    return index_foreach(svc->index, seed_one, &k);
}

int replica_wait_look_new(replica_wait_look **out, const replica_waits *w,
                          const docs_service *svc)
{
    *out = NULL;
    size_t n = replica_waits_count(w);
    if (!n)
        return 0;
    replica_wait_look *l = calloc(1, sizeof(*l));
    if (!l || !(l->each = calloc(n, sizeof(*l->each)))) {
        free(l);
        return KENES_ENOMEM;
    }
    *out = l;
    map_iter it;
    const char *id;
    void *value;
    map_iter_init(&it, w->ids);
    while (l->n < n && map_iter_next(&it, &id, &value)) {
        const idx_doc *d = index_get(svc->index, id);
        if (!d || !d->version[0])
            continue;
        wait_one *o = &l->each[l->n];
        if (!(o->id = strdup(id)))
            return KENES_ENOMEM; /* the caller frees what is made */
        memcpy(o->at, d->version, sizeof(o->at));
        l->n++;
    }
    return 0;
}

void replica_wait_look_run(replica_wait_look *l, store *s, const vault *v)
{
    char path[4096], err[300];
    for (size_t i = 0; l && i < l->n; i++) {
        wait_one *o = &l->each[i];
        vault_key_path(v, o->id, path, sizeof(path));
        /* One failed open a second for each while it has not come. */
        if (path[0] && access(path, F_OK) == 0)
            o->read = replica_case_read(&o->c, s, v, o->id, o->at, err, sizeof(err)) == 0 &&
                      o->c.key;
    }
}

void replica_wait_look_settle(replica_wait_look *l, replica_waits *w, docs_service *svc)
{
    for (size_t i = 0; l && i < l->n; i++) {
        wait_one *o = &l->each[i];
        idx_doc *d = index_get(svc->index, o->id);
        json_t *doc = NULL;
        size_t len = 0;
        if (!o->read || !d || strcmp(d->version, o->at) != 0)
            continue; /* not come yet, or a newer version came meanwhile: looked at again */
        map_remove(w->ids, o->id);
        if (vault_key_arrived(svc->vault, o->id) < 0 ||
            replica_case_open(&doc, &len, svc, &o->c, o->id) < 0) {
            log_error("replica", "%s: its key file came but does not open (%s); it answers 503 "
                      "(case_key_unavailable) until the primary's key file is copied in and "
                      "the replica restarted", o->id,
                      vault_unavailable(svc->vault, o->id) ? vault_unavailable(svc->vault, o->id)
                                                           : "out of memory");
            json_decref(doc);
            continue;
        }
        if (docs_entry_keep(svc, d, doc) < 0)
            log_error("index", "%s: its index entry could not be kept (out of memory)", d->id);
        docs_fetch_keep(svc, d, doc, len);
        log_info("replica", "%s: its key file has reached this replica: served from now on",
                 o->id);
    }
}

void replica_wait_look_free(replica_wait_look *l)
{
    for (size_t i = 0; l && i < l->n; i++) {
        free(l->each[i].id);
        replica_case_dispose(&l->each[i].c);
    }
    if (l)
        free(l->each);
    free(l);
}
