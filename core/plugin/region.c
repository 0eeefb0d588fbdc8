/*
 * The region table, loaded once at start from content/regions.yaml:
 *
 *   regions:
 *     - {code: KZ-11, ru: ..., kk: ..., en: ...}
 *
 * A new table is built in full and only then replaces the old one, so a
 * failed load leaves the previous table in place.
 */
#include "plugin/region.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kenes/plugin.h"
#include "base/util.h"
#include "base/yml.h"

static region *table;
static size_t table_len;

static void free_table(region *t, size_t n)
{
    for (size_t i = 0; t && i < n; i++) {
        free(t[i].code);
        free(t[i].ru);
        free(t[i].kk);
        free(t[i].en);
    }
    free(t);
}

/* "KZ-" and two digits: the ISO 3166-2:KZ shape. */
static int code_shape_ok(const char *s)
{
    return strlen(s) == 5 && strncmp(s, "KZ-", 3) == 0 && s[3] >= '0' && s[3] <= '9' &&
           s[4] >= '0' && s[4] <= '9';
}

static int parse(yml_doc *doc, const char *path, region **out, size_t *out_len, char *err,
                 size_t errcap)
{
    static const char *const keys[] = {"code", "ru", "kk", "en"};
    yaml_node_t *root = yml_root(doc);
    if (!root || root->type != YAML_MAPPING_NODE)
        return yml_fail(err, errcap, path, root, "expected a mapping with a 'regions' list");
    size_t np;
    yaml_node_pair_t *pairs = yml_pairs(root, &np);
    for (size_t i = 0; i < np; i++) {
        yaml_node_t *k = yml_node(doc, pairs[i].key);
        const char *ks = yml_scalar(k);
        if (!ks || strcmp(ks, "regions") != 0)
            return yml_fail(err, errcap, path, k, "unknown key '%s' (expected regions)",
                        ks ? ks : "?");
    }
    yaml_node_t *list = yml_get(doc, root, "regions");
    size_t n;
    yaml_node_item_t *items = yml_items(list, &n);
    if (!items || n == 0)
        return yml_fail(err, errcap, path, list ? list : root, "'regions' must be a non-empty list");

    region *t = calloc(n, sizeof(*t));
    if (!t)
        return KENES_ENOMEM;
    int rc = 0;
    size_t len = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        yaml_node_t *item = yml_node(doc, items[i]);
        if (!item || item->type != YAML_MAPPING_NODE) {
            rc = yml_fail(err, errcap, path, item, "a region must be a mapping {code, ru, kk, en}");
            break;
        }
        size_t nk;
        yaml_node_pair_t *kp = yml_pairs(item, &nk);
        for (size_t j = 0; rc == 0 && j < nk; j++) {
            yaml_node_t *k = yml_node(doc, kp[j].key);
            const char *ks = yml_scalar(k);
            int known = 0;
            for (size_t a = 0; ks && a < UTIL_ARRAY_LEN(keys); a++)
                known |= strcmp(keys[a], ks) == 0;
            if (!known)
                rc = yml_fail(err, errcap, path, k, "unknown key '%s' in a region (expected code, "
                          "ru, kk, en)", ks ? ks : "?");
        }
        char *vals[4] = {0};
        for (size_t a = 0; rc == 0 && a < UTIL_ARRAY_LEN(keys); a++) {
            yaml_node_t *v = yml_get(doc, item, keys[a]);
            const char *s = yml_scalar(v);
            if (!v)
                rc = yml_fail(err, errcap, path, item, "a region is missing '%s'", keys[a]);
            else if (!s || !*s)
                rc = yml_fail(err, errcap, path, v, "'%s' must be non-empty text", keys[a]);
            else if (a == 0 && !code_shape_ok(s))
                rc = yml_fail(err, errcap, path, v, "region code '%s' is not of the form KZ-NN", s);
            for (size_t b = 0; rc == 0 && a == 0 && b < len; b++)
                if (strcmp(t[b].code, s) == 0)
                    rc = yml_fail(err, errcap, path, v, "duplicate region '%s'", s);
            if (rc == 0 && !(vals[a] = strdup(s)))
                rc = KENES_ENOMEM;
        }
        t[len].code = vals[0];
        t[len].ru = vals[1];
        t[len].kk = vals[2];
        t[len].en = vals[3];
        len++;
    }
    if (rc < 0) {
        free_table(t, len);
        return rc;
    }
    *out = t;
    *out_len = len;
    return 0;
}

int region_load(const char *path, char *err, size_t errcap)
{
    yml_doc doc;
    if (err && errcap)
        err[0] = '\0';
    int rc = yml_load_file(&doc, path, err, errcap);
    if (rc < 0)
        return rc;
    region *t = NULL;
    size_t n = 0;
    rc = parse(&doc, path, &t, &n, err, errcap);
    yml_dispose(&doc);
    if (rc == KENES_ENOMEM && err && errcap)
        snprintf(err, errcap, "%s:0: out of memory", path);
    if (rc < 0)
        return rc;
    free_table(table, table_len);
    table = t;
    table_len = n;
    return 0;
}

void region_unload(void)
{
    free_table(table, table_len);
    table = NULL;
    table_len = 0;
}

const region *region_find(const char *code)
{
    for (size_t i = 0; code && i < table_len; i++)
        if (strcmp(table[i].code, code) == 0)
            return &table[i];
    return NULL;
}

size_t region_count(void)
{
    return table_len;
}

const region *region_at(size_t i)
{
    return i < table_len ? &table[i] : NULL;
}

json_t *region_to_json(void)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < table_len; i++)
        json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s}", "code", table[i].code, "ru",
                                           table[i].ru, "kk", table[i].kk, "en", table[i].en));
    return a;
}
