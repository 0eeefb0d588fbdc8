/*
 * The case-review plugin's parts, each a job of its own, built into one
 * shared object (case-review.so):
 *
 *   case_review.c   the plugin: the type's id, its list entry, the guards
 *   validate.c      what a valid case is
 *   cases_report.c  the cases report: aggregates per closed month
 *   identity.c      what a pseudonym and a title must not give away
 *   names.c         text folded and reduced to skeletons, to compare names
 *   suppress.c      which published counts must be withheld
 */
#ifndef CASE_REVIEW_H
#define CASE_REVIEW_H

#include <kenes/plugin.h>

#define CR_TYPE "case-review"

/* What the fields may hold (NULL-terminated), in the order the report
 * lists them. */
#define CR_NGROUNDS 12
#define CR_NOUTCOMES 4
extern const char *const cr_grounds[CR_NGROUNDS + 1];
extern const char *const cr_outcomes[CR_NOUTCOMES + 1];
extern const char *const cr_reasons[];

/* A date as one comparable number, 20120304. */
int cr_ymd(int y, int m, int d);
/* Today's date (UTC, the core's clock, which tests fix) as cr_ymd. */
int cr_today(const kenes_api *api);

/* kenes_doctype.validate of a case. */
int cr_validate(const kenes_api *api, const kenes_doc *doc, kenes_errors *errs);

/* The cases report's section (KENES_REPORT_CASES). */
int cr_report_cases(const kenes_api *api, kenes_report *r);

#endif
