#include "verify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accesslog.h"
#include "doc.h"
#include "journal.h"
#include "map.h"
#include "message.h"
#include "plugin.h"
#include "region.h"
#include "server.h"
#include "store.h"
#include "util.h"
#include "vault.h"
#include "workflow.h"

typedef struct vctx {
    store *s;
    const wf_set *workflows;
    const char *sealed_type; /* the type of the sealed files in this repository, if one */
    map *stages; /* document id -> its stage so far (malloc'd) */
    size_t commits;
    size_t faults;
    const char *repo;
} vctx;

static void fault(vctx *v, const char *commit, const char *what, const char *detail)
{
    v->faults++;
    printf("%s: commit %s: %s%s%s\n", v->repo, commit, what, detail ? ": " : "",
           detail ? detail : "");
}

static int check_commit(const store_commit_info *c, void *payload)
{
    vctx *v = payload;
    msg_parsed m;
    v->commits++;
    if (msg_parse(&m, c->message) < 0) {
        fault(v, c->commit, "no Kenes-Document/Kenes-Action/Kenes-Stage trailers", NULL);
        return 0;
    }
    char path[300], err[256];
    char *text = NULL;
    size_t len;
    json_t *doc = NULL;
    snprintf(path, sizeof(path), "%s.md", m.document);
    if (store_read_at(v->s, &text, &len, c->commit, path) < 0) {
        fault(v, c->commit, "the document it names is not in its tree", m.document);
        goto out;
    }
    const char *type;
    if (vault_is_sealed(text, len)) {
        /* A sealed case file opens only with its key, which a copy of the
         * repository does not have: its commit is judged by its trailers. */
        type = v->sealed_type;
    } else {
        if (doc_parse(&doc, text, len, err, sizeof(err)) < 0) {
            fault(v, c->commit, "the document does not parse", err);
            goto out;
        }
        const char *id = json_string_value(json_object_get(doc, "id"));
        const char *stage = json_string_value(json_object_get(doc, "stage"));
        type = json_string_value(json_object_get(doc, "type"));
        if (!id || strcmp(id, m.document) != 0)
            fault(v, c->commit, "the document's id differs from Kenes-Document", m.document);
        if (!stage || strcmp(stage, m.to) != 0)
            fault(v, c->commit, "the document's stage differs from Kenes-Stage", m.to);
    }
    const wf_workflow *wf = type ? wf_set_find(v->workflows, type) : NULL;
    char *prev = map_get(v->stages, m.document);
    if (wf && prev && strcmp(m.action, "erase") == 0) {
        if (strcmp(m.to, "erased") != 0 || !m.from || strcmp(m.from, prev) != 0 ||
            role_parse(m.role) != ROLE_ADMIN)
            fault(v, c->commit, "an erasure must be an admin's, from the case's stage to erased",
                  prev);
    } else if (prev && strcmp(prev, "erased") == 0) {
        fault(v, c->commit, "changes a case after its erasure", m.document);
    } else if (!wf) {
        fault(v, c->commit, "no workflow for the document's type", type ? type : "(none)");
    } else if (strcmp(m.action, "create") == 0) {
        if (prev)
            fault(v, c->commit, "created twice", m.document);
        else if (strcmp(m.to, wf->initial) != 0)
            fault(v, c->commit, "created in a stage other than the workflow's initial", m.to);
    } else if (!prev) {
        fault(v, c->commit, "changes a document that was never created", m.document);
    } else if (strcmp(m.action, "edit") == 0) {
        const wf_stage *st = wf_find_stage(wf, prev);
        if (!st || !st->editable || strcmp(prev, m.to) != 0)
            fault(v, c->commit, "an edit outside an editable stage", prev);
    } else {
        const wf_transition *tr = wf_find_transition(wf, m.action, prev);
        enum role r = role_parse(m.role);
        unsigned k = 0, n = 0;
        int counted = tr && m.approval && sscanf(m.approval, "%u/%u", &k, &n) == 2 && k >= 1 &&
                      n == tr->approvals && k <= n;
        /* An approval short of the quorum leaves the stage where it was. */
        const char *expect_to = counted && k < n ? prev : tr ? tr->to : NULL;
        if (!m.from || strcmp(m.from, prev) != 0)
            fault(v, c->commit, "Kenes-Stage does not start from the document's stage", prev);
        else if (!tr || strcmp(expect_to, m.to) != 0)
            fault(v, c->commit, "a transition the workflow does not allow", m.action);
        else if ((tr->approvals > 1 || tr->not_by_authors) && !counted)
            fault(v, c->commit, "an approval without a valid Kenes-Approval count", m.action);
        else if (r != ROLE_ADMIN && !(tr->roles & (unsigned)r))
            fault(v, c->commit, "a role the transition does not allow", m.role ? m.role : "");
    }
    if (!prev || strcmp(prev, m.to) != 0) {
        free(map_remove(v->stages, m.document));
        map_set(v->stages, m.document, strdup(m.to));
    }
out:
    json_decref(doc);
    free(text);
    msg_parsed_dispose(&m);
    return 0;
}

static void journal_fault(const char *what, const char *commit, void *payload)
{
    vctx *v = payload;
    v->faults++;
    printf("%s: %s %s\n", v->repo, what, commit ? commit : "(unknown)");
}

static int verify_repo(vctx *v, uv_loop_t *loop, const config *cfg, const char *name,
                       const char *sealed_type, int repo)
{
    v->sealed_type = sealed_type;
    char path[4096];
    server_path(path, sizeof(path), cfg->data_dir, name);
    v->repo = name;
    if (map_new(&v->stages) < 0 || store_open(&v->s, loop, path, "kenes", "kenes@localhost") < 0) {
        fprintf(stderr, "kenes: verify: cannot open %s\n", path);
        map_free(v->stages);
        return -1;
    }
    int rc = store_walk(v->s, check_commit, v);
    /* The history journal the server answers from must say what git says. */
    char journal[4096];
    server_journal_path(journal, sizeof(journal), cfg->data_dir, repo);
    if (rc == 0 && access(journal, F_OK) == 0 && journal_check(v->s, journal, journal_fault, v) < 0)
        journal_fault("cannot compare the history journal with git", NULL, v);
    map_iter it;
    const char *k;
    void *val;
    map_iter_init(&it, v->stages);
    while (map_iter_next(&it, &k, &val))
        free(val);
    map_free(v->stages);
    store_close(v->s);
    return rc;
}

int verify_run(const config *cfg)
{
    char err[1024], path[4096];
    plugin_set *plugins;
    wf_set *workflows;
    snprintf(path, sizeof(path), "%s/regions.yaml", cfg->content_dir);
    if (region_load(path, err, sizeof(err)) < 0 ||
        server_load_plugins_and_workflows(&plugins, &workflows, cfg, err, sizeof(err)) < 0) {
        fprintf(stderr, "kenes: verify: %s\n", err);
        region_unload();
        return -1;
    }
    uv_loop_t loop;
    uv_loop_init(&loop);
    vctx v = {0};
    v.workflows = workflows;
    /* Sealed files in cases.git are of the one type that lives there. */
    const char *case_type = NULL;
    for (size_t i = 0; i < plugin_count(plugins); i++)
        for (const kenes_doctype *t = plugin_at(plugins, i)->types; t && t->name; t++)
            if (t->repository && strcmp(t->repository, "cases") == 0)
                case_type = t->name;
    int rc = verify_repo(&v, &loop, cfg, "documents.git", NULL, REPO_DOCUMENTS);
    server_path(path, sizeof(path), cfg->data_dir, "cases.git");
    if (rc == 0 && access(path, F_OK) == 0)
        rc = verify_repo(&v, &loop, cfg, "cases.git", case_type, REPO_CASES);
    uv_loop_close(&loop);
    /* The access log's hash chain: a removed or altered line breaks it. */
    size_t lines = 0;
    server_path(path, sizeof(path), cfg->data_dir, "access.log");
    long bad = alog_verify_file(path, &lines, err, sizeof(err));
    if (bad != 0) {
        printf("access.log: %s\n", bad > 0 ? err : "cannot be read");
        v.faults++;
    }
    wf_set_free(workflows);
    plugin_set_free(plugins);
    region_unload();
    if (rc < 0) {
        fprintf(stderr, "kenes: verify: cannot read the history\n");
        return -1;
    }
    printf("%s: %zu commits checked, %zu access log lines checked, %zu fault%s\n",
           v.faults ? "FAULTY" : "ok", v.commits, lines, v.faults, v.faults == 1 ? "" : "s");
    return v.faults ? 1 : 0;
}

int verify_reindex(const config *cfg)
{
    uv_loop_t loop;
    uv_loop_init(&loop);
    int rc = 0;
    for (int r = 0; r < 2 && rc == 0; r++) {
        char path[4096], journal[4096], err[1024];
        store *s;
        size_t commits = 0;
        server_path(path, sizeof(path), cfg->data_dir, server_repo_names[r]);
        if (access(path, F_OK) != 0)
            continue;
        server_path(journal, sizeof(journal), cfg->data_dir, "index");
        util_mkdirs(journal, 0700);
        server_journal_path(journal, sizeof(journal), cfg->data_dir, r);
        if (store_open(&s, &loop, path, "kenes", "kenes@localhost") < 0) {
            fprintf(stderr, "kenes: reindex: cannot open %s\n", path);
            rc = -1;
            break;
        }
        rc = journal_rebuild(s, journal, &commits, err, sizeof(err));
        store_close(s);
        if (rc < 0)
            fprintf(stderr, "kenes: reindex: %s\n", err);
        else
            printf("%s: %zu commits indexed into %s\n", server_repo_names[r], commits, journal);
    }
    uv_loop_close(&loop);
    return rc;
}
