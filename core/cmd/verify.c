/*
 * kenes verify and reindex, and serve's start-up check: walk the
 * repositories, judge each commit (verify_commit.c) and its signature
 * (verify_keys.c), and say what was found.
 */
#include "cmd/verify_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/anchor.h"
#include "base/error.h"
#include "base/util.h"
#include "cmd/server.h"
#include "plugin/loader.h"
#include "plugin/region.h"
#include "storage/journal.h"
#include "storage/store.h"
#include "storage/vault.h"
#include "docs/snap.h"
#include "docs/workflow.h"

static void finding_set(vctx *v, const char *commit, const char *line)
{
    verify_finding *f = v->finding;
    if (commit && strcmp(commit, v->last_faulty) != 0) {
        f->commits++;
        snprintf(v->last_faulty, sizeof(v->last_faulty), "%s", commit);
    }
    if (f->faults++)
        return;
    snprintf(f->what, sizeof(f->what), "%.*s", (int)sizeof(f->what) - 1, line);
    snprintf(f->commit, sizeof(f->commit), "%s", commit ? commit : "");
    f->parent[0] = '\0';
    git_oid oid;
    git_commit *c = NULL;
    if (commit && git_oid_fromstr(&oid, commit) == 0 && git_commit_lookup(&c, v->git, &oid) == 0 &&
        git_commit_parentcount(c) > 0)
        git_oid_tostr(f->parent, sizeof(f->parent), git_commit_parent_id(c, 0));
    git_commit_free(c);
}

void verify_fault(vctx *v, const char *commit, const char *what, const char *detail)
{
    if (v->waive) {
        v->waived++;
        return;
    }
    v->faults++;
    if (v->finding) {
        char line[sizeof(v->finding->what)];
        snprintf(line, sizeof(line), "%s%s%s", what, detail ? ": " : "", detail ? detail : "");
        finding_set(v, commit, line);
        return;
    }
    printf("%s: commit %s: %s%s%s\n", v->repo, commit, what, detail ? ": " : "",
           detail ? detail : "");
}

/* A fault of no one commit (the keys). */
void verify_general_fault(vctx *v, const char *line)
{
    v->faults++;
    if (v->finding)
        finding_set(v, NULL, line);
    else
        printf("%s\n", line);
}

static void journal_fault(const char *what, const char *commit, void *payload)
{
    vctx *v = payload;
    v->faults++;
    printf("%s: %s %s\n", v->repo, what, commit ? commit : "(unknown)");
}

/* A copy taken right after a crash: commits the journal has no line for
 * yet, which the next start writes from git. */
static void journal_note(const char *what, const char *commit, void *payload)
{
    vctx *v = payload;
    v->notes++;
    printf("%s: note: %s %s (a crash came before its line was written; the next start "
           "adds it)\n", v->repo, what, commit ? commit : "(unknown)");
}

/* 1 if action is the erasure of some workflow (its key was destroyed on purpose). */
static int is_erasure(const wf_set *workflows, const char *action)
{
    for (size_t i = 0; action && i < wf_set_count(workflows); i++)
        if (wf_is_erasure(wf_set_at(workflows, i), action))
            return 1;
    return 0;
}

/* Every sealed document of the repository whose history does not end in
 * its erasure needs its key: a key file missing or damaged is a document
 * nobody can read (serve answers it 503).  Without the master key (a copy
 * of the repositories alone) there is nothing to check them with: said,
 * not a fault. */
static void check_case_keys(vctx *v, const config *cfg)
{
    char keys[4096], err[1024];
    vault *vt = NULL;
    util_path(keys, sizeof(keys), cfg->data_dir, "keys");
    int rc = access(keys, F_OK) == 0 ? vault_open(&vt, keys, err, sizeof(err)) : KENES_ENOTFOUND;
    if (rc == KENES_ENOTFOUND) {
        printf("%s: note: the case keys are not checked: no keys folder or master key here\n",
               v->repo);
        return;
    }
    if (rc < 0) {
        char line[1200];
        snprintf(line, sizeof(line), "%s: the case keys cannot be checked: %s", v->repo, err);
        verify_general_fault(v, line);
        return;
    }
    map_iter it;
    const char *id;
    void *val;
    map_iter_init(&it, v->docs);
    while (map_iter_next(&it, &id, &val)) {
        const vdoc *d = val;
        /* Unwrapped here, not only listed: a damaged file is named now, not
         * at the first reader's 503. */
        if ((d->n && is_erasure(v->workflows, d->versions[d->n - 1].action)) ||
            vault_key_ready(vt, id) == 0)
            continue;
        char path[4096], line[4600];
        const char *why = vault_unavailable(vt, id);
        vault_key_path(vt, id, path, sizeof(path));
        snprintf(line, sizeof(line), "%s: %s: %s%s; nobody can read it until the key file is "
                 "restored from the backup of DATA/keys", v->repo, id, why ? why : path,
                 why ? "" : " is missing");
        verify_general_fault(v, line);
    }
    vault_close(vt);
}

/* Judge main's commits after since (NULL: all), oldest first: the accepted
 * ones gathered first, the key in force at since found. */
static int walk_checked(vctx *v, const char *since)
{
    v->has_in_force = 0;
    int rc = map_new(&v->accepted);
    if (rc == 0)
        rc = store_walk_since(v->s, since, verify_collect_accepted, v);
    if (rc == 0 && since)
        rc = verify_seed_key(v, since);
    if (rc == 0 && since && v->has_in_force && v->nkeys) {
        /* The journal is not signed: a line appended for a commit made
         * behind kenes's back would pass it off as seen.  Its last line must
         * be a commit kenes signed (a rotation is signed by the key before
         * the one it puts in force, which allowed_signers still lists). */
        unsigned char pk[SIGN_PUBKEY_BYTES];
        char what[300];
        const char *why;
        if (verify_signed_by(v, pk, what, sizeof(what), &why, since) < 0)
            verify_fault(v, since, "the history journal names it as seen, but kenes did not sign it",
                  what);
    }
    if (rc == 0)
        rc = store_walk_since(v->s, since, verify_check_commit, v);
    v->waive = 0;
    map_free(v->accepted);
    v->accepted = NULL;
    return rc;
}

static const char *sealed_type_of(const plugin_set *plugins)
{
    /* Sealed files in cases.git are of the types that live there (cases,
     * commission meetings): verify_sealed_type tells each commit's. */
    const char *case_type = NULL;
    for (size_t i = 0; i < plugin_count(plugins); i++)
        for (const kenes_doctype *t = plugin_at(plugins, i)->types; t && t->name; t++)
            if (t->repository && strcmp(t->repository, "cases") == 0 && !case_type)
                case_type = t->name;
    return case_type;
}

/* 1 if the message's first line ends in " <noun> <document as the subject
 * writes it>" (message.c: the id after its first '/', '/' as ' '). */
static int subject_names(const char *message, const char *noun, const char *document)
{
    const char *rest = strchr(document, '/');
    rest = rest ? rest + 1 : document;
    size_t line = strcspn(message, "\n"), nl = strlen(noun), rl = strlen(rest);
    if (line < nl + rl + 2)
        return 0;
    const char *at = message + line - (nl + rl + 2);
    if (at[0] != ' ' || strncmp(at + 1, noun, nl) != 0 || at[1 + nl] != ' ')
        return 0;
    for (size_t i = 0; i < rl; i++)
        if (at[2 + nl + i] != (rest[i] == '/' ? ' ' : rest[i]))
            return 0;
    return 1;
}

const char *verify_sealed_type(const vctx *v, const char *message, const char *document)
{
    const char *only = NULL;
    size_t n = 0;
    for (size_t i = 0; v->plugins && i < plugin_count(v->plugins); i++)
        for (const kenes_doctype *t = plugin_at(v->plugins, i)->types; t && t->name; t++) {
            if (!t->repository || strcmp(t->repository, "cases") != 0)
                continue;
            if (t->noun && message && document && subject_names(message, t->noun, document))
                return t->name;
            only = t->name;
            n++;
        }
    return n == 1 ? only : NULL;
}

int verify_unseen(verify_finding *out, const config *cfg, const plugin_set *plugins,
                  const wf_set *workflows, store *s, const doc_index *ix, int repo,
                  const char *since)
{
    char path[4096];
    unsigned char (*keys)[SIGN_PUBKEY_BYTES] = NULL;
    memset(out, 0, sizeof(*out));
    vctx v = {0};
    v.finding = out;
    v.workflows = workflows;
    v.sealed_type = repo == REPO_CASES ? sealed_type_of(plugins) : NULL;
    v.plugins = plugins;
    v.seed = ix;
    v.seed_repo = repo;
    v.repo = datadir_repo_names[repo];
    v.s = s;
    util_path(path, sizeof(path), cfg->data_dir, datadir_repo_names[repo]);
    unsigned flags = GIT_REPOSITORY_OPEN_NO_SEARCH | GIT_REPOSITORY_OPEN_BARE;
    int rc = map_new(&v.docs);
    if (rc == 0)
        rc = store_error_of_git(git_repository_open_ext(&v.git, path, flags, NULL));
    if (rc == 0)
        rc = verify_load_keys(&v, &keys, cfg->data_dir);
    if (rc == 0 && !out->faults)
        rc = walk_checked(&v, since);
    out->has_key = v.has_in_force;
    memcpy(out->key, v.in_force, sizeof(out->key));
    free(keys);
    if (v.docs)
        verify_docs_free(v.docs);
    git_repository_free(v.git);
    return rc;
}

int verify_key_at_head(unsigned char key[32], int *has, const config *cfg, int repo)
{
    char path[4096];
    unsigned char (*keys)[SIGN_PUBKEY_BYTES] = NULL;
    verify_finding quiet;
    vctx v = {0};
    memset(&quiet, 0, sizeof(quiet));
    v.finding = &quiet;
    *has = 0;
    util_path(path, sizeof(path), cfg->data_dir, datadir_repo_names[repo]);
    unsigned flags = GIT_REPOSITORY_OPEN_NO_SEARCH | GIT_REPOSITORY_OPEN_BARE;
    git_oid head;
    int rc = store_error_of_git(git_repository_open_ext(&v.git, path, flags, NULL));
    if (rc == 0)
        rc = verify_load_keys(&v, &keys, cfg->data_dir);
    if (rc == 0 && git_reference_name_to_id(&head, v.git, "refs/heads/main") == 0) {
        char hex[STORE_OID_HEX];
        git_oid_tostr(hex, sizeof(hex), &head);
        rc = verify_seed_key(&v, hex);
    }
    *has = v.has_in_force;
    memcpy(key, v.in_force, SIGN_PUBKEY_BYTES);
    free(keys);
    git_repository_free(v.git);
    return rc;
}

/* kenes writes one ref, main.  Any other changes what git shows without a
 * commit: refs/replace/ swaps an object for another (git show, git log and a
 * mirror clone follow it, kenes does not), and other branches or tags are
 * history kenes never judged. */
static int other_ref(const char *name, void *payload)
{
    vctx *v = payload;
    if (strcmp(name, "refs/heads/main") != 0) {
        char line[600];
        snprintf(line, sizeof(line), "%s: %.300s: a ref kenes did not write (git follows "
                 "refs/replace/ instead of the objects kenes signed); remove it with git "
                 "update-ref -d", v->repo, name);
        verify_general_fault(v, line);
    }
    return 0;
}

static int verify_repo(vctx *v, uv_loop_t *loop, const config *cfg, const char *name,
                       const char *sealed_type, int repo)
{
    v->sealed_type = sealed_type;
    char path[4096];
    util_path(path, sizeof(path), cfg->data_dir, name);
    v->repo = name;
    v->git = NULL;
    v->docs = NULL;
    memset(&v->chain, 0, sizeof(v->chain));
    unsigned flags = GIT_REPOSITORY_OPEN_NO_SEARCH | GIT_REPOSITORY_OPEN_BARE;
    int rc = map_new(&v->docs);
    if (rc == 0)
        rc = store_error_of_git(git_repository_open_ext(&v->git, path, flags, NULL));
    if (rc == 0)
        rc = store_open(&v->s, loop, path, "kenes", "kenes@localhost");
    if (rc < 0) {
        fprintf(stderr, "kenes: verify: cannot open %s: %s\n", path, kenes_strerror(rc));
        git_repository_free(v->git);
        map_free(v->docs);
        return rc;
    }
    rc = walk_checked(v, NULL);
    if (rc < 0) {
        /* libgit2 names the object it could not read: say it, or all an
         * operator learns is "input/output error". */
        const git_error *e = git_error_last();
        fprintf(stderr, "kenes: verify: %s: cannot read the history: %s%s\n", name,
                e && e->message ? e->message : kenes_strerror(rc),
                e && e->message && strstr(e->message, "not found")
                    ? " (an object of the history is missing: a pack was removed or damaged; "
                      "restore objects/pack from the backup)"
                    : "");
    }
    if (rc == 0)
        rc = store_error_of_git(git_reference_foreach_name(v->git, other_ref, v));
    /* The history journal the server answers from must say what git says. */
    char journal[4096];
    datadir_journal_path(journal, sizeof(journal), cfg->data_dir, repo);
    if (rc == 0 && access(journal, F_OK) == 0 &&
        journal_check(v->s, journal, journal_fault, journal_note, v) < 0)
        journal_fault("cannot compare the history journal with git", NULL, v);
    if (rc == 0 && sealed_type)
        check_case_keys(v, cfg);
    verify_docs_free(v->docs);
    store_close(v->s);
    git_repository_free(v->git);
    return rc;
}

int verify_run(const config *cfg)
{
    return verify_run_pinned(cfg, NULL);
}

int verify_run_pinned(const config *cfg, const anchor_pins *pins)
{
    char err[1024], path[4096];
    plugin_set *plugins;
    wf_set *workflows;
    snprintf(path, sizeof(path), "%s/regions.yaml", cfg->content_dir);
    int rc = region_load(path, err, sizeof(err));
    if (rc == 0)
        rc = datadir_load_rules(&plugins, &workflows, cfg, err, sizeof(err));
    if (rc < 0) {
        fprintf(stderr, "kenes: verify: %s\n", err);
        region_unload();
        return rc;
    }
    uv_loop_t loop;
    uv_loop_init(&loop);
    git_libgit2_init();
    vctx v = {0};
    v.workflows = workflows;
    unsigned char (*keys)[SIGN_PUBKEY_BYTES] = NULL;
    rc = anchor_check_new(&v.anchors);
    if (rc == 0)
        rc = verify_load_keys(&v, &keys, cfg->data_dir);
    /* Sealed files in cases.git: of the types that live there. */
    const char *case_type = sealed_type_of(plugins);
    v.plugins = plugins;
    vchain *docs_chain = malloc(sizeof(vchain));
    if (rc == 0 && !docs_chain)
        rc = KENES_ENOMEM;
    if (rc == 0)
        rc = verify_repo(&v, &loop, cfg, "documents.git", NULL, REPO_DOCUMENTS);
    if (rc == 0)
        *docs_chain = v.chain;
    util_path(path, sizeof(path), cfg->data_dir, "cases.git");
    if (rc == 0 && access(path, F_OK) == 0) {
        rc = verify_repo(&v, &loop, cfg, "cases.git", case_type, REPO_CASES);
        /* A repository that had no commit yet must not start a key chain of
         * its own with any key allowed_signers happens to list. */
        if (rc == 0 && docs_chain->n && v.chain.n) {
            const vchain *pair[2][2] = {{docs_chain, &v.chain}, {&v.chain, docs_chain}};
            const char *names[2] = {"documents.git", "cases.git"};
            for (int i = 0; i < 2; i++)
                if (!verify_chain_has(pair[i][1], pair[i][0]->keys[0])) {
                    v.repo = names[i];
                    verify_fault(&v, pair[i][0]->first_commit,
                          "its first signature is by a key the other repository never had in "
                          "force (both are signed by one server)",
                          NULL);
                }
        }
    }
    free(docs_chain);
    /* The access log: its hash chain (a removed or altered line breaks it),
     * and the positions the commits, the checkpoint and the auditor vouch
     * for (a cut tail or a recomputed chain misses them). */
    size_t lines = 0;
    if (rc == 0)
        v.faults += anchor_check_run(v.anchors, &lines, cfg->data_dir,
                                     (const unsigned char (*)[SIGN_PUBKEY_BYTES])keys, v.nkeys,
                                     pins);
    anchor_check_free(v.anchors);
    free(keys);
    git_libgit2_shutdown();
    uv_loop_close(&loop);
    wf_set_free(workflows);
    plugin_set_free(plugins);
    region_unload();
    if (rc < 0) {
        fprintf(stderr, "kenes: verify: cannot read the history: %s\n", kenes_strerror(rc));
        return rc;
    }
    if (v.waived)
        printf("%zu fault%s in commits an administrator accepted (kenes accept), not counted\n",
               v.waived, v.waived == 1 ? "" : "s");
    if (v.notes)
        printf("%zu note%s: what the next start of the server recovers by itself, not counted\n",
               v.notes, v.notes == 1 ? "" : "s");
    printf("%s: %zu commits checked, %zu access log lines checked, %zu fault%s\n",
           v.faults ? "FAULTY" : "ok", v.commits, lines, v.faults, v.faults == 1 ? "" : "s");
    return v.faults ? 1 : 0;
}

int verify_reindex(const config *cfg)
{
    uv_loop_t loop;
    char rules_err[1024], regions[4096];
    plugin_set *plugins = NULL;
    wf_set *workflows = NULL;
    /* A journal written from git counts every commit in it as seen, so the
     * commits are judged first, as serve judges those it has not seen. */
    snprintf(regions, sizeof(regions), "%s/regions.yaml", cfg->content_dir);
    int rc = region_load(regions, rules_err, sizeof(rules_err));
    if (rc == 0)
        rc = datadir_load_rules(&plugins, &workflows, cfg, rules_err,
                                               sizeof(rules_err));
    if (rc < 0) {
        fprintf(stderr, "kenes: reindex: %s\n", rules_err);
        region_unload();
        return rc;
    }
    uv_loop_init(&loop);
    char heads[CKPT_REPOS][CKPT_OID_HEX] = {"", ""};
    for (int r = 0; r < 2 && rc == 0; r++) {
        char path[4096], journal[4096], err[1024];
        store *s;
        size_t commits = 0;
        util_path(path, sizeof(path), cfg->data_dir, datadir_repo_names[r]);
        if (access(path, F_OK) != 0)
            continue;
        util_path(journal, sizeof(journal), cfg->data_dir, "index");
        util_mkdirs(journal, 0700);
        datadir_journal_path(journal, sizeof(journal), cfg->data_dir, r);
        if ((rc = store_open(&s, &loop, path, "kenes", "kenes@localhost")) < 0) {
            fprintf(stderr, "kenes: reindex: cannot open %s: %s\n", path, kenes_strerror(rc));
            break;
        }
        verify_finding f;
        rc = verify_unseen(&f, cfg, plugins, workflows, s, NULL, r, NULL);
        if (rc < 0) {
            snprintf(err, sizeof(err), "%s: cannot read the history: %s", datadir_repo_names[r],
                     kenes_strerror(rc));
        } else if (f.faults) {
            snprintf(err, sizeof(err), "%s: commit %s is not one kenes made or accepted (%s); "
                     "the journal is left as it was: accept it with kenes accept --data %.200s "
                     "%s, or reset main to the last good commit (kenes verify names every fault)",
                     datadir_repo_names[r], f.commit[0] ? f.commit : "(none)", f.what,
                     cfg->data_dir, f.commit);
            rc = KENES_EFORBIDDEN;
        }
        if (rc == 0)
            rc = journal_rebuild(s, journal, &commits, err, sizeof(err));
        if (rc == 0 && store_head(s, heads[r]) < 0) {
            snprintf(err, sizeof(err), "%s: cannot read main's head", datadir_repo_names[r]);
            rc = KENES_EIO;
        }
        store_close(s);
        /* The snapshot is derived from what the journal said: made again
         * by the next start. */
        if (rc == 0 && (rc = docs_snaps_remove(cfg->data_dir, r)) < 0)
            snprintf(err, sizeof(err), "%s: cannot remove the index snapshot: %s",
                     datadir_repo_names[r], kenes_strerror(rc));
        if (rc < 0)
            fprintf(stderr, "kenes: reindex: %s\n", err);
        else
            printf("%s: %zu commits indexed into %s\n", datadir_repo_names[r], commits, journal);
    }
    /* Accepting the history as it is includes the heads the checkpoint vouches for. */
    char err[1024];
    if (rc == 0 && (rc = anchor_accept_heads(cfg->data_dir, heads, err, sizeof(err))) < 0)
        fprintf(stderr, "kenes: reindex: %s\n", err);
    uv_loop_close(&loop);
    wf_set_free(workflows);
    plugin_set_free(plugins);
    region_unload();
    return rc;
}
