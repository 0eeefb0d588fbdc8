#include "storage/snapshot.h"

#include <git2.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kenes/plugin.h"
#include "base/util.h"

#define MAGIC "KENESNAP"
#define FORMAT 2u
#define NONCE crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG crypto_aead_xchacha20poly1305_ietf_ABYTES
#define HEADER (8 + 4 + 4 + SNAP_DIGEST_BYTES + NONCE)

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
    if (util_buf_append(&w->records, (const char *)n16, 2) < 0 ||
        util_buf_append(&w->records, id, idlen) < 0 ||
        util_buf_append(&w->records, (const char *)oid.id, GIT_OID_RAWSZ) < 0 ||
        util_buf_append(&w->records, (const char *)n32, 4) < 0 ||
        (len && util_buf_append(&w->records, entry, len) < 0)) {
        w->failed = 1;
        return KENES_ENOMEM;
    }
    w->count++;
    return 0;
}

int snap_writer_commit(snap_writer *w)
{
    size_t body = w->records.len;
    unsigned char *file = w->failed ? NULL : malloc(HEADER + body + TAG);
    int rc = KENES_ENOMEM;
    if (file && sodium_init() >= 0) {
        memcpy(file, MAGIC, 8);
        put32(file + 8, FORMAT);
        put32(file + 12, w->count);
        memcpy(file + 16, w->digest, SNAP_DIGEST_BYTES);
        randombytes_buf(file + 16 + SNAP_DIGEST_BYTES, NONCE);
        unsigned long long sealed = 0;
        crypto_aead_xchacha20poly1305_ietf_encrypt(
            file + HEADER, &sealed, (const unsigned char *)w->records.data, body, file, HEADER,
            NULL, file + 16 + SNAP_DIGEST_BYTES, w->key);
        rc = util_write_file_atomic(w->path, (const char *)file, HEADER + (size_t)sealed, 0600);
    }
    free(file);
    writer_free(w);
    return rc < 0 ? rc : 0;
}

void snap_writer_abort(snap_writer *w)
{
    writer_free(w);
}

struct snap_reader {
    unsigned char *plain;
    size_t at, end;
    uint32_t count, seen;
};

int snap_reader_open(snap_reader **out, const char *path,
                     const unsigned char digest[SNAP_DIGEST_BYTES],
                     const unsigned char key[SNAP_KEY_BYTES])
{
    char *data = NULL;
    size_t len = 0;
    *out = NULL;
    int rc = util_read_file(&data, &len, path);
    if (rc < 0)
        return rc == KENES_ENOTFOUND || rc == KENES_ENOMEM ? rc : KENES_EINVAL;
    const unsigned char *p = (const unsigned char *)data;
    snap_reader *r = NULL;
    /* Opened before the digest is compared: a damaged digest is damage. */
    if (len < HEADER + TAG || memcmp(p, MAGIC, 8) != 0 || get32(p + 8) != FORMAT)
        rc = KENES_EINVAL;
    else if (!(r = calloc(1, sizeof(*r))) || !(r->plain = malloc(len - HEADER - TAG + 1)))
        rc = KENES_ENOMEM;
    else if (sodium_init() < 0 ||
             crypto_aead_xchacha20poly1305_ietf_decrypt(
                 r->plain, NULL, NULL, p + HEADER, len - HEADER, p, HEADER,
                 p + 16 + SNAP_DIGEST_BYTES, key) != 0)
        rc = KENES_EINVAL; /* damaged, cut short, or another master key's */
    else if (memcmp(p + 16, digest, SNAP_DIGEST_BYTES) != 0)
        rc = KENES_ESTALE;
    if (r && rc < 0)
        r->end = len - HEADER - TAG;
    if (rc == 0) {
        r->count = get32(p + 12);
        r->end = len - HEADER - TAG;
        *out = r;
    } else {
        snap_reader_close(r);
    }
    free(data);
    return rc;
}

size_t snap_reader_count(const snap_reader *r)
{
    return r ? r->count : 0;
}

int snap_reader_next(snap_reader *r, const char **id, char version[41], const char **entry,
                     size_t *len)
{
    unsigned char *p = r->plain;
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
    char *idcopy = (char *)p + at - 1; /* the length's second byte, no longer needed */
    memmove(idcopy, p + at, idlen);
    idcopy[idlen] = '\0';
    *id = idcopy;
    *entry = (const char *)p + at + idlen + GIT_OID_RAWSZ + 4;
    *len = elen;
    r->at = at + idlen + GIT_OID_RAWSZ + 4 + elen;
    r->seen++;
    return 1;
}

void snap_reader_close(snap_reader *r)
{
    if (!r)
        return;
    if (r->plain) {
        sodium_memzero(r->plain, r->end);
        free(r->plain);
    }
    free(r);
}
