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
 *
 * Checking reads what ssh-keygen -Y verify reads, for Ed25519 keys: a hash
 * of sha512 or sha256, any reserved string (it is signed like the rest).
 */
#include "storage/sign.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "kenes/plugin.h"
#include "base/util.h"

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
    if (rc < 0) /* util's code already: only out of memory is told apart */
        return rc == KENES_ENOMEM ? KENES_ENOMEM : KENES_EIO;

    char b64[PK_B64_SIZE], line[SIGN_LINE_MAX];
    pk_to_b64(b64, pk);
    int n = snprintf(line, sizeof(line), "%s %s %s\n", KEY_TYPE, b64, SIGN_KEY_COMMENT);
    if (n < 0 || (size_t)n >= sizeof(line))
        return KENES_EINVAL;
    rc = util_write_file_atomic(pub_path, line, (size_t)n, 0644);
    return rc < 0 ? KENES_EIO : 0;
}

/* Read the secret key straight into locked memory (util_read_secret). */
static int key_load(unsigned char *sk, const char *path, char *err, size_t errcap)
{
    int rc = util_read_secret(sk, SK_BYTES, path, "the signing key", err, errcap);
    if (rc < 0)
        return rc == KENES_ENOTFOUND || rc == KENES_EINVAL ? rc : KENES_EIO;
    /* The public half is stored beside the seed; a file whose halves
     * disagree would sign with one key and advertise another. */
    unsigned char pk[PK_BYTES], check[SK_BYTES];
    crypto_sign_ed25519_seed_keypair(pk, check, sk);
    if (sodium_memcmp(pk, sk + SK_BYTES - PK_BYTES, PK_BYTES) != 0) {
        util_set_err(err, errcap, "the signing key %s is damaged: its public half does not "
                                  "match its seed", path);
        rc = KENES_EINVAL;
        sodium_memzero(sk, SK_BYTES);
    }
    sodium_memzero(check, sizeof(check));
    return rc;
}

int sign_open(signer **out, const char *dir, char *err, size_t errcap)
{
    char key_path[4096], pub_path[4096];
    if (out)
        *out = NULL;
    if (!out || !dir || !*dir || key_paths(key_path, pub_path, sizeof(key_path), dir) < 0) {
        util_set_err(err, errcap, "sign_open needs a keys folder");
        return KENES_EINVAL;
    }
    if (sodium_init() < 0) {
        util_set_err(err, errcap, "libsodium failed to initialise");
        return KENES_EIO;
    }
    signer *s = calloc(1, sizeof(*s));
    if (!s || !(s->sk = sodium_malloc(SK_BYTES))) {
        util_set_err(err, errcap, "out of memory loading the signing key");
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

void sign_public_key(const signer *s, unsigned char pubkey[SIGN_PUBKEY_BYTES])
{
    memcpy(pubkey, s->sk + SK_BYTES - PK_BYTES, PK_BYTES);
}

int sign_key_line(char *out, size_t cap, const unsigned char pubkey[SIGN_PUBKEY_BYTES])
{
    char b64[PK_B64_SIZE];
    pk_to_b64(b64, pubkey);
    int n = snprintf(out, cap, "%s %s %s", KEY_TYPE, b64, SIGN_KEY_COMMENT);
    return n < 0 || (size_t)n >= cap ? KENES_ETOOBIG : 0;
}

int sign_key_fingerprint(char *out, size_t cap, const unsigned char pubkey[SIGN_PUBKEY_BYTES])
{
    unsigned char blob[PK_BLOB_LEN], hash[crypto_hash_sha256_BYTES];
    char b64[sodium_base64_ENCODED_LEN(sizeof(hash), sodium_base64_VARIANT_ORIGINAL_NO_PADDING)];
    pk_blob(blob, pubkey);
    crypto_hash_sha256(hash, blob, sizeof(blob));
    sodium_bin2base64(b64, sizeof(b64), hash, sizeof(hash),
                      sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
    int n = snprintf(out, cap, "SHA256:%s", b64);
    return n < 0 || (size_t)n >= cap ? KENES_ETOOBIG : 0;
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

/* ---- reading signatures ---- */

#define ARMOR_BEGIN_LINE "-----BEGIN SSH SIGNATURE-----"
#define ARMOR_END_LINE "-----END SSH SIGNATURE-----"
#define ARMOR_MAX 8192 /* far above any Ed25519 signature; a bound on what is decoded */

typedef struct reader {
    const unsigned char *p;
    size_t len;
} reader;

static int get_u32(reader *r, uint32_t *v)
{
    if (r->len < 4)
        return KENES_EINVAL;
    *v = (uint32_t)r->p[0] << 24 | (uint32_t)r->p[1] << 16 | (uint32_t)r->p[2] << 8 | r->p[3];
    r->p += 4;
    r->len -= 4;
    return 0;
}

static int get_string(reader *r, const unsigned char **s, size_t *n)
{
    uint32_t len;
    if (get_u32(r, &len) < 0 || len > r->len)
        return KENES_EINVAL;
    *s = r->p;
    *n = len;
    r->p += len;
    r->len -= len;
    return 0;
}

static int bytes_are(const void *s, size_t n, const char *want)
{
    return n == strlen(want) && memcmp(s, want, n) == 0;
}

/* A key or signature blob: string "ssh-ed25519", then a string of exactly `bytes`. */
static int get_ed25519(const unsigned char **out, const unsigned char *blob, size_t len,
                       size_t bytes)
{
    reader r = {blob, len};
    const unsigned char *type, *v;
    size_t type_len, v_len;
    if (get_string(&r, &type, &type_len) < 0 || !bytes_are(type, type_len, KEY_TYPE) ||
        get_string(&r, &v, &v_len) < 0 || v_len != bytes || r.len != 0)
        return KENES_EINVAL;
    *out = v;
    return 0;
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* A decoded signature file; the pointers point into buf. */
typedef struct sshsig {
    unsigned char buf[ARMOR_MAX];
    const unsigned char *pk;  /* PK_BYTES */
    const unsigned char *sig; /* SIG_BYTES */
    const unsigned char *ns, *reserved, *hash_alg;
    size_t ns_len, reserved_len, hash_alg_len;
} sshsig;

static int sshsig_parse(sshsig *s, const char *armored, size_t len)
{
    if (len > ARMOR_MAX)
        return KENES_EINVAL;
    const char *p = armored, *end = armored + len;
    while (p < end && is_blank(*p))
        p++;
    size_t begin_len = strlen(ARMOR_BEGIN_LINE), end_len = strlen(ARMOR_END_LINE);
    if ((size_t)(end - p) < begin_len || memcmp(p, ARMOR_BEGIN_LINE, begin_len) != 0)
        return KENES_EINVAL;
    p += begin_len;
    const char *e = memmem(p, (size_t)(end - p), ARMOR_END_LINE, end_len);
    if (!e)
        return KENES_EINVAL;
    for (const char *q = e + end_len; q < end; q++)
        if (!is_blank(*q))
            return KENES_EINVAL;
    while (e > p && is_blank(e[-1]))
        e--;
    size_t n;
    const char *b64_end = NULL;
    if (sodium_base642bin(s->buf, sizeof(s->buf), p, (size_t)(e - p), " \t\r\n", &n, &b64_end,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        b64_end != e)
        return KENES_EINVAL;

    reader r = {s->buf, n};
    uint32_t version;
    const unsigned char *pk_blob, *sig_blob;
    size_t pk_len, sig_len;
    if (r.len < MAGIC_LEN || memcmp(r.p, MAGIC, MAGIC_LEN) != 0)
        return KENES_EINVAL;
    r.p += MAGIC_LEN;
    r.len -= MAGIC_LEN;
    if (get_u32(&r, &version) < 0 || version != SIG_VERSION ||
        get_string(&r, &pk_blob, &pk_len) < 0 || get_string(&r, &s->ns, &s->ns_len) < 0 ||
        get_string(&r, &s->reserved, &s->reserved_len) < 0 ||
        get_string(&r, &s->hash_alg, &s->hash_alg_len) < 0 ||
        get_string(&r, &sig_blob, &sig_len) < 0 || r.len != 0)
        return KENES_EINVAL;
    if (get_ed25519(&s->pk, pk_blob, pk_len, PK_BYTES) < 0 ||
        get_ed25519(&s->sig, sig_blob, sig_len, SIG_BYTES) < 0)
        return KENES_EINVAL;
    if (!bytes_are(s->hash_alg, s->hash_alg_len, "sha512") &&
        !bytes_are(s->hash_alg, s->hash_alg_len, "sha256"))
        return KENES_EINVAL;
    return 0;
}

int sign_signature_key(unsigned char pubkey[SIGN_PUBKEY_BYTES], const char *armored, size_t len)
{
    if (!pubkey || !armored)
        return KENES_EINVAL;
    sshsig *s = malloc(sizeof(*s));
    if (!s)
        return KENES_ENOMEM;
    int rc = sshsig_parse(s, armored, len);
    if (rc == 0)
        memcpy(pubkey, s->pk, PK_BYTES);
    free(s);
    return rc;
}

int sign_verify(const char *armored, size_t len, const char *data, size_t data_len,
                const unsigned char pubkey[SIGN_PUBKEY_BYTES])
{
    if (!armored || !pubkey || (!data && data_len))
        return KENES_EINVAL;
    if (sodium_init() < 0)
        return KENES_EIO;
    sshsig *s = malloc(sizeof(*s));
    if (!s)
        return KENES_ENOMEM;
    int rc = sshsig_parse(s, armored, len);
    /* The namespace keeps a signature made for one purpose (a file, an
     * email) from passing for a commit's. */
    if (rc == 0 && (!bytes_are(s->ns, s->ns_len, SIGN_NAMESPACE) ||
                    memcmp(s->pk, pubkey, PK_BYTES) != 0))
        rc = KENES_EFORBIDDEN;
    unsigned char *to_sign = NULL;
    if (rc == 0) {
        const unsigned char *msg = (const unsigned char *)(data ? data : "");
        unsigned char hash[HASH_BYTES];
        size_t hash_len = HASH_BYTES;
        if (bytes_are(s->hash_alg, s->hash_alg_len, HASH_ALG)) {
            crypto_hash_sha512(hash, msg, (unsigned long long)data_len);
        } else {
            crypto_hash_sha256(hash, msg, (unsigned long long)data_len);
            hash_len = crypto_hash_sha256_BYTES;
        }
        size_t n = MAGIC_LEN + 4 + s->ns_len + 4 + s->reserved_len + 4 + s->hash_alg_len + 4 +
                   hash_len;
        if (!(to_sign = malloc(n))) {
            rc = KENES_ENOMEM;
        } else {
            wire w = {to_sign, 0};
            put_bytes(&w, MAGIC, MAGIC_LEN);
            put_string(&w, s->ns, s->ns_len);
            put_string(&w, s->reserved, s->reserved_len);
            put_string(&w, s->hash_alg, s->hash_alg_len);
            put_string(&w, hash, hash_len);
            if (crypto_sign_ed25519_verify_detached(s->sig, to_sign, w.len, pubkey) != 0)
                rc = KENES_EFORBIDDEN;
        }
    }
    free(to_sign);
    free(s);
    return rc;
}

/* ---- reading key lines ---- */

typedef struct token {
    const char *p;
    size_t n;
} token;

/* Split at blanks outside double quotes into at most cap tokens (what
 * follows them, a comment, is not looked at).  The count, or KENES_EINVAL for a quote
 * left open. */
static int tokenize(token *t, int cap, const char *line, size_t len)
{
    int count = 0;
    size_t i = 0;
    while (count < cap) {
        while (i < len && (line[i] == ' ' || line[i] == '\t'))
            i++;
        if (i >= len)
            break;
        size_t start = i;
        int quoted = 0;
        for (; i < len && (quoted || (line[i] != ' ' && line[i] != '\t')); i++)
            if (line[i] == '"')
                quoted = !quoted;
        if (quoted)
            return KENES_EINVAL;
        t[count++] = (token){line + start, i - start};
    }
    return count;
}

static int token_is(token t, const char *s)
{
    return bytes_are(t.p, t.n, s);
}

/* namespaces="a,b,..." (value with its quotes): 1 if the patterns admit
 * "git", 0 if not, KENES_EINVAL if malformed.  As ssh-keygen matches them: a
 * negated pattern that matches refuses, whatever else matches. */
static int namespaces_admit_git(const char *v, size_t n)
{
    char list[256];
    if (n < 2 || v[0] != '"' || v[n - 1] != '"' || n - 2 >= sizeof(list))
        return KENES_EINVAL;
    memcpy(list, v + 1, n - 2);
    list[n - 2] = '\0';
    if (strchr(list, '"'))
        return KENES_EINVAL;
    int admit = 0;
    char *save = NULL;
    for (char *pat = strtok_r(list, ",", &save); pat; pat = strtok_r(NULL, ",", &save)) {
        int negated = pat[0] == '!';
        if (fnmatch(pat + negated, SIGN_NAMESPACE, 0) == 0) {
            if (negated)
                return 0;
            admit = 1;
        }
    }
    return admit;
}

/* The options field of an allowed_signers line: 0 if its key may sign
 * commits, KENES_ENOTFOUND if its namespaces leave git out, KENES_EINVAL
 * for anything else, which kenes does not honour. */
static int check_options(const char *p, size_t n)
{
    int admit = 1; /* without namespaces=, every namespace */
    for (size_t i = 0; i <= n; i++) {
        size_t start = i;
        int quoted = 0;
        for (; i < n && (quoted || p[i] != ','); i++)
            if (p[i] == '"')
                quoted = !quoted;
        static const char ns[] = "namespaces=";
        size_t ns_len = sizeof(ns) - 1;
        if (i - start <= ns_len || strncasecmp(p + start, ns, ns_len) != 0)
            return KENES_EINVAL; /* cert-authority, valid-after, valid-before, unknown */
        int r = namespaces_admit_git(p + start + ns_len, i - start - ns_len);
        if (r < 0)
            return KENES_EINVAL;
        admit &= r;
    }
    return admit ? 0 : KENES_ENOTFOUND;
}

int sign_parse_key_line(unsigned char pubkey[SIGN_PUBKEY_BYTES], const char *line, size_t len)
{
    if (!pubkey || (!line && len))
        return KENES_EINVAL;
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        len--;
    if (len && memchr(line, '\0', len))
        return KENES_EINVAL;
    token t[4];
    int n = tokenize(t, 4, line, len);
    if (n < 0)
        return KENES_EINVAL;
    if (n == 0 || t[0].p[0] == '#')
        return KENES_ENOTFOUND;
    int k = 1; /* the key type's token */
    if (token_is(t[0], KEY_TYPE)) {
        k = 0; /* signing.pub: "ssh-ed25519 AAAA... comment" */
    } else if (n > 1 && (memchr(t[1].p, '=', t[1].n) || token_is(t[1], "cert-authority"))) {
        int rc = check_options(t[1].p, t[1].n);
        if (rc < 0)
            return rc;
        k = 2;
    }
    if (k + 1 >= n)
        return KENES_EINVAL;
    if (!token_is(t[k], KEY_TYPE))
        return KENES_ENOTFOUND; /* ssh-rsa, ecdsa-..., sk-...: not kenes's */
    unsigned char blob[PK_BLOB_LEN + 3];
    size_t blob_len;
    const char *b64_end = NULL;
    const unsigned char *pk;
    if (sodium_init() < 0)
        return KENES_EIO;
    if (sodium_base642bin(blob, sizeof(blob), t[k + 1].p, t[k + 1].n, NULL, &blob_len, &b64_end,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        b64_end != t[k + 1].p + t[k + 1].n ||
        get_ed25519(&pk, blob, blob_len, PK_BYTES) < 0)
        return KENES_EINVAL;
    memcpy(pubkey, pk, PK_BYTES);
    return 0;
}
