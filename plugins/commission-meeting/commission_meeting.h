/*
 * The commission-meeting plugin's parts, built into one shared object
 * (commission-meeting.so):
 *
 *   commission_meeting.c  the plugin: the type's id, its list entry, the guards
 *   validate.c            what a valid meeting is
 *   roster.c              the region's approved roster, names folded, and the quorum
 */
#ifndef COMMISSION_MEETING_H
#define COMMISSION_MEETING_H

#include <kenes/plugin.h>

#define CM_TYPE "commission-meeting"
#define CM_ROSTER_TYPE "commission-roster"
#define CM_CASE_TYPE "case-review"

#define CM_TEXT_SHORT 200    /* a place, a name, an executor */
#define CM_TEXT_MATTER 500   /* an agenda item that is no case */
#define CM_TEXT_LONG 10000   /* a view, a decision's wording, a resolution's point */
#define CM_VOTES_MAX 1000    /* no commission has more members than this */
#define CM_LIST_MAX 100      /* agenda items, names present: a day's sitting, not more */

/* The members of the region's roster in force (its public face; the latest by id
 * when there are several), their full names folded as words
 * (api->text_fold, KENES_FOLD_WORDS), so that attendance is compared as
 * people read names, not byte by byte. */
typedef struct cm_roster {
    int found;     /* 1 if the region has an approved roster */
    size_t n;      /* members with a name */
    char **folded; /* n folded names */
} cm_roster;

/* Fill r for region: 0 (r->found 0 when there is no approved roster), or
 * KENES_ENOMEM, or KENES_EIO when the core cannot read the roster in force
 * now (doc_public_with), with r empty.  cm_roster_dispose() it either way. */
int cm_roster_load(cm_roster *r, const kenes_api *api, const char *region);
void cm_roster_dispose(cm_roster *r);
/* The member whose folded name is folded, or -1. */
long cm_roster_find(const cm_roster *r, const char *folded);

/* The workflow's quorum share (params: quorum: "p/q"): present members
 * must be more than p/q of the roster.  "1/2" when the workflow sets none;
 * a malformed value is logged and the default used. */
void cm_quorum_share(const kenes_api *api, unsigned *p, unsigned *q);
/* The fewest members present that are more than p/q of members. */
size_t cm_quorum_needed(size_t members, unsigned p, unsigned q);

/* Today (UTC, the core's clock) as 20260302. */
int cm_today(const kenes_api *api);
/* fields.date of a meeting as 20260302, or 0 when it is no date. */
int cm_date_of(const kenes_api *api, const json_t *fields);

/* kenes_doctype.validate of a meeting. */
int cm_validate(const kenes_api *api, const kenes_doc *doc, kenes_errors *errs);

#endif
