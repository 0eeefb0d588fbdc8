#include "storage/index.h"

#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kenes/plugin.h"
#include "base/log.h"
#include "base/map.h"
#include "base/util.h"
#include "storage/groups.h"
#include "storage/hpack.h"

/* The documents naming one target (index_ref_add). */
typedef struct ref_set {
    idx_doc **v;
    size_t n, cap;
} ref_set;

struct doc_index {
    map *docs; /* id -> idx_doc */
    uint64_t seq; /* the last version recorded's idx_version.seq */
    hpack_spill *spill; /* index_spill_to, or NULL */
    int spill_refused;  /* spill_note */
    map *referrers; /* target id -> ref_set */
    idx_groups *groups; /* (type, region) -> its documents */
    size_t versions_total; /* index_version_total */
    /* Every entry by id: the first `clean` sorted, those after appended
     * since (a start adds them all, a create one); sorted when listed. */
    idx_doc **by_id;
    size_t nids, ids_cap, clean;
    int pack_old; /* index_pack_old */
    size_t packed_versions, packed_bytes; /* index_packed */
};

/* ---- interned strings ----
 *
 * A version's author, role, action, stages and approval come from a few
 * hundred values (user names, roles, a workflow's actions and stages),
 * repeated in hundreds of thousands of versions: one copy of each for the
 * life of the process instead of a strdup per version.  Open addressing
 * over FNV-1a; under a lock, since nothing says the index is the only
 * user (the cost is an uncontended lock per string). */
static struct {
    pthread_mutex_t lock;
    char **slots;
    size_t cap, count;
    /* By number (index_intern_id), for the packed history (hpack.c): each
     * string is stored behind its 4-byte number. */
    char **by_id;
    size_t ids_cap;
} interned = {PTHREAD_MUTEX_INITIALIZER, NULL, 0, 0, NULL, 0};

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* Where s is, or the empty slot it would go in.  cap is a power of two. */
static size_t intern_slot(char **slots, size_t cap, const char *s)
{
    size_t i = (size_t)fnv1a(s) & (cap - 1);
    while (slots[i] && strcmp(slots[i], s) != 0)
        i = (i + 1) & (cap - 1);
    return i;
}

static int intern_grow(void)
{
    size_t cap = interned.cap ? interned.cap * 2 : 256;
    char **slots = calloc(cap, sizeof(*slots));
    if (!slots)
        return KENES_ENOMEM;
    for (size_t i = 0; i < interned.cap; i++)
        if (interned.slots[i])
            slots[intern_slot(slots, cap, interned.slots[i])] = interned.slots[i];
    free(interned.slots);
    interned.slots = slots;
    interned.cap = cap;
    return 0;
}

const char *index_intern(const char *s)
{
    if (!s)
        return NULL;
    pthread_mutex_lock(&interned.lock);
    const char *out = NULL;
    /* At most half full: probes stay short. */
    if (interned.count + 1 > interned.cap / 2 && intern_grow() < 0)
        goto done;
    size_t i = intern_slot(interned.slots, interned.cap, s);
    if (!interned.slots[i]) {
        char **by_id = util_grow(interned.by_id, &interned.ids_cap, interned.count,
                                 sizeof(*by_id), 256);
        size_t len = strlen(s);
        char *copy = by_id && interned.count < UINT32_MAX ? malloc(4 + len + 1) : NULL;
        if (by_id)
            interned.by_id = by_id;
        if (!copy)
            goto done;
        uint32_t id = (uint32_t)interned.count;
        memcpy(copy, &id, 4);
        memcpy(copy + 4, s, len + 1);
        interned.slots[i] = copy + 4;
        interned.by_id[interned.count++] = copy + 4;
    }
    out = interned.slots[i];
done:
    pthread_mutex_unlock(&interned.lock);
    return out;
}

uint32_t index_intern_id(const char *interned_s)
{
    uint32_t id;
    memcpy(&id, interned_s - 4, 4);
    return id;
}

const char *index_interned_at(uint32_t id)
{
    pthread_mutex_lock(&interned.lock);
    const char *s = id < interned.count ? interned.by_id[id] : NULL;
    pthread_mutex_unlock(&interned.lock);
    return s;
}

int index_new(doc_index **out)
{
    doc_index *ix = calloc(1, sizeof(*ix));
    if (!ix || map_new(&ix->docs) < 0 || map_new(&ix->referrers) < 0 ||
        groups_new(&ix->groups) < 0) {
        if (ix) {
            map_free(ix->docs);
            map_free(ix->referrers);
            groups_free(ix->groups);
        }
        free(ix);
        return KENES_ENOMEM;
    }
    *out = ix;
    return 0;
}

/* The interned strings stay: they are shared. */
static void version_dispose(idx_version *v)
{
    free(v->comment);
    free(v->note);
}

static void doc_free(idx_doc *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->nrecent; i++)
        version_dispose(&d->recent[i]);
    free(d->recent);
    hpack_dispose(&d->old);
    json_decref(d->doc);
    index_set_text(d, NULL, 0);
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
    hpack_spill_close(ix->spill); /* after the documents, which give their room back */
    map_iter_init(&it, ix->referrers);
    while (map_iter_next(&it, &k, &v)) {
        free(((ref_set *)v)->v);
        free(v);
    }
    map_free(ix->referrers);
    groups_free(ix->groups);
    free(ix->by_id);
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
    idx_doc **by_id = util_grow(ix->by_id, &ix->ids_cap, ix->nids, sizeof(*by_id), 64);
    if (by_id)
        ix->by_id = by_id;
    idx_doc *d = by_id ? calloc(1, sizeof(*d)) : NULL;
    if (!d || !(d->id = strdup(id)) || map_set(ix->docs, id, d) < 0) {
        doc_free(d);
        return KENES_ENOMEM;
    }
    /* Appended in order (ids made in sequence) it stays sorted. */
    if (ix->clean == ix->nids && (!ix->nids || strcmp(ix->by_id[ix->nids - 1]->id, id) < 0))
        ix->clean++;
    ix->by_id[ix->nids++] = d;
    *out = d;
    return 0;
}

/* Where d is in by_id, or nids. */
static size_t by_id_find(const doc_index *ix, const idx_doc *d)
{
    size_t lo = 0, hi = ix->clean;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(ix->by_id[mid]->id, d->id);
        if (c == 0)
            return mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = ix->clean; i < ix->nids; i++)
        if (ix->by_id[i] == d)
            return i;
    return ix->nids;
}

void index_remove(doc_index *ix, const char *id)
{
    idx_doc *d = map_remove(ix->docs, id);
    if (!d)
        return;
    groups_forget(ix->groups, d);
    size_t i = by_id_find(ix, d);
    if (i < ix->nids) {
        memmove(&ix->by_id[i], &ix->by_id[i + 1], (ix->nids - i - 1) * sizeof(*ix->by_id));
        ix->nids--;
        if (i < ix->clean)
            ix->clean--;
    }
    doc_free(d);
}

/* A copy of s that is not interned (unique per version), or NULL. */
static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* s interned into *out (NULL stays NULL): 0, or KENES_ENOMEM. */
static int intern_into(char **out, const char *s)
{
    *out = (char *)index_intern(s);
    return s && !*out ? KENES_ENOMEM : 0;
}

/* Whether v brought its document into a stage (or created it): what its
 * deadline counts from (index_stage_entry, for docs_due and the reports). */
static int enters_stage(const idx_version *v)
{
    return v->from ? !v->to || strcmp(v->from, v->to) != 0
                   : v->action && strcmp(v->action, "create") == 0;
}

/* A disk that refuses the scratch file's chunks is said once, and again
 * when it takes them: meanwhile they stay in memory, and each batch tries
 * its document's again. */
static void spill_note(doc_index *ix, int rc)
{
    if (rc < 0 && !ix->spill_refused) {
        ix->spill_refused = 1;
        log_warn("index", "the scratch file refuses older versions (%s): they stay in memory "
                          "until it takes them", strerror(errno));
    } else if (rc > 0 && ix->spill_refused) {
        ix->spill_refused = 0;
        log_info("index", "the scratch file takes older versions again");
    }
}

/* d's first k recent versions packed, all or none: on a failure (out of
 * memory, a commit that is no object id) they stay records; then its full
 * chunks to the scratch file (when the disk refuses, they stay in memory
 * and go with the next).  0 or the failure to pack. */
static int pack_first(doc_index *ix, idx_doc *d, size_t k)
{
    hpack_mark before;
    hpack_mark_of(&before, &d->old);
    for (size_t i = 0; i < k; i++) {
        int rc = hpack_add(&d->old, &d->recent[i]);
        if (rc < 0) {
            hpack_rewind(&d->old, &before);
            return rc;
        }
    }
    d->old.spill = ix->spill;
    spill_note(ix, hpack_spill_full(&d->old));
    ix->packed_versions += k;
    ix->packed_bytes += d->old.len - before.len;
    for (size_t i = 0; i < k; i++)
        version_dispose(&d->recent[i]);
    memmove(d->recent, d->recent + k, (d->nrecent - k) * sizeof(*d->recent));
    d->nrecent -= k;
    return 0;
}

/* How many of d's first recent versions may be packed: those before both
 * its newest version that entered a stage (its inbox and deadline count
 * from it) and its latest create or edit (docs_written reads it for every
 * document a plugin sees). */
static size_t packable(const idx_doc *d)
{
    size_t entry = d->nrecent, wrote = d->nrecent;
    for (size_t i = d->nrecent; i-- > 0 && (entry == d->nrecent || wrote == d->nrecent);) {
        const idx_version *v = &d->recent[i];
        if (entry == d->nrecent && enters_stage(v))
            entry = i;
        if (wrote == d->nrecent && v->action &&
            (strcmp(v->action, "edit") == 0 || strcmp(v->action, "create") == 0))
            wrote = i;
    }
    /* Without either among them, nothing is known to be safe to pack. */
    if (entry == d->nrecent || wrote == d->nrecent)
        return 0;
    return entry < wrote ? entry : wrote;
}

/* d's room for recent records cut to cap (>= nrecent); it keeps the room
 * it has when realloc refuses. */
static void shrink_recent(idx_doc *d, size_t cap)
{
    idx_version *v = realloc(d->recent, cap * sizeof(*v));
    if (v) {
        d->recent = v;
        d->recent_cap = cap;
    }
}

/* d's packable versions packed, and the room of a document that stayed
 * long in one stage given back.  0, or KENES_ENOMEM (they stay records). */
static int pack_doc(idx_doc *d, void *payload)
{
    size_t k = packable(d);
    if (!k)
        return 0;
    int rc = pack_first(payload, d, k);
    if (rc < 0 || d->recent_cap <= 8 || d->nrecent * 2 > d->recent_cap)
        return rc == KENES_ENOMEM ? rc : 0;
    shrink_recent(d, d->nrecent > 4 ? d->nrecent : 4);
    return 0;
}

int index_pack_old(doc_index *ix)
{
    ix->pack_old = 1;
    /* What the start-up load recorded, packed as the writes would have. */
    return index_foreach(ix, pack_doc, ix);
}

int index_spill_to(doc_index *ix, const char *dir)
{
    if (ix->spill)
        return 0;
    return hpack_spill_open(&ix->spill, dir);
}

size_t index_spilled_bytes(const doc_index *ix)
{
    return hpack_spill_bytes(ix->spill);
}

void index_packed(size_t *versions, size_t *bytes, const doc_index *ix)
{
    *versions = ix->packed_versions;
    *bytes = ix->packed_bytes;
}

size_t index_version_count(const idx_doc *d)
{
    return d->old.count + d->nrecent;
}

const idx_version *index_head(const idx_doc *d)
{
    return d->nrecent ? &d->recent[d->nrecent - 1] : NULL;
}

const idx_version *index_stage_entry(const idx_doc *d)
{
    for (size_t i = d->nrecent; i-- > 0;)
        if (enters_stage(&d->recent[i]))
            return &d->recent[i];
    return NULL;
}

int64_t index_created_ms(const idx_doc *d)
{
    return d->old.count ? hpack_first_ms(&d->old) : d->nrecent ? d->recent[0].time_ms : -1;
}

int index_versions(idx_version **out, size_t *n, const idx_doc *d)
{
    size_t all = index_version_count(d);
    *out = NULL;
    *n = 0;
    if (!all)
        return 0;
    /* The spilled chunks read behind the records: one free() for both. */
    size_t spilled = hpack_spilled_len(&d->old);
    if (all > (SIZE_MAX - spilled) / sizeof(idx_version))
        return KENES_ENOMEM;
    idx_version *v = malloc(all * sizeof(*v) + spilled);
    if (!v)
        return KENES_ENOMEM;
    errno = 0;
    if (hpack_decode(v, (unsigned char *)(v + all), &d->old) < 0) {
        log_error("index", "%s: its older versions cannot be read back (%s)", d->id,
                  errno ? strerror(errno) : "their bytes do not read");
        free(v);
        return KENES_EIO;
    }
    memcpy(v + d->old.count, d->recent, d->nrecent * sizeof(*v));
    *out = v;
    *n = all;
    return 0;
}

/* A packed version handed back by value: its comment and note pointed into
 * the read of the scratch file, which is freed before the caller sees it
 * (its other strings are interned). */
static void packed_found(idx_version *v)
{
    v->comment = NULL;
    v->note = NULL;
}

/* The newest version of d that match(v, arg) says is the one, into *out
 * and *no (from 1): the recent ones first, the packed only when need be.
 * 1, 0 when none is, or index_versions' failure: a history that cannot be
 * read is no answer that the version is not there. */
static int find_newest(idx_version *out, size_t *no, const idx_doc *d,
                       int (*match)(const idx_version *v, const void *arg), const void *arg)
{
    for (size_t i = d->nrecent; i-- > 0;)
        if (match(&d->recent[i], arg)) {
            *out = d->recent[i];
            if (no)
                *no = d->old.count + i + 1;
            return 1;
        }
    idx_version *all;
    size_t n;
    if (!d->old.count)
        return 0;
    int rc = index_versions(&all, &n, d);
    if (rc < 0)
        return rc;
    int found = 0;
    for (size_t i = d->old.count; !found && i-- > 0;)
        if (match(&all[i], arg)) {
            *out = all[i];
            packed_found(out);
            if (no)
                *no = i + 1;
            found = 1;
        }
    free(all);
    return found;
}

int index_version_no(idx_version *out, const idx_doc *d, size_t no)
{
    size_t nold = d->old.count;
    if (no > nold && no - nold <= d->nrecent) {
        *out = d->recent[no - nold - 1];
        return 1;
    }
    idx_version *all;
    size_t n;
    if (no == 0 || no > index_version_count(d))
        return 0;
    int rc = index_versions(&all, &n, d);
    if (rc < 0)
        return rc;
    int found = no <= n;
    if (found)
        *out = all[no - 1];
    if (found && no <= nold)
        packed_found(out);
    free(all);
    return found;
}

static int at_or_before(const idx_version *v, const void *arg)
{
    return v->time_ms <= *(const int64_t *)arg;
}

static int is_commit(const idx_version *v, const void *arg)
{
    return strcmp(v->commit, arg) == 0;
}

int index_version_at(idx_version *out, size_t *no, const idx_doc *d, int64_t at_ms)
{
    return find_newest(out, no, d, at_or_before, &at_ms);
}

int index_find_version(idx_version *out, size_t *no, const idx_doc *d, const char *commit)
{
    return commit ? find_newest(out, no, d, is_commit, commit) : 0;
}

int index_add_version(idx_doc *d, const idx_version *v)
{
    return index_record(NULL, d, v);
}

int index_record(doc_index *ix, idx_doc *d, const idx_version *v)
{
    idx_version *versions = util_grow(d->recent, &d->recent_cap, d->nrecent, sizeof(*versions), 4);
    if (!versions)
        return KENES_ENOMEM;
    d->recent = versions;
    idx_version *n = &d->recent[d->nrecent];
    memset(n, 0, sizeof(*n));
    memcpy(n->commit, v->commit, sizeof(n->commit));
    n->commit[sizeof(n->commit) - 1] = '\0';
    n->time_ms = v->time_ms;
    int rc = intern_into(&n->author, v->author);
    rc = rc ? rc : intern_into(&n->role, v->role);
    rc = rc ? rc : intern_into(&n->action, v->action);
    rc = rc ? rc : intern_into(&n->from, v->from);
    rc = rc ? rc : intern_into(&n->to, v->to);
    rc = rc ? rc : intern_into(&n->approval, v->approval);
    n->comment = dup_or_null(v->comment);
    n->note = dup_or_null(v->note);
    if (rc < 0 || (v->comment && !n->comment) || (v->note && !n->note)) {
        version_dispose(n);
        return KENES_ENOMEM;
    }
    n->seq = ix ? ++ix->seq : 0;
    d->nrecent++;
    memcpy(d->version, n->commit, sizeof(d->version));
    if (ix)
        ix->versions_total++;
    if (ix && ix->pack_old)
        pack_doc(d, ix); /* when it cannot, they stay records */
    return 0;
}

int index_commit_before(const idx_doc *da, const char *a, const idx_doc *db, const char *b)
{
    /* The order of recording is each repository's order of commits: the
     * journal's at start, the writer's after (index.h, idx_version.seq). */
    idx_version va, vb;
    if (!da || !db || da->repo != db->repo)
        return 0;
    int rc = index_find_version(&va, NULL, da, a);
    if (rc > 0)
        rc = index_find_version(&vb, NULL, db, b);
    if (rc <= 0)
        return rc;
    return va.seq && vb.seq && va.seq < vb.seq;
}

void index_set_doc(idx_doc *d, json_t *doc)
{
    json_decref(d->doc);
    d->doc = doc;
}

void index_set_text(idx_doc *d, char *text, size_t len)
{
    /* A plan's text is public, a meeting's sealed: wiped all the same, as
     * cheap as the free. */
    if (d->text)
        sodium_memzero(d->text, d->text_len);
    free(d->text);
    d->text = text;
    d->text_len = text ? len : 0;
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

/* Fewer entries than this added since the last listing are put in place
 * one by one; more (a start), and the whole array is sorted once. */
#define INSERT_MAX 16

idx_doc *const *index_sorted(const doc_index *cix, size_t *count)
{
    /* Sorting is no change the caller can see: the same entries. */
    doc_index *ix = (doc_index *)cix;
    if (ix->clean < ix->nids) {
        if (ix->nids - ix->clean > INSERT_MAX) {
            qsort(ix->by_id, ix->nids, sizeof(*ix->by_id), by_id);
        } else {
            for (; ix->clean < ix->nids; ix->clean++) {
                idx_doc *d = ix->by_id[ix->clean];
                size_t lo = 0, hi = ix->clean;
                while (lo < hi) {
                    size_t mid = lo + (hi - lo) / 2;
                    if (strcmp(ix->by_id[mid]->id, d->id) < 0)
                        lo = mid + 1;
                    else
                        hi = mid;
                }
                memmove(&ix->by_id[lo + 1], &ix->by_id[lo],
                        (ix->clean - lo) * sizeof(*ix->by_id));
                ix->by_id[lo] = d;
            }
        }
        ix->clean = ix->nids;
    }
    *count = ix->nids;
    return ix->by_id;
}

int index_list(idx_doc ***out, size_t *count, const doc_index *ix)
{
    size_t all;
    idx_doc *const *sorted = index_sorted(ix, &all);
    idx_doc **arr = malloc((all ? all : 1) * sizeof(*arr));
    if (!arr)
        return KENES_ENOMEM;
    size_t n = 0;
    for (size_t i = 0; i < all; i++)
        if ((sorted[i]->doc || sorted[i]->entry.kept) && sorted[i]->version[0])
            arr[n++] = sorted[i];
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

int index_group_note(doc_index *ix, idx_doc *d)
{
    return groups_file(ix->groups, d, index_doc_type(d), index_doc_region(d));
}

idx_doc *const *index_group(const doc_index *ix, const char *type, const char *region,
                            size_t *n)
{
    return groups_get(ix->groups, type, region, n);
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

size_t index_version_total(const doc_index *ix)
{
    return ix->versions_total;
}

static int trim_one(idx_doc *d, void *payload)
{
    (void)payload;
    if (d->nrecent && d->recent_cap > d->nrecent)
        shrink_recent(d, d->nrecent);
    return 0;
}

void index_trim(doc_index *ix)
{
    index_foreach(ix, trim_one, NULL);
}
