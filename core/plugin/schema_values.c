/*
 * An enum's values from a content/ list (schema key values_from): filled in
 * once the core has loaded content/, before anyone reads the schema.  A list
 * that is missing or malformed stops the start, naming the field and the
 * file, as a bad schema does.
 */
#include "plugin/schema.h"

#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "kenes/plugin.h"

static const char *const langs[] = {"ru", "kk", "en", NULL};

static int blank(const char *s)
{
    for (; *s; s++)
        if (!strchr(" \t\r\n", *s))
            return 0;
    return 1;
}

/* The label of item (its key `key`): {ru, kk, en} of non-blank text, or one
 * text for all three; NULL if neither. */
static json_t *item_words(const json_t *item, const char *key)
{
    const json_t *l = json_object_get(item, key);
    if (json_is_string(l) && !blank(json_string_value(l)))
        return json_pack("{s:O, s:O, s:O}", "ru", l, "kk", l, "en", l);
    json_t *w = json_object();
    for (size_t i = 0; w && langs[i]; i++) {
        const char *s = json_string_value(json_object_get(l, langs[i]));
        if (!s || blank(s)) {
            json_decref(w);
            return NULL;
        }
        json_object_set_new(w, langs[i], json_string(s));
    }
    return w;
}

static int fill_one(json_t *f, const char *path, const json_t *lists, char *err, size_t errcap)
{
    const json_t *from = json_object_get(f, "values_from");
    const char *content = json_string_value(json_object_get(from, "content"));
    const char *list = json_string_value(json_object_get(from, "list"));
    const char *vkey = json_string_value(json_object_get(from, "value"));
    const char *lkey = json_string_value(json_object_get(from, "label"));
    const json_t *items = json_object_get(json_object_get(lists, content), list);
    if (!json_array_size(items)) {
        util_set_err(err, errcap, "field %s: values_from: content/%s.yaml has no list %s", path,
                     content, list);
        return KENES_EINVAL;
    }
    json_t *values = json_array();
    size_t i;
    const json_t *item;
    json_array_foreach(items, i, item)
    {
        const char *v = json_string_value(json_object_get(item, vkey));
        json_t *words = item_words(item, lkey);
        int twice = 0;
        size_t j;
        const json_t *seen;
        json_array_foreach(values, j, seen)
            twice |= v && strcmp(json_string_value(json_object_get(seen, "value")), v) == 0;
        if (!v || !*v || blank(v) || !words || twice) {
            util_set_err(err, errcap,
                         "field %s: values_from: content/%s.yaml, %s item %zu: %s", path,
                         content, list, i + 1,
                         !v || !*v || blank(v) ? "no text in its value key"
                         : twice               ? "its value is listed twice"
                                               : "its label is no {ru, kk, en} of text");
            json_decref(words);
            json_decref(values);
            return KENES_EINVAL;
        }
        json_array_append_new(values, json_pack("{s:s, s:o}", "value", v, "label", words));
    }
    json_object_set_new(f, "values", values);
    return 0;
}

static int fill_fields(json_t *fields, const char *prefix, const json_t *lists, char *err,
                       size_t errcap)
{
    size_t i;
    json_t *f;
    json_array_foreach(fields, i, f)
    {
        const char *name = json_string_value(json_object_get(f, "name"));
        const char *kind = json_string_value(json_object_get(f, "kind"));
        char path[600];
        snprintf(path, sizeof(path), "%s.%s", prefix, name ? name : "?");
        int rc = json_object_get(f, "values_from") ? fill_one(f, path, lists, err, errcap) : 0;
        json_t *sub = json_object_get(f, "fields");
        if (rc == 0 && sub) {
            if (kind && strcmp(kind, "list") == 0)
                strncat(path, "[]", sizeof(path) - strlen(path) - 1);
            rc = fill_fields(sub, path, lists, err, errcap);
        }
        if (rc < 0)
            return rc;
    }
    return 0;
}

int schema_fill_values(json_t *schema, const json_t *lists, char *err, size_t errcap)
{
    if (err && errcap)
        err[0] = '\0';
    if (!schema)
        return 0;
    return fill_fields(json_object_get(schema, "fields"), "fields", lists, err, errcap);
}

const json_t *schema_field_named(const json_t *fields, const char *name)
{
    size_t i;
    const json_t *f;
    json_array_foreach(fields, i, f)
    {
        const char *n = json_string_value(json_object_get(f, "name"));
        if (n && strcmp(n, name) == 0)
            return f;
    }
    return NULL;
}
