/*
 * A form's inputs as a flat list the template iterates (form.html): the
 * template language cannot recurse, so the schema's groups and lists, with
 * the values they hold, become items in order:
 *
 *   {"open":true, "id","legend","required","row","hint","errors",...}   <fieldset><legend>
 *   {"input":true, "name","id","label","value", one of "text"/"textarea"/
 *    "select"/"date": true, "options","required","hint","errors","invalid",
 *    "describedby","inputmode","maxlength","remove"}                    an input
 *    (an optional boolean is a "checkbox" with "checked": unticked sends
 *    nothing, which is false; a required one stays a yes/no select)
 *   {"close":true, "add","add_label","remove","remove_label"}          </fieldset>
 *
 * Every input is named by its JSON path and has the id formview_id gives
 * it.  errors: [{"path","text"}] (the validator's, in the user's words):
 * an error at an input's path is shown beside it (aria-invalid,
 * aria-describedby), one at a group's or a list's path at its fieldset;
 * each error shown gets "href": "#<id>" for the summary's link.
 */
#ifndef KENES_WEB_FORMVIEW_H
#define KENES_WEB_FORMVIEW_H

#include <jansson.h>
#include <stddef.h>

/* The items a form's page may hold: a redraw past it is refused (413)
 * rather than made, since making it holds the loop (issue 13, F4). */
#define FORMVIEW_MAX_ITEMS 6000

/* The words a form needs besides the schema's, in the user's language. */
typedef struct formview_words {
    const char *lang;         /* "ru", "kk", "en": which of the schema's labels */
    const char *add_row;      /* "Добавить" */
    const char *remove_row;   /* "Удалить" */
    const char *choose;       /* a select's empty choice */
    const char *yes, *no;     /* a boolean's choices */
    const char *quarter_hint; /* date_or_quarter's hint when the schema gives none */
    /* A ref's choices by the type it names, {type: [{"value","label"}]}: the
     * documents of that type the user may read (form.c); may be NULL. */
    const json_t *refs;
    /* The words a field's `suggest` offers, by the field's schema path
     * ({"attendance": ["Серикова Айжан Маратовна", ...]}, form.c); may be
     * NULL.  Its inputs name the datalist "s-<path>" (form.html lists them). */
    const json_t *suggest;
    /* A choices_from field's options by its schema path ({"measure": [{"value":
     * "1", "label": "1. Службы примирения"}, ...]}, form.c); may be NULL.  A
     * field with options is a select, else the number input it was. */
    const json_t *choices;
} formview_words;

/* The element id of the input or fieldset at path ("fields.measures[0].title"
 * -> "f-fields-measures-0-title"). */
void formview_id(char *out, size_t cap, const char *path);

/* A label in the user's language from a {ru, kk, en} object, or NULL. */
const char *formview_label(const json_t *labels, const char *lang);

/* One input: kind is a schema kind ("text", "textarea", "enum", ...);
 * value: the value shown (may be NULL); options [{"value","label"}] for a
 * select (enum; NULL otherwise).  Appended to items; errors as above. */
void formview_input(json_t *items, json_t *errors, const formview_words *w, const char *path,
                    const char *kind, const char *label, int required, const char *hint,
                    const json_t *value, const json_t *options);

/* The inputs of every field the schema declares (those hidden_in_form
 * left out), holding values (a fields object; lists should have their rows:
 * formdata_fill_rows).  0 or KENES_ETOOBIG (a path past its cap, or more
 * than FORMVIEW_MAX_ITEMS items). */
int formview_fields(json_t *items, json_t *errors, const formview_words *w, const json_t *schema,
                    const json_t *values);

#endif
