/*
 * GET /ui/list: the documents the user may read, filtered by a GET form
 * (type, region, stage, overdue, and words to find: q), 25 a page with
 * links to the pages before and after that keep the filters.  The search
 * is the document service's (docs_list_search: bodies read on the thread
 * pool): a case is found by its pseudonym only, never by its text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "docs/rights.h"
#include "plugin/region.h"
#include "web/entries.h"
#include "web/pages.h"

#define WEB_LIST_PAGE 25

typedef struct list_query {
    char type[128], region[32], stage[128], overdue[8], q[256], page[16];
} list_query;

/* A parameter, "" when absent; KENES_EINVAL malformed or too long. */
static int param(const web_call *c, const char *name, char *out, size_t cap)
{
    int rc = web_query(c, name, out, cap);
    if (rc == 0)
        out[0] = '\0';
    return rc < 0 ? rc : 0;
}

static json_t *option(const char *value, const char *label, const char *chosen)
{
    return json_pack("{s:s, s:s, s:b}", "value", value, "label", label, "selected",
                     strcmp(value, chosen) == 0);
}

/* The type select, and the stages grouped by type (one <optgroup> each:
 * "Утверждён" of a plan and of a roster are different stages to a reader),
 * of the chosen type or of every type; only types the user may read. */
static void type_and_stage_options(const web_call *c, const list_query *lq, json_t **types,
                                   json_t **groups)
{
    *types = json_array();
    *groups = json_array();
    int chosen = 0; /* one option selected, though a name may be in two groups */
    const wf_set *set = c->svc->workflows;
    for (size_t i = 0; i < wf_set_count(set); i++) {
        const wf_workflow *wf = wf_set_at(set, i);
        if (!access_doc(c->user, wf, ACCESS_DOC_LIST, c->user->region, NULL, 0))
            continue;
        json_array_append_new(*types, option(wf->type, web_type_name(c, wf->type), lq->type));
        if (lq->type[0] && strcmp(lq->type, wf->type) != 0)
            continue;
        json_t *stages = json_array();
        for (size_t s = 0; s < wf->nstages; s++) {
            const char *name = wf->stages[s].name;
            const char *label = web_wf_label(c, wf->type, "stage", name);
            json_t *o = option(name, label, chosen ? "" : lq->stage);
            chosen |= json_is_true(json_object_get(o, "selected"));
            json_array_append_new(stages, o);
        }
        json_array_append_new(*groups, json_pack("{s:s, s:o}", "label",
                                                 web_type_name(c, wf->type), "stages", stages));
    }
}

static json_t *region_options(const web_call *c, const list_query *lq)
{
    json_t *list = json_array();
    for (size_t i = 0; i < region_count(); i++) {
        const region *r = region_at(i);
        json_array_append_new(list, option(r->code, web_region_name(c, r->code), lq->region));
    }
    return list;
}

/* /ui/list?<the filters>&page=n */
static char *page_href(const list_query *lq, long page)
{
    util_buf b;
    util_buf_init(&b);
    util_buf_puts(&b, "/ui/list?");
    const char *names[] = {"type", "region", "stage", "overdue", "q"};
    const char *values[] = {lq->type, lq->region, lq->stage, lq->overdue, lq->q};
    for (size_t i = 0; i < UTIL_ARRAY_LEN(names); i++) {
        if (!values[i][0])
            continue;
        util_buf_printf(&b, "%s=", names[i]);
        web_url_escape(&b, values[i]);
        util_buf_puts(&b, "&");
    }
    util_buf_printf(&b, "page=%ld", page);
    return util_buf_detach(&b, NULL);
}

static void list_page(web_call *c, const list_query *lq, long page, json_t *all);

/* A search on its way (docs_list_search). */
typedef struct list_search {
    web_call *c;
    list_query lq;
    long page;
} list_search;

static void searched(const docs_result *r, void *payload)
{
    list_search *ls = payload;
    if (r->code < 0)
        web_fail(ls->c, 500, "internal");
    else
        list_page(ls->c, &ls->lq, ls->page, json_incref(r->json));
    free(ls);
}

void web_list(web_call *c)
{
    list_query lq;
    if (param(c, "type", lq.type, sizeof(lq.type)) < 0 ||
        param(c, "region", lq.region, sizeof(lq.region)) < 0 ||
        param(c, "stage", lq.stage, sizeof(lq.stage)) < 0 ||
        param(c, "overdue", lq.overdue, sizeof(lq.overdue)) < 0 ||
        param(c, "q", lq.q, sizeof(lq.q)) < 0 || param(c, "page", lq.page, sizeof(lq.page)) < 0) {
        web_fail(c, 400, "bad_request");
        return;
    }
    char *end;
    long page = lq.page[0] ? strtol(lq.page, &end, 10) : 1;
    if ((lq.page[0] && *end) || page < 1 || page > 1000000 ||
        (lq.overdue[0] && strcmp(lq.overdue, "yes") != 0 && strcmp(lq.overdue, "no") != 0)) {
        web_fail(c, 400, "bad_request");
        return;
    }
    docs_filter f = {.type = lq.type[0] ? lq.type : NULL,
                     .region = lq.region[0] ? lq.region : NULL,
                     .stage = lq.stage[0] ? lq.stage : NULL,
                     .overdue = lq.overdue[0] ? strcmp(lq.overdue, "yes") == 0 : -1,
                     .q = lq.q[0] ? lq.q : NULL};
    json_t *all;
    if (f.q) {
        /* Bodies are searched on the pool: the page is made once that is done. */
        list_search *ls = malloc(sizeof(*ls));
        if (!ls) {
            web_fail(c, 500, "internal");
            return;
        }
        *ls = (list_search){c, lq, page};
        docs_list_search(c->svc, c->user, &f, searched, ls);
        return;
    }
    int rc = docs_list(&all, c->svc, c->user, &f);
    if (rc < 0) {
        web_fail(c, 500, rc == KENES_EIO ? "storage" : "internal");
        return;
    }
    list_page(c, &lq, page, all);
}

/* The page of the list all (stolen) with the filters lq. */
static void list_page(web_call *c, const list_query *lq_, long page, json_t *all)
{
    list_query lq = *lq_;
    size_t n = json_array_size(all), first = (size_t)(page - 1) * WEB_LIST_PAGE;
    json_t *items = json_array();
    for (size_t i = first; i < n && i < first + WEB_LIST_PAGE; i++)
        json_array_append_new(items, web_entry_view(c, json_array_get(all, i)));
    json_decref(all);

    json_t *types, *stages;
    type_and_stage_options(c, &lq, &types, &stages);
    json_t *m = json_pack(
        "{s:s, s:o, s:o, s:o, s:o, s:s, s:s, s:b, s:b, s:i, s:i}", "title",
        web_text(c, "pages", "list_title"), "items", items, "types", types, "stage_groups", stages,
        "regions", region_options(c, &lq), "q", lq.q, "overdue", lq.overdue, "overdue_yes",
        strcmp(lq.overdue, "yes") == 0, "overdue_no", strcmp(lq.overdue, "no") == 0, "total",
        (int)n, "page", (int)page);
    if (page > 1) {
        char *h = page_href(&lq, page - 1);
        json_object_set_new(m, "prev", json_string(h ? h : ""));
        free(h);
    }
    if (first + WEB_LIST_PAGE < n) {
        char *h = page_href(&lq, page + 1);
        json_object_set_new(m, "next", json_string(h ? h : ""));
        free(h);
    }
    json_object_set_new(m, "paged", json_boolean(page > 1 || first + WEB_LIST_PAGE < n));
    json_object_set_new(m, "exports", web_export_links(c, lq.type, lq.region, 0));
    web_page(c, 200, "list", m);
}
