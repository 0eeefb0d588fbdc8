/* A plugin whose init says 0 but hands back no descriptor. */
#include <kenes/plugin.h>

int kenes_plugin_init(const kenes_api *api, kenes_plugin **out)
{
    (void)api;
    (void)out;
    return 0;
}
