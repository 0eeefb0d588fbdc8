/* The field tables of the document page and the public page
 * (core/web/fields.c) from a hand-written schema in the shape docs_schema()
 * answers: labels in the reader's language, enum values as labels, dates
 * and quarters in words, numbers with thousands separators, lists as
 * lists, rows grouped by an enum, a group's fields spread out, fields shown
 * elsewhere skipped; and the plain table with no schema. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "web/fields.h"

static const char schema_text[] =
    "{\"type\":\"regional-plan\",\"fields\":["
    " {\"name\":\"period\",\"path\":\"fields.period\",\"kind\":\"integer\",\"required\":true,"
    "  \"label\":{\"ru\":\"Год плана\",\"kk\":\"Жоспар жылы\",\"en\":\"Plan year\"}},"
    " {\"name\":\"act\",\"path\":\"fields.act\",\"kind\":\"group\",\"required\":false,"
    "  \"label\":{\"ru\":\"Утверждающий акт\",\"kk\":\"Бекіту актісі\",\"en\":\"Approving act\"},"
    "  \"fields\":["
    "   {\"name\":\"number\",\"path\":\"number\",\"kind\":\"text\",\"required\":true,"
    "    \"label\":{\"ru\":\"Номер\",\"kk\":\"Нөмірі\",\"en\":\"Number\"}},"
    "   {\"name\":\"date\",\"path\":\"date\",\"kind\":\"date\",\"required\":true,"
    "    \"label\":{\"ru\":\"Дата\",\"kk\":\"Күні\",\"en\":\"Date\"}}]},"
    " {\"name\":\"measures\",\"path\":\"fields.measures\",\"kind\":\"list\",\"required\":true,"
    "  \"group_by\":\"direction\","
    "  \"label\":{\"ru\":\"Меры\",\"kk\":\"Іс-шаралар\",\"en\":\"Measures\"},"
    "  \"fields\":["
    "   {\"name\":\"title\",\"path\":\"title\",\"kind\":\"text\",\"required\":true,"
    "    \"label\":{\"ru\":\"Мера\",\"kk\":\"Іс-шара\",\"en\":\"Measure\"}},"
    "   {\"name\":\"direction\",\"path\":\"direction\",\"kind\":\"enum\",\"required\":true,"
    "    \"label\":{\"ru\":\"Направление\",\"kk\":\"Бағыт\",\"en\":\"Direction\"},"
    "    \"values\":["
    "     {\"value\":\"safety\",\"label\":{\"ru\":\"Безопасность\",\"kk\":\"Қауіпсіздік\",\"en\":\"Safety\"}},"
    "     {\"value\":\"health\",\"label\":{\"ru\":\"Здоровье\",\"kk\":\"Денсаулық\",\"en\":\"Health\"}}]},"
    "   {\"name\":\"co_executors\",\"path\":\"co_executors\",\"kind\":\"list\",\"of\":\"text\","
    "    \"required\":false,\"label\":{\"ru\":\"Соисполнители\",\"kk\":\"Бірлескен орындаушылар\",\"en\":\"Co-executors\"}},"
    "   {\"name\":\"deadline\",\"path\":\"deadline\",\"kind\":\"date_or_quarter\",\"required\":true,"
    "    \"label\":{\"ru\":\"Срок\",\"kk\":\"Мерзімі\",\"en\":\"Deadline\"}},"
    "   {\"name\":\"funding\",\"path\":\"funding\",\"kind\":\"group\",\"required\":true,"
    "    \"label\":{\"ru\":\"Финансирование\",\"kk\":\"Қаржыландыру\",\"en\":\"Funding\"},"
    "    \"fields\":["
    "     {\"name\":\"amount_kzt\",\"path\":\"funding.amount_kzt\",\"kind\":\"number\",\"required\":true,"
    "      \"label\":{\"ru\":\"Сумма, тенге\",\"kk\":\"Сомасы, теңге\",\"en\":\"Amount, KZT\"}}]},"
    "   {\"name\":\"urgent\",\"path\":\"urgent\",\"kind\":\"boolean\",\"required\":false,"
    "    \"label\":{\"ru\":\"Срочно\",\"kk\":\"Шұғыл\",\"en\":\"Urgent\"}}]}"
    "]}";

static const char fields_text[] =
    "{\"period\":2026,\"act\":{\"number\":\"№ 15\",\"date\":\"2026-02-05\"},"
    " \"measures\":["
    "  {\"title\":\"Психологи\",\"direction\":\"health\",\"co_executors\":[\"Акимат\",\"Полиция\"],"
    "   \"deadline\":\"2026-Q3\",\"funding\":{\"amount_kzt\":4000000},\"urgent\":true},"
    "  {\"title\":\"Службы примирения\",\"direction\":\"safety\",\"co_executors\":[],"
    "   \"deadline\":\"2026-09-01\",\"funding\":{\"amount_kzt\":12500000.5}},"
    "  {\"title\":\"Иное\",\"direction\":\"unknown\",\"deadline\":\"2026-Q4\",\"funding\":{\"amount_kzt\":0}}]}";

/* As content/ui/strings/pages.yaml has them. */
static json_t *words(ui_lang lang)
{
    if (lang == UI_KK)
        return json_pack("{s:s, s:s, s:s, s:s}", "yes", "Иә", "no", "Жоқ", "none", "—", "quarter",
                         "{y} жылғы {q}-тоқсан");
    return json_pack("{s:s, s:s, s:s, s:s}", "yes", "Да", "no", "Нет", "none", "—", "quarter",
                     "{q}-й квартал {y} г.");
}

static json_t *view_skip(const char *schema, const char *fields, const char *const *skip,
                         ui_lang lang)
{
    json_t *s = schema ? json_loads(schema, 0, NULL) : NULL;
    json_t *f = json_loads(fields, 0, NULL), *w = words(lang), *out;
    assert_non_null(f);
    assert_int_equal(web_fields_view(&out, s, f, skip, lang, w), 0);
    json_decref(s);
    json_decref(f);
    json_decref(w);
    return out;
}

static json_t *view(const char *schema, const char *fields, ui_lang lang)
{
    return view_skip(schema, fields, NULL, lang);
}

static const char *str(const json_t *v, const char *path)
{
    /* "a.0.b": keys and indexes */
    char buf[128];
    snprintf(buf, sizeof(buf), "%s", path);
    for (char *tok = strtok(buf, "."); tok && v; tok = strtok(NULL, "."))
        v = (*tok >= '0' && *tok <= '9') ? json_array_get(v, (size_t)atoi(tok))
                                         : json_object_get(v, tok);
    return json_string_value(v);
}

static void test_schema_tables(void **state)
{
    (void)state;
    json_t *v = view(schema_text, fields_text, UI_RU);
    assert_int_equal(json_array_size(v), 3);
    /* The plain fields, label: value; a four-digit year stays together. */
    assert_string_equal(str(v, "0.pairs.0.label"), "Год плана");
    assert_string_equal(str(v, "0.pairs.0.text"), "2026");
    /* A group under its heading, its date in words. */
    assert_string_equal(str(v, "1.heading"), "Утверждающий акт");
    assert_string_equal(str(v, "1.pairs.0.text"), "№ 15");
    assert_string_equal(str(v, "1.pairs.1.label"), "Дата");
    assert_string_equal(str(v, "1.pairs.1.text"), "5 февраля 2026 г.");
    /* The measures grouped by direction, in the schema's order, an unknown value last. */
    assert_string_equal(str(v, "2.heading"), "Меры");
    assert_string_equal(str(v, "2.groups.0.heading"), "Безопасность");
    assert_string_equal(str(v, "2.groups.1.heading"), "Здоровье");
    assert_string_equal(str(v, "2.groups.2.heading"), "unknown");
    /* Columns: the direction left out (it heads the group), the group spread out. */
    assert_string_equal(str(v, "2.groups.0.columns.0"), "Мера");
    assert_string_equal(str(v, "2.groups.0.columns.1"), "Соисполнители");
    assert_string_equal(str(v, "2.groups.0.columns.3"), "Финансирование: Сумма, тенге");
    assert_int_equal(json_array_size(json_object_get(json_array_get(json_object_get(
                         json_array_get(v, 2), "groups"), 0), "columns")), 5);
    assert_string_equal(str(v, "2.groups.0.rows.0.cells.0.text"), "Службы примирения");
    assert_string_equal(str(v, "2.groups.0.rows.0.cells.1.text"), "—"); /* an empty list */
    assert_string_equal(str(v, "2.groups.0.rows.0.cells.2.text"), "1 сентября 2026 г.");
    assert_string_equal(str(v, "2.groups.0.rows.0.cells.3.text"), "12\xC2\xA0" "500\xC2\xA0" "000,5");
    assert_string_equal(str(v, "2.groups.1.rows.0.cells.1.list.1"), "Полиция");
    assert_string_equal(str(v, "2.groups.1.rows.0.cells.2.text"), "3-й квартал 2026 г.");
    assert_string_equal(str(v, "2.groups.1.rows.0.cells.3.text"), "4\xC2\xA0" "000\xC2\xA0" "000");
    assert_string_equal(str(v, "2.groups.1.rows.0.cells.4.text"), "Да");
    assert_string_equal(str(v, "2.groups.0.rows.0.cells.4.text"), "—");
    json_decref(v);

    /* In Kazakh and English: their labels, their dates, their numbers. */
    v = view(schema_text, fields_text, UI_KK);
    assert_string_equal(str(v, "2.groups.0.heading"), "Қауіпсіздік");
    assert_string_equal(str(v, "1.pairs.1.text"), "2026 жылғы 5 ақпан");
    assert_string_equal(str(v, "2.groups.0.rows.0.cells.2.text"), "2026 жылғы 1 қыркүйек");
    assert_string_equal(str(v, "2.groups.1.rows.0.cells.2.text"), "2026 жылғы 3-тоқсан");
    assert_string_equal(str(v, "2.groups.1.rows.0.cells.4.text"), "Иә");
    json_decref(v);
    v = view(schema_text, fields_text, UI_EN);
    assert_string_equal(str(v, "0.pairs.0.label"), "Plan year");
    assert_string_equal(str(v, "2.groups.1.rows.0.cells.3.text"), "4,000,000");
    json_decref(v);
}

/* numbered: each row's place in the whole list as a first column "№",
 * counted across the groups (what an execution report names a measure by). */
static void test_numbered(void **state)
{
    (void)state;
    json_t *sc = json_loads(schema_text, 0, NULL);
    json_t *measures = json_array_get(json_object_get(sc, "fields"), 2);
    json_object_set_new(measures, "numbered", json_true());
    char *text = json_dumps(sc, 0);
    json_decref(sc);
    json_t *v = view(text, fields_text, UI_RU);
    assert_string_equal(str(v, "2.groups.0.columns.0"), "№"); /* the fallback word */
    assert_string_equal(str(v, "2.groups.0.columns.1"), "Мера");
    /* Безопасность first: the list's second measure; Здоровье: its first. */
    assert_string_equal(str(v, "2.groups.0.rows.0.cells.0.text"), "2");
    assert_string_equal(str(v, "2.groups.0.rows.0.cells.1.text"), "Службы примирения");
    assert_string_equal(str(v, "2.groups.1.rows.0.cells.0.text"), "1");
    assert_string_equal(str(v, "2.groups.2.rows.0.cells.0.text"), "3");
    json_decref(v);
    free(text);
}

static void test_no_rows(void **state)
{
    (void)state;
    json_t *v = view(schema_text, "{\"period\":2027}", UI_RU);
    /* The act is absent: its fields say so; the measures table is empty. */
    assert_string_equal(str(v, "1.pairs.0.text"), "—");
    assert_string_equal(str(v, "2.empty"), "—");
    assert_int_equal(json_array_size(json_object_get(json_array_get(v, 2), "groups")), 0);
    json_decref(v);
}

/* What the form no longer asks for shows only where it was filled in; an
 * empty list says "—" with no table header. */
static const char hidden_schema[] =
    "{\"type\":\"case-review\",\"fields\":["
    " {\"name\":\"decision\",\"path\":\"fields.decision\",\"kind\":\"textarea\","
    "  \"required\":false,\"hidden_in_form\":true,"
    "  \"label\":{\"ru\":\"Решение\",\"kk\":\"Шешім\",\"en\":\"Decision\"}},"
    " {\"name\":\"meeting\",\"path\":\"fields.meeting\",\"kind\":\"group\","
    "  \"required\":false,\"hidden_in_form\":true,"
    "  \"label\":{\"ru\":\"Заседание\",\"kk\":\"Отырыс\",\"en\":\"Meeting\"},"
    "  \"fields\":[{\"name\":\"date\",\"path\":\"date\",\"kind\":\"date\",\"required\":false,"
    "   \"label\":{\"ru\":\"Дата\",\"kk\":\"Күні\",\"en\":\"Date\"}}]},"
    " {\"name\":\"checks\",\"path\":\"fields.checks\",\"kind\":\"list\",\"required\":false,"
    "  \"label\":{\"ru\":\"Проверки\",\"kk\":\"Тексерулер\",\"en\":\"Checks\"},"
    "  \"fields\":[{\"name\":\"due\",\"path\":\"due\",\"kind\":\"date\",\"required\":true,"
    "   \"label\":{\"ru\":\"Срок\",\"kk\":\"Мерзімі\",\"en\":\"Due\"}}]}"
    "]}";

static void test_hidden_and_empty(void **state)
{
    (void)state;
    json_t *v = view(hidden_schema, "{\"meeting\":{\"date\":null},\"checks\":[]}", UI_RU);
    /* Neither hidden field is shown: only the checks' section, with no table. */
    assert_int_equal(json_array_size(v), 1);
    assert_string_equal(str(v, "0.heading"), "Проверки");
    assert_string_equal(str(v, "0.empty"), "—");
    assert_int_equal(json_array_size(json_object_get(json_array_get(v, 0), "groups")), 0);
    json_decref(v);

    v = view(hidden_schema, "{\"decision\":\"Продолжить\",\"meeting\":{\"date\":\"2026-02-20\"}}",
             UI_RU);
    /* Filled in before the form stopped asking: still shown. */
    assert_string_equal(str(v, "0.pairs.0.label"), "Решение");
    assert_string_equal(str(v, "1.heading"), "Заседание");
    json_decref(v);
}

static void test_without_schema(void **state)
{
    (void)state;
    json_t *v = view(NULL, fields_text, UI_RU);
    assert_string_equal(str(v, "0.pairs.0.label"), "period");
    assert_string_equal(str(v, "0.pairs.0.text"), "2026");
    assert_string_equal(str(v, "1.heading"), "act");
    assert_string_equal(str(v, "2.heading"), "measures");
    assert_string_equal(str(v, "2.groups.0.columns.0"), "title");
    assert_string_equal(str(v, "2.groups.0.rows.0.cells.0.text"), "Психологи");
    assert_string_equal(str(v, "2.groups.0.rows.0.cells.2.list.0"), "Акимат");
    /* A nested object's keys become columns of their own. */
    assert_string_equal(str(v, "2.groups.0.columns.4"), "funding: amount_kzt");
    assert_string_equal(str(v, "2.groups.0.rows.0.cells.4.text"), "4\xC2\xA0" "000\xC2\xA0" "000");
    /* Dates and quarters read as words under the JSON's keys too. */
    assert_string_equal(str(v, "2.groups.0.rows.0.cells.3.text"), "3-й квартал 2026 г.");
    assert_string_equal(str(v, "2.groups.0.rows.1.cells.3.text"), "1 сентября 2026 г.");
    assert_string_equal(str(v, "1.pairs.1.text"), "5 февраля 2026 г.");
    /* The second row has no urgent: an empty cell, not a shifted row. */
    assert_int_equal(json_array_size(json_object_get(json_array_get(
                         json_object_get(json_array_get(json_object_get(json_array_get(v, 2),
                                                                        "groups"), 0), "rows"),
                         1), "cells")), 6);
    json_decref(v);
}

/* The public page shows the approving act in its record: not twice. */
static void test_skip(void **state)
{
    (void)state;
    static const char *const skip[] = {"act", NULL};
    json_t *v = view_skip(schema_text, fields_text, skip, UI_RU);
    assert_int_equal(json_array_size(v), 2);
    assert_string_equal(str(v, "0.pairs.0.label"), "Год плана");
    assert_string_equal(str(v, "1.heading"), "Меры");
    json_decref(v);
    v = view_skip(NULL, fields_text, skip, UI_RU);
    assert_int_equal(json_array_size(v), 2);
    assert_string_equal(str(v, "1.heading"), "measures");
    json_decref(v);
    /* Everything skipped: no sections at all (the page leaves out its heading). */
    static const char *const all[] = {"period", "act", "measures", NULL};
    v = view_skip(schema_text, fields_text, all, UI_RU);
    assert_int_equal(json_array_size(v), 0);
    json_decref(v);
}

static void test_numbers(void **state)
{
    (void)state;
    char out[64];
    web_format_number(out, sizeof(out), 1234, 1, UI_RU);
    assert_string_equal(out, "1234");
    web_format_number(out, sizeof(out), 12345, 1, UI_EN);
    assert_string_equal(out, "12,345");
    web_format_number(out, sizeof(out), -1234567, 1, UI_KK);
    assert_string_equal(out, "-1\xC2\xA0" "234\xC2\xA0" "567");
    web_format_number(out, sizeof(out), 0.25, 0, UI_RU);
    assert_string_equal(out, "0,25");
}

static void test_fill(void **state)
{
    (void)state;
    static const char *const names[] = {"given", "needed"};
    const long values[] = {1, 2};
    char *s = web_fill("{needed} ішінен {given}", names, values, 2);
    assert_string_equal(s, "2 ішінен 1");
    free(s);
    s = web_fill("{other} {given", names, values, 2); /* what it does not know stays */
    assert_string_equal(s, "{other} {given");
    free(s);
}

/* ---- refs and rows too wide to read across -------------------------------- */

static json_t *link_known(const char *to, const char *id, void *arg)
{
    (void)arg;
    if (strcmp(to, "case-review") != 0 || strcmp(id, "case/KZ-11/known") != 0)
        return NULL; /* a reader who may not read it: the bare id */
    return json_pack("{s:s, s:s}", "text", "C-0001 · Зарегистрировано · known", "href",
                     "/ui/d/case/KZ-11/known");
}

static void test_refs_and_cards(void **state)
{
    (void)state;
    /* An agenda of nine columns: more than a row of a table can hold. */
    json_t *s = json_pack("{s:s, s:[{s:s, s:s, s:s, s:{s:s, s:s, s:s}, s:{s:s, s:s, s:s}, s:["
                          "{s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s}}]}]}",
                          "type", "t", "fields", "name", "agenda", "path", "fields.agenda", "kind",
                          "list", "label", "ru", "Повестка", "kk", "Күн тәртібі", "en", "Agenda",
                          "item_label", "ru", "Вопрос", "kk", "Мәселе", "en", "Item", "fields",
                          "name", "case", "path", "case", "kind", "ref", "to", "case-review",
                          "label", "ru", "Дело", "kk", "Іс", "en", "Case");
    json_t *rows = json_object_get(json_array_get(json_object_get(s, "fields"), 0), "fields");
    for (int i = 0; i < 8; i++) {
        char name[8];
        snprintf(name, sizeof(name), "n%d", i);
        json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:s}}", "name", name,
                                              "path", name, "kind", "text", "label", "ru", name,
                                              "kk", name, "en", name));
    }
    json_t *f = json_pack("{s:[{s:s, s:s}, {s:s}]}", "agenda", "case", "case/KZ-11/known", "n0",
                          "x", "case", "case/KZ-11/other");
    json_t *out;
    assert_int_equal(web_fields_view_refs(&out, s, f, NULL, UI_RU, NULL, link_known, NULL), 0);
    /* The list's heading, then each row under its name, unset values left out. */
    assert_int_equal(json_array_size(out), 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(out, 0), "heading")),
                        "Повестка");
    const json_t *first = json_array_get(out, 1), *second = json_array_get(out, 2);
    assert_string_equal(json_string_value(json_object_get(first, "subheading")), "Вопрос 1");
    assert_int_equal(json_array_size(json_object_get(first, "pairs")), 2);
    const json_t *c = json_array_get(json_object_get(first, "pairs"), 0);
    assert_string_equal(json_string_value(json_object_get(c, "label")), "Дело");
    assert_string_equal(json_string_value(json_object_get(c, "href")), "/ui/d/case/KZ-11/known");
    assert_string_equal(json_string_value(json_object_get(c, "text")),
                        "C-0001 · Зарегистрировано · known");
    c = json_array_get(json_object_get(second, "pairs"), 0);
    assert_int_equal(json_array_size(json_object_get(second, "pairs")), 1);
    assert_null(json_object_get(c, "href"));
    assert_string_equal(json_string_value(json_object_get(c, "text")), "case/KZ-11/other");
    json_decref(out);
    /* Without a way to name refs: the bare id, and no resolver stays set. */
    assert_int_equal(web_fields_view(&out, s, f, NULL, UI_RU, NULL), 0);
    c = json_array_get(json_object_get(json_array_get(out, 1), "pairs"), 0);
    assert_null(json_object_get(c, "href"));
    assert_string_equal(json_string_value(json_object_get(c, "text")), "case/KZ-11/known");
    json_decref(out);
    json_decref(f);
    json_decref(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schema_tables),
        cmocka_unit_test(test_no_rows),
        cmocka_unit_test(test_hidden_and_empty),
        cmocka_unit_test(test_without_schema),
        cmocka_unit_test(test_skip),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_numbered),
        cmocka_unit_test(test_fill),
        cmocka_unit_test(test_refs_and_cards),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
