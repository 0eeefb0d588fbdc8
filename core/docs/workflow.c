/*
 * Workflow files: parse with libyaml's document API (yml.h), check every
 * name against the stages, roles and what plugins provide, and fail on the
 * first fault with "file:line: message" naming the offending node's line.
 */
#include "docs/workflow.h"
#include "docs/workflow_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const wf_langs[WF_NLANGS] = {"ru", "kk", "en"};

int wf_fail(wf_load_ctx *c, const yaml_node_t *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = yml_vfail(c->err, c->errcap, c->path, n, fmt, ap);
    va_end(ap);
    return rc;
}

/* ---- generic node checks ---------------------------------------------- */

/* Refuse keys outside `allowed` (NULL-terminated; NULL: any) and keys given twice
 * (where NULL: the top level):
 * libyaml keeps both copies of a repeated key, and yml_get would silently
 * read only the first. */
int wf_check_keys(wf_load_ctx *c, yaml_node_t *map, const char *const *allowed,
                  const char *where)
{
    size_t n;
    yaml_node_pair_t *pairs = yml_pairs(map, &n);
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *kn = yml_node(&c->doc, pairs[i].key);
        const char *k = yml_scalar(kn);
        if (!k)
            return wf_fail(c, kn, "a key%s%s must be a plain name", where ? " in " : "",
                        where ? where : "");
        int ok = !allowed; /* NULL: any name, given once */
        for (size_t a = 0; allowed && allowed[a]; a++)
            if (strcmp(allowed[a], k) == 0)
                ok = 1;
        if (!ok) {
            char expected[256] = "";
            size_t len = 0;
            for (size_t a = 0; allowed[a] && len < sizeof(expected); a++)
                len += (size_t)snprintf(expected + len, sizeof(expected) - len, "%s%s",
                                        a ? ", " : "", allowed[a]);
            if (!where)
                return wf_fail(c, kn, "unknown top-level key '%s' (expected %s)", k, expected);
            return wf_fail(c, kn, "unknown key '%s' in %s (expected %s)", k, where, expected);
        }
        for (size_t j = 0; j < i; j++) {
            const char *prev = yml_scalar(yml_node(&c->doc, pairs[j].key));
            if (prev && strcmp(prev, k) == 0)
                return wf_fail(c, kn, "duplicate key '%s'%s%s (first at line %d)", k,
                            where ? " in " : "", where ? where : "",
                            yml_line(yml_node(&c->doc, pairs[j].key)));
        }
    }
    return 0;
}

/* A required or optional scalar value; *out NULL when absent and optional. */
int wf_get_scalar(wf_load_ctx *c, yaml_node_t *map, const char *key, int required,
                      const char *where, yaml_node_t **node, const char **out)
{
    yaml_node_t *n = yml_get(&c->doc, map, key);
    *out = NULL;
    if (node)
        *node = n;
    if (!n) {
        if (required)
            return wf_fail(c, map, "missing required key '%s' in %s", key, where);
        return 0;
    }
    const char *s = yml_scalar(n);
    if (!s || !*s)
        return wf_fail(c, n, "'%s' must be a non-empty name", key);
    *out = s;
    return 0;
}

/* key: true or false, absent meaning false. */
int wf_get_bool(wf_load_ctx *c, yaml_node_t *map, const char *key, int *out)
{
    yaml_node_t *n = yml_get(&c->doc, map, key);
    const char *s = n ? yml_scalar(n) : NULL;
    *out = 0;
    if (!n)
        return 0;
    if (s && strcmp(s, "true") == 0)
        *out = 1;
    else if (!s || strcmp(s, "false") != 0)
        return wf_fail(c, n, "'%s' must be true or false", key);
    return 0;
}

/* "a" or [a, b]: the scalar nodes of a one-name-or-list value. */
int wf_name_list(wf_load_ctx *c, yaml_node_t *n, const char *key, yaml_node_t ***out,
                 size_t *count)
{
    *out = NULL;
    *count = 0;
    if (yml_scalar(n)) {
        if (!*yml_scalar(n))
            return wf_fail(c, n, "'%s' must not be empty", key);
        *out = malloc(sizeof(**out));
        if (!*out)
            return KENES_ENOMEM;
        (*out)[0] = n;
        *count = 1;
        return 0;
    }
    size_t k;
    yaml_node_item_t *items = yml_items(n, &k);
    if (!items)
        return wf_fail(c, n, "'%s' must be a name or a list of names", key);
    if (k == 0)
        return wf_fail(c, n, "'%s' must not be empty", key);
    *out = calloc(k, sizeof(**out));
    if (!*out)
        return KENES_ENOMEM;
    for (size_t i = 0; i < k; i++) {
        yaml_node_t *item = yml_node(&c->doc, items[i]);
        const char *s = yml_scalar(item);
        if (!s || !*s) {
            free(*out);
            *out = NULL;
            return wf_fail(c, item ? item : n, "each entry of '%s' must be a name", key);
        }
        (*out)[i] = item;
    }
    *count = k;
    return 0;
}

int wf_parse_roles(wf_load_ctx *c, yaml_node_t *n, unsigned *roles)
{
    yaml_node_t **names;
    size_t k;
    int rc = wf_name_list(c, n, "roles", &names, &k);
    if (rc < 0)
        return rc;
    *roles = 0;
    for (size_t i = 0; i < k; i++) {
        const char *s = yml_scalar(names[i]);
        enum role r = role_parse(s);
        if (r == ROLE_NONE) {
            char known[256] = "";
            size_t len = 0;
            for (unsigned bit = 1; bit && len < sizeof(known); bit <<= 1) {
                const char *rn = role_name((enum role)bit);
                if (*rn)
                    len += (size_t)snprintf(known + len, sizeof(known) - len, "%s%s",
                                            len ? ", " : "", rn);
            }
            rc = wf_fail(c, names[i], "unknown role '%s' (expected %s)", s, known);
            free(names);
            return rc;
        }
        *roles |= (unsigned)r;
    }
    free(names);
    return 0;
}

/* Absent means all: a transition limited to the actor's region says so.
 * The scopes that read a field of the document need the workflow to say
 * which (region_field, agency_field, parsed before anything with a scope);
 * named-region means nothing for a document not yet written (create:). */
int wf_parse_scope(wf_load_ctx *c, yaml_node_t *map, int named_ok, enum scope *scope)
{
    yaml_node_t *n;
    const char *s;
    int rc = wf_get_scalar(c, map, "scope", 0, "", &n, &s);
    if (rc < 0)
        return rc;
    if (!s || strcmp(s, "all") == 0)
        *scope = SCOPE_ALL;
    else if (strcmp(s, "own-region") == 0)
        *scope = SCOPE_OWN_REGION;
    else if (strcmp(s, "named-region") == 0)
        *scope = SCOPE_NAMED_REGION;
    else if (strcmp(s, "own-agency") == 0)
        *scope = SCOPE_OWN_AGENCY;
    else
        return wf_fail(c, n, "unknown scope '%s' (expected all, own-region, named-region or "
                             "own-agency)", s);
    if (*scope == SCOPE_NAMED_REGION && !named_ok)
        return wf_fail(c, n, "scope 'named-region' cannot be used here (a document being "
                             "created names no region yet)");
    if (*scope == SCOPE_NAMED_REGION && !c->wf->region_field)
        return wf_fail(c, n, "scope 'named-region' needs the workflow's 'region_field'");
    if (*scope == SCOPE_OWN_AGENCY && !c->wf->agency_field)
        return wf_fail(c, n, "scope 'own-agency' needs the workflow's 'agency_field'");
    return 0;
}

/* ---- the parts of a workflow ------------------------------------------- */

static int parse_stages(wf_load_ctx *c, yaml_node_t *list)
{
    static const char *const keys[] = {"name", "editable", "public", "deadline", "remind", NULL};
    size_t k;
    yaml_node_item_t *items = yml_items(list, &k);
    if (!items)
        return wf_fail(c, list, "'stages' must be a list");
    if (k == 0)
        return wf_fail(c, list, "'stages' must declare at least one stage");
    c->wf->stages = calloc(k, sizeof(wf_stage));
    c->stage_lines = calloc(k, sizeof(int));
    if (!c->wf->stages || !c->stage_lines)
        return KENES_ENOMEM;
    for (size_t i = 0; i < k; i++) {
        yaml_node_t *st = yml_node(&c->doc, items[i]);
        if (!st || st->type != YAML_MAPPING_NODE)
            return wf_fail(c, st, "a stage must be a mapping such as {name: draft}");
        int rc = wf_check_keys(c, st, keys, "a stage");
        if (rc < 0)
            return rc;
        yaml_node_t *nn;
        const char *name;
        rc = wf_get_scalar(c, st, "name", 1, "a stage", &nn, &name);
        if (rc < 0)
            return rc;
        const wf_stage *prev = wf_find_stage(c->wf, name);
        if (prev)
            return wf_fail(c, nn, "duplicate stage '%s' (first declared at line %d)", name,
                        c->stage_lines[prev - c->wf->stages]);
        int editable, is_public;
        if ((rc = wf_get_bool(c, st, "editable", &editable)) < 0 ||
            (rc = wf_get_bool(c, st, "public", &is_public)) < 0)
            return rc;
        wf_stage *s = &c->wf->stages[c->wf->nstages];
        if (!(s->name = strdup(name)))
            return KENES_ENOMEM;
        s->editable = editable;
        s->is_public = is_public;
        c->stage_lines[c->wf->nstages] = yml_line(nn);
        c->wf->nstages++;
        yaml_node_t *dn = yml_get(&c->doc, st, "deadline");
        if (dn && (rc = wf_parse_deadline(c, dn, s)) < 0)
            return rc;
        yaml_node_t *rn = yml_get(&c->doc, st, "remind");
        if (rn && (rc = wf_parse_remind(c, rn, s)) < 0)
            return rc;
    }
    return 0;
}

/* former: a former transition may name a former stage as well. */
static int check_stage(wf_load_ctx *c, yaml_node_t *n, const char *name, int former)
{
    if (wf_find_stage(c->wf, name) || (former && wf_is_former_stage(c->wf, name)))
        return 0;
    if (former)
        return wf_fail(c, n, "unknown stage '%s' (not declared in 'stages' or "
                             "'former.stages')", name);
    return wf_fail(c, n, "unknown stage '%s' (not declared in 'stages')", name);
}

/* {roles, scope} as create:, edit: or an item of read: */
static int parse_access_node(wf_load_ctx *c, yaml_node_t *n, const char *where, int named_ok,
                             unsigned *roles, enum scope *scope)
{
    static const char *const keys[] = {"roles", "scope", NULL};
    if (n->type != YAML_MAPPING_NODE)
        return wf_fail(c, n, "%s must be a mapping such as {roles: [...], scope: all}", where);
    int rc = wf_check_keys(c, n, keys, where);
    if (rc < 0)
        return rc;
    yaml_node_t *rn = yml_get(&c->doc, n, "roles");
    if (!rn)
        return wf_fail(c, n, "missing required key 'roles' in %s", where);
    if ((rc = wf_parse_roles(c, rn, roles)) < 0)
        return rc;
    return wf_parse_scope(c, n, named_ok, scope);
}

static int parse_access(wf_load_ctx *c, yaml_node_t *root, const char *key, unsigned *roles,
                        enum scope *scope)
{
    char where[32];
    *roles = 0;
    *scope = SCOPE_ALL;
    yaml_node_t *n = yml_get(&c->doc, root, key);
    if (!n)
        return 0;
    snprintf(where, sizeof(where), "'%s'", key);
    return parse_access_node(c, n, where, 0, roles, scope);
}

static int parse_read(wf_load_ctx *c, yaml_node_t *root)
{
    yaml_node_t *n = yml_get(&c->doc, root, "read");
    if (!n)
        return 0;
    size_t k;
    yaml_node_item_t *items = yml_items(n, &k);
    if (!items || k == 0)
        return wf_fail(c, n, "'read' must be a non-empty list of {roles, scope}");
    if (!(c->wf->read = calloc(k, sizeof(wf_access))))
        return KENES_ENOMEM;
    for (size_t i = 0; i < k; i++) {
        wf_access *a = &c->wf->read[c->wf->nread++];
        int rc = parse_access_node(c, yml_node(&c->doc, items[i]), "an item of 'read'", 1,
                                   &a->roles, &a->scope);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* approvals: N (1-9), not_by: authors */
static int parse_quorum(wf_load_ctx *c, yaml_node_t *tn, wf_transition *t)
{
    t->approvals = 1;
    yaml_node_t *an = yml_get(&c->doc, tn, "approvals");
    if (an) {
        const char *s = yml_scalar(an);
        if (!s || strlen(s) != 1 || s[0] < '1' || s[0] > '9')
            return wf_fail(c, an, "'approvals' must be a whole number from 1 to 9");
        t->approvals = (unsigned)(s[0] - '0');
    }
    yaml_node_t *nn = yml_get(&c->doc, tn, "not_by");
    if (nn) {
        const char *s = yml_scalar(nn);
        if (!s || strcmp(s, "authors") != 0)
            return wf_fail(c, nn, "'not_by' can only be 'authors'");
        t->not_by_authors = 1;
    }
    return 0;
}

int wf_parse_transition(wf_load_ctx *c, yaml_node_t *tn, int former, wf_transition *t)
{
    static const char *const keys[] = {"action",  "from",      "to",           "roles",
                                       "scope",   "guards",    "approvals",    "not_by",
                                       "publishes", "inbox",   "records",      "clears",
                                       "clears_files", "back", "moves",        NULL};
    const char *where = "a transition";
    if (!tn || tn->type != YAML_MAPPING_NODE)
        return wf_fail(c, tn, "a transition must be a mapping such as {action: submit, ...}");
    t->line = yml_line(tn);
    t->former = former;
    int rc = wf_check_keys(c, tn, keys, where);
    if (rc < 0)
        return rc;

    yaml_node_t *an, *ton;
    const char *action, *to;
    if ((rc = wf_get_scalar(c, tn, "action", 1, where, &an, &action)) < 0)
        return rc;
    yaml_node_t *fn = yml_get(&c->doc, tn, "from");
    if (!fn)
        return wf_fail(c, tn, "missing required key 'from' in %s", where);
    /* back: true stands instead of to: (the stage is read from history). */
    if ((rc = wf_get_bool(c, tn, "back", &t->back)) < 0)
        return rc;
    if ((rc = wf_get_scalar(c, tn, "to", !t->back, where, &ton, &to)) < 0)
        return rc;
    if (t->back && to)
        return wf_fail(c, ton, "a transition takes 'to' or 'back: true', not both");
    yaml_node_t *rn = yml_get(&c->doc, tn, "roles");
    if (!rn)
        return wf_fail(c, tn, "missing required key 'roles' in %s", where);

    if (!(t->action = strdup(action)))
        return KENES_ENOMEM;

    yaml_node_t **from;
    size_t nfrom;
    if ((rc = wf_name_list(c, fn, "from", &from, &nfrom)) < 0)
        return rc;
    t->from = calloc(nfrom, sizeof(char *));
    if (!t->from) {
        free(from);
        return KENES_ENOMEM;
    }
    for (size_t i = 0; i < nfrom; i++) {
        const char *s = yml_scalar(from[i]);
        rc = check_stage(c, from[i], s, former);
        /* The transitions before this one are complete; this one's own
         * earlier "from" entries count too ([draft, draft]).  A former
         * transition may repeat a current one: it is another version's. */
        const wf_transition *dup =
            rc < 0 ? NULL
                   : former ? wf_find_former_transition(c->wf, action, s)
                            : wf_find_transition(c->wf, action, s);
        for (size_t j = 0; rc == 0 && !dup && j < t->nfrom; j++)
            if (strcmp(t->from[j], s) == 0)
                dup = t;
        if (dup)
            rc = wf_fail(c, an, "action '%s' is declared twice from stage '%s' (first at line %d)",
                      action, s, dup->line);
        if (rc == 0 && !(t->from[t->nfrom] = strdup(s)))
            rc = KENES_ENOMEM;
        if (rc < 0) {
            free(from);
            return rc;
        }
        t->nfrom++;
    }
    free(from);

    if (to && (rc = check_stage(c, ton, to, former)) < 0)
        return rc;
    if (to && !(t->to = strdup(to)))
        return KENES_ENOMEM;
    if ((rc = wf_parse_roles(c, rn, &t->roles)) < 0)
        return rc;
    if ((rc = wf_parse_scope(c, tn, 1, &t->scope)) < 0)
        return rc;
    if ((rc = wf_parse_transition_keys(c, tn, t)) < 0)
        return rc;
    if ((rc = wf_get_bool(c, tn, "publishes", &t->publishes)) < 0)
        return rc;
    /* Absent means true: only `inbox: false` says anything. */
    int in_inbox = 1;
    if (yml_get(&c->doc, tn, "inbox") && (rc = wf_get_bool(c, tn, "inbox", &in_inbox)) < 0)
        return rc;
    t->no_inbox = !in_inbox;
    if ((rc = parse_quorum(c, tn, t)) < 0)
        return rc;

    yaml_node_t *gn = yml_get(&c->doc, tn, "guards");
    if (!gn)
        return 0;
    /* An empty list reads naturally as "no guards". */
    size_t k;
    if (yml_items(gn, &k) && k == 0)
        return 0;
    yaml_node_t **guards;
    size_t ng;
    if ((rc = wf_name_list(c, gn, "guards", &guards, &ng)) < 0)
        return rc;
    t->guard_names = calloc(ng, sizeof(char *));
    t->guards = calloc(ng, sizeof(kenes_guard *));
    if (!t->guard_names || !t->guards) {
        free(guards);
        return KENES_ENOMEM;
    }
    for (size_t i = 0; i < ng; i++) {
        const char *s = yml_scalar(guards[i]);
        const kenes_guard *g =
            c->res && c->res->find_guard ? c->res->find_guard(s, c->res->payload) : NULL;
        if (!g) {
            rc = wf_fail(c, guards[i], "unknown guard '%s' (no plugin provides it)", s);
            free(guards);
            return rc;
        }
        if (!(t->guard_names[i] = strdup(s))) {
            free(guards);
            return KENES_ENOMEM;
        }
        t->guards[i] = g;
        t->nguards++;
    }
    free(guards);
    return 0;
}

static int parse_transitions(wf_load_ctx *c, yaml_node_t *list)
{
    size_t k;
    yaml_node_item_t *items = yml_items(list, &k);
    if (!items)
        return wf_fail(c, list, "'transitions' must be a list");
    if (k == 0)
        return wf_fail(c, list, "'transitions' must declare at least one transition");
    c->wf->transitions = calloc(k, sizeof(wf_transition));
    if (!c->wf->transitions)
        return KENES_ENOMEM;
    for (size_t i = 0; i < k; i++) {
        /* Counted before parsing so that _free releases a half-filled one. */
        wf_transition *t = &c->wf->transitions[c->wf->ntransitions++];
        int rc = wf_parse_transition(c, yml_node(&c->doc, items[i]), 0, t);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* erase: {action: erase, stage: erased} */
static int parse_erase(wf_load_ctx *c, yaml_node_t *root)
{
    static const char *const keys[] = {"action", "stage", NULL};
    yaml_node_t *n = yml_get(&c->doc, root, "erase");
    if (!n)
        return 0;
    if (n->type != YAML_MAPPING_NODE)
        return wf_fail(c, n, "'erase' must be a mapping such as {action: erase, stage: erased}");
    int rc = wf_check_keys(c, n, keys, "erase");
    yaml_node_t *an, *sn;
    const char *action, *stage;
    if (rc < 0 || (rc = wf_get_scalar(c, n, "action", 1, "erase", &an, &action)) < 0 ||
        (rc = wf_get_scalar(c, n, "stage", 1, "erase", &sn, &stage)) < 0)
        return rc;
    /* An erasure is no step of the workflow: nothing may lead out of it. */
    if (wf_has_action(c->wf, action))
        return wf_fail(c, an, "the erasure '%s' must not be a transition's action too", action);
    if (wf_find_stage(c->wf, stage))
        return wf_fail(c, sn, "the erased stage '%s' must not be one of 'stages' too", stage);
    if (!(c->wf->erase_action = strdup(action)) || !(c->wf->erased_stage = strdup(stage)))
        return KENES_ENOMEM;
    return 0;
}

/* params: {quorum: "1/2", ...}: values the type's plugin reads (api->param);
 * the core gives them no meaning, only checks each is a scalar. */
static int parse_params(wf_load_ctx *c, yaml_node_t *root)
{
    yaml_node_t *n = yml_get(&c->doc, root, "params");
    if (!n)
        return 0;
    if (n->type != YAML_MAPPING_NODE)
        return wf_fail(c, n, "'params' must be a mapping of names to values");
    size_t k;
    yaml_node_pair_t *p = yml_pairs(n, &k);
    if (!(c->wf->params = calloc(k ? k : 1, sizeof(*c->wf->params))))
        return KENES_ENOMEM;
    for (; k--; p++) {
        yaml_node_t *kn = yml_node(&c->doc, p->key), *vn = yml_node(&c->doc, p->value);
        const char *key = yml_scalar(kn), *value = yml_scalar(vn);
        if (!key || !value)
            return wf_fail(c, vn ? vn : kn, "each of 'params' must be a name and a plain value");
        if (wf_param(c->wf, key))
            return wf_fail(c, kn, "'params' sets '%s' twice", key);
        wf_param_entry *e = &c->wf->params[c->wf->nparams];
        if (!(e->name = strdup(key)) || !(e->value = strdup(value)))
            return KENES_ENOMEM;
        c->wf->nparams++;
    }
    return 0;
}

const char *wf_param(const wf_workflow *wf, const char *name)
{
    for (size_t i = 0; wf && name && i < wf->nparams; i++)
        if (strcmp(wf->params[i].name, name) == 0)
            return wf->params[i].value;
    return NULL;
}

static int parse_workflow(wf_load_ctx *c)
{
    static const char *const keys[] = {"type",   "initial",      "stages",       "create",
                                       "edit",   "read",         "transitions",  "erase",
                                       "labels", "record",       "params",       "region_field",
                                       "agency_field", "attach", "former",       "resident",
                                       NULL};
    const char *where = "the workflow";
    yaml_node_t *root = yml_root(&c->doc);
    if (!root || root->type != YAML_MAPPING_NODE)
        return wf_fail(c, root, "a workflow file must be a mapping (type, initial, stages, ...)");
    int rc = wf_check_keys(c, root, keys, NULL);
    if (rc < 0)
        return rc;

    /* Presence first, so a file missing several parts names the first one
     * in reading order rather than whichever check happens to run first. */
    static const char *const required[] = {"type", "initial", "stages", "transitions", NULL};
    for (size_t i = 0; required[i]; i++)
        if (!yml_get(&c->doc, root, required[i]))
            return wf_fail(c, root, "missing required top-level key '%s'", required[i]);

    yaml_node_t *typen, *initn;
    const char *type, *initial;
    if ((rc = wf_get_scalar(c, root, "type", 1, where, &typen, &type)) < 0)
        return rc;
    if (!c->res || !c->res->type_known || !c->res->type_known(type, c->res->payload))
        return wf_fail(c, typen, "unknown document type '%s' (no plugin provides it)", type);
    c->wf->type_line = yml_line(typen);
    if (!(c->wf->type = strdup(type)))
        return KENES_ENOMEM;

    if ((rc = wf_get_scalar(c, root, "initial", 1, where, &initn, &initial)) < 0)
        return rc;
    if ((rc = parse_stages(c, yml_get(&c->doc, root, "stages"))) < 0)
        return rc;
    if ((rc = check_stage(c, initn, initial, 0)) < 0)
        return rc;
    if (!(c->wf->initial = strdup(initial)))
        return KENES_ENOMEM;
    /* Before anything with a scope: named-region and own-agency read them.
     * former.stages before the transitions, whose names they free. */
    if ((rc = wf_parse_fields(c, root)) < 0 || (rc = wf_parse_former_stages(c, root)) < 0)
        return rc;

    if ((rc = parse_access(c, root, "create", &c->wf->create_roles, &c->wf->create_scope)) < 0)
        return rc;
    if ((rc = parse_access(c, root, "edit", &c->wf->edit_roles, &c->wf->edit_scope)) < 0)
        return rc;
    if ((rc = parse_read(c, root)) < 0)
        return rc;
    if ((rc = parse_transitions(c, yml_get(&c->doc, root, "transitions"))) < 0)
        return rc;
    if ((rc = wf_parse_former_transitions(c, root)) < 0 || (rc = wf_parse_attach(c, root)) < 0)
        return rc;
    if ((rc = parse_erase(c, root)) < 0)
        return rc;
    if ((rc = parse_params(c, root)) < 0)
        return rc;
    if ((rc = wf_get_bool(c, root, "resident", &c->wf->resident)) < 0)
        return rc;
    /* Last: the labels name what all the rest declared. */
    if ((rc = wf_parse_labels(c, root)) < 0)
        return rc;
    return wf_parse_record(c, root);
}

int wf_load_file(wf_workflow **out, const char *path, const wf_resolver *res, char *err,
                 size_t errcap)
{
    wf_load_ctx c = {.path = path, .res = res, .err = err, .errcap = errcap};
    *out = NULL;
    if (err && errcap)
        err[0] = '\0';
    int rc = yml_load_file(&c.doc, path, err, errcap);
    if (rc < 0)
        return rc;
    c.wf = calloc(1, sizeof(*c.wf));
    if (!c.wf || !(c.wf->file = strdup(path))) {
        rc = KENES_ENOMEM;
    } else {
        rc = parse_workflow(&c);
    }
    if (rc == KENES_ENOMEM && err && errcap)
        snprintf(err, errcap, "%s:0: out of memory", path);
    free(c.stage_lines);
    yml_dispose(&c.doc);
    if (rc < 0) {
        wf_workflow_free(c.wf);
        return rc;
    }
    *out = c.wf;
    return 0;
}

void wf_free_strv(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
}

void wf_workflow_free(wf_workflow *wf)
{
    if (!wf)
        return;
    for (size_t i = 0; i < wf->nstages; i++) {
        free(wf->stages[i].name);
        free(wf->stages[i].deadline_from);
        free(wf->stages[i].deadline_closed_by);
        free(wf->stages[i].deadline_order);
        free(wf->stages[i].remind_user_field);
    }
    wf_free_labels(wf->stage_labels, wf->nstage_labels);
    for (int l = 0; l < WF_NLANGS; l++)
        free(wf->type_label[l]);
    wf_free_labels(wf->action_labels, wf->naction_labels);
    wf_free_record(wf->record, wf->nrecord);
    free(wf->erase_action);
    free(wf->erased_stage);
    for (size_t i = 0; i < wf->nparams; i++) {
        free(wf->params[i].name);
        free(wf->params[i].value);
    }
    free(wf->params);
    free(wf->stages);
    free(wf->read);
    for (size_t i = 0; i < wf->ntransitions; i++) {
        wf_transition *t = &wf->transitions[i];
        free(t->action);
        wf_free_strv(t->from, t->nfrom);
        free(t->to);
        wf_free_strv(t->guard_names, t->nguards);
        free(t->guards);
        wf_free_strv(t->records, t->nrecords);
        wf_free_strv(t->clears, t->nclears);
    }
    wf_free_strv(wf->attach_stages, wf->nattach_stages);
    for (size_t i = 0; i < wf->nformer_stages; i++) {
        free(wf->former_stages[i].name);
        free(wf->former_stages[i].value);
    }
    free(wf->former_stages);
    free(wf->region_field);
    free(wf->agency_field);
    free(wf->transitions);
    free(wf->file);
    free(wf->type);
    free(wf->initial);
    free(wf);
}

