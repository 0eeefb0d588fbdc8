/*
 * The backup archive (storage/archive.h) and the passphrase seal of its keys
 * (storage/keyseal.h):
 * - an archive reads back file for file; one byte changed anywhere in it,
 *   at every offset, and the file cut at every length are refused by
 *   archive_open() before anything is read from it;
 * - an entry whose bytes differ from the manifest is refused by
 *   archive_extract();
 * - sealed keys open with their passphrase only; a byte changed anywhere
 *   (header included: it is the first chunk's associated data), a chunk
 *   dropped or the stream cut are refused; limits beyond what kenes writes
 *   are refused before Argon2 runs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include "kenes/plugin.h"
#include "base/util.h"
#include "storage/archive.h"
#include "storage/keyseal.h"

/* The least Argon2id allows: these tests are about the format. */
#define OPS crypto_pwhash_OPSLIMIT_MIN
#define MEM crypto_pwhash_MEMLIMIT_MIN

static char dir[64], zip_path[128];

static void put(const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    assert_int_equal(util_write_file_atomic(path, text, strlen(text), 0600), 0);
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/kenes-archive-XXXXXX");
    assert_non_null(mkdtemp(dir));
    char sub[128];
    snprintf(sub, sizeof(sub), "%s/index", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    put("users.yaml", "users: []\n");
    put("index/documents.jsonl", "{\"commit\":\"a\"}\n{\"commit\":\"b\"}\n");
    put("data.pack", "PACK not really, stored as it is");
    snprintf(zip_path, sizeof(zip_path), "%s/backup.kenes", dir);
    static const char *const names[] = {"users.yaml", "index/documents.jsonl", "data.pack"};
    json_t *info = json_pack("{s:b}", "keys", 0);
    char err[256] = "";
    int rc = archive_write(zip_path, dir, names, 3, info, err, sizeof(err));
    json_decref(info);
    assert_int_equal(rc, 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    util_remove_tree(dir);
    return 0;
}

static char *slurp(size_t *len, const char *path)
{
    char *data = NULL;
    assert_int_equal(util_read_file(&data, len, path), 0);
    return data;
}

static void spit(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

static void test_reads_back(void **state)
{
    (void)state;
    archive *a = NULL;
    char err[256] = "", *data = NULL, path[256];
    size_t len = 0;
    assert_int_equal(archive_open(&a, zip_path, err, sizeof(err)), 0);
    assert_int_equal(archive_count(a), 3);
    assert_string_equal(archive_name(a, 1), "index/documents.jsonl");
    assert_string_equal(json_string_value(json_object_get(archive_manifest(a), "format")),
                        ARCHIVE_FORMAT);
    assert_true(json_is_false(json_object_get(archive_manifest(a), "keys")));
    assert_int_equal(archive_extract(a, "users.yaml", NULL, 0, &data, &len, err, sizeof(err)), 0);
    assert_string_equal(data, "users: []\n");
    free(data);
    snprintf(path, sizeof(path), "%s/out.jsonl", dir);
    assert_int_equal(archive_extract(a, "index/documents.jsonl", path, 0600, NULL, NULL, err,
                                     sizeof(err)), 0);
    data = slurp(&len, path);
    assert_string_equal(data, "{\"commit\":\"a\"}\n{\"commit\":\"b\"}\n");
    free(data);
    unlink(path);
    assert_int_equal(archive_extract(a, "keys.enc", NULL, 0, &data, &len, err, sizeof(err)),
                     KENES_ENOTFOUND);
    archive_close(a);
    /* The pack is stored, not deflated: it is compressed already. */
    zip_t *za = zip_open(zip_path, ZIP_RDONLY, NULL);
    zip_stat_t zs;
    assert_non_null(za);
    assert_int_equal(zip_stat(za, "data.pack", 0, &zs), 0);
    assert_int_equal(zs.comp_method, ZIP_CM_STORE);
    zip_discard(za);
}

static void test_any_byte_changed_is_refused(void **state)
{
    (void)state;
    size_t len = 0;
    char *good = slurp(&len, zip_path), bad_path[256], err[256];
    snprintf(bad_path, sizeof(bad_path), "%s/bad.kenes", dir);
    for (size_t i = 0; i < len; i++) {
        good[i] ^= 0x01;
        spit(bad_path, good, len);
        good[i] ^= 0x01;
        archive *a = NULL;
        err[0] = '\0';
        int rc = archive_open(&a, bad_path, err, sizeof(err));
        if (rc != KENES_EINVAL)
            fail_msg("byte %zu of %zu changed: archive_open answered %d", i, len, rc);
        assert_null(a);
        assert_true(strstr(err, "damaged or was altered") || strstr(err, "not a whole"));
    }
    free(good);
}

static void test_cut_short_is_refused(void **state)
{
    (void)state;
    size_t len = 0;
    char *good = slurp(&len, zip_path), bad_path[256], err[256];
    snprintf(bad_path, sizeof(bad_path), "%s/cut.kenes", dir);
    for (size_t n = 0; n < len; n++) {
        spit(bad_path, good, n);
        archive *a = NULL;
        assert_int_equal(archive_open(&a, bad_path, err, sizeof(err)), KENES_EINVAL);
        assert_non_null(strstr(err, "not a whole kenes backup"));
    }
    /* Bytes added after the end move the checksum off the end. */
    char *longer = malloc(len + 1);
    memcpy(longer, good, len);
    longer[len] = '\n';
    spit(bad_path, longer, len + 1);
    archive *a = NULL;
    assert_int_equal(archive_open(&a, bad_path, err, sizeof(err)), KENES_EINVAL);
    free(longer);
    free(good);
}

static void test_not_there(void **state)
{
    (void)state;
    archive *a = NULL;
    char err[256];
    assert_int_equal(archive_open(&a, "/nonexistent/backup.kenes", err, sizeof(err)), KENES_EIO);
    assert_non_null(strstr(err, "cannot read"));
}

static void test_keys_round_trip(void **state)
{
    (void)state;
    /* Several chunks, the last one short. */
    size_t len = 3 * 65536 + 123;
    unsigned char *plain = malloc(len);
    randombytes_buf(plain, len);
    char *sealed = NULL, *opened = NULL;
    size_t slen = 0, olen = 0;
    assert_int_equal(keyseal_seal(&sealed, &slen, plain, len, "passphrase 17", 13, OPS, MEM), 0);
    assert_null(memmem(sealed, slen, plain, 64));
    assert_int_equal(keyseal_open(&opened, &olen, sealed, slen, "passphrase 17", 13), 0);
    assert_int_equal(olen, len);
    assert_memory_equal(opened, plain, len);
    free(opened);
    assert_int_equal(keyseal_open(&opened, &olen, sealed, slen, "passphrase 18", 13),
                     KENES_EFORBIDDEN);
    assert_null(opened);
    /* The last chunk dropped: no FINAL tag. */
    size_t three = 13 + 1 + 16 + crypto_pwhash_SALTBYTES +
                   crypto_secretstream_xchacha20poly1305_HEADERBYTES +
                   3 * (65536 + crypto_secretstream_xchacha20poly1305_ABYTES);
    assert_int_equal(keyseal_open(&opened, &olen, sealed, three, "passphrase 17", 13),
                     KENES_EFORBIDDEN);
    assert_int_equal(keyseal_open(&opened, &olen, sealed, slen - 1, "passphrase 17", 13),
                     KENES_EFORBIDDEN);
    free(sealed);
    free(plain);
}

static void test_keys_any_byte_changed(void **state)
{
    (void)state;
    const char *plain = "master.key and signing.key, say";
    char *sealed = NULL, *opened = NULL;
    size_t slen = 0, olen = 0;
    assert_int_equal(keyseal_seal(&sealed, &slen, plain, strlen(plain), "pass", 4, OPS, MEM), 0);
    for (size_t i = 0; i < slen; i++) {
        sealed[i] ^= 0x01;
        int rc = keyseal_open(&opened, &olen, sealed, slen, "pass", 4);
        sealed[i] ^= 0x01;
        if (rc != KENES_EFORBIDDEN && rc != KENES_EINVAL)
            fail_msg("byte %zu changed: keyseal_open answered %d", i, rc);
        assert_null(opened);
    }
    assert_int_equal(keyseal_open(&opened, &olen, sealed, slen, "pass", 4), 0);
    assert_string_equal(opened, plain);
    free(opened);
    /* A header asking for more than kenes ever writes (8 GiB of memory). */
    sealed[13 + 1 + 8 + 4] = 0x02;
    assert_int_equal(keyseal_open(&opened, &olen, sealed, slen, "pass", 4), KENES_EINVAL);
    free(sealed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_reads_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_any_byte_changed_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cut_short_is_refused, setup, teardown),
        cmocka_unit_test(test_not_there),
        cmocka_unit_test(test_keys_round_trip),
        cmocka_unit_test(test_keys_any_byte_changed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
