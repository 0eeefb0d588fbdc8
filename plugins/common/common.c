/*
 * common: guards that any workflow may name, whatever its document type.
 *
 *   comment_required   refuses a transition without a non-blank comment
 *                      (blank counts Unicode spaces too), e.g. a reviewer
 *                      returning a document must say why.
 *
 * It declares no document type.  It stays a plugin of its own, not a part
 * of the SDK: a guard is registered by name, once, by one plugin (the
 * loader refuses a second), so a guard every workflow may name must live in
 * exactly one shared object.  The SDK is linked into every plugin.
 */
#include <kenes/plugin.h>

#include "kenes_sdk.h"

static int comment_required(const kenes_api *api, const kenes_doc *doc, const kenes_ctx *ctx,
                            kenes_errors *errs)
{
    (void)doc;
    const char *comment = api->ctx_get(ctx, "comment");
    if (!comment || chk_blank(comment)) {
        /* Generic: the same guard serves returns, reopenings, refusals. */
        api->error_code(errs, NULL, "comment_required", "a comment is required for this action");
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

SDK_PLUGIN("common", "0.1.0", types, guards)
