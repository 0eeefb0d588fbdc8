/*
 * Four eyes: who may take an action that needs several distinct people
 * (approvals: N in the workflow) or someone who did not write the text
 * (not_by: authors).  The server asks before it records an approval
 * (docs.c); kenes verify asks again of every approval in the history
 * (verify.c).  Both hand over the document's versions, oldest first, so
 * both apply one rule.
 *
 * An admin's approval never counts: admins run the server and can act in
 * every role, so they are nobody's second pair of eyes.  The server refuses
 * it, verify faults it, and a round does not count one found in the history.
 *
 * A round runs from the last time the document completed the action (or
 * from its creation) to now.  Its approvals are the counted ones at the
 * head of the history (an edit, a return or any other step in between
 * voids them); its authors are those who created or edited the text or
 * moved it out of an editable stage (which is how it is submitted).
 */
#ifndef KENES_QUORUM_H
#define KENES_QUORUM_H

#include <stddef.h>

#include "storage/index.h"
#include "auth/role.h"
#include "docs/workflow.h"

typedef struct quorum_round {
    unsigned given; /* approvals counted so far in this round */
    int again;      /* the user gave one of them */
    int author;     /* the user wrote or submitted this round's text */
} quorum_round;

/* The round of tr as it stands after versions[0..n), for user. */
void quorum_state(quorum_round *out, const wf_workflow *wf, const wf_transition *tr,
                  const idx_version *versions, size_t n, const char *user);

/* The same over every version of d (its packed ones unpacked): the
 * server's question.  0, or KENES_ENOMEM or KENES_EIO (the index's scratch
 * file does not read back): then *out is a round with nothing in it,
 * which is no answer (an author or a second approval would pass it). */
int quorum_state_of(quorum_round *out, const wf_workflow *wf, const wf_transition *tr,
                    const idx_doc *d, const char *user);

/* What can be wrong with an approval found in the history. */
enum {
    QUORUM_BAD_COUNT = 1 << 0, /* Kenes-Approval is not "<given + 1>/<N>" */
    QUORUM_AGAIN = 1 << 1,     /* its author approved already in this round */
    QUORUM_BY_AUTHOR = 1 << 2, /* its author wrote the text, and not_by: authors */
    QUORUM_BY_ADMIN = 1 << 3,  /* an admin gave it (Kenes-Role: admin) */
};

/* 1 if an approval by this role counts toward a quorum (every role but admin). */
int quorum_role_counts(enum role r);

/* Judge approval v of tr, which came after versions[0..n): *faults is a set
 * of QUORUM_* bits, 0 if the server would have recorded it just so.
 * 0, or KENES_EINVAL for a missing argument. */
int quorum_check(unsigned *faults, const wf_workflow *wf, const wf_transition *tr,
                 const idx_version *versions, size_t n, const idx_version *v);

#endif
