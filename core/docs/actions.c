/*
 * What can be done to a document now, and by whom: the transitions open
 * from its stage, and how far a four-eyes round has come.  The inbox lists
 * the former, the document page shows both; the rule of who may take a
 * transition is rights.c's, the count quorum.c's, so neither is written
 * twice.
 */
#include <string.h>

#include "base/util.h"
#include "docs/docs.h"
#include "docs/entry.h"
#include "docs/internal.h"
#include "docs/quorum.h"
#include "docs/rights.h"

static int has_guard(const wf_transition *tr, const char *name)
{
    for (size_t g = 0; g < tr->nguards; g++)
        if (strcmp(tr->guard_names[g], name) == 0)
            return 1;
    return 0;
}

/* Former transitions (an earlier version's) are never open: only verify reads them. */
static int from_stage(const wf_transition *tr, const char *stage)
{
    if (tr->former)
        return 0;
    for (size_t f = 0; f < tr->nfrom; f++)
        if (strcmp(tr->from[f], stage) == 0)
            return 1;
    return 0;
}

int docs_actions(json_t **out, const docs_service *svc, const auth_user *u, const idx_doc *d)
{
    *out = json_array();
    if (!*out)
        return KENES_ENOMEM;
    const wf_workflow *wf = wf_set_find(svc->workflows, docs_type(d));
    const char *stage = docs_stage(d);
    if (!wf || !stage || docs_erased(svc, d))
        return 0;
    access_view v;
    docs_access_view(&v, d);
    for (size_t t = 0; t < wf->ntransitions; t++) {
        const wf_transition *tr = &wf->transitions[t];
        if (!from_stage(tr, stage) || !access_scoped_view(u, wf, tr->roles, tr->scope, &v))
            continue;
        quorum_round q = {0};
        int rc = tr->approvals > 1 || tr->not_by_authors ? quorum_state_of(&q, wf, tr, d, u->name)
                                                         : 0;
        if (rc < 0) { /* an empty round would offer what the write refuses */
            json_decref(*out);
            *out = NULL;
            return rc;
        }
        json_t *a = json_pack("{s:s, s:b, s:i, s:i, s:b, s:b}", "action", tr->action,
                              "comment_required", has_guard(tr, "comment_required"),
                              "approvals", (int)tr->approvals, "given", (int)q.given, "again",
                              q.again, "author", q.author && tr->not_by_authors);
        if (!a || json_array_append_new(*out, a) < 0) {
            json_decref(*out);
            *out = NULL;
            return KENES_ENOMEM;
        }
    }
    return 0;
}

int docs_approvals(json_t **out, const docs_service *svc, const idx_doc *d)
{
    *out = json_array();
    if (!*out)
        return KENES_ENOMEM;
    const wf_workflow *wf = wf_set_find(svc->workflows, docs_type(d));
    const char *stage = docs_stage(d);
    if (!wf || !stage)
        return 0;
    for (size_t t = 0; t < wf->ntransitions; t++) {
        const wf_transition *tr = &wf->transitions[t];
        if (tr->approvals < 2 || !from_stage(tr, stage))
            continue;
        quorum_round q;
        /* Nobody's name: only the count is asked for; never a count of 0
         * for one that cannot be read. */
        int rc = quorum_state_of(&q, wf, tr, d, "");
        if (rc < 0) {
            json_decref(*out);
            *out = NULL;
            return rc;
        }
        json_t *a = json_pack("{s:s, s:i, s:i}", "action", tr->action, "given", (int)q.given,
                              "approvals", (int)tr->approvals);
        if (!a || json_array_append_new(*out, a) < 0) {
            json_decref(*out);
            *out = NULL;
            return KENES_ENOMEM;
        }
    }
    return 0;
}
