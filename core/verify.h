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

#include "anchor.h"
#include "config.h"

/* 0 when clean, 1 when a fault was found, negative when it could not check. */
int verify_run(const config *cfg);
/* The same, also holding the data against what an auditor saw earlier
 * (anchor.h): commits main must still contain, a position of the access log. */
int verify_run_pinned(const config *cfg, const anchor_pins *pins);

/* kenes reindex: write each repository's history journal anew from git alone,
 * and sign the checkpoint anew with main's heads (anchor_accept_heads).
 * 0, or negative with one line on stderr. */
int verify_reindex(const config *cfg);

#endif
