/*
 * GET /: the public's way in, for anyone: what this is, the national and
 * the cases report and each region's report under the region's name, in
 * the page's language (reports/kk/... for Kazakh, reports/en/... for
 * English, reports/... for Russian), the list of all reports, the documents in
 * force (publish/public.c's rule: a public stage of a type that is not
 * confidential), and a sign-in link for staff.  A report not published yet
 * is named without a link, never a link to a 404.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin/region.h"
#include "publish/public.h"
#include "publish/report_words.h"
#include "web/entries.h"
#include "web/labels.h"
#include "ui/lang.h"
#include "web/pages.h"

static int published(const web_call *c, const char *name)
{
    const publisher *pub = c->ctx->pub;
    return pub->reports && json_object_get(pub->reports, name) != NULL;
}

/* The folder of the reports in the page's language: "", "kk/" or "en/". */
static const char *lang_dir(const web_call *c)
{
    for (int l = 0; l < REPORT_NLANGS; l++)
        if (strcmp(report_lang_codes[l], ui_lang_code(c->lang)) == 0)
            return report_lang_dirs[l];
    return "";
}

static json_t *regions(const web_call *c)
{
    json_t *list = json_array();
    const char *dir = lang_dir(c);
    for (size_t i = 0; i < region_count(); i++) {
        const region *r = region_at(i);
        char name[64], href[64];
        snprintf(name, sizeof(name), "%sregions/%s.md", dir, r->code);
        snprintf(href, sizeof(href), "/reports/%sregions/%s", dir, r->code);
        json_t *e = json_pack("{s:s}", "name", web_region_name(c, r->code));
        if (published(c, name))
            json_object_set_new(e, "href", json_string(href));
        json_array_append_new(list, e);
    }
    return list;
}

/* The documents in force, by id (type, region, year: the ids sort so),
 * named from the index: no document is parsed for the landing page. */
static json_t *documents(const web_call *c)
{
    json_t *list = json_array();
    idx_doc **all;
    size_t n;
    if (index_list(&all, &n, c->svc->index) < 0)
        return list;
    for (size_t i = 0; i < n; i++) {
        const idx_doc *d = all[i];
        public_names p; /* in force, amended or not */
        if (public_names_of(&p, c->svc, d) < 0)
            continue;
        char href[600];
        snprintf(href, sizeof(href), "/public/%s", d->id);
        json_array_append_new(
            list, json_pack("{s:s, s:s, s:s, s:s, s:s}", "title", p.title ? p.title : d->id,
                            "href", href, "type", web_type_name(c, p.type), "region",
                            web_region_name(c, p.region), "stage",
                            web_stage_label(c, p.wf, p.stage)));
    }
    free(all);
    return list;
}

/* The model's "<report>" (1 if published) and "<report>_href" for the
 * national and the cases report in the page's language. */
static void report_link(json_t *m, const web_call *c, const char *report)
{
    char name[64], href[64], key[64];
    snprintf(name, sizeof(name), "%s%s.md", lang_dir(c), report);
    snprintf(href, sizeof(href), "/reports/%s%s", lang_dir(c), report);
    snprintf(key, sizeof(key), "%s_href", report);
    json_object_set_new(m, report, json_boolean(published(c, name)));
    json_object_set_new(m, key, json_string(href));
}

void web_landing(web_call *c)
{
    char index[32];
    snprintf(index, sizeof(index), "/reports/%s", lang_dir(c));
    json_t *m = json_pack("{s:s, s:s, s:o, s:o}", "title", web_text(c, "landing", "title"),
                          "reports_href", index, "regions", regions(c), "documents",
                          documents(c));
    json_object_set_new(m, "exports", web_export_links(c, NULL, NULL, 1));
    report_link(m, c, "national");
    report_link(m, c, "cases");
    web_page(c, 200, "landing", m);
}
