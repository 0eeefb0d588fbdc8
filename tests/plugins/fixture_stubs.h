/*
 * Callbacks that do nothing, for the fixture plugins that exist to be loaded
 * or refused (a duplicate name, a duplicate guard, another ABI): what they
 * are called with does not matter, only that the loader reads their tables.
 * Static, and marked unused, so a fixture takes only those it names.  And
 * the one exported symbol, the same in every such fixture.
 */
#ifndef KENES_TEST_FIXTURE_STUBS_H
#define KENES_TEST_FIXTURE_STUBS_H

#include <kenes/plugin.h>

#define FIXTURE_STUB static __attribute__((unused))

/* No id can be made. */
FIXTURE_STUB int stub_make_id(const kenes_api *api, const kenes_doc *doc, char *out, size_t cap)
{
    (void)api, (void)doc, (void)out, (void)cap;
    return KENES_EINVAL;
}

/* Every document is valid. */
FIXTURE_STUB int stub_validate(const kenes_api *api, const kenes_doc *doc, kenes_errors *errs)
{
    (void)api, (void)doc, (void)errs;
    return 0;
}

/* Every move is allowed. */
FIXTURE_STUB int stub_guard(const kenes_api *api, const kenes_doc *doc, const kenes_ctx *ctx,
                            kenes_errors *errs)
{
    (void)api, (void)doc, (void)ctx, (void)errs;
    return 0;
}

/* The core's api table, kept by kenes_plugin_init for a fini that logs. */
FIXTURE_STUB const kenes_api *fixture_core;

/* The fixture's kenes_plugin_init: keeps the core's table and hands out
 * PLUGIN, whatever that table offers (the loader, not the fixture, is what
 * the tests judge). */
#define FIXTURE_PLUGIN_INIT(PLUGIN)                                                            \
    int kenes_plugin_init(const kenes_api *api, kenes_plugin **out)                            \
    {                                                                                          \
        fixture_core = api;                                                                    \
        *out = &(PLUGIN);                                                                      \
        return 0;                                                                              \
    }

#endif
