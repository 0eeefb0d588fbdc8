#include "cmd/gc.h"

#include <pwd.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kenes/plugin.h"
#include "base/util.h"
#include "docs/datadir.h"
#include "storage/store.h"

/* Unreachable objects younger than this stay: a writer that reuses one
 * (libgit2 then writes no copy) touches its file, and an hour leaves room
 * for the longest batch between that touch and its commit on main. */
#define GC_GRACE_S 3600

/* gc (and backup, which takes its locks) runs as the user who owns DATA,
 * or not at all: what it creates (its lock files, packs) would belong to
 * another user, and the server, which cannot open them, would fail every
 * write afterwards.  Checked before anything is created. */
int gc_owner_check(const config *cfg, const char *cmd, char *err, size_t errcap)
{
    const char *const dirs[3] = {cfg->data_dir, datadir_repo_names[0], datadir_repo_names[1]};
    for (int i = 0; i < 3; i++) {
        char path[4096];
        struct stat st;
        if (i == 0)
            snprintf(path, sizeof(path), "%s", cfg->data_dir);
        else
            util_path(path, sizeof(path), cfg->data_dir, dirs[i]);
        if (stat(path, &st) < 0) {
            snprintf(err, errcap, "cannot read %s", i ? dirs[i] : "the data folder");
            return KENES_EIO;
        }
        if (st.st_uid == geteuid())
            continue;
        struct passwd *pw = getpwuid(st.st_uid);
        char owner[64];
        if (pw && pw->pw_name)
            snprintf(owner, sizeof(owner), "%s", pw->pw_name);
        else
            snprintf(owner, sizeof(owner), "the user with uid %lu", (unsigned long)st.st_uid);
        snprintf(err, errcap, "%s belongs to %s, not to this user: nothing done; run it as %s "
                 "(for example: runuser -u %s -- kenes %s --data DIR)",
                 i ? dirs[i] : "the data folder", owner, owner, pw ? owner : "OWNER", cmd);
        return KENES_EFORBIDDEN;
    }
    return 0;
}

int gc_run(const config *cfg, char *err, size_t errcap)
{
    int64_t prune_before = (int64_t)time(NULL) - GC_GRACE_S;
    int rc = gc_owner_check(cfg, "gc", err, errcap);
    if (rc < 0)
        return rc;
    if ((rc = store_pack_limits(cfg->storage_pack_memory_mib)) < 0) {
        snprintf(err, errcap, "storage.pack_memory_mib is out of range");
        return rc;
    }
    for (int r = 0; r < 2; r++) {
        char path[4096], msg[256];
        store_pack_stats st;
        util_path(path, sizeof(path), cfg->data_dir, datadir_repo_names[r]);
        rc = store_consolidate(&st, path, prune_before, 1, msg, sizeof(msg));
        if (rc < 0) {
            snprintf(err, errcap, "%s: %s", datadir_repo_names[r], msg);
            return rc;
        }
        printf("%s: before %zu packs, %zu loose objects, %zu objects, %llu KiB; "
               "after %zu packs, %zu loose objects, %zu objects, %llu KiB\n",
               datadir_repo_names[r], st.packs_before, st.loose_before, st.objects_before,
               (unsigned long long)(st.bytes_before / 1024), st.packs_after, st.loose_after,
               st.objects_after, (unsigned long long)(st.bytes_after / 1024));
    }
    return 0;
}
