/*
 * The notifier: decides what is owed to whom (a webhook event per commit,
 * a mail when a document enters a user's inbox or becomes overdue), writes
 * it to the outbox on the thread pool and hands it to the deliverer.
 */
#include "notify/notify.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/error.h"
#include "base/log.h"
#include "base/util.h"
#include "docs/datadir.h"
#include "docs/docs.h"
#include "docs/workflow.h"
#include "notify/conf.h"
#include "notify/deliver.h"
#include "notify/notice.h"
#include "storage/journal_tail.h"

/* How often the clock is looked at for deadlines that passed and the digest. */
#define NOTIFY_TICK_MS 60000

struct notifier {
    docs_service *svc;
    auth *auth;
    notify_conf conf;
    notice_ctx words;
    char dir[4096];  /* DATA/outbox */
    char mark[4096]; /* DATA/outbox/overdue.mark: deadlines up to it were told */
    deliverer *dl;
    uv_timer_t tick;
    int64_t overdue_mark;
    int64_t digest_day; /* the UTC day of the last digest; -1: none yet */
    int stopped;
    int hold; /* KENES_TEST_OUTBOX_HOLD: no outbox write ever starts (crash tests) */
    /* One outbox write at a time, so that told-<repository> never names a
     * commit whose files are not on disk yet; what comes meanwhile waits
     * here and goes as one job (one batch of fsyncs). */
    struct write_job *running, *waiting;
};

static const char *const told_names[2] = {"told-documents", "told-cases"};

/* ---- writing to the outbox (thread pool), then delivering ---- */

typedef struct write_job {
    uv_work_t work;
    notifier *n;
    notify_item *items;
    int64_t mark; /* >= 0: write it to overdue.mark after the items */
    int digest;   /* gather the notices into one mail per user first */
    int64_t now_ms;
    /* The last commit of each repository whose webhook events and mails
     * are among the items, or "": told-<repository> gets it after them. */
    char told[2][41];
} write_job;

/* DATA/outbox/told-<repository>: the last commit whose webhook events and
 * mails (or digest notices) are in the outbox (or were delivered); a start
 * re-makes those of the commits after it, which a crash kept from the
 * outbox. */
static void write_told(const notifier *n, int repo, const char *commit)
{
    char path[4200], text[48];
    util_path(path, sizeof(path), n->dir, told_names[repo]);
    int len = snprintf(text, sizeof(text), "%s\n", commit);
    if (util_write_file_atomic(path, text, (size_t)len, 0600) < 0)
        log_error("notify", "cannot write %s: a restart may send some notifications again",
                  path);
}

static void write_mark(const char *path, int64_t ms)
{
    char text[32];
    int len = snprintf(text, sizeof(text), "%lld\n", (long long)ms);
    if (util_write_file_atomic(path, text, (size_t)len, 0600) < 0)
        log_error("notify", "cannot write %s: deadlines passed before it may be told again",
                  path);
}

/* Every notice-*.json of the outbox: per user, one mail with them all. */
static void digest_gather(write_job *j)
{
    notifier *n = j->n;
    char **names;
    size_t count;
    if (util_list_dir(&names, &count, n->dir, ".json") < 0)
        return;
    notify_item *notices = NULL;
    for (size_t i = 0; i < count; i++) {
        char path[4096];
        notify_item *it;
        if (strncmp(names[i], "notice-", 7) != 0)
            continue;
        util_path(path, sizeof(path), n->dir, names[i]);
        if (notify_item_read(&it, path) == 0) {
            it->next = notices;
            notices = it;
        }
    }
    util_free_list(names, count);
    char day[16];
    util_format_rfc3339(day, sizeof(day), j->now_ms);
    day[10] = '\0';
    while (notices) {
        /* The first user's notices out of the list. */
        notify_item *mine = NULL, **p = &notices;
        const char *who = notices->who;
        size_t k = 0;
        util_buf text;
        util_buf_init(&text);
        while (*p) {
            notify_item *it = *p;
            if (strcmp(it->who, who) == 0) {
                *p = it->next;
                it->next = mine;
                mine = it;
                util_buf_printf(&text, "%s\n", it->body);
                k++;
            } else {
                p = &it->next;
            }
        }
        char id[300];
        snprintf(id, sizeof(id), "digest-%s-%s", day, mine->who);
        notify_item *mail = text.data ? notice_digest_mail(&n->words, mine->lang, mine->who,
                                                           mine->target, id, text.data, k,
                                                           j->now_ms, notify_wall_ms())
                                      : NULL;
        util_buf_dispose(&text);
        /* The mail first, durably; only then are its notices gone. */
        if (mail && notify_item_write(mail) == 0) {
            for (notify_item *it = mine; it; it = it->next)
                util_unlink_durable(it->file);
            mail->next = j->items;
            j->items = mail;
        } else {
            log_error("notify", "the digest of %s could not be written; its notices wait for "
                                "the next one", mine->who);
            notify_item_free(mail);
        }
        notify_items_free(mine);
    }
}

static void write_work(uv_work_t *w)
{
    write_job *j = w->data;
    for (notify_item *it = j->items; it; it = it->next)
        if (notify_item_write(it) < 0)
            /* Still tried now; lost only if the server stops before it goes. */
            log_error("notify", "outbox: cannot write %s (%s); it is tried all the same, "
                                "but not again after a restart", it->id, it->file);
    if (j->mark >= 0)
        write_mark(j->n->mark, j->mark);
    for (int r = 0; r < 2; r++)
        if (j->told[r][0])
            write_told(j->n, r, j->told[r]);
    if (j->digest)
        digest_gather(j);
}

static void start_next(notifier *n);

static void write_done(uv_work_t *w, int status)
{
    (void)status;
    write_job *j = w->data;
    notifier *n = j->n;
    /* Notices wait on disk for the digest; the rest go now. */
    notify_item *go = NULL;
    while (j->items) {
        notify_item *it = j->items;
        j->items = it->next;
        if (it->kind == NOTIFY_NOTICE || !n->dl) {
            notify_item_free(it); /* stopping: its file waits for the next start */
        } else {
            it->next = go;
            go = it;
        }
    }
    if (n->dl)
        deliverer_add(n->dl, go);
    free(j);
    n->running = NULL;
    start_next(n);
}

static void start_next(notifier *n)
{
    write_job *j = n->waiting;
    if (n->running || !j || n->hold)
        return;
    n->waiting = NULL;
    n->running = j;
    j->now_ms = util_now_ms();
    j->work.data = j;
    if (uv_queue_work(n->svc->loop, &j->work, write_work, write_done) != 0) {
        notify_items_free(j->items);
        free(j);
        n->running = NULL;
    }
}

/* Add to the write that waits (made if none), and start it unless one runs. */
static void queue(notifier *n, notify_item *items, int64_t mark, int digest, int repo,
                  const char *told)
{
    if (!items && mark < 0 && !digest && !told)
        return;
    write_job *j = n->waiting;
    if (!j && !(j = n->waiting = calloc(1, sizeof(*j)))) {
        log_error("notify", "out of memory: notices not queued");
        notify_items_free(items);
        return;
    }
    if (!j->n)
        *j = (write_job){.n = n, .mark = -1};
    if (items) {
        notify_item *last = items;
        while (last->next)
            last = last->next;
        last->next = j->items;
        j->items = items;
    }
    if (mark >= 0)
        j->mark = mark;
    j->digest |= digest;
    if (told)
        snprintf(j->told[repo], sizeof(j->told[repo]), "%s", told);
    start_next(n);
}

/* ---- who is told of what ---- */

static void push(notify_item **list, notify_item *it)
{
    if (!it)
        return;
    it->next = *list;
    *list = it;
}

/* The roles that can find d in their inbox in its stage (a transition
 * from it that is a to-do, or its reminder), and *by_login 1 when the
 * reminder also names a user by a field: so that the users of other roles
 * are passed over without asking docs for each (a commit's cost on the
 * loop grows with the users who could act, not with all who have an address). */
static unsigned acting_roles(const notifier *n, const idx_doc *d, int *by_login)
{
    const char *type = index_doc_type(d), *stage = index_doc_stage(d);
    const wf_workflow *wf = type ? wf_set_find(n->svc->workflows, type) : NULL;
    *by_login = 0;
    if (!wf || !stage)
        return 0;
    unsigned roles = 0;
    const wf_stage *st = wf_find_stage(wf, stage);
    if (st && st->has_remind) {
        roles |= st->remind_roles;
        *by_login = st->remind_user_field != NULL;
    }
    for (size_t i = 0; i < wf->ntransitions; i++) {
        const wf_transition *t = &wf->transitions[i];
        for (size_t k = 0; !t->no_inbox && k < t->nfrom; k++)
            if (strcmp(t->from[k], stage) == 0)
                roles |= t->roles;
    }
    return roles;
}

/* A mail (or notice) about d to every user with an address whose inbox
 * holds d now, but `except` (who made the change): its id
 * <what>-<key>-<user>, its text mail.yaml's <words>_subject and _body. */
static void tell_inboxes(notifier *n, notify_item **list, const idx_doc *d, const char *what,
                         const char *words, const char *key, const char *except,
                         int64_t due_ms)
{
    int by_login;
    unsigned roles = acting_roles(n, d, &by_login);
    if (!roles && !by_login)
        return;
    auth_reload(n->auth);
    size_t count = auth_user_count(n->auth);
    int64_t now = util_now_ms();
    for (size_t i = 0; i < count; i++) {
        const auth_user *u = auth_user_at(n->auth, i);
        if (!u->email || u->disabled || (!(roles & (unsigned)u->role) && !by_login) ||
            (except && strcmp(u->name, except) == 0) || !docs_in_inbox(n->svc, u, d))
            continue;
        char id[300];
        snprintf(id, sizeof(id), "%s-%s-%s", what, key, u->name);
        notify_item *it = notice_mail(&n->words, u, d, words, id, due_ms, now, notify_wall_ms());
        if (!it)
            log_error("notify", "%s: the notice to %s could not be made", id, u->name);
        push(list, it);
    }
}

/* The webhook events of d's version v, one item per receiver, onto *list. */
static void push_events(notifier *n, notify_item **list, const idx_doc *d, const idx_version *v,
                        int64_t now)
{
    char id[64];
    snprintf(id, sizeof(id), "commit-%s", v->commit);
    char *body = notice_event_json(d, v, id);
    for (size_t i = 0; body && i < n->conf.nwebhooks; i++) {
        const notify_webhook *w = &n->conf.webhooks[i];
        push(list, notify_item_new(n->dir, NOTIFY_WEBHOOK, id, w->url, w->where, "commit", body,
                                   NULL, now));
    }
    if (!body)
        log_error("notify", "commit %s: out of memory making its webhook event", v->commit);
    free(body);
}

/* 1 if v brings its document into a stage (a change of stage, or its
 * creation): the one way a document enters an inbox. */
static int enters(const idx_version *v)
{
    return !v->from || strcmp(v->from, v->to ? v->to : "") != 0;
}

/* The inbox mail of d, which v brought into its stage.  Arriving with its
 * deadline passed before the last look for passed deadlines (overdue_scan,
 * which never looks back past its mark), it is one mail saying both: no
 * other would ever say it is overdue.  Its id is the inbox mail's either
 * way, one per user and change. */
static void tell_entered(notifier *n, notify_item **list, const idx_doc *d, const idx_version *v)
{
    int64_t due;
    docs_due(n->svc, d, &due);
    int late = due >= 0 && due <= n->overdue_mark;
    tell_inboxes(n, list, d, "inbox", late ? "inbox_overdue" : "inbox", v->commit, v->author,
                 late ? due : -1);
}

void notifier_committed(notifier *n, const idx_doc *d)
{
    const idx_version *v = index_head(d);
    if (!n || n->stopped || !v)
        return;
    notify_item *list = NULL;
    if (n->conf.nwebhooks)
        push_events(n, &list, d, v, notify_wall_ms());
    if (n->conf.smtp && enters(v))
        tell_entered(n, &list, d, v);
    queue(n, list, -1, 0, d->repo, v->commit);
}

/* Every deadline in (mark, now] told to the users whose inbox holds it. */
static void overdue_scan(notifier *n, int64_t now)
{
    size_t count;
    idx_doc *const *all = index_sorted(n->svc->index, &count);
    notify_item *list = NULL;
    for (size_t i = 0; i < count; i++) {
        int64_t due;
        const idx_doc *d = all[i];
        if (!index_head(d))
            continue;
        docs_due(n->svc, d, &due);
        if (due < 0 || due <= n->overdue_mark || due > now)
            continue;
        /* Its head names the stage and the deadline it was due in. */
        tell_inboxes(n, &list, d, "overdue", "overdue", d->version, NULL, due);
    }
    n->overdue_mark = now;
    queue(n, list, now, 0, 0, NULL);
}

static void on_tick(uv_timer_t *t)
{
    notifier *n = t->data;
    int64_t now = util_now_ms();
    if (n->conf.smtp && now > n->overdue_mark)
        overdue_scan(n, now);
    if (n->conf.smtp && n->conf.digest_minute >= 0) {
        int64_t day = now / 86400000, minute = now % 86400000 / 60000;
        if (minute >= n->conf.digest_minute && day != n->digest_day) {
            n->digest_day = day;
            queue(n, NULL, -1, 1, 0, NULL);
        }
    }
}

/* ---- start and stop ---- */

static int load_mark(notifier *n)
{
    char *text;
    size_t len;
    if (util_read_file(&text, &len, n->mark) < 0) {
        /* A first start: the deadlines passed before it are old news. */
        n->overdue_mark = util_now_ms();
        write_mark(n->mark, n->overdue_mark);
        return 0;
    }
    n->overdue_mark = strtoll(text, NULL, 10);
    free(text);
    return 0;
}

/* The newest version of d that brought it into a stage: whose inbox mail
 * is owed while d is still there (an older one's stage is left). */
static size_t last_entry(const idx_doc *d)
{
    /* Never before its recent ones: the first of them entered a stage. */
    size_t i = d->nrecent;
    while (i > 1 && !enters(&d->recent[i - 1]))
        i--;
    return d->old.count + (i ? i - 1 : 0);
}

/* Write the catch-up's items, but those whose file the outbox holds
 * already (a crash after the files, before told-<repository>: loaded as
 * pending, so sent once); a digest's notices stay on disk only.  The rest
 * onto *go; how many were made, into *made. */
static void catch_up_write(notify_item *list, notify_item **go, size_t *made)
{
    while (list) {
        notify_item *it = list;
        list = it->next;
        if (access(it->file, F_OK) == 0) {
            notify_item_free(it);
            continue;
        }
        if (notify_item_write(it) < 0)
            log_error("notify", "outbox: cannot write %s", it->file);
        (*made)++;
        if (it->kind == NOTIFY_NOTICE) {
            notify_item_free(it);
        } else {
            it->next = *go;
            *go = it;
        }
    }
}

/* Repository r's versions the index holds, newest first, read back from
 * its journal (at start, before anything is served): each line to
 * visit(d, line, payload) until it returns non-zero.  0, or KENES_E* when
 * the journal cannot be read. */
static int journal_back(notifier *n, int r,
                        int (*visit)(idx_doc *d, const journal_line *l, void *payload),
                        void *payload)
{
    char path[4096];
    datadir_journal_path(path, sizeof(path), n->svc->cfg->data_dir, r);
    journal_tail t;
    int rc = journal_tail_open(&t, path, JOURNAL_TAIL_END);
    size_t budget = SIZE_MAX;
    journal_line l;
    while (rc == 0 && (rc = journal_tail_prev(&l, &t, &budget)) == 1) {
        idx_doc *d = index_get(n->svc->index, l.document);
        /* As the index passed over a line naming the other repository's document. */
        rc = d && d->repo == r ? visit(d, &l, payload) : 0;
        journal_line_dispose(&l);
    }
    journal_tail_close(&t);
    return rc < 0 ? rc : 0;
}

/* catch_up's first look back: the newest version, and where the one
 * told-<repository> names ends (0: not found). */
typedef struct told_look {
    const char *told; /* NULL: no told file */
    char last[41];
    uint64_t told_end;
} told_look;

static int look_for_told(idx_doc *d, const journal_line *l, void *payload)
{
    (void)d;
    told_look *k = payload;
    if (!k->last[0])
        memcpy(k->last, l->commit, sizeof(k->last));
    if (!k->told || strncmp(l->commit, k->told, 40) == 0) {
        k->told_end = l->end;
        return 1;
    }
    return 0;
}

/* catch_up's second: the versions after the told one, onto a list. */
typedef struct told_after {
    uint64_t from; /* the told line's end */
    notifier *n;
    notify_item *list, **tail; /* newest commit first, each one's items pushed (last first) */
    size_t count;
} told_after;

static int tell_again(idx_doc *d, const journal_line *l, void *payload)
{
    told_after *a = payload;
    if (l->at < a->from)
        return 1;
    /* Its place among d's versions, looked for from the newest. */
    idx_version found;
    size_t no;
    int rc = index_find_version(&found, &no, d, l->commit);
    if (rc <= 0)
        return rc; /* its history unread: the walk stops, told- stays, the next start tries */
    size_t i = no - 1;
    notifier *n = a->n;
    const idx_version *v = &found;
    notify_item *one = NULL;
    if (n->conf.nwebhooks)
        push_events(n, &one, d, v, notify_wall_ms());
    if (n->conf.smtp && enters(v) && last_entry(d) == i)
        tell_entered(n, &one, d, v);
    /* After the newer commits' items: the list a walk oldest first pushing
     * onto one list makes, as the outbox has always been written. */
    *a->tail = one;
    while (*a->tail)
        a->tail = &(*a->tail)->next;
    a->count++;
    return 0;
}

/* At start: the commits after told-<repository> (a crash came between the
 * commit and its outbox files) get their webhook events again, and the
 * inbox mail of a document such a commit brought into the stage it is
 * still in (who had it in their inbox then is known only while it is
 * there; the ids are the lost ones', so nothing goes twice), written here
 * before anything is served.  No told file (a first start, or
 * notifications new to this folder): the commits so far are old news.
 * The commits are read back from the journals, which hold every version
 * the index was loaded with, in the order they were made. */
static void catch_up(notifier *n, notify_item **go)
{
    for (int r = 0; r < 2; r++) {
        char path[4200], *text = NULL;
        size_t len, made = 0;
        util_path(path, sizeof(path), n->dir, told_names[r]);
        int known = util_read_file(&text, &len, path) == 0;
        told_look k = {known ? text : NULL, "", 0};
        told_after a = {0, n, NULL, NULL, 0};
        a.tail = &a.list;
        int rc = journal_back(n, r, look_for_told, &k);
        if (rc == 0 && known && !k.told_end && k.last[0])
            /* Told a commit the index does not hold: not to be guessed at. */
            log_warn("notify", "%s names no commit kenes knows; no notification is made again",
                     path);
        free(text);
        if (rc == 0 && known && k.told_end) {
            a.from = k.told_end;
            rc = journal_back(n, r, tell_again, &a);
        }
        if (rc < 0) {
            /* The journal, or a version's place among the older ones the
             * index keeps in its scratch file (tell_again). */
            log_error("notify", "%s: its history cannot be read (%s); no notification "
                      "is made again", datadir_repo_names[r], kenes_strerror(rc));
            notify_items_free(a.list);
            continue;
        }
        catch_up_write(a.list, go, &made);
        if (a.count)
            log_warn("notify", "%s: %zu commit%s after the last one told of: %zu "
                               "notification%s made again", datadir_repo_names[r], a.count,
                     a.count == 1 ? "" : "s", made, made == 1 ? "" : "s");
        if (k.last[0])
            write_told(n, r, k.last);
    }
}

int notifier_start(notifier **out, docs_service *svc, auth *a, const ui_strings *words,
                   char *err, size_t errcap)
{
    *out = NULL;
    notify_conf conf;
    int rc = notify_conf_load(&conf, svc->cfg->data_dir, err, errcap);
    if (rc < 0)
        return rc;
    if (!conf.nwebhooks && !conf.smtp) {
        notify_conf_dispose(&conf);
        return 0;
    }
    notifier *n = calloc(1, sizeof(*n));
    if (!n) {
        notify_conf_dispose(&conf);
        return KENES_ENOMEM;
    }
    n->svc = svc;
    n->auth = a;
    n->conf = conf;
    n->digest_day = -1;
    util_path(n->dir, sizeof(n->dir), svc->cfg->data_dir, "outbox");
    util_path(n->mark, sizeof(n->mark), n->dir, "overdue.mark");
    n->words = (notice_ctx){.svc = svc, .words = words, .conf = &n->conf, .dir = n->dir};
    notify_item *pending = NULL;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
        util_mkdirs(n->dir, 0700) < 0 || load_mark(n) < 0 ||
        notify_outbox_load(&pending, n->dir) < 0 || deliverer_start(&n->dl, &n->conf) < 0) {
        snprintf(err, errcap, "cannot open the outbox %s", n->dir);
        notify_items_free(pending);
        notifier_free(n);
        return KENES_EIO;
    }
    size_t k = 0, notices = 0;
    notify_item *go = NULL;
    while (pending) {
        notify_item *it = pending;
        pending = it->next;
        if (it->kind == NOTIFY_NOTICE) {
            notices++;
            notify_item_free(it);
            continue;
        }
        it->next = go;
        go = it;
        k++;
    }
    n->hold = getenv("KENES_TEST_OUTBOX_HOLD") != NULL;
    catch_up(n, &go);
    deliverer_add(n->dl, go);
    log_info("notify", "%zu webhook%s, e-mail %s; %zu deliveries pending in the outbox%s",
             conf.nwebhooks, conf.nwebhooks == 1 ? "" : "s", conf.smtp ? "on" : "off", k,
             notices ? " and notices for the digest" : "");
    uv_timer_init(svc->loop, &n->tick);
    n->tick.data = n;
    uv_timer_start(&n->tick, on_tick, 0, NOTIFY_TICK_MS);
    *out = n;
    return 0;
}

void notifier_stop(notifier *n)
{
    if (!n || n->stopped)
        return;
    n->stopped = 1;
    uv_close((uv_handle_t *)&n->tick, NULL);
    size_t left;
    deliverer_stop(&left, n->dl);
    n->dl = NULL;
    if (left)
        log_info("notify", "%zu deliver%s wait in %s for the next start", left,
                 left == 1 ? "y" : "ies", n->dir);
}

void notifier_free(notifier *n)
{
    if (!n)
        return;
    deliverer_stop(NULL, n->dl);
    if (n->waiting) /* a write the loop never ran: its files wait for no one */
        notify_items_free(n->waiting->items);
    free(n->waiting);
    notify_conf_dispose(&n->conf);
    free(n);
    curl_global_cleanup();
}
