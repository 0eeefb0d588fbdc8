/*
 * kenes verify: one commit, against the document it names, the workflow of
 * its type and (for an approval) the document's earlier commits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "cmd/verify_internal.h"
#include "docs/quorum.h"
#include "docs/workflow.h"
#include "storage/docfile.h"
#include "storage/note.h"
#include "storage/vault.h"

static void vdoc_free(vdoc *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++) {
        idx_version *x = &d->versions[i];
        free(x->author);
        free(x->role);
        free(x->action);
        free(x->from);
        free(x->to);
        free(x->approval);
    }
    free(d->versions);
    free(d->stage);
    free(d);
}

/* Append the commit to the document's versions, taking m's strings. */
static int vdoc_record(vdoc *d, const store_commit_info *c, msg_parsed *m)
{
    idx_version *grown = util_grow(d->versions, &d->cap, d->n, sizeof(*grown), 8);
    if (!grown)
        return KENES_ENOMEM;
    d->versions = grown;
    idx_version *x = &d->versions[d->n];
    memset(x, 0, sizeof(*x));
    snprintf(x->commit, sizeof(x->commit), "%s", c->commit);
    x->time_ms = c->time_ms;
    if (!(x->author = strdup(c->author_name ? c->author_name : "")))
        return KENES_ENOMEM;
    x->role = m->role;
    x->action = m->action;
    x->from = m->from;
    x->to = m->to;
    x->approval = m->approval;
    m->role = m->action = m->from = m->to = m->approval = NULL;
    d->n++;
    return 0;
}

/* The document's versions so far: those walked, else the seed's. */
static vdoc *vdoc_find(vctx *v, const char *id)
{
    vdoc *d = map_get(v->docs, id);
    const idx_doc *x = d || !v->seed ? NULL : index_get(v->seed, id);
    if (!x || x->repo != v->seed_repo || !x->nversions)
        return d;
    if (!(d = calloc(1, sizeof(*d))) || !(d->versions = calloc(x->nversions, sizeof(idx_version))))
        goto oom;
    d->cap = x->nversions;
    for (size_t i = 0; i < x->nversions; i++, d->n++) {
        const idx_version *a = &x->versions[i];
        idx_version *b = &d->versions[i];
        memcpy(b->commit, a->commit, sizeof(b->commit));
        b->time_ms = a->time_ms;
        if (!(b->author = strdup(a->author ? a->author : "")) ||
            (a->role && !(b->role = strdup(a->role))) ||
            (a->action && !(b->action = strdup(a->action))) ||
            (a->from && !(b->from = strdup(a->from))) || (a->to && !(b->to = strdup(a->to))) ||
            (a->approval && !(b->approval = strdup(a->approval)))) {
            d->n++;
            goto oom;
        }
    }
    if (!(d->stage = strdup(x->versions[x->nversions - 1].to)) || map_set(v->docs, id, d) < 0)
        goto oom;
    return d;
oom:
    vdoc_free(d);
    v->oom = 1;
    return NULL;
}

/* The blob id of path in the commit's parent: the text as it stood before
 * the commit.  KENES_ENOTFOUND when there was none. */
static int parent_blob(vctx *v, char out[STORE_OID_HEX], const char *commit, const char *path)
{
    git_oid oid;
    git_commit *c = NULL, *parent = NULL;
    git_tree *tree = NULL;
    git_tree_entry *e = NULL;
    int rc = KENES_EIO;
    if (git_oid_fromstr(&oid, commit) == 0 && git_commit_lookup(&c, v->git, &oid) == 0) {
        if (git_commit_parentcount(c) == 0) {
            rc = KENES_ENOTFOUND;
        } else if (git_commit_parent(&parent, c, 0) == 0 && git_commit_tree(&tree, parent) == 0) {
            int r = git_tree_entry_bypath(&e, tree, path);
            if (r == GIT_ENOTFOUND) {
                rc = KENES_ENOTFOUND;
            } else if (r == 0) {
                git_oid_tostr(out, STORE_OID_HEX, git_tree_entry_id(e));
                rc = 0;
            }
        }
    }
    git_tree_entry_free(e);
    git_tree_free(tree);
    git_commit_free(parent);
    git_commit_free(c);
    return rc;
}

/* An approval under four eyes, judged by the rule the server applied
 * (quorum.c) over the document's earlier commits, and the text it names. */
static void check_four_eyes(vctx *v, const store_commit_info *c, const msg_parsed *m,
                            const wf_workflow *wf, const wf_transition *tr, const vdoc *d,
                            const char *path, int sealed, int counted)
{
    idx_version me = {0};
    me.author = (char *)(c->author_name ? c->author_name : "");
    me.action = m->action;
    me.from = m->from;
    me.to = m->to;
    me.approval = m->approval;
    me.role = m->role;
    unsigned bad = 0;
    const idx_version *before = d ? d->versions : NULL;
    size_t n = d ? d->n : 0;
    char detail[256];
    if (quorum_check(&bad, wf, tr, before, n, &me) < 0)
        return;
    if ((bad & QUORUM_BAD_COUNT) && counted) {
        quorum_round q;
        quorum_state(&q, wf, tr, before, n, me.author);
        snprintf(detail, sizeof(detail), "Kenes-Approval %s, where the round had %u before it",
                 m->approval, q.given);
        verify_fault(v, c->commit, "the approval count is not the next one", detail);
    }
    if (bad & QUORUM_AGAIN)
        verify_fault(v, c->commit, "approved twice in one round by the same person", me.author);
    if (bad & QUORUM_BY_AUTHOR)
        verify_fault(v, c->commit, "approved by an author of the text it approves", me.author);
    if (bad & QUORUM_BY_ADMIN)
        verify_fault(v, c->commit, "an admin's approval, which counts toward no four-eyes quorum",
              me.author);

    /* Kenes-Content names the text approved: the file as it stood before
     * this commit.  A sealed file's names its opened text, which a copy of
     * the repository cannot open. */
    char blob[STORE_OID_HEX];
    int rc;
    if (!m->content)
        verify_fault(v, c->commit, "an approval without Kenes-Content", NULL);
    else if (sealed)
        ;
    else if ((rc = parent_blob(v, blob, c->commit, path)) == KENES_ENOTFOUND)
        verify_fault(v, c->commit, "an approval of a text that was not there before it", m->content);
    else if (rc < 0)
        verify_fault(v, c->commit, "cannot read the text before it", path);
    else if (strcmp(blob, m->content) != 0) {
        snprintf(detail, sizeof(detail), "Kenes-Content %s, the document before it %s",
                 m->content, blob);
        verify_fault(v, c->commit, "the approval names another text than the one it approves", detail);
    }
}

/* ---- one commit ---- */

/* A sealed note (a case's comment) is the blob its Kenes-Note names, at
 * <id>.note in the same commit; only the repository of sealed cases has
 * them (an erasure's tombstone is in the clear, its reason sealed).  What it
 * says opens only with the case's key, which a copy does not have. */
static void check_note(vctx *v, const store_commit_info *c, const msg_parsed *m)
{
    char *b64 = NULL;
    int rc = note_read(&b64, v->s, c->commit, m->document, m->note);
    free(b64);
    if (!v->sealed_type)
        verify_fault(v, c->commit, "a sealed note outside the repository of cases", m->note);
    else if (rc == KENES_ENOTFOUND)
        verify_fault(v, c->commit, "Kenes-Note names a sealed note the commit does not have", m->note);
    else if (rc < 0)
        verify_fault(v, c->commit, "the sealed note is not the blob Kenes-Note names", m->note);
}

int verify_check_commit(const store_commit_info *c, void *payload)
{
    vctx *v = payload;
    msg_parsed m;
    v->commits++;
    v->waive = v->accepted && map_get(v->accepted, c->commit) != NULL;
    int good_sig = verify_check_signature(v, c->commit);
    int parsed = msg_parse(&m, c->message);
    if (parsed == KENES_ENOMEM)
        return parsed;
    if (parsed < 0) {
        verify_fault(v, c->commit, "no Kenes-Document/Kenes-Action/Kenes-Stage trailers", NULL);
        return 0;
    }
    if (anchor_check_note(v->anchors, v->repo, c->commit, m.access_log) < 0)
        verify_fault(v, c->commit, "a malformed " CKPT_TRAILER " trailer", m.access_log);
    if (parsed == MSG_ADMIN) {
        verify_check_admin(v, c, &m, good_sig);
        msg_parsed_dispose(&m);
        return 0;
    }
    if (parsed == MSG_PUBLISH) {
        /* A publication of the reports changes no document: its signature
         * is what is checked here. */
        msg_parsed_dispose(&m);
        return 0;
    }
    char path[300], err[256];
    char *text = NULL;
    size_t len;
    json_t *doc = NULL;
    int sealed = 0;
    snprintf(path, sizeof(path), "%s.md", m.document);
    if (store_read_at(v->s, &text, &len, c->commit, path) < 0) {
        verify_fault(v, c->commit, "the document it names is not in its tree", m.document);
        goto out;
    }
    const char *type;
    if ((sealed = vault_is_sealed(text, len))) {
        /* A sealed case file opens only with its key, which a copy of the
         * repository does not have: its commit is judged by its trailers. */
        type = verify_sealed_type(v, c->message, m.document);
    } else {
        if (doc_parse(&doc, text, len, err, sizeof(err)) < 0) {
            verify_fault(v, c->commit, "the document does not parse", err);
            goto out;
        }
        const char *id = json_string_value(json_object_get(doc, "id"));
        const char *stage = json_string_value(json_object_get(doc, "stage"));
        type = json_string_value(json_object_get(doc, "type"));
        if (!id || strcmp(id, m.document) != 0)
            verify_fault(v, c->commit, "the document's id differs from Kenes-Document", m.document);
        if (!stage || strcmp(stage, m.to) != 0)
            verify_fault(v, c->commit, "the document's stage differs from Kenes-Stage", m.to);
    }
    if (m.note)
        check_note(v, c, &m);
    const wf_workflow *wf = type ? wf_set_find(v->workflows, type) : NULL;
    vdoc *d = vdoc_find(v, m.document);
    if (v->oom)
        goto oom;
    const char *prev = d ? d->stage : NULL;
    if (wf && prev && wf_is_erasure(wf, m.action)) {
        if (strcmp(m.to, wf->erased_stage) != 0 || !m.from || strcmp(m.from, prev) != 0 ||
            role_parse(m.role) != ROLE_ADMIN)
            verify_fault(v, c->commit, "an erasure must be an admin's, from the case's stage to erased",
                  prev);
    } else if (prev && wf && wf->erased_stage && strcmp(prev, wf->erased_stage) == 0) {
        verify_fault(v, c->commit, "changes a case after its erasure", m.document);
    } else if (!wf) {
        verify_fault(v, c->commit, "no workflow for the document's type", type ? type : "(none)");
    } else if (strcmp(m.action, "create") == 0) {
        if (prev)
            verify_fault(v, c->commit, "created twice", m.document);
        else if (strcmp(m.to, wf->initial) != 0)
            verify_fault(v, c->commit, "created in a stage other than the workflow's initial", m.to);
    } else if (!prev) {
        verify_fault(v, c->commit, "changes a document that was never created", m.document);
    } else if (strcmp(m.action, "edit") == 0) {
        const wf_stage *st = wf_find_stage(wf, prev);
        if (!st || !st->editable || strcmp(prev, m.to) != 0)
            verify_fault(v, c->commit, "an edit outside an editable stage", prev);
    } else {
        const wf_transition *tr = wf_find_transition(wf, m.action, prev);
        enum role r = role_parse(m.role);
        unsigned k = 0, n = 0;
        int counted = tr && m.approval && sscanf(m.approval, "%u/%u", &k, &n) == 2 && k >= 1 &&
                      n == tr->approvals && k <= n;
        int four_eyes = tr && (tr->approvals > 1 || tr->not_by_authors);
        /* An approval short of the quorum leaves the stage where it was. */
        const char *expect_to = counted && k < n ? prev : tr ? tr->to : NULL;
        if (!m.from || strcmp(m.from, prev) != 0) {
            verify_fault(v, c->commit, "Kenes-Stage does not start from the document's stage", prev);
        } else if (!tr || strcmp(expect_to, m.to) != 0) {
            verify_fault(v, c->commit, "a transition the workflow does not allow", m.action);
        } else {
            if (four_eyes && !counted)
                verify_fault(v, c->commit, "an approval without a valid Kenes-Approval count", m.action);
            if (r != ROLE_ADMIN && !(tr->roles & (unsigned)r))
                verify_fault(v, c->commit, "a role the transition does not allow", m.role ? m.role : "");
            if (four_eyes)
                check_four_eyes(v, c, &m, wf, tr, d, path, sealed, counted);
        }
    }
    if (!d) {
        if (!(d = calloc(1, sizeof(*d))) || map_set(v->docs, m.document, d) < 0) {
            free(d);
            goto oom;
        }
    }
    if (!prev || strcmp(prev, m.to) != 0) {
        char *stage = strdup(m.to);
        if (!stage)
            goto oom;
        free(d->stage);
        d->stage = stage;
    }
    if (vdoc_record(d, c, &m) < 0)
        goto oom;
out:
    json_decref(doc);
    free(text);
    msg_parsed_dispose(&m);
    return 0;
oom:
    json_decref(doc);
    free(text);
    msg_parsed_dispose(&m);
    return KENES_ENOMEM;
}

void verify_docs_free(map *docs)
{
    map_iter it;
    const char *k;
    void *val;
    map_iter_init(&it, docs);
    while (map_iter_next(&it, &k, &val))
        vdoc_free(val);
    map_free(docs);
}

