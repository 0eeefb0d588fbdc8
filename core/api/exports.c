/*
 * GET /api/v1/exports/{list}.{format}?region=&lang=&edition=
 *   list: plans, rosters, cases; format: csv, xlsx (README, "Exports").
 *
 * Without a token: what is public (plans and rosters in force, the case
 * releases as published).  edition=current (plans, rosters) needs a token:
 * the current versions, drafts included, of the documents the reader may
 * read, and of a role that acts for one region, that region's only (a
 * region's work in progress goes out in bulk to the region and the
 * ministry, never to the other regions).  Nothing of a case's content is in
 * any export.
 *
 * The table is made on the loop from memory (plans and rosters are
 * resident; the case releases are parsed in the job from a copy of the
 * published text), the file on the thread pool: CSV in memory, XLSX through
 * libxlsxwriter's temporary file.  One at a time: the pool has four
 * threads and the commits need them (50,000 rows of XLSX keep a thread busy
 * for seconds: bench/bench_export.c), so the others wait their turn in a
 * queue of EXPORT_WAITING; past it, 503 busy with Retry-After: 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/call.h"
#include "base/error.h"
#include "base/log.h"
#include "base/util.h"
#include "docs/rights.h"
#include "plugin/region.h"
#include "publish/export.h"
#include "ui/lang.h"

#define EXPORT_WAITING 32

struct export_job;
static struct export_job *running, *waiting[EXPORT_WAITING];
static size_t nwaiting;

typedef struct export_job {
    uv_work_t work;
    http_request *req;
    report_words *words; /* the publisher's: content, loaded once */
    export_ask ask;
    int xlsx;
    xtable *table;  /* plans, rosters: made on the loop */
    char *md;       /* cases: the published release text */
    size_t md_len;
    char tmpdir[1024];
    char name[512], ascii[160];
    char *out;
    size_t out_len;
    int rc;
} export_job;

static void export_job_free(export_job *j)
{
    xtable_free(j->table);
    free(j->md);
    free(j->out);
    free(j);
}

static void export_work(uv_work_t *w);
static void export_done(uv_work_t *w, int status);

/* Start j on the pool now, or queue it behind the one running.  0, or
 * KENES_EBUSY (the queue is full), KENES_EIO (the pool refused it). */
static int start(export_job *j, uv_loop_t *loop)
{
    if (running) {
        if (nwaiting == EXPORT_WAITING)
            return KENES_EBUSY;
        waiting[nwaiting++] = j;
        return 0;
    }
    if (uv_queue_work(loop, &j->work, export_work, export_done) != 0)
        return KENES_EIO;
    running = j;
    return 0;
}

/* The one running is done: the next in the queue goes (one the pool
 * refuses is answered and the next tried). */
static void next(uv_loop_t *loop)
{
    running = NULL;
    while (nwaiting) {
        export_job *j = waiting[0];
        memmove(waiting, waiting + 1, --nwaiting * sizeof(*waiting));
        if (start(j, loop) == 0)
            return;
        api_reply_error(j->req, 500, "internal", NULL, "the export cannot be made now");
        export_job_free(j);
    }
}

static void export_work(uv_work_t *w)
{
    export_job *j = w->data;
    if (!j->table)
        j->rc = export_cases_table(&j->table, j->words, j->ask.lang, j->md, j->md_len);
    if (j->rc == 0)
        j->rc = j->xlsx ? xtable_xlsx(&j->out, &j->out_len, j->table, j->tmpdir)
                        : xtable_csv(&j->out, &j->out_len, j->table);
}

/* 503 with Retry-After: the queue is full now, not for good. */
static void reply_busy(http_request *req)
{
    api_reply_json(req, 503,
                   json_pack("{s:{s:s, s:s}}", "error", "code", "busy", "message",
                             "too many exports are waiting; try again"),
                   "Retry-After: 1\r\n");
}

static void reply_too_big(http_request *req)
{
    api_reply_error(req, 413, "too_large", NULL,
                    "the export would hold more than %d rows: ask for one region", XTABLE_MAX_ROWS);
}

static void export_done(uv_work_t *w, int status)
{
    export_job *j = w->data;
    next(w->loop);
    if (status < 0 || j->rc < 0) {
        if (j->rc == KENES_ETOOBIG) {
            reply_too_big(j->req);
        } else {
            log_warn("export", "%s.%s cannot be made (%s)", export_list_names[j->ask.list],
                     j->xlsx ? "xlsx" : "csv", kenes_strerror(j->rc));
            api_reply_error(j->req, 500, "export", NULL, "the export cannot be made now");
        }
        export_job_free(j);
        return;
    }
    util_buf h;
    util_buf_init(&h);
    util_buf_puts(&h, api_security_headers);
    char name[600], ascii[200];
    snprintf(name, sizeof(name), "%s.%s", j->name, j->xlsx ? "xlsx" : "csv");
    snprintf(ascii, sizeof(ascii), "%s.%s", j->ascii, j->xlsx ? "xlsx" : "csv");
    http_content_disposition_as(&h, ascii, name);
    char *headers = util_buf_detach(&h, NULL);
    http_respond(j->req, 200,
                 j->xlsx ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                         : "text/csv; charset=utf-8; header=present",
                 headers, j->out, j->out_len);
    free(headers);
    export_job_free(j);
}

/* "plans.csv" into *list and *xlsx: 0, or answered 404. */
static int parse_name(http_request *req, const char *name, export_list *list, int *xlsx)
{
    const char *dot = strrchr(name, '.');
    size_t n = dot ? (size_t)(dot - name) : strlen(name);
    int found = -1;
    for (int i = 0; i < 3; i++)
        if (strlen(export_list_names[i]) == n && strncmp(name, export_list_names[i], n) == 0)
            found = i;
    if (found < 0) {
        api_reply_error(req, 404, "not_found", NULL,
                        "no such export: plans, rosters or cases, as .csv or .xlsx");
        return KENES_ENOTFOUND;
    }
    if (!dot || (strcmp(dot, ".csv") != 0 && strcmp(dot, ".xlsx") != 0)) {
        api_reply_error(req, 404, "unknown_format", NULL,
                        "an export is made as .csv or .xlsx");
        return KENES_ENOTFOUND;
    }
    *list = (export_list)found;
    *xlsx = strcmp(dot, ".xlsx") == 0;
    return 0;
}

/* The reader of a route open to anyone: NULL without a token; a token that
 * is no session's is refused (401) rather than read as no one. */
static int reader(api_call *c, const auth_user **u)
{
    *u = NULL;
    if (!http_request_header(c->req, "Authorization"))
        return 0;
    const char *h = http_request_header(c->req, "Authorization");
    if (http_request_header_count(c->req, "Authorization") == 1 && strncmp(h, "Bearer ", 7) == 0)
        *u = auth_session(c->ctx->auth, h + 7);
    if (*u)
        return 0;
    api_reply_error(c->req, 401, "unauthorized", NULL,
                    "a valid bearer token is required (POST /api/v1/sessions)");
    return KENES_EUNAUTHORIZED;
}

/* edition=current: the reader may list the type, and a role of one region
 * asks for that region (its own, by default).  0, or the refusal answered. */
static int current_allowed(api_call *c, const auth_user *u, export_ask *a, const char *type)
{
    if (!u) {
        api_reply_error(c->req, 401, "unauthorized", NULL,
                        "edition=current needs a bearer token (POST /api/v1/sessions)");
        return KENES_EUNAUTHORIZED;
    }
    const wf_workflow *wf = wf_set_find(c->svc->workflows, type);
    if (u->region && !a->region)
        a->region = u->region;
    if (!wf || (u->region && strcmp(a->region, u->region) != 0) ||
        !access_doc(u, wf, ACCESS_DOC_LIST, a->region, NULL, 0)) {
        api_reply_error(c->req, 403, "forbidden", NULL,
                        "the current edition is exported to its own region and the ministry "
                        "only; the edition in force is public");
        return KENES_EFORBIDDEN;
    }
    return 0;
}

void api_exports(api_call *c)
{
    http_request *req = c->req;
    publisher *pub = c->ctx->pub;
    export_ask a = {0};
    int xlsx;
    const auth_user *u;
    char region[32], lang[16], edition[16], today[32];
    if (parse_name(req, c->path + strlen("/api/v1/exports/"), &a.list, &xlsx) < 0 ||
        reader(c, &u) < 0)
        return;
    int hr = http_query(req, "region", region, sizeof(region));
    int hl = http_query(req, "lang", lang, sizeof(lang));
    int he = http_query(req, "edition", edition, sizeof(edition));
    if (hr < 0 || hl < 0 || he < 0 ||
        (he && strcmp(edition, "current") != 0 && strcmp(edition, "in-force") != 0)) {
        api_reply_error(req, 400, "bad_request", NULL,
                        "region is a region's code, lang ru, kk or en, edition in-force or current");
        return;
    }
    if (hr && !region_find(region)) {
        api_reply_error(req, 404, "region_unknown", NULL, "no such region");
        return;
    }
    a.region = hr ? region : NULL;
    a.current = he && strcmp(edition, "current") == 0;
    a.reader = u;
    a.lang = (int)ui_lang_choose(hl ? lang : NULL, NULL, http_request_header(req, "Accept-Language"));
    if (a.list == EXPORT_CASES && (a.current || a.region)) {
        api_reply_error(req, 400, "bad_request", NULL,
                        "the case releases are exported whole, as published");
        return;
    }
    if (a.current && current_allowed(c, u, &a, a.list == EXPORT_PLANS ? "regional-plan"
                                                                         : "commission-roster") < 0)
        return;
    if (running && nwaiting == EXPORT_WAITING) {
        reply_busy(req);
        return;
    }
    export_job *j = calloc(1, sizeof(*j));
    if (!j) {
        api_reply_error(req, 500, "internal", NULL, "out of memory");
        return;
    }
    j->work.data = j;
    j->req = req;
    j->words = &pub->words;
    j->ask = a;
    j->ask.region = NULL; /* the names are made now; the job reads no query */
    j->xlsx = xlsx;
    const char *tmp = getenv("TMPDIR");
    snprintf(j->tmpdir, sizeof(j->tmpdir), "%s", tmp && *tmp ? tmp : "/tmp");
    util_format_rfc3339(today, sizeof(today), util_now_ms());
    today[10] = '\0';
    export_file_names(j->name, sizeof(j->name), j->ascii, sizeof(j->ascii), &pub->words, &a,
                      today);
    if (a.list == EXPORT_CASES) {
        const char *key = a.lang == REPORT_KK ? "kk/cases.md" : a.lang == REPORT_EN ? "en/cases.md"
                                                                                    : "cases.md";
        const json_t *text = json_object_get(pub->reports, key);
        size_t len = json_string_length(text);
        if ((j->md = malloc(len + 1)))
            memcpy(j->md, text ? json_string_value(text) : "", len + 1);
        j->md_len = len;
        j->rc = j->md ? 0 : KENES_ENOMEM;
    } else {
        j->rc = export_docs_table(&j->table, pub, &a);
    }
    if (j->rc == KENES_ETOOBIG) {
        reply_too_big(req);
        export_job_free(j);
    } else if (j->rc < 0 || (j->rc = start(j, c->svc->loop)) < 0) {
        if (j->rc == KENES_EBUSY)
            reply_busy(req);
        else if (j->rc == KENES_EIO) /* a history not read (export_docs.c logged whose) */
            api_reply_error(req, 500, "storage", NULL, "the export cannot be made now");
        else
            api_reply_error(req, 500, "internal", NULL, "the export cannot be made now");
        export_job_free(j);
    }
}
