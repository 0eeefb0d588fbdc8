/* The plugin's entry point, shared: which cores the SDK can serve. */
#include "kenes_sdk.h"

int sdk_plugin_init(const kenes_api *api, kenes_plugin **out, kenes_plugin *plugin)
{
    if (!api || !out)
        return KENES_EINVAL;
    /* label is the last member the SDK calls: a table that has it has every
     * one before it. */
    if (api->abi_version != KENES_ABI_VERSION || !KENES_API_HAS(api, label))
        return KENES_EABI;
    *out = plugin;
    return 0;
}
