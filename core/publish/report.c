#include "publish/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docs/docs.h"
#include "docs/entry.h"
#include "docs/fetch.h"
#include "publish/export.h"
#include "plugin/kapi.h"
#include "base/error.h"
#include "base/log.h"
#include "plugin/region.h"
#include "base/util.h"

#define REPORT_MIN_GAP_MS 60000

/* When d, shown as doc, entered its stage: for a public stage, when d first
 * came into force (an amendment agreed later leaves the public side in force
 * all along: a roster approved in time stays in time); else when its current
 * stage began (its newest version that changed the stage, or created it). */
static int stage_since(int64_t *out, const docs_service *svc, const idx_doc *d,
                       const json_t *doc)
{
    const wf_workflow *wf = wf_set_find(svc->workflows, json_string_value(json_object_get(doc, "type")));
    *out = -1;
    int rc = docs_wf_stage_public(wf, json_string_value(json_object_get(doc, "stage")))
                 ? docs_first_in_force_ms(out, wf, d)
                 : 0;
    if (rc < 0 || *out >= 0)
        return rc;
    const idx_version *entry = index_stage_entry(d);
    *out = entry ? entry->time_ms : -1;
    return 0;
}

/* Why no report is published: d's history not read (the index logged why
 * too).  A case id names it, never what the case says. */
static int unread(const char *id, int rc)
{
    log_error("report", "%s: its history cannot be read now (%s): no report is published", id,
              kenes_strerror(rc));
    return rc;
}

/* The documents of one type (one region's, for a region report) as a report
 * sees them: their JSON plus due, overdue and stage_since.  A document
 * amended while in force is seen as its version in force (public_face.c):
 * the reports are public, and count what is in force, not a draft. */
static int collect(size_t *nviews, docs_service *svc, idx_doc **all, size_t n, const char *type,
                   const char *region, struct kenes_doc *views, json_t **owned,
                   const idx_doc **sources)
{
    size_t k = 0;
    *nviews = 0;
    for (size_t i = 0; i < n; i++) {
        const idx_doc *d = all[i];
        /* Type and region from the index (docs/entry.h); a type that is not
         * resident is seen through the fields its index keeps. */
        if (!docs_type(d) || strcmp(docs_type(d), type) != 0 || docs_erased(svc, d) ||
            (region && (!docs_region(d) || strcmp(docs_region(d), region) != 0)))
            continue;
        const char *version = d->version;
        json_t *view = docs_resident(svc, d) ? NULL : docs_entry_view(d);
        /* A resident one parsed from its text (docs/fetch.h), used before
         * the next is parsed: docs_answer copies it. */
        const json_t *doc = view ? view : docs_fetch_now(svc, d);
        if (!doc)
            continue;
        const json_t *face = view ? NULL : docs_public_face(svc, d, &version);
        json_t *j = docs_answer(svc, d, face ? face : doc, face ? version : d->version);
        json_decref(view);
        if (face && face != doc) { /* in force: no deadline runs on it */
            json_object_set_new(j, "due", json_null());
            json_object_set_new(j, "overdue", json_false());
        }
        json_object_set_new(j, "overdue",
                            json_string(json_is_true(json_object_get(j, "overdue")) ? "true"
                                                                                     : "false"));
        int64_t since;
        int rc = stage_since(&since, svc, d, j);
        if (rc < 0) {
            json_decref(j);
            *nviews = k;
            return unread(d->id, rc);
        }
        char when[32];
        util_format_rfc3339(when, sizeof(when), since);
        json_object_set_new(j, "stage_since", since >= 0 ? json_string(when) : json_null());
        owned[k] = j;
        views[k].json = j;
        sources[k] = d;
        k++;
    }
    *nviews = k;
    return 0;
}

/* One report: its title and every type's section, in workflow order. */
static const char *region_name_in(const region *rg, int lang)
{
    return lang == REPORT_KK ? rg->kk : lang == REPORT_EN ? rg->en : rg->ru;
}

/* Into *text (malloc'd): 0, or KENES_EIO or KENES_ENOMEM when a
 * document's history cannot be read now (*text NULL: never a report that
 * counts without it). */
static int write_report(char **text, publisher *pub, idx_doc **all, size_t n, int kind,
                        const char *code, int lang, const char *published)
{
    int rc = 0;
    docs_service *svc = pub->svc;
    const report_lang_words *words = &pub->words.lang[lang];
    util_buf out;
    util_buf_init(&out);
    /* The title is content's (content/reports.yaml): what the reports are about. */
    const char *title = words->title[kind] ? words->title[kind] : "";
    if (kind == KENES_REPORT_REGION) {
        const region *rg = region_find(code);
        util_buf_printf(&out, "# %s: %s\n\n", title, rg ? region_name_in(rg, lang) : code);
    } else {
        util_buf_printf(&out, "# %s\n\n", title);
    }
    struct kenes_doc *views = calloc(n ? n : 1, sizeof(*views));
    json_t **owned = calloc(n ? n : 1, sizeof(*owned));
    const idx_doc **sources = calloc(n ? n : 1, sizeof(*sources));
    json_t **histories = calloc(n ? n : 1, sizeof(*histories));
    for (size_t w = 0; views && owned && sources && histories && w < wf_set_count(svc->workflows);
         w++) {
        const char *type = wf_set_at(svc->workflows, w)->type;
        const kenes_doctype *t = plugin_find_type(svc->plugins, type);
        const kenes_report_section *section = t ? kapi_report_section(t, kind) : NULL;
        if (!section)
            continue;
        size_t k;
        struct kenes_report_failure failure = {0, NULL};
        rc = collect(&k, svc, all, n, type, kind == KENES_REPORT_REGION ? code : NULL, views,
                     owned, sources);
        struct kenes_report r = {.failure = &failure,
                                 .kind = kind,
                                 .region = kind == KENES_REPORT_REGION ? code : NULL,
                                 .docs = views,
                                 .ndocs = k,
                                 .out = &out,
                                 .sources = sources,
                                 .histories = histories,
                                 .published = published,
                                 .lang = report_lang_codes[lang]};
        size_t before = out.len;
        if (rc == 0 && section->write(kapi_get(), &r) != 0 && !failure.rc) {
            /* A section that failed says so rather than half-publishing. */
            out.len = before;
            out.data[before] = '\0';
            log_error("report", "%s could not write its section", t->name);
            util_buf_printf(&out, "\n_%s_\n", words->unavailable ? words->unavailable : "");
        }
        for (size_t i = 0; i < k; i++) {
            json_decref(owned[i]);
            json_decref(histories[i]);
            histories[i] = NULL;
        }
        if (rc == 0 && failure.rc)
            rc = unread(failure.doc, failure.rc);
        if (rc < 0)
            break;
        if (out.len && out.data[out.len - 1] != '\n')
            util_buf_puts(&out, "\n");
    }
    free(views);
    free(owned);
    free(sources);
    free(histories);
    if (rc < 0) {
        util_buf_dispose(&out);
        *text = NULL;
        return rc;
    }
    *text = util_buf_detach(&out, NULL);
    return 0;
}

/* The reports of one language, in order: national.md, cases.md, then
 * regions/<code>.md for each region. */
static size_t reports_per_lang(void)
{
    return 2 + region_count();
}

/* Report i of them all (Russian first, then Kazakh, then English): its file
 * name under reports/, kind, language and region code (NULL but for a
 * region's); 0, or KENES_ENOTFOUND past the last. */
static int report_at(size_t i, char *name, size_t cap, int *kind, int *lang, const char **code)
{
    size_t per = reports_per_lang(), j = i % per;
    *code = NULL;
    *lang = (int)(i / per);
    if (*lang >= REPORT_NLANGS)
        return KENES_ENOTFOUND;
    const char *dir = report_lang_dirs[*lang];
    if (j == 0) {
        *kind = KENES_REPORT_NATIONAL;
        snprintf(name, cap, "%snational.md", dir);
    } else if (j == 1) {
        *kind = KENES_REPORT_CASES;
        snprintf(name, cap, "%scases.md", dir);
    } else {
        *kind = KENES_REPORT_REGION;
        *code = region_at(j - 2)->code;
        snprintf(name, cap, "%sregions/%s.md", dir, *code);
    }
    return 0;
}

int report_lang_of(const char *name, const char **rest)
{
    for (int l = REPORT_NLANGS - 1; l > REPORT_RU; l--) {
        size_t n = strlen(report_lang_dirs[l]);
        if (strncmp(name, report_lang_dirs[l], n) == 0) {
            *rest = name + n;
            return l;
        }
    }
    *rest = name;
    return REPORT_RU;
}

char *report_index_md(const publisher *pub, int lang)
{
    const report_lang_words *w = &pub->words.lang[lang];
    const char *dir = report_lang_dirs[lang];
    util_buf md;
    util_buf_init(&md);
    util_buf_printf(&md, "# %s\n\n", w->index_heading ? w->index_heading : "");
    /* Each other language's index, under its own name. */
    util_buf_printf(&md, "%s:", w->index_languages ? w->index_languages : "");
    for (int l = 0; l < REPORT_NLANGS; l++) {
        const char *name = pub->words.lang[l].language ? pub->words.lang[l].language : "";
        if (l == lang)
            util_buf_printf(&md, " **%s**", name);
        else
            util_buf_printf(&md, " [%s](/reports/%s)", name, report_lang_dirs[l]);
        util_buf_puts(&md, l + 1 < REPORT_NLANGS ? " ·" : "\n\n");
    }
    static const int listed[] = {KENES_REPORT_NATIONAL, KENES_REPORT_CASES};
    static const char *const files[] = {"national", "cases"};
    for (size_t i = 0; i < 2; i++)
        util_buf_printf(&md, "- [%s](/reports/%s%s)\n",
                        w->link[listed[i]] ? w->link[listed[i]] : "", dir, files[i]);
    /* One archive holds every language (its folders as in documents.git). */
    util_buf_printf(&md, "- [%s](/reports/bundle.zip)\n\n", w->index_bundle ? w->index_bundle : "");
    /* The same lists as spreadsheets (README, "Exports"): public, in this language. */
    util_buf_printf(&md, "## %s\n\n", report_export_word(&pub->words, lang, "heading"));
    for (int l = EXPORT_PLANS; l <= EXPORT_CASES; l++)
        util_buf_printf(&md, "- %s: [CSV](/api/v1/exports/%s.csv?lang=%s) · "
                             "[XLSX](/api/v1/exports/%s.xlsx?lang=%s)\n",
                        report_export_word(&pub->words, lang, export_list_names[l]),
                        export_list_names[l], report_lang_codes[lang], export_list_names[l],
                        report_lang_codes[lang]);
    util_buf_printf(&md, "\n## %s\n\n", w->index_regions ? w->index_regions : "");
    for (size_t i = 0; i < region_count(); i++)
        util_buf_printf(&md, "- [%s](/reports/%sregions/%s)\n",
                        region_name_in(region_at(i), lang), dir, region_at(i)->code);
    return util_buf_detach(&md, NULL);
}

const char *report_page_template(publisher *pub, int lang)
{
    if (lang < 0 || lang >= REPORT_NLANGS || !pub->page_template)
        return NULL;
    if (!pub->page_templates[lang])
        pub->page_templates[lang] = report_words_page(&pub->words, lang, pub->page_template);
    return pub->page_templates[lang];
}

int report_build(json_t **built, publisher *pub)
{
    idx_doc **all;
    size_t n;
    *built = NULL;
    if (index_list(&all, &n, pub->svc->index) < 0)
        return KENES_ENOMEM;
    json_t *out = json_object();
    int rc = out ? 0 : KENES_ENOMEM;
    char name[64];
    int kind, lang;
    const char *code;
    for (size_t i = 0; rc == 0 && report_at(i, name, sizeof(name), &kind, &lang, &code) == 0;
         i++) {
        /* What was published last, for the types that publish each period
         * once and copy it after (the cases report's closed months); a
         * language never published yet gets the Russian text, so that its
         * closed months say what the Russian ones said. */
        const char *rest;
        report_lang_of(name, &rest);
        const json_t *last = pub->reports ? json_object_get(pub->reports, name) : NULL;
        if (!last && pub->reports)
            last = json_object_get(pub->reports, rest);
        char *text;
        rc = write_report(&text, pub, all, n, kind, code, lang, json_string_value(last));
        if (rc == 0)
            json_object_set_new(out, name, json_string(text ? text : ""));
        free(text);
    }
    free(all);
    if (rc < 0) {
        json_decref(out);
        return rc;
    }
    *built = out;
    return 0;
}

int report_read_at(json_t **out, int *missing, store *s, const char *commit)
{
    *missing = 0;
    if (!(*out = json_object()))
        return KENES_ENOMEM;
    char name[64];
    int kind, lang;
    const char *code;
    for (size_t i = 0; report_at(i, name, sizeof(name), &kind, &lang, &code) == 0; i++) {
        char path[128], *text;
        size_t len;
        snprintf(path, sizeof(path), "reports/%s", name);
        if (store_read_at(s, &text, &len, commit, path) == 0) {
            json_object_set_new(*out, name, json_stringn(text, len));
            free(text);
        } else {
            (*missing)++;
        }
    }
    return 0;
}

int report_load(publisher *pub)
{
    char head[STORE_OID_HEX];
    store *docs = pub->svc->repos[REPO_DOCUMENTS];
    int missing = 0;
    if (pub->pinned)
        snprintf(head, sizeof(head), "%s", pub->load_at);
    else if (store_head(docs, head) < 0)
        head[0] = '\0';
    if (!head[0])
        return (pub->reports = json_object()) ? 0 : KENES_ENOMEM;
    int rc = report_read_at(&pub->reports, &missing, docs, head);
    /* Published before, but not all of them (a language or a region added
     * since): publish once the timers run, not a day later. */
    if (rc == 0 && missing && json_object_size(pub->reports) > 0)
        pub->wanted = 1;
    return rc;
}

void report_replace(publisher *pub, json_t *reports)
{
    json_decref(pub->reports);
    pub->reports = reports;
    if (pub->on_published)
        pub->on_published(pub->on_published_payload);
}

/* ---- publishing ---- */

typedef struct report_waiter {
    report_cb cb;
    void *payload;
    struct report_waiter *next;
} waiter;

typedef struct publication {
    store_write w;
    publisher *pub;
    json_t *built;
    json_t *changed;
    store_file files[STORE_MAX_FILES];
    char paths[STORE_MAX_FILES + 1][128];
    char *message;
    waiter *waiters;
} publication;

static void notify(waiter *w, int status, const json_t *changed)
{
    while (w) {
        waiter *next = w->next;
        if (w->cb)
            w->cb(status, changed, w->payload);
        free(w);
        w = next;
    }
}

static void start_publication(publisher *pub, waiter *waiters);

static void published(store_write *w, void *payload)
{
    publication *p = payload;
    publisher *pub = p->pub;
    if (w->status == 0) {
        const char *name;
        json_t *v;
        json_object_foreach(p->changed, name, v) json_object_set(pub->reports, name,
                                                                 json_object_get(p->built, name));
        log_info("report", "published %zu report(s) -> %.12s", json_object_size(p->changed),
                 w->commit);
        if (pub->on_published)
            pub->on_published(pub->on_published_payload);
    } else {
        log_error("report", "publication failed: %s", w->errmsg);
    }
    pub->last_ms = (long long)uv_now(pub->svc->loop);
    json_t *names = json_array();
    const char *name;
    json_t *v;
    json_object_foreach(p->changed, name, v) json_array_append_new(names, json_string(name));
    notify(p->waiters, w->status, names);
    json_decref(names);
    json_decref(p->built);
    json_decref(p->changed);
    free(p->message);
    free(p);
    pub->running = NULL;
    if (pub->queued) {
        waiter *next = pub->queued;
        pub->queued = NULL;
        start_publication(pub, next);
    }
}

static void start_publication(publisher *pub, waiter *waiters)
{
    const config *cfg = pub->svc->cfg;
    publication *p = calloc(1, sizeof(*p));
    json_t *built;
    int rc = report_build(&built, pub);
    if (!p || rc < 0) {
        /* Nothing half-made: no commit, the reports as last published. */
        free(p);
        json_decref(built);
        notify(waiters, rc < 0 ? rc : KENES_ENOMEM, NULL);
        return;
    }
    p->pub = pub;
    p->built = built;
    p->waiters = waiters;
    p->changed = json_object();
    const char *name;
    json_t *v;
    size_t n = 0;
    util_buf msg;
    util_buf_init(&msg);
    util_buf_puts(&msg, "Publish reports\n\n");
    json_object_foreach(built, name, v)
    {
        json_t *old = json_object_get(pub->reports, name);
        if (old && json_equal(old, v))
            continue;
        if (n > STORE_MAX_FILES)
            break;
        json_object_set(p->changed, name, v);
        snprintf(p->paths[n], sizeof(p->paths[n]), "reports/%s", name);
        util_buf_printf(&msg, "%s\n", p->paths[n]);
        n++;
    }
    if (n == 0) {
        /* Nothing changed: no commit, as promised. */
        util_buf_dispose(&msg);
        pub->last_ms = (long long)uv_now(pub->svc->loop);
        json_t *none = json_array();
        notify(waiters, 0, none);
        json_decref(none);
        json_decref(p->built);
        json_decref(p->changed);
        free(p);
        return;
    }
    util_buf_puts(&msg, "\nKenes-Action: publish\nKenes-Role: system\n");
    p->message = util_buf_detach(&msg, NULL);
    size_t i = 0;
    json_object_foreach(p->changed, name, v)
    {
        if (i > 0) {
            p->files[i - 1].path = p->paths[i];
            p->files[i - 1].content = json_string_value(v);
            p->files[i - 1].len = json_string_length(v);
        } else {
            p->w.path = p->paths[0];
            p->w.content = json_string_value(v);
            p->w.content_len = json_string_length(v);
        }
        i++;
    }
    p->w.files = p->files;
    p->w.nfiles = n - 1;
    p->w.author_name = cfg->committer_name;
    p->w.author_email = cfg->committer_email;
    p->w.message = p->message;
    p->w.time_ms = util_now_ms();
    pub->running = p;
    if (store_submit(pub->svc->repos[REPO_DOCUMENTS], &p->w, published, p) < 0) {
        pub->running = NULL;
        notify(waiters, KENES_EIO, NULL);
        json_decref(p->built);
        json_decref(p->changed);
        free(p->message);
        free(p);
    }
}

void report_publish(publisher *pub, report_cb cb, void *payload)
{
    waiter *w = calloc(1, sizeof(*w));
    if (!w) {
        if (cb)
            cb(KENES_ENOMEM, NULL, payload);
        return;
    }
    w->cb = cb;
    w->payload = payload;
    if (pub->running) {
        /* One publication at a time; those asked meanwhile share the next. */
        w->next = pub->queued;
        pub->queued = w;
        return;
    }
    start_publication(pub, w);
}

static void on_soon(uv_timer_t *t)
{
    publisher *pub = t->data;
    if (!pub->stopping)
        report_publish(pub, NULL, NULL);
}

/* After an approval: publish, but at most once a minute. */
static void report_soon(publisher *pub)
{
    if (!pub->svc->cfg->reports_after_approval || pub->stopping)
        return;
    /* Approvals made before the reports and their timers are loaded (the
     * demo's, at start): publish once they are. */
    if (!pub->reports) {
        pub->wanted = 1;
        return;
    }
    if (uv_is_active((uv_handle_t *)&pub->soon_timer))
        return;
    /* The loop's monotonic clock: KENES_NOW may hold the documents' clock still. */
    int64_t wait = pub->last_ms ? pub->last_ms + REPORT_MIN_GAP_MS -
                                      (int64_t)uv_now(pub->svc->loop)
                                : 0;
    uv_timer_start(&pub->soon_timer, on_soon, wait > 0 ? (uint64_t)wait : 0, 0);
}

/* ---- timers ---- */

static uint64_t ms_until_daily(const publisher *pub)
{
    int64_t now = util_now_ms();
    int64_t day = 86400000LL;
    int64_t at = (now / day) * day + (int64_t)pub->svc->cfg->reports_daily_minute * 60000;
    if (at <= now)
        at += day;
    return (uint64_t)(at - now);
}

static void on_daily(uv_timer_t *t)
{
    publisher *pub = t->data;
    report_publish(pub, NULL, NULL);
    uv_timer_start(t, on_daily, ms_until_daily(pub), 0);
}

/* next_deadline's answer when no deadline is ahead: a time, not an error. */
#define NO_DEADLINE (-1)

/* Every deadline ahead into pub->deadlines, afresh: at the timers' start,
 * and when stale entries outnumber the documents (deadline_note). */
static void deadlines_fill(publisher *pub)
{
    size_t n;
    idx_doc *const *all = index_sorted(pub->svc->index, &n);
    int64_t now = util_now_ms();
    minheap_clear(&pub->deadlines);
    for (size_t i = 0; i < n; i++) {
        int64_t due;
        docs_due(pub->svc, all[i], &due);
        /* Out of memory: a deadline missed here is found by the daily
         * publication, as before there was a timer for it. */
        if (due > now && minheap_append(&pub->deadlines, due, all[i]) < 0)
            break;
    }
    minheap_build(&pub->deadlines);
}

/* d's deadline, after a commit of d, among those ahead.  The entries d had
 * stay until they come to the top (next_deadline drops them), so the heap
 * is filled afresh once it holds twice as many entries as documents. */
static void deadline_note(publisher *pub, idx_doc *d, int64_t due)
{
    if (minheap_size(&pub->deadlines) > 2 * index_count(pub->svc->index) + 64)
        deadlines_fill(pub);
    else if (due > util_now_ms())
        minheap_push(&pub->deadlines, due, d);
}

/* The nearest deadline still ahead, or NO_DEADLINE: the heap's top, once
 * the entries that passed or that no longer hold (a commit moved the
 * document's deadline, or it has none now) are dropped. */
static int64_t next_deadline(publisher *pub)
{
    int64_t now = util_now_ms();
    const minheap_item *top;
    while ((top = minheap_peek(&pub->deadlines))) {
        int64_t due;
        docs_due(pub->svc, top->value, &due);
        if (top->key > now && due == top->key)
            return top->key;
        minheap_pop(&pub->deadlines, NULL);
    }
    return NO_DEADLINE;
}

static void on_deadline(uv_timer_t *t)
{
    publisher *pub = t->data;
    /* A deadline passed: what is overdue changed, and the reports say so. */
    log_info("deadline", "a deadline passed; republishing the reports");
    report_publish(pub, NULL, NULL);
    int64_t next = next_deadline(pub);
    if (next > 0)
        uv_timer_start(t, on_deadline, (uint64_t)(next - util_now_ms()), 0);
}

/* After a write of d: wake up at its deadline too, if that comes sooner. */
static void report_deadline_of(publisher *pub, const idx_doc *d)
{
    int64_t due, now = util_now_ms();
    if (pub->stopping)
        return;
    docs_due(pub->svc, d, &due);
    /* Noted even before the timers start (which fill the heap afresh). */
    deadline_note(pub, (idx_doc *)d, due);
    if (!pub->reports || due <= now) /* the timers are not running */
        return;
    /* A deadline that moved later leaves the timer early: on_deadline then
     * publishes nothing new and finds the next one. */
    uint64_t in = (uint64_t)(due - now);
    uv_timer_t *t = &pub->deadline_timer;
    if (!uv_is_active((uv_handle_t *)t) || in < uv_timer_get_due_in(t))
        uv_timer_start(t, on_deadline, in, 0);
}

void report_committed(const idx_doc *d, int publishes, void *payload)
{
    publisher *pub = payload;
    report_deadline_of(pub, d);
    if (publishes)
        report_soon(pub);
}

int report_timers_start(publisher *pub)
{
    uv_loop_t *loop = pub->svc->loop;
    uv_timer_init(loop, &pub->soon_timer);
    uv_timer_init(loop, &pub->daily_timer);
    uv_timer_init(loop, &pub->deadline_timer);
    pub->soon_timer.data = pub->daily_timer.data = pub->deadline_timer.data = pub;
    if (pub->svc->cfg->reports_daily_minute >= 0)
        uv_timer_start(&pub->daily_timer, on_daily, ms_until_daily(pub), 0);
    deadlines_fill(pub);
    int64_t next = next_deadline(pub);
    if (next > 0)
        uv_timer_start(&pub->deadline_timer, on_deadline, (uint64_t)(next - util_now_ms()), 0);
    if (pub->wanted)
        report_soon(pub);
    return 0;
}

void report_timers_stop(publisher *pub)
{
    pub->stopping = 1;
    uv_close((uv_handle_t *)&pub->soon_timer, NULL);
    uv_close((uv_handle_t *)&pub->daily_timer, NULL);
    uv_close((uv_handle_t *)&pub->deadline_timer, NULL);
}

void report_publisher_init(publisher *p, docs_service *svc)
{
    *p = (publisher){.svc = svc};
    minheap_init(&p->deadlines);
}

void report_publisher_dispose(publisher *p)
{
    json_decref(p->reports);
    free(p->page_template);
    for (int l = 0; l < REPORT_NLANGS; l++) {
        free(p->page_templates[l]);
        p->page_templates[l] = NULL;
    }
    page_cache_free(p->pages);
    minheap_dispose(&p->deadlines);
    report_words_dispose(&p->words);
    p->reports = NULL;
    p->page_template = NULL;
    p->pages = NULL;
}
