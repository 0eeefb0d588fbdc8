#include "cmd/verify.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <git2.h>

#include "audit/anchor.h"
#include "storage/docfile.h"
#include "storage/journal.h"
#include "base/map.h"
#include "storage/message.h"
#include "storage/note.h"
#include "plugin/loader.h"
#include "docs/quorum.h"
#include "plugin/region.h"
#include "cmd/server.h"
#include "storage/sign.h"
#include "storage/store.h"
#include "base/util.h"
#include "storage/vault.h"
#include "docs/workflow.h"

/* The keys a repository's history put in force, in order: the first good
 * signature's, then each rotation's.  Both repositories are signed by one
 * server, so each one's first key must be one the other had in force. */
#define VERIFY_CHAIN_MAX 64
typedef struct vchain {
    unsigned char keys[VERIFY_CHAIN_MAX][SIGN_PUBKEY_BYTES];
    size_t n;
    char first_commit[STORE_OID_HEX]; /* signed by keys[0] */
} vchain;

static int chain_has(const vchain *c, const unsigned char pk[SIGN_PUBKEY_BYTES])
{
    for (size_t i = 0; i < c->n; i++)
        if (memcmp(c->keys[i], pk, SIGN_PUBKEY_BYTES) == 0)
            return 1;
    return 0;
}

static void chain_add(vchain *c, const unsigned char pk[SIGN_PUBKEY_BYTES], const char *commit)
{
    if (c->n == 0 && commit)
        snprintf(c->first_commit, sizeof(c->first_commit), "%s", commit);
    if (c->n < VERIFY_CHAIN_MAX && !chain_has(c, pk))
        memcpy(c->keys[c->n++], pk, SIGN_PUBKEY_BYTES);
}

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
    /* The documents' versions before the first commit walked (serve's
     * start-up: the journal's), copied into docs as commits name them. */
    const doc_index *seed;
    int seed_repo;
    int oom;
    /* Commits an administrator accepted (kenes accept): their faults are
     * waived, counted apart. */
    map *accepted;
    int waive;
    size_t waived;
    /* The key in force: the first good signature's, then each rotation's. */
    unsigned char in_force[SIGN_PUBKEY_BYTES];
    int has_in_force;
    verify_finding *finding; /* set: record the first fault there, print nothing */
    vchain chain;            /* of the repository being walked */
    char last_faulty[STORE_OID_HEX];
} vctx;

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

static void fault(vctx *v, const char *commit, const char *what, const char *detail)
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
static void general_fault(vctx *v, const char *line)
{
    v->faults++;
    if (v->finding)
        finding_set(v, NULL, line);
    else
        printf("%s\n", line);
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

/* The document's versions so far: those walked, else the seed's. */
static vdoc *vdoc_find(vctx *v, const char *id)
{
    vdoc *d = map_get(v->docs, id);
    const idx_doc *x = d || !v->seed ? NULL : index_get(v->seed, id);
    if (!x || x->repo != v->seed_repo || !x->nversions)
        return d;
    if (!(d = calloc(1, sizeof(*d))) || !(d->versions = calloc(x->nversions, sizeof(idx_version))))
        goto oom;
    d->cap = x->nversions;
    for (size_t i = 0; i < x->nversions; i++, d->n++) {
        const idx_version *a = &x->versions[i];
        idx_version *b = &d->versions[i];
        memcpy(b->commit, a->commit, sizeof(b->commit));
        b->time_ms = a->time_ms;
        if (!(b->author = strdup(a->author ? a->author : "")) ||
            (a->role && !(b->role = strdup(a->role))) ||
            (a->action && !(b->action = strdup(a->action))) ||
            (a->from && !(b->from = strdup(a->from))) || (a->to && !(b->to = strdup(a->to))) ||
            (a->approval && !(b->approval = strdup(a->approval)))) {
            d->n++;
            goto oom;
        }
    }
    if (!(d->stage = strdup(x->versions[x->nversions - 1].to)) || map_set(v->docs, id, d) < 0)
        goto oom;
    return d;
oom:
    vdoc_free(d);
    v->oom = 1;
    return NULL;
}

/* ---- signatures ---- */

static int key_listed(const vctx *v, const unsigned char *pk)
{
    for (size_t i = 0; i < v->nkeys; i++)
        if (memcmp(v->keys[i], pk, SIGN_PUBKEY_BYTES) == 0)
            return 1;
    return 0;
}

/* The listed key whose good SSH signature of itself the commit carries, as
 * git verify-commit checks it: 0 with pk set, or -1 with the fault's words
 * in what and detail. */
static int signed_by(vctx *v, unsigned char pk[SIGN_PUBKEY_BYTES], char *what, size_t cap,
                     const char **detail, const char *commit)
{
    git_oid oid;
    git_buf sig = {0}, data = {0};
    int rc = git_oid_fromstr(&oid, commit);
    if (rc == 0)
        rc = git_commit_extract_signature(&sig, &data, v->git, &oid, "gpgsig");
    *detail = NULL;
    if (rc == GIT_ENOTFOUND) {
        snprintf(what, cap, "unsigned: it carries no gpgsig signature");
    } else if (rc < 0) {
        const git_error *e = git_error_last();
        snprintf(what, cap, "its signature cannot be read%s%s", e ? ": " : "", e ? e->message : "");
    } else if (sign_signature_key(pk, sig.ptr, sig.size) < 0) {
        snprintf(what, cap, "its gpgsig is not an SSH signature by an Ed25519 key");
    } else if (!key_listed(v, pk)) {
        snprintf(what, cap, "signed by a key that %s does not list", v->key_source);
    } else if (sign_verify(sig.ptr, sig.size, data.ptr, data.size, pk) < 0) {
        snprintf(what, cap, "its signature does not verify");
        *detail = "not a signature of this commit for namespace \"git\"";
    } else {
        what[0] = '\0';
    }
    git_buf_dispose(&sig);
    git_buf_dispose(&data);
    return what[0] ? -1 : 0;
}

/* Every commit carries the server's SSH signature of itself, by the key in
 * force: listed in allowed_signers is not enough, for anyone who can write
 * that file could list a key; a new key comes in only by a rotation that the
 * key before it signed (kenes key rotate).  1 if so. */
static int check_signature(vctx *v, const char *commit)
{
    if (!v->nkeys)
        return 0; /* said once, by load_keys */
    unsigned char pk[SIGN_PUBKEY_BYTES];
    char what[300], detail[2 * SIGN_FINGERPRINT_MAX + 40];
    const char *why;
    if (signed_by(v, pk, what, sizeof(what), &why, commit) < 0) {
        fault(v, commit, what, why);
        return 0;
    }
    if (v->has_in_force && memcmp(pk, v->in_force, SIGN_PUBKEY_BYTES) != 0) {
        char by[SIGN_FINGERPRINT_MAX], in_force[SIGN_FINGERPRINT_MAX];
        sign_key_fingerprint(by, sizeof(by), pk);
        sign_key_fingerprint(in_force, sizeof(in_force), v->in_force);
        snprintf(detail, sizeof(detail), "%s, where the key in force is %s", by, in_force);
        fault(v, commit, "signed by a key that no key rotation introduced", detail);
        return 0;
    }
    if (!v->has_in_force) {
        memcpy(v->in_force, pk, SIGN_PUBKEY_BYTES);
        v->has_in_force = 1;
        chain_add(&v->chain, pk, commit);
    }
    return 1;
}

/* The new key a rotation names (Kenes-Key: ssh-ed25519 AAAA... kenes). */
static int rotation_key(unsigned char pk[SIGN_PUBKEY_BYTES], const char *message)
{
    char **keys;
    size_t n;
    if (msg_trailer_values(&keys, &n, message, "Kenes-Key") < 0)
        return KENES_EINVAL;
    int rc = n == 1 ? sign_parse_key_line(pk, keys[0], strlen(keys[0])) : KENES_EINVAL;
    msg_values_free(keys);
    return rc == 0 ? 0 : KENES_EINVAL;
}

/* An administrator's decision (accept, rotate-key): an admin's, changing no
 * file, accepting only commits before it; a rotation signed by the key in
 * force puts the key it names in force. */
static void check_admin(vctx *v, const store_commit_info *c, const msg_parsed *m, int good_sig)
{
    git_oid oid, id;
    git_commit *commit = NULL, *parent = NULL;
    if (!m->role || role_parse(m->role) != ROLE_ADMIN)
        fault(v, c->commit, "an administrator's decision not made as admin", m->action);
    if (git_oid_fromstr(&oid, c->commit) < 0 || git_commit_lookup(&commit, v->git, &oid) < 0) {
        fault(v, c->commit, "cannot be read", NULL);
        return;
    }
    int same = git_commit_parentcount(commit) == 1 && git_commit_parent(&parent, commit, 0) == 0 &&
               git_oid_equal(git_commit_tree_id(parent), git_commit_tree_id(commit));
    if (git_commit_parentcount(commit) == 0) {
        git_treebuilder *tb = NULL;
        same = git_treebuilder_new(&tb, v->git, NULL) == 0 && git_treebuilder_write(&id, tb) == 0 &&
               git_oid_equal(&id, git_commit_tree_id(commit));
        git_treebuilder_free(tb);
    }
    if (!same)
        fault(v, c->commit, "an administrator's decision that changes files", m->action);
    git_commit_free(parent);
    if (strcmp(m->action, "rotate-key") == 0) {
        unsigned char pk[SIGN_PUBKEY_BYTES];
        if (rotation_key(pk, c->message) < 0)
            fault(v, c->commit, "a key rotation without one Kenes-Key: ssh-ed25519 line", NULL);
        else if (good_sig) {
            memcpy(v->in_force, pk, SIGN_PUBKEY_BYTES);
            chain_add(&v->chain, pk, NULL);
        }
    } else {
        char **list = NULL;
        size_t n = 0;
        if (msg_trailer_values(&list, &n, c->message, "Kenes-Accepts") < 0 || n == 0)
            fault(v, c->commit, "an accept that names no commit (Kenes-Accepts)", NULL);
        for (size_t i = 0; i < n; i++)
            if (strlen(list[i]) != GIT_OID_HEXSZ || git_oid_fromstr(&id, list[i]) < 0 ||
                git_graph_descendant_of(v->git, &oid, &id) != 1)
                fault(v, c->commit, "accepts a commit that is not before it", list[i]);
        msg_values_free(list);
    }
    git_commit_free(commit);
}

/* The commits that administrators accepted (Kenes-Accepts of accept commits
 * that a listed key signed), before the walk that meets them first.  The
 * accept commits themselves are judged in the walk like any other. */
static int collect_accepted(const store_commit_info *c, void *payload)
{
    vctx *v = payload;
    msg_parsed m;
    unsigned char pk[SIGN_PUBKEY_BYTES];
    char what[300], **list = NULL;
    const char *detail;
    size_t n = 0;
    if (!strstr(c->message, "Kenes-Action: accept"))
        return 0; /* most commits: no need to ask libgit2 for their trailers */
    int kind = msg_parse(&m, c->message);
    int ok = kind == MSG_ADMIN && strcmp(m.action, "accept") == 0 && m.role &&
             role_parse(m.role) == ROLE_ADMIN &&
             signed_by(v, pk, what, sizeof(what), &detail, c->commit) == 0;
    if (kind >= 0)
        msg_parsed_dispose(&m);
    if (!ok)
        return 0;
    if (msg_trailer_values(&list, &n, c->message, "Kenes-Accepts") < 0)
        return KENES_ENOMEM;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = map_set(v->accepted, list[i], v) < 0 ? KENES_ENOMEM : 0;
    msg_values_free(list);
    return rc;
}

/* The key in force at commit, for a walk that starts after it: the newest
 * commit on its first-parent line with a good signature by a listed key
 * (kenes's: the journal's last line is one) decides, by its signer or, for
 * a rotation, by the key it names. */
static int seed_key(vctx *v, const char *commit)
{
    git_oid oid;
    git_commit *c = NULL;
    if (git_oid_fromstr(&oid, commit) < 0 || git_commit_lookup(&c, v->git, &oid) < 0)
        return KENES_EIO;
    while (c && !v->has_in_force) {
        char hex[STORE_OID_HEX], what[300];
        const char *detail;
        unsigned char pk[SIGN_PUBKEY_BYTES];
        msg_parsed m;
        git_oid_tostr(hex, sizeof(hex), git_commit_id(c));
        const char *message = git_commit_message(c);
        int kind = msg_parse(&m, message);
        if (kind >= 0 && signed_by(v, pk, what, sizeof(what), &detail, hex) == 0) {
            int rotation = kind == MSG_ADMIN && strcmp(m.action, "rotate-key") == 0;
            if (!rotation || rotation_key(pk, message) == 0) {
                memcpy(v->in_force, pk, SIGN_PUBKEY_BYTES);
                v->has_in_force = 1;
            }
        }
        if (kind >= 0)
            msg_parsed_dispose(&m);
        git_commit *parent = NULL;
        if (git_commit_parentcount(c) > 0 && git_commit_parent(&parent, c, 0) < 0) {
            git_commit_free(c);
            return KENES_EIO;
        }
        git_commit_free(c);
        c = parent;
    }
    git_commit_free(c);
    return 0;
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
        util_path(path, sizeof(path), data_dir, sources[i]);
        rc = util_read_file(&text, &len, path);
        v->key_source = sources[i];
    }
    if (rc < 0) {
        if (rc == -ENOENT)
            snprintf(path, sizeof(path), "allowed_signers: missing, and so is keys/%s: no "
                     "commit's signature can be checked", SIGN_PUB_FILE);
        else
            snprintf(path, sizeof(path), "%s: cannot be read: no commit's signature can be "
                     "checked", v->key_source);
        general_fault(v, path);
        return 0;
    }
    unsigned char (*list)[SIGN_PUBKEY_BYTES] = NULL;
    size_t lineno = 0;
    for (char *p = text; p < text + len; lineno++) {
        char *nl = memchr(p, '\n', (size_t)(text + len - p));
        size_t n_line = nl ? (size_t)(nl - p) : (size_t)(text + len - p);
        unsigned char pk[SIGN_PUBKEY_BYTES];
        int r = sign_parse_key_line(pk, p, n_line);
        if (r == KENES_EINVAL && !v->finding)
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
        snprintf(path, sizeof(path), "%s: lists no ssh-ed25519 key for namespace \"git\": no "
                 "commit's signature can be checked", v->key_source);
        general_fault(v, path);
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
    v->waive = v->accepted && map_get(v->accepted, c->commit) != NULL;
    int good_sig = check_signature(v, c->commit);
    int parsed = msg_parse(&m, c->message);
    if (parsed < 0) {
        fault(v, c->commit, "no Kenes-Document/Kenes-Action/Kenes-Stage trailers", NULL);
        return 0;
    }
    if (anchor_check_note(v->anchors, v->repo, c->commit, m.access_log) < 0)
        fault(v, c->commit, "a malformed " CKPT_TRAILER " trailer", m.access_log);
    if (parsed == MSG_ADMIN) {
        check_admin(v, c, &m, good_sig);
        msg_parsed_dispose(&m);
        return 0;
    }
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
    vdoc *d = vdoc_find(v, m.document);
    if (v->oom)
        goto oom;
    const char *prev = d ? d->stage : NULL;
    if (wf && prev && wf_is_erasure(wf, m.action)) {
        if (strcmp(m.to, wf->erased_stage) != 0 || !m.from || strcmp(m.from, prev) != 0 ||
            role_parse(m.role) != ROLE_ADMIN)
            fault(v, c->commit, "an erasure must be an admin's, from the case's stage to erased",
                  prev);
    } else if (prev && wf && wf->erased_stage && strcmp(prev, wf->erased_stage) == 0) {
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

static void docs_free(map *docs)
{
    map_iter it;
    const char *k;
    void *val;
    map_iter_init(&it, docs);
    while (map_iter_next(&it, &k, &val))
        vdoc_free(val);
    map_free(docs);
}

/* Judge main's commits after since (NULL: all), oldest first: the accepted
 * ones gathered first, the key in force at since found. */
static int walk_checked(vctx *v, const char *since)
{
    v->has_in_force = 0;
    int rc = map_new(&v->accepted);
    if (rc == 0)
        rc = store_walk_since(v->s, since, collect_accepted, v);
    if (rc == 0 && since)
        rc = seed_key(v, since);
    if (rc == 0 && since && v->has_in_force && v->nkeys) {
        /* The journal is not signed: a line appended for a commit made
         * behind kenes's back would pass it off as seen.  Its last line must
         * be a commit kenes signed (a rotation is signed by the key before
         * the one it puts in force, which allowed_signers still lists). */
        unsigned char pk[SIGN_PUBKEY_BYTES];
        char what[300];
        const char *why;
        if (signed_by(v, pk, what, sizeof(what), &why, since) < 0)
            fault(v, since, "the history journal names it as seen, but kenes did not sign it",
                  what);
    }
    if (rc == 0)
        rc = store_walk_since(v->s, since, check_commit, v);
    v->waive = 0;
    map_free(v->accepted);
    v->accepted = NULL;
    return rc;
}

static const char *sealed_type_of(const plugin_set *plugins)
{
    /* Sealed files in cases.git are of the one type that lives there. */
    const char *case_type = NULL;
    for (size_t i = 0; i < plugin_count(plugins); i++)
        for (const kenes_doctype *t = plugin_at(plugins, i)->types; t && t->name; t++)
            if (t->repository && strcmp(t->repository, "cases") == 0)
                case_type = t->name;
    return case_type;
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
    v.seed = ix;
    v.seed_repo = repo;
    v.repo = server_repo_names[repo];
    v.s = s;
    util_path(path, sizeof(path), cfg->data_dir, server_repo_names[repo]);
    unsigned flags = GIT_REPOSITORY_OPEN_NO_SEARCH | GIT_REPOSITORY_OPEN_BARE;
    int rc = map_new(&v.docs);
    if (rc == 0 && git_repository_open_ext(&v.git, path, flags, NULL) < 0)
        rc = KENES_EIO;
    if (rc == 0)
        rc = load_keys(&v, &keys, cfg->data_dir);
    if (rc == 0 && !out->faults)
        rc = walk_checked(&v, since);
    out->has_key = v.has_in_force;
    memcpy(out->key, v.in_force, sizeof(out->key));
    free(keys);
    if (v.docs)
        docs_free(v.docs);
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
    util_path(path, sizeof(path), cfg->data_dir, server_repo_names[repo]);
    unsigned flags = GIT_REPOSITORY_OPEN_NO_SEARCH | GIT_REPOSITORY_OPEN_BARE;
    git_oid head;
    int rc = git_repository_open_ext(&v.git, path, flags, NULL) < 0 ? KENES_EIO : 0;
    if (rc == 0)
        rc = load_keys(&v, &keys, cfg->data_dir);
    if (rc == 0 && git_reference_name_to_id(&head, v.git, "refs/heads/main") == 0) {
        char hex[STORE_OID_HEX];
        git_oid_tostr(hex, sizeof(hex), &head);
        rc = seed_key(&v, hex);
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
        general_fault(v, line);
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
    if (map_new(&v->docs) < 0 || git_repository_open_ext(&v->git, path, flags, NULL) < 0 ||
        store_open(&v->s, loop, path, "kenes", "kenes@localhost") < 0) {
        fprintf(stderr, "kenes: verify: cannot open %s\n", path);
        git_repository_free(v->git);
        map_free(v->docs);
        return -1;
    }
    int rc = walk_checked(v, NULL);
    if (rc == 0)
        rc = git_reference_foreach_name(v->git, other_ref, v) < 0 ? -1 : 0;
    /* The history journal the server answers from must say what git says. */
    char journal[4096];
    server_journal_path(journal, sizeof(journal), cfg->data_dir, repo);
    if (rc == 0 && access(journal, F_OK) == 0 && journal_check(v->s, journal, journal_fault, v) < 0)
        journal_fault("cannot compare the history journal with git", NULL, v);
    docs_free(v->docs);
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
    const char *case_type = sealed_type_of(plugins);
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
                if (!chain_has(pair[i][1], pair[i][0]->keys[0])) {
                    v.repo = names[i];
                    fault(&v, pair[i][0]->first_commit,
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
        fprintf(stderr, "kenes: verify: cannot read the history\n");
        return -1;
    }
    if (v.waived)
        printf("%zu fault%s in commits an administrator accepted (kenes accept), not counted\n",
               v.waived, v.waived == 1 ? "" : "s");
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
    if (region_load(regions, rules_err, sizeof(rules_err)) < 0 ||
        server_load_plugins_and_workflows(&plugins, &workflows, cfg, rules_err,
                                          sizeof(rules_err)) < 0) {
        fprintf(stderr, "kenes: reindex: %s\n", rules_err);
        region_unload();
        return -1;
    }
    uv_loop_init(&loop);
    int rc = 0;
    char heads[CKPT_REPOS][CKPT_OID_HEX] = {"", ""};
    for (int r = 0; r < 2 && rc == 0; r++) {
        char path[4096], journal[4096], err[1024];
        store *s;
        size_t commits = 0;
        util_path(path, sizeof(path), cfg->data_dir, server_repo_names[r]);
        if (access(path, F_OK) != 0)
            continue;
        util_path(journal, sizeof(journal), cfg->data_dir, "index");
        util_mkdirs(journal, 0700);
        server_journal_path(journal, sizeof(journal), cfg->data_dir, r);
        if (store_open(&s, &loop, path, "kenes", "kenes@localhost") < 0) {
            fprintf(stderr, "kenes: reindex: cannot open %s\n", path);
            rc = -1;
            break;
        }
        verify_finding f;
        rc = verify_unseen(&f, cfg, plugins, workflows, s, NULL, r, NULL);
        if (rc < 0) {
            snprintf(err, sizeof(err), "%s: cannot read the history", server_repo_names[r]);
        } else if (f.faults) {
            snprintf(err, sizeof(err), "%s: commit %s is not one kenes made or accepted (%s); "
                     "the journal is left as it was: accept it with kenes accept --data %.200s "
                     "%s, or reset main to the last good commit (kenes verify names every fault)",
                     server_repo_names[r], f.commit[0] ? f.commit : "(none)", f.what,
                     cfg->data_dir, f.commit);
            rc = KENES_EFORBIDDEN;
        }
        if (rc == 0)
            rc = journal_rebuild(s, journal, &commits, err, sizeof(err));
        if (rc == 0 && store_head(s, heads[r]) < 0) {
            snprintf(err, sizeof(err), "%s: cannot read main's head", server_repo_names[r]);
            rc = KENES_EIO;
        }
        store_close(s);
        if (rc < 0)
            fprintf(stderr, "kenes: reindex: %s\n", err);
        else
            printf("%s: %zu commits indexed into %s\n", server_repo_names[r], commits, journal);
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
