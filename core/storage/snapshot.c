#include "storage/snapshot.h"

#include <errno.h>
#include <fcntl.h>
#include <git2.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kenes/plugin.h"
#include "base/util.h"

#define MAGIC "KENESNAP"
#define FORMAT 1u
#define HEADER (8 + 4 + 4 + SNAP_DIGEST_BYTES)
#define SUM crypto_generichash_BYTES

struct snap_writer {
    char *path, *tmp;
    FILE *f;
    crypto_generichash_state sum;
    unsigned char digest[SNAP_DIGEST_BYTES];
    uint32_t count;
    int failed;
};

static void put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void emit(snap_writer *w, const void *p, size_t n)
{
    if (w->failed || fwrite(p, 1, n, w->f) != n)
        w->failed = 1;
    else
        crypto_generichash_update(&w->sum, p, n);
}

int snap_writer_open(snap_writer **out, const char *path,
                     const unsigned char digest[SNAP_DIGEST_BYTES])
{
    snap_writer *w = calloc(1, sizeof(*w));
    size_t n = strlen(path) + 16;
    if (!w || !(w->path = strdup(path)) || !(w->tmp = malloc(n))) {
        snap_writer_abort(w);
        return KENES_ENOMEM;
    }
    snprintf(w->tmp, n, "%s.tmp", path);
    int fd = open(w->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || !(w->f = fdopen(fd, "wb"))) {
        if (fd >= 0)
            close(fd);
        snap_writer_abort(w);
        return KENES_EIO;
    }
    crypto_generichash_init(&w->sum, NULL, 0, SUM);
    memcpy(w->digest, digest, SNAP_DIGEST_BYTES);
    /* The count is known at the end: written then, hashed as written here. */
    unsigned char head[HEADER] = MAGIC;
    put32(head + 8, FORMAT);
    memcpy(head + 16, digest, SNAP_DIGEST_BYTES);
    if (fwrite(head, 1, HEADER, w->f) != HEADER)
        w->failed = 1;
    *out = w;
    return 0;
}

int snap_writer_add(snap_writer *w, const char *id, const char *version, const char *entry,
                    size_t len)
{
    git_oid oid;
    size_t idlen = id ? strlen(id) : 0;
    if (!idlen || idlen > UINT16_MAX || len > UINT32_MAX || !version ||
        strlen(version) != GIT_OID_HEXSZ || git_oid_fromstr(&oid, version) < 0 ||
        w->count == UINT32_MAX)
        return KENES_EINVAL;
    unsigned char n16[2] = {(unsigned char)idlen, (unsigned char)(idlen >> 8)}, n32[4];
    put32(n32, (uint32_t)len);
    emit(w, n16, 2);
    emit(w, id, idlen);
    emit(w, oid.id, GIT_OID_RAWSZ);
    emit(w, n32, 4);
    emit(w, entry, len);
    w->count++;
    return w->failed ? KENES_EIO : 0;
}

static void writer_free(snap_writer *w)
{
    free(w->path);
    free(w->tmp);
    free(w);
}

int snap_writer_commit(snap_writer *w)
{
    unsigned char head[HEADER] = MAGIC, sum[SUM];
    put32(head + 8, FORMAT);
    put32(head + 12, w->count);
    memcpy(head + 16, w->digest, SNAP_DIGEST_BYTES);
    /* The header is hashed last: the records' hash state is already running. */
    crypto_generichash_state all;
    memcpy(&all, &w->sum, sizeof(all));
    crypto_generichash_update(&all, head, HEADER);
    crypto_generichash_final(&all, sum, SUM);
    int rc = 0;
    if (w->failed || fwrite(sum, 1, SUM, w->f) != SUM || fseek(w->f, 12, SEEK_SET) != 0 ||
        fwrite(head + 12, 1, 4, w->f) != 4 || fflush(w->f) != 0 || fsync(fileno(w->f)) != 0)
        rc = KENES_EIO;
    if (fclose(w->f) != 0 && rc == 0)
        rc = KENES_EIO;
    w->f = NULL;
    if (rc == 0)
        rc = util_rename_durable(w->tmp, w->path);
    if (rc < 0)
        unlink(w->tmp);
    writer_free(w);
    return rc < 0 ? rc : 0;
}

void snap_writer_abort(snap_writer *w)
{
    if (!w)
        return;
    if (w->f) {
        fclose(w->f);
        unlink(w->tmp);
    }
    writer_free(w);
}

struct snap_reader {
    char *data;
    size_t len, at, end;
    uint32_t count, seen;
};

int snap_reader_open(snap_reader **out, const char *path,
                     const unsigned char digest[SNAP_DIGEST_BYTES])
{
    snap_reader *r = calloc(1, sizeof(*r));
    if (!r)
        return KENES_ENOMEM;
    int rc = util_read_file(&r->data, &r->len, path);
    if (rc < 0) {
        free(r);
        return rc == KENES_ENOTFOUND ? rc : rc == KENES_ENOMEM ? rc : KENES_EINVAL;
    }
    const unsigned char *p = (const unsigned char *)r->data;
    unsigned char sum[SUM];
    crypto_generichash_state st;
    if (r->len < HEADER + SUM || memcmp(p, MAGIC, 8) != 0 || get32(p + 8) != FORMAT) {
        rc = KENES_EINVAL;
    } else {
        /* The same order as the writer's: records, then the header. */
        crypto_generichash_init(&st, NULL, 0, SUM);
        crypto_generichash_update(&st, p + HEADER, r->len - HEADER - SUM);
        crypto_generichash_update(&st, p, HEADER);
        crypto_generichash_final(&st, sum, SUM);
        if (sodium_memcmp(sum, p + r->len - SUM, SUM) != 0)
            rc = KENES_EINVAL;
        else if (memcmp(p + 16, digest, SNAP_DIGEST_BYTES) != 0)
            rc = KENES_ESTALE;
    }
    if (rc < 0) {
        snap_reader_close(r);
        return rc;
    }
    r->count = get32(p + 12);
    r->at = HEADER;
    r->end = r->len - SUM;
    *out = r;
    return 0;
}

size_t snap_reader_count(const snap_reader *r)
{
    return r ? r->count : 0;
}

int snap_reader_next(snap_reader *r, const char **id, char version[41], const char **entry,
                     size_t *len)
{
    const unsigned char *p = (const unsigned char *)r->data;
    if (r->seen == r->count || r->end - r->at < 2)
        return 0;
    size_t idlen = (size_t)p[r->at] | (size_t)p[r->at + 1] << 8, at = r->at + 2;
    if (r->end - at < idlen + GIT_OID_RAWSZ + 4)
        return 0;
    size_t elen = get32(p + at + idlen + GIT_OID_RAWSZ);
    if (r->end - at - idlen - GIT_OID_RAWSZ - 4 < elen)
        return 0;
    /* The id is followed by its version's bytes: it needs its own end. */
    git_oid oid;
    memcpy(oid.id, p + at + idlen, GIT_OID_RAWSZ);
    git_oid_tostr(version, 41, &oid);
    char *idcopy = r->data + at - 1; /* the length's second byte, no longer needed */
    memmove(idcopy, r->data + at, idlen);
    idcopy[idlen] = '\0';
    *id = idcopy;
    *entry = r->data + at + idlen + GIT_OID_RAWSZ + 4;
    *len = elen;
    r->at = at + idlen + GIT_OID_RAWSZ + 4 + elen;
    r->seen++;
    return 1;
}

void snap_reader_close(snap_reader *r)
{
    if (!r)
        return;
    free(r->data);
    free(r);
}
