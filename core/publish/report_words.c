#include "publish/report_words.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "base/yml.h"

const char *const report_lang_codes[REPORT_NLANGS] = {"ru", "kk", "en"};
const char *const report_lang_dirs[REPORT_NLANGS] = {"", "kk/", "en/"};

#define REPORT_PAGE_NAME(name) #name,
static const char *const page_names[REPORT_PAGE_NWORDS] = {REPORT_PAGE_WORDS(REPORT_PAGE_NAME)};

/* The word at offset in each language's report_lang_words. */
static char **slot(report_words *w, int lang, size_t offset)
{
    return (char **)((char *)&w->lang[lang] + offset);
}

/* map[key]: a mapping {ru, kk, en} of non-empty texts, copied into each
 * language's word at offset. */
static int words_at(report_words *w, size_t offset, yml_doc *d, yaml_node_t *map,
                    const char *key, const char *where, const char *path, char *err,
                    size_t errcap)
{
    yaml_node_t *n = yml_get(d, map, key);
    if (!n)
        return yml_fail(err, errcap, path, map, "missing required key '%s' in %s", key, where);
    if (n->type != YAML_MAPPING_NODE)
        return yml_fail(err, errcap, path, n,
                        "'%s' in %s must be a mapping {ru, kk, en} of non-empty texts", key,
                        where);
    for (int l = 0; l < REPORT_NLANGS; l++) {
        yaml_node_t *t = yml_get(d, n, report_lang_codes[l]);
        const char *s = t ? yml_scalar(t) : NULL;
        if (!s || !*s)
            return yml_fail(err, errcap, path, t ? t : n, "'%s' in %s needs a non-empty '%s'",
                            key, where, report_lang_codes[l]);
        if (!(*slot(w, l, offset) = strdup(s)))
            return KENES_ENOMEM;
    }
    return 0;
}

/* map[key]: a mapping. */
static int mapping_at(yaml_node_t **out, yml_doc *d, yaml_node_t *map, const char *key,
                      const char *path, char *err, size_t errcap)
{
    *out = yml_get(d, map, key);
    if (!*out)
        return yml_fail(err, errcap, path, map, "missing required key '%s'", key);
    if ((*out)->type != YAML_MAPPING_NODE)
        return yml_fail(err, errcap, path, *out, "'%s' must be a mapping", key);
    return 0;
}

#define AT(field) offsetof(report_lang_words, field)

/* exports: {name: {ru, kk, en}, ...} (optional: an older content folder
 * has none, and the exports then head their columns with the names). */
static int export_words(report_words *w, yml_doc *d, yaml_node_t *root, const char *path,
                        char *err, size_t errcap)
{
    for (int l = 0; l < REPORT_NLANGS; l++)
        if (!(w->lang[l].exports = json_object()))
            return KENES_ENOMEM;
    yaml_node_t *map = yml_get(d, root, "exports");
    if (!map)
        return 0;
    if (map->type != YAML_MAPPING_NODE)
        return yml_fail(err, errcap, path, map, "'exports' must be a mapping");
    size_t n;
    yaml_node_pair_t *pairs = yml_pairs(map, &n);
    for (size_t i = 0; i < n; i++) {
        const char *name = yml_scalar(yml_node(d, pairs[i].key));
        yaml_node_t *v = yml_node(d, pairs[i].value);
        if (!name || !v || v->type != YAML_MAPPING_NODE)
            return yml_fail(err, errcap, path, v ? v : map,
                            "each word in exports must be a mapping {ru, kk, en}");
        for (int l = 0; l < REPORT_NLANGS; l++) {
            yaml_node_t *t = yml_get(d, v, report_lang_codes[l]);
            const char *s = t ? yml_scalar(t) : NULL;
            if (!s || !*s)
                return yml_fail(err, errcap, path, t ? t : v,
                                "'%s' in exports needs a non-empty '%s'", name,
                                report_lang_codes[l]);
            if (json_object_set_new(w->lang[l].exports, name, json_string(s)) < 0)
                return KENES_ENOMEM;
        }
    }
    return 0;
}

const char *report_export_word(const report_words *w, int lang, const char *name)
{
    const char *s = lang >= 0 && lang < REPORT_NLANGS
                        ? json_string_value(json_object_get(w->lang[lang].exports, name))
                        : NULL;
    return s ? s : name;
}

static int parse(report_words *w, yml_doc *d, const char *path, char *err, size_t errcap)
{
    static const char *const kinds[] = {[KENES_REPORT_NATIONAL] = "national",
                                        [KENES_REPORT_REGION] = "region",
                                        [KENES_REPORT_CASES] = "cases"};
    yaml_node_t *root = yml_root(d), *reports, *index, *page;
    if (!root || root->type != YAML_MAPPING_NODE)
        return yml_fail(err, errcap, path, root,
                        "must be a mapping (reports, index, language, unavailable, page)");
    int rc = mapping_at(&reports, d, root, "reports", path, err, errcap);
    for (int k = KENES_REPORT_NATIONAL; rc == 0 && k <= KENES_REPORT_CASES; k++) {
        yaml_node_t *r;
        char where[32];
        snprintf(where, sizeof(where), "reports.%s", kinds[k]);
        if ((rc = mapping_at(&r, d, reports, kinds[k], path, err, errcap)) == 0)
            rc = words_at(w, AT(title) + (size_t)k * sizeof(char *), d, r, "title", where, path,
                          err, errcap);
        /* A region's report is listed by the region's name. */
        if (rc == 0 && k != KENES_REPORT_REGION)
            rc = words_at(w, AT(link) + (size_t)k * sizeof(char *), d, r, "link", where, path,
                          err, errcap);
    }
    if (rc == 0)
        rc = mapping_at(&index, d, root, "index", path, err, errcap);
    static const struct {
        const char *key;
        size_t at;
    } index_words[] = {{"title", AT(index_title)},
                       {"heading", AT(index_heading)},
                       {"bundle", AT(index_bundle)},
                       {"regions", AT(index_regions)},
                       {"languages", AT(index_languages)}};
    for (size_t i = 0; rc == 0 && i < sizeof(index_words) / sizeof(index_words[0]); i++)
        rc = words_at(w, index_words[i].at, d, index, index_words[i].key, "index", path, err,
                      errcap);
    if (rc == 0)
        rc = words_at(w, AT(language), d, root, "language", "the file", path, err, errcap);
    if (rc == 0)
        rc = words_at(w, AT(unavailable), d, root, "unavailable", "the file", path, err, errcap);
    if (rc == 0)
        rc = mapping_at(&page, d, root, "page", path, err, errcap);
    for (int i = 0; rc == 0 && i < REPORT_PAGE_NWORDS; i++)
        rc = words_at(w, AT(page) + (size_t)i * sizeof(char *), d, page, page_names[i], "page",
                      path, err, errcap);
    if (rc == 0)
        rc = export_words(w, d, root, path, err, errcap);
    return rc;
}

int report_words_load(report_words *w, const char *path, char *err, size_t errcap)
{
    yml_doc d;
    memset(w, 0, sizeof(*w));
    int rc = yml_load_file(&d, path, err, errcap);
    if (rc < 0)
        return rc;
    rc = parse(w, &d, path, err, errcap);
    yml_dispose(&d);
    if (rc == KENES_ENOMEM && err && errcap)
        snprintf(err, errcap, "%s:0: out of memory", path);
    return rc;
}

void report_words_dispose(report_words *w)
{
    for (int l = 0; l < REPORT_NLANGS; l++) {
        report_lang_words *lw = &w->lang[l];
        for (int k = 0; k <= KENES_REPORT_CASES; k++) {
            free(lw->title[k]);
            free(lw->link[k]);
        }
        for (int i = 0; i < REPORT_PAGE_NWORDS; i++)
            free(lw->page[i]);
        free(lw->index_title);
        free(lw->index_heading);
        free(lw->index_bundle);
        free(lw->index_regions);
        free(lw->index_languages);
        free(lw->language);
        free(lw->unavailable);
        json_decref(lw->exports);
    }
    memset(w, 0, sizeof(*w));
}

static int put_escaped(util_buf *b, const char *s)
{
    for (; s && *s; s++) {
        const char *e = *s == '&' ? "&amp;" : *s == '<' ? "&lt;" : *s == '>' ? "&gt;"
                      : *s == '"' ? "&quot;" : *s == '\'' ? "&#39;" : NULL;
        if (e ? util_buf_puts(b, e) < 0 : util_buf_append(b, s, 1) < 0)
            return KENES_ENOMEM;
    }
    return 0;
}

char *report_words_page(const report_words *w, int lang, const char *tmpl)
{
    util_buf b;
    util_buf_init(&b);
    int bad = 0;
    for (const char *p = tmpl; !bad && p && *p;) {
        const char *open = strstr(p, "{{");
        if (!open) {
            bad = util_buf_puts(&b, p) < 0;
            break;
        }
        bad = util_buf_append(&b, p, (size_t)(open - p)) < 0;
        p = open + 2;
        if (strncmp(p, "lang}}", 6) == 0) {
            bad = bad || util_buf_puts(&b, report_lang_codes[lang]) < 0;
            p += 6;
            continue;
        }
        if (strncmp(p, "dir}}", 5) == 0) {
            bad = bad || util_buf_puts(&b, report_lang_dirs[lang]) < 0;
            p += 5;
            continue;
        }
        int found = -1;
        for (int i = 0; i < REPORT_PAGE_NWORDS && strncmp(p, "page.", 5) == 0; i++) {
            size_t n = strlen(page_names[i]);
            if (strncmp(p + 5, page_names[i], n) == 0 && strncmp(p + 5 + n, "}}", 2) == 0) {
                found = i;
                p += 5 + n + 2;
                break;
            }
        }
        if (found >= 0)
            bad = bad || put_escaped(&b, w->lang[lang].page[found]) < 0;
        else
            bad = bad || util_buf_puts(&b, "{{") < 0; /* render_page's */
    }
    char *out = bad ? NULL : util_buf_detach(&b, NULL);
    if (!out)
        util_buf_dispose(&b);
    return out;
}
