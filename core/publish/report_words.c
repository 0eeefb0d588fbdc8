#include "publish/report_words.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/yml.h"

/* map[key]: a non-empty text, copied to *out. */
static int text_at(char **out, yml_doc *d, yaml_node_t *map, const char *key, const char *where,
                   const char *path, char *err, size_t errcap)
{
    yaml_node_t *n = yml_get(d, map, key);
    const char *s = n ? yml_scalar(n) : NULL;
    if (!n)
        return yml_fail(err, errcap, path, map, "missing required key '%s' in %s", key, where);
    if (!s || !*s)
        return yml_fail(err, errcap, path, n, "'%s' in %s must be a non-empty text", key, where);
    return (*out = strdup(s)) ? 0 : KENES_ENOMEM;
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

static int parse(report_words *w, yml_doc *d, const char *path, char *err, size_t errcap)
{
    static const char *const kinds[] = {[KENES_REPORT_NATIONAL] = "national",
                                        [KENES_REPORT_REGION] = "region",
                                        [KENES_REPORT_CASES] = "cases"};
    yaml_node_t *root = yml_root(d), *reports, *index;
    if (!root || root->type != YAML_MAPPING_NODE)
        return yml_fail(err, errcap, path, root, "must be a mapping (reports, index, unavailable)");
    int rc = mapping_at(&reports, d, root, "reports", path, err, errcap);
    for (int k = KENES_REPORT_NATIONAL; rc == 0 && k <= KENES_REPORT_CASES; k++) {
        yaml_node_t *r;
        char where[32];
        snprintf(where, sizeof(where), "reports.%s", kinds[k]);
        if ((rc = mapping_at(&r, d, reports, kinds[k], path, err, errcap)) == 0)
            rc = text_at(&w->title[k], d, r, "title", where, path, err, errcap);
        /* A region's report is listed by the region's name. */
        if (rc == 0 && k != KENES_REPORT_REGION)
            rc = text_at(&w->link[k], d, r, "link", where, path, err, errcap);
    }
    if (rc == 0)
        rc = mapping_at(&index, d, root, "index", path, err, errcap);
    if (rc == 0)
        rc = text_at(&w->index_title, d, index, "title", "index", path, err, errcap);
    if (rc == 0)
        rc = text_at(&w->index_heading, d, index, "heading", "index", path, err, errcap);
    if (rc == 0)
        rc = text_at(&w->index_bundle, d, index, "bundle", "index", path, err, errcap);
    if (rc == 0)
        rc = text_at(&w->index_regions, d, index, "regions", "index", path, err, errcap);
    if (rc == 0)
        rc = text_at(&w->unavailable, d, root, "unavailable", "the file", path, err, errcap);
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
    for (int k = 0; k <= KENES_REPORT_CASES; k++) {
        free(w->title[k]);
        free(w->link[k]);
    }
    free(w->index_title);
    free(w->index_heading);
    free(w->index_bundle);
    free(w->index_regions);
    free(w->unavailable);
    memset(w, 0, sizeof(*w));
}
