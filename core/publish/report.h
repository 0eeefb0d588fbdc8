/*
 * Reports: reports/national.md, reports/regions/<code>.md and
 * reports/cases.md in documents.git, each made of the sections the
 * document types' plugins write.  A publication commits only the reports
 * whose text changed, in one commit ("Publish reports", Kenes-Action:
 * publish, Kenes-Role: system), and none when nothing changed.  The server
 * publishes after an approval (at most once a minute), daily at the time
 * kenes.yaml names, and when an admin asks.  The last published texts are
 * kept in memory and served under /reports/.
 */
#ifndef KENES_REPORT_H
#define KENES_REPORT_H

#include <jansson.h>

#include "cmd/server.h"

/* {"national.md": "...", "cases.md": "...", "regions/KZ-11.md": "...", ...} (new reference). */
json_t *report_build(server *srv);

/* Read what was published last from documents.git (start-up). */
int report_load(server *srv);

/* Build and publish now; cb(status, names that changed (borrowed), payload):
 * status 0 also when nothing changed (then no commit).  A publication
 * already running makes this one wait for it. */
typedef void (*report_cb)(int status, const json_t *changed, void *payload);
void report_publish(server *srv, report_cb cb, void *payload);

/* After an approval: publish, but at most once a minute. */
void report_soon(server *srv);

/* Timers: daily publication and a wake-up when the nearest deadline passes. */
int report_timers_start(server *srv);
/* After a write of d: wake up at its deadline too, if that comes sooner. */
void report_deadline_of(server *srv, const idx_doc *d);
void report_timers_stop(server *srv);

#endif
