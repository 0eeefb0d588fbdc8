/*
 * GET /ui/d/{id}/dossier.zip: the document page's link to its dossier
 * (publish/dossier.h: every version, the history, the diffs), for a
 * browser signed in by its cookie; the API's is for bearer tokens.  Who
 * may take it is the document service's rule (ACCESS_DOC_DOSSIER: readers;
 * for a case, auditors only), and a case's download is logged before the
 * zip leaves.  A refusal is an error page.
 */
#include <stdio.h>
#include <string.h>

#include "publish/dossier.h"
#include "web/pages.h"

static void zip_done(const docs_result *r, void *payload)
{
    web_call *c = payload;
    if (r->code < 0) {
        web_fail_code(c, r->code);
    } else {
        char extra[sizeof(c->cookies) + 512];
        const char *leaf = strrchr(c->arg, '/');
        snprintf(extra, sizeof(extra),
                 "%sCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n"
                 "Content-Disposition: attachment; filename=\"%.200s-dossier.zip\"\r\n",
                 c->cookies, leaf ? leaf + 1 : c->arg);
        http_respond(c->req, 200, "application/zip", extra, r->data, r->data_len);
    }
    web_call_free(c);
}

void web_doc_dossier(web_call *c)
{
    idx_doc *d;
    docs_result why;
    int rc = docs_find(&d, &why, c->svc, c->user, c->arg ? c->arg : "", 0);
    if (rc < 0) {
        web_fail_code(c, rc);
        return;
    }
    if (!docs_allowed(c->svc, c->user, d, ACCESS_DOC_DOSSIER)) {
        web_fail(c, 403, "forbidden");
        return;
    }
    web_call *k = web_call_copy(c);
    if (!k) {
        web_fail(c, 500, "internal");
        return;
    }
    dossier_make(c->svc, c->user, d, zip_done, k);
}
