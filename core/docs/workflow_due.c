/*
 * A stage's time: when a document in it is due (deadline:) and who is
 * reminded before then (remind:).  Part of the workflow loader
 * (workflow_internal.h); docs_due reads what is parsed here, docs_inbox the
 * reminder.
 */
#include <stdlib.h>
#include <string.h>

#include "docs/workflow.h"
#include "docs/workflow_internal.h"

/* "7d" or "12h" as ms; zero_ok allows "0d".  -1 for anything else. */
static long long duration_ms(const char *s, int zero_ok)
{
    char *end;
    long long count = strtoll(s, &end, 10);
    long long unit = strcmp(end, "d") == 0 ? 86400000LL : strcmp(end, "h") == 0 ? 3600000LL : 0;
    if (end == s || count < 0 || count > 36500 || !unit || (count == 0 && !zero_ok))
        return -1;
    return count * unit;
}

/* deadline: {order: name}: the national order's due date, the same for all. */
static int parse_order_deadline(wf_load_ctx *c, yaml_node_t *n, yaml_node_t *on,
                                const char *name, wf_stage *s)
{
    if (yml_get(&c->doc, n, "from") || yml_get(&c->doc, n, "after") ||
        yml_get(&c->doc, n, "closed_by") || yml_get(&c->doc, n, "end_of_day"))
        return wf_fail(c, n, "a deadline from an order takes no 'from', 'after' or "
                             "'closed_by': the order's term is the deadline");
    long long due;
    if (!c->res || orders_dates(c->res->orders, name, NULL, &due) != 0)
        return wf_fail(c, on, "unknown order '%s' (not in content/orders.yaml)", name);
    if (!(s->deadline_order = strdup(name)))
        return KENES_ENOMEM;
    s->has_deadline = 1;
    s->deadline_at_ms = due;
    return 0;
}

/* editions: first — the deadline binds the text until it first comes into
 * force, not an amendment of it (an order's term concerns the first
 * roster); all, the default, binds every edition. */
static int parse_editions(wf_load_ctx *c, yaml_node_t *n, wf_stage *s)
{
    yaml_node_t *en;
    const char *editions;
    int rc = wf_get_scalar(c, n, "editions", 0, "a deadline", &en, &editions);
    if (rc < 0 || !editions)
        return rc;
    if (strcmp(editions, "first") != 0 && strcmp(editions, "all") != 0)
        return wf_fail(c, en, "'editions' must be 'first' (until the text first comes into "
                              "force) or 'all'");
    s->deadline_first_edition = strcmp(editions, "first") == 0;
    return 0;
}

/* deadline: {from: fields.x, after: 7d}, {from: fields.list[].x, closed_by:
 * key} or {order: name}, each with editions: first|all */
int wf_parse_deadline(wf_load_ctx *c, yaml_node_t *n, wf_stage *s)
{
    static const char *const keys[] = {"from", "after", "closed_by", "order", "end_of_day",
                                       "editions", NULL};
    if (n->type != YAML_MAPPING_NODE)
        return wf_fail(c, n, "'deadline' must be a mapping such as {from: fields.order_date, after: 7d}");
    int rc = wf_check_keys(c, n, keys, "a deadline");
    if (rc < 0 || (rc = parse_editions(c, n, s)) < 0)
        return rc;
    yaml_node_t *an, *fn, *on;
    const char *after, *from, *order;
    if ((rc = wf_get_scalar(c, n, "order", 0, "a deadline", &on, &order)) < 0)
        return rc;
    if (order)
        return parse_order_deadline(c, n, on, order, s);
    if ((rc = wf_get_scalar(c, n, "from", 0, "a deadline", &fn, &from)) < 0 ||
        (rc = wf_get_scalar(c, n, "after", !from, "a deadline", &an, &after)) < 0)
        return rc;
    /* A date field is its own deadline unless `after` adds to it. */
    long long after_ms = after ? duration_ms(after, from != NULL) : 0;
    if (after_ms < 0)
        return wf_fail(c, an, "'after' must be a whole number of days or hours, such as 7d or 12h");
    if (from && (strncmp(from, "fields.", 7) != 0 || !from[7]))
        return wf_fail(c, fn, "'from' must name a date field, such as fields.order_date");
    /* An item of a list is due until the key the workflow names is set. */
    yaml_node_t *cn;
    const char *closed_by;
    int listed = from && strstr(from, "[].") != NULL;
    if ((rc = wf_get_scalar(c, n, "closed_by", listed, "a deadline on a list's items", &cn,
                            &closed_by)) < 0)
        return rc;
    if (closed_by && !listed)
        return wf_fail(c, cn, "'closed_by' belongs to a deadline on a list's items "
                              "(from: fields.list[].date)");
    if (closed_by && !(s->deadline_closed_by = strdup(closed_by)))
        return KENES_ENOMEM;
    int end_of_day;
    if ((rc = wf_get_bool(c, n, "end_of_day", &end_of_day)) < 0)
        return rc;
    if (end_of_day && !from)
        return wf_fail(c, n, "'end_of_day' belongs to a deadline from a date field "
                             "(from: fields.due)");
    s->deadline_end_of_day = end_of_day;
    s->has_deadline = 1;
    s->deadline_after_ms = after_ms;
    if (from && !(s->deadline_from = strdup(from + 7)))
        return KENES_ENOMEM;
    return 0;
}

/* a.b.c: names joined by single dots, no list steps (a login is one value). */
int wf_valid_path(const char *p)
{
    if (!p || !*p || *p == '.' || p[strlen(p) - 1] == '.' || strstr(p, ".."))
        return 0;
    for (; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' ||
              *p == '.'))
            return 0;
    return 1;
}

/* remind: {roles: [...], user_field: a.b, before: 7d}, on a stage with a deadline */
int wf_parse_remind(wf_load_ctx *c, yaml_node_t *n, wf_stage *s)
{
    static const char *const keys[] = {"roles", "user_field", "before", NULL};
    const char *where = "a reminder";
    if (n->type != YAML_MAPPING_NODE)
        return wf_fail(c, n, "'remind' must be a mapping such as {roles: [commission-chair], "
                             "before: 7d}");
    int rc = wf_check_keys(c, n, keys, where);
    if (rc < 0)
        return rc;
    if (!s->has_deadline)
        return wf_fail(c, n, "'remind' needs a deadline on the same stage");
    yaml_node_t *rn = yml_get(&c->doc, n, "roles"), *un, *bn;
    const char *field, *before;
    if ((rc = wf_get_scalar(c, n, "user_field", 0, where, &un, &field)) < 0 ||
        (rc = wf_get_scalar(c, n, "before", 1, where, &bn, &before)) < 0)
        return rc;
    if (!rn && !field)
        return wf_fail(c, n, "'remind' needs 'roles', 'user_field' or both");
    if (rn && (rc = wf_parse_roles(c, rn, &s->remind_roles)) < 0)
        return rc;
    if (field && (strncmp(field, "fields.", 7) == 0 || !wf_valid_path(field)))
        return wf_fail(c, un, "'user_field' must name a field holding a login, such as "
                              "accompanier.user");
    if ((s->remind_before_ms = duration_ms(before, 1)) < 0)
        return wf_fail(c, bn, "'before' must be a whole number of days or hours, such as 7d");
    if (field && !(s->remind_user_field = strdup(field)))
        return KENES_ENOMEM;
    s->has_remind = 1;
    return 0;
}
