/*
 * kenes verify: signatures and the keys in force (verify_internal.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/util.h"
#include "cmd/verify_internal.h"
#include "docs/workflow.h"

int verify_chain_has(const vchain *c, const unsigned char pk[SIGN_PUBKEY_BYTES])
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
    if (c->n < VERIFY_CHAIN_MAX && !verify_chain_has(c, pk))
        memcpy(c->keys[c->n++], pk, SIGN_PUBKEY_BYTES);
}

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
int verify_signed_by(vctx *v, unsigned char pk[SIGN_PUBKEY_BYTES], char *what, size_t cap,
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
    return what[0] ? KENES_EFORBIDDEN : 0;
}

/* Every commit carries the server's SSH signature of itself, by the key in
 * force: listed in allowed_signers is not enough, for anyone who can write
 * that file could list a key; a new key comes in only by a rotation that the
 * key before it signed (kenes key rotate).  1 if so. */
int verify_check_signature(vctx *v, const char *commit)
{
    if (!v->nkeys)
        return 0; /* said once, by load_keys */
    unsigned char pk[SIGN_PUBKEY_BYTES];
    char what[300], detail[2 * SIGN_FINGERPRINT_MAX + 40];
    const char *why;
    if (verify_signed_by(v, pk, what, sizeof(what), &why, commit) < 0) {
        verify_fault(v, commit, what, why);
        return 0;
    }
    if (v->has_in_force && memcmp(pk, v->in_force, SIGN_PUBKEY_BYTES) != 0) {
        char by[SIGN_FINGERPRINT_MAX], in_force[SIGN_FINGERPRINT_MAX];
        sign_key_fingerprint(by, sizeof(by), pk);
        sign_key_fingerprint(in_force, sizeof(in_force), v->in_force);
        snprintf(detail, sizeof(detail), "%s, where the key in force is %s", by, in_force);
        verify_fault(v, commit, "signed by a key that no key rotation introduced", detail);
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
void verify_check_admin(vctx *v, const store_commit_info *c, const msg_parsed *m, int good_sig)
{
    git_oid oid, id;
    git_commit *commit = NULL, *parent = NULL;
    if (!m->role || role_parse(m->role) != ROLE_ADMIN)
        verify_fault(v, c->commit, "an administrator's decision not made as admin", m->action);
    if (strcmp(m->action, "migrate") == 0) {
        verify_check_migrate(v, c); /* the one decision that moves files (migrate.h) */
        return;
    }
    if (git_oid_fromstr(&oid, c->commit) < 0 || git_commit_lookup(&commit, v->git, &oid) < 0) {
        verify_fault(v, c->commit, "cannot be read", NULL);
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
        verify_fault(v, c->commit, "an administrator's decision that changes files", m->action);
    git_commit_free(parent);
    if (strcmp(m->action, "rotate-key") == 0) {
        unsigned char pk[SIGN_PUBKEY_BYTES];
        if (rotation_key(pk, c->message) < 0)
            verify_fault(v, c->commit, "a key rotation without one Kenes-Key: ssh-ed25519 line", NULL);
        else if (good_sig) {
            memcpy(v->in_force, pk, SIGN_PUBKEY_BYTES);
            chain_add(&v->chain, pk, NULL);
        }
    } else {
        char **list = NULL;
        size_t n = 0;
        if (msg_trailer_values(&list, &n, c->message, "Kenes-Accepts") < 0 || n == 0)
            verify_fault(v, c->commit, "an accept that names no commit (Kenes-Accepts)", NULL);
        for (size_t i = 0; i < n; i++)
            if (strlen(list[i]) != GIT_OID_HEXSZ || git_oid_fromstr(&id, list[i]) < 0 ||
                git_graph_descendant_of(v->git, &oid, &id) != 1)
                verify_fault(v, c->commit, "accepts a commit that is not before it", list[i]);
        msg_values_free(list);
    }
    git_commit_free(commit);
}

/* The commits that administrators accepted (Kenes-Accepts of accept commits
 * that a listed key signed), before the walk that meets them first.  The
 * accept commits themselves are judged in the walk like any other. */
int verify_collect_accepted(const store_commit_info *c, void *payload)
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
    if (kind == KENES_ENOMEM)
        return kind;
    int ok = kind == MSG_ADMIN && strcmp(m.action, "accept") == 0 && m.role &&
             role_parse(m.role) == ROLE_ADMIN &&
             verify_signed_by(v, pk, what, sizeof(what), &detail, c->commit) == 0;
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
int verify_seed_key(vctx *v, const char *commit)
{
    git_oid oid;
    git_commit *c = NULL;
    int rc = git_oid_fromstr(&oid, commit) < 0 ? KENES_EINVAL
                                                : store_error_of_git(git_commit_lookup(&c, v->git, &oid));
    if (rc < 0)
        return rc;
    while (c && !v->has_in_force) {
        char hex[STORE_OID_HEX], what[300];
        const char *detail;
        unsigned char pk[SIGN_PUBKEY_BYTES];
        msg_parsed m;
        git_oid_tostr(hex, sizeof(hex), git_commit_id(c));
        const char *message = git_commit_message(c);
        int kind = msg_parse(&m, message);
        if (kind == KENES_ENOMEM) {
            git_commit_free(c);
            return kind;
        }
        if (kind >= 0 && verify_signed_by(v, pk, what, sizeof(what), &detail, hex) == 0) {
            int rotation = kind == MSG_ADMIN && strcmp(m.action, "rotate-key") == 0;
            if (!rotation || rotation_key(pk, message) == 0) {
                memcpy(v->in_force, pk, SIGN_PUBKEY_BYTES);
                v->has_in_force = 1;
            }
        }
        if (kind >= 0)
            msg_parsed_dispose(&m);
        git_commit *parent = NULL;
        if (git_commit_parentcount(c) > 0 &&
            (rc = store_error_of_git(git_commit_parent(&parent, c, 0))) < 0) {
            git_commit_free(c);
            return rc;
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
int verify_load_keys(vctx *v, unsigned char (**keys)[SIGN_PUBKEY_BYTES], const char *data_dir)
{
    static const char *const sources[] = {"allowed_signers", "keys/" SIGN_PUB_FILE};
    char path[4096], *text = NULL;
    size_t len = 0, n = 0;
    int rc = KENES_ENOTFOUND;
    *keys = NULL;
    for (size_t i = 0; i < UTIL_ARRAY_LEN(sources) && rc == KENES_ENOTFOUND; i++) {
        util_path(path, sizeof(path), data_dir, sources[i]);
        rc = util_read_file(&text, &len, path);
        v->key_source = sources[i];
    }
    if (rc < 0) {
        if (rc == KENES_ENOTFOUND)
            snprintf(path, sizeof(path), "allowed_signers: missing, and so is keys/%s: no "
                     "commit's signature can be checked", SIGN_PUB_FILE);
        else
            snprintf(path, sizeof(path), "%s: cannot be read: no commit's signature can be "
                     "checked", v->key_source);
        verify_general_fault(v, path);
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
        verify_general_fault(v, path);
    }
    *keys = list;
    v->keys = (const unsigned char (*)[SIGN_PUBKEY_BYTES])list;
    v->nkeys = n;
    return 0;
}

