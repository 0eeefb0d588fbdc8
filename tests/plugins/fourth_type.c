/*
 * A fourth document type that exists only for tests: meeting minutes of a
 * commission.  It proves a type needs a plugin and a workflow file and no
 * change in the core, and it misbehaves on request so the tests can see
 * what a faulty plugin does to the server:
 *   title "validator-garbage": the validator refuses with a meaningless code
 *   and names no field;
 *   title "validator-crash": the validator dereferences NULL.
 */
#include <kenes/plugin.h>
#include <stdio.h>
#include <string.h>

static int minutes_make_id(const kenes_api *api, const kenes_doc *doc, char *out, size_t cap)
{
    const char *date = json_string_value(json_object_get(api->doc_fields(doc), "date"));
    snprintf(out, cap, "minutes/%s/%s", api->doc_get(doc, "region"), date ? date : "none");
    return 0;
}

static int minutes_validate(const kenes_api *api, const kenes_doc *doc, kenes_errors *errs)
{
    const char *title = api->doc_get(doc, "title");
    if (title && strcmp(title, "validator-garbage") == 0)
        return 12345;
    if (title && strcmp(title, "validator-crash") == 0) {
        volatile int *nowhere = NULL;
        return *nowhere;
    }
    int bad = 0;
    if (!api->region_valid(api->doc_get(doc, "region"))) {
        api->error_code(errs, "region", "not_in_list", "is not a region code");
        bad = 1;
    }
    if (!title || !*title) {
        api->error_code(errs, "title", "required", "is required");
        bad = 1;
    }
    const char *date = json_string_value(json_object_get(api->doc_fields(doc), "date"));
    if (!date || api->parse_date(date, NULL, NULL, NULL) != 0) {
        api->error_code(errs, "fields.date", date ? "not_date" : "required",
                        "must be a date YYYY-MM-DD");
        bad = 1;
    }
    return bad ? KENES_EVALIDATION : 0;
}

static int quorum_present(const kenes_api *api, const kenes_doc *doc, const kenes_ctx *ctx,
                          kenes_errors *errs)
{
    (void)ctx;
    json_t *n = json_object_get(api->doc_fields(doc), "present");
    if (!json_is_integer(n) || json_integer_value(n) < 3) {
        api->error_code(errs, NULL, "quorum_missing", "no quorum: at least 3 members must be present to sign the minutes");
        return KENES_EGUARD;
    }
    return 0;
}

/* meeting-minutes.schema.yaml, built in by CMake (kenes_plugin_schema): the
 * proof that a fourth type gets its forms with no interface code. */
extern const char kenes_schema_meeting_minutes[];

static const kenes_doctype types[] = {
    {.name = "meeting-minutes", .noun = "meeting minutes", .make_id = minutes_make_id,
     .validate = minutes_validate, .schema = kenes_schema_meeting_minutes},
    {0},
};
/* Not "quorum_present": guard names are global, and the shipped
 * commission-meeting plugin owns that one. */
static const kenes_guard guards[] = {
    {.name = "minutes_quorum", .check = quorum_present},
    {0},
};
static kenes_plugin plugin = {.abi_version = KENES_ABI_VERSION,
                              .struct_size = sizeof(kenes_plugin),
                              .name = "fourth-type",
                              .version = "1.0",
                              .types = types,
                              .guards = guards};

int kenes_plugin_init(const kenes_api *api, kenes_plugin **out)
{
    if (api->abi_version != KENES_ABI_VERSION)
        return KENES_EABI;
    *out = &plugin;
    return 0;
}
