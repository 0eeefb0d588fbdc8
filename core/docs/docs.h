/*
 * The document service's operations, apart from HTTP: create, edit,
 * transition, erase, and the reads (the document, its history, a past
 * version, a diff), with the rules that decide them (who, which stage,
 * which version, which repository).  The API and the demo loader both drive
 * these, so there is one write path and one read path.
 *
 * Each operation calls its callback exactly once, on the loop: at once
 * when the request is refused, or after the commit (and, for a confidential
 * document, the access log's line of the read) is durable.  A refusal is a
 * KENES_E* code with a reason word ("stale", "wrong_stage", ...) and a
 * message for people; what status or exit code it becomes, and what hint a
 * protocol adds, is the caller's business.
 *
 * The access-log rule lives in read.c, once: whatever shows a confidential
 * document's text (a read, a write's answer, an export) hands it over only
 * after the log holds the read, so no caller can forget to log it.
 */
#ifndef KENES_DOCS_H
#define KENES_DOCS_H

#include <jansson.h>
#include <stdint.h>

#include "auth/auth.h"
#include "docs/rights.h"
#include "docs/service.h"
#include "storage/index.h"

typedef struct docs_result {
    int code;            /* 0, or the KENES_E* code of the refusal */
    const char *reason;  /* "validation", "forbidden", "stale", ... (NULL on success) */
    const char *message; /* for people (NULL on success) */
    json_t *fields;      /* [{"path","code","message"}] for validation, borrowed; or
                          * NULL; a guard's refusal: one, path "" (code: why) */
    idx_doc *doc;        /* a write's document on success */
    int created;         /* 1 when doc is new */
    json_t *json;        /* a read's answer on success, or a shown write's; borrowed */
    const char *version; /* a write's version on success (its ETag) */
    const char *data;    /* an export's bytes on success, borrowed */
    size_t data_len;
    const char *guard; /* reason "guard": the name of the guard that refused (the workflow's) */
} docs_result;

typedef void (*docs_cb)(const docs_result *r, void *payload);

/* ---- writes ---- */

/*
 * A write's callback gets r->doc, r->created and r->version.  With
 * DOCS_SHOW it also gets the document as written (r->json, docs_answer's),
 * read under the rule of every read: logged first for a confidential type;
 * when the log cannot be written the change is made all the same, and
 * r->json holds only {"id","version","stage","withheld"}.  A caller that
 * shows nothing (the demo loader) leaves DOCS_SHOW out and logs no read.
 *
 * version: the version the caller changes (the latest, or the change is
 * refused as KENES_ESTALE "stale"); NULL is refused as KENES_EPRECONDITION
 * "precondition_required".
 */
enum { DOCS_SHOW = 1 };

/* body: {"type","region","title","body","fields"} (already checked for unknown keys). */
void docs_create(docs_service *svc, const auth_user *u, const json_t *body, int flags,
                 docs_cb cb, void *payload);
/* body: {"title","body","fields"}; keys left out keep their value. */
void docs_edit(docs_service *svc, const auth_user *u, idx_doc *d, const json_t *body,
               const char *version, int flags, docs_cb cb, void *payload);
/* comment may be NULL. */
void docs_transition(docs_service *svc, const auth_user *u, idx_doc *d, const char *action,
                     const char *comment, const char *version, int flags, docs_cb cb,
                     void *payload);
/* docs_transition with the fields the taker records (the API body's
 * "fields": {"act": {...}}; NULL: none), merged into the document's fields
 * (each key replaced whole) and judged by the type's validate as any write;
 * a key the transition does not record is refused (KENES_EVALIDATION,
 * fields.<key> not_recorded).  The transition's clears: go in the same
 * commit, back: returns to docs_stage_before, moves: sets the region to
 * fields.<region_field> (region_unknown / region_same otherwise). */
void docs_transition_fields(docs_service *svc, const auth_user *u, idx_doc *d, const char *action,
                            const char *comment, const json_t *fields, const char *version,
                            int flags, docs_cb cb, void *payload);
/* The stage d was in before it entered `stage` (today's names: history's
 * former names mapped), from its versions, into *out; NULL when it was
 * created there.  0, or KENES_EIO or KENES_ENOMEM when its older versions
 * are needed and cannot be read now (index_versions). */
int docs_stage_before(const char **out, const wf_workflow *wf, const idx_doc *d,
                      const char *stage);
/* The same over versions (oldest first): kenes verify's history. */
const char *docs_stage_before_in(const wf_workflow *wf, const idx_version *versions, size_t n,
                                 const char *stage);
/* Erase a case by destroying its key (admins only, confidential documents
 * only, with a reason): a tombstone commit records it, every version then
 * is KENES_EGONE and the history stays. */
void docs_erase(docs_service *svc, const auth_user *u, idx_doc *d, const char *reason,
                const char *version, int flags, docs_cb cb, void *payload);

/* ---- reads (read.c) ---- */

/*
 * The document u asks for: 0 and *out, or KENES_ENOTFOUND, KENES_EFORBIDDEN
 * (u may not read it), KENES_EGONE (an erased case; unless history_only:
 * its history stays readable), with *why filled as a refusal.
 */
int docs_find(idx_doc **out, docs_result *why, docs_service *svc, const auth_user *u,
              const char *id, int history_only);

/* *out: id's list entry (docs_entry's, a new reference) when u may read
 * it, judged from the index entry alone and nothing read, for a page that
 * names a link to another document (a meeting's case: the document itself
 * is seldom in memory).  0, KENES_ENOTFOUND, KENES_EFORBIDDEN,
 * KENES_EUNAVAILABLE (its key), KENES_EGONE (erased) or KENES_ENOMEM. */
int docs_find_entry(json_t **out, docs_service *svc, const auth_user *u, const char *id);

/*
 * Every read below logs itself (access log, what: "read", "history",
 * "version", "diff", or the packer's word) before cb sees anything of a
 * confidential document; when the log cannot be written cb gets
 * KENES_EIO "access_log" and nothing of it.
 */

/* The document as it stands (r->json: docs_answer's). */
void docs_read(docs_service *svc, const auth_user *u, const idx_doc *d, docs_cb cb,
               void *payload);
/* The document as it stood at at_ms (its version then, read from git);
 * KENES_ENOTFOUND when it did not exist yet. */
void docs_read_at(docs_service *svc, const auth_user *u, const idx_doc *d, int64_t at_ms,
                  docs_cb cb, void *payload);
/* Its history, newest first: {"id","versions":[...]}. */
void docs_history(docs_service *svc, const auth_user *u, const idx_doc *d, docs_cb cb,
                  void *payload);
/* The version at commit (read from git on the thread pool). */
void docs_read_version(docs_service *svc, const auth_user *u, const idx_doc *d,
                       const char *commit, docs_cb cb, void *payload);
/* The diff between two versions (either may be NULL: to, the latest; from,
 * the version before to).  KENES_ENOTFOUND when one is not d's version,
 * KENES_EIO ("storage") when d's older versions cannot be read now. */
void docs_diff(docs_service *svc, const auth_user *u, const idx_doc *d, const char *from,
               const char *to, docs_cb cb, void *payload);
/* The version d had at at_ms into *out, and its number (from 1) into *no
 * when no is not NULL: 1, 0 (it did not exist yet), or KENES_ENOMEM or
 * KENES_EIO (its older versions cannot be read now: no answer either way).
 * Its strings are the index's (index_version_at: a packed one has no
 * comment). */
int docs_version_at(idx_version *out, size_t *no, const idx_doc *d, int64_t at_ms);
/* The version of d at commit, likewise: 1, 0 when it is none of d's, or a
 * failure. */
int docs_find_version(idx_version *out, size_t *no, const idx_doc *d, const char *commit);

/* Every version of a document, opened, for a packer on the thread pool. */
typedef struct docs_versions {
    const char *id;
    const char *const *commits; /* oldest first */
    const char *const *texts;   /* each version's document file (sealed ones opened) */
    const size_t *lens;
    size_t n;
    const char *history; /* the history's JSON, pretty-printed */
    const char *path;    /* where git keeps the file now (docpath.h) */
} docs_versions;

/* What an export makes of the versions.  pack runs on the thread pool and
 * sets *out (malloc'd) and *out_len; 0 or a KENES_E* code.  payload must
 * live until the export's callback has run. */
typedef struct docs_packer {
    const char *what; /* "dossier": the access log's word, and the refusal's if pack fails */
    int (*pack)(char **out, size_t *out_len, const docs_versions *v, void *payload);
    void *payload;
} docs_packer;

/*
 * Every version of d, its history, packed by pk into bytes that reach cb
 * (r->data, r->data_len) once the read is logged as pk->what.  Refusals:
 * KENES_EIO ("storage": a version cannot be read or opened; pk->what: the
 * pack failed; "access_log"), KENES_EGONE (the case was erased), KENES_ENOMEM.
 */
void docs_export(docs_service *svc, const auth_user *u, const idx_doc *d, const docs_packer *pk,
                 docs_cb cb, void *payload);

/* ---- the lists (list.c) ---- */

/* Which documents a list holds; NULL strings ask for any. */
typedef struct docs_filter {
    const char *type, *region, *stage;
    int has_at;    /* 1: as things stood at at_ms (stage and version then) */
    int64_t at_ms;
    int overdue;   /* -1 either; 1 only overdue ones (now); 0 only those that are not */
    /* Words to find (NULL or "": any): each document whose title (or,
     * through docs_list_search, body) holds q, both folded (plugin/fold.h: NFKC and case folding, runs of
     * punctuation and spaces as one space).  A confidential document is
     * matched by what its list entry shows of it (a case: its pseudonym),
     * never by its text.  Ignored with has_at. */
    const char *q;
} docs_filter;

/* The documents u may read that f asks for, sorted by id (*out: a new JSON
 * array of list entries: id, type, region, stage, version, due, overdue and
 * the title, or for a confidential type what its plugin's summary adds;
 * with has_at only id, type, region, stage and version then).  0 or
 * KENES_ENOMEM. */
int docs_list(json_t **out, docs_service *svc, const auth_user *u, const docs_filter *f);

/* docs_list's answer with the bodies searched too: with f->q, each
 * non-confidential document the list would hold but for its title is read
 * on the thread pool (its file at its current version, through a
 * repository handle of the job's own) and kept if its body holds the
 * words.  Bounded: at most DOCS_SEARCH_BODIES bodies per search, those of
 * the most recently changed documents; the rest are matched by title only
 * (README, "Lists and search").  cb runs once, on the loop (r->json: the
 * list, sorted by id), at once when there is nothing to read. */
#define DOCS_SEARCH_BODIES 2000
void docs_list_search(docs_service *svc, const auth_user *u, const docs_filter *f, docs_cb cb,
                      void *payload);

/* d's list entry, as docs_list would show it (a new reference): a
 * confidential document's holds only what its plugin's summary adds. */
json_t *docs_entry(const docs_service *svc, const idx_doc *d);

/* What u must act on (*out: a new JSON array of list entries with
 * "actions" and "reminder"): every document u may read where a transition
 * is open to u by u's own role (none for an admin: an override is for
 * support, not a to-do list) and the workflow does not say `inbox: false`
 * of it, and every one whose stage's remind: names u (by role or by the
 * login in its user_field) with the deadline near or past ("reminder":
 * true; "actions" may then be []); erased cases left out, earliest due
 * first.  0 or KENES_ENOMEM. */
int docs_inbox(json_t **out, docs_service *svc, const auth_user *u);
/* 1 if d is in u's inbox now (docs_inbox would list it), else 0: what
 * the notices of notify/ ask of each user with an address. */
int docs_in_inbox(const docs_service *svc, const auth_user *u, const idx_doc *d);

/* ---- what can be done now (actions.c) ---- */

/* The transitions from d's current stage open to u by role and scope (as
 * the inbox computes them; an admin's override included), in the
 * workflow's order (*out: a new array of {"action", "comment_required":
 * the comment_required guard stands on it, "approvals": N distinct people
 * needed, "given": counted so far in this round, "again": u gave one of
 * them, "author": u wrote or submitted this round's text and the workflow
 * says not_by: authors}).  An erased case has none.  0, KENES_ENOMEM, or
 * KENES_EIO (its history cannot be read back: no list rather than one
 * that counts nothing). */
int docs_actions(json_t **out, const docs_service *svc, const auth_user *u, const idx_doc *d);

/* The approvals counted so far on d, whoever looks (*out: a new array of
 * {"action", "given", "approvals"}, one per transition from the current
 * stage that needs more than one person).  0, KENES_ENOMEM or KENES_EIO
 * (its history cannot be read back). */
int docs_approvals(json_t **out, const docs_service *svc, const idx_doc *d);

/* ---- rules and views ---- */

/* The fields a type declares (its plugin's schema, parsed and checked at
 * load; the shape is core/plugin/schema.h's), borrowed; NULL when the type
 * declares none or is unknown.  Forms and field tables are made from it. */
const json_t *docs_schema(const docs_service *svc, const char *type);

/* 1 if the document's key was destroyed. */
int docs_erased(const docs_service *svc, const idx_doc *d);
/* Why the sealed document's key cannot be used now (missing or damaged,
 * vault_unavailable), or NULL.  Such a document has no JSON in the index:
 * lists leave it out, and docs_find answers KENES_EUNAVAILABLE. */
const char *docs_key_unavailable(const docs_service *svc, const idx_doc *d);

/* The repository a type's documents live in (REPO_DOCUMENTS or REPO_CASES). */
int docs_repo_of_type(const docs_service *svc, const char *type);
store *docs_store(docs_service *svc, const idx_doc *d);
/* The path of d's file with suffix (".md", ".files/<aid>") in its
 * repository's layout (docpath.h); KENES_EINVAL if it does not fit. */
int docs_path(char *out, size_t cap, const docs_service *svc, const idx_doc *d,
              const char *suffix);

/* 1 if the user may read the document (the workflow's read: rules; admins always). */
int docs_may_read(const docs_service *svc, const auth_user *u, const idx_doc *d);
/* docs_may_read judged before d's file is read: from its index entry (or
 * JSON in memory); 1 when neither is there to judge by (a read decides). */
int docs_may_read_early(const docs_service *svc, const auth_user *u, const idx_doc *d);
/* 1 if u meets rule (rights.h) for d, as the workflow of d's type says. */
int docs_allowed(const docs_service *svc, const auth_user *u, const idx_doc *d,
                 access_rule rule);
/* 1 if the type's documents are confidential (lists show only a summary). */
int docs_confidential(const docs_service *svc, const idx_doc *d);

/* When the document is due in its current stage: *due_ms, or -1 when no
 * deadline applies.  0, or KENES_EIO or KENES_ENOMEM when whether one
 * applies cannot be told now (an amendment's, editions: first, from its
 * history, which cannot be read): *due_ms -1, and entry.c keeps no due
 * date for it, so the next ask computes it again. */
int docs_due(const docs_service *svc, const idx_doc *d, int64_t *due_ms);

/* The answer for one document: its JSON plus version, due, overdue (new
 * reference).  Not logged: a caller that shows a confidential one reads it
 * through docs_read instead. */
json_t *docs_answer(const docs_service *svc, const idx_doc *d, const json_t *doc,
                    const char *version);

/* d's public face (public_face.c): the latest version of d in a stage its
 * workflow marks public, which the public page, anonymous lists, reports
 * and api->doc_each_public show (a plan in force while its amendment is
 * drafted: the version in force), with its commit in *version; NULL when no
 * version of d was public (or it was erased).  Borrowed from the index. */
const json_t *docs_public_face(const docs_service *svc, const idx_doc *d, const char **version);
/* The commit of the version of d that last wrote its fields, at or before
 * version (NULL: its latest): its create or latest edit, copied into buf
 * (41 bytes): 1, 0 when d (or NULL) has no such version, or KENES_EIO or
 * KENES_ENOMEM when an older version asked for is packed and cannot be
 * read now (index_versions).  The latest version never needs that read. */
int docs_written(char buf[41], const idx_doc *d, const char *version);
/* 1 if commit a, a version of document doc_a, came before commit b, a
 * version of document doc_b, in the repository that holds both; 0 if not,
 * if they are one, if either document is unknown (or NULL) or has no such
 * version, or if they are in two repositories (the index keeps the order:
 * no git read on the loop); KENES_EIO or KENES_ENOMEM when a document's
 * older versions cannot be read now (index_commit_before). */
int docs_version_before(docs_service *svc, const char *doc_a, const char *a, const char *doc_b,
                        const char *b);
/* A version v of d is committed and newdoc is its JSON (taken; len its
 * file's bytes): its face kept, the version recorded, its entry, the
 * snapshot's count and the cache updated, the commit hook told (committed.c).
 * The writer's job done, and a read replica's for each commit it takes. */
void docs_committed(docs_service *svc, idx_doc *d, const idx_version *v, json_t *newdoc,
                    size_t len);

/* 1 if stage (a former name too: former: stages:) is public in wf. */
int docs_wf_stage_public(const wf_workflow *wf, const char *stage);
/* A commit of d is about to make newdoc d's current version: keep the
 * version it leaves as d's face when it leaves a public stage, forget the
 * kept one when newdoc enters a public stage (docs.c's write_done). */
void docs_public_face_keep(const docs_service *svc, idx_doc *d, const json_t *newdoc);
/* 1 if version v of a document of workflow wf entered a public stage from
 * one that is not (a create straight into one too; an edit never does). */
int docs_version_enters_public(const wf_workflow *wf, const idx_version *v);
/* When d first came into force (its first version that entered a public
 * stage of wf), ms, into *out, or -1 when none did (or wf is NULL): 0, or
 * KENES_EIO or KENES_ENOMEM when its older versions cannot be read now
 * (index_versions: never "not in force" for a history not read). */
int docs_first_in_force_ms(int64_t *out, const wf_workflow *wf, const idx_doc *d);
/* {"version", "stage", "since"} of the version in force when d's current
 * version is not in a public stage but an earlier one was, into *out; NULL
 * otherwise (a new reference).  since: RFC 3339, when it came into force.
 * 0, or KENES_EIO or KENES_ENOMEM when d's older versions cannot be read
 * now (*out NULL: never an answer that leaves out the version in force). */
int docs_in_force_json(json_t **out, const docs_service *svc, const idx_doc *d);
/* Each version's edition (0: the text first brought into force; n: the
 * n-th amendment, from the commit that left the public stage up to and
 * including the one that brought it into force) and whether it entered a
 * public stage; marks has d->nversions entries. */
typedef struct docs_edition_mark {
    int edition;
    int in_force_from;
} docs_edition_mark;
void docs_edition_marks(docs_edition_mark *marks, const docs_service *svc, const idx_doc *d,
                        const idx_version *all, size_t n);
/* The edition d's current version belongs to (the last of its marks): 0
 * until it first left a public stage; KENES_ENOMEM or KENES_EIO when its
 * history cannot be read now (never 0 for an amendment). */
int docs_edition_now(const docs_service *svc, const idx_doc *d);

/* Let plugins read svc's documents and workflow params (api->doc_each,
 * doc_with, param: lookup.c), once its index and workflows are loaded;
 * detach before they are freed. */
void docs_attach_api(docs_service *svc);
void docs_detach_api(docs_service *svc);

/* ---- who names a document (referrers.c) ---- */

/* The documents u may read whose `ref` fields (at any depth, rows of lists
 * included) name id, erased ones left out, sorted by id: *out a new array
 * of list entries (docs_entry's: a confidential one's summary only), each
 * with "paths": where it names id ("fields.agenda[0].case").  Looks only at
 * the documents the index's reverse map of refs names (docs/entry.h).  0,
 * KENES_EINVAL or KENES_ENOMEM. */
int docs_referrers(json_t **out, docs_service *svc, const auth_user *u, const char *id);

/* The same with each one's fields, for a page that shows what they say of
 * id: r->json is [{"entry", "fields", "paths"}], handed over once the
 * access log holds a read of each confidential one (KENES_EIO
 * "access_log" and nothing when it cannot be written). */
void docs_referrers_read(docs_service *svc, const auth_user *u, const char *id, docs_cb cb,
                         void *payload);

#endif
