/* A plugin whose schema has a ref to its own type (fine) and one to a type
 * no plugin provides (a typo): plugin_load takes it, since a ref may name a
 * plugin loaded after it; plugin_load_dir, once every plugin is loaded,
 * refuses it naming the plugin, the type and the field. */
#include "fixture_stubs.h"

static const kenes_doctype types[] = {
    {.name = "fixture-ref", .noun = "ref", .make_id = stub_make_id, .validate = stub_validate,
     .schema = "fields:\n"
               "  - {name: self, kind: ref, to: fixture-ref, label: {ru: \"А\", kk: \"А\", en: \"A\"}}\n"
               "  - name: items\n"
               "    kind: list\n"
               "    label: {ru: \"Б\", kk: \"Б\", en: \"B\"}\n"
               "    fields:\n"
               "      - {name: case, kind: ref, to: case-reveiw, label: {ru: \"В\", kk: \"В\", en: \"C\"}}\n"},
    {0},
};
static kenes_plugin plugin = {KENES_ABI_VERSION, sizeof(kenes_plugin), "fixture-badref", "1.0",
                              types, NULL, NULL};

FIXTURE_PLUGIN_INIT(plugin)
