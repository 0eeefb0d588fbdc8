/*
 * The document-type plugins, loaded from the build's plugins/ as the server
 * loads them, fed the JSON a user sends (a document object: type, region,
 * title, stage, fields, body).  For every type the input is given to, what
 * must hold:
 *
 * - validate() answers 0, or KENES_EVALIDATION with at least one error;
 * - a valid document gets an id from make_id() that the router accepts;
 * - every guard answers 0, or KENES_EGUARD with a message;
 * - for a confidential type (a case), no name, birth date, address or
 *   school of the child (any string of its "child" object but the
 *   pseudonym, 6 bytes or longer) appears in the id, the list entry
 *   summary() makes, or any report: reports are public.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin/kapi.h"
#include "plugin/loader.h"
#include "plugin/region.h"
#include "base/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static plugin_set *plugins;

static void check(int ok)
{
    if (!ok)
        abort();
}

static void setup(void)
{
    char err[512];
    check(region_load(KENES_SOURCE_DIR "/content/regions.yaml", err, sizeof(err)) == 0);
    check(plugin_set_new(&plugins, kapi_get()) == 0);
    if (plugin_load_dir(plugins, KENES_PLUGIN_BUILD_DIR, err, sizeof(err)) != 0) {
        fprintf(stderr, "fuzz_plugins: %s\n", err);
        abort();
    }
}

/* Does text hold any string of the child's (but the pseudonym)? */
static int leaks_child(const json_t *child, const char *text)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)child, key, v) {
        if (strcmp(key, "pseudonym") == 0)
            continue;
        const char *s = json_string_value(v);
        if (s && strlen(s) >= 6 && strstr(text, s))
            return 1;
    }
    return 0;
}

static void check_guards(const kenes_plugin *p, const kenes_doc *doc)
{
    for (const kenes_guard *g = p->guards; g && g->name; g++) {
        struct kenes_ctx ctx = {"approve", "", "fuzz", "ministry-reviewer", "review", "approved"};
        kenes_errors errs;
        kapi_errors_init(&errs);
        int rc = g->check(kapi_get(), doc, &ctx, &errs);
        check(rc == 0 || (rc == KENES_EGUARD && errs.message[0]));
        kapi_errors_dispose(&errs);
    }
}

static void check_type(const kenes_doctype *t, json_t *doc)
{
    const kenes_api *api = kapi_get();
    json_object_set_new(doc, "type", json_string(t->name));
    struct kenes_doc d = {.json = doc};
    kenes_errors errs;
    kapi_errors_init(&errs);
    int rc = t->validate(api, &d, &errs);
    check(rc == 0 || (rc == KENES_EVALIDATION && errs.count > 0));
    kapi_errors_dispose(&errs);
    if (rc != 0)
        return;

    int secret = (t->flags & KENES_DOCTYPE_CONFIDENTIAL) != 0;
    const json_t *child = json_object_get(json_object_get(doc, "fields"), "child");
    char id[512];
    check(t->make_id(api, &d, id, sizeof(id)) == 0);
    check(util_id_valid(id));
    check(!secret || !leaks_child(child, id));
    json_object_set_new(doc, "id", json_string(id));

    if (t->summary) {
        json_t *entry = json_pack("{s:s, s:s}", "id", id, "type", t->name);
        check(t->summary(api, &d, entry) == 0);
        char *text = json_dumps(entry, JSON_ENCODE_ANY);
        check(text && (!secret || !leaks_child(child, text)));
        free(text);
        json_decref(entry);
    }
    if (t->reports) {
        const char *region = json_string_value(json_object_get(doc, "region"));
        for (int kind = KENES_REPORT_NATIONAL; kind <= KENES_REPORT_CASES; kind++) {
            util_buf out;
            util_buf_init(&out);
            /* Created 40 days ago: the month before this one has closed,
             * so the cases report counts it. */
            json_t *history = json_pack(
                "[{s:I, s:s, s:n, s:s}]", "time", (json_int_t)(api->now_ms() - 40 * 86400000LL),
                "action", "create", "from", "to", "registered");
            struct kenes_report r = {.kind = kind,
                                     .region = kind == KENES_REPORT_REGION ? region : NULL,
                                     .docs = &d,
                                     .ndocs = 1,
                                     .out = &out,
                                     .histories = &history};
            const kenes_report_section *section = kapi_report_section(t, kind);
            if (section && section->write(api, &r) == 0)
                check(!secret || !out.data || !leaks_child(child, out.data));
            util_buf_dispose(&out);
            json_decref(history);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!plugins)
        setup();
    /* As the API loads a body. */
    json_t *doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(doc)) {
        json_decref(doc);
        return 0;
    }
    for (size_t i = 0; i < plugin_count(plugins); i++) {
        const kenes_plugin *p = plugin_at(plugins, i);
        for (const kenes_doctype *t = p->types; t && t->name; t++)
            check_type(t, doc);
        struct kenes_doc d = {.json = doc};
        check_guards(p, &d);
    }
    json_decref(doc);
    return 0;
}
