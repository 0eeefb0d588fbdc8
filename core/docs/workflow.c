/*
 * Workflow files: parse with libyaml's document API (yml.h), check every
 * name against the stages, roles and what plugins provide, and fail on the
 * first fault with "file:line: message" naming the offending node's line.
 */
#include "docs/workflow.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/yml.h"

struct wf_set {
    wf_workflow **items;
    size_t count;
};

/* One load in progress: the parsed file, the workflow being filled and
 * where the first error goes. */
typedef struct load_ctx {
    yml_doc doc;
    const char *path;
    const wf_resolver *res;
    wf_workflow *wf;
    int *stage_lines; /* where each stage was declared, for duplicate messages */
    char *err;
    size_t errcap;
} load_ctx;

static int fail(load_ctx *c, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(load_ctx *c, const yaml_node_t *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = yml_vfail(c->err, c->errcap, c->path, n, fmt, ap);
    va_end(ap);
    return rc;
}

/* ---- generic node checks ---------------------------------------------- */

/* Refuse keys outside `allowed` (NULL-terminated) and keys given twice
 * (where NULL: the top level):
 * libyaml keeps both copies of a repeated key, and yml_get would silently
 * read only the first. */
static int check_keys(load_ctx *c, yaml_node_t *map, const char *const *allowed,
                      const char *where)
{
    size_t n;
    yaml_node_pair_t *pairs = yml_pairs(map, &n);
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *kn = yml_node(&c->doc, pairs[i].key);
        const char *k = yml_scalar(kn);
        if (!k)
            return fail(c, kn, "a key%s%s must be a plain name", where ? " in " : "",
                        where ? where : "");
        int ok = 0;
        for (size_t a = 0; allowed[a]; a++)
            if (strcmp(allowed[a], k) == 0)
                ok = 1;
        if (!ok) {
            char expected[256] = "";
            size_t len = 0;
            for (size_t a = 0; allowed[a] && len < sizeof(expected); a++)
                len += (size_t)snprintf(expected + len, sizeof(expected) - len, "%s%s",
                                        a ? ", " : "", allowed[a]);
            if (!where)
                return fail(c, kn, "unknown top-level key '%s' (expected %s)", k, expected);
            return fail(c, kn, "unknown key '%s' in %s (expected %s)", k, where, expected);
        }
        for (size_t j = 0; j < i; j++) {
            const char *prev = yml_scalar(yml_node(&c->doc, pairs[j].key));
            if (prev && strcmp(prev, k) == 0)
                return fail(c, kn, "duplicate key '%s'%s%s (first at line %d)", k,
                            where ? " in " : "", where ? where : "",
                            yml_line(yml_node(&c->doc, pairs[j].key)));
        }
    }
    return 0;
}

/* A required or optional scalar value; *out NULL when absent and optional. */
static int get_scalar(load_ctx *c, yaml_node_t *map, const char *key, int required,
                      const char *where, yaml_node_t **node, const char **out)
{
    yaml_node_t *n = yml_get(&c->doc, map, key);
    *out = NULL;
    if (node)
        *node = n;
    if (!n) {
        if (required)
            return fail(c, map, "missing required key '%s' in %s", key, where);
        return 0;
    }
    const char *s = yml_scalar(n);
    if (!s || !*s)
        return fail(c, n, "'%s' must be a non-empty name", key);
    *out = s;
    return 0;
}

/* "a" or [a, b]: the scalar nodes of a one-name-or-list value. */
static int name_list(load_ctx *c, yaml_node_t *n, const char *key, yaml_node_t ***out,
                     size_t *count)
{
    *out = NULL;
    *count = 0;
    if (yml_scalar(n)) {
        if (!*yml_scalar(n))
            return fail(c, n, "'%s' must not be empty", key);
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
        return fail(c, n, "'%s' must be a name or a list of names", key);
    if (k == 0)
        return fail(c, n, "'%s' must not be empty", key);
    *out = calloc(k, sizeof(**out));
    if (!*out)
        return KENES_ENOMEM;
    for (size_t i = 0; i < k; i++) {
        yaml_node_t *item = yml_node(&c->doc, items[i]);
        const char *s = yml_scalar(item);
        if (!s || !*s) {
            free(*out);
            *out = NULL;
            return fail(c, item ? item : n, "each entry of '%s' must be a name", key);
        }
        (*out)[i] = item;
    }
    *count = k;
    return 0;
}

static int parse_roles(load_ctx *c, yaml_node_t *n, unsigned *roles)
{
    yaml_node_t **names;
    size_t k;
    int rc = name_list(c, n, "roles", &names, &k);
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
            rc = fail(c, names[i], "unknown role '%s' (expected %s)", s, known);
            free(names);
            return rc;
        }
        *roles |= (unsigned)r;
    }
    free(names);
    return 0;
}

/* Absent means all: a transition limited to the actor's region says so. */
static int parse_scope(load_ctx *c, yaml_node_t *map, enum scope *scope)
{
    yaml_node_t *n;
    const char *s;
    int rc = get_scalar(c, map, "scope", 0, "", &n, &s);
    if (rc < 0)
        return rc;
    if (!s || strcmp(s, "all") == 0)
        *scope = SCOPE_ALL;
    else if (strcmp(s, "own-region") == 0)
        *scope = SCOPE_OWN_REGION;
    else
        return fail(c, n, "unknown scope '%s' (expected own-region or all)", s);
    return 0;
}

/* ---- the parts of a workflow ------------------------------------------- */

/* deadline: {from: fields.x, after: 7d} */
static int parse_deadline(load_ctx *c, yaml_node_t *n, wf_stage *s)
{
    static const char *const keys[] = {"from", "after", NULL};
    if (n->type != YAML_MAPPING_NODE)
        return fail(c, n, "'deadline' must be a mapping such as {from: fields.order_date, after: 7d}");
    int rc = check_keys(c, n, keys, "a deadline");
    if (rc < 0)
        return rc;
    yaml_node_t *an, *fn;
    const char *after, *from;
    if ((rc = get_scalar(c, n, "from", 0, "a deadline", &fn, &from)) < 0 ||
        (rc = get_scalar(c, n, "after", !from, "a deadline", &an, &after)) < 0)
        return rc;
    /* A date field is its own deadline unless `after` adds to it. */
    long long count = 0, unit = 86400000LL;
    if (after) {
        char *end;
        count = strtoll(after, &end, 10);
        unit = strcmp(end, "d") == 0 ? 86400000LL : strcmp(end, "h") == 0 ? 3600000LL : 0;
        if (end == after || count < 0 || count > 36500 || !unit || (count == 0 && !from))
            return fail(c, an,
                        "'after' must be a whole number of days or hours, such as 7d or 12h");
    }
    if (from && (strncmp(from, "fields.", 7) != 0 || !from[7]))
        return fail(c, fn, "'from' must name a date field, such as fields.order_date");
    s->has_deadline = 1;
    s->deadline_after_ms = count * unit;
    if (from && !(s->deadline_from = strdup(from + 7)))
        return KENES_ENOMEM;
    return 0;
}

static int parse_stages(load_ctx *c, yaml_node_t *list)
{
    static const char *const keys[] = {"name", "editable", "deadline", NULL};
    size_t k;
    yaml_node_item_t *items = yml_items(list, &k);
    if (!items)
        return fail(c, list, "'stages' must be a list");
    if (k == 0)
        return fail(c, list, "'stages' must declare at least one stage");
    c->wf->stages = calloc(k, sizeof(wf_stage));
    c->stage_lines = calloc(k, sizeof(int));
    if (!c->wf->stages || !c->stage_lines)
        return KENES_ENOMEM;
    for (size_t i = 0; i < k; i++) {
        yaml_node_t *st = yml_node(&c->doc, items[i]);
        if (!st || st->type != YAML_MAPPING_NODE)
            return fail(c, st, "a stage must be a mapping such as {name: draft}");
        int rc = check_keys(c, st, keys, "a stage");
        if (rc < 0)
            return rc;
        yaml_node_t *nn;
        const char *name;
        rc = get_scalar(c, st, "name", 1, "a stage", &nn, &name);
        if (rc < 0)
            return rc;
        const wf_stage *prev = wf_find_stage(c->wf, name);
        if (prev)
            return fail(c, nn, "duplicate stage '%s' (first declared at line %d)", name,
                        c->stage_lines[prev - c->wf->stages]);
        int editable = 0;
        yaml_node_t *en = yml_get(&c->doc, st, "editable");
        if (en) {
            const char *e = yml_scalar(en);
            if (e && strcmp(e, "true") == 0)
                editable = 1;
            else if (!e || strcmp(e, "false") != 0)
                return fail(c, en, "'editable' must be true or false");
        }
        wf_stage *s = &c->wf->stages[c->wf->nstages];
        if (!(s->name = strdup(name)))
            return KENES_ENOMEM;
        s->editable = editable;
        c->stage_lines[c->wf->nstages] = yml_line(nn);
        c->wf->nstages++;
        yaml_node_t *dn = yml_get(&c->doc, st, "deadline");
        if (dn && (rc = parse_deadline(c, dn, s)) < 0)
            return rc;
    }
    return 0;
}

static int check_stage(load_ctx *c, yaml_node_t *n, const char *name)
{
    if (!wf_find_stage(c->wf, name))
        return fail(c, n, "unknown stage '%s' (not declared in 'stages')", name);
    return 0;
}

/* {roles, scope} as create:, edit: or an item of read: */
static int parse_access_node(load_ctx *c, yaml_node_t *n, const char *where, unsigned *roles,
                             enum scope *scope)
{
    static const char *const keys[] = {"roles", "scope", NULL};
    if (n->type != YAML_MAPPING_NODE)
        return fail(c, n, "%s must be a mapping such as {roles: [...], scope: all}", where);
    int rc = check_keys(c, n, keys, where);
    if (rc < 0)
        return rc;
    yaml_node_t *rn = yml_get(&c->doc, n, "roles");
    if (!rn)
        return fail(c, n, "missing required key 'roles' in %s", where);
    if ((rc = parse_roles(c, rn, roles)) < 0)
        return rc;
    return parse_scope(c, n, scope);
}

static int parse_access(load_ctx *c, yaml_node_t *root, const char *key, unsigned *roles,
                        enum scope *scope)
{
    char where[32];
    *roles = 0;
    *scope = SCOPE_ALL;
    yaml_node_t *n = yml_get(&c->doc, root, key);
    if (!n)
        return 0;
    snprintf(where, sizeof(where), "'%s'", key);
    return parse_access_node(c, n, where, roles, scope);
}

static int parse_read(load_ctx *c, yaml_node_t *root)
{
    yaml_node_t *n = yml_get(&c->doc, root, "read");
    if (!n)
        return 0;
    size_t k;
    yaml_node_item_t *items = yml_items(n, &k);
    if (!items || k == 0)
        return fail(c, n, "'read' must be a non-empty list of {roles, scope}");
    if (!(c->wf->read = calloc(k, sizeof(wf_access))))
        return KENES_ENOMEM;
    for (size_t i = 0; i < k; i++) {
        wf_access *a = &c->wf->read[c->wf->nread++];
        int rc = parse_access_node(c, yml_node(&c->doc, items[i]), "an item of 'read'",
                                   &a->roles, &a->scope);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* approvals: N (1-9), not_by: authors */
static int parse_quorum(load_ctx *c, yaml_node_t *tn, wf_transition *t)
{
    t->approvals = 1;
    yaml_node_t *an = yml_get(&c->doc, tn, "approvals");
    if (an) {
        const char *s = yml_scalar(an);
        if (!s || strlen(s) != 1 || s[0] < '1' || s[0] > '9')
            return fail(c, an, "'approvals' must be a whole number from 1 to 9");
        t->approvals = (unsigned)(s[0] - '0');
    }
    yaml_node_t *nn = yml_get(&c->doc, tn, "not_by");
    if (nn) {
        const char *s = yml_scalar(nn);
        if (!s || strcmp(s, "authors") != 0)
            return fail(c, nn, "'not_by' can only be 'authors'");
        t->not_by_authors = 1;
    }
    return 0;
}

static int parse_transition(load_ctx *c, yaml_node_t *tn, wf_transition *t)
{
    static const char *const keys[] = {"action", "from",   "to",        "roles", "scope",
                                       "guards", "approvals", "not_by", NULL};
    const char *where = "a transition";
    if (!tn || tn->type != YAML_MAPPING_NODE)
        return fail(c, tn, "a transition must be a mapping such as {action: submit, ...}");
    t->line = yml_line(tn);
    int rc = check_keys(c, tn, keys, where);
    if (rc < 0)
        return rc;

    yaml_node_t *an, *ton;
    const char *action, *to;
    if ((rc = get_scalar(c, tn, "action", 1, where, &an, &action)) < 0)
        return rc;
    yaml_node_t *fn = yml_get(&c->doc, tn, "from");
    if (!fn)
        return fail(c, tn, "missing required key 'from' in %s", where);
    if ((rc = get_scalar(c, tn, "to", 1, where, &ton, &to)) < 0)
        return rc;
    yaml_node_t *rn = yml_get(&c->doc, tn, "roles");
    if (!rn)
        return fail(c, tn, "missing required key 'roles' in %s", where);

    if (!(t->action = strdup(action)))
        return KENES_ENOMEM;

    yaml_node_t **from;
    size_t nfrom;
    if ((rc = name_list(c, fn, "from", &from, &nfrom)) < 0)
        return rc;
    t->from = calloc(nfrom, sizeof(char *));
    if (!t->from) {
        free(from);
        return KENES_ENOMEM;
    }
    for (size_t i = 0; i < nfrom; i++) {
        const char *s = yml_scalar(from[i]);
        rc = check_stage(c, from[i], s);
        /* The transitions before this one are complete; this one's own
         * earlier "from" entries count too ([draft, draft]). */
        const wf_transition *dup = rc < 0 ? NULL : wf_find_transition(c->wf, action, s);
        for (size_t j = 0; rc == 0 && !dup && j < t->nfrom; j++)
            if (strcmp(t->from[j], s) == 0)
                dup = t;
        if (dup)
            rc = fail(c, an, "action '%s' is declared twice from stage '%s' (first at line %d)",
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

    if ((rc = check_stage(c, ton, to)) < 0)
        return rc;
    if (!(t->to = strdup(to)))
        return KENES_ENOMEM;
    if ((rc = parse_roles(c, rn, &t->roles)) < 0)
        return rc;
    if ((rc = parse_scope(c, tn, &t->scope)) < 0)
        return rc;
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
    if ((rc = name_list(c, gn, "guards", &guards, &ng)) < 0)
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
            rc = fail(c, guards[i], "unknown guard '%s' (no plugin provides it)", s);
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

static int parse_transitions(load_ctx *c, yaml_node_t *list)
{
    size_t k;
    yaml_node_item_t *items = yml_items(list, &k);
    if (!items)
        return fail(c, list, "'transitions' must be a list");
    if (k == 0)
        return fail(c, list, "'transitions' must declare at least one transition");
    c->wf->transitions = calloc(k, sizeof(wf_transition));
    if (!c->wf->transitions)
        return KENES_ENOMEM;
    for (size_t i = 0; i < k; i++) {
        /* Counted before parsing so that _free releases a half-filled one. */
        wf_transition *t = &c->wf->transitions[c->wf->ntransitions++];
        int rc = parse_transition(c, yml_node(&c->doc, items[i]), t);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int parse_workflow(load_ctx *c, int *type_line)
{
    static const char *const keys[] = {"type", "initial", "stages",      "create",
                                       "edit", "read",    "transitions", NULL};
    const char *where = "the workflow";
    yaml_node_t *root = yml_root(&c->doc);
    if (!root || root->type != YAML_MAPPING_NODE)
        return fail(c, root, "a workflow file must be a mapping (type, initial, stages, ...)");
    int rc = check_keys(c, root, keys, NULL);
    if (rc < 0)
        return rc;

    /* Presence first, so a file missing several parts names the first one
     * in reading order rather than whichever check happens to run first. */
    static const char *const required[] = {"type", "initial", "stages", "transitions", NULL};
    for (size_t i = 0; required[i]; i++)
        if (!yml_get(&c->doc, root, required[i]))
            return fail(c, root, "missing required top-level key '%s'", required[i]);

    yaml_node_t *typen, *initn;
    const char *type, *initial;
    if ((rc = get_scalar(c, root, "type", 1, where, &typen, &type)) < 0)
        return rc;
    if (!c->res || !c->res->type_known || !c->res->type_known(type, c->res->payload))
        return fail(c, typen, "unknown document type '%s' (no plugin provides it)", type);
    *type_line = yml_line(typen);
    if (!(c->wf->type = strdup(type)))
        return KENES_ENOMEM;

    if ((rc = get_scalar(c, root, "initial", 1, where, &initn, &initial)) < 0)
        return rc;
    if ((rc = parse_stages(c, yml_get(&c->doc, root, "stages"))) < 0)
        return rc;
    if ((rc = check_stage(c, initn, initial)) < 0)
        return rc;
    if (!(c->wf->initial = strdup(initial)))
        return KENES_ENOMEM;

    if ((rc = parse_access(c, root, "create", &c->wf->create_roles, &c->wf->create_scope)) < 0)
        return rc;
    if ((rc = parse_access(c, root, "edit", &c->wf->edit_roles, &c->wf->edit_scope)) < 0)
        return rc;
    if ((rc = parse_read(c, root)) < 0)
        return rc;
    return parse_transitions(c, yml_get(&c->doc, root, "transitions"));
}

static int load_file(wf_workflow **out, int *type_line, const char *path,
                     const wf_resolver *res, char *err, size_t errcap)
{
    load_ctx c = {.path = path, .res = res, .err = err, .errcap = errcap};
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
        rc = parse_workflow(&c, type_line);
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

/* ---- public API --------------------------------------------------------- */

int wf_load_file(wf_workflow **out, const char *path, const wf_resolver *res, char *err,
                 size_t errcap)
{
    int type_line;
    return load_file(out, &type_line, path, res, err, errcap);
}

static void free_strv(char **v, size_t n)
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
    }
    free(wf->stages);
    free(wf->read);
    for (size_t i = 0; i < wf->ntransitions; i++) {
        wf_transition *t = &wf->transitions[i];
        free(t->action);
        free_strv(t->from, t->nfrom);
        free(t->to);
        free_strv(t->guard_names, t->nguards);
        free(t->guards);
    }
    free(wf->transitions);
    free(wf->file);
    free(wf->type);
    free(wf->initial);
    free(wf);
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n > k && strcmp(s + n - k, suffix) == 0;
}

/* The *.yaml names in dir, sorted so that load order (and so which of two
 * clashing files is blamed) does not depend on the file system. */
static int list_yaml(char ***out, size_t *count, const char *dir)
{
    DIR *d = opendir(dir);
    *out = NULL;
    *count = 0;
    if (!d)
        return -errno;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || !ends_with(e->d_name, ".yaml"))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 8;
            char **p = realloc(names, cap * sizeof(*p));
            if (!p) {
                rc = -ENOMEM;
                break;
            }
            names = p;
        }
        if (!(names[n] = strdup(e->d_name))) {
            rc = -ENOMEM;
            break;
        }
        n++;
    }
    closedir(d);
    if (rc < 0) {
        free_strv(names, n);
        return rc;
    }
    if (n)
        qsort(names, n, sizeof(*names), cmp_names);
    *out = names;
    *count = n;
    return 0;
}

int wf_set_load_dir(wf_set **out, const char *dir, const wf_resolver *res, char *err,
                    size_t errcap)
{
    *out = NULL;
    char **names;
    size_t n;
    int rc = list_yaml(&names, &n, dir);
    if (rc < 0) {
        if (err && errcap)
            snprintf(err, errcap, "%s: cannot read the workflow directory: %s", dir,
                     strerror(-rc));
        return rc == -ENOMEM ? KENES_ENOMEM : KENES_EIO;
    }
    wf_set *set = calloc(1, sizeof(*set));
    if (!set || (n && !(set->items = calloc(n, sizeof(*set->items))))) {
        free(set);
        free_strv(names, n);
        return KENES_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >= sizeof(path)) {
            if (err && errcap)
                snprintf(err, errcap, "%s/%s: path too long", dir, names[i]);
            rc = KENES_EINVAL;
            break;
        }
        wf_workflow *wf;
        int type_line = 1;
        if ((rc = load_file(&wf, &type_line, path, res, err, errcap)) < 0)
            break;
        const wf_workflow *prev = wf_set_find(set, wf->type);
        if (prev) {
            if (err && errcap)
                snprintf(err, errcap, "%s:%d: a workflow for type '%s' is already defined in %s",
                         path, type_line, wf->type, prev->file);
            wf_workflow_free(wf);
            rc = KENES_EINVAL;
            break;
        }
        set->items[set->count++] = wf;
    }
    free_strv(names, n);
    if (rc < 0) {
        wf_set_free(set);
        return rc;
    }
    *out = set;
    return 0;
}

void wf_set_free(wf_set *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->count; i++)
        wf_workflow_free(set->items[i]);
    free(set->items);
    free(set);
}

size_t wf_set_count(const wf_set *set)
{
    return set ? set->count : 0;
}

const wf_workflow *wf_set_at(const wf_set *set, size_t i)
{
    return set && i < set->count ? set->items[i] : NULL;
}

const wf_workflow *wf_set_find(const wf_set *set, const char *type)
{
    for (size_t i = 0; set && type && i < set->count; i++)
        if (strcmp(set->items[i]->type, type) == 0)
            return set->items[i];
    return NULL;
}

const wf_stage *wf_find_stage(const wf_workflow *wf, const char *name)
{
    for (size_t i = 0; wf && name && i < wf->nstages; i++)
        if (strcmp(wf->stages[i].name, name) == 0)
            return &wf->stages[i];
    return NULL;
}

const wf_transition *wf_find_transition(const wf_workflow *wf, const char *action,
                                        const char *from)
{
    if (!wf || !action || !from)
        return NULL;
    for (size_t i = 0; i < wf->ntransitions; i++) {
        const wf_transition *t = &wf->transitions[i];
        if (!t->action || strcmp(t->action, action) != 0)
            continue;
        for (size_t j = 0; j < t->nfrom; j++)
            if (strcmp(t->from[j], from) == 0)
                return t;
    }
    return NULL;
}

int wf_has_action(const wf_workflow *wf, const char *action)
{
    for (size_t i = 0; wf && action && i < wf->ntransitions; i++)
        if (wf->transitions[i].action && strcmp(wf->transitions[i].action, action) == 0)
            return 1;
    return 0;
}

/* ---- JSON --------------------------------------------------------------- */

static const char *scope_name(enum scope s)
{
    return s == SCOPE_OWN_REGION ? "own-region" : "all";
}

static json_t *roles_json(unsigned roles)
{
    json_t *a = json_array();
    for (unsigned bit = 1; a && bit; bit <<= 1)
        if (roles & bit)
            json_array_append_new(a, json_string(role_name((enum role)bit)));
    return a;
}

static json_t *strv_json(char **v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

json_t *wf_to_json(const wf_workflow *wf)
{
    if (!wf)
        return NULL;
    json_t *stages = json_array();
    for (size_t i = 0; stages && i < wf->nstages; i++) {
        const wf_stage *st = &wf->stages[i];
        json_t *sj = json_pack("{s:s, s:b}", "name", st->name, "editable", st->editable);
        if (st->has_deadline)
            json_object_set_new(sj, "deadline",
                                json_pack("{s:s?, s:I}", "from_field", st->deadline_from,
                                          "after_hours", (json_int_t)(st->deadline_after_ms / 3600000)));
        json_array_append_new(stages, sj);
    }
    json_t *read = json_array();
    for (size_t i = 0; read && i < wf->nread; i++)
        json_array_append_new(read, json_pack("{s:o, s:s}", "roles", roles_json(wf->read[i].roles),
                                              "scope", scope_name(wf->read[i].scope)));
    json_t *transitions = json_array();
    for (size_t i = 0; transitions && i < wf->ntransitions; i++) {
        const wf_transition *t = &wf->transitions[i];
        json_array_append_new(
            transitions,
            json_pack("{s:s, s:o, s:s, s:o, s:s, s:o, s:i, s:b}", "action", t->action, "from",
                      strv_json(t->from, t->nfrom), "to", t->to, "roles", roles_json(t->roles),
                      "scope", scope_name(t->scope), "guards",
                      strv_json(t->guard_names, t->nguards), "approvals", (int)t->approvals,
                      "not_by_authors", t->not_by_authors));
    }
    return json_pack("{s:s, s:s, s:o, s:{s:o, s:s}, s:{s:o, s:s}, s:o, s:o}", "type", wf->type,
                     "initial", wf->initial, "stages", stages, "create", "roles",
                     roles_json(wf->create_roles), "scope", scope_name(wf->create_scope),
                     "edit", "roles", roles_json(wf->edit_roles), "scope",
                     scope_name(wf->edit_scope), "read", read, "transitions", transitions);
}
