/* Secrets sealed with a passphrase (keyseal.h): Argon2id, then
 * secretstream, both libsodium's. */
#include "storage/keyseal.h"

#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kenes/plugin.h"

#define MAGIC "kenes-keys 1\n"
#define MAGIC_LEN (sizeof(MAGIC) - 1)
#define HEAD_LEN (MAGIC_LEN + 1 + 8 + 8 + crypto_pwhash_SALTBYTES + \
                  crypto_secretstream_xchacha20poly1305_HEADERBYTES)
#define CHUNK 65536
#define MAX_OPS 10ULL
#define MAX_MEM (1ULL << 30)

static void put64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

int keyseal_seal(char **out, size_t *outlen, const void *plain, size_t len, const char *pass,
                 size_t passlen, unsigned long long opslimit, size_t memlimit)
{
    unsigned char key[crypto_secretstream_xchacha20poly1305_KEYBYTES];
    crypto_secretstream_xchacha20poly1305_state st;
    *out = NULL;
    *outlen = 0;
    if (sodium_init() < 0)
        return KENES_EIO;
    size_t chunks = len / CHUNK + 1; /* the last, FINAL, may be empty */
    size_t cap = HEAD_LEN + len + chunks * crypto_secretstream_xchacha20poly1305_ABYTES;
    unsigned char *buf = malloc(cap), *p = buf;
    if (!buf)
        return KENES_ENOMEM;
    memcpy(p, MAGIC, MAGIC_LEN);
    p += MAGIC_LEN;
    *p++ = (unsigned char)crypto_pwhash_ALG_ARGON2ID13;
    put64(p, opslimit);
    put64(p + 8, memlimit);
    p += 16;
    unsigned char *salt = p;
    randombytes_buf(salt, crypto_pwhash_SALTBYTES);
    p += crypto_pwhash_SALTBYTES;
    if (crypto_pwhash(key, sizeof(key), pass, passlen, salt, opslimit, memlimit,
                      crypto_pwhash_ALG_ARGON2ID13) != 0) {
        free(buf);
        return KENES_EINVAL; /* out of memory, or limits out of range */
    }
    crypto_secretstream_xchacha20poly1305_init_push(&st, p, key);
    sodium_memzero(key, sizeof(key));
    p += crypto_secretstream_xchacha20poly1305_HEADERBYTES;
    const unsigned char *in = plain;
    for (size_t at = 0, i = 0; i < chunks; i++) {
        size_t n = len - at < CHUNK ? len - at : CHUNK;
        unsigned long long clen = 0;
        unsigned char tag = i + 1 == chunks ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0;
        crypto_secretstream_xchacha20poly1305_push(&st, p, &clen, in + at, n,
                                                   i == 0 ? buf : NULL, i == 0 ? HEAD_LEN : 0,
                                                   tag);
        p += clen;
        at += n;
    }
    sodium_memzero(&st, sizeof(st));
    *out = (char *)buf;
    *outlen = (size_t)(p - buf);
    return 0;
}

int keyseal_open(char **out, size_t *outlen, const void *sealed, size_t len, const char *pass,
                 size_t passlen)
{
    unsigned char key[crypto_secretstream_xchacha20poly1305_KEYBYTES];
    crypto_secretstream_xchacha20poly1305_state st;
    const unsigned char *in = sealed;
    *out = NULL;
    *outlen = 0;
    if (sodium_init() < 0)
        return KENES_EIO;
    if (len < HEAD_LEN + crypto_secretstream_xchacha20poly1305_ABYTES ||
        memcmp(in, MAGIC, MAGIC_LEN) != 0 || in[MAGIC_LEN] != crypto_pwhash_ALG_ARGON2ID13)
        return KENES_EINVAL;
    uint64_t ops = get64(in + MAGIC_LEN + 1), mem = get64(in + MAGIC_LEN + 9);
    if (ops < crypto_pwhash_OPSLIMIT_MIN || ops > MAX_OPS || mem < crypto_pwhash_MEMLIMIT_MIN ||
        mem > MAX_MEM)
        return KENES_EINVAL;
    const unsigned char *salt = in + MAGIC_LEN + 17;
    const unsigned char *header = salt + crypto_pwhash_SALTBYTES;
    if (crypto_pwhash(key, sizeof(key), pass, passlen, salt, ops, (size_t)mem,
                      crypto_pwhash_ALG_ARGON2ID13) != 0)
        return KENES_ENOMEM;
    int rc = crypto_secretstream_xchacha20poly1305_init_pull(&st, header, key);
    sodium_memzero(key, sizeof(key));
    if (rc != 0)
        return KENES_EINVAL;
    unsigned char *plain = malloc(len + 1), *p = plain;
    if (!plain)
        return KENES_ENOMEM;
    size_t at = HEAD_LEN;
    int final = 0;
    rc = 0;
    for (int first = 1; at < len && !final; first = 0) {
        size_t n = len - at;
        if (n > CHUNK + crypto_secretstream_xchacha20poly1305_ABYTES)
            n = CHUNK + crypto_secretstream_xchacha20poly1305_ABYTES;
        unsigned long long mlen = 0;
        unsigned char tag = 0;
        if (crypto_secretstream_xchacha20poly1305_pull(&st, p, &mlen, &tag, in + at, n,
                                                       first ? in : NULL,
                                                       first ? HEAD_LEN : 0) != 0) {
            rc = KENES_EFORBIDDEN;
            break;
        }
        p += mlen;
        at += n;
        final = tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL;
    }
    sodium_memzero(&st, sizeof(st));
    if (rc == 0 && (!final || at != len))
        rc = KENES_EFORBIDDEN; /* cut short, or bytes after the end */
    if (rc < 0) {
        sodium_memzero(plain, (size_t)(p - plain));
        free(plain);
        return rc;
    }
    *p = '\0';
    *out = (char *)plain;
    *outlen = (size_t)(p - plain);
    return 0;
}
