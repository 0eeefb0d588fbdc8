/*
 * Public pages kept made (issue 16, item 5): the page /public/{id} shows an
 * anonymous reader is the same for every one of them in a language, so it
 * is made once per public version and language and kept (in the server's
 * store of prepared answers, http/bytes.h), then written as it is.  What
 * differs per request stays out of the kept bytes: the headers (cookies,
 * Content-Language) are made per answer.  Not kept: a signed-in reader's
 * page (it names them, and carries their CSRF token), and a request whose
 * query holds more than ?lang= (the language links keep the rest of it).
 *
 * A kept page shows its document's public face and the public faces of
 * the documents it names (their titles, in links): a commit of any public
 * type's document drops every public page kept.  Commits of those are
 * rare beside reads, and a page is made again by its next reader.
 */
#include <stdio.h>
#include <string.h>

#include "web/call.h"
#include "web/pages.h"

#define PUBLIC_PREFIX "public/"

/* 1 if c's page is the one every anonymous reader of its path gets in its language. */
static int shared_page(const web_call *c)
{
    if (c->user || !c->ctx->prepared)
        return 0;
    const char *q = c->req->query ? c->req->query : "";
    while (*q) {
        const char *amp = strchr(q, '&');
        size_t len = amp ? (size_t)(amp - q) : strlen(q);
        if (len && strncmp(q, "lang=", 5) != 0 && !(len == 4 && strncmp(q, "lang", 4) == 0))
            return 0;
        q += len + (amp ? 1 : 0);
    }
    return 1;
}

static void key_of(char *key, size_t cap, const web_call *c)
{
    snprintf(key, cap, PUBLIC_PREFIX "%s%s", ui_lang_code(c->lang), c->path);
}

int web_public_cached(web_call *c, const char *version)
{
    char key[4200];
    if (!version || !shared_page(c))
        return 0;
    key_of(key, sizeof(key), c);
    http_bytes *page = http_store_get(c->ctx->prepared, key, version);
    if (!page)
        return 0;
    web_respond_bytes(c, 200, page);
    return 1;
}

void web_public_send(web_call *c, const char *version, json_t *model, const char *body_html)
{
    util_buf b;
    if (web_page_text(&b, c, "public", model, body_html) < 0) {
        web_fail(c, 500, "internal");
        return;
    }
    size_t len = b.len;
    http_bytes *page = http_bytes_take(util_buf_detach(&b, NULL), len);
    if (!page) {
        web_fail(c, 500, "internal");
        return;
    }
    if (version && shared_page(c)) {
        char key[4200];
        key_of(key, sizeof(key), c);
        http_store_put(c->ctx->prepared, key, version, page, 0); /* not kept: made again */
    }
    web_respond_bytes(c, 200, page);
    http_bytes_unref(page);
}

void web_public_committed(web_ctx *ctx, const idx_doc *d)
{
    if (ctx->prepared && d && d->repo == REPO_DOCUMENTS && !docs_confidential(ctx->svc, d))
        http_store_drop_prefix(ctx->prepared, PUBLIC_PREFIX);
}
