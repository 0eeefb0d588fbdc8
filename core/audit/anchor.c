#include "audit/anchor.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kenes/plugin.h"
#include "base/error.h"
#include "base/log.h"
#include "storage/index.h"
#include "base/util.h"

/* ---- positions of the access log, held against the file ---- */

/* A position someone vouches for: line `lines` of the log has hash `head`. */
typedef struct position {
    size_t lines;
    char head[CKPT_HASH_HEX];
    char source[160]; /* who vouches, for the fault line */
    int seen, matches;
} position;

typedef struct positions {
    position *p;
    size_t n, cap;
    size_t next; /* while scanning: the first not yet reached */
} positions;

static int positions_add(positions *ps, size_t lines, const char head[CKPT_HASH_HEX],
                         const char *source)
{
    position *grown = util_grow(ps->p, &ps->cap, ps->n, sizeof(*grown), 16);
    if (!grown)
        return KENES_ENOMEM;
    ps->p = grown;
    position *x = &ps->p[ps->n++];
    memset(x, 0, sizeof(*x));
    x->lines = lines;
    memcpy(x->head, head, CKPT_HASH_HEX);
    snprintf(x->source, sizeof(x->source), "%s", source);
    return 0;
}

static int by_lines(const void *a, const void *b)
{
    const position *x = a, *y = b;
    return x->lines < y->lines ? -1 : x->lines > y->lines;
}

static void on_line(size_t lineno, const char hash[65], void *payload)
{
    positions *ps = payload;
    while (ps->next < ps->n && ps->p[ps->next].lines < lineno)
        ps->next++;
    for (size_t i = ps->next; i < ps->n && ps->p[i].lines == lineno; i++) {
        ps->p[i].seen = 1;
        ps->p[i].matches = strcmp(hash, ps->p[i].head) == 0;
    }
}

/* Hold every position against the log at path: *exists, *lines, and the
 * chain's first bad line (0 if intact, negative if unreadable) as alog_scan_file
 * says, with its why in err. */
static long positions_scan(positions *ps, int *exists, size_t *lines, const char *path,
                           char *err, size_t errcap)
{
    qsort(ps->p, ps->n, sizeof(*ps->p), by_lines);
    ps->next = 0;
    for (size_t i = 0; i < ps->n && ps->p[i].lines == 0; i++) {
        ps->p[i].seen = 1;
        ps->p[i].matches = strcmp(ps->p[i].head, ALOG_GENESIS) == 0;
    }
    *exists = access(path, F_OK) == 0 || errno != ENOENT;
    return alog_scan_file(path, lines, on_line, ps, err, errcap);
}

/* One line for whatever the positions say of the log: rewritten (a line
 * someone vouches for has another hash) and/or cut (it ends before a line
 * someone vouches for).  0 if it reaches every position intact. */
static int positions_judge(char *out, size_t cap, const positions *ps, int exists, size_t lines)
{
    const position *differs = NULL, *beyond = NULL;
    for (size_t i = 0; i < ps->n; i++) {
        const position *x = &ps->p[i];
        if (x->seen && !x->matches && !differs)
            differs = x;
        if (!x->seen && x->lines > lines)
            beyond = x; /* sorted: the last is the furthest */
    }
    if (!exists && beyond) {
        snprintf(out, cap, "missing, but %s records %zu lines: the file was removed",
                 beyond->source, beyond->lines);
    } else if (differs && beyond) {
        snprintf(out, cap, "rewritten: line %zu is not the line %s records, and the log "
                 "holds %zu lines where %s records %zu: lines were removed and the chain "
                 "recomputed", differs->lines, differs->source, lines, beyond->source,
                 beyond->lines);
    } else if (differs) {
        snprintf(out, cap, "rewritten: line %zu is not the line %s records (its hash differs): "
                 "the chain was recomputed", differs->lines, differs->source);
    } else if (beyond) {
        snprintf(out, cap, "cut: it holds %zu lines, but %s records %zu: its tail was removed",
                 lines, beyond->source, beyond->lines);
    } else {
        return 0;
    }
    return 1;
}

/* ---- serve ---- */

typedef struct anchor_slot {
    struct anchor *a;
    int repo;
} anchor_slot;

struct anchor {
    checkpoint *ckpt;
    anchor_slot slots[CKPT_REPOS];
};

static int log_durable(size_t lines, const char head[65], void *payload)
{
    anchor *a = payload;
    return ckpt_advance_log(a->ckpt, lines, head);
}

static int commit_trailer(char *out, size_t cap, void *payload)
{
    anchor_slot *slot = payload;
    ckpt_state st;
    ckpt_current(slot->a->ckpt, &st);
    int n = snprintf(out, cap, "%s: %zu %s", CKPT_TRAILER, st.lines, st.log_head);
    return n < 0 || (size_t)n >= cap ? KENES_EIO : 0;
}

static void committed(const char *head, void *payload)
{
    anchor_slot *slot = payload;
    /* The commit stands, and is answered: a write made and answered as
     * failed would be sent again (README, Durability).  The checkpoint
     * names an older head, which verify accepts (main contains it), until
     * its next rewrite names this one; the rewrite logged the failure. */
    ckpt_advance_head(slot->a->ckpt, slot->repo, head);
}

/* What the last run signed must still be there: else the files were cut
 * back while the server was stopped, and a new checkpoint would sign that. */
static int check_previous(size_t *signed_lines, const char *data_dir, access_log *alog,
                          store *const repos[CKPT_REPOS], char *err, size_t errcap)
{
    char path[4096], why[256];
    char *text = NULL;
    size_t len = 0, body = 0;
    ckpt_state st;
    *signed_lines = SIZE_MAX;
    util_path(path, sizeof(path), data_dir, CKPT_FILE);
    int rc = util_read_file(&text, &len, path);
    if (rc == KENES_ENOTFOUND) {
        /* Every start writes one, so a log without it lost it: a new one
         * would sign whatever the log holds now, a cut tail included. */
        size_t lines;
        char head[CKPT_HASH_HEX];
        alog_position(alog, &lines, head);
        if (lines == 0)
            return 0; /* a first start */
        snprintf(err, errcap, "%s is missing while access.log holds %zu lines: restore it from "
                 "the backup of the data folder and run kenes verify --data DIR; a folder from "
                 "before checkpoints is signed as it stands with kenes reindex --data DIR",
                 CKPT_FILE, lines);
        return KENES_ESTALE;
    }
    if (rc < 0) {
        snprintf(err, errcap, "%.900s: cannot be read: %s", path, kenes_strerror(rc));
        return KENES_EIO;
    }
    rc = ckpt_parse(&st, &body, text, len, why, sizeof(why));
    free(text);
    if (rc < 0) {
        snprintf(err, errcap, "%.900s: not a checkpoint kenes wrote (%s); run kenes verify", path,
                 why);
        return rc;
    }
    const char *fix = "run kenes verify --data DIR; restore the files from a backup, or, to "
                      "start on them as they are, move " CKPT_FILE " aside and sign the log "
                      "anew with kenes reindex --data DIR";
    const char *fix_heads = "run kenes verify --data DIR; restore the repository from a backup, "
                            "or, if the history was repaired on purpose, accept it with kenes "
                            "reindex --data DIR";
    positions ps = {0};
    int exists;
    size_t lines = 0;
    util_path(path, sizeof(path), data_dir, "access.log");
    long bad = 0;
    rc = positions_add(&ps, st.lines, st.log_head, "the signed checkpoint");
    if (rc == 0 && (bad = positions_scan(&ps, &exists, &lines, path, why, sizeof(why))) < 0)
        rc = KENES_EIO;
    /* A broken chain stays for verify to name: signing its head changes
     * nothing about it. */
    char what[600];
    if (rc == 0 && bad == 0 && positions_judge(what, sizeof(what), &ps, exists, lines)) {
        snprintf(err, errcap, "access.log: %s; %s", what, fix);
        rc = KENES_ESTALE;
    }
    free(ps.p);
    if (rc < 0) {
        if (!err[0])
            snprintf(err, errcap, "access.log: cannot be read");
        return rc;
    }
    *signed_lines = st.lines;
    for (int r = 0; r < CKPT_REPOS; r++) {
        if (!st.heads[r][0] || !repos[r])
            continue;
        int in = store_contains(repos[r], st.heads[r]);
        if (in != 1) {
            snprintf(err, errcap, "%s: main no longer contains %s, its head in the signed "
                     "checkpoint: its history was rolled back; %s", ckpt_repo_names[r],
                     st.heads[r], fix_heads);
            return KENES_ESTALE;
        }
    }
    return 0;
}

int anchor_start(anchor **out, const char *data_dir, const signer *sig, access_log *alog,
                 store *const repos[CKPT_REPOS], char *err, size_t errcap)
{
    char path[4096];
    *out = NULL;
    err[0] = '\0';
    size_t signed_lines;
    int rc = check_previous(&signed_lines, data_dir, alog, repos, err, errcap);
    if (rc < 0)
        return rc;
    /* Lines past the signed position were written but never answered for (a
     * read waits for the checkpoint that covers its line), or were added by
     * hand: either way no read they record was served. */
    size_t lines;
    char head[CKPT_HASH_HEX];
    alog_position(alog, &lines, head);
    if (signed_lines != SIZE_MAX && lines > signed_lines) {
        if ((rc = alog_cut_to(alog, signed_lines)) < 0) {
            snprintf(err, errcap, "access.log: cannot cut back the %zu lines after the signed "
                     "checkpoint", lines - signed_lines);
            return rc;
        }
        log_warn("access", "access.log: %zu line%s after the signed checkpoint (%zu) recorded no "
                 "read that was answered; dropped", lines - signed_lines,
                 lines - signed_lines == 1 ? "" : "s", signed_lines);
    }
    anchor *a = calloc(1, sizeof(*a));
    if (!a) {
        snprintf(err, errcap, "out of memory");
        return KENES_ENOMEM;
    }
    ckpt_state st = {0};
    alog_position(alog, &st.lines, st.log_head);
    for (int r = 0; r < CKPT_REPOS; r++) {
        char head[STORE_OID_HEX] = "";
        if (repos[r] && store_head(repos[r], head) < 0) {
            snprintf(err, errcap, "%s: cannot read main's head", ckpt_repo_names[r]);
            free(a);
            return KENES_EIO;
        }
        snprintf(st.heads[r], sizeof(st.heads[r]), "%s", head);
    }
    util_path(path, sizeof(path), data_dir, CKPT_FILE);
    if ((rc = ckpt_new(&a->ckpt, path, sig, &st, err, errcap)) < 0) {
        free(a);
        return rc;
    }
    rc = alog_set_anchor(alog, log_durable, a);
    for (int r = 0; r < CKPT_REPOS && rc == 0; r++) {
        a->slots[r].a = a;
        a->slots[r].repo = r;
        if (repos[r])
            rc = store_set_anchor(repos[r], commit_trailer, committed, &a->slots[r]);
    }
    if (rc < 0) {
        snprintf(err, errcap, "cannot anchor the access log and the repositories");
        anchor_free(a);
        return rc;
    }
    *out = a;
    return 0;
}

void anchor_free(anchor *a)
{
    if (!a)
        return;
    ckpt_free(a->ckpt);
    free(a);
}

checkpoint *anchor_checkpoint(anchor *a)
{
    return a ? a->ckpt : NULL;
}

/* ---- reindex ---- */

int anchor_accept_heads(const char *data_dir, const char heads[CKPT_REPOS][CKPT_OID_HEX],
                        char *err, size_t errcap)
{
    char path[4096], keys[4096], why[256];
    char *text = NULL, *signed_text = NULL;
    size_t len = 0, body = 0;
    ckpt_state st;
    signer *sig = NULL;
    util_path(path, sizeof(path), data_dir, CKPT_FILE);
    int rc = util_read_file(&text, &len, path);
    if (rc == KENES_ENOTFOUND) {
        /* None yet (a folder from before checkpoints, or one lost): the
         * operator accepts the log as it stands. */
        char log_path[4096];
        access_log *l = NULL;
        memset(&st, 0, sizeof(st));
        util_path(log_path, sizeof(log_path), data_dir, "access.log");
        if (access(log_path, F_OK) != 0)
            return 0; /* nothing to sign: serve makes the first at start */
        if ((rc = alog_open(&l, NULL, log_path, err, errcap)) < 0)
            return rc;
        alog_position(l, &st.lines, st.log_head);
        alog_close(l);
        rc = 0;
    } else if (rc < 0) {
        snprintf(err, errcap, "%.900s: cannot be read", path);
        return KENES_EIO;
    } else {
        rc = ckpt_parse(&st, &body, text, len, why, sizeof(why));
        free(text);
        if (rc < 0) {
            snprintf(err, errcap, "%.900s: not a checkpoint kenes wrote (%s)", path, why);
            return rc;
        }
    }
    util_path(keys, sizeof(keys), data_dir, "keys");
    if ((rc = sign_open(&sig, keys, why, sizeof(why))) < 0) {
        snprintf(err, errcap, "cannot sign the checkpoint anew: %s", why);
        return rc;
    }
    for (int r = 0; r < CKPT_REPOS; r++)
        snprintf(st.heads[r], sizeof(st.heads[r]), "%s", heads[r]);
    st.time_ms = util_now_ms();
    if (rc == 0 && (rc = ckpt_format(&signed_text, &len, &st, sig)) == 0 &&
        (rc = util_write_file_atomic(path, signed_text, len, 0600)) < 0) {
        snprintf(err, errcap, "%.900s: cannot be written: %s", path, kenes_strerror(rc));
        rc = KENES_EIO;
    }
    free(signed_text);
    sign_free(sig);
    return rc;
}

/* ---- verify ---- */

struct anchor_check {
    positions ps;
    size_t trailers; /* commits that carry Kenes-Access-Log */
};

int anchor_check_new(anchor_check **out)
{
    *out = calloc(1, sizeof(**out));
    return *out ? 0 : KENES_ENOMEM;
}

void anchor_check_free(anchor_check *c)
{
    if (!c)
        return;
    free(c->ps.p);
    free(c);
}

int anchor_check_note(anchor_check *c, const char *repo, const char *commit, const char *value)
{
    size_t lines;
    char head[CKPT_HASH_HEX], source[160];
    if (!value)
        return 0;
    if (ckpt_parse_position(&lines, head, value) < 0)
        return KENES_EINVAL;
    if (!c)
        return 0; /* serve's start-up check: the form alone */
    c->trailers++;
    snprintf(source, sizeof(source), "%s commit %.12s (%s)", repo, commit, CKPT_TRAILER);
    return positions_add(&c->ps, lines, head, source);
}

int anchor_parse_log_at(size_t *lines, char head[CKPT_HASH_HEX], const char *spec)
{
    char value[128];
    const char *colon = spec ? strchr(spec, ':') : NULL;
    if (!colon || strlen(spec) >= sizeof(value))
        return KENES_EINVAL;
    snprintf(value, sizeof(value), "%.*s %s", (int)(colon - spec), spec, colon + 1);
    return ckpt_parse_position(lines, head, value);
}

/* The signed checkpoint: its positions join the others; its heads must be
 * in main.  Returns the faults found. */
static size_t check_checkpoint(anchor_check *c, store *const repos[CKPT_REPOS],
                               const char *data_dir,
                               const unsigned char (*keys)[SIGN_PUBKEY_BYTES], size_t nkeys,
                               int required)
{
    char path[4096], why[256], when[32];
    char *text = NULL;
    size_t len = 0, body = 0, faults = 0;
    ckpt_state st;
    util_path(path, sizeof(path), data_dir, CKPT_FILE);
    int rc = util_read_file(&text, &len, path);
    if (rc == KENES_ENOTFOUND) {
        if (c->trailers && required) {
            printf("%s: missing, though %zu commit%s carry %s (the server rewrites it with "
                   "every access log line and commit): it was removed\n", CKPT_FILE, c->trailers,
                   c->trailers == 1 ? "" : "s", CKPT_TRAILER);
            return 1;
        }
        return 0;
    }
    if (rc < 0) {
        printf("%s: cannot be read\n", CKPT_FILE);
        return 1;
    }
    rc = ckpt_parse(&st, &body, text, len, why, sizeof(why));
    if (rc < 0) {
        printf("%s: not a checkpoint kenes wrote: %s\n", CKPT_FILE, why);
        free(text);
        return 1;
    }
    rc = nkeys ? ckpt_check_signature(text, len, body, keys, nkeys) : 0;
    free(text);
    if (rc < 0) {
        printf("%s: its signature does not verify with a key that allowed_signers lists: it "
               "was altered or forged\n", CKPT_FILE);
        return 1;
    }
    util_format_rfc3339(when, sizeof(when), st.time_ms);
    char source[160];
    snprintf(source, sizeof(source), "the signed checkpoint of %s", when);
    if (positions_add(&c->ps, st.lines, st.log_head, source) < 0)
        faults++; /* out of memory: said below as a fault rather than passed over */
    for (int r = 0; r < CKPT_REPOS; r++) {
        if (!st.heads[r][0])
            continue;
        int in = repos[r] ? store_contains(repos[r], st.heads[r]) : KENES_ENOTFOUND;
        if (in == 1)
            continue;
        faults++;
        printf("%s: main does not contain %s, its head in %s: its history was rolled back%s\n",
               ckpt_repo_names[r], st.heads[r], source,
               in == KENES_ENOTFOUND ? " (the commit is gone from the repository)" : "");
    }
    return faults;
}

/* Each commit an auditor saw must still be in main of the repository that
 * holds it. */
static size_t check_descends(store *const repos[CKPT_REPOS], const anchor_pins *pins)
{
    size_t faults = 0;
    for (size_t i = 0; pins && i < pins->ndescends; i++) {
        const char *want = pins->descends_from[i];
        int found = 0, held = -1;
        for (int r = 0; r < CKPT_REPOS && !found; r++) {
            int in = repos[r] ? store_contains(repos[r], want) : KENES_ENOTFOUND;
            if (in == KENES_EINVAL)
                break;
            if (in == 1)
                found = 1;
            else if (in == 0)
                held = r;
        }
        if (found)
            continue;
        faults++;
        if (held >= 0)
            printf("%s: main does not contain %s (--descends-from): its history was rolled "
                   "back or rewritten since that commit was seen\n", ckpt_repo_names[held], want);
        else
            printf("--descends-from %s: no repository holds this commit: its history was "
                   "rolled back past it (or it is no commit of this server)\n", want);
    }
    return faults;
}

size_t anchor_check_run(anchor_check *c, size_t *lines, const char *data_dir,
                        const unsigned char (*keys)[SIGN_PUBKEY_BYTES], size_t nkeys,
                        const anchor_pins *pins)
{
    store *repos[CKPT_REPOS] = {NULL, NULL};
    char path[4096], err[512] = "", what[700];
    size_t faults = 0;
    *lines = 0;
    /* Read synchronously: the loop only runs the stores' closing. */
    uv_loop_t loop;
    int looping = uv_loop_init(&loop) == 0;
    for (int r = 0; r < CKPT_REPOS && looping; r++) {
        util_path(path, sizeof(path), data_dir, ckpt_repo_names[r]);
        if (access(path, F_OK) != 0 ||
            store_open(&repos[r], &loop, path, "kenes", "kenes@localhost") < 0)
            repos[r] = NULL;
    }
    /* A copy of the repositories alone (an auditor's mirror: no signing
     * key, no log, no checkpoint) is checked without the log, and says so;
     * the server's own folder (it holds keys/signing.key, without which
     * serve does not run) must have both, once commits vouch for them. */
    util_path(path, sizeof(path), data_dir, "keys/" SIGN_KEY_FILE);
    int server_folder = access(path, F_OK) == 0;
    util_path(path, sizeof(path), data_dir, "access.log");
    int has_log = access(path, F_OK) == 0 || errno != ENOENT;
    util_path(path, sizeof(path), data_dir, CKPT_FILE);
    int has_ckpt = access(path, F_OK) == 0 || errno != ENOENT;
    if (!server_folder && !has_log && !has_ckpt) {
        if (c->trailers)
            printf("access.log: not in this copy of the repositories, so not checked against "
                   "the positions %zu commit%s vouch for\n", c->trailers,
                   c->trailers == 1 ? "" : "s");
        c->ps.n = 0; /* only an auditor's pin still holds */
    }
    faults += check_checkpoint(c, repos, data_dir, keys, nkeys, server_folder || has_log);
    faults += check_descends(repos, pins);
    size_t pinned_lines;
    char pinned_head[CKPT_HASH_HEX];
    if (pins && pins->log_at && anchor_parse_log_at(&pinned_lines, pinned_head, pins->log_at) == 0 &&
        positions_add(&c->ps, pinned_lines, pinned_head, "the pinned position (--log-at)") < 0)
        faults++;
    int exists;
    util_path(path, sizeof(path), data_dir, "access.log");
    long bad = positions_scan(&c->ps, &exists, lines, path, err, sizeof(err));
    /* A broken chain is said alone: the positions after it mean nothing. */
    if (bad != 0) {
        printf("access.log: %s\n", bad > 0 ? err : "cannot be read");
        faults++;
    } else if (positions_judge(what, sizeof(what), &c->ps, exists, *lines)) {
        printf("access.log: %s\n", what);
        faults++;
    }
    for (int r = 0; r < CKPT_REPOS; r++)
        store_close(repos[r]);
    if (looping) {
        uv_run(&loop, UV_RUN_DEFAULT);
        uv_loop_close(&loop);
    }
    return faults;
}
