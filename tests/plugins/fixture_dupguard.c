/* A plugin with a name of its own whose guard "fixture_guard" is already
 * provided by fixture_good: refused, and its type is not registered. */
#include <kenes/plugin.h>

static int dg_make_id(const kenes_api *api, const kenes_doc *doc, char *out, size_t cap)
{
    (void)api;
    (void)doc;
    (void)out;
    (void)cap;
    return KENES_EINVAL;
}

static int dg_validate(const kenes_api *api, const kenes_doc *doc, kenes_errors *errs)
{
    (void)api;
    (void)doc;
    (void)errs;
    return 0;
}

static int dg_guard(const kenes_api *api, const kenes_doc *doc, const kenes_ctx *ctx,
                    kenes_errors *errs)
{
    (void)api;
    (void)doc;
    (void)ctx;
    (void)errs;
    return 0;
}

static const kenes_doctype types[] = {
    {.name = "fixture-dupguard-type", .noun = "duplicate guard", .make_id = dg_make_id, .validate = dg_validate},
    {0},
};
static const kenes_guard guards[] = {
    {"fixture_guard", dg_guard},
    {0},
};
static kenes_plugin plugin = {KENES_ABI_VERSION, sizeof(kenes_plugin), "fixture-dupguard", "1.0",
                              types, guards, NULL};

int kenes_plugin_init(const kenes_api *api, kenes_plugin **out)
{
    (void)api;
    *out = &plugin;
    return 0;
}
