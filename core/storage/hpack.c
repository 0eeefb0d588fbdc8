#include "storage/hpack.h"

#include <stdlib.h>
#include <string.h>

#include "kenes/plugin.h"

struct hpack_chunk {
    struct hpack_chunk *next;
    size_t used, cap;
    unsigned char data[];
};

/* Where a record of at most need bytes goes: the tail's room, the first
 * chunk grown (doubling up to HPACK_CHUNK: a short history keeps a small
 * one), or a new chunk.  NULL when out of memory (h unchanged). */
static struct hpack_chunk *room(idx_packed *h, size_t need)
{
    struct hpack_chunk *t = h->tail;
    if (t && t->used + need <= t->cap)
        return t;
    if (t && h->nchunks == 1 && t->cap < HPACK_CHUNK && t->used + need <= HPACK_CHUNK) {
        size_t cap = t->cap * 2 > HPACK_CHUNK ? HPACK_CHUNK : t->cap * 2;
        if (cap < t->used + need)
            cap = t->used + need;
        struct hpack_chunk *g = realloc(t, sizeof(*g) + cap);
        if (!g)
            return NULL;
        g->cap = cap;
        h->head = h->tail = g;
        return g;
    }
    size_t cap = !t ? (need < 64 ? 64 : need) : need > HPACK_CHUNK ? need : HPACK_CHUNK;
    struct hpack_chunk *c = malloc(sizeof(*c) + cap);
    if (!c)
        return NULL;
    *c = (struct hpack_chunk){.next = NULL, .used = 0, .cap = cap};
    if (t)
        t->next = c;
    else
        h->head = c;
    h->tail = c;
    h->nchunks++;
    return c;
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

int hpack_add(idx_packed *h, const idx_version *v, uint32_t place)
{
    if (!place)
        return KENES_EINVAL;
    size_t lc = v->comment ? strlen(v->comment) : 0, ln = v->note ? strlen(v->note) : 0;
    /* 10 varints of at most 10 bytes, and the two texts with their NULs. */
    struct hpack_chunk *c = room(h, 10 * 10 + lc + ln + 2);
    if (!c)
        return KENES_ENOMEM;
    unsigned char *p = c->data + c->used;
    size_t n = 0;
    n += put_varint(p + n, zigzag((int64_t)place - (h->count ? (int64_t)h->last_place : 0)));
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
    c->used += n;
    h->len += n;
    h->count++;
    h->last_ms = v->time_ms;
    h->last_place = place;
    return 0;
}

int hpack_decode(idx_version *out, const idx_packed *h, hpack_commit_fn commit_at,
                 const void *arg)
{
    const struct hpack_chunk *c = h->head;
    size_t at = 0;
    int64_t ms = 0, place = 0;
    for (size_t k = 0; k < h->count; k++) {
        while (c && at == c->used) { /* records never straddle chunks */
            c = c->next;
            at = 0;
        }
        if (!c)
            return KENES_EIO;
        const unsigned char *bytes = c->data;
        size_t len = c->used;
        idx_version *v = &out[k];
        memset(v, 0, sizeof(*v));
        uint64_t x;
        if (get_varint(&x, bytes, len, &at) < 0)
            return KENES_EIO;
        place += unzigzag(x);
        if (place <= 0 || place > UINT32_MAX || commit_at(v->commit, (uint32_t)place, arg) < 0)
            return KENES_EIO;
        if (get_varint(&x, bytes, len, &at) < 0)
            return KENES_EIO;
        ms += unzigzag(x);
        v->time_ms = ms;
        char **names[6] = {&v->author, &v->role, &v->action, &v->from, &v->to, &v->approval};
        for (int i = 0; i < 6; i++) {
            if (get_varint(&x, bytes, len, &at) < 0)
                return KENES_EIO;
            if (x && !(*names[i] = (char *)index_interned_at((uint32_t)(x - 1))))
                return KENES_EIO;
        }
        char **texts[2] = {&v->comment, &v->note};
        for (int i = 0; i < 2; i++) {
            if (get_varint(&x, bytes, len, &at) < 0 || x > len - at)
                return KENES_EIO;
            if (x) {
                *texts[i] = (char *)bytes + at;
                at += x;
            }
        }
    }
    /* Nothing after the last record. */
    return (!c || (at == c->used && !c->next)) ? 0 : KENES_EIO;
}

void hpack_mark_of(hpack_mark *out, const idx_packed *h)
{
    *out = (hpack_mark){h->nchunks, h->tail ? h->tail->used : 0, h->len, h->count, h->last_ms,
                        h->last_place};
}

void hpack_rewind(idx_packed *h, const hpack_mark *m)
{
    /* The chunks added since, freed; the one that was the tail cut back
     * (the first may have moved while it grew: found by its number). */
    struct hpack_chunk *c = h->head, *keep = NULL;
    for (size_t i = 0; i < m->nchunks && c; i++) {
        keep = c;
        c = c->next;
    }
    while (c) {
        struct hpack_chunk *next = c->next;
        free(c);
        c = next;
    }
    if (keep) {
        keep->next = NULL;
        keep->used = m->tail_used;
    } else {
        h->head = NULL;
    }
    h->tail = keep;
    h->nchunks = m->nchunks;
    h->len = m->len;
    h->count = m->count;
    h->last_ms = m->last_ms;
    h->last_place = m->last_place;
}

int64_t hpack_first_ms(const idx_packed *h)
{
    if (!h->count || !h->head)
        return -1;
    size_t at = 0;
    uint64_t x;
    /* Its place first, then its time. */
    return get_varint(&x, h->head->data, h->head->used, &at) < 0 ||
                   get_varint(&x, h->head->data, h->head->used, &at) < 0
               ? -1
               : unzigzag(x);
}

void hpack_dispose(idx_packed *h)
{
    for (struct hpack_chunk *c = h->head, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    *h = (idx_packed){0};
}
