/*
 * The field schema (core/plugin/schema.c): each malformed schema refused
 * with its line and why; the JSON a good one becomes; and the schemas the
 * types ship agree with their validators — a document filled from the
 * schema alone passes, every required field left out is reported at its
 * path, every key the schema does not declare is refused, every declared
 * enum value is taken.  A form built from the schema therefore sends what
 * the validator expects, with no code of its own per type.
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
#include "plugin/region.h"
#include "plugin/schema.h"

#define REGIONS KENES_SOURCE_DIR "/content/regions.yaml"
#define FOURTH KENES_TEST_PLUGIN_DIR "/fourth_type.so"

/* ---- the parser ----------------------------------------------------------- */

#define LABEL "label: {ru: \"Р\", kk: \"Қ\", en: \"E\"}"

static void expect_refused(const char *yaml, const char *want)
{
    json_t *s = (json_t *)0x1;
    char err[512];
    int rc = schema_parse(&s, "t", yaml, err, sizeof(err));
    if (rc != KENES_EINVAL || strcmp(err, want) != 0)
        fprintf(stderr, "schema:\n%s\nwanted: %s\ngot (%d): %s\n", yaml, want, rc, err);
    assert_int_equal(rc, KENES_EINVAL);
    assert_string_equal(err, want);
    assert_null(s);
}

static void test_refused(void **state)
{
    (void)state;
    expect_refused("fields: [\n", "schema line 2: did not find expected node content");
    expect_refused("- a\n", "schema line 1: a schema is a mapping with one key, fields");
    expect_refused("fields:\n  - {name: a, kind: text, " LABEL "}\nextra: 1\n",
                   "schema line 3: 'extra' is not a key of a schema (only fields, title_required)");
    expect_refused("title: x\n", "schema line 1: 'title' is not a key of a schema (only fields, "
                                  "title_required)");
    expect_refused("title_required: no\nfields:\n  - {name: a, kind: text, " LABEL "}\n",
                   "schema line 1: title_required must be true or false");
    /* The buttons' words: a list's only, in every language. */
    expect_refused("fields:\n  - {name: a, kind: text, add_label: {ru: \"Р\", kk: \"Қ\", en: "
                   "\"E\"}, " LABEL "}\n",
                   "schema line 2: add_label is for kind list, not text");
    expect_refused("fields:\n  - {name: a, kind: list, of: text, remove_label: {ru: \"Р {n}\", "
                   "kk: \"Қ\"}, " LABEL "}\n",
                   "schema line 2: remove_label needs its text in en");
    expect_refused("fields: []\n", "schema line 1: fields must be a list of fields, at least one");
    expect_refused("fields:\n  - {name: Period, kind: text, " LABEL "}\n",
                   "schema line 2: a field's name must be a word of a-z, 0-9 and _ (not "
                   "starting with a digit)");
    expect_refused("fields:\n  - {name: 2x, kind: text, " LABEL "}\n",
                   "schema line 2: a field's name must be a word of a-z, 0-9 and _ (not "
                   "starting with a digit)");
    expect_refused("fields:\n  - {kind: text, " LABEL "}\n",
                   "schema line 2: a field's name must be a word of a-z, 0-9 and _ (not "
                   "starting with a digit)");
    expect_refused("fields:\n  - {name: a, kind: string, " LABEL "}\n",
                   "schema line 2: field a: kind must be one of text, textarea, integer, number, "
                   "number_or_text, date, date_or_quarter, enum, boolean, group, list, ref");
    expect_refused("fields:\n  - name: a\n    kind: text\n    requird: true\n    " LABEL "\n",
                   "schema line 4: 'requird' is not a key of a field");
    expect_refused("fields:\n  - name: a\n    kind: text\n    required: yes\n    " LABEL "\n",
                   "schema line 4: required must be true or false");
    expect_refused("fields:\n  - {name: a, kind: text}\n",
                   "schema line 2: field a needs a label {ru, kk, en}");
    expect_refused("fields:\n  - name: a\n    kind: text\n    label: {ru: \"Р\", en: \"E\"}\n",
                   "schema line 4: label needs its text in kk");
    expect_refused("fields:\n  - name: a\n    kind: text\n"
                   "    label: {ru: \"Р\", kk: \"Қ\", en: \"  \"}\n",
                   "schema line 4: label needs non-blank text in en");
    expect_refused("fields:\n  - name: a\n    kind: text\n"
                   "    label: {ru: \"Р\", kk: \"Қ\", en: \"E\", de: \"D\"}\n",
                   "schema line 4: label: 'de' is not ru, kk or en");
    expect_refused("fields:\n  - name: a\n    kind: text\n    label: Год\n",
                   "schema line 4: label must be {ru: ..., kk: ..., en: ...}");
    expect_refused("fields:\n  - name: a\n    kind: text\n    " LABEL "\n    hint: {ru: \"x\"}\n",
                   "schema line 5: hint needs its text in kk");
    /* enum */
    expect_refused("fields:\n  - {name: a, kind: enum, " LABEL "}\n",
                   "schema line 2: field a: an enum needs values (or values_from)");
    expect_refused("fields:\n  - name: a\n    kind: enum\n    " LABEL "\n    values: []\n",
                   "schema line 5: values must be a list of {value, label}, at least one");
    expect_refused("fields:\n  - name: a\n    kind: enum\n    " LABEL "\n    values:\n"
                   "      - {value: x, " LABEL "}\n      - {value: x, " LABEL "}\n",
                   "schema line 7: value 'x' is listed twice");
    expect_refused("fields:\n  - name: a\n    kind: enum\n    " LABEL "\n    values:\n"
                   "      - {value: x}\n",
                   "schema line 6: value 'x' needs a label {ru, kk, en}");
    expect_refused("fields:\n  - name: a\n    kind: enum\n    " LABEL "\n    values:\n"
                   "      - {value: x, " LABEL ", colour: red}\n",
                   "schema line 6: a value has value and label only, not 'colour'");
    expect_refused("fields:\n  - name: a\n    kind: text\n    " LABEL "\n    values:\n"
                   "      - {value: x, " LABEL "}\n",
                   "schema line 6: values is for kind enum (or a list of enum), not text");
    /* limits */
    expect_refused("fields:\n  - name: a\n    kind: text\n    " LABEL "\n    min: 1\n",
                   "schema line 5: min is for kind integer or number, not text");
    expect_refused("fields:\n  - name: a\n    kind: integer\n    " LABEL "\n    min: 5\n"
                   "    max: 4\n",
                   "schema line 6: max is below min");
    expect_refused("fields:\n  - name: a\n    kind: integer\n    " LABEL "\n    min: 1.5\n",
                   "schema line 5: min must be a whole number");
    expect_refused("fields:\n  - name: a\n    kind: number\n    " LABEL "\n    max: lots\n",
                   "schema line 5: max must be a number");
    expect_refused("fields:\n  - name: a\n    kind: integer\n    " LABEL "\n    max_length: 3\n",
                   "schema line 5: max_length is for text kinds (or a list of text), not "
                   "integer");
    expect_refused("fields:\n  - name: a\n    kind: text\n    " LABEL "\n    max_length: 0\n",
                   "schema line 5: max_length must be 1 or more");
    expect_refused("fields:\n  - name: a\n    kind: text\n    " LABEL "\n    min_items: 1\n",
                   "schema line 5: min_items is for kind list, not text");
    /* groups and lists */
    expect_refused("fields:\n  - {name: a, kind: group, " LABEL "}\n",
                   "schema line 2: a group needs fields");
    expect_refused("fields:\n  - {name: a, kind: list, " LABEL "}\n",
                   "schema line 2: a list needs either fields (a list of objects) or of (a list "
                   "of one kind of value)");
    expect_refused("fields:\n  - name: a\n    kind: list\n    " LABEL "\n    of: text\n"
                   "    fields:\n      - {name: b, kind: text, " LABEL "}\n",
                   "schema line 5: a list needs either fields (a list of objects) or of (a list "
                   "of one kind of value)");
    expect_refused("fields:\n  - name: a\n    kind: list\n    " LABEL "\n    of: group\n",
                   "schema line 5: of must be one of text, textarea, integer, number, "
                   "number_or_text, date, date_or_quarter, enum, boolean");
    expect_refused("fields:\n  - name: a\n    kind: text\n    " LABEL "\n    fields:\n"
                   "      - {name: b, kind: text, " LABEL "}\n",
                   "schema line 6: fields is for kind group or list, not text");
    expect_refused("fields:\n  - name: a\n    kind: group\n    " LABEL "\n    item_label: "
                   "{ru: \"Р\", kk: \"Қ\", en: \"E\"}\n    fields:\n"
                   "      - {name: b, kind: text, " LABEL "}\n",
                   "schema line 5: item_label is for kind list, not group");
    expect_refused("fields:\n  - name: a\n    kind: list\n    " LABEL "\n    group_by: b\n"
                   "    fields:\n      - {name: b, kind: text, " LABEL "}\n",
                   "schema line 5: group_by must name an enum field of the list's rows");
    expect_refused("fields:\n  - name: a\n    kind: list\n    " LABEL "\n    group_by: c\n"
                   "    fields:\n      - {name: b, kind: text, " LABEL "}\n",
                   "schema line 5: group_by must name an enum field of the list's rows");
    expect_refused("fields:\n  - {name: a, kind: text, " LABEL "}\n"
                   "  - {name: a, kind: date, " LABEL "}\n",
                   "schema line 3: field a is declared twice");
    /* The same name at another level is another key. */
    json_t *s;
    char err[512];
    assert_int_equal(schema_parse(&s, "t",
                                  "fields:\n  - name: a\n    kind: group\n    " LABEL "\n"
                                  "    fields:\n      - {name: a, kind: text, " LABEL "}\n",
                                  err, sizeof(err)),
                     0);
    json_decref(s);
    /* A mistake deep inside a row names its own line. */
    expect_refused("fields:\n  - name: a\n    kind: list\n    " LABEL "\n    fields:\n"
                   "      - name: b\n        kind: group\n        " LABEL "\n        fields:\n"
                   "          - {name: c, kind: txt, " LABEL "}\n",
                   "schema line 10: field c: kind must be one of text, textarea, integer, "
                   "number, number_or_text, date, date_or_quarter, enum, boolean, group, list, ref");
}

static void test_too_deep(void **state)
{
    (void)state;
    char yaml[4096] = "fields:\n";
    char indent[64] = "  ";
    for (int level = 0; level < 8; level++) {
        size_t at = strlen(yaml);
        snprintf(yaml + at, sizeof(yaml) - at,
                 "%s- name: g%d\n%s  kind: group\n%s  " LABEL "\n%s  fields:\n", indent, level,
                 indent, indent, indent);
        strcat(indent, "    ");
    }
    size_t at = strlen(yaml);
    snprintf(yaml + at, sizeof(yaml) - at, "%s- {name: x, kind: text, " LABEL "}\n", indent);
    json_t *s;
    char err[512];
    assert_int_equal(schema_parse(&s, "t", yaml, err, sizeof(err)), KENES_EINVAL);
    assert_non_null(strstr(err, "fields nest deeper than 6 levels"));
}

/* What a good schema becomes: paths, defaults, limits and choices. */
static void test_json(void **state)
{
    (void)state;
    const char *yaml = "title_required: false\n"
                       "fields:\n"
                       "  - name: year\n"
                       "    kind: integer\n"
                       "    required: true\n"
                       "    min: 2026\n"
                       "    max: 2030\n"
                       "    " LABEL "\n"
                       "  - name: rows\n"
                       "    kind: list\n"
                       "    min_items: 1\n"
                       "    group_by: side\n"
                       "    " LABEL "\n"
                       "    item_label: {ru: \"Строка\", kk: \"Жол\", en: \"Row\"}\n"
                       "    add_label: {ru: \"Добавить строку\", kk: \"Жол қосу\", en: \"Add a row\"}\n"
                       "    remove_label: {ru: \"Удалить строку {n}\", kk: \"{n}-жолды жою\", "
                       "en: \"Remove row {n}\"}\n"
                       "    fields:\n"
                       "      - name: side\n"
                       "        kind: enum\n"
                       "        " LABEL "\n"
                       "        values:\n"
                       "          - {value: left, label: {ru: \"Л\", kk: \"С\", en: \"L\"}}\n"
                       "      - name: money\n"
                       "        kind: group\n"
                       "        " LABEL "\n"
                       "        fields:\n"
                       "          - {name: amount, kind: number, min: 0.5, " LABEL "}\n"
                       "      - {name: tags, kind: list, of: text, max_length: 20, " LABEL "}\n"
                       "  - name: act\n"
                       "    kind: group\n"
                       "    hidden_in_form: true\n"
                       "    confidential: false\n"
                       "    " LABEL "\n"
                       "    fields:\n"
                       "      - {name: number, kind: text, " LABEL "}\n"
                       "  - name: picks\n"
                       "    kind: list\n"
                       "    of: enum\n"
                       "    " LABEL "\n"
                       "    values:\n"
                       "      - {value: a, " LABEL "}\n";
    json_t *s;
    char err[512];
    assert_int_equal(schema_parse(&s, "my-type", yaml, err, sizeof(err)), 0);
    json_t *want = json_loads(
        "{\"type\": \"my-type\", \"title_required\": false, \"fields\": ["
        " {\"name\": \"year\", \"path\": \"fields.year\", \"kind\": \"integer\","
        "  \"required\": true, \"label\": {\"ru\": \"Р\", \"kk\": \"Қ\", \"en\": \"E\"},"
        "  \"min\": 2026, \"max\": 2030},"
        " {\"name\": \"rows\", \"path\": \"fields.rows\", \"kind\": \"list\", \"required\": false,"
        "  \"label\": {\"ru\": \"Р\", \"kk\": \"Қ\", \"en\": \"E\"}, \"min_items\": 1,"
        "  \"item_label\": {\"ru\": \"Строка\", \"kk\": \"Жол\", \"en\": \"Row\"},"
        "  \"add_label\": {\"ru\": \"Добавить строку\", \"kk\": \"Жол қосу\", \"en\": \"Add a row\"},"
        "  \"remove_label\": {\"ru\": \"Удалить строку {n}\", \"kk\": \"{n}-жолды жою\","
        "                    \"en\": \"Remove row {n}\"},"
        "  \"group_by\": \"side\", \"fields\": ["
        "   {\"name\": \"side\", \"path\": \"side\", \"kind\": \"enum\", \"required\": false,"
        "    \"label\": {\"ru\": \"Р\", \"kk\": \"Қ\", \"en\": \"E\"},"
        "    \"values\": [{\"value\": \"left\", \"label\": {\"ru\": \"Л\", \"kk\": \"С\","
        "                 \"en\": \"L\"}}]},"
        "   {\"name\": \"money\", \"path\": \"money\", \"kind\": \"group\", \"required\": false,"
        "    \"label\": {\"ru\": \"Р\", \"kk\": \"Қ\", \"en\": \"E\"}, \"fields\": ["
        "     {\"name\": \"amount\", \"path\": \"money.amount\", \"kind\": \"number\","
        "      \"required\": false, \"label\": {\"ru\": \"Р\", \"kk\": \"Қ\", \"en\": \"E\"},"
        "      \"min\": 0.5}]},"
        "   {\"name\": \"tags\", \"path\": \"tags\", \"kind\": \"list\", \"required\": false,"
        "    \"label\": {\"ru\": \"Р\", \"kk\": \"Қ\", \"en\": \"E\"}, \"max_length\": 20,"
        "    \"of\": \"text\"}]},"
        " {\"name\": \"act\", \"path\": \"fields.act\", \"kind\": \"group\", \"required\": false,"
        "  \"hidden_in_form\": true, \"label\": {\"ru\": \"Р\", \"kk\": \"Қ\", \"en\": \"E\"},"
        "  \"fields\": [{\"name\": \"number\", \"path\": \"fields.act.number\","
        "   \"kind\": \"text\", \"required\": false,"
        "   \"label\": {\"ru\": \"Р\", \"kk\": \"Қ\", \"en\": \"E\"}}]},"
        " {\"name\": \"picks\", \"path\": \"fields.picks\", \"kind\": \"list\", \"required\": false,"
        "  \"label\": {\"ru\": \"Р\", \"kk\": \"Қ\", \"en\": \"E\"},"
        "  \"values\": [{\"value\": \"a\", \"label\": {\"ru\": \"Р\", \"kk\": \"Қ\", \"en\": \"E\"}}],"
        "  \"of\": \"enum\"}"
        "]}",
        0, NULL);
    assert_non_null(want);
    if (!json_equal(s, want)) {
        char *got = json_dumps(s, JSON_INDENT(1));
        fprintf(stderr, "got:\n%s\n", got);
        free(got);
    }
    assert_true(json_equal(s, want));
    json_decref(want);
    json_decref(s);
}

/* ---- the shipped schemas against their validators ---------------------------- */

static plugin_set *set;
static json_t *lists; /* content/'s lists, as the server loads them */

static int setup(void **state)
{
    (void)state;
    char err[512];
    /* As the server starts: the plugins, then content/, whose lists fill
     * the enums that take their values from it (a measure's concept item). */
    if (region_load(REGIONS, err, sizeof(err)) != 0 || plugin_set_new(&set, kapi_get()) != 0 ||
        plugin_load_dir(set, KENES_PLUGIN_BUILD_DIR, err, sizeof(err)) != 0 ||
        plugin_load(set, FOURTH, err, sizeof(err)) != 0 ||
        content_load(&lists, KENES_SOURCE_DIR "/content", err, sizeof(err)) != 0 ||
        plugin_set_fill_values(set, lists, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    kapi_set_content(content_kapi, lists);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    kapi_forget_content(lists);
    json_decref(lists);
    plugin_set_free(set);
    region_unload();
    return 0;
}

/* Words with no digit, each different within a document: text fields must
 * not repeat one another (a roster names nobody twice, a pseudonym shares
 * no part with the child's name) nor carry numbers (a pseudonym must not
 * repeat a school's or an address's). */
static size_t texts;

static json_t *next_text(void)
{
    static const char *const words[] = {
        "Alpha", "Bravo", "Charlie", "Delta",  "Echo",    "Foxtrot", "Golf",   "Hotel", "India",
        "Juliett", "Kilo", "Lima",   "Mike",   "November", "Oscar",  "Papa",   "Quebec", "Romeo",
        "Sierra", "Tango", "Uniform", "Victor", "Whiskey", "Xray",   "Yankee", "Zulu"};
    size_t n = sizeof(words) / sizeof(words[0]), i = texts++;
    char buf[64];
    /* Past the list, pairs whose first word is new to the document's names. */
    snprintf(buf, sizeof(buf), "%s%s%s", words[i % n], i >= n ? " " : "",
             i >= n ? words[(i / n + i) % n] : "");
    return json_string(buf);
}

static json_t *fill_fields(const json_t *fields, size_t row);

/* A value of field f that the schema allows; row picks among an enum's values
 * so that the rows of a list take each value in turn (then the last). */
static json_t *fill_value(const char *kind, const json_t *f, size_t row)
{
    if (!strcmp(kind, "text") || !strcmp(kind, "textarea"))
        return next_text();
    if (!strcmp(kind, "integer")) {
        const json_t *min = json_object_get(f, "min"), *max = json_object_get(f, "max");
        return json_integer(min ? json_integer_value(min) : max ? json_integer_value(max) : 1);
    }
    if (!strcmp(kind, "number"))
        return json_real(json_is_number(json_object_get(f, "min"))
                             ? json_number_value(json_object_get(f, "min"))
                             : 1.5);
    if (!strcmp(kind, "number_or_text"))
        return json_integer(30);
    /* A past date (birth dates, checks done), but a due date ahead: a new
     * measure may not be due before today (case-review, measure_due_past). */
    if (!strcmp(kind, "date")) {
        const char *name = json_string_value(json_object_get(f, "name"));
        return json_string(name && strcmp(name, "due") == 0 ? "2099-01-15" : "2020-01-15");
    }
    if (!strcmp(kind, "date_or_quarter"))
        return json_string("2026-Q3");
    if (!strcmp(kind, "boolean"))
        return json_true();
    if (!strcmp(kind, "ref")) /* an id of its type's shape; no such document is loaded here */
        return json_string("case/KZ-11/00000000-0000-4000-8000-000000000000");
    if (!strcmp(kind, "enum")) {
        const json_t *values = json_object_get(f, "values");
        size_t n = json_array_size(values);
        return json_incref(json_object_get(json_array_get(values, row < n ? row : n - 1), "value"));
    }
    return NULL;
}

static json_t *fill(const json_t *f, size_t row)
{
    const char *kind = json_string_value(json_object_get(f, "kind"));
    if (!strcmp(kind, "group"))
        return fill_fields(json_object_get(f, "fields"), row);
    if (strcmp(kind, "list") != 0)
        return fill_value(kind, f, row);
    json_t *list = json_array();
    const char *of = json_string_value(json_object_get(f, "of"));
    if (of && !strcmp(of, "enum")) {
        /* Every choice, once each. */
        size_t i;
        const json_t *v;
        json_array_foreach(json_object_get(f, "values"), i, v)
            json_array_append(list, json_object_get(v, "value"));
        return list;
    }
    /* As many rows as the list needs, and as its rows' enums have values. */
    size_t rows = (size_t)json_integer_value(json_object_get(f, "min_items"));
    if (rows < 2)
        rows = 2;
    size_t i;
    const json_t *sub;
    json_array_foreach(json_object_get(f, "fields"), i, sub)
        if (json_array_size(json_object_get(sub, "values")) > rows)
            rows = json_array_size(json_object_get(sub, "values"));
    for (size_t r = 0; r < rows; r++)
        json_array_append_new(list, of ? fill_value(of, f, r) : fill_fields(json_object_get(f, "fields"), r));
    return list;
}

static json_t *fill_fields(const json_t *fields, size_t row)
{
    json_t *obj = json_object();
    size_t i;
    const json_t *f;
    json_array_foreach(fields, i, f)
        json_object_set_new(obj, json_string_value(json_object_get(f, "name")), fill(f, row));
    return obj;
}

static json_t *document(const char *type, const json_t *schema)
{
    texts = 0;
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "type", type, "region", "KZ-11", "title",
                     "Test document", "stage", "draft", "body", "", "fields",
                     fill_fields(json_object_get(schema, "fields"), 0));
}

static int run(const kenes_doctype *t, const json_t *doc, kenes_errors *errs)
{
    kapi_errors_init(errs);
    struct kenes_doc view = {.json = doc};
    return t->validate(kapi_get(), &view, errs);
}

static void dump(const char *what, const json_t *doc, const kenes_errors *errs)
{
    char *d = json_dumps(doc, JSON_COMPACT), *e = json_dumps(errs->fields, JSON_COMPACT);
    fprintf(stderr, "%s\ndocument: %s\nproblems: %s\n", what, d, e ? e : "none");
    free(d);
    free(e);
}

/* 1 if errs lists a problem at path (with code, unless NULL). */
static int reported(const kenes_errors *errs, const char *path, const char *code)
{
    size_t i;
    const json_t *e;
    json_array_foreach(errs->fields, i, e)
        if (!strcmp(json_string_value(json_object_get(e, "path")), path) &&
            (!code || !strcmp(json_string_value(json_object_get(e, "code")), code)))
            return 1;
    return 0;
}

static const char *const shipped[] = {"regional-plan", "commission-roster", "case-review",
                                      "referral", NULL};

static void test_every_type_declares(void **state)
{
    (void)state;
    for (size_t i = 0; shipped[i]; i++) {
        const json_t *s = plugin_schema(set, shipped[i]);
        assert_non_null(s);
        assert_string_equal(json_string_value(json_object_get(s, "type")), shipped[i]);
    }
    assert_non_null(plugin_schema(set, "meeting-minutes"));
}

static void test_filled_document_valid(void **state)
{
    (void)state;
    const char *types[] = {"regional-plan", "commission-roster", "case-review", "meeting-minutes"};
    for (size_t i = 0; i < 4; i++) {
        json_t *doc = document(types[i], plugin_schema(set, types[i]));
        kenes_errors errs;
        int rc = run(plugin_find_type(set, types[i]), doc, &errs);
        if (rc != 0 || errs.count)
            dump(types[i], doc, &errs);
        assert_int_equal(rc, 0);
        assert_int_equal(errs.count, 0);
        kapi_errors_dispose(&errs);
        json_decref(doc);
    }
}

/* Walks every field of the document alongside the schema: `at` is the
 * object holding the field, `base` the JSON path of that object. */
typedef void (*visit_fn)(const kenes_doctype *t, json_t *doc, json_t *at, const char *base,
                         const json_t *f);

static void walk(const kenes_doctype *t, json_t *doc, json_t *at, const char *base,
                 const json_t *fields, visit_fn fn)
{
    size_t i;
    const json_t *f;
    json_array_foreach(fields, i, f) {
        fn(t, doc, at, base, f);
        const char *name = json_string_value(json_object_get(f, "name"));
        const char *kind = json_string_value(json_object_get(f, "kind"));
        const json_t *sub = json_object_get(f, "fields");
        char path[256];
        snprintf(path, sizeof(path), "%s.%s", base, name);
        if (!strcmp(kind, "group")) {
            walk(t, doc, json_object_get(at, name), path, sub, fn);
        } else if (!strcmp(kind, "list") && sub) {
            /* The first row stands for them all. */
            char row[280];
            snprintf(row, sizeof(row), "%s[0]", path);
            walk(t, doc, json_array_get(json_object_get(at, name), 0), row, sub, fn);
        }
    }
}

static void for_each_field(visit_fn fn)
{
    for (size_t i = 0; shipped[i]; i++) {
        const json_t *s = plugin_schema(set, shipped[i]);
        json_t *doc = document(shipped[i], s);
        walk(plugin_find_type(set, shipped[i]), doc, json_object_get(doc, "fields"), "fields",
             json_object_get(s, "fields"), fn);
        json_decref(doc);
    }
}

/* A required field left out is reported at its path as required; an
 * optional one left out is not. */
static void leave_out(const kenes_doctype *t, json_t *doc, json_t *at, const char *base,
                      const json_t *f)
{
    const char *name = json_string_value(json_object_get(f, "name"));
    char path[300];
    snprintf(path, sizeof(path), "%s.%s", base, name);
    json_t *kept = json_incref(json_object_get(at, name));
    json_object_del(at, name);
    kenes_errors errs;
    run(t, doc, &errs);
    int required = json_is_true(json_object_get(f, "required"));
    if (reported(&errs, path, "required") != required)
        dump(path, doc, &errs);
    assert_int_equal(reported(&errs, path, "required"), required);
    kapi_errors_dispose(&errs);
    json_object_set_new(at, name, kept);
}

static void test_required_match(void **state)
{
    (void)state;
    for_each_field(leave_out);
}

/* Beside each declared field, one the schema does not declare is refused:
 * what the validator takes, the schema declares. */
static void add_undeclared(const kenes_doctype *t, json_t *doc, json_t *at, const char *base,
                           const json_t *f)
{
    (void)f;
    json_object_set_new(at, "undeclared", json_string("x"));
    char path[300];
    snprintf(path, sizeof(path), "%s.undeclared", base);
    kenes_errors errs;
    run(t, doc, &errs);
    if (!reported(&errs, path, "unknown_key"))
        dump(path, doc, &errs);
    assert_true(reported(&errs, path, "unknown_key"));
    kapi_errors_dispose(&errs);
    json_object_del(at, "undeclared");
}

static void test_undeclared_refused(void **state)
{
    (void)state;
    for_each_field(add_undeclared);
}

/* Every declared choice is one the validator takes, and nothing else is. */
static void try_values(const kenes_doctype *t, json_t *doc, json_t *at, const char *base,
                       const json_t *f)
{
    const char *kind = json_string_value(json_object_get(f, "kind"));
    const char *of = json_string_value(json_object_get(f, "of"));
    /* A list of enum: each choice alone, at the list's first item. */
    int several = !strcmp(kind, "list") && of && !strcmp(of, "enum");
    if (strcmp(kind, "enum") != 0 && !several)
        return;
    const char *name = json_string_value(json_object_get(f, "name"));
    char path[300];
    snprintf(path, sizeof(path), several ? "%s.%s[0]" : "%s.%s", base, name);
    json_t *kept = json_incref(json_object_get(at, name));
    size_t i;
    const json_t *v;
    kenes_errors errs;
    json_array_foreach(json_object_get(f, "values"), i, v) {
        json_t *value = json_incref(json_object_get(v, "value"));
        json_object_set_new(at, name, several ? json_pack("[o]", value) : value);
        run(t, doc, &errs);
        if (reported(&errs, path, "not_in_list"))
            dump(path, doc, &errs);
        assert_false(reported(&errs, path, "not_in_list"));
        kapi_errors_dispose(&errs);
    }
    /* A value none of them: not_in_list; for values a content list gives,
     * the validator's own word for it (concept_item_unknown); a choice of
     * regions (a case's transfer.to) refuses what is no region as the
     * core's moves: does, region_unknown. */
    const char *code = json_object_get(f, "values_from")         ? NULL
                       : !strcmp(path, "fields.transfer.to") ? "region_unknown"
                                                              : "not_in_list";
    assert_true(json_array_size(json_object_get(f, "values")) > 0);
    json_t *bad = json_string("not-a-declared-value");
    json_object_set_new(at, name, several ? json_pack("[o]", bad) : bad);
    run(t, doc, &errs);
    if (!reported(&errs, path, code))
        dump(path, doc, &errs);
    assert_true(reported(&errs, path, code));
    kapi_errors_dispose(&errs);
    json_object_set_new(at, name, kept);
}

static void test_enum_values_match(void **state)
{
    (void)state;
    for_each_field(try_values);
}

/* ---- ref: a document of another type, by its id --------------------------- */

static void test_ref_refused(void **state)
{
    (void)state;
    expect_refused("fields:\n  - {name: c, kind: ref, " LABEL "}\n",
                   "schema line 2: field c: a ref needs to: <document type>");
    expect_refused("fields:\n  - {name: c, kind: ref, to: Case_Review, " LABEL "}\n",
                   "schema line 2: to must name a document type (a-z, 0-9 and -)");
    expect_refused("fields:\n  - {name: c, kind: ref, to: [a], " LABEL "}\n",
                   "schema line 2: to must name a document type (a-z, 0-9 and -)");
    expect_refused("fields:\n  - {name: c, kind: text, to: case-review, " LABEL "}\n",
                   "schema line 2: to is for kind ref, not text");
    expect_refused("fields:\n  - {name: c, kind: ref, to: case-review, max_length: 5, " LABEL
                   "}\n",
                   "schema line 2: max_length is for text kinds (or a list of text), not ref");
    expect_refused("fields:\n  - {name: c, kind: list, of: ref, " LABEL "}\n",
                   "schema line 2: of must be one of text, textarea, integer, number, "
                   "number_or_text, date, date_or_quarter, enum, boolean");
}

static int known_types(const char *type, void *payload)
{
    (void)payload;
    return strcmp(type, "case-review") == 0 || strcmp(type, "regional-plan") == 0;
}

static void test_ref_json_and_targets(void **state)
{
    (void)state;
    const char *yaml = "fields:\n"
                       "  - {name: plan, kind: ref, to: regional-plan, required: true, " LABEL "}\n"
                       "  - name: agenda\n"
                       "    kind: list\n"
                       "    " LABEL "\n"
                       "    fields:\n"
                       "      - name: about\n"
                       "        kind: group\n"
                       "        " LABEL "\n"
                       "        fields:\n"
                       "          - {name: case, kind: ref, to: %s, " LABEL "}\n";
    char text[2048], err[512];
    json_t *s;
    snprintf(text, sizeof(text), yaml, "case-review");
    assert_int_equal(schema_parse(&s, "t", text, err, sizeof(err)), 0);
    const json_t *plan = json_array_get(json_object_get(s, "fields"), 0);
    assert_string_equal(json_string_value(json_object_get(plan, "kind")), "ref");
    assert_string_equal(json_string_value(json_object_get(plan, "to")), "regional-plan");
    assert_string_equal(json_string_value(json_object_get(plan, "path")), "fields.plan");
    assert_int_equal(schema_check_refs(s, known_types, NULL, err, sizeof(err)), 0);
    json_decref(s);

    /* A type no plugin provides: refused once the plugins are loaded, at the
     * field's full path (inside a list's rows and a group). */
    snprintf(text, sizeof(text), yaml, "case-reveiw");
    assert_int_equal(schema_parse(&s, "t", text, err, sizeof(err)), 0);
    assert_int_equal(schema_check_refs(s, known_types, NULL, err, sizeof(err)), KENES_EINVAL);
    assert_string_equal(err, "field fields.agenda[].about.case: to: 'case-reveiw' is no document "
                             "type of the loaded plugins");
    json_decref(s);
}

/* ---- suggest: words a text input offers --------------------------------- */

static void test_suggest(void **state)
{
    (void)state;
    json_t *s;
    char err[512];
    const char *yaml = "fields:\n"
                       "  - {name: present, kind: list, of: text, " LABEL ",\n"
                       "     suggest: {type: commission-roster, stage: approved,\n"
                       "               path: \"members[].full_name\"}}\n";
    assert_int_equal(schema_parse(&s, "t", yaml, err, sizeof(err)), 0);
    const json_t *sg = json_object_get(json_array_get(json_object_get(s, "fields"), 0), "suggest");
    assert_string_equal(json_string_value(json_object_get(sg, "type")), "commission-roster");
    assert_string_equal(json_string_value(json_object_get(sg, "stage")), "approved");
    assert_string_equal(json_string_value(json_object_get(sg, "path")), "members[].full_name");
    json_decref(s);
    expect_refused("fields:\n  - {name: c, kind: integer, suggest: {type: a, path: b}, " LABEL
                   "}\n",
                   "schema line 2: suggest is for text or a list of text, not integer");
    expect_refused("fields:\n  - {name: c, kind: text, suggest: {type: a, path: b, x: 1}, " LABEL
                   "}\n",
                   "schema line 2: 'x' is not a key of suggest");
    expect_refused("fields:\n  - {name: c, kind: text, suggest: {path: b}, " LABEL "}\n",
                   "schema line 2: suggest needs type: <document type> (a-z, 0-9 and -)");
    expect_refused("fields:\n  - {name: c, kind: text, suggest: {type: a}, " LABEL "}\n",
                   "schema line 2: suggest needs path: a field path such as "
                   "members[].full_name");
    expect_refused("fields:\n  - {name: c, kind: text, suggest: [a], " LABEL "}\n",
                   "schema line 2: suggest must be a mapping {type, stage or public, path}");
    /* public: true takes the documents' public faces (the versions in force). */
    yaml = "fields:\n  - {name: c, kind: text, " LABEL ",\n"
           "     suggest: {type: commission-roster, public: true, path: \"members[].full_name\"}}\n";
    assert_int_equal(schema_parse(&s, "t", yaml, err, sizeof(err)), 0);
    sg = json_object_get(json_array_get(json_object_get(s, "fields"), 0), "suggest");
    assert_true(json_is_true(json_object_get(sg, "public")));
    assert_null(json_object_get(sg, "stage"));
    json_decref(s);
    expect_refused("fields:\n  - {name: c, kind: text, suggest: {type: a, path: b, public: true, "
                   "stage: s}, " LABEL "}\n",
                   "schema line 2: suggest takes stage: or public: true, not both");
    expect_refused("fields:\n  - {name: c, kind: text, suggest: {type: a, path: b, public: yes}, "
                   LABEL "}\n",
                   "schema line 2: suggest public must be true or false");
}

/* ---- values_from: an enum's values from a content/ list ------------------- */

static void test_values_from(void **state)
{
    (void)state;
    expect_refused("fields:\n  - {name: c, kind: text, values_from: {content: concept, list: items,"
                   " value: code, label: title}, " LABEL "}\n",
                   "schema line 2: values_from is for kind enum, not text");
    expect_refused("fields:\n  - {name: c, kind: enum, values_from: {content: concept, list: items,"
                   " value: code}, " LABEL "}\n",
                   "schema line 2: values_from needs label: a key (a-z, 0-9 and _)");
    expect_refused("fields:\n  - {name: c, kind: enum, values_from: {content: Concept, list: items,"
                   " value: code, label: title}, " LABEL "}\n",
                   "schema line 2: values_from needs content: the name of a content/ list (a-z, "
                   "0-9 and -)");
    expect_refused("fields:\n  - {name: c, kind: enum, values_from: {content: concept, list: items,"
                   " value: code, label: title, x: y}, " LABEL "}\n",
                   "schema line 2: 'x' is not a key of values_from");
    expect_refused("fields:\n  - {name: c, kind: enum, values_from: [a], " LABEL "}\n",
                   "schema line 2: values_from must be a mapping {content, list, value, label}");
    expect_refused("fields:\n  - name: c\n    kind: enum\n    " LABEL "\n    values:\n"
                   "      - {value: a, " LABEL "}\n    values_from: {content: concept, list: items,"
                   " value: code, label: title}\n",
                   "schema line 7: field c: an enum has values or values_from, not both");

    /* Filled from the lists: each item's value and its words ({ru, kk, en},
     * or one text for the three); inside a list's rows too. */
    const char *yaml = "fields:\n"
                       "  - name: rows\n"
                       "    kind: list\n"
                       "    " LABEL "\n"
                       "    fields:\n"
                       "      - {name: item, kind: enum, " LABEL ",\n"
                       "         values_from: {content: concept, list: items, value: code,"
                       " label: title}}\n";
    json_t *sc, *l = json_pack("{s:{s:[{s:s, s:{s:s, s:s, s:s}}, {s:s, s:s}]}}", "concept", "items",
                               "code", "1.1", "title", "ru", "Р", "kk", "Қ", "en", "E", "code",
                               "1.2", "title", "Одно");
    char err[512];
    assert_int_equal(schema_parse(&sc, "t", yaml, err, sizeof(err)), 0);
    json_t *item = json_array_get(
        json_object_get(json_array_get(json_object_get(sc, "fields"), 0), "fields"), 0);
    assert_int_equal(json_array_size(json_object_get(item, "values")), 0);
    assert_int_equal(schema_fill_values(sc, l, err, sizeof(err)), 0);
    json_t *want = json_pack("[{s:s, s:{s:s, s:s, s:s}}, {s:s, s:{s:s, s:s, s:s}}]", "value", "1.1",
                             "label", "ru", "Р", "kk", "Қ", "en", "E", "value", "1.2", "label",
                             "ru", "Одно", "kk", "Одно", "en", "Одно");
    assert_true(json_equal(json_object_get(item, "values"), want));
    json_decref(want);

    /* No such list, an item without its value, a value twice, a label
     * missing a language: the start stops, naming the field and the file. */
    json_t *none = json_object();
    assert_int_equal(schema_fill_values(sc, none, err, sizeof(err)), KENES_EINVAL);
    json_decref(none);
    assert_string_equal(err, "field fields.rows[].item: values_from: content/concept.yaml has no "
                             "list items");
    json_object_set_new(json_array_get(json_object_get(json_object_get(l, "concept"), "items"), 1),
                        "code", json_string("1.1"));
    assert_int_equal(schema_fill_values(sc, l, err, sizeof(err)), KENES_EINVAL);
    assert_string_equal(err, "field fields.rows[].item: values_from: content/concept.yaml, items "
                             "item 2: its value is listed twice");
    json_object_del(json_array_get(json_object_get(json_object_get(l, "concept"), "items"), 1),
                    "code");
    assert_int_equal(schema_fill_values(sc, l, err, sizeof(err)), KENES_EINVAL);
    assert_string_equal(err, "field fields.rows[].item: values_from: content/concept.yaml, items "
                             "item 2: no text in its value key");
    json_object_set_new(json_array_get(json_object_get(json_object_get(l, "concept"), "items"), 1),
                        "code", json_string("1.2"));
    json_object_set_new(json_array_get(json_object_get(json_object_get(l, "concept"), "items"), 1),
                        "title", json_pack("{s:s, s:s}", "ru", "Р", "kk", "Қ"));
    assert_int_equal(schema_fill_values(sc, l, err, sizeof(err)), KENES_EINVAL);
    assert_string_equal(err, "field fields.rows[].item: values_from: content/concept.yaml, items "
                             "item 2: its label is no {ru, kk, en} of text");
    json_decref(l);
    json_decref(sc);
}

/* choices_from: an integer numbering an item of a list in the document a
 * top-level ref names. */
static void test_choices_from(void **state)
{
    (void)state;
    const char *yaml = "fields:\n"
                       "  - {name: plan, kind: ref, to: regional-plan, " LABEL "}\n"
                       "  - name: rows\n"
                       "    kind: list\n"
                       "    " LABEL "\n"
                       "    fields:\n"
                       "      - {name: measure, kind: integer, " LABEL ",\n"
                       "         choices_from: {ref: %s, list: measures, label: title}}\n";
    char text[1024], err[512];
    json_t *sc;
    snprintf(text, sizeof(text), yaml, "plan");
    assert_int_equal(schema_parse(&sc, "t", text, err, sizeof(err)), 0);
    const json_t *m = json_array_get(
        json_object_get(json_array_get(json_object_get(sc, "fields"), 1), "fields"), 0);
    const json_t *from = json_object_get(m, "choices_from");
    assert_string_equal(json_string_value(json_object_get(from, "ref")), "plan");
    assert_string_equal(json_string_value(json_object_get(from, "list")), "measures");
    assert_string_equal(json_string_value(json_object_get(from, "label")), "title");
    json_decref(sc);
    snprintf(text, sizeof(text), yaml, "rows");
    expect_refused(text, "schema line 1: field measure: choices_from: ref 'rows' is no top-level "
                         "field of kind ref");
    expect_refused("fields:\n  - {name: c, kind: text, choices_from: {ref: a, list: b, label: c}, "
                   LABEL "}\n",
                   "schema line 2: choices_from is for kind integer, not text");
    expect_refused("fields:\n  - {name: c, kind: integer, choices_from: {ref: a, list: b}, " LABEL
                   "}\n",
                   "schema line 2: choices_from needs label: a key (a-z, 0-9 and _)");
    expect_refused("fields:\n  - {name: c, kind: integer, choices_from: {ref: a, list: b, label: c,"
                   " x: d}, " LABEL "}\n",
                   "schema line 2: 'x' is not a key of choices_from");
}

static void test_numbered(void **state)
{
    (void)state;
    json_t *sc;
    char err[512];
    assert_int_equal(schema_parse(&sc, "t", "fields:\n  - {name: l, kind: list, of: text, numbered:"
                                            " true, " LABEL "}\n", err, sizeof(err)), 0);
    assert_true(json_is_true(json_object_get(json_array_get(json_object_get(sc, "fields"), 0),
                                             "numbered")));
    json_decref(sc);
    expect_refused("fields:\n  - {name: c, kind: text, numbered: true, " LABEL "}\n",
                   "schema line 2: numbered is for kind list, not text");
    expect_refused("fields:\n  - {name: c, kind: list, of: text, numbered: yes, " LABEL "}\n",
                   "schema line 2: numbered must be true or false");
}

/* The shipped plan's measures offer the concept's items, with their titles. */
static void test_concept_items_offered(void **state)
{
    (void)state;
    const json_t *s = plugin_schema(set, "regional-plan"), *f;
    size_t i;
    const json_t *values = NULL;
    json_array_foreach(json_object_get(s, "fields"), i, f)
        if (!strcmp(json_string_value(json_object_get(f, "name")), "measures")) {
            size_t k;
            const json_t *sub;
            json_array_foreach(json_object_get(f, "fields"), k, sub)
                if (!strcmp(json_string_value(json_object_get(sub, "name")), "concept_item"))
                    values = json_object_get(sub, "values");
        }
    assert_int_equal(json_array_size(values),
                     json_array_size(json_object_get(json_object_get(lists, "concept"), "items")));
    assert_true(json_array_size(values) >= 12 && json_array_size(values) <= 20);
    const json_t *first = json_array_get(values, 0);
    assert_string_equal(json_string_value(json_object_get(first, "value")), "1.1");
    assert_string_equal(json_string_value(json_object_get(json_object_get(first, "label"), "kk")),
                        "Білім беру ұйымдарында буллинг пен зорлық-зомбылықтың алдын алу");
}

int main(void)
{
    const struct CMUnitTest parser[] = {
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_too_deep),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_ref_refused),
        cmocka_unit_test(test_ref_json_and_targets),
        cmocka_unit_test(test_suggest),
        cmocka_unit_test(test_values_from),
        cmocka_unit_test(test_choices_from),
        cmocka_unit_test(test_numbered),
    };
    const struct CMUnitTest shipped_tests[] = {
        cmocka_unit_test(test_every_type_declares),
        cmocka_unit_test(test_filled_document_valid),
        cmocka_unit_test(test_required_match),
        cmocka_unit_test(test_undeclared_refused),
        cmocka_unit_test(test_enum_values_match),
        cmocka_unit_test(test_concept_items_offered),
    };
    int failed = cmocka_run_group_tests_name("parser", parser, NULL, NULL);
    return failed |
           cmocka_run_group_tests_name("shipped schemas", shipped_tests, setup, teardown);
}
