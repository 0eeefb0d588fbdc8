/*
 * ui/lang.c: which of ru, kk, en a request gets — the ?lang= switch, the
 * kenes_lang cookie, Accept-Language with its q-values, Russian otherwise.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kenes/plugin.h"
#include "ui/lang.h"

static void codes_and_their_spellings(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        ui_lang want;
    } ok[] = {
        {"ru", UI_RU}, {"kk", UI_KK},    {"en", UI_EN},    {"KK", UI_KK},     {"En", UI_EN},
        {"kz", UI_KK}, {"kk-KZ", UI_KK}, {"ru_RU", UI_RU}, {"en-GB", UI_EN},  {"KZ-kz", UI_KK},
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        ui_lang l = UI_NLANGS;
        assert_int_equal(ui_lang_parse(&l, ok[i].s), 0);
        assert_int_equal(l, ok[i].want);
    }
    static const char *const bad[] = {"", "k", "kkk", "de", "kaz", "-kk", "rus", "e n", "*"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ui_lang l = UI_NLANGS;
        assert_int_equal(ui_lang_parse(&l, bad[i]), KENES_EINVAL);
        assert_int_equal(l, UI_NLANGS); /* untouched */
    }
    ui_lang l;
    assert_int_equal(ui_lang_parse(&l, NULL), KENES_EINVAL);
    assert_string_equal(ui_lang_code(UI_RU), "ru");
    assert_string_equal(ui_lang_code(UI_KK), "kk");
    assert_string_equal(ui_lang_code(UI_EN), "en");
    assert_string_equal(ui_lang_code((ui_lang)7), "ru");
}

static void accept_language_and_q_values(void **state)
{
    (void)state;
    static const struct {
        const char *header;
        ui_lang want;
    } cases[] = {
        {"kk-KZ", UI_KK},
        {"kz", UI_KK},
        {"en-US,en;q=0.9,ru;q=0.8", UI_EN},
        {"ru;q=0.5, kk;q=0.9", UI_KK},
        {"ru;q=0.5,kk;q=0.51", UI_KK},
        {"de-DE, kk;q=0.5, ru;q=0.4", UI_KK},  /* ours come after one we lack */
        {"en, kk", UI_EN},                     /* a tie: the header's order */
        {"kk;q=1.0, en", UI_KK},
        {"kk ; q=0.7, en;q=0.6", UI_KK},       /* spaces around the parameter */
        {"kk;Q=0.3,en;q=0.2", UI_KK},
        {"kk;q=0.001", UI_KK},
        {"en;level=1;q=0.8, ru;q=0.7", UI_EN}, /* another parameter before q */
        /* q=0 means "not this one", however it is written. */
        {"kk;q=0, en;q=0.1", UI_EN},
        {"kk;q=0", UI_RU},
        {"kk;q=0.0, en;q=0.000", UI_RU},
        /* Nothing of ours, or nothing at all: Russian. */
        {"de-DE,fr;q=0.9", UI_RU},
        {"*", UI_RU},
        {"", UI_RU},
        {",,,;;;q=1,", UI_RU},
        {"q=1", UI_RU},
        {"kkk, e", UI_RU},
        {"\xd0\xba\xd0\xba", UI_RU},
        {";q=0.9 kk", UI_RU},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        if (ui_lang_accept(cases[i].header) != cases[i].want)
            fail_msg("Accept-Language: %s gave %s", cases[i].header,
                     ui_lang_code(ui_lang_accept(cases[i].header)));
    assert_int_equal(ui_lang_accept(NULL), UI_RU);
    /* A long header of junk ends, and names nothing. */
    char junk[8192];
    memset(junk, ';', sizeof(junk) - 1);
    junk[sizeof(junk) - 1] = '\0';
    assert_int_equal(ui_lang_accept(junk), UI_RU);
}

static void the_switch_then_the_cookie_then_the_header(void **state)
{
    (void)state;
    assert_int_equal(ui_lang_choose("kk", "en", "ru"), UI_KK);
    assert_int_equal(ui_lang_choose(NULL, "en", "kk"), UI_EN);
    assert_int_equal(ui_lang_choose(NULL, NULL, "kk-KZ"), UI_KK);
    assert_int_equal(ui_lang_choose(NULL, NULL, NULL), UI_RU);
    /* A switch or cookie that names no language of ours is passed over. */
    assert_int_equal(ui_lang_choose("xx", "kk", "en"), UI_KK);
    assert_int_equal(ui_lang_choose("", "zz", "en"), UI_EN);
    assert_int_equal(ui_lang_choose("de", NULL, NULL), UI_RU);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(codes_and_their_spellings),
        cmocka_unit_test(accept_language_and_q_values),
        cmocka_unit_test(the_switch_then_the_cookie_then_the_header),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
