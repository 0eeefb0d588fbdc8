#include "storage/hpack_spill.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "kenes/plugin.h"
#include "base/util.h"

struct hpack_spill {
    int fd;
    uint32_t nslots; /* the file's length, in slots */
    /* Single slots given back (hpack_spill_drop), taken first. */
    uint32_t *free_slots;
    size_t nfree, free_cap;
    size_t bytes; /* hpack_spill_bytes */
};

int hpack_spill_open(hpack_spill **out, const char *dir)
{
    hpack_spill *s = calloc(1, sizeof(*s));
    if (!s)
        return KENES_ENOMEM;
    s->fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (s->fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
        /* A file system without unnamed files: a named one, unlinked at once. */
        char path[4096];
        snprintf(path, sizeof(path), "%s/.history-XXXXXX", dir);
        s->fd = mkostemp(path, O_CLOEXEC);
        if (s->fd >= 0)
            unlink(path);
    }
    if (s->fd < 0) {
        int e = errno;
        free(s);
        errno = e;
        return KENES_EIO;
    }
    *out = s;
    return 0;
}

void hpack_spill_close(hpack_spill *s)
{
    if (!s)
        return;
    close(s->fd);
    free(s->free_slots);
    free(s);
}

size_t hpack_spill_bytes(const hpack_spill *s)
{
    return s ? s->bytes : 0;
}

static size_t slots_of(size_t len)
{
    return (len + HPACK_CHUNK - 1) / HPACK_CHUNK;
}

int hpack_spill_put(uint32_t *slot, hpack_spill *s, const void *data, size_t len)
{
    size_t k = slots_of(len);
    if (!len || k > UINT32_MAX - s->nslots)
        return KENES_EIO;
    int reused = k == 1 && s->nfree;
    uint32_t at = reused ? s->free_slots[s->nfree - 1] : s->nslots;
    if (util_pwrite_all(s->fd, data, len, (uint64_t)at * HPACK_CHUNK) < 0)
        return KENES_EIO; /* the slot is not taken: the next try writes it over */
    if (reused)
        s->nfree--;
    else
        s->nslots += (uint32_t)k;
    s->bytes += len;
    *slot = at;
    return 0;
}

int hpack_spill_get(void *buf, const hpack_spill *s, uint32_t slot, size_t len)
{
    /* Shorter than what was written to it: EIO. */
    return util_pread_all(s->fd, buf, len, (uint64_t)slot * HPACK_CHUNK);
}

void hpack_spill_drop(hpack_spill *s, uint32_t slot, size_t len)
{
    s->bytes -= len;
    for (size_t i = 0; i < slots_of(len); i++) {
        uint32_t *f = util_grow(s->free_slots, &s->free_cap, s->nfree, sizeof(*f), 64);
        if (!f)
            return; /* out of memory: the file keeps the room unused */
        s->free_slots = f;
        s->free_slots[s->nfree++] = slot + (uint32_t)i;
    }
}
