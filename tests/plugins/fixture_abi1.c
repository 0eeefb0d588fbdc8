/* A plugin built for plugin ABI 1, before report sections were a table.
 * Only abi_version is meaningful to an ABI 2 core; the rest is laid out
 * here so that a loader which wrongly read further would register
 * "fixture-abi1-type" and the test would notice. */
#include <kenes/plugin.h>

static int abi1_make_id(const kenes_api *api, const kenes_doc *doc, char *out, size_t cap)
{
    (void)api;
    (void)doc;
    (void)out;
    (void)cap;
    return KENES_EINVAL;
}

static int abi1_validate(const kenes_api *api, const kenes_doc *doc, kenes_errors *errs)
{
    (void)api;
    (void)doc;
    (void)errs;
    return 0;
}

static const kenes_doctype types[] = {
    {.name = "fixture-abi1-type", .noun = "abi1", .make_id = abi1_make_id, .validate = abi1_validate},
    {0},
};
static kenes_plugin plugin = {1, sizeof(kenes_plugin), "fixture-abi1", "1.0", types, NULL,
                              NULL};

int kenes_plugin_init(const kenes_api *api, kenes_plugin **out)
{
    (void)api;
    *out = &plugin;
    return 0;
}
