/* choices_from on the form and the document page: see choices.h. */
#include "web/choices.h"

#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "docs/docs.h"
#include "docs/fetch.h"

static const char *str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* web_choice_items, and the version of the document the items come from. */
static const json_t *items_at(web_call *c, const char *id, const json_t *from,
                              const char **version)
{
    idx_doc *d = NULL;
    docs_result why = {0};
    if (!id || !from)
        return NULL;
    /* No one signed in (the public page): only what is public of it. */
    if (!c->user)
        d = util_id_valid(id) ? index_get(c->svc->index, id) : NULL;
    else if (docs_find(&d, &why, c->svc, c->user, id, 0) != 0)
        d = NULL;
    /* A resident one parsed from its text (docs/fetch.h): the items are
     * borrowed, and the caller is done with them before it parses another. */
    const json_t *doc = d ? docs_fetch_now(c->svc, d) : NULL;
    if (!doc || docs_confidential(c->svc, d))
        return NULL;
    const json_t *face = docs_public_face(c->svc, d, version);
    if (!c->user && !face)
        return NULL;
    if (!face)
        *version = d->version;
    const json_t *items =
        json_object_get(json_object_get(face ? face : doc, "fields"), str(from, "list"));
    return json_is_array(items) ? items : NULL;
}

const json_t *web_choice_items(web_call *c, const char *id, const json_t *from)
{
    const char *version = NULL;
    return items_at(c, id, from, &version);
}

void web_choice_text(char *out, size_t cap, const json_t *items, const json_t *from, size_t n)
{
    const char *label = n >= 1 ? str(json_array_get(items, n - 1), str(from, "label")) : NULL;
    if (label && *label)
        snprintf(out, cap, "%zu. %.500s", n, label);
    else
        snprintf(out, cap, "%zu", n);
}

/* Names the numbers under decl in v (changed in place: a copy), unless
 * the list they number changed since `written`, a version of document id
 * (see web_choices_named). */
static void name_in(web_call *c, const json_t *decl, json_t *v, const json_t *top,
                    const char *id, const char *written)
{
    size_t i;
    const json_t *f;
    json_array_foreach(decl, i, f)
    {
        const char *name = str(f, "name"), *kind = str(f, "kind");
        json_t *sub = name ? json_object_get(v, name) : NULL;
        const json_t *from = json_object_get(f, "choices_from");
        if (!sub || !kind)
            continue;
        if (strcmp(kind, "group") == 0) {
            name_in(c, json_object_get(f, "fields"), sub, top, id, written);
        } else if (strcmp(kind, "list") == 0 && json_object_get(f, "fields")) {
            size_t k;
            json_t *row;
            json_array_foreach(sub, k, row)
                name_in(c, json_object_get(f, "fields"), row, top, id, written);
        } else if (from && json_is_integer(sub) && json_integer_value(sub) > 0) {
            char text[600];
            const char *version = NULL;
            const char *list = str(top, str(from, "ref"));
            const json_t *items = items_at(c, list, from, &version);
            /* A list in force since the numbers were written may number
             * other items now (a plan amended): the bare number then. */
            if (items && written && version &&
                docs_version_before(c->svc, id, written, list, version) != 0)
                items = NULL;
            web_choice_text(text, sizeof(text), items, from, (size_t)json_integer_value(sub));
            json_object_set_new(v, name, json_string(text));
        }
    }
}

/* 1 if a field under decl has choices_from. */
static int has_choices(const json_t *decl)
{
    size_t i;
    const json_t *f;
    json_array_foreach(decl, i, f) if (json_object_get(f, "choices_from") ||
                                       has_choices(json_object_get(f, "fields"))) return 1;
    return 0;
}

json_t *web_choices_named(web_call *c, const json_t *schema, const json_t *fields,
                          const char *id, const char *written)
{
    const json_t *decl = json_object_get(schema, "fields");
    if (!json_is_object(fields) || !has_choices(decl))
        return json_incref((json_t *)fields);
    json_t *copy = json_deep_copy(fields);
    if (!copy)
        return json_incref((json_t *)fields);
    name_in(c, decl, copy, copy, id, written);
    return copy;
}
