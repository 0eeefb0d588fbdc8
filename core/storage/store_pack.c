/*
 * Packs (store.h): the pack lock the writer holds from a batch's pack to
 * main's move, and consolidation, which merges the packs the batches leave
 * (and loose objects an older kenes left) into one.
 *
 * Why consolidation may run beside the writer: it notes, under the pack
 * lock, which packs and loose objects exist and where main is.  A pack
 * written after that is not in the list and is never removed.  Every object
 * of a listed pack or loose file goes into the new pack (reachable or not,
 * unless `kenes gc` prunes what is old), and the list is removed only once
 * the new pack is durable.  So a writer that read an object in a listed
 * pack finds it again in the new one.  `kenes gc` drops unreachable objects
 * only from files older than its cut-off, and re-checks their times under
 * the lock before removing: the writer never reuses a stored object
 * (odb_nofresh.h), every object a batch makes is in the batch's new pack (what it
 * names and did not make is reachable from main, so never pruned).
 */
#include "storage/store_internal.h"
#include "storage/odb_nofresh.h"
#include "storage/pack_choice.h"

#include <git2/sys/odb_backend.h>
#include <git2/sys/repository.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kenes/plugin.h"
#include "base/error.h"
#include "base/log.h"

#define PACK_NAME_MAX 128
#define ADOPT_NAMES 16

static int lock_file(int *fd, const char *gitdir, const char *name, int wait)
{
    char path[4096];
    *fd = -1;
    snprintf(path, sizeof(path), "%s/%s", gitdir, name);
    int f = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (f < 0)
        return kenes_error_from_errno(errno);
    while (flock(f, LOCK_EX | (wait ? 0 : LOCK_NB)) < 0) {
        if (errno == EINTR)
            continue;
        int rc = errno == EWOULDBLOCK ? KENES_EBUSY : kenes_error_from_errno(errno);
        close(f);
        return rc;
    }
    *fd = f;
    return 0;
}

int store_pack_lock(int *fd, const char *gitdir)
{
    return lock_file(fd, gitdir, "kenes-pack.lock", 1);
}

void store_pack_unlock(int fd)
{
    if (fd >= 0)
        close(fd); /* the last descriptor of the description: the lock goes */
}

static int ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), m = strlen(tail);
    return n >= m && strcmp(s + n - m, tail) == 0;
}

void store_pack_count(size_t *out, const char *gitdir)
{
    char path[4096];
    *out = 0;
    snprintf(path, sizeof(path), "%s/objects/pack", gitdir);
    DIR *d = opendir(path);
    if (!d)
        return;
    for (struct dirent *e; (e = readdir(d));)
        if (strncmp(e->d_name, "pack-", 5) == 0 && ends_with(e->d_name, ".idx"))
            (*out)++;
    closedir(d);
}

int store_writer_ready(store *s, char *msg, size_t cap)
{
    unsigned gen = s->pack_gen;
    /* The writer's odb looks at objects/pack on its own only when a read
     * misses: once a batch, it learns of the packs written (its own) or
     * removed since. */
    if (s->mempack && s->wrepo_gen == gen)
        return odb_nofresh_refresh(s->wpacks) < 0
                   ? store_git_fail(msg, cap, KENES_EIO, "reading the list of packs")
                   : 0;
    git_repository *repo = NULL;
    git_odb *odb = NULL;
    git_odb_backend *mem = NULL, *packs = NULL;
    int rc = store_open_repo(&repo, s->gitdir);
    if (rc < 0)
        return store_git_fail(msg, cap, rc, "opening the repository");
    /* Every write of the batch into memory, and no look-up before it. */
    if (odb_nofresh_open(&odb, &mem, &packs, s->gitdir) < 0 ||
        git_repository_set_odb(repo, odb) < 0) {
        rc = store_git_fail(msg, cap, KENES_EIO, "preparing the batch's memory pack");
        git_odb_free(odb);
        git_repository_free(repo);
        return rc;
    }
    git_odb_free(odb); /* repo holds it */
    git_repository_free(s->wrepo);
    s->wrepo = repo;
    s->mempack = mem;
    s->wpacks = packs;
    s->wrepo_gen = gen;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Placing a pack                                                           */

/* A folder of its own for what is being written (writer or consolidation),
 * emptied first: what is there is a crash's, never named by any commit. */
int store_pack_tmpdir(char *out, size_t cap, const char *gitdir, const char *which)
{
    snprintf(out, cap, "%s/kenes-tmp-%s", gitdir, which);
    if (mkdir(out, 0700) < 0 && errno != EEXIST)
        return kenes_error_from_errno(errno);
    DIR *d = opendir(out);
    if (!d)
        return kenes_error_from_errno(errno);
    for (struct dirent *e; (e = readdir(d));) {
        char path[4096 + 300];
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s", out, e->d_name);
        unlink(path);
    }
    closedir(d);
    return 0;
}

/* Move pack-<hex>.pack, then its .idx, from tmp into objects/pack and sync
 * the folder.  The order is git's own: a reader finds packs by their .idx,
 * and `git gc` deletes an .idx whose .pack is missing as garbage (libgit2's
 * indexer, writing in place, links the .idx first: a plain git gc at that
 * moment took a batch's pack away, commits and all). */
int store_pack_place(const char *gitdir, const char *tmp, const char *name)
{
    static const char *const exts[] = {".pack", ".idx"};
    char from[4096 + 300], to[4096 + 300];
    for (size_t i = 0; i < UTIL_ARRAY_LEN(exts); i++) {
        snprintf(from, sizeof(from), "%s/%s%s", tmp, name, exts[i]);
        snprintf(to, sizeof(to), "%s/objects/pack/%s%s", gitdir, name, exts[i]);
        if (rename(from, to) < 0)
            return kenes_error_from_errno(errno);
    }
    return util_fsync_dir_of(to);
}

int store_pack_write(char *name, size_t cap, const char *gitdir, git_odb *odb, const void *data,
                     size_t len, char *msg, size_t msgcap)
{
    char tmp[4096 + 32];
    git_indexer *ix = NULL;
    git_indexer_progress stats = {0};
    git_indexer_options o;
    git_indexer_options_init(&o, GIT_INDEXER_OPTIONS_VERSION);
    int rc = store_pack_tmpdir(tmp, sizeof(tmp), gitdir, "batch");
    if (rc < 0) {
        snprintf(msg, msgcap, "cannot prepare the batch's folder: %s", kenes_strerror(rc));
        return KENES_EIO;
    }
    /* The indexer syncs the pack, its index and their folder
     * (GIT_OPT_ENABLE_FSYNC_GITDIR); store_pack_place() the move. */
    if (git_indexer_new(&ix, tmp, 0, odb, &o) < 0 || git_indexer_append(ix, data, len, &stats) < 0 ||
        git_indexer_commit(ix, &stats) < 0) {
        rc = store_git_fail(msg, msgcap, KENES_EIO, "writing the batch's pack");
    } else {
        snprintf(name, cap, "pack-%s", git_indexer_name(ix));
        if ((rc = store_pack_place(gitdir, tmp, name)) < 0)
            snprintf(msg, msgcap, "cannot move the batch's pack in place: %s",
                     kenes_strerror(rc));
    }
    git_indexer_free(ix);
    return rc < 0 ? KENES_EIO : 0;
}

/* ------------------------------------------------------------------------ */
/* Consolidation                                                            */

/* What was there when the lock was held: packs and loose objects, with the
 * times they had then. */
typedef struct snap_pack {
    char name[PACK_NAME_MAX]; /* "pack-<hex>" */
    time_t mtime;
    uint64_t size;
    int base; /* left as it is: a consolidation merges the packs beside it */
    int keep;
    int adopted; /* indexed by this consolidation (a crash's): merged */
} snap_pack;

typedef struct snap_loose {
    git_oid id;
    time_t mtime;
} snap_loose;

typedef struct snapshot {
    snap_pack *packs;
    size_t npacks, packs_cap;
    snap_loose *loose;
    size_t nloose, loose_cap;
    git_oid head;
    int has_head;
    git_oid *roots; /* store_pack_roots() */
    size_t nroots;
    uint64_t bytes;
} snapshot;

static void snapshot_free(snapshot *sn)
{
    free(sn->packs);
    free(sn->loose);
    free(sn->roots);
    memset(sn, 0, sizeof(*sn));
}

static int grow(void **arr, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return 0;
    size_t c = *cap ? *cap * 2 : 64;
    void *p = realloc(*arr, c * size);
    if (!p)
        return KENES_ENOMEM;
    *arr = p;
    *cap = c;
    return 0;
}

static int snap_packs(snapshot *sn, const char *objdir)
{
    char dir[4096], path[4096 + 300];
    snprintf(dir, sizeof(dir), "%s/pack", objdir);
    DIR *d = opendir(dir);
    if (!d)
        return errno == ENOENT ? 0 : kenes_error_from_errno(errno);
    int rc = 0;
    for (struct dirent *e; rc == 0 && (e = readdir(d));) {
        struct stat st;
        size_t n = strlen(e->d_name);
        if (strncmp(e->d_name, "pack-", 5) != 0 || !ends_with(e->d_name, ".idx") ||
            n - 4 >= PACK_NAME_MAX)
            continue;
        snprintf(path, sizeof(path), "%s/%.*s.pack", dir, (int)(n - 4), e->d_name);
        if (stat(path, &st) < 0)
            continue; /* an index without its pack: another writer's, unfinished */
        if ((rc = grow((void **)&sn->packs, &sn->packs_cap, sn->npacks, sizeof(*sn->packs))) < 0)
            break;
        snap_pack *p = &sn->packs[sn->npacks++];
        snprintf(p->name, sizeof(p->name), "%.*s", (int)(n - 4), e->d_name);
        p->mtime = st.st_mtime;
        p->size = (uint64_t)st.st_size;
        p->base = 0;
        p->adopted = 0;
        sn->bytes += (uint64_t)st.st_size;
        snprintf(path, sizeof(path), "%s/%s.keep", dir, p->name);
        p->keep = access(path, F_OK) == 0;
        snprintf(path, sizeof(path), "%s/%s.idx", dir, p->name);
        if (stat(path, &st) == 0)
            sn->bytes += (uint64_t)st.st_size;
    }
    closedir(d);
    return rc;
}

static int snap_loose_objects(snapshot *sn, const char *objdir)
{
    static const char hex[] = "0123456789abcdef";
    char dir[4096 + 8], path[4096 + 80];
    int rc = 0;
    for (int i = 0; rc == 0 && i < 256; i++) {
        snprintf(dir, sizeof(dir), "%s/%c%c", objdir, hex[i >> 4], hex[i & 15]);
        DIR *d = opendir(dir);
        if (!d)
            continue;
        for (struct dirent *e; rc == 0 && (e = readdir(d));) {
            char full[GIT_OID_HEXSZ + 1];
            struct stat st;
            if (strlen(e->d_name) != GIT_OID_HEXSZ - 2 ||
                strspn(e->d_name, hex) != GIT_OID_HEXSZ - 2)
                continue; /* tmp_object_git2_* and the like are not objects */
            full[0] = hex[i >> 4];
            full[1] = hex[i & 15];
            memcpy(full + 2, e->d_name, GIT_OID_HEXSZ - 2 + 1);
            int n = snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
            if (n < 0 || (size_t)n >= sizeof(path) || stat(path, &st) < 0)
                continue;
            if ((rc = grow((void **)&sn->loose, &sn->loose_cap, sn->nloose,
                           sizeof(*sn->loose))) < 0)
                break;
            snap_loose *l = &sn->loose[sn->nloose++];
            git_oid_fromstr(&l->id, full);
            l->mtime = st.st_mtime;
            sn->bytes += (uint64_t)st.st_size;
        }
        closedir(d);
    }
    return rc;
}

static int take_snapshot(snapshot *sn, const char *gitdir, char *msg, size_t cap)
{
    char objdir[4096];
    git_repository *repo = NULL;
    int lock = -1, rc;
    snprintf(objdir, sizeof(objdir), "%s/objects", gitdir);
    if ((rc = store_pack_lock(&lock, gitdir)) < 0) {
        snprintf(msg, cap, "cannot take the pack lock: %s", kenes_strerror(rc));
        return rc;
    }
    if ((rc = store_open_repo(&repo, gitdir)) < 0 ||
        (rc = store_main_head(&sn->head, &sn->has_head, repo)) < 0)
        store_git_fail(msg, cap, rc, "reading " STORE_MAIN);
    else if ((rc = store_pack_roots(&sn->roots, &sn->nroots, repo)) < 0)
        store_git_fail(msg, cap, KENES_EIO, "listing the refs");
    else if ((rc = snap_packs(sn, objdir)) < 0 || (rc = snap_loose_objects(sn, objdir)) < 0)
        snprintf(msg, cap, "cannot list the objects: %s", kenes_strerror(rc));
    git_repository_free(repo);
    store_pack_unlock(lock);
    return rc;
}

typedef struct insert_ctx {
    git_packbuilder *pb;
    size_t seen;
} insert_ctx;

static int insert_one(const git_oid *id, void *payload)
{
    insert_ctx *c = payload;
    c->seen++;
    return c->pb ? git_packbuilder_insert(c->pb, id, NULL) : 0;
}

/* Every object of one listed pack into pb (its own odb: just that pack);
 * with no pb, only counted. */
static int insert_pack(insert_ctx *c, const char *objdir, const snap_pack *p)
{
    char idx[4096 + PACK_NAME_MAX + 16];
    git_odb *odb = NULL;
    git_odb_backend *b = NULL;
    snprintf(idx, sizeof(idx), "%s/pack/%s.idx", objdir, p->name);
    int rc = git_odb_new(&odb);
    if (rc == 0 && (rc = git_odb_backend_one_pack(&b, idx)) == 0 &&
        (rc = git_odb_add_backend(odb, b, 1)) < 0 && b->free)
        b->free(b);
    if (rc == 0)
        rc = git_odb_foreach(odb, insert_one, c);
    git_odb_free(odb);
    return rc;
}

/* A listed file is removed only if its time is what the snapshot saw (or
 * nothing is pruned): a writer that reused one of its objects since
 * touched it. */
static int still_as_seen(const char *path, time_t seen)
{
    struct stat st;
    return stat(path, &st) == 0 && st.st_mtime == seen;
}

static void remove_replaced(const snapshot *sn, const char *objdir, const char *newpack,
                            int64_t prune_before)
{
    static const char *const exts[] = {".pack", ".rev", ".bitmap", ".promisor", ".idx"};
    char path[4096 + PACK_NAME_MAX + 64];
    for (size_t i = 0; i < sn->npacks; i++) {
        const snap_pack *p = &sn->packs[i];
        if (p->keep || p->base || strcmp(p->name, newpack) == 0)
            continue;
        snprintf(path, sizeof(path), "%s/pack/%s.pack", objdir, p->name);
        if (prune_before > 0 && p->mtime < prune_before && !still_as_seen(path, p->mtime))
            continue;
        for (size_t k = 0; k < UTIL_ARRAY_LEN(exts); k++) {
            snprintf(path, sizeof(path), "%s/pack/%s%s", objdir, p->name, exts[k]);
            if (unlink(path) < 0 && errno != ENOENT)
                log_warn("store", "cannot remove a replaced pack: %s", strerror(errno));
        }
    }
    for (size_t i = 0; i < sn->nloose; i++) {
        char hex[GIT_OID_HEXSZ + 1];
        git_oid_tostr(hex, sizeof(hex), &sn->loose[i].id);
        snprintf(path, sizeof(path), "%s/%.2s/%s", objdir, hex, hex + 2);
        if (prune_before > 0 && sn->loose[i].mtime < prune_before &&
            !still_as_seen(path, sn->loose[i].mtime))
            continue;
        unlink(path);
        snprintf(path, sizeof(path), "%s/%.2s", objdir, hex);
        rmdir(path); /* only once empty */
    }
    snprintf(path, sizeof(path), "%s/pack", objdir);
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

/* Objects in the listed packs (each pack's count; one in two packs counts twice). */
static size_t count_objects(const snapshot *sn, const char *objdir)
{
    insert_ctx c = {0};
    for (size_t i = 0; i < sn->npacks; i++)
        insert_pack(&c, objdir, &sn->packs[i]);
    return c.seen + sn->nloose;
}

static void count_after(store_pack_stats *st, const char *gitdir)
{
    snapshot after = {0};
    char objdir[4096];
    snprintf(objdir, sizeof(objdir), "%s/objects", gitdir);
    if (snap_packs(&after, objdir) == 0 && snap_loose_objects(&after, objdir) == 0) {
        st->packs_after = after.npacks;
        st->loose_after = after.nloose;
        st->bytes_after = after.bytes;
        st->objects_after = count_objects(&after, objdir);
    }
    snapshot_free(&after);
}

/* The server's consolidation: which packs stay (pack_choice.h).  A pack
 * with a .keep is git's to keep and counts for nothing; one just indexed
 * after a crash is merged, as it duplicates what it was merged from.
 * Returns how many packs are merged. */
static int choose_merge(size_t *nmerge, snapshot *sn, const store_pack_opts *o)
{
    pack_weight *w = sn->npacks ? calloc(sn->npacks, sizeof(*w)) : NULL;
    unsigned char *merge = sn->npacks ? calloc(sn->npacks, 1) : NULL;
    size_t n = 0, *at = sn->npacks ? calloc(sn->npacks, sizeof(*at)) : NULL;
    int rc = sn->npacks && (!w || !merge || !at) ? KENES_ENOMEM : 0;
    for (size_t i = 0; rc == 0 && i < sn->npacks; i++)
        if (!sn->packs[i].keep) {
            w[n].size = sn->packs[i].size;
            w[n].force = sn->packs[i].adopted;
            at[n++] = i;
        }
    /* loose objects: small, counted roughly */
    if (rc == 0 && (rc = pack_choose(nmerge, merge, w, n, (uint64_t)sn->nloose * 512,
                                     o->max_keep, o->max_merge)) == 0)
        for (size_t i = 0; i < n; i++)
            sn->packs[at[i]].base = !merge[i];
    free(w);
    free(merge);
    free(at);
    return rc;
}

/* The pack builder's memory, MiB (store_pack_limits). */
static _Atomic size_t pack_mib = STORE_PACK_MIB_DEFAULT;

int store_pack_limits(size_t mib)
{
    if (mib < 1 || mib > STORE_PACK_MIB_MAX)
        return KENES_EINVAL;
    pack_mib = mib;
    return 0;
}

size_t store_pack_mib(void)
{
    return pack_mib;
}

/* libgit2's pack builder reads its bounds from the repository's config
 * when made (pack.deltaCacheSize: the deltas it keeps between finding and
 * writing them, 256 MiB by default; pack.windowMemory: the objects of its
 * delta window, unbounded by default; libgit2 1.5 also takes its
 * big-file threshold, past which an object is not deltified, from
 * pack.deltaCacheSize).  They go in as a config file of the highest level
 * on this repository handle only, in the consolidation's own folder, so an
 * operator's config is neither read for them nor written. */
int store_pack_bound(git_repository *repo, const char *tmp)
{
    char path[4096 + 64];
    git_config *cfg = NULL;
    size_t bytes = pack_mib << 20;
    snprintf(path, sizeof(path), "%s/builder.config", tmp);
    FILE *f = fopen(path, "w");
    if (!f)
        return KENES_EIO;
    int ok = fprintf(f, "[pack]\n\tdeltaCacheSize = %zu\n\twindowMemory = %zu\n", bytes,
                     bytes) > 0;
    ok = fclose(f) == 0 && ok;
    int rc = ok && git_repository_config(&cfg, repo) == 0 &&
                     git_config_add_file_ondisk(cfg, path, GIT_CONFIG_LEVEL_APP, repo, 1) == 0
                 ? 0
                 : KENES_EIO;
    git_config_free(cfg);
    return rc;
}

/* Where the pack builder starts: a whole consolidation (kenes gc) walks
 * every ref, history first in walk order, for deltas between versions of
 * a file (and gc's prune keeps exactly what the walk takes); the server's
 * merges the chosen packs' objects as they are. */
static int fill_builder(git_packbuilder *pb, git_repository *repo, const snapshot *sn,
                        const char *objdir, int64_t prune_before, int whole, char *msg,
                        size_t cap)
{
    git_revwalk *walk = NULL;
    int rc = 0;
    if (whole && sn->nroots &&
        (git_revwalk_new(&walk, repo) < 0 ||
         store_pack_push_roots(walk, pb, repo, sn->roots, sn->nroots) < 0 ||
         git_packbuilder_insert_walk(pb, walk) < 0))
        rc = store_git_fail(msg, cap, KENES_EIO, "walking the refs");
    git_revwalk_free(walk);
    insert_ctx c = {.pb = pb};
    for (size_t i = 0; rc == 0 && i < sn->npacks; i++) {
        /* What gc prunes: an old file's objects that the walk did not take. */
        if (prune_before > 0 && sn->packs[i].mtime < prune_before && !sn->packs[i].keep)
            continue;
        if (sn->packs[i].base)
            continue;
        if (insert_pack(&c, objdir, &sn->packs[i]) < 0)
            rc = store_git_fail(msg, cap, KENES_EIO, "reading a pack");
    }
    for (size_t i = 0; rc == 0 && i < sn->nloose; i++) {
        if (prune_before > 0 && sn->loose[i].mtime < prune_before)
            continue;
        if (git_packbuilder_insert(pb, &sn->loose[i].id, NULL) < 0)
            rc = store_git_fail(msg, cap, KENES_EIO, "reading a loose object");
    }
    return rc;
}

static int consolidate(store_pack_stats *out, const char *gitdir, const store_pack_opts *o,
                       char *msg, size_t cap)
{
    snapshot sn = {0};
    git_repository *repo = NULL;
    git_packbuilder *pb = NULL;
    char objdir[4096], adopted[ADOPT_NAMES][STORE_PACK_STEM];
    char tmp[4096 + 32], newpack[PACK_NAME_MAX];
    int64_t prune_before = o->prune_before;
    int whole = prune_before > 0, rc;
    size_t nmerge = 0;
    memset(out, 0, sizeof(*out));
    if ((rc = store_git_ready()) < 0) {
        snprintf(msg, cap, "libgit2 did not start");
        return rc;
    }
    snprintf(objdir, sizeof(objdir), "%s/objects", gitdir);
    /* A pack a killed consolidation moved in without its index: indexed,
     * so that this one merges it (it may be the only copy of objects). */
    size_t nadopted = store_pack_adopt(adopted, ADOPT_NAMES, gitdir);
    if ((rc = take_snapshot(&sn, gitdir, msg, cap)) < 0)
        goto done;
    for (size_t i = 0; i < sn.npacks; i++)
        for (size_t k = 0; k < nadopted; k++)
            if (strcmp(sn.packs[i].name, adopted[k]) == 0)
                sn.packs[i].adopted = 1;
    out->packs_before = sn.npacks;
    out->loose_before = sn.nloose;
    out->bytes_before = sn.bytes;
    out->objects_before = count_objects(&sn, objdir);
    if (!whole && (rc = choose_merge(&nmerge, &sn, o)) < 0) {
        snprintf(msg, cap, "cannot choose the packs to merge: %s", kenes_strerror(rc));
        goto done;
    }
    if (sn.npacks + sn.nloose == 0 || (!whole && nmerge == 0 && sn.nloose == 0)) {
        count_after(out, gitdir); /* nothing worth rewriting */
        goto done;
    }
    out->packs_merged = whole ? sn.npacks : nmerge;
    if ((rc = store_pack_tmpdir(tmp, sizeof(tmp), gitdir, "pack")) < 0) {
        snprintf(msg, cap, "cannot prepare the pack's folder: %s", kenes_strerror(rc));
        goto done;
    }
    if ((rc = store_open_repo(&repo, gitdir)) < 0 || (rc = store_pack_bound(repo, tmp)) < 0 ||
        git_packbuilder_new(&pb, repo) < 0) {
        rc = store_git_fail(msg, cap, rc < 0 ? rc : KENES_EIO, "starting the pack");
        goto done;
    }
    char cfgpath[4096 + 64];
    snprintf(cfgpath, sizeof(cfgpath), "%s/builder.config", tmp);
    unlink(cfgpath); /* read by the builder already */
    git_packbuilder_set_threads(pb, 1); /* the pool's thread, not the machine */
    if ((rc = fill_builder(pb, repo, &sn, objdir, prune_before, whole, msg, cap)) < 0)
        goto done;
    if (git_packbuilder_object_count(pb) == 0 && !whole) {
        count_after(out, gitdir); /* one pack already, and nothing beside it */
        goto done;
    }
    /* The indexer behind it syncs the pack, its index and the folder
     * (GIT_OPT_ENABLE_FSYNC_GITDIR), store_pack_place() the move: durable before
     * anything is removed. */
    if (git_packbuilder_write(pb, tmp, 0, NULL, NULL) < 0) {
        rc = store_git_fail(msg, cap, KENES_EIO, "writing the pack");
        goto done;
    }
    snprintf(newpack, sizeof(newpack), "pack-%s", git_packbuilder_name(pb));
    /* The builder's objects and deltas go before the graph reads commits. */
    git_packbuilder_free(pb);
    pb = NULL;
    if ((rc = store_pack_place(gitdir, tmp, newpack)) < 0) {
        snprintf(msg, cap, "cannot move the pack in place: %s", kenes_strerror(rc));
        goto done;
    }
    if (sn.has_head && store_graph_due(objdir, o) &&
        store_graph_write(repo, objdir, sn.roots, sn.nroots) == 0)
        out->graph_written = 1;
    int lock = -1;
    if ((rc = store_pack_lock(&lock, gitdir)) < 0) {
        snprintf(msg, cap, "cannot take the pack lock: %s", kenes_strerror(rc));
        goto done;
    }
    remove_replaced(&sn, objdir, newpack, prune_before);
    store_pack_unlock(lock);
    count_after(out, gitdir);
done:
    git_packbuilder_free(pb);
    git_repository_free(repo);
    snapshot_free(&sn);
    return rc;
}

int store_consolidate_with(store_pack_stats *out, const char *gitdir, const store_pack_opts *o,
                           int wait, char *msg, size_t cap)
{
    int lock = -1;
    memset(out, 0, sizeof(*out));
    int rc = lock_file(&lock, gitdir, "kenes-gc.lock", wait);
    if (rc < 0) {
        if (rc == KENES_EBUSY)
            snprintf(msg, cap, "another consolidation runs");
        else
            snprintf(msg, cap, "cannot take the consolidation lock: %s", kenes_strerror(rc));
        return rc;
    }
    if ((rc = store_git_gc_lock(gitdir, msg, cap)) == 0) {
        rc = consolidate(out, gitdir, o, msg, cap);
        store_git_gc_unlock(gitdir);
    }
    store_pack_unlock(lock);
    return rc;
}

int store_gc_hold(int *fd, const char *gitdir, char *msg, size_t cap)
{
    int rc = lock_file(fd, gitdir, "kenes-gc.lock", 1);
    if (rc < 0) {
        snprintf(msg, cap, "cannot take the consolidation lock: %s", kenes_strerror(rc));
        return rc;
    }
    if ((rc = store_git_gc_lock(gitdir, msg, cap)) < 0) {
        store_pack_unlock(*fd);
        *fd = -1;
    }
    return rc;
}

void store_gc_release(int fd, const char *gitdir)
{
    if (fd < 0)
        return;
    store_git_gc_unlock(gitdir);
    store_pack_unlock(fd);
}

int store_consolidate(store_pack_stats *out, const char *gitdir, int64_t prune_before, int wait,
                      char *msg, size_t cap)
{
    store_pack_opts o = {.prune_before = prune_before};
    return store_consolidate_with(out, gitdir, &o, wait, msg, cap);
}
