#include "storage/docpath.h"

#include <git2.h>
#include <stdio.h>
#include <string.h>

#include "kenes/plugin.h"
#include "storage/store_internal.h"

#define UUID_LEN 36

/* 1 if s starts with a lowercase uuid (8-4-4-4-12 hex digits). */
static int starts_with_uuid(const char *s)
{
    for (size_t i = 0; i < UUID_LEN; i++) {
        char c = s[i];
        int dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return 0;
    }
    return 1;
}

/* The segment of s that ends at end (exclusive): its start. */
static const char *segment_start(const char *s, const char *end)
{
    const char *p = end;
    while (p > s && p[-1] != '/')
        p--;
    return p;
}

int docpath_fans_out(const char *id)
{
    const char *last = id ? strrchr(id, '/') : NULL;
    if (!last || last == id || strlen(last + 1) != UUID_LEN || !starts_with_uuid(last + 1))
        return 0;
    /* A two-character segment before the uuid would read as a fan-out folder. */
    return last - segment_start(id, last) != DOCPATH_FANOUT_CHARS;
}

int docpath_of(char *out, size_t cap, const char *id, const char *suffix, docpath_layout layout)
{
    int n;
    if (!id || !*id || !suffix || !*suffix)
        return KENES_EINVAL;
    if (layout == DOCPATH_FANOUT && docpath_fans_out(id)) {
        const char *uuid = strrchr(id, '/') + 1;
        n = snprintf(out, cap, "%.*s%.*s/%s%s", (int)(uuid - id), id, DOCPATH_FANOUT_CHARS, uuid,
                     uuid, suffix);
    } else {
        n = snprintf(out, cap, "%s%s", id, suffix);
    }
    return n > 0 && (size_t)n < cap ? 0 : KENES_EINVAL;
}

int docpath_parse(char *id, size_t cap, const char **suffix, docpath_layout *layout,
                  const char *path)
{
    /* The first segment that starts with a uuid and a dot ends the id (an
     * attachment's own name may look like one further on). */
    const char *seg = path;
    while (seg && !(starts_with_uuid(seg) && seg[UUID_LEN] == '.')) {
        seg = strchr(seg, '/');
        seg = seg ? seg + 1 : NULL;
    }
    if (!seg || seg == path)
        return KENES_ENOTFOUND;
    const char *folder = segment_start(path, seg - 1);
    int fanned = seg - 1 - folder == DOCPATH_FANOUT_CHARS &&
                 memcmp(folder, seg, DOCPATH_FANOUT_CHARS) == 0 && folder > path;
    /* The id: what comes before the uuid (without the fan-out folder) and the uuid. */
    size_t before = (size_t)((fanned ? folder : seg) - path);
    if (before + UUID_LEN + 1 > cap)
        return KENES_EINVAL;
    memcpy(id, path, before);
    memcpy(id + before, seg, UUID_LEN);
    id[before + UUID_LEN] = '\0';
    if (!docpath_fans_out(id))
        return KENES_ENOTFOUND;
    *suffix = seg + UUID_LEN;
    *layout = fanned ? DOCPATH_FANOUT : DOCPATH_FLAT;
    return 0;
}

int docpath_other(char *out, size_t cap, const char *path)
{
    char id[DOCPATH_MAX];
    const char *suffix;
    docpath_layout layout;
    int rc = docpath_parse(id, sizeof(id), &suffix, &layout, path);
    if (rc < 0)
        return rc;
    return docpath_of(out, cap, id, suffix,
                      layout == DOCPATH_FLAT ? DOCPATH_FANOUT : DOCPATH_FLAT);
}

const char *docpath_layout_name(docpath_layout layout)
{
    return layout == DOCPATH_FLAT ? "flat" : "fan-out";
}

/* ---- which layout a tree is in ---- */

typedef struct layout_walk {
    git_repository *repo;
    char seen[2][DOCPATH_MAX]; /* a path of each layout met, "" if none */
    size_t fanned;             /* files met fanned out */
} layout_walk;

/* Look at the folder at path (its tree): a file of an id that fans out
 * says its layout; other folders are looked into.  In a folder whose
 * fan-out folders said so once, the rest are not opened (one per region
 * folder is enough to know; a flat file beside them still shows). */
static int walk_folder(layout_walk *w, const git_tree *tree, const char *path, int depth)
{
    int fanned_here = 0;
    if (depth > 16)
        return 0; /* no document id is that deep */
    for (size_t i = 0; i < git_tree_entrycount(tree); i++) {
        const git_tree_entry *e = git_tree_entry_byindex(tree, i);
        const char *name = git_tree_entry_name(e);
        char full[DOCPATH_MAX], id[DOCPATH_MAX];
        const char *suffix;
        docpath_layout layout;
        int n = snprintf(full, sizeof(full), "%s%s%s", path, *path ? "/" : "", name);
        if (n < 0 || (size_t)n >= sizeof(full))
            continue; /* longer than any document's path */
        if (docpath_parse(id, sizeof(id), &suffix, &layout, full) == 0) {
            if (!w->seen[layout][0])
                snprintf(w->seen[layout], sizeof(w->seen[layout]), "%s", full);
            if (layout == DOCPATH_FANOUT) {
                fanned_here = 1;
                w->fanned++;
            }
            continue;
        }
        if (git_tree_entry_type(e) != GIT_OBJECT_TREE)
            continue;
        int hh = strlen(name) == DOCPATH_FANOUT_CHARS && strspn(name, "0123456789abcdef") == 2;
        if (hh && fanned_here)
            continue;
        git_tree *sub = NULL;
        if (git_tree_lookup(&sub, w->repo, git_tree_entry_id(e)) < 0)
            return KENES_EIO;
        size_t had = w->fanned;
        int rc = walk_folder(w, sub, full, depth + 1);
        git_tree_free(sub);
        if (rc < 0)
            return rc;
        fanned_here |= hh && w->fanned > had;
    }
    return 0;
}

int docpath_tree_layout(docpath_layout *out, git_repository *repo, const git_tree *tree,
                        char *detail, size_t cap)
{
    layout_walk w = {.repo = repo};
    *out = DOCPATH_FANOUT;
    if (detail && cap)
        detail[0] = '\0';
    int rc = tree ? walk_folder(&w, tree, "", 0) : 0;
    if (rc < 0)
        return rc;
    if (w.seen[DOCPATH_FLAT][0] && w.seen[DOCPATH_FANOUT][0]) {
        if (detail)
            snprintf(detail, cap, "%.180s is flat while %.180s is fanned out",
                     w.seen[DOCPATH_FLAT], w.seen[DOCPATH_FANOUT]);
        return KENES_EINVAL;
    }
    if (w.seen[DOCPATH_FLAT][0])
        *out = DOCPATH_FLAT;
    return 0;
}

int docpath_store_layout(docpath_layout *out, store *s, char *detail, size_t cap)
{
    git_oid head;
    int has;
    git_commit *c = NULL;
    git_tree *tree = NULL;
    git_repository *repo = store_reader(s);
    *out = DOCPATH_FANOUT;
    int rc = store_main_head(&head, &has, repo);
    if (rc == 0 && has)
        rc = git_commit_lookup(&c, repo, &head) < 0 || git_commit_tree(&tree, c) < 0
                 ? KENES_EIO
                 : docpath_tree_layout(out, repo, tree, detail, cap);
    git_tree_free(tree);
    git_commit_free(c);
    return rc;
}
