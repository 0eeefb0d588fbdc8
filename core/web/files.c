/*
 * A document's files on its pages (docs/attachments.h): the section
 * «Приложенные файлы» with a download link for each, a remove button and
 * the upload form (multipart/form-data with the CSRF token as one of its
 * parts) for whoever the workflow's attach: lets change them now; the
 * download itself, as a file to save (Content-Disposition: attachment,
 * nosniff); and a public page's files, those of its public face.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "docs/attachments.h"
#include "docs/filetype.h"
#include "docs/internal.h"
#include "publish/public.h"
#include "ui/dates.h"
#include "web/doc.h"
#include "web/files.h"
#include "web/multipart.h"
#include "web/pages.h"

/* "2,4 МБ", "120 КБ": what the list says of a size, in the reader's words. */
void web_size_text(char *out, size_t cap, const web_call *c, json_int_t bytes)
{
    const char *sep = c->lang == UI_EN ? "." : ",";
    if (bytes >= 1024 * 1024) {
        long tenths = (long)((bytes * 10 + 512 * 1024) / (1024 * 1024));
        if (tenths % 10 == 0)
            snprintf(out, cap, "%ld %s", tenths / 10, web_text(c, "files", "mb"));
        else
            snprintf(out, cap, "%ld%s%ld %s", tenths / 10, sep, tenths % 10,
                     web_text(c, "files", "mb"));
    } else {
        snprintf(out, cap, "%ld %s", (long)((bytes + 1023) / 1024), web_text(c, "files", "kb"));
    }
}

static const char *type_word(const char *media)
{
    filetype t = filetype_of_media(media);
    return t == FILETYPE_PDF ? "PDF" : t == FILETYPE_PNG ? "PNG" : t == FILETYPE_JPEG ? "JPEG" : "";
}

json_t *web_files_view(web_call *c, const idx_doc *d, const json_t *doc, const char *base,
                       const char *version, int may_change)
{
    json_t *files = json_array();
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(doc, "attachments"), i, a)
    {
        const char *aid = doc_str(a, "id"), *name = doc_str(a, "name"), *added = doc_str(a, "added");
        if (!aid || !name)
            continue;
        char href[4400], size[64], day[UI_DATE_CAP] = "", ymd[11];
        if (version)
            snprintf(href, sizeof(href), "%s/file?aid=%s&version=%s", base, aid, version);
        else
            snprintf(href, sizeof(href), "%s/file?aid=%s", base, aid);
        web_size_text(size, sizeof(size), c, json_integer_value(json_object_get(a, "size")));
        snprintf(ymd, sizeof(ymd), "%s", added ? added : "");
        if (ui_format_ymd(day, c->lang, ymd) < 0)
            day[0] = '\0';
        json_array_append_new(files, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "id", aid,
                                               "name", name, "href", href, "type",
                                               type_word(doc_str(a, "type")), "size", size,
                                               "added", day, "remove", may_change));
    }
    json_t *m = json_pack("{s:o}", "list", files);
    char done[8];
    if (web_query(c, "files", done, sizeof(done)) == 1 && strcmp(done, "done") == 0)
        json_object_set_new(m, "done", json_string(web_text(c, "files", "done")));
    if (may_change) {
        char href[4400], limit[64];
        snprintf(href, sizeof(href), "/ui/d/%s/attach", d->id);
        json_object_set_new(m, "attach_href", json_string(href));
        snprintf(href, sizeof(href), "/ui/d/%s/detach", d->id);
        json_object_set_new(m, "detach_href", json_string(href));
        web_size_text(limit, sizeof(limit), c,
                  (json_int_t)(c->svc->cfg ? c->svc->cfg->attachments_max_bytes : 0));
        json_object_set_new(m, "limit", json_string(limit));
        json_object_set_new(m, "full", json_boolean(json_array_size(files) >=
                                                    DOCS_MAX_ATTACHMENTS));
    }
    return m;
}

/* ---- upload and removal ---- */

int web_files_refusal(const char **alert, const web_call *c, const docs_result *r)
{
    const char *reason = r->reason ? r->reason : "";
    *alert = NULL;
    if (strncmp(reason, "attachment_", 11) == 0) {
        *alert = ui_text(ui_words(c->ctx->ui), c->lang, "validation", reason);
        return strcmp(reason, "attachment_too_big") == 0            ? 413
               : strcmp(reason, "attachment_type") == 0 ||
                         strcmp(reason, "attachment_mismatch") == 0 ? 415
                                                                     : 422;
    }
    if (strcmp(reason, "stale") == 0) {
        *alert = web_text(c, "pages", "refused_stale");
        return 409;
    }
    if (r->code == KENES_EFORBIDDEN) {
        *alert = web_text(c, "files", "refused_forbidden");
        return 403;
    }
    return 422;
}

/* The page again with why a change of its files was refused, or an error page. */
static void changed(const docs_result *r, void *payload)
{
    web_call *c = payload;
    if (r->code == 0) {
        char location[4300];
        snprintf(location, sizeof(location), "/ui/d/%s?files=done#files", c->arg);
        web_redirect(c, location);
        web_call_free(c);
        return;
    }
    const char *alert;
    int status = web_files_refusal(&alert, c, r);
    if (!alert) {
        web_fail_code(c, r->code);
        web_call_free(c);
        return;
    }
    web_doc_refusal ref = {.alert = alert};
    web_doc_show(c, status, &ref);
}

/* The document c->arg for a change of its files, or NULL after an error page. */
static idx_doc *find_for_change(web_call *c)
{
    idx_doc *d;
    docs_result why;
    if (docs_find(&d, &why, c->svc, c->user, c->arg ? c->arg : "", 0) < 0) {
        web_fail_code(c, why.code);
        return NULL;
    }
    return d;
}

#define WEB_UPLOAD_PARTS 8

void web_doc_attach(web_call *c)
{
    char boundary[MULTIPART_BOUNDARY_MAX + 1], version[64], csrf[WEB_CSRF_CHARS + 8];
    mp_part parts[WEB_UPLOAD_PARTS];
    size_t n = 0;
    if (multipart_boundary(boundary, http_request_header(c->req, "Content-Type")) < 0 ||
        multipart_parse(parts, WEB_UPLOAD_PARTS, &n, c->req->body, c->req->body_len,
                        boundary) < 0) {
        web_fail(c, 400, "bad_form");
        return;
    }
    const mp_part *pc = multipart_find(parts, n, WEB_CSRF_FIELD);
    const mp_part *pv = multipart_find(parts, n, "version");
    const mp_part *pf = multipart_find(parts, n, "file");
    snprintf(csrf, sizeof(csrf), "%.*s", pc ? (int)(pc->len < sizeof(csrf) ? pc->len : 0) : 0,
             pc ? pc->data : "");
    if (!web_csrf_token_ok(c, csrf))
        return; /* answered 403 */
    if (!pv || !pf || !pf->has_filename || pv->len == 0 || pv->len >= sizeof(version)) {
        web_fail(c, 400, "bad_form");
        return;
    }
    snprintf(version, sizeof(version), "%.*s", (int)pv->len, pv->data);
    idx_doc *d = find_for_change(c);
    web_call *k = d ? web_call_copy(c) : NULL;
    if (d && !k)
        web_fail(c, 500, "internal");
    if (!k)
        return;
    /* A browser sends no file as an empty part named ""; the service says which. */
    docs_attach(c->svc, c->user, d, pf->filename, pf->content_type, pf->data, pf->len, version,
                changed, k);
}

void web_doc_detach(web_call *c)
{
    json_t *form;
    if (web_signed_form(&form, c) < 0)
        return;
    const char *version = json_string_value(json_object_get(form, "version"));
    const char *aid = json_string_value(json_object_get(form, "aid"));
    idx_doc *d = version && aid ? find_for_change(c) : NULL;
    if (!version || !aid)
        web_fail(c, 400, "bad_form");
    web_call *k = d ? web_call_copy(c) : NULL;
    if (d && !k)
        web_fail(c, 500, "internal");
    if (k)
        docs_detach(c->svc, c->user, d, aid, version, changed, k);
    json_decref(form);
}

/* ---- downloads ---- */

static void got(const docs_result *r, void *payload)
{
    web_call *c = payload;
    if (r->code < 0) {
        web_fail_code(c, r->code);
        web_call_free(c);
        return;
    }
    const char *type = doc_str(r->json, "type"), *name = doc_str(r->json, "name");
    util_buf h;
    util_buf_init(&h);
    util_buf_puts(&h, c->cookies);
    util_buf_puts(&h, "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n"
                      "Content-Security-Policy: default-src 'none'; sandbox\r\n");
    http_content_disposition(&h, name ? name : "file");
    http_respond(c->req, 200, type ? type : "application/octet-stream", h.data, r->data,
                 r->data_len);
    util_buf_dispose(&h);
    web_call_free(c);
}

/* ?aid=<16 hex>[&version=<commit>]: 1, or 0 after a 404 page. */
static int file_query(web_call *c, char *aid, size_t acap, char *version, size_t vcap, int *has_v)
{
    int ha = web_query(c, "aid", aid, acap);
    *has_v = web_query(c, "version", version, vcap);
    if (ha != 1 || *has_v < 0) {
        web_fail(c, 404, "not_found");
        return 0;
    }
    return 1;
}

void web_doc_file(web_call *c)
{
    char aid[32], version[64];
    int has_v;
    idx_doc *d;
    docs_result why;
    if (!file_query(c, aid, sizeof(aid), version, sizeof(version), &has_v))
        return;
    if (docs_find(&d, &why, c->svc, c->user, c->arg ? c->arg : "", 0) < 0) {
        web_fail_code(c, why.code);
        return;
    }
    web_call *k = web_call_copy(c);
    if (!k) {
        web_fail(c, 500, "internal");
        return;
    }
    docs_attachment_read(c->svc, c->user, d, aid, has_v ? version : NULL, got, k);
}

void web_public_file(web_call *c)
{
    char aid[32], version[64];
    int has_v;
    if (!file_query(c, aid, sizeof(aid), version, sizeof(version), &has_v))
        return;
    idx_doc *d = c->arg && util_id_valid(c->arg) ? index_get(c->svc->index, c->arg) : NULL;
    const char *face_version = NULL;
    const json_t *face = public_workflow_of(c->svc, d) ? docs_public_face(c->svc, d, &face_version)
                                                       : NULL;
    /* Only the files of the version the public sees, and never a confidential type's. */
    if (!face || !face_version || docs_confidential(c->svc, d) ||
        !docs_attachment_find(face, aid)) {
        web_fail(c, 404, "not_found");
        return;
    }
    web_call *k = web_call_copy(c);
    if (!k) {
        web_fail(c, 500, "internal");
        return;
    }
    docs_attachment_read(c->svc, NULL, d, aid, face_version, got, k);
}
