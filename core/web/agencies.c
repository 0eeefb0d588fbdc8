#include "web/agencies.h"

#include <string.h>

#include "docs/internal.h"
#include "docs/workflow.h"
#include "ui/lang.h"

/* The declaration at path ("agency", "a.b": through groups) in decls, a
 * schema's "fields", or NULL. */
static json_t *declared_at(json_t *decls, const char *path)
{
    while (path && *path) {
        const char *dot = strchr(path, '.');
        size_t len = dot ? (size_t)(dot - path) : strlen(path);
        json_t *found = NULL;
        size_t i;
        json_t *f;
        json_array_foreach(decls, i, f)
        {
            const char *n = json_string_value(json_object_get(f, "name"));
            if (n && strlen(n) == len && strncmp(n, path, len) == 0)
                found = f;
        }
        if (!found || !dot)
            return found;
        decls = json_object_get(found, "fields");
        path = dot + 1;
    }
    return NULL;
}

/* The region's agencies as enum values [{value, label: {ru, kk, en}}]
 * appended to values. */
static void add_agencies(json_t *values, const json_t *list)
{
    size_t i;
    const json_t *a;
    json_array_foreach(list, i, a)
    {
        const json_t *code = json_object_get(a, "code"), *name = json_object_get(a, "name");
        if (json_is_string(code) && json_is_object(name))
            json_array_append_new(values,
                                  json_pack("{s:O, s:O}", "value", code, "label", name));
    }
}

json_t *web_schema_agencies(const web_call *c, const char *type, const json_t *schema,
                            const char *region)
{
    const wf_workflow *wf = type ? wf_set_find(c->svc->workflows, type) : NULL;
    const json_t *all = json_object_get(
        json_object_get(wf_set_content(c->svc->workflows), "agencies"), "agencies");
    if (!schema || !wf || !wf->agency_field || !json_is_object(all))
        return json_incref((json_t *)schema);
    json_t *copy = json_deep_copy(schema);
    json_t *decl = copy ? declared_at(json_object_get(copy, "fields"), wf->agency_field) : NULL;
    json_t *values = json_array();
    if (!decl || !values) {
        json_decref(values);
        json_decref(copy);
        return json_incref((json_t *)schema);
    }
    if (region) {
        add_agencies(values, json_object_get(all, region));
    } else {
        const char *k;
        const json_t *list;
        json_object_foreach((json_t *)all, k, list)
            add_agencies(values, list);
    }
    json_object_set_new(decl, "kind", json_string("enum"));
    json_object_del(decl, "max_length");
    json_object_set_new(decl, "values", values);
    return copy;
}

const char *web_agency_name(const web_call *c, const char *region, const char *code)
{
    const json_t *list = json_object_get(
        json_object_get(json_object_get(wf_set_content(c->svc->workflows), "agencies"),
                        "agencies"),
        region ? region : "");
    size_t i;
    const json_t *a;
    json_array_foreach(list, i, a)
    {
        const char *k = json_string_value(json_object_get(a, "code"));
        if (k && code && strcmp(k, code) == 0)
            return json_string_value(
                json_object_get(json_object_get(a, "name"), ui_lang_code(c->lang)));
    }
    return NULL;
}
