/* A plugin built for plugin ABI 2, before a document type declared its
 * fields (kenes_doctype.schema): its types array has the shorter stride, so
 * a core that read it as ABI 3 would take the next type's name for the
 * schema.  Only abi_version may be read; a loader that went further would
 * register "fixture-abi2-type" and the test would notice. */
#include "fixture_stubs.h"

/* kenes_doctype as ABI 2 laid it out. */
typedef struct {
    const char *name, *noun;
    int (*make_id)(const kenes_api *, const kenes_doc *, char *, size_t);
    int (*validate)(const kenes_api *, const kenes_doc *, kenes_errors *);
    const char *repository;
    unsigned flags;
    int (*summary)(const kenes_api *, const kenes_doc *, json_t *);
    const kenes_report_section *reports;
} doctype_v2;

static const doctype_v2 types[] = {
    {.name = "fixture-abi2-type", .noun = "abi2", .make_id = stub_make_id,
     .validate = stub_validate},
    {0},
};
static kenes_plugin plugin = {2, sizeof(kenes_plugin), "fixture-abi2", "1.0",
                              (const kenes_doctype *)(const void *)types, NULL, NULL};

FIXTURE_PLUGIN_INIT(plugin)
