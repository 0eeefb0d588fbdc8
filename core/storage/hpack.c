#include "storage/hpack.h"

#include <stdlib.h>
#include <string.h>

#include "kenes/plugin.h"

/* Room for one more record of need bytes.  A quarter more each time, not
 * double: the soak's 100 plans grow together, and doubling them all at
 * once was a step of its own. */
static int reserve(idx_packed *h, size_t need)
{
    if (h->len + need <= h->cap)
        return 0;
    size_t cap = h->cap + h->cap / 4 + 64;
    if (cap < h->len + need)
        cap = h->len + need;
    unsigned char *b = realloc(h->bytes, cap);
    if (!b)
        return KENES_ENOMEM;
    h->bytes = b;
    h->cap = cap;
    return 0;
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
    if (reserve(h, 10 * 10 + lc + ln + 2) < 0)
        return KENES_ENOMEM;
    unsigned char *p = h->bytes + h->len;
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
    h->len += n;
    h->count++;
    h->last_ms = v->time_ms;
    h->last_place = place;
    return 0;
}

int hpack_decode(idx_version *out, const idx_packed *h, hpack_commit_fn commit_at,
                 const void *arg)
{
    size_t at = 0;
    int64_t ms = 0, place = 0;
    for (size_t k = 0; k < h->count; k++) {
        idx_version *v = &out[k];
        memset(v, 0, sizeof(*v));
        uint64_t x;
        if (get_varint(&x, h->bytes, h->len, &at) < 0)
            return KENES_EIO;
        place += unzigzag(x);
        if (place <= 0 || place > UINT32_MAX || commit_at(v->commit, (uint32_t)place, arg) < 0)
            return KENES_EIO;
        if (get_varint(&x, h->bytes, h->len, &at) < 0)
            return KENES_EIO;
        ms += unzigzag(x);
        v->time_ms = ms;
        char **names[6] = {&v->author, &v->role, &v->action, &v->from, &v->to, &v->approval};
        for (int i = 0; i < 6; i++) {
            if (get_varint(&x, h->bytes, h->len, &at) < 0)
                return KENES_EIO;
            if (x && !(*names[i] = (char *)index_interned_at((uint32_t)(x - 1))))
                return KENES_EIO;
        }
        char **texts[2] = {&v->comment, &v->note};
        for (int i = 0; i < 2; i++) {
            if (get_varint(&x, h->bytes, h->len, &at) < 0 || x > h->len - at)
                return KENES_EIO;
            if (x) {
                *texts[i] = (char *)h->bytes + at;
                at += x;
            }
        }
    }
    return at == h->len ? 0 : KENES_EIO;
}

int64_t hpack_first_ms(const idx_packed *h)
{
    if (!h->count)
        return -1;
    size_t at = 0;
    uint64_t x;
    /* Its place first, then its time. */
    return get_varint(&x, h->bytes, h->len, &at) < 0 || get_varint(&x, h->bytes, h->len, &at) < 0
               ? -1
               : unzigzag(x);
}

void hpack_dispose(idx_packed *h)
{
    free(h->bytes);
    *h = (idx_packed){0};
}
