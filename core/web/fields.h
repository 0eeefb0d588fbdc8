/*
 * A document's fields as readable tables, for the document page.  The
 * template reader cannot recurse, so the nesting (lists of rows, groups
 * inside rows, lists inside cells) is flattened here into sections the
 * template walks in two or three plain loops:
 *
 *   [{"heading": "Меры" or absent, "pairs": [{"label","text","list":[..]}]}  -- label: value
 *    {"heading", "groups": [{"heading": "Безопасность" or absent,
 *                            "columns": ["Мера", ...],
 *                            "rows": [{"cells": [{"text","list":[..]}]}]}]}]
 *
 * A cell or a pair has either "text" or "list" (strings), never both.
 * With the type's schema (docs_schema's JSON, core/plugin/schema.h's
 * shape): labels in the reader's language, enum values as their labels,
 * dates as people read them, numbers with thousands separators, lists as
 * lists, rows of a list with group_by grouped under that enum's labels.
 * Without one: each field under its own key, values as they are.
 */
#ifndef KENES_WEB_FIELDS_H
#define KENES_WEB_FIELDS_H

#include <jansson.h>

#include "ui/lang.h"

/*
 * *out: a new array of sections for fields (the document's "fields"
 * object) under schema (NULL: none).  words: the page's words
 * (t.pages: "yes", "no", "none", "quarter"), NULL-tolerant.  0, or
 * KENES_ENOMEM.
 */
int web_fields_view(json_t **out, const json_t *schema, const json_t *fields, ui_lang lang,
                    const json_t *words);

/* A number as people in lang write it: "12 500 000" (ru, kk: no-break
 * spaces, a decimal comma), "12,500,000" (en).  out: cap bytes. */
void web_format_number(char *out, size_t cap, double v, int integral, ui_lang lang);

/* pattern with each "{name}" (names[0..n)) replaced by its value: a new
 * string ("{given} из {needed}" -> "1 из 2"; word order is the
 * language's). */
char *web_fill(const char *pattern, const char *const *names, const long *values, size_t n);

#endif
