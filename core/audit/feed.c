#include "audit/feed.h"

#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "kenes/plugin.h"

/* Made with the first cursor: only this process's cursors verify, which is
 * the promise (a cursor lasts until a restart). */
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

static int matches(const char *want, const char *value)
{
    return !want || (value && strcmp(want, value) == 0);
}

int audit_feed_page(json_t **out, const doc_index *ix, const audit_feed_query *q)
{
    *out = NULL;
    if (q->limit < 1 || q->limit > AUDIT_FEED_MAX_PAGE)
        return KENES_EINVAL;
    uint64_t start = index_event_count(ix);
    if (q->cursor && (read_cursor(q->cursor, &start) < 0 || start > index_event_count(ix)))
        return KENES_EINVAL;
    json_t *events = json_array();
    uint64_t pos = start;
    while (pos > 0 && json_array_size(events) < q->limit) {
        const idx_event *e = index_event_at(ix, --pos);
        idx_version ev;
        if (index_event_version(&ev, e) < 0)
            continue;
        const idx_version *v = &ev;
        const char *dtype = index_doc_type(e->doc), *dregion = index_doc_region(e->doc);
        if (q->since_ms >= 0 && v->time_ms < q->since_ms) {
            pos = 0; /* events are in time order: nothing older can match */
            break;
        }
        if ((q->until_ms >= 0 && v->time_ms > q->until_ms) || !matches(q->user, v->author) ||
            !matches(q->action, v->action) || !matches(q->type, dtype) ||
            !matches(q->region, dregion))
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
    *out = json_pack("{s:o}", "events", events);
    if (pos > 0) {
        char next[128];
        make_cursor(next, sizeof(next), pos);
        json_object_set_new(*out, "cursor", json_string(next));
    } else {
        json_object_set_new(*out, "cursor", json_null());
    }
    return 0;
}
