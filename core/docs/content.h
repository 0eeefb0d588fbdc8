/*
 * The lists content/ holds for plugins (api->content): the national
 * concept's items (concept.yaml), the agencies a case's measure may be
 * referred to in each region (agencies.yaml).  Read once at start, like the
 * orders; the plugin that uses a list checks its shape, since only it knows
 * what the list means.
 */
#ifndef KENES_DOCS_CONTENT_H
#define KENES_DOCS_CONTENT_H

#include <jansson.h>
#include <stddef.h>

/* The lists api->content answers: content/<name>.yaml for each. */
extern const char *const content_lists[];

/* Read each of content_lists in content_dir into *out ({name: list}); a
 * missing file is left out, a file that does not parse is KENES_EINVAL with
 * "file: line N: why" in err. */
int content_load(json_t **out, const char *content_dir, char *err, size_t errcap);

/* The list called name in lists (a kapi_content_fn; payload: the object
 * content_load made), or NULL. */
const json_t *content_kapi(const void *payload, const char *name);

/* 1 if agencies.<region>[] in lists holds an agency of this code; 0 also
 * when content/agencies.yaml is absent.  An auth_agency_fn when payload is
 * the lists (content_agency_fn). */
int content_agency_known(const json_t *lists, const char *region, const char *code);
int content_agency_fn(const char *region, const char *code, void *lists);

#endif
