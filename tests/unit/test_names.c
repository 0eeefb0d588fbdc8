/*
 * Case review's name folding (plugins/sdk/names.c), on the core's
 * own folding (kapi text_fold): what identity.c compares names by.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "plugin/kapi.h"

/* The skeleton of s as identity.c makes it: folded as words, spaces gone. */
static char *skeleton_of(const char *s)
{
    char *folded;
    assert_int_equal(names_fold(&folded, kapi_get(), s, KENES_FOLD_WORDS), 0);
    names_compact(folded);
    char *sk = names_skeleton_new(folded);
    assert_non_null(sk);
    free(folded);
    return sk;
}

static void expect_skeleton(const char *s, const char *want)
{
    char *sk = skeleton_of(s);
    assert_string_equal(sk, want);
    free(sk);
}

/* Transliterations of one name read the same. */
static void test_spellings_meet(void **state)
{
    (void)state;
    expect_skeleton("Айгерим", "aigerim");
    expect_skeleton("Aigerim", "aigerim");
    expect_skeleton("Aygerim", "aigerim");
    expect_skeleton("Ajgerim", "aigerim");
    expect_skeleton("Ai-gerim", "aigerim");
    expect_skeleton("АЙГЕРИМ", "aigerim");
    expect_skeleton("Ｚｚｙｚｘ", "zizks"); /* full width folds; y i, x ks, zz once */
}

/* Kazakh letters have their Latin: қ k, ғ g, ү ұ u, ә a, ө o, ң n, һ h. */
static void test_kazakh_letters(void **state)
{
    (void)state;
    expect_skeleton("Қасым", "kasim");
    expect_skeleton("Kasym", "kasim");
    expect_skeleton("Ғалым", "galim");
    expect_skeleton("Әсел", "asel");
    expect_skeleton("Өмірзақ", "omirzak");
    expect_skeleton("Ұлжан", "ulzan");
}

/* Digraphs even out: kh h, zh z, sh s, ch c, ts c, ie e; doubled letters once. */
static void test_digraphs(void **state)
{
    (void)state;
    expect_skeleton("Ксения", "ksenia");
    expect_skeleton("Xenia", "ksenia");
    expect_skeleton("Жанна", "zana");
    expect_skeleton("Zhanna", "zana");
    expect_skeleton("Хасан", "hasan");
    expect_skeleton("Khasan", "hasan");
    expect_skeleton("Цой", "coi");
    expect_skeleton("Tsoi", "coi");
}

/* Digits, signs and other scripts leave nothing. */
static void test_only_letters_count(void **state)
{
    (void)state;
    expect_skeleton("Ан-Ли 7", "anli");
    expect_skeleton("№ 913", "no"); /* NFKC: the numero sign is "No" */
    expect_skeleton("中文", "");
}

static void test_compact_and_chars(void **state)
{
    (void)state;
    char s[] = "ай гүл нұр";
    names_compact(s);
    assert_string_equal(s, "айгүлнұр");
    assert_int_equal(names_chars(s), 8);
    assert_int_equal(names_chars(""), 0);
    assert_int_equal(names_skeleton_cap(3), 7);
}

/* What is missing or not UTF-8 is not compared: fold_optional says 0, NULL. */
static void test_fold_missing_and_malformed(void **state)
{
    (void)state;
    char *out = (char *)0x1;
    assert_int_equal(names_fold(&out, kapi_get(), NULL, 0), KENES_EINVAL);
    assert_null(out);
    assert_int_equal(names_fold(&out, kapi_get(), "\xff\xfe", 0), KENES_EINVAL);
    assert_null(out);
    out = (char *)0x1;
    assert_int_equal(names_fold_optional(&out, kapi_get(), NULL, 0), 0);
    assert_null(out);
    assert_int_equal(names_fold_optional(&out, kapi_get(), "\xc3", 0), 0);
    assert_null(out);
}

/* Folding may lengthen text: the buffer grows until it fits. */
static void test_fold_grows(void **state)
{
    (void)state;
    char in[64 * 3 + 1] = "";
    for (int i = 0; i < 64; i++)
        strcat(in, "ﬃ"); /* U+FB03 folds to "ffi": three bytes to three */
    char *out;
    assert_int_equal(names_fold(&out, kapi_get(), in, 0), 0);
    assert_int_equal(strlen(out), 64 * 3);
    assert_int_equal(strncmp(out, "ffiffi", 6), 0);
    free(out);
    char *s = "ß"; /* two bytes fold to "ss" */
    assert_int_equal(names_fold(&out, kapi_get(), s, 0), 0);
    assert_string_equal(out, "ss");
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spellings_meet),
        cmocka_unit_test(test_kazakh_letters),
        cmocka_unit_test(test_digraphs),
        cmocka_unit_test(test_only_letters_count),
        cmocka_unit_test(test_compact_and_chars),
        cmocka_unit_test(test_fold_missing_and_malformed),
        cmocka_unit_test(test_fold_grows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
