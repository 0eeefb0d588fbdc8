#include "web/fieldtable.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/util.h"
#include "ui/dates.h"

static const char *label_of(const json_t *f, ui_lang lang)
{
    const char *l = json_string_value(json_object_get(json_object_get(f, "label"),
                                                      ui_lang_code(lang)));
    return l ? l : json_string_value(json_object_get(f, "name"));
}

static const char *kind_of(const json_t *f)
{
    const char *k = json_string_value(json_object_get(f, "kind"));
    return k ? k : "";
}

/* 12500000 -> "12 500 000" (a no-break space) or "12,500,000"; four
 * digits stay whole (a year, 2026), as Russian and Kazakh typesetting has it. */
static void put_integer(util_buf *b, json_int_t n, ui_lang lang)
{
    char digits[32];
    snprintf(digits, sizeof(digits), "%" JSON_INTEGER_FORMAT, n < 0 ? -n : n);
    size_t len = strlen(digits);
    if (n < 0)
        util_buf_puts(b, "−");
    for (size_t i = 0; i < len; i++) {
        if (i > 0 && len > 4 && (len - i) % 3 == 0)
            util_buf_puts(b, lang == UI_EN ? "," : "\xc2\xa0");
        util_buf_append(b, digits + i, 1);
    }
}

/* "2026-Q4" in words, or 0 when s is no quarter. */
static int put_quarter(util_buf *b, const char *s, const fieldtable_words *w)
{
    if (strlen(s) != 7 || s[4] != '-' || s[5] != 'Q' || s[6] < '1' || s[6] > '4' || !w->quarter)
        return 0;
    for (const char *p = w->quarter; *p; p++) {
        if (strncmp(p, "{q}", 3) == 0) {
            util_buf_append(b, s + 6, 1);
            p += 2;
        } else if (strncmp(p, "{y}", 3) == 0) {
            util_buf_append(b, s, 4);
            p += 2;
        } else {
            util_buf_append(b, p, 1);
        }
    }
    return 1;
}

static const char *enum_label(const json_t *f, const char *value, ui_lang lang)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(f, "values"), i, v)
    {
        const char *name = json_string_value(json_object_get(v, "value"));
        if (name && value && strcmp(name, value) == 0)
            return label_of(v, lang);
    }
    return value;
}

static void put_value(util_buf *b, const json_t *f, const json_t *v, const fieldtable_words *w)
{
    const char *kind = kind_of(f);
    char day[UI_DATE_CAP];
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        if (strcmp(kind, "enum") == 0)
            util_buf_puts(b, enum_label(f, s, w->lang));
        else if ((strcmp(kind, "date") == 0 || strcmp(kind, "date_or_quarter") == 0 || !f) &&
                 ui_format_ymd(day, w->lang, s) == 0)
            util_buf_puts(b, day);
        else if (!((strcmp(kind, "date_or_quarter") == 0 || !f) && put_quarter(b, s, w)))
            util_buf_puts(b, s);
    } else if (json_is_integer(v)) {
        put_integer(b, json_integer_value(v), w->lang);
    } else if (json_is_real(v)) {
        util_buf_printf(b, "%g", json_real_value(v));
    } else if (json_is_boolean(v)) {
        util_buf_puts(b, json_is_true(v) ? w->yes : w->no);
    } else if (json_is_array(v)) {
        /* A list of scalars (of: text); the items' kind is f's "of". */
        json_t *item_f = f ? json_pack("{s:s}", "kind", json_string_value(json_object_get(f, "of"))
                                                           ? json_string_value(json_object_get(f, "of"))
                                                           : "text")
                           : NULL;
        size_t i;
        json_t *it;
        json_array_foreach(v, i, it)
        {
            if (i)
                util_buf_puts(b, "; ");
            put_value(b, item_f, it, w);
        }
        json_decref(item_f);
    } else if (json_is_object(v)) {
        const char *k;
        json_t *x;
        int first = 1;
        json_object_foreach((json_t *)v, k, x)
        {
            util_buf_printf(b, "%s%s: ", first ? "" : "; ", k);
            put_value(b, NULL, x, w);
            first = 0;
        }
    }
}

char *fieldtable_text(const json_t *f, const json_t *v, const fieldtable_words *w)
{
    util_buf b;
    util_buf_init(&b);
    put_value(&b, f, v, w);
    char *s = util_buf_detach(&b, NULL);
    return s ? s : strdup("");
}

/* ---- columns: a row's fields, groups flattened ---- */

typedef struct column {
    char *label;
    const json_t *f;   /* the field's schema, or NULL */
    char *path[2];     /* the key, and the key inside a group (or NULL) */
} column;

typedef struct columns {
    column *items;
    size_t n, cap;
} columns;

static int column_add(columns *cs, const char *label, const json_t *f, const char *k1,
                      const char *k2)
{
    for (size_t i = 0; i < cs->n; i++)
        if (strcmp(cs->items[i].path[0], k1) == 0 &&
            ((!k2 && !cs->items[i].path[1]) ||
             (k2 && cs->items[i].path[1] && strcmp(cs->items[i].path[1], k2) == 0)))
            return 0;
    column *items = util_grow(cs->items, &cs->cap, cs->n + 1, sizeof(*items), 8);
    if (!items)
        return KENES_ENOMEM;
    cs->items = items;
    column *c = &items[cs->n++];
    *c = (column){.label = strdup(label), .f = f, .path = {strdup(k1), k2 ? strdup(k2) : NULL}};
    return c->label && c->path[0] && (!k2 || c->path[1]) ? 0 : KENES_ENOMEM;
}

static void columns_dispose(columns *cs)
{
    for (size_t i = 0; i < cs->n; i++) {
        free(cs->items[i].label);
        free(cs->items[i].path[0]);
        free(cs->items[i].path[1]);
    }
    free(cs->items);
}

static char *joined(const char *a, const char *b)
{
    util_buf x;
    util_buf_init(&x);
    util_buf_printf(&x, "%s: %s", a, b);
    return util_buf_detach(&x, NULL);
}

/* The columns of a list's rows: from its schema's fields, else from the rows' keys. */
static int row_columns(columns *cs, const json_t *list_f, const json_t *rows, const char *group_by,
                       ui_lang lang)
{
    size_t i;
    json_t *f;
    int rc = 0;
    if (list_f) {
        json_array_foreach(json_object_get(list_f, "fields"), i, f)
        {
            const char *name = json_string_value(json_object_get(f, "name"));
            if (!name || (group_by && strcmp(name, group_by) == 0))
                continue;
            if (strcmp(kind_of(f), "group") == 0) {
                size_t j;
                json_t *g;
                json_array_foreach(json_object_get(f, "fields"), j, g)
                {
                    char *l = joined(label_of(f, lang), label_of(g, lang));
                    const char *gn = json_string_value(json_object_get(g, "name"));
                    rc = l && gn ? column_add(cs, l, g, name, gn) : KENES_ENOMEM;
                    free(l);
                    if (rc < 0)
                        return rc;
                }
            } else if ((rc = column_add(cs, label_of(f, lang), f, name, NULL)) < 0) {
                return rc;
            }
        }
        return 0;
    }
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        const char *k;
        json_t *v;
        json_object_foreach(row, k, v)
        {
            if (json_is_object(v)) {
                const char *k2;
                json_t *v2;
                json_object_foreach(v, k2, v2)
                {
                    char *l = joined(k, k2);
                    rc = l ? column_add(cs, l, NULL, k, k2) : KENES_ENOMEM;
                    free(l);
                    if (rc < 0)
                        return rc;
                }
            } else if ((rc = column_add(cs, k, NULL, k, NULL)) < 0) {
                return rc;
            }
        }
    }
    return 0;
}

static json_t *row_cells(const columns *cs, const json_t *row, const fieldtable_words *w)
{
    json_t *cells = json_array();
    for (size_t i = 0; cells && i < cs->n; i++) {
        const json_t *v = json_object_get(row, cs->items[i].path[0]);
        if (cs->items[i].path[1])
            v = json_object_get(v, cs->items[i].path[1]);
        char *text = fieldtable_text(cs->items[i].f, v, w);
        json_array_append_new(cells, json_string(text ? text : ""));
        free(text);
    }
    return cells;
}

static json_t *group_new(const char *label, const columns *cs)
{
    json_t *heads = json_array();
    for (size_t i = 0; i < cs->n; i++)
        json_array_append_new(heads, json_string(cs->items[i].label));
    return json_pack("{s:s, s:o, s:[]}", "label", label ? label : "", "columns", heads, "rows");
}

/* One list of rows as a table; grouped by the enum field group_by, in the
 * order of its values, when the schema says so. */
static json_t *table_of(const json_t *list_f, const char *label, const json_t *rows,
                        const fieldtable_words *w)
{
    const char *group_by = json_string_value(json_object_get(list_f, "group_by"));
    const json_t *gf = NULL;
    size_t i;
    json_t *f, *row;
    json_array_foreach(json_object_get(list_f, "fields"), i, f)
    {
        const char *name = json_string_value(json_object_get(f, "name"));
        if (group_by && name && strcmp(name, group_by) == 0)
            gf = f;
    }
    if (!gf)
        group_by = NULL;
    columns cs = {0};
    json_t *groups = json_array();
    if (row_columns(&cs, list_f, rows, group_by, w->lang) < 0 || !groups) {
        columns_dispose(&cs);
        json_decref(groups);
        return NULL;
    }
    json_array_foreach(rows, i, row)
    {
        const char *value = group_by ? json_string_value(json_object_get(row, group_by)) : NULL;
        const char *glabel = value ? enum_label(gf, value, w->lang) : "";
        json_t *g = NULL;
        size_t j;
        json_t *x;
        json_array_foreach(groups, j, x)
        {
            if (strcmp(json_string_value(json_object_get(x, "label")), glabel) == 0)
                g = x;
        }
        if (!g) {
            g = group_new(glabel, &cs);
            json_array_append_new(groups, g);
        }
        json_array_append_new(json_object_get(g, "rows"),
                              json_pack("{s:o}", "cells", row_cells(&cs, row, w)));
    }
    /* Groups in the order the enumeration lists its values, any other after. */
    if (gf) {
        json_t *sorted = json_array();
        size_t k;
        json_t *v;
        json_array_foreach(json_object_get(gf, "values"), k, v)
        {
            const char *l = label_of(v, w->lang);
            json_array_foreach(groups, i, row)
            {
                if (l && strcmp(json_string_value(json_object_get(row, "label")), l) == 0 &&
                    !json_object_get(row, "placed"))
                {
                    json_object_set_new(row, "placed", json_true());
                    json_array_append(sorted, row);
                }
            }
        }
        json_array_foreach(groups, i, row)
        {
            if (!json_object_get(row, "placed"))
                json_array_append(sorted, row);
        }
        json_decref(groups);
        groups = sorted;
    }
    columns_dispose(&cs);
    return json_pack("{s:s, s:o}", "label", label, "groups", groups);
}

static int skipped(const char *name, const char *const *skip)
{
    for (; skip && *skip; skip++)
        if (strcmp(*skip, name) == 0)
            return 1;
    return 0;
}

static void add_fact(json_t *facts, const char *label, const json_t *f, const json_t *v,
                     const fieldtable_words *w)
{
    char *text = fieldtable_text(f, v, w);
    if (text && *text)
        json_array_append_new(facts, json_pack("{s:s, s:s}", "label", label, "text", text));
    free(text);
}

/* A field: a table when it is a list of rows, else one line (a group's
 * fields one line each). */
static void add_field(json_t *tables, json_t *facts, const json_t *f, const char *name,
                      const json_t *v, const fieldtable_words *w)
{
    const char *label = f ? label_of(f, w->lang) : name;
    int rows = json_is_array(v) && json_array_size(v) > 0 && json_is_object(json_array_get(v, 0));
    if (rows && (!f || json_object_get(f, "fields"))) {
        json_t *t = table_of(f, label, v, w);
        if (t)
            json_array_append_new(tables, t);
    } else if (f && strcmp(kind_of(f), "group") == 0 && json_is_object(v)) {
        size_t i;
        json_t *g;
        json_array_foreach(json_object_get(f, "fields"), i, g)
        {
            char *l = joined(label, label_of(g, w->lang));
            const char *gn = json_string_value(json_object_get(g, "name"));
            if (l && gn)
                add_fact(facts, l, g, json_object_get(v, gn), w);
            free(l);
        }
    } else {
        add_fact(facts, label, f, v, w);
    }
}

int fieldtable_build(json_t **out, const json_t *schema, const json_t *fields,
                     const char *const *skip, const fieldtable_words *w)
{
    json_t *tables = json_array(), *facts = json_array();
    *out = json_pack("{s:o, s:o}", "tables", tables, "facts", facts);
    if (!*out)
        return KENES_ENOMEM;
    if (schema) {
        size_t i;
        json_t *f;
        json_array_foreach(json_object_get(schema, "fields"), i, f)
        {
            const char *name = json_string_value(json_object_get(f, "name"));
            const json_t *v = name ? json_object_get(fields, name) : NULL;
            if (v && !json_is_null(v) && !skipped(name, skip))
                add_field(tables, facts, f, name, v, w);
        }
        return 0;
    }
    const char *name;
    json_t *v;
    json_object_foreach((json_t *)fields, name, v)
    {
        if (!json_is_null(v) && !skipped(name, skip))
            add_field(tables, facts, NULL, name, v, w);
    }
    return 0;
}
