#include "docs/attachments.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/util.h"
#include "docs/filetype.h"
#include "docs/internal.h"
#include "docs/rights.h"
#include "storage/docfile.h"

#define ATTACH_DEFAULT_MAX (10u * 1024 * 1024)

static void refuse(docs_cb cb, void *payload, int code, const char *reason, const char *path,
                   const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Refuse with code and reason; path names the field at fault (NULL: none),
 * whose code is the reason word itself. */
static void refuse(docs_cb cb, void *payload, int code, const char *reason, const char *path,
                   const char *fmt, ...)
{
    char msg[256];
    UTIL_FORMAT(msg, fmt);
    json_t *fields = path ? json_pack("[{s:s, s:s, s:s}]", "path", path, "code", reason,
                                      "message", msg)
                          : NULL;
    docs_result r = {.code = code, .reason = reason, .message = msg, .fields = fields};
    cb(&r, payload);
    json_decref(fields);
}

const json_t *docs_attachment_find(const json_t *doc, const char *aid)
{
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(doc, "attachments"), i, a)
    {
        const char *id = json_string_value(json_object_get(a, "id"));
        if (id && aid && strcmp(id, aid) == 0)
            return a;
    }
    return NULL;
}

/* 1 if the stage is one attach: names. */
static int stage_allowed(const wf_workflow *wf, const char *stage)
{
    for (size_t i = 0; stage && i < wf->nattach_stages; i++)
        if (strcmp(wf->attach_stages[i], stage) == 0)
            return 1;
    return 0;
}

int docs_may_attach(const docs_service *svc, const auth_user *u, const idx_doc *d)
{
    const wf_workflow *wf = wf_set_find(svc->workflows, doc_str(d->doc, "type"));
    return u && wf && wf->has_attach && !docs_erased(svc, d) &&
           access_scoped(u, wf->attach_roles, wf->attach_scope, doc_str(d->doc, "region")) &&
           stage_allowed(wf, doc_str(d->doc, "stage"));
}

/* The rule for both writes: who, which version, which stage.  0, or cb has
 * the refusal. */
static int may_change(docs_service *svc, const auth_user *u, const idx_doc *d,
                      const char *version, docs_cb cb, void *payload)
{
    const wf_workflow *wf = wf_set_find(svc->workflows, doc_str(d->doc, "type"));
    if (!wf || !wf->has_attach) {
        refuse(cb, payload, KENES_EFORBIDDEN, "forbidden", NULL,
               "this type of document carries no files");
        return KENES_EFORBIDDEN;
    }
    if (!access_scoped(u, wf->attach_roles, wf->attach_scope, doc_str(d->doc, "region"))) {
        refuse(cb, payload, KENES_EFORBIDDEN, "forbidden", NULL,
               "your role may not add or remove files of this document");
        return KENES_EFORBIDDEN;
    }
    if (!version) {
        refuse(cb, payload, KENES_EPRECONDITION, "precondition_required", NULL,
               "say which version you are changing");
        return KENES_EPRECONDITION;
    }
    /* The contract answers a stale version of a file's change as a conflict. */
    if (d->busy || strcmp(version, d->version) != 0) {
        refuse(cb, payload, KENES_ECONFLICT, "stale", NULL,
               "the document has changed since that version; reload it");
        return KENES_ECONFLICT;
    }
    const char *stage = doc_str(d->doc, "stage");
    if (!stage_allowed(wf, stage)) {
        refuse(cb, payload, KENES_EFORBIDDEN, "forbidden", NULL,
               "files cannot be added or removed in stage '%s'", stage ? stage : "");
        return KENES_EFORBIDDEN;
    }
    return 0;
}

/* ---- attach and detach ---- */

typedef struct file_op {
    char path[320];
    store_file file;
    char *bytes; /* what the commit stores (sealed for a case) */
    json_t *entry;
    char aid[24];
    docs_cb cb;
    void *payload;
} file_op;

static void file_op_free(file_op *op)
{
    if (op) {
        free(op->bytes);
        json_decref(op->entry);
        free(op);
    }
}

static void file_written(const docs_result *r, void *payload)
{
    file_op *op = payload;
    if (r->code < 0) {
        op->cb(r, op->payload);
    } else {
        docs_result done = *r;
        done.json = op->entry ? json_pack("{s:O, s:s}", "attachment", op->entry, "version",
                                          r->version)
                              : json_pack("{s:s, s:s}", "removed", op->aid, "version",
                                          r->version);
        op->cb(&done, op->payload);
        json_decref(done.json);
    }
    file_op_free(op);
}

/* One commit of d (newdoc stolen) that keeps its stage and writes op's file. */
static void submit(docs_service *svc, idx_doc *d, json_t *newdoc, const auth_user *u,
                   const char *action, const char *comment, file_op *op)
{
    const kenes_doctype *t = plugin_find_type(svc->plugins, doc_str(d->doc, "type"));
    docs_change ch = {.action = action, .to = doc_str(d->doc, "stage"), .comment = comment,
                      .files = &op->file, .nfiles = 1};
    docs_submit_write(svc, d, newdoc, u, &ch, t ? t->noun : "document", 0, file_written, op);
}

static void hex_of(char *out, const unsigned char *bytes, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 15];
    }
    out[2 * n] = '\0';
}

/* The refusal of a file by its name, size, type and bytes, before anything
 * is made: 0, or cb has it. */
static int check_file(const docs_service *svc, const idx_doc *d, const char *name,
                      const char *media_type, const char *data, size_t len, docs_cb cb,
                      void *payload)
{
    size_t max = svc->cfg && svc->cfg->attachments_max_bytes ? svc->cfg->attachments_max_bytes
                                                             : ATTACH_DEFAULT_MAX;
    if (!name || !filetype_name_ok(name, strlen(name))) {
        refuse(cb, payload, KENES_EVALIDATION, "attachment_name", "name",
               "a file name is 1 to %d bytes without control or invisible characters "
               "(direction marks, zero-width characters, line separators), '/' or '\\'",
               FILETYPE_NAME_MAX);
        return KENES_EVALIDATION;
    }
    if (len > max) {
        refuse(cb, payload, KENES_ETOOBIG, "attachment_too_big", "content",
               "a file is at most %zu bytes", max);
        return KENES_ETOOBIG;
    }
    const char *why = filetype_refusal(media_type, (const unsigned char *)data, len);
    if (why) {
        refuse(cb, payload, KENES_EVALIDATION, why, "content", "%s",
               strcmp(why, "attachment_empty") == 0  ? "the file is empty"
               : strcmp(why, "attachment_type") == 0 ? "a file is a PDF, a PNG or a JPEG"
                                                     : "the file's content is not of the type "
                                                       "it was sent as");
        return KENES_EVALIDATION;
    }
    if (json_array_size(json_object_get(d->doc, "attachments")) >= DOCS_MAX_ATTACHMENTS) {
        refuse(cb, payload, KENES_EVALIDATION, "attachment_count", "attachments",
               "a version carries at most %d files", DOCS_MAX_ATTACHMENTS);
        return KENES_EVALIDATION;
    }
    return 0;
}

void docs_attach_now(docs_service *svc, const auth_user *u, idx_doc *d, const char *name,
                 const char *media_type, const char *data, size_t len, const char *version,
                 docs_cb cb, void *payload)
{
    if (may_change(svc, u, d, version, cb, payload) < 0 ||
        check_file(svc, d, name, media_type, data, len, cb, payload) < 0)
        return;
    file_op *op = calloc(1, sizeof(*op));
    unsigned char rnd[8], sum[crypto_hash_sha256_BYTES];
    char sha[2 * crypto_hash_sha256_BYTES + 1], added[32];
    if (!op)
        goto fail;
    op->cb = cb;
    op->payload = payload;
    randombytes_buf(rnd, sizeof(rnd));
    hex_of(op->aid, rnd, sizeof(rnd));
    crypto_hash_sha256(sum, (const unsigned char *)data, len);
    hex_of(sha, sum, sizeof(sum));
    util_format_rfc3339(added, sizeof(added), util_now_ms());
    op->entry = json_pack("{s:s, s:s, s:s, s:I, s:s, s:s, s:s}", "id", op->aid, "name", name,
                          "type", filetype_media(filetype_of_media(media_type)), "size",
                          (json_int_t)len, "sha256", sha, "added", added, "by", u->name);
    char suffix[40];
    snprintf(suffix, sizeof(suffix), ".files/%s", op->aid);
    docs_path(op->path, sizeof(op->path), svc, d, suffix);
    size_t blen = len;
    if (!op->entry)
        goto fail;
    if (d->repo == REPO_CASES) {
        /* Sealed with the case's key: a copy of the repository shows no scan. */
        if (vault_seal(svc->vault, d->id, data, len, &op->bytes, &blen) < 0)
            goto fail;
    } else if (!(op->bytes = malloc(len)) || !memcpy(op->bytes, data, len)) {
        goto fail;
    }
    op->file = (store_file){op->path, op->bytes, blen};
    json_t *doc = json_deep_copy(d->doc);
    json_t *list = json_object_get(doc, "attachments");
    if (!json_is_array(list))
        json_object_set_new(doc, "attachments", list = json_array());
    json_array_append(list, op->entry);
    /* A plan's history may name the file; a case's names none (its message
     * and journal are in the clear). */
    submit(svc, d, doc, u, "attach", d->repo == REPO_CASES ? NULL : name, op);
    return;
fail:
    file_op_free(op);
    refuse(cb, payload, KENES_EIO, "internal", NULL, "the file could not be prepared");
}

void docs_detach_now(docs_service *svc, const auth_user *u, idx_doc *d, const char *aid,
                 const char *version, docs_cb cb, void *payload)
{
    if (may_change(svc, u, d, version, cb, payload) < 0)
        return;
    const json_t *entry = docs_attachment_find(d->doc, aid);
    if (!entry) {
        refuse(cb, payload, KENES_ENOTFOUND, "not_found", NULL,
               "this version carries no such file");
        return;
    }
    file_op *op = calloc(1, sizeof(*op));
    if (!op) {
        refuse(cb, payload, KENES_ENOMEM, "internal", NULL, "out of memory");
        return;
    }
    op->cb = cb;
    op->payload = payload;
    snprintf(op->aid, sizeof(op->aid), "%s", aid);
    char suffix[40];
    snprintf(suffix, sizeof(suffix), ".files/%s", aid);
    docs_path(op->path, sizeof(op->path), svc, d, suffix);
    op->file = (store_file){op->path, NULL, 0};
    const char *name = json_string_value(json_object_get(entry, "name"));
    json_t *doc = json_deep_copy(d->doc);
    json_t *list = json_object_get(doc, "attachments");
    size_t i;
    json_t *a;
    json_array_foreach(list, i, a)
    {
        const char *id = json_string_value(json_object_get(a, "id"));
        if (id && strcmp(id, aid) == 0) {
            json_array_remove(list, i);
            break;
        }
    }
    if (json_array_size(list) == 0)
        json_object_del(doc, "attachments");
    submit(svc, d, doc, u, "detach", d->repo == REPO_CASES ? NULL : name, op);
}

/* ---- reading a file ---- */

typedef struct get_op {
    store_read r;
    docs_service *svc;
    const auth_user *user;
    char id[4096];
    char aid[24];
    char path[4200];
    char key_file[4096]; /* a sealed document's key file, read with the document */
    int step;      /* 0: the document at the version; 1: the file */
    json_t *entry; /* the attachment's entry in that version */
    char *data;    /* the bytes, opened */
    size_t len;
    docs_cb cb;
    void *payload;
} get_op;

static void get_op_free(get_op *op)
{
    json_decref(op->entry);
    free(op->data);
    free(op);
}

static void get_answer(get_op *op, int code, const char *reason, const char *message)
{
    if (code < 0) {
        docs_result r = {.code = code, .reason = reason, .message = message};
        op->cb(&r, op->payload);
    } else {
        docs_result r = {.json = op->entry, .data = op->data, .data_len = op->len};
        op->cb(&r, op->payload);
    }
    get_op_free(op);
}

static void get_logged(int status, void *payload)
{
    get_op *op = payload;
    if (status < 0)
        get_answer(op, KENES_EIO, "access_log", "the access log cannot be written");
    else
        get_answer(op, 0, NULL, NULL);
}

/* Sealed bytes opened with the case's key (in place of buf), or buf itself. */
static int open_bytes(get_op *op, char **buf, size_t *len)
{
    if (!vault_is_sealed(*buf, *len))
        return 0;
    char *plain = NULL;
    size_t plen = 0;
    int rc = vault_unseal(op->svc->vault, op->id, *buf, *len, &plain, &plen);
    free(*buf);
    *buf = plain;
    *len = plen;
    return rc;
}

static void get_read_done(store_read *r, void *payload);

static void get_file_read(get_op *op)
{
    const idx_doc *d = index_get(op->svc->index, op->id);
    char *text = op->r.result;
    size_t len = op->r.result_len;
    op->r.result = NULL;
    int rc = op->r.status;
    json_t *doc = NULL;
    char err[128];
    /* The key file the job read beside it (keys.c). */
    int krc = op->r.side_path ? docs_key_settle(op->svc, op->id, op->r.side_status, op->r.side,
                                                op->r.side_len)
                              : 0;
    free(op->r.side);
    op->r.side = NULL;
    op->r.side_path = NULL;
    if (krc < 0)
        rc = krc;
    if (rc == 0)
        rc = open_bytes(op, &text, &len);
    if (rc == 0)
        rc = doc_parse(&doc, text, len, err, sizeof(err)) < 0 ? KENES_EIO : 0;
    free(text);
    const json_t *entry = rc == 0 ? docs_attachment_find(doc, op->aid) : NULL;
    if (rc == KENES_EUNAVAILABLE) { /* docs_key_settle logged it */
        get_answer(op, rc, "case_key_unavailable", "this document's key cannot be read now");
        return;
    }
    if (!d || rc < 0 || !entry) {
        json_decref(doc);
        if (rc < 0 && rc != KENES_ENOTFOUND)
            log_error("store", "cannot read %s at %.12s", op->id, op->r.commit);
        get_answer(op, KENES_ENOTFOUND, "not_found", "that version carries no such file");
        return;
    }
    op->entry = json_deep_copy(entry);
    json_decref(doc);
    op->step = 1;
    char suffix[40];
    snprintf(suffix, sizeof(suffix), ".files/%s", op->aid);
    docs_path(op->path, sizeof(op->path), op->svc, d, suffix);
    op->r.path = op->path;
    if (store_read_submit(docs_store(op->svc, d), &op->r, get_read_done, op) < 0)
        get_answer(op, KENES_EIO, "internal", "cannot start the read");
}

static void get_read_done(store_read *r, void *payload)
{
    get_op *op = payload;
    (void)r;
    if (op->step == 0) {
        get_file_read(op);
        return;
    }
    const idx_doc *d = index_get(op->svc->index, op->id);
    char *data = op->r.result;
    size_t len = op->r.result_len;
    op->r.result = NULL;
    int rc = op->r.status;
    if (rc == 0)
        rc = open_bytes(op, &data, &len);
    op->data = data;
    op->len = len;
    unsigned char sum[crypto_hash_sha256_BYTES];
    char sha[2 * crypto_hash_sha256_BYTES + 1];
    if (rc == 0) {
        crypto_hash_sha256(sum, (const unsigned char *)data, len);
        hex_of(sha, sum, sizeof(sum));
        const char *want = json_string_value(json_object_get(op->entry, "sha256"));
        if (!want || strcmp(want, sha) != 0)
            rc = KENES_EIO;
    }
    if (rc == KENES_EUNAVAILABLE) {
        get_answer(op, rc, "case_key_unavailable", "this document's key cannot be read now");
        return;
    }
    if (!d || rc < 0) {
        log_error("store", "attachment %s of %s at %.12s cannot be read", op->aid, op->id,
                  op->r.commit);
        get_answer(op, KENES_EIO, "storage", "the file cannot be read");
        return;
    }
    if (!docs_confidential(op->svc, d)) {
        get_answer(op, 0, NULL, NULL);
        return;
    }
    int lrc = alog_append(op->svc->alog, op->user->name, role_name(op->user->role), op->id,
                          "attachment", get_logged, op);
    if (lrc < 0)
        get_logged(lrc, op);
}

void docs_attachment_read_now(docs_service *svc, const auth_user *u, const idx_doc *d,
                          const char *aid, const char *commit, docs_cb cb, void *payload)
{
    const char *at = commit ? commit : d->version;
    idx_version seen;
    int known = aid && strlen(aid) == 16 && strspn(aid, "0123456789abcdef") == 16
                    ? docs_find_version(&seen, NULL, d, at)
                    : 0;
    if (known < 0) {
        refuse(cb, payload, KENES_EIO, "storage", NULL, "the history cannot be read now");
        return;
    }
    if (!known) {
        refuse(cb, payload, KENES_ENOTFOUND, "not_found", NULL, "no such file or version");
        return;
    }
    get_op *op = calloc(1, sizeof(*op));
    if (!op) {
        refuse(cb, payload, KENES_ENOMEM, "internal", NULL, "out of memory");
        return;
    }
    op->svc = svc;
    op->user = u;
    op->cb = cb;
    op->payload = payload;
    snprintf(op->id, sizeof(op->id), "%s", d->id);
    snprintf(op->aid, sizeof(op->aid), "%s", aid);
    docs_path(op->path, sizeof(op->path), svc, d, ".md");
    op->r.kind = STORE_READ_FILE;
    op->r.path = op->path;
    if (docs_key_read_path(op->key_file, sizeof(op->key_file), svc, d))
        op->r.side_path = op->key_file;
    snprintf(op->r.commit, sizeof(op->r.commit), "%s", at);
    if (store_read_submit(docs_store(svc, d), &op->r, get_read_done, op) < 0) {
        free(op);
        refuse(cb, payload, KENES_EIO, "internal", NULL, "cannot start the read");
    }
}
