/*
 * Who may do what, decided in one place.
 *
 * The rules an endpoint may carry (the API's route table, api/routes.c,
 * names one for each).  Rules that depend on a document (create, read,
 * edit, act, erase) are answered from the workflow files (their create:,
 * edit:, read: and transitions' roles and scope) by access_doc(); the
 * router and the document operations ask nothing else.  GET /api/v1/me
 * renders the same decisions for the caller.
 */
#ifndef KENES_ACCESS_H
#define KENES_ACCESS_H

#include <jansson.h>

#include "auth/auth.h"
#include "auth/role.h"
#include "docs/workflow.h"

typedef enum access_rule {
    ACCESS_ANYONE,     /* no token needed */
    ACCESS_SIGNED_IN,  /* any valid token */
    ACCESS_ROLES,      /* a valid token of one of `roles` */
    ACCESS_DOC_LIST,   /* signed in; the list holds only what the caller may read */
    ACCESS_DOC_CREATE, /* the workflow's create: rule */
    ACCESS_DOC_READ,   /* the workflow's read: rule (everyone signed in without one) */
    ACCESS_DOC_EDIT,   /* the workflow's edit: rule (and an editable stage) */
    ACCESS_DOC_ACT,    /* the transition's roles and scope */
    ACCESS_DOC_ERASE,  /* admins, on confidential documents */
    ACCESS_DOC_DOSSIER, /* readers; for confidential documents auditors only */
    ACCESS_DOC_HISTORY  /* as ACCESS_DOC_READ, and an erased case's history stays readable */
} access_rule;

/* What GET /api/v1/me says of an endpoint with this rule: true, false, or
 * "per document type" (new reference). */
json_t *access_route_json(const auth_user *u, access_rule rule, unsigned roles);

/* Whether a user with this role and region can meet {roles, scope} for
 * some document of `region`: exact for all and own-region; for the scopes
 * that read a document's fields (named-region, own-agency) whether some
 * document could name the user (a menu's question before there is one).
 * Admins always do. */
int access_scoped(const auth_user *u, unsigned roles, enum scope scope, const char *region);
/* The same for this document (its region and fields; wf: its workflow, for
 * region_field and agency_field): exact for every scope. */
int access_scoped_doc(const auth_user *u, const wf_workflow *wf, unsigned roles, enum scope scope,
                      const json_t *doc);

/* Document rules.  action: the transition's action for ACCESS_DOC_ACT (any
 * transition with that name), else NULL.  confidential: for ACCESS_DOC_ERASE
 * and ACCESS_DOC_DOSSIER.  access_doc asks of a region (access_scoped's
 * "can"), access_doc_json of a document or a body to create (exact). */
int access_doc(const auth_user *u, const wf_workflow *wf, access_rule rule, const char *region,
               const char *action, int confidential);
int access_doc_json(const auth_user *u, const wf_workflow *wf, access_rule rule,
                    const json_t *doc, const char *action, int confidential);

/* The string at a dotted path under doc's fields ("transfer.to"), or NULL. */
const char *access_field(const json_t *doc, const char *path);

/* What the rules read of one document: its region and the fields its
 * workflow's scopes name, from its JSON or, when the JSON is not in memory
 * (issue 16), from what the index keeps of it (idx_entry.access). */
typedef struct access_view {
    const char *region;
    const json_t *doc;  /* the JSON, or NULL: then fields */
    const char *fields; /* "path\0value\0...\0", or NULL (none kept) */
} access_view;
/* access_field of the view. */
const char *access_view_field(const access_view *v, const char *path);
int access_scoped_view(const auth_user *u, const wf_workflow *wf, unsigned roles,
                       enum scope scope, const access_view *v);
int access_doc_view(const auth_user *u, const wf_workflow *wf, access_rule rule,
                    const access_view *v, const char *action, int confidential);

/* Why rule refuses a user, in words beside the rule itself, naming no
 * document type: what the router answers with its 403. */
const char *access_refusal(access_rule rule);

/* {"user","role","region","agency",
 *  "documents":{type:{"create","read","edit","actions":{action:scope}}}}
 * (the API adds "routes":[{"method","path","allowed"}] from its table)
 * where a scope is "all", "own-region" (with the user's region),
 * "named-region", "own-agency" or false. */
json_t *access_me(const auth_user *u, const wf_set *workflows);

#endif
