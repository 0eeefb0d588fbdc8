#include "api/call.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/error.h"
#include "base/log.h"
#include "base/util.h"

const char api_security_headers[] =
    "Cache-Control: no-store\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "Referrer-Policy: no-referrer\r\n"
    "Content-Security-Policy: default-src 'none'; frame-ancestors 'none'\r\n";

void api_reply_json(http_request *req, int status, json_t *body, const char *extra)
{
    util_buf h, text;
    util_buf_init(&h);
    util_buf_init(&text);
    util_buf_puts(&h, api_security_headers);
    if (extra)
        util_buf_puts(&h, extra);
    char *dumped = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    if (!dumped) {
        status = 500;
        util_buf_puts(&text, "{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"}}");
    } else {
        util_buf_puts(&text, dumped);
    }
    util_buf_puts(&text, "\n");
    http_respond(req, status, "application/json; charset=utf-8", h.data, text.data, text.len);
    free(dumped);
    util_buf_dispose(&text);
    util_buf_dispose(&h);
}

void api_reply_error(http_request *req, int status, const char *reason, json_t *fields,
                     const char *fmt, ...)
{
    char msg[512];
    UTIL_FORMAT(msg, fmt);
    json_t *err = json_pack("{s:s, s:s}", "code", reason, "message", msg);
    if (fields)
        json_object_set_new(err, "fields", fields);
    /* Log the route and the code, never the body: it may name a child. */
    log_info("api", "%s %s -> %d %s", req->method, req->path, status, reason);
    api_reply_json(req, status, json_pack("{s:o}", "error", err), NULL);
}


void api_reply_code(http_request *req, int code, const char *reason, const json_t *fields,
                    const char *message)
{
    const char *word;
    int status = http_status_of(code, &word);
    api_reply_error(req, status, reason ? reason : word, fields ? json_deep_copy(fields) : NULL,
                    "%s", message ? message : kenes_strerror(code));
}

/*
 * A large JSON body (up to limits.max_body_bytes, 1 MiB: hundreds of
 * thousands of values) takes jansson a good part of a second to parse, which
 * on the loop would hold up every other client.  Past API_BODY_ON_POOL bytes
 * an authenticated request is parsed on the thread pool first and then
 * handled as usual; api_body_object() takes the parsed value from here.
 */
#define API_BODY_ON_POOL (64 * 1024)

typedef struct body_job {
    uv_work_t work;
    api_ctx *ctx;
    http_request *req;
    json_t *json; /* parsed, or NULL with err */
    json_error_t err;
} body_job;

/* The body parsed for the request being handled now (loop thread only). */
static body_job *parsed_body;

static void body_parse_work(uv_work_t *w)
{
    body_job *j = w->data;
    /* The request is the handler's until it is answered: reading it here is safe. */
    j->json = json_loadb(j->req->body ? j->req->body : "", j->req->body_len,
                         JSON_REJECT_DUPLICATES, &j->err);
}

static void body_free_work(uv_work_t *w)
{
    body_job *j = w->data;
    json_decref(j->json);
    j->json = NULL;
}

static void body_free_done(uv_work_t *w, int status)
{
    (void)status;
    free(w->data);
}

static void body_parse_done(uv_work_t *w, int status)
{
    body_job *j = w->data;
    (void)status; /* not cancelled: nothing calls uv_cancel */
    parsed_body = j;
    api_handle(j->req, j->ctx); /* j->req may be answered and freed on return */
    parsed_body = NULL;
    /* api_body_object lent the handler a reference.  If ours is the last one
     * now, freeing a big tree (tens of ms) goes to the pool as well. */
    if (j->json && j->json->refcount == 1 &&
        uv_queue_work(j->ctx->svc->loop, &j->work, body_free_work, body_free_done) == 0)
        return;
    json_decref(j->json);
    free(j);
}

int api_body_parse_first(api_ctx *ctx, http_request *req)
{
    const char *ct = http_request_header(req, "Content-Type");
    if (parsed_body || req->body_len <= API_BODY_ON_POOL || !ct ||
        strncasecmp(ct, "application/json", 16) != 0)
        return 0; /* a file's bytes are no JSON to parse */
    body_job *j = calloc(1, sizeof(*j));
    if (!j)
        return 0; /* parsed on the loop then: slower, not wrong */
    j->ctx = ctx;
    j->req = req;
    j->work.data = j;
    if (uv_queue_work(ctx->svc->loop, &j->work, body_parse_work, body_parse_done) != 0) {
        free(j);
        return 0;
    }
    return 1;
}

json_t *api_body_object(http_request *req, const char *const *allowed)
{
    const char *ct = http_request_header(req, "Content-Type");
    if (!ct || strncasecmp(ct, "application/json", 16) != 0 || (ct[16] && ct[16] != ';' &&
                                                                ct[16] != ' ')) {
        api_reply_error(req, 415, "unsupported_media_type", NULL,
                        "the body must be JSON (Content-Type: application/json)");
        return NULL;
    }
    json_error_t jerr;
    json_t *body;
    if (parsed_body && parsed_body->req == req) {
        body = json_incref(parsed_body->json); /* the job keeps one: see body_parse_done */
        jerr = parsed_body->err;
    } else {
        /* jansson checks UTF-8 and refuses NUL in strings; duplicates are ambiguous, so refused. */
        body = json_loadb(req->body ? req->body : "", req->body_len, JSON_REJECT_DUPLICATES,
                          &jerr);
    }
    if (!body) {
        api_reply_error(req, 400, "bad_json", NULL, "the body is not valid JSON: %s at %d:%d",
                        jerr.text, jerr.line, jerr.column);
        return NULL;
    }
    if (!json_is_object(body)) {
        json_decref(body);
        api_reply_error(req, 400, "bad_json", NULL, "the body must be a JSON object");
        return NULL;
    }
    const char *key;
    json_t *v;
    json_object_foreach(body, key, v)
    {
        int ok = 0;
        for (size_t i = 0; allowed[i] && !ok; i++)
            ok = strcmp(allowed[i], key) == 0;
        if (!ok) {
            json_t *fields = json_pack("[{s:s, s:s}]", "path", key, "message", "unknown field");
            api_reply_error(req, 400, "unknown_field", fields, "unknown field '%s'", key);
            json_decref(body);
            return NULL;
        }
    }
    return body;
}

