/*
 * What the store's files share and its users never see: struct store and
 * the libgit2 helpers.  store.c opens and closes (and maps libgit2's codes,
 * the one place in storage that does), store_write.c is the writer,
 * store_read.c the reads of files, store_diff.c the diffs, store_walk.c the
 * walks over main.
 *
 * Threads: the loop owns struct store and the queue.  While a writer job
 * runs, it alone touches s->batch, the writes in it and s->wrepo; the loop
 * hands them over in uv_queue_work and gets them back in the after-work
 * callback, which orders the two sides.  Reads on the pool open their own
 * repository handle, since libgit2 handles must not be shared across threads.
 */
#ifndef KENES_STORE_INTERNAL_H
#define KENES_STORE_INTERNAL_H

#include <git2.h>

#include "base/util.h"
#include "storage/store.h"

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
    git_odb_backend *mempack; /* wrepo's odb's first backend: the batch's objects */
    git_odb_backend *wpacks;  /* wrepo's odb's packs, refreshed once a batch */
    git_oid *batch_ids;       /* the objects the batch's commits made; writer job only */
    size_t nbatch_ids, batch_ids_cap;
    unsigned wrepo_gen;       /* pack_gen when wrepo was opened */
    _Atomic unsigned pack_gen; /* moved by each consolidation: packs were removed */
    size_t npacks;     /* packs after the last batch; written by the writer job */
    size_t max_packs;  /* consolidate past this many; 0 never */
    size_t max_merge_mib; /* one consolidation merges at most this much; 0 no bound */
    int consolidating; /* a consolidation job is queued or running; loop only */
    struct pack_child *pack_child; /* its process, when it runs in one (pack_run.c) */
    uv_work_t pack_work;
    int pack_rc;                /* the consolidation's outcome, for the loop */
    store_pack_stats pack_stats;
    char pack_msg[256];
    git_repository *rrepo; /* the synchronous readers' on the loop: store_reader() */
    unsigned rrepo_gen;    /* pack_gen when rrepo was opened */
    int walking;           /* a walk holds rrepo: not reopened meanwhile */

    store_write *queue_head; /* waiting for the next job; loop only */
    store_write *queue_tail;
    store_write *batch; /* the running job's writes, in order */
    int running;
    uv_work_t work;
    int job_batch_rc;         /* the job's batch: <0 failed, 0 committed, 1 no news; job only */
    char job_batch_why[256];
    int last_batch_rc;        /* the last batch that said something: loop only */
    char last_batch_why[256];

    size_t reads;      /* reads on the pool */
    size_t undelivered; /* finished writes whose callback has not run yet */
    int in_callbacks;  /* delivering results: freeing now would pull s away */
    int closing;
    int journal_fd; /* the history journal, appended by the writer job; -1 if none */
    util_buf journal_pending; /* lines not yet on disk, oldest first; writer job only */
    store_trailer_fn anchor_trailer; /* see store_set_anchor; called by the writer job */
    store_committed_fn anchor_committed;
    void *anchor_payload;

    /* Odd while the writer moves main (it may hold refs/heads/main.lock):
     * /healthz then knows that lock is this server's own. */
    _Atomic unsigned publish_seq;
    /* Why the repository cannot take a commit now, "" if it can: set by the
     * writer job in w_health, copied to health on the loop after each job. */
    char w_health[256];
    char health[256];
    /* What store_check_journal found missing, "" if nothing (loop only). */
    char history_fault[320];
    /* Main's move failed after it may have happened and main could not be
     * read back: nothing is written until it is known (writer job only). */
    int unknown;
    git_oid unknown_tip;
    /* Consolidations that failed wait pack_wait batches before the next
     * try, doubling each time (pack_backoff); loop only. */
    size_t pack_backoff, pack_wait;
    size_t pack_attempts; /* consolidations started: for tests */
    /* Commits made since the last commit-graph (loop only), and the count
     * the running consolidation was given (it writes the graph when due). */
    size_t graph_since, pack_graph_since;
    store_batch_fn on_batch; /* see store_set_on_batch; loop only */
    void *on_batch_payload;
};

/* For tests only: when set, the writer calls it at the named step and a
 * negative return stands for libgit2's failure there (git_error_set_str for
 * its reason).  STORE_FAULT_REF_AFTER: main's update returned success (the
 * ref file is renamed in place) and the hook turns it into a failure, as a
 * failed sync of refs/heads would be; STORE_FAULT_REF_READ: reading main
 * back after such a failure. */
enum { STORE_FAULT_REF_AFTER = 1, STORE_FAULT_REF_READ = 2 };
extern int (*store_test_fault)(const char *gitdir, int step);

/* The pack lock: flock(LOCK_EX) on <gitdir>/kenes-pack.lock, on an open
 * file description of its own, so it excludes this process's other threads
 * as it does other processes.  Held from writing a batch's pack to moving
 * main, and while a consolidation notes the packs and main's head. */
int store_pack_lock(int *fd, const char *gitdir);
void store_pack_unlock(int fd);
/* Index the pack bytes data (len of them) in the writer's own temporary
 * folder, then move them into objects/pack, .pack before .idx, synced;
 * name gets "pack-<hex>".  0 or KENES_EIO (msg says why). */
int store_pack_write(char *name, size_t cap, const char *gitdir, git_odb *odb, const void *data,
                     size_t len, char *msg, size_t msgcap);
/* Bound a pack builder of repo by storage.pack_memory_mib (store_pack_limits):
 * a config file written in tmp (a folder of the caller's own), read by the
 * handle only, never the repository's config.  0 or KENES_EIO. */
int store_pack_bound(git_repository *repo, const char *tmp);
/* How many packs objects/pack holds (0 on any error: a count for a trigger). */
void store_pack_count(size_t *out, const char *gitdir);
/* Open wrepo afresh when a consolidation removed packs since (a handle
 * keeps removed packs open, and their disk space with them), with the
 * memory pack as its odb's first backend and no look-up before a write
 * (odb_nofresh.h); else refresh its list of packs.  msg says why on failure. */
int store_writer_ready(store *s, char *msg, size_t cap);
/* A folder of the writer's or a consolidation's own (<gitdir>/kenes-tmp-
 * <which>), emptied; and the move of pack <name> from it into objects/pack,
 * .pack before .idx, synced (store_pack.c). */
int store_pack_tmpdir(char *out, size_t cap, const char *gitdir, const char *which);
int store_pack_place(const char *gitdir, const char *tmp, const char *name);

/* What a consolidation keeps and whom it yields to (store_keep.c). */
/* Every ref's target, HEAD's, and the ids its reflogs name: *roots malloc'd. */
int store_pack_roots(git_oid **roots, size_t *n, git_repository *repo);
/* The roots' commits into walk; with pb, also a tag object and what it
 * names when that is no commit.  A root whose object is missing is passed. */
int store_pack_push_roots(git_revwalk *walk, git_packbuilder *pb, git_repository *repo,
                          const git_oid *roots, size_t n);
/* git gc's lock, held by a consolidation: KENES_EBUSY (msg says why) while
 * a git gc runs (gc.pid.lock, or a gc.pid naming a live git gc). */
int store_git_gc_lock(const char *gitdir, char *msg, size_t cap);
void store_git_gc_unlock(const char *gitdir);
/* Index each pack-*.pack that has no .idx (nor .keep), found under the pack
 * lock; called with kenes-gc.lock and git gc's lock held, so such a pack is
 * what a killed consolidation or git gc left.  Never removes one.  The
 * names ("pack-<hex>") of those indexed go to adopted (cap of them at
 * most); returns how many. */
#define STORE_PACK_STEM 128
size_t store_pack_adopt(char (*adopted)[STORE_PACK_STEM], size_t cap, const char *gitdir);

/* How a consolidation goes (store_consolidate_with).  prune_before > 0:
 * whole (`kenes gc`, store.h); 0: the server's, merging only the packs
 * pack_choice.h chooses, at most max_keep of them staying (0 no bound) and
 * at most max_merge bytes of them merged (0 no bound), and the commit-graph written when none is there or graph_since commits
 * were made since it was. */
typedef struct store_pack_opts {
    int64_t prune_before;
    size_t max_keep;
    uint64_t max_merge;
    size_t graph_since;
} store_pack_opts;
int store_consolidate_with(store_pack_stats *out, const char *gitdir, const store_pack_opts *o,
                           int wait, char *msg, size_t cap);
/* 1 if a consolidation with o writes the commit-graph in objdir: always
 * for kenes gc; for the server's, when there is none or the commits since
 * reach a quarter of those it holds (1,000 at least) (store_graph.c). */
int store_graph_due(const char *objdir, const store_pack_opts *o);
/* Write it from the commits roots reach; 0 or KENES_EIO (logged). */
int store_graph_write(git_repository *repo, const char *objdir, const git_oid *roots,
                      size_t nroots);

/* After a batch, on the loop: start a consolidation if packs piled up, in
 * a process of its own (store_pack_exec) or on the thread pool (pack_run.c). */
void store_pack_maybe_start(store *s);
/* On the loop, as the store closes: a consolidation's process is stopped
 * (SIGTERM) rather than waited for. */
void store_pack_stop(store *s);
/* The pack builder's bound, MiB (store_pack_limits). */
size_t store_pack_mib(void);
/* After a job, on the loop, before its writes are answered and before the
 * next job starts: done is the job's writes (NULL if it was cancelled).
 * Counts its commits for the commit-graph, tells on_batch of them, then
 * store_pack_maybe_start (store.c). */
void store_batch_after(store *s, store_write *done);

/* libgit2 initialised once, with fsync on: 0 or KENES_EIO. */
int store_git_ready(void);
/* rrepo, opened afresh first if a consolidation removed packs since; the
 * loop's (synchronous) reads go through it. */
git_repository *store_reader(store *s);
/* Writes "what: libgit2's reason" into buf and returns code. */
int store_git_fail(char *buf, size_t cap, int code, const char *what);

/* The bare repository at gitdir, never a parent folder's. */
int store_open_repo(git_repository **out, const char *gitdir);
/* 40 hex digits exactly, else KENES_ENOTFOUND (git_oid_fromstr would read
 * past a shorter string). */
int store_parse_oid(git_oid *out, const char *hex);
/* refs/heads/main; *has is 0 when the branch has no commit yet. */
int store_main_head(git_oid *out, int *has, git_repository *repo);
/* 1 if path may name a file of the tree. */
int store_path_valid(const char *path);

/* 1 while a write or a read is queued, running or undelivered. */
int store_busy(const store *s);
/* Free s once closed, drained, and not inside one of its own callbacks. */
void store_maybe_free(store *s);

/* The tree of commit hex, the blob at path in a tree (KENES_ENOTFOUND if
 * none, or a folder), and a blob's bytes NUL-terminated (*out malloc'd). */
int store_tree_at(git_tree **out, git_repository *repo, const char *hex);
int store_blob_in(git_blob **out, git_repository *repo, const git_tree *tree, const char *path);
/* The file at path in commit hex: *out malloc'd, NUL-terminated. */
int store_read_file(char **out, size_t *len, git_repository *repo, const char *hex,
                    const char *path);
/* The unified diff of path from commit `from` to `to` (store_diff.c). */
int store_read_diff(char **out, size_t *len, git_repository *repo, const char *from,
                    const char *to, const char *path);

#endif
