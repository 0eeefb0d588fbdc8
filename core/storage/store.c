/*
 * The store: a bare git repository written by one writer.
 *
 * Threads: the loop owns struct store and the queue.  While a writer job
 * runs, it alone touches s->batch, the writes in it and s->wrepo; the loop
 * hands them over in uv_queue_work and gets them back in the after-work
 * callback, which orders the two sides.  Reads on the pool open their own
 * repository handle, since libgit2 handles must not be shared across threads.
 */
#include "storage/store.h"

#include <fcntl.h>
#include <git2.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "kenes/plugin.h"
#include "base/log.h"
#include "base/util.h"

#define STORE_MAIN "refs/heads/main"
#define STORE_PATH_MAX 1024

struct store {
    uv_loop_t *loop;
    char *gitdir;
    char *committer_name;
    char *committer_email;
    const signer *signer; /* read-only; shared with the writer job */
    /* Where kenes last left main (at open, then after each commit it made);
     * the writer job alone reads and moves it once the store is open. */
    git_oid base;
    int has_base;
    git_repository *wrepo; /* the writer job's; one job at a time */
    git_repository *rrepo; /* the synchronous readers' (start-up, tests) */

    store_write *queue_head; /* waiting for the next job; loop only */
    store_write *queue_tail;
    store_write *batch; /* the running job's writes, in order */
    int running;
    uv_work_t work;

    size_t reads;      /* reads on the pool */
    size_t undelivered; /* finished writes whose callback has not run yet */
    int in_callbacks;  /* delivering results: freeing now would pull s away */
    int closing;
    int journal_fd; /* the history journal, appended by the writer job; -1 if none */
    util_buf journal_pending; /* lines not yet on disk, oldest first; writer job only */
    store_trailer_fn anchor_trailer; /* see store_set_anchor; called by the writer job */
    store_committed_fn anchor_committed;
    void *anchor_payload;
};

/* ------------------------------------------------------------------------ */
/* libgit2 set-up and errors                                                */

static uv_once_t git_once = UV_ONCE_INIT;
static int git_init_rc;

static void git_global_init(void)
{
    git_init_rc = git_libgit2_init();
    /* A reply acknowledges a write only once it survives a crash: libgit2
     * then fsyncs each object, the ref and their directories. */
    if (git_init_rc >= 0)
        git_init_rc = git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 1);
    /* Keep parsed trees of up to 1 MiB (libgit2 keeps 4 KiB by default): a
     * folder of hundreds of documents is then parsed once at start, not once
     * per document read from it. */
    if (git_init_rc >= 0)
        git_init_rc = git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_TREE,
                                       (size_t)1 << 20);
}

static int git_ready(void)
{
    uv_once(&git_once, git_global_init);
    return git_init_rc < 0 ? KENES_EIO : 0;
}

/* Writes "what: libgit2's reason" into buf and returns code. */
static int git_fail(char *buf, size_t cap, int code, const char *what)
{
    const git_error *e = git_error_last();
    if (buf && cap)
        snprintf(buf, cap, "%s: %s", what, e && e->message ? e->message : "unknown error");
    return code;
}

static int open_repo(git_repository **out, const char *gitdir)
{
    unsigned flags = GIT_REPOSITORY_OPEN_NO_SEARCH | GIT_REPOSITORY_OPEN_BARE;
    int rc = git_repository_open_ext(out, gitdir, flags, NULL);
    if (rc == GIT_ENOTFOUND)
        return KENES_ENOTFOUND;
    return rc < 0 ? KENES_EIO : 0;
}

/* 40 hex digits exactly: git_oid_fromstr would read past a shorter string. */
static int parse_oid(git_oid *out, const char *hex)
{
    if (!hex || strlen(hex) != GIT_OID_HEXSZ ||
        strspn(hex, "0123456789abcdefABCDEF") != GIT_OID_HEXSZ)
        return KENES_ENOTFOUND;
    return git_oid_fromstr(out, hex) < 0 ? KENES_ENOTFOUND : 0;
}

/* A relative path of non-empty components, none of them ".", ".." or
 * ".git" (which git fsck refuses and checkouts would treat specially). */
static int path_valid(const char *path)
{
    size_t len = path ? strlen(path) : 0;
    if (len == 0 || len > STORE_PATH_MAX || path[0] == '/' || path[len - 1] == '/')
        return 0;
    for (const char *p = path; *p;) {
        size_t n = strcspn(p, "/");
        if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && memcmp(p, "..", 2) == 0) ||
            (n == 4 && strncasecmp(p, ".git", 4) == 0))
            return 0;
        p += n;
        if (*p == '/')
            p++;
    }
    return 1;
}

/* ------------------------------------------------------------------------ */
/* Creating and opening                                                     */

static int main_head(git_oid *out, int *has, git_repository *repo);

/* init writes HEAD, config and the directories without syncing them; a
 * crash right after "kenes init" must not leave a repository without HEAD. */
static void sync_paths(const char *gitdir)
{
    static const char *const names[] = {"HEAD", "config", "objects", "refs/heads", "refs", ""};
    char path[4096];
    for (size_t i = 0; i < UTIL_ARRAY_LEN(names); i++) {
        snprintf(path, sizeof(path), "%s/%s", gitdir, names[i]);
        int fd = open(path, O_RDONLY);
        if (fd >= 0) {
            fsync(fd);
            close(fd);
        }
    }
    snprintf(path, sizeof(path), "%s/..", gitdir);
    int fd = open(path, O_RDONLY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

int store_init_repo(const char *gitdir)
{
    if (!gitdir || !*gitdir)
        return KENES_EINVAL;
    if (git_ready() < 0)
        return KENES_EIO;
    git_repository_init_options o;
    git_repository_init_options_init(&o, GIT_REPOSITORY_INIT_OPTIONS_VERSION);
    o.flags = GIT_REPOSITORY_INIT_BARE | GIT_REPOSITORY_INIT_MKPATH |
              GIT_REPOSITORY_INIT_NO_REINIT;
    o.initial_head = "main";
    git_repository *repo = NULL;
    /* NO_REINIT's refusal is a generic error; ask first to say why. */
    if (open_repo(&repo, gitdir) == 0) {
        git_repository_free(repo);
        return KENES_EEXISTS;
    }
    int rc = git_repository_init_ext(&repo, gitdir, &o);
    if (rc < 0) {
        char msg[256];
        git_fail(msg, sizeof(msg), 0, "init");
        log_error("store", "cannot create %s: %s", gitdir, msg);
        return rc == GIT_EEXISTS ? KENES_EEXISTS : KENES_EIO;
    }
    git_repository_free(repo);
    sync_paths(gitdir);
    return 0;
}

int store_open(store **out, uv_loop_t *loop, const char *gitdir, const char *committer_name,
               const char *committer_email)
{
    *out = NULL;
    if (!loop || !gitdir || !committer_name || !*committer_name || !committer_email ||
        !*committer_email)
        return KENES_EINVAL;
    if (git_ready() < 0)
        return KENES_EIO;
    store *s = calloc(1, sizeof(*s));
    if (s)
        s->journal_fd = -1;
    if (!s)
        return KENES_ENOMEM;
    s->loop = loop;
    s->gitdir = strdup(gitdir);
    s->committer_name = strdup(committer_name);
    s->committer_email = strdup(committer_email);
    int rc = (s->gitdir && s->committer_name && s->committer_email) ? 0 : KENES_ENOMEM;
    if (rc == 0)
        rc = open_repo(&s->wrepo, gitdir);
    if (rc == 0)
        rc = open_repo(&s->rrepo, gitdir);
    if (rc == 0 && main_head(&s->base, &s->has_base, s->wrepo) < 0)
        rc = KENES_EIO;
    if (rc < 0) {
        char msg[256];
        git_fail(msg, sizeof(msg), 0, "open");
        log_error("store", "cannot open %s: %s", gitdir, msg);
        s->closing = 1;
        store_close(s);
        return rc;
    }
    *out = s;
    return 0;
}

static int store_busy(const store *s)
{
    return s->running || s->queue_head || s->reads || s->undelivered;
}

static void store_free(store *s)
{
    if (s->journal_fd >= 0)
        close(s->journal_fd);
    util_buf_dispose(&s->journal_pending);
    git_repository_free(s->wrepo);
    git_repository_free(s->rrepo);
    free(s->gitdir);
    free(s->committer_name);
    free(s->committer_email);
    free(s);
}

/* Free once closed, drained, and not inside one of our own callbacks. */
static void maybe_free(store *s)
{
    if (s->closing && !s->in_callbacks && !store_busy(s))
        store_free(s);
}

void store_close(store *s)
{
    if (!s)
        return;
    if (store_busy(s) && !s->closing)
        log_warn("store", "closed with writes or reads pending; freeing once they finish");
    s->closing = 1;
    maybe_free(s);
}

int store_idle(const store *s)
{
    return !s || !store_busy(s);
}

int store_set_signer(store *s, const signer *sig)
{
    if (!s || s->closing || store_busy(s))
        return KENES_EINVAL;
    s->signer = sig;
    return 0;
}

const signer *store_signer(const store *s)
{
    return s ? s->signer : NULL;
}

/* ------------------------------------------------------------------------ */
/* The writer                                                               */

/* Reads refs/heads/main; *has is 0 when the branch has no commit yet. */
static int main_head(git_oid *out, int *has, git_repository *repo)
{
    int rc = git_reference_name_to_id(out, repo, STORE_MAIN);
    *has = rc == 0;
    return rc == GIT_ENOTFOUND ? 0 : rc;
}

/* Before the commit: write the side file, or move it aside for removal. */
static int side_file_begin(const store_write *w, char *msg, size_t cap)
{
    int rc;
    if (w->side_data)
        rc = util_write_file_atomic(w->side_path, w->side_data, w->side_len, 0600);
    else if (!w->side_pending)
        rc = -EINVAL; /* a removal needs the name it goes by until the commit */
    else if ((rc = util_rename_durable(w->side_path, w->side_pending)) == -ENOENT)
        rc = 0; /* already gone: nothing to destroy */
    if (rc < 0) {
        snprintf(msg, cap, "cannot %s the key file: %s", w->side_data ? "write" : "remove",
                 strerror(-rc));
        return KENES_EIO;
    }
    return 0;
}

/* After the commit: finish what side_file_begin() started, or undo it, so
 * that the disk matches the history whether the commit was made or not. */
static void side_file_end(const store_write *w, int committed)
{
    int rc = 0;
    const char *what = "";
    if (w->side_data && !committed) {
        what = "remove the key file of a commit that failed";
        rc = util_unlink_durable(w->side_path);
    } else if (!w->side_data && committed) {
        what = "finish removing the key file";
        rc = util_unlink_durable(w->side_pending);
    } else if (!w->side_data) {
        what = "put back the key file of a removal that failed";
        rc = util_rename_durable(w->side_pending, w->side_path);
        rc = rc == -ENOENT ? 0 : rc;
    }
    /* The next start settles what is left (see vault_settle()). */
    if (rc < 0)
        log_error("store", "cannot %s (%s): %s", what, w->side_path, strerror(-rc));
}

/* The commit object with an SSH signature of itself in a "gpgsig" header,
 * the way git commit -S writes one: the signature covers the object as it
 * would be without the header, which is what git verify-commit checks. */
static int create_signed(git_oid *out, store *s, store_write *w, const char *message,
                         const git_signature *author, const git_signature *committer,
                         const git_tree *tree, const git_commit *parent)
{
    git_buf body = {0};
    char *armored = NULL;
    size_t armored_len = 0;
    int rc = 0;
    const git_commit *parents[1] = {parent};
    if (git_commit_create_buffer(&body, s->wrepo, author, committer, NULL, message, tree,
                                 parent ? 1 : 0, parents) < 0) {
        rc = git_fail(w->errmsg, sizeof(w->errmsg), KENES_EIO, "building the commit");
    } else if ((rc = sign_buffer(s->signer, &armored, &armored_len, body.ptr, body.size)) < 0) {
        snprintf(w->errmsg, sizeof(w->errmsg), "cannot sign the commit");
    } else {
        /* libgit2 indents every line after a newline as a continuation of
         * the header; the last one must go, or the header would end in a
         * line holding one space (git writes none). */
        if (armored_len && armored[armored_len - 1] == '\n')
            armored[armored_len - 1] = '\0';
        if (git_commit_create_with_signature(out, s->wrepo, body.ptr, armored, "gpgsig") < 0)
            rc = git_fail(w->errmsg, sizeof(w->errmsg), KENES_EIO, "writing the commit");
    }
    free(armored);
    git_buf_dispose(&body);
    return rc;
}

/* The write's message with the anchor's trailer after its own (the last
 * paragraph), taken now, on the writer: *out malloc'd. */
static int anchored_message(char **out, store *s, store_write *w)
{
    char line[256] = "";
    if (s->anchor_trailer && s->anchor_trailer(line, sizeof(line), s->anchor_payload) < 0) {
        snprintf(w->errmsg, sizeof(w->errmsg), "cannot anchor the commit");
        return KENES_EIO;
    }
    util_buf b;
    util_buf_init(&b);
    size_t n = strlen(w->message);
    util_buf_append(&b, w->message, n);
    if (line[0]) {
        if (n && w->message[n - 1] != '\n')
            util_buf_puts(&b, "\n");
        util_buf_printf(&b, "%s\n", line);
    }
    if (!(*out = util_buf_detach(&b, NULL)))
        return KENES_ENOMEM;
    return 0;
}

static int commit_one(store *s, store_write *w)
{
    git_repository *repo = s->wrepo;
    git_commit *parent = NULL;
    git_tree *base = NULL, *tree = NULL;
    git_signature *author = NULL, *committer = NULL;
    git_reference *ref = NULL;
    git_oid parent_id, tree_id, commit_id;
    git_tree_update upd = {.path = w->path};
    char *message = NULL;
    int has_parent, rc = 0, side_begun = 0;
    char *msg = w->errmsg;
    size_t cap = sizeof(w->errmsg);

    /* The side file first: a commit must never name a case whose key is not
     * on disk, and an erasure takes the key out of use before saying so. */
    if (w->side_path) {
        if ((rc = side_file_begin(w, msg, cap)) < 0)
            goto done;
        side_begun = 1;
    }

    /* Read the head afresh for every write: a write that failed left it
     * where it was, and whoever moved it last is the parent. */
    if (main_head(&parent_id, &has_parent, repo) < 0) {
        rc = git_fail(msg, cap, KENES_EIO, "reading " STORE_MAIN);
        goto done;
    }
    /* Never sign on top of a commit kenes did not make: one pushed while the
     * server runs was never checked (start-up checks what it finds). */
    if (has_parent != s->has_base || (has_parent && !git_oid_equal(&parent_id, &s->base))) {
        char now[STORE_OID_HEX] = "none", was[STORE_OID_HEX] = "none";
        if (has_parent)
            git_oid_tostr(now, sizeof(now), &parent_id);
        if (s->has_base)
            git_oid_tostr(was, sizeof(was), &s->base);
        const char *name = strrchr(s->gitdir, '/');
        snprintf(msg, cap, "%s: main moved behind the server's back (to %.12s; kenes left it at "
                 "%.12s): nothing is committed on top of it until a restart checks it",
                 name ? name + 1 : s->gitdir, now, was);
        rc = KENES_ESTALE;
        goto done;
    }
    if (has_parent && (git_commit_lookup(&parent, repo, &parent_id) < 0 ||
                       git_commit_tree(&base, parent) < 0)) {
        rc = git_fail(msg, cap, KENES_EIO, "reading the head commit");
        goto done;
    }

    if (!w->path) {
        /* A record that changes no file (an administrator's decision). */
    } else if (w->content) {
        upd.action = GIT_TREE_UPDATE_UPSERT;
        upd.filemode = GIT_FILEMODE_BLOB;
        if (git_blob_create_from_buffer(&upd.id, repo, w->content, w->content_len) < 0) {
            rc = git_fail(msg, cap, KENES_EIO, "writing the file");
            goto done;
        }
    } else {
        /* libgit2 reports a missing path only as a generic error. */
        git_tree_entry *e = NULL;
        if (!base || git_tree_entry_bypath(&e, base, w->path) < 0) {
            snprintf(msg, cap, "cannot delete %s: no such file", w->path);
            rc = KENES_ENOTFOUND;
            goto done;
        }
        git_tree_entry_free(e);
        upd.action = GIT_TREE_UPDATE_REMOVE;
    }
    /* More files in the same commit (a regeneration of every report). */
    git_tree_update updates[1 + STORE_MAX_FILES];
    size_t nupd = w->path ? 1 : 0;
    updates[0] = upd;
    for (size_t i = 0; i < w->nfiles && i < STORE_MAX_FILES; i++) {
        git_tree_update *u = &updates[nupd++];
        memset(u, 0, sizeof(*u));
        u->path = w->files[i].path;
        u->action = GIT_TREE_UPDATE_UPSERT;
        u->filemode = GIT_FILEMODE_BLOB;
        if (!path_valid(u->path) ||
            git_blob_create_from_buffer(&u->id, repo, w->files[i].content, w->files[i].len) < 0) {
            rc = git_fail(msg, cap, KENES_EIO, "writing a file");
            goto done;
        }
    }
    if (git_tree_create_updated(&tree_id, repo, base, nupd, updates) < 0 ||
        git_tree_lookup(&tree, repo, &tree_id) < 0) {
        rc = git_fail(msg, cap, KENES_EIO, "building the tree");
        goto done;
    }

    int64_t ms = w->time_ms ? w->time_ms : util_now_ms();
    git_time_t secs = (git_time_t)(ms / 1000);
    if (git_signature_new(&author, w->author_name, w->author_email, secs, 0) < 0) {
        rc = git_fail(msg, cap, KENES_EINVAL, "author");
        goto done;
    }
    if (git_signature_new(&committer, s->committer_name, s->committer_email, secs, 0) < 0) {
        rc = git_fail(msg, cap, KENES_EINVAL, "committer");
        goto done;
    }
    const git_commit *parents[1] = {parent};
    if ((rc = anchored_message(&message, s, w)) < 0)
        goto done;
    if (s->signer)
        rc = create_signed(&commit_id, s, w, message, author, committer, tree,
                           has_parent ? parent : NULL);
    else if (git_commit_create(&commit_id, repo, NULL, author, committer, NULL, message, tree,
                               has_parent ? 1 : 0, parents) < 0)
        rc = git_fail(msg, cap, KENES_EIO, "writing the commit");
    if (rc < 0)
        goto done;

    /* Compare-and-swap: move main only from the head this commit was built
     * on (or create it only if still absent), so a ref moved behind our
     * back fails this write instead of silently dropping someone's commit. */
    int grc = git_reference_create_matching(&ref, repo, STORE_MAIN, &commit_id, has_parent,
                                            has_parent ? &parent_id : NULL, "kenes: commit");
    if (grc == GIT_EMODIFIED || grc == GIT_EEXISTS) {
        rc = git_fail(msg, cap, KENES_EIO, STORE_MAIN " moved during the write");
        goto done;
    } else if (grc < 0) {
        rc = git_fail(msg, cap, KENES_EIO, "updating " STORE_MAIN);
        goto done;
    }
    git_oid_tostr(w->commit, sizeof(w->commit), &commit_id);
    git_oid_cpy(&s->base, &commit_id);
    s->has_base = 1;

done:
    free(message);
    if (side_begun)
        side_file_end(w, rc == 0);
    git_reference_free(ref);
    git_signature_free(committer);
    git_signature_free(author);
    git_tree_free(tree);
    git_tree_free(base);
    git_commit_free(parent);
    return rc;
}

/*
 * Append the batch's journal lines and sync them once.  A commit is durable
 * without its line: the journal on disk is always the history's first lines
 * in order, and start-up takes from git every commit after its last line.
 * So lines that cannot be written (a full disk) are cut back out of the file
 * and kept, to go first with the next batch's; if the server stops first,
 * the next start recovers them from git.  A failure here is logged only.
 */
static void journal_batch(store *s)
{
    util_buf *b = &s->journal_pending;
    for (store_write *w = s->batch; w; w = w->next)
        if (w->status == 0 && w->journal && w->journal[0] == '{')
            util_buf_printf(b, "{\"commit\":\"%s\",%s\n", w->commit, w->journal + 1);
    if (!b->len)
        return;
    off_t before = lseek(s->journal_fd, 0, SEEK_END);
    size_t off = 0;
    while (before >= 0 && off < b->len) {
        ssize_t n = write(s->journal_fd, b->data + off, b->len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            break;
        off += (size_t)n;
    }
    if (before >= 0 && off == b->len && fdatasync(s->journal_fd) == 0) {
        b->len = 0;
        b->data[0] = '\0';
        return;
    }
    int e = errno;
    if (before >= 0 && ftruncate(s->journal_fd, before) == 0) {
        log_error("store", "%s: cannot append to the history journal: %s; %zu byte(s) kept "
                  "for the next write", s->gitdir, strerror(e), b->len);
        return;
    }
    /* Part of a line may stay at the end: nothing may follow it.  The next
     * start drops that part and takes the rest from git. */
    log_error("store", "%s: cannot append to the history journal (%s) nor cut it back (%s): "
              "no more appends until the next start, which recovers them from git",
              s->gitdir, strerror(e), strerror(errno));
    close(s->journal_fd);
    s->journal_fd = -1;
    util_buf_dispose(b);
}

static void writer_work(uv_work_t *req)
{
    store *s = req->data;
    const char *head = NULL;
    for (store_write *w = s->batch; w; w = w->next)
        if ((w->status = commit_one(s, w)) == 0)
            head = w->commit;
    if (s->journal_fd >= 0)
        journal_batch(s);
    /* Before the answers: a commit answered is one the checkpoint names. */
    if (head && s->anchor_committed)
        s->anchor_committed(head, s->anchor_payload);
}

int store_set_anchor(store *s, store_trailer_fn trailer, store_committed_fn committed,
                     void *payload)
{
    if (!store_idle(s))
        return KENES_EINVAL;
    s->anchor_trailer = trailer;
    s->anchor_committed = committed;
    s->anchor_payload = payload;
    return 0;
}

int store_set_journal(store *s, const char *path)
{
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return KENES_EIO;
    if (s->journal_fd >= 0)
        close(s->journal_fd);
    s->journal_fd = fd;
    return 0;
}

static void writer_after(uv_work_t *req, int status);

/* Hand every queued write to one new job, unless one is running. */
static int writer_start(store *s)
{
    if (s->running || !s->queue_head)
        return 0;
    s->batch = s->queue_head;
    s->queue_head = s->queue_tail = NULL;
    s->running = 1;
    s->work.data = s;
    int rc = uv_queue_work(s->loop, &s->work, writer_work, writer_after);
    if (rc < 0) {
        s->queue_head = s->queue_tail = s->batch;
        while (s->queue_tail->next)
            s->queue_tail = s->queue_tail->next;
        s->batch = NULL;
        s->running = 0;
        return KENES_EIO;
    }
    return 0;
}

static void writer_after(uv_work_t *req, int status)
{
    store *s = req->data;
    store_write *done = s->batch;
    s->batch = NULL;
    s->running = 0;
    for (store_write *w = done; w; w = w->next) {
        s->undelivered++;
        if (status < 0) {
            w->status = KENES_EIO;
            snprintf(w->errmsg, sizeof(w->errmsg), "write cancelled: %s", uv_strerror(status));
        }
    }
    /* Start the next job before answering, so its commits are under way
     * while the loop runs these callbacks. */
    if (writer_start(s) < 0) {
        /* Not expected from libuv; fail what waited rather than strand it. */
        store_write *tail = done;
        while (tail && tail->next)
            tail = tail->next;
        for (store_write *w = s->queue_head; w; w = w->next) {
            w->status = KENES_EIO;
            snprintf(w->errmsg, sizeof(w->errmsg), "cannot start the writer");
            s->undelivered++;
        }
        if (tail)
            tail->next = s->queue_head;
        else
            done = s->queue_head;
        s->queue_head = s->queue_tail = NULL;
    }
    s->in_callbacks++;
    while (done) {
        store_write *w = done;
        done = w->next;
        w->next = NULL;
        s->undelivered--;
        w->cb(w, w->payload); /* may free w, submit more, or close s */
    }
    s->in_callbacks--;
    maybe_free(s);
}

int store_submit(store *s, store_write *w, store_write_cb cb, void *payload)
{
    if (!s || !w || !cb || s->closing)
        return KENES_EINVAL;
    /* No path: a commit that keeps its parent's tree, and then no file at all. */
    int record = !w->path && !w->content && !w->nfiles && !w->side_path;
    if ((!record && !path_valid(w->path)) || !w->author_name || !w->author_email ||
        !w->message || (!w->content && w->content_len))
        return KENES_EINVAL;
    w->status = 0;
    w->commit[0] = '\0';
    w->errmsg[0] = '\0';
    w->cb = cb;
    w->payload = payload;
    w->next = NULL;
    if (s->queue_tail)
        s->queue_tail->next = w;
    else
        s->queue_head = w;
    s->queue_tail = w;
    if (writer_start(s) < 0) {
        /* Only w can be queued here: with no job running the queue was empty. */
        s->queue_head = s->queue_tail = NULL;
        return KENES_EIO;
    }
    return 0;
}

static void commit_now_done(store_write *w, void *payload)
{
    (void)w;
    *(int *)payload = 1;
}

int store_commit_now(store *s, store_write *w)
{
    int done = 0;
    int rc = store_submit(s, w, commit_now_done, &done);
    if (rc < 0)
        return rc;
    while (!done && uv_run(s->loop, UV_RUN_ONCE))
        ;
    return done ? w->status : KENES_EIO;
}

/* ------------------------------------------------------------------------ */
/* Reading                                                                  */

static int tree_at(git_tree **out, git_repository *repo, const char *hex)
{
    git_oid id;
    git_commit *c = NULL;
    *out = NULL;
    if (parse_oid(&id, hex) < 0)
        return KENES_ENOTFOUND;
    int rc = git_commit_lookup(&c, repo, &id);
    if (rc == GIT_ENOTFOUND)
        return KENES_ENOTFOUND;
    if (rc < 0)
        return KENES_EIO;
    rc = git_commit_tree(out, c) < 0 ? KENES_EIO : 0;
    git_commit_free(c);
    return rc;
}

/* The blob at path; KENES_ENOTFOUND if there is none (or a folder). */
static int blob_in(git_blob **out, git_repository *repo, const git_tree *tree, const char *path)
{
    git_tree_entry *e = NULL;
    *out = NULL;
    int rc = git_tree_entry_bypath(&e, tree, path);
    if (rc == GIT_ENOTFOUND)
        return KENES_ENOTFOUND;
    if (rc < 0)
        return KENES_EIO;
    if (git_tree_entry_type(e) != GIT_OBJECT_BLOB)
        rc = KENES_ENOTFOUND;
    else
        rc = git_blob_lookup(out, repo, git_tree_entry_id(e)) < 0 ? KENES_EIO : 0;
    git_tree_entry_free(e);
    return rc;
}

/* The bytes of a blob, NUL-terminated for callers that treat it as text. */
static int blob_copy(char **out, size_t *len, const git_blob *b)
{
    size_t n = (size_t)git_blob_rawsize(b);
    char *p = malloc(n + 1);
    if (!p)
        return KENES_ENOMEM;
    memcpy(p, git_blob_rawcontent(b), n);
    p[n] = '\0';
    *out = p;
    *len = n;
    return 0;
}

static int read_file(char **out, size_t *len, git_repository *repo, const char *hex,
                     const char *path)
{
    git_tree *tree = NULL;
    git_blob *blob = NULL;
    int rc = tree_at(&tree, repo, hex);
    if (rc == 0)
        rc = blob_in(&blob, repo, tree, path);
    if (rc == 0)
        rc = blob_copy(out, len, blob);
    git_blob_free(blob);
    git_tree_free(tree);
    return rc;
}

/* Unified diff of path from one commit to another; a side without the
 * file counts as empty, but the path must exist on at least one side. */
/* The unified diff text of a patch; *out malloc'd and NUL-terminated. */
static int patch_text(char **out, size_t *len, git_patch *patch)
{
    git_buf buf = {0};
    int rc = 0;
    if (git_patch_to_buf(&buf, patch) < 0)
        rc = KENES_EIO;
    else if (!(*out = malloc(buf.size + 1)))
        rc = KENES_ENOMEM;
    else {
        if (buf.size)
            memcpy(*out, buf.ptr, buf.size);
        (*out)[buf.size] = '\0';
        *len = buf.size;
    }
    git_buf_dispose(&buf);
    return rc;
}

static int read_diff(char **out, size_t *len, git_repository *repo, const char *from,
                     const char *to, const char *path)
{
    git_tree *ta = NULL, *tb = NULL;
    git_blob *a = NULL, *b = NULL;
    git_patch *patch = NULL;
    int rc = tree_at(&ta, repo, from);
    if (rc == 0)
        rc = tree_at(&tb, repo, to);
    if (rc == 0 && (rc = blob_in(&a, repo, ta, path)) == KENES_ENOTFOUND)
        rc = 0;
    if (rc == 0 && (rc = blob_in(&b, repo, tb, path)) == KENES_ENOTFOUND)
        rc = 0;
    if (rc == 0 && !a && !b)
        rc = KENES_ENOTFOUND;
    if (rc == 0) {
        git_diff_options opts;
        git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
        rc = git_patch_from_blobs(&patch, a, path, b, path, &opts) < 0
                 ? KENES_EIO
                 : patch_text(out, len, patch);
    }
    git_patch_free(patch);
    git_blob_free(b);
    git_blob_free(a);
    git_tree_free(tb);
    git_tree_free(ta);
    return rc;
}

int store_diff_buffers(char **out, size_t *len, const char *path, const char *a, size_t alen,
                       const char *b, size_t blen)
{
    git_patch *patch = NULL;
    git_diff_options opts;
    if (git_ready() < 0)
        return KENES_EIO;
    git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
    int rc = git_patch_from_buffers(&patch, a, alen, path, b, blen, path, &opts) < 0
                 ? KENES_EIO
                 : patch_text(out, len, patch);
    git_patch_free(patch);
    return rc;
}

static void read_work(uv_work_t *req)
{
    store_read *r = req->data;
    git_repository *repo = NULL;
    r->status = open_repo(&repo, r->s->gitdir);
    if (r->status < 0)
        return;
    if (r->kind == STORE_READ_FILE || r->kind == STORE_READ_PAIR)
        r->status = read_file(&r->result, &r->result_len, repo, r->commit, r->path);
    else
        r->status = read_diff(&r->result, &r->result_len, repo, r->commit, r->commit_to, r->path);
    if (r->status == 0 && r->kind == STORE_READ_PAIR)
        r->status = read_file(&r->result2, &r->result2_len, repo, r->commit_to, r->path);
    git_repository_free(repo);
}

static void read_after(uv_work_t *req, int status)
{
    store_read *r = req->data;
    store *s = r->s;
    if (status < 0 && r->status == 0)
        r->status = KENES_EIO;
    s->reads--;
    s->in_callbacks++;
    r->cb(r, r->payload);
    s->in_callbacks--;
    maybe_free(s);
}

int store_read_submit(store *s, store_read *r, store_read_cb cb, void *payload)
{
    if (!s || !r || !cb || s->closing || !r->path ||
        (r->kind != STORE_READ_FILE && r->kind != STORE_READ_DIFF && r->kind != STORE_READ_PAIR))
        return KENES_EINVAL;
    r->status = 0;
    r->result = r->result2 = NULL;
    r->result_len = r->result2_len = 0;
    r->s = s;
    r->cb = cb;
    r->payload = payload;
    r->work.data = r;
    if (uv_queue_work(s->loop, &r->work, read_work, read_after) < 0)
        return KENES_EIO;
    s->reads++;
    return 0;
}

int store_read_at(store *s, char **out, size_t *len, const char *commit, const char *path)
{
    *out = NULL;
    *len = 0;
    if (!s || !path)
        return KENES_EINVAL;
    return read_file(out, len, s->rrepo, commit, path);
}

int store_head(store *s, char out[STORE_OID_HEX])
{
    git_oid id;
    int has;
    out[0] = '\0';
    if (!s)
        return KENES_EINVAL;
    if (main_head(&id, &has, s->rrepo) < 0)
        return KENES_EIO;
    if (has)
        git_oid_tostr(out, STORE_OID_HEX, &id);
    return 0;
}

/* A walker over main, or *out NULL if main has no commit yet. */
static int walk_main(git_revwalk **out, git_repository *repo, unsigned sort)
{
    git_revwalk *walk;
    git_oid head;
    int has;
    *out = NULL;
    if (main_head(&head, &has, repo) < 0)
        return KENES_EIO;
    if (!has)
        return 0;
    if (git_revwalk_new(&walk, repo) < 0)
        return KENES_EIO;
    git_revwalk_sorting(walk, sort);
    if (git_revwalk_push(walk, &head) < 0) {
        git_revwalk_free(walk);
        return KENES_EIO;
    }
    *out = walk;
    return 0;
}

int store_walk(store *s, int (*cb)(const store_commit_info *c, void *payload), void *payload)
{
    return store_walk_since(s, NULL, cb, payload);
}

int store_walk_since(store *s, const char *since,
                     int (*cb)(const store_commit_info *c, void *payload), void *payload)
{
    git_revwalk *walk;
    git_oid id, stop;
    if (!s || !cb || (since && parse_oid(&stop, since) < 0))
        return KENES_EINVAL;
    int rc = walk_main(&walk, s->rrepo, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE);
    if (rc < 0 || !walk)
        return rc;
    if (since && git_revwalk_hide(walk, &stop) < 0) {
        git_revwalk_free(walk);
        return KENES_ENOTFOUND;
    }
    int grc;
    while ((grc = git_revwalk_next(&id, walk)) == 0) {
        git_commit *c;
        char hex[STORE_OID_HEX];
        if (git_commit_lookup(&c, s->rrepo, &id) < 0) {
            rc = KENES_EIO;
            break;
        }
        const git_signature *a = git_commit_author(c);
        git_oid_tostr(hex, sizeof(hex), &id);
        store_commit_info info = {
            .commit = hex,
            .time_ms = (int64_t)git_commit_time(c) * 1000,
            .author_name = a->name,
            .author_email = a->email,
            .message = git_commit_message(c),
        };
        rc = cb(&info, payload);
        git_commit_free(c);
        if (rc != 0)
            break;
    }
    if (rc == 0 && grc != GIT_ITEROVER)
        rc = KENES_EIO;
    git_revwalk_free(walk);
    return rc;
}

int store_count(store *s, size_t *out)
{
    git_revwalk *walk;
    git_oid id;
    *out = 0;
    if (!s)
        return KENES_EINVAL;
    int rc = walk_main(&walk, s->rrepo, GIT_SORT_NONE);
    if (rc < 0 || !walk)
        return rc;
    int grc;
    while ((grc = git_revwalk_next(&id, walk)) == 0)
        (*out)++;
    git_revwalk_free(walk);
    return grc == GIT_ITEROVER ? 0 : KENES_EIO;
}

int store_blob_id(char out[STORE_OID_HEX], const char *buf, size_t len)
{
    git_oid oid;
    if (git_odb_hash(&oid, buf, len, GIT_OBJECT_BLOB) < 0)
        return KENES_EINVAL;
    git_oid_tostr(out, STORE_OID_HEX, &oid);
    return 0;
}

int store_contains(store *s, const char *commit)
{
    git_oid head, id;
    int has;
    if (!s || parse_oid(&id, commit) < 0)
        return KENES_EINVAL;
    if (main_head(&head, &has, s->rrepo) < 0)
        return KENES_EIO;
    if (!has)
        return 0;
    if (git_oid_equal(&head, &id))
        return 1;
    int rc = git_graph_descendant_of(s->rrepo, &head, &id);
    return rc < 0 ? 0 : rc;
}

int store_read_versions(store *s, char **texts, size_t *lens, const char *const *commits, size_t n,
                        const char *path)
{
    git_repository *repo = NULL;
    int rc = open_repo(&repo, s->gitdir);
    for (size_t i = 0; i < n; i++) {
        texts[i] = NULL;
        lens[i] = 0;
    }
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = read_file(&texts[i], &lens[i], repo, commits[i], path);
    git_repository_free(repo);
    if (rc < 0)
        for (size_t i = 0; i < n; i++) {
            free(texts[i]);
            texts[i] = NULL;
        }
    return rc;
}
