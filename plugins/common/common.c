/*
 * common: guards that any workflow may name, whatever its document type.
 *
 *   comment_required   refuses a transition without a non-blank comment
 *                      (blank counts Unicode spaces too), e.g. a reviewer
 *                      returning a document must say why.
 *
 * It declares no document type.  Only <kenes/plugin.h>, jansson, libc and
 * the plugins' own check.h (static inline helpers, nothing linked).
 */
#include <kenes/plugin.h>

#include "check.h"

#define PLUGIN_NAME "common"

/* The size of a kenes_api as ABI 1 first defined it: every function used
 * here is in it.  The core may hand us a larger table, never a smaller one. */
#define API_SIZE_V1 (offsetof(kenes_api, utf8_length) + sizeof(void *))

static int comment_required(const kenes_api *api, const kenes_doc *doc, const kenes_ctx *ctx,
                            kenes_errors *errs)
{
    (void)doc;
    const char *comment = api->ctx_get(ctx, "comment");
    if (!comment || chk_blank(comment)) {
        /* Generic: the same guard serves returns, reopenings, refusals. */
        api->error(errs, NULL, "a comment is required for this action");
        return KENES_EGUARD;
    }
    return 0;
}

static const kenes_doctype types[] = {
    {0},
};

static const kenes_guard guards[] = {
    {.name = "comment_required", .check = comment_required},
    {0},
};

static kenes_plugin plugin = {
    .abi_version = KENES_ABI_VERSION,
    .struct_size = sizeof(kenes_plugin),
    .name = PLUGIN_NAME,
    .version = "0.1.0",
    .types = types,
    .guards = guards,
    .fini = NULL,
};

int kenes_plugin_init(const kenes_api *api, kenes_plugin **out)
{
    if (!api || !out)
        return KENES_EINVAL;
    if (api->abi_version != KENES_ABI_VERSION || api->struct_size < API_SIZE_V1)
        return KENES_EABI;
    *out = &plugin;
    return 0;
}
