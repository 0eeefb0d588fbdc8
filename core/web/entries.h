/*
 * What the pages share about documents: a type's, region's, stage's and
 * action's name in the reader's language (never the Latin code on a
 * Russian or Kazakh page when a word exists), a due date in words, and a
 * list entry made into a line of the inbox or a list.
 */
#ifndef KENES_WEB_ENTRIES_H
#define KENES_WEB_ENTRIES_H

#include <jansson.h>

#include "storage/index.h"
#include "web/call.h"
#include "web/labels.h"

/* An RFC 3339 time as a date in words into out (UI_DATE_CAP); "" if none. */
void web_date_text(char *out, const web_call *c, const char *rfc3339);
/* A list entry (docs_list's, docs_inbox's) as a line a page shows: href,
 * title (a case's: its pseudonym only), type_name, region_name,
 * stage_label, due_text, overdue, and the actions' labels when the entry
 * has actions.  A new reference. */
json_t *web_entry_view(const web_call *c, const json_t *entry);
/* The "new document" links: one per type c->user may create (in their
 * region), [{"href","label"}]; a new reference. */
json_t *web_create_links(const web_call *c);

/* exports.c: the download links beside a list, [{"label","csv","xlsx"}]
 * (a new reference): plans and rosters (of type only, when type is not
 * empty; each only when c->user may list it), and with cases the case
 * releases; region ("" or NULL: the country) narrows plans and rosters. */
json_t *web_export_links(const web_call *c, const char *type, const char *region, int cases);

/* What names a document a ref points at (a form's choice, a page's link),
 * from its list entry: a title, or a confidential document's summary (a
 * case's pseudonym; dates in words), then the stage's label and the short
 * id ("K11-0042 · На рассмотрении · 3f2a9c1d").  A new string. */
char *web_ref_label(const web_call *c, const json_t *entry);

/* returned.c: the version that returned d for revision (action `return`)
 * while d is still in the stage it put it in, else NULL. */
const idx_version *web_last_return(const idx_doc *d);
/* The note at the top of a returned document's page: {"text": "Возвращён
 * на доработку (министерство), 5 декабря 2026 г.", "comment"} — or, for a
 * confidential type (its comment a sealed note), {"text","history_href",
 * "history_text"}; NULL when d is not returned.  A new reference. */
json_t *web_returned_view(const web_call *c, const idx_doc *d, int confidential);

#endif
