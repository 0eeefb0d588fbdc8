/*
 * The fields as tables (fields.h): the schema says what each value is, and
 * this file turns it into words the reader knows.  Everything here is
 * data in, data out: the template escapes what it prints.
 */
#include "web/fields.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/util.h"
#include "ui/dates.h"

/* The page's way to name what a ref points at, for the one web_fields_view
 * call running (on the loop, never nested): set and cleared around it, so
 * that the walk's many helpers need not carry it. */
static web_ref_fn ref_fn;
static int fields_view(json_t **out, const json_t *schema, const json_t *fields,
                       const char *const *skip, ui_lang lang, const json_t *words);
static void *ref_arg;

static const char *word(const json_t *words, const char *key, const char *fallback)
{
    const char *w = json_string_value(json_object_get(words, key));
    return w ? w : fallback;
}

static const char *lang_text(const json_t *texts, ui_lang lang)
{
    return json_string_value(json_object_get(texts, ui_lang_code(lang)));
}

static const char *label_of(const json_t *field, ui_lang lang)
{
    const char *l = lang_text(json_object_get(field, "label"), lang);
    return l ? l : json_string_value(json_object_get(field, "name"));
}

static const char *kind_of(const json_t *field)
{
    const char *k = json_string_value(json_object_get(field, "kind"));
    return k ? k : "text";
}

void web_format_number(char *out, size_t cap, double v, int integral, ui_lang lang)
{
    char raw[64];
    if (integral || v == floor(v))
        snprintf(raw, sizeof(raw), "%.0f", v);
    else
        snprintf(raw, sizeof(raw), "%.15g", v);
    if (strpbrk(raw, "eEni")) { /* an exponent, inf or nan: as it is */
        snprintf(out, cap, "%s", raw);
        return;
    }
    const char *group = lang == UI_EN ? "," : "\xC2\xA0"; /* a no-break space */
    const char *point = lang == UI_EN ? "." : ",";
    const char *digits = raw + (raw[0] == '-');
    const char *dot = strchr(digits, '.');
    size_t nint = dot ? (size_t)(dot - digits) : strlen(digits);
    util_buf b;
    util_buf_init(&b);
    if (raw[0] == '-')
        util_buf_puts(&b, "-");
    /* Four digits stay together (a year, "2026"), as Russian typesetting has it. */
    for (size_t i = 0; i < nint; i++) {
        if (nint > 4 && i > 0 && (nint - i) % 3 == 0)
            util_buf_puts(&b, group);
        util_buf_append(&b, digits + i, 1);
    }
    if (dot) {
        util_buf_puts(&b, point);
        util_buf_puts(&b, dot + 1);
    }
    snprintf(out, cap, "%s", b.data ? b.data : "");
    util_buf_dispose(&b);
}

char *web_fill_text(const char *pattern, const char *const *names, const char *const *texts,
                    size_t n)
{
    util_buf b;
    util_buf_init(&b);
    for (const char *p = pattern; *p; p++) {
        size_t i = 0, len = 0;
        for (; *p == '{' && i < n; i++) {
            len = strlen(names[i]);
            if (strncmp(p + 1, names[i], len) == 0 && p[len + 1] == '}')
                break;
        }
        if (*p == '{' && i < n) {
            util_buf_puts(&b, texts[i]);
            p += len + 1;
        } else {
            util_buf_append(&b, p, 1);
        }
    }
    char *out = util_buf_detach(&b, NULL);
    return out ? out : strdup("");
}

char *web_fill(const char *pattern, const char *const *names, const long *values, size_t n)
{
    char digits[8][24];
    const char *texts[8];
    if (n > 8)
        n = 8; /* no pattern names more */
    for (size_t i = 0; i < n; i++) {
        snprintf(digits[i], sizeof(digits[i]), "%ld", values[i]);
        texts[i] = digits[i];
    }
    return web_fill_text(pattern, names, texts, n);
}

/* "2026-Q2" in words (1), or 0 when s is no quarter. */
static int quarter_text(char *out, size_t cap, const char *s, const json_t *words)
{
    int y, q;
    char tail;
    if (sscanf(s, "%4d-Q%1d%c", &y, &q, &tail) != 2 || q < 1 || q > 4 || strlen(s) != 7)
        return 0;
    /* The pattern's {q} and {y}: word order differs between languages. */
    static const char *const names[] = {"q", "y"};
    const long values[] = {q, y};
    char *text = web_fill(word(words, "quarter", "{y}-Q{q}"), names, values, 2);
    snprintf(out, cap, "%s", text ? text : s);
    free(text);
    return 1;
}

/* A value with no schema (or of a kind we do not know): a string as it
 * is unless it reads as a date or a quarter (no ISO dates on a Russian
 * page, even under the JSON's keys), a number in the reader's way,
 * anything else as compact JSON. */
static char *plain_text(const json_t *v, ui_lang lang, const json_t *words)
{
    char num[UI_DATE_CAP + 96];
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        if (quarter_text(num, sizeof(num), s, words) || ui_format_ymd(num, lang, s) == 0)
            return strdup(num);
        return strdup(s);
    }
    if (json_is_number(v)) {
        web_format_number(num, sizeof(num), json_number_value(v), json_is_integer(v), lang);
        return strdup(num);
    }
    if (json_is_boolean(v))
        return strdup(word(words, json_is_true(v) ? "yes" : "no", json_is_true(v) ? "+" : "-"));
    if (!v || json_is_null(v))
        return strdup(word(words, "none", "—"));
    return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

/* One scalar value of a field of this kind, in words (a new string). */
static char *scalar_text(const json_t *field, const char *kind, const json_t *v, ui_lang lang,
                         const json_t *words)
{
    char buf[UI_DATE_CAP + 64];
    if (!v || json_is_null(v) || (json_is_string(v) && !*json_string_value(v)))
        return strdup(word(words, "none", "—"));
    if (strcmp(kind, "enum") == 0 && json_is_string(v)) {
        size_t i;
        json_t *opt;
        json_array_foreach(json_object_get(field, "values"), i, opt)
        {
            const char *val = json_string_value(json_object_get(opt, "value"));
            if (val && strcmp(val, json_string_value(v)) == 0) {
                const char *l = lang_text(json_object_get(opt, "label"), lang);
                if (l)
                    return strdup(l);
            }
        }
    } else if ((strcmp(kind, "date") == 0 || strcmp(kind, "date_or_quarter") == 0) &&
               json_is_string(v)) {
        const char *s = json_string_value(v);
        if (quarter_text(buf, sizeof(buf), s, words) || ui_format_ymd(buf, lang, s) == 0)
            return strdup(buf);
    }
    if (json_is_string(v) && strcmp(kind, "plain") != 0) /* the schema says it is a text */
        return strdup(json_string_value(v));
    return plain_text(v, lang, words);
}

static json_t *text_cell(char *s)
{
    json_t *c = json_pack("{s:s}", "text", s ? s : "");
    free(s);
    return c;
}

static char *row_summary(const json_t *row, const json_t *fields, ui_lang lang,
                         const json_t *words);

static json_t *plain_cell(const json_t *v, ui_lang lang, const json_t *words);

/* A field's value as a cell: {"text"} or {"list": [...]}. */
static json_t *value_cell(const json_t *field, const json_t *v, ui_lang lang, const json_t *words)
{
    const char *kind = kind_of(field);
    if (json_is_array(v) && strcmp(kind, "list") != 0)
        return plain_cell(v, lang, words); /* not what the schema says: shown all the same */
    if (strcmp(kind, "list") == 0 && json_is_array(v)) {
        const json_t *sub = json_object_get(field, "fields");
        const char *of = json_string_value(json_object_get(field, "of"));
        json_t *list = json_array();
        size_t i;
        json_t *item;
        json_array_foreach(v, i, item)
        {
            char *s = sub ? row_summary(item, sub, lang, words)
                          : scalar_text(field, of ? of : "text", item, lang, words);
            json_array_append_new(list, json_string(s ? s : ""));
            free(s);
        }
        if (json_array_size(list) == 0) {
            json_decref(list);
            return text_cell(strdup(word(words, "none", "—")));
        }
        return json_pack("{s:o}", "list", list);
    }
    if (strcmp(kind, "group") == 0 && json_is_object(v))
        return text_cell(row_summary(v, json_object_get(field, "fields"), lang, words));
    if (strcmp(kind, "ref") == 0 && json_is_string(v) && *json_string_value(v) && ref_fn) {
        json_t *cell = ref_fn(json_string_value(json_object_get(field, "to")),
                              json_string_value(v), ref_arg);
        if (cell)
            return cell;
    }
    return text_cell(scalar_text(field, kind, v, lang, words));
}

/* A row or group in one line: "Label: value; Label: value" (what a cell
 * inside a cell can be). */
static char *row_summary(const json_t *row, const json_t *fields, ui_lang lang,
                         const json_t *words)
{
    util_buf b;
    util_buf_init(&b);
    size_t i;
    json_t *f;
    json_array_foreach(fields, i, f)
    {
        const char *name = json_string_value(json_object_get(f, "name"));
        json_t *v = name ? json_object_get(row, name) : NULL;
        if (!v || json_is_null(v))
            continue;
        json_t *cell = value_cell(f, v, lang, words);
        const char *t = json_string_value(json_object_get(cell, "text"));
        util_buf_printf(&b, "%s%s: ", b.len ? "; " : "", label_of(f, lang));
        if (t) {
            util_buf_puts(&b, t);
        } else {
            size_t k;
            json_t *s;
            json_array_foreach(json_object_get(cell, "list"), k, s)
                util_buf_printf(&b, "%s%s", k ? ", " : "", json_string_value(s));
        }
        json_decref(cell);
    }
    if (b.len == 0) { /* nothing set in the row */
        util_buf_dispose(&b);
        return strdup(word(words, "none", "—"));
    }
    return util_buf_detach(&b, NULL);
}

/* ---- with a schema ---- */

/* The columns of a list's rows: its fields, a group's fields spread out as
 * columns of their own ("Финансирование: сумма"), the group_by field left
 * out (the rows are grouped by it).  Each: {"label", "field", "path": [names]}. */
static void columns_of(json_t *cols, const json_t *fields, const char *skip, const char *prefix,
                       json_t *path, ui_lang lang)
{
    size_t i;
    json_t *f;
    json_array_foreach(fields, i, f)
    {
        const char *name = json_string_value(json_object_get(f, "name"));
        if (!name || (skip && strcmp(name, skip) == 0))
            continue;
        char label[512];
        snprintf(label, sizeof(label), "%s%s%s", prefix ? prefix : "", prefix ? ": " : "",
                 label_of(f, lang));
        json_t *p = json_copy(path);
        json_array_append_new(p, json_string(name));
        if (strcmp(kind_of(f), "group") == 0)
            columns_of(cols, json_object_get(f, "fields"), NULL, label, p, lang);
        else
            json_array_append_new(cols, json_pack("{s:s, s:O, s:O}", "label", label, "field", f,
                                                  "path", p));
        json_decref(p);
    }
}

static const json_t *at_path(const json_t *row, const json_t *path)
{
    size_t i;
    json_t *name;
    json_array_foreach(path, i, name) row = json_object_get(row, json_string_value(name));
    return row;
}

static json_t *table_row(const json_t *item, const json_t *cols, ui_lang lang,
                         const json_t *words)
{
    json_t *cells = json_array();
    size_t i;
    json_t *col;
    json_array_foreach(cols, i, col)
        json_array_append_new(cells, value_cell(json_object_get(col, "field"),
                                                at_path(item, json_object_get(col, "path")), lang,
                                                words));
    return json_pack("{s:o}", "cells", cells);
}

static json_t *labels_of(const json_t *cols)
{
    json_t *labels = json_array();
    size_t i;
    json_t *col;
    json_array_foreach(cols, i, col) json_array_append(labels, json_object_get(col, "label"));
    return labels;
}

/* A list's rows with more columns than this read as one table each. */
#define CARD_COLUMNS 8

/* 1 if a list's rows have too many columns to read across (a meeting's
 * agenda item: kind, case, who took part, the child's view, decision, vote). */
static int too_wide(const json_t *field, ui_lang lang)
{
    if (json_object_get(field, "group_by"))
        return 0;
    json_t *cols = json_array(), *path = json_array();
    columns_of(cols, json_object_get(field, "fields"), NULL, NULL, path, lang);
    int wide = json_array_size(cols) > CARD_COLUMNS;
    json_decref(cols);
    json_decref(path);
    return wide;
}

/* Such a list as sections: its label over none, then each row's label-value
 * pairs under its name ("Вопрос 1"). */
static void card_sections(json_t *sections, const json_t *field, const json_t *items,
                          ui_lang lang, const json_t *words)
{
    json_t *cols = json_array(), *path = json_array();
    columns_of(cols, json_object_get(field, "fields"), NULL, NULL, path, lang);
    json_decref(path);
    json_t *head = json_pack("{s:s}", "heading", label_of(field, lang));
    if (json_array_size(items) == 0)
        json_object_set_new(head, "empty", json_string(word(words, "none", "—")));
    json_array_append_new(sections, head);
    const char *item = lang_text(json_object_get(field, "item_label"), lang);
    size_t k, c;
    json_t *row, *cell;
    json_array_foreach(items, k, row)
    {
        char name[300];
        snprintf(name, sizeof(name), "%s %zu", item ? item : label_of(field, lang), k + 1);
        json_t *pairs = json_array(), *cells = table_row(row, cols, lang, words);
        json_array_foreach(json_object_get(cells, "cells"), c, cell)
        {
            /* What the row leaves unset is no line of its table (a matter
             * has no case, a case no matter). */
            const json_t *v = at_path(row, json_object_get(json_array_get(cols, c), "path"));
            if (!v || json_is_null(v) || (json_is_string(v) && !*json_string_value(v)))
                continue;
            json_object_set(cell, "label", json_object_get(json_array_get(cols, c), "label"));
            json_array_append(pairs, cell);
        }
        json_decref(cells);
        json_array_append_new(sections, json_pack("{s:s, s:o}", "subheading", name, "pairs",
                                                  pairs));
    }
    json_decref(cols);
}

/* row with its number k + 1 as its first cell, when numbered. */
static json_t *numbered_row(json_t *row, int numbered, size_t k)
{
    char n[32];
    snprintf(n, sizeof(n), "%zu", k + 1);
    if (numbered)
        json_array_insert_new(json_object_get(row, "cells"), 0, json_pack("{s:s}", "text", n));
    return row;
}

/* labels with "№" first, when numbered. */
static json_t *numbered_labels(json_t *labels, int numbered, const json_t *words)
{
    if (numbered)
        json_array_insert_new(labels, 0, json_string(word(words, "row_number", "№")));
    return labels;
}

/* A list of rows as a table, grouped under its group_by enum's labels (in
 * the order the schema gives them; values it does not know last). */
static json_t *table_section(const json_t *field, const json_t *items, ui_lang lang,
                             const json_t *words)
{
    const json_t *sub = json_object_get(field, "fields");
    const char *by = json_string_value(json_object_get(field, "group_by"));
    const json_t *by_field = NULL;
    size_t i, k;
    json_t *f, *item;
    json_array_foreach(sub, i, f)
    {
        const char *name = json_string_value(json_object_get(f, "name"));
        if (by && name && strcmp(name, by) == 0)
            by_field = f;
    }
    if (!by_field)
        by = NULL;
    json_t *cols = json_array(), *path = json_array();
    columns_of(cols, sub, by, NULL, path, lang);
    json_decref(path);
    /* numbered: each row's place in the whole list, across the groups (what
     * another document names it by: an execution report's measure 3). */
    int numbered = json_is_true(json_object_get(field, "numbered"));
    json_t *groups = json_array();
    if (!by && json_array_size(items) > 0) { /* none: the section says so, with no header */
        json_t *rows = json_array();
        json_array_foreach(items, k, item)
            json_array_append_new(rows, numbered_row(table_row(item, cols, lang, words),
                                                     numbered, k));
        json_array_append_new(groups, json_pack("{s:o, s:o}", "columns",
                                                numbered_labels(labels_of(cols), numbered,
                                                                words),
                                                "rows", rows));
    } else {
        json_t *values = json_copy(json_object_get(by_field, "values")), *seen = json_object();
        if (!values)
            values = json_array();
        /* Values the rows hold that the schema does not name: after the others. */
        json_array_foreach(items, k, item)
        {
            const char *v = json_string_value(json_object_get(item, by));
            int known = 0;
            json_t *opt;
            json_array_foreach(values, i, opt) known |=
                v && json_equal(json_object_get(opt, "value"), json_object_get(item, by));
            if (!known && !json_object_get(seen, v ? v : "")) {
                json_object_set_new(seen, v ? v : "", json_true());
                json_array_append_new(values, json_pack("{s:s?}", "value", v));
            }
        }
        json_t *opt;
        json_array_foreach(values, i, opt)
        {
            json_t *rows = json_array();
            const json_t *ov = json_object_get(opt, "value");
            json_array_foreach(items, k, item)
            {
                const json_t *iv = json_object_get(item, by);
                if (json_is_string(ov) ? json_equal(ov, iv) : !json_is_string(iv))
                    json_array_append_new(rows, numbered_row(table_row(item, cols, lang, words),
                                                             numbered, k));
            }
            if (json_array_size(rows) == 0) {
                json_decref(rows);
                continue;
            }
            char *heading = scalar_text(by_field, "enum", ov, lang, words);
            json_array_append_new(groups,
                                  json_pack("{s:s, s:o, s:o}", "heading", heading, "columns",
                                            numbered_labels(labels_of(cols), numbered, words),
                                            "rows", rows));
            free(heading);
        }
        json_decref(values);
        json_decref(seen);
    }
    json_decref(cols);
    json_t *s = json_pack("{s:s, s:o}", "heading", label_of(field, lang), "groups", groups);
    if (json_array_size(items) == 0)
        json_object_set_new(s, "empty", json_string(word(words, "none", "—")));
    return s;
}

/* A group's fields as label: value pairs, nested groups spread out with
 * their label before. */
static void group_pairs(json_t *pairs, const json_t *fields, const json_t *obj, const char *prefix,
                        ui_lang lang, const json_t *words)
{
    size_t i;
    json_t *f;
    json_array_foreach(fields, i, f)
    {
        const char *name = json_string_value(json_object_get(f, "name"));
        if (!name)
            continue;
        char label[512];
        snprintf(label, sizeof(label), "%s%s%s", prefix ? prefix : "", prefix ? ": " : "",
                 label_of(f, lang));
        const json_t *v = json_object_get(obj, name);
        if (strcmp(kind_of(f), "group") == 0 && json_is_object(v)) {
            group_pairs(pairs, json_object_get(f, "fields"), v, label, lang, words);
            continue;
        }
        json_t *cell = value_cell(f, v, lang, words);
        json_object_set_new(cell, "label", json_string(label));
        json_array_append_new(pairs, cell);
    }
}

static int skipped(const char *name, const char *const *skip)
{
    for (; skip && *skip; skip++)
        if (strcmp(*skip, name) == 0)
            return 1;
    return 0;
}

/* Nothing at all: absent, null, "", or a list or group of nothing. */
static int blank(const json_t *v)
{
    if (!v || json_is_null(v))
        return 1;
    if (json_is_string(v))
        return json_string_length(v) == 0;
    size_t i;
    const char *k;
    json_t *x;
    if (json_is_array(v)) {
        json_array_foreach(v, i, x) if (!blank(x)) return 0;
        return 1;
    }
    if (json_is_object(v)) {
        json_object_foreach((json_t *)v, k, x) if (!blank(x)) return 0;
        return 1;
    }
    return 0;
}

static void with_schema(json_t *sections, const json_t *schema, const json_t *fields,
                        const char *const *skip, ui_lang lang, const json_t *words)
{
    json_t *main_pairs = json_array();
    json_array_append_new(sections, json_pack("{s:o}", "pairs", main_pairs));
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(schema, "fields"), i, f)
    {
        const char *name = json_string_value(json_object_get(f, "name"));
        const char *kind = kind_of(f);
        const json_t *v = name ? json_object_get(fields, name) : NULL;
        if (!name || skipped(name, skip))
            continue;
        /* A field the form no longer asks for (a case's old meeting and
         * decision, now the meetings' own) is shown only where it was filled. */
        if (json_is_true(json_object_get(f, "hidden_in_form")) && blank(v))
            continue;
        if (strcmp(kind, "list") == 0 && json_object_get(f, "fields")) {
            json_t *none = json_array();
            if (too_wide(f, lang))
                card_sections(sections, f, json_is_array(v) ? v : none, lang, words);
            else
                json_array_append_new(sections,
                                      table_section(f, json_is_array(v) ? v : none, lang, words));
            json_decref(none);
        } else if (strcmp(kind, "group") == 0) {
            json_t *pairs = json_array();
            group_pairs(pairs, json_object_get(f, "fields"), json_is_object(v) ? v : NULL, NULL,
                        lang, words);
            json_array_append_new(sections, json_pack("{s:s, s:o}", "heading", label_of(f, lang),
                                                      "pairs", pairs));
        } else {
            json_t *cell = value_cell(f, v, lang, words);
            json_object_set_new(cell, "label", json_string(label_of(f, lang)));
            json_array_append_new(main_pairs, cell);
        }
    }
    if (json_array_size(main_pairs) == 0)
        json_array_remove(sections, 0);
}

/* ---- without one ---- */

/* Each field under its own key (the schema, once the type declares one,
 * gives the words); "plain": no kind we know, so a value shows as
 * plain_text reads it. */
static json_t *key_field(const char *key)
{
    return json_pack("{s:s, s:s}", "name", key, "kind", "plain");
}

/* The keys of a list of objects, in the order first seen; a key whose
 * values are objects is a group of the keys they hold (its columns are
 * spread out as a schema's group's are). */
static json_t *keys_of(const json_t *items)
{
    json_t *fields = json_array(), *seen = json_object();
    size_t i;
    json_t *item, *v;
    const char *k;
    json_array_foreach(items, i, item) json_object_foreach((json_t *)item, k, v)
    {
        if (json_object_get(seen, k))
            continue;
        json_t *f = key_field(k);
        json_object_set_new(seen, k, json_true());
        if (json_is_object(v)) {
            json_t *inner = json_array();
            size_t j;
            json_t *other;
            json_array_foreach(items, j, other) if (json_is_object(json_object_get(other, k)))
                json_array_append(inner, json_object_get(other, k));
            json_object_set_new(f, "kind", json_string("group"));
            json_object_set_new(f, "fields", keys_of(inner));
            json_decref(inner);
        }
        json_array_append_new(fields, f);
    }
    json_decref(seen);
    return fields;
}

/* A value with no schema: a list of scalars as a list, anything else as text. */
static json_t *plain_cell(const json_t *v, ui_lang lang, const json_t *words)
{
    if (json_is_array(v)) {
        json_t *list = json_array();
        size_t i;
        json_t *item;
        json_array_foreach(v, i, item)
        {
            char *s = plain_text(item, lang, words);
            json_array_append_new(list, json_string(s ? s : ""));
            free(s);
        }
        return json_pack("{s:o}", "list", list);
    }
    return text_cell(plain_text(v, lang, words));
}

static int all_objects(const json_t *a)
{
    size_t i;
    json_t *item;
    json_array_foreach(a, i, item) if (!json_is_object(item)) return 0;
    return json_array_size(a) > 0;
}

static void without_schema(json_t *sections, const json_t *fields, const char *const *skip,
                           ui_lang lang, const json_t *words)
{
    json_t *main_pairs = json_array();
    json_array_append_new(sections, json_pack("{s:o}", "pairs", main_pairs));
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)fields, key, v)
    {
        if (skipped(key, skip))
            continue;
        if (json_is_array(v) && all_objects(v)) {
            json_t *row_fields = keys_of(v);
            json_t *field = json_pack("{s:s, s:s, s:o}", "name", key, "kind", "list", "fields",
                                      row_fields);
            json_array_append_new(sections, table_section(field, v, lang, words));
            json_decref(field);
        } else if (json_is_object(v)) {
            json_t *pairs = json_array();
            const char *k;
            json_t *w;
            json_object_foreach(v, k, w)
            {
                json_t *cell = plain_cell(w, lang, words);
                json_object_set_new(cell, "label", json_string(k));
                json_array_append_new(pairs, cell);
            }
            json_array_append_new(sections,
                                  json_pack("{s:s, s:o}", "heading", key, "pairs", pairs));
        } else {
            json_t *cell = plain_cell(v, lang, words);
            json_object_set_new(cell, "label", json_string(key));
            json_array_append_new(main_pairs, cell);
        }
    }
    if (json_array_size(main_pairs) == 0)
        json_array_remove(sections, 0);
}

int web_fields_view(json_t **out, const json_t *schema, const json_t *fields,
                    const char *const *skip, ui_lang lang, const json_t *words)
{
    return web_fields_view_refs(out, schema, fields, skip, lang, words, NULL, NULL);
}

int web_fields_view_refs(json_t **out, const json_t *schema, const json_t *fields,
                         const char *const *skip, ui_lang lang, const json_t *words,
                         web_ref_fn ref, void *arg)
{
    ref_fn = ref;
    ref_arg = arg;
    int rc = fields_view(out, schema, fields, skip, lang, words);
    ref_fn = NULL;
    ref_arg = NULL;
    return rc;
}

static int fields_view(json_t **out, const json_t *schema, const json_t *fields,
                       const char *const *skip, ui_lang lang, const json_t *words)
{
    *out = json_array();
    if (!*out)
        return KENES_ENOMEM;
    if (!json_is_object(fields))
        return 0;
    if (schema && json_is_array(json_object_get(schema, "fields")))
        with_schema(*out, schema, fields, skip, lang, words);
    else
        without_schema(*out, fields, skip, lang, words);
    return 0;
}
