/* Writing report sections: see kenes_sdk.h. */
#include "kenes_sdk.h"

void rpt_region_name(const kenes_api *api, kenes_report *r, const char *code)
{
    const char *name = api->region_name(code, "ru");
    api->report_text(r, name ? name : code);
}

void rpt_text_or(const kenes_api *api, kenes_report *r, const char *text, const char *dash)
{
    if (text && *text)
        api->report_text(r, text);
    else
        api->report_printf(r, "%s", dash);
}

static void date_parts(const kenes_api *api, kenes_report *r, int y, int m, int d)
{
    api->report_printf(r, "%02d.%02d.%04d", d, m, y);
}

void rpt_date(const kenes_api *api, kenes_report *r, const char *s, const char *dash)
{
    int y, m, d;
    if (chk_is_date(api, s, &y, &m, &d))
        date_parts(api, r, y, m, d);
    else
        rpt_text_or(api, r, s, dash);
}

void rpt_date_ms(const kenes_api *api, kenes_report *r, long long ms)
{
    int y, m, d;
    api->date_of_ms(ms, &y, &m, &d);
    date_parts(api, r, y, m, d);
}

void rpt_stage(const kenes_api *api, kenes_report *r, const char *type, const char *stage)
{
    /* The label is the workflow file's, which an administrator writes:
     * escaped like any text that is not the plugin's own. */
    const char *ru = api->label(type, "stage", stage, "ru");
    rpt_text_or(api, r, ru ? ru : stage, "—");
}

void rpt_act(const kenes_api *api, kenes_report *r, const json_t *act)
{
    const char *number = json_string_value(json_object_get(act, "number"));
    const char *date = json_string_value(json_object_get(act, "date"));
    if (!number && !date)
        return;
    api->report_printf(r, "актом");
    if (number) {
        api->report_printf(r, " № ");
        api->report_text(r, number);
    }
    if (date) {
        api->report_printf(r, " от ");
        rpt_date(api, r, date, "—");
    }
}
