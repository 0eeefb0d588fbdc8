/* The start-up snapshot's file (storage/snapshot.h): what is written reads
 * back; a file damaged, cut short, of other rules or missing is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <git2.h>
#include <sodium.h>

#include "kenes/plugin.h"
#include "base/util.h"
#include "storage/snapshot.h"
#include "fixture_files.h"

#define V1 "0123456789abcdef0123456789abcdef01234567"
#define V2 "89abcdef0123456789abcdef0123456789abcdef"

typedef struct fixture {
    char dir[256], path[320];
    unsigned char digest[SNAP_DIGEST_BYTES];
    unsigned char key[SNAP_KEY_BYTES];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    if (!f || scratch_dir_new(f->dir, sizeof(f->dir), "snapshot") < 0)
        return -1;
    snprintf(f->path, sizeof(f->path), "%s/documents.snap", f->dir);
    memset(f->digest, 7, sizeof(f->digest));
    memset(f->key, 3, sizeof(f->key));
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

static void write_two(fixture *f)
{
    snap_writer *w = NULL;
    assert_int_equal(snap_writer_open(&w, f->path, f->digest, f->key), 0);
    assert_int_equal(snap_writer_add(w, "plan/KZ-11/2026", V1, "{\"t\":1}", 7, NULL, 0), 0);
    assert_int_equal(snap_writer_add(w, "case/KZ-11/3f/x", V2, "", 0, "DOC", 3), 0);
    assert_int_equal(snap_writer_commit(w), 0);
}

static void written_reads_back(void **state)
{
    fixture *f = *state;
    write_two(f);
    snap_reader *r = NULL;
    const char *id, *entry, *doc;
    char version[41];
    size_t len, doc_len;
    assert_int_equal(snap_reader_open(&r, f->path, f->digest, f->key), 0);
    assert_int_equal(snap_reader_count(r), 2);
    assert_int_equal(snap_reader_next(r, &id, version, &entry, &len, &doc, &doc_len), 1);
    assert_string_equal(id, "plan/KZ-11/2026");
    assert_string_equal(version, V1);
    assert_int_equal(len, 7);
    assert_memory_equal(entry, "{\"t\":1}", 7);
    assert_null(doc); /* a record without its document */
    assert_int_equal(doc_len, 0);
    assert_int_equal(snap_reader_next(r, &id, version, &entry, &len, &doc, &doc_len), 1);
    assert_string_equal(id, "case/KZ-11/3f/x");
    assert_string_equal(version, V2);
    assert_int_equal(len, 0);
    assert_int_equal(doc_len, 3); /* an empty entry does not swallow the document */
    assert_memory_equal(doc, "DOC", 3);
    assert_int_equal(snap_reader_next(r, &id, version, &entry, &len, &doc, &doc_len), 0);
    snap_reader_close(r);
    snap_reader_close(NULL);
}

static void other_rules_or_no_file(void **state)
{
    fixture *f = *state;
    snap_reader *r = NULL;
    assert_int_equal(snap_reader_open(&r, f->path, f->digest, f->key), KENES_ENOTFOUND);
    write_two(f);
    unsigned char other[SNAP_DIGEST_BYTES];
    memset(other, 8, sizeof(other));
    assert_int_equal(snap_reader_open(&r, f->path, other, f->key), KENES_ESTALE);
    /* Sealed with another master key's: not opened (nor said stale). */
    unsigned char key2[SNAP_KEY_BYTES];
    memset(key2, 4, sizeof(key2));
    assert_int_equal(snap_reader_open(&r, f->path, f->digest, key2), KENES_EINVAL);
}

/* A case's summary is in the records: not one byte of it lies in the clear. */
static void records_are_sealed(void **state)
{
    fixture *f = *state;
    snap_writer *w = NULL;
    assert_int_equal(snap_writer_open(&w, f->path, f->digest, f->key), 0);
    assert_int_equal(snap_writer_add(w, "case/KZ-11/3f/x", V1, "pseudonym-Ainur", 15, NULL, 0), 0);
    assert_int_equal(snap_writer_commit(w), 0);
    char *text = NULL;
    size_t len = 0;
    assert_int_equal(util_read_file(&text, &len, f->path), 0);
    assert_null(memmem(text, len, "Ainur", 5));
    assert_null(memmem(text, len, "case/KZ", 7));
    free(text);
}

/* Every single byte changed, and every length cut short, is refused. */
static void damage_is_refused(void **state)
{
    fixture *f = *state;
    write_two(f);
    char *good = NULL;
    size_t len = 0;
    assert_int_equal(util_read_file(&good, &len, f->path), 0);
    snap_reader *r = NULL;
    for (size_t i = 0; i < len; i++) {
        good[i] ^= 0x20;
        assert_int_equal(util_write_file_atomic(f->path, good, len, 0600), 0);
        assert_int_equal(snap_reader_open(&r, f->path, f->digest, f->key), KENES_EINVAL);
        good[i] ^= 0x20;
    }
    for (size_t n = 0; n < len; n += 5) {
        assert_int_equal(util_write_file_atomic(f->path, good, n, 0600), 0);
        assert_int_equal(snap_reader_open(&r, f->path, f->digest, f->key), KENES_EINVAL);
    }
    free(good);
}

/* A snapshot of several chunks: damage or a cut in a later chunk is found
 * there, the records before it handed out whole; never a record past it. */
static void damage_in_a_later_chunk(void **state)
{
    fixture *f = *state;
    snap_writer *w = NULL;
    char id[64], doc[1000];
    memset(doc, 'd', sizeof(doc));
    assert_int_equal(snap_writer_open(&w, f->path, f->digest, f->key), 0);
    for (int i = 0; i < 1000; i++) { /* about a MiB: four chunks */
        snprintf(id, sizeof(id), "plan/KZ-%02d/%04d", i % 20, i);
        assert_int_equal(snap_writer_add(w, id, V1, "e", 1, doc, sizeof(doc)), 0);
    }
    assert_int_equal(snap_writer_commit(w), 0);
    char *good = NULL;
    size_t len = 0;
    assert_int_equal(util_read_file(&good, &len, f->path), 0);
    assert_true(len > 3 * SNAP_CHUNK_BYTES);
    for (int damage = 0; damage < 3; damage++) {
        size_t n = len;
        if (damage == 0)
            good[len - 100] ^= 1; /* inside the final chunk */
        else if (damage == 1)
            n = len - 100; /* cut inside the final chunk */
        else
            n = 100 + SNAP_CHUNK_BYTES + 4 + 17 + 4 + 17; /* after the first chunk, roughly */
        assert_int_equal(util_write_file_atomic(f->path, good, n, 0600), 0);
        snap_reader *r = NULL;
        assert_int_equal(snap_reader_open(&r, f->path, f->digest, f->key), 0);
        const char *rid, *re, *rd;
        char version[41];
        size_t elen, dlen;
        int got, seen = 0;
        while ((got = snap_reader_next(r, &rid, version, &re, &elen, &rd, &dlen)) == 1) {
            snprintf(id, sizeof(id), "plan/KZ-%02d/%04d", seen % 20, seen);
            assert_string_equal(rid, id);
            assert_int_equal(dlen, sizeof(doc));
            assert_memory_equal(rd, doc, dlen);
            seen++;
        }
        assert_int_equal(got, KENES_EINVAL);
        assert_true(seen >= 200 && seen < 1000); /* a chunk holds about 260 */
        snap_reader_close(r);
        if (damage == 0)
            good[len - 100] ^= 1;
    }
    free(good);
}

static void bad_records_and_abort(void **state)
{
    fixture *f = *state;
    write_two(f);
    snap_writer *w = NULL;
    assert_int_equal(snap_writer_open(&w, f->path, f->digest, f->key), 0);
    assert_int_equal(snap_writer_add(w, "", V1, "x", 1, NULL, 0), KENES_EINVAL);
    assert_int_equal(snap_writer_add(w, "plan/KZ-11/2026", "abc", "x", 1, NULL, 0), KENES_EINVAL);
    assert_int_equal(snap_writer_add(w, "plan/KZ-11/2026", NULL, "x", 1, NULL, 0), KENES_EINVAL);
    assert_int_equal(snap_writer_add(w, "plan/KZ-11/2027", V2, "y", 1, NULL, 0), 0);
    snap_writer_abort(w);
    snap_writer_abort(NULL);
    /* The snapshot in place is the one before. */
    snap_reader *r = NULL;
    assert_int_equal(snap_reader_open(&r, f->path, f->digest, f->key), 0);
    assert_int_equal(snap_reader_count(r), 2);
    snap_reader_close(r);
    char tmp[400];
    snprintf(tmp, sizeof(tmp), "%s.tmp", f->path);
    assert_int_equal(access(tmp, F_OK), -1);
}

static void many_records(void **state)
{
    fixture *f = *state;
    snap_writer *w = NULL;
    char id[64], entry[64];
    assert_int_equal(snap_writer_open(&w, f->path, f->digest, f->key), 0);
    for (int i = 0; i < 10000; i++) {
        snprintf(id, sizeof(id), "case/KZ-%02d/%05d", i % 20, i);
        int n = snprintf(entry, sizeof(entry), "{\"n\":%d}", i);
        assert_int_equal(snap_writer_add(w, id, i % 2 ? V1 : V2, entry, (size_t)n,
                                         i % 3 ? NULL : entry, i % 3 ? 0 : (size_t)n), 0);
    }
    assert_int_equal(snap_writer_commit(w), 0);
    snap_reader *r = NULL;
    assert_int_equal(snap_reader_open(&r, f->path, f->digest, f->key), 0);
    const char *rid, *re, *doc;
    char version[41];
    size_t len, doc_len;
    int i = 0;
    while (snap_reader_next(r, &rid, version, &re, &len, &doc, &doc_len) == 1) {
        snprintf(id, sizeof(id), "case/KZ-%02d/%05d", i % 20, i);
        int n = snprintf(entry, sizeof(entry), "{\"n\":%d}", i);
        assert_string_equal(rid, id);
        assert_string_equal(version, i % 2 ? V1 : V2);
        assert_int_equal(len, (size_t)n);
        assert_memory_equal(re, entry, len);
        assert_int_equal(doc_len, i % 3 ? 0 : (size_t)n);
        if (doc_len)
            assert_memory_equal(doc, entry, doc_len);
        i++;
    }
    assert_int_equal(i, 10000);
    snap_reader_close(r);
}

int main(void)
{
    if (sodium_init() < 0 || git_libgit2_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(written_reads_back, setup, teardown),
        cmocka_unit_test_setup_teardown(other_rules_or_no_file, setup, teardown),
        cmocka_unit_test_setup_teardown(damage_in_a_later_chunk, setup, teardown),
        cmocka_unit_test_setup_teardown(damage_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_records_and_abort, setup, teardown),
        cmocka_unit_test_setup_teardown(many_records, setup, teardown),
        cmocka_unit_test_setup_teardown(records_are_sealed, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
