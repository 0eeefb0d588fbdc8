/*
 * A document type's field schema: the YAML text its plugin declares
 * (kenes_doctype.schema), checked and turned into the JSON the core keeps
 * and the web interface reads (/work/notes/schema13.md, README "Workflows
 * and plugins"):
 *
 *   {"type": "regional-plan",
 *    "fields": [{"name", "path", "kind", "required", "label": {ru, kk, en},
 *                optional "hint", "min", "max", "max_length", "min_items",
 *                "group_by", "item_label", "values": [{"value", "label"}],
 *                "fields" (group, list of objects), "of" (list of scalars),
 *                "hidden_in_form", "confidential", "to" (kind ref),
 *                "values_from" (an enum whose values come from content/),
 *                "choices_from" {ref, list, label} (an integer numbering an
 *                item of a list in the document a ref names)}, ...]}
 *
 * "path" of a top-level field is "fields.<name>"; inside a list row it is
 * relative to the row ("title", "funding.amount_kzt"); inside a group it
 * continues the group's path.
 */
#ifndef KENES_PLUGIN_SCHEMA_H
#define KENES_PLUGIN_SCHEMA_H

#include <jansson.h>
#include <stddef.h>

/* Parse and check text, the schema of document type `type`, into *out (a
 * new reference).  0; KENES_EINVAL with "schema line N: why" in err (a
 * schema that breaks a rule, or is not YAML); KENES_ENOMEM. */
int schema_parse(json_t **out, const char *type, const char *text, char *err, size_t errcap);

/* Kind "ref" (a text value: the id of a document of type `to`): whether
 * each ref's `to` is a type known(type, payload) says 1 for; checked once
 * every plugin is loaded, since a ref may name a later plugin's type.  0,
 * or KENES_EINVAL with "field fields.agenda[].case: to: ..." in err. */
int schema_check_refs(const json_t *schema, int (*known)(const char *type, void *payload),
                      void *payload, char *err, size_t errcap);

/* Kind "enum" with values_from {content, list, value, label}: its values
 * become the items of lists.<content>.<list> (the content/ lists the core
 * loaded, an object by name: core/docs/content.c), each {value: item's
 * <value>, label: item's <label>, {ru, kk, en} or one text}.  0, or
 * KENES_EINVAL with "field fields.measures[].concept_item: values_from:
 * content/concept.yaml ..." in err (no such list, an item without a value
 * or a label, a value twice). */
int schema_fill_values(json_t *schema, const json_t *lists, char *err, size_t errcap);
/* The field called name in a schema's "fields" array (borrowed), or NULL:
 * the forms' lookup and the exports' headers (schema_values.c). */
const json_t *schema_field_named(const json_t *fields, const char *name);

#endif
