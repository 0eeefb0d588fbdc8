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
    ROLE_SECRETARY = 1 << 5 /* commission-secretary: prepares and records meetings, one region */
};

/* Which documents a transition may touch. */
enum scope { SCOPE_ALL = 0, SCOPE_OWN_REGION = 1 };

/* ROLE_NONE for an unknown name. */
enum role role_parse(const char *name);
/* "regional-official" ...; "" for ROLE_NONE. */
const char *role_name(enum role r);
/* 1 if users of this role act for one region and must have one. */
int role_needs_region(enum role r);

#endif
