/* ABI 1, but a struct_size no ABI 1 descriptor can have. */
#include "fixture_stubs.h"

static kenes_plugin plugin = {KENES_ABI_VERSION, 8, "fixture-badsize", "1.0", NULL, NULL, NULL};

FIXTURE_PLUGIN_INIT(plugin)
