/*
 * The plugin loader.  Order matters: a plugin's descriptor is checked in
 * full (ABI, size, name, every type and guard name) before anything of it
 * is registered, so a refused plugin leaves the set exactly as it was.
 */
#include "plugin/loader.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "base/util.h"
#include "plugin/schema.h"

/* The size of a kenes_plugin as ABI 1 first defined it.  Fields appended
 * later are read only when a plugin's struct_size says it has them. */
#define PLUGIN_SIZE_V1 (offsetof(kenes_plugin, fini) + sizeof(void (*)(void)))
/* No descriptor is this large; a bigger struct_size is garbage. */
#define PLUGIN_SIZE_MAX 4096

typedef struct loaded {
    char *path;
    uv_lib_t lib;
    const kenes_plugin *desc;
    kenes_plugin_init_fn init; /* identifies the shared object */
    json_t **schemas;          /* per type, in desc->types' order: parsed, or NULL */
} loaded;

struct plugin_set {
    const kenes_api *api;
    loaded *items;
    size_t count, cap;
};

static int refuse(char *err, size_t errcap, int code, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static int refuse(char *err, size_t errcap, int code, const char *path, const char *fmt, ...)
{
    if (err && errcap) {
        int n = snprintf(err, errcap, "%s: ", path);
        if (n >= 0 && (size_t)n < errcap) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(err + n, errcap - (size_t)n, fmt, ap);
            va_end(ap);
        }
    }
    return code;
}

/* The code's name as a plugin's source spells it (kenes/plugin.h). */
static const char *code_name(int code)
{
    static const char *const names[] = {
        "KENES_OK",         "KENES_EINVAL",  "KENES_ENOMEM",    "KENES_ENOTFOUND",
        "KENES_EEXISTS",    "KENES_EVALIDATION", "KENES_EGUARD", "KENES_EABI",
        "KENES_EIO",        "KENES_ESTAGE",  "KENES_EFORBIDDEN", "KENES_ESTALE",
        "KENES_ETOOBIG",    "KENES_EPLUGIN", "KENES_EPRECONDITION", "KENES_EGONE",
        "KENES_EBUSY",      "KENES_ECONFLICT", "KENES_EUNAUTHORIZED", "KENES_EUNAVAILABLE",
    };
    if (code <= 0 && -code < (int)(sizeof(names) / sizeof(names[0])))
        return names[-code];
    return "not a KENES_E* code";
}

int plugin_set_new(plugin_set **out, const kenes_api *api)
{
    *out = NULL;
    if (!api)
        return KENES_EINVAL;
    plugin_set *set = calloc(1, sizeof(*set));
    if (!set)
        return KENES_ENOMEM;
    set->api = api;
    *out = set;
    return 0;
}

static void free_schemas(loaded *p)
{
    for (size_t i = 0; p->schemas && p->desc->types && p->desc->types[i].name; i++)
        json_decref(p->schemas[i]);
    free(p->schemas);
    p->schemas = NULL;
}

/* Each type's schema parsed and checked, into p->schemas: a bad one refuses
 * the plugin, so the server does not start with a form it cannot build. */
static int load_schemas(loaded *p, const char *path, char *err, size_t errcap)
{
    const kenes_plugin *d = p->desc;
    size_t n = 0;
    while (d->types && d->types[n].name)
        n++;
    if (!(p->schemas = calloc(n + 1, sizeof(*p->schemas))))
        return refuse(err, errcap, KENES_ENOMEM, path, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const kenes_doctype *t = &d->types[i];
        if (!t->schema)
            continue;
        char why[512];
        int rc = schema_parse(&p->schemas[i], t->name, t->schema, why, sizeof(why));
        if (rc == KENES_ENOMEM)
            return refuse(err, errcap, rc, path, "out of memory");
        if (rc < 0)
            return refuse(err, errcap, KENES_EPLUGIN, path, "plugin %s: type %s: %s", d->name,
                          t->name, why);
    }
    return 0;
}

static void unload(loaded *p)
{
    free_schemas(p);
    if (p->desc && p->desc->fini)
        p->desc->fini();
    uv_dlclose(&p->lib);
    free(p->path);
}

void plugin_set_free(plugin_set *set)
{
    if (!set)
        return;
    /* Reverse order: a later plugin may rely on an earlier one's state. */
    for (size_t i = set->count; i-- > 0;)
        unload(&set->items[i]);
    free(set->items);
    free(set);
}

static const loaded *owner_of_type(const plugin_set *set, const char *name)
{
    for (size_t i = 0; i < set->count; i++)
        for (const kenes_doctype *t = set->items[i].desc->types; t && t->name; t++)
            if (strcmp(t->name, name) == 0)
                return &set->items[i];
    return NULL;
}

static const loaded *owner_of_guard(const plugin_set *set, const char *name)
{
    for (size_t i = 0; i < set->count; i++)
        for (const kenes_guard *g = set->items[i].desc->guards; g && g->name; g++)
            if (strcmp(g->name, name) == 0)
                return &set->items[i];
    return NULL;
}

/* Everything about a descriptor whose layout is known to be ABI 1. */
static int check_descriptor(const plugin_set *set, const char *path, const kenes_plugin *d,
                            char *err, size_t errcap)
{
    if (!d->name || !d->name[0])
        return refuse(err, errcap, KENES_EPLUGIN, path, "the plugin descriptor has no name");
    for (size_t i = 0; i < set->count; i++)
        if (strcmp(set->items[i].desc->name, d->name) == 0)
            return refuse(err, errcap, KENES_EEXISTS, path,
                          "a plugin named '%s' is already loaded from %s", d->name,
                          set->items[i].path);

    for (const kenes_doctype *t = d->types; t && t->name; t++) {
        if (!t->name[0] || !t->validate || !t->make_id)
            return refuse(err, errcap, KENES_EPLUGIN, path,
                          "plugin '%s': document type '%s' needs a name, validate and make_id",
                          d->name, t->name);
        for (const kenes_doctype *u = d->types; u != t; u++)
            if (strcmp(u->name, t->name) == 0)
                return refuse(err, errcap, KENES_EPLUGIN, path,
                              "plugin '%s' declares document type '%s' twice", d->name,
                              t->name);
        const loaded *o = owner_of_type(set, t->name);
        if (o)
            return refuse(err, errcap, KENES_EEXISTS, path,
                          "document type '%s' is already provided by plugin '%s' from %s",
                          t->name, o->desc->name, o->path);
    }
    for (const kenes_guard *g = d->guards; g && g->name; g++) {
        if (!g->name[0] || !g->check)
            return refuse(err, errcap, KENES_EPLUGIN, path,
                          "plugin '%s': guard '%s' needs a name and a check function", d->name,
                          g->name);
        for (const kenes_guard *h = d->guards; h != g; h++)
            if (strcmp(h->name, g->name) == 0)
                return refuse(err, errcap, KENES_EPLUGIN, path,
                              "plugin '%s' declares guard '%s' twice", d->name, g->name);
        const loaded *o = owner_of_guard(set, g->name);
        if (o)
            return refuse(err, errcap, KENES_EEXISTS, path,
                          "guard '%s' is already provided by plugin '%s' from %s", g->name,
                          o->desc->name, o->path);
    }
    return 0;
}

int plugin_load(plugin_set *set, const char *path, char *err, size_t errcap)
{
    if (err && errcap)
        err[0] = '\0';
    if (!set || !path || !*path)
        return refuse(err, errcap, KENES_EINVAL, path ? path : "(null)", "no plugin path");

    /* dlopen searches the library path for a bare name; a plugin is a file. */
    char file[4096];
    if ((size_t)snprintf(file, sizeof(file), "%s%s", strchr(path, '/') ? "" : "./", path) >=
        sizeof(file))
        return refuse(err, errcap, KENES_EINVAL, path, "path too long");

    /* uv_dlopen binds lazily, so a plugin with an unresolved symbol would
     * load and then crash the server on first call.  Binding it once with
     * RTLD_NOW first refuses it here instead; uv_dlopen then shares the
     * same mapping. */
    void *probe = dlopen(file, RTLD_NOW | RTLD_LOCAL);
    if (!probe) {
        const char *why = dlerror();
        return refuse(err, errcap, KENES_EPLUGIN, path, "cannot load: %s",
                      why ? why : "unknown error");
    }

    loaded p = {0};
    kenes_plugin *d = NULL;
    void *sym = NULL;
    int rc;
    if (uv_dlopen(file, &p.lib) != 0) {
        rc = refuse(err, errcap, KENES_EPLUGIN, path, "cannot load: %s", uv_dlerror(&p.lib));
        goto fail_close;
    }
    dlclose(probe);
    probe = NULL;

    if (uv_dlsym(&p.lib, KENES_PLUGIN_INIT_SYMBOL, &sym) != 0 || !sym) {
        rc = refuse(err, errcap, KENES_EPLUGIN, path,
                    "not a kenes plugin: it does not export " KENES_PLUGIN_INIT_SYMBOL "()");
        goto fail_close;
    }
    /* ISO C has no function/object pointer cast; POSIX guarantees it works. */
    memcpy(&p.init, &sym, sizeof(p.init));

    /* The same file under another name (a symlink, a copy of the path)
     * maps the same object: calling its init again would share its state. */
    for (size_t i = 0; i < set->count; i++)
        if (set->items[i].init == p.init) {
            rc = refuse(err, errcap, KENES_EEXISTS, path,
                        "the same shared object is already loaded from %s", set->items[i].path);
            goto fail_close;
        }

    rc = p.init(set->api, &d);
    if (rc != 0) {
        rc = refuse(err, errcap, KENES_EPLUGIN, path,
                    KENES_PLUGIN_INIT_SYMBOL "() failed with %d (%s)", rc, code_name(rc));
        goto fail_close;
    }
    if (!d) {
        rc = refuse(err, errcap, KENES_EPLUGIN, path,
                    KENES_PLUGIN_INIT_SYMBOL "() returned 0 but no descriptor");
        goto fail_close;
    }
    /* abi_version is the first field in every ABI; nothing else may be
     * read from a descriptor of another ABI. */
    if (d->abi_version != KENES_ABI_VERSION) {
        rc = refuse(err, errcap, KENES_EABI, path,
                    "built for plugin ABI %u, this kenes speaks ABI %d", d->abi_version,
                    KENES_ABI_VERSION);
        goto fail_close;
    }
    if (d->struct_size < PLUGIN_SIZE_V1 || d->struct_size > PLUGIN_SIZE_MAX) {
        rc = refuse(err, errcap, KENES_EABI, path,
                    "descriptor struct_size %zu is not that of an ABI %d kenes_plugin "
                    "(at least %zu bytes)",
                    d->struct_size, KENES_ABI_VERSION, (size_t)PLUGIN_SIZE_V1);
        goto fail_close;
    }
    /* From here the layout is known, so a refusal lets the plugin clean up. */
    p.desc = d;
    if ((rc = check_descriptor(set, path, d, err, errcap)) < 0)
        goto fail_fini;
    if ((rc = load_schemas(&p, path, err, errcap)) < 0)
        goto fail_fini;

    if (set->count == set->cap) {
        size_t cap = set->cap ? set->cap * 2 : 4;
        loaded *items = realloc(set->items, cap * sizeof(*items));
        if (!items) {
            rc = refuse(err, errcap, KENES_ENOMEM, path, "out of memory");
            goto fail_fini;
        }
        set->items = items;
        set->cap = cap;
    }
    if (!(p.path = strdup(path))) {
        rc = refuse(err, errcap, KENES_ENOMEM, path, "out of memory");
        goto fail_fini;
    }
    set->items[set->count++] = p;
    return 0;

fail_fini:
    free_schemas(&p);
    if (d->fini)
        d->fini();
fail_close:
    uv_dlclose(&p.lib);
    if (probe)
        dlclose(probe);
    return rc;
}

static int type_known(const char *type, void *payload)
{
    return owner_of_type(payload, type) != NULL;
}

/* Each schema's refs name a type of the set: known only once all are loaded. */
static int check_refs(const plugin_set *set, char *err, size_t errcap)
{
    for (size_t i = 0; i < set->count; i++) {
        const loaded *p = &set->items[i];
        for (size_t j = 0; p->schemas && p->desc->types && p->desc->types[j].name; j++) {
            char why[700];
            if (schema_check_refs(p->schemas[j], type_known, (void *)set, why, sizeof(why)) < 0)
                return refuse(err, errcap, KENES_EPLUGIN, p->path, "plugin %s: type %s: %s",
                              p->desc->name, p->desc->types[j].name, why);
        }
    }
    return 0;
}

int plugin_load_dir(plugin_set *set, const char *dir, char *err, size_t errcap)
{
    if (err && errcap)
        err[0] = '\0';
    char **names;
    size_t n;
    int rc = util_list_dir(&names, &n, dir, ".so");
    if (rc == KENES_ENOMEM)
        return refuse(err, errcap, rc, dir, "out of memory");
    if (rc < 0)
        return refuse(err, errcap, KENES_EIO, dir, "cannot read the plugin directory: %s",
                      strerror(errno));
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char path[4096];
        if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >= sizeof(path))
            rc = refuse(err, errcap, KENES_EINVAL, dir, "path too long: %s", names[i]);
        else
            rc = plugin_load(set, path, err, errcap);
    }
    util_free_list(names, n);
    if (rc == 0)
        rc = check_refs(set, err, errcap);
    return rc;
}

size_t plugin_count(const plugin_set *set)
{
    return set ? set->count : 0;
}

const kenes_plugin *plugin_at(const plugin_set *set, size_t i)
{
    return set && i < set->count ? set->items[i].desc : NULL;
}

const kenes_doctype *plugin_find_type(const plugin_set *set, const char *type)
{
    for (size_t i = 0; set && type && i < set->count; i++)
        for (const kenes_doctype *t = set->items[i].desc->types; t && t->name; t++)
            if (strcmp(t->name, type) == 0)
                return t;
    return NULL;
}

const json_t *plugin_schema(const plugin_set *set, const char *type)
{
    for (size_t i = 0; set && type && i < set->count; i++) {
        const kenes_doctype *t = set->items[i].desc->types;
        for (size_t j = 0; t && t[j].name; j++)
            if (strcmp(t[j].name, type) == 0)
                return set->items[i].schemas ? set->items[i].schemas[j] : NULL;
    }
    return NULL;
}

int plugin_set_fill_values(plugin_set *set, const json_t *lists, char *err, size_t errcap)
{
    if (err && errcap)
        err[0] = '\0';
    for (size_t i = 0; set && i < set->count; i++) {
        const loaded *p = &set->items[i];
        for (size_t j = 0; p->schemas && p->desc->types && p->desc->types[j].name; j++) {
            char why[800];
            if (schema_fill_values(p->schemas[j], lists, why, sizeof(why)) < 0)
                return refuse(err, errcap, KENES_EPLUGIN, p->path, "plugin %s: type %s: %s",
                              p->desc->name, p->desc->types[j].name, why);
        }
    }
    return 0;
}

const kenes_guard *plugin_find_guard(const plugin_set *set, const char *name)
{
    for (size_t i = 0; set && name && i < set->count; i++)
        for (const kenes_guard *g = set->items[i].desc->guards; g && g->name; g++)
            if (strcmp(g->name, name) == 0)
                return g;
    return NULL;
}
