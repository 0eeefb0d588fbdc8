/*
 * GET /static/{name}: the style sheets and scripts of content/ui/static/,
 * from memory, with an ETag so a browser asks again cheaply (304) and a
 * changed file is seen at once.
 */
#include <stdio.h>
#include <string.h>

#include "web/pages.h"

void web_static(web_call *c)
{
    const ui_asset *a = c->arg ? ui_asset_find(c->ctx->ui, c->arg) : NULL;
    if (!a) {
        web_fail(c, 404, "not_found");
        return;
    }
    char headers[512];
    snprintf(headers, sizeof(headers),
             "ETag: %s\r\nCache-Control: no-cache\r\nX-Content-Type-Options: nosniff\r\n", a->etag);
    const char *inm = http_request_header(c->req, "If-None-Match");
    if (inm && strcmp(inm, a->etag) == 0) {
        http_respond(c->req, 304, a->content_type, headers, "", 0);
        return;
    }
    http_respond(c->req, 200, a->content_type, headers, a->data, a->len);
}
