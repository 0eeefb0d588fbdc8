/*
 * Walks over main (store.h): its commits in order, how many, whether it
 * holds one.  Synchronous, on the readers' handle: start-up and tests.
 */
#include "storage/store_internal.h"

#include <stdlib.h>
#include <string.h>

#include "kenes/plugin.h"

/* A walker over main, or *out NULL if main has no commit yet. */
static int walk_main(git_revwalk **out, git_repository *repo, unsigned sort)
{
    git_revwalk *walk;
    git_oid head;
    int has;
    *out = NULL;
    int rc = store_main_head(&head, &has, repo);
    if (rc < 0 || !has)
        return rc;
    if (git_revwalk_new(&walk, repo) < 0)
        return KENES_EIO;
    git_revwalk_sorting(walk, sort);
    if (git_revwalk_push(walk, &head) < 0) {
        git_revwalk_free(walk);
        return KENES_EIO;
    }
    *out = walk;
    return 0;
}

int store_walk(store *s, int (*cb)(const store_commit_info *c, void *payload), void *payload)
{
    return store_walk_since(s, NULL, cb, payload);
}

int store_walk_since(store *s, const char *since,
                     int (*cb)(const store_commit_info *c, void *payload), void *payload)
{
    git_revwalk *walk;
    git_oid id, stop;
    if (!s || !cb || (since && store_parse_oid(&stop, since) < 0))
        return KENES_EINVAL;
    git_repository *repo = store_reader(s);
    int rc = walk_main(&walk, repo, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE);
    if (rc < 0 || !walk)
        return rc;
    if (since && git_revwalk_hide(walk, &stop) < 0) {
        git_revwalk_free(walk);
        return KENES_ENOTFOUND;
    }
    int grc;
    s->walking++; /* cb may read through store_reader(): the same handle */
    while ((grc = git_revwalk_next(&id, walk)) == 0) {
        git_commit *c;
        char hex[STORE_OID_HEX];
        if (git_commit_lookup(&c, repo, &id) < 0) {
            rc = KENES_EIO;
            break;
        }
        const git_signature *a = git_commit_author(c);
        git_oid_tostr(hex, sizeof(hex), &id);
        store_commit_info info = {
            .commit = hex,
            .time_ms = (int64_t)git_commit_time(c) * 1000,
            .author_name = a->name,
            .author_email = a->email,
            .message = git_commit_message(c),
        };
        rc = cb(&info, payload);
        git_commit_free(c);
        if (rc != 0)
            break;
    }
    s->walking--;
    if (rc == 0 && grc != GIT_ITEROVER)
        rc = KENES_EIO;
    git_revwalk_free(walk);
    return rc;
}

int store_count(store *s, size_t *out)
{
    git_revwalk *walk;
    git_oid id;
    *out = 0;
    if (!s)
        return KENES_EINVAL;
    int rc = walk_main(&walk, store_reader(s), GIT_SORT_NONE);
    if (rc < 0 || !walk)
        return rc;
    int grc;
    while ((grc = git_revwalk_next(&id, walk)) == 0)
        (*out)++;
    git_revwalk_free(walk);
    return grc == GIT_ITEROVER ? 0 : KENES_EIO;
}

int store_contains(store *s, const char *commit)
{
    git_oid head, id;
    int has;
    git_commit *c = NULL;
    if (!s || store_parse_oid(&id, commit) < 0)
        return KENES_EINVAL;
    git_repository *repo = store_reader(s);
    int rc = store_error_of_git(git_commit_lookup(&c, repo, &id));
    git_commit_free(c);
    if (rc == 0)
        rc = store_main_head(&head, &has, repo);
    if (rc < 0 || !has)
        return rc;
    if (git_oid_equal(&head, &id))
        return 1;
    return git_graph_descendant_of(repo, &head, &id) == 1;
}

