/*
 * The commission-meeting plugin, loaded from build/plugins/commission-meeting.so
 * the way the server loads it, against real regions.  The other documents it
 * reads (the region's rosters, the cases on the agenda) and its workflow's
 * params come from a fake document service attached where the server
 * attaches its own (kapi_set_docs): a list of documents held here.
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

#define MEETING KENES_PLUGIN_BUILD_DIR "/commission-meeting.so"
#define REGIONS KENES_SOURCE_DIR "/content/regions.yaml"

#define CASE11 "case/KZ-11/0b5a1c2e-3d4f-4a6b-8c7d-9e0f1a2b3c4d"
#define CASE11B "case/KZ-11/1c6b2d3f-4e5a-4b7c-9d8e-0f1a2b3c4d5e"
#define CASE15 "case/KZ-15/2d7c3e4a-5f6b-4c8d-ae9f-1a2b3c4d5e6f"

static const kenes_doctype *cm;
static const kenes_guard *quorum_present, *decisions_recorded, *meeting_held;

/* ---- the fake document service --------------------------------------------- */

static json_t *docs;          /* what doc_each and doc_with serve, in id order */
static const char *quorum;    /* the workflow's params: quorum (NULL: unset) */



static const char *fake_param(void *payload, const char *type, const char *name)
{
    (void)payload;
    return strcmp(type, "commission-meeting") == 0 && strcmp(name, "quorum") == 0 ? quorum
                                                                                   : NULL;
}


static json_t *parse(const char *text)
{
    json_error_t e;
    json_t *doc = json_loads(text, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &e);
    if (!doc)
        print_message("bad test JSON at %d: %s\n", e.position, e.text);
    assert_non_null(doc);
    return doc;
}

/* A roster of seven (one chair, a secretary, five members). */
static json_t *roster(const char *id, const char *region, const char *stage, const char *extra)
{
    char text[2048];
    snprintf(text, sizeof(text),
             "{\"id\": \"%s\", \"type\": \"commission-roster\", \"region\": \"%s\","
             " \"stage\": \"%s\", \"fields\": {\"members\": ["
             "  {\"full_name\": \"Серикова Айжан Маратовна\", \"role\": \"chair\"},"
             "  {\"full_name\": \"Ким Олег Викторович\", \"role\": \"deputy-chair\"},"
             "  {\"full_name\": \"Абдрахманова Гульнара Сериковна\", \"role\": \"secretary\"},"
             "  {\"full_name\": \"Жумабеков Ерлан Асхатович\", \"role\": \"member\"},"
             "  {\"full_name\": \"Петрова Наталья Ивановна\", \"role\": \"member\"},"
             "  {\"full_name\": \"Нурланов Данияр Бекович\", \"role\": \"member\"},"
             "  {\"full_name\": \"%s\", \"role\": \"member\"}]}}",
             id, region, stage, extra);
    return parse(text);
}

static json_t *a_case(const char *id, const char *region)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:{}}", "id", id, "type", "case-review", "region",
                     region, "stage", "under-review", "fields");
}

/* The documents every test starts with: KZ-11's roster in force (and an
 * older one, and a newer draft), a roster of KZ-15 still in draft, cases of
 * KZ-11 and one of KZ-15. */
static int reset(void **state)
{
    (void)state;
    json_decref(docs);
    docs = json_array();
    json_array_append_new(docs, a_case(CASE11, "KZ-11"));
    json_array_append_new(docs, a_case(CASE11B, "KZ-11"));
    json_array_append_new(docs, a_case(CASE15, "KZ-15"));
    json_array_append_new(docs, roster("roster/KZ-11/2025-01", "KZ-11", "in-force",
                                       "Старый Член Комиссии"));
    json_array_append_new(docs, roster("roster/KZ-11/2026-02", "KZ-11", "in-force",
                                       "Искакова Мадина Талгатовна"));
    json_array_append_new(docs, roster("roster/KZ-11/2026-05", "KZ-11", "draft",
                                       "Новый Член Черновика"));
    json_array_append_new(docs, roster("roster/KZ-15/2026-02", "KZ-15", "draft",
                                       "Искакова Мадина Талгатовна"));
    quorum = NULL;
    return 0;
}

static int setup_group(void **state)
{
    (void)state;
    int rc = plugin_fixture_setup(&cm, MEETING, REGIONS, "commission-meeting", "quorum_present",
                                  &quorum_present, "decisions_recorded", &decisions_recorded,
                                  "meeting_held", &meeting_held, NULL);
    fixture_docs_attach(&docs, fake_param);
    return rc;
}

static int teardown_group(void **state)
{
    kapi_set_docs(NULL);
    json_decref(docs);
    docs = NULL;
    return plugin_fixture_teardown_group(state);
}

/* ---- meetings ------------------------------------------------------------------ */

/* A meeting held and recorded: four of seven present, two items decided. */
static const char held_json[] =
    "{\"id\": \"\", \"type\": \"commission-meeting\", \"region\": \"KZ-11\", \"stage\": \"scheduled\","
    " \"title\": null, \"body\": \"# Заседание\\n\","
    " \"fields\": {"
    "  \"number\": 3, \"date\": \"2026-03-12\", \"place\": \"Кокшетау, зал заседаний акимата\","
    "  \"attendance\": [\"Серикова Айжан Маратовна\", \"АБДРАХМАНОВА  гульнара сериковна\","
    "                  \"Жумабеков Ерлан Асхатович\", \"Искакова Мадина Талгатовна\"],"
    "  \"guests\": [\"Директор ОФ «Защитим детей»\"],"
    "  \"agenda\": ["
    "   {\"kind\": \"case\", \"case\": \"" CASE11 "\","
    "    \"participants\": {\"notified\": true, \"child\": true, \"representative\": true,"
    "                       \"accompanier\": false},"
    "    \"child_view\": \"Хочет ходить в секцию\", \"decision\": \"approve-plan\","
    "    \"decision_text\": \"Утвердить план\", \"vote\": {\"for\": 4, \"against\": 0, \"abstained\": 0}},"
    "   {\"kind\": \"matter\", \"matter\": \"О летней занятости подростков\","
    "    \"decision_text\": \"Принять к сведению\", \"vote\": {\"for\": 3, \"against\": 1, \"abstained\": 0}}"
    "  ],"
    "  \"resolution\": {\"points\": [{\"text\": \"Утвердить план\", \"executor\": \"Управление"
    " образования\", \"due\": \"2026-04-30\"}]}"
    " }}";

static json_t *held(void)
{
    return parse(held_json);
}


/* The held meeting with parent.key set to the JSON text value (NULL: deleted). */
static json_t *held_with(const char *parent, const char *key, const char *value)
{
    json_t *doc = held();
    json_t *obj = fixture_node(doc, parent);
    if (value)
        assert_int_equal(json_object_set_new(obj, key, parse(value)), 0);
    else
        json_object_del(obj, key);
    return doc;
}

static void test_held_valid(void **state)
{
    (void)state;
    expect_valid(held());
}

static void test_scheduled_valid(void **state)
{
    (void)state;
    /* Before it is held: no attendance, no decisions, no votes. */
    json_t *doc = parse("{\"type\": \"commission-meeting\", \"region\": \"KZ-15\","
                        " \"fields\": {\"number\": 1, \"date\": \"2026-04-02\","
                        " \"place\": \"Актобе\", \"agenda\": [{\"kind\": \"case\","
                        " \"case\": \"" CASE15 "\"}, {\"kind\": \"matter\","
                        " \"matter\": \"План работы\"}]}}");
    /* KZ-15 has no approved roster: nothing to judge while nobody is listed. */
    expect_valid(doc);
}

static void test_required(void **state)
{
    (void)state;
    expect_only_code(held_with("fields", "number", NULL), "fields.number", "required");
    expect_only_code(held_with("fields", "number", "0"), "fields.number", "out_of_range");
    expect_only_code(held_with("fields", "number", "\"3\""), "fields.number", "not_integer");
    expect_only_code(held_with("fields", "date", NULL), "fields.date", "required");
    expect_only_code(held_with("fields", "date", "\"2026-02-30\""), "fields.date", "not_date");
    expect_only_code(held_with("fields", "place", "\"  \""), "fields.place", "blank");
    expect_only_code(held_with("fields", "agenda", NULL), "fields.agenda", "required");
    expect_only_code(held_with("fields", "agenda", "[]"), "fields.agenda", "too_few");
    expect_only_code(held_with("fields", "minutes", "\"x\""), "fields.minutes", "unknown_key");
    expect_only_code(held_with("fields.agenda[0]", "kind", "\"other\""), "fields.agenda[0].kind",
                "not_in_list");
    expect_only_code(held_with("fields.agenda[0]", "decision", "\"approve\""),
                "fields.agenda[0].decision", "not_in_list");
    expect_only_code(held_with("fields.agenda[0].participants", "child", "\"yes\""),
                "fields.agenda[0].participants.child", "not_boolean");
    expect_only_code(held_with("fields.resolution.points[0]", "executor", NULL),
                "fields.resolution.points[0].executor", "required");
    expect_only_code(held_with("fields.resolution.points[0]", "due", "\"2026-Q2\""),
                "fields.resolution.points[0].due", "not_date");
}

static void test_attendance_roster(void **state)
{
    (void)state;
    /* Only on the older approved roster: the latest one decides. */
    expect_only_code(held_with("fields", "attendance",
                          "[\"Серикова Айжан Маратовна\", \"Старый Член Комиссии\","
                          " \"Ким Олег Викторович\", \"Жумабеков Ерлан Асхатович\"]"),
                "fields.attendance[1]", "not_on_roster");
    /* Nor does a newer roster still in draft count. */
    expect_only_code(held_with("fields", "attendance",
                          "[\"Серикова Айжан Маратовна\", \"Ким Олег Викторович\","
                          " \"Жумабеков Ерлан Асхатович\", \"Новый Член Черновика\"]"),
                "fields.attendance[3]", "not_on_roster");
    /* An amendment of the roster in force, drafted: the version in force
     * (its public face) still decides, not the draft's names. */
    json_t *amended = json_array_get(docs, 4);
    json_t *draft = json_deep_copy(amended);
    json_object_set_new(draft, "stage", json_string("draft"));
    json_array_set_new(json_object_get(json_object_get(draft, "fields"), "members"), 6,
                       json_pack("{s:s, s:s}", "full_name", "Новый Член Изменений", "role",
                                 "member"));
    json_object_set(draft, "_public", amended);
    json_array_set_new(docs, 4, draft);
    expect_only_code(held_with("fields", "attendance",
                          "[\"Серикова Айжан Маратовна\", \"Ким Олег Викторович\","
                          " \"Жумабеков Ерлан Асхатович\", \"Новый Член Изменений\"]"),
                "fields.attendance[3]", "not_on_roster");
    /* A part of a name is no name. */
    expect_only_code(held_with("fields", "attendance",
                          "[\"Серикова Айжан\", \"Ким Олег Викторович\","
                          " \"Жумабеков Ерлан Асхатович\", \"Искакова Мадина Талгатовна\"]"),
                "fields.attendance[0]", "not_on_roster");
    /* The same member twice, in two spellings. */
    expect_only_code(held_with("fields", "attendance",
                          "[\"Серикова Айжан Маратовна\", \"Ким Олег Викторович\","
                          " \"Жумабеков Ерлан Асхатович\", \"серикова, айжан маратовна\"]"),
                "fields.attendance[3]", "repeated");
    /* Folded as words: case, punctuation and spacing do not matter. */
    expect_valid(held_with("fields", "attendance",
                           "[\"СЕРИКОВА АЙЖАН МАРАТОВНА\", \" Ким  Олег Викторович \","
                           " \"Жумабеков-Ерлан Асхатович\", \"Искакова Мадина Талгатовна.\"]"));
}

static void test_roster_missing(void **state)
{
    (void)state;
    json_t *doc = held_with("", "region", "\"KZ-15\"");
    json_object_set_new(fixture_node(doc, "fields.agenda[0]"), "case", json_string(CASE15));
    expect_only_code(doc, "fields.attendance", "roster_missing");
}

static void test_cases(void **state)
{
    (void)state;
    expect_only_code(held_with("fields.agenda[0]", "case", "\"" CASE15 "\""), "fields.agenda[0].case",
                "case_other_region");
    expect_only_code(held_with("fields.agenda[0]", "case",
                          "\"case/KZ-11/00000000-0000-4000-8000-000000000000\""),
                "fields.agenda[0].case", "case_unknown");
    /* An id of another type is no case. */
    expect_only_code(held_with("fields.agenda[0]", "case", "\"roster/KZ-11/2026-02\""),
                "fields.agenda[0].case", "case_unknown");
    expect_only_code(held_with("fields.agenda[0]", "case", NULL), "fields.agenda[0].case",
                "case_required");
    expect_only_code(held_with("fields.agenda[1]", "matter", "\" \""), "fields.agenda[1].matter",
                "matter_required");
    /* The same case twice; another case of the region is fine. */
    json_t *doc = held();
    json_array_append_new(fixture_node(doc, "fields.agenda"),
                          parse("{\"kind\": \"case\", \"case\": \"" CASE11 "\"}"));
    expect_only_code(doc, "fields.agenda[2].case", "case_twice");
    doc = held();
    json_array_append_new(fixture_node(doc, "fields.agenda"),
                          parse("{\"kind\": \"case\", \"case\": \"" CASE11B "\"}"));
    expect_valid(doc);
}

static void test_vote_total(void **state)
{
    (void)state;
    expect_only_code(held_with("fields.agenda[1]", "vote", "{\"for\": 3, \"against\": 0, \"abstained\": 0}"),
                "fields.agenda[1].vote", "vote_total");
    expect_only_code(held_with("fields.agenda[1]", "vote", "{\"for\": 5}"), "fields.agenda[1].vote",
                "vote_total");
    /* Left out counts as none. */
    expect_valid(held_with("fields.agenda[1]", "vote", "{\"for\": 4}"));
    expect_only_code(held_with("fields.agenda[1].vote", "against", "-1"),
                "fields.agenda[1].vote.against", "out_of_range");
    /* Before attendance is known, nothing to add up to. */
    json_t *doc = held_with("fields.agenda[1]", "vote", "{\"for\": 9}");
    json_object_del(fixture_node(doc, "fields"), "attendance");
    expect_valid(doc);
}

/* No message repeats what it judges. */
static void test_messages_repeat_nothing(void **state)
{
    (void)state;
    json_t *doc = held_with("fields", "attendance",
                            "[\"Неизвестный Человек\", \"Серикова Айжан Маратовна\"]");
    json_object_set_new(fixture_node(doc, "fields.agenda[0]"), "case", json_string(CASE15));
    kenes_errors errs;
    assert_int_equal(validate(doc, &errs), KENES_EVALIDATION);
    assert_true(json_array_size(errs.fields) >= 2);
    char *all = json_dumps(errs.fields, 0);
    assert_null(strstr(all, "Неизвестный"));
    assert_null(strstr(all, "KZ-15/"));
    free(all);
    kapi_errors_dispose(&errs);
}

static void test_number_stays(void **state)
{
    (void)state;
    /* An edit of meeting/KZ-11/2026-3: the date may move within its year. */
    json_t *doc = held_with("", "id", "\"meeting/KZ-11/2026-3\"");
    json_object_set_new(fixture_node(doc, "fields"), "date", json_string("2026-11-30"));
    expect_valid(doc);
    doc = held_with("", "id", "\"meeting/KZ-11/2026-3\"");
    json_object_set_new(fixture_node(doc, "fields"), "number", json_integer(4));
    expect_only_code(doc, "fields.number", "meeting_renumbered");
    doc = held_with("", "id", "\"meeting/KZ-11/2026-3\"");
    json_object_set_new(fixture_node(doc, "fields"), "date", json_string("2027-01-10"));
    expect_only_code(doc, "fields.number", "meeting_renumbered");
}

static void test_id_and_summary(void **state)
{
    (void)state;
    json_t *doc = held();
    struct kenes_doc d = {.json = doc};
    char id[128];
    assert_int_equal(cm->make_id(api, &d, id, sizeof(id)), 0);
    assert_string_equal(id, "meeting/KZ-11/2026-3");
    json_t *entry = json_object();
    assert_int_equal(cm->summary(api, &d, entry), 0);
    assert_int_equal(json_object_size(entry), 2);
    assert_string_equal(json_string_value(json_object_get(entry, "date")), "2026-03-12");
    assert_int_equal(json_integer_value(json_object_get(entry, "items")), 2);
    json_decref(entry);
    json_decref(doc);
    assert_string_equal(cm->repository, "cases");
    assert_true(cm->flags & KENES_DOCTYPE_CONFIDENTIAL);
}

/* ---- guards ------------------------------------------------------------------------ */

static kenes_ctx record_ctx(void)
{
    kenes_ctx ctx = {.action = "record", .user = "secretary", .role = "commission-secretary",
                     .from = "scheduled", .to = "held"};
    return ctx;
}

static void expect_refused_with(const kenes_guard *g, json_t *doc, const char *code,
                                const char *words)
{
    kenes_ctx ctx = record_ctx();
    kenes_errors errs;
    assert_int_equal(guard_run(g, doc, &ctx, &errs), KENES_EGUARD);
    assert_string_equal(errs.code, code);
    assert_null(errs.fields);
    if (words && !strstr(errs.message, words))
        print_message("message: %s\n", errs.message);
    if (words)
        assert_non_null(strstr(errs.message, words));
    kapi_errors_dispose(&errs);
}

static void expect_allowed(const kenes_guard *g, json_t *doc)
{
    kenes_ctx ctx = record_ctx();
    kenes_errors errs;
    expect_guard_allows(g, doc, &ctx, &errs);
    kapi_errors_dispose(&errs);
}

static void test_quorum(void **state)
{
    (void)state;
    /* 4 of 7 is more than half. */
    expect_allowed(quorum_present, held());
    /* 3 of 7 is not. */
    json_t *doc = held();
    json_array_remove(fixture_node(doc, "fields.attendance"), 3);
    expect_refused_with(quorum_present, doc, "quorum_missing", "3 members of the approved roster present, 4 required");
    /* None: scheduled, nobody listed. */
    doc = held();
    json_object_del(fixture_node(doc, "fields"), "attendance");
    expect_refused_with(quorum_present, doc, "quorum_missing", "0 members");
    /* A region without an approved roster has no quorum. */
    doc = held_with("", "region", "\"KZ-15\"");
    expect_refused_with(quorum_present, doc, "quorum_missing", "no approved commission roster");
    /* A name no longer on the roster counts for nothing (the roster changed). */
    doc = held();
    json_array_set_new(fixture_node(doc, "fields.attendance"), 3, json_string("Старый Член Комиссии"));
    expect_refused_with(quorum_present, doc, "quorum_missing", "3 members");
    /* Nor does a member twice. */
    doc = held();
    json_array_set_new(fixture_node(doc, "fields.attendance"), 3, json_string("серикова айжан маратовна"));
    expect_refused_with(quorum_present, doc, "quorum_missing", "3 members");
}

/* The roster in force cannot be read now (the core's KENES_EIO): the
 * quorum and the attendance say "try again" and why, never "no roster" nor
 * "out of memory". */
static void test_roster_unreadable(void **state)
{
    (void)state;
    json_object_set_new(json_array_get(docs, 4), "_unreadable", json_true());
    expect_refused_with(quorum_present, held(), "try_again", "the roster cannot be read now");
    expect_only_code(held(), "fields.attendance", "try_again");
}

static void test_quorum_param(void **state)
{
    (void)state;
    quorum = "2/3"; /* more than 4.67 of 7: 5 */
    expect_refused_with(quorum_present, held(), "quorum_missing", "4 members of the approved roster present, 5 required");
    quorum = "1/3"; /* more than 2.33: 3 */
    json_t *doc = held();
    json_array_remove(fixture_node(doc, "fields.attendance"), 3);
    expect_allowed(quorum_present, doc);
    /* Malformed: logged, and the default (1/2) applies. */
    static const char *const bad[] = {"abc", "1/0", "3/2", "1/1", "1/2/3", "/2", "1/", " 1/2",
                                      "12345/99999", ""};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        quorum = bad[i];
        expect_allowed(quorum_present, held());
        doc = held();
        json_array_remove(fixture_node(doc, "fields.attendance"), 3);
        expect_refused_with(quorum_present, doc, "quorum_missing", "4 required");
    }
}

/* A meeting is recorded (and signed) on its date or later: one dated ahead
 * by a slip of the year would be its case's latest decision for good. */
static void test_meeting_held_not_ahead(void **state)
{
    (void)state;
    assert_int_equal(setenv("KENES_NOW", "2026-03-12T08:00:00Z", 1), 0);
    expect_allowed(meeting_held, held()); /* the day itself */
    expect_refused_with(meeting_held, held_with("fields", "date", "\"2026-03-13\""),
                        "meeting_in_future", "after today");
    expect_refused_with(meeting_held, held_with("fields", "date", "\"2099-01-01\""),
                        "meeting_in_future", "fields.date");
    /* Scheduled ahead is what scheduling is. */
    expect_valid(held_with("fields", "date", "\"2026-04-01\""));
    /* Once held, an edit may not move it ahead. */
    json_t *doc = held_with("fields", "date", "\"2026-03-13\"");
    json_object_set_new(doc, "stage", json_string("held"));
    expect_only_code(doc, "fields.date", "meeting_in_future");
    doc = held();
    json_object_set_new(doc, "stage", json_string("held"));
    expect_valid(doc);
    assert_int_equal(unsetenv("KENES_NOW"), 0);
}

/* At most 100 agenda items and 100 names: a sitting, not a flood. */
static void test_list_limits(void **state)
{
    (void)state;
    json_t *doc = held();
    json_t *agenda = fixture_node(doc, "fields.agenda");
    while (json_array_size(agenda) < 100)
        json_array_append_new(agenda, parse("{\"kind\": \"matter\", \"matter\": \"Разное\","
                                            " \"decision_text\": \"Принять к сведению\"}"));
    expect_valid(json_deep_copy(doc));
    json_array_append_new(agenda, parse("{\"kind\": \"matter\", \"matter\": \"Разное\"}"));
    expect_only_code(doc, "fields.agenda", "too_many");

    doc = held();
    json_t *guests = fixture_node(doc, "fields.guests");
    while (json_array_size(guests) <= 100)
        json_array_append_new(guests, json_string("Гость"));
    expect_only_code(doc, "fields.guests", "too_many");
    doc = held();
    json_t *names = fixture_node(doc, "fields.attendance");
    while (json_array_size(names) <= 100)
        json_array_append_new(names, json_string("Ким Олег Викторович"));
    expect_only_code(doc, "fields.attendance", "too_many");
}

/* A name with a character that shows nothing is refused, not stored raw
 * (folding would make it someone else, or no one). */
static void test_attendance_invisible(void **state)
{
    (void)state;
    static const char *const hidden[] = {"\u200b", "\u200d", "\u00ad", "\ufeff", "\u202e",
                                         "\u2060"};
    for (size_t i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++) {
        char name[400];
        snprintf(name, sizeof(name), "[\"Серикова Айжан Маратовна\","
                 " \"Абдрахманова Гульнара Сериковна\", \"Жумабеков Ерлан Асхатович\","
                 " \"Искакова%s Мадина Талгатовна\"]", hidden[i]);
        expect_only_code(held_with("fields", "attendance", name), "fields.attendance[3]",
                    "invisible_char");
    }
}

/* A case erased since it was put on the agenda does not stop an edit of the
 * meeting; a new or changed case item is judged. */
static void test_erased_case_on_saved_agenda(void **state)
{
    (void)state;
    json_t *saved = held_with("", "id", "\"meeting/KZ-11/2026-3\"");
    json_array_append_new(docs, json_deep_copy(saved));
    json_array_remove(docs, 0); /* CASE11 erased */
    expect_valid(saved);
    /* Put on the agenda now, an erased case is no case. */
    json_t *doc = held();
    expect_only_code(doc, "fields.agenda[0].case", "case_unknown");
    doc = held_with("", "id", "\"meeting/KZ-11/2026-3\"");
    json_array_append_new(fixture_node(doc, "fields.agenda"),
                          parse("{\"kind\": \"case\", \"case\": \"" CASE15 "\"}"));
    expect_only_code(doc, "fields.agenda[2].case", "case_other_region");
}

static void test_decisions(void **state)
{
    (void)state;
    expect_allowed(decisions_recorded, held());
    expect_refused_with(decisions_recorded, held_with("fields.agenda[0]", "decision", NULL),
                        "decisions_missing", "fields.agenda[0]");
    /* A case item's wording alone is no decision. */
    expect_refused_with(decisions_recorded, held_with("fields.agenda[0]", "decision", "null"),
                        "decisions_missing", "1 agenda item has");
    expect_refused_with(decisions_recorded, held_with("fields.agenda[1]", "decision_text", "\" \""),
                        "decisions_missing", "fields.agenda[1]");
    expect_refused_with(decisions_recorded, held_with("fields.agenda[1]", "vote", NULL),
                        "decisions_missing", "fields.agenda[1]");
    expect_refused_with(decisions_recorded,
                        held_with("fields.agenda[1]", "vote", "{\"for\": 0, \"against\": 0}"),
                        "decisions_missing", "fields.agenda[1]");
    json_t *doc = held();
    json_object_del(fixture_node(doc, "fields.agenda[0]"), "vote");
    json_object_del(fixture_node(doc, "fields.agenda[1]"), "decision_text");
    expect_refused_with(decisions_recorded, doc, "decisions_missing",
                        "2 agenda items have no decision or vote recorded (fields.agenda[0], "
                        "fields.agenda[1])");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup(f, reset)
    const struct CMUnitTest tests[] = {
        T(test_held_valid),       T(test_scheduled_valid),
        T(test_required),         T(test_attendance_roster),
        T(test_roster_missing),   T(test_roster_unreadable), T(test_cases),
        T(test_vote_total),       T(test_messages_repeat_nothing),
        T(test_id_and_summary),   T(test_number_stays),
        T(test_quorum),
        T(test_quorum_param),     T(test_decisions),
        T(test_meeting_held_not_ahead), T(test_list_limits),
        T(test_attendance_invisible),   T(test_erased_case_on_saved_agenda),
    };
    return cmocka_run_group_tests_name("commission-meeting", tests, setup_group, teardown_group);
}
