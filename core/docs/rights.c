#include "docs/rights.h"

#include <string.h>

json_t *access_route_json(const auth_user *u, access_rule rule, unsigned roles)
{
    int allowed = rule == ACCESS_ANYONE || rule == ACCESS_SIGNED_IN || rule == ACCESS_DOC_LIST ||
                  (rule == ACCESS_ROLES && (roles & (unsigned)u->role));
    return allowed ? json_true()
                   : rule >= ACCESS_DOC_CREATE ? json_string("per document type") : json_false();
}

static int same(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

const char *access_field(const json_t *doc, const char *path)
{
    char key[64];
    const json_t *v = json_object_get(doc, "fields");
    while (v && path && *path) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        if (n >= sizeof(key))
            return NULL;
        memcpy(key, path, n);
        key[n] = '\0';
        v = json_object_get(v, key);
        path = dot ? dot + 1 : NULL;
    }
    return path ? NULL : json_string_value(v);
}

const char *access_view_field(const access_view *v, const char *path)
{
    if (v->doc)
        return access_field(v->doc, path);
    for (const char *p = v->fields; p && *p && path;) {
        const char *value = p + strlen(p) + 1;
        if (strcmp(p, path) == 0)
            return value;
        p = value + strlen(value) + 1;
    }
    return NULL;
}

/* Whether scope holds for u and the document v (its region, its fields),
 * or with v NULL whether it can hold for some document of region: the
 * answer for a page's menu before there is a document. */
static int scope_holds(const auth_user *u, const wf_workflow *wf, enum scope scope,
                       const char *region, const access_view *v)
{
    switch (scope) {
    case SCOPE_OWN_REGION:
        return same(u->region, region);
    case SCOPE_NAMED_REGION:
        /* The region the document names (a case's receiving region). */
        if (!v)
            return u->region != NULL;
        return wf && wf->region_field && same(u->region, access_view_field(v, wf->region_field));
    case SCOPE_OWN_AGENCY:
        if (!same(u->region, region) || !u->agency)
            return 0;
        return !v || (wf && wf->agency_field &&
                      same(u->agency, access_view_field(v, wf->agency_field)));
    default:
        return 1;
    }
}

static int scoped(const auth_user *u, const wf_workflow *wf, unsigned roles, enum scope scope,
                  const char *region, const access_view *v)
{
    if (u->role == ROLE_ADMIN)
        return 1;
    if (!(roles & (unsigned)u->role))
        return 0;
    return scope_holds(u, wf, scope, v ? v->region : region, v);
}

/* The view of a document's JSON (doc NULL: none). */
static const access_view *json_view(access_view *v, const json_t *doc)
{
    if (!doc)
        return NULL;
    *v = (access_view){.region = json_string_value(json_object_get(doc, "region")), .doc = doc};
    return v;
}

int access_scoped(const auth_user *u, unsigned roles, enum scope scope, const char *region)
{
    return scoped(u, NULL, roles, scope, region, NULL);
}

int access_scoped_doc(const auth_user *u, const wf_workflow *wf, unsigned roles, enum scope scope,
                      const json_t *doc)
{
    access_view v;
    return scoped(u, wf, roles, scope, NULL, json_view(&v, doc));
}

int access_scoped_view(const auth_user *u, const wf_workflow *wf, unsigned roles,
                       enum scope scope, const access_view *v)
{
    return scoped(u, wf, roles, scope, NULL, v);
}

static int doc_rule(const auth_user *u, const wf_workflow *wf, access_rule rule, const char *region,
                    const access_view *doc, const char *action, int confidential)
{
    if (!u || !wf)
        return 0;
    switch (rule) {
    case ACCESS_DOC_CREATE:
        return scoped(u, wf, wf->create_roles, wf->create_scope, region, doc);
    case ACCESS_DOC_EDIT:
        return scoped(u, wf, wf->edit_roles, wf->edit_scope, region, doc);
    case ACCESS_DOC_READ:
    case ACCESS_DOC_HISTORY:
    case ACCESS_DOC_LIST:
        if (u->role == ROLE_ADMIN || wf->nread == 0)
            return 1;
        for (size_t i = 0; i < wf->nread; i++)
            if (scoped(u, wf, wf->read[i].roles, wf->read[i].scope, region, doc))
                return 1;
        return 0;
    case ACCESS_DOC_ACT:
        for (size_t i = 0; action && i < wf->ntransitions; i++)
            if (!wf->transitions[i].former && strcmp(wf->transitions[i].action, action) == 0 &&
                scoped(u, wf, wf->transitions[i].roles, wf->transitions[i].scope, region, doc))
                return 1;
        return 0;
    case ACCESS_DOC_ERASE:
        return u->role == ROLE_ADMIN && confidential;
    case ACCESS_DOC_DOSSIER:
        /* A case's dossier is every version of a child's file at once. */
        if (confidential)
            return u->role == ROLE_AUDITOR;
        return doc_rule(u, wf, ACCESS_DOC_READ, region, doc, NULL, 0);
    default:
        return 0;
    }
}

int access_doc(const auth_user *u, const wf_workflow *wf, access_rule rule, const char *region,
               const char *action, int confidential)
{
    return doc_rule(u, wf, rule, region, NULL, action, confidential);
}

int access_doc_json(const auth_user *u, const wf_workflow *wf, access_rule rule,
                    const json_t *doc, const char *action, int confidential)
{
    access_view v;
    return doc_rule(u, wf, rule, NULL, json_view(&v, doc), action, confidential);
}

int access_doc_view(const auth_user *u, const wf_workflow *wf, access_rule rule,
                    const access_view *v, const char *action, int confidential)
{
    return doc_rule(u, wf, rule, NULL, v, action, confidential);
}

const char *access_refusal(access_rule rule)
{
    switch (rule) {
    case ACCESS_DOC_DOSSIER:
        /* Every version of a confidential file at once (a child's case). */
        return "the dossier of a confidential document is for auditors only";
    default:
        return "your role may not do this to this document";
    }
}

/* What a rule gives this user for documents of any region: "all",
 * "own-region", "named-region", "own-agency" or false. */
static json_t *scope_json(const auth_user *u, unsigned roles, enum scope scope)
{
    if (u->role == ROLE_ADMIN)
        return json_string("all");
    if (!(roles & (unsigned)u->role))
        return json_false();
    return json_string(wf_scope_name(scope));
}

json_t *access_me(const auth_user *u, const wf_set *workflows)
{
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
            if (t->former)
                continue;
            json_t *prev = json_object_get(actions, t->action);
            if (prev && !json_is_false(prev))
                continue;
            json_object_set_new(actions, t->action, scope_json(u, t->roles, t->scope));
        }
        /* Files (attach:): added and removed in its stages, by its roles. */
        json_t *attach = wf->has_attach ? scope_json(u, wf->attach_roles, wf->attach_scope)
                                        : json_false();
        json_object_set_new(docs, wf->type,
                            json_pack("{s:o, s:o, s:o, s:o, s:o}", "create",
                                      scope_json(u, wf->create_roles, wf->create_scope), "read",
                                      read, "edit",
                                      scope_json(u, wf->edit_roles, wf->edit_scope), "attach",
                                      attach, "actions", actions));
    }
    return json_pack("{s:s, s:s, s:o, s:o, s:o}", "user", u->name, "role", role_name(u->role),
                     "region", u->region ? json_string(u->region) : json_null(), "agency",
                     u->agency ? json_string(u->agency) : json_null(), "documents", docs);
}
