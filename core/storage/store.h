/*
 * The store: one bare git repository, written by one writer.
 *
 * The loop thread queues writes with store_submit(); a single job on the
 * libuv thread pool turns queued writes into commits on refs/heads/main,
 * in order, one commit per write.  While a job runs, new writes wait in the
 * queue and the next job takes them all: a batch.  Group commit: the
 * batch's objects go to one pack (synced), main moves once from where the
 * batch began to its last commit (synced), the journal is synced once, and
 * only then does any done callback of the batch run on the loop.  A batch
 * whose pack or move of main fails answers every write in it with an error
 * and leaves main where it was.
 *
 * Packs accumulate, one per batch; past store_set_max_packs() of them a
 * consolidation on the thread pool merges them into one (store_pack.c).
 *
 * Reads of past versions and diffs also run on the thread pool, each job
 * with its own git_repository handle (libgit2 handles are not shared
 * across threads).  The loop never touches git after store_open().
 */
#ifndef KENES_STORE_H
#define KENES_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "storage/sign.h"

#define STORE_OID_HEX 41 /* 40 hex digits + NUL */

typedef struct store store;

typedef struct store_write store_write;

#define STORE_MAX_FILES 128

/* A further file written by the same commit: any bytes (len of them);
 * content NULL removes path (KENES_ENOTFOUND if it is not there). */
typedef struct store_file {
    const char *path;
    const char *content;
    size_t len;
} store_file;
typedef void (*store_write_cb)(store_write *w, void *payload);

struct store_write {
    /* in: owned by the caller until the callback */
    const char *path;      /* "plan/KZ-11/2026.md"; NULL (and no content, files or side
                              file): a commit that changes no file, a decision on record */
    const char *content;   /* the new file; NULL to delete the path */
    size_t content_len;
    const char *author_name;
    const char *author_email;
    const char *message;   /* whole commit message: summary, body, trailers */
    int64_t time_ms;       /* author/committer time; 0 = now */
    /* A file outside the repository that goes with this commit (a case's
     * wrapped key); NULL for none.  Written (side_data): durably before the
     * commit, and removed again if the commit fails.  Removed (side_data
     * NULL): renamed to side_pending durably before the commit, deleted once
     * the commit is made, renamed back if it failed; a crash in between
     * leaves side_pending for the next start to settle (vault_settle()). */
    const char *side_path;
    const char *side_pending;
    const char *side_data;
    size_t side_len;
    /* A file outside the repository that must still be there when the
     * commit is made (an existing case's key file: a commit must never name
     * a case whose key is not on disk), or NULL.  Missing, this write alone
     * is refused with KENES_EUNAVAILABLE. */
    const char *side_needed;
    /* Further files the same commit writes (at most STORE_MAX_FILES). */
    const store_file *files;
    size_t nfiles;
    /* A JSON object ("{...}") for the history journal, or NULL: the writer
     * appends it with the new commit's id as its first member. */
    const char *journal;
    /* With path NULL: the hex id of a tree, already in the repository, that
     * the commit records as it is (kenes migrate moves every case file in
     * one commit); NULL keeps the parent's tree (a decision on record). */
    const char *tree;

    /* out: valid in the callback */
    int status;                  /* 0 or a negative KENES_E* code */
    int batch_failed;            /* the batch failed as a whole (the repository refused) */
    char commit[STORE_OID_HEX];  /* the new commit */
    char errmsg[256];

    /* private */
    store_write_cb cb;
    void *payload;
    store_write *next;
    int side_begun; /* the writer began the side file; it ends it with the batch */
};

/* Create a bare repository with HEAD -> refs/heads/main (no commits). */
int store_init_repo(const char *gitdir);

/* libgit2's return code grc as a KENES_E* code (0 for grc >= 0): not found,
 * exists, a ref that moved (KENES_ESTALE), a lock held (KENES_EBUSY), out of
 * memory; anything else KENES_EIO.  The one mapping: whoever calls libgit2
 * outside storage (kenes verify) says its failures through it. */
int store_error_of_git(int grc);

int store_open(store **out, uv_loop_t *loop, const char *gitdir,
               const char *committer_name, const char *committer_email);
/* Only once no write is queued or running (see store_idle). NULL is a no-op. */
void store_close(store *s);

/* Sign every commit from now on with sig (NULL: unsigned, the default): the
 * commit gets a "gpgsig" header that git verify-commit checks (see sign.h).
 * sig must outlive the store.  Set it while the store is idle, as the writer
 * reads it on the thread pool (KENES_EINVAL otherwise). */
int store_set_signer(store *s, const signer *sig);
/* The signer set on s, or NULL. */
const signer *store_signer(const store *s);

/* Keep a history journal: after each job the writer appends one JSON line
 * per commit ({"commit":...} + the write's journal) and syncs the file once. */
int store_set_journal(store *s, const char *path);

/* Anchor every commit in what else kenes keeps (the access log, the signed
 * checkpoint, checkpoint.h).  On the thread pool, for each commit,
 * trailer(out, cap, payload) gives a "Key: value" line that the writer
 * appends to the commit's message (its trailers) before signing; after each
 * job whose commits are durable, committed(head, payload) gets main's new
 * head (its failure is logged: the commits are made).  Set it while idle. */
typedef int (*store_trailer_fn)(char *out, size_t cap, void *payload);
typedef void (*store_committed_fn)(const char *head, void *payload);
int store_set_anchor(store *s, store_trailer_fn trailer, store_committed_fn committed,
                     void *payload);

/* After each job of the writer that made commits, on the loop, before
 * their writes are answered: fn(commits, payload) with how many it made
 * (mirrors push then: mirror.h).  NULL for none.  Set it while idle. */
typedef void (*store_batch_fn)(size_t commits, void *payload);
int store_set_on_batch(store *s, store_batch_fn fn, void *payload);

/* 0 if the repository's last batch of writes (that made a commit or
 * failed as a whole) succeeded, or none ran yet; else its negative code and
 * in why what failed ("writing the batch's pack", "updating refs/heads/main":
 * the log line has the rest).  Every write of a failed batch was answered
 * batch_failed.  For /healthz, on the loop. */
int store_last_batch(const store *s, char *why, size_t cap);

/* libgit2's memory for the whole process, set once at start before any
 * store opens (kenes.yaml limits.git_cache_mib, default 32): its cache of
 * parsed objects and the pack windows it maps, cache_mib MiB each at most.
 * Pack files open at once are not bounded (libgit2 1.5 closes the least
 * recently used one under another thread's feet: pack_run.c).  0,
 * KENES_EINVAL for 0 or more
 * than STORE_GIT_CACHE_MIB_MAX, KENES_EIO if libgit2 refuses. */
#define STORE_GIT_CACHE_MIB_MAX 65536
int store_git_limits(size_t cache_mib);

/* The memory a consolidation's pack builder keeps for its deltas and for
 * its delta window, MiB each at most (kenes.yaml storage.pack_memory_mib);
 * for the process, before consolidations start.  0, KENES_EINVAL outside
 * 1..STORE_PACK_MIB_MAX. */
#define STORE_PACK_MIB_DEFAULT 32
#define STORE_PACK_MIB_MAX 4096
int store_pack_limits(size_t mib);

/* Run the server's consolidations as `exe pack-child ...`, a process of
 * their own (pack_run.c says why), exe being this program (the server
 * gives /proc/self/exe); NULL: on the thread pool.  Once at start, before
 * any store opens.  0 or KENES_ENOMEM. */
int store_pack_exec(const char *exe);
/* `kenes pack-child GITDIR MAX_KEEP MAX_MERGE GRAPH_SINCE PACK_MIB PID`,
 * argv from GITDIR on (PID: the server's, which it dies with): one
 * consolidation, its outcome as one line on standard output for the server
 * that started it.  Returns the exit code (2 for arguments it cannot read). */
int store_pack_child_main(int argc, char **argv);

/* Consolidate once the repository holds more than max packs (kenes.yaml
 * storage.max_packs, default 32); 0 never.  Set it while idle. */
int store_set_max_packs(store *s, size_t max);

/* At most this many MiB of packs merged by one of the server's
 * consolidations (kenes.yaml storage.max_merge_mib, default 16); the larger
 * packs stay for a later one or `kenes gc`, unless more than max_packs - 1
 * of them would stay (pack_choice.h: the count wins).  0 no bound.  Set it
 * while idle; KENES_EINVAL above STORE_MAX_MERGE_MIB_MAX. */
#define STORE_MAX_MERGE_MIB_DEFAULT 16
#define STORE_MAX_MERGE_MIB_MAX 1048576
int store_set_max_merge(store *s, size_t mib);

/* What a consolidation or `kenes gc` did, for the log and the operator. */
typedef struct store_pack_stats {
    size_t packs_before, packs_after;
    size_t loose_before, loose_after;
    uint64_t bytes_before, bytes_after; /* objects/ on disk */
    size_t objects_before, objects_after; /* in packs (counted once per pack) and loose */
    size_t packs_merged; /* of packs_before: those rewritten into the new pack */
    int graph_written;   /* the commit-graph was written again */
} store_pack_stats;

/* Merge packs and loose objects of the repository at gitdir into one
 * pack, written durably, then remove what it replaced (never a pack with a
 * .keep).  prune_before > 0 (seconds since the epoch, `kenes gc`): every
 * pack, the history walked from every ref, and objects that no ref, HEAD
 * nor reflog reaches are dropped from packs and loose files older than
 * that; the commit-graph is written.  0 (the server's consolidation):
 * nothing is dropped, and only the small packs are merged, the largest
 * that already grow by a factor of 2 staying as they are (pack_choice.h);
 * the commit-graph is written if there is none.  A .pack
 * without its .idx is indexed first, never removed.  Safe beside a running
 * writer, in this process or another: it takes the pack lock only while it
 * notes the packs and main's head, and again to remove.  One at a time per
 * repository (<gitdir>/kenes-gc.lock, held throughout): wait 0 returns
 * KENES_EBUSY at once if another runs, 1 waits for it.  It also holds git
 * gc's own lock (gc.pid.lock), so a git gc by an operator and a
 * consolidation never run together: KENES_EBUSY while a git gc runs
 * (gc.pid.lock, or a gc.pid naming a live git gc, as git reads it).  For
 * the thread pool or a command; msg says why on failure. */
int store_consolidate(store_pack_stats *out, const char *gitdir, int64_t prune_before, int wait,
                      char *msg, size_t cap);

/* Odd while this store's writer moves main, when refs/heads/main.lock may be
 * its own; moved on every start and end.  A check that reads it before and
 * after looking at the lock knows the lock was not the writer's when both
 * reads are the same even number.  Any thread. */
unsigned store_publish_seq(const store *s);

/* 0 with "ok" in buf while the writer can commit, as far as its last job
 * knew; else negative (KENES_EUNAVAILABLE) with the reason: main moved
 * behind the server's back, the pack lock cannot be taken, a move of main
 * whose outcome could not be read back.  A job that commits clears it.
 * Loop only: no git, no file. */
int store_health(const store *s, char *buf, size_t cap);

/* Queue a write; cb(w, payload) runs on the loop after the commit is durable
 * (or failed).  Returns 0, or a negative code and then cb is never called. */
int store_submit(store *s, store_write *w, store_write_cb cb, void *payload);
/* 1 if nothing is queued or running. */
int store_idle(const store *s);
/* 1 while a writer job runs (it may hold refs/heads/main.lock): on the loop. */
int store_writing(const store *s);
/* For the commands run with the server stopped (accept, key rotate): submit
 * w and run the store's loop until it is made or failed.  w->status. */
int store_commit_now(store *s, store_write *w);

/* Every write checks first that main is where kenes last left it (at
 * store_open, then at its own last commit): a commit someone else put on main
 * since fails this write and every later one (KENES_ESTALE, the why in
 * errmsg), so nothing kenes signs ever sits on a commit it did not check. */

/* The unified diff of path between two texts (pure computation, any thread). */
int store_diff_buffers(char **out, size_t *len, const char *path, const char *a, size_t alen,
                       const char *b, size_t blen);

/* The id git gives a blob with these bytes (git hash-object), computed
 * without touching a repository. */
int store_blob_id(char out[STORE_OID_HEX], const char *buf, size_t len);

/* ---- reading (synchronous: start-up and tests only, never on the loop while serving) ---- */

typedef struct store_commit_info {
    const char *commit; /* hex id */
    int64_t time_ms;
    const char *author_name;
    const char *author_email;
    const char *message;
} store_commit_info;

/* Visit every commit of main, oldest first.  A non-zero return from cb stops the walk and is returned. */
int store_walk(store *s, int (*cb)(const store_commit_info *c, void *payload), void *payload);
/* The same for the commits after `since` (exclusive; NULL: all), oldest first.
 * KENES_ENOTFOUND if since is no commit of the repository. */
int store_walk_since(store *s, const char *since,
                     int (*cb)(const store_commit_info *c, void *payload), void *payload);
/* 1 if commit is main's head or one of its ancestors, 0 if not (or main has
 * no commit), KENES_ENOTFOUND if the repository has no such commit at all,
 * KENES_EINVAL if commit is no commit id. */
int store_contains(store *s, const char *commit);
/* The file at path in commit (hex); *out malloc'd.  KENES_ENOTFOUND if absent. */
int store_read_at(store *s, char **out, size_t *len, const char *commit, const char *path);
/* The hex id of main's head, or "" if the repository has no commit yet. */
int store_head(store *s, char out[STORE_OID_HEX]);
/* How many commits main has. */
int store_count(store *s, size_t *out);

/* ---- reading on the thread pool ---- */

typedef struct store_read store_read;
typedef void (*store_read_cb)(store_read *r, void *payload);

/* FILE: the file at commit.  DIFF: the unified diff of the file between
 * commit and commit_to.  PAIR: the file at both (result, result2), for files
 * that must be opened before they can be compared (sealed cases). */
enum store_read_kind { STORE_READ_FILE, STORE_READ_DIFF, STORE_READ_PAIR };

struct store_read {
    /* in */
    enum store_read_kind kind;
    const char *path;
    char commit[STORE_OID_HEX];    /* FILE: the version; DIFF: the old one */
    char commit_to[STORE_OID_HEX]; /* DIFF: the new one */
    /* A file outside the repository read by the same job (a sealed
     * document's key file, so that the loop never reads one), or NULL. */
    const char *side_path;
    /* out */
    int status;   /* 0, KENES_ENOTFOUND (no such commit / no file there), other negative */
    char *result; /* FILE: the file; DIFF: unified diff text; free() after the callback */
    size_t result_len;
    char *result2; /* PAIR: the file at commit_to; free() after the callback */
    size_t result2_len;
    /* side_path's bytes (free() after the callback) and 0, or NULL and
     * KENES_ENOTFOUND (no such file) or another negative code. */
    char *side;
    size_t side_len;
    int side_status;
    /* private */
    store *s;
    store_read_cb cb;
    void *payload;
    uv_work_t work;
};

/* Read path at each of n commits into texts[i] (malloc'd) and lens[i].
 * For the thread pool: it opens its own repository handle.  All or nothing. */
int store_read_versions(store *s, char **texts, size_t *lens, const char *const *commits, size_t n,
                        const char *path);

/* Check on the thread pool that every commit the history journal at path
 * names is in git; what is missing is logged and store_health says it
 * (/healthz) from then on.  0, or negative when it could not start. */
int store_check_journal(store *s, const char *journal);

/* Run a read on the thread pool; cb on the loop.  0 or negative (then no cb). */
int store_read_submit(store *s, store_read *r, store_read_cb cb, void *payload);

/* Many files read on the thread pool in one job with one repository handle
 * of its own (a search of bodies): the i-th, path paths[i] at commits[i],
 * is handed to visit on the pool's thread (which must touch nothing the
 * loop owns; a file that cannot be read is skipped) and freed after it;
 * then done(status, payload) runs on the loop.  commits and paths stay the
 * caller's until done.  0, or negative (then done never runs). */
typedef void (*store_scan_visit)(size_t i, const char *text, size_t len, void *arg);
int store_scan_submit(store *s, const char *const *commits, const char *const *paths, size_t n,
                      store_scan_visit visit, void (*done)(int status, void *payload),
                      void *payload);

/* git gc's lock file, and what a consolidation of kenes writes into it when
 * it takes it (store_keep.c); start-up clears one of ours a crash left. */
#define STORE_GIT_GC_LOCK "gc.pid.lock"
#define STORE_GIT_GC_LOCK_MINE "kenes consolidation\n"
/* 1 if gc.pid says a git gc is at work in gitdir (as git's own
 * lock_repo_for_gc() judges it: younger than 12 hours, and naming another
 * host or a live process here), with its PID in *pid; else 0. */
int store_git_gc_running(long *pid, const char *gitdir);

#endif
