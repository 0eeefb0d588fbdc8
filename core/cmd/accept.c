#include "cmd/accept.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>
#include <uv.h>

#include "auth/auth.h"
#include "cmd/server.h"
#include "storage/store.h"
#include "base/util.h"
#include "cmd/verify.h"

int accept_check_admin(const config *cfg, const char *by, char *err, size_t errcap)
{
    char path[4096];
    uv_loop_t loop;
    auth *a = NULL;
    uv_loop_init(&loop);
    util_path(path, sizeof(path), cfg->data_dir, "users.yaml");
    int rc = auth_open(&a, &loop, path, cfg->session_idle_s, err, errcap);
    if (rc == 0) {
        const auth_user *u = auth_user_find(a, by);
        if (!u || u->disabled || u->role != ROLE_ADMIN) {
            snprintf(err, errcap, "--by %.100s: no enabled admin of that name in users.yaml", by);
            rc = KENES_EINVAL;
        }
    }
    auth_close(a);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
    return rc;
}

int accept_record(char commit[41], const config *cfg, int repo, const signer *sg, const char *by,
                  const char *message, char *err, size_t errcap)
{
    return accept_record_tree(commit, cfg, repo, sg, by, message, NULL, err, errcap);
}

int accept_record_tree(char commit[41], const config *cfg, int repo, const signer *sg,
                       const char *by, const char *message, const char *tree, char *err,
                       size_t errcap)
{
    char path[4096], email[300];
    uv_loop_t loop;
    store *s = NULL;
    uv_loop_init(&loop);
    util_path(path, sizeof(path), cfg->data_dir, datadir_repo_names[repo]);
    snprintf(email, sizeof(email), "%.200s@users.kenes", by ? by : "");
    store_write w = {0};
    w.author_name = by ? by : cfg->committer_name;
    w.author_email = by ? email : cfg->committer_email;
    w.message = message;
    w.tree = tree;
    int rc = store_open(&s, &loop, path, cfg->committer_name, cfg->committer_email);
    if (rc == 0)
        rc = store_set_signer(s, sg);
    if (rc == 0 && (rc = store_commit_now(s, &w)) < 0)
        snprintf(err, errcap, "%s: %s", datadir_repo_names[repo], w.errmsg);
    else if (rc < 0)
        snprintf(err, errcap, "cannot open %.900s", path);
    else
        memcpy(commit, w.commit, STORE_OID_HEX);
    store_close(s);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
    return rc;
}

/* Which repository's main holds the commit: its full id in full, the
 * repository in *repo. */
static int find_commit(char full[STORE_OID_HEX], int *repo, const config *cfg, const char *id,
                       char *err, size_t errcap)
{
    int found = 0;
    for (int r = 0; r < 2; r++) {
        char path[4096];
        git_repository *git = NULL;
        git_object *obj = NULL;
        git_oid head;
        util_path(path, sizeof(path), cfg->data_dir, datadir_repo_names[r]);
        unsigned flags = GIT_REPOSITORY_OPEN_NO_SEARCH | GIT_REPOSITORY_OPEN_BARE;
        /* Ids only: a name like "main" would mean another commit in each. */
        int ok = strlen(id) >= 7 && strlen(id) <= 40 && strspn(id, "0123456789abcdef") == strlen(id) &&
                 git_repository_open_ext(&git, path, flags, NULL) == 0 &&
                 git_revparse_single(&obj, git, id) == 0 &&
                 git_object_type(obj) == GIT_OBJECT_COMMIT &&
                 git_reference_name_to_id(&head, git, "refs/heads/main") == 0 &&
                 (git_oid_equal(&head, git_object_id(obj)) ||
                  git_graph_descendant_of(git, &head, git_object_id(obj)) == 1);
        if (ok) {
            git_oid_tostr(full, STORE_OID_HEX, git_object_id(obj));
            *repo = r;
            found++;
        }
        git_object_free(obj);
        git_repository_free(git);
    }
    if (found == 1)
        return 0;
    snprintf(err, errcap, found ? "%.100s names a commit in both repositories: give its full id"
                                : "%.100s is no commit id on main of documents.git or cases.git",
             id);
    return KENES_EINVAL;
}

int accept_run(const config *cfg, const char *const *commits, size_t n, const char *by,
               char *err, size_t errcap)
{
    char keys[4096];
    signer *sg = NULL;
    util_buf msg[2];
    size_t count[2] = {0, 0};
    int rc = 0;
    git_libgit2_init();
    util_buf_init(&msg[0]);
    util_buf_init(&msg[1]);
    if (by && (rc = accept_check_admin(cfg, by, err, errcap)) < 0)
        goto out;
    for (size_t i = 0; i < n && rc == 0; i++) {
        char full[STORE_OID_HEX];
        int r;
        if ((rc = find_commit(full, &r, cfg, commits[i], err, errcap)) < 0)
            break;
        if (!count[r]++)
            util_buf_puts(&msg[r], "Accept commits made outside kenes\n\n"
                                   "Kenes-Action: accept\nKenes-Role: admin\n");
        util_buf_printf(&msg[r], "Kenes-Accepts: %s\n", full);
    }
    util_path(keys, sizeof(keys), cfg->data_dir, "keys");
    if (rc == 0 && (rc = sign_open(&sg, keys, err, errcap)) < 0)
        goto out;
    for (int r = 0; r < 2 && rc == 0; r++) {
        char made[STORE_OID_HEX];
        if (!count[r])
            continue;
        if (!msg[r].data) {
            rc = KENES_ENOMEM;
            snprintf(err, errcap, "out of memory");
            break;
        }
        /* A decision signed by a key verify would not take is no decision. */
        unsigned char in_force[SIGN_PUBKEY_BYTES], mine[SIGN_PUBKEY_BYTES];
        int has;
        sign_public_key(sg, mine);
        if ((rc = verify_key_at_head(in_force, &has, cfg, r)) < 0) {
            snprintf(err, errcap, "%s: cannot read its signatures", datadir_repo_names[r]);
            break;
        }
        if (has && memcmp(in_force, mine, sizeof(mine)) != 0) {
            snprintf(err, errcap, "%s: keys/%s is not the key in force there; restore the "
                     "right one from the backup of DATA/keys", datadir_repo_names[r], SIGN_KEY_FILE);
            rc = KENES_EFORBIDDEN;
            break;
        }
        rc = accept_record(made, cfg, r, sg, by, msg[r].data, err, errcap);
        if (rc == 0)
            printf("%s: accepted %zu commit%s in commit %s\n", datadir_repo_names[r], count[r],
                   count[r] == 1 ? "" : "s", made);
    }
out:
    sign_free(sg);
    util_buf_dispose(&msg[0]);
    util_buf_dispose(&msg[1]);
    git_libgit2_shutdown();
    return rc;
}
