/* The plugin's entry point, shared (which cores the SDK can serve), and
 * what every plugin asks of a document. */
#include "kenes_sdk.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int sdk_plugin_init(const kenes_api *api, kenes_plugin **out, kenes_plugin *plugin)
{
    if (!api || !out)
        return KENES_EINVAL;
    /* error_code is the last member the SDK calls: a table that has it has
     * every one before it. */
    if (api->abi_version != KENES_ABI_VERSION || !KENES_API_HAS(api, error_code))
        return KENES_EABI;
    *out = plugin;
    return 0;
}

int sdk_id_printf(char *out, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(out, cap, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= cap)
        return KENES_ETOOBIG;
    return 0;
}

int sdk_doc_is(const kenes_api *api, const kenes_doc *doc, const char *key, const char *value)
{
    const char *s = api->doc_get(doc, key);
    return s && value && strcmp(s, value) == 0;
}
