/* Sealed notes: a case's comment sealed with its key, and nothing else. */
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

#include "kenes/plugin.h"
#include "storage/note.h"
#include "storage/vault.h"
#include "fixture_files.h"

#define CASE_A "case/KZ-11/0001"
#define CASE_B "case/KZ-11/0002"
static const char COMMENT[] = "Новые обстоятельства: мать Айгерим вернулась";

typedef struct fixture {
    char dir[64];
    vault *v;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    char keys[128], master[192], err[512];
    char *wrapped;
    size_t wlen;
    if (!f || scratch_dir_new(f->dir, sizeof(f->dir), "note") != 0 ||
        keys_dir_new(keys, sizeof(keys), master, sizeof(master), f->dir) != 0 ||
        vault_create_master(master) < 0 || vault_open(&f->v, keys, err, sizeof(err)) < 0)
        return -1;
    for (int i = 0; i < 2; i++) {
        if (vault_new_key(f->v, i ? CASE_B : CASE_A, &wrapped, &wlen) < 0)
            return -1;
        free(wrapped);
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    vault_close(f->v);
    scratch_dir_remove(f->dir);
    free(f);
    return 0;
}

static void seal_and_open(void **state)
{
    fixture *f = *state;
    char *sealed, *b64, *back;
    size_t len;
    assert_int_equal(note_seal(&sealed, &len, &b64, f->v, CASE_A, COMMENT), 0);
    assert_true(vault_is_sealed(sealed, len));
    /* Neither form holds the text (nor any long piece of it). */
    assert_null(memmem(sealed, len, "Айгерим", strlen("Айгерим")));
    assert_null(strstr(b64, "Айгерим"));
    /* The journal's form is the file's bytes, base64. */
    unsigned char bin[512];
    size_t blen;
    assert_int_equal(sodium_base642bin(bin, sizeof(bin), b64, strlen(b64), NULL, &blen, NULL,
                                       sodium_base64_VARIANT_ORIGINAL),
                     0);
    assert_int_equal(blen, len);
    assert_memory_equal(bin, sealed, len);
    assert_int_equal(note_open(&back, f->v, CASE_A, b64), 0);
    assert_string_equal(back, COMMENT);
    free(back);
    /* Another case's key (or id) does not open it. */
    assert_int_equal(note_open(&back, f->v, CASE_B, b64), KENES_EINVAL);
    assert_null(back);
    /* Once the key is destroyed (erasure), nothing opens it, nor seals. */
    assert_int_equal(vault_forget_key(f->v, CASE_A), 0);
    assert_int_equal(note_open(&back, f->v, CASE_A, b64), KENES_ENOTFOUND);
    assert_null(back);
    free(sealed);
    free(b64);
    assert_int_equal(note_seal(&sealed, &len, &b64, f->v, CASE_A, COMMENT), KENES_ENOTFOUND);
    assert_null(sealed);
    assert_null(b64);
}

/* A copy of the repository shows a note's size: it says only how many
 * blocks the comment fills, not how long it is. */
static void size_says_little(void **state)
{
    fixture *f = *state;
    char text[600];
    size_t sizes[4];
    const size_t lens[4] = {1, 4, 85, 200};
    for (int i = 0; i < 4; i++) {
        char *sealed, *b64, *back;
        memset(text, 'x', lens[i]);
        text[lens[i]] = '\0';
        assert_int_equal(note_seal(&sealed, &sizes[i], &b64, f->v, CASE_A, text), 0);
        assert_int_equal(note_open(&back, f->v, CASE_A, b64), 0);
        assert_string_equal(back, text);
        free(back);
        free(sealed);
        free(b64);
    }
    for (int i = 1; i < 4; i++)
        assert_int_equal(sizes[i], sizes[0]);
    /* One block more for a longer one. */
    char *sealed, *b64;
    size_t len;
    memset(text, 'x', 300);
    text[300] = '\0';
    assert_int_equal(note_seal(&sealed, &len, &b64, f->v, CASE_A, text), 0);
    assert_int_equal(len, sizes[0] + NOTE_PAD_BLOCK);
    free(sealed);
    free(b64);
}

/* A case file sealed with the same key is not a note; nor is junk. */
static void only_notes_open(void **state)
{
    fixture *f = *state;
    const char *doc = "---\nid: case/KZ-11/0001\nstage: registered\n---\n";
    char *sealed, *back, b64[1024];
    size_t len;
    assert_int_equal(vault_seal(f->v, CASE_A, doc, strlen(doc), &sealed, &len), 0);
    sodium_bin2base64(b64, sizeof(b64), (unsigned char *)sealed, len,
                      sodium_base64_VARIANT_ORIGINAL);
    assert_int_equal(note_open(&back, f->v, CASE_A, b64), KENES_EINVAL);
    assert_int_equal(note_open(&back, f->v, CASE_A, "not base64!"), KENES_EINVAL);
    assert_int_equal(note_open(&back, f->v, CASE_A, ""), KENES_EINVAL);
    free(sealed);
    /* Nothing typed, nothing sealed. */
    char *b;
    assert_int_equal(note_seal(&sealed, &len, &b, f->v, CASE_A, ""), KENES_EINVAL);
    assert_null(sealed);
    assert_null(b);
    char path[32];
    assert_int_equal(note_path(path, sizeof(path), CASE_A, DOCPATH_FLAT), 0);
    assert_string_equal(path, CASE_A ".note");
    assert_int_equal(note_path(path, 8, CASE_A, DOCPATH_FLAT), KENES_EINVAL);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(seal_and_open, setup, teardown),
        cmocka_unit_test_setup_teardown(only_notes_open, setup, teardown),
        cmocka_unit_test_setup_teardown(size_says_little, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
