/*
 * The audit feed: every change to every document, newest first, a page at
 * a time, read from the history journals (storage/journal.h: one line per
 * version, the repository's order) on the thread pool, backwards from
 * their ends or from the cursor, the two repositories merged by time.
 * What a change shows is who, when and what kind of step, never a comment
 * (which may quote a case); its document's type and region come from the
 * loop's index.
 *
 * A page ends with a cursor: the two journals' byte offsets where it
 * stopped, authenticated with a key made when the first cursor is, so it
 * cannot be forged or edited, and lasts until a restart.  The journals
 * only grow, so a cursor stays good while versions are appended.
 *
 * What the journals do not hold is not in the feed: a version whose line
 * the writer could not append yet (store_write.c keeps it and appends it
 * with the next batch) appears once it is written.  A line the writer
 * appended whose commit the loop has not recorded yet may appear: it is
 * durable.
 */
#ifndef KENES_AUDIT_FEED_H
#define KENES_AUDIT_FEED_H

#include <jansson.h>
#include <stdint.h>
#include <uv.h>

#include "storage/index.h"

enum { AUDIT_FEED_PAGE = 50, AUDIT_FEED_MAX_PAGE = 500 };
/* Journal bytes one pool step reads at most (and a line's rest): a rare
 * filter's page is read in several steps and holds no pool thread long. */
enum { AUDIT_FEED_STEP = 64 * 1024 };

/* Which changes: a NULL string, or a time of -1, asks for any. */
typedef struct audit_feed_query {
    const char *user, *action, *type, *region;
    int64_t since_ms, until_ms;
    const char *cursor; /* where the page before ended, or NULL: the newest */
    size_t limit;       /* 1 to AUDIT_FEED_MAX_PAGE */
    size_t step_bytes;  /* 0: AUDIT_FEED_STEP (smaller for tests) */
} audit_feed_query;

/* On the loop, once: rc 0 with *page {"events":[...], "cursor": the next
 * page's, or null} (a new reference, the callee's), KENES_EINVAL when the
 * cursor points past a journal's end or into a line, KENES_EIO or
 * KENES_ENOMEM (page NULL).  steps: the pool steps the page took. */
typedef void (*audit_feed_cb)(int rc, json_t *page, unsigned steps, void *payload);

/*
 * Start the page for q: the journals at journals[0] (documents) and
 * journals[1] (cases), as REPO_* numbers them; q is copied.  0, and cb
 * comes later; KENES_EINVAL (nothing started, cb never called) when the
 * cursor is not one this server gave or the limit is out of range;
 * KENES_ENOMEM, KENES_EIO.  ix must outlive the page.
 */
int audit_feed_start(uv_loop_t *loop, const doc_index *ix, const char *const journals[2],
                     const audit_feed_query *q, audit_feed_cb cb, void *payload);

#endif
