/*
 * A document's files over HTTP (docs/attachments.h): the upload is the raw
 * body (its Content-Type the file's type, ?name= its name, If-Match the
 * version it is added to), the download the bytes as a file to save, never
 * to render: Content-Disposition: attachment and nosniff.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/call.h"
#include "base/util.h"
#include "docs/attachments.h"

typedef struct file_pending {
    http_request *req;
} file_pending;

/* The content refusals are HTTP's 415, whatever the service's code. */
static void reply_refusal(http_request *req, const docs_result *r)
{
    if (r->reason && (strcmp(r->reason, "attachment_type") == 0 ||
                      strcmp(r->reason, "attachment_mismatch") == 0)) {
        api_reply_error(req, 415, r->reason, r->fields ? json_deep_copy(r->fields) : NULL, "%s",
                        r->message ? r->message : r->reason);
        return;
    }
    const char *message = r->message;
    if (r->code == KENES_EPRECONDITION)
        message = "send If-Match with the ETag of the version you are changing";
    api_reply_code(req, r->code, r->reason, r->fields, message);
}

static void changed(const docs_result *r, void *payload)
{
    file_pending *p = payload;
    if (r->code < 0) {
        reply_refusal(p->req, r);
    } else {
        char extra[96];
        snprintf(extra, sizeof(extra), "ETag: \"%s\"\r\n", r->version);
        api_reply_json(p->req, json_object_get(r->json, "attachment") ? 201 : 200,
                       json_incref(r->json), extra);
    }
    free(p);
}

static file_pending *pending_new(http_request *req)
{
    file_pending *p = calloc(1, sizeof(*p));
    if (!p)
        api_reply_error(req, 500, "internal", NULL, "out of memory");
    else
        p->req = req;
    return p;
}

void api_doc_attach(api_call *c)
{
    char name[1024], version[64];
    int has = http_query(c->req, "name", name, sizeof(name));
    if (has < 0) {
        /* too long or not UTF-8: the name's own refusal, not a bad query */
        api_reply_error(c->req, 422, "attachment_name",
                        json_pack("[{s:s, s:s, s:s}]", "path", "name", "code", "attachment_name",
                                  "message", "not a file name"),
                        "a file name is 1 to 200 bytes of text");
        return;
    }
    file_pending *p = pending_new(c->req);
    if (p)
        docs_attach(c->svc, c->user, c->doc, has ? name : NULL,
                    http_request_header(c->req, "Content-Type"), c->req->body, c->req->body_len,
                    if_match_version(version, sizeof(version), c->req), changed, p);
}

void api_doc_detach(api_call *c)
{
    char version[64];
    file_pending *p = pending_new(c->req);
    if (p)
        docs_detach(c->svc, c->user, c->doc, c->aid,
                    if_match_version(version, sizeof(version), c->req), changed, p);
}

static void got(const docs_result *r, void *payload)
{
    file_pending *p = payload;
    if (r->code < 0) {
        reply_refusal(p->req, r);
        free(p);
        return;
    }
    const char *type = json_string_value(json_object_get(r->json, "type"));
    const char *name = json_string_value(json_object_get(r->json, "name"));
    util_buf h;
    util_buf_init(&h);
    /* api_security_headers: no-store, nosniff, a CSP that runs nothing */
    util_buf_puts(&h, api_security_headers);
    http_content_disposition(&h, name ? name : "file");
    http_respond(p->req, 200, type ? type : "application/octet-stream", h.data, r->data,
                 r->data_len);
    util_buf_dispose(&h);
    free(p);
}

void api_doc_attachment(api_call *c)
{
    char version[64];
    int has = http_query(c->req, "version", version, sizeof(version));
    if (has < 0) {
        api_reply_error(c->req, 400, "bad_request", NULL, "version must be a commit id");
        return;
    }
    file_pending *p = pending_new(c->req);
    if (p)
        docs_attachment_read(c->svc, c->user, c->doc, c->aid, has ? version : NULL, got, p);
}
