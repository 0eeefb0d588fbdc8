/*
 * A type's field schema, from YAML to the JSON the core keeps.  Strict on
 * purpose: a key it does not know, a label missing a language or a
 * group_by naming nothing is a typo that would otherwise show as an empty
 * form field at run time, so it stops the start with the line to fix.
 */
#include "plugin/schema.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "base/yml.h"
#include "kenes/plugin.h"

/* Nesting deeper than this is no form anyone fills in (and bounds the recursion). */
#define SCHEMA_DEPTH_MAX 6

typedef struct sctx {
    yml_doc *d;
    char *err;
    size_t errcap;
} sctx;

static const char *const kinds[] = {"text",    "textarea", "integer", "number",
                                    "number_or_text", "date", "date_or_quarter", "enum",
                                    "boolean", "group",    "list",    "ref",     NULL};
/* What a list of scalars (of:) may hold: a value one input edits; "enum"
 * (with values on the list) is a choice of several, each at most once. */
static const char *const scalar_kinds[] = {"text", "textarea", "integer", "number",
                                           "number_or_text", "date", "date_or_quarter",
                                           "enum", "boolean", NULL};
static const char *const field_keys[] = {
    "name",      "kind",   "required",   "label",          "hint",         "min",
    "max",       "max_length", "min_items", "group_by",    "item_label",   "values",
    "fields",    "of",     "hidden_in_form", "confidential", "add_label", "remove_label",
    "to",        "suggest", NULL};
static const char *const langs[] = {"ru", "kk", "en", NULL};

static int in_list(const char *const *list, const char *s)
{
    for (size_t i = 0; s && list[i]; i++)
        if (strcmp(list[i], s) == 0)
            return 1;
    return 0;
}

static int fail(sctx *c, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(sctx *c, const yaml_node_t *n, const char *fmt, ...)
{
    if (c->err && c->errcap) {
        int at = snprintf(c->err, c->errcap, "schema line %d: ", n ? yml_line(n) : 1);
        if (at >= 0 && (size_t)at < c->errcap) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(c->err + at, c->errcap - (size_t)at, fmt, ap);
            va_end(ap);
        }
    }
    return KENES_EINVAL;
}

/* A name is a JSON key a form input's name and a template path can carry as is. */
static int good_name(const char *s)
{
    if (!s || !((*s >= 'a' && *s <= 'z') || *s == '_'))
        return 0;
    for (s++; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return 0;
    return 1;
}

static int blank(const char *s)
{
    for (; *s; s++)
        if (!strchr(" \t\r\n", *s))
            return 0;
    return 1;
}

/* *out from a YAML boolean (true/false only: yes/no/on are YAML 1.1 traps). */
static int get_bool(sctx *c, yaml_node_t *n, const char *key, int *out)
{
    const char *s = yml_scalar(n);
    if (!s || (strcmp(s, "true") != 0 && strcmp(s, "false") != 0))
        return fail(c, n, "%s must be true or false", key);
    *out = strcmp(s, "true") == 0;
    return 0;
}

static int get_integer(sctx *c, yaml_node_t *n, const char *key, long long *out)
{
    const char *s = yml_scalar(n);
    char *end;
    errno = 0;
    long long v = s && *s ? strtoll(s, &end, 10) : 0;
    if (!s || !*s || *end || errno)
        return fail(c, n, "%s must be a whole number", key);
    *out = v;
    return 0;
}

static int get_number(sctx *c, yaml_node_t *n, const char *key, double *out)
{
    const char *s = yml_scalar(n);
    char *end;
    errno = 0;
    double v = s && *s ? strtod(s, &end) : 0;
    if (!s || !*s || *end || errno)
        return fail(c, n, "%s must be a number", key);
    *out = v;
    return 0;
}

/* {ru, kk, en}, each non-blank text, nothing else. */
static int get_words(sctx *c, yaml_node_t *n, const char *key, json_t **out)
{
    *out = NULL;
    if (!n || n->type != YAML_MAPPING_NODE)
        return fail(c, n, "%s must be {ru: ..., kk: ..., en: ...}", key);
    size_t k;
    for (yaml_node_pair_t *p = yml_pairs(n, &k); k--; p++) {
        const char *lang = yml_scalar(yml_node(c->d, p->key));
        if (!in_list(langs, lang))
            return fail(c, yml_node(c->d, p->key), "%s: '%s' is not ru, kk or en", key,
                        lang ? lang : "?");
    }
    json_t *w = json_object();
    if (!w)
        return KENES_ENOMEM;
    for (size_t i = 0; langs[i]; i++) {
        yaml_node_t *v = yml_get(c->d, n, langs[i]);
        const char *s = yml_scalar(v);
        if (!s || blank(s)) {
            json_decref(w);
            return fail(c, v ? v : n, "%s needs %s text in %s", key, v ? "non-blank" : "its",
                        langs[i]);
        }
        json_object_set_new(w, langs[i], json_string(s));
    }
    *out = w;
    return 0;
}

static int parse_fields(sctx *c, yaml_node_t *n, const char *prefix, int depth, json_t *out);

/* values: [{value, label}, ...], at least one, no value twice. */
static int parse_values(sctx *c, yaml_node_t *n, json_t *out)
{
    size_t k;
    yaml_node_item_t *it = yml_items(n, &k);
    if (!it || !k)
        return fail(c, n, "values must be a list of {value, label}, at least one");
    for (size_t i = 0; i < k; i++) {
        yaml_node_t *v = yml_node(c->d, it[i]);
        size_t np;
        yaml_node_pair_t *p = yml_pairs(v, &np);
        if (!p)
            return fail(c, v, "each of values must be {value, label}");
        for (; np--; p++) {
            const char *key = yml_scalar(yml_node(c->d, p->key));
            if (!key || (strcmp(key, "value") != 0 && strcmp(key, "label") != 0))
                return fail(c, yml_node(c->d, p->key), "a value has value and label only, not '%s'",
                            key ? key : "?");
        }
        yaml_node_t *vn = yml_get(c->d, v, "value");
        const char *value = yml_scalar(vn);
        if (!value || !*value || blank(value))
            return fail(c, vn ? vn : v, "each of values needs a value");
        size_t j;
        json_t *seen;
        json_array_foreach(out, j, seen)
            if (strcmp(json_string_value(json_object_get(seen, "value")), value) == 0)
                return fail(c, vn, "value '%s' is listed twice", value);
        json_t *label;
        yaml_node_t *ln = yml_get(c->d, v, "label");
        if (!ln)
            return fail(c, v, "value '%s' needs a label {ru, kk, en}", value);
        int rc = get_words(c, ln, "a value's label", &label);
        if (rc < 0)
            return rc;
        if (json_array_append_new(out, json_pack("{s:s, s:o}", "value", value, "label", label)))
            return KENES_ENOMEM;
    }
    return 0;
}

/* The field's limits (min, max, max_length, min_items), each where its kind has it. */
static int parse_limits(sctx *c, yaml_node_t *n, const char *kind, json_t *f)
{
    int numeric = strcmp(kind, "integer") == 0 || strcmp(kind, "number") == 0;
    double bound[2] = {0, 0};
    static const char *const names[2] = {"min", "max"};
    int have[2] = {0, 0};
    for (int b = 0; b < 2; b++) {
        yaml_node_t *v = yml_get(c->d, n, names[b]);
        if (!v)
            continue;
        if (!numeric)
            return fail(c, v, "%s is for kind integer or number, not %s", names[b], kind);
        int rc;
        if (strcmp(kind, "integer") == 0) {
            long long i = 0;
            if ((rc = get_integer(c, v, names[b], &i)) < 0)
                return rc;
            json_object_set_new(f, names[b], json_integer((json_int_t)i));
            bound[b] = (double)i;
        } else {
            if ((rc = get_number(c, v, names[b], &bound[b])) < 0)
                return rc;
            json_object_set_new(f, names[b], json_real(bound[b]));
        }
        have[b] = 1;
    }
    if (have[0] && have[1] && bound[0] > bound[1])
        return fail(c, yml_get(c->d, n, "max"), "max is below min");

    yaml_node_t *v = yml_get(c->d, n, "max_length");
    if (v) {
        long long len = 0;
        int rc = get_integer(c, v, "max_length", &len);
        if (rc < 0)
            return rc;
        /* On a list of text, each item's. */
        static const char *const texts[] = {"text", "textarea", "number_or_text", NULL};
        const char *of = yml_scalar(yml_get(c->d, n, "of"));
        if (!in_list(texts, kind) && !(strcmp(kind, "list") == 0 && in_list(texts, of)))
            return fail(c, v, "max_length is for text kinds (or a list of text), not %s", kind);
        if (len < 1)
            return fail(c, v, "max_length must be 1 or more");
        json_object_set_new(f, "max_length", json_integer((json_int_t)len));
    }
    v = yml_get(c->d, n, "min_items");
    if (v) {
        long long items = 0;
        int rc = get_integer(c, v, "min_items", &items);
        if (rc < 0)
            return rc;
        if (strcmp(kind, "list") != 0)
            return fail(c, v, "min_items is for kind list, not %s", kind);
        if (items < 0)
            return fail(c, v, "min_items must be 0 or more");
        json_object_set_new(f, "min_items", json_integer((json_int_t)items));
    }
    return 0;
}

/* What only a group or a list has: fields, of, group_by, item_label. */
static int parse_parts(sctx *c, yaml_node_t *n, const char *kind, const char *path, int depth,
                       json_t *f)
{
    int group = strcmp(kind, "group") == 0, list = strcmp(kind, "list") == 0;
    yaml_node_t *fields = yml_get(c->d, n, "fields"), *of = yml_get(c->d, n, "of");
    yaml_node_t *group_by = yml_get(c->d, n, "group_by");
    yaml_node_t *item_label = yml_get(c->d, n, "item_label");
    if (fields && !group && !list)
        return fail(c, fields, "fields is for kind group or list, not %s", kind);
    if (of && !list)
        return fail(c, of, "of is for kind list, not %s", kind);
    if (item_label && !list)
        return fail(c, item_label, "item_label is for kind list, not %s", kind);
    /* The buttons' words ("Добавить меру", "Удалить меру {n}"): grammar a
     * "Добавить: Мера" cannot have. */
    static const char *const buttons[] = {"add_label", "remove_label", NULL};
    for (size_t i = 0; buttons[i]; i++) {
        yaml_node_t *b = yml_get(c->d, n, buttons[i]);
        json_t *w;
        if (!b)
            continue;
        if (!list)
            return fail(c, b, "%s is for kind list, not %s", buttons[i], kind);
        int brc = get_words(c, b, buttons[i], &w);
        if (brc < 0)
            return brc;
        json_object_set_new(f, buttons[i], w);
    }
    if (group_by && !list)
        return fail(c, group_by, "group_by is for kind list, not %s", kind);
    if (group && !fields)
        return fail(c, n, "a group needs fields");
    if (list && !fields == !of)
        return fail(c, of ? of : n, "a list needs either fields (a list of objects) or of (a "
                                    "list of one kind of value)");
    int rc;
    if (of) {
        const char *k = yml_scalar(of);
        if (!in_list(scalar_kinds, k))
            return fail(c, of, "of must be one of text, textarea, integer, number, "
                               "number_or_text, date, date_or_quarter, enum, boolean");
        json_object_set_new(f, "of", json_string(k));
    }
    if (item_label) {
        json_t *w;
        if ((rc = get_words(c, item_label, "item_label", &w)) < 0)
            return rc;
        json_object_set_new(f, "item_label", w);
    }
    if (fields) {
        if (depth + 1 >= SCHEMA_DEPTH_MAX)
            return fail(c, fields, "fields nest deeper than %d levels", SCHEMA_DEPTH_MAX);
        json_t *sub = json_array();
        if (!sub)
            return KENES_ENOMEM;
        json_object_set_new(f, "fields", sub);
        /* A row's paths start afresh (the form prefixes "fields.x[i]."); a
         * group's continue its own. */
        if ((rc = parse_fields(c, fields, list ? NULL : path, depth + 1, sub)) < 0)
            return rc;
    }
    if (group_by) {
        const char *by = yml_scalar(group_by);
        json_t *target = NULL, *sub;
        size_t i;
        json_array_foreach(json_object_get(f, "fields"), i, sub)
            if (by && strcmp(json_string_value(json_object_get(sub, "name")), by) == 0)
                target = sub;
        if (!target || strcmp(json_string_value(json_object_get(target, "kind")), "enum") != 0)
            return fail(c, group_by, "group_by must name an enum field of the list's rows");
        json_object_set_new(f, "group_by", json_string(by));
    }
    return 0;
}

/* A document type's name as workflows and ids spell it: [a-z0-9-], a letter first. */
static int good_type(const char *s)
{
    if (!s || !(*s >= 'a' && *s <= 'z'))
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
            return 0;
    return 1;
}

/* A ref's `to`: the type whose documents it names.  Whether that type is
 * loaded is known only once every plugin is (schema_check_refs). */
static int parse_to(sctx *c, yaml_node_t *n, const char *kind, const char *name, json_t *f)
{
    yaml_node_t *to = yml_get(c->d, n, "to");
    int ref = strcmp(kind, "ref") == 0;
    if (to && !ref)
        return fail(c, to, "to is for kind ref, not %s", kind);
    if (!ref)
        return 0;
    if (!to)
        return fail(c, n, "field %s: a ref needs to: <document type>", name);
    const char *type = yml_scalar(to);
    if (!good_type(type))
        return fail(c, to, "to must name a document type (a-z, 0-9 and -)");
    json_object_set_new(f, "to", json_string(type));
    return 0;
}

/* n is a mapping (else not_mapping) whose keys are all in keys (else
 * "'x' is not a key of <what>"). */
static int known_keys(sctx *c, yaml_node_t *n, const char *const *keys, const char *not_mapping,
                      const char *what)
{
    size_t k;
    yaml_node_pair_t *p = yml_pairs(n, &k);
    if (!p)
        return fail(c, n, "%s", not_mapping);
    for (; k--; p++) {
        const char *key = yml_scalar(yml_node(c->d, p->key));
        if (!in_list(keys, key))
            return fail(c, yml_node(c->d, p->key), "'%s' is not a key of %s", key ? key : "?",
                        what);
    }
    return 0;
}

/* suggest: {type, stage, path} on text or a list of text: the form offers,
 * as it types, the values at path (a.b, or a[].b across a list) of the
 * documents of type in stage the user may read in the form's region.
 * public: true instead of stage: the public faces of the documents of type
 * in the form's region (a meeting's attendance: the roster in force, also
 * while an amendment of it is drafted).  Only words to pick from: what is
 * saved is what was typed, checked as before. */
static int parse_suggest(sctx *c, yaml_node_t *n, const char *kind, json_t *f)
{
    yaml_node_t *s = yml_get(c->d, n, "suggest");
    if (!s)
        return 0;
    const char *of = yml_scalar(yml_get(c->d, n, "of"));
    if (strcmp(kind, "text") != 0 && !(strcmp(kind, "list") == 0 && of && strcmp(of, "text") == 0))
        return fail(c, s, "suggest is for text or a list of text, not %s", kind);
    static const char *const keys[] = {"type", "stage", "public", "path", NULL};
    int rc = known_keys(c, s, keys, "suggest must be a mapping {type, stage or public, path}",
                        "suggest");
    if (rc < 0)
        return rc;
    const char *type = yml_scalar(yml_get(c->d, s, "type"));
    const char *stage = yml_scalar(yml_get(c->d, s, "stage"));
    const char *path = yml_scalar(yml_get(c->d, s, "path"));
    int pub = 0;
    yaml_node_t *pn = yml_get(c->d, s, "public");
    if (pn && (rc = get_bool(c, pn, "suggest public", &pub)) < 0)
        return rc;
    if (!good_type(type))
        return fail(c, s, "suggest needs type: <document type> (a-z, 0-9 and -)");
    if (!path || !*path || strlen(path) > 200)
        return fail(c, s, "suggest needs path: a field path such as members[].full_name");
    if (pub && stage)
        return fail(c, s, "suggest takes stage: or public: true, not both");
    json_t *o = json_pack("{s:s, s:s}", "type", type, "path", path);
    if (stage)
        json_object_set_new(o, "stage", json_string(stage));
    if (pub)
        json_object_set_new(o, "public", json_true());
    json_object_set_new(f, "suggest", o);
    return 0;
}

static int parse_field(sctx *c, yaml_node_t *n, const char *prefix, int depth, json_t **out)
{
    *out = NULL;
    int known = known_keys(c, n, field_keys,
                           "each of fields must be a mapping {name, kind, label, ...}", "a field");
    if (known < 0)
        return known;
    yaml_node_t *nn = yml_get(c->d, n, "name");
    const char *name = yml_scalar(nn);
    if (!good_name(name))
        return fail(c, nn ? nn : n, "a field's name must be a word of a-z, 0-9 and _ "
                                    "(not starting with a digit)");
    yaml_node_t *kn = yml_get(c->d, n, "kind");
    const char *kind = yml_scalar(kn);
    if (!in_list(kinds, kind))
        return fail(c, kn ? kn : n, "field %s: kind must be one of text, textarea, integer, "
                                    "number, number_or_text, date, date_or_quarter, enum, "
                                    "boolean, group, list, ref", name);
    char path[512];
    if ((size_t)snprintf(path, sizeof(path), "%s%s%s", prefix ? prefix : "", prefix ? "." : "",
                         name) >= sizeof(path))
        return fail(c, nn, "field %s: its path is too long", name);

    json_t *f = json_pack("{s:s, s:s, s:s, s:b}", "name", name, "path", path, "kind", kind,
                          "required", 0);
    if (!f)
        return KENES_ENOMEM;
    int rc = 0;
    static const char *const flags[] = {"required", "hidden_in_form", "confidential", NULL};
    for (size_t i = 0; rc == 0 && flags[i]; i++) {
        yaml_node_t *v = yml_get(c->d, n, flags[i]);
        int on;
        if (v && (rc = get_bool(c, v, flags[i], &on)) == 0 && (on || i == 0))
            json_object_set_new(f, flags[i], json_boolean(on));
    }
    json_t *w = NULL;
    if (rc == 0) {
        yaml_node_t *label = yml_get(c->d, n, "label");
        if (!label)
            rc = fail(c, n, "field %s needs a label {ru, kk, en}", name);
        else if ((rc = get_words(c, label, "label", &w)) == 0)
            json_object_set_new(f, "label", w);
    }
    yaml_node_t *hint = yml_get(c->d, n, "hint");
    if (rc == 0 && hint && (rc = get_words(c, hint, "hint", &w)) == 0)
        json_object_set_new(f, "hint", w);

    yaml_node_t *values = yml_get(c->d, n, "values");
    const char *of = yml_scalar(yml_get(c->d, n, "of"));
    int choice = strcmp(kind, "enum") == 0 ||
                 (strcmp(kind, "list") == 0 && of && strcmp(of, "enum") == 0);
    if (rc == 0 && values && !choice)
        rc = fail(c, values, "values is for kind enum (or a list of enum), not %s", kind);
    else if (rc == 0 && choice) {
        json_t *list = json_array();
        json_object_set_new(f, "values", list);
        rc = !values ? fail(c, n, "field %s: an enum needs values", name)
                     : parse_values(c, values, list);
    }
    if (rc == 0)
        rc = parse_to(c, n, kind, name, f);
    if (rc == 0)
        rc = parse_suggest(c, n, kind, f);
    if (rc == 0)
        rc = parse_limits(c, n, kind, f);
    if (rc == 0)
        rc = parse_parts(c, n, kind, path, depth, f);
    if (rc < 0) {
        json_decref(f);
        return rc;
    }
    *out = f;
    return 0;
}

static int parse_fields(sctx *c, yaml_node_t *n, const char *prefix, int depth, json_t *out)
{
    size_t k;
    yaml_node_item_t *it = yml_items(n, &k);
    if (!it || !k)
        return fail(c, n, "fields must be a list of fields, at least one");
    for (size_t i = 0; i < k; i++) {
        json_t *f;
        yaml_node_t *fn = yml_node(c->d, it[i]);
        int rc = parse_field(c, fn, prefix, depth, &f);
        if (rc < 0)
            return rc;
        const char *name = json_string_value(json_object_get(f, "name"));
        size_t j;
        json_t *seen;
        json_array_foreach(out, j, seen)
            if (strcmp(json_string_value(json_object_get(seen, "name")), name) == 0) {
                rc = fail(c, yml_get(c->d, fn, "name"), "field %s is declared twice", name);
                json_decref(f); /* name is f's */
                return rc;
            }
        if (json_array_append_new(out, f) != 0)
            return KENES_ENOMEM;
    }
    return 0;
}

int schema_parse(json_t **out, const char *type, const char *text, char *err, size_t errcap)
{
    *out = NULL;
    if (err && errcap)
        err[0] = '\0';
    if (!type || !text)
        return KENES_EINVAL;
    yml_doc d;
    sctx c = {.d = &d, .err = err, .errcap = errcap};
    /* yml writes "<name>:<line>: why"; the loader's message says "schema line N: why". */
    char why[512];
    int rc = yml_load_string(&d, "schema", text, strlen(text), why, sizeof(why));
    if (rc < 0) {
        const char *rest = strncmp(why, "schema:", 7) == 0 ? why + 7 : why;
        if (err && errcap)
            snprintf(err, errcap, "schema line %s", rest);
        return rc;
    }
    yaml_node_t *root = yml_root(&d);
    json_t *schema = NULL;
    size_t k;
    yaml_node_pair_t *p = yml_pairs(root, &k);
    if (!p)
        rc = fail(&c, root, "a schema is a mapping with one key, fields");
    for (; rc == 0 && k--; p++) {
        const char *key = yml_scalar(yml_node(&d, p->key));
        if (!key || (strcmp(key, "fields") != 0 && strcmp(key, "title_required") != 0))
            rc = fail(&c, yml_node(&d, p->key),
                      "'%s' is not a key of a schema (only fields, title_required)",
                      key ? key : "?");
    }
    /* Whether the header's title must be given: the type's validator says,
     * and the form marks it only then (a case review's may be empty). */
    int title_required = 1;
    yaml_node_t *tr = rc == 0 ? yml_get(&d, root, "title_required") : NULL;
    if (tr)
        rc = get_bool(&c, tr, "title_required", &title_required);
    if (rc == 0) {
        yaml_node_t *fields = yml_get(&d, root, "fields");
        schema = json_pack("{s:s, s:b, s:[]}", "type", type, "title_required", title_required,
                           "fields");
        if (!schema)
            rc = KENES_ENOMEM;
        else if (!fields)
            rc = fail(&c, root, "a schema needs fields");
        else
            rc = parse_fields(&c, fields, "fields", 0, json_object_get(schema, "fields"));
    }
    yml_dispose(&d);
    if (rc < 0) {
        json_decref(schema);
        return rc;
    }
    *out = schema;
    return 0;
}

/* Every ref under fields (rows and groups included), with its full path
 * for the message (a row's own paths are relative to the row). */
static int check_refs(const json_t *fields, const char *prefix, int (*known)(const char *, void *),
                      void *payload, char *err, size_t errcap)
{
    size_t i;
    const json_t *f;
    json_array_foreach(fields, i, f)
    {
        const char *name = json_string_value(json_object_get(f, "name"));
        const char *kind = json_string_value(json_object_get(f, "kind"));
        const char *to = json_string_value(json_object_get(f, "to"));
        char path[600];
        snprintf(path, sizeof(path), "%s.%s", prefix, name ? name : "?");
        if (kind && strcmp(kind, "ref") == 0 && (!to || !known(to, payload))) {
            if (err && errcap)
                snprintf(err, errcap, "field %s: to: '%s' is no document type of the loaded "
                                      "plugins", path, to ? to : "");
            return KENES_EINVAL;
        }
        const json_t *sub = json_object_get(f, "fields");
        if (sub) {
            if (kind && strcmp(kind, "list") == 0)
                strncat(path, "[]", sizeof(path) - strlen(path) - 1);
            int rc = check_refs(sub, path, known, payload, err, errcap);
            if (rc < 0)
                return rc;
        }
    }
    return 0;
}

int schema_check_refs(const json_t *schema, int (*known)(const char *type, void *payload),
                      void *payload, char *err, size_t errcap)
{
    if (err && errcap)
        err[0] = '\0';
    if (!schema || !known)
        return 0;
    return check_refs(json_object_get(schema, "fields"), "fields", known, payload, err, errcap);
}
