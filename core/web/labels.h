/*
 * The words a page uses for the server's names: a region's name, a
 * document type's, a stage's and an action's, in the user's language.  A
 * page never shows the code itself ("ministry-review", "KZ-11",
 * "regional-plan") where a word exists.
 */
#ifndef KENES_WEB_LABELS_H
#define KENES_WEB_LABELS_H

#include <stdint.h>

#include "docs/workflow.h"
#include "ui/dates.h"
#include "web/call.h"

/* The region's name in c's language, or code when the region is unknown. */
const char *web_region_name(const web_call *c, const char *code);
/* What the type's workflow calls its documents (labels.type), or the type
 * itself when it says nothing. */
const char *web_type_name(const web_call *c, const char *type);
/* The workflow's label (what: "stage" or "action") of type's workflow, else the name. */
const char *web_wf_label(const web_call *c, const char *type, const char *what,
                         const char *name);
/* The workflow's label of a stage, or stage when it has none. */
const char *web_stage_label(const web_call *c, const wf_workflow *wf, const char *stage);
/* The workflow's label of an action; "create" and "edit", which no
 * workflow lists, are t.history.action_create/_edit. */
const char *web_action_label(const web_call *c, const wf_workflow *wf, const char *action);
/* "05.12.2026": the day of ms (since the epoch) in Kazakhstan, the way an
 * act or an edition's heading dates it. */
void web_day(char out[16], int64_t ms);
/* A day that a heading runs from or until: "05.12.2026" in Russian and
 * English; in Kazakh the official long form with the case the postposition
 * wants, "2026 жылғы 5 желтоқсаннан" (бастап) / "2026 жылғы 5 желтоқсанға"
 * (дейін). */
typedef enum web_case { WEB_DAY_FROM, WEB_DAY_UNTIL } web_case;
void web_day_case(char out[UI_DATE_CAP], const web_call *c, int64_t ms, web_case wc);
/* The workflow of a document's type, or NULL. */
const wf_workflow *web_workflow_of(const web_call *c, const json_t *doc);

#endif
