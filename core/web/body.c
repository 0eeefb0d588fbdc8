/*
 * The body on the thread pool (body.h).  The job owns a copy of the
 * Markdown: the loop may change or drop the document meanwhile.
 */
#include "web/body.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "publish/pages.h"
#include "publish/render.h"
#include "publish/report.h"

const char *web_body_after_title(const char *body, const char *title, size_t *len)
{
    size_t tl = title ? strlen(title) : 0;
    const char *rest = body;
    if (tl && strncmp(body, "# ", 2) == 0 && strncmp(body + 2, title, tl) == 0 &&
        (body[2 + tl] == '\n' || body[2 + tl] == '\0' ||
         (body[2 + tl] == '\r' && body[3 + tl] == '\n')))
        rest = body + 2 + tl + (body[2 + tl] == '\r') + (body[2 + tl] != '\0');
    *len = strlen(rest);
    return rest;
}

typedef struct body_job {
    uv_work_t work;
    char *md;
    size_t md_len;
    char *html;
    size_t html_len;
    int status;
    web_body_cb done;
    void *payload;
} body_job;

static void body_job_free(body_job *j)
{
    if (j->md)
        sodium_memzero(j->md, j->md_len); /* a case's text lingers nowhere */
    free(j->md);
    free(j->html);
    free(j);
}

/* On a thread of the pool: the Markdown, then the "{{body}}" page, which is
 * the body alone, checked to close what it opens. */
static int body_make(char **out, size_t *len, void *payload)
{
    body_job *j = payload;
    char *html = NULL;
    size_t hl;
    int rc = render_markdown(&html, &hl, j->md, j->md_len);
    if (rc == 0)
        rc = render_page(out, len, "{{body}}", "", html, NULL);
    free(html);
    return rc;
}

static void kept_made(int status, const char *data, size_t len, void *payload)
{
    body_job *j = payload;
    (void)len;
    j->done(status < 0 ? status : 0, status < 0 ? NULL : data, j->payload);
    body_job_free(j);
}

static void work_run(uv_work_t *w)
{
    body_job *j = w->data;
    j->status = body_make(&j->html, &j->html_len, j);
}

static void work_done(uv_work_t *w, int status)
{
    body_job *j = w->data;
    if (status < 0 && j->status == 0) /* cancelled: never ran */
        j->status = KENES_EIO;
    if (j->status == 0 && j->html)
        j->done(0, j->html, j->payload);
    else
        j->done(j->status < 0 ? j->status : KENES_ENOMEM, NULL, j->payload);
    if (j->html)
        sodium_memzero(j->html, j->html_len);
    body_job_free(j);
}

int web_body_render(web_call *c, const char *id, int confidential, const char *md, size_t md_len,
                    web_body_cb done, void *payload)
{
    page_cache *pages = c->ctx->pub->pages;
    unsigned char hash[PAGE_HASH_BYTES];
    char key[320];
    if (!confidential) {
        crypto_generichash(hash, sizeof(hash), (const unsigned char *)md, md_len, NULL, 0);
        snprintf(key, sizeof(key), "body:%s", id);
        const char *html;
        size_t len;
        if (page_cache_find(pages, key, hash, &html, &len)) {
            done(0, html, payload);
            return 0;
        }
    }
    body_job *j = calloc(1, sizeof(*j));
    if (!j || !(j->md = malloc(md_len + 1))) {
        free(j);
        return KENES_ENOMEM;
    }
    memcpy(j->md, md, md_len);
    j->md[md_len] = '\0';
    j->md_len = md_len;
    j->done = done;
    j->payload = payload;
    int rc;
    if (!confidential) {
        rc = page_cache_make(pages, c->svc->loop, key, hash, body_make, kept_made, j);
    } else {
        j->work.data = j;
        rc = uv_queue_work(c->svc->loop, &j->work, work_run, work_done) < 0 ? KENES_EIO : 0;
    }
    if (rc < 0)
        body_job_free(j);
    return rc;
}
