/* The vault: master and case keys on disk, sealing and unsealing case files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <sys/stat.h>
#include <unistd.h>

#include "kenes/plugin.h"
#include "base/util.h"
#include "storage/vault.h"
#include "fixture_files.h"

#define CASE_A "case/KZ-ALM/0001"
#define CASE_B "case/KZ-AST/0002"
/* Not ASCII, so the file name must carry every byte of it. */
#define CASE_CYR "case/алматы/0003"

static const char CYRILLIC[] =
    "Айгерим Нурланқызы, 7 лет. Решение комиссии: оставить в семье, "
    "назначить сопровождение на шесть месяцев.";

typedef struct fixture {
    char dir[64];
    char keys[128];
    char master[192];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    if (!f || scratch_dir_new(f->dir, sizeof(f->dir), "vault") != 0 ||
        keys_dir_new(f->keys, sizeof(f->keys), f->master, sizeof(f->master), f->dir) != 0)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    unsetenv("KENES_MASTER_KEY_FILE");
    scratch_dir_remove(f->dir);
    free(f);
    return 0;
}

static vault *open_ok(const fixture *f)
{
    vault *v = NULL;
    char err[512] = "";
    int rc = vault_open(&v, f->keys, err, sizeof(err));
    if (rc != 0)
        fail_msg("vault_open: %d %s", rc, err);
    assert_non_null(v);
    return v;
}

/* A new master key, and the vault opened with it. */
static vault *new_vault(const fixture *f)
{
    assert_int_equal(vault_create_master(f->master), 0);
    return open_ok(f);
}

/* A new key for id, written where the vault will look for it. */
static void new_key_written(vault *v, const char *id)
{
    char *w;
    size_t wlen;
    assert_int_equal(vault_new_key(v, id, &w, &wlen), 0);
    assert_non_null(w);
    assert_int_equal(wlen, 24 + 32 + 16);
    char path[1024];
    vault_key_path(v, id, path, sizeof(path));
    assert_int_equal(util_write_file_atomic(path, w, wlen, 0600), 0);
    free(w);
}

static void seal_ok(vault *v, const char *id, const char *text, char **sealed, size_t *len)
{
    assert_int_equal(vault_seal(v, id, text, strlen(text), sealed, len), 0);
    assert_non_null(*sealed);
}

static void unseal_equals(vault *v, const char *id, const char *sealed, size_t len,
                          const char *want)
{
    char *plain;
    size_t plen;
    assert_int_equal(vault_unseal(v, id, sealed, len, &plain, &plen), 0);
    assert_int_equal(plen, strlen(want));
    assert_memory_equal(plain, want, plen);
    assert_int_equal(plain[plen], '\0');
    free(plain);
}

/* A new vault with keys for a and b, and a text sealed for each. */
static vault *two_cases(const fixture *f, const char *a, const char *ta, char **sa, size_t *la,
                        const char *b, const char *tb, char **sb, size_t *lb)
{
    vault *v = new_vault(f);
    new_key_written(v, a);
    new_key_written(v, b);
    seal_ok(v, a, ta, sa, la);
    seal_ok(v, b, tb, sb, lb);
    return v;
}

static void read_all(const char *path, char **data, size_t *len)
{
    assert_int_equal(util_read_file(data, len, path), 0);
}

static void create_master_once(void **state)
{
    fixture *f = *state;
    assert_int_equal(vault_create_master(f->master), 0);
    struct stat st;
    assert_int_equal(stat(f->master, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(st.st_size, 32);

    char *before, *after;
    size_t blen, alen;
    read_all(f->master, &before, &blen);
    assert_int_equal(vault_create_master(f->master), KENES_EEXISTS);
    read_all(f->master, &after, &alen);
    /* Refused means untouched: a replaced master key loses every case. */
    assert_int_equal(alen, blen);
    assert_memory_equal(after, before, blen);
    free(before);
    free(after);

    /* Two masters are not the same key. */
    char other[256];
    snprintf(other, sizeof(other), "%s/other.key", f->dir);
    assert_int_equal(vault_create_master(other), 0);
    read_all(other, &after, &alen);
    read_all(f->master, &before, &blen);
    assert_int_equal(alen, 32);
    assert_memory_not_equal(after, before, 32);
    free(before);
    free(after);
}

static void open_makes_cases_folder(void **state)
{
    fixture *f = *state;
    vault *v = new_vault(f);
    char cases[256];
    snprintf(cases, sizeof(cases), "%s/cases", f->keys);
    struct stat st;
    assert_int_equal(stat(cases, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0700);
    assert_int_equal(vault_has_key(v, CASE_A), 0);
    vault_close(v);
    vault_close(NULL);
}

static void key_path_is_hex_of_id(void **state)
{
    fixture *f = *state;
    vault *v = new_vault(f);
    char path[512], want[512];
    vault_key_path(v, CASE_A, path, sizeof(path));
    /* "case/KZ-ALM/0001": the slashes become 2f, not folders. */
    snprintf(want, sizeof(want), "%s/cases/636173652f4b5a2d414c4d2f30303031.key", f->keys);
    assert_string_equal(path, want);
    vault_key_path(v, "Ab", path, sizeof(path));
    snprintf(want, sizeof(want), "%s/cases/4162.key", f->keys);
    assert_string_equal(path, want);
    /* Too small a buffer gives no path rather than a truncated, wrong one. */
    vault_key_path(v, CASE_A, path, strlen(want) + 10);
    assert_string_equal(path, "");
    vault_close(v);
}

static void seal_unseal_round_trip(void **state)
{
    fixture *f = *state;
    vault *v = new_vault(f);
    new_key_written(v, CASE_A);
    assert_int_equal(vault_has_key(v, CASE_A), 1);

    char *w;
    size_t wlen;
    assert_int_equal(vault_new_key(v, CASE_A, &w, &wlen), KENES_EEXISTS);
    assert_null(w);

    char *sealed;
    size_t slen;
    seal_ok(v, CASE_A, CYRILLIC, &sealed, &slen);
    assert_int_equal(slen, 10 + 24 + strlen(CYRILLIC) + 16);
    assert_true(vault_is_sealed(sealed, slen));
    assert_memory_equal(sealed, VAULT_MAGIC, VAULT_MAGIC_LEN);
    assert_false(vault_is_sealed(CYRILLIC, strlen(CYRILLIC)));
    assert_false(vault_is_sealed(sealed, VAULT_MAGIC_LEN - 1));
    /* Neither the text nor a name in it shows in the sealed bytes. */
    assert_null(memmem(sealed, slen, CYRILLIC, strlen(CYRILLIC)));
    assert_null(memmem(sealed, slen, "Айгерим", strlen("Айгерим")));
    unseal_equals(v, CASE_A, sealed, slen, CYRILLIC);

    /* Same text again: a fresh nonce, so different bytes. */
    char *again;
    size_t alen;
    seal_ok(v, CASE_A, CYRILLIC, &again, &alen);
    assert_int_equal(alen, slen);
    assert_memory_not_equal(again, sealed, slen);
    free(again);

    /* An empty file seals and opens too. */
    seal_ok(v, CASE_A, "", &again, &alen);
    unseal_equals(v, CASE_A, again, alen, "");
    free(again);

    free(sealed);
    vault_close(v);
}

static void tampering_is_refused(void **state)
{
    fixture *f = *state;
    vault *v = new_vault(f);
    new_key_written(v, CASE_A);
    char *sealed;
    size_t slen;
    seal_ok(v, CASE_A, CYRILLIC, &sealed, &slen);

    /* Every byte: magic, nonce, ciphertext, tag. */
    for (size_t i = 0; i < slen; i++) {
        sealed[i] ^= 0x01;
        char *plain = (char *)1;
        size_t plen = 99;
        int rc = vault_unseal(v, CASE_A, sealed, slen, &plain, &plen);
        if (rc != KENES_EINVAL)
            fail_msg("byte %zu changed: unseal gave %d", i, rc);
        assert_null(plain);
        sealed[i] ^= 0x01;
    }
    unseal_equals(v, CASE_A, sealed, slen, CYRILLIC);

    char *plain;
    size_t plen;
    /* Cut short, at the tag or inside the header. */
    assert_int_equal(vault_unseal(v, CASE_A, sealed, slen - 1, &plain, &plen), KENES_EINVAL);
    assert_int_equal(vault_unseal(v, CASE_A, sealed, 10 + 24 + 15, &plain, &plen),
                     KENES_EINVAL);
    assert_int_equal(vault_unseal(v, CASE_A, sealed, VAULT_MAGIC_LEN, &plain, &plen),
                     KENES_EINVAL);
    /* Plain text is not a sealed file. */
    assert_int_equal(vault_unseal(v, CASE_A, CYRILLIC, strlen(CYRILLIC), &plain, &plen),
                     KENES_EINVAL);
    free(sealed);
    vault_close(v);
}

static void moved_file_does_not_open(void **state)
{
    fixture *f = *state;
    vault *v = new_vault(f);
    new_key_written(v, CASE_A);
    new_key_written(v, CASE_B);
    char *sealed;
    size_t slen;
    seal_ok(v, CASE_A, CYRILLIC, &sealed, &slen);
    char *plain;
    size_t plen;
    assert_int_equal(vault_unseal(v, CASE_B, sealed, slen, &plain, &plen), KENES_EINVAL);
    /* An id with no key is "erased", not "altered". */
    assert_int_equal(vault_unseal(v, "case/KZ-ALM/9999", sealed, slen, &plain, &plen),
                     KENES_ENOTFOUND);
    unseal_equals(v, CASE_A, sealed, slen, CYRILLIC);
    free(sealed);
    vault_close(v);
}

static void reopen_reads_old_files(void **state)
{
    fixture *f = *state;
    char *sa, *sc;
    size_t la, lc;
    vault *v = two_cases(f, CASE_A, CYRILLIC, &sa, &la, CASE_CYR, "второе дело", &sc, &lc);
    vault_close(v);

    /* What an interrupted util_write_file_atomic leaves behind is not a key. */
    char stray[512];
    snprintf(stray, sizeof(stray), "%s/cases/4142.key.tmp.123", f->keys);
    assert_int_equal(util_write_file_atomic(stray, "junk", 4, 0600), 0);

    v = open_ok(f);
    assert_int_equal(vault_has_key(v, CASE_A), 1);
    assert_int_equal(vault_has_key(v, CASE_CYR), 1);
    assert_int_equal(vault_has_key(v, "AB"), 0);
    unseal_equals(v, CASE_A, sa, la, CYRILLIC);
    unseal_equals(v, CASE_CYR, sc, lc, "второе дело");
    vault_close(v);
    free(sa);
    free(sc);
}

static void forget_erases(void **state)
{
    fixture *f = *state;
    char *sa, *sb;
    size_t la, lb;
    vault *v = two_cases(f, CASE_A, CYRILLIC, &sa, &la, CASE_B, "другое", &sb, &lb);

    assert_int_equal(vault_forget_key(v, CASE_A), 0);
    assert_int_equal(vault_has_key(v, CASE_A), 0);
    char *plain;
    size_t plen;
    assert_int_equal(vault_unseal(v, CASE_A, sa, la, &plain, &plen), KENES_ENOTFOUND);
    assert_int_equal(vault_seal(v, CASE_A, "x", 1, &plain, &plen), KENES_ENOTFOUND);
    assert_int_equal(vault_forget_key(v, CASE_A), KENES_ENOTFOUND);
    /* The other case is untouched. */
    unseal_equals(v, CASE_B, sb, lb, "другое");

    /* The caller removes the file; after a restart the case stays erased. */
    char path[512];
    vault_key_path(v, CASE_A, path, sizeof(path));
    assert_int_equal(unlink(path), 0);
    vault_close(v);
    v = open_ok(f);
    assert_int_equal(vault_has_key(v, CASE_A), 0);
    assert_int_equal(vault_unseal(v, CASE_A, sa, la, &plain, &plen), KENES_ENOTFOUND);
    unseal_equals(v, CASE_B, sb, lb, "другое");

    /* Erased, the id can have a new key, which does not open the old file. */
    new_key_written(v, CASE_A);
    assert_int_equal(vault_unseal(v, CASE_A, sa, la, &plain, &plen), KENES_EINVAL);
    vault_close(v);
    free(sa);
    free(sb);
}

/* For vault_settle(): CASE_A's erasure was committed, no other. */
static int only_a_erased(const char *doc_id, void *payload)
{
    (*(int *)payload)++;
    return strcmp(doc_id, CASE_A) == 0;
}

/* Erasures a crash cut short: both keys open at start, then the committed
 * one is finished and the other put back. */
static void interrupted_erasures_are_settled(void **state)
{
    fixture *f = *state;
    char *sa, *sb;
    size_t la, lb;
    vault *v = two_cases(f, CASE_A, CYRILLIC, &sa, &la, CASE_B, "другое", &sb, &lb);
    char pa[512], pb[512], ea[600], eb[600];
    vault_key_path(v, CASE_A, pa, sizeof(pa));
    vault_key_path(v, CASE_B, pb, sizeof(pb));
    snprintf(ea, sizeof(ea), "%s%s", pa, VAULT_KEY_ERASING);
    snprintf(eb, sizeof(eb), "%s%s", pb, VAULT_KEY_ERASING);
    vault_close(v);
    assert_int_equal(rename(pa, ea), 0);
    assert_int_equal(rename(pb, eb), 0);

    v = open_ok(f);
    unseal_equals(v, CASE_A, sa, la, CYRILLIC); /* the history can still be read */
    unseal_equals(v, CASE_B, sb, lb, "другое");
    int asked = 0;
    char err[256] = "";
    assert_int_equal(vault_settle(v, only_a_erased, &asked, err, sizeof(err)), 0);
    assert_int_equal(asked, 2);
    assert_int_equal(vault_has_key(v, CASE_A), 0);
    assert_int_equal(access(ea, F_OK), -1);
    assert_int_equal(access(pa, F_OK), -1);
    unseal_equals(v, CASE_B, sb, lb, "другое");
    assert_int_equal(access(eb, F_OK), -1);
    assert_int_equal(access(pb, F_OK), 0);
    /* Settled once: nothing is left to ask about. */
    asked = 0;
    assert_int_equal(vault_settle(v, only_a_erased, &asked, err, sizeof(err)), 0);
    assert_int_equal(asked, 0);
    vault_close(v);

    v = open_ok(f);
    assert_int_equal(vault_has_key(v, CASE_A), 0);
    unseal_equals(v, CASE_B, sb, lb, "другое");
    vault_close(v);
    free(sa);
    free(sb);
}

static void many_keys_forget_and_reuse(void **state)
{
    fixture *f = *state;
    vault *v = new_vault(f);
    /* More than fit in one page of keys, so keys span several chunks. */
    enum { N = 300 };
    char id[64];
    char *sealed[N];
    size_t slen[N];
    for (int i = 0; i < N; i++) {
        snprintf(id, sizeof(id), "case/KZ-%d", i);
        char *w;
        size_t wlen;
        assert_int_equal(vault_new_key(v, id, &w, &wlen), 0);
        free(w);
        seal_ok(v, id, id, &sealed[i], &slen[i]);
    }
    for (int i = 0; i < N; i += 3) {
        snprintf(id, sizeof(id), "case/KZ-%d", i);
        assert_int_equal(vault_forget_key(v, id), 0);
    }
    /* Reused slots must not disturb the keys around them. */
    char *w;
    size_t wlen;
    assert_int_equal(vault_new_key(v, "case/new", &w, &wlen), 0);
    free(w);
    for (int i = 0; i < N; i++) {
        snprintf(id, sizeof(id), "case/KZ-%d", i);
        char *plain;
        size_t plen;
        if (i % 3 == 0) {
            assert_int_equal(vault_unseal(v, id, sealed[i], slen[i], &plain, &plen),
                             KENES_ENOTFOUND);
        } else {
            unseal_equals(v, id, sealed[i], slen[i], id);
        }
        free(sealed[i]);
    }
    vault_close(v);
}

static void id_limits(void **state)
{
    fixture *f = *state;
    vault *v = new_vault(f);
    char id[VAULT_ID_MAX + 2];
    memset(id, 'a', sizeof(id) - 1);
    id[sizeof(id) - 1] = '\0';
    char *w;
    size_t wlen;
    assert_int_equal(vault_new_key(v, id, &w, &wlen), KENES_EINVAL);
    assert_int_equal(vault_new_key(v, "", &w, &wlen), KENES_EINVAL);
    /* The longest id's file name can be written and read back. */
    id[VAULT_ID_MAX] = '\0';
    new_key_written(v, id);
    vault_close(v);
    v = open_ok(f);
    assert_int_equal(vault_has_key(v, id), 1);
    vault_close(v);
}

static void open_fails(const fixture *f, int want_rc, const char *must_name, const char *must_say)
{
    vault *v = (vault *)1;
    char err[1024] = "";
    int rc = vault_open(&v, f->keys, err, sizeof(err));
    if (rc != want_rc)
        fail_msg("vault_open gave %d (%s), wanted %d", rc, err, want_rc);
    assert_null(v);
    if (!strstr(err, must_name))
        fail_msg("error does not name %s: %s", must_name, err);
    if (must_say && !strstr(err, must_say))
        fail_msg("error does not say '%s': %s", must_say, err);
}

static void wrong_master_is_refused(void **state)
{
    fixture *f = *state;
    vault *v = new_vault(f);
    new_key_written(v, CASE_A);
    char key_path[512];
    vault_key_path(v, CASE_A, key_path, sizeof(key_path));
    vault_close(v);

    char other[256];
    snprintf(other, sizeof(other), "%s/other.key", f->dir);
    assert_int_equal(vault_create_master(other), 0);
    setenv("KENES_MASTER_KEY_FILE", other, 1);
    open_fails(f, KENES_EINVAL, key_path, "master key");

    /* The variable is what chooses the key: pointed at the right one, it opens. */
    char moved[256];
    snprintf(moved, sizeof(moved), "%s/moved.key", f->dir);
    assert_int_equal(rename(f->master, moved), 0);
    setenv("KENES_MASTER_KEY_FILE", moved, 1);
    v = open_ok(f);
    assert_int_equal(vault_has_key(v, CASE_A), 1);
    vault_close(v);

    /* Empty means unset: back to keys_dir/master.key, which is gone now. */
    setenv("KENES_MASTER_KEY_FILE", "", 1);
    open_fails(f, KENES_ENOTFOUND, f->master, "does not exist");
}

static void renamed_key_file_is_refused(void **state)
{
    fixture *f = *state;
    vault *v = new_vault(f);
    new_key_written(v, CASE_A);
    char from[512], to[512];
    vault_key_path(v, CASE_A, from, sizeof(from));
    vault_key_path(v, CASE_B, to, sizeof(to));
    vault_close(v);
    /* A's key under B's name would open B's files with A's key. */
    assert_int_equal(rename(from, to), 0);
    open_fails(f, KENES_EINVAL, to, "does not open");
}

/* Flip a bit of the wrapped key in the file at path: it no longer unwraps. */
static void damage_key(const char *path, char **data, size_t *len)
{
    read_all(path, data, len);
    (*data)[30] ^= 0x40;
    assert_int_equal(util_write_file_atomic(path, *data, *len, 0600), 0);
}

static void damaged_key_files_are_refused(void **state)
{
    fixture *f = *state;
    vault *v = new_vault(f);
    new_key_written(v, CASE_A);
    char path[512];
    vault_key_path(v, CASE_A, path, sizeof(path));
    vault_close(v);

    char *data;
    size_t len;
    damage_key(path, &data, &len);
    /* The only key, and it does not open: the master key is the suspect. */
    open_fails(f, KENES_EINVAL, path, "does not open");
    /* A file cut short is that file's fault whatever the master key: its
     * case is unavailable, the vault opens. */
    assert_int_equal(util_write_file_atomic(path, data, len - 1, 0600), 0);
    v = open_ok(f);
    assert_int_equal(vault_has_key(v, CASE_A), 0);
    assert_non_null(vault_unavailable(v, CASE_A));
    assert_non_null(strstr(vault_unavailable(v, CASE_A), "damaged"));
    assert_non_null(strstr(vault_unavailable(v, CASE_A), path));
    vault_close(v);
    free(data);
    assert_int_equal(unlink(path), 0);

    /* Not a name the vault writes: uppercase hex, odd length, not hex. */
    const char *bad[] = {"4A.key", "414.key", "zz.key"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(path, sizeof(path), "%s/cases/%s", f->keys, bad[i]);
        assert_int_equal(util_write_file_atomic(path, "x", 1, 0600), 0);
        open_fails(f, KENES_EINVAL, bad[i], NULL);
        assert_int_equal(unlink(path), 0);
    }

    /* A's real key under "A\0"'s name: loaded as A, it would outlive A's
     * erasure, which removes only vault_key_path(A). */
    v = open_ok(f);
    new_key_written(v, "A");
    vault_key_path(v, "A", path, sizeof(path));
    vault_close(v);
    char alias[512];
    snprintf(alias, sizeof(alias), "%s/cases/4100.key", f->keys);
    assert_int_equal(rename(path, alias), 0);
    open_fails(f, KENES_EINVAL, "4100.key", "not named");
    assert_int_equal(rename(alias, path), 0);
    v = open_ok(f);
    assert_int_equal(vault_has_key(v, "A"), 1);
    vault_close(v);
}

/* One case's key file damaged while others open: that case is
 * unavailable, never erased, and keeps its id; the rest work. */
static void one_bad_key_leaves_the_rest(void **state)
{
    fixture *f = *state;
    char *sealed, *sealed_a;
    size_t slen, alen;
    vault *v = two_cases(f, CASE_A, "a", &sealed_a, &alen, CASE_B, "b", &sealed, &slen);
    free(sealed_a);
    char path[512];
    vault_key_path(v, CASE_A, path, sizeof(path));
    vault_close(v);
    char *data;
    size_t len;
    damage_key(path, &data, &len); /* with B's opening, not the master key's fault */
    free(data);

    v = open_ok(f);
    /* Found at open (listed first, it was tried) or at its first use. */
    assert_int_equal(vault_key_ready(v, CASE_A), KENES_EUNAVAILABLE);
    assert_int_equal(vault_has_key(v, CASE_A), 0);
    assert_non_null(strstr(vault_unavailable(v, CASE_A), "does not open"));
    assert_null(vault_unavailable(v, CASE_B));
    unseal_equals(v, CASE_B, sealed, slen, "b");
    char *w = NULL;
    size_t wlen = 0;
    /* A new key would overwrite the file that may yet be restored. */
    assert_int_equal(vault_new_key(v, CASE_A, &w, &wlen), KENES_EEXISTS);
    assert_null(w);
    /* Start-up records a key the history needs and the folder lacks. */
    assert_null(vault_unavailable(v, "case/KZ-ALM/0003"));
    assert_int_equal(vault_set_unavailable(v, "case/KZ-ALM/0003", "missing"), 0);
    assert_string_equal(vault_unavailable(v, "case/KZ-ALM/0003"), "missing");
    assert_int_equal(vault_set_unavailable(v, "case/KZ-ALM/0003", "missing still"), 0);
    assert_string_equal(vault_unavailable(v, "case/KZ-ALM/0003"), "missing still");
    vault_close(v);
    free(sealed);
}

static void master_must_be_private(void **state)
{
    fixture *f = *state;
    assert_int_equal(vault_create_master(f->master), 0);
    assert_int_equal(chmod(f->master, 0644), 0);
    open_fails(f, KENES_EINVAL, f->master, "readable by its owner only (chmod 600)");
    assert_int_equal(chmod(f->master, 0640), 0);
    open_fails(f, KENES_EINVAL, f->master, "chmod 600");
    assert_int_equal(chmod(f->master, 0604), 0);
    open_fails(f, KENES_EINVAL, f->master, "chmod 600");
    assert_int_equal(chmod(f->master, 0400), 0);
    vault_close(open_ok(f));
}

static void master_must_be_32_bytes(void **state)
{
    fixture *f = *state;
    open_fails(f, KENES_ENOTFOUND, f->master, "does not exist");

    char key[33] = {0};
    assert_int_equal(util_write_file_atomic(f->master, key, 33, 0600), 0);
    open_fails(f, KENES_EINVAL, f->master, "exactly 32");
    assert_int_equal(util_write_file_atomic(f->master, key, 31, 0600), 0);
    open_fails(f, KENES_EINVAL, f->master, "exactly 32");
    assert_int_equal(util_write_file_atomic(f->master, key, 0, 0600), 0);
    open_fails(f, KENES_EINVAL, f->master, "exactly 32");
    assert_int_equal(util_write_file_atomic(f->master, key, 32, 0600), 0);
    vault_close(open_ok(f));
}

/* A start lists the key files and unwraps only until one opens (the
 * master key checked); the others are read at their first use.  A listed
 * key whose file went missing or was damaged meanwhile makes its case
 * unavailable then, never erased, and the rest work. */
#define LAZY_N 6
static void keys_are_unwrapped_at_first_use(void **state)
{
    fixture *f = *state;
    vault *v = new_vault(f);
    char ids[LAZY_N][32], *sealed[LAZY_N];
    size_t slen[LAZY_N];
    for (int i = 0; i < LAZY_N; i++) {
        snprintf(ids[i], sizeof(ids[i]), "case/KZ-ALM/%04d", i + 1);
        new_key_written(v, ids[i]);
        seal_ok(v, ids[i], ids[i], &sealed[i], &slen[i]);
        assert_int_equal(vault_key_listed(v, ids[i]), 0); /* made here: in memory */
    }
    vault_close(v);

    v = open_ok(f);
    int listed[LAZY_N], nlisted = 0;
    for (int i = 0; i < LAZY_N; i++) {
        assert_int_equal(vault_has_key(v, ids[i]), 1);
        assert_null(vault_unavailable(v, ids[i]));
        if (vault_key_listed(v, ids[i]))
            listed[nlisted++] = i;
    }
    /* One file opened to check the master key, no more. */
    assert_int_equal(nlisted, LAZY_N - 1);

    /* First use unwraps it. */
    int a = listed[0], b = listed[1], c = listed[2], d = listed[3];
    unseal_equals(v, ids[a], sealed[a], slen[a], ids[a]);
    assert_int_equal(vault_key_listed(v, ids[a]), 0);
    assert_int_equal(vault_key_ready(v, ids[a]), 0);

    /* Missing at its first use: unavailable, and said why. */
    char path[512];
    vault_key_path(v, ids[b], path, sizeof(path));
    assert_int_equal(unlink(path), 0);
    char *plain = NULL;
    size_t plen = 0;
    assert_int_equal(vault_unseal(v, ids[b], sealed[b], slen[b], &plain, &plen),
                     KENES_EUNAVAILABLE);
    assert_null(plain);
    assert_int_equal(vault_has_key(v, ids[b]), 0);
    assert_non_null(strstr(vault_unavailable(v, ids[b]), "no such file"));
    assert_non_null(strstr(vault_unavailable(v, ids[b]), path));
    /* Asked again, the same answer without another read; never a new key. */
    assert_int_equal(vault_seal(v, ids[b], "x", 1, &plain, &plen), KENES_EUNAVAILABLE);
    assert_int_equal(vault_key_ready(v, ids[b]), KENES_EUNAVAILABLE);
    char *w = NULL;
    size_t wlen = 0;
    assert_int_equal(vault_new_key(v, ids[b], &w, &wlen), KENES_EEXISTS);

    /* Damaged before its first use: does not open, unavailable. */
    char *data;
    size_t len;
    vault_key_path(v, ids[c], path, sizeof(path));
    damage_key(path, &data, &len);
    free(data);
    assert_int_equal(vault_key_ready(v, ids[c]), KENES_EUNAVAILABLE);
    assert_non_null(strstr(vault_unavailable(v, ids[c]), "does not open"));

    /* The bytes read elsewhere (a job on the pool) unwrap it the same way. */
    vault_key_path(v, ids[d], path, sizeof(path));
    read_all(path, &data, &len);
    assert_int_equal(vault_key_supply(v, ids[d], data, len - 1), KENES_EUNAVAILABLE);
    assert_non_null(strstr(vault_unavailable(v, ids[d]), "damaged"));
    free(data);
    for (int k = 4; k < nlisted; k++) {
        int e = listed[k];
        vault_key_path(v, ids[e], path, sizeof(path));
        read_all(path, &data, &len);
        assert_int_equal(vault_key_supply(v, ids[e], data, len), 0);
        assert_int_equal(vault_key_listed(v, ids[e]), 0);
        assert_int_equal(vault_key_supply(v, ids[e], data, len), 0); /* once is enough */
        free(data);
        unseal_equals(v, ids[e], sealed[e], slen[e], ids[e]);
    }
    assert_int_equal(vault_key_supply(v, "case/KZ-ALM/none", "x", 1), KENES_ENOTFOUND);
    assert_int_equal(vault_key_ready(v, "case/KZ-ALM/none"), KENES_ENOTFOUND);

    /* Erasing a key never unwrapped: it is gone, as any other. */
    for (int i = 0; i < LAZY_N; i++)
        if (vault_key_listed(v, ids[i]))
            fail_msg("%s still listed", ids[i]);
    vault_close(v);
    v = open_ok(f);
    int e = -1;
    for (int i = 0; i < LAZY_N && e < 0; i++)
        if (vault_key_listed(v, ids[i]))
            e = i;
    assert_true(e >= 0);
    assert_int_equal(vault_forget_key(v, ids[e]), 0);
    assert_int_equal(vault_has_key(v, ids[e]), 0);
    assert_null(vault_unavailable(v, ids[e]));
    assert_int_equal(vault_unseal(v, ids[e], sealed[e], slen[e], &plain, &plen), KENES_ENOTFOUND);
    vault_close(v);
    for (int i = 0; i < LAZY_N; i++)
        free(sealed[i]);
}

/* A read replica's vault: a key file copied in after open is listed by
 * vault_key_arrived and unwrapped from its bytes (vault_key_supply); a
 * case recorded unavailable stays so; a bad id is refused. */
static void key_arrived_after_open(void **state)
{
    fixture *f = *state;
    const char *id = "case/KZ-ALM/late", *other = "case/KZ-ALM/gone";
    vault *v = new_vault(f);
    char *sealed, *data;
    size_t slen, len;
    new_key_written(v, id);
    seal_ok(v, id, "late", &sealed, &slen);
    char path[512];
    vault_key_path(v, id, path, sizeof(path));
    read_all(path, &data, &len);
    vault_close(v);
    assert_int_equal(unlink(path), 0);

    v = open_ok(f); /* opened before the file came */
    assert_int_equal(vault_has_key(v, id), 0);
    assert_int_equal(util_write_file_atomic(path, data, len, 0600), 0);
    assert_int_equal(vault_key_arrived(v, id), 0);
    assert_int_equal(vault_key_listed(v, id), 1);
    assert_int_equal(vault_key_arrived(v, id), 0); /* twice: the same */
    assert_int_equal(vault_key_supply(v, id, data, len), 0);
    unseal_equals(v, id, sealed, slen, "late");
    assert_int_equal(vault_key_arrived(v, id), 0); /* in memory now: untouched */
    unseal_equals(v, id, sealed, slen, "late");

    /* Recorded unavailable (its file had not come): it is listed now, and
     * bytes that do not open make it unavailable again, saying why. */
    assert_int_equal(vault_set_unavailable(v, other, "its key file has not reached this"), 0);
    assert_int_equal(vault_key_arrived(v, other), 0);
    assert_null(vault_unavailable(v, other));
    assert_int_equal(vault_key_listed(v, other), 1);
    assert_int_equal(vault_key_supply(v, other, data, len - 1), KENES_EUNAVAILABLE);
    assert_non_null(strstr(vault_unavailable(v, other), "damaged"));
    assert_int_equal(vault_has_key(v, other), 0);
    assert_int_equal(vault_key_arrived(v, ""), KENES_EINVAL);
    assert_int_equal(vault_key_arrived(NULL, id), KENES_EINVAL);
    vault_close(v);
    free(data);
    free(sealed);
}

int main(void)
{
#ifdef __GLIBC__
    /* Fresh malloc memory is often zero, which would let a missing NUL after
     * unsealed text pass; fill it with junk instead (ASan does the same). */
    mallopt(M_PERTURB, 0x5a);
#endif
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(create_master_once, setup, teardown),
        cmocka_unit_test_setup_teardown(open_makes_cases_folder, setup, teardown),
        cmocka_unit_test_setup_teardown(key_path_is_hex_of_id, setup, teardown),
        cmocka_unit_test_setup_teardown(seal_unseal_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(tampering_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(moved_file_does_not_open, setup, teardown),
        cmocka_unit_test_setup_teardown(reopen_reads_old_files, setup, teardown),
        cmocka_unit_test_setup_teardown(forget_erases, setup, teardown),
        cmocka_unit_test_setup_teardown(interrupted_erasures_are_settled, setup, teardown),
        cmocka_unit_test_setup_teardown(many_keys_forget_and_reuse, setup, teardown),
        cmocka_unit_test_setup_teardown(id_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(wrong_master_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(renamed_key_file_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(damaged_key_files_are_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(one_bad_key_leaves_the_rest, setup, teardown),
        cmocka_unit_test_setup_teardown(keys_are_unwrapped_at_first_use, setup, teardown),
        cmocka_unit_test_setup_teardown(key_arrived_after_open, setup, teardown),
        cmocka_unit_test_setup_teardown(master_must_be_private, setup, teardown),
        cmocka_unit_test_setup_teardown(master_must_be_32_bytes, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
