/*
 * A type's declared fields: its plugin's schema, which the loader parsed
 * and checked when the plugin loaded (core/plugin/schema.h).
 */
#include "docs/docs.h"
#include "docs/service.h"
#include "plugin/loader.h"

const json_t *docs_schema(const docs_service *svc, const char *type)
{
    return svc ? plugin_schema(svc->plugins, type) : NULL;
}
