/*
 * The case-review plugin, loaded from build/plugins/case-review.so the way
 * the server loads it, against real regions (content/regions.yaml) and the
 * core's clock fixed with KENES_NOW.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "plugin/kapi.h"
#include "plugin/loader.h"
#include "plugin/region.h"
#include "plugin_fixture.h"


#define CASE_REVIEW KENES_PLUGIN_BUILD_DIR "/case-review.so"
#define REGIONS KENES_SOURCE_DIR "/content/regions.yaml"
#define NOW "2026-03-15T10:00:00Z" /* every test starts on this day */

static const kenes_doctype *cr;
static const kenes_guard *accompanier_assigned, *measure_has_due_date, *follow_ups_recorded;
static const kenes_guard *plan_resolution_signed, *close_resolution_signed, *check_scheduled,
    *closure_allowed, *referrals_settled;

static int setup_group(void **state)
{
    (void)state;
    return plugin_fixture_setup(&cr, CASE_REVIEW, REGIONS, "case-review", "accompanier_assigned",
                                &accompanier_assigned, "measure_has_due_date",
                                &measure_has_due_date, "follow_ups_recorded", &follow_ups_recorded,
                                "plan_resolution_signed", &plan_resolution_signed,
                                "close_resolution_signed", &close_resolution_signed,
                                "check_scheduled", &check_scheduled, "closure_allowed",
                                &closure_allowed, "referrals_settled", &referrals_settled,
                                NULL);
}

static json_t *stored;

static int teardown_group(void **state)
{
    unsetenv("KENES_NOW");
    kapi_set_docs(NULL);
    json_decref(stored);
    stored = NULL;
    return plugin_fixture_teardown_group(state);
}

static void set_now(const char *rfc3339)
{
    assert_int_equal(setenv("KENES_NOW", rfc3339, 1), 0);
}

static void forget_stored(void);

/* Each test starts on the same day, whatever the one before it set, and
 * with no other document stored. */
static int reset_clock(void **state)
{
    (void)state;
    forget_stored();
    return setenv("KENES_NOW", NOW, 1);
}

/* A case that passes every rule; each test breaks one thing. */
static const char good_json[] =
    "{\"type\": \"case-review\", \"region\": \"KZ-11\", \"stage\": \"in-accompaniment\","
    " \"title\": \"Профилактика буллинга в школе\","
    " \"fields\": {"
    "  \"child\": {\"pseudonym\": \"KZ11-0042\", \"full_name\": \"Айгерим Нурланова\","
    "             \"birth_date\": \"2012-03-04\", \"address\": \"ул. Абая 1\","
    "             \"school\": \"Школа №5\"},"
    "  \"grounds\": [\"bullying-victim\", \"truancy\"],"
    "  \"meeting\": {\"date\": \"2026-02-10\","
    "               \"participants\": [\"Секретарь комиссии\", \"Школьный психолог\"]},"
    "  \"decision\": \"Назначить сопровождающего, провести беседы с классом\","
    "  \"accompanier\": {\"name\": \"Ержан Сапаров\", \"organisation\": \"Центр ППР\"},"
    "  \"measures\": [{\"what\": \"Беседы с классом\", \"who\": \"Школьный психолог\","
    "                  \"due\": \"2026-04-01\"},"
    "                 {\"what\": \"Встреча с родителями\"}],"
    "  \"follow_ups\": [{\"due\": \"2026-03-01\", \"measure\": 1, \"done\": \"2026-03-02\","
    "                    \"outcome\": \"partially-effective\","
    "                    \"next_steps\": \"Продолжить беседы\"},"
    "                   {\"due\": \"2026-05-01\", \"measure\": 2, \"done\": null,"
    "                    \"outcome\": null}],"
    "  \"closure\": {\"reason\": null}"
    " },"
    " \"body\": \"# Случай\\n\\nКонфиденциально.\\n\"}";

static json_t *parse(const char *text)
{
    json_error_t e;
    json_t *doc = json_loads(text, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &e);
    if (!doc)
        print_message("bad test JSON at %d: %s\n", e.position, e.text);
    assert_non_null(doc);
    return doc;
}

static json_t *good_case(void)
{
    return parse(good_json);
}


/* Set parent.key to value (stolen), or delete it when value is NULL. */
static void put(json_t *doc, const char *parent, const char *key, json_t *value)
{
    json_t *obj = fixture_node(doc, parent);
    if (value)
        assert_int_equal(json_object_set_new(obj, key, value), 0);
    else
        json_object_del(obj, key);
}

/* Replace parent[i] with value (stolen). */
static void put_item(json_t *doc, const char *parent, size_t i, json_t *value)
{
    assert_int_equal(json_array_set_new(fixture_node(doc, parent), i, value), 0);
}

/* The good case with parent.key set to the JSON text value (NULL deletes). */
static json_t *with(const char *parent, const char *key, const char *value)
{
    json_t *doc = good_case();
    put(doc, parent, key, value ? parse(value) : NULL);
    return doc;
}

/* The good case with parent.key set to the JSON text value (NULL deletes),
 * expected to fail at exactly path. */
static void expect_error_with(const char *parent, const char *key, const char *value,
                              const char *path)
{
    json_t *doc = good_case();
    put(doc, parent, key, value ? parse(value) : NULL);
    expect_only_error(doc, path);
}

static void expect_valid_with(const char *parent, const char *key, const char *value)
{
    json_t *doc = good_case();
    put(doc, parent, key, value ? parse(value) : NULL);
    expect_valid(doc);
}

/* n copies of a UTF-8 character, as a JSON string text "...". */
static char *repeat_json(const char *ch, size_t n)
{
    size_t k = strlen(ch);
    char *s = malloc(n * k + 3);
    assert_non_null(s);
    s[0] = '"';
    for (size_t i = 0; i < n; i++)
        memcpy(s + 1 + i * k, ch, k);
    s[1 + n * k] = '"';
    s[2 + n * k] = '\0';
    return s;
}

static void expect_error_with_repeat(const char *parent, const char *key, const char *ch,
                                     size_t n, const char *path)
{
    char *v = repeat_json(ch, n);
    expect_error_with(parent, key, v, path);
    free(v);
}

static void expect_valid_with_repeat(const char *parent, const char *key, const char *ch,
                                     size_t n)
{
    char *v = repeat_json(ch, n);
    expect_valid_with(parent, key, v);
    free(v);
}

/* ---- the plugin as loaded ---------------------------------------------- */

static void test_descriptor(void **state)
{
    (void)state;
    assert_string_equal(plugin_at(plugins, 0)->name, "case-review");
    assert_string_equal(cr->name, "case-review");
    assert_string_equal(cr->noun, "case review");
    /* Its commits go to cases.git, and lists show nothing but the summary. */
    assert_non_null(cr->repository);
    assert_string_equal(cr->repository, "cases");
    assert_true(cr->flags & KENES_DOCTYPE_CONFIDENTIAL);
    assert_non_null(cr->summary);
    assert_non_null(cr->make_id);
    assert_non_null(cr->validate);
    /* comment_required belongs to the common plugin: a second copy here
     * would make the loader refuse one of them. */
    assert_null(plugin_find_guard(plugins, "comment_required"));
    assert_null(plugin_find_type(plugins, "regional-plan"));
}

static void test_good_case_passes(void **state)
{
    (void)state;
    expect_valid(good_case());
}

/* What an official has on the day of registration: the child and the grounds. */
static void test_minimal_case_passes(void **state)
{
    (void)state;
    expect_valid(parse("{\"type\": \"case-review\", \"region\": \"KZ-79\","
                       " \"stage\": \"registered\", \"title\": null,"
                       " \"fields\": {\"child\": {\"pseudonym\": \"abc\","
                       " \"full_name\": \"Айгерим Нурланова\","
                       " \"birth_date\": \"2012-03-04\"}, \"grounds\": [\"other\"]}}"));
}

/* Optional fields may be left out or sent as null. */
static void test_optional_fields_null(void **state)
{
    (void)state;
    const char *top[] = {"meeting", "decision", "accompanier", "measures", "follow_ups",
                         "closure"};
    for (size_t i = 0; i < sizeof(top) / sizeof(top[0]); i++) {
        if (strcmp(top[i], "measures") == 0)
            continue; /* the checks name measures: below */
        expect_valid_with("fields", top[i], "null");
        expect_valid_with("fields", top[i], NULL);
    }
    json_t *doc = with("fields", "measures", "null");
    put(doc, "fields", "follow_ups", NULL);
    expect_valid(doc);
    doc = with("fields", "measures", NULL);
    put(doc, "fields", "follow_ups", json_null());
    expect_valid(doc);
    expect_valid_with("fields.child", "address", "null");
    expect_valid_with("fields.child", "school", NULL);
    expect_valid_with("fields.meeting", "date", "null");
    expect_valid_with("fields.meeting", "participants", "[]");
    expect_valid_with("fields.accompanier", "name", "null");
    expect_valid_with("fields.measures[0]", "who", NULL);
    expect_valid_with("fields.measures[0]", "due", "null");
    expect_valid_with("fields.follow_ups[0]", "next_steps", "null");
    expect_valid_with("fields.closure", "comment", "null");
}

/* ---- region, title, body ------------------------------------------------- */

static void test_region(void **state)
{
    (void)state;
    expect_error_with("", "region", "\"KZ-99\"", "region");
    expect_error_with("", "region", "\"kz-11\"", "region");
    expect_error_with("", "region", "\"\"", "region");
    expect_error_with("", "region", NULL, "region");
    for (size_t i = 0; i < region_count(); i++) {
        char v[32];
        snprintf(v, sizeof(v), "\"%s\"", region_at(i)->code);
        expect_valid_with("", "region", v);
    }
}

static void test_title_optional(void **state)
{
    (void)state;
    expect_valid_with("", "title", "null");
    expect_valid_with("", "title", NULL);
}

static void test_title_length(void **state)
{
    (void)state;
    expect_error_with("", "title", "\"\"", "title");
    expect_valid_with_repeat("", "title", "Ж", 200);
    expect_error_with_repeat("", "title", "Ж", 201, "title");
    expect_error_with_repeat("", "title", "a", 201, "title");
}

static void test_title_blank(void **state)
{
    (void)state;
    expect_error_with("", "title", "\"  \\t \"", "title");
    expect_error_with("", "title", "\"\\u00a0\"", "title");
}

static void test_title_invalid_utf8(void **state)
{
    (void)state;
    json_t *doc = good_case();
    put(doc, "", "title", json_string_nocheck("Дело \xff"));
    expect_only_error(doc, "title");
}

/* The full name, in any case, anywhere in the title. */
static void test_title_contains_full_name(void **state)
{
    (void)state;
    expect_error_with("", "title", "\"Айгерим Нурланова\"", "title");
    expect_error_with("", "title", "\"Дело: АЙГЕРИМ НУРЛАНОВА, 5 класс\"", "title");
    expect_error_with("", "title", "\"дело айгерим   нурланова\"", "title");
    expect_error_with("", "title", "\"«Айгерим-Нурланова»\"", "title");
}

/* A part of the name as a word, in Cyrillic or a Latin spelling. */
static void test_title_contains_name_part(void **state)
{
    (void)state;
    expect_error_with("", "title", "\"Случай Айгерим\"", "title");
    expect_error_with("", "title", "\"Нурланова: буллинг\"", "title");
    expect_error_with("", "title", "\"Case of Aigerim\"", "title");
    expect_error_with("", "title", "\"Aygerim N.\"", "title");
    expect_error_with("", "title", "\"NURLANOVA\"", "title");
}

/* Kazakh letters fold too (Ә, Қ). */
static void test_title_kazakh_name(void **state)
{
    (void)state;
    json_t *doc = good_case();
    put(doc, "fields.child", "full_name", json_string("Әлия Қасымова"));
    put(doc, "", "title", json_string("ӘЛИЯ ҚАСЫМОВА"));
    expect_only_error(doc, "title");

    doc = good_case();
    put(doc, "fields.child", "full_name", json_string("Әлия Қасымова"));
    put(doc, "", "title", json_string("Дело Kassymova"));
    expect_only_error(doc, "title");
}

/* Words that merely resemble a part of the name pass. */
static void test_title_near_name_passes(void **state)
{
    (void)state;
    expect_valid_with("", "title", "\"Встреча в центре Нурлан\"");
    expect_valid_with("", "title", "\"Реализация мер по профилактике\"");
    expect_valid_with("", "title", "\"Ай\"");

    /* A short full name is looked for as words, not inside them. */
    json_t *doc = good_case();
    put(doc, "fields.child", "full_name", json_string("Ан Ли"));
    put(doc, "", "title", json_string("План лиги"));
    expect_valid(doc);
    doc = good_case();
    put(doc, "fields.child", "full_name", json_string("Ан Ли"));
    put(doc, "", "title", json_string("Дело: ан ли, 3 класс"));
    expect_only_error(doc, "title");
}

static void test_body(void **state)
{
    (void)state;
    size_t max = 256 * 1024;
    char *s = malloc(max + 2);
    assert_non_null(s);
    memset(s, 'x', max + 1);
    s[max] = '\0';
    json_t *doc = good_case();
    put(doc, "", "body", json_string(s));
    expect_valid(doc);
    s[max] = 'x';
    s[max + 1] = '\0';
    doc = good_case();
    put(doc, "", "body", json_string(s));
    free(s);
    expect_only_error(doc, "body");

    doc = good_case();
    put(doc, "", "body", json_string_nocheck("# Случай\n\xd0"));
    expect_only_error(doc, "body");

    expect_valid_with("", "body", NULL);
}

/* ---- fields --------------------------------------------------------------- */

static void test_unknown_field(void **state)
{
    (void)state;
    expect_error_with("fields", "iin", "\"120304000000\"", "fields.iin");
    expect_error_with("fields", "period", "2026", "fields.period");
}

/* The core hands over an empty object for "fields" that is missing or not
 * an object: the two required fields are then missing. */
static void test_fields_missing(void **state)
{
    (void)state;
    json_t *doc = good_case();
    put(doc, "", "fields", NULL);
    expect_errors(doc, "fields.child", "fields.grounds", NULL);
}

/* ---- fields.child --------------------------------------------------------- */

static void test_child_shape(void **state)
{
    (void)state;
    expect_error_with("fields", "child", NULL, "fields.child");
    expect_error_with("fields", "child", "null", "fields.child");
    expect_error_with("fields", "child", "\"KZ11-0042\"", "fields.child");
    expect_error_with("fields", "child", "[]", "fields.child");
    expect_error_with("fields.child", "iin", "\"120304000000\"", "fields.child.iin");
    expect_error_with("fields.child", "nickname", "null", "fields.child.nickname");
}

static void test_pseudonym_required(void **state)
{
    (void)state;
    expect_error_with("fields.child", "pseudonym", NULL, "fields.child.pseudonym");
    expect_error_with("fields.child", "pseudonym", "null", "fields.child.pseudonym");
    expect_error_with("fields.child", "pseudonym", "42", "fields.child.pseudonym");
}

static void test_pseudonym_length(void **state)
{
    (void)state;
    expect_error_with("fields.child", "pseudonym", "\"\"", "fields.child.pseudonym");
    expect_error_with("fields.child", "pseudonym", "\"ab\"", "fields.child.pseudonym");
    expect_valid_with("fields.child", "pseudonym", "\"a-1\"");
    expect_valid_with_repeat("fields.child", "pseudonym", "k", 64);
    expect_error_with_repeat("fields.child", "pseudonym", "7", 65, "fields.child.pseudonym");
}

static void test_pseudonym_characters(void **state)
{
    (void)state;
    const char *bad[] = {"\"KZ 11\"", "\"kz_11\"", "\"дело-42\"", "\"kz.11\"", "\"kz/11\"",
                         "\"abc\\n\""};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_error_with("fields.child", "pseudonym", bad[i], "fields.child.pseudonym");
    json_t *doc = good_case();
    put(doc, "fields.child", "pseudonym", json_stringn("abc\0def", 7));
    expect_only_error(doc, "fields.child.pseudonym");
    expect_valid_with("fields.child", "pseudonym", "\"Fox-17-abc\"");
}

/* The pseudonym is listed: it must not equal or contain the name. */
static void test_pseudonym_equals_full_name(void **state)
{
    (void)state;
    json_t *doc = good_case();
    put(doc, "fields.child", "full_name", json_string("Ali Khan"));
    put(doc, "fields.child", "pseudonym", json_string("Ali-Khan"));
    expect_only_error(doc, "fields.child.pseudonym");

    doc = good_case();
    put(doc, "fields.child", "full_name", json_string("Ali Khan"));
    put(doc, "fields.child", "pseudonym", json_string("case-ALI-KHAN-7"));
    expect_only_error(doc, "fields.child.pseudonym");
}

/* ... nor spell a part of it in Latin letters, however transliterated. */
static void test_pseudonym_spells_name(void **state)
{
    (void)state;
    const char *bad[] = {"\"Aigerim\"", "\"aygerim-7\"", "\"AJGERIM\"", "\"x-nurlanova\"",
                         "\"Nurlanova2012\"", "\"aigerimnurlanova\""};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_error_with("fields.child", "pseudonym", bad[i], "fields.child.pseudonym");

    const char *kz[] = {"Aliya-1", "kasymova", "Qasymova", "KASSYMOVA"};
    for (size_t i = 0; i < sizeof(kz) / sizeof(kz[0]); i++) {
        json_t *doc = good_case();
        put(doc, "fields.child", "full_name", json_string("Әлия Қасымова"));
        put(doc, "fields.child", "pseudonym", json_string(kz[i]));
        expect_only_error(doc, "fields.child.pseudonym");
    }

    json_t *doc = good_case();
    put(doc, "fields.child", "full_name", json_string("Шынар Жуматаева"));
    put(doc, "fields.child", "pseudonym", json_string("Zhumatayeva"));
    expect_only_error(doc, "fields.child.pseudonym");
}

static void test_pseudonym_unrelated_passes(void **state)
{
    (void)state;
    const char *ok[] = {"\"KZ11-0042\"", "\"fox-17\"", "\"blue-heron-3\"", "\"nurlan-01\""};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        expect_valid_with("fields.child", "pseudonym", ok[i]);
}

/* ---- issue 11: names, dates, schools and addresses ------------------------ */

/* The good case with the child's fields and the title replaced (NULL: as in
 * the good case). */
static json_t *child_case(const char *full_name, const char *birth_date, const char *address,
                          const char *school, const char *pseudonym, const char *title)
{
    json_t *doc = good_case();
    const char *keys[] = {"full_name", "birth_date", "address", "school", "pseudonym"};
    const char *values[] = {full_name, birth_date, address, school, pseudonym};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        if (values[i])
            put(doc, "fields.child", keys[i], json_string(values[i]));
    if (title)
        put(doc, "", "title", json_string(title));
    return doc;
}

/* The child's name written joined, in either order, split, or inside
 * other words, in any script's case: the title is refused. */
static void test_title_joined_or_split_name(void **state)
{
    (void)state;
    const char *bad[] = {"ZzyzxQwertyuiop",     "QwertyuiopZzyzx", "Дело ZzyzxQwertyuiop, 5 класс",
                         "zzyzx_qwertyuiop",    "Zzy zx",          "Z-z-y-z-x",
                         "Qwerty-uiop",         "делоzzyzxqwertyuiop",
                         "Case of ZZYZXQWERTYUIOP"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_only_error(child_case("Zzyzx Qwertyuiop", NULL, NULL, NULL, NULL, bad[i]), "title");

    const char *cyr[] = {"АйгеримНурланова", "НурлановаАйгерим", "Ай-герим", "Нур лано ва",
                         "AigerimNurlanova", "Дело:айгеримнурланова"};
    for (size_t i = 0; i < sizeof(cyr) / sizeof(cyr[0]); i++)
        expect_only_error(child_case(NULL, NULL, NULL, NULL, NULL, cyr[i]), "title");

    /* A short name joined: as words only ("ан ли", "анли"), never inside one. */
    expect_only_error(child_case("Ан Ли", NULL, NULL, NULL, NULL, "Дело АнЛи"), "title");
    expect_valid(child_case("Ан Ли", NULL, NULL, NULL, NULL, "План лиги"));
    expect_valid(child_case("Ан Ли", NULL, NULL, NULL, NULL, "Планлиги"));
}

/* Full-width letters, ligatures and combining accents read as the letters
 * they stand for (NFKC, then case folding). */
static void test_title_unicode_variants(void **state)
{
    (void)state;
    const char *bad[] = {"Ｚｚｙｚｘ", "ＺＺＹＺＸ ＱＷＥＲＴＹＵＩＯＰ", "Дело Ｑｗｅｒｔｙｕｉｏｐ",
                         "ＺｚｙｚｘＱｗｅｒｔｙｕｉｏｐ"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_only_error(child_case("Zzyzx Qwertyuiop", NULL, NULL, NULL, NULL, bad[i]), "title");
    expect_only_error(child_case(NULL, NULL, NULL, NULL, NULL, "Дело Ａｉｇｅｒｉｍ"), "title");
    expect_only_error(child_case(NULL, NULL, NULL, NULL, NULL, "АЙГЕРИМ"), "title");
    /* The fi ligature; an e and a combining acute for é. */
    expect_only_error(child_case("Fiona Dubois", NULL, NULL, NULL, NULL, "\xef\xac\x81ona"),
                      "title");
    expect_only_error(child_case("Zoé Martin", NULL, NULL, NULL, NULL, "Zoe\xcc\x81"), "title");
    /* A name not in Latin or Cyrillic letters is compared as folded text. */
    expect_only_error(child_case("Σίσυφος Παππάς", NULL, NULL, NULL, NULL, "ΣΊΣΥΦΟΣΠΑΠΠΆΣ"),
                      "title");
}

/* The birth date, whole or its year or its day and month, in any order and
 * spelling the pseudonym's characters allow. */
static void test_pseudonym_birth_date(void **state)
{
    (void)state;
    const char *bad[] = {"K-2012-03-04", "K-20120304", "K-04-03-2012", "K-040312",
                         "K-4-3-12",     "K-12-3-4",   "Fox-2012",     "Fox-0403",
                         "Fox-0304",     "fox-4-3",    "fox3-4",       "a03b04"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_only_error(child_case(NULL, NULL, NULL, NULL, bad[i], NULL),
                          "fields.child.pseudonym");
    expect_only_error(child_case(NULL, "2013-04-07", NULL, NULL, "Fox-07-04-13", NULL),
                      "fields.child.pseudonym");
    /* A two-digit year alone, or other numbers, pass. */
    const char *ok[] = {"fox-12", "fox-3", "KZ11-0042", "fox-2011"};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        expect_valid(child_case(NULL, NULL, NULL, NULL, ok[i], NULL));
}

/* The number of the school, with or without leading zeros, in any digits
 * NFKC reads as ASCII. */
static void test_pseudonym_school_number(void **state)
{
    (void)state;
    const char *schools[] = {"Школа №913", "School No. 913", "Мектеп № ９１３",
                             "Гимназия 913 им. Абая"};
    for (size_t i = 0; i < sizeof(schools) / sizeof(schools[0]); i++) {
        expect_only_error(child_case(NULL, NULL, NULL, schools[i], "Fox-913", NULL),
                          "fields.child.pseudonym");
        expect_only_error(child_case(NULL, NULL, NULL, schools[i], "Fox-0913", NULL),
                          "fields.child.pseudonym");
        expect_valid(child_case(NULL, NULL, NULL, schools[i], "Fox-9130", NULL));
        expect_valid(child_case(NULL, NULL, NULL, schools[i], "Fox-91", NULL));
    }
    /* One digit too: "Школа №5" and "fox-5". */
    expect_only_error(child_case(NULL, NULL, NULL, NULL, "fox-5", NULL), "fields.child.pseudonym");
}

/* Street words of the address (in any spelling) and its numbers of two
 * digits or more; words that only say "street" do not count. */
static void test_pseudonym_address(void **state)
{
    (void)state;
    const char *addr = "ул. Vexbrow 12, кв. 47";
    const char *bad[] = {"Vexbrow-K1", "k-vexbrow", "VEXBROW", "K-12", "K-47", "K-047"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_only_error(child_case(NULL, NULL, addr, NULL, bad[i], NULL),
                          "fields.child.pseudonym");
    const char *cyr[] = {"Abaya-K", "abaia-k", "K-Abaja"};
    for (size_t i = 0; i < sizeof(cyr) / sizeof(cyr[0]); i++)
        expect_only_error(child_case(NULL, NULL, "г. Алматы, ул. Абая 150", NULL, cyr[i], NULL),
                          "fields.child.pseudonym");
    expect_only_error(child_case(NULL, NULL, "г. Алматы, ул. Абая 150", NULL, "Almaty-K", NULL),
                      "fields.child.pseudonym");
    const char *ok[] = {"Ulitsa-K", "Street-K", "K-1", "K-4", "Vex-9", "KZ11-0042"};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        expect_valid(child_case(NULL, NULL, "Vexbrow street 1, flat 4", NULL, ok[i], NULL));
    expect_valid(child_case(NULL, NULL, "улица Абая 1", NULL, "Ulitsa-K", NULL));
}

/* Whatever the child: a letter, at most 6 digits and 4 in a row, no date. */
static void test_pseudonym_digits_and_dates(void **state)
{
    (void)state;
    const char *bad[] = {"123-45",     "0042",        "K-1234567", "K12345",    "K-13-04-07",
                         "K-7-4-13",   "K-2013-4-7",  "K-07-25-99", "K-1999-1-2", "a1b2c03",
                         "K-29-02-08", "Schoolvexbrow-913-2013-04-07"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_only_error(child_case(NULL, NULL, NULL, NULL, bad[i], NULL),
                          "fields.child.pseudonym");
    const char *ok[] = {"K-12-34-56", "K-1-2-3", "KZ11-0042", "K-1234", "K-12-345",
                        "K-31-13-45", "Fox-17-abc", "a-1"};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        expect_valid(child_case(NULL, NULL, NULL, NULL, ok[i], NULL));
}

/* The issue's example fails on the first rule it breaks, with a message
 * that says which and repeats nothing. */
static void test_pseudonym_messages(void **state)
{
    (void)state;
    struct {
        const char *pseudonym, *words;
    } cases[] = {
        {"Nurlanova-K", "name"},  {"K-2012-03-04", "birth date"},
        {"Fox-0005", "school"},   {"Abaya-K", "address"},
        {"123-45", "letter"},     {"K-1234567", "6 digits"},
        {"K-13-04-07", "a date"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        kenes_errors errs;
        assert_int_equal(validate(child_case(NULL, NULL, NULL, NULL, cases[i].pseudonym, NULL),
                                  &errs),
                         KENES_EVALIDATION);
        const char *msg =
            json_string_value(json_object_get(json_array_get(errs.fields, 0), "message"));
        if (!msg || !strstr(msg, cases[i].words))
            print_message("%s: %s\n", cases[i].pseudonym, msg ? msg : "none");
        assert_non_null(strstr(msg, cases[i].words));
        assert_null(strstr(msg, cases[i].pseudonym));
        kapi_errors_dispose(&errs);
    }
}

/* An api table from before text_fold was appended is refused at load. */
static void test_refuses_an_api_table_without_text_fold(void **state)
{
    (void)state;
    kenes_api old = *api;
    old.struct_size = offsetof(kenes_api, text_fold);
    plugin_set *set;
    char err[512];
    assert_int_equal(plugin_set_new(&set, &old), 0);
    assert_true(plugin_load(set, CASE_REVIEW, err, sizeof(err)) < 0);
    assert_non_null(strstr(err, "case-review.so"));
    plugin_set_free(set);
}

static int folds;

static int counting_fold(char *out, size_t cap, const char *s, unsigned flags)
{
    folds++;
    return kapi_get()->text_fold(out, cap, s, flags);
}

/* The plugin compares text as the core folds it, through the table. */
static void test_folds_through_the_core(void **state)
{
    (void)state;
    kenes_api counted = *api;
    counted.text_fold = counting_fold;
    plugin_set *set;
    char err[512];
    assert_int_equal(plugin_set_new(&set, &counted), 0);
    assert_int_equal(plugin_load(set, CASE_REVIEW, err, sizeof(err)), 0);
    const kenes_doctype *t = plugin_find_type(set, "case-review");
    assert_non_null(t);
    folds = 0;
    json_t *doc = child_case("Zzyzx Qwertyuiop", NULL, NULL, NULL, NULL, "Ｚｚｙｚｘ");
    kenes_doc d = {.json = doc};
    kenes_errors errs;
    kapi_errors_init(&errs);
    assert_int_equal(t->validate(&counted, &d, &errs), KENES_EVALIDATION);
    assert_true(has_error(&errs, "title"));
    assert_true(folds >= 3); /* the name, the pseudonym, the title */
    kapi_errors_dispose(&errs);
    json_decref(doc);
    plugin_set_free(set);
}

static void test_full_name(void **state)
{
    (void)state;
    expect_error_with("fields.child", "full_name", NULL, "fields.child.full_name");
    expect_error_with("fields.child", "full_name", "null", "fields.child.full_name");
    expect_error_with("fields.child", "full_name", "\"\"", "fields.child.full_name");
    expect_error_with("fields.child", "full_name", "\" \\u3000 \"", "fields.child.full_name");
    expect_error_with("fields.child", "full_name", "[\"Айгерим\"]", "fields.child.full_name");
    expect_valid_with_repeat("fields.child", "full_name", "Ж", 200);
    expect_error_with_repeat("fields.child", "full_name", "Ж", 201, "fields.child.full_name");
}

static void test_birth_date(void **state)
{
    (void)state;
    const char *p = "fields.child.birth_date";
    expect_error_with("fields.child", "birth_date", NULL, p);
    expect_error_with("fields.child", "birth_date", "null", p);
    expect_error_with("fields.child", "birth_date", "\"04.03.2012\"", p);
    expect_error_with("fields.child", "birth_date", "\"2012-02-30\"", p);
    expect_error_with("fields.child", "birth_date", "\"2012-3-4\"", p);
    expect_error_with("fields.child", "birth_date", "20120304", p);
    /* In the past: not today (UTC), not later. */
    expect_error_with("fields.child", "birth_date", "\"2026-03-15\"", p);
    expect_error_with("fields.child", "birth_date", "\"2027-01-01\"", p);
    expect_valid_with("fields.child", "birth_date", "\"2026-03-14\"");
    expect_valid_with("fields.child", "birth_date", "\"2008-02-29\"");
}

/* "Today" is the UTC date of the core's clock. */
static void test_birth_date_today_is_utc(void **state)
{
    (void)state;
    set_now("2026-03-15T01:00:00+05:00"); /* 2026-03-14T20:00:00Z */
    expect_valid_with("fields.child", "birth_date", "\"2026-03-13\"");
    expect_error_with("fields.child", "birth_date", "\"2026-03-14\"", "fields.child.birth_date");
    set_now("2026-03-15T00:00:00Z");
    expect_valid_with("fields.child", "birth_date", "\"2026-03-14\"");
}

static void test_address_and_school(void **state)
{
    (void)state;
    expect_error_with("fields.child", "address", "1", "fields.child.address");
    expect_error_with("fields.child", "school", "{\"name\": \"5\"}", "fields.child.school");
    expect_error_with_repeat("fields.child", "address", "ж", 201, "fields.child.address");
    expect_error_with_repeat("fields.child", "school", "ж", 201, "fields.child.school");
    expect_valid_with("fields.child", "school", "\"\"");
}

/* ---- fields.grounds ------------------------------------------------------- */

static void test_grounds_shape(void **state)
{
    (void)state;
    expect_error_with("fields", "grounds", NULL, "fields.grounds");
    expect_error_with("fields", "grounds", "null", "fields.grounds");
    expect_error_with("fields", "grounds", "[]", "fields.grounds");
    expect_error_with("fields", "grounds", "\"offence\"", "fields.grounds");
}

static void test_grounds_values(void **state)
{
    (void)state;
    expect_valid_with("fields", "grounds",
                      "[\"bullying-victim\", \"bullying-initiator\", \"offence\", \"truancy\","
                      " \"family\", \"other\"]");
    expect_error_with("fields", "grounds", "[\"offence\", \"truancy\", \"bullying\"]",
                      "fields.grounds[2]");
    expect_error_with("fields", "grounds", "[\"Offence\"]", "fields.grounds[0]");
    expect_error_with("fields", "grounds", "[1]", "fields.grounds[0]");
    expect_error_with("fields", "grounds", "[\"other\", null]", "fields.grounds[1]");
}

static const char *const all_grounds[] = {
    "bullying-victim", "bullying-initiator", "offence",      "truancy",
    "family",          "suicide-risk",       "violence",     "neglect",
    "substance-use",   "running-away",       "online-risks", "other"};

static void test_grounds_unique(void **state)
{
    (void)state;
    expect_error_with("fields", "grounds", "[\"family\", \"truancy\", \"family\"]",
                      "fields.grounds[2]");
}

/* ---- fields.meeting, decision, accompanier -------------------------------- */

static void test_meeting(void **state)
{
    (void)state;
    expect_error_with("fields", "meeting", "\"2026-02-10\"", "fields.meeting");
    expect_error_with("fields.meeting", "place", "\"школа\"", "fields.meeting.place");
    expect_error_with("fields.meeting", "date", "\"10.02.2026\"", "fields.meeting.date");
    expect_error_with("fields.meeting", "participants", "\"психолог\"",
                      "fields.meeting.participants");
    expect_error_with("fields.meeting", "participants", "[\"психолог\", \"\"]",
                      "fields.meeting.participants[1]");
    expect_error_with("fields.meeting", "participants", "[\" \"]",
                      "fields.meeting.participants[0]");
    expect_error_with("fields.meeting", "participants", "[\"a\", \"b\", null]",
                      "fields.meeting.participants[2]");
    expect_error_with("fields.meeting", "participants", "[{\"name\": \"a\"}]",
                      "fields.meeting.participants[0]");
}

static void test_decision(void **state)
{
    (void)state;
    expect_error_with("fields", "decision", "[\"a\"]", "fields.decision");
    expect_valid_with_repeat("fields", "decision", "ж", 10000);
    expect_error_with_repeat("fields", "decision", "ж", 10001, "fields.decision");
}

static void test_accompanier(void **state)
{
    (void)state;
    expect_error_with("fields", "accompanier", "\"Ержан\"", "fields.accompanier");
    expect_error_with("fields.accompanier", "phone", "\"+7\"", "fields.accompanier.phone");
    expect_error_with("fields.accompanier", "name", "5", "fields.accompanier.name");
    expect_error_with("fields.accompanier", "organisation", "true",
                      "fields.accompanier.organisation");
    /* A login, so that reminders reach that person: text of at most 64. */
    expect_valid_with("fields.accompanier", "user", "\"off11\"");
    expect_valid_with("fields.accompanier", "user", "null");
    expect_error_with("fields.accompanier", "user", "7", "fields.accompanier.user");
    expect_error_with_repeat("fields.accompanier", "user", "a", 65, "fields.accompanier.user");
    expect_valid_with_repeat("fields.accompanier", "user", "a", 64);
}

/* ---- fields.measures ------------------------------------------------------ */

static void test_measures(void **state)
{
    (void)state;
    expect_error_with("fields", "measures", "{}", "fields.measures");
    expect_error_with("fields", "measures", "[{\"what\": \"a\"}, \"b\"]", "fields.measures[1]");
    expect_error_with("fields.measures[0]", "what", NULL, "fields.measures[0].what");
    expect_error_with("fields.measures[1]", "what", "\"\"", "fields.measures[1].what");
    expect_error_with("fields.measures[0]", "who", "[]", "fields.measures[0].who");
    expect_error_with("fields.measures[0]", "due", "\"1 April\"", "fields.measures[0].due");
    expect_error_with("fields.measures[1]", "due", "\"2026-04-31\"", "fields.measures[1].due");
    expect_error_with("fields.measures[1]", "cost", "100", "fields.measures[1].cost");
    /* Without measures, the checks that name one name none. */
    expect_errors(with("fields", "measures", "[]"), "fields.follow_ups[0].measure",
                  "fields.follow_ups[1].measure", NULL);
    json_t *doc = with("fields", "measures", "[]");
    put(doc, "fields", "follow_ups", json_array());
    expect_valid(doc);
}

/* ---- fields.follow_ups ---------------------------------------------------- */

static void test_follow_ups_shape(void **state)
{
    (void)state;
    expect_error_with("fields", "follow_ups", "\"monthly\"", "fields.follow_ups");
    json_t *doc = good_case();
    put_item(doc, "fields.follow_ups", 1, json_integer(1));
    expect_only_error(doc, "fields.follow_ups[1]");
    expect_error_with("fields.follow_ups[1]", "by", "\"психолог\"", "fields.follow_ups[1].by");
}

static void test_follow_up_due(void **state)
{
    (void)state;
    expect_error_with("fields.follow_ups[1]", "due", NULL, "fields.follow_ups[1].due");
    expect_error_with("fields.follow_ups[1]", "due", "null", "fields.follow_ups[1].due");
    expect_error_with("fields.follow_ups[0]", "due", "\"2026-13-01\"", "fields.follow_ups[0].due");
}

static void test_follow_up_done(void **state)
{
    (void)state;
    expect_error_with("fields.follow_ups[0]", "done", "\"yesterday\"",
                      "fields.follow_ups[0].done");
    /* A check cannot have been made after today. */
    expect_error_with("fields.follow_ups[0]", "done", "\"2026-03-16\"",
                      "fields.follow_ups[0].done");
    expect_valid_with("fields.follow_ups[0]", "done", "\"2026-03-15\"");
}

static void test_follow_up_outcome_values(void **state)
{
    (void)state;
    const char *ok[] = {"\"effective\"", "\"partially-effective\"", "\"not-effective\"",
                        "\"not-done\""};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        expect_valid_with("fields.follow_ups[0]", "outcome", ok[i]);
    expect_error_with("fields.follow_ups[0]", "outcome", "\"good\"",
                      "fields.follow_ups[0].outcome");
    expect_error_with("fields.follow_ups[0]", "outcome", "1", "fields.follow_ups[0].outcome");
}

/* An outcome goes with a done date, and a done date with an outcome. */
static void test_follow_up_outcome_needs_done(void **state)
{
    (void)state;
    expect_error_with("fields.follow_ups[1]", "outcome", "\"effective\"",
                      "fields.follow_ups[1].outcome");
    expect_error_with("fields.follow_ups[0]", "outcome", "null", "fields.follow_ups[0].outcome");
    expect_error_with("fields.follow_ups[0]", "outcome", NULL, "fields.follow_ups[0].outcome");
}

static void test_follow_up_next_steps(void **state)
{
    (void)state;
    expect_error_with("fields.follow_ups[0]", "next_steps", "[]",
                      "fields.follow_ups[0].next_steps");
}

/* ---- fields.closure ------------------------------------------------------- */

static void test_closure(void **state)
{
    (void)state;
    const char *ok[] = {"\"goals-met\"", "\"moved-away\"", "\"came-of-age\"",
                        "\"transferred\"", "\"other\""};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        expect_valid_with("fields.closure", "reason", ok[i]);
    expect_error_with("fields", "closure", "\"goals-met\"", "fields.closure");
    expect_error_with("fields.closure", "reason", "\"done\"", "fields.closure.reason");
    expect_error_with("fields.closure", "reason", "3", "fields.closure.reason");
    expect_error_with("fields.closure", "date", "\"2026-03-01\"", "fields.closure.date");
    expect_error_with("fields.closure", "comment", "{}", "fields.closure.comment");
}

/* Every problem is reported at once, each at its own path. */
static void test_all_errors_at_once(void **state)
{
    (void)state;
    json_t *doc = good_case();
    put(doc, "", "region", json_string("KZ-00"));
    put(doc, "", "title", json_string("Айгерим"));
    put(doc, "fields.child", "pseudonym", json_string("a b"));
    put(doc, "fields.child", "birth_date", json_string("2030-01-01"));
    put_item(doc, "fields.grounds", 1, json_string("bullying-victim"));
    put(doc, "fields.measures[0]", "due", json_string("soon"));
    put(doc, "fields.follow_ups[1]", "outcome", json_string("effective"));
    put(doc, "fields.closure", "reason", json_string("why"));
    put(doc, "fields", "extra", json_true());
    expect_errors(doc, "region", "title", "fields.child.pseudonym", "fields.child.birth_date",
                  "fields.grounds[1]", "fields.measures[0].due", "fields.follow_ups[1].outcome",
                  "fields.closure.reason", "fields.extra", NULL);
}

/* ---- make_id and summary -------------------------------------------------- */

static void assert_uuid(const char *u)
{
    assert_int_equal(strlen(u), 36);
    for (size_t i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23)
            assert_int_equal(u[i], '-');
        else
            assert_non_null(strchr("0123456789abcdef", u[i]));
    }
    assert_int_equal(u[14], '4'); /* version 4 */
}

static void test_make_id(void **state)
{
    (void)state;
    json_t *doc = good_case();
    kenes_doc d = {.json = doc};
    char a[64], b[64];
    assert_int_equal(cr->make_id(api, &d, a, sizeof(a)), 0);
    assert_int_equal(cr->make_id(api, &d, b, sizeof(b)), 0);
    assert_int_equal(strlen(a), strlen("case/KZ-11/") + 36);
    assert_int_equal(strncmp(a, "case/KZ-11/", 11), 0);
    assert_uuid(a + 11);
    assert_uuid(b + 11);
    assert_string_not_equal(a, b);
    /* Nothing of the child in it. */
    assert_null(strstr(a, "KZ11-0042"));

    put(doc, "", "region", json_string("KZ-79"));
    assert_int_equal(cr->make_id(api, &d, a, sizeof(a)), 0);
    assert_int_equal(strncmp(a, "case/KZ-79/", 11), 0);

    /* Exactly enough room, and one byte too little. */
    assert_int_equal(cr->make_id(api, &d, a, 11 + 36 + 1), 0);
    assert_int_equal(cr->make_id(api, &d, a, 11 + 36), KENES_ETOOBIG);

    /* Never an id from a region that is not one. */
    put(doc, "", "region", json_string("../../etc"));
    assert_int_equal(cr->make_id(api, &d, a, sizeof(a)), KENES_EINVAL);
    put(doc, "", "region", NULL);
    assert_int_equal(cr->make_id(api, &d, a, sizeof(a)), KENES_EINVAL);
    json_decref(doc);
}

static json_t *list_entry(void)
{
    return parse("{\"id\": \"case/KZ-11/00000000-0000-4000-8000-000000000000\","
                 " \"type\": \"case-review\", \"region\": \"KZ-11\","
                 " \"stage\": \"in-accompaniment\", \"version\": \"abc\", \"due\": null,"
                 " \"overdue\": false}");
}

static void test_summary_adds_only_pseudonym(void **state)
{
    (void)state;
    json_t *doc = good_case();
    kenes_doc d = {.json = doc};
    json_t *entry = list_entry(), *before = list_entry();
    assert_int_equal(cr->summary(api, &d, entry), 0);
    assert_int_equal(json_object_size(entry), json_object_size(before) + 1);
    assert_string_equal(json_string_value(json_object_get(entry, "pseudonym")), "KZ11-0042");
    json_object_del(entry, "pseudonym");
    assert_true(json_equal(entry, before));

    /* Nothing of the confidential part, however it is spelled. */
    char *s = json_dumps(entry, 0);
    assert_null(strstr(s, "Айгерим"));
    assert_null(strstr(s, "2012"));
    free(s);
    json_decref(entry);
    json_decref(before);
    json_decref(doc);
}

/* doc (consumed) is listed without a pseudonym: summary() adds nothing. */
static void expect_nothing_listed(json_t *doc)
{
    kenes_doc d = {.json = doc};
    json_t *entry = list_entry(), *before = list_entry();
    assert_int_equal(cr->summary(api, &d, entry), 0);
    assert_true(json_equal(entry, before));
    json_decref(entry);
    json_decref(before);
    json_decref(doc);
}

/* What is not a well-formed pseudonym is not listed. */
static void test_summary_skips_bad_pseudonym(void **state)
{
    (void)state;
    const char *bad[] = {"Айгерим Нурланова", "a b", "", "x"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_nothing_listed(child_case(NULL, NULL, NULL, NULL, bad[i], NULL));
    json_t *doc = good_case();
    put(doc, "fields", "child", NULL);
    expect_nothing_listed(doc);
}

/* A case stored before today's rules, whose pseudonym breaks one of those
 * a list can afford (no folding), is listed without it. */
static void test_summary_judges_by_todays_rules(void **state)
{
    (void)state;
    const char *bad[] = {"K-2012-03-04", "K-20120304", "Fox-0304", "Fox-5",
                         "K-13-04-07",   "123-45",     "K-1234567"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_nothing_listed(child_case(NULL, NULL, NULL, NULL, bad[i], NULL));
    expect_nothing_listed(child_case(NULL, NULL, "ул. Абая 150", NULL, "K-150", NULL));
}

/* ---- other documents, as api->doc_each and doc_with serve them ------------ */

/* What the fake index holds (stored): meetings and stored cases, by test.
 * Like the core's, it filters by type and region and lends each document
 * for the call only. */


static int fake_each_fails(void *payload, const char *type, const char *region,
                           int (*fn)(const kenes_doc *doc, void *arg), void *arg)
{
    (void)payload, (void)type, (void)region, (void)fn, (void)arg;
    return KENES_ENOMEM;
}


/* Each test starts with nothing stored. */
static void forget_stored(void)
{
    json_decref(stored);
    stored = json_array();
    fixture_docs_attach(&stored, NULL);
}

#define CASE_ID "case/KZ-11/0b6f3c1e-8d1a-4c2e-9f3a-2b7c5d9e1a40"
#define OTHER_CASE "case/KZ-11/7d2e4f60-1a3b-4c5d-8e9f-0a1b2c3d4e5f"

/* A meeting of region in stage with one agenda item: the case, the
 * decision, the votes for and against. */
static json_t *meeting(const char *region, const char *stage, const char *date, int number,
                       const char *case_id, const char *decision, int yes, int no)
{
    char id[80];
    snprintf(id, sizeof(id), "meeting/%s/%.4s-%d", region, date, number);
    json_t *m = json_pack(
        "{s:s, s:s, s:s, s:s, s:n, s:s, s:{s:i, s:s, s:s, s:[s], s:[{s:s, s:s, s:s, s:{s:i, "
        "s:i, s:i}}]}}",
        "id", id, "type", "commission-meeting", "region", region, "stage", stage, "title",
        "body", "", "fields", "number", number, "date", date, "place", "Акимат, зал 2",
        "attendance", "Серикова Айжан", "agenda", "kind", "case", "case", case_id, "decision",
        decision, "vote", "for", yes, "against", no, "abstained", 0);
    assert_non_null(m);
    return m;
}

static void store(json_t *doc)
{
    assert_int_equal(json_array_append_new(stored, doc), 0);
}

/* The good case as stored under CASE_ID. */
static json_t *good_case_with_id(void)
{
    json_t *doc = good_case();
    put(doc, "", "id", json_string(CASE_ID));
    return doc;
}

/* ---- guards --------------------------------------------------------------- */

/* The guards read the document, not who moves it. */
static const kenes_ctx chair = {.action = "some-action", .comment = NULL, .user = "chair-kz11",
                                .role = "commission-chair", .from = "a", .to = "b"};

static int run_guard(const kenes_guard *g, json_t *doc, kenes_errors *errs)
{
    return guard_run(g, doc, &chair, errs);
}

static void expect_allows(const kenes_guard *g, json_t *doc)
{
    kenes_errors errs;
    expect_guard_allows(g, doc, &chair, &errs);
    kapi_errors_dispose(&errs);
}

static void expect_refuses(const kenes_guard *g, json_t *doc, const char *message)
{
    expect_guard_refuses(g, doc, &chair, message);
}

/* A referral of region for case_id in stage. */
static json_t *referral(const char *n, const char *region, const char *stage, const char *case_id)
{
    char id[80];
    snprintf(id, sizeof(id), "referral/%s/%s", region, n);
    json_t *r = json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:i, s:s}}", "id", id, "type",
                          "referral", "region", region, "stage", stage, "fields", "case",
                          case_id, "measure", 1, "agency", "kz11-police");
    assert_non_null(r);
    return r;
}

/* transfer waits while an agency works on one of the case's referrals: the
 * sent and accepted ones of this case count, nothing else. */
static void test_guard_referrals_settled(void **state)
{
    (void)state;
    const kenes_guard *g = referrals_settled;
    forget_stored();
    expect_allows(g, good_case()); /* a new case has none */
    expect_allows(g, good_case_with_id());
    store(referral("1", "KZ-11", "reported", CASE_ID));
    store(referral("2", "KZ-11", "withdrawn", CASE_ID));
    store(referral("3", "KZ-11", "declined", CASE_ID));
    store(referral("4", "KZ-11", "sent", OTHER_CASE));
    expect_allows(g, good_case_with_id());
    store(referral("5", "KZ-11", "sent", CASE_ID));
    expect_refuses(g, good_case_with_id(),
                   "1 referral of this case is still open (sent or accepted): withdraw it or "
                   "wait for the agencies' reports before transferring the case");
    store(referral("6", "KZ-11", "accepted", CASE_ID));
    expect_refuses(g, good_case_with_id(),
                   "2 referrals of this case are still open (sent or accepted): withdraw them "
                   "or wait for the agencies' reports before transferring the case");
    kenes_errors errs;
    assert_int_equal(run_guard(g, good_case_with_id(), &errs), KENES_EGUARD);
    assert_string_equal(errs.code, "referrals_open");
    kapi_errors_dispose(&errs);
    /* A walk that fails refuses: a transfer must not slip through. */
    kapi_docs failing = {.each = fake_each_fails};
    kapi_set_docs(&failing);
    expect_refuses(g, good_case_with_id(), "the case's referrals could not be looked at: try "
                                           "again");
    forget_stored();
}

static void test_guard_accompanier_assigned(void **state)
{
    (void)state;
    const kenes_guard *g = accompanier_assigned;
    expect_allows(g, good_case());
    const char *both = "no accompanying person is assigned: fields.accompanier.name and "
                       ".organisation are required";
    expect_refuses(g, with("fields", "accompanier", NULL), both);
    expect_refuses(g, with("fields", "accompanier", "{}"), both);
    expect_refuses(g, with("fields", "accompanier", "{\"name\": \" \", \"organisation\": null}"),
                   both);
    expect_refuses(g, with("fields.accompanier", "name", "\"\\u00a0\""),
                   "no accompanying person is assigned: fields.accompanier.name is required");
    expect_refuses(g, with("fields.accompanier", "organisation", NULL),
                   "no accompanying person is assigned: fields.accompanier.organisation is "
                   "required");
}

static void test_guard_measure_has_due_date(void **state)
{
    (void)state;
    const kenes_guard *g = measure_has_due_date;
    const char *msg = "the plan needs at least one measure with a due date "
                      "(fields.measures[].due)";
    expect_allows(g, good_case());
    /* The second measure is the one with a date. */
    expect_allows(g, with("fields", "measures",
                          "[{\"what\": \"a\"}, {\"what\": \"b\", \"due\": \"2026-06-01\"}]"));
    expect_refuses(g, with("fields", "measures", NULL), msg);
    expect_refuses(g, with("fields", "measures", "[]"), msg);
    expect_refuses(g, with("fields", "measures", "[{\"what\": \"a\"}, {\"what\": \"b\"}]"), msg);
    expect_refuses(g, with("fields.measures[0]", "due", "null"), msg);
    expect_refuses(g, with("fields.measures[0]", "due", "\"next month\""), msg);
}

/* The good case with a closure reason and follow-ups due 2026-03-01
 * (recorded) and 2026-03-15 (not recorded yet). */
static json_t *closing_case(void)
{
    json_t *doc = with("fields.closure", "reason", "\"goals-met\"");
    put(doc, "fields.follow_ups[1]", "due", json_string("2026-03-15"));
    return doc;
}

static void test_guard_follow_ups_recorded_clock(void **state)
{
    (void)state;
    const kenes_guard *g = follow_ups_recorded;
    const char *one = "closure cannot be requested yet: 1 follow-up check due by today has no "
                      "outcome (fields.follow_ups[1])";
    /* Due today counts; due tomorrow does not, by the UTC date. */
    set_now("2026-03-15T00:00:00Z");
    expect_refuses(g, closing_case(), one);
    set_now("2026-03-15T23:59:59Z");
    expect_refuses(g, closing_case(), one);
    set_now("2026-03-14T23:59:59Z");
    expect_allows(g, closing_case());
    set_now("2026-03-15T04:00:00+05:00"); /* 2026-03-14T23:00:00Z */
    expect_allows(g, closing_case());
    set_now("2026-05-01T12:00:00Z");
    expect_refuses(g, closing_case(), one);
}

static void test_guard_follow_ups_recorded(void **state)
{
    (void)state;
    const kenes_guard *g = follow_ups_recorded;
    set_now("2026-03-20T10:00:00Z");

    /* Recorded: an outcome on every check that fell due. */
    json_t *doc = closing_case();
    put(doc, "fields.follow_ups[1]", "done", json_string("2026-03-16"));
    put(doc, "fields.follow_ups[1]", "outcome", json_string("not-done"));
    expect_allows(g, doc);
    /* No checks at all is nothing unrecorded. */
    expect_allows(g, with("fields", "closure", "{\"reason\": \"moved-away\"}"));

    json_t *many = closing_case();
    json_t *fu = parse("{\"due\": \"2026-01-01\"}");
    for (int i = 0; i < 6; i++)
        json_array_append(fixture_node(many, "fields.follow_ups"), fu);
    json_decref(fu);
    expect_refuses(g, many,
                   "closure cannot be requested yet: 7 follow-up checks due by today have no "
                   "outcome (fields.follow_ups[1], fields.follow_ups[2], fields.follow_ups[3], "
                   "fields.follow_ups[4], fields.follow_ups[5] and 2 more)");
}

/* request-closure is where the reason is given. */
static void test_guard_follow_ups_recorded_reason(void **state)
{
    (void)state;
    const kenes_guard *g = follow_ups_recorded;
    const char *reason = "closure cannot be requested yet: the closure reason is required "
                         "(fields.closure.reason)";
    set_now("2026-03-14T10:00:00Z");
    expect_refuses(g, good_case(), reason); /* reason null */
    expect_refuses(g, with("fields", "closure", NULL), reason);
    expect_refuses(g, with("fields", "closure", "{\"comment\": \"переезд\"}"), reason);
    expect_refuses(g, with("fields.closure", "reason", "\"finished\""), reason);
    expect_allows(g, with("fields.closure", "reason", "\"came-of-age\""));

    set_now("2026-05-01T10:00:00Z");
    expect_refuses(g, good_case(),
                   "closure cannot be requested yet: 1 follow-up check due by today has no "
                   "outcome (fields.follow_ups[1]); the closure reason is required "
                   "(fields.closure.reason)");
}

/* ---- cases move by signed meetings ---------------------------------------- */

static const char no_plan_resolution[] =
    "no signed commission meeting of the case's region decides approve-plan on this case (an "
    "agenda item naming it, adopted by more votes for than against)";
static const char no_close_resolution[] =
    "no signed commission meeting of the case's region decides close on this case (an agenda "
    "item naming it, adopted by more votes for than against)";

static void test_guard_plan_resolution_signed(void **state)
{
    (void)state;
    const kenes_guard *g = plan_resolution_signed;
    expect_refuses(g, good_case_with_id(), no_plan_resolution);

    /* What does not count: a meeting not yet signed, another region's, a
     * tie, a decision of another kind, an item on another case. */
    store(meeting("KZ-11", "held", "2026-03-10", 3, CASE_ID, "approve-plan", 5, 0));
    store(meeting("KZ-11", "scheduled", "2026-03-11", 4, CASE_ID, "approve-plan", 5, 0));
    store(meeting("KZ-15", "signed", "2026-03-10", 3, CASE_ID, "approve-plan", 5, 0));
    store(meeting("KZ-11", "signed", "2026-03-01", 1, CASE_ID, "approve-plan", 3, 3));
    store(meeting("KZ-11", "signed", "2026-03-02", 2, CASE_ID, "continue", 6, 0));
    store(meeting("KZ-11", "signed", "2026-03-05", 5, OTHER_CASE, "approve-plan", 6, 0));
    store(meeting("KZ-11", "cancelled", "2026-03-06", 6, CASE_ID, "approve-plan", 6, 0));
    expect_refuses(g, good_case_with_id(), no_plan_resolution);
    /* A case not created yet, which no meeting can name. */
    expect_refuses(g, good_case(), no_plan_resolution);

    /* A matter item naming the case is no decision on it. */
    json_t *m = meeting("KZ-11", "signed", "2026-03-07", 7, CASE_ID, "approve-plan", 6, 0);
    put(m, "fields.agenda[0]", "kind", json_string("matter"));
    store(m);
    expect_refuses(g, good_case_with_id(), no_plan_resolution);

    /* Adopted by a majority of those voting, at a signed meeting of the region. */
    m = meeting("KZ-11", "signed", "2026-03-08", 8, OTHER_CASE, "close", 4, 0);
    json_t *item = json_pack("{s:s, s:s, s:s, s:{s:i, s:i, s:i}}", "kind", "case", "case",
                             CASE_ID, "decision", "approve-plan", "vote", "for", 4, "against",
                             3, "abstained", 2);
    json_array_append_new(fixture_node(m, "fields.agenda"), item);
    store(m);
    expect_allows(g, good_case_with_id());
    /* The close guard wants another decision. */
    expect_refuses(close_resolution_signed, good_case_with_id(),
                   "the commission's latest signed decision on this case is not close: a "
                   "signed meeting must decide close on it first");
}

/* Closed, then reopened: the plan is approved anew only by a decision taken
 * after the one that closed it. */
static void test_guard_resolution_latest_counts(void **state)
{
    (void)state;
    expect_refuses(close_resolution_signed, good_case_with_id(), no_close_resolution);
    store(meeting("KZ-11", "signed", "2026-02-10", 1, CASE_ID, "approve-plan", 5, 1));
    expect_allows(plan_resolution_signed, good_case_with_id());

    store(meeting("KZ-11", "signed", "2026-03-01", 4, CASE_ID, "close", 5, 1));
    expect_allows(close_resolution_signed, good_case_with_id());
    const char *stale = "the commission's latest signed decision on this case is not "
                        "approve-plan: a signed meeting must decide approve-plan on it first";
    expect_refuses(plan_resolution_signed, good_case_with_id(), stale);

    /* The same day: the meeting's number orders them. */
    store(meeting("KZ-11", "signed", "2026-03-01", 3, CASE_ID, "approve-plan", 5, 1));
    expect_refuses(plan_resolution_signed, good_case_with_id(), stale);
    store(meeting("KZ-11", "signed", "2026-03-01", 5, CASE_ID, "approve-plan", 5, 1));
    expect_allows(plan_resolution_signed, good_case_with_id());
    expect_refuses(close_resolution_signed, good_case_with_id(),
                   "the commission's latest signed decision on this case is not close: a "
                   "signed meeting must decide close on it first");

    /* The walk's order does not matter: a later meeting stored first. */
    forget_stored();
    store(meeting("KZ-11", "signed", "2026-04-01", 9, CASE_ID, "close", 5, 1));
    store(meeting("KZ-11", "signed", "2026-02-01", 2, CASE_ID, "approve-plan", 5, 1));
    expect_allows(close_resolution_signed, good_case_with_id());
}

/* A core that cannot show the meetings: nothing is approved on faith. */
static void test_guard_resolution_unreadable(void **state)
{
    (void)state;
    store(meeting("KZ-11", "signed", "2026-02-10", 1, CASE_ID, "approve-plan", 5, 1));
    kapi_docs failing = {.each = fake_each_fails, .payload = &stored};
    kapi_set_docs(&failing);
    expect_refuses(plan_resolution_signed, good_case_with_id(),
                   "the commission's meetings could not be read: try again");
    fixture_docs_attach(&stored, NULL);
    expect_allows(plan_resolution_signed, good_case_with_id());

    kenes_api older = *api;
    older.struct_size = offsetof(kenes_api, doc_each);
    kenes_errors errs;
    kapi_errors_init(&errs);
    json_t *doc = good_case_with_id();
    kenes_doc view = {.json = doc};
    assert_int_equal(plan_resolution_signed->check(&older, &view, &chair, &errs), KENES_EGUARD);
    assert_string_equal(errs.code, "resolution_missing");
    kapi_errors_dispose(&errs);
    json_decref(doc);
}

static void test_guard_check_scheduled(void **state)
{
    (void)state;
    const kenes_guard *g = check_scheduled;
    const char *msg = "the plan needs a follow-up check due after today (fields.follow_ups[].due)";
    expect_allows(g, good_case()); /* one due 2026-05-01 */
    set_now("2026-04-30T23:59:59Z");
    expect_allows(g, good_case());
    set_now("2026-05-01T00:00:00Z"); /* due today is not ahead */
    expect_refuses(g, good_case(), msg);
    set_now(NOW);
    expect_refuses(g, with("fields", "follow_ups", NULL), msg);
    expect_refuses(g, with("fields", "follow_ups", "[]"), msg);
    expect_refuses(g, with("fields.follow_ups[1]", "due", "\"soon\""), msg);
    expect_refuses(g, with("fields.follow_ups[1]", "due", "\"2026-03-15\""), msg);
}

/* ---- goals-met only when the measures worked ------------------------------- */

/* Closing as goals-met on 2026-06-01: two measures, due in April and May,
 * each found effective by its latest check. */
static json_t *goals_met_case(void)
{
    json_t *doc = good_case();
    put(doc, "fields", "closure", parse("{\"reason\": \"goals-met\"}"));
    put(doc, "fields", "measures",
        parse("[{\"what\": \"a\", \"due\": \"2026-04-01\"},"
              " {\"what\": \"b\", \"due\": \"2026-05-01\"}]"));
    put(doc, "fields", "follow_ups",
        parse("[{\"due\": \"2026-04-10\", \"measure\": 1, \"done\": \"2026-04-10\","
              "  \"outcome\": \"not-effective\"},"
              " {\"due\": \"2026-05-10\", \"measure\": 2, \"done\": \"2026-05-10\","
              "  \"outcome\": \"effective\"},"
              " {\"due\": \"2026-05-20\", \"measure\": 1, \"done\": \"2026-05-20\","
              "  \"outcome\": \"effective\"}]"));
    return doc;
}

#define GOALS "the reason goals-met needs every measure past its due date and its latest " \
              "check effective (fields.follow_ups[].measure), or another reason; "

static void test_guard_closure_allowed(void **state)
{
    (void)state;
    const kenes_guard *g = closure_allowed;
    set_now("2026-06-01T10:00:00Z");
    expect_allows(g, goals_met_case());
    /* Other reasons close whatever the checks found. */
    json_t *doc = goals_met_case();
    put(doc, "fields.follow_ups[2]", "outcome", json_string("not-effective"));
    put(doc, "fields.closure", "reason", json_string("moved-away"));
    expect_allows(g, doc);
    expect_allows(g, with("fields", "closure", NULL));

    /* The latest check of measure 1 partially effective, or not effective. */
    doc = goals_met_case();
    put(doc, "fields.follow_ups[2]", "outcome", json_string("partially-effective"));
    expect_refuses(g, doc, GOALS "the latest done check does not find effective: measure 1");
    doc = goals_met_case();
    put(doc, "fields.follow_ups[2]", "done", json_string("2026-04-09"));
    expect_refuses(g, doc, GOALS "the latest done check does not find effective: measure 1");
    /* Done the same day: the worse outcome counts, whichever is listed last. */
    doc = goals_met_case();
    put(doc, "fields.follow_ups[2]", "done", json_string("2026-04-10"));
    expect_refuses(g, doc, GOALS "the latest done check does not find effective: measure 1");
    doc = goals_met_case();
    put(doc, "fields.follow_ups[0]", "done", json_string("2026-05-20"));
    expect_refuses(g, doc, GOALS "the latest done check does not find effective: measure 1");
    doc = goals_met_case();
    put(doc, "fields.follow_ups[0]", "done", json_string("2026-05-20"));
    put(doc, "fields.follow_ups[0]", "outcome", json_string("effective"));
    expect_allows(g, doc);

    /* A check pending, whatever it is about. */
    doc = goals_met_case();
    json_array_append_new(fixture_node(doc, "fields.follow_ups"),
                          parse("{\"due\": \"2026-06-10\", \"measure\": 2}"));
    expect_refuses(g, doc, GOALS "no outcome yet: check 4");

    /* A measure not yet due. */
    set_now("2026-04-30T10:00:00Z");
    doc = goals_met_case();
    put(doc, "fields.follow_ups[1]", "done", json_string("2026-04-29"));
    expect_refuses(g, doc, GOALS "not yet due: measure 2");
    set_now("2026-05-01T00:00:00Z"); /* due today: its term has come */
    doc = goals_met_case();
    put(doc, "fields.follow_ups[1]", "done", json_string("2026-04-29"));
    put(doc, "fields.follow_ups[2]", "done", json_string("2026-04-30"));
    expect_allows(g, doc);
    set_now("2026-06-01T10:00:00Z");

    /* A measure no check names; a check that names no measure counts for none. */
    doc = goals_met_case();
    put(doc, "fields.follow_ups[1]", "measure", NULL);
    expect_refuses(g, doc, GOALS "the latest done check does not find effective: measure 2");
    doc = goals_met_case();
    put(doc, "fields", "measures", json_array());
    put(doc, "fields", "follow_ups", json_array());
    expect_refuses(g, doc,
                   "the reason goals-met needs every measure past its due date and its latest "
                   "check effective (fields.follow_ups[].measure), or another reason; the case "
                   "has no measure to have met");

    /* Everything at once, numbers only. */
    set_now("2026-04-15T10:00:00Z");
    doc = goals_met_case();
    put(doc, "fields.follow_ups[1]", "done", NULL);
    put(doc, "fields.follow_ups[1]", "outcome", NULL);
    put(doc, "fields.follow_ups[2]", "done", NULL);
    put(doc, "fields.follow_ups[2]", "outcome", NULL);
    expect_refuses(g, doc,
                   GOALS "not yet due: measure 2; the latest done check does not find "
                         "effective: measure 1, 2; no outcome yet: check 2, 3");
}

/* ---- what a check must name ----------------------------------------------- */

static void test_follow_up_measure(void **state)
{
    (void)state;
    expect_only_code(with("fields.follow_ups[1]", "measure", NULL),
                      "fields.follow_ups[1].measure", "required");
    expect_only_code(with("fields.follow_ups[1]", "measure", "null"),
                      "fields.follow_ups[1].measure", "required");
    expect_only_code(with("fields.follow_ups[1]", "measure", "3"),
                      "fields.follow_ups[1].measure", "measure_unknown");
    expect_only_code(with("fields.follow_ups[1]", "measure", "0"),
                      "fields.follow_ups[1].measure", "out_of_range");
    expect_only_code(with("fields.follow_ups[1]", "measure", "\"2\""),
                      "fields.follow_ups[1].measure", "not_integer");
    expect_only_code(with("fields.follow_ups[1]", "measure", "1.5"),
                      "fields.follow_ups[1].measure", "not_integer");
    expect_valid_with("fields.follow_ups[1]", "measure", "1");
    /* Measures that are no list are reported once, not again at each check. */
    expect_only_code(with("fields", "measures", "{}"), "fields.measures", "not_list");
}

/* A check recorded before checks named their measure keeps its place; a new
 * one must name it. */
static void test_follow_up_measure_only_new(void **state)
{
    (void)state;
    json_t *old = good_case_with_id();
    put(old, "fields.follow_ups[0]", "measure", NULL);
    put(old, "fields.follow_ups[0]", "done", json_null());
    put(old, "fields.follow_ups[0]", "outcome", json_null());
    store(old);

    /* Its outcome recorded: the same check, no measure needed. */
    json_t *doc = good_case_with_id();
    put(doc, "fields.follow_ups[0]", "measure", NULL);
    expect_valid(doc);
    /* Its due date moved: a new check. */
    doc = good_case_with_id();
    put(doc, "fields.follow_ups[0]", "measure", NULL);
    put(doc, "fields.follow_ups[0]", "due", json_string("2026-03-03"));
    expect_only_code(doc, "fields.follow_ups[0].measure", "required");
    /* A case not yet created has only new checks. */
    doc = good_case();
    put(doc, "fields.follow_ups[0]", "measure", NULL);
    expect_only_code(doc, "fields.follow_ups[0].measure", "required");
    /* Another case's checks are not this one's. */
    doc = good_case_with_id();
    put(doc, "", "id", json_string(OTHER_CASE));
    put(doc, "fields.follow_ups[0]", "measure", NULL);
    expect_only_code(doc, "fields.follow_ups[0].measure", "required");
}

/* A check follows the decision: none due before the meeting that approved
 * the plan. */
static void test_follow_up_before_approval(void **state)
{
    (void)state;
    store(meeting("KZ-11", "signed", "2026-03-05", 2, CASE_ID, "approve-plan", 5, 0));
    /* Due 2026-03-01 (checks[0]), before the plan's approval (done after it). */
    json_t *early = good_case_with_id();
    put(early, "fields.follow_ups[0]", "done", json_string("2026-03-06"));
    expect_only_code(early, "fields.follow_ups[0].due", "check_before_approval");
    expect_valid_with("fields.follow_ups[0]", "due", "\"2026-03-01\""); /* no id: no meeting */
    json_t *doc = good_case_with_id();
    put(doc, "fields.follow_ups[0]", "due", json_string("2026-03-05")); /* the day itself */
    put(doc, "fields.follow_ups[0]", "done", json_string("2026-03-05"));
    expect_valid(doc);

    /* Stored before the meeting named the case: it stays. */
    store(good_case_with_id());
    expect_valid(good_case_with_id());
    /* A meeting not signed, or of another region, approves nothing. */
    forget_stored();
    store(meeting("KZ-11", "held", "2026-03-05", 2, CASE_ID, "approve-plan", 5, 0));
    store(meeting("KZ-15", "signed", "2026-03-05", 2, CASE_ID, "approve-plan", 5, 0));
    expect_valid(good_case_with_id());
    /* Approved again after a reopening: the latest approval counts. */
    store(meeting("KZ-11", "signed", "2026-02-01", 1, CASE_ID, "approve-plan", 5, 0));
    store(meeting("KZ-11", "signed", "2026-03-02", 3, CASE_ID, "approve-plan", 5, 0));
    expect_only_code(good_case_with_id(), "fields.follow_ups[0].due", "check_before_approval");
}

/* A check is made after the plan's approval and not after today; a check
 * done as recorded before stays. */
static void test_follow_up_done_after_approval(void **state)
{
    (void)state;
    store(meeting("KZ-11", "signed", "2026-03-05", 2, CASE_ID, "approve-plan", 5, 0));
    /* Done on: the day before, long before, after today (15 March); NULL code: fine. */
    static const struct {
        const char *done, *code;
    } cases[] = {{"2026-03-04", "check_done_before_approval"},
                 {"2026-01-01", "check_done_before_approval"},
                 {"2026-03-16", "date_in_future"},
                 {"2026-03-05", NULL}}; /* the meeting's day itself */
    json_t *doc;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        doc = good_case_with_id();
        put(doc, "fields.follow_ups[0]", "due", json_string("2026-03-10"));
        put(doc, "fields.follow_ups[0]", "done", json_string(cases[i].done));
        if (cases[i].code)
            expect_only_code(doc, "fields.follow_ups[0].done", cases[i].code);
        else
            expect_valid(doc);
    }
    /* Its outcome recorded on the pending check: done before the approval. */
    doc = good_case_with_id();
    store(json_deep_copy(doc));
    put(doc, "fields.follow_ups[1]", "done", json_string("2026-03-01"));
    put(doc, "fields.follow_ups[1]", "outcome", json_string("effective"));
    expect_only_code(doc, "fields.follow_ups[1].done", "check_done_before_approval");
    /* The check recorded before (done 03-02) keeps its date. */
    expect_valid(good_case_with_id());
}

/* Once approved, a check recorded stays: no closing by deleting the one ahead. */
static void test_follow_up_not_removed(void **state)
{
    (void)state;
    store(good_case_with_id());
    json_t *doc = good_case_with_id();
    json_array_remove(fixture_node(doc, "fields.follow_ups"), 1);
    expect_valid(json_deep_copy(doc)); /* no plan approved yet: the official may rework it */
    store(meeting("KZ-11", "signed", "2026-02-20", 2, CASE_ID, "approve-plan", 5, 0));
    expect_only_code(doc, "fields.follow_ups", "check_removed");
    doc = good_case_with_id();
    put(doc, "fields", "follow_ups", json_array());
    expect_only_code(doc, "fields.follow_ups", "check_removed");
    doc = good_case_with_id();
    json_object_del(fixture_node(doc, "fields"), "follow_ups");
    expect_only_code(doc, "fields.follow_ups", "check_removed");
    /* Moved: the same as removed (and a new one added). */
    doc = good_case_with_id();
    put(doc, "fields.follow_ups[1]", "due", json_string("2026-06-01"));
    expect_only_code(doc, "fields.follow_ups", "check_removed");
    /* Its outcome recorded, and a check added: fine. */
    doc = good_case_with_id();
    put(doc, "fields.follow_ups[1]", "done", json_string("2026-03-10"));
    put(doc, "fields.follow_ups[1]", "outcome", json_string("effective"));
    json_array_append_new(fixture_node(doc, "fields.follow_ups"),
                          parse("{\"due\": \"2026-06-01\", \"measure\": 1}"));
    expect_valid(doc);
    /* An annulled meeting approves nothing. */
    forget_stored();
    store(good_case_with_id());
    store(meeting("KZ-11", "annulled", "2026-02-20", 2, CASE_ID, "approve-plan", 5, 0));
    doc = good_case_with_id();
    put(doc, "fields", "follow_ups", json_array());
    expect_valid(doc);
}

/* The measures the commission approved stay as approved; new ones may be
 * added, not dated before today. */
static void test_measures_frozen(void **state)
{
    (void)state;
    /* A new case: a measure due before today is refused. */
    expect_only_code(with("fields.measures[0]", "due", "\"2026-03-14\""),
                      "fields.measures[0].due", "measure_due_past");
    expect_valid_with("fields.measures[0]", "due", "\"2026-03-15\"");
    /* Stored with a due date now past: it stays, moved it is judged. */
    json_t *old = good_case_with_id();
    put(old, "fields.measures[0]", "due", json_string("2026-01-10"));
    store(old);
    json_t *doc = good_case_with_id();
    put(doc, "fields.measures[0]", "due", json_string("2026-01-10"));
    expect_valid(doc);
    doc = good_case_with_id();
    put(doc, "fields.measures[0]", "due", json_string("2026-01-11"));
    expect_only_code(doc, "fields.measures[0].due", "measure_due_past");
    doc = good_case_with_id();
    put(doc, "fields.measures[0]", "due", json_string("2026-01-10"));
    json_array_append_new(fixture_node(doc, "fields.measures"),
                          parse("{\"what\": \"Новая мера\", \"due\": \"2026-03-01\"}"));
    expect_only_code(doc, "fields.measures[2].due", "measure_due_past");

    /* Approved: what and due stay; who may change; new ones may follow. */
    store(meeting("KZ-11", "signed", "2026-02-20", 2, CASE_ID, "approve-plan", 5, 0));
    doc = good_case_with_id();
    put(doc, "fields.measures[0]", "due", json_string("2026-01-10"));
    put(doc, "fields.measures[0]", "who", json_string("Другой психолог"));
    json_array_append_new(fixture_node(doc, "fields.measures"),
                          parse("{\"what\": \"Новая мера\", \"due\": \"2026-05-01\"}"));
    expect_valid(doc);
    doc = good_case_with_id();
    put(doc, "fields.measures[0]", "due", json_string("2026-12-31"));
    expect_only_code(doc, "fields.measures[0]", "measure_frozen");
    doc = good_case_with_id();
    put(doc, "fields.measures[0]", "due", json_string("2026-01-10"));
    put(doc, "fields.measures[1]", "what", json_string("Другая мера"));
    expect_only_code(doc, "fields.measures[1]", "measure_frozen");
    doc = good_case_with_id();
    put(doc, "fields.measures[0]", "due", json_string("2026-01-10"));
    put(doc, "fields.measures[1]", "due", json_string("2026-04-01"));
    expect_only_code(doc, "fields.measures[1]", "measure_frozen");
    doc = good_case_with_id();
    put(doc, "fields.measures[0]", "due", json_string("2026-01-10"));
    json_array_remove(fixture_node(doc, "fields.measures"), 1);
    put(doc, "fields.follow_ups[1]", "measure", json_integer(1));
    /* The check of measure 2 is now another check: removed as well. */
    kenes_errors errs;
    assert_int_equal(validate(doc, &errs), KENES_EVALIDATION);
    assert_true(has_error(&errs, "fields.measures[1]"));
    kapi_errors_dispose(&errs);
}

/* The grounds' message names every ground there is. */
static void test_grounds_message_lists_all(void **state)
{
    (void)state;
    kenes_errors errs;
    assert_int_equal(validate(with("fields", "grounds", "[\"bullying\"]"), &errs),
                     KENES_EVALIDATION);
    const char *msg =
        json_string_value(json_object_get(json_array_get(errs.fields, 0), "message"));
    assert_non_null(msg);
    for (size_t i = 0; i < sizeof(all_grounds) / sizeof(all_grounds[0]); i++) {
        if (!strstr(msg, all_grounds[i]))
            print_message("missing %s in: %s\n", all_grounds[i], msg);
        assert_non_null(strstr(msg, all_grounds[i]));
    }
    kapi_errors_dispose(&errs);
}

/* ---- nothing of the child in any message --------------------------------- */

static const char *const secrets[] = {"Айгерим Нурланова", "Айгерим", "Нурланова",
                                      "айгерим", "нурланова", "АЙГЕРИМ", "НУРЛАНОВА",
                                      "2012-03-04", "ул. Абая 1", "Абая", "Школа №5",
                                      "Школа", "KZ11-0042"};

static int messages_seen;

static void assert_no_secret(const char *text)
{
    assert_non_null(text);
    messages_seen++;
    for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++) {
        if (strstr(text, secrets[i]))
            print_message("leak of \"%s\" in: %s\n", secrets[i], text);
        assert_null(strstr(text, secrets[i]));
    }
}

static void assert_errors_clean(const kenes_errors *errs)
{
    size_t i;
    json_t *e;
    json_array_foreach(errs->fields, i, e) {
        assert_no_secret(json_string_value(json_object_get(e, "path")));
        assert_no_secret(json_string_value(json_object_get(e, "message")));
    }
    if (errs->message[0])
        assert_no_secret(errs->message);
}

/* Validate doc (consumed), which must fail, and check every message. */
static void fails_cleanly(json_t *doc)
{
    kenes_errors errs;
    assert_int_equal(validate(doc, &errs), KENES_EVALIDATION);
    assert_true(errs.count > 0);
    assert_errors_clean(&errs);
    kapi_errors_dispose(&errs);
}

static void guard_fails_cleanly(const kenes_guard *g, json_t *doc)
{
    kenes_errors errs;
    assert_int_equal(run_guard(g, doc, &errs), KENES_EGUARD);
    assert_errors_clean(&errs);
    kapi_errors_dispose(&errs);
}

/* The good case (which holds exactly those values) with one thing changed. */
static void fails_with(const char *parent, const char *key, json_t *value)
{
    json_t *doc = good_case();
    put(doc, parent, key, value);
    fails_cleanly(doc);
}

static json_t *padded(const char *s)
{
    char buf[2048];
    size_t n = strlen(s);
    memcpy(buf, s, n);
    while (n < 1500)
        buf[n++] = 'x';
    buf[n] = '\0';
    return json_string(buf);
}

static void test_no_message_names_the_child(void **state)
{
    (void)state;
    messages_seen = 0;
    /* Each value judged wrong while still there for a message to repeat. */
    fails_with("fields.child", "full_name", padded("Айгерим Нурланова"));
    fails_with("fields.child", "address", padded("ул. Абая 1"));
    fails_with("fields.child", "school", padded("Школа №5"));
    fails_with("", "title", json_string("Айгерим Нурланова"));
    fails_with("", "title", json_string("Дело: Айгерим"));
    fails_with("", "title", padded("Айгерим Нурланова"));
    fails_with("fields.child", "pseudonym", json_string("Айгерим Нурланова"));
    fails_with("fields.child", "pseudonym", json_string("Aigerim-Nurlanova"));
    fails_with("fields.child", "pseudonym", padded("KZ11-0042"));
    fails_with("fields.child", "pseudonym", json_string("KZ11 0042"));
    fails_with("fields.child", "pseudonym", json_string("Abaya-7"));
    fails_with("fields.child", "pseudonym", json_string("KZ11-2012-03-04"));
    fails_with("fields.child", "pseudonym", json_string("KZ11-0005"));
    fails_with("", "title", json_string("АйгеримНурланова"));
    fails_with("", "title", json_string("Ａｉｇｅｒｉｍ"));
    fails_with("fields.child", "birth_date", json_string("Айгерим Нурланова"));
    fails_with("fields.child", "birth_date", json_string("ул. Абая 1"));
    fails_with("fields.child", "birth_date", json_string("2012-03-04 Школа №5"));
    fails_with("fields", "grounds", json_pack("[s, s]", "Айгерим Нурланова", "2012-03-04"));
    fails_with("fields", "decision", json_pack("[s]", "ул. Абая 1"));
    fails_with("fields.accompanier", "name", json_pack("{s:s}", "n", "Школа №5"));
    fails_with("fields.meeting", "participants", json_pack("[s, s]", "Школа №5", ""));
    fails_with("fields.meeting", "date", json_string("2012-03-04T00:00"));
    fails_with("fields.closure", "reason", json_string("Айгерим Нурланова"));
    fails_with("fields.follow_ups[0]", "outcome", json_string("ул. Абая 1"));
    fails_with("fields.follow_ups[0]", "due", json_string("Школа №5"));
    fails_with("fields.measures[0]", "due", json_string("2012-03-04x"));
    fails_with("fields.measures[0]", "what", json_pack("{s:s}", "Айгерим", "Нурланова"));
    fails_with("fields", "child", json_string("Айгерим Нурланова, 2012-03-04, ул. Абая 1"));
    fails_with("fields.child", "extra", json_string("Айгерим Нурланова"));
    fails_with("", "region", json_string("Айгерим Нурланова"));

    /* Born "today": the date itself is what is judged. */
    set_now("2012-03-04T12:00:00Z");
    fails_cleanly(good_case());
    set_now("2011-01-01T00:00:00Z");
    fails_cleanly(good_case());
    set_now(NOW);

    /* Many problems at once. */
    json_t *doc = good_case();
    put(doc, "", "title", json_string("АЙГЕРИМ НУРЛАНОВА"));
    put(doc, "fields.child", "pseudonym", json_string("aigerim"));
    put(doc, "fields.child", "birth_date", json_string("2112-03-04"));
    put(doc, "fields.child", "school", json_integer(5));
    put(doc, "fields", "grounds", json_array());
    fails_cleanly(doc);

    /* The guards' refusals of the same case. */
    guard_fails_cleanly(accompanier_assigned, with("fields.accompanier", "name", NULL));
    guard_fails_cleanly(measure_has_due_date, with("fields", "measures", NULL));
    guard_fails_cleanly(follow_ups_recorded, good_case());
    guard_fails_cleanly(plan_resolution_signed, good_case_with_id());
    guard_fails_cleanly(close_resolution_signed, good_case_with_id());
    guard_fails_cleanly(check_scheduled, with("fields", "follow_ups", "[]"));
    guard_fails_cleanly(closure_allowed, with("fields.closure", "reason", "\"goals-met\""));
    /* And a check dated before the plan's approval. */
    store(meeting("KZ-11", "signed", "2026-03-05", 2, CASE_ID, "approve-plan", 5, 0));
    fails_cleanly(good_case_with_id());

    /* Every scenario produced messages, and every one was read. */
    assert_true(messages_seen >= 40);
}

/* ---- report ------------------------------------------------------------- */

/* Milliseconds since the epoch of "2026-02-10T09:00:00Z". */
static long long ms_of(const char *rfc3339)
{
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    assert_non_null(strptime(rfc3339, "%Y-%m-%dT%H:%M:%SZ", &tm));
    return (long long)timegm(&tm) * 1000;
}

/* A history as the core gives it: created at the first time, then each
 * "time action from to" step ("2026-02-11T09:00:00Z start-review registered
 * under-review"), NULL-terminated. */
static json_t *history(const char *created, ...)
{
    json_t *h = json_pack("[{s:I, s:s, s:n, s:s}]", "time", (json_int_t)ms_of(created),
                          "action", "create", "from", "to", "registered");
    va_list ap;
    va_start(ap, created);
    for (const char *step; (step = va_arg(ap, const char *)) != NULL;) {
        char when[32], action[32], from[32], to[32];
        assert_int_equal(sscanf(step, "%31s %31s %31s %31s", when, action, from, to), 4);
        json_array_append_new(h, json_pack("{s:I, s:s, s:s, s:s}", "time",
                                           (json_int_t)ms_of(when), "action", action, "from",
                                           from, "to", to));
    }
    va_end(ap);
    return h;
}

/* The section cr writes for kind over docs and their histories
 * (both consumed; histories may be NULL), given what was published before
 * (NULL: never); free() it. */
static char *run_report_after(int kind, const char *region, json_t **docs, json_t **histories,
                              size_t n, const char *published)
{
    return fixture_report(cr, kind, region, docs, histories, n, published);
}

static char *run_report(int kind, const char *region, json_t **docs, json_t **histories,
                        size_t n)
{
    return run_report_after(kind, region, docs, histories, n, NULL);
}

/* What identifies child i of a report's cases; none may reach a report. */
typedef struct {
    char pseudonym[32], full_name[96], birth_date[16], birth_date_ru[16], school[64],
        address[64], id[96], uuid[48];
} child_secrets;

static void secrets_of(int i, child_secrets *c)
{
    snprintf(c->pseudonym, sizeof(c->pseudonym), "%s-%04d", i < 7 ? "K15" : "K11", 40 + i);
    snprintf(c->full_name, sizeof(c->full_name), "Тестовый Ребёнок Номер%d", i);
    snprintf(c->birth_date, sizeof(c->birth_date), "2012-0%d-1%d", 1 + i % 9, i % 10);
    snprintf(c->birth_date_ru, sizeof(c->birth_date_ru), "1%d.0%d.2012", i % 10, 1 + i % 9);
    snprintf(c->school, sizeof(c->school), "Лицей №%d", 42 + i);
    snprintf(c->address, sizeof(c->address), "ул. Абая %d", 100 + i);
    snprintf(c->uuid, sizeof(c->uuid), "3f1c2a9e-0000-4000-8000-0000000000%02d", i);
    snprintf(c->id, sizeof(c->id), "case/%s/%s", i < 7 ? "KZ-15" : "KZ-11", c->uuid);
}

/* good_case() as child i in region, in stage, with the keys a report's
 * documents carry; grounds replaced by the JSON list given, and no
 * follow-ups (add_follow_up adds them). */
static json_t *report_case(int i, const char *region, const char *stage, const char *grounds)
{
    child_secrets sc;
    secrets_of(i, &sc);
    json_t *doc = good_case();
    json_object_set_new(doc, "id", json_string(sc.id));
    json_object_set_new(doc, "region", json_string(region));
    json_object_set_new(doc, "stage", json_string(stage));
    json_object_set_new(doc, "title", json_string("Дело <script>alert(1)</script>"));
    json_object_set_new(doc, "due", json_null());
    json_object_set_new(doc, "overdue", json_string("false"));
    json_object_set_new(doc, "stage_since", json_string("2026-02-10T09:00:00Z"));
    json_t *child = fixture_node(doc, "fields.child");
    json_object_set_new(child, "pseudonym", json_string(sc.pseudonym));
    json_object_set_new(child, "full_name", json_string(sc.full_name));
    json_object_set_new(child, "birth_date", json_string(sc.birth_date));
    json_object_set_new(child, "school", json_string(sc.school));
    json_object_set_new(child, "address", json_string(sc.address));
    json_object_set_new(fixture_node(doc, "fields"), "decision",
                        json_string("# heading [x](javascript:alert(1))"));
    json_object_set_new(fixture_node(doc, "fields"), "grounds", parse(grounds));
    json_object_set_new(fixture_node(doc, "fields"), "follow_ups", json_array());
    return doc;
}

static void add_follow_up(json_t *doc, const char *json)
{
    assert_int_equal(json_array_append_new(fixture_node(doc, "fields.follow_ups"), parse(json)), 0);
}

/* secret is nowhere in md, escaped or not: report_text would write
 * "case\/KZ\-15\/..." for an id, so backslashes are dropped first. */
static void expect_absent(const char *md, const char *secret)
{
    char *plain = md_plain(md);
    if (strstr(md, secret) || strstr(plain, secret))
        fprintf(stderr, "the report holds \"%s\"\n", secret);
    assert_null(strstr(md, secret));
    assert_null(strstr(plain, secret));
    free(plain);
}

/* The text of month's release in md ("### 2026-02" up to the next "### "
 * or the end), malloc'd; NULL if md has none. */
static char *month_section(const char *md, const char *month)
{
    char head[32];
    snprintf(head, sizeof(head), "### %s", month);
    const char *p = md;
    while ((p = strstr(p, head)) != NULL && p != md && p[-1] != '\n')
        p++;
    if (!p)
        return NULL;
    const char *end = strstr(p + 4, "\n### ");
    size_t len = end ? (size_t)(end + 1 - p) : strlen(p);
    return strndup(p, len);
}

/* 11 cases, the clock on 15 March 2026 (February has closed, March not).
 * February: 7 created in KZ-15 (bullying victims; 0 also an offence, its
 * victim ground twice: one case counts once), reviewed, planned and
 * accompanied within the month, 0-4 with a check due on the 20th, done on
 * the 21st (late), not effective; 3 in KZ-11 (truancy), 9 of them closed in
 * March with a check due 1 March never made.  March: case 10 in KZ-11,
 * which no release may count yet. */
static size_t counted_cases(json_t **docs, json_t **hist)
{
    for (int i = 0; i < 7; i++) {
        docs[i] = report_case(i, "KZ-15", "in-accompaniment",
                              i == 0 ? "[\"bullying-victim\", \"offence\", \"bullying-victim\"]"
                                     : "[\"bullying-victim\"]");
        if (i < 5)
            add_follow_up(docs[i], "{\"due\": \"2026-02-20\", \"done\": \"2026-02-21\","
                                   " \"outcome\": \"not-effective\"}");
        add_follow_up(docs[i], "{\"due\": \"2026-03-01\", \"done\": null}");
        hist[i] = history("2026-02-10T09:00:00Z",
                          "2026-02-11T09:00:00Z start-review registered under-review",
                          "2026-02-12T09:00:00Z approve-plan under-review plan-approved",
                          "2026-02-13T09:00:00Z begin-accompaniment plan-approved in-accompaniment",
                          NULL);
    }
    for (int i = 7; i < 10; i++) {
        docs[i] = report_case(i, "KZ-11", i == 9 ? "closed" : "registered", "[\"truancy\"]");
        hist[i] = i < 9 ? history("2026-02-11T09:00:00Z", NULL)
                        : history("2026-02-11T09:00:00Z",
                                  "2026-03-01T09:00:00Z start-review registered under-review",
                                  "2026-03-02T09:00:00Z approve-plan under-review plan-approved",
                                  "2026-03-03T09:00:00Z begin-accompaniment plan-approved "
                                  "in-accompaniment",
                                  "2026-03-04T09:00:00Z request-closure in-accompaniment "
                                  "closure-requested",
                                  "2026-03-05T09:00:00Z close closure-requested closed", NULL);
    }
    add_follow_up(docs[9], "{\"due\": \"2026-03-01\"}");
    docs[10] = report_case(10, "KZ-11", "registered", "[\"family\"]");
    hist[10] = history("2026-03-02T09:00:00Z", NULL);
    return 11;
}

static void test_report_counts(void **state)
{
    (void)state;
    json_t *docs[11], *hist[11];
    size_t n = counted_cases(docs, hist);
    char *md = run_report(KENES_REPORT_CASES, NULL, docs, hist, n);

    assert_int_equal(strncmp(md, "## ", 3), 0);
    /* February only: March has not ended. */
    assert_int_equal(count_lines(md, "### "), 1);
    expect_line(md, "### 2026-02: февраль 2026 г.");

    /* 10 new cases: KZ-11's 3 is "< 5", and with the total shown it would
     * be 10 - 7, so KZ-15's 7 (the smallest other count) is withheld. */
    expect_line(md, "| Регион | Дел |");
    expect_line(md, "| Акмолинская область | < 5 |");
    expect_line(md, "| Актюбинская область | скрыто |");
    expect_line(md, "| область Абай | 0 |");
    expect_line(md, "| город Шымкент | 0 |");
    expect_line(md, "| **Всего** | 10 |");
    assert_int_equal(count_lines(md, "| Актюбинская область |"), 1);

    expect_line(md, "| Основание | Дел |");
    expect_line(md, "| Буллинг (пострадавший) | 7 |");
    expect_line(md, "| Буллинг (инициатор) | 0 |");
    expect_line(md, "| Правонарушение | < 5 |");
    expect_line(md, "| Пропуски занятий | < 5 |");
    expect_line(md, "| Семейное неблагополучие | 0 |"); /* case 10 is March's */
    expect_line(md, "| Другое | 0 |");

    /* The new cases' stages at the end of February (case 9 moved in
     * March): 3 registered is 10 - 7 again, so the 7 is withheld. */
    expect_line(md, "| Этап | Дел |");
    expect_line(md, "| Зарегистрировано | < 5 |");
    expect_line(md, "| На рассмотрении | 0 |");
    expect_line(md, "| Сопровождение | скрыто |");
    expect_line(md, "| Закрыто | 0 |");

    /* Checks done in February: 0-4's, by their done date. */
    expect_line(md, "| Меры неэффективны | 5 |");
    expect_line(md, "| Меры частично эффективны | 0 |");
    expect_line(md, "| **Всего** | 5 |");
    /* Due in February and not done in time: 0-4's (done a day late). */
    assert_non_null(strstr(md, "(без дел, закрытых к концу месяца): 5.\n"));

    /* 20 regions + total, 12 grounds, 6 stages, 4 outcomes + total, each under a header. */
    assert_int_equal(count_lines(md, "| "), 21 + 12 + 6 + 5 + 4);
    assert_int_equal(count_lines(md, "|---|"), 4);
    free(md);
}

/* The report in Kazakh and English: its own words, the regions' names in
 * that language, the same figures. */
static void test_report_in_kazakh_and_english(void **state)
{
    (void)state;
    json_t *docs[11], *hist[11];
    size_t n = counted_cases(docs, hist);
    char *md = fixture_report_in(cr, KENES_REPORT_CASES, NULL, "kk", docs, hist, n, NULL);
    assert_non_null(strstr(md, "## Айлар бойынша істер мен бақылау тексерулері\n\n"));
    expect_line(md, "### 2026-02: 2026 жылғы ақпан");
    expect_line(md, "| Өңір | Істер |");
    expect_line(md, "| Ақмола облысы | < 5 |");
    expect_line(md, "| Ақтөбе облысы | жасырылған |");
    expect_line(md, "| Астана қаласы | 0 |");
    expect_line(md, "| **Барлығы** | 10 |");
    expect_line(md, "| Буллинг (зардап шегуші) | 7 |");
    expect_line(md, "| Суицид немесе өзіне зиян келтіру қаупі | 0 |");
    expect_line(md, "| Шаралар нәтижесіз | 5 |");
    assert_non_null(strstr(md, "(ай соңына дейін жабылған істерсіз): 5.\n"));
    assert_null(strstr(md, "Регион"));
    assert_null(strstr(md, "скрыто"));
    assert_null(strstr(md, "Всего"));
    free(md);
    n = counted_cases(docs, hist);
    md = fixture_report_in(cr, KENES_REPORT_CASES, NULL, "en", docs, hist, n, NULL);
    expect_line(md, "### 2026-02: February 2026");
    expect_line(md, "| Region | Cases |");
    expect_line(md, "| Akmola Region | < 5 |");
    expect_line(md, "| Aktobe Region | withheld |");
    expect_line(md, "| Running away from home | 0 |");
    expect_line(md, "| **Total** | 5 |");
    assert_non_null(strstr(md, "(cases closed by the month's end left out): 5.\n"));
    free(md);
}

/* A language published for the first time is handed the Russian text: its
 * closed months say what the Russian release said, cell by cell, even when
 * the cases have changed since (counted again, they could be differenced). */
static void test_report_a_new_language_writes_the_russian_release(void **state)
{
    (void)state;
    static const char *const langs[] = {"kk", "en"};
    json_t *docs[11], *hist[11];
    size_t n = counted_cases(docs, hist);
    char *ru = fixture_report_in(cr, KENES_REPORT_CASES, NULL, "ru", docs, hist, n, NULL);
    for (size_t l = 0; l < 2; l++) {
        n = counted_cases(docs, hist);
        char *counted = fixture_report_in(cr, KENES_REPORT_CASES, NULL, langs[l], docs, hist, n,
                                          NULL);
        /* KZ-11's three February cases gone since (erased): counting again
         * would say so; the release must not. */
        n = counted_cases(docs, hist);
        for (int i = 7; i < 10; i++) {
            json_decref(docs[i]);
            json_decref(hist[i]);
        }
        docs[7] = docs[10];
        hist[7] = hist[10];
        char *copied = fixture_report_in(cr, KENES_REPORT_CASES, NULL, langs[l], docs, hist, 8,
                                         ru);
        assert_string_equal(copied, counted);
        free(counted);
        free(copied);
    }
    free(ru);
}

/* The difference attack of issue 11: one case more changes no published
 * figure while its month runs, and once the month closes its release says
 * "< 5" in a way nobody can subtract to. */
static void test_report_a_new_case_changes_nothing_until_its_month_closes(void **state)
{
    (void)state;
    set_now("2026-02-27T10:00:00Z");
    json_t *docs[11], *hist[11];
    size_t n = counted_cases(docs, hist) - 1; /* without case 10 */
    json_decref(docs[n]);
    json_decref(hist[n]);
    char *before = run_report(KENES_REPORT_CASES, NULL, docs, hist, n);
    n = counted_cases(docs, hist);
    json_decref(docs[10]);
    json_decref(hist[10]);
    docs[10] = report_case(10, "KZ-10", "registered", "[\"family\"]");
    hist[10] = history("2026-02-27T09:00:00Z", NULL);
    char *after = run_report(KENES_REPORT_CASES, NULL, docs, hist, n);
    assert_string_equal(before, after);
    expect_line(after, "Ни один месяц с делами ещё не закончился.");
    free(after);

    set_now("2026-03-01T00:00:00Z");
    n = counted_cases(docs, hist);
    json_decref(docs[10]);
    json_decref(hist[10]);
    docs[10] = report_case(10, "KZ-10", "registered", "[\"family\"]");
    hist[10] = history("2026-02-27T09:00:00Z", NULL);
    after = run_report(KENES_REPORT_CASES, NULL, docs, hist, n);
    expect_line(after, "| область Абай | < 5 |");
    expect_line(after, "| **Всего** | 11 |");
    /* Abai's 1 and Akmola's 3 are 11 - 7 = 4 together: 1 + 3, 2 + 2 or
     * 3 + 1, so neither is known and KZ-15's 7 may be shown. */
    expect_line(after, "| Актюбинская область | 7 |");
    expect_line(after, "| Семейное неблагополучие | < 5 |");
    free(before);
    free(after);
}

/* A release is computed once: whatever happens to the cases afterwards
 * (an erasure, a late edit), the month is copied as published; the next
 * month is added above it. */
static void test_report_a_closed_month_never_changes(void **state)
{
    (void)state;
    json_t *docs[11], *hist[11];
    size_t n = counted_cases(docs, hist);
    char *md = run_report(KENES_REPORT_CASES, NULL, docs, hist, n);
    size_t cap = strlen(md) + 64;
    char *published = malloc(cap);
    assert_non_null(published);
    snprintf(published, cap, "# Рассмотрение дел\n\n%s", md); /* the core's title before it */
    char *feb = month_section(md, "2026-02");
    assert_non_null(feb);

    /* Case 0 erased (the core no longer lists it), case 7 given a check
     * done in February: same day, same text. */
    n = counted_cases(docs, hist);
    json_decref(docs[0]);
    json_decref(hist[0]);
    docs[0] = docs[--n];
    hist[0] = hist[n];
    add_follow_up(docs[7], "{\"due\": \"2026-02-25\", \"done\": \"2026-02-25\","
                           " \"outcome\": \"effective\"}");
    char *again = run_report_after(KENES_REPORT_CASES, NULL, docs, hist, n, published);
    assert_string_equal(again, md);
    free(again);

    /* April: March's release appears above February's, which is as it was. */
    set_now("2026-04-01T00:00:01Z");
    n = counted_cases(docs, hist);
    char *april = run_report_after(KENES_REPORT_CASES, NULL, docs, hist, n, published);
    char *feb_again = month_section(april, "2026-02");
    assert_non_null(feb_again);
    assert_string_equal(feb_again, feb);
    char *mar = month_section(april, "2026-03");
    assert_non_null(mar);
    assert_true(strstr(april, "### 2026-03") < strstr(april, "### 2026-02"));
    /* March: case 10 created, still registered; case 9's closure is not
     * a new case's. */
    expect_line(mar, "| Семейное неблагополучие | < 5 |");
    expect_line(mar, "| Зарегистрировано | < 5 |");
    expect_line(mar, "| **Всего** | < 5 |");
    expect_line(mar, "| Закрыто | 0 |");
    /* Due on 1 March and never done: 0-6's (open); not 9's (closed by then). */
    assert_non_null(strstr(mar, "(без дел, закрытых к концу месяца): 7.\n"));
    free(mar);
    free(feb_again);
    free(april);
    free(feb);
    free(published);
    free(md);
}

/* Nothing of a child, and nothing any case says, ever reaches the report. */
static void test_report_names_no_child(void **state)
{
    (void)state;
    set_now("2026-04-01T00:00:01Z"); /* February and March both */
    json_t *docs[11], *hist[11];
    size_t n = counted_cases(docs, hist);
    char *md = run_report(KENES_REPORT_CASES, NULL, docs, hist, n);
    assert_int_equal(count_lines(md, "### "), 2);
    for (int i = 0; i < 10; i++) {
        child_secrets sc;
        secrets_of(i, &sc);
        expect_absent(md, sc.pseudonym);
        expect_absent(md, sc.full_name);
        expect_absent(md, sc.birth_date);
        expect_absent(md, sc.birth_date_ru);
        expect_absent(md, sc.school);
        expect_absent(md, sc.address);
        expect_absent(md, sc.id);
        expect_absent(md, sc.uuid);
    }
    /* Nor the rest of a case: title, decision, accompanier, dates, measures. */
    static const char *const rest[] = {
        "Нурланова", "Ержан", "Сапаров", "Центр ППР", "Беседы с классом", "Продолжить беседы",
        "Школьный психолог", "Секретарь комиссии", "script", "javascript", "heading",
        "Назначить", "2026-02-", "2026-03-", "10.02.2026", "01.03.2026", "case/", "K15", "K11",
        "KZ-"};
    for (size_t k = 0; k < sizeof(rest) / sizeof(rest[0]); k++)
        expect_absent(md, rest[k]);
    free(md);
}

/* Cases have no part in the national and regional reports. */
static void test_report_other_kinds_write_nothing(void **state)
{
    (void)state;
    for (int kind = KENES_REPORT_NATIONAL; kind <= KENES_REPORT_REGION; kind++) {
        json_t *docs[11], *hist[11];
        size_t n = counted_cases(docs, hist);
        char *md = run_report(kind, kind == KENES_REPORT_REGION ? "KZ-15" : NULL, docs, hist, n);
        assert_string_equal(md, "");
        free(md);
    }
}

/* With no cases at all: no month to publish, and no table. */
static void test_report_without_cases(void **state)
{
    (void)state;
    char *md = run_report(KENES_REPORT_CASES, NULL, NULL, NULL, 0);
    expect_line(md, "Ни один месяц с делами ещё не закончился.");
    assert_int_equal(count_lines(md, "| "), 0);
    free(md);
}

/* 330,000 empty follow-ups (a 1 MiB body): the core lists KENES_ERRORS_MAX
 * problems and the plugin stops once the list is full, so the reports made
 * (errs.count) are a handful past the cap, not several per follow-up. */
static void test_problems_are_capped(void **state)
{
    (void)state;
    json_t *doc = good_case();
    json_t *list = json_array();
    for (int i = 0; i < 330000; i++)
        json_array_append_new(list, json_object());
    put(doc, "fields", "follow_ups", list);
    kenes_errors errs;
    assert_int_equal(validate(doc, &errs), KENES_EVALIDATION);
    assert_int_equal(json_array_size(errs.fields), KENES_ERRORS_MAX);
    assert_true(has_error(&errs, "fields.follow_ups[0].due"));
    assert_true(kapi_get()->errors_full(&errs));
    assert_true(errs.count < KENES_ERRORS_MAX + 10);
    kapi_errors_dispose(&errs);
}

/* ---- transfers (issue 15, part refer) --------------------------------------- */

/* fields.transfer, recorded by `transfer`: another region the core knows,
 * and a reason.  Codes as the core's `moves` answers them. */
static void test_transfer(void **state)
{
    (void)state;
    expect_valid_with("fields", "transfer",
                      "{\"to\": \"KZ-15\", \"reason\": \"Семья переехала\"}");
    static const struct {
        const char *value, *path, *code;
    } bad[] = {
        {"{\"to\": \"KZ-11\", \"reason\": \"Переезд\"}", "fields.transfer.to", "region_same"},
        {"{\"to\": \"KZ-99\", \"reason\": \"Переезд\"}", "fields.transfer.to", "region_unknown"},
        {"{\"to\": 15, \"reason\": \"Переезд\"}", "fields.transfer.to", "region_unknown"},
        {"{\"reason\": \"Переезд\"}", "fields.transfer.to", "required"},
        {"{\"to\": \"KZ-15\"}", "fields.transfer.reason", "required"},
        {"{\"to\": \"KZ-15\", \"reason\": \"  \"}", "fields.transfer.reason", "blank"},
        {"{\"to\": \"KZ-15\", \"reason\": \"x\", \"by\": \"y\"}", "fields.transfer.by",
         "unknown_key"},
        {"\"KZ-15\"", "fields.transfer", "not_object"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        kenes_errors errs;
        assert_int_equal(validate(with("fields", "transfer", bad[i].value), &errs),
                         KENES_EVALIDATION);
        const json_t *e = json_array_get(errs.fields, 0);
        if (json_array_size(errs.fields) != 1)
            print_errors(bad[i].path, &errs);
        assert_int_equal(json_array_size(errs.fields), 1);
        assert_string_equal(json_string_value(json_object_get(e, "path")), bad[i].path);
        assert_string_equal(json_string_value(json_object_get(e, "code")), bad[i].code);
        kapi_errors_dispose(&errs);
    }
}

int main(void)
{
#define T(f) cmocka_unit_test_setup(f, reset_clock)
    const struct CMUnitTest tests[] = {
        T(test_problems_are_capped),
        T(test_guard_referrals_settled),
        T(test_descriptor),
        T(test_good_case_passes),
        T(test_minimal_case_passes),
        T(test_optional_fields_null),
        T(test_region),
        T(test_title_optional),
        T(test_title_length),
        T(test_title_blank),
        T(test_title_invalid_utf8),
        T(test_title_contains_full_name),
        T(test_title_contains_name_part),
        T(test_title_kazakh_name),
        T(test_title_near_name_passes),
        T(test_body),
        T(test_unknown_field),
        T(test_fields_missing),
        T(test_child_shape),
        T(test_pseudonym_required),
        T(test_pseudonym_length),
        T(test_pseudonym_characters),
        T(test_pseudonym_equals_full_name),
        T(test_pseudonym_spells_name),
        T(test_pseudonym_unrelated_passes),
        T(test_title_joined_or_split_name),
        T(test_title_unicode_variants),
        T(test_pseudonym_birth_date),
        T(test_pseudonym_school_number),
        T(test_pseudonym_address),
        T(test_pseudonym_digits_and_dates),
        T(test_pseudonym_messages),
        T(test_refuses_an_api_table_without_text_fold),
        T(test_folds_through_the_core),
        T(test_full_name),
        T(test_birth_date),
        T(test_birth_date_today_is_utc),
        T(test_address_and_school),
        T(test_grounds_shape),
        T(test_grounds_values),
        T(test_grounds_unique),
        T(test_meeting),
        T(test_decision),
        T(test_accompanier),
        T(test_measures),
        T(test_follow_ups_shape),
        T(test_follow_up_due),
        T(test_follow_up_done),
        T(test_follow_up_outcome_values),
        T(test_follow_up_outcome_needs_done),
        T(test_follow_up_next_steps),
        T(test_closure),
        T(test_all_errors_at_once),
        T(test_make_id),
        T(test_summary_adds_only_pseudonym),
        T(test_summary_skips_bad_pseudonym),
        T(test_summary_judges_by_todays_rules),
        T(test_guard_accompanier_assigned),
        T(test_guard_measure_has_due_date),
        T(test_guard_follow_ups_recorded_clock),
        T(test_guard_follow_ups_recorded),
        T(test_guard_follow_ups_recorded_reason),
        T(test_guard_plan_resolution_signed),
        T(test_guard_resolution_latest_counts),
        T(test_guard_resolution_unreadable),
        T(test_guard_check_scheduled),
        T(test_guard_closure_allowed),
        T(test_follow_up_measure),
        T(test_follow_up_measure_only_new),
        T(test_follow_up_before_approval),
        T(test_follow_up_done_after_approval),
        T(test_follow_up_not_removed),
        T(test_measures_frozen),
        T(test_grounds_message_lists_all),
        T(test_no_message_names_the_child),
        T(test_report_counts),
        T(test_report_in_kazakh_and_english),
        T(test_report_a_new_language_writes_the_russian_release),
        T(test_report_a_new_case_changes_nothing_until_its_month_closes),
        T(test_report_a_closed_month_never_changes),
        T(test_report_names_no_child),
        T(test_report_other_kinds_write_nothing),
        T(test_report_without_cases),
        T(test_transfer),
    };
#undef T
    return cmocka_run_group_tests(tests, setup_group, teardown_group);
}
