#include "storage/snapshot.h"

#include <errno.h>
#include <fcntl.h>
#include <git2.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kenes/plugin.h"
#include "base/error.h"
#include "base/util.h"

#define MAGIC "KENESNAP"
#define FORMAT 3u
#define STREAM_HEADER crypto_secretstream_xchacha20poly1305_HEADERBYTES
#define ABYTES crypto_secretstream_xchacha20poly1305_ABYTES
#define PLAIN (8 + 4 + 4 + SNAP_DIGEST_BYTES) /* what the first chunk authenticates */
#define HEADER (PLAIN + STREAM_HEADER)

struct snap_writer {
    char *path;
    util_buf records;
    unsigned char digest[SNAP_DIGEST_BYTES];
    unsigned char key[SNAP_KEY_BYTES];
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

static void writer_free(snap_writer *w)
{
    if (!w)
        return;
    sodium_memzero(w->key, sizeof(w->key));
    /* The records of cases are what the seal protects. */
    if (w->records.data)
        sodium_memzero(w->records.data, w->records.len);
    util_buf_dispose(&w->records);
    free(w->path);
    free(w);
}

int snap_writer_open(snap_writer **out, const char *path,
                     const unsigned char digest[SNAP_DIGEST_BYTES],
                     const unsigned char key[SNAP_KEY_BYTES])
{
    snap_writer *w = calloc(1, sizeof(*w));
    *out = NULL;
    if (!w || !(w->path = strdup(path))) {
        writer_free(w);
        return KENES_ENOMEM;
    }
    util_buf_init(&w->records);
    memcpy(w->digest, digest, SNAP_DIGEST_BYTES);
    memcpy(w->key, key, SNAP_KEY_BYTES);
    *out = w;
    return 0;
}

int snap_writer_add(snap_writer *w, const char *id, const char *version, const char *entry,
                    size_t len, const char *doc, size_t doc_len)
{
    git_oid oid;
    size_t idlen = id ? strlen(id) : 0;
    if (!idlen || idlen > UINT16_MAX || len > UINT32_MAX || doc_len > UINT32_MAX ||
        (doc_len && !doc) || !version || strlen(version) != GIT_OID_HEXSZ ||
        git_oid_fromstr(&oid, version) < 0 || w->count == UINT32_MAX)
        return KENES_EINVAL;
    unsigned char n16[2] = {(unsigned char)idlen, (unsigned char)(idlen >> 8)}, n32[4], d32[4];
    put32(n32, (uint32_t)len);
    put32(d32, (uint32_t)doc_len);
    if (util_buf_append(&w->records, (const char *)n16, 2) < 0 ||
        util_buf_append(&w->records, id, idlen) < 0 ||
        util_buf_append(&w->records, (const char *)oid.id, GIT_OID_RAWSZ) < 0 ||
        util_buf_append(&w->records, (const char *)n32, 4) < 0 ||
        (len && util_buf_append(&w->records, entry, len) < 0) ||
        util_buf_append(&w->records, (const char *)d32, 4) < 0 ||
        (doc_len && util_buf_append(&w->records, doc, doc_len) < 0)) {
        w->failed = 1;
        return KENES_ENOMEM;
    }
    w->count++;
    return 0;
}

/* The records sealed chunk by chunk into fd: a chunk in memory at a time,
 * never a second copy of the whole. */
static int write_sealed(int fd, snap_writer *w)
{
    unsigned char head[HEADER], *chunk = malloc(4 + SNAP_CHUNK_BYTES + ABYTES);
    crypto_secretstream_xchacha20poly1305_state st;
    if (!chunk)
        return KENES_ENOMEM;
    memcpy(head, MAGIC, 8);
    put32(head + 8, FORMAT);
    put32(head + 12, w->count);
    memcpy(head + 16, w->digest, SNAP_DIGEST_BYTES);
    crypto_secretstream_xchacha20poly1305_init_push(&st, head + PLAIN, w->key);
    int rc = util_write_all(fd, head, HEADER);
    size_t at = 0, total = w->records.len;
    do {
        size_t n = total - at < SNAP_CHUNK_BYTES ? total - at : SNAP_CHUNK_BYTES;
        int last = at + n == total;
        unsigned long long clen = 0;
        /* The first chunk authenticates the header: its digest and count. */
        crypto_secretstream_xchacha20poly1305_push(
            &st, chunk + 4, &clen, (const unsigned char *)w->records.data + at, n,
            at == 0 ? head : NULL, at == 0 ? PLAIN : 0,
            last ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0);
        put32(chunk, (uint32_t)clen);
        if (rc == 0)
            rc = util_write_all(fd, chunk, 4 + (size_t)clen);
        at += n;
    } while (rc == 0 && at < total);
    sodium_memzero(&st, sizeof(st));
    free(chunk);
    return rc;
}

int snap_writer_commit(snap_writer *w)
{
    char tmp[4200];
    int rc = w->failed || sodium_init() < 0 ? KENES_ENOMEM : 0;
    if (rc == 0 &&
        (size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", w->path, (long)getpid()) >= sizeof(tmp))
        rc = KENES_ETOOBIG;
    int fd = rc == 0 ? open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600) : -1;
    if (rc == 0 && fd < 0)
        rc = kenes_error_from_errno(errno);
    if (fd >= 0) {
        rc = write_sealed(fd, w);
        if (rc == 0 && fsync(fd) < 0)
            rc = kenes_error_from_errno(errno);
        close(fd);
        if (rc == 0)
            rc = util_rename_durable(tmp, w->path);
        if (rc < 0)
            unlink(tmp);
    }
    writer_free(w);
    return rc < 0 ? rc : 0;
}

void snap_writer_abort(snap_writer *w)
{
    writer_free(w);
}

struct snap_reader {
    FILE *f;
    crypto_secretstream_xchacha20poly1305_state st;
    unsigned char head[HEADER];
    unsigned char *sealed; /* one chunk as read */
    unsigned char *plain;  /* opened bytes: handed out before at, the rest not yet */
    size_t at, len, cap;
    uint32_t count, seen;
    int first; /* the first chunk, which authenticates the header, is opened */
    int final; /* the last chunk was opened */
};

/* The next chunk opened and appended to r->plain: 1, 0 at the end of the
 * file after the final chunk, KENES_EINVAL when altered, cut short or
 * sealed with another key, KENES_ENOMEM. */
static int next_chunk(snap_reader *r)
{
    unsigned char n32[4];
    if (r->final)
        return 0;
    if (fread(n32, 1, 4, r->f) != 4)
        return KENES_EINVAL; /* cut short before the final chunk */
    size_t clen = get32(n32);
    if (clen < ABYTES || clen > SNAP_CHUNK_BYTES + ABYTES || fread(r->sealed, 1, clen, r->f) != clen)
        return KENES_EINVAL;
    /* What was handed out goes first: plain holds a record at most beside the chunk. */
    if (r->at) {
        sodium_memzero(r->plain, r->at);
        memmove(r->plain, r->plain + r->at, r->len - r->at);
        r->len -= r->at;
        r->at = 0;
    }
    if (r->cap - r->len < clen) {
        unsigned char *grown = malloc(r->len + clen);
        if (!grown)
            return KENES_ENOMEM;
        if (r->plain) {
            memcpy(grown, r->plain, r->len);
            sodium_memzero(r->plain, r->cap);
            free(r->plain);
        }
        r->plain = grown;
        r->cap = r->len + clen;
    }
    unsigned long long n = 0;
    unsigned char tag = 0;
    if (crypto_secretstream_xchacha20poly1305_pull(&r->st, r->plain + r->len, &n, &tag,
                                                   r->sealed, clen, r->first ? NULL : r->head,
                                                   r->first ? 0 : PLAIN) != 0)
        return KENES_EINVAL;
    r->first = 1;
    r->len += (size_t)n;
    if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
        r->final = 1;
        if (fgetc(r->f) != EOF)
            return KENES_EINVAL; /* bytes after the final chunk */
    }
    return 1;
}

int snap_reader_open(snap_reader **out, const char *path,
                     const unsigned char digest[SNAP_DIGEST_BYTES],
                     const unsigned char key[SNAP_KEY_BYTES])
{
    *out = NULL;
    snap_reader *r = calloc(1, sizeof(*r));
    if (!r || sodium_init() < 0 || !(r->sealed = malloc(SNAP_CHUNK_BYTES + ABYTES))) {
        snap_reader_close(r);
        return KENES_ENOMEM;
    }
    if (!(r->f = fopen(path, "rbe"))) {
        int rc = errno == ENOENT ? KENES_ENOTFOUND : KENES_EINVAL;
        snap_reader_close(r);
        return rc;
    }
    int rc = fread(r->head, 1, HEADER, r->f) == HEADER && !memcmp(r->head, MAGIC, 8) &&
                     get32(r->head + 8) == FORMAT &&
                     crypto_secretstream_xchacha20poly1305_init_pull(&r->st, r->head + PLAIN,
                                                                      key) == 0
                 ? 0
                 : KENES_EINVAL;
    /* The first chunk opened before the digest is compared: a damaged
     * digest is damage, not other rules. */
    int got = rc == 0 ? next_chunk(r) : rc;
    if (got < 0)
        rc = got;
    else if (memcmp(r->head + 16, digest, SNAP_DIGEST_BYTES) != 0)
        rc = KENES_ESTALE;
    if (rc < 0) {
        snap_reader_close(r);
        return rc;
    }
    r->count = get32(r->head + 12);
    *out = r;
    return 0;
}

size_t snap_reader_count(const snap_reader *r)
{
    return r ? r->count : 0;
}

/* 1 if a whole record starts at r->at, with its lengths. */
static int whole(const snap_reader *r, size_t *idlen, size_t *elen, size_t *dlen)
{
    const unsigned char *p = r->plain + r->at;
    size_t have = r->len - r->at;
    if (have < 2)
        return 0;
    *idlen = (size_t)p[0] | (size_t)p[1] << 8;
    size_t need = 2 + *idlen + GIT_OID_RAWSZ + 4;
    if (have < need)
        return 0;
    *elen = get32(p + need - 4);
    if (have - need < *elen + 4)
        return 0;
    *dlen = get32(p + need + *elen);
    return have - need - *elen - 4 >= *dlen;
}

int snap_reader_next(snap_reader *r, const char **id, char version[41], const char **entry,
                     size_t *len, const char **doc, size_t *doc_len)
{
    size_t idlen, elen, dlen;
    if (r->seen == r->count)
        return r->final ? 0 : KENES_EINVAL; /* more chunks than records */
    while (!whole(r, &idlen, &elen, &dlen)) {
        int rc = next_chunk(r);
        if (rc <= 0)
            return rc < 0 ? rc : KENES_EINVAL; /* fewer records than the header says */
    }
    unsigned char *p = r->plain + r->at;
    /* The id is followed by its version's bytes: it needs its own end. */
    git_oid oid;
    memcpy(oid.id, p + 2 + idlen, GIT_OID_RAWSZ);
    git_oid_tostr(version, 41, &oid);
    char *idcopy = (char *)p + 1; /* the length's second byte, no longer needed */
    memmove(idcopy, p + 2, idlen);
    idcopy[idlen] = '\0';
    *id = idcopy;
    size_t at = 2 + idlen + GIT_OID_RAWSZ + 4;
    *entry = (const char *)p + at;
    *len = elen;
    *doc = dlen ? (const char *)p + at + elen + 4 : NULL;
    *doc_len = dlen;
    r->at += at + elen + 4 + dlen;
    r->seen++;
    return 1;
}

void snap_reader_close(snap_reader *r)
{
    if (!r)
        return;
    if (r->f)
        fclose(r->f);
    if (r->plain)
        sodium_memzero(r->plain, r->cap);
    free(r->plain);
    if (r->sealed)
        sodium_memzero(r->sealed, SNAP_CHUNK_BYTES + ABYTES);
    free(r->sealed);
    sodium_memzero(&r->st, sizeof(r->st));
    free(r);
}
