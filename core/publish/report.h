/*
 * Reports: reports/national.md, reports/regions/<code>.md and
 * reports/cases.md in documents.git, each made of the sections the
 * document types' plugins write, in Russian; the same in Kazakh under
 * reports/kk/ and in English under reports/en/ (report_words.h: the
 * languages).  A publication commits only the reports
 * whose text changed, in one commit ("Publish reports", Kenes-Action:
 * publish, Kenes-Role: system), and none when nothing changed.  The server
 * publishes after an approval (at most once a minute: report_committed, the
 * document service's commit hook), daily at the time kenes.yaml names, and
 * when an admin asks.  The last published texts are kept in memory and
 * served under /reports/.
 */
#ifndef KENES_REPORT_H
#define KENES_REPORT_H

#include <jansson.h>
#include <uv.h>

#include "base/minheap.h"
#include "docs/service.h"
#include "publish/pages.h"
#include "publish/report_words.h"

struct publication;
struct report_waiter;

/* The publisher's state, owned by the loop thread. */
typedef struct publisher {
    docs_service *svc;
    json_t *reports;     /* as last published: {"national.md": markdown, ...}; NULL until loaded */
    char *page_template; /* content/templates/page.html */
    char *page_templates[REPORT_NLANGS]; /* it in each language (report_page_template) */
    report_words words;  /* content/reports.yaml: titles, the index page's words */
    page_cache *pages;   /* rendered public pages and the bundle (pages.h) */
    long long last_ms;   /* uv_now() of the last publication; 0: none yet */
    int wanted;          /* an approval came before the reports were loaded */
    int stopping;        /* the server is stopping: publish nothing new */
    /* With pinned set, the commit report_load reads the reports at ("":
     * none is read); else main's head.  A read replica's last judged
     * commit: a newer main is not served yet. */
    char load_at[41];
    int pinned;
    /* Told after a publication changed the reports (and nothing else):
     * whoever keeps pages of them drops and remakes them.  May be NULL. */
    void (*on_published)(void *payload);
    void *on_published_payload;
    struct publication *running;
    struct report_waiter *queued; /* asked while a publication ran */
    uv_timer_t soon_timer;
    uv_timer_t daily_timer;
    uv_timer_t deadline_timer;
    /* Every deadline ahead as (due_ms, idx_doc): filled at the timers'
     * start, pushed at each commit; an entry whose document is due at
     * another time by now is dropped when it comes to the top. */
    minheap deadlines;
} publisher;

/* An empty publisher for svc (no reports loaded, no timers). */
void report_publisher_init(publisher *p, docs_service *svc);
/* After report_timers_stop's handles are closed.  Frees what p holds. */
void report_publisher_dispose(publisher *p);

/* {"national.md": "...", "cases.md": "...", "regions/KZ-11.md": "...", ...,
 * "kk/national.md": "...", ..., "en/regions/KZ-79.md": "..."} (new reference).
 * A type that copies what it published before (report_published) is handed
 * the Russian report's text for a language that was never published: the
 * figures of a closed month are the same in every language.  Into *out:
 * 0, KENES_ENOMEM, or KENES_EIO when a document's history cannot be read
 * now (logged with its id; *out NULL: no report without it). */
int report_build(json_t **out, publisher *p);

/* The language (REPORT_*) of a report's name ("kk/national.md": REPORT_KK),
 * and in *rest the name within its language's folder ("national.md"). */
int report_lang_of(const char *name, const char **rest);

/* Read what was published last from documents.git (start-up). */
int report_load(publisher *p);

/* The reports as the commit left them, read from s (any thread, with a
 * store no other thread uses): *out {"national.md": ..., ...} (new
 * reference), *missing how many of them it does not hold.  0 or
 * KENES_ENOMEM. */
int report_read_at(json_t **out, int *missing, store *s, const char *commit);

/* A read replica took a commit that publishes (cmd/replica.c): reports
 * (stolen, report_read_at's) are served from now on, the pages made of
 * the old ones dropped as after a publication here.  On the loop. */
void report_replace(publisher *p, json_t *reports);

/* The index page of a language (/reports/, /reports/kk/, /reports/en/):
 * every report of that language listed in its words, the bundle, and a
 * link to each other language's index, as Markdown (malloc'd; NULL: out
 * of memory). */
char *report_index_md(const publisher *p, int lang);

/* The page template in lang (report_words_page), made on first use and
 * kept; NULL when there is no template or no memory. */
const char *report_page_template(publisher *p, int lang);

/* Build and publish now; cb(status, names that changed (borrowed), payload):
 * status 0 also when nothing changed (then no commit).  A publication
 * already running makes this one wait for it. */
typedef void (*report_cb)(int status, const json_t *changed, void *payload);
void report_publish(publisher *p, report_cb cb, void *payload);

/* The document service's commit hook (payload: the publisher): wake up at
 * d's deadline if that comes sooner, and after a change that publishes,
 * publish, but at most once a minute. */
void report_committed(const idx_doc *d, int publishes, void *payload);

/* Timers: daily publication and a wake-up when the nearest deadline passes. */
int report_timers_start(publisher *p);
void report_timers_stop(publisher *p);

#endif
