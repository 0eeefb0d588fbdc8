/*
 * Schema key choices_from {ref, list, label} (core/plugin/schema.c): an
 * integer numbering an item of a list in the document a top-level ref
 * names (an execution report's row naming a measure of its plan).  The form
 * offers the items by number and label (form.c); the document page shows
 * a number with its item's label ("3. Школьные психологи", doc.c).
 */
#ifndef KENES_WEB_CHOICES_H
#define KENES_WEB_CHOICES_H

#include <jansson.h>

#include "web/call.h"

/* The items of the list `from` names in document id, as the user may read
 * it: its version in force when it has one (the numbers are those of the
 * plan in force), else its latest; with no one signed in (c->user NULL,
 * the public page), only its version in force.  Borrowed from the index;
 * NULL when id is NULL, unreadable, confidential or has no such list. */
const json_t *web_choice_items(web_call *c, const char *id, const json_t *from);

/* "3. <label of item 3>" into out (cap bytes), or just "3" when items has
 * no such item or it has no label. */
void web_choice_text(char *out, size_t cap, const json_t *items, const json_t *from, size_t n);

/* fields (a document's, not changed) with each choices_from number replaced
 * by its web_choice_text, at any depth: what the document page shows.
 * id: that document's id; written: the commit of it that wrote fields
 * (docs_written), or NULL; when the list they number came into force after
 * it, the numbers stay bare (the rows were written against an earlier
 * edition).  A new reference (a copy), or fields itself increfed when
 * nothing names any. */
json_t *web_choices_named(web_call *c, const json_t *schema, const json_t *fields,
                          const char *id, const char *written);

#endif
