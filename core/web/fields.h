/*
 * A document's fields as readable tables, for the document page and the
 * public page (one module, so both read the same).  The
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
 * object) under schema (NULL: none).  skip: names of top-level fields the
 * page shows elsewhere (the public page's record: its approving act),
 * NULL-terminated, may be NULL.  words: the page's words (t.pages: "yes",
 * "no", "none", "quarter"), NULL-tolerant.  0, or KENES_ENOMEM.
 */
int web_fields_view(json_t **out, const json_t *schema, const json_t *fields,
                    const char *const *skip, ui_lang lang, const json_t *words);

/* What a ref's value (the id of a document of type `to`) reads as on the
 * page: a new {"text", "href"} cell, or NULL for the bare id (a reader who
 * may not read that document). */
typedef json_t *(*web_ref_fn)(const char *to, const char *id, void *arg);

/* web_fields_view, each ref's value as ref says (NULL: the bare id).  A
 * cell or pair may then have "href" beside its "text". */
int web_fields_view_refs(json_t **out, const json_t *schema, const json_t *fields,
                         const char *const *skip, ui_lang lang, const json_t *words,
                         web_ref_fn ref, void *arg);

/* A number as people in lang write it: "12 500 000" (ru, kk: no-break
 * spaces, a decimal comma), "12,500,000" (en).  out: cap bytes. */
void web_format_number(char *out, size_t cap, double v, int integral, ui_lang lang);

/* pattern with each "{name}" (names[0..n)) replaced by its value: a new
 * string ("{given} из {needed}" -> "1 из 2"; word order is the
 * language's). */
char *web_fill(const char *pattern, const char *const *names, const long *values, size_t n);
/* The same with text values ("{type} № {number}, {date}"). */
char *web_fill_text(const char *pattern, const char *const *names, const char *const *texts,
                    size_t n);

#endif
