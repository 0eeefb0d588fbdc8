/*
 * GET /api/v1/audit?since=&until=&user=&action=&type=&region=&cursor=&limit=
 * The audit feed (audit/feed.h): this handler reads the query, asks for the
 * page and answers it.
 */
#include <stdlib.h>

#include "api/call.h"
#include "audit/feed.h"

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
                          hr ? region : NULL, -1, -1, hc ? cursor : NULL, AUDIT_FEED_PAGE};
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
    json_t *page;
    if (audit_feed_page(&page, c->svc->index, &q) < 0)
        api_reply_error(req, 400, "bad_cursor", NULL, "the cursor is not one this server gave");
    else
        api_reply_json(req, 200, page, NULL);
}
