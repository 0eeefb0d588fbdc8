/*
 * The running server: everything the loop thread owns.  Start-up loads the
 * regions, plugins and workflows (any fault stops it with file:line), opens
 * the repository, rebuilds the in-memory index from git, then listens.
 * SIGINT/SIGTERM stop it gracefully: no new connections, requests in flight
 * (and their commits) finish and are answered, then the loop ends.
 */
#ifndef KENES_SERVER_H
#define KENES_SERVER_H

#include <jansson.h>
#include <uv.h>

#include "audit/accesslog.h"
#include "auth/auth.h"
#include "base/config.h"
#include "http/http.h"
#include "storage/index.h"
#include "storage/journal.h"
#include "plugin/loader.h"
#include "storage/store.h"
#include "storage/vault.h"
#include "docs/workflow.h"

enum { REPO_DOCUMENTS = 0, REPO_CASES = 1 };
extern const char *const server_repo_names[2]; /* "documents.git", "cases.git" */

typedef struct server {
    uv_loop_t *loop;
    const config *cfg;
    plugin_set *plugins;
    wf_set *workflows;
    store *repos[2]; /* REPO_DOCUMENTS: DATA/documents.git; REPO_CASES: DATA/cases.git */
    doc_index *index;
    auth *auth;
    http_server *http;
    json_t *templates; /* {type: {lang: markdown}} from content/templates */
    access_log *alog;  /* DATA/access.log: every read of a confidential document */
    struct anchor *anchor; /* DATA/access.log.checkpoint, signed (anchor.h) */
    vault *vault;      /* DATA/keys: the keys of the case files in cases.git */
    json_t *reports;   /* the reports as last published: {"national.md": markdown, ...} */
    char *page_template; /* content/templates/page.html */
    struct map *pages;   /* rendered public pages by path (api_reports.c) */
    long long reports_last_ms; /* uv_now() of the last publication; 0: none yet */
    int reports_wanted;        /* an approval came before the reports were loaded */
    uv_timer_t report_soon_timer;
    uv_timer_t daily_timer;
    uv_timer_t deadline_timer;
    uv_signal_t sig_int;
    uv_signal_t sig_term;
    int stopping;
} server;

/* Load everything and serve until a signal.  Returns the process exit code
 * (0 after a clean stop, 1 on a start-up or runtime fault, with one line on stderr). */
int server_run(const config *cfg, int demo);

/* Load plugins and workflows the way serve does (also used by verify). */
int server_load_plugins_and_workflows(plugin_set **plugins, wf_set **workflows,
                                      const config *cfg, char *err, size_t errcap);

/* Add the line of sg's key for principal to DIR/allowed_signers unless the
 * file has it, keeping the lines it holds.  0, or negative with err. */
int server_allow_signer(const char *dir, const signer *sg, const char *principal, char *err,
                        size_t errcap);

/* Create DIR, its repositories and kenes.yaml.  KENES_EEXISTS if done before. */
int server_init_data(const char *dir, char *err, size_t errcap);

/* DATA/index/<repository>.jsonl, the history journal of REPO_*. */
void server_journal_path(char *out, size_t cap, const char *data_dir, int repo);

/* Add a repository's documents to the index (start-up) from its journal and
 * git; entries get repo; unseen (if not NULL) judges the commits after the
 * journal first.  KENES_ESTALE if its history was rewritten. */
int server_rebuild_index(doc_index *ix, store *s, vault *v, int repo, const char *journal,
                         journal_unseen_cb unseen, void *payload, char *err, size_t errcap);

#endif
