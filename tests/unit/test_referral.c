/*
 * The referral plugin, loaded from build/plugins/referral.so the way the
 * server loads it, against real regions and the shipped
 * content/agencies.yaml.  The cases a referral names come from a fake
 * document service attached where the server attaches its own
 * (kapi_set_docs).  The clock is fixed (KENES_NOW) at 10 March 2026.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docs/content.h"
#include "plugin/kapi.h"
#include "plugin/loader.h"
#include "plugin_fixture.h"

#define REFERRAL KENES_PLUGIN_BUILD_DIR "/referral.so"
#define REGIONS KENES_SOURCE_DIR "/content/regions.yaml"

#define CASE11 "case/KZ-11/0b5a1c2e-3d4f-4a6b-8c7d-9e0f1a2b3c4d"
#define CASE11_CLOSED "case/KZ-11/1c6b2d3f-4e5a-4b7c-9d8e-0f1a2b3c4d5e"
#define CASE15 "case/KZ-15/2d7c3e4a-5f6b-4c8d-ae9f-1a2b3c4d5e6f"
#define MEETING11 "meeting/KZ-11/2026-3"
#define SENT "referral/KZ-11/3e8d4f5b-6a7c-4d9e-bf0a-2b3c4d5e6f7a"

static const kenes_doctype *rf;
static const kenes_guard *outcome_recorded;
static json_t *docs;    /* what doc_each and doc_with serve, in id order */
static json_t *content; /* content/ as the server loads it */


/* A case with two measures, its child known as pseudonym. */
static json_t *a_case(const char *id, const char *region, const char *stage,
                      const char *pseudonym)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:{s:{s:s, s:s, s:s, s:s, s:s}, s:[{s:s}, {s:s}]}}",
                     "id", id, "type", "case-review", "region", region, "stage", stage,
                     "fields", "child", "pseudonym", pseudonym, "full_name", "Тестовая Айгерим",
                     "birth_date", "2013-04-07", "address", "г. Кокшетау, ул. Абая, д. 12, кв. 5",
                     "school", "Школа-гимназия № 913", "measures", "what",
                     "Занятия с психологом", "what", "Секция после уроков");
}

/* A referral already sent, as stored: KZ-11's police for CASE11. */
static const char sent_json[] =
    "{\"id\": \"" SENT "\", \"type\": \"referral\", \"region\": \"KZ-11\", \"stage\": \"sent\","
    " \"fields\": {\"case\": \"" CASE11 "\", \"measure\": 2, \"agency\": \"kz11-police\","
    "  \"due\": \"2026-04-15\", \"pseudonym\": \"A-0001\","
    "  \"task\": \"Профилактическая беседа с подростком и законным представителем\"}}";

static int reset(void **state)
{
    (void)state;
    json_decref(docs);
    docs = json_array();
    json_array_append_new(docs, a_case(CASE11, "KZ-11", "in-accompaniment", "A-0001"));
    json_array_append_new(docs, a_case(CASE11_CLOSED, "KZ-11", "closed", "A-0002"));
    json_array_append_new(docs, a_case(CASE15, "KZ-15", "under-review", "B-0001"));
    json_array_append_new(docs, fixture_parse("{\"id\": \"" MEETING11 "\", \"type\": "
                                      "\"commission-meeting\", \"region\": \"KZ-11\", "
                                      "\"stage\": \"signed\", \"fields\": {}}"));
    json_array_append_new(docs, fixture_parse(sent_json));
    return 0;
}

static int setup_group(void **state)
{
    (void)state;
    setenv("KENES_NOW", "2026-03-10T09:00:00Z", 1);
    char err[512] = "";
    if (content_load(&content, KENES_SOURCE_DIR "/content", err, sizeof(err)) != 0) {
        fprintf(stderr, "content: %s\n", err);
        return -1;
    }
    kapi_set_content(content_kapi, content);
    int rc = plugin_fixture_setup(&rf, REFERRAL, REGIONS, "referral", "outcome_recorded",
                                  &outcome_recorded, NULL);
    fixture_docs_attach(&docs, NULL);
    return rc;
}

static int teardown_group(void **state)
{
    kapi_set_docs(NULL);
    kapi_forget_content(content);
    json_decref(content);
    content = NULL;
    json_decref(docs);
    docs = NULL;
    return plugin_fixture_teardown_group(state);
}

/* A new referral (no id yet), as the chair sends it. */
static const char new_json[] =
    "{\"type\": \"referral\", \"region\": \"KZ-11\", \"title\": null,"
    " \"fields\": {\"case\": \"" CASE11 "\", \"measure\": 1, \"agency\": \"kz11-school\","
    "  \"due\": \"2026-04-30\", \"pseudonym\": \"A-0001\","
    "  \"task\": \"Организовать занятия с педагогом-психологом школы, раз в неделю\"}}";

static json_t *fresh(void)
{
    return fixture_parse(new_json);
}

/* The new referral with parent.key set to the JSON text value (NULL: deleted). */
static json_t *fresh_with(const char *parent, const char *key, const char *value)
{
    return fixture_set(fresh(), parent, key, value);
}


static void test_valid(void **state)
{
    (void)state;
    expect_valid(fresh());
    expect_valid(fixture_parse(sent_json));
    /* Every kind of agency the region lists. */
    static const char *const kinds[] = {"\"kz11-police\"", "\"kz11-health\"",
                                        "\"kz11-social\"", "\"kz11-ngo\"", NULL};
    for (size_t i = 0; kinds[i]; i++)
        expect_valid(fresh_with("fields", "agency", kinds[i]));
}

static void test_required(void **state)
{
    (void)state;
    static const char *const keys[] = {"case", "measure", "agency", "due", "pseudonym", "task",
                                       NULL};
    for (size_t i = 0; keys[i]; i++) {
        char path[64];
        snprintf(path, sizeof(path), "fields.%s", keys[i]);
        expect_only_code(fresh_with("fields", keys[i], NULL), path, "required");
    }
    expect_only_code(fresh_with("fields", "task", "\" \\u00a0 \""), "fields.task", "blank");
    expect_only_code(fresh_with("fields", "measure", "\"1\""), "fields.measure", "not_integer");
    expect_only_code(fresh_with("fields", "measure", "0"), "fields.measure", "out_of_range");
    expect_only_code(fresh_with("fields", "due", "\"2026-02-30\""), "fields.due", "not_date");
    expect_only_code(fresh_with("fields", "child", "{}"), "fields.child", "unknown_key");
    json_t *doc = fresh();
    json_object_set_new(fixture_node(doc, "fields"), "task", repeat("ж", 1001));
    expect_only_code(doc, "fields.task", "too_long");
    doc = fresh();
    json_object_set_new(fixture_node(doc, "fields"), "task", repeat("ж", 1000));
    expect_valid(doc);
}

/* An agency of another region, or none, is no agency of the referral's. */
static void test_agency_unknown(void **state)
{
    (void)state;
    expect_only_code(fresh_with("fields", "agency", "\"kz15-police\""), "fields.agency",
                "agency_unknown");
    expect_only_code(fresh_with("fields", "agency", "\"kz11-court\""), "fields.agency",
                "agency_unknown");
    expect_only_code(fresh_with("fields", "agency", "\"KZ11-POLICE\""), "fields.agency",
                "agency_unknown");
}

static void test_case_rules(void **state)
{
    (void)state;
    expect_only_code(fresh_with("fields", "case", "\"case/KZ-11/00000000-0000-4000-8000-000000000000\""),
                "fields.case", "case_unknown");
    expect_only_code(fresh_with("fields", "case", "\"" MEETING11 "\""), "fields.case", "case_unknown");
    /* KZ-15's case from KZ-11 (its pseudonym, so only the region is wrong). */
    json_t *doc = fresh_with("fields", "case", "\"" CASE15 "\"");
    json_object_set_new(fixture_node(doc, "fields"), "pseudonym", json_string("B-0001"));
    expect_only_code(doc, "fields.case", "case_other_region");
    doc = fresh_with("fields", "case", "\"" CASE11_CLOSED "\"");
    json_object_set_new(fixture_node(doc, "fields"), "pseudonym", json_string("A-0002"));
    expect_only_code(doc, "fields.case", "case_closed");
    expect_only_code(fresh_with("fields", "measure", "3"), "fields.measure", "measure_unknown");
    expect_only_code(fresh_with("fields", "pseudonym", "\"A-0002\""), "fields.pseudonym",
                "pseudonym_mismatch");
    expect_only_code(fresh_with("fields", "pseudonym", "\"a-0001\""), "fields.pseudonym",
                "pseudonym_mismatch");
}

/* Sent, a referral keeps its case; a case closed since does not stop it. */
static void test_sent_keeps_its_case(void **state)
{
    (void)state;
    json_t *doc = fixture_parse(sent_json);
    json_object_set_new(fixture_node(doc, "fields"), "case", json_string(CASE11_CLOSED));
    json_object_set_new(fixture_node(doc, "fields"), "pseudonym", json_string("A-0002"));
    expect_only_code(doc, "fields.case", "case_changed");

    /* What the case became since does not stop the agency. */
    json_t *c = json_array_get(docs, 0);
    json_object_set_new(c, "stage", json_string("closed"));
    expect_valid(fixture_parse(sent_json));
    json_object_set_new(c, "region", json_string("KZ-15"));
    json_object_set_new(fixture_node(c, "fields.child"), "pseudonym", json_string("A-0009"));
    json_object_set_new(fixture_node(c, "fields"), "measures", json_array());
    expect_valid(fixture_parse(sent_json));
}

static void test_due(void **state)
{
    (void)state;
    expect_only_code(fresh_with("fields", "due", "\"2026-03-09\""), "fields.due", "due_past");
    expect_valid(fresh_with("fields", "due", "\"2026-03-10\""));
    /* Once sent, the date is the one it was sent with, even when past. */
    json_t *doc = fixture_parse(sent_json);
    json_object_set_new(fixture_node(doc, "fields"), "due", json_string("2026-03-01"));
    expect_valid(doc);
}

static void test_outcome(void **state)
{
    (void)state;
    const char *good = "{\"date\": \"2026-03-09\", \"result\": \"partly\", \"text\": "
                       "\"Проведены две беседы\"}";
    expect_valid(fresh_with("fields", "outcome", good));
    expect_only_code(fresh_with("fields", "outcome", "[]"), "fields.outcome", "not_object");
    expect_only_code(fresh_with("fields", "outcome", "{\"date\": \"2026-03-11\", \"result\": \"done\"}"),
                "fields.outcome.date", "date_in_future");
    expect_only_code(fresh_with("fields", "outcome", "{\"date\": \"2026-03-09\", \"result\": \"yes\"}"),
                "fields.outcome.result", "not_in_list");
    expect_only_code(fresh_with("fields", "outcome", "{\"date\": \"2026-03-09\"}"),
                "fields.outcome.result", "required");
    expect_only_code(fresh_with("fields", "outcome", "{\"result\": \"done\"}"), "fields.outcome.date",
                "required");
    expect_only_code(fresh_with("fields", "outcome",
                           "{\"date\": \"2026-03-09\", \"result\": \"done\", \"who\": \"x\"}"),
                "fields.outcome.who", "unknown_key");

    kenes_ctx ctx = {.action = "report", .user = "agp1", .role = "agency-officer",
                     .from = "accepted", .to = "reported"};
    expect_guard_refuses(outcome_recorded, fixture_parse(sent_json), &ctx,
                         "the outcome is required to report back (fields.outcome: date and "
                         "result)");
    expect_guard_refuses(outcome_recorded, fresh_with("fields", "outcome", "{\"date\": \"2026-03-09\"}"),
                         &ctx,
                         "the outcome is required to report back (fields.outcome: date and "
                         "result)");
    kenes_errors errs;
    expect_guard_allows(outcome_recorded, fresh_with("fields", "outcome", good), &ctx, &errs);
    kapi_errors_dispose(&errs);
    /* Values are validate's to judge, at their inputs. */
    expect_guard_allows(outcome_recorded,
                        fresh_with("fields", "outcome", "{\"date\": \"x\", \"result\": \"y\"}"),
                        &ctx, &errs);
    kapi_errors_dispose(&errs);
}

/* What the agency reads (the task, the body) gives nothing of the child
 * away, judged by the SDK's identity rules against the case's child; a
 * referral has no title. */
static void test_text_gives_nothing_away(void **state)
{
    (void)state;
    static const struct {
        const char *task, *code;
    } refused[] = {
        {"Беседы с Тестовая Айгерим", "text_names_child"},
        {"Беседы: AIGERIM testovaya", "text_names_child"},
        {"Занятия с Айгерим", "text_names_child"},
        {"Помочь Айгериме с уроками", "text_names_child"},
        {"Ребёнок 07.04.2013 г.р.", "text_birth_date"},
        {"родилась 7 апреля 2013", "text_birth_date"},
        {"дата рождения: 2013-04-07", "text_birth_date"},
        {"ДР 07042013", "text_birth_date"},
        {"Посетить семью по адресу Абая, 12", "text_address"},
        {"Посетить: улица Абая дом 12", "text_address"},
        {"Занятия в школе №913", "text_school"},
        {"Занятия: школа-гимназия № 913", "text_school"},
        {"Сообщать в СШ 913", "text_school"},
        {NULL, NULL},
    };
    for (size_t i = 0; refused[i].task; i++) {
        json_t *doc = fresh();
        json_object_set_new(fixture_node(doc, "fields"), "task", json_string(refused[i].task));
        expect_only_code(doc, "fields.task", refused[i].code);
    }
    json_t *doc = fresh();
    json_object_set_new(doc, "body", json_string("# Направление\n\nТестовая Айгерим, 2013"));
    expect_only_code(doc, "body", "text_names_child");
    expect_only_code(fresh_with("", "title", "\"Направление\""), "title", "referral_title");

    /* Words and numbers that say nothing alone pass. */
    static const char *const passes[] = {
        "12 занятий в школе, 2 раза в неделю, до 7 апреля",
        "Встреча с психологом в 2013 кабинете",
        "Беседа об истории улиц города",
        "Тестирование по программе",
        NULL};
    for (size_t i = 0; passes[i]; i++) {
        doc = fresh();
        json_object_set_new(fixture_node(doc, "fields"), "task", json_string(passes[i]));
        expect_valid(doc);
    }
    /* Sent, the text was judged: the agency's report is not judged again. */
    json_t *sent = fixture_parse(sent_json);
    json_object_set_new(fixture_node(sent, "fields"), "task", json_string("Айгерим"));
    expect_valid(sent);
}

/* Messages reach logs: none repeats the pseudonym, the task or the agency. */
static void test_messages_repeat_nothing(void **state)
{
    (void)state;
    json_t *doc = fresh_with("fields", "pseudonym", "\"Zzyzx-Secret\"");
    json_object_set_new(fixture_node(doc, "fields"), "agency", json_string("kz15-secret"));
    json_object_set_new(fixture_node(doc, "fields"), "measure", json_integer(913));
    kenes_errors errs;
    assert_int_equal(validate(doc, &errs), KENES_EVALIDATION);
    char *all = json_dumps(errs.fields, 0);
    assert_non_null(all);
    assert_null(strstr(all, "Zzyzx"));
    assert_null(strstr(all, "kz15-secret"));
    assert_null(strstr(all, "913"));
    assert_null(strstr(all, "A-0001"));
    free(all);
    kapi_errors_dispose(&errs);
}

static void test_id_and_summary(void **state)
{
    (void)state;
    json_t *doc = fresh();
    kenes_doc d = {.json = doc};
    char id[128];
    assert_int_equal(rf->make_id(api, &d, id, sizeof(id)), 0);
    assert_int_equal(strncmp(id, "referral/KZ-11/", 15), 0);
    assert_int_equal(strlen(id), 15 + 36);

    json_t *entry = json_object();
    assert_int_equal(rf->summary(api, &d, entry), 0);
    assert_string_equal(json_string_value(json_object_get(entry, "pseudonym")), "A-0001");
    assert_string_equal(json_string_value(json_object_get(entry, "agency")), "kz11-school");
    assert_string_equal(json_string_value(json_object_get(entry, "due_date")), "2026-04-30");
    assert_int_equal(json_object_size(entry), 3);
    json_decref(entry);

    /* Nothing that has not the shape it must have: no task, no free text. */
    json_object_set_new(fixture_node(doc, "fields"), "pseudonym", json_string("Айгерим С."));
    json_object_set_new(fixture_node(doc, "fields"), "agency", json_string("Школа № 5"));
    entry = json_object();
    assert_int_equal(rf->summary(api, &d, entry), 0);
    assert_null(json_object_get(entry, "pseudonym"));
    assert_null(json_object_get(entry, "agency"));
    json_decref(entry);
    json_decref(doc);
}

/* content/agencies.yaml: every region, each of the five kinds, codes unique
 * and of the region, names in three languages, Cyrillic in ru and kk. */
static void test_agencies_content(void **state)
{
    (void)state;
    const json_t *all = json_object_get(api->content("agencies"), "agencies");
    assert_non_null(all);
    assert_int_equal(json_object_size(all), api->region_count());
    json_t *codes = json_object();
    static const char *const kinds[] = {"school", "police", "health", "social", "ngo", NULL};
    for (size_t r = 0; r < api->region_count(); r++) {
        const char *region = api->region_code(r);
        const json_t *list = json_object_get(all, region);
        assert_true(json_is_array(list));
        char prefix[16];
        snprintf(prefix, sizeof(prefix), "kz%s-", region + 3);
        int seen[5] = {0};
        size_t i;
        const json_t *a;
        json_array_foreach(list, i, a) {
            const char *code = json_string_value(json_object_get(a, "code"));
            const char *kind = json_string_value(json_object_get(a, "kind"));
            assert_non_null(code);
            assert_int_equal(strncmp(code, prefix, strlen(prefix)), 0);
            assert_int_equal(strspn(code, "abcdefghijklmnopqrstuvwxyz0123456789-"), strlen(code));
            assert_null(json_object_get(codes, code));
            json_object_set_new(codes, code, json_true());
            int k = -1;
            for (int j = 0; kinds[j]; j++)
                if (kind && strcmp(kinds[j], kind) == 0)
                    k = j;
            assert_true(k >= 0);
            seen[k] = 1;
            static const char *const langs[] = {"ru", "kk", "en", NULL};
            for (size_t l = 0; langs[l]; l++) {
                const char *name =
                    json_string_value(json_object_get(json_object_get(a, "name"), langs[l]));
                assert_non_null(name);
                assert_true(strlen(name) > 10);
                if (l < 2) /* Cyrillic: no Latin letter on a Russian or Kazakh page */
                    for (const char *p = name; *p; p++)
                        assert_false((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'));
            }
        }
        for (int j = 0; j < 5; j++)
            assert_true(seen[j]);
    }
    json_decref(codes);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup(f, reset)
    const struct CMUnitTest tests[] = {
        T(test_valid),           T(test_required),
        T(test_agency_unknown),  T(test_case_rules),
        T(test_sent_keeps_its_case), T(test_due),
        T(test_outcome),         T(test_messages_repeat_nothing),
        T(test_id_and_summary),  T(test_agencies_content),
        T(test_text_gives_nothing_away),
    };
    return cmocka_run_group_tests_name("referral", tests, setup_group, teardown_group);
}
