#include "docs/quorum.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kenes/plugin.h"

int quorum_role_counts(enum role r)
{
    return r != ROLE_ADMIN;
}

/* An approval given by an admin: refused today, but a history from before
 * the rule may hold one. */
static int by_admin(const idx_version *v)
{
    return v->role && !quorum_role_counts(role_parse(v->role));
}

void quorum_state(quorum_round *out, const wf_workflow *wf, const wf_transition *tr,
                  const idx_version *versions, size_t n, const char *user)
{
    *out = (quorum_round){0};
    int counting = 1;
    for (size_t i = n; i-- > 0;) {
        const idx_version *v = &versions[i];
        int same_action = strcmp(v->action, tr->action) == 0;
        int counted = same_action && v->approval && v->from && strcmp(v->from, v->to) == 0;
        if (same_action && !counted)
            break; /* the previous round ended here */
        if (counting && counted) {
            if (by_admin(v))
                continue; /* counts for nothing, and ends no round */
            out->given++;
            out->again |= strcmp(v->author, user) == 0;
            continue;
        }
        counting = 0;
        const wf_stage *from = v->from ? wf_find_stage(wf, v->from) : NULL;
        int wrote = strcmp(v->action, "create") == 0 || strcmp(v->action, "edit") == 0 ||
                    (from && from->editable && strcmp(v->from, v->to) != 0);
        out->author |= wrote && strcmp(v->author, user) == 0;
    }
}

int quorum_state_of(quorum_round *out, const wf_workflow *wf, const wf_transition *tr,
                    const idx_doc *d, const char *user)
{
    idx_version *all;
    size_t n;
    *out = (quorum_round){0};
    int rc = index_versions(&all, &n, d);
    if (rc < 0)
        return rc;
    quorum_state(out, wf, tr, all, n, user);
    free(all);
    return 0;
}

int quorum_check(unsigned *faults, const wf_workflow *wf, const wf_transition *tr,
                 const idx_version *versions, size_t n, const idx_version *v)
{
    if (!faults || !wf || !tr || (!versions && n) || !v || !v->author)
        return KENES_EINVAL;
    *faults = 0;
    quorum_round q;
    quorum_state(&q, wf, tr, versions, n, v->author);
    /* The count the server writes, exactly: "k/N" with nothing around it. */
    char want[32];
    snprintf(want, sizeof(want), "%u/%u", q.given + 1, tr->approvals);
    if (!v->approval || strcmp(v->approval, want) != 0)
        *faults |= QUORUM_BAD_COUNT;
    if (q.again)
        *faults |= QUORUM_AGAIN;
    if (q.author && tr->not_by_authors)
        *faults |= QUORUM_BY_AUTHOR;
    if (by_admin(v))
        *faults |= QUORUM_BY_ADMIN;
    return 0;
}
