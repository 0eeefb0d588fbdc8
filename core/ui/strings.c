#include "ui/strings.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/util.h"
#include "base/yml.h"

struct ui_strings {
    json_t *by_lang[UI_NLANGS]; /* {group: {key: text}} */
};

/* A group or key name: lower-case letters, digits and '_' (templates' paths split at '.'). */
static int word_valid(const char *s)
{
    if (!s || !*s)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return 0;
    return 1;
}

static int blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return 0;
    return 1;
}

static int load_group(ui_strings *s, const char *path, const char *group, char *err,
                      size_t errcap)
{
    yml_doc y;
    int rc = yml_load_file(&y, path, err, errcap);
    if (rc < 0)
        return rc;
    yaml_node_t *root = yml_root(&y);
    size_t n;
    yaml_node_pair_t *p = root ? yml_pairs(root, &n) : NULL;
    if (!p) {
        rc = yml_fail(err, errcap, path, root, "expected a mapping of key: {ru, kk, en}");
        goto out;
    }
    json_t *groups[UI_NLANGS];
    for (int l = 0; l < UI_NLANGS; l++) {
        if (json_object_get(s->by_lang[l], group)) {
            rc = yml_fail(err, errcap, path, root, "a second file for group %s", group);
            goto out;
        }
        groups[l] = json_object();
        json_object_set_new(s->by_lang[l], group, groups[l]);
    }
    for (; n--; p++) {
        yaml_node_t *k = yml_node(&y, p->key), *v = yml_node(&y, p->value);
        const char *key = yml_scalar(k);
        if (!word_valid(key)) {
            rc = yml_fail(err, errcap, path, k, "a key is lower-case letters, digits and _");
            goto out;
        }
        if (json_object_get(groups[0], key)) {
            rc = yml_fail(err, errcap, path, k, "%s is given twice", key);
            goto out;
        }
        for (int l = 0; l < UI_NLANGS; l++) {
            const char *text = yml_scalar(yml_get(&y, v, ui_lang_code((ui_lang)l)));
            if (!text || blank(text)) {
                rc = yml_fail(err, errcap, path, v, "%s has no %s text", key,
                              ui_lang_code((ui_lang)l));
                goto out;
            }
            json_object_set_new(groups[l], key, json_string(text));
        }
        size_t nk;
        yml_pairs(v, &nk);
        if (nk != UI_NLANGS) {
            rc = yml_fail(err, errcap, path, v, "%s: only ru, kk and en", key);
            goto out;
        }
    }
out:
    yml_dispose(&y);
    return rc;
}

int ui_strings_load(ui_strings **out, const char *dir, char *err, size_t errcap)
{
    *out = NULL;
    ui_strings *s = calloc(1, sizeof(*s));
    if (!s)
        return KENES_ENOMEM;
    for (int l = 0; l < UI_NLANGS; l++)
        s->by_lang[l] = json_object();
    char **names = NULL;
    size_t n = 0;
    int rc = util_list_dir(&names, &n, dir, ".yaml");
    if (rc < 0)
        util_set_err(err, errcap, "%s: cannot list the folder", dir);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char group[256], path[4096];
        size_t len = strlen(names[i]) - 5;
        snprintf(group, sizeof(group), "%.*s", (int)len, names[i]);
        util_path(path, sizeof(path), dir, names[i]);
        if (!word_valid(group))
            rc = yml_fail(err, errcap, path, NULL, "a file's name is its group: a-z, 0-9, _");
        else
            rc = load_group(s, path, group, err, errcap);
    }
    util_free_list(names, n);
    if (rc < 0) {
        ui_strings_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

void ui_strings_free(ui_strings *s)
{
    if (!s)
        return;
    for (int l = 0; l < UI_NLANGS; l++)
        json_decref(s->by_lang[l]);
    free(s);
}

const json_t *ui_strings_all(const ui_strings *s, ui_lang lang)
{
    return s->by_lang[(unsigned)lang < UI_NLANGS ? lang : UI_RU];
}

const char *ui_text(const ui_strings *s, ui_lang lang, const char *group, const char *key)
{
    return json_string_value(json_object_get(json_object_get(ui_strings_all(s, lang), group), key));
}
