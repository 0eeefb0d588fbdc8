/*
 * An agency named by its code in a document's fields (a referral's
 * fields.agency, the workflow's agency_field) reads on the pages as the
 * agency's name in the reader's language, and is picked in a form from the
 * region's list (content/agencies.yaml), never typed as a Latin code.
 */
#ifndef KENES_WEB_AGENCIES_H
#define KENES_WEB_AGENCIES_H

#include <jansson.h>

#include "web/call.h"

/* schema, with the field at type's workflow's agency_field made a choice
 * (kind enum) of the agencies of region (NULL: of every region), each
 * labelled with its names: what a form offers and a page shows.  schema
 * itself when the type has no agency_field or there is no list.  A new
 * reference (NULL for a NULL schema). */
json_t *web_schema_agencies(const web_call *c, const char *type, const json_t *schema,
                            const char *region);

/* The name in the reader's language of region's agency code, or NULL
 * when content/agencies.yaml has no such agency there. */
const char *web_agency_name(const web_call *c, const char *region, const char *code);

#endif
