#include "storage/mirror_push.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base/util.h"
#include "storage/mirror_ca.h"
#include "storage/store_internal.h"

#define MIRROR_REF "refs/heads/main"

typedef struct push_ctx {
    mirror_job *j;
    int cred_tries;
    char refused[256]; /* the remote's refusal of our main, "" if none */
} push_ctx;

static int cancelled(const mirror_job *j)
{
    return j->cancel && atomic_load(j->cancel);
}

/* Credentials from the files kenes.yaml names, asked for by libgit2.  Once
 * only: a remote that refuses them would otherwise be asked again and again
 * within one push. */
static int credentials(git_credential **out, const char *url, const char *user_from_url,
                       unsigned int allowed, void *payload)
{
    push_ctx *c = payload;
    mirror_job *j = c->j;
    (void)url;
    if (c->cred_tries++ > 0) {
        git_error_set_str(GIT_ERROR_NET, "the remote refused the credentials");
        return GIT_EAUTH;
    }
    if (j->key && (allowed & GIT_CREDENTIAL_SSH_KEY))
        return git_credential_ssh_key_new(out, user_from_url ? user_from_url : "git", NULL,
                                          j->key, NULL);
    if (j->token_file && (allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT)) {
        char *token = NULL;
        size_t len = 0;
        if (util_read_file(&token, &len, j->token_file) < 0) {
            git_error_set_str(GIT_ERROR_OS, "cannot read the token_file");
            return GIT_EUSER;
        }
        /* The file ends with a newline, as an editor leaves it. */
        while (len && (token[len - 1] == '\n' || token[len - 1] == '\r'))
            token[--len] = '\0';
        int rc = git_credential_userpass_plaintext_new(out, j->user ? j->user : "kenes", token);
        sodium_memzero(token, len);
        free(token);
        return rc;
    }
    git_error_set_str(GIT_ERROR_NET, "the remote asks for credentials kenes.yaml does not give");
    return GIT_EAUTH;
}

/* libgit2 judged the remote's certificate or host key (valid: the system's
 * CAs vouch for it, or ~/.ssh/known_hosts names it).  A certificate they
 * do not vouch for is checked against the mirror's ca_file, if it names
 * one; anything else keeps libgit2's judgement and words. */
static int certificate_check(git_cert *cert, int valid, const char *host, void *payload)
{
    push_ctx *c = payload;
    if (valid)
        return 0;
    if (!c->j->ca_file || cert->cert_type != GIT_CERT_X509)
        return GIT_PASSTHROUGH;
    const git_cert_x509 *x = (const git_cert_x509 *)cert;
    char why[200];
    if (mirror_ca_check(why, sizeof(why), x->data, x->len, host, c->j->ca_file) == 0)
        return 0;
    git_error_set(GIT_ERROR_SSL, "the certificate of %s is not vouched for by the ca_file: %s",
                  host, why);
    return GIT_ECERTIFICATE;
}

/* The remote's answer for our main: NULL accepted, else its reason (a
 * pre-receive hook, a protected branch, a ref it cannot lock). */
static int update_reference(const char *refname, const char *status, void *payload)
{
    push_ctx *c = payload;
    if (status && strcmp(refname, MIRROR_REF) == 0)
        snprintf(c->refused, sizeof(c->refused), "%s", status);
    return 0;
}

/* Shutdown: libgit2 stops the transfer at the next progress call. */
static int push_progress(unsigned current, unsigned total, size_t bytes, void *payload)
{
    (void)current, (void)total, (void)bytes;
    push_ctx *c = payload;
    return cancelled(c->j) ? GIT_EUSER : 0;
}

static int pack_progress(int stage, uint32_t current, uint32_t total, void *payload)
{
    (void)stage, (void)current, (void)total;
    push_ctx *c = payload;
    return cancelled(c->j) ? GIT_EUSER : 0;
}

/* libgit2's words sometimes end in ": " with nothing after. */
static void trim(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == ':' || s[n - 1] == '\n'))
        s[--n] = '\0';
}

static void fail(mirror_job *j, const char *what)
{
    const git_error *e = git_error_last();
    j->outcome = MIRROR_FAILED;
    if (e && e->message)
        snprintf(j->msg, sizeof(j->msg), "%s: %s", what, e->message);
    else
        snprintf(j->msg, sizeof(j->msg), "%s", what);
    trim(j->msg);
}

/* The commits from ours back to (not including) base, or all of main's
 * when base is NULL: how many, and the oldest one's committer time. */
static int count_behind(long *n, int64_t *oldest_ms, git_repository *repo, const git_oid *ours,
                        const git_oid *base)
{
    git_revwalk *walk = NULL;
    git_oid id;
    *n = 0;
    *oldest_ms = 0;
    int rc = git_revwalk_new(&walk, repo);
    if (rc == 0)
        rc = git_revwalk_push(walk, ours);
    if (rc == 0 && base)
        rc = git_revwalk_hide(walk, base);
    while (rc == 0 && (rc = git_revwalk_next(&id, walk)) == 0) {
        git_commit *c;
        if (git_commit_lookup(&c, repo, &id) == 0) {
            int64_t t = (int64_t)git_commit_time(c) * 1000;
            if (!*oldest_ms || t < *oldest_ms)
                *oldest_ms = t;
            git_commit_free(c);
        }
        (*n)++;
    }
    git_revwalk_free(walk);
    return rc == GIT_ITEROVER ? 0 : rc;
}

/* Lag when the remote could not be read (or is diverged): counted from the
 * last main it was known to hold, or from the root when none is known. */
static void behind_from_known(mirror_job *j, git_repository *repo, const git_oid *ours)
{
    git_oid known;
    git_odb *odb = NULL;
    int ok = store_parse_oid(&known, j->known) == 0 && git_repository_odb(&odb, repo) == 0 &&
             git_odb_exists(odb, &known);
    git_odb_free(odb);
    if (count_behind(&j->behind, &j->oldest_ms, repo, ours, ok ? &known : NULL) < 0)
        j->behind = -1;
}

/* Their main: NULL if the remote has none.  *found 1 if listed. */
static int remote_main(git_oid *out, int *found, git_remote *remote)
{
    const git_remote_head **heads;
    size_t n;
    *found = 0;
    int rc = git_remote_ls(&heads, &n, remote);
    for (size_t i = 0; rc == 0 && i < n; i++)
        if (strcmp(heads[i]->name, MIRROR_REF) == 0) {
            git_oid_cpy(out, &heads[i]->oid);
            *found = 1;
        }
    return rc;
}

/* 1 if theirs is ours or an ancestor of it: a push only moves it forward. */
static int fast_forward(git_repository *repo, const git_oid *ours, const git_oid *theirs)
{
    git_odb *odb;
    if (git_oid_equal(ours, theirs))
        return 1;
    if (git_repository_odb(&odb, repo) < 0)
        return 0;
    int known = git_odb_exists(odb, theirs);
    git_odb_free(odb);
    return known && git_graph_descendant_of(repo, ours, theirs) == 1;
}

static void push(mirror_job *j, git_repository *repo)
{
    git_oid ours, theirs;
    int has_ours, has_theirs;
    git_remote *remote = NULL;
    push_ctx ctx = {.j = j};
    git_remote_callbacks cbs;
    git_remote_init_callbacks(&cbs, GIT_REMOTE_CALLBACKS_VERSION);
    cbs.credentials = credentials;
    cbs.certificate_check = certificate_check;
    cbs.push_update_reference = update_reference;
    cbs.push_transfer_progress = push_progress;
    cbs.pack_progress = pack_progress;
    cbs.payload = &ctx;
    if (store_main_head(&ours, &has_ours, repo) < 0) {
        fail(j, "cannot read our main");
        return;
    }
    if (has_ours)
        git_oid_tostr(j->pushed, sizeof(j->pushed), &ours);
    /* git_remote_create_anonymous, without url.<base>.insteadOf: the url
     * kenes.yaml names is the one pushed to, whatever a gitconfig on the
     * machine rewrites; and libgit2 1.5 leaks a regex match's memory for
     * each config entry that lookup reads (fixed upstream in 1.6). */
    git_remote_create_options ro;
    git_remote_create_options_init(&ro, GIT_REMOTE_CREATE_OPTIONS_VERSION);
    ro.repository = repo;
    ro.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF | GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC;
    if (git_remote_create_with_opts(&remote, j->url, &ro) < 0) {
        fail(j, "cannot use the url");
        return;
    }
    if (git_remote_connect(remote, GIT_DIRECTION_PUSH, &cbs, NULL, NULL) < 0 ||
        remote_main(&theirs, &has_theirs, remote) < 0) {
        fail(j, "cannot reach the mirror");
        if (has_ours)
            behind_from_known(j, repo, &ours);
        else
            j->behind = 0;
        goto out;
    }
    if (has_theirs)
        git_oid_tostr(j->theirs, sizeof(j->theirs), &theirs);
    if (!has_ours) { /* nothing committed yet: the mirror is reached, and must be empty */
        j->behind = 0;
        j->outcome = has_theirs ? MIRROR_FOUND_DIVERGED : MIRROR_PUSHED;
        if (has_theirs)
            snprintf(j->msg, sizeof(j->msg), "its main (%s) holds commits and ours has none yet: "
                     "kenes never force-pushes", j->theirs);
        goto out;
    }
    if (has_theirs && !fast_forward(repo, &ours, &theirs)) {
        j->outcome = MIRROR_FOUND_DIVERGED;
        snprintf(j->msg, sizeof(j->msg), "its main (%s) is not an ancestor of ours (%s): it "
                 "holds commits kenes did not make, or lost some; kenes never force-pushes",
                 j->theirs, j->pushed);
        behind_from_known(j, repo, &ours);
        goto out;
    }
    if (count_behind(&j->behind, &j->oldest_ms, repo, &ours, has_theirs ? &theirs : NULL) < 0)
        j->behind = -1;
    if (j->behind == 0) { /* up to date: nothing to send */
        j->outcome = MIRROR_PUSHED;
        goto out;
    }
    /* No '+': libgit2 refuses a non-fast-forward update itself too. */
    char *spec = MIRROR_REF ":" MIRROR_REF;
    git_strarray specs = {&spec, 1};
    git_push_options opts;
    git_push_options_init(&opts, GIT_PUSH_OPTIONS_VERSION);
    opts.callbacks = cbs;
    int rc = git_remote_push(remote, &specs, &opts);
    if (rc == GIT_ENONFASTFORWARD) {
        /* Their main moved since we read it, to something that is not ours. */
        j->outcome = MIRROR_FOUND_DIVERGED;
        snprintf(j->msg, sizeof(j->msg), "its main moved during the push to a commit that is "
                 "not an ancestor of ours (%s); kenes never force-pushes", j->pushed);
    } else if (rc < 0) {
        fail(j, cancelled(j) ? "the push was stopped (shutdown)" : "the push failed");
    } else if (ctx.refused[0]) {
        j->outcome = MIRROR_FAILED;
        snprintf(j->msg, sizeof(j->msg), "the mirror refused main: %s", ctx.refused);
        trim(j->msg);
    } else {
        j->outcome = MIRROR_PUSHED;
    }
out:
    git_remote_free(remote);
}

void mirror_push_run(mirror_job *j)
{
    git_repository *repo = NULL;
    uint64_t t0 = uv_hrtime();
    j->outcome = MIRROR_FAILED;
    j->behind = -1;
    j->oldest_ms = 0;
    j->pushed[0] = j->theirs[0] = j->msg[0] = '\0';
    if (store_git_ready() < 0 || store_open_repo(&repo, j->gitdir) < 0) {
        fail(j, "cannot open our repository");
        return;
    }
    push(j, repo);
    git_repository_free(repo);
    j->took_ns = uv_hrtime() - t0;
}
