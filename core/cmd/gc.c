#include "cmd/gc.h"

#include <stdio.h>
#include <time.h>

#include "base/util.h"
#include "docs/datadir.h"
#include "storage/store.h"

/* Unreachable objects younger than this stay: a writer that reuses one
 * (libgit2 then writes no copy) touches its file, and an hour leaves room
 * for the longest batch between that touch and its commit on main. */
#define GC_GRACE_S 3600

int gc_run(const config *cfg, char *err, size_t errcap)
{
    int64_t prune_before = (int64_t)time(NULL) - GC_GRACE_S;
    for (int r = 0; r < 2; r++) {
        char path[4096], msg[256];
        store_pack_stats st;
        util_path(path, sizeof(path), cfg->data_dir, datadir_repo_names[r]);
        int rc = store_consolidate(&st, path, prune_before, 1, msg, sizeof(msg));
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
