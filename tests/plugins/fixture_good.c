/* A well-formed fixture plugin: one document type, one guard, and a fini
 * that reports through the api table so a test can see it ran. */
#include "fixture_stubs.h"

#include <stdio.h>

static int fixture_make_id(const kenes_api *api, const kenes_doc *doc, char *out, size_t cap)
{
    (void)api;
    (void)doc;
    return snprintf(out, cap, "fixture/1") < (int)cap ? 0 : KENES_ETOOBIG;
}

static int fixture_guard(const kenes_api *api, const kenes_doc *doc, const kenes_ctx *ctx,
                         kenes_errors *errs)
{
    (void)doc;
    (void)ctx;
    api->error(errs, NULL, "fixture says no");
    return KENES_EGUARD;
}

static void fixture_fini(void)
{
    fixture_core->log(KENES_LOG_INFO, "fixture", "fini");
}

static const kenes_doctype types[] = {
    {.name = "fixture-type", .noun = "fixture", .make_id = fixture_make_id, .validate = stub_validate},
    {0},
};
static const kenes_guard guards[] = {
    {"fixture_guard", fixture_guard},
    {0},
};
static kenes_plugin plugin = {KENES_ABI_VERSION, sizeof(kenes_plugin), "fixture", "1.0",
                              types, guards, fixture_fini};

FIXTURE_PLUGIN_INIT(plugin)
