/* A shared object that is not a kenes plugin: no kenes_plugin_init. */
#include <kenes/plugin.h>

KENES_EXPORT int kenes_plugin_init_misspelt(const kenes_api *api, kenes_plugin **out);

int kenes_plugin_init_misspelt(const kenes_api *api, kenes_plugin **out)
{
    (void)api;
    (void)out;
    return 0;
}
