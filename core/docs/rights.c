#include "docs/rights.h"

#include <string.h>

#define ROLES_AUDIT (ROLE_AUDITOR | ROLE_ADMIN)

const access_route access_routes[] = {
    {"GET", "/healthz", ACCESS_ANYONE, 0},
    {"GET", "/reports/", ACCESS_ANYONE, 0},
    {"GET", "/reports/{name}", ACCESS_ANYONE, 0},
    {"GET", "/public/{id}", ACCESS_ANYONE, 0},
    {"POST", "/api/v1/reports/generate", ACCESS_ROLES, ROLE_ADMIN},
    {"GET", "/api/v1/inbox", ACCESS_SIGNED_IN, 0},
    {"POST", "/api/v1/sessions", ACCESS_ANYONE, 0},
    {"DELETE", "/api/v1/sessions/current", ACCESS_SIGNED_IN, 0},
    {"GET", "/api/v1/me", ACCESS_SIGNED_IN, 0},
    {"GET", "/api/v1/workflows", ACCESS_SIGNED_IN, 0},
    {"GET", "/api/v1/regions", ACCESS_SIGNED_IN, 0},
    {"GET", "/api/v1/templates/{type}", ACCESS_SIGNED_IN, 0},
    {"GET", "/api/v1/signing-key", ACCESS_SIGNED_IN, 0},
    {"GET", "/api/v1/audit", ACCESS_ROLES, ROLES_AUDIT},
    {"GET", "/api/v1/audit/access", ACCESS_ROLES, ROLES_AUDIT},
    {"GET", "/api/v1/audit/head", ACCESS_ROLES, ROLES_AUDIT},
    {"GET", "/api/v1/documents", ACCESS_DOC_LIST, 0},
    {"POST", "/api/v1/documents", ACCESS_DOC_CREATE, 0},
    {"GET", "/api/v1/documents/{id}", ACCESS_DOC_READ, 0},
    {"PUT", "/api/v1/documents/{id}", ACCESS_DOC_EDIT, 0},
    {"DELETE", "/api/v1/documents/{id}", ACCESS_DOC_ERASE, 0},
    {"POST", "/api/v1/documents/{id}/transitions", ACCESS_DOC_ACT, 0},
    {"GET", "/api/v1/documents/{id}/history", ACCESS_DOC_READ, 0},
    {"GET", "/api/v1/documents/{id}/versions/{commit}", ACCESS_DOC_READ, 0},
    {"GET", "/api/v1/documents/{id}/diff", ACCESS_DOC_READ, 0},
    {"GET", "/api/v1/documents/{id}/dossier.zip", ACCESS_DOC_DOSSIER, 0},
    {NULL, NULL, ACCESS_ANYONE, 0},
};

const access_route *access_route_find(const char *method, const char *pattern, int *path_known)
{
    *path_known = 0;
    for (const access_route *r = access_routes; r->method; r++) {
        if (strcmp(r->path, pattern) != 0)
            continue;
        *path_known = 1;
        /* HEAD is a GET without its body. */
        if (strcmp(r->method, method) == 0 ||
            (strcmp(method, "HEAD") == 0 && strcmp(r->method, "GET") == 0))
            return r;
    }
    return NULL;
}

int access_scoped(const auth_user *u, unsigned roles, enum scope scope, const char *region)
{
    if (u->role == ROLE_ADMIN)
        return 1;
    if (!(roles & (unsigned)u->role))
        return 0;
    if (scope == SCOPE_OWN_REGION)
        return u->region && region && strcmp(u->region, region) == 0;
    return 1;
}

int access_doc(const auth_user *u, const wf_workflow *wf, access_rule rule, const char *region,
               const char *action, int confidential)
{
    if (!u || !wf)
        return 0;
    switch (rule) {
    case ACCESS_DOC_CREATE:
        return access_scoped(u, wf->create_roles, wf->create_scope, region);
    case ACCESS_DOC_EDIT:
        return access_scoped(u, wf->edit_roles, wf->edit_scope, region);
    case ACCESS_DOC_READ:
    case ACCESS_DOC_LIST:
        if (u->role == ROLE_ADMIN || wf->nread == 0)
            return 1;
        for (size_t i = 0; i < wf->nread; i++)
            if (access_scoped(u, wf->read[i].roles, wf->read[i].scope, region))
                return 1;
        return 0;
    case ACCESS_DOC_ACT:
        for (size_t i = 0; action && i < wf->ntransitions; i++)
            if (strcmp(wf->transitions[i].action, action) == 0 &&
                access_scoped(u, wf->transitions[i].roles, wf->transitions[i].scope, region))
                return 1;
        return 0;
    case ACCESS_DOC_ERASE:
        return u->role == ROLE_ADMIN && confidential;
    case ACCESS_DOC_DOSSIER:
        /* A case's dossier is every version of a child's file at once. */
        if (confidential)
            return u->role == ROLE_AUDITOR;
        return access_doc(u, wf, ACCESS_DOC_READ, region, NULL, 0);
    default:
        return 0;
    }
}

/* What a rule gives this user for documents of any region: "all", "own-region" or false. */
static json_t *scope_json(const auth_user *u, unsigned roles, enum scope scope)
{
    if (u->role == ROLE_ADMIN)
        return json_string("all");
    if (!(roles & (unsigned)u->role))
        return json_false();
    return json_string(scope == SCOPE_OWN_REGION ? "own-region" : "all");
}

json_t *access_me(const auth_user *u, const wf_set *workflows)
{
    json_t *routes = json_array();
    for (const access_route *r = access_routes; r->method; r++) {
        int allowed = r->rule == ACCESS_ANYONE || r->rule == ACCESS_SIGNED_IN ||
                      r->rule == ACCESS_DOC_LIST ||
                      (r->rule == ACCESS_ROLES && (r->roles & (unsigned)u->role));
        json_t *a = allowed ? json_true() : r->rule >= ACCESS_DOC_CREATE
                                                 ? json_string("per document type")
                                                 : json_false();
        json_array_append_new(routes, json_pack("{s:s, s:s, s:o}", "method", r->method, "path",
                                                r->path, "allowed", a));
    }
    json_t *docs = json_object();
    for (size_t i = 0; i < wf_set_count(workflows); i++) {
        const wf_workflow *wf = wf_set_at(workflows, i);
        json_t *read = json_false();
        if (u->role == ROLE_ADMIN || wf->nread == 0)
            read = json_string("all");
        for (size_t k = 0; k < wf->nread && json_is_false(read); k++) {
            json_decref(read);
            read = scope_json(u, wf->read[k].roles, wf->read[k].scope);
        }
        json_t *actions = json_object();
        for (size_t k = 0; k < wf->ntransitions; k++) {
            const wf_transition *t = &wf->transitions[k];
            json_t *prev = json_object_get(actions, t->action);
            if (prev && !json_is_false(prev))
                continue;
            json_object_set_new(actions, t->action, scope_json(u, t->roles, t->scope));
        }
        json_object_set_new(docs, wf->type,
                            json_pack("{s:o, s:o, s:o, s:o}", "create",
                                      scope_json(u, wf->create_roles, wf->create_scope), "read",
                                      read, "edit",
                                      scope_json(u, wf->edit_roles, wf->edit_scope), "actions",
                                      actions));
    }
    return json_pack("{s:s, s:s, s:o, s:o, s:o}", "user", u->name, "role", role_name(u->role),
                     "region", u->region ? json_string(u->region) : json_null(), "routes", routes,
                     "documents", docs);
}
