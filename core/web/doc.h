/*
 * The document page, shared by its GET and by the actions' POST, which
 * shows it again with the reason when an action is refused.
 */
#ifndef KENES_WEB_DOC_H
#define KENES_WEB_DOC_H

#include "web/call.h"

/* Reads the document c->arg (logged, for a case) and answers with its page
 * at status, with alert (a sentence in the reader's language, role="alert")
 * when not NULL.  Takes c, a web_call_copy, and frees it once answered. */
void web_doc_show(web_call *c, int status, const char *alert);

#endif
