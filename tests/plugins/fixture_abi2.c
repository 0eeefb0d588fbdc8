/* A plugin that says it was built for plugin ABI 2.  Only abi_version is
 * meaningful to an ABI 1 core; the rest is laid out as ABI 1 here so that
 * a loader which wrongly read further would register "fixture-abi2-type"
 * and the test would notice. */
#include "fixture_stubs.h"

static const kenes_doctype types[] = {
    {.name = "fixture-abi2-type", .noun = "abi2", .make_id = stub_make_id, .validate = stub_validate},
    {0},
};
static kenes_plugin plugin = {2, sizeof(kenes_plugin), "fixture-abi2", "1.0", types, NULL,
                              NULL};

int kenes_plugin_init(const kenes_api *api, kenes_plugin **out)
{
    (void)api;
    *out = &plugin;
    return 0;
}
