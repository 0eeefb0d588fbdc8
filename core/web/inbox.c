/*
 * GET /ui/inbox: what the signed-in user must act on, overdue first, then
 * by due date (docs_inbox's order: an overdue document is due earliest),
 * each with the actions waiting or, for a reminder of a deadline near
 * (a stage's remind:), a line saying a check is coming due; and a link to
 * start each kind of document the user may create.
 */
#include <stdio.h>

#include "storage/index.h"
#include "web/entries.h"
#include "web/pages.h"

/* Why a reminder (remind:) is in the inbox, by the stage it waits in:
 * t.pages.reminder_<stage> (a transfer waiting for the receiving region's
 * decision), else t.pages.reminder_due (a check coming due). */
static const char *reminder_text(const web_call *c, const json_t *e)
{
    char key[160];
    const char *stage = json_string_value(json_object_get(e, "stage"));
    snprintf(key, sizeof(key), "reminder_%s", stage ? stage : "");
    for (char *k = key; *k; k++)
        if (*k == '-')
            *k = '_';
    const char *t = ui_text(ui_words(c->ctx->ui), c->lang, "pages", key);
    return t ? t : web_text(c, "pages", "reminder_due");
}

void web_inbox(web_call *c)
{
    json_t *items;
    if (docs_inbox(&items, c->svc, c->user) < 0) {
        web_fail(c, 500, "internal");
        return;
    }
    json_t *lines = json_array();
    size_t i, overdue = 0;
    json_t *e;
    json_array_foreach(items, i, e)
    {
        json_t *v = web_entry_view(c, e);
        overdue += json_is_true(json_object_get(v, "overdue"));
        /* A reminder (remind:) may come with no action: the line says why it is here. */
        if (json_is_true(json_object_get(e, "reminder")))
            json_object_set_new(v, "reminder", json_string(reminder_text(c, e)));
        /* Sent back for revision: the line says so (the why is on its page). */
        const char *id = json_string_value(json_object_get(e, "id"));
        idx_doc *d = id ? index_get(c->svc->index, id) : NULL;
        if (d && web_last_return(d))
            json_object_set_new(v, "returned", json_string(web_text(c, "pages", "returned_line")));
        json_array_append_new(lines, v);
    }
    json_decref(items);
    json_t *m = json_pack("{s:s, s:o, s:o, s:i}", "title", web_text(c, "pages", "inbox_title"),
                          "items", lines, "create", web_create_links(c), "overdue_count",
                          (int)overdue);
    web_page(c, 200, "inbox", m);
}
