#include "cmd/migrate.h"

#include <errno.h>
#include <fcntl.h>
#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/map.h"
#include "base/util.h"
#include "cmd/accept.h"
#include "cmd/verify.h"
#include "cmd/verify_internal.h"
#include "docs/datadir.h"
#include "storage/docpath.h"
#include "storage/store.h"

/* The moves of one repository: a removal and an insertion per file. */
typedef struct moves {
    git_tree_update *u;
    size_t n, cap;
    size_t files;
    int oom;
} moves;

static int add_update(moves *m, const char *path, git_tree_update_t action, const git_oid *id,
                      git_filemode_t mode)
{
    git_tree_update *grown = util_grow(m->u, &m->cap, m->n, sizeof(*grown), 256);
    char *copy = strdup(path);
    if (!grown || !copy) {
        free(copy);
        m->oom = 1;
        return KENES_ENOMEM;
    }
    m->u = grown;
    m->u[m->n++] = (git_tree_update){.action = action, .id = *id, .filemode = mode, .path = copy};
    return 0;
}

static int collect(const char *root, const git_tree_entry *e, void *payload)
{
    moves *m = payload;
    char full[DOCPATH_MAX], id[DOCPATH_MAX], to[DOCPATH_MAX];
    const char *suffix;
    docpath_layout layout;
    if (git_tree_entry_type(e) != GIT_OBJECT_BLOB)
        return 0;
    int n = snprintf(full, sizeof(full), "%s%s", root, git_tree_entry_name(e));
    if (n < 0 || (size_t)n >= sizeof(full) ||
        docpath_parse(id, sizeof(id), &suffix, &layout, full) < 0 || layout != DOCPATH_FLAT ||
        docpath_of(to, sizeof(to), id, suffix, DOCPATH_FANOUT) < 0)
        return 0;
    if (add_update(m, full, GIT_TREE_UPDATE_REMOVE, git_tree_entry_id(e), 0) < 0 ||
        add_update(m, to, GIT_TREE_UPDATE_UPSERT, git_tree_entry_id(e),
                   git_tree_entry_filemode(e)) < 0)
        return -1;
    m->files++;
    return 0;
}

static void moves_dispose(moves *m)
{
    for (size_t i = 0; i < m->n; i++)
        free((char *)m->u[i].path);
    free(m->u);
}

/* The tree of repo's main with every flat file moved, into tree_hex (""
 * when there is nothing to move); parent_hex gets main's head. */
static int build_tree(char tree_hex[STORE_OID_HEX], char parent_hex[STORE_OID_HEX],
                      size_t *files, const char *gitdir, const char *name, char *err,
                      size_t errcap)
{
    git_repository *git = NULL;
    git_reference *ref = NULL;
    git_commit *head = NULL;
    git_tree *tree = NULL;
    moves m = {0};
    git_oid out;
    docpath_layout layout = DOCPATH_FANOUT;
    char detail[400];
    int rc = KENES_EIO;
    tree_hex[0] = parent_hex[0] = '\0';
    *files = 0;
    unsigned flags = GIT_REPOSITORY_OPEN_NO_SEARCH | GIT_REPOSITORY_OPEN_BARE;
    if (git_repository_open_ext(&git, gitdir, flags, NULL) < 0) {
        snprintf(err, errcap, "cannot open %.900s", gitdir);
        goto out;
    }
    int grc = git_reference_lookup(&ref, git, "refs/heads/main");
    if (grc == GIT_ENOTFOUND) {
        rc = 0; /* no commit yet: nothing to move */
        goto out;
    }
    if (grc < 0 || git_commit_lookup(&head, git, git_reference_target(ref)) < 0 ||
        git_commit_tree(&tree, head) < 0) {
        snprintf(err, errcap, "%s: cannot read main's head", name);
        goto out;
    }
    git_oid_tostr(parent_hex, STORE_OID_HEX, git_commit_id(head));
    if ((rc = docpath_tree_layout(&layout, git, tree, detail, sizeof(detail))) < 0) {
        snprintf(err, errcap, "%s: %s", name,
                 rc == KENES_EINVAL ? detail : "cannot read main's tree");
        goto out;
    }
    if (layout == DOCPATH_FANOUT)
        goto out; /* fanned out already, or nothing that fans out */
    if (git_tree_walk(tree, GIT_TREEWALK_PRE, collect, &m) < 0 || m.oom) {
        rc = m.oom ? KENES_ENOMEM : KENES_EIO;
        snprintf(err, errcap, "%s: cannot list main's files", name);
        goto out;
    }
    if (git_tree_create_updated(&out, git, tree, m.n, m.u) < 0) {
        rc = KENES_EIO;
        snprintf(err, errcap, "%s: cannot build the moved tree: %s", name,
                 git_error_last() ? git_error_last()->message : "");
        goto out;
    }
    git_oid_tostr(tree_hex, STORE_OID_HEX, &out);
    *files = m.files;
out:
    moves_dispose(&m);
    git_tree_free(tree);
    git_commit_free(head);
    git_reference_free(ref);
    git_repository_free(git);
    return rc;
}

/* The journal's line for the commit, appended only when the journal ends at
 * its parent: a journal that lags (a crash) is made whole by the next start,
 * which takes every commit after its last line from git, this one too. */
static void journal_append(const config *cfg, int repo, const char *parent, const char *commit)
{
    char path[4096], *text = NULL, line[128];
    size_t len = 0;
    datadir_journal_path(path, sizeof(path), cfg->data_dir, repo);
    if (util_read_file(&text, &len, path) < 0)
        return;
    size_t end = len;
    while (end > 0 && text[end - 1] == '\n')
        end--;
    size_t start = end;
    while (start > 0 && text[start - 1] != '\n')
        start--;
    char *at = strstr(text + start, "\"commit\":\"");
    int last_is_parent = len && text[len - 1] == '\n' && at &&
                         strncmp(at + 10, parent, STORE_OID_HEX - 1) == 0;
    free(text);
    if (!last_is_parent)
        return;
    int n = snprintf(line, sizeof(line), "{\"commit\":\"%s\",\"admin\":\"migrate\"}\n", commit);
    int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd < 0)
        return;
    /* A short or failed write leaves a cut line the next start repairs. */
    if (write(fd, line, (size_t)n) == n)
        (void)fdatasync(fd);
    close(fd);
}

int migrate_run(const config *cfg, const char *by, char *err, size_t errcap)
{
    char keys[4096];
    signer *sg = NULL;
    int rc = 0;
    git_libgit2_init();
    /* The moved trees are written here, before the store that commits them
     * is opened: durable like every object the store writes (store.c). */
    git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 1);
    if (by && (rc = accept_check_admin(cfg, by, err, errcap)) < 0)
        goto out;
    util_path(keys, sizeof(keys), cfg->data_dir, "keys");
    if ((rc = sign_open(&sg, keys, err, errcap)) < 0)
        goto out;
    for (int r = 0; r < 2 && rc == 0; r++) {
        char gitdir[4096], tree[STORE_OID_HEX], parent[STORE_OID_HEX], made[STORE_OID_HEX];
        char msg[256];
        size_t files;
        const char *name = datadir_repo_names[r];
        util_path(gitdir, sizeof(gitdir), cfg->data_dir, name);
        if ((rc = build_tree(tree, parent, &files, gitdir, name, err, errcap)) < 0)
            break;
        if (!tree[0]) {
            printf("%s: in the fan-out layout already; nothing to move\n", name);
            continue;
        }
        /* A move signed by a key verify would not take is no move. */
        unsigned char in_force[SIGN_PUBKEY_BYTES], mine[SIGN_PUBKEY_BYTES];
        int has;
        sign_public_key(sg, mine);
        if ((rc = verify_key_at_head(in_force, &has, cfg, r)) < 0) {
            snprintf(err, errcap, "%s: cannot read its signatures", name);
            break;
        }
        if (has && memcmp(in_force, mine, sizeof(mine)) != 0) {
            snprintf(err, errcap, "%s: keys/%s is not the key in force there; restore the "
                     "right one from the backup of DATA/keys", name, SIGN_KEY_FILE);
            rc = KENES_EFORBIDDEN;
            break;
        }
        snprintf(msg, sizeof(msg), "Move documents' files into fan-out folders\n\n"
                 "Kenes-Action: migrate\nKenes-Role: admin\nKenes-Moved: %zu\n", files);
        if ((rc = accept_record_tree(made, cfg, r, sg, by, msg, tree, err, errcap)) < 0)
            break;
        journal_append(cfg, r, parent, made);
        printf("%s: moved %zu file%s in commit %s\n", name, files, files == 1 ? "" : "s", made);
    }
out:
    sign_free(sg);
    git_libgit2_shutdown();
    return rc;
}

/* ---- verify's rule for the commit ---- */

typedef struct migrate_diff {
    map *left;    /* fan-out path -> blob id (hex) of the flat file that left for it */
    map *arrived; /* fan-out path -> blob id (hex) of the file added there */
    size_t other; /* anything else the commit changed */
    char other_path[DOCPATH_MAX];
    int oom;
} migrate_diff;

static int remember(migrate_diff *d, map *m, const char *path, const git_oid *id)
{
    char *hex = malloc(STORE_OID_HEX);
    if (!hex || map_set(m, path, hex) < 0) {
        free(hex);
        d->oom = 1;
        return -1;
    }
    git_oid_tostr(hex, STORE_OID_HEX, id);
    return 0;
}

static int migrate_delta(const git_diff_delta *delta, float progress, void *payload)
{
    (void)progress;
    migrate_diff *d = payload;
    char id[DOCPATH_MAX], to[DOCPATH_MAX];
    const char *suffix;
    docpath_layout layout;
    int removed = delta->status == GIT_DELTA_DELETED, added = delta->status == GIT_DELTA_ADDED;
    const char *path = added ? delta->new_file.path : delta->old_file.path;
    if (removed && docpath_parse(id, sizeof(id), &suffix, &layout, path) == 0 &&
        layout == DOCPATH_FLAT && docpath_other(to, sizeof(to), path) == 0)
        return remember(d, d->left, to, &delta->old_file.id);
    if (added && docpath_parse(id, sizeof(id), &suffix, &layout, path) == 0 &&
        layout == DOCPATH_FANOUT)
        return remember(d, d->arrived, path, &delta->new_file.id);
    d->other++;
    snprintf(d->other_path, sizeof(d->other_path), "%s", path);
    return 0;
}

static void free_values(map *m)
{
    map_iter it;
    const char *k;
    void *val;
    map_iter_init(&it, m);
    while (map_iter_next(&it, &k, &val))
        free(val);
    map_free(m);
}

void verify_check_migrate(vctx *v, const store_commit_info *c)
{
    git_oid oid;
    git_commit *commit = NULL, *parent = NULL;
    git_tree *before = NULL, *after = NULL;
    git_diff *diff = NULL;
    migrate_diff d = {0};
    char detail[400];
    docpath_layout now;
    if (v->layout_known && v->layout == DOCPATH_FANOUT)
        verify_fault(v, c->commit, "kenes migrate in a repository fanned out already", NULL);
    int ok = map_new(&d.left) == 0 && map_new(&d.arrived) == 0 &&
             git_oid_fromstr(&oid, c->commit) == 0 &&
             git_commit_lookup(&commit, v->git, &oid) == 0 &&
             git_commit_parentcount(commit) == 1 && git_commit_parent(&parent, commit, 0) == 0 &&
             git_commit_tree(&before, parent) == 0 && git_commit_tree(&after, commit) == 0 &&
             git_diff_tree_to_tree(&diff, v->git, before, after, NULL) == 0 &&
             git_diff_foreach(diff, migrate_delta, NULL, NULL, NULL, &d) == 0 && !d.oom;
    if (d.oom) {
        v->failed = KENES_ENOMEM;
    } else if (!ok) {
        verify_fault(v, c->commit, "cannot compare kenes migrate's tree with its parent's", NULL);
    } else {
        if (d.other)
            verify_fault(v, c->commit, "kenes migrate's commit changes what it does not move",
                         d.other_path);
        size_t matched = 0;
        map_iter it;
        const char *path;
        void *hex;
        map_iter_init(&it, d.arrived);
        while (map_iter_next(&it, &path, &hex)) {
            const char *was = map_get(d.left, path);
            if (was && strcmp(was, hex) == 0)
                matched++;
            else
                verify_fault(v, c->commit, "kenes migrate adds a file that is not a flat one "
                             "moved unchanged", path);
        }
        if (matched != map_count(d.left))
            verify_fault(v, c->commit, "kenes migrate removes a file it does not put back "
                         "fanned out", NULL);
        int rc = docpath_tree_layout(&now, v->git, after, detail, sizeof(detail));
        if (rc == KENES_EINVAL || (rc == 0 && now != DOCPATH_FANOUT))
            verify_fault(v, c->commit, "kenes migrate leaves files flat",
                         rc == KENES_EINVAL ? detail : NULL);
    }
    v->layout = DOCPATH_FANOUT;
    v->layout_known = 1;
    git_diff_free(diff);
    git_tree_free(after);
    git_tree_free(before);
    git_commit_free(parent);
    git_commit_free(commit);
    if (d.left)
        free_values(d.left);
    if (d.arrived)
        free_values(d.arrived);
}
