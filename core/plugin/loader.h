/*
 * The plugin loader: uv_dlopen each .so, call its kenes_plugin_init with
 * the core's api table, and refuse (with the file and the reason) a plugin
 * built for another ABI, one without the init symbol, one whose init fails,
 * or one whose name, document type or guard name is already taken.  A
 * refused plugin is unloaded and leaves nothing registered.
 */
#ifndef KENES_PLUGIN_LOADER_H
#define KENES_PLUGIN_LOADER_H

#include <stddef.h>

#include <jansson.h>

#include "kenes/plugin.h"

typedef struct plugin_set plugin_set;

int plugin_set_new(plugin_set **out, const kenes_api *api);
/* Unloads every plugin (calling fini first).  NULL is a no-op. */
void plugin_set_free(plugin_set *set);

/* On failure returns a negative KENES_E* code and writes "path: reason" to err. */
int plugin_load(plugin_set *set, const char *path, char *err, size_t errcap);
/* Load every *.so in dir, sorted by name; stops at the first failure. */
int plugin_load_dir(plugin_set *set, const char *dir, char *err, size_t errcap);

size_t plugin_count(const plugin_set *set);
const kenes_plugin *plugin_at(const plugin_set *set, size_t i);
const kenes_doctype *plugin_find_type(const plugin_set *set, const char *type);
/* Type's schema as the core keeps it (plugin/schema.h), borrowed for as
 * long as the set; NULL for an unknown type or one that declares none. */
const json_t *plugin_schema(const plugin_set *set, const char *type);
const kenes_guard *plugin_find_guard(const plugin_set *set, const char *name);
/* Fill each schema's values_from enums from lists, the content/ lists by
 * name (schema_fill_values): once content is loaded, before anyone reads a
 * schema.  0, or KENES_EPLUGIN with "path: plugin p: type t: field ..." in err. */
int plugin_set_fill_values(plugin_set *set, const json_t *lists, char *err, size_t errcap);

#endif
