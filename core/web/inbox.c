/*
 * GET /ui/inbox: what the signed-in user must act on, overdue first, then
 * by due date (docs_inbox's order: an overdue document is due earliest),
 * each with the actions waiting or, for a reminder of a deadline near
 * (a stage's remind:), a line saying a check is coming due; and a link to
 * start each kind of document the user may create.
 */
#include "web/entries.h"
#include "web/pages.h"

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
        json_object_set_new(v, "reminder", json_boolean(json_is_true(json_object_get(e, "reminder"))));
        json_array_append_new(lines, v);
    }
    json_decref(items);
    json_t *m = json_pack("{s:s, s:o, s:o, s:i}", "title", web_text(c, "pages", "inbox_title"),
                          "items", lines, "create", web_create_links(c), "overdue_count",
                          (int)overdue);
    web_page(c, 200, "inbox", m);
}
