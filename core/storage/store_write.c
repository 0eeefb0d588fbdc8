/*
 * The store's writer (store.h): one job at a time on the thread pool turns
 * the queued writes into commits on main, in order; the next job takes all
 * that queued meanwhile.  Group commit: the batch's commits are chained in
 * memory (a mempack backend), then written as one pack, main moved once, the
 * journal synced once, and only then is any write of the batch answered.
 */
#include "storage/store_internal.h"

#include <git2/sys/mempack.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kenes/plugin.h"
#include "base/error.h"
#include "base/log.h"

int (*store_test_fault)(const char *gitdir, int step);

/* 2 s in all: git gc's `reflog expire` holds main.lock while it rewrites
 * main's reflog (a line per commit), and on a loaded machine that took
 * longer than git's own 100 ms (test_gc_serving: a 503 once consolidations
 * stopped holding git gc back). */
#define STORE_REF_LOCK_TRIES 400
#define STORE_REF_LOCK_WAIT_US 5000

/* Before the commit: write the side file, or move it aside for removal. */
static int side_file_begin(const store_write *w, char *msg, size_t cap)
{
    int rc;
    if (w->side_data)
        rc = util_write_file_atomic(w->side_path, w->side_data, w->side_len, 0600);
    else if (!w->side_pending)
        rc = KENES_EINVAL; /* a removal needs the name it goes by until the commit */
    else if ((rc = util_rename_durable(w->side_path, w->side_pending)) == KENES_ENOTFOUND)
        rc = 0; /* already gone: nothing to destroy */
    if (rc < 0) {
        snprintf(msg, cap, "cannot %s the key file: %s", w->side_data ? "write" : "remove",
                 kenes_strerror(rc));
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
        rc = rc == KENES_ENOTFOUND ? 0 : rc;
    }
    /* The next start settles what is left (see vault_settle()). */
    if (rc < 0)
        log_error("store", "cannot %s (%s): %s", what, w->side_path, kenes_strerror(rc));
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
        rc = store_git_fail(w->errmsg, sizeof(w->errmsg), KENES_EIO, "building the commit");
    } else if ((rc = sign_buffer(s->signer, &armored, &armored_len, body.ptr, body.size)) < 0) {
        snprintf(w->errmsg, sizeof(w->errmsg), "cannot sign the commit");
    } else {
        /* libgit2 indents every line after a newline as a continuation of
         * the header; the last one must go, or the header would end in a
         * line holding one space (git writes none). */
        if (armored_len && armored[armored_len - 1] == '\n')
            armored[armored_len - 1] = '\0';
        if (git_commit_create_with_signature(out, s->wrepo, body.ptr, armored, "gpgsig") < 0)
            rc = store_git_fail(w->errmsg, sizeof(w->errmsg), KENES_EIO, "writing the commit");
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

static int batch_add(store *s, const git_oid *id)
{
    if (s->nbatch_ids == s->batch_ids_cap) {
        size_t cap = s->batch_ids_cap ? s->batch_ids_cap * 2 : 64;
        git_oid *p = realloc(s->batch_ids, cap * sizeof(*p));
        if (!p)
            return KENES_ENOMEM;
        s->batch_ids = p;
        s->batch_ids_cap = cap;
    }
    git_oid_cpy(&s->batch_ids[s->nbatch_ids++], id);
    return 0;
}

/* The objects a commit made, for the batch's pack: the commit, its root
 * tree, every folder on the way to a path it wrote (those are new when the
 * path's file is), and the blobs.  Not git_mempack_dump(): that packs each
 * commit's whole tree, every document of the repository, into every batch. */
static int batch_collect(store *s, const git_oid *commit, const git_tree *tree,
                         const git_tree_update *upd, size_t nupd)
{
    int rc = batch_add(s, commit);
    if (rc == 0)
        rc = batch_add(s, git_tree_id(tree));
    for (size_t i = 0; rc == 0 && i < nupd; i++) {
        const char *path = upd[i].path;
        if (upd[i].action == GIT_TREE_UPDATE_UPSERT)
            rc = batch_add(s, &upd[i].id);
        for (const char *slash = strchr(path, '/'); rc == 0 && slash;
             slash = strchr(slash + 1, '/')) {
            char dir[STORE_PATH_MAX + 1];
            git_tree_entry *e = NULL;
            snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
            if (git_tree_entry_bypath(&e, tree, dir) < 0)
                break; /* a folder a removal emptied: gone from the tree */
            if (git_tree_entry_type(e) == GIT_OBJECT_TREE)
                rc = batch_add(s, git_tree_entry_id(e));
            git_tree_entry_free(e);
        }
    }
    return rc;
}

/* One write as a commit on *tip (the batch's chain so far; has_tip 0 while
 * main has no commit), its objects in the batch's memory pack.  On success
 * *tip is the new commit.  The side file is begun here and ended with the
 * batch (side_file_end), once it is known whether main moved. */
static int commit_one(store *s, store_write *w, git_oid *tip, int *has_tip)
{
    git_repository *repo = s->wrepo;
    git_commit *parent = NULL;
    git_tree *base = NULL, *tree = NULL;
    git_signature *author = NULL, *committer = NULL;
    git_oid tree_id, commit_id;
    git_tree_update upd = {.path = w->path};
    char *message = NULL;
    int rc = 0;
    char *msg = w->errmsg;
    size_t cap = sizeof(w->errmsg);

    /* The side file first: a commit must never name a case whose key is not
     * on disk, and an erasure takes the key out of use before saying so. */
    if (w->side_path) {
        if ((rc = side_file_begin(w, msg, cap)) < 0)
            goto done;
        w->side_begun = 1;
    }
    if (w->side_needed && access(w->side_needed, F_OK) != 0) {
        snprintf(msg, cap, "its key file %s is missing: %s", w->side_needed, strerror(errno));
        rc = KENES_EUNAVAILABLE;
        goto done;
    }
    if (*has_tip &&
        (git_commit_lookup(&parent, repo, tip) < 0 || git_commit_tree(&base, parent) < 0)) {
        rc = store_git_fail(msg, cap, KENES_EIO, "reading the head commit");
        goto done;
    }

    if (!w->path) {
        /* A record that changes no file (an administrator's decision). */
    } else if (w->content) {
        upd.action = GIT_TREE_UPDATE_UPSERT;
        upd.filemode = GIT_FILEMODE_BLOB;
        if (git_blob_create_from_buffer(&upd.id, repo, w->content, w->content_len) < 0) {
            rc = store_git_fail(msg, cap, KENES_EIO, "writing the file");
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
        if (!w->files[i].content) { /* removed (an attachment a version drops) */
            git_tree_entry *e = NULL;
            if (!base || !store_path_valid(u->path) ||
                git_tree_entry_bypath(&e, base, u->path) < 0) {
                snprintf(msg, cap, "cannot delete %s: no such file", u->path);
                rc = KENES_ENOTFOUND;
                goto done;
            }
            git_tree_entry_free(e);
            u->action = GIT_TREE_UPDATE_REMOVE;
            continue;
        }
        u->action = GIT_TREE_UPDATE_UPSERT;
        u->filemode = GIT_FILEMODE_BLOB;
        if (!store_path_valid(u->path) ||
            git_blob_create_from_buffer(&u->id, repo, w->files[i].content, w->files[i].len) < 0) {
            rc = store_git_fail(msg, cap, KENES_EIO, "writing a file");
            goto done;
        }
    }
    if (!w->path && w->tree) {
        if (store_parse_oid(&tree_id, w->tree) < 0 || git_tree_lookup(&tree, repo, &tree_id) < 0) {
            rc = store_git_fail(msg, cap, KENES_EIO, "reading the tree to commit");
            goto done;
        }
    } else if (git_tree_create_updated(&tree_id, repo, base, nupd, updates) < 0 ||
               git_tree_lookup(&tree, repo, &tree_id) < 0) {
        rc = store_git_fail(msg, cap, KENES_EIO, "building the tree");
        goto done;
    }

    int64_t ms = w->time_ms ? w->time_ms : util_now_ms();
    git_time_t secs = (git_time_t)(ms / 1000);
    if (git_signature_new(&author, w->author_name, w->author_email, secs, 0) < 0) {
        rc = store_git_fail(msg, cap, KENES_EINVAL, "author");
        goto done;
    }
    if (git_signature_new(&committer, s->committer_name, s->committer_email, secs, 0) < 0) {
        rc = store_git_fail(msg, cap, KENES_EINVAL, "committer");
        goto done;
    }
    const git_commit *parents[1] = {parent};
    if ((rc = anchored_message(&message, s, w)) < 0)
        goto done;
    if (s->signer)
        rc = create_signed(&commit_id, s, w, message, author, committer, tree, parent);
    else if (git_commit_create(&commit_id, repo, NULL, author, committer, NULL, message, tree,
                               parent ? 1 : 0, parents) < 0)
        rc = store_git_fail(msg, cap, KENES_EIO, "writing the commit");
    if (rc < 0)
        goto done;
    if ((rc = batch_collect(s, &commit_id, tree, updates, nupd)) < 0) {
        snprintf(msg, cap, "out of memory");
        goto done;
    }
    git_oid_tostr(w->commit, sizeof(w->commit), &commit_id);
    git_oid_cpy(tip, &commit_id);
    *has_tip = 1;

done:
    free(message);
    git_signature_free(committer);
    git_signature_free(author);
    git_tree_free(tree);
    git_tree_free(base);
    git_commit_free(parent);
    return rc;
}

/* Fail every write of the batch that had made its commit: main did not
 * move, so none of them is on it.  batch_failed: the repository refused,
 * not the write, and the same write may succeed once it takes writes again
 * (/healthz says when). */
static void batch_fail(store *s, int rc, const char *why)
{
    for (store_write *w = s->batch; w; w = w->next) {
        if (w->status != 0)
            continue;
        w->status = rc;
        w->batch_failed = 1;
        w->commit[0] = '\0';
        snprintf(w->errmsg, sizeof(w->errmsg), "%s", why);
    }
}

/* Never sign on top of a commit kenes did not make: one pushed while the
 * server runs was never checked (start-up checks what it finds). */
static int check_base(store *s, char *msg, size_t cap)
{
    git_oid now_id;
    int has_now;
    if (store_main_head(&now_id, &has_now, s->wrepo) < 0)
        return store_git_fail(msg, cap, KENES_EIO, "reading " STORE_MAIN);
    if (has_now == s->has_base && (!has_now || git_oid_equal(&now_id, &s->base)))
        return 0;
    char now[STORE_OID_HEX] = "none", was[STORE_OID_HEX] = "none";
    if (has_now)
        git_oid_tostr(now, sizeof(now), &now_id);
    if (s->has_base)
        git_oid_tostr(was, sizeof(was), &s->base);
    const char *name = strrchr(s->gitdir, '/');
    snprintf(msg, cap, "%s: main moved behind the server's back (to %.12s; kenes left it at "
             "%.12s): nothing is committed on top of it until a restart checks it",
             name ? name + 1 : s->gitdir, now, was);
    return KENES_ESTALE;
}

/* main's update failed with something other than "moved" or "locked by
 * someone else": the failure may come after the rename that moved it (the
 * sync of refs/heads), so what main is now decides.  The batch's tip or a
 * descendant of it: committed (0; the failure is logged and the sync tried
 * again).  Where the batch began: not committed (KENES_EIO).  Elsewhere:
 * someone moved it (KENES_ESTALE).  Unreadable: unknown (KENES_EIO with
 * s->unknown set: the side files stay and nothing more is written until
 * main can be read, see unknown_settled). */
static int publish_unclear(store *s, const git_oid *tip, char *msg, size_t cap)
{
    char why[200];
    git_oid now;
    int has_now = 0, rc;
    store_git_fail(why, sizeof(why), KENES_EIO, "updating " STORE_MAIN);
    rc = store_test_fault ? store_test_fault(s->gitdir, STORE_FAULT_REF_READ) : 0;
    if (rc == 0)
        rc = store_main_head(&now, &has_now, s->wrepo);
    if (rc < 0) {
        s->unknown = 1;
        git_oid_cpy(&s->unknown_tip, tip);
        snprintf(msg, cap, "%.100s, and main cannot be read back: whether the write was made is "
                 "not known; nothing is written to this repository until it is", why);
        log_error("store", "%s: %s", s->gitdir, msg);
        return KENES_EIO;
    }
    if (has_now && (git_oid_equal(&now, tip) ||
                    git_graph_descendant_of(s->wrepo, &now, tip) == 1)) {
        char ref[STORE_PATH_MAX + 32];
        snprintf(ref, sizeof(ref), "%s/" STORE_MAIN, s->gitdir);
        int again = util_fsync_dir_of(ref);
        log_error("store", "%s: %s; main holds the batch's commits, so they are made (%s)",
                  s->gitdir, why, again < 0 ? "the folder's sync failed again" :
                  "the folder's sync, tried again, worked");
        return 0;
    }
    if (has_now == s->has_base && (!has_now || git_oid_equal(&now, &s->base))) {
        snprintf(msg, cap, "%s", why);
        return KENES_EIO;
    }
    snprintf(msg, cap, "%.150s; main is now at a commit the server did not make", why);
    return KENES_ESTALE;
}

/* The batch's objects as one pack, then main moved from where the batch
 * began to tip in one compare-and-swap, both synced, under the pack lock
 * (a consolidation never removes a pack whose commits are not on main). */
static int batch_publish(store *s, const git_oid *tip, char *msg, size_t cap)
{
    git_buf pack = {0};
    git_odb *odb = NULL;
    git_reference *ref = NULL;
    char name[128];
    int lock = -1, rc;
    git_packbuilder *pb = NULL;
    int grc = git_packbuilder_new(&pb, s->wrepo);
    for (size_t i = 0; grc == 0 && i < s->nbatch_ids; i++)
        grc = git_packbuilder_insert(pb, &s->batch_ids[i], NULL);
    if (grc == 0)
        grc = git_packbuilder_write_buf(&pack, pb);
    git_packbuilder_free(pb);
    if (grc < 0) {
        rc = store_git_fail(msg, cap, KENES_EIO, "packing the batch");
        goto done;
    }
    if ((rc = store_pack_lock(&lock, s->gitdir)) < 0) {
        snprintf(msg, cap, "cannot take the pack lock: %s", kenes_strerror(rc));
        snprintf(s->w_health, sizeof(s->w_health), "%s", msg);
        goto done;
    }
    if (git_repository_odb(&odb, s->wrepo) < 0) {
        rc = store_git_fail(msg, cap, KENES_EIO, "opening the object database");
        goto done;
    }
    if ((rc = store_pack_write(name, sizeof(name), s->gitdir, odb, pack.ptr, pack.size, msg,
                               cap)) < 0)
        goto done;
    /* The writer's odb learns of the pack at the next batch's start
     * (store_writer_ready); until then the batch's objects are in memory. */
    /* Compare-and-swap: move main only from the head the batch was built on
     * (or create it only if still absent), so a ref moved behind our back
     * fails the batch instead of silently dropping someone's commit. */
    /* A lock on main held for an instant (git pack-refs or reflog expire,
     * run by git gc): wait for it as git itself does
     * (core.filesRefLockTimeout), longer (STORE_REF_LOCK_TRIES). */
    s->publish_seq++; /* odd: main.lock may be ours from here */
    for (int tries = 0;; tries++) {
        grc = git_reference_create_matching(&ref, s->wrepo, STORE_MAIN, tip, s->has_base,
                                            s->has_base ? &s->base : NULL, "kenes: commit");
        if (grc != GIT_ELOCKED || tries == STORE_REF_LOCK_TRIES)
            break;
        usleep(STORE_REF_LOCK_WAIT_US);
    }
    if (grc == 0 && store_test_fault)
        grc = store_test_fault(s->gitdir, STORE_FAULT_REF_AFTER);
    s->publish_seq++; /* even: libgit2 has let go of main.lock */
    if (grc == GIT_EMODIFIED || grc == GIT_EEXISTS)
        rc = store_git_fail(msg, cap, KENES_ESTALE, STORE_MAIN " moved during the write");
    else if (grc == GIT_ELOCKED)
        rc = store_git_fail(msg, cap, KENES_EIO, "updating " STORE_MAIN);
    else if (grc < 0)
        rc = publish_unclear(s, tip, msg, cap);
    else
        rc = 0;
done:
    if (lock >= 0)
        store_pack_unlock(lock);
    git_reference_free(ref);
    git_odb_free(odb);
    git_buf_dispose(&pack);
    return rc;
}

/* Undo or finish the side files, the last write's first: two writes of one
 * batch may touch the same key file, and undoing goes backwards. */
static void side_files_end(store_write *w)
{
    if (!w)
        return;
    side_files_end(w->next);
    if (w->side_begun)
        side_file_end(w, w->status == 0);
    w->side_begun = 0;
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

/* After a move of main whose outcome was not known: nothing is written
 * until main can be read again.  Where the batch began: that batch was not
 * made, and writing goes on.  At its commits: they are made but were
 * answered as failed, which only a restart (reading the history afresh)
 * squares with the server's memory; so it stays stopped, saying so. */
static int unknown_settled(store *s, char *msg, size_t cap)
{
    git_oid now;
    int has_now = 0;
    if (!s->unknown)
        return 0;
    int rc = store_test_fault ? store_test_fault(s->gitdir, STORE_FAULT_REF_READ) : 0;
    if (rc == 0)
        rc = store_main_head(&now, &has_now, s->wrepo);
    if (rc < 0) {
        store_git_fail(msg, cap, KENES_EIO, "reading " STORE_MAIN " back after a failed move");
        return KENES_EIO;
    }
    if (has_now == s->has_base && (!has_now || git_oid_equal(&now, &s->base))) {
        log_warn("store", "%s: main did not move: the batch whose outcome was not known was "
                 "not made (a key file it wrote stays unused)", s->gitdir);
        s->unknown = 0;
        return 0;
    }
    snprintf(msg, cap, "main holds commits whose writes were answered as failed (or moved "
             "since): nothing is written to this repository until a restart reads them");
    return KENES_EIO;
}

static void writer_work(uv_work_t *req)
{
    store *s = req->data;
    char why[256] = "";
    git_oid tip = s->base;
    int has_tip = s->has_base, made = 0;
    s->nbatch_ids = 0;
    int rc = store_writer_ready(s, why, sizeof(why));
    if (rc == 0)
        rc = unknown_settled(s, why, sizeof(why));
    if (rc == 0)
        rc = check_base(s, why, sizeof(why));
    /* What stays wrong until someone acts: /healthz says it. */
    if (rc < 0 && (s->unknown || rc == KENES_ESTALE))
        snprintf(s->w_health, sizeof(s->w_health), "%s", why);
    for (store_write *w = s->batch; w; w = w->next) {
        if (rc < 0) {
            w->status = rc;
            w->batch_failed = 1; /* as batch_fail: the repository refused */
            snprintf(w->errmsg, sizeof(w->errmsg), "%s", why);
        } else if ((w->status = commit_one(s, w, &tip, &has_tip)) == 0) {
            made++;
        }
    }
    if (rc == 0 && made && (rc = batch_publish(s, &tip, why, sizeof(why))) < 0) {
        batch_fail(s, rc, why);
        if (s->unknown)
            snprintf(s->w_health, sizeof(s->w_health), "%s", why);
    }
    /* For /healthz, handed to the loop by writer_after: a failed batch until
     * one succeeds (a batch whose writes were all refused on their own says
     * nothing of the repository). */
    s->job_batch_rc = rc < 0 ? rc : made ? 0 : 1;
    if (rc < 0)
        snprintf(s->job_batch_why, sizeof(s->job_batch_why), "%s", why);
    if (rc == 0 && made) {
        git_oid_cpy(&s->base, &tip);
        s->has_base = 1;
        s->w_health[0] = '\0';
    }
    /* The memory pack is on disk now, or its objects are of no commit. */
    if (s->mempack)
        git_mempack_reset(s->mempack);
    /* Whether main holds the batch is not known: every side file stays as it
     * is (a new case's key is never removed unless main verifiably lacks its
     * commit; the next start settles a removal's pending name). */
    if (s->unknown)
        for (store_write *w = s->batch; w; w = w->next)
            w->side_begun = 0;
    side_files_end(s->batch);
    if (s->journal_fd >= 0)
        journal_batch(s);
    /* Before the answers: a commit answered is one the checkpoint names. */
    if (rc == 0 && made && s->anchor_committed) {
        char head[STORE_OID_HEX];
        git_oid_tostr(head, sizeof(head), &tip);
        s->anchor_committed(head, s->anchor_payload);
    }
    if (rc == 0 && made) {
        size_t was = s->npacks;
        store_pack_count(&s->npacks, s->gitdir);
        /* Fewer than before plus this batch's: someone (kenes gc) removed
         * packs that wrepo may hold open; open it afresh next time. */
        if (was && s->npacks <= was)
            s->pack_gen++;
    }
}

unsigned store_publish_seq(const store *s)
{
    return s->publish_seq;
}

int store_health(const store *s, char *buf, size_t cap)
{
    if (!s->health[0] && !s->history_fault[0]) {
        snprintf(buf, cap, "ok");
        return 0;
    }
    snprintf(buf, cap, "%s", s->health[0] ? s->health : s->history_fault);
    return KENES_EUNAVAILABLE;
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
        return kenes_error_from_errno(errno);
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
    memcpy(s->health, s->w_health, sizeof(s->health));
    if (status < 0) {
        s->last_batch_rc = KENES_EIO;
        snprintf(s->last_batch_why, sizeof(s->last_batch_why), "the writer's job was cancelled");
    } else if (s->job_batch_rc <= 0) {
        s->last_batch_rc = s->job_batch_rc;
        memcpy(s->last_batch_why, s->job_batch_why, sizeof(s->last_batch_why));
    }
    if (status == 0 && s->job_batch_rc < 0) {
        size_t n = 0;
        for (store_write *w = done; w; w = w->next)
            n++;
        const char *name = strrchr(s->gitdir, '/');
        /* A move of main whose outcome could not be read back may have
         * happened: the log must not say otherwise. */
        log_error("store", "%s: a batch of %zu write%s failed, %s: %s",
                  name ? name + 1 : s->gitdir, n, n == 1 ? "" : "s",
                  s->unknown ? "whether it is on main is not known until main is read again"
                             : "none of them is on main",
                  s->job_batch_why);
    }
    for (store_write *w = done; w; w = w->next) {
        s->undelivered++;
        if (status < 0) {
            w->status = KENES_EIO;
            snprintf(w->errmsg, sizeof(w->errmsg), "write cancelled: %s", uv_strerror(status));
        }
    }
    store_batch_after(s, status == 0 ? done : NULL);
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
    store_maybe_free(s);
}

int store_last_batch(const store *s, char *why, size_t cap)
{
    if (!s || s->last_batch_rc == 0)
        return 0;
    /* What failed, without libgit2's words after it (they may name paths):
     * the log has the whole of it. */
    const char *w = s->last_batch_why;
    size_t n = strcspn(w, ":");
    if (n > 4 && strncmp(w + n - 4, ".git", 4) == 0 && w[n] == ':') { /* "cases.git: ..." */
        w += n + 1 + (w[n + 1] == ' ');
        n = strcspn(w, ":(");
        while (n && w[n - 1] == ' ')
            n--;
    }
    snprintf(why, cap, "%.*s", (int)n, w);
    return s->last_batch_rc;
}

int store_submit(store *s, store_write *w, store_write_cb cb, void *payload)
{
    if (!s || !w || !cb || s->closing)
        return KENES_EINVAL;
    /* No path: a commit that keeps its parent's tree, and then no file at all. */
    int record = !w->path && !w->content && !w->nfiles && !w->side_path;
    if ((!record && !store_path_valid(w->path)) || !w->author_name || !w->author_email ||
        !w->message || (!w->content && w->content_len))
        return KENES_EINVAL;
    w->status = 0;
    w->batch_failed = 0;
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
