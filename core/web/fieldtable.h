/*
 * A document's fields as a reader sees them: lists of rows as tables (a
 * plan's measures, grouped by direction where the schema says group_by),
 * the other fields as label–value lines, every value in words (an enum's
 * label, a date as people write it, numbers grouped).  The template cannot
 * recurse, so the nesting is flattened here: a group's fields become
 * columns "Funding: amount", a list of texts one cell.
 *
 * From the type's schema (docs_schema) when it declares one; without one,
 * a generic view of the JSON under its keys.
 */
#ifndef KENES_WEB_FIELDTABLE_H
#define KENES_WEB_FIELDTABLE_H

#include <jansson.h>

#include "ui/lang.h"

/* Words the formatting needs, in the reader's language. */
typedef struct fieldtable_words {
    ui_lang lang;
    const char *yes, *no;
    const char *quarter; /* "{q}-й квартал {y} г.": {q} and {y} replaced */
} fieldtable_words;

/*
 * *out: {"tables": [{"label", "groups": [{"label", "columns": [..],
 * "rows": [{"cells": [..]}]}]}], "facts": [{"label", "text"}]} (new
 * reference).  schema: docs_schema's JSON or NULL; skip: names of top-level
 * fields shown elsewhere (NULL-terminated, may be NULL).  0 or KENES_ENOMEM.
 */
int fieldtable_build(json_t **out, const json_t *schema, const json_t *fields,
                     const char *const *skip, const fieldtable_words *w);

/* A value formatted as the schema field f says (f may be NULL: plain);
 * malloc'd. */
char *fieldtable_text(const json_t *f, const json_t *v, const fieldtable_words *w);

#endif
