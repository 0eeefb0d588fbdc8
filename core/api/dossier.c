/*
 * GET /api/v1/documents/{id}/dossier.zip: every version of one document,
 * its history, the diffs between them and the signing key, in one zip
 * (publish/dossier.h makes it through the document service, which logs a
 * case's download before the zip leaves).  This handler answers it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/call.h"
#include "publish/dossier.h"

typedef struct dossier_reply {
    http_request *req;
    char id[256];
} dossier_reply;

static void zip_done(const docs_result *r, void *payload)
{
    dossier_reply *p = payload;
    if (r->code < 0) {
        api_reply_code(p->req, r->code, r->reason, r->fields, r->message);
    } else {
        char extra[400];
        const char *leaf = strrchr(p->id, '/');
        snprintf(extra, sizeof(extra),
                 "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n"
                 "Content-Disposition: attachment; filename=\"%s-dossier.zip\"\r\n",
                 leaf ? leaf + 1 : p->id);
        http_respond(p->req, 200, "application/zip", extra, r->data, r->data_len);
    }
    free(p);
}

void api_doc_dossier(api_call *c)
{
    dossier_reply *p = calloc(1, sizeof(*p));
    if (!p) {
        api_reply_error(c->req, 500, "internal", NULL, "out of memory");
        return;
    }
    p->req = c->req;
    snprintf(p->id, sizeof(p->id), "%s", c->doc->id);
    dossier_make(c->svc, c->user, c->doc, zip_done, p);
}
