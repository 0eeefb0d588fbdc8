/* A plugin whose init refuses to start (say, its configuration is bad). */
#include <kenes/plugin.h>

int kenes_plugin_init(const kenes_api *api, kenes_plugin **out)
{
    (void)api;
    (void)out;
    return KENES_EINVAL;
}
