/*
 * The exports (README, "Exports"): the lists a spreadsheet is made of, as
 * tables (table.h) in the reader's language.
 *
 *   plans    every measure of the regional plans: in force (their public
 *            face, what the reports show), or with edition=current their
 *            current versions; with the latest accepted execution report's
 *            status of each measure
 *   rosters  every member of the commission rosters, the same way
 *   cases    the case releases exactly as published in reports/cases.md
 *            (cell by cell, "< 5" and withheld cells as they stand): never
 *            counted again, so no export holds a figure the report hides
 *
 * Nothing of a case's content is in any export, an auditor's included: a
 * case is read one at a time, under the access log (the dossier).
 */
#ifndef KENES_PUBLISH_EXPORT_H
#define KENES_PUBLISH_EXPORT_H

#include <stddef.h>

#include "docs/docs.h"
#include "publish/report.h"
#include "publish/table.h"

typedef enum export_list { EXPORT_PLANS = 0, EXPORT_ROSTERS = 1, EXPORT_CASES = 2 } export_list;

/* "plans", "rosters", "cases" by export_list. */
extern const char *const export_list_names[3];

typedef struct export_ask {
    export_list list;
    const char *region; /* a region's code, or NULL: every region */
    int current;        /* 1: current versions (drafts too), 0: versions in force */
    const auth_user *reader; /* with current: only what the reader may read */
    int lang;           /* REPORT_RU, REPORT_KK, REPORT_EN */
} export_ask;

/* Plans or rosters as a->current and a->region ask, every document of the
 * type that has such a version (the caller has judged who may ask what).
 * On the loop: plans and rosters are resident (their text in memory, parsed
 * through the cache one at a time: docs/fetch.h), and a
 * table of them is a few thousand rows at most.  0, KENES_ETOOBIG, KENES_ENOMEM. */
int export_docs_table(xtable **out, publisher *pub, const export_ask *a);

/* The case releases of md (reports/cases.md as published in a->lang), every
 * table's every cell as a row: release, table, row, column, value.  Parsed
 * by cmark-gfm; on any thread (a job's copy of md).  0, KENES_ETOOBIG, KENES_ENOMEM. */
int export_cases_table(xtable **out, const report_words *w, int lang, const char *md,
                       size_t len);

/* The name of an export's file in lang, without its extension: the
 * reader's words ("Меры региональных планов KZ-11 2026-12-05") into name,
 * its ASCII fallback ("kenes-plans-KZ-11-2026-12-05") into ascii.  today: YYYY-MM-DD. */
void export_file_names(char *name, size_t namecap, char *ascii, size_t asciicap,
                       const report_words *w, const export_ask *a, const char *today);

#endif
