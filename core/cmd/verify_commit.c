/*
 * kenes verify: one commit, against the document it names, the workflow of
 * its type and (for an approval) the document's earlier commits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "cmd/verify_internal.h"
#include "docs/docs.h"
#include "docs/quorum.h"
#include "docs/rights.h"
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
    idx_version *seed = NULL;
    size_t nseed = 0;
    if (!x || x->repo != v->seed_repo || !index_head(x))
        return d;
    int rc = index_versions(&seed, &nseed, x);
    if (rc < 0) {
        v->failed = rc;
        return NULL;
    }
    if (!(d = calloc(1, sizeof(*d))) ||
        !(d->versions = calloc(nseed, sizeof(idx_version))))
        goto oom;
    d->cap = nseed;
    for (size_t i = 0; i < nseed; i++, d->n++) {
        const idx_version *a = &seed[i];
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
    if (!(d->stage = strdup(index_head(x)->to)) || map_set(v->docs, id, d) < 0)
        goto oom;
    free(seed);
    return d;
oom:
    free(seed);
    vdoc_free(d);
    v->failed = KENES_ENOMEM;
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
            char other[DOCPATH_MAX];
            int r = git_tree_entry_bypath(&e, tree, path);
            /* The parent may be kenes migrate's own parent: flat. */
            if (r == GIT_ENOTFOUND && docpath_other(other, sizeof(other), path) == 0)
                r = git_tree_entry_bypath(&e, tree, other);
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

/* The document as it stood in the commit's parent (NULL: not there, or
 * sealed, which a copy of the repository cannot open). */
static json_t *parent_doc(vctx *v, const char *commit, const char *path)
{
    git_oid oid;
    git_commit *c = NULL;
    char parent[STORE_OID_HEX], *text = NULL, err[256];
    size_t len;
    json_t *doc = NULL;
    if (git_oid_fromstr(&oid, commit) != 0 || git_commit_lookup(&c, v->git, &oid) != 0)
        return NULL;
    if (git_commit_parentcount(c) > 0) {
        git_oid_tostr(parent, sizeof(parent), git_commit_parent_id(c, 0));
        if (store_read_at(v->s, &text, &len, parent, path) == 0 && !vault_is_sealed(text, len) &&
            doc_parse(&doc, text, len, err, sizeof(err)) < 0)
            doc = NULL;
    }
    free(text);
    git_commit_free(c);
    return doc;
}

/* 1 if the top-level member key is the same in a and b (both absent too). */
static int same_member(const json_t *a, const json_t *b, const char *key)
{
    const json_t *x = json_object_get(a, key), *y = json_object_get(b, key);
    return (!x && !y) || (x && y && json_equal(x, y));
}

/* A transition's commit changes the stage, the fields it records or clears
 * (and the list of files, with clears_files:) and, with moves:, the region
 * to the one the fields named: nothing else. */
static void check_transition_changes(vctx *v, const char *commit, const wf_workflow *wf,
                                     const wf_transition *tr, const json_t *before,
                                     const json_t *after)
{
    const char *key;
    json_t *val;
    json_t *keys = json_object();
    json_object_foreach((json_t *)before, key, val) json_object_set(keys, key, json_null());
    json_object_foreach((json_t *)after, key, val) json_object_set(keys, key, json_null());
    json_object_foreach(keys, key, val) {
        /* clears_files: the list of files goes, whole (or, in history written
         * before the workflow said so, stays as it was). */
        int files_cleared = tr->clears_files && strcmp(key, "attachments") == 0;
        if (files_cleared && json_object_get(after, key) && !same_member(before, after, key))
            verify_fault(v, commit, "a transition that clears the files keeps some", key);
        else if (!files_cleared && strcmp(key, "stage") != 0 && strcmp(key, "fields") != 0 &&
                 strcmp(key, "region") != 0 && !same_member(before, after, key))
            verify_fault(v, commit, "a transition changes what no transition writes", key);
    }
    json_decref(keys);
    const json_t *fb = json_object_get(before, "fields"), *fa = json_object_get(after, "fields");
    keys = json_object();
    json_object_foreach((json_t *)fb, key, val) json_object_set(keys, key, json_null());
    json_object_foreach((json_t *)fa, key, val) json_object_set(keys, key, json_null());
    json_object_foreach(keys, key, val) {
        int cleared = 0;
        for (size_t i = 0; i < tr->nclears; i++)
            cleared |= strcmp(tr->clears[i], key) == 0;
        if (cleared && json_object_get(fa, key))
            verify_fault(v, commit, "a field the transition clears is still there", key);
        else if (!cleared && !wf_transition_records(tr, key) && !same_member(fb, fa, key))
            verify_fault(v, commit, "a transition changes a field it does not record", key);
    }
    json_decref(keys);
    const char *rb = json_string_value(json_object_get(before, "region"));
    const char *ra = json_string_value(json_object_get(after, "region"));
    if (same_member(before, after, "region"))
        return;
    if (!tr->moves) {
        verify_fault(v, commit, "the region changes in a transition that moves nothing", ra ? ra : "");
        return;
    }
    /* Moved to the region the document named (which clears: may then remove). */
    const char *named = access_field(before, wf->region_field);
    const char *named_after = access_field(after, wf->region_field);
    if (!ra || (rb && strcmp(ra, rb) == 0) ||
        !((named && strcmp(named, ra) == 0) || (named_after && strcmp(named_after, ra) == 0)))
        verify_fault(v, commit, "moved to a region the document did not name", ra ? ra : "");
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

/* 1 if the commit's tree has a file at path (exactly there). */
static int has_file(vctx *v, const char *commit, const char *path)
{
    git_oid oid;
    git_commit *c = NULL;
    git_tree *tree = NULL;
    git_tree_entry *e = NULL;
    int found = git_oid_fromstr(&oid, commit) == 0 && git_commit_lookup(&c, v->git, &oid) == 0 &&
                git_commit_tree(&tree, c) == 0 && git_tree_entry_bypath(&e, tree, path) == 0;
    git_tree_entry_free(e);
    git_tree_free(tree);
    git_commit_free(c);
    return found;
}

/* The path of the document's file in the commit, in the layout in force:
 * the first file of an id that fans out decides it (a new repository's is
 * fanned out, an old one's flat until kenes migrate), and a file written in
 * the other one after that is a fault. */
static void doc_path_at(vctx *v, char *path, size_t cap, const char *commit, const char *id)
{
    docpath_layout want = v->layout_known ? v->layout : DOCPATH_FANOUT;
    docpath_of(path, cap, id, ".md", want);
    if (!docpath_fans_out(id) || has_file(v, commit, path))
        goto known;
    docpath_layout other = want == DOCPATH_FANOUT ? DOCPATH_FLAT : DOCPATH_FANOUT;
    docpath_of(path, cap, id, ".md", other);
    if (!has_file(v, commit, path)) {
        docpath_of(path, cap, id, ".md", want);
        return; /* not there at all: said by the caller */
    }
    if (v->layout_known)
        verify_fault(v, commit, want == DOCPATH_FANOUT
                                    ? "a document written flat after its repository fanned out"
                                    : "a document written fanned out before kenes migrate",
                     id);
    want = other;
known:
    if (docpath_fans_out(id) && !v->layout_known) {
        v->layout = want;
        v->layout_known = 1;
    }
}

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

/*
 * A transition's commit: from the document's stage (by today's names), to
 * where the transition leads (back: the stage before; an approval short of
 * its quorum: nowhere), by a role it allows, four eyes where it says so,
 * and changing only what it writes.  A transition of the workflow's former
 * version (former:) is legal between the raw names history wrote.
 */
static void check_transition(vctx *v, const store_commit_info *c, const msg_parsed *m,
                             const wf_workflow *wf, const vdoc *d, const char *prev,
                             const char *path, int sealed, const json_t *doc, json_t **before)
{
    const char *to_now = wf_stage_now(wf, m->to);
    if (!m->from || strcmp(wf_stage_now(wf, m->from), prev) != 0) {
        verify_fault(v, c->commit, "Kenes-Stage does not start from the document's stage", prev);
        return;
    }
    const wf_transition *tr = NULL;
    const char *expect_to = NULL, *got_to = to_now;
    unsigned k = 0, n = 0;
    int counted = 0;
    /* History that names a former stage was written under the former
     * workflow: its moves are judged by that version first (today's return
     * clears the act, the former one did not). */
    int former_first = wf_is_former_stage(wf, m->from) || wf_is_former_stage(wf, m->to);
    for (int pass = 0; pass < 2; pass++) {
        int former = pass ^ former_first;
        if (former) {
            /* An earlier version's move, between the names it used. */
            tr = wf_find_former_transition(wf, m->action, m->from);
            got_to = m->to;
        } else {
            tr = wf_find_transition(wf, m->action, prev);
            got_to = to_now;
        }
        if (!tr)
            continue;
        counted = m->approval && sscanf(m->approval, "%u/%u", &k, &n) == 2 && k >= 1 &&
                  n == tr->approvals && k <= n;
        /* An approval short of the quorum leaves the stage where it was. */
        expect_to = counted && k < n ? (former ? m->from : prev)
                    : tr->back       ? docs_stage_before_in(wf, d ? d->versions : NULL,
                                                            d ? d->n : 0, prev)
                                     : tr->to;
        if (expect_to && strcmp(expect_to, got_to) == 0)
            break;
        tr = NULL;
    }
    if (!tr) {
        verify_fault(v, c->commit, "a transition the workflow does not allow", m->action);
        return;
    }
    int four_eyes = tr->approvals > 1 || tr->not_by_authors;
    enum role r = role_parse(m->role);
    if (four_eyes && !counted)
        verify_fault(v, c->commit, "an approval without a valid Kenes-Approval count", m->action);
    if (r != ROLE_ADMIN && !(tr->roles & (unsigned)r))
        verify_fault(v, c->commit, "a role the transition does not allow", m->role ? m->role : "");
    if (four_eyes)
        check_four_eyes(v, c, m, wf, tr, d, path, sealed, counted);
    verify_files_transition(v, c, m, tr, path);
    if (doc && (*before = parent_doc(v, c->commit, path)))
        check_transition_changes(v, c->commit, wf, tr, *before, doc);
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
    char path[DOCPATH_MAX], err[256];
    char *text = NULL;
    size_t len;
    json_t *doc = NULL, *before = NULL;
    int sealed = 0;
    doc_path_at(v, path, sizeof(path), c->commit, m.document);
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
    if (v->failed)
        goto oom;
    /* Stages compare by today's names: history may say a former one (and
     * the seed's stage is as history wrote it). */
    const char *prev = d ? wf_stage_now(wf, d->stage) : NULL;
    const char *to_now = wf_stage_now(wf, m.to), *from_now = wf_stage_now(wf, m.from);
    if (wf && prev && wf_is_erasure(wf, m.action)) {
        if (strcmp(m.to, wf->erased_stage) != 0 || !m.from || strcmp(from_now, prev) != 0 ||
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
        else if (strcmp(to_now, wf->initial) != 0)
            verify_fault(v, c->commit, "created in a stage other than the workflow's initial", m.to);
    } else if (!prev) {
        verify_fault(v, c->commit, "changes a document that was never created", m.document);
    } else if (strcmp(m.action, "edit") == 0) {
        const wf_stage *st = wf_find_stage(wf, prev);
        if (!st || !st->editable || strcmp(prev, to_now) != 0)
            verify_fault(v, c->commit, "an edit outside an editable stage", prev);
        else if (doc && (before = parent_doc(v, c->commit, path)) &&
                 !same_member(before, doc, "region"))
            verify_fault(v, c->commit, "an edit moves the document to another region",
                         json_string_value(json_object_get(doc, "region")));
    } else if (verify_files_commit(v, c, &m, wf, prev, doc, sealed, path)) {
        /* A file added or removed: part attach's rule (verify_files.c). */
    } else {
        check_transition(v, c, &m, wf, d, prev, path, sealed, doc, &before);
    }
    if (!d) {
        if (!(d = calloc(1, sizeof(*d))) || map_set(v->docs, m.document, d) < 0) {
            free(d);
            goto oom;
        }
    }
    if (!prev || strcmp(prev, wf_stage_now(wf, m.to)) != 0) {
        char *stage = strdup(wf_stage_now(wf, m.to));
        if (!stage)
            goto oom;
        free(d->stage);
        d->stage = stage;
    }
    if (vdoc_record(d, c, &m) < 0)
        goto oom;
out:
    json_decref(before);
    json_decref(doc);
    free(text);
    msg_parsed_dispose(&m);
    return 0;
oom:
    json_decref(before);
    json_decref(doc);
    free(text);
    msg_parsed_dispose(&m);
    return v->failed ? v->failed : KENES_ENOMEM;
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

