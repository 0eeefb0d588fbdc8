/* The roles the core knows.  Workflows name them; users carry one. */
#ifndef KENES_ROLE_H
#define KENES_ROLE_H

enum role {
    ROLE_NONE = 0,
    ROLE_OFFICIAL = 1 << 0, /* regional-official: acts for one region */
    ROLE_REVIEWER = 1 << 1, /* ministry-reviewer */
    ROLE_AUDITOR = 1 << 2,  /* auditor: reads everything, writes nothing */
    ROLE_ADMIN = 1 << 3,    /* admin: may perform any action, for support */
    ROLE_CHAIR = 1 << 4,    /* commission-chair: acts for one region */
    ROLE_SECRETARY = 1 << 5, /* commission-secretary: prepares and records meetings, one region */
    ROLE_APPROVER = 1 << 6,  /* akimat-approver: approves the region's plan and roster by the
                              * akimat's resolution, one region */
    ROLE_AGENCY = 1 << 7     /* agency-officer: one agency of one region (a school, the police
                              * inspectors for minors...), sees only the referrals sent to it */
};

/* Which documents a transition may touch. */
/* SCOPE_NAMED_REGION: the user's region is the one the document's
 * fields.<region_field> names (a case's receiving region while it is
 * transferred).  SCOPE_OWN_AGENCY: the user's region is the document's and
 * the user's agency is the one fields.<agency_field> names. */
enum scope { SCOPE_ALL = 0, SCOPE_OWN_REGION = 1, SCOPE_NAMED_REGION = 2, SCOPE_OWN_AGENCY = 3 };

/* ROLE_NONE for an unknown name. */
enum role role_parse(const char *name);
/* "regional-official" ...; "" for ROLE_NONE. */
const char *role_name(enum role r);
/* 1 if users of this role act for one region and must have one. */
int role_needs_region(enum role r);

#endif
