/*
 * kenes.yaml's mirrors: key, read by config_load (config_mirror.c).
 */
#ifndef KENES_CONFIG_MIRROR_H
#define KENES_CONFIG_MIRROR_H

#include "base/config.h"
#include "base/yml.h"

/* The mirrors: node (NULL: none) into c->mirrors; c->data_dir must be set.
 * On failure "file:line: why" in err. */
int config_mirrors_load(config *c, yml_doc *y, yaml_node_t *mirrors, char *err, size_t errcap);
void config_mirrors_dispose(config *c);

#endif
