/*
 * The download links beside a list (README, "Exports"): the public tables
 * at /api/v1/exports/ (the versions in force; the case releases as
 * published), in the page's language, of the chosen region.  The list page
 * offers plans and rosters (the chosen type's only, and only a type its
 * reader may list); the landing page, for anyone, those and the case
 * releases.
 */
#include <stdlib.h>
#include <string.h>

#include "docs/rights.h"
#include "ui/lang.h"
#include "web/entries.h"

static const struct {
    const char *type, *list, *word;
} kinds[] = {{"regional-plan", "plans", "export_plans"},
             {"commission-roster", "rosters", "export_rosters"},
             {NULL, "cases", "export_cases"}};

static char *href(const web_call *c, const char *list, const char *format, const char *region)
{
    util_buf b;
    util_buf_init(&b);
    util_buf_printf(&b, "/api/v1/exports/%s.%s?lang=%s", list, format, ui_lang_code(c->lang));
    if (region && *region) {
        util_buf_puts(&b, "&region=");
        web_url_escape(&b, region);
    }
    return util_buf_detach(&b, NULL);
}

json_t *web_export_links(const web_call *c, const char *type, const char *region, int cases)
{
    json_t *links = json_array();
    for (size_t i = 0; i < UTIL_ARRAY_LEN(kinds); i++) {
        if (!kinds[i].type ? !cases || (type && *type)
                           : type && *type && strcmp(type, kinds[i].type) != 0)
            continue;
        const wf_workflow *wf = kinds[i].type ? wf_set_find(c->svc->workflows, kinds[i].type) : NULL;
        if (kinds[i].type && (!wf || (c->user && !access_doc(c->user, wf, ACCESS_DOC_LIST,
                                                             c->user->region, NULL, 0))))
            continue;
        /* The case releases are the country's, whole. */
        char *csv = href(c, kinds[i].list, "csv", kinds[i].type ? region : NULL);
        char *xlsx = href(c, kinds[i].list, "xlsx", kinds[i].type ? region : NULL);
        json_array_append_new(links, json_pack("{s:s, s:s, s:s}", "label",
                                               web_text(c, "pages", kinds[i].word), "csv",
                                               csv ? csv : "", "xlsx", xlsx ? xlsx : ""));
        free(csv);
        free(xlsx);
    }
    return links;
}
