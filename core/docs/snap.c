#include "docs/snap.h"

#include <dirent.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/log.h"
#include "base/util.h"
#include "docs/datadir.h"
#include "docs/entry.h"
#include "docs/resident.h"
#include "storage/snapshot.h"
#include "storage/vault.h"

/* Bumped when what an entry holds changes in a way the binary's own bytes
 * would not show (they always do today; this is the format's name). */
#define SNAP_RULES "kenes-index-entries-2"

struct docs_snaps {
    docs_service *svc;
    char path[2][4200];
    unsigned char digest[SNAP_DIGEST_BYTES];
    unsigned char *keys; /* sodium_malloc: 2 * SNAP_KEY_BYTES */
    size_t every;
    size_t commits[2]; /* since the last snapshot was started */
    int saving[2];     /* a write on the pool */
    int again[2];      /* asked again while one was being written */
    size_t read_other[2]; /* documents not resident read at start */
    size_t docs_restored[2]; /* resident documents' JSON from the snapshot */
};

/* A snapshot on its way: gathered on the loop a slice per turn (an idle
 * handle: requests are answered between slices), then written on the pool. */
typedef struct save_job {
    uv_idle_t idle;
    uv_work_t work;
    docs_snaps *s;
    int repo;
    snap_writer *w;
    idx_doc **all; /* the committed documents when it began, by id */
    size_t n, at;
    size_t count, docs; /* entries, and resident documents kept with theirs */
    uint64_t gather_ns;  /* what gathering cost the loop, in all */
    int rc;
} save_job;

/* Documents gathered per turn of the loop: a few milliseconds. */
#define SNAP_SLICE 500

/* ---- the digest: what the entries were computed with ---- */

static void hash_file(crypto_generichash_state *st, const char *path)
{
    FILE *f = fopen(path, "rb");
    char buf[65536];
    size_t n;
    /* The name too: a file gone or come is a change. */
    crypto_generichash_update(st, (const unsigned char *)path, strlen(path) + 1);
    if (!f)
        return;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        crypto_generichash_update(st, (const unsigned char *)buf, n);
    fclose(f);
}

/* Every file of dir, in the order of their names (not below it: the
 * workflows and plugins folders are flat). */
static void hash_dir(crypto_generichash_state *st, const char *dir)
{
    struct dirent **names = NULL;
    int n = dir ? scandir(dir, &names, NULL, alphasort) : -1;
    for (int i = 0; i < n; i++) {
        if (names[i]->d_name[0] != '.') {
            char path[4200];
            snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
            hash_file(st, path);
        }
        free(names[i]);
    }
    free(names);
}

static void take_digest(unsigned char out[SNAP_DIGEST_BYTES], const config *cfg)
{
    crypto_generichash_state st;
    char path[4200];
    crypto_generichash_init(&st, NULL, 0, SNAP_DIGEST_BYTES);
    crypto_generichash_update(&st, (const unsigned char *)SNAP_RULES, sizeof(SNAP_RULES));
    /* The binary itself: another build may compute entries differently. */
    hash_file(&st, "/proc/self/exe");
    hash_dir(&st, cfg->workflows_dir);
    hash_dir(&st, cfg->plugins_dir);
    snprintf(path, sizeof(path), "%s/orders.yaml", cfg->content_dir);
    hash_file(&st, path);
    crypto_generichash_final(&st, out, SNAP_DIGEST_BYTES);
}

static void snap_path(char *out, size_t cap, const char *data_dir, int repo)
{
    const char *name = datadir_repo_names[repo];
    snprintf(out, cap, "%s/index/%.*s.snap", data_dir, (int)(strlen(name) - 4), name);
}

int docs_snaps_remove(const char *data_dir, int repo)
{
    char path[4200];
    snap_path(path, sizeof(path), data_dir, repo);
    return util_unlink_durable(path) < 0 ? KENES_EIO : 0;
}

int docs_snaps_new(docs_snaps **out, docs_service *svc, const char *data_dir,
                   const config *cfg)
{
    docs_snaps *s = calloc(1, sizeof(*s));
    *out = NULL;
    if (!s || sodium_init() < 0 || !(s->keys = sodium_malloc(2 * SNAP_KEY_BYTES))) {
        free(s);
        return KENES_ENOMEM;
    }
    s->svc = svc;
    s->every = cfg->index_snapshot_every ? cfg->index_snapshot_every : 1000;
    for (int r = 0; r < 2; r++) {
        snap_path(s->path[r], sizeof(s->path[r]), data_dir, r);
        vault_derive_key(svc->vault, "idx-snap", (uint64_t)r, s->keys + r * SNAP_KEY_BYTES);
    }
    take_digest(s->digest, cfg);
    *out = s;
    return 0;
}

void docs_snaps_free(docs_snaps *s)
{
    if (!s)
        return;
    sodium_free(s->keys);
    free(s);
}

/* ---- start-up ---- */

/* A resident document's text as the snapshot kept it (resident.h), so
 * that the load neither reads nor parses its file (datadir.c's load_head
 * skips a document whose text is set).  Bytes not taken are no fault: the
 * load reads the file as before.  0 or KENES_ENOMEM. */
static int restore_doc(docs_snaps *s, idx_doc *d, const char *bytes, size_t len)
{
    int rc = docs_resident_take(s->svc, d, bytes, len);
    if (rc == 0)
        s->docs_restored[d->repo]++;
    return rc < 0 ? rc : 0;
}

int docs_snaps_restore(doc_index *ix, int repo, void *payload)
{
    docs_snaps *s = payload;
    docs_service *svc = s->svc;
    snap_reader *r = NULL;
    const char *name = datadir_repo_names[repo];
    int rc = snap_reader_open(&r, s->path[repo], s->digest, s->keys + repo * SNAP_KEY_BYTES);
    if (rc == KENES_ENOTFOUND) {
        log_info("index", "%s: no snapshot of the index yet: every document is read", name);
        return 0;
    }
    if (rc == KENES_ESTALE || rc == KENES_EINVAL) {
        log_warn("index", "%s: the index snapshot %s is %s: every document is read once, "
                          "and the snapshot written again", name, s->path[repo],
                 rc == KENES_ESTALE ? "from another build, workflows or plugins"
                                    : "damaged or sealed with another master key");
        return 0;
    }
    if (rc < 0)
        return rc;
    const char *id, *entry, *doc;
    char version[41];
    size_t len, doc_len, restored = 0, bad = 0;
    int got;
    while (rc == 0 && (got = snap_reader_next(r, &id, version, &entry, &len, &doc, &doc_len)) != 0) {
        if (got < 0) {
            /* What came before the damage was whole and authentic: kept. */
            if (got == KENES_EINVAL)
                log_warn("index", "%s: the index snapshot %s is damaged or cut short after "
                                  "%zu entries: the documents after them are read",
                         name, s->path[repo], restored);
            rc = got == KENES_EINVAL ? 0 : got;
            break;
        }
        idx_doc *d = index_get(ix, id);
        if (!d || d->repo != repo || d->entry.kept || strcmp(d->version, version) != 0)
            continue; /* gone, or moved on since: read */
        /* A case without a whole key file is read: an erased one's
         * tombstone (few), or one whose key went missing or was cut short,
         * which the load then says and answers "unavailable" (datadir.c). */
        if (repo == REPO_CASES &&
            (!vault_has_key(svc->vault, d->id) || !vault_key_file_whole(svc->vault, d->id)))
            continue;
        if ((rc = docs_entry_unpack(svc, d, entry, len)) == KENES_EINVAL) {
            bad++;
            rc = 0;
            continue;
        }
        restored += rc == 0;
        if (rc == 0 && doc_len && docs_resident(svc, d))
            rc = restore_doc(s, d, doc, doc_len);
    }
    snap_reader_close(r);
    if (bad)
        log_warn("index", "%s: %zu entries of the index snapshot did not read: those "
                          "documents are read", name, bad);
    log_info("index", "%s: %zu entries from the index snapshot, %zu of them with their "
                      "document", name, restored, s->docs_restored[repo]);
    return rc;
}

/* ---- writing ---- */

static void save_work(uv_work_t *work)
{
    save_job *j = work->data;
    j->rc = snap_writer_commit(j->w);
    j->w = NULL;
}

static void schedule(docs_snaps *s, int repo);

static void save_done(uv_work_t *work, int status)
{
    save_job *j = work->data;
    docs_snaps *s = j->s;
    int repo = j->repo;
    if (status < 0)
        snap_writer_abort(j->w);
    if (status < 0 || j->rc < 0)
        log_warn("index", "%s: cannot write the index snapshot %s: %s (nothing is lost: the "
                          "next start reads the documents it would have restored)",
                 datadir_repo_names[repo], s->path[repo],
                 kenes_strerror(status < 0 ? KENES_EIO : j->rc));
    else
        log_info("index", "%s: index snapshot written (%zu entries, %zu with their document; "
                          "gathered on the loop in slices, %llu ms in all)",
                 datadir_repo_names[repo], j->count, j->docs,
                 (unsigned long long)(j->gather_ns / 1000000));
    free(j);
    s->saving[repo] = 0;
    if (s->again[repo]) {
        s->again[repo] = 0;
        schedule(s, repo);
    }
}

typedef struct gather_ctx {
    docs_snaps *s;
    snap_writer *w;
    int repo;
    size_t count, docs;
    util_buf buf;
} gather_ctx;

/* A resident document's bytes for its record: its text as it is kept
 * (resident.h: a case's sealed with its own key, so that destroying the
 * key, an erasure, makes this copy unreadable too), or none (not resident,
 * kept as JSON because its text could not be made, an erased case: the
 * start reads the file). */
static void doc_bytes(const char **out, size_t *len, docs_snaps *s, const idx_doc *d)
{
    int keep = d->text && docs_resident(s->svc, d) && !docs_erased(s->svc, d);
    *out = keep ? d->text : NULL;
    *len = keep ? d->text_len : 0;
}

static int gather(idx_doc *d, void *payload)
{
    gather_ctx *g = payload;
    if (d->repo != g->repo || !d->entry.kept || !d->version[0])
        return 0;
    g->buf.len = 0;
    const char *doc;
    size_t doc_len;
    doc_bytes(&doc, &doc_len, g->s, d);
    int rc = docs_entry_pack(&g->buf, d);
    if (rc == 0)
        rc = snap_writer_add(g->w, d->id, d->version, g->buf.data, g->buf.len, doc, doc_len);
    g->count += rc == 0;
    g->docs += rc == 0 && doc_len;
    return rc == KENES_EINVAL ? 0 : rc; /* an id the format cannot hold: read at start */
}

/* The scratch buffer of a gathering: it held cases' entries. */
static void gather_ctx_dispose(gather_ctx *g)
{
    if (g->buf.data)
        sodium_memzero(g->buf.data, g->buf.cap);
    util_buf_dispose(&g->buf);
}

/* repo's entries, gathered on the loop (where the index changes), into a
 * writer: *out, or a failure. */
static int gather_all(snap_writer **out, size_t *count, size_t *docs, docs_snaps *s, int repo)
{
    gather_ctx g = {.s = s, .repo = repo};
    util_buf_init(&g.buf);
    int rc = snap_writer_open(&g.w, s->path[repo], s->digest, s->keys + repo * SNAP_KEY_BYTES);
    if (rc == 0)
        rc = index_foreach(s->svc->index, gather, &g);
    gather_ctx_dispose(&g);
    if (rc < 0) {
        snap_writer_abort(g.w);
        return rc;
    }
    *out = g.w;
    *count = g.count;
    *docs = g.docs;
    return 0;
}

static void gathered(uv_handle_t *h)
{
    save_job *j = h->data;
    free(j->all);
    j->all = NULL;
    int rc = j->rc;
    if (rc == 0)
        rc = uv_queue_work(j->s->svc->loop, &j->work, save_work, save_done) < 0 ? KENES_EIO : 0;
    if (rc < 0) {
        log_warn("index", "%s: cannot prepare the index snapshot: %s",
                 datadir_repo_names[j->repo], kenes_strerror(rc));
        snap_writer_abort(j->w);
        j->s->saving[j->repo] = 0;
        free(j);
    }
}

/* One slice.  A document committed since the list was taken is gathered
 * as it stands now (each record names its own version); one created since
 * is not in it and is read at the next start.  Committed documents are
 * never removed from the index, so the list's pointers hold. */
static void gather_slice(uv_idle_t *h)
{
    save_job *j = h->data;
    uint64_t t0 = uv_hrtime();
    gather_ctx g = {.s = j->s, .w = j->w, .repo = j->repo};
    util_buf_init(&g.buf);
    size_t end = j->n - j->at < SNAP_SLICE ? j->n : j->at + SNAP_SLICE;
    for (; j->at < end && j->rc == 0; j->at++)
        j->rc = gather(j->all[j->at], &g);
    gather_ctx_dispose(&g);
    j->count += g.count;
    j->docs += g.docs;
    j->gather_ns += uv_hrtime() - t0;
    if (j->at == j->n || j->rc < 0) {
        uv_idle_stop(h);
        uv_close((uv_handle_t *)h, gathered);
    }
}

static void schedule(docs_snaps *s, int repo)
{
    if (s->saving[repo]) {
        s->again[repo] = 1;
        return;
    }
    save_job *j = calloc(1, sizeof(*j));
    int rc = j ? snap_writer_open(&j->w, s->path[repo], s->digest,
                                  s->keys + repo * SNAP_KEY_BYTES)
               : KENES_ENOMEM;
    if (rc == 0)
        rc = index_list(&j->all, &j->n, s->svc->index);
    if (rc < 0) {
        log_warn("index", "%s: cannot prepare the index snapshot: %s",
                 datadir_repo_names[repo], kenes_strerror(rc));
        if (j)
            snap_writer_abort(j->w);
        free(j);
        return;
    }
    j->s = s;
    j->repo = repo;
    j->work.data = j;
    j->idle.data = j;
    /* Neither fails on a running loop with a callback (libuv's uv_idle_*). */
    uv_idle_init(s->svc->loop, &j->idle);
    uv_idle_start(&j->idle, gather_slice);
    s->commits[repo] = 0;
    s->saving[repo] = 1;
}

int docs_snaps_needs_json(const idx_doc *d, void *snaps)
{
    docs_snaps *s = snaps;
    return docs_resident(s->svc, d);
}

int docs_snaps_keep(idx_doc *d, void *snaps)
{
    docs_snaps *s = snaps;
    if (docs_entry_keep(s->svc, d, d->doc) < 0)
        return KENES_ENOMEM;
    /* Read on demand from here on (docs/fetch.h), a resident one kept as
     * its text (resident.h): not held while the rest of the load reads. */
    if (!docs_resident(s->svc, d))
        s->read_other[d->repo]++;
    else if (docs_resident_keep(s->svc, d, d->doc) < 0)
        return 0; /* no key to seal it with: its JSON kept, as before */
    index_set_doc(d, NULL);
    return 0;
}

void docs_snaps_loaded(docs_snaps *s, int repo, size_t read)
{
    if (!s)
        return;
    log_info("index", "%s: %zu document(s) read at start, %zu of them for their entry",
             datadir_repo_names[repo], read, s->read_other[repo]);
    /* Every document read (a resident one too, whose JSON the snapshot
     * keeps) is one the next start need not read. */
    if (read)
        schedule(s, repo);
}

void docs_snaps_committed(docs_snaps *s, int repo)
{
    /* Gathering costs the loop every entry; waiting costs the next start
     * after a crash a read per commit since.  A tenth of the documents at
     * least keeps the gathering under ten entries per commit. */
    if (!s)
        return;
    size_t every = index_count(s->svc->index) / 10;
    if (++s->commits[repo] >= (every > s->every ? every : s->every))
        schedule(s, repo);
}

int docs_snaps_save_now(docs_snaps *s)
{
    int first = 0;
    for (int r = 0; s && r < 2; r++) {
        snap_writer *w = NULL;
        size_t count = 0, docs = 0;
        int rc = gather_all(&w, &count, &docs, s, r);
        if (rc == 0)
            rc = snap_writer_commit(w);
        if (rc < 0) {
            log_warn("index", "%s: cannot write the index snapshot %s: %s (the next start "
                              "reads the documents instead)",
                     datadir_repo_names[r], s->path[r], kenes_strerror(rc));
            if (!first)
                first = rc;
        }
    }
    return first;
}
