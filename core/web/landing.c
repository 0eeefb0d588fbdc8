/*
 * GET /: the public's way in, for anyone: what this is, the national
 * report, each region's report under the region's name, the documents in
 * force (publish/public.c's rule: a public stage of a type that is not
 * confidential), and a sign-in link for staff.  A report not published yet
 * is named without a link, never a link to a 404.
 */
#include <stdio.h>
#include <stdlib.h>

#include "plugin/region.h"
#include "publish/public.h"
#include "web/labels.h"
#include "web/pages.h"

static int published(const web_call *c, const char *name)
{
    const publisher *pub = c->ctx->pub;
    return pub->reports && json_object_get(pub->reports, name) != NULL;
}

static json_t *regions(const web_call *c)
{
    json_t *list = json_array();
    for (size_t i = 0; i < region_count(); i++) {
        const region *r = region_at(i);
        char name[64], href[64];
        snprintf(name, sizeof(name), "regions/%s.md", r->code);
        snprintf(href, sizeof(href), "/reports/regions/%s", r->code);
        json_t *e = json_pack("{s:s}", "name", web_region_name(c, r->code));
        if (published(c, name))
            json_object_set_new(e, "href", json_string(href));
        json_array_append_new(list, e);
    }
    return list;
}

/* The documents in force, by id (type, region, year: the ids sort so). */
static json_t *documents(const web_call *c)
{
    json_t *list = json_array();
    idx_doc **all;
    size_t n;
    if (index_list(&all, &n, c->svc->index) < 0)
        return list;
    for (size_t i = 0; i < n; i++) {
        const idx_doc *d = all[i];
        const wf_workflow *wf = public_workflow_of(c->svc, d);
        if (!wf)
            continue;
        const char *title = json_string_value(json_object_get(d->doc, "title"));
        char href[600];
        snprintf(href, sizeof(href), "/public/%s", d->id);
        json_array_append_new(
            list,
            json_pack("{s:s, s:s, s:s, s:s, s:s}", "title", title ? title : d->id, "href", href,
                      "type", web_type_name(c, json_string_value(json_object_get(d->doc, "type"))),
                      "region",
                      web_region_name(c, json_string_value(json_object_get(d->doc, "region"))),
                      "stage",
                      web_stage_label(c, wf, json_string_value(json_object_get(d->doc, "stage")))));
    }
    free(all);
    return list;
}

void web_landing(web_call *c)
{
    json_t *m = json_pack("{s:s, s:b, s:o, s:o}", "title", web_text(c, "landing", "title"),
                          "national", published(c, "national.md"), "regions", regions(c),
                          "documents", documents(c));
    web_page(c, 200, "landing", m);
}
