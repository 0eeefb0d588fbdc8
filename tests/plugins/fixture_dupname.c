/* Another file whose plugin is also named "fixture": the loader must refuse
 * it and register none of its type or guard (whose names are free). */
#include "fixture_stubs.h"

static void dup_fini(void)
{
    fixture_core->log(KENES_LOG_INFO, "fixture-dupname", "fini");
}

static const kenes_doctype types[] = {
    {.name = "fixture-dupname-type", .noun = "duplicate", .make_id = stub_make_id, .validate = stub_validate},
    {0},
};
static const kenes_guard guards[] = {
    {"fixture_dupname_guard", stub_guard},
    {0},
};
static kenes_plugin plugin = {KENES_ABI_VERSION, sizeof(kenes_plugin), "fixture", "2.0",
                              types, guards, dup_fini};

FIXTURE_PLUGIN_INIT(plugin)
