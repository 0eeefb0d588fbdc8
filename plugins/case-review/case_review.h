/*
 * The case-review plugin's parts, each a job of its own, built into one
 * shared object (case-review.so):
 *
 *   case_review.c   the plugin: the type's id, its list entry, the guards
 *   validate.c      what a valid case is
 *   decisions.c     what signed meetings decided on a case; the guards that
 *                   move a case by them and by its checks
 *   cases_report.c  the cases report: aggregates per closed month
 *   suppress.c      which published counts must be withheld
 *
 * What a pseudonym and a title must not give away of the child is the SDK's
 * (plugins/sdk/identity.c, names.c): referrals judge their text by it too.
 */
#ifndef CASE_REVIEW_H
#define CASE_REVIEW_H

#include <kenes/plugin.h>

#define CR_TYPE "case-review"
/* The meetings whose signed resolutions move a case (plugins/commission-meeting). */
#define CR_MEETING_TYPE "commission-meeting"
/* The referrals of a case's measures to agencies (plugins/referral). */
#define CR_REFERRAL_TYPE "referral"

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

/* What the signed meetings of a case's region decided on it: of the
 * decisions approve-plan and close adopted there (more votes for than
 * against), the latest (by meeting date, then number), and the latest
 * approve-plan alone (the plan's approval, which checks must not precede). */
enum { CR_DECIDED_NONE = 0, CR_DECIDED_APPROVE = 1, CR_DECIDED_CLOSE = 2 };
typedef struct {
    int last;                   /* CR_DECIDED_*: the latest adopted */
    int date;                   /* cr_ymd of its meeting, 0 for none */
    long long number;           /* and that meeting's number */
    int approved_on;            /* cr_ymd of the latest approve-plan meeting, 0 for none */
    long long approved_number;  /* and its number */
} cr_decided;

/* *out for case id of region; all 0 for a case not yet created (id NULL or
 * ""): no meeting names it yet.  0, KENES_EINVAL when the core cannot show
 * other documents, or what the walk answered. */
int cr_decisions(cr_decided *out, const kenes_api *api, const char *id, const char *region);

/* The guards of decisions.c (kenes_guard.check). */
int cr_plan_resolution_signed(const kenes_api *api, const kenes_doc *doc, const kenes_ctx *ctx,
                              kenes_errors *errs);
int cr_close_resolution_signed(const kenes_api *api, const kenes_doc *doc, const kenes_ctx *ctx,
                               kenes_errors *errs);
int cr_check_scheduled(const kenes_api *api, const kenes_doc *doc, const kenes_ctx *ctx,
                       kenes_errors *errs);
int cr_closure_allowed(const kenes_api *api, const kenes_doc *doc, const kenes_ctx *ctx,
                       kenes_errors *errs);

/* The cases report's section (KENES_REPORT_CASES). */
int cr_report_cases(const kenes_api *api, kenes_report *r);

#endif
