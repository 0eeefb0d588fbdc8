#include "verify.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <git2.h>

#include "anchor.h"
#include "doc.h"
#include "journal.h"
#include "map.h"
#include "message.h"
#include "note.h"
#include "plugin.h"
#include "quorum.h"
#include "region.h"
#include "server.h"
#include "sign.h"
#include "store.h"
#include "util.h"
#include "vault.h"
#include "workflow.h"

/* What verify knows of one document so far. */
typedef struct vdoc {
    char *stage;
    idx_version *versions; /* its commits so far, oldest first, as the index holds them */
    size_t n, cap;
} vdoc;

typedef struct vctx {
    store *s;
    git_repository *git; /* the same repository: signatures, parents' trees */
    const wf_set *workflows;
    const char *sealed_type; /* the type of the sealed files in this repository, if one */
    map *docs;               /* document id -> vdoc */
    const unsigned char (*keys)[SIGN_PUBKEY_BYTES]; /* who may sign commits */
    size_t nkeys;
    const char *key_source; /* "allowed_signers" or "keys/signing.pub" */
    size_t commits;
    size_t faults;
    const char *repo;
    anchor_check *anchors; /* the access log's positions the commits carry */
} vctx;

static void fault(vctx *v, const char *commit, const char *what, const char *detail)
{
    v->faults++;
    printf("%s: commit %s: %s%s%s\n", v->repo, commit, what, detail ? ": " : "",
           detail ? detail : "");
}

static void vdoc_free(vdoc *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++) {
        idx_version *x = &d->versions[i];
        free(x->author);
        free(x->role);
        free(x->action);
        free(x->from);
        free(x->to);
        free(x->approval);
    }
    free(d->versions);
    free(d->stage);
    free(d);
}

/* Append the commit to the document's versions, taking m's strings. */
static int vdoc_record(vdoc *d, const store_commit_info *c, msg_parsed *m)
{
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 8;
        idx_version *grown = realloc(d->versions, cap * sizeof(*grown));
        if (!grown)
            return KENES_ENOMEM;
        d->versions = grown;
        d->cap = cap;
    }
    idx_version *x = &d->versions[d->n];
    memset(x, 0, sizeof(*x));
    snprintf(x->commit, sizeof(x->commit), "%s", c->commit);
    x->time_ms = c->time_ms;
    if (!(x->author = strdup(c->author_name ? c->author_name : "")))
        return KENES_ENOMEM;
    x->role = m->role;
    x->action = m->action;
    x->from = m->from;
    x->to = m->to;
    x->approval = m->approval;
    m->role = m->action = m->from = m->to = m->approval = NULL;
    d->n++;
    return 0;
}

/* ---- signatures ---- */

static int key_listed(const vctx *v, const unsigned char *pk)
{
    for (size_t i = 0; i < v->nkeys; i++)
        if (memcmp(v->keys[i], pk, SIGN_PUBKEY_BYTES) == 0)
            return 1;
    return 0;
}

/* Every commit carries the server's SSH signature of itself, as git
 * verify-commit checks it. */
static void check_signature(vctx *v, const char *commit)
{
    if (!v->nkeys)
        return; /* said once, by load_keys */
    git_oid oid;
    git_buf sig = {0}, data = {0};
    int rc = git_oid_fromstr(&oid, commit);
    if (rc == 0)
        rc = git_commit_extract_signature(&sig, &data, v->git, &oid, "gpgsig");
    unsigned char pk[SIGN_PUBKEY_BYTES];
    char why[160];
    if (rc == GIT_ENOTFOUND) {
        fault(v, commit, "unsigned: it carries no gpgsig signature", NULL);
    } else if (rc < 0) {
        const git_error *e = git_error_last();
        fault(v, commit, "its signature cannot be read", e ? e->message : NULL);
    } else if (sign_signature_key(pk, sig.ptr, sig.size) < 0) {
        fault(v, commit, "its gpgsig is not an SSH signature by an Ed25519 key", NULL);
    } else if (!key_listed(v, pk)) {
        snprintf(why, sizeof(why), "signed by a key that %s does not list", v->key_source);
        fault(v, commit, why, NULL);
    } else if (sign_verify(sig.ptr, sig.size, data.ptr, data.size, pk) < 0) {
        fault(v, commit, "its signature does not verify",
              "not a signature of this commit for namespace \"git\"");
    }
    git_buf_dispose(&sig);
    git_buf_dispose(&data);
}

/* The keys that may sign commits: those DATA/allowed_signers lists (what a
 * copy of the repositories comes with, and what git verify-commit reads),
 * or else the one in DATA/keys/signing.pub.  *keys malloc'd; none is a
 * fault, said here. */
static int load_keys(vctx *v, unsigned char (**keys)[SIGN_PUBKEY_BYTES], const char *data_dir)
{
    static const char *const sources[] = {"allowed_signers", "keys/" SIGN_PUB_FILE};
    char path[4096], *text = NULL;
    size_t len = 0, n = 0;
    int rc = -ENOENT;
    *keys = NULL;
    for (size_t i = 0; i < UTIL_ARRAY_LEN(sources) && rc == -ENOENT; i++) {
        server_path(path, sizeof(path), data_dir, sources[i]);
        rc = util_read_file(&text, &len, path);
        v->key_source = sources[i];
    }
    if (rc < 0) {
        v->faults++;
        if (rc == -ENOENT)
            printf("allowed_signers: missing, and so is keys/%s: no commit's signature can be "
                   "checked\n", SIGN_PUB_FILE);
        else
            printf("%s: cannot be read: no commit's signature can be checked\n", v->key_source);
        return 0;
    }
    unsigned char (*list)[SIGN_PUBKEY_BYTES] = NULL;
    size_t lineno = 0;
    for (char *p = text; p < text + len; lineno++) {
        char *nl = memchr(p, '\n', (size_t)(text + len - p));
        size_t n_line = nl ? (size_t)(nl - p) : (size_t)(text + len - p);
        unsigned char pk[SIGN_PUBKEY_BYTES];
        int r = sign_parse_key_line(pk, p, n_line);
        if (r == KENES_EINVAL)
            fprintf(stderr, "kenes: verify: %s:%zu: not a key line kenes reads (or options it "
                            "does not honour: cert-authority, valid-after, valid-before); "
                            "its key is not trusted\n", v->key_source, lineno + 1);
        if (r == 0) {
            void *grown = realloc(list, (n + 1) * sizeof(*list));
            if (!grown) {
                free(list);
                free(text);
                return KENES_ENOMEM;
            }
            list = grown;
            memcpy(list[n++], pk, SIGN_PUBKEY_BYTES);
        }
        p += n_line + 1;
    }
    free(text);
    if (n == 0) {
        v->faults++;
        printf("%s: lists no ssh-ed25519 key for namespace \"git\": no commit's signature can "
               "be checked\n", v->key_source);
    }
    *keys = list;
    v->keys = (const unsigned char (*)[SIGN_PUBKEY_BYTES])list;
    v->nkeys = n;
    return 0;
}

/* ---- four eyes, from history ---- */

/* The blob id of path in the commit's parent: the text as it stood before
 * the commit.  KENES_ENOTFOUND when there was none. */
static int parent_blob(vctx *v, char out[STORE_OID_HEX], const char *commit, const char *path)
{
    git_oid oid;
    git_commit *c = NULL, *parent = NULL;
    git_tree *tree = NULL;
    git_tree_entry *e = NULL;
    int rc = KENES_EIO;
    if (git_oid_fromstr(&oid, commit) == 0 && git_commit_lookup(&c, v->git, &oid) == 0) {
        if (git_commit_parentcount(c) == 0) {
            rc = KENES_ENOTFOUND;
        } else if (git_commit_parent(&parent, c, 0) == 0 && git_commit_tree(&tree, parent) == 0) {
            int r = git_tree_entry_bypath(&e, tree, path);
            if (r == GIT_ENOTFOUND) {
                rc = KENES_ENOTFOUND;
            } else if (r == 0) {
                git_oid_tostr(out, STORE_OID_HEX, git_tree_entry_id(e));
                rc = 0;
            }
        }
    }
    git_tree_entry_free(e);
    git_tree_free(tree);
    git_commit_free(parent);
    git_commit_free(c);
    return rc;
}

/* An approval under four eyes, judged by the rule the server applied
 * (quorum.c) over the document's earlier commits, and the text it names. */
static void check_four_eyes(vctx *v, const store_commit_info *c, const msg_parsed *m,
                            const wf_workflow *wf, const wf_transition *tr, const vdoc *d,
                            const char *path, int sealed, int counted)
{
    idx_version me = {0};
    me.author = (char *)(c->author_name ? c->author_name : "");
    me.action = m->action;
    me.from = m->from;
    me.to = m->to;
    me.approval = m->approval;
    me.role = m->role;
    unsigned bad = 0;
    const idx_version *before = d ? d->versions : NULL;
    size_t n = d ? d->n : 0;
    char detail[256];
    if (quorum_check(&bad, wf, tr, before, n, &me) < 0)
        return;
    if ((bad & QUORUM_BAD_COUNT) && counted) {
        quorum_round q;
        quorum_state(&q, wf, tr, before, n, me.author);
        snprintf(detail, sizeof(detail), "Kenes-Approval %s, where the round had %u before it",
                 m->approval, q.given);
        fault(v, c->commit, "the approval count is not the next one", detail);
    }
    if (bad & QUORUM_AGAIN)
        fault(v, c->commit, "approved twice in one round by the same person", me.author);
    if (bad & QUORUM_BY_AUTHOR)
        fault(v, c->commit, "approved by an author of the text it approves", me.author);
    if (bad & QUORUM_BY_ADMIN)
        fault(v, c->commit, "an admin's approval, which counts toward no four-eyes quorum",
              me.author);

    /* Kenes-Content names the text approved: the file as it stood before
     * this commit.  A sealed file's names its opened text, which a copy of
     * the repository cannot open. */
    char blob[STORE_OID_HEX];
    int rc;
    if (!m->content)
        fault(v, c->commit, "an approval without Kenes-Content", NULL);
    else if (sealed)
        ;
    else if ((rc = parent_blob(v, blob, c->commit, path)) == KENES_ENOTFOUND)
        fault(v, c->commit, "an approval of a text that was not there before it", m->content);
    else if (rc < 0)
        fault(v, c->commit, "cannot read the text before it", path);
    else if (strcmp(blob, m->content) != 0) {
        snprintf(detail, sizeof(detail), "Kenes-Content %s, the document before it %s",
                 m->content, blob);
        fault(v, c->commit, "the approval names another text than the one it approves", detail);
    }
}

/* ---- one commit ---- */

/* A sealed note (a case's comment) is the blob its Kenes-Note names, at
 * <id>.note in the same commit; only the repository of sealed cases has
 * them (an erasure's tombstone is in the clear, its reason sealed).  What it
 * says opens only with the case's key, which a copy does not have. */
static void check_note(vctx *v, const store_commit_info *c, const msg_parsed *m)
{
    char *b64 = NULL;
    int rc = note_read(&b64, v->s, c->commit, m->document, m->note);
    free(b64);
    if (!v->sealed_type)
        fault(v, c->commit, "a sealed note outside the repository of cases", m->note);
    else if (rc == KENES_ENOTFOUND)
        fault(v, c->commit, "Kenes-Note names a sealed note the commit does not have", m->note);
    else if (rc < 0)
        fault(v, c->commit, "the sealed note is not the blob Kenes-Note names", m->note);
}

static int check_commit(const store_commit_info *c, void *payload)
{
    vctx *v = payload;
    msg_parsed m;
    v->commits++;
    check_signature(v, c->commit);
    int parsed = msg_parse(&m, c->message);
    if (parsed < 0) {
        fault(v, c->commit, "no Kenes-Document/Kenes-Action/Kenes-Stage trailers", NULL);
        return 0;
    }
    if (anchor_check_note(v->anchors, v->repo, c->commit, m.access_log) < 0)
        fault(v, c->commit, "a malformed " CKPT_TRAILER " trailer", m.access_log);
    if (parsed == MSG_PUBLISH) {
        /* A publication of the reports changes no document: its signature
         * is what is checked here. */
        msg_parsed_dispose(&m);
        return 0;
    }
    char path[300], err[256];
    char *text = NULL;
    size_t len;
    json_t *doc = NULL;
    int sealed = 0;
    snprintf(path, sizeof(path), "%s.md", m.document);
    if (store_read_at(v->s, &text, &len, c->commit, path) < 0) {
        fault(v, c->commit, "the document it names is not in its tree", m.document);
        goto out;
    }
    const char *type;
    if ((sealed = vault_is_sealed(text, len))) {
        /* A sealed case file opens only with its key, which a copy of the
         * repository does not have: its commit is judged by its trailers. */
        type = v->sealed_type;
    } else {
        if (doc_parse(&doc, text, len, err, sizeof(err)) < 0) {
            fault(v, c->commit, "the document does not parse", err);
            goto out;
        }
        const char *id = json_string_value(json_object_get(doc, "id"));
        const char *stage = json_string_value(json_object_get(doc, "stage"));
        type = json_string_value(json_object_get(doc, "type"));
        if (!id || strcmp(id, m.document) != 0)
            fault(v, c->commit, "the document's id differs from Kenes-Document", m.document);
        if (!stage || strcmp(stage, m.to) != 0)
            fault(v, c->commit, "the document's stage differs from Kenes-Stage", m.to);
    }
    if (m.note)
        check_note(v, c, &m);
    const wf_workflow *wf = type ? wf_set_find(v->workflows, type) : NULL;
    vdoc *d = map_get(v->docs, m.document);
    const char *prev = d ? d->stage : NULL;
    if (wf && prev && strcmp(m.action, "erase") == 0) {
        if (strcmp(m.to, "erased") != 0 || !m.from || strcmp(m.from, prev) != 0 ||
            role_parse(m.role) != ROLE_ADMIN)
            fault(v, c->commit, "an erasure must be an admin's, from the case's stage to erased",
                  prev);
    } else if (prev && strcmp(prev, "erased") == 0) {
        fault(v, c->commit, "changes a case after its erasure", m.document);
    } else if (!wf) {
        fault(v, c->commit, "no workflow for the document's type", type ? type : "(none)");
    } else if (strcmp(m.action, "create") == 0) {
        if (prev)
            fault(v, c->commit, "created twice", m.document);
        else if (strcmp(m.to, wf->initial) != 0)
            fault(v, c->commit, "created in a stage other than the workflow's initial", m.to);
    } else if (!prev) {
        fault(v, c->commit, "changes a document that was never created", m.document);
    } else if (strcmp(m.action, "edit") == 0) {
        const wf_stage *st = wf_find_stage(wf, prev);
        if (!st || !st->editable || strcmp(prev, m.to) != 0)
            fault(v, c->commit, "an edit outside an editable stage", prev);
    } else {
        const wf_transition *tr = wf_find_transition(wf, m.action, prev);
        enum role r = role_parse(m.role);
        unsigned k = 0, n = 0;
        int counted = tr && m.approval && sscanf(m.approval, "%u/%u", &k, &n) == 2 && k >= 1 &&
                      n == tr->approvals && k <= n;
        int four_eyes = tr && (tr->approvals > 1 || tr->not_by_authors);
        /* An approval short of the quorum leaves the stage where it was. */
        const char *expect_to = counted && k < n ? prev : tr ? tr->to : NULL;
        if (!m.from || strcmp(m.from, prev) != 0) {
            fault(v, c->commit, "Kenes-Stage does not start from the document's stage", prev);
        } else if (!tr || strcmp(expect_to, m.to) != 0) {
            fault(v, c->commit, "a transition the workflow does not allow", m.action);
        } else {
            if (four_eyes && !counted)
                fault(v, c->commit, "an approval without a valid Kenes-Approval count", m.action);
            if (r != ROLE_ADMIN && !(tr->roles & (unsigned)r))
                fault(v, c->commit, "a role the transition does not allow", m.role ? m.role : "");
            if (four_eyes)
                check_four_eyes(v, c, &m, wf, tr, d, path, sealed, counted);
        }
    }
    if (!d) {
        if (!(d = calloc(1, sizeof(*d))) || map_set(v->docs, m.document, d) < 0) {
            free(d);
            goto oom;
        }
    }
    if (!prev || strcmp(prev, m.to) != 0) {
        char *stage = strdup(m.to);
        if (!stage)
            goto oom;
        free(d->stage);
        d->stage = stage;
    }
    if (vdoc_record(d, c, &m) < 0)
        goto oom;
out:
    json_decref(doc);
    free(text);
    msg_parsed_dispose(&m);
    return 0;
oom:
    json_decref(doc);
    free(text);
    msg_parsed_dispose(&m);
    return KENES_ENOMEM;
}

static void journal_fault(const char *what, const char *commit, void *payload)
{
    vctx *v = payload;
    v->faults++;
    printf("%s: %s %s\n", v->repo, what, commit ? commit : "(unknown)");
}

static int verify_repo(vctx *v, uv_loop_t *loop, const config *cfg, const char *name,
                       const char *sealed_type, int repo)
{
    v->sealed_type = sealed_type;
    char path[4096];
    server_path(path, sizeof(path), cfg->data_dir, name);
    v->repo = name;
    v->git = NULL;
    v->docs = NULL;
    unsigned flags = GIT_REPOSITORY_OPEN_NO_SEARCH | GIT_REPOSITORY_OPEN_BARE;
    if (map_new(&v->docs) < 0 || git_repository_open_ext(&v->git, path, flags, NULL) < 0 ||
        store_open(&v->s, loop, path, "kenes", "kenes@localhost") < 0) {
        fprintf(stderr, "kenes: verify: cannot open %s\n", path);
        git_repository_free(v->git);
        map_free(v->docs);
        return -1;
    }
    int rc = store_walk(v->s, check_commit, v);
    /* The history journal the server answers from must say what git says. */
    char journal[4096];
    server_journal_path(journal, sizeof(journal), cfg->data_dir, repo);
    if (rc == 0 && access(journal, F_OK) == 0 && journal_check(v->s, journal, journal_fault, v) < 0)
        journal_fault("cannot compare the history journal with git", NULL, v);
    map_iter it;
    const char *k;
    void *val;
    map_iter_init(&it, v->docs);
    while (map_iter_next(&it, &k, &val))
        vdoc_free(val);
    map_free(v->docs);
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
    if (region_load(path, err, sizeof(err)) < 0 ||
        server_load_plugins_and_workflows(&plugins, &workflows, cfg, err, sizeof(err)) < 0) {
        fprintf(stderr, "kenes: verify: %s\n", err);
        region_unload();
        return -1;
    }
    uv_loop_t loop;
    uv_loop_init(&loop);
    git_libgit2_init();
    vctx v = {0};
    v.workflows = workflows;
    unsigned char (*keys)[SIGN_PUBKEY_BYTES] = NULL;
    int rc = anchor_check_new(&v.anchors);
    if (rc == 0)
        rc = load_keys(&v, &keys, cfg->data_dir);
    /* Sealed files in cases.git are of the one type that lives there. */
    const char *case_type = NULL;
    for (size_t i = 0; i < plugin_count(plugins); i++)
        for (const kenes_doctype *t = plugin_at(plugins, i)->types; t && t->name; t++)
            if (t->repository && strcmp(t->repository, "cases") == 0)
                case_type = t->name;
    if (rc == 0)
        rc = verify_repo(&v, &loop, cfg, "documents.git", NULL, REPO_DOCUMENTS);
    server_path(path, sizeof(path), cfg->data_dir, "cases.git");
    if (rc == 0 && access(path, F_OK) == 0)
        rc = verify_repo(&v, &loop, cfg, "cases.git", case_type, REPO_CASES);
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
        fprintf(stderr, "kenes: verify: cannot read the history\n");
        return -1;
    }
    printf("%s: %zu commits checked, %zu access log lines checked, %zu fault%s\n",
           v.faults ? "FAULTY" : "ok", v.commits, lines, v.faults, v.faults == 1 ? "" : "s");
    return v.faults ? 1 : 0;
}

int verify_reindex(const config *cfg)
{
    uv_loop_t loop;
    uv_loop_init(&loop);
    int rc = 0;
    for (int r = 0; r < 2 && rc == 0; r++) {
        char path[4096], journal[4096], err[1024];
        store *s;
        size_t commits = 0;
        server_path(path, sizeof(path), cfg->data_dir, server_repo_names[r]);
        if (access(path, F_OK) != 0)
            continue;
        server_path(journal, sizeof(journal), cfg->data_dir, "index");
        util_mkdirs(journal, 0700);
        server_journal_path(journal, sizeof(journal), cfg->data_dir, r);
        if (store_open(&s, &loop, path, "kenes", "kenes@localhost") < 0) {
            fprintf(stderr, "kenes: reindex: cannot open %s\n", path);
            rc = -1;
            break;
        }
        rc = journal_rebuild(s, journal, &commits, err, sizeof(err));
        store_close(s);
        if (rc < 0)
            fprintf(stderr, "kenes: reindex: %s\n", err);
        else
            printf("%s: %zu commits indexed into %s\n", server_repo_names[r], commits, journal);
    }
    /* Accepting the history as it is includes the heads the checkpoint vouches for. */
    char err[1024];
    if (rc == 0 && (rc = anchor_accept_heads(cfg->data_dir, err, sizeof(err))) < 0)
        fprintf(stderr, "kenes: reindex: %s\n", err);
    uv_loop_close(&loop);
    return rc;
}
