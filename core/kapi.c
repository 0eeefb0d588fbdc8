#include "kapi.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "region.h"
#include "util.h"

static void api_log(int level, const char *plugin, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    log_msg(level, plugin ? plugin : "plugin", "%s", msg);
}

static void api_error(kenes_errors *errs, const char *path, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (!errs)
        return;
    errs->count++;
    if (!path) {
        if (!errs->message[0])
            snprintf(errs->message, sizeof(errs->message), "%s", msg);
        return;
    }
    if (!errs->fields)
        errs->fields = json_array();
    json_array_append_new(errs->fields, json_pack("{s:s, s:s}", "path", path, "message", msg));
}

static const char *api_doc_get(const kenes_doc *doc, const char *key)
{
    if (!doc || !doc->json || !key || strcmp(key, "fields") == 0)
        return NULL;
    return json_string_value(json_object_get(doc->json, key));
}

static const json_t *api_doc_fields(const kenes_doc *doc)
{
    static json_t *empty;
    const json_t *f = doc && doc->json ? json_object_get(doc->json, "fields") : NULL;
    if (json_is_object(f))
        return f;
    if (!empty)
        empty = json_object();
    return empty;
}

static const char *api_ctx_get(const kenes_ctx *ctx, const char *key)
{
    if (!ctx || !key)
        return NULL;
    if (strcmp(key, "action") == 0)
        return ctx->action;
    if (strcmp(key, "comment") == 0)
        return ctx->comment;
    if (strcmp(key, "user") == 0)
        return ctx->user;
    if (strcmp(key, "role") == 0)
        return ctx->role;
    if (strcmp(key, "from") == 0)
        return ctx->from;
    if (strcmp(key, "to") == 0)
        return ctx->to;
    return NULL;
}

static int api_region_valid(const char *code)
{
    return region_find(code) != NULL;
}

int kapi_region_valid(const char *code)
{
    return api_region_valid(code);
}

static const kenes_api api_table = {
    .abi_version = KENES_ABI_VERSION,
    .struct_size = sizeof(kenes_api),
    .log = api_log,
    .error = api_error,
    .doc_get = api_doc_get,
    .doc_fields = api_doc_fields,
    .ctx_get = api_ctx_get,
    .region_valid = api_region_valid,
    .utf8_valid = util_utf8_valid,
    .utf8_length = util_utf8_length,
};

const kenes_api *kapi_get(void)
{
    return &api_table;
}

void kapi_errors_init(kenes_errors *e)
{
    memset(e, 0, sizeof(*e));
}

void kapi_errors_dispose(kenes_errors *e)
{
    json_decref(e->fields);
    memset(e, 0, sizeof(*e));
}
