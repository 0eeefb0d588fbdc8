/*
 * The audit feed: every change to every document, newest first, read from
 * the index (which holds the commits' trailers), a page at a time.  What a
 * change shows is who, when and what kind of step, never a comment (which
 * may quote a case).
 *
 * A page ends with a cursor, the position to continue from, authenticated
 * with a key made when the first cursor is: a cursor cannot be forged or
 * edited, and lasts until a restart.
 */
#ifndef KENES_AUDIT_FEED_H
#define KENES_AUDIT_FEED_H

#include <jansson.h>
#include <stdint.h>

#include "storage/index.h"

enum { AUDIT_FEED_PAGE = 50, AUDIT_FEED_MAX_PAGE = 500 };

/* Which changes: a NULL string, or a time of -1, asks for any. */
typedef struct audit_feed_query {
    const char *user, *action, *type, *region;
    int64_t since_ms, until_ms;
    const char *cursor; /* where the page before ended, or NULL: the newest */
    size_t limit;       /* 1 to AUDIT_FEED_MAX_PAGE */
} audit_feed_query;

/*
 * One page: *out {"events":[...], "cursor": the next page's, or null} (new
 * reference).  0, or KENES_EINVAL when the cursor is not one this server
 * gave (or points past the end), or the limit is out of range.
 */
int audit_feed_page(json_t **out, const doc_index *ix, const audit_feed_query *q);

#endif
