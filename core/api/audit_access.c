/*
 * GET /api/v1/audit/access?document=&user=&since=&until=
 * The access log for auditors, read on the thread pool (it only grows).
 */
#include <stdlib.h>
#include <string.h>

#include "audit/anchor.h"
#include "api/call.h"
#include "base/util.h"

#define AUDIT_MAX_EVENTS 1000

typedef struct audit_job {
    uv_work_t work;
    http_request *req;
    char path[4096];
    char document[300], user[128];
    int has_document, has_user;
    int64_t since, until;
    json_t *events;
    int status;
} audit_job;

static void audit_work(uv_work_t *w)
{
    audit_job *j = w->data;
    j->status = alog_query_file(&j->events, j->path, j->has_document ? j->document : NULL,
                                j->has_user ? j->user : NULL, j->since, j->until,
                                AUDIT_MAX_EVENTS);
}

static void audit_done(uv_work_t *w, int status)
{
    audit_job *j = w->data;
    if (status < 0 || j->status < 0) {
        json_decref(j->events);
        api_reply_error(j->req, 500, "access_log", NULL, "the access log cannot be read");
    } else {
        api_reply_json(j->req, 200, json_pack("{s:o}", "events", j->events), NULL);
    }
    free(j);
}

/* ?name=<RFC 3339> into *out (-1 when absent); 0, or KENES_EINVAL after answering 400. */
int api_time_param(http_request *req, const char *name, int64_t *out)
{
    char text[64];
    *out = -1;
    int has = http_query(req, name, text, sizeof(text));
    if (has < 0 || (has && util_parse_rfc3339(out, text) < 0)) {
        api_reply_error(req, 400, "bad_request", NULL, "%s must be an RFC 3339 time", name);
        return KENES_EINVAL;
    }
    return 0;
}

void api_audit_access(api_call *c)
{
    http_request *req = c->req;
    audit_job *j = calloc(1, sizeof(*j));
    if (!j) {
        api_reply_error(req, 500, "internal", NULL, "out of memory");
        return;
    }
    j->req = req;
    j->work.data = j;
    util_path(j->path, sizeof(j->path), c->svc->cfg->data_dir, "access.log");
    j->has_document = http_query(req, "document", j->document, sizeof(j->document));
    j->has_user = http_query(req, "user", j->user, sizeof(j->user));
    if (j->has_document < 0 || j->has_user < 0) {
        api_reply_error(req, 400, "bad_request", NULL, "a query parameter is malformed");
        free(j);
        return;
    }
    if (api_time_param(req, "since", &j->since) < 0 || api_time_param(req, "until", &j->until) < 0) {
        free(j);
        return;
    }
    if (uv_queue_work(c->svc->loop, &j->work, audit_work, audit_done) != 0) {
        api_reply_error(req, 500, "internal", NULL, "cannot start the query");
        free(j);
    }
}

/* ---- a read replica's head: its own access log, unsigned ---- */

typedef struct replica_head_job {
    uv_work_t work;
    http_request *req;
    char path[4096];
    size_t lines;
    char head[CKPT_HASH_HEX];
    long bad; /* the first line that breaks the chain, 0 for none; <0: unreadable */
    json_t *heads;
    char err[200];
} replica_head_job;

static void last_hash(size_t lineno, const char hash[65], void *payload)
{
    (void)lineno;
    memcpy(payload, hash, CKPT_HASH_HEX);
}

static void replica_head_work(uv_work_t *w)
{
    replica_head_job *j = w->data;
    memcpy(j->head, ALOG_GENESIS, sizeof(j->head));
    j->bad = alog_scan_file(j->path, &j->lines, last_hash, j->head, j->err, sizeof(j->err));
    if (j->bad == KENES_ENOTFOUND)
        j->bad = 0; /* no case read here yet */
}

static void replica_head_done(uv_work_t *w, int status)
{
    replica_head_job *j = w->data;
    char when[32];
    util_format_rfc3339(when, sizeof(when), util_now_ms());
    if (status < 0 || j->bad < 0) {
        api_reply_error(j->req, 500, "access_log", NULL, "the access log cannot be read");
    } else {
        json_t *log = json_pack("{s:I, s:s, s:b}", "lines", (json_int_t)j->lines, "head",
                                j->head, "intact", j->bad == 0);
        if (j->bad > 0)
            json_object_set_new(log, "fault", json_sprintf("line %ld: %s", j->bad, j->err));
        api_reply_json(j->req, 200,
                       json_pack("{s:s, s:o, s:O, s:n, s:b, s:s}", "time", when, "access_log",
                                 log, "heads", j->heads, "checkpoint", "replica", 1, "note",
                                 "a read-only replica signs no checkpoint: access_log is this "
                                 "replica's own (the cases read here), heads are the primary's "
                                 "commits it serves; the signed checkpoint is the primary's "
                                 "GET /api/v1/audit/head"),
                       NULL);
    }
    json_decref(j->heads);
    free(j);
}

/* The heads a replica serves ("cases" null when it serves none). */
static json_t *replica_heads(const api_ctx *ctx)
{
    int ok;
    json_t *state = ctx->replica_json(&ok, ctx->replica_payload);
    json_t *cases = json_object_get(state, "cases");
    json_t *heads = json_pack("{s:O?, s:O?}", "documents.git", json_object_get(state, "head"),
                              "cases.git",
                              json_is_true(json_object_get(cases, "served"))
                                  ? json_object_get(cases, "head")
                                  : NULL);
    json_decref(state);
    return heads;
}

static void replica_audit_head(api_call *call)
{
    replica_head_job *j = calloc(1, sizeof(*j));
    if (!j || !(j->heads = replica_heads(call->ctx))) {
        free(j);
        api_reply_error(call->req, 500, "internal", NULL, "out of memory");
        return;
    }
    j->req = call->req;
    j->work.data = j;
    util_path(j->path, sizeof(j->path), call->svc->cfg->data_dir, "access.log");
    if (uv_queue_work(call->svc->loop, &j->work, replica_head_work, replica_head_done) != 0) {
        json_decref(j->heads);
        free(j);
        api_reply_error(call->req, 500, "internal", NULL, "cannot start the query");
    }
}

void api_audit_head(api_call *call)
{
    http_request *req = call->req;
    checkpoint *c = anchor_checkpoint(call->svc->anchor);
    if (!c && call->ctx->replica_json) {
        replica_audit_head(call);
        return;
    }
    char *text = NULL, why[160], when[32];
    size_t body = 0;
    ckpt_state st;
    /* The fields come from the signed text itself, so the two always agree. */
    if (!c || ckpt_signed_text(c, &text) < 0 ||
        ckpt_parse(&st, &body, text, strlen(text), why, sizeof(why)) < 0) {
        free(text);
        api_reply_error(req, 500, "internal", NULL, "no checkpoint");
        return;
    }
    util_format_rfc3339(when, sizeof(when), st.time_ms);
    json_t *heads = json_object();
    for (int r = 0; r < CKPT_REPOS; r++)
        json_object_set_new(heads, ckpt_repo_names[r],
                            st.heads[r][0] ? json_string(st.heads[r]) : json_null());
    api_reply_json(req, 200,
                   json_pack("{s:s, s:{s:I, s:s}, s:o, s:s}", "time", when, "access_log", "lines",
                             (json_int_t)st.lines, "head", st.log_head, "heads", heads,
                             "checkpoint", text),
                   NULL);
    free(text);
}
