#include "storage/hpack.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "kenes/plugin.h"
#include "base/util.h"

/* Where a record of at most need bytes goes: the tail's room, the first
 * chunk grown (doubling up to HPACK_CHUNK: a short history keeps a small
 * one), or a new chunk.  NULL when out of memory (h unchanged). */
static unsigned char *room(idx_packed *h, size_t need)
{
    struct hpack_ref *t = h->nrefs ? &h->refs[h->nrefs - 1] : NULL;
    if (t && t->used + need <= h->tail_cap)
        return t->mem + t->used;
    if (t && h->nrefs == 1 && h->tail_cap < HPACK_CHUNK && t->used + need <= HPACK_CHUNK) {
        size_t cap = h->tail_cap * 2 > HPACK_CHUNK ? HPACK_CHUNK : h->tail_cap * 2;
        if (cap < t->used + need)
            cap = t->used + need;
        unsigned char *g = realloc(t->mem, cap);
        if (!g)
            return NULL;
        t->mem = g;
        h->tail_cap = cap;
        return g + t->used;
    }
    if (need > UINT32_MAX)
        return NULL;
    struct hpack_ref *refs = util_grow(h->refs, &h->refs_cap, h->nrefs, sizeof(*refs), 4);
    if (!refs)
        return NULL;
    h->refs = refs;
    size_t cap = !t ? (need < 64 ? 64 : need) : need > HPACK_CHUNK ? need : HPACK_CHUNK;
    unsigned char *mem = malloc(cap);
    if (!mem)
        return NULL;
    h->refs[h->nrefs++] = (struct hpack_ref){.mem = mem, .used = 0, .slot = 0};
    h->tail_cap = cap;
    return mem;
}

static size_t put_varint(unsigned char *p, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        p[n++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    p[n++] = (unsigned char)v;
    return n;
}

static int get_varint(uint64_t *out, const unsigned char *p, size_t len, size_t *at)
{
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        if (*at >= len)
            return KENES_EIO;
        unsigned char c = p[(*at)++];
        v |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            *out = v;
            return 0;
        }
    }
    return KENES_EIO;
}

static uint64_t zigzag(int64_t v)
{
    return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static int64_t unzigzag(uint64_t v)
{
    return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

static uint64_t name_of(const char *interned)
{
    return interned ? 1 + (uint64_t)index_intern_id(interned) : 0;
}

int hpack_add(idx_packed *h, const idx_version *v)
{
    unsigned char id[20];
    size_t idlen;
    if (sodium_hex2bin(id, sizeof(id), v->commit, strlen(v->commit), NULL, &idlen, NULL) != 0 ||
        idlen != sizeof(id))
        return KENES_EINVAL;
    size_t lc = v->comment ? strlen(v->comment) : 0, ln = v->note ? strlen(v->note) : 0;
    /* The id, 10 varints of at most 10 bytes, and the two texts with their NULs. */
    unsigned char *p = room(h, sizeof(id) + 10 * 10 + lc + ln + 2);
    if (!p)
        return KENES_ENOMEM;
    size_t n = sizeof(id);
    memcpy(p, id, sizeof(id));
    n += put_varint(p + n, zigzag((int64_t)(v->seq - (h->count ? h->last_seq : 0))));
    n += put_varint(p + n, zigzag(v->time_ms - (h->count ? h->last_ms : 0)));
    const char *names[6] = {v->author, v->role, v->action, v->from, v->to, v->approval};
    for (int i = 0; i < 6; i++)
        n += put_varint(p + n, name_of(names[i]));
    const char *texts[2] = {v->comment, v->note};
    const size_t lens[2] = {lc, ln};
    for (int i = 0; i < 2; i++) {
        n += put_varint(p + n, texts[i] ? lens[i] + 1 : 0);
        if (texts[i]) {
            memcpy(p + n, texts[i], lens[i] + 1);
            n += lens[i] + 1;
        }
    }
    h->refs[h->nrefs - 1].used += (uint32_t)n;
    h->len += n;
    if (!h->count)
        h->first_ms = v->time_ms;
    h->count++;
    h->last_ms = v->time_ms;
    h->last_seq = v->seq;
    return 0;
}

int hpack_spill_full(idx_packed *h)
{
    int wrote = 0;
    for (; h->spill && h->nspilled + 1 < h->nrefs; h->nspilled++) {
        struct hpack_ref *r = &h->refs[h->nspilled];
        if (hpack_spill_put(&r->slot, h->spill, r->mem, r->used) < 0)
            return KENES_EIO;
        free(r->mem);
        r->mem = NULL;
        h->spilled_len += r->used;
        wrote++;
    }
    return wrote;
}

size_t hpack_spilled_len(const idx_packed *h)
{
    return h->spilled_len;
}

/* The record at bytes[*at] into v (its texts pointing into bytes), after
 * the one at *seq and *ms, which it moves on. */
static int decode_one(idx_version *v, const unsigned char *bytes, size_t len, size_t *at,
                      uint64_t *seq, int64_t *ms)
{
    memset(v, 0, sizeof(*v));
    if (len - *at < 20)
        return KENES_EIO;
    sodium_bin2hex(v->commit, sizeof(v->commit), bytes + *at, 20);
    *at += 20;
    uint64_t x;
    if (get_varint(&x, bytes, len, at) < 0)
        return KENES_EIO;
    *seq += (uint64_t)unzigzag(x);
    v->seq = *seq;
    if (get_varint(&x, bytes, len, at) < 0)
        return KENES_EIO;
    *ms += unzigzag(x);
    v->time_ms = *ms;
    char **names[6] = {&v->author, &v->role, &v->action, &v->from, &v->to, &v->approval};
    for (int i = 0; i < 6; i++) {
        if (get_varint(&x, bytes, len, at) < 0)
            return KENES_EIO;
        if (x && !(*names[i] = (char *)index_interned_at((uint32_t)(x - 1))))
            return KENES_EIO;
    }
    char **texts[2] = {&v->comment, &v->note};
    for (int i = 0; i < 2; i++) {
        if (get_varint(&x, bytes, len, at) < 0 || x > len - *at)
            return KENES_EIO;
        if (x) {
            *texts[i] = (char *)bytes + *at;
            *at += x;
        }
    }
    return 0;
}

int hpack_decode(idx_version *out, unsigned char *buf, const idx_packed *h)
{
    size_t k = 0, off = 0;
    uint64_t seq = 0;
    int64_t ms = 0;
    for (size_t i = 0; i < h->nrefs; i++) {
        const struct hpack_ref *r = &h->refs[i];
        const unsigned char *bytes = r->mem;
        if (!bytes) {
            if (off + r->used > h->spilled_len ||
                hpack_spill_get(buf + off, h->spill, r->slot, r->used) < 0)
                return KENES_EIO;
            bytes = buf + off;
            off += r->used;
        }
        /* Records never straddle chunks. */
        for (size_t at = 0; at < r->used; k++)
            if (k == h->count || decode_one(&out[k], bytes, r->used, &at, &seq, &ms) < 0)
                return KENES_EIO;
    }
    return k == h->count ? 0 : KENES_EIO;
}

void hpack_mark_of(hpack_mark *out, const idx_packed *h)
{
    *out = (hpack_mark){h->nrefs,     h->nrefs ? h->refs[h->nrefs - 1].used : 0,
                        h->tail_cap,  h->len,
                        h->count,     h->first_ms,
                        h->last_ms,   h->last_seq};
}

void hpack_rewind(idx_packed *h, const hpack_mark *m)
{
    /* The chunks added since were never spilled (hpack_spill_full comes
     * after a batch): freed; the one that was the tail cut back. */
    for (size_t i = m->nrefs; i < h->nrefs; i++)
        free(h->refs[i].mem);
    h->nrefs = m->nrefs;
    if (h->nrefs)
        h->refs[h->nrefs - 1].used = (uint32_t)m->tail_used;
    h->tail_cap = m->tail_cap;
    h->len = m->len;
    h->count = m->count;
    h->first_ms = m->first_ms;
    h->last_ms = m->last_ms;
    h->last_seq = m->last_seq;
}

int64_t hpack_first_ms(const idx_packed *h)
{
    return h->count ? h->first_ms : -1;
}

void hpack_dispose(idx_packed *h)
{
    for (size_t i = 0; i < h->nrefs; i++) {
        if (h->refs[i].mem)
            free(h->refs[i].mem);
        else
            hpack_spill_drop(h->spill, h->refs[i].slot, h->refs[i].used);
    }
    free(h->refs);
    hpack_spill *spill = h->spill;
    *h = (idx_packed){.spill = spill};
}
