#include "notify/notice.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/error.h"
#include "base/util.h"
#include "docs/workflow.h"
#include "notify/mailmsg.h"
#include "ui/dates.h"
#include "ui/lang.h"

char *notice_event_json(const idx_doc *d, const idx_version *v, const char *event_id)
{
    char when[40];
    util_format_rfc3339(when, sizeof(when), v->time_ms);
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:s?, s:s?, s:s?}", "id",
                          event_id, "event", "commit", "time", when, "commit", v->commit,
                          "repository", d->repo == REPO_CASES ? "cases" : "documents",
                          "document", d->id, "type", index_doc_type(d), "region",
                          index_doc_region(d), "stage", v->to ? v->to : index_doc_stage(d),
                          "action", v->action);
    char *text = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(o);
    return text;
}

/* tmpl with {name} replaced by the value of that name in vars (pairs,
 * NULL-ended); an unknown {name} stays as it is.  malloc'd or NULL. */
static char *fill(const char *tmpl, const char *const *vars)
{
    util_buf b;
    util_buf_init(&b);
    int rc = 0;
    for (const char *p = tmpl; rc == 0 && *p;) {
        const char *v = NULL;
        size_t klen = 0;
        if (*p == '{')
            for (size_t i = 0; vars[i]; i += 2) {
                size_t n = strlen(vars[i]);
                if (strncmp(p + 1, vars[i], n) == 0 && p[1 + n] == '}') {
                    v = vars[i + 1];
                    klen = n + 2;
                    break;
                }
            }
        if (v) {
            rc = util_buf_puts(&b, v);
            p += klen;
        } else {
            rc = util_buf_append(&b, p++, 1);
        }
    }
    if (rc < 0 || util_buf_append(&b, "", 0) < 0) {
        util_buf_dispose(&b);
        return NULL;
    }
    char *out = util_buf_detach(&b, NULL);
    return out ? out : strdup("");
}

static ui_lang lang_of(const char *code)
{
    ui_lang l = UI_RU;
    if (code && ui_lang_parse(&l, code) < 0)
        l = UI_RU;
    return l;
}

static const char *text(const notice_ctx *c, ui_lang l, const char *key)
{
    const char *t = ui_text(c->words, l, "mail", key);
    return t ? t : "";
}

/* "05.12.2026": the day of ms in Kazakhstan. */
static void day_of(char out[16], int64_t ms)
{
    time_t t = (time_t)((ms + UI_TZ_OFFSET_MS) / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(out, 16, "%02d.%02d.%04d", tm.tm_mday % 100, (tm.tm_mon + 1) % 100,
             (tm.tm_year + 1900) % 10000);
}

notify_item *notice_mail(const notice_ctx *c, const auth_user *u, const idx_doc *d,
                         const char *what, const char *id, int64_t due_ms, int64_t date_ms,
                         int64_t queued_ms)
{
    ui_lang l = lang_of(u->lang);
    const char *code = ui_lang_code(l);
    const char *type = index_doc_type(d), *stage = index_doc_stage(d);
    const wf_workflow *wf = type ? wf_set_find(c->svc->workflows, type) : NULL;
    const char *type_name = wf ? wf_label(wf, "type", NULL, code) : NULL;
    const char *stage_name = wf && stage ? wf_label(wf, "stage", stage, code) : NULL;
    char due[16] = "", key[32];
    if (due_ms >= 0)
        day_of(due, due_ms);
    size_t ll = strlen(c->conf->base_url) + strlen(d->id) + 8;
    char *link = malloc(ll);
    if (!link)
        return NULL;
    snprintf(link, ll, "%s/ui/d/%s", c->conf->base_url, d->id);
    const char *vars[] = {"type", type_name ? type_name : type ? type : "",
                          "id", d->id,
                          "stage", stage_name ? stage_name : stage ? stage : "",
                          "link", link, "due", due, NULL};
    snprintf(key, sizeof(key), "%s_subject", what);
    char *subject = fill(text(c, l, key), vars);
    snprintf(key, sizeof(key), "%s_body", what);
    char *line = fill(text(c, l, key), vars);
    char *open = fill(text(c, l, "open_link"), vars);
    notify_item *it = NULL;
    util_buf body;
    util_buf_init(&body);
    if (subject && line && open &&
        util_buf_printf(&body, "%s\n\n%s\n", line, open) == 0) {
        if (c->conf->digest_minute >= 0) {
            it = notify_item_new(c->dir, NOTIFY_NOTICE, id, u->email, u->name, NULL, body.data,
                                 code, queued_ms);
        } else if (util_buf_printf(&body, "\n-- \n%s\n", text(c, l, "footer")) == 0) {
            char *msg;
            mailmsg m = {.from = c->conf->from, .to = u->email, .subject = subject,
                         .body = body.data, .id = id, .date_ms = date_ms};
            if (mailmsg_build(&msg, &m) == 0) {
                it = notify_item_new(c->dir, NOTIFY_MAIL, id, u->email, u->name, NULL, msg,
                                     NULL, queued_ms);
                free(msg);
            }
        }
    }
    util_buf_dispose(&body);
    free(subject);
    free(line);
    free(open);
    free(link);
    return it;
}

notify_item *notice_digest_mail(const notice_ctx *c, const char *lang, const char *user,
                               const char *to, const char *id, const char *notices,
                               size_t count, int64_t date_ms, int64_t queued_ms)
{
    ui_lang l = lang_of(lang);
    char n[24];
    snprintf(n, sizeof(n), "%zu", count);
    const char *vars[] = {"count", n, NULL};
    char *subject = fill(text(c, l, "digest_subject"), vars);
    char *msg = NULL;
    notify_item *it = NULL;
    util_buf b;
    util_buf_init(&b);
    if (subject && util_buf_printf(&b, "%s\n\n%s\n-- \n%s\n", text(c, l, "digest_intro"),
                                   notices, text(c, l, "footer")) == 0) {
        mailmsg m = {.from = c->conf->from, .to = to, .subject = subject, .body = b.data,
                     .id = id, .date_ms = date_ms};
        if (mailmsg_build(&msg, &m) == 0)
            it = notify_item_new(c->dir, NOTIFY_MAIL, id, to, user, NULL, msg, NULL, queued_ms);
    }
    free(msg);
    free(subject);
    util_buf_dispose(&b);
    return it;
}
