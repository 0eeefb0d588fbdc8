/*
 * Every operation on one document, as a continuation that has the
 * document's JSON first (fetch.h): at hand, the operation runs at once as
 * before; not, its arguments are copied, the file is read on the thread
 * pool, and the operation runs once it is in memory.  A write whose plugin
 * asked for a document not in memory (a referral naming a case) is judged
 * again once that one is read, from the start, so that nothing it decided
 * rests on a document it could not see.
 */
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "docs/attachments.h"
#include "docs/docs.h"
#include "docs/fetch.h"
#include "docs/internal.h"

/* A write judged this many times without the documents it asks for all in
 * memory at once (a cache smaller than what one write reads) is refused. */
#define OPS_MAX_TRIES 4

enum op_kind {
    OP_CREATE,
    OP_EDIT,
    OP_TRANSITION,
    OP_ERASE,
    OP_READ,
    OP_READ_AT,
    OP_EXPORT,
    OP_ATTACH,
    OP_DETACH,
    OP_ATTACHMENT_READ
};

typedef struct op_args {
    enum op_kind kind;
    docs_service *svc;
    const auth_user *u;
    idx_doc *d;   /* NULL for a create */
    json_t *json; /* a create's or an edit's body, a transition's fields */
    char *version, *a, *b; /* a: action, reason, aid or name; b: comment or media type */
    char *data;
    size_t len;
    int64_t at_ms;
    int flags;
    docs_packer pk;
    docs_cb cb;
    void *payload;
    int tries;
    int prefetched; /* the documents its ref fields name were read */
    /* What its plugin asked for, kept in memory until it is over: judged
     * again, it must find all of them at once, not each but the last. */
    idx_doc *held[64];
    size_t nheld;
} op_args;

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void op_free(op_args *x)
{
    for (size_t i = 0; i < x->nheld; i++)
        docs_fetch_unpin(x->svc, x->held[i]);
    if (x->d)
        docs_fetch_unpin(x->svc, x->d);
    json_decref(x->json);
    free(x->version);
    free(x->a);
    free(x->b);
    free(x->data);
    free(x);
}

/* The arguments copied: the caller's may go once it returns. */
static op_args *op_copy(const op_args *in)
{
    op_args *x = calloc(1, sizeof(*x));
    if (!x)
        return NULL;
    *x = *in;
    if (x->d) /* kept in memory, once read, until the operation is over */
        docs_fetch_pin(x->d);
    x->nheld = 0;
    x->json = json_incref(in->json);
    x->version = dup_or_null(in->version);
    x->a = dup_or_null(in->a);
    x->b = dup_or_null(in->b);
    x->data = NULL;
    if (in->data && !(x->data = malloc(in->len ? in->len : 1))) {
        x->data = NULL;
        op_free(x);
        return NULL;
    }
    if (in->data)
        memcpy(x->data, in->data, in->len);
    if ((in->version && !x->version) || (in->a && !x->a) || (in->b && !x->b)) {
        op_free(x);
        return NULL;
    }
    return x;
}

/* The operation, d's JSON at hand: 0 or KENES_EBUSY (judged again). */
static int op_run_now(op_args *x)
{
    switch (x->kind) {
    case OP_CREATE:
        return docs_create_now(x->svc, x->u, x->json, x->flags, x->cb, x->payload);
    case OP_EDIT:
        return docs_edit_now(x->svc, x->u, x->d, x->json, x->version, x->flags, x->cb,
                             x->payload);
    case OP_TRANSITION:
        return docs_transition_fields_now(x->svc, x->u, x->d, x->a, x->b, x->json, x->version,
                                          x->flags, x->cb, x->payload);
    case OP_ERASE:
        docs_erase_now(x->svc, x->u, x->d, x->a, x->version, x->flags, x->cb, x->payload);
        return 0;
    case OP_READ:
        docs_read_now(x->svc, x->u, x->d, x->cb, x->payload);
        return 0;
    case OP_READ_AT:
        docs_read_at_now(x->svc, x->u, x->d, x->at_ms, x->cb, x->payload);
        return 0;
    case OP_EXPORT:
        docs_export_now(x->svc, x->u, x->d, &x->pk, x->cb, x->payload);
        return 0;
    case OP_ATTACH:
        docs_attach_now(x->svc, x->u, x->d, x->a, x->b, x->data, x->len, x->version, x->cb,
                        x->payload);
        return 0;
    case OP_DETACH:
        docs_detach_now(x->svc, x->u, x->d, x->a, x->version, x->cb, x->payload);
        return 0;
    case OP_ATTACHMENT_READ:
        docs_attachment_read_now(x->svc, x->u, x->d, x->a, x->version, x->cb, x->payload);
        return 0;
    }
    return 0;
}

/* The operation with its document pinned (fetch.h): what its plugin reads
 * of other documents (a roster, a plan: parsed from their text) must not
 * push it out of the cache while it is judged. */
static int op_now(op_args *x)
{
    idx_doc *d = x->d;
    if (d)
        docs_fetch_pin(d);
    int rc = op_run_now(x);
    if (d)
        docs_fetch_unpin(x->svc, d);
    return rc;
}

static void op_resume(void *args);
static void op_failed(int code, void *args);

/* The documents noted as missed, pinned for as long as x lives; then read. */
static int read_misses(op_args *x)
{
    for (size_t i = 0; i < docs_fetch_misses(); i++) {
        idx_doc *m = docs_fetch_miss_at(i);
        size_t k = 0;
        while (k < x->nheld && x->held[k] != m)
            k++;
        if (k == x->nheld && x->nheld < UTIL_ARRAY_LEN(x->held)) {
            docs_fetch_pin(m);
            x->held[x->nheld++] = m;
        }
    }
    return docs_fetch_missed(x->svc, op_resume, x);
}

/* x (a copy) ran and asked for more: read what its plugin missed, then
 * run again; x is freed unless it waits. */
static void op_after(op_args *x, int rc)
{
    if (rc == KENES_EBUSY && ++x->tries < OPS_MAX_TRIES && read_misses(x))
        return;
    docs_fetch_clear_misses();
    if (rc == KENES_EBUSY)
        docs_fetch_refuse(KENES_EBUSY, x->cb, x->payload);
    op_free(x);
}

/* Each document a ref field of obj names (decl: the schema's fields, groups
 * and lists of groups at any depth) that is not in memory, noted. */
static void note_refs(docs_service *svc, const json_t *decl, const json_t *obj, int depth)
{
    size_t i;
    const json_t *f;
    if (!json_is_object(obj) || depth > 8)
        return;
    json_array_foreach(decl, i, f)
    {
        const char *name = doc_str(f, "name"), *kind = doc_str(f, "kind");
        const json_t *v = name ? json_object_get(obj, name) : NULL;
        if (!v || !kind)
            continue;
        if (strcmp(kind, "ref") == 0 && json_is_string(v)) {
            idx_doc *r = index_get(svc->index, json_string_value(v));
            if (r && r->version[0] && !r->doc && !docs_erased(svc, r) &&
                !docs_key_unavailable(svc, r))
                docs_fetch_note_miss(svc, r);
        } else if (strcmp(kind, "group") == 0) {
            note_refs(svc, json_object_get(f, "fields"), v, depth + 1);
        } else if (strcmp(kind, "list") == 0 && json_is_array(v)) {
            size_t k;
            const json_t *row;
            json_array_foreach(v, k, row)
                note_refs(svc, json_object_get(f, "fields"), row, depth + 1);
        }
    }
}

/* Before a write is judged: the documents its ref fields name (what its
 * plugin will ask for with doc_with), noted when not in memory; the number
 * noted. */
static size_t refs_missing(const op_args *x)
{
    docs_fetch_clear_misses();
    if (x->kind != OP_CREATE && x->kind != OP_EDIT && x->kind != OP_TRANSITION)
        return 0;
    const json_t *doc = x->kind == OP_CREATE ? x->json : x->d->doc;
    const json_t *schema = docs_schema(x->svc, doc_str(doc, "type"));
    const json_t *decl = json_object_get(schema, "fields");
    if (!decl)
        return 0;
    note_refs(x->svc, decl, json_object_get(doc, "fields"), 0);
    if (x->kind == OP_EDIT)
        note_refs(x->svc, decl, json_object_get(x->json, "fields"), 0);
    if (x->kind == OP_TRANSITION)
        note_refs(x->svc, decl, x->json, 0);
    return docs_fetch_misses();
}

/* 1 if x's document is sealed with a key only listed: its file is read on
 * the pool before the operation seals or opens anything with it. */
static int key_listed(const op_args *x)
{
    return x->d && x->d->repo == REPO_CASES && vault_key_listed(x->svc->vault, x->d->id);
}

static void op_resume(void *args)
{
    op_args *x = args;
    if (x->d && !x->d->doc) {
        /* Pushed out while the others were read: fetched again. */
        if (docs_fetch_first(x->svc, x->d, op_resume, op_failed, x) == 1)
            return;
    }
    if (key_listed(x) && docs_key_first(x->svc, x->d, op_resume, op_failed, x) == 1)
        return;
    if (!x->prefetched) {
        x->prefetched = 1;
        if (refs_missing(x) && read_misses(x))
            return;
    }
    op_after(x, op_now(x));
}

static void op_failed(int code, void *args)
{
    op_args *x = args;
    docs_fetch_refuse(code, x->cb, x->payload);
    op_free(x);
}


/* Run in (the caller's arguments) now if d's JSON is at hand, else once
 * it is read. */
static void op_run(op_args *in)
{
    op_args *x;
    if ((!in->d || docs_fetch_ready(in->svc, in->d)) && !key_listed(in) && !refs_missing(in)) {
        int rc = op_now(in);
        if (rc != KENES_EBUSY)
            return;
        if (!(x = op_copy(in))) {
            docs_fetch_clear_misses();
            docs_fetch_refuse(KENES_ENOMEM, in->cb, in->payload);
            return;
        }
        op_after(x, rc);
        return;
    }
    if (!(x = op_copy(in))) {
        docs_fetch_clear_misses();
        docs_fetch_refuse(KENES_ENOMEM, in->cb, in->payload);
        return;
    }
    /* Its document, then what its ref fields name, then the operation. */
    op_resume(x);
}

/* ---- the operations (docs.h, attachments.h) ---- */

void docs_create(docs_service *svc, const auth_user *u, const json_t *body, int flags,
                 docs_cb cb, void *payload)
{
    op_args in = {.kind = OP_CREATE, .svc = svc, .u = u, .json = (json_t *)body,
                  .flags = flags, .cb = cb, .payload = payload};
    op_run(&in);
}

void docs_edit(docs_service *svc, const auth_user *u, idx_doc *d, const json_t *body,
               const char *version, int flags, docs_cb cb, void *payload)
{
    op_args in = {.kind = OP_EDIT, .svc = svc, .u = u, .d = d, .json = (json_t *)body,
                  .version = (char *)version, .flags = flags, .cb = cb, .payload = payload};
    op_run(&in);
}

void docs_transition_fields(docs_service *svc, const auth_user *u, idx_doc *d, const char *action,
                            const char *comment, const json_t *fields, const char *version,
                            int flags, docs_cb cb, void *payload)
{
    op_args in = {.kind = OP_TRANSITION, .svc = svc, .u = u, .d = d, .json = (json_t *)fields,
                  .a = (char *)action, .b = (char *)comment, .version = (char *)version,
                  .flags = flags, .cb = cb, .payload = payload};
    op_run(&in);
}

void docs_transition(docs_service *svc, const auth_user *u, idx_doc *d, const char *action,
                     const char *comment, const char *version, int flags, docs_cb cb,
                     void *payload)
{
    docs_transition_fields(svc, u, d, action, comment, NULL, version, flags, cb, payload);
}

void docs_erase(docs_service *svc, const auth_user *u, idx_doc *d, const char *reason,
                const char *version, int flags, docs_cb cb, void *payload)
{
    op_args in = {.kind = OP_ERASE, .svc = svc, .u = u, .d = d, .a = (char *)reason,
                  .version = (char *)version, .flags = flags, .cb = cb, .payload = payload};
    op_run(&in);
}

void docs_read(docs_service *svc, const auth_user *u, const idx_doc *d, docs_cb cb,
               void *payload)
{
    op_args in = {.kind = OP_READ, .svc = svc, .u = u, .d = (idx_doc *)d, .cb = cb,
                  .payload = payload};
    op_run(&in);
}

void docs_read_at(docs_service *svc, const auth_user *u, const idx_doc *d, int64_t at_ms,
                  docs_cb cb, void *payload)
{
    op_args in = {.kind = OP_READ_AT, .svc = svc, .u = u, .d = (idx_doc *)d, .at_ms = at_ms,
                  .cb = cb, .payload = payload};
    op_run(&in);
}

void docs_export(docs_service *svc, const auth_user *u, const idx_doc *d, const docs_packer *pk,
                 docs_cb cb, void *payload)
{
    op_args in = {.kind = OP_EXPORT, .svc = svc, .u = u, .d = (idx_doc *)d, .pk = *pk, .cb = cb,
                  .payload = payload};
    op_run(&in);
}

void docs_attach(docs_service *svc, const auth_user *u, idx_doc *d, const char *name,
                 const char *media_type, const char *data, size_t len, const char *version,
                 docs_cb cb, void *payload)
{
    op_args in = {.kind = OP_ATTACH, .svc = svc, .u = u, .d = d, .a = (char *)name,
                  .b = (char *)media_type, .data = (char *)data, .len = len,
                  .version = (char *)version, .cb = cb, .payload = payload};
    op_run(&in);
}

void docs_detach(docs_service *svc, const auth_user *u, idx_doc *d, const char *aid,
                 const char *version, docs_cb cb, void *payload)
{
    op_args in = {.kind = OP_DETACH, .svc = svc, .u = u, .d = d, .a = (char *)aid,
                  .version = (char *)version, .cb = cb, .payload = payload};
    op_run(&in);
}

void docs_attachment_read(docs_service *svc, const auth_user *u, const idx_doc *d,
                          const char *aid, const char *commit, docs_cb cb, void *payload)
{
    op_args in = {.kind = OP_ATTACHMENT_READ, .svc = svc, .u = u, .d = (idx_doc *)d,
                  .a = (char *)aid, .version = (char *)commit, .cb = cb, .payload = payload};
    op_run(&in);
}
