#include "web/labels.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ui/dates.h"

#include "plugin/region.h"

const char *web_region_name(const web_call *c, const char *code)
{
    const region *r = code ? region_find(code) : NULL;
    if (!r)
        return code ? code : "";
    return c->lang == UI_KK ? r->kk : c->lang == UI_EN ? r->en : r->ru;
}

const char *web_type_name(const web_call *c, const char *type)
{
    const wf_workflow *wf = type ? wf_set_find(c->svc->workflows, type) : NULL;
    const char *l = wf_label(wf, "type", NULL, ui_lang_code(c->lang));
    return l ? l : type ? type : "";
}

const char *web_wf_label(const web_call *c, const char *type, const char *what,
                         const char *name)
{
    const wf_workflow *wf = type ? wf_set_find(c->svc->workflows, type) : NULL;
    const char *l = wf && name ? wf_label(wf, what, name, ui_lang_code(c->lang)) : NULL;
    return l ? l : name ? name : "";
}

const char *web_stage_label(const web_call *c, const wf_workflow *wf, const char *stage)
{
    const char *l = wf && stage ? wf_label(wf, "stage", stage, ui_lang_code(c->lang)) : NULL;
    return l ? l : stage ? stage : "";
}

const char *web_action_label(const web_call *c, const wf_workflow *wf, const char *action)
{
    if (!action)
        return "";
    const char *l = wf ? wf_label(wf, "action", action, ui_lang_code(c->lang)) : NULL;
    if (l)
        return l;
    if (strcmp(action, "create") == 0)
        return web_text(c, "history", "action_create");
    if (strcmp(action, "edit") == 0)
        return web_text(c, "history", "action_edit");
    if (strcmp(action, "attach") == 0 || strcmp(action, "detach") == 0) /* attachments.h */
        return web_text(c, "files", strcmp(action, "attach") == 0 ? "action_attach"
                                                                   : "action_detach");
    return action;
}

const wf_workflow *web_workflow_of(const web_call *c, const json_t *doc)
{
    const char *type = json_string_value(json_object_get(doc, "type"));
    return type ? wf_set_find(c->svc->workflows, type) : NULL;
}

void web_day(char out[16], int64_t ms)
{
    time_t t = (time_t)((ms + UI_TZ_OFFSET_MS) / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(out, 16, "%02d.%02d.%04d", tm.tm_mday % 100, (tm.tm_mon + 1) % 100,
             (tm.tm_year + 1900) % 10000);
}

void web_day_case(char out[UI_DATE_CAP], const web_call *c, int64_t ms, web_case wc)
{
    /* Russian and English pages keep the short day (15.01.2026) there. */
    if (c->lang != UI_KK)
        web_day(out, ms);
    else
        ui_format_date_case(out, UI_KK, ms, wc == WEB_DAY_FROM ? UI_DATE_FROM : UI_DATE_UNTIL);
}
