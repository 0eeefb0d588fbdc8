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

/* Why the document service refused a change of files, as a page says it:
 * the status (413 too big, 415 not PDF/PNG/JPEG or not what it says, 409
 * stale, 403, else 422) and *alert the sentence in the reader's language,
 * NULL when the refusal is an error page's to say. */
int web_files_refusal(const char **alert, const web_call *c, const docs_result *r);
/* A size in the reader's words: "2,4 МБ", "120 КБ". */
void web_size_text(char *out, size_t cap, const web_call *c, json_int_t bytes);

#endif
