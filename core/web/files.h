/*
 * A document's files as its pages show them (files.c).
 */
#ifndef KENES_WEB_FILES_H
#define KENES_WEB_FILES_H

#include <jansson.h>

#include "web/call.h"

/* The model of the files section: {"list": [{"id","name","href","type",
 * "size","added","remove"}], "done" after a change, and when may_change, "attach_href",
 * "detach_href", "limit" (the largest file, in words), "full" (no more may
 * be added)}.  base: the download's page ("/ui/d/<id>", "/public/<id>");
 * version: the version the links name, or NULL for the current one. */
json_t *web_files_view(web_call *c, const idx_doc *d, const json_t *doc, const char *base,
                       const char *version, int may_change);

#endif
