#include "cmd/replica.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/log.h"
#include "base/util.h"
#include "cmd/verify.h"
#include "docs/datadir.h"
#include "docs/docs.h"
#include "storage/journal.h"
#include "storage/store.h"

/* How often main is looked at: a look is one ref read on the pool. */
#define REPLICA_POLL_MS 1000
/* The most commits one step takes (their documents are held until applied). */
#define REPLICA_STEP_COMMITS 1000

struct replica {
    docs_service *svc;
    const config *cfg;
    store *fs; /* the follower's own store: only its pool job uses it */
    uv_timer_t timer;
    int timer_open, running, closing;
    int stopped;        /* following stopped for good (until a restart) */
    char stop_why[700]; /* why, as the log said it */
    char last_fault[700]; /* the last passing fault logged, so it is said once */
    char last[STORE_OID_HEX]; /* the last commit taken ("" none) */
    char judged[STORE_OID_HEX], good[STORE_OID_HEX], fault[700]; /* follow_job's */
    int64_t moved_ms;         /* when main was last found moved (start: the start) */
    char journal[4096];
    size_t step; /* the most commits a step takes */
};

enum outcome {
    FOLLOW_SAME,      /* main did not move */
    FOLLOW_MOVED,     /* commits taken */
    FOLLOW_BAD,       /* a commit failed the rules: those before it taken, then stop */
    FOLLOW_REWRITTEN, /* main no longer holds the last commit taken: stop */
    FOLLOW_FAILED,    /* could not look (git, the disk): tried again at the next tick */
};

typedef struct follow_job {
    uv_work_t work;
    replica *r;
    char since[STORE_OID_HEX];
    char until[STORE_OID_HEX]; /* the last commit taken by this job */
    /* The replica's judgement, carried in and back: the head judged last,
     * the last good commit up to it, why the one after it is not good. */
    char judged[STORE_OID_HEX], good[STORE_OID_HEX], fault[700];
    int more; /* commits judged good remain after until: the next step at once */
    enum outcome outcome;
    char why[700];
    doc_index *got; /* the versions taken, in order (its events); NULL: none */
    json_t **docs;  /* each event's document at its version */
    size_t *lens;
    size_t n;
} follow_job;

int replica_new(replica **out, docs_service *svc, const config *cfg)
{
    char path[4096];
    replica *r = calloc(1, sizeof(*r));
    *out = NULL;
    if (!r)
        return KENES_ENOMEM;
    r->svc = svc;
    r->cfg = cfg;
    r->moved_ms = util_now_ms();
    /* KENES_TEST_REPLICA_STEP=N (a test knob): steps of N commits, so that
     * a test sees a replica far behind catch up in several. */
    const char *step = getenv("KENES_TEST_REPLICA_STEP");
    r->step = step && atoi(step) > 0 ? (size_t)atoi(step) : REPLICA_STEP_COMMITS;
    datadir_journal_path(r->journal, sizeof(r->journal), cfg->data_dir, REPO_DOCUMENTS);
    util_path(path, sizeof(path), cfg->data_dir, datadir_repo_names[REPO_DOCUMENTS]);
    int rc = store_open(&r->fs, svc->loop, path, cfg->committer_name, cfg->committer_email);
    if (rc < 0) {
        free(r);
        return rc;
    }
    *out = r;
    return 0;
}

int replica_unseen(const char *since, char *err, size_t errcap, void *payload)
{
    (void)err;
    (void)errcap;
    replica *r = payload;
    snprintf(r->last, sizeof(r->last), "%s", since ? since : "");
    return 1;
}

/* The versions journal_follow recorded, each document read at its version. */
static int read_docs(follow_job *j)
{
    char err[600];
    j->n = index_event_count(j->got);
    j->docs = calloc(j->n ? j->n : 1, sizeof(*j->docs));
    j->lens = calloc(j->n ? j->n : 1, sizeof(*j->lens));
    if (!j->docs || !j->lens)
        return KENES_ENOMEM;
    for (size_t i = 0; i < j->n; i++) {
        const idx_event *e = index_event_at(j->got, i);
        const idx_version *v = &e->doc->versions[e->version];
        /* No case keys here: documents.git holds nothing sealed. */
        int rc = datadir_read_doc(&j->docs[i], &j->lens[i], j->r->fs, NULL, e->doc->id,
                                  v->commit, v->commit, err, sizeof(err));
        if (rc < 0) {
            snprintf(j->why, sizeof(j->why), "%s: %s", e->doc->id, err);
            return rc;
        }
    }
    return 0;
}

/* Take the commits after since up to until: read, then journaled. */
static int take(follow_job *j)
{
    const char *since = j->since[0] ? j->since : NULL;
    util_buf lines;
    util_buf_init(&lines);
    int rc = index_new(&j->got);
    if (rc == 0 && (rc = journal_follow(j->got, &lines, j->r->fs, REPO_DOCUMENTS, since,
                                        j->until)) < 0)
        snprintf(j->why, sizeof(j->why), "cannot read the commits after %.12s: %s",
                 since ? since : "the start", kenes_strerror(rc));
    if (rc == 0)
        rc = read_docs(j);
    /* Journaled before the index has them: a stop in between is read
     * back from the journal at the next start. */
    if (rc == 0 && (rc = journal_append_lines(j->r->journal, &lines)) < 0)
        snprintf(j->why, sizeof(j->why), "cannot append to %.600s", j->r->journal);
    util_buf_dispose(&lines);
    return rc;
}

/* Stop the walk at the step's end (chunk_end). */
typedef struct chunk_ctx {
    const char *good;
    size_t n, most;
    char *out;
} chunk_ctx;

static int count_commit(const store_commit_info *c, void *payload)
{
    chunk_ctx *k = payload;
    snprintf(k->out, STORE_OID_HEX, "%s", c->commit);
    return ++k->n >= k->most || strcmp(c->commit, k->good) == 0;
}

/* *until: good, or the most-th commit after since if that comes first: a
 * replica far behind (a fresh one, a primary's whole history) takes it in
 * steps, each holding that many documents at most. */
static int chunk_end(char until[STORE_OID_HEX], store *s, const char *since, const char *good,
                     size_t most)
{
    chunk_ctx k = {good, 0, most, until};
    int rc = store_walk_since(s, since, count_commit, &k);
    return rc < 0 ? rc : 0;
}

/* Judge the commits after since up to head (verify_unseen), once per head:
 * j->judged, j->good (the last good one), j->fault (why the next is not). */
static int judge(follow_job *j, const char *since, const char *head)
{
    replica *r = j->r;
    docs_service *svc = r->svc;
    verify_finding f;
    /* The documents' versions before them are the index's: only this job
     * changes those, and it is not running on the loop now. */
    int rc = verify_unseen(&f, r->cfg, svc->plugins, svc->workflows, r->fs, svc->index,
                           REPO_DOCUMENTS, since);
    if (rc < 0) {
        snprintf(j->why, sizeof(j->why), "cannot check the commits after %.12s: %s",
                 since ? since : "the start", kenes_strerror(rc));
        return rc;
    }
    snprintf(j->judged, sizeof(j->judged), "%s", head);
    snprintf(j->good, sizeof(j->good), "%s", head);
    j->fault[0] = '\0';
    if (f.faults) {
        snprintf(j->fault, sizeof(j->fault), "commit %s is not one kenes made or accepted (%s)",
                 f.commit[0] ? f.commit : "(none: allowed_signers)", f.what);
        /* The good ones before it are served. */
        snprintf(j->good, sizeof(j->good), "%s",
                 f.commit[0] && f.parent[0] ? f.parent : j->since);
    }
    return 0;
}

/* On the pool: has main moved, and is what came good? */
static void follow_work(uv_work_t *w)
{
    follow_job *j = w->data;
    replica *r = j->r;
    const char *since = j->since[0] ? j->since : NULL;
    char head[STORE_OID_HEX];
    j->outcome = FOLLOW_FAILED; /* until known better */
    if (store_head(r->fs, head) < 0) {
        snprintf(j->why, sizeof(j->why), "cannot read main");
        return;
    }
    if (strcmp(head, j->since) == 0) {
        j->outcome = FOLLOW_SAME;
        return;
    }
    if (since && (!head[0] || store_contains(r->fs, since) != 1)) {
        j->outcome = FOLLOW_REWRITTEN;
        snprintf(j->why, sizeof(j->why), "main (now %.12s) no longer contains commit %s, the "
                 "last one this replica took: the primary's history was rewritten",
                 head[0] ? head : "gone", since);
        return;
    }
    if (strcmp(head, j->judged) != 0 && judge(j, since, head) < 0)
        return;
    if (strcmp(j->good, j->since) == 0) {
        j->outcome = j->fault[0] ? FOLLOW_BAD : FOLLOW_SAME;
        snprintf(j->why, sizeof(j->why), "%s", j->fault);
        return;
    }
    if (chunk_end(j->until, r->fs, since, j->good, r->step) < 0) {
        snprintf(j->why, sizeof(j->why), "cannot read the commits after %.12s",
                 since ? since : "the start");
        return;
    }
    if (take(j) < 0)
        return; /* nothing taken; looked at again */
    int last_step = strcmp(j->until, j->good) == 0;
    j->outcome = last_step && j->fault[0] ? FOLLOW_BAD : FOLLOW_MOVED;
    snprintf(j->why, sizeof(j->why), "%s", j->fault);
    j->more = !last_step;
}

static void job_free(follow_job *j)
{
    for (size_t i = 0; j->docs && i < j->n; i++)
        json_decref(j->docs[i]);
    free(j->docs);
    free(j->lens);
    index_free(j->got);
    free(j);
}

/* On the loop: the versions taken go into the index as the writer's do. */
static void apply(replica *r, follow_job *j)
{
    docs_service *svc = r->svc;
    for (size_t i = 0; i < j->n; i++) {
        const idx_event *e = index_event_at(j->got, i);
        const idx_version *v = &e->doc->versions[e->version];
        idx_doc *d = index_get(svc->index, e->doc->id);
        if (!d && index_add(&d, svc->index, e->doc->id) == 0)
            d->repo = REPO_DOCUMENTS;
        if (!d || d->repo != REPO_DOCUMENTS) {
            log_error("replica", "%s: version %.12s not taken (%s)", e->doc->id, v->commit,
                      d ? "a document of the other repository" : "out of memory");
            continue;
        }
        docs_committed(svc, d, v, j->docs[i], j->lens[i]);
        j->docs[i] = NULL;
    }
    memcpy(r->last, j->until, sizeof(r->last));
    r->moved_ms = util_now_ms();
    log_info("replica", "documents.git: main moved to %.12s; %zu version(s) taken", r->last,
             j->n);
}

static void on_tick(uv_timer_t *t);

static void follow_done(uv_work_t *w, int status)
{
    follow_job *j = w->data;
    replica *r = j->r;
    r->running = 0;
    if (status < 0 || r->closing) {
        job_free(j);
        return;
    }
    memcpy(r->judged, j->judged, sizeof(r->judged));
    memcpy(r->good, j->good, sizeof(r->good));
    memcpy(r->fault, j->fault, sizeof(r->fault));
    if (j->got && j->outcome != FOLLOW_FAILED)
        apply(r, j);
    int more = j->more && j->outcome == FOLLOW_MOVED;
    if (j->outcome == FOLLOW_BAD || j->outcome == FOLLOW_REWRITTEN) {
        r->stopped = 1;
        snprintf(r->stop_why, sizeof(r->stop_why), "%s", j->why);
        /* What mends it: the commit taken back out (the primary's next
         * push then goes on from the good one), or a replica made anew,
         * which judges the whole new history. */
        log_error("replica", "documents.git: %s; following stopped: what was taken before, up "
                  "to %.12s, is served, nothing after it. %s", j->why,
                  r->last[0] ? r->last : "nothing",
                  j->outcome == FOLLOW_BAD
                      ? "Set this repository's main back to the last good commit (git "
                        "update-ref), then restart the replica"
                      : "If the primary's history was rewritten on purpose, stop the replica, "
                        "remove its index folder and start it: it judges the new history "
                        "from its first commit");
    } else if (j->outcome == FOLLOW_FAILED && strcmp(j->why, r->last_fault) != 0) {
        snprintf(r->last_fault, sizeof(r->last_fault), "%s", j->why);
        log_warn("replica", "documents.git: %s; looking again every second", j->why);
    } else if (j->outcome != FOLLOW_FAILED) {
        r->last_fault[0] = '\0';
    }
    job_free(j);
    if (more) /* far behind: the next step now, not a second later */
        on_tick(&r->timer);
}

static void on_tick(uv_timer_t *t)
{
    replica *r = t->data;
    if (r->running || r->stopped || r->closing)
        return;
    follow_job *j = calloc(1, sizeof(*j));
    if (!j)
        return;
    j->r = r;
    j->work.data = j;
    memcpy(j->since, r->last, sizeof(j->since));
    memcpy(j->judged, r->judged, sizeof(j->judged));
    memcpy(j->good, r->good, sizeof(j->good));
    memcpy(j->fault, r->fault, sizeof(j->fault));
    if (uv_queue_work(r->svc->loop, &j->work, follow_work, follow_done) != 0) {
        free(j);
        return;
    }
    r->running = 1;
}

const char *replica_head(const replica *r)
{
    return r->last;
}

int replica_start(replica *r)
{
    if (uv_timer_init(r->svc->loop, &r->timer) != 0)
        return KENES_EIO;
    r->timer_open = 1;
    r->timer.data = r;
    /* The first look at once: a replica started behind catches up. */
    return uv_timer_start(&r->timer, on_tick, 0, REPLICA_POLL_MS) == 0 ? 0 : KENES_EIO;
}

void replica_stop(replica *r)
{
    if (!r || r->closing)
        return;
    r->closing = 1;
    if (r->timer_open) {
        uv_timer_stop(&r->timer);
        uv_close((uv_handle_t *)&r->timer, NULL);
    }
}

void replica_free(replica *r)
{
    if (!r)
        return;
    store_close(r->fs);
    free(r);
}

json_t *replica_json(int *ok, void *payload)
{
    replica *r = payload;
    const doc_index *ix = r->svc->index;
    size_t n = index_event_count(ix);
    char newest[32] = "";
    if (n) {
        const idx_event *e = index_event_at(ix, n - 1);
        util_format_rfc3339(newest, sizeof(newest), e->doc->versions[e->version].time_ms);
    }
    *ok = !r->stopped;
    json_t *j = json_pack("{s:s, s:b, s:s, s:s?, s:I}", "primary", r->cfg->replica_primary,
                          "following", !r->stopped, "head", r->last, "newest_commit",
                          newest[0] ? newest : NULL, "since_moved_s",
                          (json_int_t)((util_now_ms() - r->moved_ms) / 1000));
    if (j && r->stopped)
        json_object_set_new(j, "stopped", json_string(r->stop_why));
    return j;
}
