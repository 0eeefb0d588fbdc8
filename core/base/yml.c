#include "base/yml.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kenes/plugin.h"
#include "base/util.h"

int yml_load_string(yml_doc *out, const char *name, const char *text, size_t len, char *err,
                    size_t errcap)
{
    yaml_parser_t p;
    memset(out, 0, sizeof(*out));
    if (!yaml_parser_initialize(&p))
        return KENES_ENOMEM;
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    int ok = yaml_parser_load(&p, &out->doc);
    if (!ok) {
        snprintf(err, errcap, "%s:%zu: %s", name, p.problem_mark.line + 1,
                 p.problem ? p.problem : "invalid YAML");
        yaml_parser_delete(&p);
        return KENES_EINVAL;
    }
    yaml_parser_delete(&p);
    out->loaded = 1;
    out->file = strdup(name);
    if (!yaml_document_get_root_node(&out->doc)) {
        snprintf(err, errcap, "%s:1: the file is empty", name);
        yml_dispose(out);
        return KENES_EINVAL;
    }
    return 0;
}

int yml_load_file(yml_doc *out, const char *path, char *err, size_t errcap)
{
    char *text;
    size_t len;
    memset(out, 0, sizeof(*out));
    if (util_read_file(&text, &len, path) < 0) {
        snprintf(err, errcap, "%s:0: cannot read the file", path);
        return KENES_EIO;
    }
    int rc = yml_load_string(out, path, text, len, err, errcap);
    free(text);
    return rc;
}

int yml_load_optional(yml_doc *out, int *found, const char *path, char *err, size_t errcap)
{
    memset(out, 0, sizeof(*out));
    *found = access(path, F_OK) == 0;
    return *found ? yml_load_file(out, path, err, errcap) : 0;
}

void yml_dispose(yml_doc *d)
{
    if (d->loaded)
        yaml_document_delete(&d->doc);
    free(d->file);
    memset(d, 0, sizeof(*d));
}

yaml_node_t *yml_root(yml_doc *d)
{
    return yaml_document_get_root_node(&d->doc);
}

int yml_line(const yaml_node_t *n)
{
    return n ? (int)n->start_mark.line + 1 : 0;
}

yaml_node_t *yml_node(yml_doc *d, yaml_node_item_t id)
{
    return yaml_document_get_node(&d->doc, id);
}

yaml_node_t *yml_get(yml_doc *d, yaml_node_t *map, const char *key)
{
    size_t n;
    yaml_node_pair_t *p = yml_pairs(map, &n);
    for (; p && n--; p++) {
        const char *k = yml_scalar(yml_node(d, p->key));
        if (k && strcmp(k, key) == 0)
            return yml_node(d, p->value);
    }
    return NULL;
}

const char *yml_scalar(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

int yml_whole(const yaml_node_t *n, unsigned long long *out)
{
    const char *s = yml_scalar(n);
    char *end;
    if (!s || *s < '0' || *s > '9')
        return KENES_EINVAL;
    *out = strtoull(s, &end, 10);
    return *end ? KENES_EINVAL : 0;
}

yaml_node_item_t *yml_items(yaml_node_t *n, size_t *count)
{
    if (!n || n->type != YAML_SEQUENCE_NODE) {
        *count = 0;
        return NULL;
    }
    *count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    return n->data.sequence.items.start;
}

yaml_node_pair_t *yml_pairs(yaml_node_t *n, size_t *count)
{
    if (!n || n->type != YAML_MAPPING_NODE) {
        *count = 0;
        return NULL;
    }
    *count = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
    return n->data.mapping.pairs.start;
}

int yml_vfail(char *err, size_t errcap, const char *file, const yaml_node_t *n, const char *fmt,
              va_list ap)
{
    char msg[512];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    if (err && errcap)
        snprintf(err, errcap, "%s:%d: %s", file, n ? yml_line(n) : 1, msg);
    return KENES_EINVAL;
}

int yml_fail(char *err, size_t errcap, const char *file, const yaml_node_t *n, const char *fmt,
             ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = yml_vfail(err, errcap, file, n, fmt, ap);
    va_end(ap);
    return rc;
}
