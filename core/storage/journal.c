#include "storage/journal.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kenes/plugin.h"
#include "base/error.h"
#include "base/log.h"
#include "storage/message.h"
#include "storage/note.h"
#include "base/util.h"

char *journal_entry(const char *document, const idx_version *v)
{
    json_t *j = json_pack("{s:I, s:s, s:s?, s:s, s:s, s:s?, s:s, s:s?, s:s?, s:s?}", "time",
                          (json_int_t)v->time_ms, "author", v->author, "role", v->role, "action",
                          v->action, "document", document, "from", v->from, "to", v->to,
                          "comment", v->comment, "approval", v->approval, "note", v->note);
    char *text = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(j);
    return text;
}

/* What a commit is to the journal. */
enum commit_kind {
    COMMIT_VERSION, /* a document's version */
    COMMIT_FOREIGN, /* no Kenes trailers: made behind the server's back */
    COMMIT_PUBLISH, /* a publication of the reports: no document's */
    COMMIT_ADMIN,   /* an administrator's decision; m->action kept */
};

/* A commit's kind and, for a version, the version as its message says it.
 * A case's sealed note is read from the commit's tree (s) into v->note,
 * which the caller frees.  0 or KENES_ENOMEM. */
static int version_of(enum commit_kind *kind, idx_version *v, msg_parsed *m,
                      const store_commit_info *c, store *s)
{
    int rc = msg_parse(m, c->message);
    if (rc == KENES_ENOMEM)
        return rc;
    *kind = rc == MSG_PUBLISH ? COMMIT_PUBLISH
            : rc == MSG_ADMIN ? COMMIT_ADMIN
            : rc < 0          ? COMMIT_FOREIGN
                              : COMMIT_VERSION;
    if (rc == MSG_PUBLISH)
        msg_parsed_dispose(m);
    if (rc != 0)
        return 0;
    memset(v, 0, sizeof(*v));
    snprintf(v->commit, sizeof(v->commit), "%s", c->commit);
    v->time_ms = c->time_ms;
    v->author = (char *)c->author_name;
    v->role = m->role;
    v->action = m->action;
    v->from = m->from;
    v->to = m->to;
    v->comment = m->comment;
    v->approval = m->approval;
    rc = m->note ? note_read(&v->note, s, c->commit, m->document, m->note) : 0;
    if (rc == KENES_ENOMEM) {
        msg_parsed_dispose(m);
        return rc;
    }
    if (rc < 0)
        log_warn("index", "commit %.12s: its sealed note is missing or not the blob Kenes-Note "
                 "names; its history shows no comment (see kenes verify)", c->commit);
    return 0;
}

/* Record v of document in ix; *took the document, or NULL when passed over. */
static int add(idx_doc **took, doc_index *ix, int repo, const char *document,
               const idx_version *v)
{
    idx_doc *d = index_get(ix, document);
    int rc = 0;
    *took = NULL;
    if (!d && (rc = index_add(&d, ix, document)) == 0)
        d->repo = repo;
    if (rc < 0)
        return rc;
    if (d->repo != repo) {
        log_warn("index", "commit %.12s names a document of the other repository; skipped",
                 v->commit);
        return 0;
    }
    rc = index_record(ix, d, v);
    *took = rc == 0 ? d : NULL;
    return rc;
}

typedef struct walk_ctx {
    store *s;
    doc_index *ix; /* NULL: only collect lines */
    int repo;
    util_buf lines;
    size_t commits;
    size_t foreign; /* commits without Kenes trailers */
    size_t admin;   /* administrators' decisions */
    const char *until; /* journal_follow: the last commit to take (NULL: main's head) */
    int done;          /* until was taken: the rest of the walk is left */
    int taking;        /* journal_follow: the versions recorded, in order, into taken */
    journal_taken *taken;
    size_t ntaken, taken_cap;
} walk_ctx;

/* The version just recorded of d, as the newest taken. */
static int note_taken(walk_ctx *w, idx_doc *d)
{
    journal_taken *t = util_grow(w->taken, &w->taken_cap, w->ntaken, sizeof(*t), 16);
    if (!t)
        return KENES_ENOMEM;
    w->taken = t;
    w->taken[w->ntaken++] = (journal_taken){d, d->nrecent - 1}; /* a scratch index: all recent */
    return 0;
}

static int from_git(const store_commit_info *c, void *payload)
{
    walk_ctx *w = payload;
    msg_parsed m;
    idx_version v;
    enum commit_kind kind;
    int rc = version_of(&kind, &v, &m, c, w->s);
    if (rc < 0)
        return rc;
    if (kind == COMMIT_ADMIN) {
        /* An administrator's decision (accept, rotate-key) is a line of its
         * own, so that the journal's last line is a commit kenes signed. */
        rc = util_buf_printf(&w->lines, "{\"commit\":\"%s\",\"admin\":\"%s\"}\n", c->commit,
                             m.action);
        msg_parsed_dispose(&m);
        w->admin++;
        return rc;
    }
    if (kind == COMMIT_PUBLISH)
        return 0; /* no document's history */
    if (kind == COMMIT_FOREIGN) {
        /* Made behind the server's back (verify names it).  Its line says
         * so, and that main's tree may differ from what the documents'
         * versions hold; it also marks how far the journal has looked. */
        log_warn("index", "commit %.12s carries no Kenes trailers; skipped", c->commit);
        w->foreign++;
        return util_buf_printf(&w->lines, "{\"commit\":\"%s\",\"foreign\":true}\n",
                               c->commit);
    }
    idx_doc *took = NULL;
    rc = w->ix ? add(&took, w->ix, w->repo, m.document, &v) : 0;
    if (rc == 0 && took && w->taking)
        rc = note_taken(w, took);
    char *entry = rc == 0 ? journal_entry(m.document, &v) : NULL;
    if (rc == 0 && !entry)
        rc = KENES_ENOMEM;
    if (rc == 0)
        rc = util_buf_printf(&w->lines, "{\"commit\":\"%s\",%s\n", c->commit, entry + 1);
    if (rc == 0)
        w->commits++;
    free(entry);
    free(v.note);
    msg_parsed_dispose(&m);
    return rc;
}

/* from_git up to w->until and not beyond (journal_follow). */
static int from_git_until(const store_commit_info *c, void *payload)
{
    walk_ctx *w = payload;
    if (w->done)
        return 0;
    if (w->until && strcmp(c->commit, w->until) == 0)
        w->done = 1;
    return from_git(c, w);
}

int journal_follow(journal_taken **taken, size_t *ntaken, doc_index *ix, util_buf *lines,
                   store *s, int repo, const char *since, const char *until)
{
    walk_ctx w = {s, ix, repo, {0}, 0, 0, 0, until, 0, 1, NULL, 0, 0};
    util_buf_init(&w.lines);
    int rc = store_walk_since(s, since, from_git_until, &w);
    if (rc == 0 && w.lines.len)
        rc = util_buf_printf(lines, "%.*s", (int)w.lines.len, w.lines.data);
    util_buf_dispose(&w.lines);
    if (rc < 0) {
        free(w.taken);
        w.taken = NULL;
        w.ntaken = 0;
    }
    *taken = w.taken;
    *ntaken = w.ntaken;
    return rc;
}

static int append_lines(const char *path, const util_buf *b)
{
    FILE *f = fopen(path, "ab");
    if (!f)
        return KENES_EIO;
    int ok = fwrite(b->data ? b->data : "", 1, b->len, f) == b->len && fflush(f) == 0 &&
             fdatasync(fileno(f)) == 0;
    return fclose(f) == 0 && ok ? 0 : KENES_EIO;
}

static int read_journal(doc_index *ix, int repo, const char *path, char last[STORE_OID_HEX],
                        size_t *good, int *foreign, char *err, size_t errcap)
{
    /* Line by line: the journal of 100,000 documents is tens of MB, and
     * only the versions it gives are kept. */
    FILE *f = fopen(path, "rb");
    if (!f)
        return kenes_error_from_errno(errno);
    char *p = NULL;
    size_t cap = 0, at = 0, lineno = 0;
    ssize_t got;
    int rc = 0;
    last[0] = '\0';
    *good = 0;
    while (rc == 0 && (got = getline(&p, &cap, f)) > 0) {
        int nl = p[got - 1] == '\n';
        size_t n = strnlen(p, (size_t)got - (size_t)nl); /* up to a NUL, as before */
        size_t line_at = at;
        at += (size_t)got;
        *good = at;
        lineno++;
        const char *commit = NULL, *document = NULL;
        idx_version v = {0};
        json_t *j = NULL;
        /* The lines kenes wrote are read by the scanner; jansson reads the
         * rest (and says which are damaged) as it always did. */
        int scanned = journal_scan(p, n, &commit, &document, &v);
        if (!scanned) {
            if (util_json_parse(&j, p, n) == KENES_ENOMEM) {
                rc = KENES_ENOMEM; /* not a bad line: the line was never read */
                break;
            }
            commit = json_string_value(json_object_get(j, "commit"));
            document = json_string_value(json_object_get(j, "document"));
            v.time_ms = json_integer_value(json_object_get(j, "time"));
            v.author = (char *)json_string_value(json_object_get(j, "author"));
            v.role = (char *)json_string_value(json_object_get(j, "role"));
            v.action = (char *)json_string_value(json_object_get(j, "action"));
            v.from = (char *)json_string_value(json_object_get(j, "from"));
            v.to = (char *)json_string_value(json_object_get(j, "to"));
            v.comment = (char *)json_string_value(json_object_get(j, "comment"));
            v.approval = (char *)json_string_value(json_object_get(j, "approval"));
            v.note = (char *)json_string_value(json_object_get(j, "note"));
        }
        if (!scanned && !nl && n && !j) {
            /* A last line cut short by a crash: the commit it began is
             * recovered from git below. */
            log_warn("index", "%s: an unfinished last line; recovering from git", path);
            *good = line_at;
        } else if (!scanned && commit && strlen(commit) == 40 &&
                   json_is_true(json_object_get(j, "foreign"))) {
            *foreign = 1;
            memcpy(last, commit, STORE_OID_HEX);
        } else if (!scanned && commit && strlen(commit) == 40 &&
                   json_is_string(json_object_get(j, "admin"))) {
            memcpy(last, commit, STORE_OID_HEX);
        } else if (!commit || strlen(commit) != 40 || !document || !v.author || !v.action ||
                   !v.to) {
            snprintf(err, errcap, "%.900s:%zu: not a journal line (run kenes reindex)", path,
                     lineno);
            rc = KENES_EINVAL;
        } else {
            snprintf(v.commit, sizeof(v.commit), "%s", commit);
            memcpy(last, v.commit, STORE_OID_HEX);
            idx_doc *took;
            rc = add(&took, ix, repo, document, &v);
        }
        json_decref(j);
        if (n < (size_t)got - (size_t)nl) {
            /* A NUL ends what is read, as it always did, and what follows
             * it is left in the file. */
            if (fseeko(f, 0, SEEK_END) == 0)
                *good = (size_t)ftello(f);
            break;
        }
    }
    if (rc == 0 && ferror(f))
        rc = KENES_EIO;
    free(p);
    fclose(f);
    return rc;
}

int journal_load(doc_index *ix, store *s, int repo, const char *path, int *foreign,
                 journal_unseen_cb unseen, void *payload, char *err, size_t errcap)
{
    walk_ctx w = {s, ix, repo, {0}, 0, 0, 0, NULL, 0, 0, NULL, 0, 0};
    util_buf_init(&w.lines);
    char last[STORE_OID_HEX] = "";
    size_t good = 0;
    *foreign = 0;
    int rc = read_journal(ix, repo, path, last, &good, foreign, err, errcap);
    int fresh = rc == KENES_ENOTFOUND;
    if (rc < 0 && !fresh) {
        if (!err[0])
            snprintf(err, errcap, "cannot read %.900s: %s", path, kenes_strerror(rc));
        return rc;
    }
    /* Drop a line a crash cut short; the lines appended below replace it. */
    if (!fresh && truncate(path, (off_t)good) < 0) {
        snprintf(err, errcap, "cannot repair %.900s", path);
        return KENES_EIO;
    }
    if (last[0] && store_contains(s, last) != 1) {
        snprintf(err, errcap,
                 "main no longer contains commit %s, the last one kenes wrote: the history "
                 "was rewritten behind the server's back (see kenes verify; restore the "
                 "repository, or accept its history with kenes reindex)",
                 last);
        return KENES_ESTALE;
    }
    /* The commits after the journal's end were never seen by kenes: judged
     * before any of them reaches the index or the journal. */
    if (unseen && (rc = unseen(last[0] ? last : NULL, err, errcap, payload)) != 0)
        return rc; /* > 0: the caller takes them itself (a replica follows them) */
    rc = store_walk_since(s, last[0] ? last : NULL, from_git, &w);
    if (rc == 0 && (fresh || w.commits || w.foreign || w.admin))
        rc = append_lines(path, &w.lines);
    if (rc == 0 && w.commits && !fresh)
        log_warn("index", "%zu commit(s) after the journal's end added from git", w.commits);
    if (w.foreign)
        *foreign = 1;
    if (rc < 0 && !err[0])
        snprintf(err, errcap, "cannot read the history of %.900s: %s", path, kenes_strerror(rc));
    util_buf_dispose(&w.lines);
    return rc;
}

int journal_append_lines(const char *path, const util_buf *lines)
{
    return lines->len ? append_lines(path, lines) : 0;
}

int journal_rebuild(store *s, const char *path, size_t *commits, char *err, size_t errcap)
{
    walk_ctx w = {s, NULL, 0, {0}, 0, 0, 0, NULL, 0, 0, NULL, 0, 0};
    util_buf_init(&w.lines);
    int rc = store_walk(s, from_git, &w);
    if (rc == 0)
        rc = util_write_file_atomic(path, w.lines.data ? w.lines.data : "", w.lines.len, 0600) < 0
                 ? KENES_EIO
                 : 0;
    if (rc < 0)
        snprintf(err, errcap, "cannot rebuild %.900s", path);
    *commits = w.commits;
    util_buf_dispose(&w.lines);
    return rc;
}

long journal_check(store *s, const char *path,
                   void (*fault)(const char *what, const char *commit, void *payload),
                   void (*note)(const char *what, const char *commit, void *payload),
                   void *payload)
{
    walk_ctx w = {s, NULL, 0, {0}, 0, 0, 0, NULL, 0, 0, NULL, 0, 0};
    util_buf_init(&w.lines);
    char *text = NULL;
    size_t len;
    /* The journal first: a server running beside only adds to both, a
     * line after its commit, so git read second holds every commit the
     * journal names, and what git has beyond it is the lag a note says. */
    int rc = util_read_file(&text, &len, path);
    if (rc == 0)
        rc = store_walk(s, from_git, &w);
    if (rc < 0) {
        util_buf_dispose(&w.lines);
        free(text);
        return rc;
    }
    /* Line by line: the same commits in the same order with the same facts
     * (times to the second: git keeps no more). */
    long faults = 0;
    char *a = w.lines.data ? w.lines.data : "", *b = text;
    while (*a || *b) {
        char *na = strchr(a, '\n'), *nb = strchr(b, '\n');
        json_t *ja = *a ? json_loadb(a, na ? (size_t)(na - a) : strlen(a), 0, NULL) : NULL;
        json_t *jb = *b ? json_loadb(b, nb ? (size_t)(nb - b) : strlen(b), 0, NULL) : NULL;
        const char *commit = json_string_value(json_object_get(ja ? ja : jb, "commit"));
        if (ja && jb) {
            json_int_t ta = json_integer_value(json_object_get(ja, "time")) / 1000;
            json_int_t tb = json_integer_value(json_object_get(jb, "time")) / 1000;
            json_object_del(ja, "time");
            json_object_del(jb, "time");
            if (ta != tb || !json_equal(ja, jb)) {
                fault("the history journal differs from git at", commit, payload);
                faults++;
            }
        } else if (ja && json_object_get(ja, "admin")) {
            /* An administrator's decision made with the server stopped: its
             * next start journals it. */
        } else if (ja && note && !faults && (!*b || (!nb && !jb))) {
            /* Past the end of a journal that agrees with git so far (or its
             * last line, cut short): a crash came between the commit and its
             * line, and the next start writes the line from git (journal_load). */
            note("the history journal ends before", commit, payload);
        } else if (ja) {
            fault("the history journal lacks", commit, payload);
            faults++;
        } else {
            fault("the history journal names a commit git does not have:", commit, payload);
            faults++;
        }
        json_decref(ja);
        json_decref(jb);
        a = na ? na + 1 : a + strlen(a);
        b = nb ? nb + 1 : b + strlen(b);
    }
    util_buf_dispose(&w.lines);
    free(text);
    return faults;
}
