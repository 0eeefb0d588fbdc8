/*
 * Signing: an Ed25519 key on disk and SSH signatures (PROTOCOL.sshsig) made
 * with libsodium, so that git and ssh-keygen check them without kenes.
 *
 * Wire encoding, as in RFC 4251: uint32 is 4 bytes big-endian; string is a
 * uint32 length and then the bytes.
 *
 *   public key blob:  string "ssh-ed25519", string pk[32]
 *   signature blob:   string "ssh-ed25519", string sig[64]
 *   signed data:      "SSHSIG", string namespace, string reserved (""),
 *                     string hash algorithm ("sha512"), string SHA-512(data)
 *   signature file:   "SSHSIG", uint32 1, string public key blob,
 *                     string namespace, string reserved, string hash
 *                     algorithm, string signature blob
 *
 * The signature file is base64 (standard alphabet, padded) in lines of 70
 * between the BEGIN and END lines.
 */
#include "sign.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "kenes/plugin.h"
#include "util.h"

#define KEY_TYPE "ssh-ed25519"
#define KEY_TYPE_LEN (sizeof(KEY_TYPE) - 1)
#define MAGIC "SSHSIG"
#define MAGIC_LEN (sizeof(MAGIC) - 1)
#define HASH_ALG "sha512"
#define HASH_ALG_LEN (sizeof(HASH_ALG) - 1)
#define NAMESPACE_LEN (sizeof(SIGN_NAMESPACE) - 1)
#define SIG_VERSION 1u

#define PK_BYTES crypto_sign_ed25519_PUBLICKEYBYTES /* 32 */
#define SK_BYTES crypto_sign_ed25519_SECRETKEYBYTES /* 64: seed || pk */
#define SIG_BYTES crypto_sign_ed25519_BYTES         /* 64 */
#define HASH_BYTES crypto_hash_sha512_BYTES         /* 64 */

#define PK_BLOB_LEN (4 + KEY_TYPE_LEN + 4 + PK_BYTES)
#define SIG_BLOB_LEN (4 + KEY_TYPE_LEN + 4 + SIG_BYTES)
#define TO_SIGN_LEN (MAGIC_LEN + 4 + NAMESPACE_LEN + 4 + 4 + HASH_ALG_LEN + 4 + HASH_BYTES)
#define SIG_FILE_LEN                                                                           \
    (MAGIC_LEN + 4 + 4 + PK_BLOB_LEN + 4 + NAMESPACE_LEN + 4 + 4 + HASH_ALG_LEN + 4 + SIG_BLOB_LEN)

#define ARMOR_BEGIN "-----BEGIN SSH SIGNATURE-----\n"
#define ARMOR_END "-----END SSH SIGNATURE-----\n"
#define ARMOR_LINE 70 /* what ssh-keygen writes */

/* base64 of the public key blob, NUL-terminated. */
#define PK_B64_SIZE sodium_base64_ENCODED_LEN(PK_BLOB_LEN, sodium_base64_VARIANT_ORIGINAL)

struct signer {
    unsigned char *sk; /* sodium_malloc(SK_BYTES), read-only once loaded */
    char pk_b64[PK_B64_SIZE];
};

static void set_err(char *err, size_t errcap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errcap, const char *fmt, ...)
{
    if (!err || errcap == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errcap, fmt, ap);
    va_end(ap);
}

/* ---- wire encoding into a buffer sized by the caller ---- */

typedef struct wire {
    unsigned char *p;
    size_t len;
} wire;

static void put_bytes(wire *w, const void *b, size_t n)
{
    memcpy(w->p + w->len, b, n);
    w->len += n;
}

static void put_u32(wire *w, uint32_t v)
{
    unsigned char b[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 8), (unsigned char)v};
    put_bytes(w, b, 4);
}

static void put_string(wire *w, const void *b, size_t n)
{
    put_u32(w, (uint32_t)n);
    if (n)
        put_bytes(w, b, n);
}

static void pk_blob(unsigned char out[PK_BLOB_LEN], const unsigned char *pk)
{
    wire w = {out, 0};
    put_string(&w, KEY_TYPE, KEY_TYPE_LEN);
    put_string(&w, pk, PK_BYTES);
}

static void pk_to_b64(char out[PK_B64_SIZE], const unsigned char *pk)
{
    unsigned char blob[PK_BLOB_LEN];
    pk_blob(blob, pk);
    sodium_bin2base64(out, PK_B64_SIZE, blob, sizeof(blob), sodium_base64_VARIANT_ORIGINAL);
}

/* ---- the key on disk ---- */

static int key_paths(char *key, char *pub, size_t cap, const char *dir)
{
    if ((size_t)snprintf(key, cap, "%s/%s", dir, SIGN_KEY_FILE) >= cap ||
        (size_t)snprintf(pub, cap, "%s/%s", dir, SIGN_PUB_FILE) >= cap)
        return KENES_EINVAL;
    return 0;
}

int sign_create_key(const char *dir)
{
    char key_path[4096], pub_path[4096];
    if (!dir || !*dir || key_paths(key_path, pub_path, sizeof(key_path), dir) < 0)
        return KENES_EINVAL;
    if (sodium_init() < 0)
        return KENES_EIO;
    if (util_mkdirs(dir, 0700) < 0)
        return KENES_EIO;
    /* util_write_file_atomic renames over whatever is there, and a replaced
     * key would leave every earlier commit signed by a key nobody lists. */
    struct stat st;
    if (lstat(key_path, &st) == 0)
        return KENES_EEXISTS;
    if (errno != ENOENT)
        return KENES_EIO;

    unsigned char pk[PK_BYTES], sk[SK_BYTES];
    crypto_sign_ed25519_keypair(pk, sk);
    int rc = util_write_file_atomic(key_path, (const char *)sk, sizeof(sk), 0600);
    sodium_memzero(sk, sizeof(sk));
    if (rc < 0)
        return rc == -ENOMEM ? KENES_ENOMEM : KENES_EIO;

    char b64[PK_B64_SIZE], line[SIGN_LINE_MAX];
    pk_to_b64(b64, pk);
    int n = snprintf(line, sizeof(line), "%s %s %s\n", KEY_TYPE, b64, SIGN_KEY_COMMENT);
    if (n < 0 || (size_t)n >= sizeof(line))
        return KENES_EINVAL;
    rc = util_write_file_atomic(pub_path, line, (size_t)n, 0644);
    return rc < 0 ? KENES_EIO : 0;
}

/* Read the secret key straight into locked memory, checking the opened file
 * itself so that the checks and the read concern the same file. */
static int key_load(unsigned char *sk, const char *path, char *err, size_t errcap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        set_err(err, errcap, "cannot open the signing key %s: %s", path, strerror(e));
        return e == ENOENT ? KENES_ENOTFOUND : KENES_EIO;
    }
    struct stat st;
    int rc = 0;
    if (fstat(fd, &st) < 0) {
        set_err(err, errcap, "cannot stat the signing key %s: %s", path, strerror(errno));
        rc = KENES_EIO;
    } else if (!S_ISREG(st.st_mode)) {
        set_err(err, errcap, "the signing key %s is not a regular file", path);
        rc = KENES_EINVAL;
    } else if (st.st_mode & 077) {
        set_err(err, errcap, "%s must be readable by its owner only (chmod 600)", path);
        rc = KENES_EINVAL;
    } else if (st.st_size != (off_t)SK_BYTES) {
        set_err(err, errcap, "the signing key %s is %lld bytes; it must be exactly %d", path,
                (long long)st.st_size, (int)SK_BYTES);
        rc = KENES_EINVAL;
    }
    size_t got = 0;
    while (rc == 0 && got < SK_BYTES) {
        ssize_t n = read(fd, sk + got, SK_BYTES - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            set_err(err, errcap, "cannot read the signing key %s: %s", path, strerror(errno));
            rc = KENES_EIO;
        } else if (n == 0) {
            set_err(err, errcap, "the signing key %s is shorter than %d bytes", path,
                    (int)SK_BYTES);
            rc = KENES_EINVAL;
        } else {
            got += (size_t)n;
        }
    }
    close(fd);
    if (rc == 0) {
        /* The public half is stored beside the seed; a file whose halves
         * disagree would sign with one key and advertise another. */
        unsigned char pk[PK_BYTES], check[SK_BYTES];
        crypto_sign_ed25519_seed_keypair(pk, check, sk);
        if (sodium_memcmp(pk, sk + SK_BYTES - PK_BYTES, PK_BYTES) != 0) {
            set_err(err, errcap, "the signing key %s is damaged: its public half does not "
                                 "match its seed", path);
            rc = KENES_EINVAL;
        }
        sodium_memzero(check, sizeof(check));
    }
    if (rc < 0)
        sodium_memzero(sk, SK_BYTES);
    return rc;
}

int sign_open(signer **out, const char *dir, char *err, size_t errcap)
{
    char key_path[4096], pub_path[4096];
    if (out)
        *out = NULL;
    if (!out || !dir || !*dir || key_paths(key_path, pub_path, sizeof(key_path), dir) < 0) {
        set_err(err, errcap, "sign_open needs a keys folder");
        return KENES_EINVAL;
    }
    if (sodium_init() < 0) {
        set_err(err, errcap, "libsodium failed to initialise");
        return KENES_EIO;
    }
    signer *s = calloc(1, sizeof(*s));
    if (!s || !(s->sk = sodium_malloc(SK_BYTES))) {
        set_err(err, errcap, "out of memory loading the signing key");
        sign_free(s);
        return KENES_ENOMEM;
    }
    int rc = key_load(s->sk, key_path, err, errcap);
    if (rc < 0) {
        sign_free(s);
        return rc;
    }
    pk_to_b64(s->pk_b64, s->sk + SK_BYTES - PK_BYTES);
    /* From here on the writer thread reads the key while the loop may read
     * the rest: nothing writes to a signer again until sign_free. */
    sodium_mprotect_readonly(s->sk);
    *out = s;
    return 0;
}

void sign_free(signer *s)
{
    if (!s)
        return;
    sodium_free(s->sk); /* wipes it; also undoes the read-only protection */
    free(s);
}

/* ---- lines for humans and for ssh-keygen ---- */

int sign_public_line(const signer *s, char *out, size_t cap)
{
    if (!s || !out || cap == 0)
        return KENES_EINVAL;
    int n = snprintf(out, cap, "%s %s %s", KEY_TYPE, s->pk_b64, SIGN_KEY_COMMENT);
    if (n < 0 || (size_t)n >= cap) {
        out[0] = '\0';
        return KENES_ETOOBIG;
    }
    return 0;
}

int sign_allowed_signers_line(const signer *s, const char *principal, char *out, size_t cap)
{
    if (!s || !out || cap == 0 || !principal || !*principal)
        return KENES_EINVAL;
    out[0] = '\0';
    /* ssh-keygen reads the principal up to the first space and splits it at
     * commas; a quote would start a quoted list.  None of them belongs in
     * a committer email. */
    for (const unsigned char *p = (const unsigned char *)principal; *p; p++)
        if (*p <= ' ' || *p == ',' || *p == '"' || *p == 0x7f)
            return KENES_EINVAL;
    int n = snprintf(out, cap, "%s namespaces=\"%s\" %s %s", principal, SIGN_NAMESPACE,
                     KEY_TYPE, s->pk_b64);
    if (n < 0 || (size_t)n >= cap) {
        out[0] = '\0';
        return KENES_ETOOBIG;
    }
    return 0;
}

/* ---- signatures ---- */

int sign_buffer(const signer *s, char **armored, size_t *len, const char *data, size_t data_len)
{
    if (armored)
        *armored = NULL;
    if (len)
        *len = 0;
    if (!s || !armored || !len || (!data && data_len))
        return KENES_EINVAL;

    unsigned char hash[HASH_BYTES];
    crypto_hash_sha512(hash, (const unsigned char *)(data ? data : ""),
                       (unsigned long long)data_len);

    unsigned char to_sign[TO_SIGN_LEN];
    wire w = {to_sign, 0};
    put_bytes(&w, MAGIC, MAGIC_LEN);
    put_string(&w, SIGN_NAMESPACE, NAMESPACE_LEN);
    put_string(&w, "", 0); /* reserved */
    put_string(&w, HASH_ALG, HASH_ALG_LEN);
    put_string(&w, hash, sizeof(hash));

    unsigned char sig[SIG_BYTES];
    if (crypto_sign_ed25519_detached(sig, NULL, to_sign, w.len, s->sk) != 0)
        return KENES_EIO;

    unsigned char blob[SIG_FILE_LEN], pk[PK_BLOB_LEN], sig_blob[SIG_BLOB_LEN];
    pk_blob(pk, s->sk + SK_BYTES - PK_BYTES);
    wire sb = {sig_blob, 0};
    put_string(&sb, KEY_TYPE, KEY_TYPE_LEN);
    put_string(&sb, sig, sizeof(sig));
    w = (wire){blob, 0};
    put_bytes(&w, MAGIC, MAGIC_LEN);
    put_u32(&w, SIG_VERSION);
    put_string(&w, pk, sizeof(pk));
    put_string(&w, SIGN_NAMESPACE, NAMESPACE_LEN);
    put_string(&w, "", 0);
    put_string(&w, HASH_ALG, HASH_ALG_LEN);
    put_string(&w, sig_blob, sizeof(sig_blob));

    char b64[sodium_base64_ENCODED_LEN(SIG_FILE_LEN, sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(b64, sizeof(b64), blob, w.len, sodium_base64_VARIANT_ORIGINAL);
    size_t b64_len = strlen(b64);

    util_buf out;
    util_buf_init(&out);
    int rc = util_buf_puts(&out, ARMOR_BEGIN);
    for (size_t off = 0; rc == 0 && off < b64_len; off += ARMOR_LINE) {
        size_t n = b64_len - off < ARMOR_LINE ? b64_len - off : ARMOR_LINE;
        rc = util_buf_append(&out, b64 + off, n);
        if (rc == 0)
            rc = util_buf_puts(&out, "\n");
    }
    if (rc == 0)
        rc = util_buf_puts(&out, ARMOR_END);
    if (rc < 0) {
        util_buf_dispose(&out);
        return KENES_ENOMEM;
    }
    *armored = util_buf_detach(&out, len);
    return *armored ? 0 : KENES_ENOMEM;
}
