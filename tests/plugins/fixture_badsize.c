/* ABI 1, but a struct_size no ABI 1 descriptor can have. */
#include <kenes/plugin.h>

static kenes_plugin plugin = {KENES_ABI_VERSION, 8, "fixture-badsize", "1.0", NULL, NULL, NULL};

int kenes_plugin_init(const kenes_api *api, kenes_plugin **out)
{
    (void)api;
    *out = &plugin;
    return 0;
}
