#include "audit/feed.h"

#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "kenes/plugin.h"
#include "storage/journal_tail.h"

/* Made with the first cursor: only this process's cursors verify, which is
 * the promise (a cursor lasts until a restart). */
static unsigned char cursor_key[crypto_auth_KEYBYTES];
static int cursor_key_made;

enum { CURSOR_POS = 2 * 8 };

static void make_cursor(char *out, size_t cap, const uint64_t pos[2])
{
    unsigned char raw[CURSOR_POS + crypto_auth_BYTES];
    if (!cursor_key_made) {
        crypto_auth_keygen(cursor_key);
        cursor_key_made = 1;
    }
    for (int r = 0; r < 2; r++)
        for (int i = 0; i < 8; i++)
            raw[8 * r + i] = (unsigned char)(pos[r] >> (8 * i));
    crypto_auth(raw + CURSOR_POS, raw, CURSOR_POS, cursor_key);
    sodium_bin2base64(out, cap, raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* 0 and pos for a cursor this server made; KENES_EINVAL otherwise.  Whether
 * pos is still a line's start in each journal is the pool's to say. */
static int read_cursor(const char *text, uint64_t pos[2])
{
    unsigned char raw[CURSOR_POS + crypto_auth_BYTES];
    size_t len;
    if (!cursor_key_made ||
        sodium_base642bin(raw, sizeof(raw), text, strlen(text), NULL, &len, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        len != sizeof(raw) || crypto_auth_verify(raw + CURSOR_POS, raw, CURSOR_POS, cursor_key) != 0)
        return KENES_EINVAL;
    for (int r = 0; r < 2; r++) {
        pos[r] = 0;
        for (int i = 0; i < 8; i++)
            pos[r] |= (uint64_t)raw[8 * r + i] << (8 * i);
    }
    return 0;
}

/* A line the pool found for the page, and where the journals stand once
 * it is taken (the cursor, should the page end with it). */
typedef struct feed_got {
    journal_line line;
    int repo;
    uint64_t after[2];
} feed_got;

typedef struct feed_job {
    uv_work_t work;
    uv_loop_t *loop;
    const doc_index *ix;
    char *paths[2];
    uint64_t start[2];
    /* The pool's between steps (the loop leaves them alone): each journal
     * read back, and its newest line not taken yet (the merge's head). */
    journal_tail tail[2];
    journal_line head[2];
    int has_head[2];
    int opened;
    int done; /* nothing older can be in the page: both read, or since passed */
    /* The query; the pool reads user, action and the times, the loop type and region. */
    char *user, *action, *type, *region;
    int64_t since_ms, until_ms;
    size_t limit, step;
    /* One step's lines (at most want) and its outcome, for the loop. */
    feed_got *got;
    size_t ngot, want;
    int rc;
    json_t *events;
    unsigned steps;
    audit_feed_cb cb;
    void *payload;
} feed_job;

static int matches(const char *want, const char *value)
{
    return !want || (value && strcmp(want, value) == 0);
}

static void job_free(feed_job *j)
{
    for (int r = 0; r < 2; r++) {
        journal_tail_close(&j->tail[r]);
        journal_line_dispose(&j->head[r]);
        free(j->paths[r]);
    }
    for (size_t i = 0; i < j->ngot; i++)
        journal_line_dispose(&j->got[i].line);
    free(j->got);
    free(j->user);
    free(j->action);
    free(j->type);
    free(j->region);
    json_decref(j->events);
    free(j);
}

/*
 * The next lines of the merge, newest first, that pass the filters the
 * lines alone can judge, until want are found, the journals' starts (or a
 * line older than since) are reached, or the step's budget is spent.  At
 * the same time a case's line comes before a plan's: the order the index
 * kept (documents loaded first, sorted stably by time) read backwards.
 */
static int gather(feed_job *j, size_t *budget)
{
    while (j->ngot < j->want) {
        for (int r = 0; r < 2; r++) {
            if (j->has_head[r])
                continue;
            int rc = journal_tail_prev(&j->head[r], &j->tail[r], budget);
            if (rc == JOURNAL_TAIL_PAUSE)
                return 0;
            if (rc < 0)
                return rc;
            j->has_head[r] = rc == 1;
        }
        if (!j->has_head[0] && !j->has_head[1]) {
            j->done = 1;
            return 0;
        }
        int r = j->has_head[1] && (!j->has_head[0] || j->head[1].time_ms >= j->head[0].time_ms);
        journal_line line = j->head[r];
        memset(&j->head[r], 0, sizeof(j->head[r]));
        j->has_head[r] = 0;
        if (j->since_ms >= 0 && line.time_ms < j->since_ms) {
            journal_line_dispose(&line); /* in time order: nothing older can match */
            j->done = 1;
            return 0;
        }
        if ((j->until_ms >= 0 && line.time_ms > j->until_ms) || !matches(j->user, line.author) ||
            !matches(j->action, line.action)) {
            journal_line_dispose(&line);
            continue;
        }
        feed_got *g = &j->got[j->ngot++];
        g->line = line;
        g->repo = r;
        for (int q = 0; q < 2; q++)
            g->after[q] = j->has_head[q] ? j->head[q].end : j->tail[q].end;
    }
    return 0;
}

/* On the pool: the journals only, never the index. */
static void feed_work(uv_work_t *w)
{
    feed_job *j = w->data;
    j->rc = 0;
    for (int r = 0; r < 2 && !j->opened && j->rc == 0; r++)
        j->rc = journal_tail_open(&j->tail[r], j->paths[r], j->start[r]);
    if (j->rc < 0)
        return;
    j->opened = 1;
    size_t budget = j->step;
    j->rc = gather(j, &budget);
}

static void finish(feed_job *j, int rc, const uint64_t *after)
{
    json_t *page = NULL;
    if (rc == 0) {
        page = json_pack("{s:O}", "events", j->events);
        if (after && (after[0] || after[1])) {
            char next[128];
            make_cursor(next, sizeof(next), after);
            json_object_set_new(page, "cursor", json_string(next));
        } else {
            json_object_set_new(page, "cursor", json_null());
        }
        if (!page)
            rc = KENES_ENOMEM;
    }
    j->cb(rc, page, j->steps, j->payload);
    job_free(j);
}

/* A line's change as the feed shows it, if its document is one the index
 * holds in that repository (as the index passed over the others) and its
 * type and region are those asked for.  0 or KENES_ENOMEM. */
static int show(feed_job *j, const feed_got *g)
{
    const journal_line *l = &g->line;
    const idx_doc *d = index_get(j->ix, l->document);
    if (!d || d->repo != g->repo)
        return 0;
    const char *dtype = index_doc_type(d), *dregion = index_doc_region(d);
    if (!matches(j->type, dtype) || !matches(j->region, dregion))
        return 0;
    char when[32];
    util_format_rfc3339(when, sizeof(when), l->time_ms);
    /* Who, when, what kind of step: never a comment, which may quote a case. */
    json_t *e = json_pack("{s:s, s:s, s:s, s:s?, s:s, s:s, s:s?, s:s?, s:s, s:s?}", "commit",
                          l->commit, "time", when, "user", l->author, "role", l->role,
                          "action", l->action, "document", d->id, "type", dtype, "region",
                          dregion, "to", l->to, "from", l->from);
    return e && json_array_append_new(j->events, e) == 0 ? 0 : KENES_ENOMEM;
}

/* On the loop: the step's lines filtered by their documents; the page
 * answered when full or when nothing is left, else the next step. */
static void feed_done(uv_work_t *w, int status)
{
    feed_job *j = w->data;
    j->steps++;
    int rc = status < 0 ? KENES_EIO : j->rc;
    const uint64_t *full = NULL;
    for (size_t i = 0; rc == 0 && !full && i < j->ngot; i++) {
        rc = show(j, &j->got[i]);
        if (json_array_size(j->events) == j->limit)
            full = j->got[i].after;
    }
    if (rc < 0 || full || j->done) {
        uint64_t after[2] = {0, 0};
        if (full)
            memcpy(after, full, sizeof(after));
        finish(j, rc, full ? after : NULL);
        return;
    }
    for (size_t i = 0; i < j->ngot; i++)
        journal_line_dispose(&j->got[i].line);
    j->ngot = 0;
    j->want = j->limit - json_array_size(j->events);
    if (uv_queue_work(j->loop, &j->work, feed_work, feed_done) != 0)
        finish(j, KENES_EIO, NULL);
}

static int copy(char **out, const char *s)
{
    *out = s ? strdup(s) : NULL;
    return s && !*out ? KENES_ENOMEM : 0;
}

int audit_feed_start(uv_loop_t *loop, const doc_index *ix, const char *const journals[2],
                     const audit_feed_query *q, audit_feed_cb cb, void *payload)
{
    if (q->limit < 1 || q->limit > AUDIT_FEED_MAX_PAGE)
        return KENES_EINVAL;
    uint64_t start[2] = {JOURNAL_TAIL_END, JOURNAL_TAIL_END};
    if (q->cursor && read_cursor(q->cursor, start) < 0)
        return KENES_EINVAL;
    feed_job *j = calloc(1, sizeof(*j));
    if (!j)
        return KENES_ENOMEM;
    j->work.data = j;
    j->loop = loop;
    j->ix = ix;
    memcpy(j->start, start, sizeof(start));
    j->since_ms = q->since_ms;
    j->until_ms = q->until_ms;
    j->limit = j->want = q->limit;
    j->step = q->step_bytes ? q->step_bytes : AUDIT_FEED_STEP;
    j->cb = cb;
    j->payload = payload;
    int rc = copy(&j->paths[0], journals[0]);
    rc = rc ? rc : copy(&j->paths[1], journals[1]);
    rc = rc ? rc : copy(&j->user, q->user);
    rc = rc ? rc : copy(&j->action, q->action);
    rc = rc ? rc : copy(&j->type, q->type);
    rc = rc ? rc : copy(&j->region, q->region);
    if (rc == 0 && (!(j->got = calloc(q->limit, sizeof(*j->got))) || !(j->events = json_array())))
        rc = KENES_ENOMEM;
    if (rc == 0 && uv_queue_work(loop, &j->work, feed_work, feed_done) != 0)
        rc = KENES_EIO;
    if (rc < 0)
        job_free(j);
    return rc;
}
