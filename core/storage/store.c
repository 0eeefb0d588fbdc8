/*
 * The store: a bare git repository written by one writer (store.h).  This
 * file opens and closes it and holds what its other files share: libgit2's
 * set-up and the one mapping of libgit2's codes to KENES_E* codes
 * (store_internal.h says which file does what).
 */
#include "storage/store_internal.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "kenes/plugin.h"
#include "base/log.h"

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

int store_git_ready(void)
{
    uv_once(&git_once, git_global_init);
    return git_init_rc < 0 ? KENES_EIO : 0;
}


int store_git_limits(size_t cache_mib)
{
    if (cache_mib == 0 || cache_mib > STORE_GIT_CACHE_MIB_MAX)
        return KENES_EINVAL;
    if (store_git_ready() < 0)
        return KENES_EIO;
    size_t bytes = cache_mib << 20;
    /* Parsed objects (libgit2 keeps 256 MiB by default), then the windows
     * of the packs mapped into memory: 8 GiB at most by default, in windows
     * of 1 GiB, and every page of them read stays resident while mapped.
     * Four windows fit the budget, so a read across packs does not unmap
     * the window it just used.  Open pack files: no limit (libgit2's own
     * default).  With one, libgit2 1.5 closes the least recently used pack
     * file of any handle when a thread opens one more, though another
     * thread may be using it: an indexer writing its pack through that
     * descriptor, or a reader between two of its windows.  Past 128 (a
     * consolidation's pile) that was the soaks' heap corruption.  Removed
     * packs are let go as handles are opened afresh after a consolidation
     * (pack_gen); those open are those on disk: about storage.max_packs,
     * a few hundred while a consolidation falls behind. */
    size_t window = bytes / 4 < ((size_t)1 << 20) ? (size_t)1 << 20 : bytes / 4;
    if (git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, (ssize_t)bytes) < 0 ||
        git_libgit2_opts(GIT_OPT_SET_MWINDOW_SIZE, window) < 0 ||
        git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, bytes) < 0 ||
        git_libgit2_opts(GIT_OPT_SET_MWINDOW_FILE_LIMIT, (size_t)0) < 0)
        return KENES_EIO;
    return 0;
}

git_repository *store_reader(store *s)
{
    unsigned gen = s->pack_gen;
    git_repository *fresh = NULL;
    /* A handle keeps every pack it has seen open, removed or not (their
     * descriptors, mapped indexes and disk space): after a consolidation
     * the readers' handle is opened afresh, as the writer's is.  Not in the
     * middle of a walk, which holds the handle; a failure keeps the old one. */
    if (s->rrepo_gen != gen && !s->walking && store_open_repo(&fresh, s->gitdir) == 0) {
        git_repository_free(s->rrepo);
        s->rrepo = fresh;
        s->rrepo_gen = gen;
    }
    return s->rrepo;
}

int store_error_of_git(int grc)
{
    if (grc >= 0)
        return 0;
    switch (grc) {
    case GIT_ENOTFOUND: return KENES_ENOTFOUND;
    case GIT_EEXISTS: return KENES_EEXISTS;
    case GIT_EMODIFIED: return KENES_ESTALE; /* a ref moved since it was read */
    case GIT_ELOCKED: return KENES_EBUSY;    /* someone else holds its lock file */
    case GIT_EBUFS: return KENES_ETOOBIG;
    case GIT_EINVALIDSPEC: return KENES_EINVAL;
    }
    /* The generic code says what went wrong only in the error's class. */
    const git_error *e = git_error_last();
    if (grc == GIT_ERROR && e && e->klass == GIT_ERROR_NOMEMORY)
        return KENES_ENOMEM;
    return KENES_EIO;
}

int store_git_fail(char *buf, size_t cap, int code, const char *what)
{
    const git_error *e = git_error_last();
    if (buf && cap)
        snprintf(buf, cap, "%s: %s", what, e && e->message ? e->message : "unknown error");
    return code;
}

int store_open_repo(git_repository **out, const char *gitdir)
{
    unsigned flags = GIT_REPOSITORY_OPEN_NO_SEARCH | GIT_REPOSITORY_OPEN_BARE;
    return store_error_of_git(git_repository_open_ext(out, gitdir, flags, NULL));
}

int store_parse_oid(git_oid *out, const char *hex)
{
    if (!hex || strlen(hex) != GIT_OID_HEXSZ ||
        strspn(hex, "0123456789abcdefABCDEF") != GIT_OID_HEXSZ)
        return KENES_ENOTFOUND;
    return git_oid_fromstr(out, hex) < 0 ? KENES_ENOTFOUND : 0;
}

int store_main_head(git_oid *out, int *has, git_repository *repo)
{
    int rc = git_reference_name_to_id(out, repo, STORE_MAIN);
    *has = rc == 0;
    return rc == GIT_ENOTFOUND ? 0 : store_error_of_git(rc);
}

/* A relative path of non-empty components, none of them ".", ".." or
 * ".git" (which git fsck refuses and checkouts would treat specially). */
int store_path_valid(const char *path)
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
    if (store_git_ready() < 0)
        return KENES_EIO;
    git_repository_init_options o;
    git_repository_init_options_init(&o, GIT_REPOSITORY_INIT_OPTIONS_VERSION);
    o.flags = GIT_REPOSITORY_INIT_BARE | GIT_REPOSITORY_INIT_MKPATH |
              GIT_REPOSITORY_INIT_NO_REINIT;
    o.initial_head = "main";
    git_repository *repo = NULL;
    /* NO_REINIT's refusal is a generic error; ask first to say why. */
    if (store_open_repo(&repo, gitdir) == 0) {
        git_repository_free(repo);
        return KENES_EEXISTS;
    }
    int rc = git_repository_init_ext(&repo, gitdir, &o);
    if (rc < 0) {
        char msg[256];
        store_git_fail(msg, sizeof(msg), 0, "init");
        log_error("store", "cannot create %s: %s", gitdir, msg);
        return store_error_of_git(rc);
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
    if (store_git_ready() < 0)
        return KENES_EIO;
    store *s = calloc(1, sizeof(*s));
    if (!s)
        return KENES_ENOMEM;
    s->journal_fd = -1;
    s->max_packs = 32;
    s->max_merge_mib = STORE_MAX_MERGE_MIB_DEFAULT;
    s->loop = loop;
    s->gitdir = strdup(gitdir);
    s->committer_name = strdup(committer_name);
    s->committer_email = strdup(committer_email);
    int rc = (s->gitdir && s->committer_name && s->committer_email) ? 0 : KENES_ENOMEM;
    if (rc == 0)
        rc = store_open_repo(&s->wrepo, gitdir);
    if (rc == 0)
        rc = store_open_repo(&s->rrepo, gitdir);
    if (rc == 0)
        rc = store_main_head(&s->base, &s->has_base, s->wrepo);
    if (rc < 0) {
        char msg[256];
        store_git_fail(msg, sizeof(msg), 0, "open");
        log_error("store", "cannot open %s: %s", gitdir, msg);
        s->closing = 1;
        store_close(s);
        return rc;
    }
    *out = s;
    return 0;
}

int store_busy(const store *s)
{
    return s->running || s->queue_head || s->reads || s->undelivered || s->consolidating;
}

static void store_free(store *s)
{
    if (s->journal_fd >= 0)
        close(s->journal_fd);
    util_buf_dispose(&s->journal_pending);
    free(s->batch_ids);
    git_repository_free(s->wrepo);
    git_repository_free(s->rrepo);
    free(s->gitdir);
    free(s->committer_name);
    free(s->committer_email);
    free(s);
}

void store_maybe_free(store *s)
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
    store_pack_stop(s);
    store_maybe_free(s);
}

int store_writing(const store *s)
{
    return s && s->running;
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

int store_blob_id(char out[STORE_OID_HEX], const char *buf, size_t len)
{
    git_oid oid;
    if (git_odb_hash(&oid, buf, len, GIT_OBJECT_BLOB) < 0)
        return KENES_EINVAL;
    git_oid_tostr(out, STORE_OID_HEX, &oid);
    return 0;
}

int store_set_on_batch(store *s, store_batch_fn fn, void *payload)
{
    if (!s || s->closing || store_busy(s))
        return KENES_EINVAL;
    s->on_batch = fn;
    s->on_batch_payload = payload;
    return 0;
}

void store_batch_after(store *s, store_write *done)
{
    /* Commits for the commit-graph's count (store_pack.c) and the mirrors:
     * one per write answered 0 of a batch that committed. */
    size_t made = 0;
    if (done && s->job_batch_rc == 0)
        for (store_write *w = done; w; w = w->next)
            made += w->status == 0;
    s->graph_since += made;
    if (made && s->on_batch)
        s->on_batch(made, s->on_batch_payload);
    store_pack_maybe_start(s);
}
