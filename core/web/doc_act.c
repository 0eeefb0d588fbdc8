/*
 * POST /ui/d/{id}/act: one of the document page's buttons (action, with
 * the page's version and comment).  Taken: 303 back to the page with
 * ?done=<action>.  Refused: the page again, with why in the reader's
 * language (role="alert") at 409 or 422 — someone acted meanwhile, the
 * stage has moved, a guard holds, the four-eyes rule — or an error page for
 * what the reader may not do at all (403) or no longer can (410).  A
 * refusal writes nothing: the document service decides before it commits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web/doc.h"
#include "web/pages.h"

typedef struct act_op {
    web_call *c;
    char *action;
} act_op;

/* The sentence for a guard's refusal: its own (t.pages.guard_<name>), a
 * validation code of the same name (t.validation), or a general one. */
static const char *guard_sentence(const web_call *c, const char *guard)
{
    char key[160];
    snprintf(key, sizeof(key), "guard_%s", guard ? guard : "");
    const ui_strings *w = ui_words(c->ctx->ui);
    const char *t = ui_text(w, c->lang, "pages", key);
    if (!t && guard)
        t = ui_text(w, c->lang, "validation", guard);
    return t ? t : web_text(c, "pages", "refused_guard");
}

static void acted(const docs_result *r, void *payload)
{
    act_op *op = payload;
    web_call *c = op->c;
    const char *reason = r->reason ? r->reason : "";
    if (r->code == 0) {
        char location[4400];
        util_buf b;
        util_buf_init(&b);
        web_url_escape(&b, op->action);
        snprintf(location, sizeof(location), "/ui/d/%s?done=%s", c->arg, b.data ? b.data : "");
        util_buf_dispose(&b);
        web_redirect(c, location);
        web_call_free(c);
    } else if (strcmp(reason, "stale") == 0) {
        web_doc_show(c, 409, web_text(c, "pages", "refused_stale"));
    } else if (strcmp(reason, "wrong_stage") == 0) {
        web_doc_show(c, 409, web_text(c, "pages", "refused_wrong_stage"));
    } else if (strcmp(reason, "already_approved") == 0) {
        web_doc_show(c, 409, web_text(c, "pages", "refused_again"));
    } else if (strcmp(reason, "author_cannot_approve") == 0) {
        web_doc_show(c, 409, web_text(c, "pages", "refused_author"));
    } else if (strcmp(reason, "admin_cannot_approve") == 0) {
        web_doc_show(c, 409, web_text(c, "pages", "refused_admin"));
    } else if (strcmp(reason, "guard") == 0) {
        web_doc_show(c, 422, guard_sentence(c, r->guard));
    } else if (strcmp(reason, "validation") == 0) {
        web_doc_show(c, 422, web_text(c, "pages", "refused_action"));
    } else {
        web_fail_code(c, r->code); /* forbidden, gone, storage...: an error page */
        web_call_free(c);
    }
    free(op->action);
    free(op);
}

void web_doc_act(web_call *c)
{
    json_t *form;
    if (web_form(&form, c) < 0)
        return;
    if (!web_csrf_ok(c, form)) {
        json_decref(form);
        return;
    }
    const char *action = json_string_value(json_object_get(form, "action"));
    const char *version = json_string_value(json_object_get(form, "version"));
    const char *comment = json_string_value(json_object_get(form, "comment"));
    if (!action || !*action || !version || !*version) {
        json_decref(form);
        web_fail(c, 400, "bad_form");
        return;
    }
    idx_doc *d;
    docs_result why;
    int rc = docs_find(&d, &why, c->svc, c->user, c->arg ? c->arg : "", 0);
    if (rc < 0) {
        json_decref(form);
        web_fail_code(c, rc);
        return;
    }
    act_op *op = calloc(1, sizeof(*op));
    if (op) {
        op->c = web_call_copy(c);
        op->action = strdup(action);
    }
    if (!op || !op->c || !op->action) {
        if (op) {
            web_call_free(op->c);
            free(op->action);
        }
        free(op);
        json_decref(form);
        web_fail(c, 500, "internal");
        return;
    }
    /* An empty box is no comment: a guard that asks for one says so. */
    docs_transition(c->svc, c->user, d, action, comment && *comment ? comment : NULL, version, 0,
                    acted, op);
    json_decref(form);
}
