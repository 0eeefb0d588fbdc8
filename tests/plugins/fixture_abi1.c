/* A plugin built for plugin ABI 1, before report sections were a table.
 * Only abi_version is meaningful to a later core; the rest is laid out
 * here so that a loader which wrongly read further would register
 * "fixture-abi1-type" and the test would notice. */
#include "fixture_stubs.h"

static const kenes_doctype types[] = {
    {.name = "fixture-abi1-type", .noun = "abi1", .make_id = stub_make_id, .validate = stub_validate},
    {0},
};
static kenes_plugin plugin = {1, sizeof(kenes_plugin), "fixture-abi1", "1.0", types, NULL,
                              NULL};

FIXTURE_PLUGIN_INIT(plugin)
