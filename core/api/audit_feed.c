/*
 * GET /api/v1/audit?since=&until=&user=&action=&type=&region=&cursor=
 * The audit feed: every change to every document, newest first, read from
 * the index (which holds the commits' trailers), a page at a time.  The
 * cursor is the position to continue from, authenticated with a key made at
 * start, so a cursor cannot be forged or edited (it lasts until a restart).
 */
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/call.h"
#include "base/util.h"

#define FEED_PAGE 50
#define FEED_MAX_PAGE 500

static unsigned char cursor_key[crypto_auth_KEYBYTES];
static int cursor_key_made;

static void make_cursor(char *out, size_t cap, uint64_t pos)
{
    unsigned char raw[8 + crypto_auth_BYTES];
    if (!cursor_key_made) {
        crypto_auth_keygen(cursor_key);
        cursor_key_made = 1;
    }
    for (int i = 0; i < 8; i++)
        raw[i] = (unsigned char)(pos >> (8 * i));
    crypto_auth(raw + 8, raw, 8, cursor_key);
    sodium_bin2base64(out, cap, raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* 0 and *pos for a cursor this server made; KENES_EINVAL otherwise. */
static int read_cursor(const char *text, uint64_t *pos)
{
    unsigned char raw[8 + crypto_auth_BYTES];
    size_t len;
    if (!cursor_key_made ||
        sodium_base642bin(raw, sizeof(raw), text, strlen(text), NULL, &len, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        len != sizeof(raw) || crypto_auth_verify(raw + 8, raw, 8, cursor_key) != 0)
        return KENES_EINVAL;
    *pos = 0;
    for (int i = 0; i < 8; i++)
        *pos |= (uint64_t)raw[i] << (8 * i);
    return 0;
}

static int matches(const char *want, int has, const char *value)
{
    return !has || (value && strcmp(want, value) == 0);
}

void api_audit_feed(api_call *c)
{
    http_request *req = c->req;
    doc_index *ix = c->svc->index;
    char user[128], action[64], type[128], region[32], cursor[128], limit_s[16];
    int64_t since, until;
    int hu = api_query(req, "user", user, sizeof(user));
    int ha = api_query(req, "action", action, sizeof(action));
    int ht = api_query(req, "type", type, sizeof(type));
    int hr = api_query(req, "region", region, sizeof(region));
    int hc = api_query(req, "cursor", cursor, sizeof(cursor));
    int hl = api_query(req, "limit", limit_s, sizeof(limit_s));
    if (hu < 0 || ha < 0 || ht < 0 || hr < 0 || hc < 0 || hl < 0) {
        api_reply_error(req, 400, "bad_request", NULL, "a query parameter is malformed");
        return;
    }
    if (api_time_param(req, "since", &since) < 0 || api_time_param(req, "until", &until) < 0)
        return;
    long limit = hl ? strtol(limit_s, NULL, 10) : FEED_PAGE;
    if (limit < 1 || limit > FEED_MAX_PAGE) {
        api_reply_error(req, 400, "bad_request", NULL, "limit must be 1 to %d", FEED_MAX_PAGE);
        return;
    }
    uint64_t start = index_event_count(ix);
    if (hc && (read_cursor(cursor, &start) < 0 || start > index_event_count(ix))) {
        api_reply_error(req, 400, "bad_cursor", NULL, "the cursor is not one this server gave");
        return;
    }
    json_t *events = json_array();
    uint64_t pos = start;
    while (pos > 0 && json_array_size(events) < (size_t)limit) {
        const idx_event *e = index_event_at(ix, --pos);
        const idx_version *v = &e->doc->versions[e->version];
        const char *dtype = json_string_value(json_object_get(e->doc->doc, "type"));
        const char *dregion = json_string_value(json_object_get(e->doc->doc, "region"));
        if (since >= 0 && v->time_ms < since) {
            pos = 0; /* events are in time order: nothing older can match */
            break;
        }
        if ((until >= 0 && v->time_ms > until) ||
            !matches(user, hu, v->author) || !matches(action, ha, v->action) ||
            !matches(type, ht, dtype) || !matches(region, hr, dregion))
            continue;
        char when[32];
        util_format_rfc3339(when, sizeof(when), v->time_ms);
        /* Who, when, what kind of step: never a comment, which may quote a case. */
        json_array_append_new(
            events, json_pack("{s:s, s:s, s:s, s:s?, s:s, s:s, s:s?, s:s?, s:s, s:s?}", "commit",
                              v->commit, "time", when, "user", v->author, "role", v->role,
                              "action", v->action, "document", e->doc->id, "type", dtype,
                              "region", dregion, "to", v->to, "from", v->from));
    }
    json_t *out = json_pack("{s:o}", "events", events);
    if (pos > 0) {
        char next[128];
        make_cursor(next, sizeof(next), pos);
        json_object_set_new(out, "cursor", json_string(next));
    } else {
        json_object_set_new(out, "cursor", json_null());
    }
    api_reply_json(req, 200, out, NULL);
}
