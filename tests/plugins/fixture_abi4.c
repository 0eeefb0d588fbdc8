/* A plugin built for plugin ABI 4, when kenes_api.version_before took two
 * bare commits: called through ABI 5's table it would pass two arguments
 * where four are read.  Its tables are laid out as ABI 5's (nothing else
 * changed), so only abi_version refuses it; a loader that went further
 * would register "fixture-abi4-type" and the test would notice. */
#include "fixture_stubs.h"

static const kenes_doctype types[] = {
    {.name = "fixture-abi4-type", .noun = "abi4", .make_id = stub_make_id, .validate = stub_validate},
    {0},
};
static kenes_plugin plugin = {4, sizeof(kenes_plugin), "fixture-abi4", "1.0", types, NULL,
                              NULL};

FIXTURE_PLUGIN_INIT(plugin)
