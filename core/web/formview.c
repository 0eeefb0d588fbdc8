/*
 * The schema and a form's values, flattened into the items form.html
 * iterates (formview.h).
 */
#include "web/formview.h"

#include <stdio.h>
#include <string.h>

#include "base/error.h"
#include "web/formdata.h"

#define PATH_CAP 512
#define ID_CAP 600

void formview_id(char *out, size_t cap, const char *path)
{
    size_t n = 0;
    if (cap < 3)
        return;
    out[n++] = 'f';
    out[n++] = '-';
    for (const char *p = path; *p && n + 1 < cap; p++) {
        if (*p == ']')
            continue;
        out[n++] = (*p == '.' || *p == '[') ? '-' : *p;
    }
    out[n] = '\0';
}

const char *formview_label(const json_t *labels, const char *lang)
{
    const char *s = json_string_value(json_object_get(labels, lang));
    return s && *s ? s : NULL;
}

/* Marks the errors at path as shown at id; their texts (a new array) for the item. */
static json_t *errors_at(json_t *errors, const char *path, const char *id, const char *label)
{
    json_t *texts = json_array();
    size_t i;
    json_t *e;
    char href[ID_CAP + 1];
    snprintf(href, sizeof(href), "#%s", id);
    json_array_foreach(errors, i, e)
    {
        const char *p = json_string_value(json_object_get(e, "path"));
        if (!p || strcmp(p, path) != 0)
            continue;
        json_array_append(texts, json_object_get(e, "text"));
        json_object_set_new(e, "href", json_string(href));
        if (label)
            json_object_set_new(e, "label", json_string(label));
    }
    return texts;
}

/* The common part of an input or a fieldset: id, hint, errors, describedby. */
static json_t *described(json_t *errors, const char *path, const char *hint, const char *label)
{
    char id[ID_CAP], more[ID_CAP + 8], by[2 * ID_CAP + 16] = "";
    formview_id(id, sizeof(id), path);
    json_t *it = json_pack("{s:s}", "id", id);
    if (hint && *hint) {
        snprintf(more, sizeof(more), "%s-hint", id);
        json_object_set_new(it, "hint", json_string(hint));
        json_object_set_new(it, "hint_id", json_string(more));
        snprintf(by, sizeof(by), "%s", more);
    }
    json_t *texts = errors_at(errors, path, id, label);
    if (json_array_size(texts)) {
        snprintf(more, sizeof(more), "%s-err", id);
        json_object_set_new(it, "errors", texts);
        json_object_set_new(it, "err_id", json_string(more));
        json_object_set_new(it, "invalid", json_true());
        size_t at = strlen(by);
        snprintf(by + at, sizeof(by) - at, "%s%s", at ? " " : "", more);
    } else {
        json_decref(texts);
    }
    if (by[0])
        json_object_set_new(it, "describedby", json_string(by));
    return it;
}

/* A select's options with the one holding value selected; a value that is
 * none of them (a form made by hand) is kept as an option of its own so
 * that it is neither lost nor silently changed. */
static json_t *select_options(const formview_words *w, const json_t *options, const char *value)
{
    json_t *out = json_array();
    int found = 0;
    json_array_append_new(out, json_pack("{s:s, s:s, s:b}", "value", "", "label", w->choose,
                                         "selected", !*value));
    size_t i;
    const json_t *o;
    json_array_foreach(options, i, o)
    {
        const char *v = json_string_value(json_object_get(o, "value"));
        const char *l = json_string_value(json_object_get(o, "label"));
        if (!v)
            continue;
        int sel = strcmp(v, value) == 0;
        found |= sel;
        json_array_append_new(out, json_pack("{s:s, s:s, s:b}", "value", v, "label", l ? l : v,
                                             "selected", sel));
    }
    if (*value && !found)
        json_array_append_new(out, json_pack("{s:s, s:s, s:b}", "value", value, "label", value,
                                             "selected", 1));
    return out;
}

/* formview_input, with the words the error summary names the input by
 * ("Мера 1 — Направление"): the label alone does not say which row. */
static void input_item(json_t *items, json_t *errors, const formview_words *w, const char *path,
                       const char *kind, const char *label, const char *summary, int required,
                       const char *hint, const json_t *value, const json_t *options)
{
    json_t *it = described(errors, path, hint, summary ? summary : label);
    json_t *text = formdata_value_text(value);
    json_object_set_new(it, "input", json_true());
    json_object_set_new(it, "name", json_string(path));
    json_object_set_new(it, "label", json_string(label ? label : path));
    json_object_set_new(it, "required", json_boolean(required));
    if (strcmp(kind, "boolean") == 0 && !required && !options) {
        /* Ticked or not, as people answer "was the child present". */
        json_object_set_new(it, "checkbox", json_true());
        json_object_set_new(it, "checked", json_boolean(json_is_true(value) ||
                                                         (json_is_string(value) &&
                                                          strcmp(json_string_value(value),
                                                                 "true") == 0)));
    } else if (strcmp(kind, "enum") == 0 || strcmp(kind, "boolean") == 0 ||
               strcmp(kind, "ref") == 0 || options) {
        json_t *yes_no = NULL;
        if (!options && strcmp(kind, "boolean") == 0)
            options = yes_no = json_pack("[{s:s, s:s}, {s:s, s:s}]", "value", "true", "label",
                                         w->yes, "value", "false", "label", w->no);
        json_object_set_new(it, "select", json_true());
        json_object_set_new(it, "options", select_options(w, options, json_string_value(text)));
        json_decref(yes_no);
    } else if (strcmp(kind, "textarea") == 0) {
        json_object_set_new(it, "textarea", json_true());
    } else if (strcmp(kind, "date") == 0) {
        json_object_set_new(it, "date", json_true());
    } else if (strcmp(kind, "file") == 0) { /* the act form's scan: no schema kind */
        json_object_set_new(it, "file", json_true());
    } else {
        json_object_set_new(it, "text", json_true());
        if (strcmp(kind, "integer") == 0)
            json_object_set_new(it, "inputmode", json_string("numeric"));
        else if (strcmp(kind, "number") == 0)
            json_object_set_new(it, "inputmode", json_string("decimal"));
    }
    json_object_set_new(it, "value", text);
    json_array_append_new(items, it);
}

void formview_input(json_t *items, json_t *errors, const formview_words *w, const char *path,
                    const char *kind, const char *label, int required, const char *hint,
                    const json_t *value, const json_t *options)
{
    input_item(items, errors, w, path, kind, label, NULL, required, hint, value, options);
}

/* ---- the schema's fields ---- */

typedef struct walker {
    json_t *items, *errors;
    const formview_words *w;
    char where[1024]; /* the rows and groups around: "Мера 1 — Финансирование", or "" */
} walker;

/* What the summary calls a thing labelled label here (*out, cap bytes). */
static const char *named(char *out, size_t cap, const walker *k, const char *label)
{
    if (!k->where[0])
        return label;
    snprintf(out, cap, "%s — %s", k->where, label ? label : "");
    return out;
}

/* Enters a row or group called label: the summary names what is in it by it.
 * Returns where it was, for leave(). */
static size_t enter(walker *k, const char *label)
{
    size_t at = strlen(k->where);
    snprintf(k->where + at, sizeof(k->where) - at, "%s%s", at ? " — " : "", label ? label : "");
    return at;
}

static void leave(walker *k, size_t at)
{
    k->where[at] = '\0';
}

/* A form no one fills in (thousands of rows, each drawn): its page is not made. */
static int too_many(const walker *k)
{
    return json_array_size(k->items) > FORMVIEW_MAX_ITEMS;
}

/* label with "{n}" as the row's number ("Удалить меру {n}" -> "Удалить меру 2"). */
static void numbered(char *out, size_t cap, const char *label, size_t n)
{
    const char *at = strstr(label, "{n}");
    if (!at)
        snprintf(out, cap, "%s", label);
    else
        snprintf(out, cap, "%.*s%zu%s", (int)(at - label), label, n, at + 3);
}

static const char *label_of(const walker *k, const json_t *f, const char *key)
{
    const char *l = formview_label(json_object_get(f, key), k->w->lang);
    return l ? l : json_string_value(json_object_get(f, "name"));
}

/* enum values as [{"value","label"}] in the user's language. */
static json_t *enum_options(const walker *k, const json_t *f)
{
    json_t *out = json_array();
    size_t i;
    const json_t *v;
    json_array_foreach(json_object_get(f, "values"), i, v)
    {
        const char *value = json_string_value(json_object_get(v, "value"));
        const char *label = formview_label(json_object_get(v, "label"), k->w->lang);
        if (value)
            json_array_append_new(out, json_pack("{s:s, s:s}", "value", value, "label",
                                                 label ? label : value));
    }
    return out;
}

static void open_fieldset(walker *k, const char *path, const char *legend, int required,
                          int row, const char *hint)
{
    char summary[1600];
    json_t *it = described(k->errors, path, hint, named(summary, sizeof(summary), k, legend));
    json_object_set_new(it, "open", json_true());
    json_object_set_new(it, "legend", json_string(legend));
    json_object_set_new(it, "required", json_boolean(required));
    json_object_set_new(it, "row", json_boolean(row));
    json_array_append_new(k->items, it);
}

static void close_fieldset(walker *k, const char *add, const char *add_label,
                           const char *remove, const char *remove_label)
{
    json_t *it = json_pack("{s:b}", "close", 1);
    if (add) {
        json_object_set_new(it, "add", json_string(add));
        json_object_set_new(it, "add_label", json_string(add_label));
    }
    if (remove) {
        json_object_set_new(it, "remove", json_string(remove));
        json_object_set_new(it, "remove_label", json_string(remove_label));
    }
    json_array_append_new(k->items, it);
}

/* A text input of a field with suggest: its words as it is typed (the
 * datalist form.c filled, when it has any). */
static void suggest_list(json_t *it, const walker *k, const json_t *f)
{
    const char *path = json_string_value(json_object_get(f, "path"));
    if (!json_object_get(f, "suggest") || !path ||
        json_array_size(json_object_get(k->w->suggest, path)) == 0)
        return;
    char id[PATH_CAP + 8];
    formview_id(id, sizeof(id), path);
    id[0] = 's'; /* "f-..." is the field's own id */
    json_object_set_new(it, "list", json_string(id));
}

static int walk_fields(walker *k, const json_t *decl, const json_t *values, const char *prefix);

static int walk_list(walker *k, const json_t *f, const json_t *rows, const char *path)
{
    const char *label = label_of(k, f, "label");
    const char *item = formview_label(json_object_get(f, "item_label"), k->w->lang);
    const json_t *rowdecl = json_object_get(f, "fields");
    const char *of = json_string_value(json_object_get(f, "of"));
    const char *add_words = formview_label(json_object_get(f, "add_label"), k->w->lang);
    const char *remove_words = formview_label(json_object_get(f, "remove_label"), k->w->lang);
    char add_label[512];
    if (add_words)
        snprintf(add_label, sizeof(add_label), "%s", add_words);
    else
        snprintf(add_label, sizeof(add_label), "%s: %s", k->w->add_row, item ? item : label);
    /* A list that may be empty (min_items 0) is not one to mark "*": its
     * key is required, but nothing in it is. */
    const json_t *min = json_object_get(f, "min_items");
    int required = json_is_true(json_object_get(f, "required")) &&
                   !(json_is_integer(min) && json_integer_value(min) == 0);
    open_fieldset(k, path, label, required, 0,
                  formview_label(json_object_get(f, "hint"), k->w->lang));
    size_t i;
    const json_t *row;
    json_array_foreach(rows, i, row)
    {
        char rowpath[PATH_CAP], legend[512], remove_label[600], summary[1600];
        if (too_many(k) ||
            snprintf(rowpath, sizeof(rowpath), "%s[%zu]", path, i) >= (int)sizeof(rowpath) - 1)
            return KENES_ETOOBIG;
        snprintf(legend, sizeof(legend), "%s %zu", item ? item : label, i + 1);
        if (remove_words)
            numbered(remove_label, sizeof(remove_label), remove_words, i + 1);
        else
            snprintf(remove_label, sizeof(remove_label), "%s: %s", k->w->remove_row, legend);
        if (rowdecl) {
            open_fieldset(k, rowpath, legend, 0, 1, NULL);
            strcat(rowpath, ".");
            size_t at = enter(k, legend);
            int rc = walk_fields(k, rowdecl, json_is_object(row) ? row : NULL, rowpath);
            leave(k, at);
            if (rc < 0)
                return rc;
            rowpath[strlen(rowpath) - 1] = '\0';
            close_fieldset(k, NULL, NULL, rowpath, remove_label);
        } else {
            const char *kind = of ? of : "text";
            json_t *values = NULL;
            if (strcmp(kind, "enum") == 0)
                values = enum_options(k, f);
            input_item(k->items, k->errors, k->w, rowpath, kind, legend,
                       named(summary, sizeof(summary), k, legend), 0, NULL, row, values);
            json_decref(values);
            json_t *it = json_array_get(k->items, json_array_size(k->items) - 1);
            json_int_t max = json_integer_value(json_object_get(f, "max_length"));
            if (max > 0) /* a list of text's max_length is each item's */
                json_object_set_new(it, "maxlength", json_integer(max));
            suggest_list(it, k, f);
            json_object_set_new(it, "remove", json_string(rowpath));
            json_object_set_new(it, "remove_label", json_string(remove_label));
        }
    }
    close_fieldset(k, path, add_label, NULL, NULL);
    return 0;
}

static int walk_fields(walker *k, const json_t *decl, const json_t *values, const char *prefix)
{
    size_t i;
    const json_t *f;
    json_array_foreach(decl, i, f)
    {
        const char *name = json_string_value(json_object_get(f, "name"));
        const char *kind = json_string_value(json_object_get(f, "kind"));
        char path[PATH_CAP], summary[1600];
        if (!name || !kind || json_is_true(json_object_get(f, "hidden_in_form")))
            continue;
        if (too_many(k) || snprintf(path, sizeof(path), "%s%s", prefix, name) >= (int)sizeof(path) - 1)
            return KENES_ETOOBIG;
        const json_t *v = json_object_get(values, name);
        const char *hint = formview_label(json_object_get(f, "hint"), k->w->lang);
        int required = json_is_true(json_object_get(f, "required"));
        int rc = 0;
        if (strcmp(kind, "group") == 0) {
            open_fieldset(k, path, label_of(k, f, "label"), required, 0, hint);
            strcat(path, ".");
            size_t at = enter(k, label_of(k, f, "label"));
            rc = walk_fields(k, json_object_get(f, "fields"), json_is_object(v) ? v : NULL, path);
            leave(k, at);
            close_fieldset(k, NULL, NULL, NULL, NULL);
        } else if (strcmp(kind, "list") == 0) {
            rc = walk_list(k, f, json_is_array(v) ? v : NULL, path);
        } else {
            json_t *options = strcmp(kind, "enum") == 0 ? enum_options(k, f) : NULL;
            if (strcmp(kind, "ref") == 0) /* the documents of its type the user may read */
                options = json_incref(
                    json_object_get(k->w->refs, json_string_value(json_object_get(f, "to"))));
            const json_t *picks = json_object_get(
                k->w->choices, json_string_value(json_object_get(f, "path")));
            if (json_object_get(f, "choices_from") && json_array_size(picks))
                options = json_incref((json_t *)picks); /* the items of the document it names */
            if (!hint && strcmp(kind, "date_or_quarter") == 0)
                hint = k->w->quarter_hint;
            const char *label = label_of(k, f, "label");
            input_item(k->items, k->errors, k->w, path, kind, label,
                       named(summary, sizeof(summary), k, label), required, hint, v, options);
            json_decref(options);
            json_t *it = json_array_get(k->items, json_array_size(k->items) - 1);
            json_int_t max = json_integer_value(json_object_get(f, "max_length"));
            if (max > 0)
                json_object_set_new(it, "maxlength", json_integer(max));
            suggest_list(it, k, f);
        }
        if (rc < 0)
            return rc;
    }
    return 0;
}

int formview_fields(json_t *items, json_t *errors, const formview_words *w, const json_t *schema,
                    const json_t *values)
{
    walker k = {.items = items, .errors = errors, .w = w};
    if (!schema)
        return 0;
    return walk_fields(&k, json_object_get(schema, "fields"), values, "fields.");
}
