/*
 * The document page, shared by its GET and by the actions' POST, which
 * shows it again with the reason when an action is refused.
 */
#ifndef KENES_WEB_DOC_H
#define KENES_WEB_DOC_H

#include "web/call.h"

/* What the page shows again after a refused action. */
typedef struct web_doc_refusal {
    const char *alert;   /* a sentence in the reader's language (role="alert") */
    const char *comment; /* what the reader typed, back in its box; may be NULL */
    int comment_invalid; /* the box is what is wrong (a comment is required) */
    int fields_missing;  /* a guard wants fields filled in: the alert links to the edit form */
} web_doc_refusal;

/* Reads the document c->arg (logged, for a case) and answers with its page
 * at status, with why an action was refused when ref is not NULL.  Takes
 * c, a web_call_copy, and frees it once answered. */
void web_doc_show(web_call *c, int status, const web_doc_refusal *ref);

#endif
