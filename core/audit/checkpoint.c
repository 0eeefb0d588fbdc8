#include "audit/checkpoint.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "kenes/plugin.h"
#include "base/error.h"
#include "base/log.h"
#include "base/util.h"

const char *const ckpt_repo_names[CKPT_REPOS] = {"documents.git", "cases.git"};

#define SIG_BEGIN "-----BEGIN SSH SIGNATURE-----"

static int all_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
            return 0;
    return 1;
}

int ckpt_format(char **out, size_t *len, const ckpt_state *st, const signer *sig)
{
    util_buf b;
    char when[32];
    char *armored = NULL;
    size_t armored_len = 0;
    *out = NULL;
    util_buf_init(&b);
    util_format_rfc3339(when, sizeof(when), st->time_ms);
    util_buf_printf(&b, "%s\ntime %s\naccess.log %zu %s\n", CKPT_MAGIC, when, st->lines,
                    st->log_head);
    for (int r = 0; r < CKPT_REPOS; r++)
        util_buf_printf(&b, "%s %s\n", ckpt_repo_names[r], st->heads[r][0] ? st->heads[r] : "-");
    if (!b.data) {
        util_buf_dispose(&b);
        return KENES_ENOMEM;
    }
    int rc = sign_buffer(sig, &armored, &armored_len, b.data, b.len);
    if (rc == 0)
        util_buf_append(&b, armored, armored_len);
    free(armored);
    if (rc < 0) {
        util_buf_dispose(&b);
        return rc;
    }
    *out = util_buf_detach(&b, len);
    return *out ? 0 : KENES_ENOMEM;
}

int ckpt_parse_position(size_t *lines, char head[CKPT_HASH_HEX], const char *value)
{
    char *end;
    if (!value || !isdigit((unsigned char)value[0]))
        return KENES_EINVAL;
    errno = 0;
    unsigned long long n = strtoull(value, &end, 10);
    if (errno || *end != ' ' || strlen(end + 1) != CKPT_HASH_HEX - 1 ||
        !all_hex(end + 1, CKPT_HASH_HEX - 1))
        return KENES_EINVAL;
    *lines = (size_t)n;
    memcpy(head, end + 1, CKPT_HASH_HEX);
    return 0;
}

/* The next line of text as [*line, *line + *n), or 0 at the end. */
static int next_line(const char **line, size_t *n, const char **p, const char *end)
{
    if (*p >= end)
        return 0;
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));
    if (!nl)
        return 0; /* every line kenes writes ends in a newline */
    *line = *p;
    *n = (size_t)(nl - *p);
    *p = nl + 1;
    return 1;
}

/* "<key> <value>" with value copied into out (cap bytes with its NUL). */
static int keyed(char *out, size_t cap, const char *line, size_t n, const char *key)
{
    size_t k = strlen(key);
    if (n <= k + 1 || memcmp(line, key, k) != 0 || line[k] != ' ' || n - k - 1 >= cap)
        return KENES_EINVAL;
    memcpy(out, line + k + 1, n - k - 1);
    out[n - k - 1] = '\0';
    return 0;
}

int ckpt_parse(ckpt_state *out, size_t *body_len, const char *text, size_t len, char *err,
               size_t errcap)
{
    const char *p = text, *end = text + len, *line;
    size_t n;
    char value[128];
    memset(out, 0, sizeof(*out));
    if (!next_line(&line, &n, &p, end) || n != strlen(CKPT_MAGIC) ||
        memcmp(line, CKPT_MAGIC, n) != 0) {
        snprintf(err, errcap, "does not start with \"%s\"", CKPT_MAGIC);
        return KENES_EINVAL;
    }
    if (!next_line(&line, &n, &p, end) || keyed(value, sizeof(value), line, n, "time") < 0 ||
        util_parse_rfc3339(&out->time_ms, value) < 0) {
        snprintf(err, errcap, "line 2 is not \"time <RFC 3339>\"");
        return KENES_EINVAL;
    }
    if (!next_line(&line, &n, &p, end) ||
        keyed(value, sizeof(value), line, n, "access.log") < 0 ||
        ckpt_parse_position(&out->lines, out->log_head, value) < 0) {
        snprintf(err, errcap, "line 3 is not \"access.log <lines> <SHA-256 hex>\"");
        return KENES_EINVAL;
    }
    for (int r = 0; r < CKPT_REPOS; r++) {
        if (!next_line(&line, &n, &p, end) ||
            keyed(value, sizeof(value), line, n, ckpt_repo_names[r]) < 0 ||
            (strcmp(value, "-") != 0 &&
             (strlen(value) != CKPT_OID_HEX - 1 || !all_hex(value, CKPT_OID_HEX - 1)))) {
            snprintf(err, errcap, "line %d is not \"%s <commit>\"", 4 + r, ckpt_repo_names[r]);
            return KENES_EINVAL;
        }
        if (strcmp(value, "-") != 0)
            memcpy(out->heads[r], value, CKPT_OID_HEX);
    }
    if ((size_t)(end - p) < strlen(SIG_BEGIN) || memcmp(p, SIG_BEGIN, strlen(SIG_BEGIN)) != 0) {
        snprintf(err, errcap, "no signature after line %d", 3 + CKPT_REPOS);
        return KENES_EINVAL;
    }
    *body_len = (size_t)(p - text);
    return 0;
}

int ckpt_check_signature(const char *text, size_t len, size_t body_len,
                         const unsigned char (*keys)[SIGN_PUBKEY_BYTES], size_t nkeys)
{
    unsigned char pk[SIGN_PUBKEY_BYTES];
    if (body_len > len || sign_signature_key(pk, text + body_len, len - body_len) < 0)
        return KENES_EINVAL;
    for (size_t i = 0; i < nkeys; i++)
        if (memcmp(keys[i], pk, SIGN_PUBKEY_BYTES) == 0)
            return sign_verify(text + body_len, len - body_len, text, body_len, pk) == 0
                       ? 0
                       : KENES_EFORBIDDEN;
    return KENES_EFORBIDDEN;
}

/* ---- the live checkpoint ---- */

struct checkpoint {
    char *path;
    const signer *sig;
    /* write_lock orders whole rewrites (state taken, signed, written,
     * renamed); state_lock guards st and text only, so readers on the loop
     * never wait for a disk. */
    uv_mutex_t write_lock;
    uv_mutex_t state_lock;
    ckpt_state st; /* what the file says */
    char *text;    /* the file */
    /* Heads committed whose rewrite failed ("" for none): the next rewrite
     * names them.  With write_lock, as failures. */
    char owed[CKPT_REPOS][CKPT_OID_HEX];
    size_t failures; /* rewrites failed in a row */
};

/* Write next as the file; on success it becomes the state.  Called with
 * write_lock held. */
static int rewrite(checkpoint *c, ckpt_state *next)
{
    char *text = NULL;
    size_t len = 0;
    next->time_ms = util_now_ms();
    int rc = ckpt_format(&text, &len, next, c->sig);
    /* The folder is synced too: at start, lines of the log past the
     * checkpoint were never answered for and are cut back, which is only
     * right if a checkpoint that was answered for cannot be lost. */
    if (rc == 0 && (rc = util_write_file_atomic(c->path, text, len, 0600)) < 0) {
        /* Once per run of failures, not once per batch (a full disk). */
        if (c->failures++ == 0)
            log_error("access", "%s: cannot write the checkpoint: %s; reads of confidential "
                      "documents are refused until it can be, writes are answered (their "
                      "commits are made: the checkpoint names an older head meanwhile, which "
                      "verify accepts)", c->path, kenes_strerror(rc));
        rc = KENES_EIO;
    }
    if (rc < 0) {
        free(text);
        return rc;
    }
    if (c->failures) {
        log_warn("access", "%s: the checkpoint is written again, after %zu failed rewrite%s",
                 c->path, c->failures, c->failures == 1 ? "" : "s");
        c->failures = 0;
    }
    memset(c->owed, 0, sizeof(c->owed));
    uv_mutex_lock(&c->state_lock);
    c->st = *next;
    free(c->text);
    c->text = text;
    uv_mutex_unlock(&c->state_lock);
    return 0;
}

/* The heads owed by failed rewrites, into next (the newest state). */
static void pay_owed(const checkpoint *c, ckpt_state *next)
{
    for (int r = 0; r < CKPT_REPOS; r++)
        if (c->owed[r][0])
            memcpy(next->heads[r], c->owed[r], CKPT_OID_HEX);
}

int ckpt_new(checkpoint **out, const char *path, const signer *sig, const ckpt_state *st,
             char *err, size_t errcap)
{
    *out = NULL;
    checkpoint *c = calloc(1, sizeof(*c));
    if (!c || !(c->path = strdup(path))) {
        free(c);
        snprintf(err, errcap, "out of memory");
        return KENES_ENOMEM;
    }
    c->sig = sig;
    c->st = *st;
    uv_mutex_init(&c->write_lock);
    uv_mutex_init(&c->state_lock);
    ckpt_state first = *st;
    int rc = rewrite(c, &first);
    if (rc < 0) {
        snprintf(err, errcap, "%.900s: cannot be written", path);
        ckpt_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

void ckpt_free(checkpoint *c)
{
    if (!c)
        return;
    uv_mutex_destroy(&c->write_lock);
    uv_mutex_destroy(&c->state_lock);
    free(c->text);
    free(c->path);
    free(c);
}

int ckpt_advance_log(checkpoint *c, size_t lines, const char head[CKPT_HASH_HEX])
{
    uv_mutex_lock(&c->write_lock);
    ckpt_state next;
    ckpt_current(c, &next);
    pay_owed(c, &next);
    next.lines = lines;
    memcpy(next.log_head, head, CKPT_HASH_HEX);
    int rc = rewrite(c, &next);
    uv_mutex_unlock(&c->write_lock);
    return rc;
}

int ckpt_advance_head(checkpoint *c, int repo, const char *commit)
{
    if (repo < 0 || repo >= CKPT_REPOS || strlen(commit) != CKPT_OID_HEX - 1)
        return KENES_EINVAL;
    uv_mutex_lock(&c->write_lock);
    ckpt_state next;
    ckpt_current(c, &next);
    pay_owed(c, &next);
    memcpy(next.heads[repo], commit, CKPT_OID_HEX);
    int rc = rewrite(c, &next);
    if (rc < 0)
        memcpy(c->owed[repo], commit, CKPT_OID_HEX);
    uv_mutex_unlock(&c->write_lock);
    return rc;
}

void ckpt_current(checkpoint *c, ckpt_state *out)
{
    uv_mutex_lock(&c->state_lock);
    *out = c->st;
    uv_mutex_unlock(&c->state_lock);
}

int ckpt_signed_text(checkpoint *c, char **out)
{
    uv_mutex_lock(&c->state_lock);
    *out = c->text ? strdup(c->text) : NULL;
    uv_mutex_unlock(&c->state_lock);
    return *out ? 0 : KENES_ENOMEM;
}
