/*
 * plan-execution: the half-yearly report of how a region carried out its
 * plan in force (plan_execution.c: the fields, the id, the plan_in_force
 * guard; execution_report.c: the national and regional report sections).
 */
#ifndef KENES_PLAN_EXECUTION_H
#define KENES_PLAN_EXECUTION_H

#include <kenes/plugin.h>

#include "kenes_sdk.h"

#define PE_PLUGIN "plan-execution"
#define PE_PLAN_TYPE "regional-plan"

/* A row's status: done, in-progress, not-done (NULL-terminated). */
enum { PE_DONE = 0, PE_IN_PROGRESS = 1, PE_NOT_DONE = 2, PE_NSTATUS = 3 };
extern const char *const pe_statuses[PE_NSTATUS + 1];

/* The concept's four directions, as a plan's measures name them. */
#define PE_NDIRECTIONS 4
extern const char *const pe_directions[PE_NDIRECTIONS + 1];

/* What a report or a check needs of a plan's public face, copied out of
 * the borrowed document: its id, type, region, year and measures. */
typedef struct pe_plan {
    char id[200];
    char type[64];
    char region[16];
    long long period;  /* -1 if it has none */
    char version[48];  /* the commit of this version; "" if the core does not say */
    json_t *measures;  /* a copy; NULL if none */
} pe_plan;

/* *out = the public face of document id (api->doc_public_with): 0, or
 * KENES_ENOTFOUND when it has none (no such document, never in force, or
 * a core without doc_public_with).  pe_plan_dispose() it after a 0. */
int pe_plan_face(pe_plan *out, const kenes_api *api, const char *id);
void pe_plan_dispose(pe_plan *p);
/* pe_plan_face's copy of a face the caller holds. */
int pe_plan_of(pe_plan *out, const kenes_api *api, const kenes_doc *doc);

/* The largest actual value a row may give: 100 for a percentage
 * (pe_is_percent), else a count (people, families, offences: Kazakhstan has
 * some 20 million people). */
#define PE_PERCENT_MAX 100.0
#define PE_COUNT_MAX 1e9
/* 1 if a measure's indicator is a percentage (its text says "%"). */
int pe_is_percent(const json_t *measure);

/* What a report's rows were written against.  1 if the plan version plan
 * (its public face) was already in force when report (the report's id) was
 * last written (written: doc_get "written", else "version", of the
 * report's committed version): the rows' measure numbers are that
 * version's.  0 when the plan in force came later (an amendment agreed
 * since: the numbers may name other measures now).  1 when the core cannot
 * tell (no version_before, no commits or report id known, or a history it
 * cannot read now): as before the binding existed. */
int pe_rows_match(const kenes_api *api, const pe_plan *plan, const char *report,
                  const char *written);

/* The report sections (execution_report.c). */
int pe_report_national(const kenes_api *api, kenes_report *r);
int pe_report_region(const kenes_api *api, kenes_report *r);

#endif
