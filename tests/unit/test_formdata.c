/* The forms' data: a posted form -> a document's fields (paths, rows with
 * gaps, numbers, blanks, bad row numbers, names no schema declares), the
 * rows a form adds and removes without JavaScript, and the flat list of
 * inputs the template shows (core/web/formdata.c, formview.c).  The schema
 * is written here by hand, in the shape docs_schema gives. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/error.h"
#include "kenes/plugin.h"
#include "web/formdata.h"
#include "web/formview.h"

#include "form_schema.h"

static json_t *schema;

static int setup(void **state)
{
    (void)state;
    json_error_t e;
    schema = json_loads(schema_text, 0, &e);
    if (!schema)
        fail_msg("fixture schema: %s at %d", e.text, e.position);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    json_decref(schema);
    return 0;
}

/* A form from name, value pairs, NULL-ended. */
static json_t *form_of(const char *first, ...)
{
    json_t *f = json_object();
    va_list ap;
    va_start(ap, first);
    for (const char *k = first; k; k = va_arg(ap, const char *))
        json_object_set_new(f, k, json_string(va_arg(ap, const char *)));
    va_end(ap);
    return f;
}

static void assert_json(const json_t *got, const char *want_text)
{
    json_t *want = json_loads(want_text, JSON_DECODE_ANY, NULL);
    assert_non_null(want);
    if (!json_equal(got, want)) {
        char *s = json_dumps(got, JSON_SORT_KEYS | JSON_ENCODE_ANY);
        fail_msg("got %s\nwant %s", s, want_text);
    }
    json_decref(want);
}

static json_t *fields_of(json_t *form, int mode)
{
    json_t *out;
    assert_int_equal(formdata_fields(&out, schema, form, mode), 0);
    json_decref(form);
    return out;
}

static void paths_make_nested_json(void **state)
{
    (void)state;
    json_t *f = fields_of(
        form_of("fields.period", "2026", "title", "ignored: the header is not a field",
                "fields.measures[0].title", "Службы примирения",
                "fields.measures[0].direction", "safety",
                "fields.measures[0].co_executors[0]", "Полиция",
                "fields.measures[0].co_executors[1]", "Акимат",
                "fields.measures[0].funding.source", "местный бюджет",
                "fields.measures[0].funding.amount_kzt", "12 500 000",
                "fields.local_specifics", "Сёла далеко", NULL),
        FORM_DROP_BLANK);
    assert_json(f, "{\"period\":2026,\"local_specifics\":\"Сёла далеко\",\"measures\":[{"
                   "\"title\":\"Службы примирения\",\"direction\":\"safety\","
                   "\"co_executors\":[\"Полиция\",\"Акимат\"],"
                   "\"funding\":{\"source\":\"местный бюджет\",\"amount_kzt\":12500000}}]}");
    json_decref(f);
}

static void rows_with_gaps_are_renumbered_in_order(void **state)
{
    (void)state;
    json_t *f = fields_of(form_of("fields.measures[7].title", "C", "fields.measures[0].title", "A",
                                  "fields.measures[3].title", "B",
                                  "fields.measures[3].co_executors[5]", "y",
                                  "fields.measures[3].co_executors[2]", "x", NULL),
                          FORM_DROP_BLANK);
    assert_json(f, "{\"measures\":[{\"title\":\"A\"},{\"title\":\"B\",\"co_executors\":[\"x\",\"y\"]},"
                   "{\"title\":\"C\"}]}");
    json_decref(f);
}

static void numbers_parse_or_stay_text(void **state)
{
    (void)state;
    json_t *f = fields_of(
        form_of("fields.period", " 2027 ", "fields.measures[0].funding.amount_kzt", "много",
                "fields.measures[0].baseline", "30%", "fields.measures[1].baseline", "40",
                "fields.measures[1].share", "2,5", "fields.measures[2].share", "-0.25",
                "fields.measures[2].funding.amount_kzt", "99999999999999999999999",
                "fields.measures[3].funding.amount_kzt", "1.5", "fields.signed", "true", NULL),
        FORM_DROP_BLANK);
    assert_json(f, "{\"period\":2027,\"signed\":true,\"measures\":["
                   "{\"funding\":{\"amount_kzt\":\"много\"},\"baseline\":\"30%\"},"
                   "{\"baseline\":40,\"share\":2.5},"
                   "{\"share\":-0.25,\"funding\":{\"amount_kzt\":\"99999999999999999999999\"}},"
                   "{\"funding\":{\"amount_kzt\":\"1.5\"}}]}");
    json_decref(f);
    f = fields_of(form_of("fields.period", "2026abc", NULL), FORM_DROP_BLANK);
    assert_json(f, "{\"period\":\"2026abc\"}");
    json_decref(f);
}

static void blanks_left_out_or_kept(void **state)
{
    (void)state;
    json_t *form = form_of("fields.period", "", "fields.measures[0].title", "",
                           "fields.measures[0].co_executors[0]", "",
                           "fields.measures[0].funding.source", "",
                           "fields.measures[1].title", "B", "fields.measures[1].co_executors[0]", "",
                           "fields.members[0].full_name", "", NULL);
    json_t *f = fields_of(json_deep_copy(form), FORM_DROP_BLANK);
    /* An empty row is no row; a list whose inputs were posted is there, if empty. */
    assert_json(f, "{\"measures\":[{\"title\":\"B\",\"co_executors\":[]}],\"members\":[]}");
    json_decref(f);
    f = fields_of(form, FORM_KEEP_BLANK);
    assert_json(f, "{\"period\":\"\",\"measures\":[{\"title\":\"\",\"co_executors\":[\"\"],"
                   "\"funding\":{\"source\":\"\"}},{\"title\":\"B\",\"co_executors\":[\"\"],"
                   "\"funding\":{}}],\"members\":[{\"full_name\":\"\"}]}");
    json_decref(f);
}

static void names_no_schema_declares_are_ignored(void **state)
{
    (void)state;
    json_t *f = fields_of(form_of("fields.__proto__", "x", "fields.constructor.prototype", "y",
                                  "fields.act.number", "№ 1", "fields.unknown", "z",
                                  "fields.measures.title", "no row", "fields.measures[0]", "no key",
                                  "fields.period.x", "1", "fields", "w", "fields.", "v", NULL),
                          FORM_DROP_BLANK);
    /* hidden_in_form (act) is the workflow's to set, not the form's. */
    assert_json(f, "{}");
    json_decref(f);
}

static void bad_row_numbers_are_refused(void **state)
{
    (void)state;
    static const char *const too_big[] = {"fields.measures[99999999].title",
                                          "fields.measures[200].title",
                                          "fields.measures[0].co_executors[1000000000000]",
                                          "fields.members[18446744073709551617].full_name"};
    static const char *const malformed[] = {"fields.measures[01].title", "fields.measures[x].title",
                                            "fields.measures[-1].title", "fields.measures[].title",
                                            "fields.measures[1 ].title", "fields.measures[1.title",
                                            "fields.measures[0].co_executors[+1]"};
    json_t *out;
    for (size_t i = 0; i < sizeof(too_big) / sizeof(*too_big); i++) {
        json_t *form = form_of(too_big[i], "x", NULL);
        assert_int_equal(formdata_fields(&out, schema, form, FORM_DROP_BLANK), KENES_ETOOBIG);
        assert_null(out);
        json_decref(form);
    }
    for (size_t i = 0; i < sizeof(malformed) / sizeof(*malformed); i++) {
        json_t *form = form_of(malformed[i], "x", NULL);
        int rc = formdata_fields(&out, schema, form, FORM_DROP_BLANK);
        if (rc != KENES_EINVAL)
            fail_msg("%s: %d", malformed[i], rc);
        json_decref(form);
    }
    /* The last row a form may have is fine. */
    json_t *f = fields_of(form_of("fields.measures[199].title", "last", NULL), FORM_DROP_BLANK);
    assert_json(f, "{\"measures\":[{\"title\":\"last\"}]}");
    json_decref(f);
    /* No schema: no fields, whatever is posted. */
    json_t *form = form_of("fields.period", "2026", NULL);
    assert_int_equal(formdata_fields(&out, NULL, form, FORM_DROP_BLANK), 0);
    assert_json(out, "{}");
    json_decref(out);
    json_decref(form);
}

static void rows_added_and_removed(void **state)
{
    (void)state;
    json_t *f = fields_of(form_of("fields.measures[0].title", "A", "fields.measures[4].title", "B",
                                  "fields.measures[4].co_executors[0]", "x", NULL),
                          FORM_KEEP_BLANK);
    assert_int_equal(formdata_add_row(f, schema, "fields.measures"), 0);
    json_t *m = json_object_get(f, "measures");
    assert_int_equal(json_array_size(m), 3);
    /* The new row comes with the rows of its own lists. */
    assert_int_equal(json_array_size(json_object_get(json_array_get(m, 2), "co_executors")), 1);
    assert_int_equal(formdata_add_row(f, schema, "fields.measures[1].co_executors"), 0);
    assert_json(json_object_get(json_array_get(m, 1), "co_executors"), "[\"x\",\"\"]");
    /* A list the row has not got yet is made. */
    assert_int_equal(formdata_add_row(f, schema, "fields.measures[0].co_executors"), 0);
    assert_json(json_object_get(json_array_get(m, 0), "co_executors"), "[\"\"]");

    assert_int_equal(formdata_remove_row(f, schema, "fields.measures[0]"), 0);
    assert_string_equal(json_string_value(json_object_get(json_array_get(m, 0), "title")), "B");
    assert_int_equal(formdata_remove_row(f, schema, "fields.measures[0].co_executors[1]"), 0);
    assert_json(json_object_get(json_array_get(m, 0), "co_executors"), "[\"x\"]");

    /* Paths that are no list, no row, or not this form's change nothing. */
    static const char *const not_lists[] = {
        "fields.period", "fields.__proto__", "fields.measures[0]", "fields.measures[9].co_executors",
        "fields.act", "measures", "fields.measures.", "fields.measures[0].funding", "", "fields.",
        "fields.measures[0].title"};
    json_t *before = json_deep_copy(f);
    for (size_t i = 0; i < sizeof(not_lists) / sizeof(*not_lists); i++)
        assert_int_equal(formdata_add_row(f, schema, not_lists[i]), KENES_ENOTFOUND);
    static const char *const not_rows[] = {"fields.measures",     "fields.measures[2]",
                                           "fields.measures[99999999]", "fields.period[0]",
                                           "fields.measures[0].title", "fields.measures[01]",
                                           "fields.members[0]",   "fields.measures[-1]"};
    for (size_t i = 0; i < sizeof(not_rows) / sizeof(*not_rows); i++)
        assert_int_equal(formdata_remove_row(f, schema, not_rows[i]), KENES_ENOTFOUND);
    assert_true(json_equal(before, f));
    json_decref(before);

    /* A list stops growing at the limit. */
    for (int i = 0; i < FORM_MAX_ROWS; i++)
        formdata_add_row(f, schema, "fields.members");
    assert_int_equal(json_array_size(json_object_get(f, "members")), FORM_MAX_ROWS);
    assert_int_equal(formdata_add_row(f, schema, "fields.members"), KENES_ETOOBIG);
    json_decref(f);
}

static void new_form_rows(void **state)
{
    (void)state;
    json_t *f = json_object();
    formdata_fill_rows(f, schema, FORM_ROWS_NEW);
    /* min_items rows, at least one; each row's lists a row too; hidden ones not at all. */
    assert_int_equal(json_array_size(json_object_get(f, "measures")), 1);
    assert_int_equal(json_array_size(json_object_get(f, "members")), 2);
    assert_int_equal(
        json_array_size(json_object_get(json_array_get(json_object_get(f, "measures"), 0),
                                        "co_executors")),
        1);
    assert_null(json_object_get(f, "act"));
    json_decref(f);

    /* A form shown again keeps the rows posted: a removed row stays removed. */
    f = fields_of(form_of("fields.members[0].full_name", "A", NULL), FORM_KEEP_BLANK);
    assert_int_equal(formdata_remove_row(f, schema, "fields.members[0]"), 0);
    formdata_fill_rows(f, schema, FORM_ROWS_AS_POSTED);
    assert_int_equal(json_array_size(json_object_get(f, "members")), 0);
    assert_int_equal(json_array_size(json_object_get(f, "measures")), 0);
    json_decref(f);
}

/* The item of items whose key is value, or NULL. */
static json_t *item_where(const json_t *items, const char *key, const char *value)
{
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        const char *v = json_string_value(json_object_get(it, key));
        if (v && strcmp(v, value) == 0)
            return it;
    }
    return NULL;
}

static void view_flattens_schema_and_values(void **state)
{
    (void)state;
    formview_words w = {"kk", "Қосу", "Жою", "— таңдаңыз —", "Иә", "Жоқ", "тоқсан", NULL, NULL, NULL};
    json_t *values = fields_of(form_of("fields.period", "2031x", "fields.measures[0].direction",
                                       "health", NULL),
                               FORM_KEEP_BLANK);
    formdata_fill_rows(values, schema, FORM_ROWS_NEW);
    json_t *errors = json_loads("[{\"path\":\"fields.period\",\"text\":\"Жылды көрсетіңіз\"},"
                                "{\"path\":\"fields.measures\",\"text\":\"Бағыт жоқ\"},"
                                "{\"path\":\"fields.act\",\"text\":\"Акт жоқ\"}]",
                                0, NULL);
    json_t *items = json_array();
    assert_int_equal(formview_fields(items, errors, &w, schema, values), 0);

    json_t *period = item_where(items, "name", "fields.period");
    assert_non_null(period);
    assert_string_equal(json_string_value(json_object_get(period, "id")), "f-fields-period");
    assert_string_equal(json_string_value(json_object_get(period, "value")), "2031x");
    assert_string_equal(json_string_value(json_object_get(period, "label")), "Год kk");
    assert_true(json_is_true(json_object_get(period, "invalid")));
    assert_true(json_is_true(json_object_get(period, "required")));
    assert_string_equal(json_string_value(json_object_get(period, "describedby")),
                        "f-fields-period-hint f-fields-period-err");
    assert_string_equal(json_string_value(json_object_get(period, "inputmode")), "numeric");

    json_t *dir = item_where(items, "name", "fields.measures[0].direction");
    assert_non_null(dir);
    assert_true(json_is_true(json_object_get(dir, "select")));
    json_t *opts = json_object_get(dir, "options");
    assert_int_equal(json_array_size(opts), 3); /* the empty choice and two */
    json_t *health = item_where(opts, "value", "health");
    assert_string_equal(json_string_value(json_object_get(health, "label")), "Здоровье kk");
    assert_true(json_is_true(json_object_get(health, "selected")));

    assert_non_null(item_where(items, "name", "fields.measures[0].funding.amount_kzt"));
    json_t *co = item_where(items, "name", "fields.measures[0].co_executors[0]");
    assert_non_null(co);
    assert_string_equal(json_string_value(json_object_get(co, "remove")),
                        "fields.measures[0].co_executors[0]");
    assert_null(item_where(items, "name", "fields.act.number"));
    assert_non_null(item_where(items, "name", "fields.measures[0].title"));

    /* The list's error at its fieldset, with the row's and the list's buttons. */
    json_t *list = item_where(items, "id", "f-fields-measures");
    assert_non_null(list);
    assert_true(json_is_true(json_object_get(list, "open")));
    assert_string_equal(json_string_value(json_array_get(json_object_get(list, "errors"), 0)),
                        "Бағыт жоқ");
    assert_non_null(item_where(items, "remove", "fields.measures[0]"));
    json_t *add = item_where(items, "add", "fields.measures");
    assert_non_null(add);
    assert_string_equal(json_string_value(json_object_get(add, "add_label")), "Қосу: Мера kk");
    json_t *row = item_where(items, "id", "f-fields-measures-0");
    assert_string_equal(json_string_value(json_object_get(row, "legend")), "Мера kk 1");

    /* Shown errors link to their place; one at no input links nowhere. */
    assert_string_equal(json_string_value(json_object_get(json_array_get(errors, 0), "href")),
                        "#f-fields-period");
    assert_string_equal(json_string_value(json_object_get(json_array_get(errors, 1), "href")),
                        "#f-fields-measures");
    assert_null(json_object_get(json_array_get(errors, 2), "href"));

    /* Opened and closed fieldsets balance, so the page's HTML nests. */
    int depth = 0;
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        depth += json_is_true(json_object_get(it, "open")) - json_is_true(json_object_get(it, "close"));
        assert_true(depth >= 0);
    }
    assert_int_equal(depth, 0);
    json_decref(items);
    json_decref(errors);
    json_decref(values);
}

static void ids_from_paths(void **state)
{
    (void)state;
    char id[64];
    formview_id(id, sizeof(id), "fields.measures[12].co_executors[3]");
    assert_string_equal(id, "f-fields-measures-12-co_executors-3");
    formview_id(id, sizeof(id), "title");
    assert_string_equal(id, "f-title");
    formview_id(id, 8, "fields.measures");
    assert_string_equal(id, "f-field");
}

/* Issue 13's second round (F2, F3, F4, F15, F19): a list that may be empty,
 * a refused save's rows, the buttons' own words, the summary's row names,
 * the page's cap. */
static const char probe_schema_text[] =
    "{\"type\":\"t\",\"fields\":["
    " {\"name\":\"measures\",\"path\":\"fields.measures\",\"kind\":\"list\",\"required\":true,"
    "  \"min_items\":4,\"label\":" L("Меры") ",\"item_label\":" L("Мера") ","
    "  \"add_label\":{\"ru\":\"Добавить меру\",\"kk\":\"Іс-шара қосу\",\"en\":\"Add a measure\"},"
    "  \"remove_label\":{\"ru\":\"Удалить меру {n}\",\"kk\":\"{n}-іс-шараны жою\",\"en\":\"Remove measure {n}\"},"
    "  \"fields\":["
    "   {\"name\":\"title\",\"path\":\"title\",\"kind\":\"text\",\"required\":true,\"label\":" L("Название") "},"
    "   {\"name\":\"co\",\"path\":\"co\",\"kind\":\"list\",\"of\":\"text\",\"required\":true,"
    "    \"min_items\":0,\"label\":" L("Соисполнители") ",\"item_label\":" L("Соисполнитель") "},"
    "   {\"name\":\"funding\",\"path\":\"funding\",\"kind\":\"group\",\"required\":true,"
    "    \"label\":" L("Финансирование") ",\"fields\":["
    "     {\"name\":\"source\",\"path\":\"funding.source\",\"kind\":\"text\",\"required\":true,\"label\":" L("Источник") "}]}]}"
    "]}";

static void second_round_probe(void **state)
{
    (void)state;
    json_t *ps = json_loads(probe_schema_text, 0, NULL);
    assert_non_null(ps);
    json_t *out;
    /* F2: a row with no input of its co list has co: []. */
    json_t *form = form_of("fields.measures[0].title", "A", NULL);
    assert_int_equal(formdata_fields(&out, ps, form, FORM_DROP_BLANK), 0);
    assert_json(out, "{\"measures\":[{\"title\":\"A\",\"co\":[]}]}");
    json_decref(form);

    /* F3: a refused save's fields (blank rows left out) come back with min_items
     * rows, each with its co list's first input. */
    formdata_fill_rows(out, ps, FORM_ROWS_REFUSED);
    json_t *m = json_object_get(out, "measures");
    assert_int_equal(json_array_size(m), 4);
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(json_array_size(json_object_get(json_array_get(m, i), "co")), 1);

    formview_words w = {"ru", "Добавить", "Удалить", "—", "Да", "Нет", "квартал", NULL, NULL, NULL};
    json_t *errors = json_loads("[{\"path\":\"fields.measures[1].title\",\"text\":\"Укажите\"},"
                                "{\"path\":\"fields.measures[1].funding.source\",\"text\":\"Нет\"},"
                                "{\"path\":\"fields.measures[0].co[0]\",\"text\":\"Длинно\"}]",
                                0, NULL);
    json_t *items = json_array();
    assert_int_equal(formview_fields(items, errors, &w, ps, out), 0);
    /* F19: the schema's words for the buttons, {n} the row's number. */
    json_t *add = item_where(items, "add", "fields.measures");
    assert_string_equal(json_string_value(json_object_get(add, "add_label")), "Добавить меру");
    json_t *rm = item_where(items, "remove", "fields.measures[2]");
    assert_string_equal(json_string_value(json_object_get(rm, "remove_label")), "Удалить меру 3");
    /* ...and the old wording where the schema gives none. */
    add = item_where(items, "add", "fields.measures[0].co");
    assert_string_equal(json_string_value(json_object_get(add, "add_label")),
                        "Добавить: Соисполнитель ru");
    /* F2: a list that may be empty is not marked required. */
    json_t *co = item_where(items, "id", "f-fields-measures-0-co");
    assert_true(json_is_false(json_object_get(co, "required")));
    /* F15: the summary names the row (and the group) before the label. */
    assert_string_equal(json_string_value(json_object_get(json_array_get(errors, 0), "label")),
                        "Мера ru 2 — Название ru");
    assert_string_equal(json_string_value(json_object_get(json_array_get(errors, 1), "label")),
                        "Мера ru 2 — Финансирование ru — Источник ru");
    assert_string_equal(json_string_value(json_object_get(json_array_get(errors, 2), "label")),
                        "Мера ru 1 — Соисполнитель ru 1");
    json_decref(items);
    json_decref(errors);

    /* F4: a page past FORMVIEW_MAX_ITEMS items is not made. */
    json_t *many = json_array();
    for (int i = 0; i < FORM_MAX_ROWS; i++)
        json_array_append_new(many, json_object());
    json_t *co_many = json_array();
    for (int i = 0; i < FORM_MAX_ROWS; i++)
        json_array_append_new(co_many, json_string("x"));
    size_t i;
    json_t *row;
    json_array_foreach(many, i, row) json_object_set(row, "co", co_many);
    json_decref(co_many);
    json_t *big = json_pack("{s:o}", "measures", many);
    items = json_array();
    errors = json_array();
    assert_int_equal(formview_fields(items, errors, &w, ps, big), KENES_ETOOBIG);
    assert_true(json_array_size(items) <= FORMVIEW_MAX_ITEMS + 2);
    json_decref(items);
    json_decref(errors);
    json_decref(big);
    json_decref(out);
    json_decref(ps);
}

/* An integer with choices_from: a select of the numbered items form.c found
 * (the measures of the plan the report names), the saved number chosen;
 * without them (no plan chosen yet), the number input it was. */
static void choices_make_a_select(void **state)
{
    (void)state;
    json_t *sc = json_loads(
        "{\"fields\": [{\"name\": \"plan\", \"path\": \"fields.plan\", \"kind\": \"ref\","
        " \"to\": \"regional-plan\", \"label\": {\"ru\": \"План\"}},"
        " {\"name\": \"rows\", \"path\": \"fields.rows\", \"kind\": \"list\","
        "  \"label\": {\"ru\": \"Строки\"}, \"item_label\": {\"ru\": \"Строка\"},"
        "  \"fields\": [{\"name\": \"measure\", \"path\": \"measure\", \"kind\": \"integer\","
        "   \"label\": {\"ru\": \"Мера\"},"
        "   \"choices_from\": {\"ref\": \"plan\", \"list\": \"measures\", \"label\": \"title\"}}]}]}",
        0, NULL);
    json_t *values = json_loads("{\"plan\": \"plan/KZ-11/2026\", \"rows\": [{\"measure\": 2}]}",
                                0, NULL);
    json_t *choices = json_loads("{\"measure\": [{\"value\": \"1\", \"label\": \"1. Службы\"},"
                                 " {\"value\": \"2\", \"label\": \"2. Курсы\"}]}",
                                 0, NULL);
    formview_words w = {"ru", "Добавить", "Удалить", "—", "Да", "Нет", "квартал", NULL, NULL,
                        choices};
    json_t *items = json_array(), *errors = json_array();
    assert_int_equal(formview_fields(items, errors, &w, sc, values), 0);
    json_t *m = item_where(items, "name", "fields.rows[0].measure");
    assert_true(json_is_true(json_object_get(m, "select")));
    json_t *opts = json_object_get(m, "options");
    assert_int_equal(json_array_size(opts), 3); /* the empty choice and two */
    json_t *two = item_where(opts, "value", "2");
    assert_string_equal(json_string_value(json_object_get(two, "label")), "2. Курсы");
    assert_true(json_is_true(json_object_get(two, "selected")));
    json_decref(items);

    w.choices = NULL;
    items = json_array();
    assert_int_equal(formview_fields(items, errors, &w, sc, values), 0);
    m = item_where(items, "name", "fields.rows[0].measure");
    assert_true(json_is_true(json_object_get(m, "text")));
    assert_string_equal(json_string_value(json_object_get(m, "inputmode")), "numeric");
    assert_string_equal(json_string_value(json_object_get(m, "value")), "2");
    json_decref(items);
    json_decref(errors);
    json_decref(choices);
    json_decref(values);
    json_decref(sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(paths_make_nested_json),
        cmocka_unit_test(rows_with_gaps_are_renumbered_in_order),
        cmocka_unit_test(numbers_parse_or_stay_text),
        cmocka_unit_test(blanks_left_out_or_kept),
        cmocka_unit_test(names_no_schema_declares_are_ignored),
        cmocka_unit_test(bad_row_numbers_are_refused),
        cmocka_unit_test(rows_added_and_removed),
        cmocka_unit_test(new_form_rows),
        cmocka_unit_test(view_flattens_schema_and_values),
        cmocka_unit_test(ids_from_paths),
        cmocka_unit_test(second_round_probe),
        cmocka_unit_test(choices_make_a_select),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
