/* A document's fields as tables and lines (web/fieldtable.h): from a
 * hand-written schema in the shape docs_schema gives, and without one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "web/fieldtable.h"

#define L(ru, kk, en) "{\"ru\": \"" ru "\", \"kk\": \"" kk "\", \"en\": \"" en "\"}"

static const char SCHEMA[] =
    "{\"type\": \"regional-plan\", \"fields\": ["
    " {\"name\": \"period\", \"path\": \"fields.period\", \"kind\": \"integer\", \"required\": true,"
    "  \"label\": " L("Год плана", "Жоспар жылы", "Plan year") "},"
    " {\"name\": \"measures\", \"path\": \"fields.measures\", \"kind\": \"list\", \"required\": true,"
    "  \"group_by\": \"direction\", \"label\": " L("Меры", "Іс-шаралар", "Measures") ","
    "  \"fields\": ["
    "   {\"name\": \"title\", \"path\": \"title\", \"kind\": \"text\", \"required\": true,"
    "    \"label\": " L("Мера", "Іс-шара", "Measure") "},"
    "   {\"name\": \"direction\", \"path\": \"direction\", \"kind\": \"enum\", \"required\": true,"
    "    \"label\": " L("Направление", "Бағыт", "Direction") ","
    "    \"values\": [{\"value\": \"education\", \"label\": " L("Образование", "Білім беру", "Education") "},"
    "                {\"value\": \"safety\", \"label\": " L("Безопасность", "Қауіпсіздік", "Safety") "}]},"
    "   {\"name\": \"deadline\", \"path\": \"deadline\", \"kind\": \"date_or_quarter\", \"required\": true,"
    "    \"label\": " L("Срок", "Мерзімі", "Deadline") "},"
    "   {\"name\": \"co_executors\", \"path\": \"co_executors\", \"kind\": \"list\", \"of\": \"text\","
    "    \"required\": false, \"label\": " L("Соисполнители", "Бірлескен орындаушылар", "Co-executors") "},"
    "   {\"name\": \"funding\", \"path\": \"funding\", \"kind\": \"group\", \"required\": true,"
    "    \"label\": " L("Финансирование", "Қаржыландыру", "Funding") ","
    "    \"fields\": [{\"name\": \"amount_kzt\", \"path\": \"funding.amount_kzt\", \"kind\": \"integer\","
    "                 \"required\": true, \"label\": " L("Сумма, тенге", "Сомасы, теңге", "Amount, KZT") "}]}"
    "  ]},"
    " {\"name\": \"urgent\", \"path\": \"fields.urgent\", \"kind\": \"boolean\", \"required\": false,"
    "  \"label\": " L("Срочно", "Шұғыл", "Urgent") "},"
    " {\"name\": \"act\", \"path\": \"fields.act\", \"kind\": \"group\", \"required\": false,"
    "  \"label\": " L("Акт", "Акт", "Act") ", \"fields\": []}"
    "]}";

static const char FIELDS[] =
    "{\"period\": 2026, \"urgent\": true, \"act\": {\"number\": \"№ 1\"},"
    " \"measures\": ["
    "  {\"title\": \"Службы примирения\", \"direction\": \"safety\", \"deadline\": \"2026-Q2\","
    "   \"co_executors\": [\"Полиция\", \"Акимат\"], \"funding\": {\"amount_kzt\": 12500000}},"
    "  {\"title\": \"Обучение педагогов\", \"direction\": \"education\", \"deadline\": \"2026-09-01\","
    "   \"funding\": {\"amount_kzt\": 0}}]}";

static json_t *parse(const char *text)
{
    json_error_t e;
    json_t *j = json_loads(text, 0, &e);
    if (!j)
        fail_msg("%s: %s", text, e.text);
    return j;
}

static const char *str(const json_t *j, const char *path)
{
    /* "a.0.b": objects by key, arrays by index. */
    char buf[128];
    strncpy(buf, path, sizeof(buf) - 1);
    buf[sizeof(buf) - 1] = '\0';
    const json_t *cur = j;
    for (char *tok = strtok(buf, "."); tok && cur; tok = strtok(NULL, "."))
        cur = json_is_array(cur) ? json_array_get(cur, strtoul(tok, NULL, 10))
                                 : json_object_get(cur, tok);
    return json_string_value(cur);
}

static const fieldtable_words RU = {UI_RU, "да", "нет", "{q}-й квартал {y} г."};
static const fieldtable_words KK = {UI_KK, "иә", "жоқ", "{y} жылғы {q}-тоқсан"};

static void tables_from_a_schema(void **state)
{
    (void)state;
    json_t *schema = parse(SCHEMA), *fields = parse(FIELDS), *out;
    const char *skip[] = {"act", NULL};
    assert_int_equal(fieldtable_build(&out, schema, fields, skip, &RU), 0);
    json_t *tables = json_object_get(out, "tables");
    assert_int_equal(json_array_size(tables), 1);
    assert_string_equal(str(tables, "0.label"), "Меры");
    /* Grouped by direction, in the enumeration's order, under its labels. */
    json_t *groups = json_object_get(json_array_get(tables, 0), "groups");
    assert_int_equal(json_array_size(groups), 2);
    assert_string_equal(str(groups, "0.label"), "Образование");
    assert_string_equal(str(groups, "1.label"), "Безопасность");
    /* The group_by field is no column; a group's fields are, under both labels. */
    json_t *cols = json_object_get(json_array_get(groups, 1), "columns");
    assert_int_equal(json_array_size(cols), 4);
    assert_string_equal(str(cols, "0"), "Мера");
    assert_string_equal(str(cols, "1"), "Срок");
    assert_string_equal(str(cols, "2"), "Соисполнители");
    assert_string_equal(str(cols, "3"), "Финансирование: Сумма, тенге");
    assert_string_equal(str(groups, "1.rows.0.cells.0"), "Службы примирения");
    assert_string_equal(str(groups, "1.rows.0.cells.1"), "2-й квартал 2026 г.");
    assert_string_equal(str(groups, "1.rows.0.cells.2"), "Полиция; Акимат");
    assert_string_equal(str(groups, "1.rows.0.cells.3"), "12\xc2\xa0" "500\xc2\xa0" "000");
    assert_string_equal(str(groups, "0.rows.0.cells.1"), "1 сентября 2026 г.");
    assert_string_equal(str(groups, "0.rows.0.cells.2"), "");
    /* The rest as lines; a year stays whole; the skipped field is not there. */
    json_t *facts = json_object_get(out, "facts");
    assert_int_equal(json_array_size(facts), 2);
    assert_string_equal(str(facts, "0.label"), "Год плана");
    assert_string_equal(str(facts, "0.text"), "2026");
    assert_string_equal(str(facts, "1.text"), "да");
    json_decref(out);

    assert_int_equal(fieldtable_build(&out, schema, fields, skip, &KK), 0);
    assert_string_equal(str(out, "tables.0.groups.1.label"), "Қауіпсіздік");
    assert_string_equal(str(out, "tables.0.groups.1.rows.0.cells.1"), "2026 жылғы 2-тоқсан");
    assert_string_equal(str(out, "tables.0.groups.0.rows.0.cells.1"), "2026 жылғы 1 қыркүйек");
    json_decref(out);
    json_decref(schema);
    json_decref(fields);
}

static void tables_without_a_schema(void **state)
{
    (void)state;
    json_t *fields = parse(FIELDS), *out;
    assert_int_equal(fieldtable_build(&out, NULL, fields, NULL, &RU), 0);
    json_t *tables = json_object_get(out, "tables");
    assert_int_equal(json_array_size(tables), 1);
    assert_string_equal(str(tables, "0.label"), "measures");
    assert_string_equal(str(tables, "0.groups.0.label"), "");
    assert_string_equal(str(tables, "0.groups.0.columns.0"), "title");
    assert_string_equal(str(tables, "0.groups.0.columns.4"), "funding: amount_kzt");
    assert_string_equal(str(tables, "0.groups.0.rows.0.cells.2"), "2-й квартал 2026 г.");
    /* The second row has no co_executors: an empty cell, not a shifted row. */
    assert_string_equal(str(tables, "0.groups.0.rows.1.cells.3"), "");
    assert_string_equal(str(tables, "0.groups.0.rows.1.cells.4"), "0");
    json_t *facts = json_object_get(out, "facts");
    assert_int_equal(json_array_size(facts), 3); /* period, urgent, act */
    json_decref(out);
    json_decref(fields);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tables_from_a_schema),
        cmocka_unit_test(tables_without_a_schema),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
