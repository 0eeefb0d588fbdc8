/*
 * Two document types that exist only for the tests of issue 15's workflow
 * keys (tests/data/workflows/e2e-keys15/), so that the core's rules are
 * tested on workflows of their own:
 *   k15-plan (documents): fields.n names it; an act recorded by an action
 *   must have a number (act_number_required at fields.act.number), so the
 *   merged document is seen to go through validate;
 *   k15-case (cases, confidential): fields.n names it; fields.transfer and
 *   fields.agency are left to the core (moves, own-agency), fields.outcome
 *   must be a text when present.
 */
#include <kenes/plugin.h>
#include <stdio.h>
#include <string.h>

static int make_id(const char *prefix, const kenes_api *api, const kenes_doc *doc, char *out,
                   size_t cap)
{
    json_t *n = json_object_get(api->doc_fields(doc), "n");
    snprintf(out, cap, "%s/%s/%lld", prefix, api->doc_get(doc, "region"),
             json_is_integer(n) ? (long long)json_integer_value(n) : 0LL);
    return 0;
}

static int plan_make_id(const kenes_api *api, const kenes_doc *doc, char *out, size_t cap)
{
    return make_id("k15plan", api, doc, out, cap);
}

static int case_make_id(const kenes_api *api, const kenes_doc *doc, char *out, size_t cap)
{
    return make_id("k15case", api, doc, out, cap);
}

static int common(const kenes_api *api, const kenes_doc *doc, kenes_errors *errs)
{
    int bad = 0;
    if (!api->region_valid(api->doc_get(doc, "region"))) {
        api->error_code(errs, "region", "not_in_list", "is not a region code");
        bad = 1;
    }
    if (!json_is_integer(json_object_get(api->doc_fields(doc), "n"))) {
        api->error_code(errs, "fields.n", "required", "is required");
        bad = 1;
    }
    return bad;
}

static int plan_validate(const kenes_api *api, const kenes_doc *doc, kenes_errors *errs)
{
    int bad = common(api, doc, errs);
    json_t *act = json_object_get(api->doc_fields(doc), "act");
    const char *number = json_string_value(json_object_get(act, "number"));
    if (act && (!number || !*number)) {
        api->error_code(errs, "fields.act.number", "act_number_required", "the act needs a number");
        bad = 1;
    }
    return bad ? KENES_EVALIDATION : 0;
}

static int case_validate(const kenes_api *api, const kenes_doc *doc, kenes_errors *errs)
{
    int bad = common(api, doc, errs);
    json_t *outcome = json_object_get(api->doc_fields(doc), "outcome");
    if (outcome && !json_is_string(outcome)) {
        api->error_code(errs, "fields.outcome", "not_text", "must be a text");
        bad = 1;
    }
    return bad ? KENES_EVALIDATION : 0;
}

static int case_summary(const kenes_api *api, const kenes_doc *doc, json_t *entry)
{
    json_t *n = json_object_get(api->doc_fields(doc), "n");
    if (json_is_integer(n))
        json_object_set_new(entry, "n", json_integer(json_integer_value(n)));
    return 0;
}

/* The act the approval records is there (the guard sees the recorded fields). */
static int act_there(const kenes_api *api, const kenes_doc *doc, const kenes_ctx *ctx,
                     kenes_errors *errs)
{
    (void)ctx;
    if (!json_is_object(json_object_get(api->doc_fields(doc), "act"))) {
        api->error_code(errs, NULL, "k15_act_missing", "record the act with the approval");
        return KENES_EGUARD;
    }
    return 0;
}

static const kenes_doctype types[] = {
    {.name = "k15-plan", .noun = "test plan", .make_id = plan_make_id, .validate = plan_validate},
    {.name = "k15-case", .noun = "test case", .make_id = case_make_id, .validate = case_validate,
     .repository = "cases", .flags = KENES_DOCTYPE_CONFIDENTIAL, .summary = case_summary},
    {0},
};
static const kenes_guard guards[] = {
    {.name = "k15_act", .check = act_there},
    {0},
};
static kenes_plugin plugin = {.abi_version = KENES_ABI_VERSION,
                              .struct_size = sizeof(kenes_plugin),
                              .name = "keys15-types",
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
