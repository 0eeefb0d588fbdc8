/*
 * A document sent back for revision (an action `return`: the akimat or
 * the ministry returned a plan, a roster, an execution report; the chair a
 * meeting's record): its page says so at the top, with who returned it
 * (t.pages.returned_by_<stage it came back from>, else the role's word),
 * when, and the comment — the reason the author has to act on, which
 * otherwise only the history showed.  Only while the document is still in
 * the stage the return put it in: the next transition (a submit) ends it.
 * A confidential type's comment is a sealed note (opened only by the
 * history, under the access log): its page says where to read it instead.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "docs/internal.h"
#include "ui/dates.h"
#include "web/entries.h"
#include "web/fields.h"

const idx_version *web_last_return(const idx_doc *d)
{
    const char *stage = d ? index_doc_stage(d) : NULL; /* the index entry: the JSON may be gone */
    /* The last version that moved the stage: attachments and edits keep it.
     * It is a recent one (index.h). */
    for (size_t i = d && stage ? d->nrecent : 0; i > 0; i--) {
        const idx_version *v = &d->recent[i - 1];
        if (!v->from || !v->to || strcmp(v->from, v->to) == 0)
            continue;
        return v->action && strcmp(v->action, "return") == 0 && strcmp(v->to, stage) == 0 ? v
                                                                                          : NULL;
    }
    return NULL;
}

/* Who returned it: the stage it came back from (the akimat, the ministry),
 * else the returning role's word. */
static const char *returned_by(const web_call *c, const idx_version *v)
{
    char key[160];
    snprintf(key, sizeof(key), "returned_by_%s", v->from);
    for (char *k = key; *k; k++)
        if (*k == '-')
            *k = '_';
    const char *w = ui_text(ui_words(c->ctx->ui), c->lang, "pages", key);
    if (w || !v->role)
        return w;
    snprintf(key, sizeof(key), "%s", v->role);
    for (char *k = key; *k; k++)
        if (*k == '-')
            *k = '_';
    return ui_text(ui_words(c->ctx->ui), c->lang, "roles", key);
}

json_t *web_returned_view(const web_call *c, const idx_doc *d, int confidential)
{
    const idx_version *v = web_last_return(d);
    if (!v)
        return NULL;
    char when[UI_DATE_CAP];
    ui_format_date(when, c->lang, v->time_ms);
    const char *who = returned_by(c, v);
    static const char *const names[] = {"who", "date"};
    const char *texts[] = {who ? who : "", when};
    char *head = web_fill_text(web_text(c, "pages", who ? "returned_note" : "returned_note_plain"),
                               names, texts, 2);
    json_t *m = json_pack("{s:s}", "text", head ? head : "");
    free(head);
    if (!confidential && v->comment && *v->comment) {
        json_object_set_new(m, "comment", json_string(v->comment));
    } else if (confidential) {
        char href[4300];
        snprintf(href, sizeof(href), "/ui/d/%s/history", d->id);
        json_object_set_new(m, "history_href", json_string(href));
        json_object_set_new(m, "history_text", json_string(web_text(c, "pages", "returned_in_history")));
    }
    return m;
}
