/*
 * The commission-roster plugin, loaded from build/plugins/commission-roster.so
 * the way the server loads it, against real regions (content/regions.yaml).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin/kapi.h"
#include "plugin/loader.h"
#include "plugin/region.h"
#include "plugin_fixture.h"


#define COMMISSION_ROSTER KENES_PLUGIN_BUILD_DIR "/commission-roster.so"
#define REGIONS KENES_SOURCE_DIR "/content/regions.yaml"

static const kenes_doctype *roster;
static const kenes_guard *act_recorded;

static int setup_group(void **state)
{
    (void)state;
    return plugin_fixture_setup(&roster, COMMISSION_ROSTER, REGIONS, "commission-roster",
                                "roster_act_recorded", &act_recorded, NULL);
}

/* ---- a good roster ------------------------------------------------------ */

static json_t *member(const char *full_name, const char *position, const char *organisation,
                      const char *role, const char *category)
{
    json_t *m = json_pack("{s:s, s:s, s:s, s:s, s:s}", "full_name", full_name, "position", position,
                          "organisation", organisation, "role", role, "category", category);
    assert_non_null(m);
    return m;
}

/* A roster that passes every rule; each test breaks one thing.  Members 3-5
 * are plain members of the classic categories, so changing one of them
 * breaks nothing else; 6-9 are the four widened categories, one each. */
static json_t *good_roster(void)
{
    json_t *members = json_pack(
        "[o, o, o, o, o, o, o, o, o, o]",
        member("Сейткали Айгерим Бекетовна", "заместитель акима области",
               "Акимат Акмолинской "
               "области",
               "chair", "state-body"),
        member("Петров Сергей Иванович", "начальник управления", "Департамент полиции",
               "deputy-chair", "law-enforcement"),
        member("Жумабаева Гульнара Сериковна", "главный специалист",
               "Управление координации "
               "занятости и социальных программ",
               "secretary", "social-protection"),
        member("Әлиев Нұрлан Қайратұлы", "руководитель управления", "Управление образования",
               "member", "education"),
        member("Ким Елена Викторовна", "главный врач", "Областной центр психического здоровья",
               "member", "health"),
        member("Оспанов Ерлан Маратович", "депутат", "Маслихат Акмолинской области", "member",
               "maslikhat-deputy"),
        member("Абдрахманова Динара Асхатовна", "детский психолог, кандидат наук",
               "Кокшетауский университет", "member", "expert-community"),
        member("Иванова Ольга Петровна", "председатель", "Союз родителей Акмолинской области",
               "member", "parents-organisation"),
        member("Сарсенов Айдос Ерланович", "директор", "ОФ «Балалар қорғауы»", "member", "ngo"),
        member("Токтарова Салтанат Жумабековна", "член совета",
               "Общественный совет Акмолинской области", "member", "public-council"));
    json_t *doc = json_pack(
        "{s:s, s:s, s:s, s:s, s:{s:s, s:s, s:o}, s:s}", "type", "commission-roster", "region",
        "KZ-11", "title", "Состав комиссии по делам несовершеннолетних Акмолинской области",
        "stage", "draft", "fields", "order_date", "2026-02-03", "order_number", "15-р", "members",
        members, "body", "# Состав комиссии\n\nЧлены комиссии перечислены в полях.\n");
    assert_non_null(doc);
    return doc;
}

static json_t *fields_of(json_t *doc)
{
    return json_object_get(doc, "fields");
}

static json_t *members_of(json_t *doc)
{
    return json_object_get(fields_of(doc), "members");
}

static json_t *member_of(json_t *doc, size_t i)
{
    return json_array_get(members_of(doc), i);
}

static void set_member(json_t *doc, size_t i, const char *key, json_t *value)
{
    if (value)
        json_object_set_new(member_of(doc, i), key, value);
    else
        json_object_del(member_of(doc, i), key);
}

/* ---- the plugin as loaded ----------------------------------------------- */

static void test_descriptor(void **state)
{
    (void)state;
    const kenes_plugin *p = plugin_at(plugins, 0);
    assert_string_equal(p->name, "commission-roster");
    assert_int_equal(p->abi_version, KENES_ABI_VERSION);
    assert_string_equal(roster->name, "commission-roster");
    assert_string_equal(roster->noun, "commission roster");
    /* Members are adults in a public role: the ordinary repository, listed. */
    assert_true(roster->repository == NULL || strcmp(roster->repository, "documents") == 0);
    assert_int_equal(roster->flags & KENES_DOCTYPE_CONFIDENTIAL, 0);
    assert_null(p->types[1].name);
    assert_string_equal(p->guards[0].name, "roster_act_recorded");
    assert_null(p->guards[1].name);
    assert_null(plugin_find_guard(plugins, "comment_required")); /* that is plugins/common */
}

/* An api table from before parse_date was appended is refused at load. */
static void test_refuses_an_older_api_table(void **state)
{
    (void)state;
    kenes_api old = *api;
    old.struct_size = offsetof(kenes_api, parse_date);
    plugin_set *set;
    char err[512];
    assert_int_equal(plugin_set_new(&set, &old), 0);
    assert_true(plugin_load(set, COMMISSION_ROSTER, err, sizeof(err)) < 0);
    assert_non_null(strstr(err, "commission-roster.so"));
    assert_int_equal(plugin_count(set), 0);
    plugin_set_free(set);
}

static void test_good_roster_passes(void **state)
{
    (void)state;
    expect_valid(good_roster());
}

/* order_number, the deputy chair, the act and the body are optional. */
static void test_minimal_roster_passes(void **state)
{
    (void)state;
    json_t *doc = good_roster();
    json_object_del(fields_of(doc), "order_number");
    json_object_del(doc, "body");
    set_member(doc, 1, "role", json_string("member"));
    expect_valid(doc);
}

static void test_more_members_pass(void **state)
{
    (void)state;
    json_t *doc = good_roster();
    /* A second secretary, and more than one member per category. */
    json_array_append_new(members_of(doc),
                          member("Бекова Аружан", "ведущий специалист", "Управление образования",
                                 "secretary", "education"));
    json_array_append_new(members_of(doc),
                          member("Нуров Тимур", "волонтёр", "ОЮЛ «Жастар»", "member", "ngo"));
    expect_valid(doc);
}

/* ---- region, title, body ------------------------------------------------ */

static void test_region(void **state)
{
    (void)state;
    const char *bad[] = {"KZ-99", "kz-11", "", "KZ-11 ", "../KZ-11"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        json_t *doc = good_roster();
        json_object_set_new(doc, "region", json_string(bad[i]));
        expect_only_error(doc, "region");
    }
    json_t *doc = good_roster();
    json_object_del(doc, "region");
    expect_only_error(doc, "region");
    for (size_t i = 0; i < region_count(); i++) {
        doc = good_roster();
        json_object_set_new(doc, "region", json_string(region_at(i)->code));
        expect_valid(doc);
    }
}

static json_t *roster_with(const char *key, json_t *value)
{
    json_t *doc = good_roster();
    if (value)
        json_object_set_new(doc, key, value);
    else
        json_object_del(doc, key);
    return doc;
}

static void test_title(void **state)
{
    (void)state;
    expect_valid(roster_with("title", repeat("Қ", 200)));
    expect_valid(roster_with("title", json_string("С")));
    expect_only_error(roster_with("title", repeat("Қ", 201)), "title");
    expect_only_error(roster_with("title", json_string("")), "title");
    expect_only_error(roster_with("title", json_string(" \xe3\x80\x80")), "title");
    expect_only_error(roster_with("title", json_string_nocheck("Состав \xff")), "title");
    expect_only_error(roster_with("title", NULL), "title");
}

static json_t *body_of(size_t bytes)
{
    char *s = malloc(bytes + 1);
    assert_non_null(s);
    memset(s, 'x', bytes);
    s[bytes] = '\0';
    json_t *j = json_string(s);
    free(s);
    return j;
}

static void test_body(void **state)
{
    (void)state;
    expect_valid(roster_with("body", body_of(256 * 1024)));
    expect_only_error(roster_with("body", body_of(256 * 1024 + 1)), "body");
    expect_only_error(roster_with("body", json_string_nocheck("# Состав\n\xd0")), "body");
}

/* ---- fields ------------------------------------------------------------- */

static json_t *roster_with_field(const char *key, json_t *value)
{
    json_t *doc = good_roster();
    if (value)
        json_object_set_new(fields_of(doc), key, value);
    else
        json_object_del(fields_of(doc), key);
    return doc;
}

static void test_order_date(void **state)
{
    (void)state;
    /* Optional: the national order sets the deadline (content/orders.yaml). */
    expect_valid(roster_with_field("order_date", NULL));
    expect_valid(roster_with_field("order_date", json_null()));
    const char *bad[] = {"2026-02-30", "2026-13-01",  "31.01.2026", "2026-02",     "2026-Q1",
                         "2026-2-3",   " 2026-02-03", "2026-+2-03", "2026-02-03Z", ""};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_only_error(roster_with_field("order_date", json_string(bad[i])),
                          "fields.order_date");
    expect_only_error(roster_with_field("order_date", json_integer(20260203)), "fields.order_date");
    expect_valid(roster_with_field("order_date", json_string("2028-02-29")));
}

static void test_order_number(void **state)
{
    (void)state;
    expect_valid(roster_with_field("order_number", json_string("№ 15-р")));
    expect_only_error(roster_with_field("order_number", json_string("")), "fields.order_number");
    expect_only_error(roster_with_field("order_number", json_string("\xc2\xa0")),
                      "fields.order_number");
    expect_only_error(roster_with_field("order_number", json_integer(15)), "fields.order_number");
    expect_only_error(roster_with_field("order_number", json_null()), "fields.order_number");
}

static void test_unknown_field(void **state)
{
    (void)state;
    expect_only_error(roster_with_field("colour", json_string("red")), "fields.colour");
    expect_only_error(roster_with_field("period", json_integer(2026)), "fields.period");
}

/* ---- members: shape ----------------------------------------------------- */

static void test_members_missing(void **state)
{
    (void)state;
    expect_only_error(roster_with_field("members", NULL), "fields.members");
}

static void test_members_not_a_list(void **state)
{
    (void)state;
    expect_only_error(roster_with_field("members", json_object()), "fields.members");
    expect_only_error(roster_with_field("members", json_string("все")), "fields.members");
    expect_only_error(roster_with_field("members", json_null()), "fields.members");
}

/* What the list check (the SDK's chk_list) says: what belongs there, or
 * that it must be a list. */
static void test_members_messages(void **state)
{
    (void)state;
    expect_only_error_mentioning(roster_with_field("members", NULL), "fields.members",
                                 "is required: the list of the commission's members, with "
                                 "exactly one chair and at least one secretary");
    expect_only_error_mentioning(roster_with_field("members", json_null()), "fields.members",
                                 "must be a list of members");
}

/* An empty list has no chair, no secretary and none of the four widened
 * categories: six errors, all at fields.members. */
static void test_members_empty(void **state)
{
    (void)state;
    kenes_errors errs;
    assert_int_equal(validate(roster_with_field("members", json_array()), &errs),
                     KENES_EVALIDATION);
    assert_int_equal(json_array_size(errs.fields), 6);
    size_t i;
    json_t *e;
    json_array_foreach(errs.fields, i, e)
        assert_string_equal(json_string_value(json_object_get(e, "path")), "fields.members");
    kapi_errors_dispose(&errs);
}

static void test_member_not_an_object(void **state)
{
    (void)state;
    json_t *bad[] = {json_string("Иванов Иван"), json_array(), json_null(), json_integer(3)};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        json_t *doc = good_roster();
        json_array_set_new(members_of(doc), 3, bad[i]);
        expect_only_error(doc, "fields.members[3]");
    }
}

static const char *const member_keys[] = {"full_name", "position", "organisation", "role",
                                          "category"};

static void test_member_fields_required(void **state)
{
    (void)state;
    for (size_t k = 0; k < 5; k++) {
        char path[64];
        snprintf(path, sizeof(path), "fields.members[3].%s", member_keys[k]);
        json_t *doc = good_roster();
        set_member(doc, 3, member_keys[k], NULL);
        expect_only_error(doc, path);
    }
}

/* Every member field is a non-empty string. */
static void test_member_fields_are_text(void **state)
{
    (void)state;
    for (size_t k = 0; k < 5; k++) {
        char path[64];
        snprintf(path, sizeof(path), "fields.members[3].%s", member_keys[k]);
        json_t *bad[] = {json_string(""),      json_string("  "), json_string("\xe2\x80\x83"),
                         json_integer(1),      json_null(),       json_true(),
                         json_pack("[s]", "x")};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
            json_t *doc = good_roster();
            set_member(doc, 3, member_keys[k], bad[i]);
            expect_only_error(doc, path);
        }
    }
}

static void test_role_unknown(void **state)
{
    (void)state;
    const char *bad[] = {"Chair", "deputy_chair", "председатель", "observer", " member"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        json_t *doc = good_roster();
        set_member(doc, 3, "role", json_string(bad[i]));
        expect_only_error(doc, "fields.members[3].role");
    }
}

static void test_category_unknown(void **state)
{
    (void)state;
    const char *bad[] = {"NGO", "parents", "public_council", "police", "experts", "state"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        json_t *doc = good_roster();
        set_member(doc, 3, "category", json_string(bad[i]));
        expect_only_error(doc, "fields.members[3].category");
    }
}

static void test_every_category_and_role_passes(void **state)
{
    (void)state;
    const char *categories[] = {"state-body",       "law-enforcement",      "education",
                                "health",           "social-protection",    "maslikhat-deputy",
                                "expert-community", "parents-organisation", "ngo",
                                "public-council"};
    for (size_t i = 0; i < 10; i++) {
        json_t *doc = good_roster();
        set_member(doc, 3, "category", json_string(categories[i]));
        expect_valid(doc);
    }
    const char *roles[] = {"member", "secretary"};
    for (size_t i = 0; i < 2; i++) {
        json_t *doc = good_roster();
        set_member(doc, 3, "role", json_string(roles[i]));
        expect_valid(doc);
    }
}

static void test_unknown_member_key(void **state)
{
    (void)state;
    json_t *doc = good_roster();
    set_member(doc, 3, "phone", json_string("+7 701 000 00 00"));
    expect_only_error(doc, "fields.members[3].phone");

    doc = good_roster();
    set_member(doc, 8, "Role", json_string("member"));
    expect_only_error(doc, "fields.members[8].Role");
}

/* ---- members: the commission's make-up ---------------------------------- */

static void test_no_chair(void **state)
{
    (void)state;
    json_t *doc = good_roster();
    set_member(doc, 0, "role", json_string("member"));
    expect_only_error_mentioning(doc, "fields.members", "chair");

    /* A chair whose role is misspelt is no chair either, and both are said. */
    doc = good_roster();
    set_member(doc, 0, "role", json_string("Chair"));
    expect_errors(doc, "fields.members[0].role", "fields.members", NULL);
}

/* The second chair is the one pointed at; its message names the first. */
static void test_two_chairs(void **state)
{
    (void)state;
    json_t *doc = good_roster();
    set_member(doc, 4, "role", json_string("chair"));
    expect_only_error_mentioning(doc, "fields.members[4].role", "fields.members[0]");

    doc = good_roster();
    set_member(doc, 4, "role", json_string("chair"));
    set_member(doc, 5, "role", json_string("chair"));
    expect_errors(doc, "fields.members[4].role", "fields.members[5].role", NULL);
}

static void test_no_secretary(void **state)
{
    (void)state;
    json_t *doc = good_roster();
    set_member(doc, 2, "role", json_string("member"));
    expect_only_error_mentioning(doc, "fields.members", "secretary");
}

static void test_two_deputy_chairs(void **state)
{
    (void)state;
    json_t *doc = good_roster();
    set_member(doc, 5, "role", json_string("deputy-chair"));
    expect_only_error_mentioning(doc, "fields.members[5].role", "fields.members[1]");
}

/* Each of the four widened categories needs a member; the error names it. */
static void test_each_widened_category_required(void **state)
{
    (void)state;
    const char *widened[] = {"expert-community", "parents-organisation", "ngo", "public-council"};
    for (size_t k = 0; k < 4; k++) {
        json_t *doc = good_roster();
        set_member(doc, 6 + k, "category", json_string("education"));
        expect_only_error_mentioning(doc, "fields.members", widened[k]);
    }
    /* The member's role does not matter: a chair from an NGO counts. */
    json_t *doc = good_roster();
    set_member(doc, 0, "category", json_string("ngo"));
    set_member(doc, 8, "category", json_string("state-body"));
    expect_valid(doc);
}

/* The classic categories are not required: only the widened four are. */
static void test_classic_categories_optional(void **state)
{
    (void)state;
    json_t *doc = good_roster();
    for (size_t i = 0; i < 6; i++)
        set_member(doc, i, "category", json_string("expert-community"));
    expect_valid(doc);
}

/* ---- members: nobody twice ---------------------------------------------- */

static void expect_duplicate(const char *earlier, const char *later)
{
    json_t *doc = good_roster();
    set_member(doc, 3, "full_name", json_string(earlier));
    set_member(doc, 9, "full_name", json_string(later));
    expect_only_error_mentioning(doc, "fields.members[9].full_name", "fields.members[3]");
}

static void test_duplicate_person(void **state)
{
    (void)state;
    expect_duplicate("Иванов Иван Иванович", "Иванов Иван Иванович");
    /* Case-insensitively, Cyrillic and Kazakh letters included. */
    expect_duplicate("Иванов Иван Иванович", "ИВАНОВ иван иванович");
    expect_duplicate("Әлиев Нұрлан Қайратұлы", "ӘЛИЕВ НҰРЛАН ҚАЙРАТҰЛЫ");
    expect_duplicate("Ғалымжан Өмірзақ Үмбетұлы", "ғалымжан өмірзақ үмбетұлы");
    expect_duplicate("Іңкәр Һ", "ІҢКӘР һ");
    expect_duplicate("Ёлкин Ёжи", "ёлкин ёжи");
    expect_duplicate("Älïev Nurlan", "ÄLÏEV NURLAN");
    expect_duplicate("Şükürov Ğalım", "şükürov ğalım");
    /* After trimming, Unicode spaces too; inner runs of spaces count as one. */
    expect_duplicate("Иванов Иван", "  Иванов Иван\t");
    expect_duplicate("Иванов Иван", "\xc2\xa0Иванов Иван\xe3\x80\x80");
    expect_duplicate("Иванов Иван", "Иванов   Иван");
    expect_duplicate("  Иванов\xc2\xa0Иван ", "иванов иван");
}

static void test_different_people_pass(void **state)
{
    (void)state;
    const char *pairs[][2] = {
        {"Иванов Иван", "Иванова Ивана"},
        {"Иванов Иван", "ИвановИван"},
        {"Алиев Нурлан", "Әлиев Нұрлан"}, /* different letters, not different case */
        {"Ким Е.", "Ким Ё."},
        {"Ivanov", "Ivanov."},
    };
    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        json_t *doc = good_roster();
        set_member(doc, 3, "full_name", json_string(pairs[i][0]));
        set_member(doc, 9, "full_name", json_string(pairs[i][1]));
        expect_valid(doc);
    }
}

/* Each later copy is reported, always pointing at the earliest. */
static void test_three_times_the_same_person(void **state)
{
    (void)state;
    json_t *doc = good_roster();
    const char *name = "Ким Елена Викторовна";
    set_member(doc, 7, "full_name", json_string("КИМ ЕЛЕНА ВИКТОРОВНА"));
    set_member(doc, 9, "full_name", json_string(name));
    kenes_errors errs;
    assert_int_equal(validate(doc, &errs), KENES_EVALIDATION);
    assert_int_equal(json_array_size(errs.fields), 2);
    assert_true(has_error(&errs, "fields.members[7].full_name"));
    assert_true(has_error(&errs, "fields.members[9].full_name"));
    size_t i;
    json_t *e;
    json_array_foreach(errs.fields, i, e) {
        const char *msg = json_string_value(json_object_get(e, "message"));
        assert_non_null(strstr(msg, "fields.members[4]"));
        assert_null(strstr(msg, "Ким")); /* the name is not repeated */
        assert_null(strstr(msg, "КИМ"));
    }
    kapi_errors_dispose(&errs);
}

/* A name that is already wrong is reported once, not as a duplicate too. */
static void test_blank_names_are_not_duplicates(void **state)
{
    (void)state;
    json_t *doc = good_roster();
    set_member(doc, 3, "full_name", json_string(" "));
    set_member(doc, 9, "full_name", json_string("\xc2\xa0"));
    expect_errors(doc, "fields.members[3].full_name", "fields.members[9].full_name", NULL);
}

/* ---- fields.act --------------------------------------------------------- */

static json_t *roster_in(const char *stage, json_t *act)
{
    json_t *doc = roster_with_field("act", act);
    json_object_set_new(doc, "stage", json_string(stage));
    return doc;
}

static json_t *act(const char *number, const char *date)
{
    return json_pack("{s:s, s:s}", "number", number, "date", date);
}

static void test_act_optional_before_approval(void **state)
{
    (void)state;
    expect_valid(roster_in("draft", NULL));
    expect_valid(roster_in("regional-approval", NULL));
    expect_valid(roster_in("ministry-agreement", NULL));
    expect_valid(roster_in("draft", act("7", "2026-02-06")));
}

static void test_act_required_once_approved(void **state)
{
    (void)state;
    expect_only_error(roster_in("in-force", NULL), "fields.act");
    expect_valid(roster_in("in-force", act("7", "2026-02-06")));
}

static void test_act_checked_when_present(void **state)
{
    (void)state;
    expect_only_error(roster_in("draft", json_string("7")), "fields.act");
    expect_only_error(roster_in("draft", act("", "2026-02-06")), "fields.act.number");
    expect_only_error(roster_in("draft", act("7", "2026-02-31")), "fields.act.date");
    expect_only_error(roster_in("draft", act("7", "06.02.2026")), "fields.act.date");
    expect_only_error(roster_in("draft", json_pack("{s:s}", "number", "7")), "fields.act.date");
    expect_only_error(roster_in("draft", json_pack("{s:s, s:s, s:s}", "number", "7", "date",
                                                   "2026-02-06", "by", "аким")),
                      "fields.act.by");
}

/* ---- all at once, and what messages say --------------------------------- */

static void test_all_errors_at_once(void **state)
{
    (void)state;
    json_t *doc = good_roster();
    json_object_set_new(doc, "region", json_string("KZ-00"));
    json_object_set_new(doc, "title", json_string(""));
    json_object_set_new(fields_of(doc), "order_date", json_string("3 февраля"));
    json_object_set_new(fields_of(doc), "extra", json_true());
    set_member(doc, 4, "role", json_string("chair"));      /* second chair */
    set_member(doc, 2, "role", json_string("member"));     /* no secretary */
    set_member(doc, 7, "category", json_string("health")); /* no parents' organisation */
    set_member(doc, 3, "email", json_string("x@example.kz"));
    set_member(doc, 5, "position", NULL);
    set_member(doc, 9, "full_name", json_string("сейткали айгерим бекетовна"));
    kenes_errors errs;
    assert_int_equal(validate(doc, &errs), KENES_EVALIDATION);
    if (json_array_size(errs.fields) != 10)
        print_errors("expected 10 errors", &errs);
    assert_int_equal(json_array_size(errs.fields), 10);
    const char *paths[] = {"region",
                           "title",
                           "fields.order_date",
                           "fields.extra",
                           "fields.members[4].role",
                           "fields.members",
                           "fields.members[3].email",
                           "fields.members[5].position",
                           "fields.members[9].full_name"};
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
        assert_true(has_error(&errs, paths[i]));
    kapi_errors_dispose(&errs);
}

static void test_messages_do_not_repeat_values(void **state)
{
    (void)state;
    const char *v = "ZQXJ-секрет";
    json_t *doc = good_roster();
    json_object_set_new(doc, "region", json_string(v));
    json_object_set_new(fields_of(doc), "order_date", json_string(v));
    set_member(doc, 3, "role", json_string(v));
    set_member(doc, 4, "category", json_string(v));
    set_member(doc, 5, "position", json_pack("[s]", v));
    set_member(doc, 9, "full_name", json_string("ZQXJ Ким"));
    set_member(doc, 8, "full_name", json_string("zqxj КИМ"));
    json_object_set_new(fields_of(doc), "act", act("1", v));
    kenes_errors errs;
    assert_int_equal(validate(doc, &errs), KENES_EVALIDATION);
    assert_int_equal(json_array_size(errs.fields), 7);
    size_t i;
    json_t *e;
    json_array_foreach(errs.fields, i, e) {
        const char *msg = json_string_value(json_object_get(e, "message"));
        assert_null(strstr(msg, "ZQXJ"));
        assert_null(strstr(msg, "zqxj"));
        assert_null(strstr(msg, "секрет"));
    }
    kapi_errors_dispose(&errs);
}

/* ---- make_id ------------------------------------------------------------ */

static void test_make_id(void **state)
{
    (void)state;
    json_t *doc = good_roster();
    kenes_doc d = {.json = doc};
    char id[64];
    assert_int_equal(roster->make_id(api, &d, id, sizeof(id)), 0);
    assert_string_equal(id, "roster/KZ-11/2026-02");

    /* The year and month of the order, whatever the day. */
    json_object_set_new(doc, "region", json_string("KZ-79"));
    json_object_set_new(fields_of(doc), "order_date", json_string("2026-12-31"));
    assert_int_equal(roster->make_id(api, &d, id, sizeof(id)), 0);
    assert_string_equal(id, "roster/KZ-79/2026-12");
    json_object_set_new(fields_of(doc), "order_date", json_string("2027-01-01"));
    assert_int_equal(roster->make_id(api, &d, id, sizeof(id)), 0);
    assert_string_equal(id, "roster/KZ-79/2027-01");

    /* Exactly enough room, and one byte too little. */
    size_t need = strlen("roster/KZ-79/2027-01") + 1;
    assert_int_equal(roster->make_id(api, &d, id, need), 0);
    assert_int_equal(roster->make_id(api, &d, id, need - 1), KENES_ETOOBIG);

    /* Never an id from a region or a date that is not one. */
    json_object_set_new(fields_of(doc), "order_date", json_string("2027-02-30"));
    assert_int_equal(roster->make_id(api, &d, id, sizeof(id)), KENES_EINVAL);
    json_object_set_new(fields_of(doc), "order_date", json_string("2027-+1-01"));
    assert_int_equal(roster->make_id(api, &d, id, sizeof(id)), KENES_EINVAL);
    /* Without one, the national order's month (31.01.2026 until the core
     * knows the order). */
    json_object_del(fields_of(doc), "order_date");
    assert_int_equal(roster->make_id(api, &d, id, sizeof(id)), 0);
    assert_string_equal(id, "roster/KZ-79/2026-01");
    json_object_set_new(fields_of(doc), "order_date", json_string("2027-01-01"));
    json_object_set_new(doc, "region", json_string("../../etc"));
    assert_int_equal(roster->make_id(api, &d, id, sizeof(id)), KENES_EINVAL);
    json_decref(doc);
}

/* ---- the roster_act_recorded guard -------------------------------------- */

#define ACT_MESSAGE                                                                                \
    "the akimat's resolution approving the roster (its number and date) must be recorded with "  \
    "the approval"

static json_t *in_review(json_t *a)
{
    return roster_in("regional-approval", a);
}

static void test_guard_refuses_without_act(void **state)
{
    (void)state;
    json_t *bad[] = {NULL,
                     json_null(),
                     json_string("7 от 06.02.2026"),
                     json_object(),
                     json_pack("{s:s}", "number", "7"),
                     act(" ", "2026-02-06"),
                     act("7", "2026-02-30"),
                     json_pack("{s:s, s:s, s:s}", "number", "7", "date", "2026-02-06", "x", "y")};
    kenes_ctx ctx = review_ctx("approve", "ok", "ministry-agreement");
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_guard_refuses(act_recorded, in_review(bad[i]), &ctx, ACT_MESSAGE);
}

static void test_guard_allows_recorded_act(void **state)
{
    (void)state;
    kenes_errors errs;
    kenes_ctx ctx = review_ctx("approve", "ok", "ministry-agreement");
    expect_guard_allows(act_recorded, in_review(act("7", "2026-02-06")), &ctx, &errs);
    kapi_errors_dispose(&errs);
}

/* ---- reports ------------------------------------------------------------ */

/* The section roster writes for kind (region: a region report's
 * region) over docs (consumed); free() it. */
static char *run_report(int kind, const char *region, json_t **docs, size_t n)
{
    return fixture_report(roster, kind, region, docs, NULL, n, NULL);
}

/* good_roster() for region, ordered on order_date, in stage since
 * stage_since, with the core's due (NULL: none) and overdue. */
static json_t *report_roster(const char *region, const char *order_date, const char *stage,
                             const char *stage_since, const char *due, int overdue)
{
    json_t *doc = good_roster();
    char id[64];
    snprintf(id, sizeof(id), "roster/%s/%.7s", region, order_date);
    json_object_set_new(doc, "id", json_string(id));
    json_object_set_new(doc, "region", json_string(region));
    json_object_set_new(doc, "stage", json_string(stage));
    json_object_set_new(fields_of(doc), "order_date", json_string(order_date));
    if (strcmp(stage, "in-force") == 0)
        json_object_set_new(fields_of(doc), "act",
                            json_pack("{s:s, s:s}", "number", "7", "date", "2026-02-06"));
    json_object_set_new(doc, "due", due ? json_string(due) : json_null());
    json_object_set_new(doc, "overdue", json_string(overdue ? "true" : "false"));
    json_object_set_new(doc, "stage_since", json_string(stage_since));
    return doc;
}

/* 1 if s occurs in md without a backslash before it (as markup would). */
static int unescaped(const char *md, const char *s)
{
    for (const char *p = md; (p = strstr(p, s)) != NULL; p++)
        if (p == md || p[-1] != '\\')
            return 1;
    return 0;
}

static int starts_with(const char *md, const char *prefix)
{
    return strncmp(md, prefix, strlen(prefix)) == 0;
}

/* The national order as content/orders.yaml would give it: dated
 * order_date, due term_days later (both midnight UTC). */
static long long order_date_ms, order_due_ms;

static int test_order(const void *payload, const char *name, long long *date_ms,
                      long long *due_ms)
{
    (void)payload;
    if (strcmp(name, "roster-2026") != 0)
        return KENES_ENOTFOUND;
    if (date_ms)
        *date_ms = order_date_ms;
    if (due_ms)
        *due_ms = order_due_ms;
    return 0;
}

static void set_order(const char *date, int term_days)
{
    assert_int_equal(api->time_parse(date, &order_date_ms), 0);
    order_due_ms = order_date_ms + term_days * 86400000LL;
    kapi_set_orders(test_order, &order_date_ms);
}

static void test_report_national(void **state)
{
    (void)state;
    /* The order of 3 February: every roster due at the start of the 10th
     * (UTC), whatever order_date a region typed. */
    set_order("2026-02-03", 7);
    json_t *late_ngo = report_roster("KZ-15", "2026-02-03", "in-force", "2026-02-10T00:00:01Z",
                                     NULL, 0);
    json_array_remove(members_of(late_ngo), 8); /* the NGO member */
    json_t *docs[] = {
        /* Approved the moment it fell due: in time. */
        report_roster("KZ-11", "2026-02-03", "in-force", "2026-02-10T00:00:00Z", NULL, 0),
        /* One second later: late. */
        late_ngo,
        /* Approved in time by the clock of another zone: 04:59 at +05:00 is 23:59 UTC. */
        report_roster("KZ-19", "2026-02-03", "in-force", "2026-02-10T04:59:00+05:00", NULL, 0),
        /* Still a draft, and the order's deadline passed (the core's clock: KENES_NOW). */
        report_roster("KZ-23", "2026-02-02", "draft", "2026-02-02T09:00:00Z",
                      "2026-02-09T00:00:00Z", 1),
        /* Its own order_date a month later moves nothing: late by the order. */
        report_roster("KZ-27", "2026-03-02", "in-force", "2026-03-04T09:00:00Z", NULL, 0),
        /* Two rosters: the later one is the row, though approved is the older. */
        report_roster("KZ-35", "2026-01-05", "in-force", "2026-01-08T09:00:00Z", NULL, 0),
        report_roster("KZ-35", "2026-03-01", "returned", "2026-03-03T09:00:00Z",
                      "2026-03-08T00:00:00Z", 0),
    };
    char *md = run_report(KENES_REPORT_NATIONAL, NULL, docs, sizeof(docs) / sizeof(docs[0]));
    assert_true(starts_with(md, "## Составы комиссий по делам несовершеннолетних\n\n"));
    assert_non_null(strstr(md, "поручение Правительства от 03.02.2026 и 7 дней на утверждение"));
    expect_line(md, "| Регион | Этап | Срок | Соблюдение срока | Экспертное сообщество "
                    "| Родительские организации | НПО | Общественные советы |");
    expect_line(md, "| Акмолинская область | Действует | до 10.02.2026 | в срок "
                    "| ✓ | ✓ | ✓ | ✓ |");
    expect_line(md, "| Актюбинская область | Действует | до 10.02.2026 | просрочен "
                    "| ✓ | ✓ | — | ✓ |");
    expect_line(md, "| Алматинская область | Действует | до 10.02.2026 | в срок "
                    "| ✓ | ✓ | ✓ | ✓ |");
    expect_line(md, "| Атырауская область | Черновик | до 10.02.2026 | просрочен "
                    "| ✓ | ✓ | ✓ | ✓ |");
    expect_line(md, "| Западно\\-Казахстанская область | Действует | до 10.02.2026 | просрочен "
                    "| ✓ | ✓ | ✓ | ✓ |");
    expect_line(md, "| Карагандинская область | Возвращён на доработку "
                    "| до 10.02.2026 | просрочен | ✓ | ✓ | ✓ | ✓ |");
    expect_line(md, "| город Шымкент | нет состава | — | — | — | — | — | — |");
    expect_line(md, "| область Абай | нет состава | — | — | — | — | — | — |");
    /* All 20 regions, each once. */
    assert_int_equal(count_lines(md, "| "), 21);
    assert_int_equal(count_lines(md, "| Карагандинская область |"), 1);
    assert_int_equal(count_lines(md, "|---|"), 1);
    /* The national table names no member; no «области» for the three cities. */
    assert_null(strstr(md, "Сейткали"));
    assert_null(strstr(md, "НКО"));
    free(md);
    kapi_set_orders(NULL, NULL);
}

/* The same table in Kazakh and English: the plugin's words, the regions'
 * and the stages' names in that language, the same figures. */
static void test_report_national_in_kazakh_and_english(void **state)
{
    (void)state;
    set_order("2026-01-31", 7);
    json_t *kk[] = {
        report_roster("KZ-11", "2026-02-03", "in-force", "2026-02-06T12:00:00Z", NULL, 0),
        report_roster("KZ-71", "2026-02-03", "in-force", "2026-02-09T12:00:00Z", NULL, 0)};
    char *md = fixture_report_in(roster, KENES_REPORT_NATIONAL, NULL, "kk", kk, NULL, 2, NULL);
    assert_true(starts_with(md, "## Кәмелетке толмағандардың істері жөніндегі комиссиялардың "
                                "құрамы\n\n"));
    expect_line(md, "| Өңір | Кезең | Мерзімі | Мерзімнің сақталуы | Сарапшылар қауымдастығы "
                    "| Ата-аналар ұйымдары | ҮЕҰ | Қоғамдық кеңестер |");
    expect_line(md, "| Ақмола облысы | Күшінде | 07.02.2026 ж. дейін | мерзімінде "
                    "| ✓ | ✓ | ✓ | ✓ |");
    expect_line(md, "| Астана қаласы | Күшінде | 07.02.2026 ж. дейін | мерзімі өтіп кетті "
                    "| ✓ | ✓ | ✓ | ✓ |");
    expect_line(md, "| Ұлытау облысы | құрам жоқ | — | — | — | — | — | — |");
    assert_null(strstr(md, "Регион"));
    assert_null(strstr(md, "НПО"));
    free(md);
    json_t *en[] = {
        report_roster("KZ-11", "2026-02-03", "in-force", "2026-02-06T12:00:00Z", NULL, 0),
        report_roster("KZ-71", "2026-02-03", "in-force", "2026-02-09T12:00:00Z", NULL, 0)};
    md = fixture_report_in(roster, KENES_REPORT_NATIONAL, NULL, "en", en, NULL, 2, NULL);
    expect_line(md, "| Region | Stage | Due | Deadline kept | Expert community "
                    "| Parents' organisations | NGOs | Public councils |");
    expect_line(md, "| Akmola Region | In force | by 07.02.2026 | in time | ✓ | ✓ | ✓ | ✓ |");
    expect_line(md, "| Astana | In force | by 07.02.2026 | late | ✓ | ✓ | ✓ | ✓ |");
    free(md);
    kapi_set_orders(NULL, NULL);
}

static void test_report_region(void **state)
{
    (void)state;
    json_t *approved = report_roster("KZ-11", "2026-02-03", "in-force", "2026-02-06T12:00:00Z",
                                     NULL, 0);
    /* Listed chair first, whatever the order in the document. */
    json_array_insert_new(members_of(approved), 0,
                          member("Нурланов Ержан Болатович", "эксперт", "Центр «Сана»", "member",
                                 "expert-community"));
    json_t *newer = report_roster("KZ-11", "2026-03-02", "draft", "2026-03-02T09:00:00Z",
                                  "2026-03-09T00:00:00Z", 0);
    set_member(newer, 0, "full_name", json_string("Новый Председатель Черновика"));
    json_t *docs[] = {approved, newer};
    char *md = run_report(KENES_REPORT_REGION, "KZ-11", docs, 2);
    assert_true(starts_with(md, "## Состав комиссии по делам несовершеннолетних и защите их "
                                "прав\n\n"));
    /* Until the core knows the order: 31.01.2026 and its week. */
    expect_line(md, "Утверждён постановлением акимата № 7 от 06.02.2026. Срок утверждения: до "
                    "07.02.2026; действует в системе с 06.02.2026 — в срок.");
    expect_line(md, "| ФИО | Должность | Организация | Роль | Категория |");
    expect_line(md, "| Сейткали Айгерим Бекетовна | заместитель акима области "
                    "| Акимат Акмолинской области | председатель | государственный орган |");
    expect_line(md, "| Петров Сергей Иванович | начальник управления | Департамент полиции "
                    "| заместитель председателя | правоохранительные органы |");
    expect_line(md, "| Сарсенов Айдос Ерланович | директор | ОФ «Балалар қорғауы» "
                    "| член комиссии | НПО |");
    expect_line(md, "| Нурланов Ержан Болатович | эксперт | Центр «Сана» | член комиссии "
                    "| экспертное сообщество |");
    /* 11 members, header, separator. */
    assert_int_equal(count_lines(md, "| "), 12);
    const char *chair = strstr(md, "| Сейткали");
    const char *deputy = strstr(md, "| Петров");
    const char *secretary = strstr(md, "| Жумабаева");
    const char *expert = strstr(md, "| Нурланов");
    assert_true(chair && deputy && secretary && expert);
    assert_true(chair < deputy && deputy < secretary && secretary < expert);
    /* The newer roster is a draft: not this table. */
    assert_null(strstr(md, "Черновика"));
    free(md);
}

static void test_report_region_escapes_document_text(void **state)
{
    (void)state;
    json_t *doc = report_roster("KZ-15", "2026-02-03", "in-force", "2026-02-06T12:00:00Z", NULL,
                                0);
    set_member(doc, 3, "full_name", json_string("<script>alert(1)</script>"));
    set_member(doc, 3, "position", json_string("[x](javascript:alert(1))"));
    set_member(doc, 3, "organisation", json_string("# heading\n| a | b |"));
    json_object_set_new(fields_of(doc), "act", json_pack("{s:s}", "number", "<img src=x onerror=y>"));
    json_t *docs[] = {doc};
    char *md = run_report(KENES_REPORT_REGION, "KZ-15", docs, 1);
    expect_line(md, "| \\<script\\>alert\\(1\\)\\<\\/script\\> | \\[x\\]\\(javascript\\:alert\\(1\\)\\) "
                    "| \\# heading \\| a \\| b \\| | член комиссии | образование |");
    expect_line(md, "Утверждён постановлением акимата № \\<img src\\=x onerror\\=y\\>. Срок "
                    "утверждения: до 07.02.2026; действует в системе с 06.02.2026 — в срок.");
    assert_false(unescaped(md, "<script"));
    assert_false(unescaped(md, "<img"));
    assert_false(unescaped(md, "](javascript:"));
    assert_false(unescaped(md, "[x]"));
    assert_false(unescaped(md, "# heading"));
    assert_null(strstr(md, "| a | b |"));
    free(md);
}

/* Approved after the order's deadline: late in the region's report too, in
 * every language, saying when kenes recorded the approval (the act may be
 * dated in time); an act number typed with its «№» gets one «№». */
static void test_report_region_late_in_every_language(void **state)
{
    (void)state;
    set_order("2026-01-31", 7);
    static const char *const want[][2] = {
        {"ru", "Утверждён постановлением акимата № 21 от 06.02.2026. Срок утверждения: до "
               "07.02.2026; действует в системе с 10.02.2026 — с опозданием."},
        {"kk", "06.02.2026 № 21 әкімдік қаулысымен бекітілді. Бекіту мерзімі: 07.02.2026 ж. "
               "дейін; жүйеде 10.02.2026 бастап күшінде — кешіктірілді."},
        {"en", "Approved by akimat resolution No. 21 of 06.02.2026. Due: by 07.02.2026; in force "
               "in kenes since 10.02.2026 — late."}};
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        json_t *doc = report_roster("KZ-71", "2026-02-03", "in-force", "2026-02-10T09:00:00Z",
                                    NULL, 0);
        json_object_set_new(fields_of(doc), "act",
                            json_pack("{s:s, s:s}", "number", "№ 21", "date", "2026-02-06"));
        json_t *docs[] = {doc};
        char *md = fixture_report_in(roster, KENES_REPORT_REGION, "KZ-71", want[i][0], docs, NULL,
                                     1, NULL);
        expect_line(md, want[i][1]);
        assert_null(strstr(md, "№ №"));
        assert_null(strstr(md, "НКО"));
        free(md);
    }
    kapi_set_orders(NULL, NULL);
}

static void test_report_region_without_approved_roster(void **state)
{
    (void)state;
    static const char sentence[] = "## Состав комиссии по делам несовершеннолетних и защите их "
                                   "прав\n\nДействующего состава комиссии нет.\n\n";
    char *md = run_report(KENES_REPORT_REGION, "KZ-62", NULL, 0);
    assert_string_equal(md, sentence);
    free(md);
    json_t *docs[] = {report_roster("KZ-62", "2026-02-03", "regional-approval",
                                    "2026-02-05T09:00:00Z", "2026-02-10T00:00:00Z", 0)};
    md = run_report(KENES_REPORT_REGION, "KZ-62", docs, 1);
    assert_string_equal(md, sentence);
    free(md);
}

/* Rosters have no part in the cases report. */
static void test_report_cases_writes_nothing(void **state)
{
    (void)state;
    json_t *docs[] = {report_roster("KZ-11", "2026-02-03", "in-force", "2026-02-06T12:00:00Z",
                                    NULL, 0)};
    char *md = run_report(KENES_REPORT_CASES, NULL, docs, 1);
    assert_string_equal(md, "");
    free(md);
}

/* A core whose table lacks what the SDK calls is refused at load, with
 * nothing registered, rather than crashing in a report later. */
static void test_report_refuses_an_older_api_table(void **state)
{
    (void)state;
    kenes_api old = *api;
    old.struct_size = offsetof(kenes_api, label);
    plugin_set *set;
    char err[512] = "";
    assert_int_equal(plugin_set_new(&set, &old), 0);
    /* The plugin's init says KENES_EABI; the loader refuses it as a plugin fault. */
    assert_int_equal(plugin_load(set, COMMISSION_ROSTER, err, sizeof(err)), KENES_EPLUGIN);
    assert_non_null(strstr(err, "commission-roster.so"));
    assert_null(plugin_find_type(set, "commission-roster"));
    plugin_set_free(set);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_descriptor),
        cmocka_unit_test(test_refuses_an_older_api_table),
        cmocka_unit_test(test_good_roster_passes),
        cmocka_unit_test(test_minimal_roster_passes),
        cmocka_unit_test(test_more_members_pass),
        cmocka_unit_test(test_region),
        cmocka_unit_test(test_title),
        cmocka_unit_test(test_body),
        cmocka_unit_test(test_order_date),
        cmocka_unit_test(test_order_number),
        cmocka_unit_test(test_unknown_field),
        cmocka_unit_test(test_members_missing),
        cmocka_unit_test(test_members_not_a_list),
        cmocka_unit_test(test_members_messages),
        cmocka_unit_test(test_members_empty),
        cmocka_unit_test(test_member_not_an_object),
        cmocka_unit_test(test_member_fields_required),
        cmocka_unit_test(test_member_fields_are_text),
        cmocka_unit_test(test_role_unknown),
        cmocka_unit_test(test_category_unknown),
        cmocka_unit_test(test_every_category_and_role_passes),
        cmocka_unit_test(test_unknown_member_key),
        cmocka_unit_test(test_no_chair),
        cmocka_unit_test(test_two_chairs),
        cmocka_unit_test(test_no_secretary),
        cmocka_unit_test(test_two_deputy_chairs),
        cmocka_unit_test(test_each_widened_category_required),
        cmocka_unit_test(test_classic_categories_optional),
        cmocka_unit_test(test_duplicate_person),
        cmocka_unit_test(test_different_people_pass),
        cmocka_unit_test(test_three_times_the_same_person),
        cmocka_unit_test(test_blank_names_are_not_duplicates),
        cmocka_unit_test(test_act_optional_before_approval),
        cmocka_unit_test(test_act_required_once_approved),
        cmocka_unit_test(test_act_checked_when_present),
        cmocka_unit_test(test_all_errors_at_once),
        cmocka_unit_test(test_messages_do_not_repeat_values),
        cmocka_unit_test(test_make_id),
        cmocka_unit_test(test_guard_refuses_without_act),
        cmocka_unit_test(test_guard_allows_recorded_act),
        cmocka_unit_test(test_report_national),
        cmocka_unit_test(test_report_national_in_kazakh_and_english),
        cmocka_unit_test(test_report_region_late_in_every_language),
        cmocka_unit_test(test_report_region),
        cmocka_unit_test(test_report_region_escapes_document_text),
        cmocka_unit_test(test_report_region_without_approved_roster),
        cmocka_unit_test(test_report_cases_writes_nothing),
        cmocka_unit_test(test_report_refuses_an_older_api_table),
    };
    return cmocka_run_group_tests(tests, setup_group, plugin_fixture_teardown_group);
}
