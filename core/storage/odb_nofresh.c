/*
 * The writer's object database without look-ups before a write
 * (odb_nofresh.h).  libgit2 (odb.c, odb_freshen_1) asks a backend that has
 * freshen() that question and not exists(): the wrappers' freshen answers
 * "not found" at once, and everything else is the wrapped backend's own.
 * The wrappers have no refresh(): git_odb_refresh (which libgit2 runs after
 * every write's miss, and every read's) then skips them, and the writer
 * refreshes the packs itself, once a batch.  A read that misses does look
 * at objects/pack again, in the wrapper (miss_again): between that refresh
 * and the read, git gc, kenes gc or a consolidation may have replaced the
 * packs that held the object.  The batch's own objects are found in its
 * memory pack first and the rest in the packs listed at its start, so a
 * read misses only when the packs changed under the batch.
 */
#include "storage/odb_nofresh.h"

#include <git2/sys/mempack.h>
#include <git2/sys/odb_backend.h>

#include <stdio.h>
#include <stdlib.h>

/* libgit2's defaults (GIT_ODB_DEFAULT_*_PRIORITY): packs before loose. */
#define NOFRESH_MEM_PRIORITY 999
#define NOFRESH_PACK_PRIORITY 2
#define NOFRESH_LOOSE_PRIORITY 1

typedef struct nofresh {
    git_odb_backend parent; /* first: libgit2 hands us &parent */
    git_odb_backend *inner;
} nofresh;

static git_odb_backend *inner_of(git_odb_backend *b)
{
    return ((nofresh *)b)->inner;
}

/* A miss (GIT_ENOTFOUND, or exists() answering 0) by a backend that can
 * refresh: the packs it knows may have been removed since the batch's
 * refresh, their objects moved to a pack it has not seen.  1 to ask again. */
static int miss_again(git_odb_backend *in, int rc)
{
    return rc == GIT_ENOTFOUND && in->refresh && in->refresh(in) == 0;
}

static int fwd_read(void **data, size_t *len, git_object_t *type, git_odb_backend *b,
                    const git_oid *id)
{
    git_odb_backend *in = inner_of(b);
    int rc = in->read(data, len, type, in, id);
    return miss_again(in, rc) ? in->read(data, len, type, in, id) : rc;
}

static int fwd_read_prefix(git_oid *out, void **data, size_t *len, git_object_t *type,
                           git_odb_backend *b, const git_oid *id, size_t n)
{
    git_odb_backend *in = inner_of(b);
    int rc = in->read_prefix(out, data, len, type, in, id, n);
    return miss_again(in, rc) ? in->read_prefix(out, data, len, type, in, id, n) : rc;
}

static int fwd_read_header(size_t *len, git_object_t *type, git_odb_backend *b,
                           const git_oid *id)
{
    git_odb_backend *in = inner_of(b);
    int rc = in->read_header(len, type, in, id);
    return miss_again(in, rc) ? in->read_header(len, type, in, id) : rc;
}

static int fwd_exists(git_odb_backend *b, const git_oid *id)
{
    git_odb_backend *in = inner_of(b);
    int found = in->exists(in, id);
    return !found && miss_again(in, GIT_ENOTFOUND) ? in->exists(in, id) : found;
}

static int fwd_exists_prefix(git_oid *out, git_odb_backend *b, const git_oid *id, size_t n)
{
    git_odb_backend *in = inner_of(b);
    int rc = in->exists_prefix(out, in, id, n);
    return miss_again(in, rc) ? in->exists_prefix(out, in, id, n) : rc;
}

static int fwd_foreach(git_odb_backend *b, git_odb_foreach_cb cb, void *payload)
{
    git_odb_backend *in = inner_of(b);
    return in->foreach(in, cb, payload);
}

/* The point of the wrapper: a write is never skipped, never looked up. */
static int no_freshen(git_odb_backend *b, const git_oid *id)
{
    (void)b;
    (void)id;
    return GIT_ENOTFOUND;
}

static void nofresh_free(git_odb_backend *b)
{
    git_odb_backend *in = inner_of(b);
    if (in && in->free)
        in->free(in);
    free(b);
}

/* inner wrapped; on failure inner is freed. */
static int nofresh_new(git_odb_backend **out, git_odb_backend *inner)
{
    nofresh *w = calloc(1, sizeof(*w));
    if (!w || git_odb_init_backend(&w->parent, GIT_ODB_BACKEND_VERSION) < 0) {
        free(w);
        inner->free(inner);
        return GIT_ERROR;
    }
    w->inner = inner;
    w->parent.read = inner->read ? fwd_read : NULL;
    w->parent.read_prefix = inner->read_prefix ? fwd_read_prefix : NULL;
    w->parent.read_header = inner->read_header ? fwd_read_header : NULL;
    w->parent.exists = inner->exists ? fwd_exists : NULL;
    w->parent.exists_prefix = inner->exists_prefix ? fwd_exists_prefix : NULL;
    w->parent.foreach = inner->foreach ? fwd_foreach : NULL;
    w->parent.freshen = no_freshen;
    w->parent.free = nofresh_free;
    *out = &w->parent;
    return 0;
}

/* b (new, wrapped unless it is the memory pack) added to odb at priority,
 * which then owns it; on failure b is freed. */
static int add(git_odb *odb, git_odb_backend *b, int wrap, int priority)
{
    git_odb_backend *w = b;
    int rc = wrap ? nofresh_new(&w, b) : 0;
    if (rc == 0 && (rc = git_odb_add_backend(odb, w, priority)) < 0)
        w->free(w);
    /* The wrapped backend is reached only through w, but may look at its
     * odb as libgit2's own backends do. */
    if (rc == 0 && wrap)
        b->odb = odb;
    return rc;
}

int odb_nofresh_open(git_odb **out, git_odb_backend **mem, git_odb_backend **packs,
                     const char *gitdir)
{
    char objects[4096];
    git_odb *odb = NULL;
    git_odb_backend *m = NULL, *p = NULL, *l = NULL;
    snprintf(objects, sizeof(objects), "%s/objects", gitdir);
    int rc = git_odb_new(&odb);
    if (rc == 0 && (rc = git_mempack_new(&m)) == 0)
        rc = add(odb, m, 0, NOFRESH_MEM_PRIORITY);
    if (rc == 0 && (rc = git_odb_backend_pack(&p, objects)) == 0)
        rc = add(odb, p, 1, NOFRESH_PACK_PRIORITY);
    /* Loose objects are only read (an older kenes, or git, wrote them): the
     * write parameters are libgit2's defaults and never used. */
    if (rc == 0 && (rc = git_odb_backend_loose(&l, objects, -1, 0, 0, 0)) == 0)
        rc = add(odb, l, 1, NOFRESH_LOOSE_PRIORITY);
    if (rc < 0) {
        git_odb_free(odb);
        return rc;
    }
    *out = odb;
    *mem = m;
    *packs = p;
    return 0;
}

int odb_nofresh_refresh(git_odb_backend *packs)
{
    return packs->refresh ? packs->refresh(packs) : 0;
}
