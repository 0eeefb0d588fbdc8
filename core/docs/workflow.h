/*
 * Workflows are data: one YAML file per document type in workflows/.
 *
 *   type: regional-plan
 *   initial: draft
 *   stages:
 *     - name: draft
 *       editable: true
 *     - name: ministry-review
 *   create: {roles: [regional-official], scope: own-region}
 *   edit:   {roles: [regional-official], scope: own-region}
 *   transitions:
 *     - action: submit
 *       from: [draft, returned]      # a list or one name
 *       to: ministry-review
 *       roles: [regional-official]   # a list or one name
 *       scope: own-region            # or all (default)
 *       guards: [comment_required]   # optional
 *       approvals: 2                 # optional: distinct users needed (four eyes)
 *       not_by: authors              # optional: authors of the text may not take it
 *       inbox: false                 # optional: taking it is no to-do (reopen a closed
 *                                    # case): the inbox leaves it out
 *   read:                            # optional: who may read (default: everyone signed in)
 *     - {roles: [auditor], scope: all}
 *
 * A stage may carry `deadline: {from: fields.order_date, after: 7d}` (after:
 * whole days "Nd" or hours "Nh"; without `from`, counted from entering the
 * stage).  `from: fields.follow_ups[].due, closed_by: done` takes the
 * earliest `due` among the list's items whose `done` is not set yet;
 * `after` may then be left out, `closed_by` may not.  `deadline: {order:
 * roster-2026}` is the end of a national order's term (content/orders.yaml,
 * orders.h): one date for every region, which no field can move.
 * `end_of_day: true` beside `from:` makes a date field's day run to its end
 * in Kazakhstan (UTC+5): due «5 декабря» is overdue from 6 December, 00:00
 * in Astana, not from the day's first hour (a referral's due date).  Any
 * deadline may add `editions: first`: it binds the text only until it first
 * comes into force; an amendment (after a transition out of a public stage,
 * such as amend) is not due by it.  `editions: all` (the default) binds all.
 *
 * A stage with a deadline may carry `remind: {roles: [commission-chair],
 * user_field: accompanier.user, before: 7d}`: once the deadline is `before`
 * away or past, the document is in the inbox of every user of those roles
 * who may read it, and of the user whose login fields.accompanier.user holds
 * (if they may read it), as a reminder (docs_inbox); roles or user_field,
 * or both.
 *
 * What the core does beyond moving stages, the workflow says too:
 *   stages:      - {name: approved, public: true}   # published: /public, reports
 *   transitions: - {action: approve, ..., publishes: true}  # reports are rewritten
 *   erase: {action: erase, stage: erased}   # an admin may erase (a case); without
 *                                           # it, documents of the type cannot be
 *   labels:                                 # every stage and action, ru, kk and en
 *     type: {ru: ..., kk: ..., en: ...}      # optional: what a document of the type is called
 *     stages:  {draft: {ru: Черновик, kk: Жоба, en: Draft}, ...}
 *     actions: {submit: {ru: ..., kk: ..., en: ...}, ...}
 *   record:                                 # optional: fields the public page's
 *     - field: act                          # record shows, under their label
 *       label: {ru: ..., kk: ..., en: ...}
 *       text: {ru: "{number} от {date}", kk: ..., en: ...}  # optional
 *
 * Loading checks everything a running server relies on and fails with
 * "file:line: message": unknown keys, unknown stage/role/guard/type,
 * duplicate stages, an action listed twice from the same stage, a stage or
 * action without a label in each language, a record field twice or a text
 * whose braces do not close.
 */
#ifndef KENES_WORKFLOW_H
#define KENES_WORKFLOW_H

#include <jansson.h>
#include <stddef.h>

#include "kenes/plugin.h"
#include "auth/role.h"
#include "docs/orders.h"

/* The languages a label is given in, in this order. */
enum { WF_LANG_RU, WF_LANG_KK, WF_LANG_EN, WF_NLANGS };
extern const char *const wf_langs[WF_NLANGS]; /* "ru", "kk", "en" */

/* What one stage or action is called: labels: {stages|actions: {name: {ru, kk, en}}}. */
typedef struct wf_label_entry {
    char *name;
    char *text[WF_NLANGS];
} wf_label_entry;

/* A field the public page's record shows (record:): its label in each
 * language, and how its value reads: text[l] with each "{key}" standing for
 * the field's key (the field is an object), or NULL for all three: the
 * field's own text (a string). */
typedef struct wf_record_field {
    wf_label_entry label; /* label.name: the key in fields ("act") */
    char *text[WF_NLANGS];
} wf_record_field;

typedef struct wf_stage {
    char *name;
    int editable;
    int is_public; /* public: true — readable by anyone, in the reports */
    /* deadline: {from: fields.order_date, after: 7d}: while a document is in
     * this stage it is due `after` past the date in that field, or past the
     * time it entered the stage when there is no `from`. */
    int has_deadline;
    char *deadline_from; /* "order_date" (the part after "fields."), or NULL */
    char *deadline_closed_by; /* "list[].key" froms: the item key that ends it ("done") */
    long long deadline_after_ms;
    int deadline_end_of_day; /* end_of_day: true: the from date's day ends in Kazakhstan */
    char *deadline_order;      /* deadline: {order: name}, or NULL */
    long long deadline_at_ms;  /* that order's due date, read at load */
    /* editions: first — only the text before it first came into force is
     * due; an amendment (a version after one that left a public stage) is
     * not.  0: every edition (editions: all, the default). */
    int deadline_first_edition;
    /* remind: {roles, user_field, before}: who is reminded of the deadline
     * and how long before it. */
    int has_remind;
    unsigned remind_roles;
    char *remind_user_field; /* "accompanier.user" (under fields), or NULL */
    long long remind_before_ms;
} wf_stage;

/* Who may do something: these roles, in this scope. */
typedef struct wf_access {
    unsigned roles;
    enum scope scope;
} wf_access;

typedef struct wf_transition {
    char *action;
    char **from; /* stage names */
    size_t nfrom;
    char *to;
    unsigned roles; /* bit set of enum role */
    enum scope scope;
    char **guard_names;
    const kenes_guard **guards; /* resolved at load, same order */
    size_t nguards;
    /* approvals: N — the stage moves on once N distinct users took the action
     * (each one a commit); 1 by default.  not_by: authors — nobody who created
     * or edited the text, or submitted it, since it was last approved may take it. */
    unsigned approvals;
    int not_by_authors;
    int publishes; /* publishes: true — taking it rewrites the published reports */
    /* inbox: false — open, but no to-do: docs_inbox leaves it out (reopening
     * a closed case is possible for ever, and owed never). */
    int no_inbox;
    /* records: [act] — top-level fields the taker sets with the action (the
     * request's "fields"), written in the transition's own commit and
     * checked by the type's validate as every write is; any other field in
     * the request is refused.  clears: [transfer] — top-level fields the
     * transition removes in the same commit. */
    char **records;
    size_t nrecords;
    char **clears;
    size_t nclears;
    /* clears_files: true — the commit also removes the version's files
     * (top-level "attachments" and <id>.files/): an amendment starts
     * without the scan of the resolution that brought the text in force,
     * which the version in force keeps. */
    int clears_files;
    /* back: true (instead of to:) — the document returns to the stage it was
     * in before it entered the current one; `to` is NULL then. */
    int back;
    /* moves: true — taking it sets the document's region to the one
     * fields.<region_field> names (a case transferred to another region). */
    int moves;
    int former; /* declared under former: — legal in history, never offered */
    int line;   /* where it was declared */
} wf_transition;

/* params: one name and its value, as written. */
typedef struct wf_param_entry {
    char *name, *value;
} wf_param_entry;

typedef struct wf_workflow {
    char *file;
    char *type;
    int type_line; /* where `type:` is, for a clash between two files */
    char *initial;
    wf_stage *stages;
    size_t nstages;
    wf_transition *transitions;
    size_t ntransitions;
    unsigned create_roles;
    enum scope create_scope;
    unsigned edit_roles;
    enum scope edit_scope;
    /* read: [{roles, scope}, ...]; none means every signed-in role, all regions. */
    wf_access *read;
    size_t nread;
    /* erase: {action, stage}: how an erasure is recorded; NULL when the
     * type's documents cannot be erased. */
    char *erase_action, *erased_stage;
    wf_label_entry *stage_labels, *action_labels;
    char *type_label[WF_NLANGS]; /* labels.type, or NULLs */
    size_t nstage_labels, naction_labels;
    wf_record_field *record; /* record:, in the file's order */
    size_t nrecord;
    wf_param_entry *params; /* params:, for the type's plugin (api->param) */
    size_t nparams;
    /* region_field: transfer.to — where scope named-region and moves: look
     * (a path under fields); agency_field: agency — where own-agency looks. */
    char *region_field, *agency_field;
    /* attach: {roles, scope, stages} — who may add and remove files on a
     * version, in which stages; has_attach 0: the type carries no files. */
    int has_attach;
    unsigned attach_roles;
    enum scope attach_scope;
    char **attach_stages;
    size_t nattach_stages;
    /* former: {stages: {approved: in-force}, transitions: [...]} — the names
     * and moves of an earlier version of the workflow: stages read from old
     * files map to their new names, and verify finds those transitions legal
     * in the history written before; nothing offers them (former = 1 in
     * transitions[]). */
    wf_param_entry *former_stages; /* name: old stage, value: its new name */
    size_t nformer_stages;
    /* resident: true — its documents stay in memory for good, as their
     * compact JSON text parsed on use (the few that plugins walk in full:
     * plans, rosters, meetings; docs/resident.h); the others are read on
     * demand and the index keeps only their entry (issue 16). */
    int resident;
} wf_workflow;

/* How the loader learns what plugins provide, without depending on them. */
typedef struct wf_resolver {
    const kenes_guard *(*find_guard)(const char *name, void *payload);
    int (*type_known)(const char *type, void *payload); /* 1 if a plugin provides it */
    void *payload;
    const orders *orders; /* what `deadline: {order: ...}` may name; NULL: nothing */
} wf_resolver;

typedef struct wf_set wf_set;

/* Load one file.  On failure returns KENES_EINVAL and writes "file:line: message" to err. */
int wf_load_file(wf_workflow **out, const char *path, const wf_resolver *res, char *err,
                 size_t errcap);
void wf_workflow_free(wf_workflow *wf);

/* Load every *.yaml in dir (sorted by name); two files for one type is an error. */
int wf_set_load_dir(wf_set **out, const char *dir, const wf_resolver *res, char *err,
                    size_t errcap);
void wf_set_free(wf_set *set);

/* The set keeps o (the orders its deadlines were resolved against) and
 * frees it with itself; wf_set_orders answers it (or NULL). */
void wf_set_adopt_orders(wf_set *set, orders *o);
const orders *wf_set_orders(const wf_set *set);
/* The same for content/'s lists (docs/content.h), which api->content reads. */
void wf_set_adopt_content(wf_set *set, json_t *lists);
const json_t *wf_set_content(const wf_set *set);

size_t wf_set_count(const wf_set *set);
const wf_workflow *wf_set_at(const wf_set *set, size_t i);
const wf_workflow *wf_set_find(const wf_set *set, const char *type);

const wf_stage *wf_find_stage(const wf_workflow *wf, const char *name);
/* The value params: sets for name, or NULL. */
const char *wf_param(const wf_workflow *wf, const char *name);
/* The transition for action from this stage, or NULL. */
const wf_transition *wf_find_transition(const wf_workflow *wf, const char *action,
                                        const char *from);
/* The former transition (former: transitions:) for action from this raw
 * stage name (a former name or one of today), or NULL: only verify asks,
 * judging history written under the earlier workflow. */
const wf_transition *wf_find_former_transition(const wf_workflow *wf, const char *action,
                                               const char *from);
/* 1 if some transition has this action name (from any stage); former ones
 * do not count (wf_find_transition does not find them either). */
int wf_has_action(const wf_workflow *wf, const char *action);

/* 1 if name is a stage of the earlier workflow (former.stages' keys). */
int wf_is_former_stage(const wf_workflow *wf, const char *name);
/* The name of today for a stage a file says: its new name for a former
 * stage, else name itself (also NULL for NULL). */
const char *wf_stage_now(const wf_workflow *wf, const char *name);
/* 1 if some transition records this top-level field (records:): create and
 * edit may not write it. */
int wf_records_field(const wf_workflow *wf, const char *key);
/* 1 if t records key. */
int wf_transition_records(const wf_transition *t, const char *key);
/* 1 if attach: allows files to be added or removed in this stage. */
int wf_attach_stage(const wf_workflow *wf, const char *stage);
/* "all", "own-region", "named-region", "own-agency". */
const char *wf_scope_name(enum scope s);

/* 1 if documents in this stage are public (published, readable by anyone). */
int wf_stage_public(const wf_workflow *wf, const char *stage);
/* 1 if taking action from stage `from` rewrites the published reports. */
int wf_action_publishes(const wf_workflow *wf, const char *action, const char *from);
/* 1 if action is how this workflow records an erasure. */
int wf_is_erasure(const wf_workflow *wf, const char *action);

/* What the workflow calls a stage (what "stage") or an action (what
 * "action") in lang ("ru", "kk", "en"), or its type (what "type", name
 * ignored: labels.type); NULL for a name or language it has no label for.  For the web interface and the plugins (api->label). */
const char *wf_label(const wf_workflow *wf, const char *what, const char *name,
                     const char *lang);
/* The same for document type `type` in a set: a kapi_label_fn, whose
 * payload is the set (kapi_set_labels; wf_set_free forgets it). */
const char *wf_set_label(const void *set, const char *type, const char *what, const char *name,
                         const char *lang);

/* What record field f says of a document whose fields are `fields`, in
 * lang: *out malloc'd (free() it), or NULL when the document has nothing
 * to show there (the field absent, or none of its text's keys set; a key
 * missing among others reads "—").  0, KENES_EINVAL (a language the
 * workflow has no words in), KENES_ENOMEM. */
int wf_record_text(char **out, const wf_record_field *f, const char *lang, const json_t *fields);

/* {"type","initial",
 *  "stages":[{"name","editable","public","deadline":{"from_field","after_hours","closed_by",
 *             "order","editions"},"remind":{"roles","user_field","before_hours"}}],
 *  "create":{"roles","scope"},"edit":{...},"read":[{"roles","scope"}],
 *  "transitions":[{"action","from":[],"to" (null with back),"roles":[],"scope","guards":[],
 *                  "approvals","not_by_authors","publishes","inbox","records":[],
 *                  "clears":[],"clears_files","back","moves"}],
 *  "erase":{"action","stage"} or null, "labels":{"stages":{name:{ru,kk,en}},"actions":{...}},
 *  "record":[{"field","label":{ru,kk,en},"text":{ru,kk,en} or null}],
 *  "region_field","agency_field" (or null), "attach":{"roles","scope","stages"} or null,
 *  "former":{"stages":{old:new},"transitions":[as above]} or null}
 * Former transitions are only under "former": "transitions" is what can be taken. */
json_t *wf_to_json(const wf_workflow *wf);

#endif
