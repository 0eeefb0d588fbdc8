/* Signing: the key on disk, the public lines, and SSH signatures that the
 * real ssh-keygen and git accept (and refuse once the data changes). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kenes/plugin.h"
#include "storage/sign.h"
#include "storage/store.h"
#include "base/util.h"
#include "fixture_files.h"

#define PRINCIPAL "kenes@localhost"
/* Every OpenSSH Ed25519 public key blob starts with these base64 digits:
 * string "ssh-ed25519" and the length of the 32-byte key. */
#define ED25519_B64_PREFIX "AAAAC3NzaC1lZDI1NTE5AAAAI"

typedef struct fixture {
    char dir[64];
    char keys[128];
    char key[192];
    char pub[192];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    if (!f || scratch_dir_new(f->dir, sizeof(f->dir), "sign") != 0)
        return -1;
    snprintf(f->keys, sizeof(f->keys), "%s/keys", f->dir);
    snprintf(f->key, sizeof(f->key), "%s/signing.key", f->keys);
    snprintf(f->pub, sizeof(f->pub), "%s/signing.pub", f->keys);
    umask(022); /* the modes below are the files' own, not the caller's */
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    scratch_dir_remove(f->dir);
    free(f);
    return 0;
}

/* ---- helpers ---- */

static signer *open_ok(const fixture *f)
{
    signer *s = NULL;
    char err[512] = "";
    int rc = sign_open(&s, f->keys, err, sizeof(err));
    if (rc != 0)
        fail_msg("sign_open: %d %s", rc, err);
    assert_non_null(s);
    return s;
}

/* A new key in the keys folder, opened. */
static signer *new_signer(const fixture *f)
{
    assert_int_equal(sign_create_key(f->keys), 0);
    return open_ok(f);
}

/* A second key in another folder, opened: its signatures are not the server's. */
static signer *other_signer(const fixture *f)
{
    char other_dir[192];
    snprintf(other_dir, sizeof(other_dir), "%s/other", f->dir);
    assert_int_equal(sign_create_key(other_dir), 0);
    signer *o = NULL;
    char err[256];
    assert_int_equal(sign_open(&o, other_dir, err, sizeof(err)), 0);
    return o;
}

static void write_file(const char *path, const void *data, size_t len, int mode)
{
    assert_int_equal(util_write_file_atomic(path, data, len, mode), 0);
    assert_int_equal(chmod(path, (mode_t)mode), 0);
}

/* Run a shell command; its exit status (output goes to dir/cmd.out). */
static int run(const fixture *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int run(const fixture *f, const char *fmt, ...)
{
    char out[128];
    snprintf(out, sizeof(out), "%s/cmd.out", f->dir);
    va_list ap;
    va_start(ap, fmt);
    int st = sh_v(out, fmt, ap);
    va_end(ap);
    assert_true(st != -1 && WIFEXITED(st));
    return WEXITSTATUS(st);
}

static char *cmd_output(const fixture *f)
{
    char path[256], *text = NULL;
    size_t len;
    snprintf(path, sizeof(path), "%s/cmd.out", f->dir);
    assert_int_equal(util_read_file(&text, &len, path), 0);
    return text;
}

/* dir/allowed_signers naming PRINCIPAL for s's key. */
static void write_allowed_signers(const fixture *f, const signer *s)
{
    char line[1024], path[256];
    assert_int_equal(sign_allowed_signers_line(s, PRINCIPAL, line, sizeof(line) - 1), 0);
    strcat(line, "\n");
    snprintf(path, sizeof(path), "%s/allowed_signers", f->dir);
    write_file(path, line, strlen(line), 0644);
}

/* ssh-keygen -Y verify of data against sig; its exit status. */
static int ssh_verify(const fixture *f, const char *ns, const char *data, size_t data_len,
                      const char *sig)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/data", f->dir);
    write_file(path, data, data_len, 0644);
    snprintf(path, sizeof(path), "%s/data.sig", f->dir);
    write_file(path, sig, strlen(sig), 0644);
    return run(f, "ssh-keygen -Y verify -f %s/allowed_signers -I %s -n %s -s %s/data.sig < %s/data",
               f->dir, PRINCIPAL, ns, f->dir, f->dir);
}

/* ---- the key on disk ---- */

static void test_create_key(void **state)
{
    fixture *f = *state;
    struct stat st;
    /* The keys folder need not exist yet. */
    assert_int_equal(sign_create_key(f->keys), 0);
    assert_int_equal(stat(f->keys, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    assert_int_equal(stat(f->key, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(st.st_size, 64);
    assert_int_equal(stat(f->pub, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);

    char *before = NULL, *after = NULL;
    size_t blen, alen;
    assert_int_equal(util_read_file(&before, &blen, f->key), 0);
    /* A second init never replaces the key that signed the history. */
    assert_int_equal(sign_create_key(f->keys), KENES_EEXISTS);
    assert_int_equal(util_read_file(&after, &alen, f->key), 0);
    assert_int_equal(alen, blen);
    assert_memory_equal(before, after, blen);
    free(before);
    free(after);
    assert_int_equal(sign_create_key(NULL), KENES_EINVAL);
    assert_int_equal(sign_create_key(""), KENES_EINVAL);
}

static void test_open_refuses_bad_keys(void **state)
{
    fixture *f = *state;
    signer *s = (signer *)1;
    char err[512] = "";
    assert_int_equal(sign_open(&s, f->keys, err, sizeof(err)), KENES_ENOTFOUND);
    assert_null(s);
    assert_non_null(strstr(err, "signing.key"));

    assert_int_equal(sign_create_key(f->keys), 0);
    char *good = NULL;
    size_t len;
    assert_int_equal(util_read_file(&good, &len, f->key), 0);

    /* Readable by others: refused, and told how to fix it. */
    assert_int_equal(chmod(f->key, 0644), 0);
    assert_int_equal(sign_open(&s, f->keys, err, sizeof(err)), KENES_EINVAL);
    assert_non_null(strstr(err, "chmod 600"));
    assert_int_equal(chmod(f->key, 0600), 0);

    /* Not 64 bytes. */
    write_file(f->key, good, 32, 0600);
    assert_int_equal(sign_open(&s, f->keys, err, sizeof(err)), KENES_EINVAL);
    assert_non_null(strstr(err, "64"));

    /* A public half that is not the seed's. */
    good[40] ^= 1;
    write_file(f->key, good, len, 0600);
    assert_int_equal(sign_open(&s, f->keys, err, sizeof(err)), KENES_EINVAL);
    assert_non_null(strstr(err, "damaged"));
    assert_null(s);
    good[40] ^= 1;
    write_file(f->key, good, len, 0600);
    s = open_ok(f);
    sign_free(s);
    sign_free(NULL);
    free(good);
}

/* ---- public lines ---- */

static void test_public_line(void **state)
{
    fixture *f = *state;
    signer *s = new_signer(f);
    char line[SIGN_LINE_MAX];
    assert_int_equal(sign_public_line(s, line, sizeof(line)), 0);
    assert_int_equal(strncmp(line, "ssh-ed25519 " ED25519_B64_PREFIX, 37), 0);
    assert_int_equal(strlen(line), strlen("ssh-ed25519 ") + 68 + strlen(" kenes"));
    assert_string_equal(line + strlen(line) - 6, " kenes");

    /* signing.pub is the same line, and OpenSSH reads it as an Ed25519 key. */
    char *pub = NULL;
    size_t len;
    assert_int_equal(util_read_file(&pub, &len, f->pub), 0);
    assert_int_equal(len, strlen(line) + 1);
    assert_memory_equal(pub, line, strlen(line));
    assert_int_equal(pub[len - 1], '\n');
    free(pub);
    assert_int_equal(run(f, "ssh-keygen -l -f %s", f->pub), 0);
    char *out = cmd_output(f);
    assert_non_null(strstr(out, "(ED25519)"));
    free(out);

    char small[40];
    assert_int_equal(sign_public_line(s, small, sizeof(small)), KENES_ETOOBIG);
    assert_string_equal(small, "");
    sign_free(s);
}

static void test_allowed_signers_line(void **state)
{
    fixture *f = *state;
    signer *s = new_signer(f);
    char pub[SIGN_LINE_MAX], line[1024], want[1024];
    assert_int_equal(sign_public_line(s, pub, sizeof(pub)), 0);
    assert_int_equal(sign_allowed_signers_line(s, "audit@ministry.kz", line, sizeof(line)), 0);
    /* "<principal> namespaces="git" <type> <base64>", without the comment. */
    snprintf(want, sizeof(want), "audit@ministry.kz namespaces=\"git\" %.*s", 12 + 68, pub);
    assert_string_equal(line, want);

    static const char *const bad[] = {"", "a b@x", "a,b@x", "a\"b@x", "a\tb@x", "a\nb@x"};
    for (size_t i = 0; i < UTIL_ARRAY_LEN(bad); i++)
        assert_int_equal(sign_allowed_signers_line(s, bad[i], line, sizeof(line)), KENES_EINVAL);
    assert_int_equal(sign_allowed_signers_line(s, NULL, line, sizeof(line)), KENES_EINVAL);
    assert_int_equal(sign_allowed_signers_line(s, "kenes@localhost", line, 50), KENES_ETOOBIG);
    sign_free(s);
}

/* ---- signatures, checked by ssh-keygen ---- */

static void test_sign_verifies_with_ssh_keygen(void **state)
{
    fixture *f = *state;
    signer *s = new_signer(f);
    write_allowed_signers(f, s);

    static const char data[] = "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n"
                               "author Әлия <a@users.kenes> 1770458400 +0000\n\n"
                               "Approve regional plan KZ-11 2026\n";
    char *sig = NULL;
    size_t len = 0;
    assert_int_equal(sign_buffer(s, &sig, &len, data, sizeof(data) - 1), 0);
    assert_int_equal(strlen(sig), len);

    /* The armour ssh-keygen writes: BEGIN, base64 lines of 70, END. */
    const char *begin = "-----BEGIN SSH SIGNATURE-----\n", *end = "-----END SSH SIGNATURE-----\n";
    assert_int_equal(strncmp(sig, begin, strlen(begin)), 0);
    assert_string_equal(sig + len - strlen(end), end);
    size_t lines = 0;
    for (const char *p = sig + strlen(begin); p < sig + len - strlen(end); lines++) {
        const char *eol = strchr(p, '\n');
        assert_non_null(eol);
        size_t n = (size_t)(eol - p);
        const char *next = eol + 1;
        if (next < sig + len - strlen(end))
            assert_int_equal(n, 70);
        else
            assert_true(n > 0 && n <= 70);
        p = next;
    }
    assert_int_equal(lines, 4); /* 173 bytes: 232 base64 digits */

    assert_int_equal(ssh_verify(f, "git", data, sizeof(data) - 1, sig), 0);
    char *out = cmd_output(f);
    assert_non_null(strstr(out, "Good \"git\" signature for " PRINCIPAL));
    free(out);

    /* One changed byte, a missing byte, another namespace: all refused. */
    char tampered[sizeof(data)];
    memcpy(tampered, data, sizeof(data));
    tampered[sizeof(data) - 3] ^= 0x20;
    assert_int_not_equal(ssh_verify(f, "git", tampered, sizeof(data) - 1, sig), 0);
    assert_int_not_equal(ssh_verify(f, "git", data, sizeof(data) - 2, sig), 0);
    assert_int_not_equal(ssh_verify(f, "file", data, sizeof(data) - 1, sig), 0);

    /* Ed25519 is deterministic: the same data, the same signature. */
    char *again = NULL;
    size_t alen;
    assert_int_equal(sign_buffer(s, &again, &alen, data, sizeof(data) - 1), 0);
    assert_string_equal(again, sig);
    free(again);
    free(sig);

    /* Empty data is data too. */
    assert_int_equal(sign_buffer(s, &sig, &len, "", 0), 0);
    assert_int_equal(ssh_verify(f, "git", "", 0, sig), 0);
    free(sig);
    assert_int_equal(sign_buffer(s, &sig, &len, NULL, 1), KENES_EINVAL);
    assert_null(sig);
    sign_free(s);
}

static void test_other_key_is_refused(void **state)
{
    fixture *f = *state;
    signer *s = new_signer(f);
    write_allowed_signers(f, s);
    /* A second key in another folder: its signatures are not the server's. */
    signer *o = other_signer(f);
    char *sig = NULL;
    size_t len;
    assert_int_equal(sign_buffer(o, &sig, &len, "hello\n", 6), 0);
    assert_int_not_equal(ssh_verify(f, "git", "hello\n", 6, sig), 0);
    free(sig);
    sign_free(o);
    sign_free(s);
}

/* ---- the store signs its commits; git verify-commit accepts them ---- */

typedef struct write_done {
    int calls;
    int status;
    char commit[STORE_OID_HEX];
} write_done;

static void on_write(store_write *w, void *payload)
{
    write_done *d = payload;
    d->calls++;
    d->status = w->status;
    snprintf(d->commit, sizeof(d->commit), "%s", w->commit);
}

static void commit_now(uv_loop_t *loop, store *st, const char *path, const char *content,
                       char commit[STORE_OID_HEX])
{
    store_write w = {0};
    write_done d = {0};
    w.path = path;
    w.content = content;
    w.content_len = strlen(content);
    w.author_name = "Әлия Серікова";
    w.author_email = "aliya@users.kenes";
    w.message = "Create regional plan KZ-11 2026\n\nKenes-Document: plan/KZ-11/2026\n";
    w.time_ms = 1770458400000LL;
    assert_int_equal(store_submit(st, &w, on_write, &d), 0);
    uv_run(loop, UV_RUN_DEFAULT);
    assert_int_equal(d.calls, 1);
    if (d.status != 0)
        fail_msg("write failed: %s", w.errmsg);
    snprintf(commit, STORE_OID_HEX, "%s", d.commit);
}

static int verify_commit(const fixture *f, const char *gitdir, const char *commit)
{
    return run(f,
               "git -C %s -c gpg.format=ssh -c gpg.ssh.allowedSignersFile=%s/allowed_signers "
               "verify-commit %s",
               gitdir, f->dir, commit);
}

static void test_store_signs_commits(void **state)
{
    fixture *f = *state;
    char gitdir[192], c1[STORE_OID_HEX], c2[STORE_OID_HEX], c3[STORE_OID_HEX];
    snprintf(gitdir, sizeof(gitdir), "%s/documents.git", f->dir);
    signer *s = new_signer(f);
    write_allowed_signers(f, s);

    uv_loop_t loop;
    store *st = NULL;
    assert_int_equal(uv_loop_init(&loop), 0);
    assert_int_equal(store_init_repo(gitdir), 0);
    assert_int_equal(store_open(&st, &loop, gitdir, "kenes", PRINCIPAL), 0);
    assert_null(store_signer(st));
    assert_int_equal(store_set_signer(st, s), 0);
    assert_ptr_equal(store_signer(st), s);

    commit_now(&loop, st, "plan/KZ-11/2026.md", "---\nid: plan/KZ-11/2026\n---\n# План\n", c1);
    commit_now(&loop, st, "plan/KZ-11/2026.md", "---\nid: plan/KZ-11/2026\n---\n# План 2\n", c2);
    assert_int_equal(verify_commit(f, gitdir, c1), 0);
    char *out = cmd_output(f);
    assert_non_null(strstr(out, "Good \"git\" signature for " PRINCIPAL));
    free(out);
    assert_int_equal(verify_commit(f, gitdir, c2), 0);
    /* The header is laid out as git's own: no line left holding one space. */
    assert_int_equal(run(f, "git -C %s cat-file commit %s", gitdir, c2), 0);
    out = cmd_output(f);
    assert_non_null(strstr(out, "\ngpgsig -----BEGIN SSH SIGNATURE-----\n "));
    assert_non_null(strstr(out, "\n -----END SSH SIGNATURE-----\n\nCreate regional plan"));
    free(out);
    assert_int_equal(run(f, "git -C %s fsck --strict", gitdir), 0);

    /* Without a signer the store writes unsigned commits, which fail. */
    assert_int_equal(store_set_signer(st, NULL), 0);
    commit_now(&loop, st, "plan/KZ-11/2026.md", "---\nid: plan/KZ-11/2026\n---\n# План 3\n", c3);
    assert_int_not_equal(verify_commit(f, gitdir, c3), 0);

    /* Not while a write is on its way: the writer reads the signer. */
    store_write w = {0};
    write_done d = {0};
    w.path = "x.md";
    w.content = "x";
    w.content_len = 1;
    w.author_name = "a";
    w.author_email = "a@x";
    w.message = "x\n";
    assert_int_equal(store_submit(st, &w, on_write, &d), 0);
    assert_int_equal(store_set_signer(st, s), KENES_EINVAL);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(d.status, 0);

    store_close(st);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&loop), 0);
    sign_free(s);
}

/* ---- checking signatures (kenes verify) ---- */

static void pubkey_of(const signer *s, unsigned char pk[SIGN_PUBKEY_BYTES])
{
    char line[SIGN_LINE_MAX];
    assert_int_equal(sign_public_line(s, line, sizeof(line)), 0);
    assert_int_equal(sign_parse_key_line(pk, line, strlen(line)), 0);
}

static void put_str(unsigned char *buf, size_t *at, const void *p, size_t n)
{
    buf[(*at)++] = (unsigned char)(n >> 24);
    buf[(*at)++] = (unsigned char)(n >> 16);
    buf[(*at)++] = (unsigned char)(n >> 8);
    buf[(*at)++] = (unsigned char)n;
    memcpy(buf + *at, p, n);
    *at += n;
}

/* An SSHSIG made here by hand with the key file's secret key, so that the
 * fields sign_buffer never varies can: the namespace it declares and the
 * one it signed, the reserved string, the hash algorithm. */
static char *forge(const fixture *f, const char *ns_declared, const char *ns_signed,
                   const char *reserved, const char *hash_alg, const char *data, size_t len)
{
    char *sk = NULL;
    size_t sk_len;
    assert_int_equal(util_read_file(&sk, &sk_len, f->key), 0);
    assert_int_equal(sk_len, 64);
    unsigned char hash[64], to_sign[512], sig[64], blob[1024], pk_blob[64], sig_blob[96];
    size_t hash_len = 64, n = 0, pn = 0, sn = 0, bn = 0;
    if (strcmp(hash_alg, "sha256") == 0) {
        crypto_hash_sha256(hash, (const unsigned char *)data, len);
        hash_len = 32;
    } else {
        crypto_hash_sha512(hash, (const unsigned char *)data, len);
    }
    memcpy(to_sign, "SSHSIG", 6);
    n = 6;
    put_str(to_sign, &n, ns_signed, strlen(ns_signed));
    put_str(to_sign, &n, reserved, strlen(reserved));
    put_str(to_sign, &n, hash_alg, strlen(hash_alg));
    put_str(to_sign, &n, hash, hash_len);
    crypto_sign_ed25519_detached(sig, NULL, to_sign, n, (const unsigned char *)sk);
    put_str(pk_blob, &pn, "ssh-ed25519", 11);
    put_str(pk_blob, &pn, sk + 32, 32);
    put_str(sig_blob, &sn, "ssh-ed25519", 11);
    put_str(sig_blob, &sn, sig, 64);
    memcpy(blob, "SSHSIG\0\0\0\1", 10);
    bn = 10;
    put_str(blob, &bn, pk_blob, pn);
    put_str(blob, &bn, ns_declared, strlen(ns_declared));
    put_str(blob, &bn, reserved, strlen(reserved));
    put_str(blob, &bn, hash_alg, strlen(hash_alg));
    put_str(blob, &bn, sig_blob, sn);
    char b64[2048], *out = malloc(4096);
    assert_non_null(out);
    sodium_bin2base64(b64, sizeof(b64), blob, bn, sodium_base64_VARIANT_ORIGINAL);
    snprintf(out, 4096, "-----BEGIN SSH SIGNATURE-----\n%s\n-----END SSH SIGNATURE-----\n", b64);
    sodium_memzero(sk, sk_len);
    free(sk);
    return out;
}

static void test_verify_own_signatures(void **state)
{
    fixture *f = *state;
    signer *s = new_signer(f);
    unsigned char pk[SIGN_PUBKEY_BYTES], named[SIGN_PUBKEY_BYTES];
    pubkey_of(s, pk);
    static const char data[] = "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n"
                               "author rev1 <rev1@users.kenes> 1770458400 +0000\n\n"
                               "Approve regional plan KZ-11 2026\n";
    size_t dlen = sizeof(data) - 1;
    char *sig = NULL;
    size_t len = 0;
    assert_int_equal(sign_buffer(s, &sig, &len, data, dlen), 0);
    assert_int_equal(sign_verify(sig, len, data, dlen, pk), 0);
    assert_int_equal(sign_signature_key(named, sig, len), 0);
    assert_memory_equal(named, pk, SIGN_PUBKEY_BYTES);

    /* As git hands it over: without the last newline, or with CRLF lines. */
    assert_int_equal(sign_verify(sig, len - 1, data, dlen, pk), 0);
    char crlf[1024];
    size_t c = 0;
    for (size_t i = 0; i < len; i++) {
        if (sig[i] == '\n')
            crlf[c++] = '\r';
        crlf[c++] = sig[i];
    }
    assert_int_equal(sign_verify(crlf, c, data, dlen, pk), 0);

    /* One changed byte, one byte less, another key: refused. */
    char tampered[sizeof(data)];
    memcpy(tampered, data, sizeof(data));
    tampered[dlen - 3] ^= 0x20;
    assert_int_equal(sign_verify(sig, len, tampered, dlen, pk), KENES_EFORBIDDEN);
    assert_int_equal(sign_verify(sig, len, data, dlen - 1, pk), KENES_EFORBIDDEN);
    signer *o = other_signer(f);
    unsigned char other_pk[SIGN_PUBKEY_BYTES];
    pubkey_of(o, other_pk);
    assert_int_equal(sign_verify(sig, len, data, dlen, other_pk), KENES_EFORBIDDEN);
    /* ... and the other key's signature is refused for ours, whatever it claims. */
    char *other_sig = NULL;
    size_t other_len;
    assert_int_equal(sign_buffer(o, &other_sig, &other_len, data, dlen), 0);
    assert_int_equal(sign_verify(other_sig, other_len, data, dlen, other_pk), 0);
    assert_int_equal(sign_verify(other_sig, other_len, data, dlen, pk), KENES_EFORBIDDEN);
    free(other_sig);
    sign_free(o);

    /* A changed digit inside the signature bytes (the last base64 line). */
    char *bent = strdup(sig);
    char *last = strstr(bent, "\n-----END") - 10;
    *last = *last == 'A' ? 'B' : 'A';
    assert_int_equal(sign_verify(bent, len, data, dlen, pk), KENES_EFORBIDDEN);
    free(bent);

    /* Not a signature: no END line, no armour, garbage, nothing. */
    assert_int_equal(sign_verify(sig, len - 20, data, dlen, pk), KENES_EINVAL);
    const char *b64 = sig + strlen("-----BEGIN SSH SIGNATURE-----\n");
    assert_int_equal(sign_verify(b64, strlen(b64), data, dlen, pk), KENES_EINVAL);
    static const char junk[] = "-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n"
                               "-----END SSH SIGNATURE-----\n";
    assert_int_equal(sign_verify(junk, sizeof(junk) - 1, data, dlen, pk), KENES_EINVAL);
    assert_int_equal(sign_signature_key(named, junk, sizeof(junk) - 1), KENES_EINVAL);
    assert_int_equal(sign_verify("", 0, data, dlen, pk), KENES_EINVAL);
    assert_int_equal(sign_verify(NULL, 0, data, dlen, pk), KENES_EINVAL);
    assert_int_equal(sign_verify(sig, len, NULL, 1, pk), KENES_EINVAL);
    free(sig);

    /* Empty data is data too. */
    assert_int_equal(sign_buffer(s, &sig, &len, "", 0), 0);
    assert_int_equal(sign_verify(sig, len, "", 0, pk), 0);
    assert_int_equal(sign_verify(sig, len, NULL, 0, pk), 0);
    assert_int_equal(sign_verify(sig, len, "x", 1, pk), KENES_EFORBIDDEN);
    free(sig);
    sign_free(s);
}

static void test_verify_namespace_and_hash(void **state)
{
    fixture *f = *state;
    signer *s = new_signer(f);
    unsigned char pk[SIGN_PUBKEY_BYTES];
    pubkey_of(s, pk);
    sign_free(s);
    const char *data = "hello\n";
    struct {
        const char *declared, *signed_ns, *reserved, *hash;
        int rc;
    } cases[] = {
        {"git", "git", "", "sha512", 0},                  /* what sign_buffer makes */
        {"git", "git", "", "sha256", 0},                  /* ssh-keygen accepts both */
        {"git", "git", "anything", "sha512", 0},          /* reserved is signed, not read */
        {"file", "file", "", "sha512", KENES_EFORBIDDEN}, /* sound, but for files */
        {"git", "file", "", "sha512", KENES_EFORBIDDEN},  /* claims git, signed for files */
        {"gi", "gi", "", "sha512", KENES_EFORBIDDEN},
        {"git", "git", "", "md5", KENES_EINVAL},
    };
    for (size_t i = 0; i < UTIL_ARRAY_LEN(cases); i++) {
        char *sig = forge(f, cases[i].declared, cases[i].signed_ns, cases[i].reserved,
                          cases[i].hash, data, strlen(data));
        int rc = sign_verify(sig, strlen(sig), data, strlen(data), pk);
        if (rc != cases[i].rc)
            fail_msg("case %zu: %d, expected %d", i, rc, cases[i].rc);
        free(sig);
    }
}

static void test_verify_ssh_keygen_signatures(void **state)
{
    fixture *f = *state;
    /* A key and signatures made by OpenSSH itself. */
    assert_int_equal(run(f, "ssh-keygen -q -t ed25519 -N '' -C someone -f %s/id", f->dir), 0);
    char path[256], *pub = NULL, *sig = NULL;
    size_t len, sig_len;
    snprintf(path, sizeof(path), "%s/id.pub", f->dir);
    assert_int_equal(util_read_file(&pub, &len, path), 0);
    unsigned char pk[SIGN_PUBKEY_BYTES];
    assert_int_equal(sign_parse_key_line(pk, pub, len), 0);
    free(pub);
    static const char data[] = "a commit's bytes\n";
    snprintf(path, sizeof(path), "%s/data", f->dir);
    write_file(path, data, sizeof(data) - 1, 0644);
    static const char *const ns[] = {"git", "file"};
    for (size_t i = 0; i < 2; i++) {
        snprintf(path, sizeof(path), "%s/data.sig", f->dir);
        unlink(path);
        assert_int_equal(run(f, "ssh-keygen -Y sign -f %s/id -n %s %s/data", f->dir, ns[i], f->dir),
                         0);
        assert_int_equal(util_read_file(&sig, &sig_len, path), 0);
        assert_int_equal(sign_verify(sig, sig_len, data, sizeof(data) - 1, pk),
                         i == 0 ? 0 : KENES_EFORBIDDEN);
        free(sig);
    }
}

static void test_parse_key_line(void **state)
{
    fixture *f = *state;
    signer *s = new_signer(f);
    unsigned char pk[SIGN_PUBKEY_BYTES], got[SIGN_PUBKEY_BYTES];
    pubkey_of(s, pk);
    char pub[SIGN_LINE_MAX], allowed[1024], line[1200];
    assert_int_equal(sign_public_line(s, pub, sizeof(pub)), 0);
    assert_int_equal(sign_allowed_signers_line(s, PRINCIPAL, allowed, sizeof(allowed)), 0);
    const char *b64 = pub + strlen("ssh-ed25519 ");
    int b64_len = 68;

    /* signing.pub, with its newline; the allowed_signers line kenes writes. */
    snprintf(line, sizeof(line), "%s\n", pub);
    memset(got, 0, sizeof(got));
    assert_int_equal(sign_parse_key_line(got, line, strlen(line)), 0);
    assert_memory_equal(got, pk, sizeof(pk));
    memset(got, 0, sizeof(got));
    assert_int_equal(sign_parse_key_line(got, allowed, strlen(allowed)), 0);
    assert_memory_equal(got, pk, sizeof(pk));

    struct {
        const char *fmt; /* %.*s is the key's base64 */
        int rc;
    } cases[] = {
        {"  a@x,b@y ssh-ed25519 %.*s a comment\r\n", 0},
        {"a@x namespaces=\"file,git\" ssh-ed25519 %.*s", 0},
        {"a@x NAMESPACES=\"*\" ssh-ed25519 %.*s", 0},
        {"a@x namespaces=\"g?t\" ssh-ed25519 %.*s", 0},
        {"a@x namespaces=\"file\" ssh-ed25519 %.*s", KENES_ENOTFOUND},
        {"a@x namespaces=\"!git,*\" ssh-ed25519 %.*s", KENES_ENOTFOUND},
        {"a@x namespaces=\"git\",namespaces=\"file\" ssh-ed25519 %.*s", KENES_ENOTFOUND},
        {"a@x ssh-rsa %.*s", KENES_ENOTFOUND},
        {"# a@x ssh-ed25519 %.*s", KENES_ENOTFOUND},
        {"a@x cert-authority ssh-ed25519 %.*s", KENES_EINVAL},
        {"a@x valid-before=\"20270101\" ssh-ed25519 %.*s", KENES_EINVAL},
        {"a@x namespaces=git ssh-ed25519 %.*s", KENES_EINVAL},
        {"a@x namespaces=\"git ssh-ed25519 %.*s", KENES_EINVAL},
        {"a@x namespaces=\"git\", ssh-ed25519 %.*s", KENES_EINVAL},
        {"a@x ssh-ed25519 %.*sAAAA", KENES_EINVAL},
        {"a@x ssh-ed25519 %.10s", KENES_EINVAL},
        {"a@x ssh-ed25519", KENES_EINVAL},
        {"ssh-ed25519", KENES_EINVAL},
    };
    for (size_t i = 0; i < UTIL_ARRAY_LEN(cases); i++) {
        if (strstr(cases[i].fmt, "%.*s"))
            snprintf(line, sizeof(line), cases[i].fmt, b64_len, b64);
        else if (strstr(cases[i].fmt, "%.10s"))
            snprintf(line, sizeof(line), cases[i].fmt, b64);
        else
            snprintf(line, sizeof(line), "%s", cases[i].fmt);
        memset(got, 0, sizeof(got));
        int rc = sign_parse_key_line(got, line, strlen(line));
        if (rc != cases[i].rc)
            fail_msg("case %zu (%s): %d, expected %d", i, line, rc, cases[i].rc);
        if (rc == 0)
            assert_memory_equal(got, pk, sizeof(pk));
    }
    /* Blank lines name no key. */
    assert_int_equal(sign_parse_key_line(got, "", 0), KENES_ENOTFOUND);
    assert_int_equal(sign_parse_key_line(got, " \t\r\n", 4), KENES_ENOTFOUND);
    /* A key blob of another type under the ssh-ed25519 name. */
    unsigned char rsa_blob[4 + 7 + 4 + 32] = {0,   0,   0,   7,   's', 's', 'h', '-',
                                              'r', 's', 'a', 0,   0,   0,   32};
    char rsa_b64[128];
    sodium_bin2base64(rsa_b64, sizeof(rsa_b64), rsa_blob, sizeof(rsa_blob),
                      sodium_base64_VARIANT_ORIGINAL);
    snprintf(line, sizeof(line), "ssh-ed25519 %s", rsa_b64);
    assert_int_equal(sign_parse_key_line(got, line, strlen(line)), KENES_EINVAL);
    assert_int_equal(sign_parse_key_line(NULL, line, strlen(line)), KENES_EINVAL);
    sign_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_refuses_bad_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_public_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_allowed_signers_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sign_verifies_with_ssh_keygen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_key_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_signs_commits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_verify_own_signatures, setup, teardown),
        cmocka_unit_test_setup_teardown(test_verify_namespace_and_hash, setup, teardown),
        cmocka_unit_test_setup_teardown(test_verify_ssh_keygen_signatures, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse_key_line, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
