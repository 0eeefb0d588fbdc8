/*
 * A posted form -> a document's fields, and the row operations of a form
 * that works without JavaScript (formdata.h).
 */
#include "web/formdata.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "plugin/schema.h"

#define PATH_CAP 512
#define NAME_CAP 64

static const char *kind_of(const json_t *f)
{
    const char *k = json_string_value(json_object_get(f, "kind"));
    return k ? k : "text";
}

static int is_kind(const json_t *f, const char *kind)
{
    return strcmp(kind_of(f), kind) == 0;
}

static int hidden(const json_t *f)
{
    return json_is_true(json_object_get(f, "hidden_in_form"));
}

const json_t *formdata_field(const json_t *fields, const char *name)
{
    return schema_field_named(fields, name);
}

/* ---- numbers as people type them ---- */

/* text without the spaces people put between groups of digits ("12 500 000",
 * with U+00A0 or U+202F too) and around the number; 0, or -1 when it does
 * not fit. */
static int squeeze(char *out, size_t cap, const char *text)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p;) {
        if (*p == ' ' || *p == '\t') {
            p++;
        } else if (p[0] == 0xC2 && p[1] == 0xA0) {
            p += 2;
        } else if (p[0] == 0xE2 && p[1] == 0x80 && p[2] == 0xAF) {
            p += 3;
        } else {
            if (n + 1 >= cap)
                return -1;
            out[n++] = (char)*p++;
        }
    }
    out[n] = '\0';
    return n ? 0 : -1;
}

/* [-]digits[(.|,)digits]: 1 and *is_int when it is a number people write. */
static int number_shape(char *s, int *is_int)
{
    char *p = s + (*s == '-');
    size_t digits = strspn(p, "0123456789");
    if (digits == 0)
        return 0;
    p += digits;
    *is_int = *p == '\0';
    if (*is_int)
        return 1;
    if (*p != '.' && *p != ',')
        return 0;
    *p = '.'; /* a decimal comma, as Russian and Kazakh write it */
    p++;
    size_t frac = strspn(p, "0123456789");
    return frac > 0 && p[frac] == '\0';
}

/* The number text says, or NULL; integers only when want_real is 0. */
static json_t *number_of(const char *text, int want_real)
{
    char s[64];
    int is_int;
    if (squeeze(s, sizeof(s), text) < 0 || !number_shape(s, &is_int))
        return NULL;
    errno = 0;
    if (is_int) {
        char *end;
        long long v = strtoll(s, &end, 10);
        if (errno == ERANGE)
            return NULL;
        return json_integer((json_int_t)v);
    }
    if (!want_real)
        return NULL;
    double d = strtod(s, NULL);
    if (errno == ERANGE || !isfinite(d))
        return NULL;
    return json_real(d);
}

/* What an input's text is as a value of kind: a number when the kind wants
 * one and the text is one, else the text itself (the validator judges it). */
static json_t *scalar_of(const char *kind, const char *text)
{
    json_t *v = NULL;
    if (strcmp(kind, "integer") == 0)
        v = number_of(text, 0);
    else if (strcmp(kind, "number") == 0 || strcmp(kind, "number_or_text") == 0)
        v = number_of(text, 1);
    else if (strcmp(kind, "boolean") == 0 && strcmp(text, "true") == 0)
        v = json_true();
    else if (strcmp(kind, "boolean") == 0 && strcmp(text, "false") == 0)
        v = json_false();
    return v ? v : json_string(text);
}

json_t *formdata_value_text(const json_t *v)
{
    char buf[64];
    if (json_is_string(v))
        return json_incref((json_t *)v);
    if (json_is_integer(v)) {
        snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
    } else if (json_is_real(v)) {
        snprintf(buf, sizeof(buf), "%.15g", json_real_value(v));
    } else if (json_is_boolean(v)) {
        snprintf(buf, sizeof(buf), "%s", json_is_true(v) ? "true" : "false");
    } else {
        buf[0] = '\0';
    }
    return json_string(buf);
}

/* ---- rows ---- */

/* A row number: "0" or [1-9][0-9]*, below FORM_MAX_ROWS.  *end after it. */
static int row_number(long *out, const char *s, const char **end)
{
    size_t n = strspn(s, "0123456789");
    *end = s + n;
    if (n == 0 || (n > 1 && s[0] == '0'))
        return KENES_EINVAL;
    if (n > 6)
        return KENES_ETOOBIG;
    long v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    if (v >= FORM_MAX_ROWS)
        return KENES_ETOOBIG;
    *out = v;
    return 0;
}

/* Which rows of the list at path the form has inputs for (seen[row]);
 * *any when it has one.  Object rows are "path[n].x", scalar ones "path[n]". */
static int rows_of(unsigned char seen[FORM_MAX_ROWS], int *any, const json_t *form,
                   const char *path, int scalar)
{
    size_t plen = strlen(path);
    const char *key;
    json_t *v;
    *any = 0;
    memset(seen, 0, FORM_MAX_ROWS);
    json_object_foreach((json_t *)form, key, v)
    {
        if (strncmp(key, path, plen) != 0 || key[plen] != '[')
            continue;
        long row;
        const char *end;
        int rc = row_number(&row, key + plen + 1, &end);
        if (rc < 0)
            return rc;
        if (*end != ']')
            return KENES_EINVAL;
        end++;
        if (scalar ? *end != '\0' : *end != '.')
            continue; /* no input of this list's */
        seen[row] = 1;
        *any = 1;
    }
    return 0;
}

/* 1 if v holds something typed: a value, or a row or group holding one. */
static int has_value(const json_t *v)
{
    size_t i;
    const char *k;
    json_t *x;
    if (json_is_string(v))
        return json_string_length(v) > 0;
    if (json_is_array(v)) {
        json_array_foreach(v, i, x) if (has_value(x)) return 1;
        return 0;
    }
    if (json_is_object(v)) {
        json_object_foreach((json_t *)v, k, x) if (has_value(x)) return 1;
        return 0;
    }
    return v != NULL && !json_is_null(v);
}

static int build_object(json_t *obj, const json_t *decl, const char *prefix, const json_t *form,
                        int mode);

/* The list f at path, or *out NULL when the form has none of its inputs. */
static int build_list(json_t **out, const json_t *f, const char *path, const json_t *form,
                      int mode)
{
    unsigned char seen[FORM_MAX_ROWS];
    int any;
    const json_t *rowdecl = json_object_get(f, "fields");
    const char *of = json_string_value(json_object_get(f, "of"));
    *out = NULL;
    int rc = rows_of(seen, &any, form, path, rowdecl == NULL);
    if (rc < 0 || !any)
        return rc;
    json_t *arr = json_array();
    for (long row = 0; rc == 0 && row < FORM_MAX_ROWS; row++) {
        if (!seen[row])
            continue;
        char rowpath[PATH_CAP];
        /* A row of objects gets a '.' appended below: leave room for it. */
        if (snprintf(rowpath, sizeof(rowpath), "%s[%ld]", path, row) >=
            (int)sizeof(rowpath) - (rowdecl ? 1 : 0)) {
            rc = KENES_ETOOBIG;
            break;
        }
        if (rowdecl) {
            json_t *r = json_object();
            strcat(rowpath, ".");
            rc = build_object(r, rowdecl, rowpath, form, mode);
            if (rc == 0 && (mode == FORM_KEEP_BLANK || has_value(r)))
                json_array_append(arr, r);
            json_decref(r);
        } else {
            const char *text = json_string_value(json_object_get(form, rowpath));
            if (text && *text)
                json_array_append_new(arr, scalar_of(of ? of : "text", text));
            else if (mode == FORM_KEEP_BLANK)
                json_array_append_new(arr, json_string(""));
        }
    }
    if (rc < 0) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return 0;
}

static int build_object(json_t *obj, const json_t *decl, const char *prefix, const json_t *form,
                        int mode)
{
    size_t i;
    const json_t *f;
    json_array_foreach(decl, i, f)
    {
        const char *name = json_string_value(json_object_get(f, "name"));
        char path[PATH_CAP];
        if (!name || hidden(f))
            continue;
        if (snprintf(path, sizeof(path), "%s%s", prefix, name) >= (int)sizeof(path) - 1)
            return KENES_ETOOBIG;
        int rc = 0;
        if (is_kind(f, "group")) {
            json_t *sub = json_object();
            strcat(path, ".");
            rc = build_object(sub, json_object_get(f, "fields"), path, form, mode);
            if (rc == 0 && (mode == FORM_KEEP_BLANK || has_value(sub)))
                json_object_set(obj, name, sub);
            json_decref(sub);
        } else if (is_kind(f, "list")) {
            json_t *arr;
            rc = build_list(&arr, f, path, form, mode);
            /* A list that may be empty (min_items 0, co_executors) with no
             * input posted is empty, not missing: the validator wants its key. */
            const json_t *min = json_object_get(f, "min_items");
            if (rc == 0 && !arr && json_is_integer(min) && json_integer_value(min) == 0)
                arr = json_array();
            if (rc == 0 && arr)
                json_object_set_new(obj, name, arr);
        } else {
            const char *text = json_string_value(json_object_get(form, path));
            if (text && *text)
                json_object_set_new(obj, name, scalar_of(kind_of(f), text));
            else if (text && mode == FORM_KEEP_BLANK)
                json_object_set_new(obj, name, json_string(""));
        }
        if (rc < 0)
            return rc;
    }
    return 0;
}

int formdata_fields(json_t **out, const json_t *schema, const json_t *form, int mode)
{
    json_t *fields = json_object();
    *out = NULL;
    if (!fields)
        return KENES_ENOMEM;
    int rc = schema ? build_object(fields, json_object_get(schema, "fields"), "fields.", form, mode)
                    : 0;
    if (rc < 0) {
        json_decref(fields);
        return rc;
    }
    *out = fields;
    return 0;
}

json_t *formdata_only(const json_t *schema, char *const *names, size_t n)
{
    json_t *decl = json_array(), *out = json_pack("{s:o}", "fields", decl);
    if (!out)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        const json_t *f = formdata_field(json_object_get(schema, "fields"), names[i]);
        json_t *copy = f ? json_deep_copy(f) : NULL;
        if (!copy)
            continue; /* a recorded field the schema does not declare has no input */
        /* Hidden from create and edit because the action records it: here
         * it is what the form is for. */
        json_object_del(copy, "hidden_in_form");
        json_array_append_new(decl, copy);
    }
    return out;
}

/* ---- the rows a form shows ---- */

static void fill_object(json_t *obj, const json_t *decl, int rows);

static json_t *blank_row(const json_t *f)
{
    const json_t *rowdecl = json_object_get(f, "fields");
    if (!rowdecl)
        return json_string("");
    json_t *row = json_object();
    fill_object(row, rowdecl, FORM_ROWS_NEW);
    return row;
}

static void fill_object(json_t *obj, const json_t *decl, int rows)
{
    size_t i;
    const json_t *f;
    json_array_foreach(decl, i, f)
    {
        const char *name = json_string_value(json_object_get(f, "name"));
        if (!name || hidden(f))
            continue;
        json_t *v = json_object_get(obj, name);
        if (is_kind(f, "group")) {
            if (!v)
                json_object_set_new(obj, name, v = json_object());
            if (json_is_object(v))
                fill_object(v, json_object_get(f, "fields"), rows);
        } else if (is_kind(f, "list")) {
            if (!v)
                json_object_set_new(obj, name, v = json_array());
            if (!json_is_array(v))
                continue;
            json_int_t need = json_integer_value(json_object_get(f, "min_items"));
            if (need < 1)
                need = 1;
            if (rows == FORM_ROWS_AS_POSTED)
                need = 0;
            if (need > FORM_MAX_ROWS)
                need = FORM_MAX_ROWS;
            while ((json_int_t)json_array_size(v) < need)
                json_array_append_new(v, blank_row(f));
            const json_t *rowdecl = json_object_get(f, "fields");
            size_t k;
            json_t *row;
            json_array_foreach(v, k, row) if (rowdecl && json_is_object(row))
                fill_object(row, rowdecl, rows);
        }
    }
}

void formdata_fill_rows(json_t *fields, const json_t *schema, int rows)
{
    if (schema && json_is_object(fields))
        fill_object(fields, json_object_get(schema, "fields"), rows);
}

/* Where a path leads: the field its last name declares, the object that
 * holds that field's value, and the row it ends with (or -1). */
typedef struct walk {
    const json_t *field;
    json_t *obj;
    long row;
} walk;

static int walk_path(walk *w, json_t *fields, const json_t *schema, const char *path)
{
    if (!schema || !path || strncmp(path, "fields.", 7) != 0)
        return KENES_ENOTFOUND;
    const char *p = path + 7;
    const json_t *decl = json_object_get(schema, "fields");
    json_t *obj = fields;
    for (;;) {
        size_t n = strcspn(p, ".[");
        char name[NAME_CAP];
        if (n == 0 || n >= sizeof(name))
            return KENES_ENOTFOUND;
        memcpy(name, p, n);
        name[n] = '\0';
        p += n;
        const json_t *f = formdata_field(decl, name);
        if (!f || hidden(f) || !json_is_object(obj))
            return KENES_ENOTFOUND;
        long row = -1;
        if (*p == '[') {
            const char *end;
            if (!is_kind(f, "list") || row_number(&row, p + 1, &end) < 0 || *end != ']')
                return KENES_ENOTFOUND;
            p = end + 1;
        }
        if (*p == '\0') {
            *w = (walk){f, obj, row};
            return 0;
        }
        if (*p != '.')
            return KENES_ENOTFOUND;
        p++;
        json_t *v = json_object_get(obj, name);
        if (is_kind(f, "group") && row < 0) {
            obj = v;
        } else if (is_kind(f, "list") && row >= 0 && json_object_get(f, "fields")) {
            obj = json_array_get(v, (size_t)row);
        } else {
            return KENES_ENOTFOUND;
        }
        decl = json_object_get(f, "fields");
    }
}

int formdata_add_row(json_t *fields, const json_t *schema, const char *path)
{
    walk w;
    int rc = walk_path(&w, fields, schema, path);
    if (rc < 0 || w.row >= 0 || !is_kind(w.field, "list"))
        return KENES_ENOTFOUND;
    const char *name = json_string_value(json_object_get(w.field, "name"));
    json_t *list = json_object_get(w.obj, name);
    if (!list)
        json_object_set_new(w.obj, name, list = json_array());
    if (!json_is_array(list))
        return KENES_ENOTFOUND;
    if (json_array_size(list) >= FORM_MAX_ROWS)
        return KENES_ETOOBIG;
    return json_array_append_new(list, blank_row(w.field)) == 0 ? 0 : KENES_ENOMEM;
}

int formdata_remove_row(json_t *fields, const json_t *schema, const char *path)
{
    walk w;
    int rc = walk_path(&w, fields, schema, path);
    if (rc < 0 || w.row < 0)
        return KENES_ENOTFOUND;
    json_t *list = json_object_get(w.obj, json_string_value(json_object_get(w.field, "name")));
    if (!json_is_array(list) || (size_t)w.row >= json_array_size(list))
        return KENES_ENOTFOUND;
    return json_array_remove(list, (size_t)w.row) == 0 ? 0 : KENES_ENOMEM;
}
