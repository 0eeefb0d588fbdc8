/*
 * What a consolidation keeps, and whom it yields to (store_internal.h).
 *
 * Keeps: what every ref names, not only main's history: an operator's tag
 * (an auditor's pin) or branch (the bad head a recovery kept aside) and
 * what their reflogs name, as git gc does; and a pack left without its
 * index, which is indexed, never removed: it may be the only copy.
 * Yields to: a git gc at work, seen as git itself sees it.
 */
#include "storage/store_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kenes/plugin.h"
#include "base/error.h"
#include "base/log.h"

/* ---- roots ---- */

typedef struct roots {
    git_oid *ids;
    size_t n, cap;
    git_repository *repo;
} roots;

static int add_root(roots *r, const git_oid *id)
{
    if (git_oid_is_zero(id))
        return 0;
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 16;
        git_oid *p = realloc(r->ids, cap * sizeof(*p));
        if (!p)
            return KENES_ENOMEM;
        r->ids = p;
        r->cap = cap;
    }
    git_oid_cpy(&r->ids[r->n++], id);
    return 0;
}

static int root_of_ref(const char *name, void *payload)
{
    roots *r = payload;
    git_oid id;
    git_reflog *log = NULL;
    int rc = 0;
    if (git_reference_name_to_id(&id, r->repo, name) == 0)
        rc = add_root(r, &id);
    if (rc == 0 && git_reflog_read(&log, r->repo, name) == 0) {
        for (size_t i = 0; rc == 0 && i < git_reflog_entrycount(log); i++) {
            const git_reflog_entry *e = git_reflog_entry_byindex(log, i);
            rc = add_root(r, git_reflog_entry_id_new(e));
            if (rc == 0)
                rc = add_root(r, git_reflog_entry_id_old(e));
        }
    }
    git_reflog_free(log);
    return rc;
}

int store_pack_roots(git_oid **out, size_t *n, git_repository *repo)
{
    roots r = {.repo = repo};
    git_oid id;
    int rc = git_reference_foreach_name(repo, root_of_ref, &r);
    if (rc == 0 && git_reference_name_to_id(&id, repo, "HEAD") == 0)
        rc = add_root(&r, &id);
    if (rc < 0) {
        free(r.ids);
        return rc;
    }
    *out = r.ids;
    *n = r.n;
    return 0;
}

int store_pack_push_roots(git_revwalk *walk, git_packbuilder *pb, git_repository *repo,
                          const git_oid *ids, size_t n)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        git_object *o = NULL;
        if (git_object_lookup(&o, repo, &ids[i], GIT_OBJECT_ANY) < 0)
            continue;
        while (rc == 0 && o && git_object_type(o) == GIT_OBJECT_TAG) {
            git_object *next = NULL;
            if (pb)
                rc = git_packbuilder_insert(pb, git_object_id(o), NULL);
            if (rc == 0 && git_tag_target(&next, (git_tag *)o) < 0)
                next = NULL;
            git_object_free(o);
            o = next;
        }
        if (rc == 0 && o) {
            git_object_t t = git_object_type(o);
            if (t == GIT_OBJECT_COMMIT)
                rc = git_revwalk_push(walk, git_object_id(o));
            else if (pb && t == GIT_OBJECT_TREE)
                rc = git_packbuilder_insert_tree(pb, git_object_id(o));
            else if (pb && t == GIT_OBJECT_BLOB)
                rc = git_packbuilder_insert(pb, git_object_id(o), NULL);
        }
        git_object_free(o);
    }
    return rc;
}

/* ---- git gc ---- */

/* git gc holds gc.pid.lock only for an instant: it then renames it to
 * gc.pid ("<pid> <host>") and runs under that.  Like git's own
 * lock_repo_for_gc(): a gc.pid younger than 12 hours naming another host,
 * or a live process here, is a git gc at work.  Read with gc.pid.lock held,
 * so no git gc starts meanwhile. */
int store_git_gc_running(long *pid, const char *gitdir)
{
    char path[4096 + 16], host[256] = "", mine[256] = "";
    struct stat st;
    snprintf(path, sizeof(path), "%s/gc.pid", gitdir);
    if (stat(path, &st) < 0 || st.st_mtime <= time(NULL) - 12 * 3600)
        return 0;
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    int n = fscanf(f, "%ld %255s", pid, host);
    fclose(f);
    if (n != 2 || *pid <= 0)
        return 0;
    if (gethostname(mine, sizeof(mine) - 1) < 0 || strcmp(host, mine) != 0)
        return 1;
    return kill((pid_t)*pid, 0) == 0 || errno == EPERM;
}

/* git gc's own lock: git gc refuses to start while gc.pid.lock exists
 * ("Another git process seems to be running").  Taking it keeps a git gc
 * from repacking the packs a consolidation is reading or removing, and the
 * other way round (either would otherwise fail half-way).  Called with
 * kenes-gc.lock held, so one of ours found here is a crash's, and goes. */
int store_git_gc_lock(const char *gitdir, char *msg, size_t cap)
{
    char path[4096 + 16];
    snprintf(path, sizeof(path), "%s/" STORE_GIT_GC_LOCK, gitdir);
    for (int tries = 0; tries < 2; tries++) {
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd >= 0) {
            ssize_t n = write(fd, STORE_GIT_GC_LOCK_MINE, strlen(STORE_GIT_GC_LOCK_MINE));
            close(fd);
            (void)n; /* the name is for a person looking; the file is the lock */
            long pid = 0;
            if (!store_git_gc_running(&pid, gitdir))
                return 0;
            unlink(path);
            snprintf(msg, cap, "git gc runs (gc.pid names PID %ld)", pid);
            return KENES_EBUSY;
        }
        if (errno != EEXIST)
            break;
        char *text = NULL;
        size_t len = 0;
        int ours = util_read_file(&text, &len, path) == 0 &&
                   strcmp(text, STORE_GIT_GC_LOCK_MINE) == 0;
        free(text);
        if (!ours) {
            snprintf(msg, cap, "git gc runs (" STORE_GIT_GC_LOCK ")");
            return KENES_EBUSY;
        }
        unlink(path);
    }
    snprintf(msg, cap, "cannot create " STORE_GIT_GC_LOCK ": %s", strerror(errno));
    return KENES_EIO;
}

void store_git_gc_unlock(const char *gitdir)
{
    char path[4096 + 16];
    snprintf(path, sizeof(path), "%s/" STORE_GIT_GC_LOCK, gitdir);
    unlink(path);
}

/* ---- a pack without its index ---- */

#define ADOPT_MAX 16

static int exists(const char *dir, const char *stem, const char *ext)
{
    char path[4096 + 320];
    snprintf(path, sizeof(path), "%s/%s%s", dir, stem, ext);
    return access(path, F_OK) == 0;
}

/* Index one: the indexer reads the pack's bytes and writes the pack and
 * its index again in kenes-tmp-pack; both move in under the same name. */
static int adopt_one(const char *gitdir, const char *dir, const char *stem)
{
    char tmp[4096 + 32], path[4096 + 320], name[160];
    git_indexer *ix = NULL;
    git_indexer_progress stats = {0};
    git_indexer_options o;
    git_indexer_options_init(&o, GIT_INDEXER_OPTIONS_VERSION);
    snprintf(path, sizeof(path), "%s/%s.pack", dir, stem);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    int rc = fd < 0 ? KENES_EIO : store_pack_tmpdir(tmp, sizeof(tmp), gitdir, "pack");
    if (rc == 0 && git_indexer_new(&ix, tmp, 0, NULL, &o) < 0)
        rc = KENES_EIO;
    for (char buf[65536]; rc == 0;) {
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            rc = n < 0 ? KENES_EIO : 0;
            break;
        }
        if (git_indexer_append(ix, buf, (size_t)n, &stats) < 0)
            rc = KENES_EIO;
    }
    if (rc == 0 && git_indexer_commit(ix, &stats) < 0)
        rc = KENES_EIO;
    if (fd >= 0)
        close(fd);
    if (rc == 0) {
        snprintf(name, sizeof(name), "pack-%s", git_indexer_name(ix));
        if (strcmp(name, stem) != 0)
            rc = KENES_EINVAL; /* not the pack its name says: left as it is */
        else
            rc = store_pack_place(gitdir, tmp, name);
    }
    git_indexer_free(ix);
    if (rc == 0)
        log_warn("store", "%s: indexed objects/pack/%s.pack, a pack left without its index",
                 gitdir, stem);
    else
        log_error("store", "%s: objects/pack/%s.pack has no index and cannot be indexed "
                  "(%s): left as it is", gitdir, stem, kenes_strerror(rc));
    return rc;
}

size_t store_pack_adopt(char (*adopted)[STORE_PACK_STEM], size_t cap, const char *gitdir)
{
    char dir[4096 + 16], stems[ADOPT_MAX][STORE_PACK_STEM];
    size_t n = 0, done = 0;
    int lock = -1;
    snprintf(dir, sizeof(dir), "%s/objects/pack", gitdir);
    /* Under the pack lock a batch's pack is either not begun or placed
     * whole, so a lone .pack seen then is nobody's at work. */
    if (store_pack_lock(&lock, gitdir) < 0)
        return 0;
    DIR *d = opendir(dir);
    for (struct dirent *e; d && n < ADOPT_MAX && (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (strncmp(e->d_name, "pack-", 5) != 0 || len < 10 || len - 5 >= sizeof(stems[0]) ||
            strcmp(e->d_name + len - 5, ".pack") != 0)
            continue;
        snprintf(stems[n], sizeof(stems[n]), "%.*s", (int)(len - 5), e->d_name);
        if (!exists(dir, stems[n], ".idx") && !exists(dir, stems[n], ".keep"))
            n++;
    }
    if (d)
        closedir(d);
    store_pack_unlock(lock);
    for (size_t i = 0; i < n; i++)
        if (adopt_one(gitdir, dir, stems[i]) == 0 && done < cap)
            memcpy(adopted[done++], stems[i], sizeof(stems[i]));
    return done;
}
