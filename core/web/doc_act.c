/*
 * POST /ui/d/{id}/act: one of the document page's buttons (action, with
 * the page's version and comment), or the act form of an action that
 * records fields (act_form.c: its inputs and "_record").  The button of
 * such an action answers with that form and writes nothing; the form sent
 * back takes the action with its values as the transition's fields.
 * Taken: 303 back to the page with ?done=<action>.  Refused: the page (or
 * the act form) again, with why in the reader's language (role="alert") at
 * 409 or 422 — someone acted meanwhile, the
 * stage has moved, a guard holds, the four-eyes rule — or an error page for
 * what the reader may not do at all (403) or no longer can (410).  A
 * refusal writes nothing: the document service decides before it commits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/util.h"
#include "docs/attachments.h"
#include "web/actform.h"
#include "web/doc.h"
#include "web/files.h"
#include "web/formdata.h"
#include "web/multipart.h"
#include "web/pages.h"

typedef struct act_op {
    web_call *c;
    char *action, *comment;
    json_t *fields; /* what the act form sent, or NULL (a button of the page) */
    /* The act form's file (the signed resolution's scan), attached before
     * the action is taken: into the request's body, which lives until the
     * answer. */
    const mp_part *file;
    mp_part *parts;
    int attached; /* the file is on the document; the action then failed */
} act_op;

static void act_op_free(act_op *op)
{
    free(op->action);
    free(op->comment);
    json_decref(op->fields);
    free(op->parts);
    free(op);
}

/* The sentence for a guard's refusal: its own (t.pages.guard_<name>), the
 * sentence of the code the guard refused with (t.validation; so a new guard
 * with a code needs no page words of its own), a validation code named like
 * the guard, or a general one. */
static const char *guard_sentence(const web_call *c, const docs_result *r)
{
    const char *guard = r->guard;
    char key[160];
    snprintf(key, sizeof(key), "guard_%s", guard ? guard : "");
    const ui_strings *w = ui_words(c->ctx->ui);
    const char *t = ui_text(w, c->lang, "pages", key);
    const char *code = json_string_value(json_object_get(json_array_get(r->fields, 0), "code"));
    /* "invalid" is docs.c's stand-in for a guard that gave no code. */
    if (!t && code && strcmp(code, "invalid") != 0)
        t = ui_text(w, c->lang, "validation", code);
    if (!t && guard)
        t = ui_text(w, c->lang, "validation", guard);
    return t ? t : web_text(c, "pages", "refused_guard");
}

/* Why the document service refused, as the page says it: the sentence,
 * the status, and whether the comment box is what is wrong; 0 when the
 * refusal is no page's business (an error page says it). */
static int refusal_of(web_doc_refusal *ref, int *status, const web_call *c, const docs_result *r)
{
    static const struct {
        const char *reason, *key;
        int status;
    } refusals[] = {
        {"stale", "refused_stale", 409},
        {"wrong_stage", "refused_wrong_stage", 409},
        {"already_approved", "refused_again", 409},
        {"author_cannot_approve", "refused_author", 409},
        {"admin_cannot_approve", "refused_admin", 409},
        {"validation", "refused_action", 422},
    };
    const char *reason = r->reason ? r->reason : "";
    if (strcmp(reason, "guard") == 0) {
        ref->alert = guard_sentence(c, r);
        ref->comment_invalid = r->guard && strcmp(r->guard, "comment_required") == 0;
        /* Every other guard wants something in the document itself. */
        ref->fields_missing = !ref->comment_invalid;
        *status = 422;
        return 1;
    }
    for (size_t i = 0; i < UTIL_ARRAY_LEN(refusals); i++)
        if (strcmp(reason, refusals[i].reason) == 0) {
            ref->alert = web_text(c, "pages", refusals[i].key);
            *status = refusals[i].status;
            return 1;
        }
    return 0;
}

/* Where the page goes after a write: the notice says whether the stage
 * moved (to) or one approval of a quorum was counted (given, of); doc.c
 * shows only names the workflow knows. */
static void done_location(char *out, size_t cap, const web_call *c, const char *action,
                          const idx_doc *d)
{
    const idx_version *v = d ? index_head(d) : NULL;
    util_buf b;
    util_buf_init(&b);
    web_url_escape(&b, action);
    int n = snprintf(out, cap, "/ui/d/%s?done=%s", c->arg, b.data ? b.data : "");
    util_buf_dispose(&b);
    long given, needed;
    if (n < 0 || (size_t)n >= cap || !v)
        return;
    if (v->from && v->to && strcmp(v->from, v->to) != 0) {
        util_buf_init(&b);
        web_url_escape(&b, v->to);
        snprintf(out + n, cap - (size_t)n, "&to=%s", b.data ? b.data : "");
        util_buf_dispose(&b);
    } else if (v->approval && sscanf(v->approval, "%ld/%ld", &given, &needed) == 2) {
        snprintf(out + n, cap - (size_t)n, "&given=%ld&of=%ld", given, needed);
    }
}

/* 403 on an action: the action is not this reader's now, which is not
 * the same as the page being closed to them. */
static void fail_forbidden(web_call *c)
{
    json_t *m = json_pack("{s:i, s:s, s:s}", "status", 403, "message",
                          web_text(c, "pages", "refused_forbidden"), "title",
                          web_text(c, "errors", "title"));
    web_page(c, 403, "error", m);
}

/* 1 (after answering) when a refusal of the act form's values is the act
 * form's to show again: a guard's (the act is missing) or the values'
 * own problems, each beside its input. */
static int act_form_again(web_call *c, const act_op *op, const docs_result *r)
{
    idx_doc *d;
    docs_result why;
    const char *reason = r->reason ? r->reason : "";
    if (!op->fields || (strcmp(reason, "guard") != 0 && r->code != KENES_EVALIDATION) ||
        docs_find(&d, &why, c->svc, c->user, c->arg, 0) < 0)
        return 0;
    const wf_transition *tr = web_act_records(c, d, op->action);
    if (!tr)
        return 0;
    json_t *errors = web_form_problems(c, r->fields);
    web_act_form(c, 422, d, tr, op->fields, op->comment, errors);
    json_decref(errors);
    return 1;
}

/* The action was refused after the act form's file went onto the
 * document: the act form again (or the page, when the action is no longer
 * open), saying why and that the file stays attached while nothing was
 * approved. */
static void refused_after_attach(web_call *c, const act_op *op, const docs_result *r)
{
    web_doc_refusal ref = {.comment = op->comment};
    int status = 422;
    idx_doc *d;
    docs_result why;
    const char *reason = r->reason ? r->reason : "";
    json_t *errors;
    if (strcmp(reason, "guard") == 0 || r->code == KENES_EVALIDATION) {
        errors = web_form_problems(c, r->fields);
    } else {
        if (!refusal_of(&ref, &status, c, r)) {
            ref.alert = web_text(c, "pages", "refused_forbidden");
            status = r->code == KENES_EFORBIDDEN ? 403 : 409;
        }
        errors = json_pack("[{s:s, s:s}]", "path", "", "text", ref.alert);
    }
    const char *note = web_text(c, "files", "attached_not_taken");
    json_array_append_new(errors, json_pack("{s:s, s:s}", "path", "", "text", note));
    const wf_transition *tr = docs_find(&d, &why, c->svc, c->user, c->arg, 0) == 0
                                  ? web_act_records(c, d, op->action)
                                  : NULL;
    if (tr) {
        web_act_form(c, status, d, tr, op->fields, op->comment, errors);
        web_call_free(c);
    } else {
        ref.alert = note;
        web_doc_show(c, status, &ref);
    }
    json_decref(errors);
}

static void acted(const docs_result *r, void *payload)
{
    act_op *op = payload;
    web_call *c = op->c;
    web_doc_refusal ref = {.comment = op->comment};
    int status;
    if (r->code != 0 && op->attached) {
        refused_after_attach(c, op, r);
    } else if (r->code != 0 && act_form_again(c, op, r)) {
        web_call_free(c);
    } else if (r->code == 0) {
        char location[4600];
        done_location(location, sizeof(location), c, op->action, r->doc);
        web_redirect(c, location);
        web_call_free(c);
    } else if (refusal_of(&ref, &status, c, r)) {
        web_doc_show(c, status, &ref);
    } else if (r->code == KENES_EFORBIDDEN) {
        fail_forbidden(c);
        web_call_free(c);
    } else {
        web_fail_code(c, r->code); /* gone, storage...: an error page */
        web_call_free(c);
    }
    act_op_free(op);
}

/* The act form's file could not be attached: the form again with why
 * beside the file input, nothing attached and nothing approved. */
static void attach_refused(web_call *c, const act_op *op, const docs_result *r)
{
    const char *text;
    int status = web_files_refusal(&text, c, r);
    idx_doc *d;
    docs_result why;
    const wf_transition *tr = text && docs_find(&d, &why, c->svc, c->user, c->arg, 0) == 0
                                  ? web_act_records(c, d, op->action)
                                  : NULL;
    if (!tr) {
        web_fail_code(c, r->code);
        return;
    }
    json_t *errors = json_pack("[{s:s, s:s}]", "path", "file", "text", text);
    web_act_form(c, status, d, tr, op->fields, op->comment, errors);
    json_decref(errors);
}

/* The file is on the document (a version of its own, stage unchanged):
 * now the action, on that version. */
static void attached(const docs_result *r, void *payload)
{
    act_op *op = payload;
    web_call *c = op->c;
    idx_doc *d;
    docs_result why;
    if (r->code != 0) {
        attach_refused(c, op, r);
        web_call_free(c);
        act_op_free(op);
        return;
    }
    op->attached = 1;
    char version[64];
    snprintf(version, sizeof(version), "%s", r->version ? r->version : "");
    if (docs_find(&d, &why, c->svc, c->user, c->arg, 0) < 0) {
        web_fail_code(c, why.code);
        web_call_free(c);
        act_op_free(op);
        return;
    }
    docs_transition_fields(c->svc, c->user, d, op->action, *op->comment ? op->comment : NULL,
                           op->fields, version, 0, acted, op);
}

/* The values the act form sent for tr's recorded fields (new reference),
 * or NULL after answering 400. */
static json_t *sent_fields(web_call *c, const idx_doc *d, const wf_transition *tr,
                           const json_t *form)
{
    json_t *schema = web_act_schema(c, d, tr), *fields = NULL;
    int rc = schema ? formdata_fields(&fields, schema, form, FORM_DROP_BLANK) : KENES_ENOMEM;
    json_decref(schema);
    if (rc < 0)
        web_fail(c, rc == KENES_ENOMEM ? 500 : 400, rc == KENES_ENOMEM ? "internal" : "bad_form");
    return rc < 0 ? NULL : fields;
}

/* 1 if the reader may take action on d now (the document page offers it). */
static int may_take(const web_call *c, const idx_doc *d, const char *action)
{
    json_t *open;
    if (docs_actions(&open, c->svc, c->user, d) < 0)
        return 0;
    int found = 0;
    size_t i;
    json_t *a;
    json_array_foreach(open, i, a)
    {
        const char *name = json_string_value(json_object_get(a, "action"));
        found |= name && strcmp(name, action) == 0;
    }
    json_decref(open);
    return found;
}

/* 1 if the version a form carried ("<hex>" or <hex>) is version. */
static int same_version(const char *sent, const char *version)
{
    size_t n = strlen(version);
    if (sent[0] == '"')
        sent++;
    return strncmp(sent, version, n) == 0 && (sent[n] == '\0' || strcmp(sent + n, "\"") == 0);
}

#define ACT_FORM_PARTS 24

/* The act form sent as multipart/form-data (with the signed scan): its
 * inputs as a form ({name: value}) and its file part, if a file was
 * chosen, into *file (parts: allocated, into the body).  0, or negative
 * after answering (400; 403 for a missing or foreign CSRF token). */
static int signed_multipart(json_t **out, mp_part **parts, const mp_part **file, web_call *c)
{
    char boundary[MULTIPART_BOUNDARY_MAX + 1];
    size_t n = 0;
    *out = NULL;
    *file = NULL;
    *parts = calloc(ACT_FORM_PARTS, sizeof(**parts));
    json_t *form = json_object();
    int rc = *parts && form ? 0 : KENES_ENOMEM;
    if (rc == 0 && (multipart_boundary(boundary, http_request_header(c->req, "Content-Type")) < 0 ||
                    multipart_parse(*parts, ACT_FORM_PARTS, &n, c->req->body, c->req->body_len,
                                    boundary) < 0))
        rc = KENES_EINVAL;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const mp_part *p = &(*parts)[i];
        if (p->has_filename) {
            /* No file chosen: a browser sends an empty part named "". */
            if (strcmp(p->name, "file") != 0)
                rc = KENES_EINVAL;
            else if (p->filename[0] || p->len)
                *file = p;
            continue;
        }
        json_t *v = json_stringn(p->data, p->len); /* NULL: not UTF-8 */
        if (!v || json_object_set_new(form, p->name, v) < 0)
            rc = KENES_EINVAL;
    }
    if (rc < 0) {
        json_decref(form);
        free(*parts);
        *parts = NULL;
        web_fail(c, rc == KENES_ENOMEM ? 500 : 400, rc == KENES_ENOMEM ? "internal" : "bad_form");
        return rc;
    }
    if (!web_csrf_ok(c, form)) {
        json_decref(form);
        free(*parts);
        *parts = NULL;
        return KENES_EFORBIDDEN;
    }
    *out = form;
    return 0;
}

void web_doc_act(web_call *c)
{
    json_t *form;
    mp_part *parts = NULL;
    const mp_part *file = NULL;
    const char *ctype = http_request_header(c->req, "Content-Type");
    if (ctype && strncasecmp(ctype, "multipart/", 10) == 0) {
        if (signed_multipart(&form, &parts, &file, c) < 0)
            return;
    } else if (web_signed_form(&form, c) < 0) {
        return;
    }
    const char *action = json_string_value(json_object_get(form, "action"));
    const char *version = json_string_value(json_object_get(form, "version"));
    const char *comment = json_string_value(json_object_get(form, "comment"));
    if (!action || !*action || !version || !*version) {
        json_decref(form);
        free(parts);
        web_fail(c, 400, "bad_form");
        return;
    }
    idx_doc *d;
    docs_result why;
    int rc = docs_find(&d, &why, c->svc, c->user, c->arg ? c->arg : "", 0);
    if (rc < 0) {
        json_decref(form);
        free(parts);
        if (rc == KENES_EFORBIDDEN)
            fail_forbidden(c);
        else
            web_fail_code(c, rc);
        return;
    }
    /* An action that records fields: its button shows the act form; the
     * form sent back ("_record") carries them. */
    const wf_transition *tr = web_act_records(c, d, action);
    json_t *fields = NULL;
    if (tr && !json_object_get(form, "_record")) {
        /* Only to who may take it, on the version the page showed: anyone
         * else, or a page someone acted on meanwhile, is refused as any
         * button is (403, 409). */
        if (may_take(c, d, action) && same_version(version, d->version)) {
            web_act_form(c, 200, d, tr, NULL, comment, NULL);
            json_decref(form);
            free(parts);
            return;
        }
        tr = NULL;
    }
    /* A file goes only with an act form's values (its upload input). */
    if ((file && !tr) || (tr && !(fields = sent_fields(c, d, tr, form)))) {
        if (file && !tr)
            web_fail(c, 400, "bad_form");
        json_decref(form);
        free(parts);
        return;
    }
    act_op *op = calloc(1, sizeof(*op));
    if (op) {
        op->fields = fields;
        op->parts = parts;
        op->file = file;
        op->c = web_call_copy(c);
        op->action = strdup(action);
        op->comment = strdup(comment ? comment : "");
    }
    if (!op || !op->c || !op->action || !op->comment) {
        if (op) {
            web_call_free(op->c);
            op->fields = NULL;
            act_op_free(op);
        } else {
            free(parts);
        }
        json_decref(fields);
        json_decref(form);
        web_fail(c, 500, "internal");
        return;
    }
    /* The scan first, on the version the form showed: if it cannot be
     * attached, nothing is approved; then the action on the new version
     * (attached()).  The other order cannot be: the stage the action
     * leads to takes no files. */
    if (file) {
        docs_attach(c->svc, c->user, d, file->filename, file->content_type, file->data,
                    file->len, version, attached, op);
        json_decref(form);
        return;
    }
    /* An empty box is no comment: a guard that asks for one says so. */
    docs_transition_fields(c->svc, c->user, d, action, comment && *comment ? comment : NULL,
                           op->fields, version, 0, acted, op);
    json_decref(form);
}

/* GET of the form's target: a reload or a bookmark of a refused action's
 * redraw.  Nothing is acted on; the answer is the document's own page, or
 * with ?action= naming an action that records fields and that the reader
 * may take now, its act form. */
void web_doc_act_get(web_call *c)
{
    char location[4200], action[128];
    if (!c->arg || !util_id_valid(c->arg)) {
        web_fail(c, 404, "not_found");
        return;
    }
    idx_doc *d;
    docs_result why;
    const wf_transition *tr;
    if (web_query(c, "action", action, sizeof(action)) == 1 &&
        docs_find(&d, &why, c->svc, c->user, c->arg, 0) == 0 &&
        (tr = web_act_records(c, d, action)) != NULL && may_take(c, d, action)) {
        web_act_form(c, 200, d, tr, NULL, NULL, NULL);
        return;
    }
    snprintf(location, sizeof(location), "/ui/d/%s", c->arg);
    web_redirect(c, location);
}
