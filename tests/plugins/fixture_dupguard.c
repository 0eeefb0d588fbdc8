/* A plugin with a name of its own whose guard "fixture_guard" is already
 * provided by fixture_good: refused, and its type is not registered. */
#include "fixture_stubs.h"

static const kenes_doctype types[] = {
    {.name = "fixture-dupguard-type", .noun = "duplicate guard", .make_id = stub_make_id, .validate = stub_validate},
    {0},
};
static const kenes_guard guards[] = {
    {"fixture_guard", stub_guard},
    {0},
};
static kenes_plugin plugin = {KENES_ABI_VERSION, sizeof(kenes_plugin), "fixture-dupguard", "1.0",
                              types, guards, NULL};

FIXTURE_PLUGIN_INIT(plugin)
