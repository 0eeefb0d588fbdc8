/*
 * GET /api/v1/audit?since=&until=&user=&action=&type=&region=&cursor=&limit=
 * The audit feed (audit/feed.h): this handler reads the query, starts the
 * page (read from the journals on the thread pool) and answers it.
 */
#include <stdlib.h>

#include "api/call.h"
#include "audit/feed.h"
#include "docs/datadir.h"

static void bad_cursor(http_request *req)
{
    api_reply_error(req, 400, "bad_cursor", NULL, "the cursor is not one this server gave");
}

/* The page, on the loop: the cursor's positions are checked against the
 * journals on the pool, so a cursor into a line or past an end ends here. */
static void feed_answer(int rc, json_t *page, unsigned steps, void *payload)
{
    http_request *req = payload;
    (void)steps;
    if (rc == KENES_EINVAL)
        bad_cursor(req);
    else if (rc < 0)
        api_reply_error(req, 500, "internal", NULL, "the history journal cannot be read");
    else
        api_reply_json(req, 200, page, NULL);
}

void api_audit_feed(api_call *c)
{
    http_request *req = c->req;
    char user[128], action[64], type[128], region[32], cursor[128], limit_s[16];
    int hu = http_query(req, "user", user, sizeof(user));
    int ha = http_query(req, "action", action, sizeof(action));
    int ht = http_query(req, "type", type, sizeof(type));
    int hr = http_query(req, "region", region, sizeof(region));
    int hc = http_query(req, "cursor", cursor, sizeof(cursor));
    int hl = http_query(req, "limit", limit_s, sizeof(limit_s));
    if (hu < 0 || ha < 0 || ht < 0 || hr < 0 || hc < 0 || hl < 0) {
        api_reply_error(req, 400, "bad_request", NULL, "a query parameter is malformed");
        return;
    }
    audit_feed_query q = {hu ? user : NULL, ha ? action : NULL, ht ? type : NULL,
                          hr ? region : NULL, -1, -1, hc ? cursor : NULL, AUDIT_FEED_PAGE, 0};
    if (api_time_param(req, "since", &q.since_ms) < 0 ||
        api_time_param(req, "until", &q.until_ms) < 0)
        return;
    long limit = hl ? strtol(limit_s, NULL, 10) : AUDIT_FEED_PAGE;
    if (limit < 1 || limit > AUDIT_FEED_MAX_PAGE) {
        api_reply_error(req, 400, "bad_request", NULL, "limit must be 1 to %d",
                        AUDIT_FEED_MAX_PAGE);
        return;
    }
    q.limit = (size_t)limit;
    /* KENES_TEST_FEED_STEP=N (a test knob): steps of N journal bytes, so
     * that a test sees a rare filter's page read in several. */
    const char *step = getenv("KENES_TEST_FEED_STEP");
    q.step_bytes = step && atoi(step) > 0 ? (size_t)atoi(step) : 0;
    char paths[2][4096];
    datadir_journal_path(paths[0], sizeof(paths[0]), c->svc->cfg->data_dir, REPO_DOCUMENTS);
    datadir_journal_path(paths[1], sizeof(paths[1]), c->svc->cfg->data_dir, REPO_CASES);
    const char *const journals[2] = {paths[0], paths[1]};
    int rc = audit_feed_start(c->svc->loop, c->svc->index, journals, &q, feed_answer, req);
    if (rc == KENES_EINVAL)
        bad_cursor(req);
    else if (rc < 0)
        api_reply_error(req, 500, "internal", NULL, "cannot start the audit feed");
}
