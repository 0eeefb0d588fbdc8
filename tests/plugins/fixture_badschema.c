/* A plugin whose second type's schema breaks a rule (a label without its
 * Kazakh text, line 4): the loader refuses the whole plugin, naming the
 * plugin, the type and the line, and registers none of its types. */
#include "fixture_stubs.h"

static const kenes_doctype types[] = {
    {.name = "fixture-schema-ok", .noun = "ok", .make_id = stub_make_id,
     .validate = stub_validate,
     .schema = "fields:\n  - {name: a, kind: text, label: {ru: \"А\", kk: \"А\", en: \"A\"}}\n"},
    {.name = "fixture-schema-bad", .noun = "bad", .make_id = stub_make_id,
     .validate = stub_validate,
     .schema = "fields:\n"
               "  - name: a\n"
               "    kind: text\n"
               "    label: {ru: \"А\", en: \"A\"}\n"},
    {0},
};
static kenes_plugin plugin = {KENES_ABI_VERSION, sizeof(kenes_plugin), "fixture-badschema", "1.0",
                              types, NULL, NULL};

FIXTURE_PLUGIN_INIT(plugin)
