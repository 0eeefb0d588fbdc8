/*
 * The data folder owned by one process at a time, and what a crash of that
 * process leaves behind (datadir.h: datadir_lock, datadir_clear_leftovers,
 * datadir_repo_writable).
 *
 * A second server on the same folder would accept the same id twice (two
 * in-memory indexes, one git history), so serve and the commands that
 * change DATA with the server stopped take DATA/kenes.lock first.  It is a
 * flock, not a file whose presence means something: the kernel drops it
 * when the process ends, however it ends, so no crash leaves it held.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "base/error.h"
#include "base/log.h"
#include "base/util.h"
#include "docs/datadir.h"

#define LOCK_LEAF "kenes.lock"
/* What store_pack.c writes into git gc's lock while a consolidation runs. */

/* a/b into out; KENES_ETOOBIG (out unusable) when it does not fit. */
static int join(char *out, size_t cap, const char *a, const char *b)
{
    int n = snprintf(out, cap, "%s/%s", a, b);
    return n >= 0 && (size_t)n < cap ? 0 : KENES_ETOOBIG;
}

/* What DATA/kenes.lock says of its holder ("<pid> <command>"), into pid
 * and cmd; 0 if it says nothing readable (the holder is between its flock
 * and its write). */
static int read_holder(long *pid, char *cmd, size_t cmdcap, int fd)
{
    char buf[128];
    ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    char *end;
    *pid = strtol(buf, &end, 10);
    if (end == buf || *pid <= 0)
        return 0;
    while (*end == ' ')
        end++;
    snprintf(cmd, cmdcap, "%.*s", (int)strcspn(end, "\n"), end);
    return 1;
}

int datadir_lock(int *fd, const char *dir, const char *command, char *err, size_t errcap)
{
    char path[8400];
    *fd = -1;
    if (join(path, sizeof(path), dir, LOCK_LEAF) < 0) {
        util_set_err(err, errcap, "the data folder's path is too long");
        return KENES_EINVAL;
    }
    /* Never truncated before the lock is ours: the holder's PID stays for
     * the refusal to name. */
    int f = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (f < 0) {
        util_set_err(err, errcap, "cannot open %s: %s", path, strerror(errno));
        return KENES_EIO;
    }
    if (flock(f, LOCK_EX | LOCK_NB) < 0) {
        int e = errno;
        long pid = 0;
        char cmd[64] = "";
        if (e != EWOULDBLOCK)
            util_set_err(err, errcap, "cannot lock %s: %s", path, strerror(e));
        else if (!read_holder(&pid, cmd, sizeof(cmd), f))
            util_set_err(err, errcap, "%s is in use by another kenes process (%s)", dir, path);
        else if (strcmp(cmd, "serve") == 0 || !cmd[0])
            util_set_err(err, errcap, "%s is served by PID %ld (%s)", dir, pid, path);
        else
            util_set_err(err, errcap, "%s is in use by kenes %s, PID %ld (%s)", dir, cmd, pid,
                         path);
        close(f);
        return e == EWOULDBLOCK ? KENES_EBUSY : KENES_EIO;
    }
    char line[96];
    int n = snprintf(line, sizeof(line), "%ld %.64s\n", (long)getpid(), command);
    /* Only words for a person: the flock is the lock, so no sync. */
    if (ftruncate(f, 0) < 0 || pwrite(f, line, (size_t)n, 0) != n)
        log_warn("datadir", "%s: cannot write this process's PID into it", path);
    *fd = f;
    return 0;
}

void datadir_unlock(int fd)
{
    if (fd >= 0)
        close(fd); /* the flock goes with the last descriptor */
}

/* ---- what a crash leaves ---- */

typedef struct sweep {
    const char *gitdir;
    const char *repo; /* for the log: "documents.git" */
    size_t removed;
    int failed;
} sweep;

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Remove gitdir/rel, saying so in one log line. */
static void remove_leftover(sweep *sw, const char *rel, const char *what)
{
    char path[8400];
    if (join(path, sizeof(path), sw->gitdir, rel) < 0 || util_unlink_durable(path) < 0) {
        log_error("datadir", "%s: cannot remove %s (%s): %s", sw->repo, rel, what,
                  strerror(errno));
        sw->failed = 1;
        return;
    }
    log_warn("datadir", "%s: removed %s, %s left by a crash", sw->repo, rel, what);
    sw->removed++;
}

/* fn(sw, rel, name, depth) for each entry of gitdir/rel but dot files. */
typedef void (*entry_fn)(sweep *sw, const char *rel, const char *name, int depth);
static void each_entry(sweep *sw, const char *rel, int depth, entry_fn fn)
{
    char path[8400];
    DIR *d = join(path, sizeof(path), sw->gitdir, rel) == 0 ? opendir(path) : NULL;
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.')
            fn(sw, rel, e->d_name, depth);
    closedir(d);
}

/* Every "*.lock" under rel (refs/: a ref update cut short holds its lock
 * file, and git and libgit2 then refuse to move that ref). */
static void lock_entry(sweep *sw, const char *rel, const char *name, int depth)
{
    char sub[4200], path[8400];
    struct stat st;
    if (join(sub, sizeof(sub), rel, name) < 0 || join(path, sizeof(path), sw->gitdir, sub) < 0 ||
        lstat(path, &st) < 0)
        return;
    if (S_ISDIR(st.st_mode) && depth < 16)
        each_entry(sw, sub, depth + 1, lock_entry);
    else if (S_ISREG(st.st_mode) && ends_with(name, ".lock"))
        remove_leftover(sw, sub, "the lock of an unfinished update");
}

/* An object being written (libgit2: tmp_object_git2_*, git: tmp_obj_*)
 * becomes an object only by its rename; one still named so never will. */
static void object_entry(sweep *sw, const char *rel, const char *name, int depth)
{
    char sub[4200];
    if (join(sub, sizeof(sub), rel, name) < 0)
        return;
    if (starts_with(name, "tmp_obj"))
        remove_leftover(sw, sub, "an object never finished");
    else if (depth == 0 && strlen(name) == 2)
        each_entry(sw, sub, 1, object_entry); /* objects/xx/ */
}

static int exists_beside(const char *gitdir, const char *pack, size_t stem, const char *ext)
{
    char path[8400];
    int n = snprintf(path, sizeof(path), "%s/objects/pack/%.*s%s", gitdir, (int)stem, pack, ext);
    return n >= 0 && (size_t)n < sizeof(path) && access(path, F_OK) == 0;
}

/* A pack being written has a temporary name (git: tmp_pack_*, tmp_idx_*;
 * libgit2's indexer: pack_git2_*): never finished, it goes.  A .pack
 * without its .idx stays: kenes and git move a finished pack in .pack
 * first, so it may be one a gc is placing right now, or the only copy of
 * objects whose index was lost (git index-pack rebuilds it from the pack;
 * nothing rebuilds the pack).  An .idx without its .pack indexes nothing
 * and goes.  A .keep says someone wants it kept: left alone. */
static void pack_entry(sweep *sw, const char *rel, const char *n, int depth)
{
    (void)depth;
    char sub[4200];
    size_t len = strlen(n);
    if (join(sub, sizeof(sub), rel, n) < 0)
        return;
    if (starts_with(n, "tmp_") || starts_with(n, "pack_git2_"))
        remove_leftover(sw, sub, "a pack never finished");
    else if (ends_with(n, ".lock"))
        remove_leftover(sw, sub, "the lock of an unfinished pack");
    else if (starts_with(n, "pack-") && ends_with(n, ".pack") &&
             !exists_beside(sw->gitdir, n, len - 5, ".idx"))
        log_warn("datadir", "%s: kept %s, a pack without its index: a pack is never removed "
                 "(`git index-pack` rebuilds its index if it is not one a gc is placing)",
                 sw->repo, sub);
    else if (starts_with(n, "pack-") && ends_with(n, ".idx") &&
             !exists_beside(sw->gitdir, n, len - 4, ".pack") &&
             !exists_beside(sw->gitdir, n, len - 4, ".keep"))
        remove_leftover(sw, sub, "the index of a pack that is not there");
}

/* 1 if a gc may be working in gitdir's objects now: `kenes gc` (or another
 * server's consolidation: kenes-gc.lock is held) or git gc (gc.pid names
 * a process at work, as git itself judges it: store.h).  Otherwise *held
 * is kenes-gc.lock (made if missing: the server and kenes gc run as DATA's
 * owner), taken so that no kenes gc starts while the sweep runs, or -1 when
 * it cannot be opened. */
static int gc_running(int *held, const char *gitdir)
{
    char path[8400];
    *held = -1;
    if (join(path, sizeof(path), gitdir, "kenes-gc.lock") == 0) {
        int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0) {
            close(fd);
            return 1;
        }
        *held = fd;
    }
    long pid = 0;
    int alive = store_git_gc_running(&pid, gitdir);
    if (alive && *held >= 0) {
        close(*held);
        *held = -1;
    }
    return alive;
}

/* Remove the folder gitdir/rel and what it holds (one level: the files a
 * batch's or a consolidation's pack is written as), in one log line.  An
 * empty one is how every pack written whole leaves it: kept, unsaid. */
static void remove_leftover_dir(sweep *sw, const char *rel, const char *what)
{
    char path[8400], file[8700];
    DIR *d = join(path, sizeof(path), sw->gitdir, rel) == 0 ? opendir(path) : NULL;
    int ok = d != NULL, files = 0;
    for (struct dirent *e; d && (e = readdir(d));) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        files++;
        if (join(file, sizeof(file), path, e->d_name) < 0 || unlink(file) < 0)
            ok = 0;
    }
    if (d)
        closedir(d);
    if (ok && !files)
        return;
    if (!ok || rmdir(path) < 0 || util_fsync_dir_of(path) < 0) {
        log_error("datadir", "%s: cannot remove %s/ (%s): %s", sw->repo, rel, what,
                  strerror(errno));
        sw->failed = 1;
        return;
    }
    log_warn("datadir", "%s: removed %s/, %s left by a crash", sw->repo, rel, what);
    sw->removed++;
}

/* What kenes's own packing leaves when it is cut short (storage/store_pack.c):
 * the folders a batch's pack (kenes-tmp-batch/) and a consolidation's
 * (kenes-tmp-pack/) are written in, and git gc's lock file taken by a
 * consolidation, which says "kenes consolidation" (while it exists, git gc
 * refuses to run and every consolidation answers busy).  A consolidation may
 * run beside the server (`kenes gc`), so these go only while we hold
 * kenes-gc.lock (gc_fd >= 0), which one holds throughout: then none runs.
 * The batch's folder is the server's writer's, and the data folder's lock
 * is ours. */
static void clear_packing(sweep *sw, int gc_fd)
{
    char path[8400];
    DIR *d = opendir(sw->gitdir);
    for (struct dirent *e; d && (e = readdir(d));) {
        if (!starts_with(e->d_name, "kenes-tmp-"))
            continue;
        struct stat st;
        int batch = strcmp(e->d_name, "kenes-tmp-batch") == 0;
        if (join(path, sizeof(path), sw->gitdir, e->d_name) < 0 || lstat(path, &st) < 0 ||
            !S_ISDIR(st.st_mode) || (!batch && gc_fd < 0))
            continue;
        remove_leftover_dir(sw, e->d_name,
                            batch ? "the pack of an unfinished batch"
                                  : "the pack of an unfinished consolidation");
    }
    if (d)
        closedir(d);
    char *text = NULL;
    size_t len = 0;
    if (gc_fd >= 0 && join(path, sizeof(path), sw->gitdir, STORE_GIT_GC_LOCK) == 0 &&
        util_read_file(&text, &len, path) == 0 && strcmp(text, STORE_GIT_GC_LOCK_MINE) == 0)
        remove_leftover(sw, STORE_GIT_GC_LOCK, "git gc's lock taken by an unfinished consolidation");
    free(text);
}

int datadir_clear_leftovers(size_t *removed, const char *gitdir, const char *repo)
{
    static const char *const top[] = {"index.lock", "packed-refs.lock", "HEAD.lock",
                                      "config.lock"};
    sweep sw = {gitdir, repo, 0, 0};
    char path[8400];
    for (size_t i = 0; i < UTIL_ARRAY_LEN(top); i++) {
        if (join(path, sizeof(path), gitdir, top[i]) == 0 && access(path, F_OK) == 0)
            remove_leftover(&sw, top[i], "the lock of an unfinished update");
    }
    each_entry(&sw, "refs", 0, lock_entry);
    each_entry(&sw, "objects/info", 16, lock_entry); /* commit-graph.lock, not deeper */
    int gc_lock = -1;
    if (gc_running(&gc_lock, gitdir)) {
        /* Its temporary objects and packs are its own, not a crash's. */
        log_warn("datadir", "%s: a gc runs in it: its objects and packs are left as they are",
                 repo);
    } else {
        each_entry(&sw, "objects", 0, object_entry);
        each_entry(&sw, "objects/pack", 0, pack_entry);
    }
    clear_packing(&sw, gc_lock);
    if (gc_lock >= 0)
        close(gc_lock);
    if (removed)
        *removed = sw.removed;
    return sw.failed ? KENES_EIO : 0;
}

int datadir_repo_writable(char *why, size_t cap, const char *gitdir, const store *writer)
{
    static const char *const dirs[] = {"objects", "objects/pack", "refs/heads"};
    char path[8400];
    unsigned seq = writer ? store_publish_seq(writer) : 0;
    if (join(path, sizeof(path), gitdir, "refs/heads/main.lock") == 0 &&
        access(path, F_OK) == 0 &&
        !(writer && ((seq & 1) || store_publish_seq(writer) != seq))) {
        snprintf(why, cap, "refs/heads/main.lock exists: no commit can be made until it is "
                           "removed (a restart removes what a crash left)");
        return KENES_EBUSY;
    }
    for (size_t i = 0; i < UTIL_ARRAY_LEN(dirs); i++) {
        if (join(path, sizeof(path), gitdir, dirs[i]) == 0 && access(path, W_OK) < 0 &&
            errno != ENOENT) {
            snprintf(why, cap, "%s cannot be written: %s", dirs[i], strerror(errno));
            return KENES_EIO;
        }
    }
    struct statvfs fs;
    if (statvfs(gitdir, &fs) == 0 && fs.f_bavail == 0) {
        snprintf(why, cap, "the disk is full");
        return KENES_EIO;
    }
    snprintf(why, cap, "ok");
    return 0;
}
