/* A repository out to a pack for kenes backup, and back for kenes restore
 * (store_backup.h); the locks are store_pack.c's. */
#include "storage/store_backup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kenes/plugin.h"
#include "base/error.h"
#include "base/util.h"
#include "storage/store_internal.h"

/* A command calls these: libgit2 may not be started yet. */
static int open_ready(git_repository **repo, const char *gitdir)
{
    *repo = NULL;
    if (store_git_ready() < 0)
        return KENES_EIO;
    return store_open_repo(repo, gitdir);
}

int store_backup_head(char head[STORE_OID_HEX], const char *gitdir)
{
    git_repository *repo = NULL;
    git_oid id;
    head[0] = '\0';
    int rc = open_ready(&repo, gitdir);
    if (rc < 0)
        return rc;
    int grc = git_reference_name_to_id(&id, repo, STORE_MAIN);
    if (grc == 0)
        git_oid_tostr(head, STORE_OID_HEX, &id);
    else if (grc != GIT_ENOTFOUND)
        rc = KENES_EIO;
    git_repository_free(repo);
    return rc;
}

int store_backup_reaches(const char *gitdir, const char *head, const char *commit)
{
    git_repository *repo = NULL;
    git_oid h, c;
    if (git_oid_fromstr(&h, head) < 0 || git_oid_fromstr(&c, commit) < 0)
        return KENES_EINVAL;
    if (git_oid_equal(&h, &c))
        return 1;
    int rc = open_ready(&repo, gitdir);
    if (rc < 0)
        return rc;
    rc = git_graph_descendant_of(repo, &h, &c);
    git_repository_free(repo);
    return rc < 0 ? KENES_EIO : rc;
}

static int pack_chunk(void *buf, size_t size, void *payload)
{
    return util_write_all(*(int *)payload, buf, size) < 0 ? -1 : 0;
}

int store_backup_pack(size_t *objects, const char *gitdir, const char *head, const char *out,
                      char *msg, size_t cap)
{
    git_repository *repo = NULL;
    git_packbuilder *pb = NULL;
    git_revwalk *walk = NULL;
    git_oid id;
    *objects = 0;
    int fd = -1, rc = open_ready(&repo, gitdir);
    if (rc < 0) {
        snprintf(msg, cap, "cannot open the repository: %s", kenes_strerror(rc));
        return rc;
    }
    /* The builder's memory bounded as a consolidation's (builder.config in
     * the caller's folder, beside out, never in the repository). */
    char tmp[4096];
    snprintf(tmp, sizeof(tmp), "%s", out);
    char *slash = strrchr(tmp, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(tmp, sizeof(tmp), ".");
    if (store_pack_bound(repo, tmp) < 0) {
        rc = KENES_EIO;
        snprintf(msg, cap, "cannot bound the pack's memory in %.900s", tmp);
        goto done;
    }
    if (git_oid_fromstr(&id, head) < 0 || git_packbuilder_new(&pb, repo) < 0 ||
        git_revwalk_new(&walk, repo) < 0 || git_revwalk_push(walk, &id) < 0) {
        rc = store_git_fail(msg, cap, KENES_EIO, "starting the pack");
        goto done;
    }
    git_packbuilder_set_threads(pb, 1);
    /* Every commit main reaches, with its trees and blobs. */
    if (git_packbuilder_insert_walk(pb, walk) < 0) {
        rc = store_git_fail(msg, cap, KENES_EIO, "reading the history");
        goto done;
    }
    fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        rc = kenes_error_from_errno(errno);
        snprintf(msg, cap, "cannot create %.900s: %s", out, strerror(errno));
        goto done;
    }
    if (git_packbuilder_foreach(pb, pack_chunk, &fd) < 0) {
        rc = store_git_fail(msg, cap, KENES_EIO, "writing the pack");
        goto done;
    }
    *objects = git_packbuilder_object_count(pb);
done:
    if (fd >= 0 && close(fd) < 0 && rc == 0) {
        rc = KENES_EIO;
        snprintf(msg, cap, "cannot write %.900s", out);
    }
    git_revwalk_free(walk);
    git_packbuilder_free(pb);
    git_repository_free(repo);
    return rc;
}

int store_restore_repo(const char *gitdir, const char *pack, const char *head, const char *config,
                       size_t config_len, char *msg, size_t cap)
{
    git_repository *repo = NULL;
    git_odb *odb = NULL;
    git_reference *ref = NULL;
    git_commit *commit = NULL;
    char *data = NULL, name[128], path[4096 + 32];
    size_t len = 0;
    git_oid id;
    int rc = store_init_repo(gitdir);
    if (rc < 0) {
        snprintf(msg, cap, "cannot create the repository: %s", kenes_strerror(rc));
        return rc;
    }
    if (config && (snprintf(path, sizeof(path), "%s/config", gitdir),
                   rc = util_write_file_atomic(path, config, config_len, 0600)) < 0) {
        snprintf(msg, cap, "cannot write its config: %s", kenes_strerror(rc));
        return rc;
    }
    if (!head[0])
        return 0;
    if ((rc = util_read_file(&data, &len, pack)) < 0) {
        snprintf(msg, cap, "cannot read its pack: %s", kenes_strerror(rc));
        return rc;
    }
    if ((rc = store_open_repo(&repo, gitdir)) < 0 || git_repository_odb(&odb, repo) < 0) {
        rc = store_git_fail(msg, cap, rc < 0 ? rc : KENES_EIO, "opening it");
        goto done;
    }
    /* Indexed (and checked: every object's hash, the pack's trailer) and
     * moved into objects/pack, synced, as a batch's pack is. */
    if ((rc = store_pack_write(name, sizeof(name), gitdir, odb, data, len, msg, cap)) < 0)
        goto done;
    snprintf(path, sizeof(path), "%s/kenes-tmp-batch", gitdir);
    rmdir(path);
    git_odb_refresh(odb);
    if (git_oid_fromstr(&id, head) < 0 || git_commit_lookup(&commit, repo, &id) < 0) {
        rc = KENES_EINVAL;
        snprintf(msg, cap, "its pack does not hold main's head %s", head);
        goto done;
    }
    if (git_reference_create(&ref, repo, STORE_MAIN, &id, 0, "kenes restore") < 0)
        rc = store_git_fail(msg, cap, KENES_EIO, "setting main");
done:
    git_commit_free(commit);
    git_reference_free(ref);
    git_odb_free(odb);
    git_repository_free(repo);
    free(data);
    return rc;
}
