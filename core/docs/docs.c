#include "docs/docs.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docs/entry.h"
#include "docs/snap.h"
#include "docs/fetch.h"
#include "docs/internal.h"
#include "docs/rights.h"
#include "storage/docfile.h"
#include "storage/journal.h"
#include "plugin/kapi.h"
#include "base/log.h"
#include "storage/message.h"
#include "storage/note.h"
#include "docs/quorum.h"
#include "storage/store.h"
#include "base/util.h"

/* Answer cb with a refusal: code (KENES_E*), the reason word callers show,
 * fields (stolen; may be NULL), and a message for people. */
void docs_refuse(docs_cb cb, void *payload, int code, const char *reason, json_t *fields,
                   const char *fmt, ...)
{
    char msg[512];
    UTIL_FORMAT(msg, fmt);
    docs_result r = {.code = code, .reason = reason, .message = msg, .fields = fields};
    cb(&r, payload);
    json_decref(fields);
}

/* A problem as a validation answer lists it: where, which rule (a code
 * content/ui/strings/validation.yaml words for people), and in English. */
json_t *docs_problem(const char *path, const char *code, const char *message)
{
    return json_pack("{s:s, s:s, s:s}", "path", path, "code", code, "message", message);
}

json_t *docs_one_field(const char *path, const char *code, const char *message)
{
    return json_pack("[o]", docs_problem(path, code, message));
}

/* ---- lookups ---- */

int docs_repo_of_type(const docs_service *svc, const char *type)
{
    const kenes_doctype *t = type ? plugin_find_type(svc->plugins, type) : NULL;
    return t && t->repository && strcmp(t->repository, "cases") == 0 ? REPO_CASES
                                                                      : REPO_DOCUMENTS;
}

store *docs_store(docs_service *svc, const idx_doc *d)
{
    return svc->repos[d->repo];
}

int docs_path(char *out, size_t cap, const docs_service *svc, const idx_doc *d,
              const char *suffix)
{
    return docpath_of(out, cap, d->id, suffix, svc->layout[d->repo]);
}

static const wf_workflow *workflow_of(const docs_service *svc, const idx_doc *d)
{
    return wf_set_find(svc->workflows, docs_type(d));
}

int docs_confidential(const docs_service *svc, const idx_doc *d)
{
    const char *type = docs_type(d);
    const kenes_doctype *t = type ? plugin_find_type(svc->plugins, type) : NULL;
    return !t || (t->flags & KENES_DOCTYPE_CONFIDENTIAL);
}

int docs_may_read(const docs_service *svc, const auth_user *u, const idx_doc *d)
{
    return docs_allowed(svc, u, d, ACCESS_DOC_READ);
}

int docs_allowed(const docs_service *svc, const auth_user *u, const idx_doc *d,
                 access_rule rule)
{
    access_view v;
    docs_access_view(&v, d);
    return access_doc_view(u, workflow_of(svc, d), rule, &v, NULL, docs_confidential(svc, d));
}

/* ---- deadlines ---- */

/* The date a deadline counts from: fields[name], or for "list[].key" the
 * earliest key among the list's items whose closed_by key (the workflow's
 * deadline says which) is not set yet. */
static const char *earliest_open_date(const json_t *fields, const char *spec,
                                      const char *closed_by)
{
    const char *brackets = strstr(spec, "[].");
    if (!brackets)
        return doc_str(fields, spec);
    char list[64];
    snprintf(list, sizeof(list), "%.*s", (int)(brackets - spec), spec);
    const char *key = brackets + 3, *best = NULL;
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(fields, list), i, item)
    {
        const char *due = doc_str(item, key);
        json_t *done = closed_by ? json_object_get(item, closed_by) : NULL;
        if (due && (!done || json_is_null(done)) && (!best || strcmp(due, best) < 0))
            best = due;
    }
    return best;
}

int docs_due_from(int64_t *start, const json_t *fields, const wf_stage *st)
{
    *start = -1;
    const char *date = earliest_open_date(fields, st->deadline_from, st->deadline_closed_by);
    int y, m, dd;
    char iso[32];
    if (!date || kapi_parse_date(date, &y, &m, &dd) != 0)
        return 0;
    snprintf(iso, sizeof(iso), "%04d-%02d-%02dT00:00:00Z", y, m, dd);
    if (util_parse_rfc3339(start, iso) < 0)
        *start = -1;
    return 0;
}

int docs_due(const docs_service *svc, const idx_doc *d, int64_t *due_ms)
{
    *due_ms = -1;
    if (d->entry.due_known) { /* kept at its last commit (entry.c) */
        *due_ms = d->entry.due_ms;
        return 0;
    }
    const wf_workflow *wf = workflow_of(svc, d);
    const wf_stage *st = wf ? wf_find_stage(wf, docs_stage(d)) : NULL;
    if (!st || !st->has_deadline)
        return 0;
    /* editions: first — an amendment of a text once in force is not bound
     * by the term the first text had (the workflow says so, not the type). */
    int edition = st->deadline_first_edition ? docs_edition_now(svc, d) : 0;
    if (edition != 0)
        return edition < 0 ? edition : 0; /* unknown: no date rather than a first edition's */
    if (st->deadline_order) { /* a national order: one date for all */
        *due_ms = st->deadline_at_ms;
        return 0;
    }
    int64_t start = -1;
    if (st->deadline_from) {
        /* The index keeps the date (entry.c), so the JSON need not be here. */
        if (d->entry.kept)
            start = d->entry.due_from_ms;
        else
            docs_due_from(&start, json_object_get(d->doc, "fields"), st);
        if (start < 0)
            return 0;
        /* The day's last second in Kazakhstan (23:59:59 at UTC+5): due
         * that day, overdue the next, and pages still say that day. */
        if (st->deadline_end_of_day)
            start += 86400000LL - 5LL * 3600000 - 1000;
    } else {
        /* When it entered the stage: its newest version that changed the stage
         * (or created it); edits and counted approvals stay in the stage. */
        const idx_version *entry = index_stage_entry(d);
        if (!entry)
            return 0;
        start = entry->time_ms;
    }
    *due_ms = start + st->deadline_after_ms;
    return 0;
}

void docs_put_due(json_t *out, const docs_service *svc, const idx_doc *d)
{
    int64_t due;
    docs_due(svc, d, &due);
    if (due < 0) {
        json_object_set_new(out, "due", json_null());
        json_object_set_new(out, "overdue", json_false());
        return;
    }
    char when[32];
    util_format_rfc3339(when, sizeof(when), due);
    json_object_set_new(out, "due", json_string(when));
    json_object_set_new(out, "overdue", json_boolean(util_now_ms() > due));
}

json_t *docs_answer(const docs_service *svc, const idx_doc *d, const json_t *doc,
                    const char *version)
{
    json_t *out = json_deep_copy(doc);
    json_object_set_new(out, "version", json_string(version));
    docs_put_due(out, svc, d);
    return out;
}

/* ---- the write path ---- */


typedef struct write_op {
    store_write w;
    docs_service *svc;
    idx_doc *d;
    json_t *newdoc;
    char *content;
    char *journal;     /* the history journal's line for this commit */
    char *wrapped_key; /* a new case's key, for its side file */
    size_t wrapped_len;
    char key_path[4096];
    char key_erasing[4200]; /* key_path + VAULT_KEY_ERASING */
    char *note;             /* a case's comment, sealed: the file <id>.note */
    size_t note_len;
    char note_path[300];
    char note_id[STORE_OID_HEX]; /* its blob id, for Kenes-Note */
    store_file note_file;
    int new_key;
    int erase;
    store_file *files; /* the commit's further files: the note, then the caller's */
    char **file_paths; /* their paths, copied (the caller's go before the commit may) */
    size_t nfile_paths;
    char *message;
    char email[128];
    char path[300];
    idx_version v;
    int created;
    int show; /* DOCS_SHOW */
    const auth_user *user;
    docs_cb cb;
    void *payload;
} write_op;

static void write_op_free(write_op *op)
{
    json_decref(op->newdoc);
    free(op->content);
    free(op->wrapped_key);
    free(op->note);
    free(op->journal);
    free(op->message);
    free(op->v.author);
    free(op->v.role);
    free(op->v.action);
    free(op->v.from);
    free(op->v.to);
    free(op->v.comment);
    free(op->v.approval);
    free(op->v.note);
    for (size_t i = 0; i < op->nfile_paths; i++)
        free(op->file_paths[i]);
    free(op->file_paths);
    free(op->files);
    free(op);
}

/* A write of d is made (or, for an edit that changes nothing, needs no
 * commit): its answer, shown only through the read rule. */
static void written(docs_service *svc, const auth_user *u, idx_doc *d, int created, int show,
                    docs_cb cb, void *payload)
{
    if (show) {
        docs_show_written(svc, u, d, created, cb, payload);
        return;
    }
    docs_result r = {.doc = d, .created = created, .version = d->version};
    cb(&r, payload);
}

static void write_done(store_write *w, void *payload)
{
    write_op *op = payload;
    idx_doc *d = op->d;
    d->busy = 0;
    if (w->status == KENES_EUNAVAILABLE && !w->batch_failed) {
        /* Its key file went away while the server held the key: refused,
         * and from now on the case answers as it will after a restart. */
        docs_key_settle(op->svc, d->id, KENES_ENOTFOUND, NULL, 0);
        docs_fetch_refuse(KENES_EUNAVAILABLE, op->cb, op->payload);
        write_op_free(op);
        return;
    }
    if (w->status < 0) {
        log_error("store", "commit for %s failed: %s", d->id, w->errmsg);
        if (op->new_key)
            vault_forget_key(op->svc->vault, d->id);
        if (op->created)
            index_remove(op->svc->index, d->id);
        /* A batch the repository refused as a whole: 503, /healthz says so. */
        docs_refuse(op->cb, op->payload,
                    w->batch_failed ? KENES_EUNAVAILABLE : KENES_EIO, "storage",
                    NULL, "the change could not be saved");
        write_op_free(op);
        return;
    }
    memcpy(op->v.commit, w->commit, sizeof(op->v.commit));
    if (op->erase)
        vault_forget_key(op->svc->vault, d->id);
    docs_committed(op->svc, d, &op->v, op->newdoc, w->content_len);
    op->newdoc = NULL;
    log_info("store", "%s %s by %s -> %.12s", op->v.action, d->id, op->v.author, w->commit);
    written(op->svc, op->user, d, op->created, op->show, op->cb, op->payload);
    write_op_free(op);
}

/*
 * A case file is stored sealed with its own key.  A new case gets its key
 * here (written durably by the writer before the commit); an erasure stores
 * a tombstone in the clear and has the writer remove the key file.
 */
static int seal_case(docs_service *svc, write_op *op, const docs_change *ch, size_t *len)
{
    const char *id = op->d->id;
    vault_key_path(svc->vault, id, op->key_path, sizeof(op->key_path));
    if (ch->erase) {
        op->erase = 1;
        snprintf(op->key_erasing, sizeof(op->key_erasing), "%s%s", op->key_path,
                 VAULT_KEY_ERASING);
        return 0;
    }
    if (ch->created) {
        if (vault_new_key(svc->vault, id, &op->wrapped_key, &op->wrapped_len) < 0)
            return KENES_EIO;
        op->new_key = 1;
    } else {
        op->w.side_needed = op->key_path; /* checked by the writer, right before the commit */
    }
    char *sealed = NULL;
    size_t slen = 0;
    if (vault_seal(svc->vault, id, op->content, *len, &sealed, &slen) < 0) {
        if (op->new_key)
            vault_forget_key(svc->vault, id);
        op->new_key = 0;
        return KENES_EIO;
    }
    free(op->content);
    op->content = sealed;
    *len = slen;
    return 0;
}

/*
 * What a user typed about a case (a comment, an erase reason) may quote it:
 * it goes into the same commit sealed with the case's key, as <id>.note,
 * which Kenes-Note names; the message, the journal and the index keep no
 * clear text of it (see note.h).  An erasure's reason is sealed with the
 * very key the erasure destroys, on purpose: nobody reads it afterwards.
 */
static int seal_note(docs_service *svc, write_op *op)
{
    if (note_path(op->note_path, sizeof(op->note_path), op->d->id, svc->layout[op->d->repo]) < 0 ||
        note_seal(&op->note, &op->note_len, &op->v.note, svc->vault, op->d->id,
                  op->v.comment) < 0 ||
        store_blob_id(op->note_id, op->note, op->note_len) < 0)
        return KENES_EIO;
    free(op->v.comment);
    op->v.comment = NULL;
    op->note_file = (store_file){op->note_path, op->note, op->note_len};
    op->w.files = &op->note_file;
    op->w.nfiles = 1;
    return 0;
}

/* The change's files after the sealed note, if any (a transition that
 * clears the files may carry a case's comment).  Their paths are copied;
 * their content stays the caller's until cb. */
static int add_files(write_op *op, const docs_change *ch)
{
    size_t n = op->w.nfiles + ch->nfiles;
    if (!(op->files = calloc(n, sizeof(store_file))) ||
        !(op->file_paths = calloc(ch->nfiles, sizeof(char *))))
        return KENES_ENOMEM;
    if (op->w.nfiles)
        op->files[0] = op->note_file;
    for (size_t i = 0; i < ch->nfiles; i++) {
        if (!(op->file_paths[i] = strdup(ch->files[i].path)))
            return KENES_ENOMEM;
        op->nfile_paths++;
        op->files[op->w.nfiles + i] =
            (store_file){op->file_paths[i], ch->files[i].content, ch->files[i].len};
    }
    op->w.files = op->files;
    op->w.nfiles = n;
    return 0;
}

/* Queue one commit for d (newdoc is stolen); cb when it is durable or failed. */
void docs_submit_write(docs_service *svc, idx_doc *d, json_t *newdoc, const auth_user *u,
                         const docs_change *ch, const char *noun, int flags, docs_cb cb,
                         void *payload)
{
    const char *action = ch->action, *from = ch->from, *to = ch->to, *comment = ch->comment;
    int created = ch->created;
    write_op *op = calloc(1, sizeof(*op));
    size_t len = 0;
    if (!op) {
        json_decref(newdoc);
        goto fail;
    }
    op->svc = svc;
    op->d = d;
    op->newdoc = newdoc;
    op->created = created;
    op->show = flags & DOCS_SHOW;
    op->user = u;
    op->cb = cb;
    op->payload = payload;
    if (docs_path(op->path, sizeof(op->path), svc, d, ".md") < 0)
        goto fail;
    snprintf(op->email, sizeof(op->email), "%s@users.kenes", u->name);
    if (doc_serialize(&op->content, &len, newdoc) < 0)
        goto fail;
    if (d->repo == REPO_CASES && seal_case(svc, op, ch, &len) < 0)
        goto fail;
    if (msg_comment_clean(&op->v.comment, comment) < 0)
        goto fail;
    if (d->repo == REPO_CASES && op->v.comment && seal_note(svc, op) < 0)
        goto fail;
    if (ch->nfiles && add_files(op, ch) < 0)
        goto fail;
    msg_info mi = {d->id, action, from, to, role_name(u->role), op->v.comment, noun,
                   ch->approval, ch->content, op->note ? op->note_id : NULL};
    if (msg_compose(&op->message, &mi) < 0)
        goto fail;
    op->v.time_ms = util_now_ms();
    op->v.author = strdup(u->name);
    op->v.role = strdup(role_name(u->role));
    op->v.action = strdup(action);
    op->v.from = from ? strdup(from) : NULL;
    op->v.to = strdup(to);
    op->v.approval = ch->approval ? strdup(ch->approval) : NULL;
    op->w.path = op->path;
    op->w.content = op->content;
    op->w.content_len = len;
    op->w.author_name = u->name;
    op->w.author_email = op->email;
    op->w.message = op->message;
    op->w.time_ms = op->v.time_ms;
    if (!(op->journal = journal_entry(d->id, &op->v)))
        goto fail;
    op->w.journal = op->journal;
    if (op->new_key || op->erase) {
        op->w.side_path = op->key_path;
        op->w.side_pending = op->key_erasing;
        op->w.side_data = op->wrapped_key; /* NULL for an erasure: the key file goes */
        op->w.side_len = op->wrapped_len;
    }
    if (store_submit(docs_store(svc, d), &op->w, write_done, op) < 0)
        goto fail;
    d->busy = 1;
    return;
fail:
    if (op && op->new_key)
        vault_forget_key(svc->vault, d->id);
    if (op)
        write_op_free(op);
    if (created)
        index_remove(svc->index, d->id);
    docs_refuse(cb, payload, KENES_EIO, "internal", NULL, "the change could not be queued");
}

/* ---- checks ---- */

/* 0 if version names the document's latest version (and no write of it is
 * on its way); else refused. */
int docs_check_version(const idx_doc *d, const char *version, docs_cb cb, void *payload)
{
    if (!version) {
        docs_refuse(cb, payload, KENES_EPRECONDITION, "precondition_required", NULL,
               "say which version you are changing");
        return KENES_EPRECONDITION;
    }
    if (d->busy || strcmp(version, d->version) != 0) {
        docs_refuse(cb, payload, KENES_ESTALE, "stale", NULL,
               "the document has changed since that version; reload it");
        return KENES_ESTALE;
    }
    return 0;
}

/* Run the type's validator; 0 if the document is good, else refused (KENES_EVALIDATION). */
int docs_validate(const kenes_doctype *t, const json_t *doc, docs_cb cb, void *payload)
{
    kenes_errors errs;
    kapi_errors_init(&errs);
    struct kenes_doc view = {.json = doc};
    docs_fetch_clear_misses();
    int rc = t->validate ? t->validate(kapi_get(), &view, &errs) : 0;
    if (docs_fetch_misses()) {
        /* It asked for a document not in memory: judged again once read. */
        kapi_errors_dispose(&errs);
        return KENES_EBUSY;
    }
    if (rc == 0 && errs.count == 0) {
        kapi_errors_dispose(&errs);
        return 0;
    }
    json_t *fields = errs.fields ? json_incref(errs.fields) : json_array();
    if (json_array_size(fields) == 0) {
        /* A validator that refuses without saying where is a plugin fault; the
         * write is refused all the same, and the log says which plugin. */
        log_warn("plugin", "validator of %s refused a document (code %d) without naming a field",
                 t->name, rc);
        json_array_append_new(fields, docs_problem("", errs.code[0] ? errs.code : "invalid",
                                              errs.message[0] ? errs.message : "invalid"));
    }
    if (errs.unlisted || json_array_size(fields) >= KENES_ERRORS_MAX) {
        /* The plugin stops looking once the list is full: whether, and how
         * many, more there are is not known. */
        char more[96];
        snprintf(more, sizeof(more), "the list stops at %d problems: there may be more",
                 KENES_ERRORS_MAX);
        json_array_append_new(fields, docs_problem("", "more_problems", more));
    }
    docs_refuse(cb, payload, KENES_EVALIDATION, "validation", fields, "the document is not valid");
    kapi_errors_dispose(&errs);
    return KENES_EVALIDATION;
}

/* The JSON types of the members the core reads itself, before any plugin. */
static int check_member_types(const json_t *body, docs_cb cb, void *payload)
{
    static const struct {
        const char *key;
        int is_object;
    } members[] = {{"type", 0}, {"region", 0}, {"title", 0}, {"body", 0}, {"fields", 1}};
    json_t *fields = json_array();
    for (size_t i = 0; i < UTIL_ARRAY_LEN(members); i++) {
        json_t *v = json_object_get(body, members[i].key);
        if (v && !json_is_null(v) && (members[i].is_object ? !json_is_object(v) : !json_is_string(v)))
            json_array_append_new(
                fields, members[i].is_object
                            ? docs_problem(members[i].key, "not_object", "must be an object")
                            : docs_problem(members[i].key, "not_text", "must be a string"));
    }
    if (json_array_size(fields) == 0) {
        json_decref(fields);
        return 0;
    }
    docs_refuse(cb, payload, KENES_EVALIDATION, "validation", fields, "the document is not valid");
    return KENES_EVALIDATION;
}

/* ---- operations ---- */

/*
 * A field some transition records (records:) is that transition's to
 * write: a create may not set it, an edit may not change it.  An edit
 * whose fields leave one out keeps it (the forms do not show it), so
 * fields (the new ones, changed in place) gets the old value back.  0, or
 * refused with each field at fields.<key>.
 */
static int recorded_by_action(const wf_workflow *wf, json_t *fields, const json_t *old,
                              docs_cb cb, void *payload)
{
    if (!json_is_object(fields))
        return 0;
    const char *key;
    json_t *was, *now, *bad = json_array();
    json_object_foreach((json_t *)old, key, was) if (wf_records_field(wf, key) &&
                                                     !json_object_get(fields, key))
        json_object_set(fields, key, was);
    json_object_foreach(fields, key, now) {
        was = json_object_get(old, key);
        if (!wf_records_field(wf, key) || (was ? json_equal(now, was) : json_is_null(now)))
            continue;
        char path[300];
        snprintf(path, sizeof(path), "fields.%s", key);
        json_array_append_new(bad, docs_problem(path, "recorded_by_action",
                                                "only the action that records this field "
                                                "writes it"));
    }
    if (json_array_size(bad) == 0) {
        json_decref(bad);
        return 0;
    }
    docs_refuse(cb, payload, KENES_EVALIDATION, "validation", bad,
                "a field an action records was written by hand");
    return KENES_EVALIDATION;
}

int docs_create_now(docs_service *svc, const auth_user *u, const json_t *body, int flags,
                    docs_cb cb, void *payload)
{
    if (check_member_types(body, cb, payload) < 0)
        return 0;
    const char *type = doc_str(body, "type");
    const char *region = doc_str(body, "region");
    const kenes_doctype *t = type ? plugin_find_type(svc->plugins, type) : NULL;
    const wf_workflow *wf = type ? wf_set_find(svc->workflows, type) : NULL;
    if (!t || !wf) {
        docs_refuse(cb, payload, KENES_EVALIDATION, "validation", docs_one_field("type", "not_in_list", "unknown document type"),
               "unknown document type");
        return 0;
    }
    if (!access_doc(u, wf, ACCESS_DOC_CREATE, region, NULL, 0)) {
        docs_refuse(cb, payload, KENES_EFORBIDDEN, "forbidden", NULL, "your role may not create a %s here", t->noun);
        return 0;
    }
    /* The document as it will be stored; the plugin judges exactly this. */
    json_t *doc = json_object();
    json_t *v;
    json_object_set_new(doc, "id", json_string(""));
    json_object_set_new(doc, "type", json_string(type));
    v = json_object_get(body, "region");
    json_object_set_new(doc, "region", v ? json_incref(v) : json_null());
    v = json_object_get(body, "title");
    json_object_set_new(doc, "title", v ? json_incref(v) : json_null());
    json_object_set_new(doc, "stage", json_string(wf->initial));
    v = json_object_get(body, "fields");
    json_object_set_new(doc, "fields", json_is_object(v) ? json_incref(v) : json_object());
    v = json_object_get(body, "body");
    json_object_set_new(doc, "body", json_is_string(v) ? json_incref(v) : json_string(""));
    /* The scopes that read fields (own-agency) judge what is to be written. */
    if (!access_doc_json(u, wf, ACCESS_DOC_CREATE, doc, NULL, 0)) {
        docs_refuse(cb, payload, KENES_EFORBIDDEN, "forbidden", NULL,
                    "your role may not create a %s here", t->noun);
        json_decref(doc);
        return 0;
    }
    int rc = 0;
    if (recorded_by_action(wf, json_object_get(doc, "fields"), NULL, cb, payload) < 0 ||
        (rc = docs_validate(t, doc, cb, payload)) < 0) {
        json_decref(doc);
        return rc == KENES_EBUSY ? rc : 0;
    }
    char id[256] = "";
    struct kenes_doc view = {.json = doc};
    if (!t->make_id || t->make_id(kapi_get(), &view, id, sizeof(id)) != 0 || !id[0] ||
        strncmp(id, "..", 2) == 0 || strstr(id, "/../") || id[0] == '/') {
        log_error("plugin", "%s could not name a new document", t->name);
        docs_refuse(cb, payload, KENES_EIO, "internal", NULL, "the document type could not name it");
        json_decref(doc);
        return 0;
    }
    json_object_set_new(doc, "id", json_string(id));
    idx_doc *d;
    if (index_add(&d, svc->index, id) < 0) {
        docs_refuse(cb, payload, KENES_EEXISTS, "exists", NULL, "%s exists already", id);
        json_decref(doc);
        return 0;
    }
    d->repo = docs_repo_of_type(svc, type);
    docs_change ch = {.action = "create", .to = wf->initial, .created = 1};
    docs_submit_write(svc, d, doc, u, &ch, t->noun, flags, cb, payload);
    return 0;
}

int docs_edit_now(docs_service *svc, const auth_user *u, idx_doc *d, const json_t *body,
                  const char *version, int flags, docs_cb cb, void *payload)
{
    const char *type = doc_str(d->doc, "type");
    const kenes_doctype *t = plugin_find_type(svc->plugins, type);
    const wf_workflow *wf = wf_set_find(svc->workflows, type);
    if (!t || !wf) {
        docs_refuse(cb, payload, KENES_ECONFLICT, "conflict", NULL, "no workflow serves this document's type");
        return 0;
    }
    if (!access_doc_json(u, wf, ACCESS_DOC_EDIT, d->doc, NULL, 0)) {
        docs_refuse(cb, payload, KENES_EFORBIDDEN, "forbidden", NULL, "your role may not edit this document");
        return 0;
    }
    if (check_member_types(body, cb, payload) < 0 || docs_check_version(d, version, cb, payload) < 0)
        return 0;
    const char *stage = doc_str(d->doc, "stage");
    const wf_stage *st = wf_find_stage(wf, stage);
    if (!st || !st->editable) {
        docs_refuse(cb, payload, KENES_ESTAGE, "wrong_stage", NULL,
               "a document in stage '%s' cannot be edited", stage);
        return 0;
    }
    json_t *doc = json_deep_copy(d->doc);
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)body, key, v) json_object_set(doc, key, v);
    if (json_object_get(body, "fields") && !json_is_null(json_object_get(body, "fields")))
        json_object_set_new(doc, "fields", json_deep_copy(json_object_get(body, "fields")));
    if (recorded_by_action(wf, json_object_get(doc, "fields"), json_object_get(d->doc, "fields"),
                           cb, payload) < 0) {
        json_decref(doc);
        return 0;
    }
    if (!access_doc_json(u, wf, ACCESS_DOC_EDIT, doc, NULL, 0)) {
        docs_refuse(cb, payload, KENES_EFORBIDDEN, "forbidden", NULL,
                    "your role may not edit this document so");
        json_decref(doc);
        return 0;
    }
    int rc = docs_validate(t, doc, cb, payload);
    if (rc < 0) {
        json_decref(doc);
        return rc == KENES_EBUSY ? rc : 0;
    }
    if (json_equal(doc, d->doc)) {
        /* Nothing changed: no empty commit, the same version answers. */
        json_decref(doc);
        written(svc, u, d, 0, flags & DOCS_SHOW, cb, payload);
        return 0;
    }
    docs_change ch = {.action = "edit", .to = stage};
    docs_submit_write(svc, d, doc, u, &ch, t->noun, flags, cb, payload);
    return 0;
}

int docs_erased(const docs_service *svc, const idx_doc *d)
{
    return d->repo == REPO_CASES && !vault_has_key(svc->vault, d->id) &&
           !vault_unavailable(svc->vault, d->id);
}

const char *docs_key_unavailable(const docs_service *svc, const idx_doc *d)
{
    return d->repo == REPO_CASES ? vault_unavailable(svc->vault, d->id) : NULL;
}

void docs_erase_now(docs_service *svc, const auth_user *u, idx_doc *d, const char *reason,
                    const char *version, int flags, docs_cb cb, void *payload)
{
    const char *type = doc_str(d->doc, "type"), *stage = doc_str(d->doc, "stage");
    const kenes_doctype *t = plugin_find_type(svc->plugins, type);
    const wf_workflow *wf = workflow_of(svc, d);
    /* Erasable is what the workflow says (erase:) of a confidential case. */
    if (!access_doc(u, wf, ACCESS_DOC_ERASE, doc_str(d->doc, "region"), NULL,
                    docs_confidential(svc, d) && d->repo == REPO_CASES) ||
        !wf || !wf->erase_action) {
        docs_refuse(cb, payload, KENES_EFORBIDDEN, "forbidden", NULL,
               "only an admin may erase, and only a confidential case");
        return;
    }
    if (docs_erased(svc, d)) {
        docs_refuse(cb, payload, KENES_EGONE, "gone", NULL, "this case was erased");
        return;
    }
    if (!reason || !*reason || strspn(reason, " \t\r\n") == strlen(reason)) {
        docs_refuse(cb, payload, KENES_EVALIDATION, "validation", docs_one_field("reason", "required", "a reason is required"),
               "say why the case is erased (its retention ended, ...)");
        return;
    }
    if (docs_check_version(d, version, cb, payload) < 0)
        return;
    /* What names the case and can be erased too (its referrals, which carry
     * a task about the child) goes first: each is erased by its own signed
     * commit, so the case's erasure waits until none is left. */
    json_t *refs = NULL;
    size_t left = 0, i;
    json_t *e;
    if (docs_referrers(&refs, svc, u, d->id) < 0) {
        docs_refuse(cb, payload, KENES_ENOMEM, "internal", NULL, "try again");
        return;
    }
    json_array_foreach(refs, i, e) {
        const wf_workflow *rw = wf_set_find(svc->workflows, doc_str(e, "type"));
        left += rw && rw->erase_action;
    }
    json_decref(refs);
    if (left) {
        docs_refuse(cb, payload, KENES_ECONFLICT, "referrers_not_erased", NULL,
                    "%zu document%s naming this case (its referrals) must be erased first",
                    left, left == 1 ? "" : "s");
        return;
    }
    /* What remains of the case: who it was filed under, never what it said. */
    json_t *tomb = json_pack("{s:s, s:s, s:O, s:n, s:s, s:{}, s:s}", "id", d->id, "type", type,
                             "region", json_object_get(d->doc, "region"), "title", "stage",
                             wf->erased_stage, "fields", "body", "");
    docs_change ch = {.action = wf->erase_action, .from = stage, .to = wf->erased_stage,
                 .comment = reason, .erase = 1};
    docs_submit_write(svc, d, tomb, u, &ch, t ? t->noun : "case", flags, cb, payload);
}

