/*
 * The store's diffs (store.h): of a file between two commits, on the thread
 * pool (store_read.c runs it), and of two texts, anywhere.
 */
#include "storage/store_internal.h"

#include <stdlib.h>
#include <string.h>

#include "kenes/plugin.h"

/* The unified diff text of a patch; *out malloc'd and NUL-terminated. */
static int patch_text(char **out, size_t *len, git_patch *patch)
{
    git_buf buf = {0};
    int rc = 0;
    if (git_patch_to_buf(&buf, patch) < 0)
        rc = KENES_EIO;
    else if (!(*out = malloc(buf.size + 1)))
        rc = KENES_ENOMEM;
    else {
        if (buf.size)
            memcpy(*out, buf.ptr, buf.size);
        (*out)[buf.size] = '\0';
        *len = buf.size;
    }
    git_buf_dispose(&buf);
    return rc;
}

int store_read_diff(char **out, size_t *len, git_repository *repo, const char *from,
                    const char *to, const char *path)
{
    git_tree *ta = NULL, *tb = NULL;
    git_blob *a = NULL, *b = NULL;
    git_patch *patch = NULL;
    int rc = store_tree_at(&ta, repo, from);
    if (rc == 0)
        rc = store_tree_at(&tb, repo, to);
    if (rc == 0 && (rc = store_blob_in(&a, repo, ta, path)) == KENES_ENOTFOUND)
        rc = 0;
    if (rc == 0 && (rc = store_blob_in(&b, repo, tb, path)) == KENES_ENOTFOUND)
        rc = 0;
    if (rc == 0 && !a && !b)
        rc = KENES_ENOTFOUND;
    if (rc == 0) {
        git_diff_options opts;
        git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
        rc = git_patch_from_blobs(&patch, a, path, b, path, &opts) < 0
                 ? KENES_EIO
                 : patch_text(out, len, patch);
    }
    git_patch_free(patch);
    git_blob_free(b);
    git_blob_free(a);
    git_tree_free(tb);
    git_tree_free(ta);
    return rc;
}

int store_diff_buffers(char **out, size_t *len, const char *path, const char *a, size_t alen,
                       const char *b, size_t blen)
{
    git_patch *patch = NULL;
    git_diff_options opts;
    if (store_git_ready() < 0)
        return KENES_EIO;
    git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
    int rc = git_patch_from_buffers(&patch, a, alen, path, b, blen, path, &opts) < 0
                 ? KENES_EIO
                 : patch_text(out, len, patch);
    git_patch_free(patch);
    return rc;
}
