/*
 * kenes verify: read the repositories (never write them) and check that
 * every commit is one kenes could have made: signed by a key that
 * DATA/allowed_signers lists (else DATA/keys/signing.pub), well-formed
 * trailers, the document it names present and parseable with that id and
 * stage, a transition the workflow allows from the document's previous
 * stage by the role named, every four-eyes approval right by the rule the
 * server applies (quorum.c) over the document's earlier commits and naming
 * the text it approves, and that the history journal matches git.  Needs
 * nothing but the repositories and allowed_signers, so it runs on a mirror
 * copy.  One line per fault on stdout, then a summary.
 */
#ifndef KENES_VERIFY_H
#define KENES_VERIFY_H

#include "audit/anchor.h"
#include "base/config.h"
#include "storage/index.h"
#include "plugin/loader.h"
#include "storage/store.h"
#include "docs/workflow.h"

/* 0 when clean, 1 when a fault was found, negative when it could not check. */
int verify_run(const config *cfg);
/* The same, also holding the data against what an auditor saw earlier
 * (anchor.h): commits main must still contain, a position of the access log. */
int verify_run_pinned(const config *cfg, const anchor_pins *pins);

/* What serve's start-up check found in one repository. */
typedef struct verify_finding {
    size_t faults;     /* 0: every commit checked is good (or accepted) */
    size_t commits;    /* how many commits those faults are in */
    char commit[41];   /* the first commit at fault; "" for a fault of allowed_signers */
    char parent[41];   /* its first parent, "" for a root commit */
    char what[400];    /* its first fault, as verify words it */
    unsigned char key[32]; /* the signing key in force at main's head */
    int has_key;           /* 0 while no commit is signed */
} verify_finding;

/* Judge, by the rules verify applies, the commits of repo's main after since
 * (NULL: all of them): those kenes has not seen, the rest having been judged
 * before (written by kenes, or checked at an earlier start).  The documents'
 * versions before them come from ix (the journal's).  0 with *out filled, or
 * negative when the history cannot be read. */
int verify_unseen(verify_finding *out, const config *cfg, const plugin_set *plugins,
                  const wf_set *workflows, store *s, const doc_index *ix, int repo,
                  const char *since);

/* The signing key in force at the head of repo's main, as the newest commit
 * with a good signature by a listed key says it (see verify_unseen); *has 0
 * if there is none.  For the commands that sign with the server stopped. */
int verify_key_at_head(unsigned char key[32], int *has, const config *cfg, int repo);

/* kenes reindex: write each repository's history journal anew from git alone,
 * and sign the checkpoint anew with main's heads (anchor_accept_heads).
 * 0, or negative with one line on stderr. */
int verify_reindex(const config *cfg);

#endif
