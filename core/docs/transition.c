/*
 * Taking a transition: who may, from which stage, the guards, the four-eyes
 * count, and what the commit writes besides the stage — the fields the
 * taker records (records:), the fields it removes (clears:), the stage it
 * goes back to (back:) and the region it moves the document to (moves:).
 * The write itself is docs.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docs/docs.h"
#include "docs/fetch.h"
#include "docs/internal.h"
#include "docs/quorum.h"
#include "docs/rights.h"
#include "plugin/kapi.h"
#include "plugin/region.h"
#include "storage/docfile.h"
#include "storage/store.h"

int docs_stage_before(const char **out, const wf_workflow *wf, const idx_doc *d,
                      const char *stage)
{
    /* The version that entered the current stage is the first recent one. */
    *out = docs_stage_before_in(wf, d->recent, d->nrecent, stage);
    idx_version *all;
    size_t n;
    if (*out || !d->old.count)
        return 0;
    /* A packed history not read is no "created here": the caller says storage. */
    int rc = index_versions(&all, &n, d);
    if (rc < 0)
        return rc;
    *out = docs_stage_before_in(wf, all, n, stage); /* the workflow's or interned, not all's */
    free(all);
    return 0;
}

const char *docs_stage_before_in(const wf_workflow *wf, const idx_version *versions, size_t n,
                                 const char *stage)
{
    /* The newest version that entered the stage (history may say a former
     * name of it), and the stage it came from, in today's name. */
    for (size_t i = n; i-- > 0;) {
        const idx_version *v = &versions[i];
        if (!v->from || !v->to || strcmp(v->from, v->to) == 0)
            continue;
        if (strcmp(wf_stage_now(wf, v->to), stage) == 0) {
            const char *before = wf_stage_now(wf, v->from);
            return strcmp(before, stage) != 0 ? before : NULL;
        }
    }
    return NULL;
}

/* fields: only what tr records.  0, or refused (every key it does not record). */
static int check_recorded(const wf_transition *tr, const json_t *fields, docs_cb cb,
                          void *payload)
{
    if (!fields || json_is_null(fields))
        return 0;
    if (!json_is_object(fields)) {
        docs_refuse(cb, payload, KENES_EVALIDATION, "validation",
                    docs_one_field("fields", "not_object", "must be an object"),
                    "the recorded fields must be an object");
        return KENES_EVALIDATION;
    }
    json_t *bad = json_array();
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)fields, key, v) {
        if (wf_transition_records(tr, key))
            continue;
        char path[300];
        snprintf(path, sizeof(path), "fields.%s", key);
        json_array_append_new(bad, docs_problem(path, "not_recorded",
                                                "this action does not record this field"));
    }
    if (json_array_size(bad) == 0) {
        json_decref(bad);
        return 0;
    }
    docs_refuse(cb, payload, KENES_EVALIDATION, "validation", bad,
                "'%s' records no such field", tr->action);
    return KENES_EVALIDATION;
}

/* moves: the region fields.<region_field> names, a region code other than
 * the document's own.  0 with *to, or refused. */
static int moved_region(const char **to, const wf_workflow *wf, const json_t *doc, docs_cb cb,
                        void *payload)
{
    const char *named = access_field(doc, wf->region_field);
    const char *own = doc_str(doc, "region");
    char path[300];
    snprintf(path, sizeof(path), "fields.%s", wf->region_field);
    if (!named || !region_find(named)) {
        docs_refuse(cb, payload, KENES_EVALIDATION, "validation",
                    docs_one_field(path, "region_unknown", "no region has this code"),
                    "the document names no region to move to");
        return KENES_EVALIDATION;
    }
    if (own && strcmp(own, named) == 0) {
        docs_refuse(cb, payload, KENES_EVALIDATION, "validation",
                    docs_one_field(path, "region_same", "this is the document's own region"),
                    "the document is in that region already");
        return KENES_EVALIDATION;
    }
    *to = named;
    return 0;
}

/* Run tr's guards on doc (what the commit will write, the recorded fields
 * in it); 0, or refused naming the guard. */
static int run_guards(const wf_transition *tr, const json_t *doc, const struct kenes_ctx *ctx,
                      docs_cb cb, void *payload)
{
    struct kenes_doc view = {.json = doc};
    for (size_t i = 0; i < tr->nguards; i++) {
        kenes_errors errs;
        kapi_errors_init(&errs);
        docs_fetch_clear_misses();
        int rc = tr->guards[i]->check(kapi_get(), &view, ctx, &errs);
        if (docs_fetch_misses()) { /* judged again once what it asked for is read */
            kapi_errors_dispose(&errs);
            return KENES_EBUSY;
        }
        if (rc != 0) {
            /* The guard's name and code too, so that a page can say why in its
             * reader's words. */
            const char *why = errs.message[0] ? errs.message : tr->guard_names[i];
            json_t *fields = docs_one_field("", errs.code[0] ? errs.code : "invalid", why);
            docs_result r = {.code = KENES_EGUARD, .reason = "guard", .message = why,
                             .fields = fields, .guard = tr->guard_names[i]};
            cb(&r, payload);
            json_decref(fields);
            kapi_errors_dispose(&errs);
            return KENES_EGUARD;
        }
        kapi_errors_dispose(&errs);
    }
    return 0;
}

/* The four-eyes round: ch's approval and content, and ch->to the stage
 * itself until the quorum is reached.  0, or refused. */
static int count_approval(docs_change *ch, char approval[16], char content[STORE_OID_HEX],
                          const wf_workflow *wf, const wf_transition *tr, const auth_user *u,
                          const idx_doc *d, docs_cb cb, void *payload)
{
    /* The rule is quorum.c's, so that kenes verify applies it again. */
    quorum_round q;
    int rc = quorum_state_of(&q, wf, tr, d, u->name);
    if (rc < 0) {
        /* Never an empty round instead: it would let an author or a second
         * approval through. */
        docs_refuse(cb, payload, rc, rc == KENES_EIO ? "storage" : "internal", NULL,
                    "the history cannot be read now");
        return rc;
    }
    if (q.again) {
        docs_refuse(cb, payload, KENES_ECONFLICT, "already_approved", NULL,
                    "you have already taken '%s' on this version; another person must",
                    tr->action);
        return KENES_ECONFLICT;
    }
    if (q.author && tr->not_by_authors) {
        docs_refuse(cb, payload, KENES_EFORBIDDEN, "author_cannot_approve", NULL,
                    "you wrote or submitted this text: someone else must %s it", tr->action);
        return KENES_EFORBIDDEN;
    }
    if (!quorum_role_counts(u->role)) {
        docs_refuse(cb, payload, KENES_EFORBIDDEN, "admin_cannot_approve", NULL,
                    "an admin's '%s' does not count toward the four-eyes rule: someone in a "
                    "role the workflow names must take it",
                    tr->action);
        return KENES_EFORBIDDEN;
    }
    /* The text as its file holds it: a stage of the workflow's earlier
     * version is read under today's name (datadir_map_former_stages), and
     * the file's own is the one its last commit wrote. */
    const char *raw = index_head(d) ? index_head(d)->to : NULL;
    json_t *stored = json_deep_copy(d->doc);
    if (raw && stored)
        json_object_set_new(stored, "stage", json_string(raw));
    char *text = NULL;
    size_t len;
    int bad = !stored || doc_serialize(&text, &len, stored) < 0 ||
              store_blob_id(content, text, len) < 0;
    json_decref(stored);
    if (bad) {
        free(text);
        docs_refuse(cb, payload, KENES_EIO, "internal", NULL, "cannot identify the approved text");
        return KENES_EIO;
    }
    free(text);
    snprintf(approval, 16, "%u/%u", q.given + 1, tr->approvals);
    ch->approval = approval;
    ch->content = content;
    if (q.given + 1 < tr->approvals)
        ch->to = ch->from; /* counted; the stage moves once the quorum is reached */
    return 0;
}

/* The document the commit writes: fields recorded, then the region moved
 * (read before clears remove what named it), then fields cleared.  NULL
 * (refused through cb) or the new document. */
static json_t *next_doc(const wf_workflow *wf, const wf_transition *tr, const idx_doc *d,
                        const json_t *fields, docs_cb cb, void *payload)
{
    json_t *doc = json_deep_copy(d->doc);
    json_t *f = json_object_get(doc, "fields");
    if (!json_is_object(f)) {
        f = json_object();
        json_object_set_new(doc, "fields", f);
    }
    const char *key;
    json_t *v;
    if (json_is_object(fields))
        json_object_foreach((json_t *)fields, key, v) json_object_set(f, key, v);
    if (tr->moves) {
        const char *to;
        if (moved_region(&to, wf, doc, cb, payload) < 0) {
            json_decref(doc);
            return NULL;
        }
        json_object_set_new(doc, "region", json_string(to));
    }
    for (size_t i = 0; i < tr->nclears; i++)
        json_object_del(f, tr->clears[i]);
    if (tr->clears_files)
        json_object_del(doc, "attachments");
    return doc;
}

/* clears_files: each file of the version left, removed in the commit
 * (the older versions keep theirs).  *out NULL when there is none. */
static int cleared_files(store_file **out, size_t *n, char ***paths, const wf_transition *tr,
                         const idx_doc *d)
{
    const json_t *list = json_object_get(d->doc, "attachments");
    size_t k = tr->clears_files ? json_array_size(list) : 0;
    *out = NULL;
    *paths = NULL;
    *n = 0;
    if (!k)
        return 0;
    if (k >= STORE_MAX_FILES || !(*out = calloc(k, sizeof(store_file))) ||
        !(*paths = calloc(k, sizeof(char *))))
        return KENES_ENOMEM;
    for (size_t i = 0; i < k; i++) {
        const char *aid = json_string_value(json_object_get(json_array_get(list, i), "id"));
        size_t len = strlen(d->id) + strlen(aid ? aid : "") + 8;
        if (!aid || !((*paths)[i] = malloc(len)))
            return aid ? KENES_ENOMEM : KENES_EIO;
        snprintf((*paths)[i], len, "%s.files/%s", d->id, aid);
        (*out)[i] = (store_file){(*paths)[i], NULL, 0};
        *n = i + 1;
    }
    return 0;
}

static void free_cleared(store_file *files, char **paths, size_t n)
{
    for (size_t i = 0; paths && i < n; i++)
        free(paths[i]);
    free(paths);
    free(files);
}

int docs_transition_fields_now(docs_service *svc, const auth_user *u, idx_doc *d,
                               const char *action, const char *comment, const json_t *fields,
                               const char *version, int flags, docs_cb cb, void *payload)
{
    const char *type = doc_str(d->doc, "type");
    const char *stage = doc_str(d->doc, "stage");
    const kenes_doctype *t = plugin_find_type(svc->plugins, type);
    const wf_workflow *wf = wf_set_find(svc->workflows, type);
    if (!t || !wf || !wf_has_action(wf, action)) {
        docs_refuse(cb, payload, KENES_EVALIDATION, "validation",
                    docs_one_field("action", "not_in_list", "unknown action"),
                    "this workflow has no action '%s'", action);
        return 0;
    }
    /* Whether this user may ever take this action here, before whether it can now. */
    if (!access_doc_json(u, wf, ACCESS_DOC_ACT, d->doc, action, 0)) {
        docs_refuse(cb, payload, KENES_EFORBIDDEN, "forbidden", NULL,
                    "your role may not %s this document", action);
        return 0;
    }
    if (docs_check_version(d, version, cb, payload) < 0)
        return 0;
    const wf_transition *tr = wf_find_transition(wf, action, stage);
    if (!tr) {
        docs_refuse(cb, payload, KENES_ESTAGE, "wrong_stage", NULL,
                    "'%s' is not possible in stage '%s'", action, stage);
        return 0;
    }
    if (!access_scoped_doc(u, wf, tr->roles, tr->scope, d->doc)) {
        docs_refuse(cb, payload, KENES_EFORBIDDEN, "forbidden", NULL,
                    "your role may not %s from stage '%s'", action, stage);
        return 0;
    }
    if (check_recorded(tr, fields, cb, payload) < 0)
        return 0;
    const char *to = tr->to;
    int rc = tr->back ? docs_stage_before(&to, wf, d, stage) : 0;
    if (rc < 0) {
        docs_refuse(cb, payload, rc, rc == KENES_EIO ? "storage" : "internal", NULL,
                    "the history cannot be read now");
        return 0;
    }
    if (!to) {
        docs_refuse(cb, payload, KENES_ESTAGE, "wrong_stage", NULL,
                    "'%s' goes back, and this document was in no other stage before", action);
        return 0;
    }
    json_t *doc = next_doc(wf, tr, d, fields, cb, payload);
    if (!doc)
        return 0;
    /* What the taker wrote (or what went) is judged first, as any write of
     * the document is, in the stage it goes to; a bare move of the stage
     * was judged when the text was written.  The guards then see what the
     * commit will hold, in the stage it leaves. */
    int changed = !json_equal(json_object_get(doc, "fields"), json_object_get(d->doc, "fields")) ||
                  !json_equal(json_object_get(doc, "region"), json_object_get(d->doc, "region"));
    json_object_set_new(doc, "stage", json_string(to));
    rc = changed ? docs_validate(t, doc, cb, payload) : 0;
    if (rc < 0) {
        json_decref(doc);
        return rc == KENES_EBUSY ? rc : 0;
    }
    json_object_set_new(doc, "stage", json_string(stage));
    struct kenes_ctx ctx = {action, comment, u->name, role_name(u->role), stage, to};
    if ((rc = run_guards(tr, doc, &ctx, cb, payload)) < 0) {
        json_decref(doc);
        return rc == KENES_EBUSY ? rc : 0;
    }
    docs_change ch = {.action = action, .from = stage, .to = to, .comment = comment};
    char approval[16], content[STORE_OID_HEX];
    if ((tr->approvals > 1 || tr->not_by_authors) &&
        count_approval(&ch, approval, content, wf, tr, u, d, cb, payload) < 0) {
        json_decref(doc);
        return 0;
    }
    json_object_set_new(doc, "stage", json_string(ch.to));
    store_file *files;
    char **paths;
    size_t nfiles;
    if (cleared_files(&files, &nfiles, &paths, tr, d) < 0) {
        free_cleared(files, paths, nfiles);
        json_decref(doc);
        docs_refuse(cb, payload, KENES_EIO, "internal", NULL,
                    "the files of the version could not be listed");
        return 0;
    }
    ch.files = files;
    ch.nfiles = nfiles;
    docs_submit_write(svc, d, doc, u, &ch, t->noun, flags, cb, payload);
    free_cleared(files, paths, nfiles); /* the write copied the paths */
    return 0;
}
