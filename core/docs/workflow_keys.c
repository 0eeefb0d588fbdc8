/*
 * The workflow keys of issue 15, part of the loader (workflow_internal.h):
 * what a transition writes besides the stage (records, clears, clears_files,
 * moves), the fields a scope reads (region_field, agency_field), who may
 * attach files (attach:) and the workflow's earlier version (former:).
 */
#include <stdlib.h>
#include <string.h>

#include "docs/workflow.h"
#include "docs/workflow_internal.h"

/* 1 if name is one top-level field name: what a transition writes whole. */
static int plain_name(const char *s)
{
    if (!s || !*s)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
            return 0;
    return 1;
}

/* records: [a, b] or clears: a: distinct top-level field names into *out. */
static int field_names(wf_load_ctx *c, yaml_node_t *tn, const char *key, char ***out,
                       size_t *count)
{
    yaml_node_t *n = yml_get(&c->doc, tn, key), **names;
    size_t k;
    if (!n)
        return 0;
    int rc = wf_name_list(c, n, key, &names, &k);
    if (rc < 0)
        return rc;
    if (!(*out = calloc(k, sizeof(char *)))) {
        free(names);
        return KENES_ENOMEM;
    }
    for (size_t i = 0; i < k && rc == 0; i++) {
        const char *s = yml_scalar(names[i]);
        if (!plain_name(s))
            rc = wf_fail(c, names[i], "'%s' names top-level fields, such as act (not '%s')",
                         key, s);
        for (size_t j = 0; rc == 0 && j < *count; j++)
            if (strcmp((*out)[j], s) == 0)
                rc = wf_fail(c, names[i], "'%s' names field '%s' twice", key, s);
        if (rc == 0 && !((*out)[*count] = strdup(s)))
            rc = KENES_ENOMEM;
        if (rc == 0)
            (*count)++;
    }
    free(names);
    return rc;
}

int wf_parse_transition_keys(wf_load_ctx *c, yaml_node_t *tn, wf_transition *t)
{
    int rc;
    if ((rc = field_names(c, tn, "records", &t->records, &t->nrecords)) < 0 ||
        (rc = field_names(c, tn, "clears", &t->clears, &t->nclears)) < 0 ||
        (rc = wf_get_bool(c, tn, "moves", &t->moves)) < 0 ||
        (rc = wf_get_bool(c, tn, "clears_files", &t->clears_files)) < 0)
        return rc;
    /* attach: is read after the transitions: its key is looked for here. */
    if (t->clears_files && !yml_get(&c->doc, yml_root(&c->doc), "attach"))
        return wf_fail(c, yml_get(&c->doc, tn, "clears_files"),
                       "'clears_files' needs the workflow's 'attach:' (no files otherwise)");
    /* One commit cannot both set a field and remove it. */
    for (size_t i = 0; i < t->nclears; i++)
        for (size_t j = 0; j < t->nrecords; j++)
            if (strcmp(t->clears[i], t->records[j]) == 0)
                return wf_fail(c, yml_get(&c->doc, tn, "clears"),
                               "field '%s' is both recorded and cleared", t->clears[i]);
    if (t->moves && !c->wf->region_field)
        return wf_fail(c, yml_get(&c->doc, tn, "moves"),
                       "'moves' needs the workflow's 'region_field' (where the new region is)");
    return 0;
}

/* key: a.b, a path under fields (not starting "fields."), into *out. */
static int field_path(wf_load_ctx *c, yaml_node_t *root, const char *key, const char *example,
                      char **out)
{
    yaml_node_t *n;
    const char *s;
    int rc = wf_get_scalar(c, root, key, 0, "the workflow", &n, &s);
    if (rc < 0 || !s)
        return rc;
    if (strncmp(s, "fields.", 7) == 0 || !wf_valid_path(s))
        return wf_fail(c, n, "'%s' must name a field under fields, such as %s", key, example);
    return (*out = strdup(s)) ? 0 : KENES_ENOMEM;
}

int wf_parse_fields(wf_load_ctx *c, yaml_node_t *root)
{
    int rc = field_path(c, root, "region_field", "transfer.to", &c->wf->region_field);
    return rc < 0 ? rc : field_path(c, root, "agency_field", "agency", &c->wf->agency_field);
}

/* attach: {roles: [...], scope: own-region, stages: [draft, ...]} */
int wf_parse_attach(wf_load_ctx *c, yaml_node_t *root)
{
    static const char *const keys[] = {"roles", "scope", "stages", NULL};
    const char *where = "'attach'";
    wf_workflow *wf = c->wf;
    yaml_node_t *n = yml_get(&c->doc, root, "attach");
    if (!n)
        return 0;
    if (n->type != YAML_MAPPING_NODE)
        return wf_fail(c, n, "'attach' must be a mapping such as {roles: [...], scope: "
                             "own-region, stages: [draft]}");
    int rc = wf_check_keys(c, n, keys, where);
    if (rc < 0)
        return rc;
    yaml_node_t *rn = yml_get(&c->doc, n, "roles"), *sn = yml_get(&c->doc, n, "stages");
    if (!rn || !sn)
        return wf_fail(c, n, "missing required key '%s' in %s", rn ? "stages" : "roles", where);
    if ((rc = wf_parse_roles(c, rn, &wf->attach_roles)) < 0 ||
        (rc = wf_parse_scope(c, n, 1, &wf->attach_scope)) < 0)
        return rc;
    yaml_node_t **names;
    size_t k;
    if ((rc = wf_name_list(c, sn, "stages", &names, &k)) < 0)
        return rc;
    if (!(wf->attach_stages = calloc(k, sizeof(char *)))) {
        free(names);
        return KENES_ENOMEM;
    }
    for (size_t i = 0; i < k && rc == 0; i++) {
        const char *s = yml_scalar(names[i]);
        if (!wf_find_stage(wf, s))
            rc = wf_fail(c, names[i], "unknown stage '%s' in 'attach' (not declared in 'stages')",
                         s);
        else if (!(wf->attach_stages[wf->nattach_stages++] = strdup(s)))
            rc = KENES_ENOMEM;
    }
    free(names);
    wf->has_attach = rc == 0;
    return rc;
}

static yaml_node_t *former_node(wf_load_ctx *c, yaml_node_t *root, const char *key, int *rc)
{
    static const char *const keys[] = {"stages", "transitions", NULL};
    yaml_node_t *n = yml_get(&c->doc, root, "former");
    *rc = 0;
    if (!n)
        return NULL;
    if (n->type != YAML_MAPPING_NODE) {
        *rc = wf_fail(c, n, "'former' must be a mapping {stages: {old: new}, transitions: [...]}");
        return NULL;
    }
    if ((*rc = wf_check_keys(c, n, keys, "'former'")) < 0)
        return NULL;
    return yml_get(&c->doc, n, key);
}

/* former.stages: {approved: in-force, ...}: each old name no stage of today,
 * each new one a stage of today. */
int wf_parse_former_stages(wf_load_ctx *c, yaml_node_t *root)
{
    wf_workflow *wf = c->wf;
    int rc;
    yaml_node_t *n = former_node(c, root, "stages", &rc);
    if (!n)
        return rc;
    if (n->type != YAML_MAPPING_NODE)
        return wf_fail(c, n, "'former.stages' must map each former stage to a stage of today");
    if ((rc = wf_check_keys(c, n, NULL, "'former.stages'")) < 0)
        return rc;
    size_t k;
    yaml_node_pair_t *p = yml_pairs(n, &k);
    if (!(wf->former_stages = calloc(k ? k : 1, sizeof(*wf->former_stages))))
        return KENES_ENOMEM;
    for (; k--; p++) {
        yaml_node_t *kn = yml_node(&c->doc, p->key), *vn = yml_node(&c->doc, p->value);
        const char *old = yml_scalar(kn), *now = yml_scalar(vn);
        if (!now || !*now)
            return wf_fail(c, vn ? vn : kn, "former stage '%s' must map to one stage name", old);
        if (wf_find_stage(wf, old))
            return wf_fail(c, kn, "former stage '%s' is a stage of today too", old);
        if (!wf_find_stage(wf, now))
            return wf_fail(c, vn, "former stage '%s' maps to unknown stage '%s' (not declared "
                                  "in 'stages')", old, now);
        wf_param_entry *e = &wf->former_stages[wf->nformer_stages];
        if (!(e->name = strdup(old)) || !(e->value = strdup(now))) {
            free(e->name);
            e->name = NULL;
            return KENES_ENOMEM;
        }
        wf->nformer_stages++;
    }
    return 0;
}

/* former.transitions: the same syntax as transitions:, appended to
 * wf->transitions with former = 1. */
int wf_parse_former_transitions(wf_load_ctx *c, yaml_node_t *root)
{
    wf_workflow *wf = c->wf;
    int rc;
    yaml_node_t *n = former_node(c, root, "transitions", &rc);
    if (!n)
        return rc;
    size_t k;
    yaml_node_item_t *items = yml_items(n, &k);
    if (!items || k == 0)
        return wf_fail(c, n, "'former.transitions' must be a non-empty list of transitions");
    wf_transition *grown = realloc(wf->transitions, (wf->ntransitions + k) * sizeof(*grown));
    if (!grown)
        return KENES_ENOMEM;
    wf->transitions = grown;
    memset(grown + wf->ntransitions, 0, k * sizeof(*grown));
    for (size_t i = 0; i < k; i++) {
        /* Counted first so that _free releases a half-filled one. */
        wf_transition *t = &wf->transitions[wf->ntransitions++];
        if ((rc = wf_parse_transition(c, yml_node(&c->doc, items[i]), 1, t)) < 0)
            return rc;
    }
    return 0;
}
