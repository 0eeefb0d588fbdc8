/*
 * kenes verify: the rule of an attach or detach commit (docs/attachments.h).
 * Such a commit keeps the stage, is made by a role the workflow's attach:
 * names in a stage it names, and changes nothing but the document's list of
 * files and the one file it adds or removes under <id>.files/.  For a file
 * in the clear it also checks that the list names exactly that file, with
 * its SHA-256, and that no field changed; a sealed case's text opens only
 * with its key, so there the tree alone is judged.  A transition adds no
 * file, and removes them only when it clears the files (clears_files: an
 * amendment starts without the old resolution's scan): all of them.  One
 * that keeps them all is history written before its workflow said
 * clears_files, and lawful then.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/role.h"
#include "cmd/verify_internal.h"
#include "docs/workflow.h"
#include "storage/docfile.h"
#include "storage/docpath.h"

/* What the commit did to the tree beside <id>.md. */
typedef struct tree_change {
    size_t added, removed, other;
    char file[64];    /* the attachment id added or removed (the last one) */
    char other_path[256];
    git_oid added_id; /* its blob, when added */
} tree_change;

static int diff_each(const git_diff_delta *delta, float progress, void *payload)
{
    (void)progress;
    struct {
        tree_change *tc;
        const char *md, *prefix;
    } *w = payload;
    const char *path = delta->new_file.path ? delta->new_file.path : delta->old_file.path;
    size_t plen = strlen(w->prefix);
    if (strcmp(path, w->md) == 0 && delta->status == GIT_DELTA_MODIFIED)
        return 0;
    if (strncmp(path, w->prefix, plen) == 0 && !strchr(path + plen, '/') &&
        (delta->status == GIT_DELTA_ADDED || delta->status == GIT_DELTA_DELETED)) {
        int added = delta->status == GIT_DELTA_ADDED;
        *(added ? &w->tc->added : &w->tc->removed) += 1;
        snprintf(w->tc->file, sizeof(w->tc->file), "%s", path + plen);
        if (added)
            git_oid_cpy(&w->tc->added_id, &delta->new_file.id);
        return 0;
    }
    w->tc->other++;
    snprintf(w->tc->other_path, sizeof(w->tc->other_path), "%s", path);
    return 0;
}

/* The commit's tree against its parent's; *parent_tree kept for reading. */
static int tree_changes(tree_change *tc, git_tree **parent_tree, git_tree **tree, vctx *v,
                        const char *commit, const char *md)
{
    git_oid oid;
    git_commit *c = NULL, *parent = NULL;
    git_diff *diff = NULL;
    char prefix[DOCPATH_MAX];
    int rc = KENES_EIO;
    memset(tc, 0, sizeof(*tc));
    *parent_tree = *tree = NULL;
    /* Beside <stem>.md, in the layout the commit wrote it in. */
    snprintf(prefix, sizeof(prefix), "%.*s.files/", (int)(strlen(md) - 3), md);
    struct {
        tree_change *tc;
        const char *md, *prefix;
    } w = {tc, md, prefix};
    if (git_oid_fromstr(&oid, commit) == 0 && git_commit_lookup(&c, v->git, &oid) == 0 &&
        git_commit_parentcount(c) == 1 && git_commit_parent(&parent, c, 0) == 0 &&
        git_commit_tree(parent_tree, parent) == 0 && git_commit_tree(tree, c) == 0 &&
        git_diff_tree_to_tree(&diff, v->git, *parent_tree, *tree, NULL) == 0 &&
        git_diff_foreach(diff, diff_each, NULL, NULL, NULL, &w) == 0)
        rc = 0;
    git_diff_free(diff);
    git_commit_free(parent);
    git_commit_free(c);
    return rc;
}

/* The blob at path in tree, parsed as a document (NULL if it is none). */
static json_t *doc_in(vctx *v, git_tree *tree, const char *path)
{
    git_tree_entry *e = NULL;
    git_blob *b = NULL;
    json_t *doc = NULL;
    char err[64];
    if (git_tree_entry_bypath(&e, tree, path) == 0 &&
        git_blob_lookup(&b, v->git, git_tree_entry_id(e)) == 0)
        doc_parse(&doc, git_blob_rawcontent(b), (size_t)git_blob_rawsize(b), err, sizeof(err));
    git_blob_free(b);
    git_tree_entry_free(e);
    return doc;
}

/* The list of files without the one named aid (new reference). */
static json_t *without(const json_t *list, const char *aid)
{
    json_t *out = json_array();
    size_t i;
    json_t *a;
    json_array_foreach(list, i, a)
    {
        const char *id = json_string_value(json_object_get(a, "id"));
        if (!id || strcmp(id, aid) != 0)
            json_array_append(out, a);
    }
    return out;
}

/* The clear text's rule: nothing else changed, and the list changed by the file. */
static void check_lists(vctx *v, const char *commit, git_tree *before, const json_t *doc,
                        const tree_change *tc, int attach, const char *md)
{
    json_t *old = doc_in(v, before, md);
    if (!old || !doc) {
        verify_fault(v, commit, "cannot read the document before and after its file changed", md);
        json_decref(old);
        return;
    }
    json_t *a = json_deep_copy(old), *b = json_deep_copy(doc);
    json_object_del(a, "attachments");
    json_object_del(b, "attachments");
    if (!json_equal(a, b))
        verify_fault(v, commit, "an attach or detach that also changes the document's fields",
                     md);
    if (!tc->file[0]) /* the tree's fault is said already */
        goto out;
    json_t *was = json_object_get(old, "attachments"), *now = json_object_get(doc, "attachments");
    json_t *smaller = without(attach ? now : was, tc->file);
    const json_t *same = attach ? was : now;
    int lists_ok = json_array_size(smaller) + 1 == json_array_size(attach ? now : was) &&
                   (json_equal(smaller, same) || (json_array_size(smaller) == 0 && !same));
    if (!lists_ok)
        verify_fault(v, commit, "the list of files does not change by the one file the commit "
                     "adds or removes", tc->file);
    if (attach && lists_ok) {
        const json_t *entry = NULL;
        size_t i;
        json_t *x;
        json_array_foreach(now, i, x) if (strcmp(json_string_value(json_object_get(x, "id")) ?: "",
                                                 tc->file) == 0) entry = x;
        git_blob *blob = NULL;
        unsigned char sum[crypto_hash_sha256_BYTES];
        char hex[2 * crypto_hash_sha256_BYTES + 1];
        if (git_blob_lookup(&blob, v->git, &tc->added_id) == 0) {
            crypto_hash_sha256(sum, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob));
            sodium_bin2hex(hex, sizeof(hex), sum, sizeof(sum));
            const char *want = json_string_value(json_object_get(entry, "sha256"));
            json_int_t size = json_integer_value(json_object_get(entry, "size"));
            if (!want || strcmp(want, hex) != 0 || size != (json_int_t)git_blob_rawsize(blob))
                verify_fault(v, commit, "the file's SHA-256 or size is not the one its entry lists",
                             tc->file);
        } else {
            verify_fault(v, commit, "cannot read the file the commit adds", tc->file);
        }
        git_blob_free(blob);
    }
    json_decref(smaller);
out:
    json_decref(a);
    json_decref(b);
    json_decref(old);
}

static int stage_named(const wf_workflow *wf, const char *stage)
{
    for (size_t i = 0; stage && i < wf->nattach_stages; i++)
        if (strcmp(wf->attach_stages[i], stage) == 0)
            return 1;
    return 0;
}

int verify_files_commit(vctx *v, const store_commit_info *c, const msg_parsed *m,
                        const wf_workflow *wf, const char *prev, const json_t *doc, int sealed,
                        const char *md)
{
    int attach = strcmp(m->action, "attach") == 0;
    if (!attach && strcmp(m->action, "detach") != 0)
        return 0;
    enum role r = role_parse(m->role);
    if (m->from || strcmp(m->to, prev) != 0)
        verify_fault(v, c->commit, "an attach or detach that changes the stage", m->to);
    if (!wf->has_attach)
        verify_fault(v, c->commit, "files on a type whose workflow has no attach:", m->action);
    else if (!stage_named(wf, prev))
        verify_fault(v, c->commit, "files changed in a stage attach: does not name", prev);
    else if (r != ROLE_ADMIN && !(wf->attach_roles & (unsigned)r))
        verify_fault(v, c->commit, "a role attach: does not name", m->role ? m->role : "");
    tree_change tc;
    git_tree *before = NULL, *after = NULL;
    if (tree_changes(&tc, &before, &after, v, c->commit, md) < 0) {
        verify_fault(v, c->commit, "cannot compare the commit's tree with its parent's", m->action);
    } else {
        if (tc.other)
            verify_fault(v, c->commit, "an attach or detach that changes another file",
                         tc.other_path);
        if (attach ? tc.added != 1 || tc.removed : tc.removed != 1 || tc.added) {
            verify_fault(v, c->commit, attach ? "an attach that does not add exactly one file"
                                              : "a detach that does not remove exactly one file",
                         m->document);
            tc.file[0] = '\0';
        }
        if (!sealed)
            check_lists(v, c->commit, before, doc, &tc, attach, md);
    }
    git_tree_free(before);
    git_tree_free(after);
    return 1;
}

void verify_files_transition(vctx *v, const store_commit_info *c, const msg_parsed *m,
                             const wf_transition *tr, const char *md)
{
    tree_change tc;
    git_tree *before = NULL, *after = NULL;
    git_tree_entry *left = NULL;
    char dir[DOCPATH_MAX];
    /* <stem>.files beside <stem>.md, in the layout the commit wrote it in. */
    snprintf(dir, sizeof(dir), "%.*s.files", (int)(strlen(md) - 3), md);
    if (tree_changes(&tc, &before, &after, v, c->commit, md) < 0) {
        verify_fault(v, c->commit, "cannot compare the commit's tree with its parent's", m->action);
    } else {
        if (tc.added)
            verify_fault(v, c->commit, "a transition that adds a file", tc.file);
        else if (tc.removed && !tr->clears_files)
            verify_fault(v, c->commit, "a transition that removes a file it does not clear",
                         tc.file);
        else if (tc.removed && git_tree_entry_bypath(&left, after, dir) == 0)
            verify_fault(v, c->commit, "a transition that clears the files keeps some", dir);
    }
    git_tree_entry_free(left);
    git_tree_free(before);
    git_tree_free(after);
}
