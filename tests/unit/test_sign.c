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
#include <ftw.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kenes/plugin.h"
#include "sign.h"
#include "store.h"
#include "util.h"

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

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    if (!f)
        return -1;
    snprintf(f->dir, sizeof(f->dir), "/tmp/kenes-sign-XXXXXX");
    if (!mkdtemp(f->dir))
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
    nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
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

static void write_file(const char *path, const void *data, size_t len, int mode)
{
    assert_int_equal(util_write_file_atomic(path, data, len, mode), 0);
    assert_int_equal(chmod(path, (mode_t)mode), 0);
}

/* Run a shell command; its exit status (output goes to dir/cmd.out). */
static int run(const fixture *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int run(const fixture *f, const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    assert_true(n > 0 && (size_t)n < sizeof(cmd) - 64);
    snprintf(cmd + n, sizeof(cmd) - (size_t)n, " >%s/cmd.out 2>&1", f->dir);
    int st = system(cmd);
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
    assert_int_equal(sign_create_key(f->keys), 0);
    signer *s = open_ok(f);
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
    assert_int_equal(sign_create_key(f->keys), 0);
    signer *s = open_ok(f);
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
    assert_int_equal(sign_create_key(f->keys), 0);
    signer *s = open_ok(f);
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
    assert_int_equal(sign_create_key(f->keys), 0);
    signer *s = open_ok(f);
    write_allowed_signers(f, s);
    /* A second key in another folder: its signatures are not the server's. */
    char other_dir[192];
    snprintf(other_dir, sizeof(other_dir), "%s/other", f->dir);
    assert_int_equal(sign_create_key(other_dir), 0);
    signer *o = NULL;
    char err[256];
    assert_int_equal(sign_open(&o, other_dir, err, sizeof(err)), 0);
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
    assert_int_equal(sign_create_key(f->keys), 0);
    signer *s = open_ok(f);
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
