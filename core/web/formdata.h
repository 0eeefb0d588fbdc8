/*
 * A posted form and a document's fields, both ways, guided by the type's
 * schema (docs_schema; the shape is /work/notes/schema13.md's): inputs are
 * named by their JSON path ("fields.period", "fields.measures[0].title",
 * "fields.measures[0].co_executors[1]").  Only the paths the schema
 * declares are read, so any other name a form carries (a made-up field,
 * "fields.__proto__") is never looked at.  Pure: no loop, no I/O.
 *
 * Rows of a list are read in the order of their numbers and renumbered
 * 0, 1, 2...: a form whose rows were removed has gaps, and the document has
 * none.  A row number is at most FORM_MAX_ROWS - 1, so no form can ask for a
 * million rows; a list's "add a row" stops at FORM_MAX_ROWS rows.
 */
#ifndef KENES_WEB_FORMDATA_H
#define KENES_WEB_FORMDATA_H

#include <jansson.h>

#define FORM_MAX_ROWS 200

/* The inputs a posted form may carry: a plan's measure has a dozen, so
 * this is some 150 measures, more than any plan has; more is refused (413) before any is
 * read, since reading and redrawing them holds the loop (issue 13, F4). */
#define FORM_MAX_INPUTS 2000

enum {
    FORM_DROP_BLANK = 0, /* a document to write: empty inputs and empty rows left out */
    FORM_KEEP_BLANK = 1  /* a form to show again: every posted input and row kept */
};

/*
 * The "fields" object a form describes (*out, new reference), from form
 * ({name: value}, web_form's) and schema ({"fields":[...]}; NULL: no
 * fields, *out is {}).  Integers and numbers are parsed when they parse
 * ("12 500 000", "2,5") and kept as the text typed otherwise, so the
 * validator reports them; hidden_in_form fields are not read.  A list with
 * min_items 0 that has no input posted is [] (its key is required).
 * 0; KENES_EINVAL for a row number that is no number ("[x]", "[01]");
 * KENES_ETOOBIG for one at or past FORM_MAX_ROWS; KENES_ENOMEM.
 */
int formdata_fields(json_t **out, const json_t *schema, const json_t *form, int mode);

/* The form's "_add" (the path of a list: "fields.measures",
 * "fields.measures[0].co_executors"): a blank row at its end, with the
 * rows of its own lists (formdata_fill_rows).  0; KENES_ENOTFOUND when
 * the schema declares no such list or its parent row is not in fields;
 * KENES_ETOOBIG when the list holds FORM_MAX_ROWS rows already. */
int formdata_add_row(json_t *fields, const json_t *schema, const char *path);

/* The form's "_remove" (the path of a row: "fields.measures[2]"): that
 * row out of its list.  0; KENES_ENOTFOUND when there is no such row. */
int formdata_remove_row(json_t *fields, const json_t *schema, const char *path);

/* The rows a form shows.  FORM_ROWS_NEW (a new form, or a document opened
 * for editing): every list in fields, and in each row, given as many blank
 * rows as it needs to be filled in: its min_items, and at least one.
 * FORM_ROWS_AS_POSTED (a form shown again): only the groups and lists
 * nothing was posted for, made empty, so that a removed row stays removed.
 * FORM_ROWS_REFUSED (a form shown again after a refused save, from the
 * fields sent, whose blank rows were left out): filled as FORM_ROWS_NEW, so
 * that a plan's four blank measures come back four and each row's lists
 * have their first input. */
enum { FORM_ROWS_NEW = 0, FORM_ROWS_AS_POSTED = 1, FORM_ROWS_REFUSED = 2 };
void formdata_fill_rows(json_t *fields, const json_t *schema, int rows);

/* The text an input shows for a value (a string, a number, true/false; ""
 * for anything else), as a new JSON string. */
json_t *formdata_value_text(const json_t *v);

/* A schema of only the top-level fields names[0..n) of schema, in that
 * order, each shown even where schema hides it (hidden_in_form: a field a
 * transition records, which only that transition's act form asks for): a
 * new {"fields": [...]} for formdata_fields and formview_fields, or NULL
 * (no memory).  A name schema does not declare is left out. */
json_t *formdata_only(const json_t *schema, char *const *names, size_t n);

/* The field the schema declares by name in a list of fields, or NULL. */
const json_t *formdata_field(const json_t *fields, const char *name);

#endif
