/* Another file whose plugin is also named "fixture": the loader must refuse
 * it and register none of its type or guard (whose names are free). */
#include <kenes/plugin.h>

static const kenes_api *core;

static int dup_make_id(const kenes_api *api, const kenes_doc *doc, char *out, size_t cap)
{
    (void)api;
    (void)doc;
    (void)out;
    (void)cap;
    return KENES_EINVAL;
}

static int dup_validate(const kenes_api *api, const kenes_doc *doc, kenes_errors *errs)
{
    (void)api;
    (void)doc;
    (void)errs;
    return 0;
}

static int dup_guard(const kenes_api *api, const kenes_doc *doc, const kenes_ctx *ctx,
                     kenes_errors *errs)
{
    (void)api;
    (void)doc;
    (void)ctx;
    (void)errs;
    return 0;
}

static void dup_fini(void)
{
    core->log(KENES_LOG_INFO, "fixture-dupname", "fini");
}

static const kenes_doctype types[] = {
    {.name = "fixture-dupname-type", .noun = "duplicate", .make_id = dup_make_id, .validate = dup_validate},
    {0},
};
static const kenes_guard guards[] = {
    {"fixture_dupname_guard", dup_guard},
    {0},
};
static kenes_plugin plugin = {KENES_ABI_VERSION, sizeof(kenes_plugin), "fixture", "2.0",
                              types, guards, dup_fini};

int kenes_plugin_init(const kenes_api *api, kenes_plugin **out)
{
    core = api;
    *out = &plugin;
    return 0;
}
