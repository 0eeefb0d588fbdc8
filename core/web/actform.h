/*
 * The act form (act_form.c): an action whose transition records fields
 * (records: [act] — the akimat's approver records its resolution with
 * `approve`) asks for them before it is taken.  The inputs are the recorded
 * fields', built from the type's schema as the edit form's are; what is
 * sent goes as the transition's "fields" (doc_act.c).  And the two pieces
 * of the create and edit forms (form.c) that it shares with them.
 */
#ifndef KENES_WEB_ACTFORM_H
#define KENES_WEB_ACTFORM_H

#include "docs/workflow.h"
#include "web/call.h"
#include "web/formview.h"

/* form.c: the words a schema-built form needs in the reader's language
 * (refs and suggest left NULL). */
void web_form_words(formview_words *w, const web_call *c);

/* form.c: a refusal's problems (docs_result.fields) as [{"path","text"}]
 * (new reference): each code's sentence in the reader's language
 * (t.validation.<code>); a code without one reads as the generic "invalid"
 * sentence, never the English message. */
json_t *web_form_problems(const web_call *c, const json_t *fields);

/* The transition action takes from d's stage when it records fields, else
 * NULL (an action without records is a button of the document page). */
const wf_transition *web_act_records(const web_call *c, const idx_doc *d, const char *action);

/* A schema of the fields tr records (new reference; formdata_only), or NULL. */
json_t *web_act_schema(const web_call *c, const idx_doc *d, const wf_transition *tr);

/* The act form of tr on d at status: values (the recorded fields as sent,
 * or NULL: as the document holds them), the comment as typed, errors
 * [{"path","text"}] (borrowed; NULL: none) beside their inputs and in the
 * summary.  Answers c. */
void web_act_form(web_call *c, int status, const idx_doc *d, const wf_transition *tr,
                  const json_t *values, const char *comment, json_t *errors);

#endif
