/*
 * content/orders.yaml, read once at start beside the workflows: each order's
 * name, date, term and title, checked so that a fault stops the start with
 * the file and line rather than a deadline that silently never comes.
 */
#include "docs/orders.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/util.h"
#include "base/yml.h"
#include "plugin/kapi.h"

enum { ORDER_LANGS = 3 };
static const char *const langs[ORDER_LANGS] = {"ru", "kk", "en"};

typedef struct order {
    char *name;
    long long date_ms, due_ms;
    char *title[ORDER_LANGS];
} order;

struct orders {
    order *items;
    size_t count;
};

static const order *find(const orders *o, const char *name)
{
    for (size_t i = 0; o && name && i < o->count; i++)
        if (o->items[i].name && strcmp(o->items[i].name, name) == 0)
            return &o->items[i];
    return NULL;
}

typedef struct load {
    yml_doc doc;
    const char *path;
    orders *o;
    char *err;
    size_t errcap;
} load;

static int fail(load *l, const yaml_node_t *n, const char *msg)
{
    return yml_fail(l->err, l->errcap, l->path, n, "%s", msg);
}

/* Refuse keys outside allowed, and a key given twice. */
static int check_keys(load *l, yaml_node_t *map, const char *const *allowed, const char *where)
{
    size_t n;
    yaml_node_pair_t *p = yml_pairs(map, &n);
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *kn = yml_node(&l->doc, p[i].key);
        const char *k = yml_scalar(kn);
        int ok = 0;
        for (size_t a = 0; k && allowed[a]; a++)
            ok |= strcmp(allowed[a], k) == 0;
        for (size_t j = 0; ok && j < i; j++) {
            const char *prev = yml_scalar(yml_node(&l->doc, p[j].key));
            ok = !prev || strcmp(prev, k) != 0;
        }
        if (!ok)
            return yml_fail(l->err, l->errcap, l->path, kn, "unknown or repeated key '%s' in %s",
                            k ? k : "?", where);
    }
    return 0;
}

static int valid_name(const char *s)
{
    if (!s || !*s || strlen(s) > 64)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
            return 0;
    return 1;
}

/* YYYY-MM-DD as midnight UTC in ms; KENES_EINVAL for anything else. */
static int day_ms(long long *out, const char *s)
{
    int y, m, d;
    char iso[32];
    int64_t ms;
    if (!s || strlen(s) != 10 || kapi_parse_date(s, &y, &m, &d) != 0)
        return KENES_EINVAL;
    snprintf(iso, sizeof(iso), "%04d-%02d-%02dT00:00:00Z", y, m, d);
    if (util_parse_rfc3339(&ms, iso) < 0)
        return KENES_EINVAL;
    *out = ms;
    return 0;
}

static int parse_order(load *l, yaml_node_t *n, order *o)
{
    static const char *const keys[] = {"name", "date", "term_days", "title", NULL};
    if (!n || n->type != YAML_MAPPING_NODE)
        return fail(l, n, "an order must be a mapping {name, date, term_days, title}");
    int rc = check_keys(l, n, keys, "an order");
    if (rc < 0)
        return rc;
    for (size_t i = 0; keys[i]; i++)
        if (!yml_get(&l->doc, n, keys[i]))
            return yml_fail(l->err, l->errcap, l->path, n, "an order needs '%s'", keys[i]);
    yaml_node_t *nn = yml_get(&l->doc, n, "name"), *dn = yml_get(&l->doc, n, "date"),
                *tn = yml_get(&l->doc, n, "term_days"), *ti = yml_get(&l->doc, n, "title");
    const char *name = yml_scalar(nn), *term = yml_scalar(tn);
    if (!valid_name(name))
        return fail(l, nn, "'name' must be lower-case letters, digits and '-', such as "
                           "roster-2026");
    if (find(l->o, name))
        return yml_fail(l->err, l->errcap, l->path, nn, "order '%s' is named twice", name);
    if (!(o->name = strdup(name)))
        return KENES_ENOMEM;
    if (day_ms(&o->date_ms, yml_scalar(dn)) < 0)
        return fail(l, dn, "'date' must be a date such as 2026-01-31");
    char *end = NULL;
    long days = term ? strtol(term, &end, 10) : -1;
    if (!term || !*term || *end || days < 0 || days > 3650)
        return fail(l, tn, "'term_days' must be a whole number of days from 0 to 3650");
    o->due_ms = o->date_ms + days * 86400000LL;
    static const char *const title_keys[] = {"ru", "kk", "en", NULL};
    if (ti->type != YAML_MAPPING_NODE)
        return fail(l, ti, "'title' must be a mapping {ru, kk, en}");
    if ((rc = check_keys(l, ti, title_keys, "a title")) < 0)
        return rc;
    for (int i = 0; i < ORDER_LANGS; i++) {
        yaml_node_t *w = yml_get(&l->doc, ti, langs[i]);
        const char *s = w ? yml_scalar(w) : NULL;
        if (!s || !*s)
            return yml_fail(l->err, l->errcap, l->path, w ? w : ti,
                            "the title needs '%s' words", langs[i]);
        if (!(o->title[i] = strdup(s)))
            return KENES_ENOMEM;
    }
    return 0;
}

static int parse(load *l)
{
    static const char *const keys[] = {"orders", NULL};
    yaml_node_t *root = yml_root(&l->doc);
    if (!root || root->type != YAML_MAPPING_NODE)
        return fail(l, root, "the file must be a mapping with 'orders'");
    int rc = check_keys(l, root, keys, "the file");
    if (rc < 0)
        return rc;
    yaml_node_t *list = yml_get(&l->doc, root, "orders");
    size_t k;
    yaml_node_item_t *items = list ? yml_items(list, &k) : NULL;
    if (!items)
        return fail(l, list ? list : root, "'orders' must be a list");
    if (k && !(l->o->items = calloc(k, sizeof(order))))
        return KENES_ENOMEM;
    for (size_t i = 0; i < k; i++) {
        /* Counted first so that orders_free releases a half-read one. */
        order *o = &l->o->items[l->o->count++];
        if ((rc = parse_order(l, yml_node(&l->doc, items[i]), o)) < 0)
            return rc;
    }
    return 0;
}

int orders_load(orders **out, const char *path, char *err, size_t errcap)
{
    load l = {.path = path, .err = err, .errcap = errcap};
    int found = 0;
    *out = NULL;
    if (!(l.o = calloc(1, sizeof(orders))))
        return KENES_ENOMEM;
    int rc = yml_load_optional(&l.doc, &found, path, err, errcap);
    if (rc == 0 && found) {
        rc = parse(&l);
        yml_dispose(&l.doc);
    }
    if (rc == KENES_ENOMEM)
        util_set_err(err, errcap, "%s:0: out of memory", path);
    if (rc < 0) {
        orders_free(l.o);
        return rc;
    }
    *out = l.o;
    return 0;
}

void orders_free(orders *o)
{
    if (!o)
        return;
    kapi_forget_orders(o); /* api->order_dates must not read a freed set */
    for (size_t i = 0; i < o->count; i++) {
        free(o->items[i].name);
        for (int l = 0; l < ORDER_LANGS; l++)
            free(o->items[i].title[l]);
    }
    free(o->items);
    free(o);
}

int orders_dates(const orders *o, const char *name, long long *date_ms, long long *due_ms)
{
    const order *x = find(o, name);
    if (!x)
        return KENES_ENOTFOUND;
    if (date_ms)
        *date_ms = x->date_ms;
    if (due_ms)
        *due_ms = x->due_ms;
    return 0;
}

const char *orders_title(const orders *o, const char *name, const char *lang)
{
    const order *x = find(o, name);
    for (int l = 0; x && lang && l < ORDER_LANGS; l++)
        if (strcmp(langs[l], lang) == 0)
            return x->title[l];
    return NULL;
}

int orders_kapi(const void *payload, const char *name, long long *date_ms, long long *due_ms)
{
    return orders_dates(payload, name, date_ms, due_ms);
}
