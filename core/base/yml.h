/*
 * Reading small YAML files (kenes.yaml, users.yaml, regions, workflows)
 * through libyaml's document API, with line numbers for error messages.
 */
#ifndef KENES_YML_H
#define KENES_YML_H

#include <stdarg.h>
#include <stddef.h>
#include <yaml.h>

typedef struct yml_doc {
    yaml_document_t doc;
    char *file; /* for messages */
    int loaded;
} yml_doc;

/* Load the first document of a file.  On failure writes "file:line: why" to err. */
int yml_load_file(yml_doc *out, const char *path, char *err, size_t errcap);
/* yml_load_file for a file that may be absent (kenes.yaml, users.yaml): its
 * absence is no error but *found 0, with nothing loaded to dispose. */
int yml_load_optional(yml_doc *out, int *found, const char *path, char *err, size_t errcap);
int yml_load_string(yml_doc *out, const char *name, const char *text, size_t len, char *err,
                    size_t errcap);
void yml_dispose(yml_doc *d);

yaml_node_t *yml_root(yml_doc *d);
/* 1-based line where the node starts. */
int yml_line(const yaml_node_t *n);
/* Value of key in a mapping node, or NULL (also NULL if n is not a mapping). */
yaml_node_t *yml_get(yml_doc *d, yaml_node_t *map, const char *key);
/* The scalar's text, or NULL if n is not a scalar. */
const char *yml_scalar(const yaml_node_t *n);
/* The scalar as a whole number written in digits alone (no sign, space or
 * suffix) into *out: 0, or KENES_EINVAL (strtoull would take "-5" for
 * 2^64 - 5). */
int yml_whole(const yaml_node_t *n, unsigned long long *out);
/* Items of a sequence: *count set; NULL if n is not a sequence. */
yaml_node_item_t *yml_items(yaml_node_t *n, size_t *count);
yaml_node_t *yml_node(yml_doc *d, yaml_node_item_t id);

/* Write "file:line: message" for node n (line 1 if n is NULL) to err; returns KENES_EINVAL. */
int yml_fail(char *err, size_t errcap, const char *file, const yaml_node_t *n, const char *fmt,
             ...) __attribute__((format(printf, 5, 6)));
int yml_vfail(char *err, size_t errcap, const char *file, const yaml_node_t *n, const char *fmt,
              va_list ap);

/* Iterate a mapping: for (yaml_node_pair_t *p = yml_pairs(n, &k); k--; p++) */
yaml_node_pair_t *yml_pairs(yaml_node_t *n, size_t *count);

#endif
