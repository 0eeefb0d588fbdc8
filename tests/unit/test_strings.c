/*
 * ui/strings.c: the interface's words.  Every key has ru, kk and en, none
 * blank, and a file that breaks this stops the server with file:line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "kenes/plugin.h"
#include "ui/strings.h"

static char dir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/kenes-strings-XXXXXX");
    assert_non_null(mkdtemp(dir));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    return 0;
}

static void put(const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static const char good[] = "# the words of one page\n"
                           "title:\n"
                           "  ru: \"Вход\"\n"
                           "  kk: \"Кіру\"\n"
                           "  en: \"Sign in\"\n"
                           "too_many_2:\n"
                           "  ru: \"Подождите {n} мин.\"\n"
                           "  kk: \"{n} минут күтіңіз.\"\n"
                           "  en: \"Wait {n} min.\"\n";

/* The load is refused with KENES_EINVAL and err "<dir>/<file>:<line>: ...why...". */
static void refused(const char *file, int line, const char *why)
{
    ui_strings *s = (ui_strings *)1;
    char err[512], where[256];
    assert_int_equal(ui_strings_load(&s, dir, err, sizeof(err)), KENES_EINVAL);
    assert_null(s);
    snprintf(where, sizeof(where), "%s/%s:%d: ", dir, file, line);
    if (strncmp(err, where, strlen(where)) != 0 || !strstr(err, why))
        fail_msg("error \"%s\", wanted \"%s...%s\"", err, where, why);
}

static void every_language_of_every_key(void **state)
{
    (void)state;
    put("login.yaml", good);
    put("common.yaml", "site:\n  ru: \"Кеңес\"\n  kk: \"Кеңес\"\n  en: \"Kenes\"\n");
    put("notes.txt", "not a word file\n");
    ui_strings *s;
    char err[512];
    assert_int_equal(ui_strings_load(&s, dir, err, sizeof(err)), 0);
    assert_string_equal(ui_text(s, UI_RU, "login", "title"), "Вход");
    assert_string_equal(ui_text(s, UI_KK, "login", "title"), "Кіру");
    assert_string_equal(ui_text(s, UI_EN, "login", "title"), "Sign in");
    assert_string_equal(ui_text(s, UI_KK, "login", "too_many_2"), "{n} минут күтіңіз.");
    assert_string_equal(ui_text(s, UI_EN, "common", "site"), "Kenes");
    assert_null(ui_text(s, UI_RU, "login", "nothing"));
    assert_null(ui_text(s, UI_RU, "nothing", "title"));
    /* What templates see as t.<group>.<key>. */
    const json_t *all = ui_strings_all(s, UI_KK);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(all, "common"), "site")), "Кеңес");
    assert_int_equal(json_object_size(all), 2);
    ui_strings_free(s);
    ui_strings_free(NULL);
}

static void a_missing_language_is_refused_with_its_line(void **state)
{
    (void)state;
    put("login.yaml", "title:\n  ru: \"Вход\"\n  kk: \"Кіру\"\n  en: \"Sign in\"\n"
                      "wrong:\n  ru: \"Неверно\"\n  en: \"Wrong\"\n");
    refused("login.yaml", 6, "wrong has no kk text");
}

static void a_blank_text_is_refused(void **state)
{
    (void)state;
    put("login.yaml", "title:\n  ru: \"Вход\"\n  kk: \"  \\t\"\n  en: \"Sign in\"\n");
    refused("login.yaml", 2, "title has no kk text");
    put("login.yaml", "title:\n  ru: \"\"\n  kk: \"Кіру\"\n  en: \"Sign in\"\n");
    refused("login.yaml", 2, "title has no ru text");
}

static void a_key_that_is_no_word_is_refused(void **state)
{
    (void)state;
    put("login.yaml", "Title-Two:\n  ru: \"а\"\n  kk: \"ә\"\n  en: \"a\"\n");
    refused("login.yaml", 1, "a key is lower-case letters, digits and _");
    put("login.yaml", "title.x:\n  ru: \"а\"\n  kk: \"ә\"\n  en: \"a\"\n");
    refused("login.yaml", 1, "a key is lower-case");
}

static void a_fourth_language_or_a_flat_value_is_refused(void **state)
{
    (void)state;
    put("login.yaml", "title:\n  ru: \"а\"\n  kk: \"ә\"\n  en: \"a\"\n  de: \"a\"\n");
    refused("login.yaml", 2, "title: only ru, kk and en");
    put("login.yaml", "title: \"Вход\"\n");
    refused("login.yaml", 1, "title has no ru text");
    put("login.yaml", "- a\n- b\n");
    refused("login.yaml", 1, "expected a mapping");
}

static void a_file_name_is_its_group(void **state)
{
    (void)state;
    put("Login-Page.yaml", good);
    ui_strings *s;
    char err[512];
    assert_int_equal(ui_strings_load(&s, dir, err, sizeof(err)), KENES_EINVAL);
    assert_non_null(strstr(err, "Login-Page.yaml"));
    assert_non_null(strstr(err, "a file's name is its group"));
}

static void a_missing_folder_is_an_error(void **state)
{
    (void)state;
    ui_strings *s = (ui_strings *)1;
    char err[512] = "";
    char path[128];
    snprintf(path, sizeof(path), "%s/none", dir);
    assert_true(ui_strings_load(&s, path, err, sizeof(err)) < 0);
    assert_null(s);
    assert_non_null(strstr(err, "none"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(every_language_of_every_key, setup, teardown),
        cmocka_unit_test_setup_teardown(a_missing_language_is_refused_with_its_line, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_blank_text_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(a_key_that_is_no_word_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(a_fourth_language_or_a_flat_value_is_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_file_name_is_its_group, setup, teardown),
        cmocka_unit_test_setup_teardown(a_missing_folder_is_an_error, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
