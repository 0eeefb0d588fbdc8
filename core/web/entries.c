#include "web/entries.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "docs/rights.h"
#include "plugin/region.h"
#include "ui/dates.h"
#include "web/agencies.h"
#include "web/fields.h"

void web_date_text(char *out, const web_call *c, const char *rfc3339)
{
    int64_t ms;
    out[0] = '\0';
    if (rfc3339 && util_parse_rfc3339(&ms, rfc3339) == 0)
        ui_format_date(out, c->lang, ms);
}

static int core_key(const char *k);

/* An untitled entry that is no case (a meeting: its summary's date and
 * number of items) in words: "1 декабря 2026 г. · вопросов: 2"; NULL when
 * the summary adds nothing. */
static char *summary_title(const web_call *c, const json_t *entry)
{
    util_buf b;
    util_buf_init(&b);
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)entry, k, v)
    {
        char text[UI_DATE_CAP + 64];
        if (core_key(k))
            continue;
        if (json_is_string(v) && ui_format_ymd(text, c->lang, json_string_value(v)) == 0)
            util_buf_printf(&b, "%s%s", b.len ? " · " : "", text);
        else if (json_is_string(v) && *json_string_value(v))
            util_buf_printf(&b, "%s%s", b.len ? " · " : "", json_string_value(v));
        else if (json_is_integer(v) && strcmp(k, "items") == 0) {
            static const char *const names[] = {"n"};
            const long values[] = {(long)json_integer_value(v)};
            char *words = web_fill(web_text(c, "meetings", "items_count"), names, values, 1);
            util_buf_printf(&b, "%s%s", b.len ? " · " : "", words ? words : "");
            free(words);
        }
    }
    return util_buf_detach(&b, NULL);
}

json_t *web_entry_view(const web_call *c, const json_t *entry)
{
    const char *id = json_string_value(json_object_get(entry, "id"));
    const char *type = json_string_value(json_object_get(entry, "type"));
    const char *title = json_string_value(json_object_get(entry, "title"));
    const char *pseudonym = json_string_value(json_object_get(entry, "pseudonym"));
    char due[UI_DATE_CAP], href[4200];
    web_date_text(due, c, json_string_value(json_object_get(entry, "due")));
    snprintf(href, sizeof(href), "/ui/d/%s", id ? id : "");
    char *from_summary = title || pseudonym ? NULL : summary_title(c, entry);
    /* A referral: whose child, and to which agency, by its name. */
    const char *agency =
        web_agency_name(c, json_string_value(json_object_get(entry, "region")),
                        json_string_value(json_object_get(entry, "agency")));
    char *with_agency = NULL;
    if (!title && pseudonym && agency) {
        static const char *const names[] = {"pseudonym", "agency"};
        const char *texts[] = {pseudonym, agency};
        with_agency = web_fill_text("{pseudonym} · {agency}", names, texts, 2);
        pseudonym = with_agency ? with_agency : pseudonym;
    }
    if (from_summary && !*from_summary) {
        free(from_summary);
        from_summary = NULL;
    }
    json_t *v = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "href", href, "title",
        title ? title : pseudonym ? pseudonym : from_summary ? from_summary
                                                              : web_text(c, "pages", "no_title"),
        "type_name",
        web_type_name(c, type), "region_name",
        web_region_name(c, json_string_value(json_object_get(entry, "region"))), "stage_label",
        web_wf_label(c, type, "stage", json_string_value(json_object_get(entry, "stage"))),
        "due_text", due, "overdue", json_is_true(json_object_get(entry, "overdue")));
    json_t *actions = json_object_get(entry, "actions");
    if (v && json_is_array(actions)) {
        json_t *labels = json_array();
        size_t i;
        json_t *a;
        json_array_foreach(actions, i, a)
            json_array_append_new(labels, json_string(web_wf_label(c, type, "action",
                                                                   json_string_value(a))));
        json_object_set_new(v, "actions", labels);
    }
    /* Amended while in force: another version stays in force meanwhile. */
    if (v && json_is_true(json_object_get(entry, "in_force")))
        json_object_set_new(v, "in_force", json_string(web_text(c, "pages", "in_force_list")));
    free(from_summary);
    free(with_agency);
    return v;
}

/* The keys of a list entry that are the core's: what a summary adds is the rest. */
static int core_key(const char *k)
{
    static const char *const keys[] = {"id", "type", "region", "stage", "version", "due",
                                       "overdue", "title", "actions", "paths", "in_force"};
    for (size_t i = 0; i < UTIL_ARRAY_LEN(keys); i++)
        if (strcmp(k, keys[i]) == 0)
            return 1;
    return 0;
}

char *web_ref_label(const web_call *c, const json_t *entry)
{
    const char *id = json_string_value(json_object_get(entry, "id"));
    const char *type = json_string_value(json_object_get(entry, "type"));
    const char *title = json_string_value(json_object_get(entry, "title"));
    util_buf b;
    util_buf_init(&b);
    if (title && *title) {
        util_buf_puts(&b, title);
    } else {
        /* A confidential document's entry holds only its summary (a case's
         * pseudonym, a meeting's date): never a field or a title of it. */
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)entry, k, v)
        {
            char date[UI_DATE_CAP];
            const char *s = json_string_value(v);
            if (core_key(k) || !s || !*s)
                continue;
            if (ui_format_ymd(date, c->lang, s) == 0)
                s = date;
            util_buf_printf(&b, "%s%s", b.len ? " · " : "", s);
        }
    }
    util_buf_printf(&b, "%s%s", b.len ? " · " : "",
                    web_wf_label(c, type, "stage",
                                 json_string_value(json_object_get(entry, "stage"))));
    /* The short id tells two of the same pseudonym or date apart: a uuid's
     * first 8 characters, else the id's last part ("2026-3"). */
    const char *last = id ? strrchr(id, '/') : NULL;
    last = last ? last + 1 : id ? id : "";
    size_t len = strlen(last);
    if (len == 36 && last[8] == '-')
        len = 8;
    util_buf_printf(&b, " · %.*s", (int)len, last);
    char *out = util_buf_detach(&b, NULL);
    return out ? out : strdup("");
}

json_t *web_create_links(const web_call *c)
{
    json_t *links = json_array();
    const wf_set *set = c->svc->workflows;
    for (size_t i = 0; i < wf_set_count(set); i++) {
        const wf_workflow *wf = wf_set_at(set, i);
        /* Region-scoped roles create in their own region; others anywhere. */
        if (c->user->role == ROLE_ADMIN ||
            !access_scoped(c->user, wf->create_roles, wf->create_scope, c->user->region))
            continue;
        char href[256];
        snprintf(href, sizeof(href), "/ui/new/%s", wf->type);
        json_array_append_new(links, json_pack("{s:s, s:s}", "href", href, "label",
                                               web_type_name(c, wf->type)));
    }
    return links;
}
