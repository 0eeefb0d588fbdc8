/* The signed checkpoint: its file format, its signature, the trailer's
 * position, and the live checkpoint that only moves forward. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/accesslog.h"
#include "audit/checkpoint.h"
#include "fixture_files.h"
#include "kenes/plugin.h"
#include "storage/sign.h"
#include "base/util.h"

#define HASH_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define HASH_B "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define OID_A "1111111111111111111111111111111111111111"
#define OID_B "2222222222222222222222222222222222222222"

typedef struct fixture {
    char dir[64];
    char keys[128], other_keys[128];
    char path[160];
    signer *sig, *other;
    unsigned char pk[1][SIGN_PUBKEY_BYTES], other_pk[1][SIGN_PUBKEY_BYTES];
} fixture;

static int open_key(signer **sig, unsigned char pk[SIGN_PUBKEY_BYTES], const char *dir)
{
    char err[256], line[SIGN_LINE_MAX];
    if (sign_create_key(dir) < 0 || sign_open(sig, dir, err, sizeof(err)) < 0 ||
        sign_public_line(*sig, line, sizeof(line)) < 0 ||
        sign_parse_key_line(pk, line, strlen(line)) < 0)
        return -1;
    return 0;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    if (!f)
        return -1;
    if (scratch_dir_new(f->dir, sizeof(f->dir), "ckpt") != 0)
        return -1;
    snprintf(f->keys, sizeof(f->keys), "%s/keys", f->dir);
    snprintf(f->other_keys, sizeof(f->other_keys), "%s/other", f->dir);
    snprintf(f->path, sizeof(f->path), "%s/%s", f->dir, CKPT_FILE);
    if (open_key(&f->sig, f->pk[0], f->keys) < 0 ||
        open_key(&f->other, f->other_pk[0], f->other_keys) < 0)
        return -1;
    setenv("KENES_NOW", "2026-12-05T06:00:00Z", 1);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    sign_free(f->sig);
    sign_free(f->other);
    scratch_dir_remove(f->dir);
    free(f);
    unsetenv("KENES_NOW");
    return 0;
}

static ckpt_state sample(void)
{
    ckpt_state st = {0};
    st.time_ms = 1796450400000; /* 2026-12-05T06:00:00Z */
    st.lines = 15;
    memcpy(st.log_head, HASH_B, CKPT_HASH_HEX);
    memcpy(st.heads[0], OID_A, CKPT_OID_HEX);
    return st; /* cases.git has no commit yet */
}

static void test_format_and_parse(void **state)
{
    fixture *f = *state;
    ckpt_state st = sample(), back;
    char *text, err[160];
    size_t len, body;
    assert_int_equal(ckpt_format(&text, &len, &st, f->sig), 0);
    assert_int_equal(strlen(text), len);
    const char *want = "kenes checkpoint 1\n"
                       "time 2026-12-05T06:00:00Z\n"
                       "access.log 15 " HASH_B "\n"
                       "documents.git " OID_A "\n"
                       "cases.git -\n"
                       "-----BEGIN SSH SIGNATURE-----\n";
    assert_memory_equal(text, want, strlen(want));
    assert_non_null(strstr(text, "-----END SSH SIGNATURE-----\n"));

    assert_int_equal(ckpt_parse(&back, &body, text, len, err, sizeof(err)), 0);
    assert_int_equal(body, strlen(want) - strlen("-----BEGIN SSH SIGNATURE-----\n"));
    assert_int_equal(back.time_ms, st.time_ms);
    assert_int_equal(back.lines, 15);
    assert_string_equal(back.log_head, HASH_B);
    assert_string_equal(back.heads[0], OID_A);
    assert_string_equal(back.heads[1], "");
    free(text);
}

static void test_signature(void **state)
{
    fixture *f = *state;
    ckpt_state st = sample();
    char *text, err[160];
    size_t len, body;
    assert_int_equal(ckpt_format(&text, &len, &st, f->sig), 0);
    assert_int_equal(ckpt_parse(&st, &body, text, len, err, sizeof(err)), 0);
    assert_int_equal(ckpt_check_signature(text, len, body, f->pk, 1), 0);
    /* Another key did not make it... */
    assert_int_equal(ckpt_check_signature(text, len, body, f->other_pk, 1), KENES_EFORBIDDEN);
    assert_int_equal(ckpt_check_signature(text, len, body, f->pk, 0), KENES_EFORBIDDEN);
    /* ... and a count changed after signing no longer verifies. */
    char *p = strstr(text, "access.log 15");
    p[strlen("access.log 1")] = '9';
    assert_int_equal(ckpt_parse(&st, &body, text, len, err, sizeof(err)), 0);
    assert_int_equal(st.lines, 19);
    assert_int_equal(ckpt_check_signature(text, len, body, f->pk, 1), KENES_EFORBIDDEN);
    /* No signature at all. */
    assert_int_equal(ckpt_check_signature(text, body, body, f->pk, 1), KENES_EINVAL);
    free(text);
}

static void test_parse_refuses(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "kenes checkpoint 2\n",
        "kenes checkpoint 1\ntime yesterday\n",
        "kenes checkpoint 1\ntime 2026-12-05T06:00:00Z\naccess.log 15 abc\n",
        "kenes checkpoint 1\ntime 2026-12-05T06:00:00Z\naccess.log -1 " HASH_B "\n",
        "kenes checkpoint 1\ntime 2026-12-05T06:00:00Z\naccess.log 15 " HASH_B "0\n",
        "kenes checkpoint 1\ntime 2026-12-05T06:00:00Z\naccess.log 15 "
        "ABCDEF6789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n",
        "kenes checkpoint 1\ntime 2026-12-05T06:00:00Z\naccess.log 15 " HASH_B "\n"
        "documents.git 1234\ncases.git -\n-----BEGIN SSH SIGNATURE-----\n",
        "kenes checkpoint 1\ntime 2026-12-05T06:00:00Z\naccess.log 15 " HASH_B "\n"
        "cases.git -\ndocuments.git -\n-----BEGIN SSH SIGNATURE-----\n",
        /* Everything but the signature. */
        "kenes checkpoint 1\ntime 2026-12-05T06:00:00Z\naccess.log 15 " HASH_B "\n"
        "documents.git -\ncases.git -\n",
        /* A last line without its newline. */
        "kenes checkpoint 1\ntime 2026-12-05T06:00:00Z\naccess.log 15 " HASH_B,
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ckpt_state st;
        size_t body;
        char err[160] = "";
        assert_int_equal(ckpt_parse(&st, &body, bad[i], strlen(bad[i]), err, sizeof(err)),
                         KENES_EINVAL);
        assert_true(err[0] != '\0');
    }
}

static void test_position(void **state)
{
    (void)state;
    size_t lines = 99;
    char head[CKPT_HASH_HEX];
    assert_int_equal(ckpt_parse_position(&lines, head, "0 " ALOG_GENESIS), 0);
    assert_int_equal(lines, 0);
    assert_int_equal(ckpt_parse_position(&lines, head, "4123 " HASH_A), 0);
    assert_int_equal(lines, 4123);
    assert_string_equal(head, HASH_A);
    assert_int_equal(ckpt_parse_position(&lines, head, NULL), KENES_EINVAL);
    assert_int_equal(ckpt_parse_position(&lines, head, "12 abc"), KENES_EINVAL);
    assert_int_equal(ckpt_parse_position(&lines, head, "+1 " HASH_A), KENES_EINVAL);
    assert_int_equal(ckpt_parse_position(&lines, head, "1x " HASH_A), KENES_EINVAL);
    assert_int_equal(ckpt_parse_position(&lines, head, "1  " HASH_A), KENES_EINVAL);
    assert_int_equal(ckpt_parse_position(&lines, head, "99999999999999999999999 " HASH_A),
                     KENES_EINVAL);
}

/* The file on disk parses to st and carries a good signature. */
static void assert_file_says(const fixture *f, ckpt_state *st)
{
    char *text, err[160];
    size_t len, body;
    assert_int_equal(util_read_file(&text, &len, f->path), 0);
    assert_int_equal(ckpt_parse(st, &body, text, len, err, sizeof(err)), 0);
    assert_int_equal(ckpt_check_signature(text, len, body, f->pk, 1), 0);
    free(text);
}

static void test_live_checkpoint_moves_forward(void **state)
{
    fixture *f = *state;
    ckpt_state st = {0}, now, file;
    memcpy(st.log_head, ALOG_GENESIS, CKPT_HASH_HEX);
    checkpoint *c;
    char err[256], *text;
    assert_int_equal(ckpt_new(&c, f->path, f->sig, &st, err, sizeof(err)), 0);
    assert_file_says(f, &file);
    assert_int_equal(file.lines, 0);
    struct stat sb;
    assert_int_equal(stat(f->path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);

    assert_int_equal(ckpt_advance_log(c, 3, HASH_A), 0);
    assert_int_equal(ckpt_advance_head(c, 1, OID_B), 0);
    assert_int_equal(ckpt_advance_head(c, 2, OID_B), KENES_EINVAL);
    assert_int_equal(ckpt_advance_head(c, 0, "short"), KENES_EINVAL);
    ckpt_current(c, &now);
    assert_file_says(f, &file);
    /* The head's rewrite kept the log's position it came after. */
    assert_int_equal(file.lines, 3);
    assert_string_equal(file.log_head, HASH_A);
    assert_string_equal(file.heads[0], "");
    assert_string_equal(file.heads[1], OID_B);
    assert_int_equal(now.lines, 3);
    assert_string_equal(now.heads[1], OID_B);
    assert_int_equal(ckpt_signed_text(c, &text), 0);
    assert_non_null(strstr(text, "cases.git " OID_B "\n"));
    free(text);

    /* A rewrite that cannot reach the disk leaves the state where it was. */
    assert_int_equal(unlink(f->path), 0);
    char moved[200];
    snprintf(moved, sizeof(moved), "%s-gone", f->dir);
    assert_int_equal(rename(f->dir, moved), 0);
    assert_int_equal(ckpt_advance_log(c, 4, HASH_B), KENES_EIO);
    assert_int_equal(rename(moved, f->dir), 0);
    ckpt_current(c, &now);
    assert_int_equal(now.lines, 3);
    assert_int_equal(ckpt_advance_log(c, 5, HASH_B), 0);
    assert_file_says(f, &file);
    assert_int_equal(file.lines, 5);
    assert_string_equal(file.heads[1], OID_B);
    ckpt_free(c);
    ckpt_free(NULL);
}

static void test_new_refuses_an_unwritable_path(void **state)
{
    fixture *f = *state;
    ckpt_state st = sample();
    checkpoint *c = (checkpoint *)1;
    char err[256] = "", path[200];
    snprintf(path, sizeof(path), "%s/missing/%s", f->dir, CKPT_FILE);
    assert_int_equal(ckpt_new(&c, path, f->sig, &st, err, sizeof(err)), KENES_EIO);
    assert_null(c);
    assert_non_null(strstr(err, "missing"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_format_and_parse, setup, teardown),
        cmocka_unit_test_setup_teardown(test_signature, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse_refuses, setup, teardown),
        cmocka_unit_test_setup_teardown(test_position, setup, teardown),
        cmocka_unit_test_setup_teardown(test_live_checkpoint_moves_forward, setup, teardown),
        cmocka_unit_test_setup_teardown(test_new_refuses_an_unwritable_path, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
