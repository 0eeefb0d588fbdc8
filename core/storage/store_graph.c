/*
 * The commit-graph git reads to walk history fast (objects/info/commit-
 * graph): when a consolidation writes it again (store_internal.h).
 *
 * Measured (BENCHMARKS.md, "Consolidation"): writing it reads every commit,
 * so it is not written with every consolidation once those no longer walk
 * the history; git reads a commit the graph does not hold from its pack,
 * so a graph that lags by a bounded share of the commits costs git little.
 */
#include "storage/store_internal.h"

#include <git2/sys/commit_graph.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "kenes/plugin.h"
#include "base/log.h"

/* Commits in objects/info/commit-graph (the last entry of its OID fanout
 * chunk), 0 if there is none or it cannot be read. */
static size_t graph_commits(const char *objdir)
{
    char path[4096 + 32];
    unsigned char head[8], entry[12], last[4];
    size_t n = 0;
    snprintf(path, sizeof(path), "%s/info/commit-graph", objdir);
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    if (fread(head, 1, 8, f) == 8 && memcmp(head, "CGPH", 4) == 0) {
        for (unsigned c = 0; c < head[6]; c++) {
            if (fread(entry, 1, 12, f) != 12)
                break;
            if (memcmp(entry, "OIDF", 4) != 0)
                continue;
            uint64_t off = 0;
            for (int k = 4; k < 12; k++)
                off = off << 8 | entry[k];
            if (off <= LONG_MAX - 1024 && fseek(f, (long)off + 255 * 4, SEEK_SET) == 0 &&
                fread(last, 1, 4, f) == 4)
                n = (size_t)last[0] << 24 | (size_t)last[1] << 16 | (size_t)last[2] << 8 | last[3];
            break;
        }
    }
    fclose(f);
    return n;
}

/* The commit-graph git reads to walk history fast; a cache only (git
 * checks it against the objects, and reads a commit it does not hold as if
 * there were no graph), so a failure is logged and not fatal.  Written
 * whole (libgit2 writes no chain of graphs), which reads every commit. */
int store_graph_write(git_repository *repo, const char *objdir, const git_oid *roots, size_t nroots)
{
    char info[4096 + 8];
    git_commit_graph_writer *w = NULL;
    git_revwalk *walk = NULL;
    git_commit_graph_writer_options o;
    git_commit_graph_writer_options_init(&o, GIT_COMMIT_GRAPH_WRITER_OPTIONS_VERSION);
    snprintf(info, sizeof(info), "%s/info", objdir);
    if (mkdir(info, 0755) < 0 && errno != EEXIST)
        return KENES_EIO;
    int rc = 0;
    if (git_commit_graph_writer_new(&w, info) < 0 || git_revwalk_new(&walk, repo) < 0 ||
        store_pack_push_roots(walk, NULL, repo, roots, nroots) < 0 ||
        git_commit_graph_writer_add_revwalk(w, walk) < 0 ||
        git_commit_graph_writer_commit(w, &o) < 0) {
        const git_error *e = git_error_last();
        log_warn("store", "cannot write the commit-graph: %s", e && e->message ? e->message : "?");
        rc = KENES_EIO;
    }
    git_revwalk_free(walk);
    git_commit_graph_writer_free(w);
    return rc;
}

/* The commit-graph is written again once the commits since it reach a
 * quarter of those it holds (GRAPH_MIN at least): writing it reads every
 * commit, so its cost per commit stays constant as the history grows. */
#define GRAPH_MIN 1000
#define GRAPH_FRACTION 4

int store_graph_due(const char *objdir, const store_pack_opts *o)
{
    if (o->prune_before > 0)
        return 1;
    size_t n = graph_commits(objdir);
    if (n == 0)
        return 1;
    size_t need = n / GRAPH_FRACTION < GRAPH_MIN ? GRAPH_MIN : n / GRAPH_FRACTION;
    return o->graph_since >= need;
}
