#include "cmd/replica.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/error.h"
#include "base/log.h"
#include "base/map.h"
#include "base/util.h"
#include "cmd/replica_case.h"
#include "cmd/verify.h"
#include "docs/datadir.h"
#include "docs/docs.h"
#include "storage/journal.h"
#include "storage/store.h"

/* How often main is looked at: a look is one ref read on the pool. */
#define REPLICA_POLL_MS 1000
/* The most commits one step takes (their documents are held until applied). */
#define REPLICA_STEP_COMMITS 1000
/* What a publication's commit says (publish/report.h). */
#define PUBLISH_TRAILER "\nKenes-Action: publish"

/* One repository followed: documents.git always; cases.git when DATA has
 * it, served with the case keys, or only listed (ids_only) without them. */
typedef struct follower {
    replica *r;
    int repo;
    int open;     /* followed at all */
    int ids_only; /* cases.git without keys: the ids, to answer 503 for */
    store *fs;    /* the follower's own store: only its pool job uses it */
    int stopped;        /* following stopped for good (until a restart) */
    char stop_why[700]; /* why, as the log said it */
    char last_fault[700]; /* the last passing fault logged, so it is said once */
    char last[STORE_OID_HEX]; /* the last commit taken ("" none) */
    char judged[STORE_OID_HEX], good[STORE_OID_HEX], fault[700]; /* follow_job's */
    char journal[4096];       /* "" for ids_only: nothing is journaled */
    replica_waits *waits;     /* cases served: those whose key file has not come */
} follower;

struct replica {
    docs_service *svc;
    const config *cfg;
    publisher *pub; /* told of the publications taken; may be NULL */
    uv_timer_t timer;
    int timer_open, running, closing;
    int again;        /* a step left commits behind: the next look at once */
    int64_t moved_ms; /* when a main was last found moved (start: the start) */
    int64_t newest_ms; /* the time of the version recorded last (the start: the newest loaded); -1 none */
    size_t step;      /* the most commits a step takes */
    follower f[2];    /* REPO_DOCUMENTS, REPO_CASES */
    map *withheld;    /* ids_only: the cases' ids (svc->cases_withheld) */
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
    follower *f;
    char since[STORE_OID_HEX];
    char until[STORE_OID_HEX]; /* the last commit taken by this job */
    /* The replica's judgement, carried in and back: the head judged last,
     * the last good commit up to it, why the one after it is not good. */
    char judged[STORE_OID_HEX], good[STORE_OID_HEX], fault[700];
    int more; /* commits judged good remain after until: the next step at once */
    int publishes; /* a commit taken publishes the reports */
    enum outcome outcome;
    char why[700];
    doc_index *got; /* a scratch index of the versions taken; NULL: none */
    journal_taken *taken; /* those versions in order (n of them) */
    json_t **docs;  /* each one's document at its version (documents.git) */
    replica_case *cases; /* each one's sealed file and key (cases.git) */
    size_t *lens;
    size_t n;
    json_t *reports; /* as the last commit taken left them, when one publishes */
    replica_wait_look *waits; /* the cases waiting for their key, looked for */
} follow_job;

static const char withheld_mark = 1;

int replica_has_case_keys(const char *data_dir)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/keys/cases", data_dir);
    DIR *dir = opendir(path);
    struct dirent *e;
    int found = 0;
    while (dir && !found && (e = readdir(dir)) != NULL) {
        size_t n = strlen(e->d_name);
        found = n > 4 && strcmp(e->d_name + n - 4, ".key") == 0;
    }
    if (dir)
        closedir(dir);
    return found;
}

static int follower_open(follower *f, replica *r, int repo, int ids_only)
{
    char path[4096];
    const config *cfg = r->cfg;
    f->r = r;
    f->repo = repo;
    f->ids_only = ids_only;
    if (!ids_only)
        datadir_journal_path(f->journal, sizeof(f->journal), cfg->data_dir, repo);
    util_path(path, sizeof(path), cfg->data_dir, datadir_repo_names[repo]);
    if (repo == REPO_CASES && access(path, F_OK) != 0)
        return 0; /* a replica of documents.git alone */
    int rc = store_open(&f->fs, r->svc->loop, path, cfg->committer_name, cfg->committer_email);
    f->open = rc == 0;
    return rc;
}

int replica_new(replica **out, docs_service *svc, const config *cfg, int serve_cases)
{
    replica *r = calloc(1, sizeof(*r));
    *out = NULL;
    if (!r)
        return KENES_ENOMEM;
    r->svc = svc;
    r->cfg = cfg;
    r->moved_ms = util_now_ms();
    r->newest_ms = -1;
    /* KENES_TEST_REPLICA_STEP=N (a test knob): steps of N commits, so that
     * a test sees a replica far behind catch up in several. */
    const char *step = getenv("KENES_TEST_REPLICA_STEP");
    r->step = step && atoi(step) > 0 ? (size_t)atoi(step) : REPLICA_STEP_COMMITS;
    int rc = follower_open(&r->f[REPO_DOCUMENTS], r, REPO_DOCUMENTS, 0);
    if (rc == 0)
        rc = follower_open(&r->f[REPO_CASES], r, REPO_CASES, !serve_cases);
    if (rc == 0 && !serve_cases && map_new(&r->withheld) < 0)
        rc = KENES_ENOMEM;
    if (rc == 0 && serve_cases && r->f[REPO_CASES].open)
        rc = replica_waits_new(&r->f[REPO_CASES].waits);
    if (rc < 0) {
        replica_free(r);
        return rc;
    }
    svc->cases_withheld = r->withheld;
    *out = r;
    return 0;
}

void replica_set_publisher(replica *r, publisher *pub)
{
    r->pub = pub;
}

/* The newest of the versions loaded: each document's head's time. */
static int newest_head(idx_doc *d, void *payload)
{
    int64_t *newest = payload;
    const idx_version *head = index_head(d);
    if (head && head->time_ms > *newest)
        *newest = head->time_ms;
    return 0;
}

int replica_loaded(replica *r)
{
    index_foreach(r->svc->index, newest_head, &r->newest_ms);
    follower *f = &r->f[REPO_CASES];
    int rc = f->waits ? replica_waits_seed(f->waits, r->svc) : 0;
    if (rc == 0 && replica_waits_count(f->waits))
        log_warn("replica", "cases.git: %zu case(s) have no key file here: each is served once "
                 "its file is copied into DATA/keys/cases/", replica_waits_count(f->waits));
    return rc;
}

void *replica_unseen_payload(replica *r, int repo)
{
    return &r->f[repo];
}

int replica_unseen(const char *since, char *err, size_t errcap, void *payload)
{
    (void)err;
    (void)errcap;
    follower *f = payload;
    snprintf(f->last, sizeof(f->last), "%s", since ? since : "");
    return 1;
}

/* The versions journal_follow recorded, each document read at its version:
 * documents.git's parsed, cases.git's as sealed (the loop opens them). */
static int read_docs(follow_job *j)
{
    char err[600];
    follower *f = j->f;
    if (f->ids_only)
        return 0; /* nothing of a case is read without its key */
    j->docs = calloc(j->n ? j->n : 1, sizeof(*j->docs));
    j->lens = calloc(j->n ? j->n : 1, sizeof(*j->lens));
    if (f->repo == REPO_CASES)
        j->cases = calloc(j->n ? j->n : 1, sizeof(*j->cases));
    if (!j->docs || !j->lens || (f->repo == REPO_CASES && !j->cases))
        return KENES_ENOMEM;
    for (size_t i = 0; i < j->n; i++) {
        const journal_taken *e = &j->taken[i];
        const idx_version *v = &e->doc->recent[e->version]; /* a scratch index packs nothing */
        int rc = f->repo == REPO_CASES
                     ? replica_case_read(&j->cases[i], f->fs, f->r->svc->vault, e->doc->id,
                                         v->commit, err, sizeof(err))
                     : datadir_read_doc(&j->docs[i], &j->lens[i], f->fs, NULL, e->doc->id,
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
    follower *f = j->f;
    const char *since = j->since[0] ? j->since : NULL;
    util_buf lines;
    util_buf_init(&lines);
    int rc = index_new(&j->got);
    if (rc == 0 &&
        (rc = journal_follow(&j->taken, &j->n, j->got, &lines, f->fs, f->repo, since,
                             j->until)) < 0)
        snprintf(j->why, sizeof(j->why), "cannot read the commits after %.12s: %s",
                 since ? since : "the start", kenes_strerror(rc));
    if (rc == 0)
        rc = read_docs(j);
    /* Journaled before the index has them: a stop in between is read
     * back from the journal at the next start. */
    if (rc == 0 && f->journal[0] && (rc = journal_append_lines(f->journal, &lines)) < 0)
        snprintf(j->why, sizeof(j->why), "cannot append to %.600s", f->journal);
    /* The reports as this step leaves them, when one of its commits published. */
    int missing;
    if (rc == 0 && j->publishes && (rc = report_read_at(&j->reports, &missing, f->fs,
                                                        j->until)) < 0)
        snprintf(j->why, sizeof(j->why), "cannot read the reports at %.12s", j->until);
    util_buf_dispose(&lines);
    return rc;
}

/* Stop the walk at the step's end (chunk_end). */
typedef struct chunk_ctx {
    const char *good;
    size_t n, most;
    char *out;
    int publishes;
} chunk_ctx;

static int count_commit(const store_commit_info *c, void *payload)
{
    chunk_ctx *k = payload;
    snprintf(k->out, STORE_OID_HEX, "%s", c->commit);
    if (c->message && strstr(c->message, PUBLISH_TRAILER))
        k->publishes = 1;
    return ++k->n >= k->most || strcmp(c->commit, k->good) == 0;
}

/* *until: good, or the most-th commit after since if that comes first: a
 * replica far behind (a fresh one, a primary's whole history) takes it in
 * steps, each holding that many documents at most.  j->publishes: one of
 * them publishes the reports. */
static int chunk_end(follow_job *j, const char *since, size_t most)
{
    chunk_ctx k = {j->good, 0, most, j->until, 0};
    int rc = store_walk_since(j->f->fs, since, count_commit, &k);
    j->publishes = j->f->repo == REPO_DOCUMENTS && k.publishes;
    return rc < 0 ? rc : 0;
}

/* Judge the commits after since up to head (verify_unseen), once per head:
 * j->judged, j->good (the last good one), j->fault (why the next is not). */
static int judge(follow_job *j, const char *since, const char *head)
{
    follower *f = j->f;
    docs_service *svc = f->r->svc;
    verify_finding f_;
    snprintf(j->judged, sizeof(j->judged), "%s", head);
    snprintf(j->good, sizeof(j->good), "%s", head);
    j->fault[0] = '\0';
    /* Without the keys only the ids are kept, to answer 503 for: nothing
     * of them is served, and their versions before since are not in the
     * index for the rules to start from. */
    if (f->ids_only)
        return 0;
    /* The documents' versions before them are the index's: only the
     * followers change those, one job at a time, and none is applying on
     * the loop now. */
    int rc = verify_unseen(&f_, f->r->cfg, svc->plugins, svc->workflows, f->fs, svc->index,
                           f->repo, since);
    if (rc < 0) {
        snprintf(j->why, sizeof(j->why), "cannot check the commits after %.12s: %s",
                 since ? since : "the start", kenes_strerror(rc));
        j->judged[0] = '\0';
        return rc;
    }
    if (f_.faults) {
        snprintf(j->fault, sizeof(j->fault), "commit %s is not one kenes made or accepted (%s)",
                 f_.commit[0] ? f_.commit : "(none: allowed_signers)", f_.what);
        /* The good ones before it are served. */
        snprintf(j->good, sizeof(j->good), "%s",
                 f_.commit[0] && f_.parent[0] ? f_.parent : j->since);
    }
    return 0;
}

/* On the pool: has main moved, and is what came good? */
static void follow_work(uv_work_t *w)
{
    follow_job *j = w->data;
    follower *f = j->f;
    const char *since = j->since[0] ? j->since : NULL;
    char head[STORE_OID_HEX];
    j->outcome = FOLLOW_FAILED; /* until known better */
    replica_wait_look_run(j->waits, f->fs, f->r->svc->vault);
    if (store_head(f->fs, head) < 0) {
        snprintf(j->why, sizeof(j->why), "cannot read main");
        return;
    }
    if (strcmp(head, j->since) == 0) {
        j->outcome = FOLLOW_SAME;
        return;
    }
    if (since && (!head[0] || store_contains(f->fs, since) != 1)) {
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
    if (chunk_end(j, since, f->r->step) < 0) {
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
    for (size_t i = 0; j->cases && i < j->n; i++)
        replica_case_dispose(&j->cases[i]);
    free(j->docs);
    free(j->cases);
    free(j->lens);
    json_decref(j->reports);
    replica_wait_look_free(j->waits);
    free(j->taken);
    index_free(j->got);
    free(j);
}

/* On the loop: the versions taken go into the index as the writer's do;
 * without the keys, the cases' ids into the withheld set. */
static void apply(follower *f, follow_job *j)
{
    replica *r = f->r;
    docs_service *svc = r->svc;
    const char *name = datadir_repo_names[f->repo];
    for (size_t i = 0; i < j->n; i++) {
        const journal_taken *e = &j->taken[i];
        const idx_version *v = &e->doc->recent[e->version]; /* a scratch index packs nothing */
        if (f->ids_only) {
            if (map_set(r->withheld, e->doc->id, (void *)&withheld_mark) < 0)
                log_error("replica", "%s: not listed (out of memory)", e->doc->id);
            continue;
        }
        idx_doc *d = index_get(svc->index, e->doc->id);
        if (!d && index_add(&d, svc->index, e->doc->id) == 0)
            d->repo = f->repo;
        if (!d || d->repo != f->repo) {
            log_error("replica", "%s: version %.12s not taken (%s)", e->doc->id, v->commit,
                      d ? "a document of the other repository" : "out of memory");
            continue;
        }
        if (f->repo == REPO_CASES &&
            replica_case_open(&j->docs[i], &j->lens[i], svc, &j->cases[i], d->id) < 0) {
            /* Its key is not here: its versions are known, it answers 503
             * until its key file comes. */
            if (replica_waits_add(f->waits, d->id) < 0)
                log_error("replica", "%s: not looked for again (out of memory)", d->id);
            if (index_record(svc->index, d, v) < 0)
                log_error("index", "%s: its version %.12s could not be recorded (out of memory)",
                          d->id, v->commit);
            r->newest_ms = v->time_ms;
            continue;
        }
        docs_committed(svc, d, v, j->docs[i], j->lens[i]);
        j->docs[i] = NULL;
        r->newest_ms = v->time_ms;
    }
    memcpy(f->last, j->until, sizeof(f->last));
    r->moved_ms = util_now_ms();
    log_info("replica", "%s: main moved to %.12s; %zu version(s) %s", name, f->last, j->n,
             f->ids_only ? "listed, not served: this replica holds no case keys" : "taken");
    if (j->reports && r->pub) {
        log_info("replica", "documents.git: %.12s publishes the reports: they are served from "
                 "now on", f->last);
        report_replace(r->pub, j->reports);
        j->reports = NULL;
    }
}

static void on_tick(uv_timer_t *t);
static int look(replica *r, int repo);

/* The next repository to look at after repo (-1: none is left this tick). */
static int next_repo(const replica *r, int repo)
{
    for (int i = repo + 1; i < 2; i++)
        if (r->f[i].open && !r->f[i].stopped)
            return i;
    return -1;
}

static void follow_done(uv_work_t *w, int status)
{
    follow_job *j = w->data;
    follower *f = j->f;
    replica *r = f->r;
    const char *name = datadir_repo_names[f->repo];
    if (status < 0 || r->closing) {
        r->running = 0;
        job_free(j);
        return;
    }
    memcpy(f->judged, j->judged, sizeof(f->judged));
    memcpy(f->good, j->good, sizeof(f->good));
    memcpy(f->fault, j->fault, sizeof(f->fault));
    replica_wait_look_settle(j->waits, f->waits, r->svc);
    if (j->got && j->outcome != FOLLOW_FAILED)
        apply(f, j);
    if (j->more && j->outcome == FOLLOW_MOVED)
        r->again = 1;
    if (j->outcome == FOLLOW_BAD || j->outcome == FOLLOW_REWRITTEN) {
        f->stopped = 1;
        snprintf(f->stop_why, sizeof(f->stop_why), "%s", j->why);
        /* What mends it: the commit taken back out (the primary's next
         * push then goes on from the good one), or a replica made anew,
         * which judges the whole new history. */
        log_error("replica", "%s: %s; following stopped: what was taken before, up to %.12s, "
                  "is served, nothing after it. %s", name, j->why,
                  f->last[0] ? f->last : "nothing",
                  j->outcome == FOLLOW_BAD
                      ? "Set this repository's main back to the last good commit (git "
                        "update-ref), then restart the replica"
                      : "If the primary's history was rewritten on purpose, stop the replica, "
                        "remove its index folder and start it: it judges the new history "
                        "from its first commit");
    } else if (j->outcome == FOLLOW_FAILED && strcmp(j->why, f->last_fault) != 0) {
        snprintf(f->last_fault, sizeof(f->last_fault), "%s", j->why);
        log_warn("replica", "%s: %s; looking again every second", name, j->why);
    } else if (j->outcome != FOLLOW_FAILED) {
        f->last_fault[0] = '\0';
    }
    int next = next_repo(r, f->repo);
    job_free(j);
    /* One job at a time: the other repository's judging reads the index
     * this one's apply has just changed. */
    if (next >= 0 && look(r, next) == 0)
        return;
    r->running = 0;
    if (r->again) { /* far behind: the next step now, not a second later */
        r->again = 0;
        on_tick(&r->timer);
    }
}

/* Queue a look at repo's main; 0, or KENES_E* when none was queued. */
static int look(replica *r, int repo)
{
    follower *f = &r->f[repo];
    follow_job *j = calloc(1, sizeof(*j));
    if (!j)
        return KENES_ENOMEM;
    j->f = f;
    j->work.data = j;
    memcpy(j->since, f->last, sizeof(j->since));
    memcpy(j->judged, f->judged, sizeof(j->judged));
    memcpy(j->good, f->good, sizeof(j->good));
    memcpy(j->fault, f->fault, sizeof(j->fault));
    if (replica_wait_look_new(&j->waits, f->waits, r->svc) < 0 ||
        uv_queue_work(r->svc->loop, &j->work, follow_work, follow_done) != 0) {
        replica_wait_look_free(j->waits);
        free(j);
        return KENES_EIO;
    }
    r->running = 1;
    return 0;
}

static void on_tick(uv_timer_t *t)
{
    replica *r = t->data;
    int first = next_repo(r, -1);
    if (r->running || r->closing || first < 0)
        return;
    look(r, first);
}

const char *replica_head(const replica *r)
{
    return r->f[REPO_DOCUMENTS].last;
}

int replica_serves_cases(const replica *r)
{
    return r->f[REPO_CASES].open && !r->f[REPO_CASES].ids_only;
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
    for (int i = 0; i < 2; i++) {
        store_close(r->f[i].fs);
        replica_waits_free(r->f[i].waits);
    }
    if (r->svc->cases_withheld == r->withheld)
        r->svc->cases_withheld = NULL;
    map_free(r->withheld);
    free(r);
}

/* cases.git's part of /healthz. */
static json_t *cases_json(const follower *f)
{
    json_t *j = json_pack("{s:b, s:b, s:s, s:I}", "served", !f->ids_only, "following",
                          !f->stopped, "head", f->last, "waiting_for_keys",
                          (json_int_t)replica_waits_count(f->waits));
    if (j && f->stopped)
        json_object_set_new(j, "stopped", json_string(f->stop_why));
    return j;
}

json_t *replica_json(int *ok, void *payload)
{
    replica *r = payload;
    const follower *docs = &r->f[REPO_DOCUMENTS], *cases = &r->f[REPO_CASES];
    char newest[32] = "";
    if (r->newest_ms >= 0)
        util_format_rfc3339(newest, sizeof(newest), r->newest_ms);
    *ok = !docs->stopped && !cases->stopped;
    json_t *j = json_pack("{s:s, s:b, s:s, s:s?, s:I}", "primary", r->cfg->replica_primary,
                          "following", !docs->stopped, "head", docs->last, "newest_commit",
                          newest[0] ? newest : NULL, "since_moved_s",
                          (json_int_t)((util_now_ms() - r->moved_ms) / 1000));
    if (j && docs->stopped)
        json_object_set_new(j, "stopped", json_string(docs->stop_why));
    if (j && cases->open)
        json_object_set_new(j, "cases", cases_json(cases));
    return j;
}

const char *replica_cases_head(const replica *r)
{
    return r->f[REPO_CASES].open && !r->f[REPO_CASES].ids_only ? r->f[REPO_CASES].last : NULL;
}
