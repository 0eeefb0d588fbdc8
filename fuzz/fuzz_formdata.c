/*
 * A posted form -> a document's fields, and the rows a form adds and
 * removes (web/formdata.h), then the inputs it shows (web/formview.h).  The
 * input is a form as lines "name=value" against a fixed schema
 * (tests/unit/form_schema.h); "_add=" and "_remove=" lines are the row
 * buttons.  Any form is read or refused as promised, without a fault, and
 * no list of what it makes holds more than FORM_MAX_ROWS rows.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kenes/plugin.h"
#include "web/formdata.h"
#include "web/formview.h"

#include "../tests/unit/form_schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 1 if every list in v holds at most FORM_MAX_ROWS items. */
static int rows_bounded(const json_t *v)
{
    size_t i;
    const char *k;
    json_t *x;
    if (json_is_array(v)) {
        if (json_array_size(v) > FORM_MAX_ROWS)
            return 0;
        json_array_foreach(v, i, x) if (!rows_bounded(x)) return 0;
    } else if (json_is_object(v)) {
        json_object_foreach((json_t *)v, k, x) if (!rows_bounded(x)) return 0;
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static json_t *schema;
    if (!schema && !(schema = json_loads(schema_text, 0, NULL)))
        abort();
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    json_t *form = json_object();
    for (char *line = text, *next; line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        char *eq = strchr(line, '=');
        if (eq) {
            *eq = '\0';
            json_object_set_new(form, line, json_string(eq + 1)); /* NULL for bad UTF-8 */
        }
    }
    free(text);

    for (int mode = FORM_DROP_BLANK; mode <= FORM_KEEP_BLANK; mode++) {
        json_t *fields;
        int rc = formdata_fields(&fields, schema, form, mode);
        if (rc < 0) {
            if (fields || (rc != KENES_EINVAL && rc != KENES_ETOOBIG && rc != KENES_ENOMEM))
                abort();
            continue;
        }
        const char *add = json_string_value(json_object_get(form, "_add"));
        const char *remove = json_string_value(json_object_get(form, "_remove"));
        for (int i = 0; add && i < 3; i++)
            formdata_add_row(fields, schema, add);
        if (remove)
            formdata_remove_row(fields, schema, remove);
        formdata_fill_rows(fields, schema, mode == FORM_KEEP_BLANK ? FORM_ROWS_AS_POSTED
                                                                  : FORM_ROWS_NEW);
        if (!rows_bounded(fields))
            abort();
        formview_words w = {"kk", "+", "-", "?", "y", "n", "q", NULL, NULL, NULL};
        json_t *items = json_array();
        json_t *errors = json_pack("[{s:s, s:s}, {s:s, s:s}]", "path",
                                   remove ? remove : "fields.period", "text", "x", "path",
                                   add ? add : "fields.measures", "text", "y");
        rc = formview_fields(items, errors, &w, schema, fields);
        if (rc < 0 && rc != KENES_ETOOBIG)
            abort();
        json_decref(items);
        json_decref(errors);
        json_decref(fields);
    }
    json_decref(form);
    return 0;
}
