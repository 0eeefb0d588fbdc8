/*
 * core/plugin/fold.c: text as it is compared (NFKC, case folding, words), the
 * function plugins get as kenes_api.text_fold.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "plugin/fold.h"
#include "kenes/plugin.h"

static void expect_fold(const char *in, unsigned flags, const char *want)
{
    char out[256];
    int rc = fold_text(out, sizeof(out), in, flags);
    if (rc != 0 || strcmp(out, want) != 0)
        print_message("fold(\"%s\", %u) = %d \"%s\", want \"%s\"\n", in, flags, rc, out, want);
    assert_int_equal(rc, 0);
    assert_string_equal(out, want);
}

/* Case, in every script a name is written in here. */
static void test_case(void **state)
{
    (void)state;
    expect_fold("ZZYZX Qwertyuiop", 0, "zzyzx qwertyuiop");
    expect_fold("АЙГЕРИМ Нурланова", 0, "айгерим нурланова");
    expect_fold("ӘЛИЯ ҚАСЫМОВА ҰҒЫМ ӨҢІР ҮҺ", 0, "әлия қасымова ұғым өңір үһ");
    expect_fold("ÀÉÎÕÜ Ğİ", 0, "àéîõü ği\xcc\x87"); /* İ: i and a combining dot */
    expect_fold("Straße", 0, "strasse");
    expect_fold("ΣΊΣΥΦΟΣ", 0, "σίσυφοσ");
}

/* Compatibility variants read as the letters they stand for. */
static void test_nfkc(void **state)
{
    (void)state;
    expect_fold("Ｚｚｙｚｘ", 0, "zzyzx");                /* full-width */
    expect_fold("ＡＩＧＥＲＩＭ", 0, "aigerim");
    expect_fold("\xef\xac\x81le", 0, "file");            /* the fi ligature */
    expect_fold("x\xc2\xb2 \xe2\x91\xa0", 0, "x2 1");    /* superscript two, circled one */
    expect_fold("e\xcc\x81", 0, "\xc3\xa9");             /* e + acute: one é */
    expect_fold("\xce\x90", 0, "\xce\x90");              /* folds to three, composed again */
    expect_fold("№913", 0, "no913");
}

static void test_words(void **state)
{
    (void)state;
    expect_fold("  «Ай-Гүл»,  7 ", KENES_FOLD_WORDS, "ай гүл 7");
    expect_fold("Zzyzx\xe3\x80\x80Qwertyuiop", KENES_FOLD_WORDS, "zzyzx qwertyuiop");
    expect_fold("a.b_c/d", KENES_FOLD_WORDS, "a b c d");
    expect_fold("e\xcc\x81t\xc3\xa9", KENES_FOLD_WORDS, "\xc3\xa9t\xc3\xa9");
    expect_fold("…—!?", KENES_FOLD_WORDS, "");
    expect_fold("", KENES_FOLD_WORDS, "");
    expect_fold("", 0, "");
}

static void test_errors(void **state)
{
    (void)state;
    char out[8];
    assert_int_equal(fold_text(out, sizeof(out), "abc\xff", 0), KENES_EINVAL);
    assert_string_equal(out, "");
    assert_int_equal(fold_text(out, sizeof(out), "\xed\xa0\x80", 0), KENES_EINVAL); /* a surrogate */
    assert_int_equal(fold_text(out, sizeof(out), NULL, 0), KENES_EINVAL);
    assert_int_equal(fold_text(NULL, 8, "a", 0), KENES_EINVAL);
    assert_int_equal(fold_text(out, 0, "a", 0), KENES_EINVAL);

    /* Too small: nothing half-written.  Folding may lengthen text ("ß"). */
    assert_int_equal(fold_text(out, sizeof(out), "abcdefgh", 0), KENES_ETOOBIG);
    assert_string_equal(out, "");
    assert_int_equal(fold_text(out, sizeof(out), "abcd efgh", KENES_FOLD_WORDS), KENES_ETOOBIG);
    assert_string_equal(out, "");
    assert_int_equal(fold_text(out, 4, "ßß", 0), KENES_ETOOBIG);
    assert_int_equal(fold_text(out, 5, "ßß", 0), 0);
    assert_string_equal(out, "ssss");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_case),
        cmocka_unit_test(test_nfkc),
        cmocka_unit_test(test_words),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
