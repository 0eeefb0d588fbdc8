#include "cmd/server.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/anchor.h"
#include "base/error.h"
#include "base/log.h"
#include "base/modes.h"
#include "base/util.h"
#include "cmd/demo.h"
#include "cmd/replica.h"
#include "cmd/verify.h"
#include "docs/content.h"
#include "docs/docs.h"
#include "docs/entry.h"
#include "docs/fetch.h"
#include "docs/snap.h"
#include "notify/notify.h"
#include "plugin/region.h"
#include "publish/public.h"
#include "publish/render.h"
#include "storage/mirror.h"

/* For vault_settle(): 1 if the case's history ends in its erasure (the
 * action its workflow's erase: names). */
static int erasure_recorded(const char *doc_id, void *payload)
{
    const docs_service *svc = payload;
    idx_doc *d = index_get(svc->index, doc_id);
    const char *type = d ? index_doc_type(d) : NULL;
    return d && index_head(d) &&
           wf_is_erasure(wf_set_find(svc->workflows, type), index_head(d)->action);
}

/* ---- running ---- */

/* Pages for people go to the web interface, everything else to the API. */
static void on_request(http_request *req, void *payload)
{
    server *srv = payload;
    if (web_wants(req))
        web_handle(req, &srv->web);
    else
        api_handle(req, &srv->api);
}

/* Uploads follow the attachments' limit (the web form's with room for its
 * multipart frame and the other inputs); every other body stays at
 * limits.max_body_bytes. */
static size_t body_limit(const http_request *req, const char **code, void *payload)
{
    const config *cfg = payload;
    const char *p = req->path;
    size_t n = strlen(p);
    if (strcmp(req->method, "POST") != 0)
        return 0;
    if (strncmp(p, "/api/v1/documents/", 18) == 0 && n > 12 &&
        strcmp(p + n - 12, "/attachments") == 0) {
        *code = "attachment_too_big";
        return cfg->attachments_max_bytes;
    }
    /* The act form carries the signed resolution's scan too (doc_act.c). */
    if (strncmp(p, "/ui/d/", 6) == 0 && ((n > 7 && strcmp(p + n - 7, "/attach") == 0) ||
                                         (n > 4 && strcmp(p + n - 4, "/act") == 0))) {
        *code = "attachment_too_big";
        return cfg->attachments_max_bytes + 64 * 1024;
    }
    return 0;
}

/* What the index holds of the history: at start, and at a clean stop
 * (what the writes since packed, core/storage/hpack.h). */
static void log_packing(const doc_index *ix)
{
    size_t packed, bytes;
    index_packed(&packed, &bytes, ix);
    log_info("index",
             "%zu versions, %zu of them packed in %zu bytes (their comments included), "
             "%zu of those bytes in the scratch file",
             index_version_total(ix), packed, bytes, index_spilled_bytes(ix));
}

static void on_http_stopped(void *payload)
{
    server *srv = payload;
    log_packing(srv->svc.index);
    if (!srv->replica) /* a replica started no report timers */
        report_timers_stop(&srv->pub);
    notifier_stop(srv->notify); /* what is not delivered waits in DATA/outbox/ */
    for (int r = 0; r < 2; r++)
        mirror_set_close(srv->api.mirrors[r]);
    replica_stop(srv->replica);
    uv_close((uv_handle_t *)&srv->sig_int, NULL);
    uv_close((uv_handle_t *)&srv->sig_term, NULL);
    log_info("server", "stopped");
}

static void on_signal(uv_signal_t *h, int signum)
{
    server *srv = h->data;
    if (srv->stopping)
        return;
    srv->stopping = 1;
    srv->pub.stopping = 1; /* an approval in flight publishes nothing now */
    log_info("server", "signal %d: finishing requests in flight, then stopping", signum);
    uv_signal_stop(&srv->sig_int);
    uv_signal_stop(&srv->sig_term);
    http_server_stop(srv->http, on_http_stopped, srv);
}

/* serve's start-up check of the commits kenes has not seen (journal_load's
 * unseen): every one must pass verify's rules or have been accepted, and the
 * key in force at main's head must be the server's own. */
typedef struct unseen_ctx {
    server *srv;
    const signer *sig;
    int repo;
} unseen_ctx;

static int check_unseen(const char *since, char *err, size_t errcap, void *payload)
{
    unseen_ctx *u = payload;
    const docs_service *svc = &u->srv->svc;
    const config *cfg = svc->cfg;
    const char *name = datadir_repo_names[u->repo];
    verify_finding f;
    int rc = verify_unseen(&f, cfg, svc->plugins, svc->workflows, svc->repos[u->repo], svc->index,
                           u->repo, since);
    if (rc < 0) {
        snprintf(err, errcap, "cannot check the commits after %.40s", since ? since : "none");
        return rc;
    }
    if (f.faults && !f.commit[0]) {
        snprintf(err, errcap, "%s: no commit can be checked; nothing is served", f.what);
        return KENES_EFORBIDDEN;
    }
    if (f.faults) {
        char reset[300];
        if (f.parent[0])
            snprintf(reset, sizeof(reset), "git -C %.100s/%s update-ref refs/heads/main %s %s",
                     cfg->data_dir, name, f.parent, f.commit);
        else
            snprintf(reset, sizeof(reset), "git -C %.100s/%s update-ref -d refs/heads/main",
                     cfg->data_dir, name);
        char more[100] = "";
        if (f.commits > 1)
            snprintf(more, sizeof(more), "; %zu more commit%s after it, which kenes verify names",
                     f.commits - 1, f.commits > 2 ? "s" : "");
        snprintf(err, errcap, "commit %s is not one kenes made or accepted (%s%s); nothing is "
                 "served. To keep it, an admin decides with the server stopped: kenes accept "
                 "--data %.100s %s; to drop it and what follows, reset main to the last good "
                 "commit: %s",
                 f.commit, f.what, more, cfg->data_dir, f.commit, reset);
        return KENES_EFORBIDDEN;
    }
    unsigned char mine[SIGN_PUBKEY_BYTES];
    sign_public_key(u->sig, mine);
    if (f.has_key && memcmp(mine, f.key, sizeof(mine)) != 0) {
        char in_force[SIGN_FINGERPRINT_MAX], own[SIGN_FINGERPRINT_MAX];
        sign_key_fingerprint(in_force, sizeof(in_force), f.key);
        sign_key_fingerprint(own, sizeof(own), mine);
        snprintf(err, errcap, "keys/%s (%s) is not the key in force, %s, which signs main's "
                 "head; restore the right key from the backup of DATA/keys, or finish an "
                 "interrupted rotation with kenes key rotate --data %.100s",
                 SIGN_KEY_FILE, own, in_force, cfg->data_dir);
        return KENES_EFORBIDDEN;
    }
    return 0;
}

/* The document service's commit hook: the public pages kept may show d,
 * and the publisher and the notifier listen (docs never calls up). */
static void on_committed(const idx_doc *d, int publishes, void *payload)
{
    server *srv = payload;
    web_public_committed(&srv->web, d);
    /* A replica publishes and notifies nothing: the primary does, once. */
    if (!srv->replica)
        report_committed(d, publishes, &srv->pub);
    notifier_committed(srv->notify, d);
}

/* A set of mirrors per repository, each with the remotes kenes.yaml names
 * for it (started once the server listens). */
static int mirrors_new(mirror_set *sets[2], uv_loop_t *loop, const config *cfg)
{
    char path[4096];
    for (int r = 0; r < 2; r++) {
        util_path(path, sizeof(path), cfg->data_dir, datadir_repo_names[r]);
        if (mirror_set_new(&sets[r], loop, path, datadir_repo_names[r]) < 0)
            return KENES_ENOMEM;
        /* A replica pushes nothing: its repositories are a mirror's own. */
        for (size_t i = 0; i < cfg->nmirrors && !cfg->replica; i++)
            if (cfg->mirrors[i].repo == r && mirror_set_add(sets[r], &cfg->mirrors[i]) < 0)
                return KENES_ENOMEM;
    }
    return 0;
}

static void fault(const char *what, const char *detail)
{
    fprintf(stderr, "kenes: %s: %s\n", what, detail);
}

int server_run(const config *cfg, int demo)
{
    char err[1024] = "", path[4096];
    server srv = {0};
    docs_service *svc = &srv.svc;
    uv_loop_t loop;
    signer *sig = NULL; /* signs every commit; outlives the stores */
    int code = 1, rc = 0, lock_fd = -1;
    size_t nread[2] = {0, 0};
    svc->cfg = cfg;
    svc->loop = &loop;
    uv_loop_init(&loop);
    report_publisher_init(&srv.pub, svc);
    /* docs tells of each commit; the publisher listens (docs never calls publish). */
    svc->on_commit = on_committed;
    svc->on_commit_payload = &srv;
    srv.api = (api_ctx){.svc = svc, .pub = &srv.pub};
    signal(SIGPIPE, SIG_IGN);
    /* A file size limit reached is a write that fails (EFBIG), as on a full
     * disk, and is answered as one: not a reason to die mid-commit. */
    signal(SIGXFSZ, SIG_IGN);

    /* One server per data folder, before anything in it is read or written:
     * a second one would take ids the first has taken too. */
    if (util_mkdirs(cfg->data_dir, 0750) < 0) {
        fault("cannot create the data folder", cfg->data_dir);
        goto out;
    }
    if (datadir_lock(&lock_fd, cfg->data_dir, "serve", err, sizeof(err)) < 0) {
        fprintf(stderr, "kenes: %s\n", err);
        goto out;
    }
    util_path(path, sizeof(path), cfg->data_dir, "documents.git");
    if (cfg->replica && access(path, F_OK) != 0) {
        fault("replica", "DATA has no documents.git: make it with kenes init, copy the "
                         "primary's files into it, point the primary's mirrors at it (README: "
                         "Read replicas)");
        goto out;
    }
    if (access(path, F_OK) != 0) {
        if (datadir_init(cfg->data_dir, err, sizeof(err)) < 0) {
            fault("cannot create the data folder", err);
            goto out;
        }
        printf("Created the data folder %s\n", cfg->data_dir);
    }
    if (modes_check_private(cfg->data_dir, err, sizeof(err)) < 0) {
        fault("start-up refused", err);
        goto out;
    }
    snprintf(path, sizeof(path), "%s/regions.yaml", cfg->content_dir);
    if (region_load(path, err, sizeof(err)) < 0) {
        fault("regions", err);
        goto out;
    }
    if (datadir_load_rules(&svc->plugins, &svc->workflows, cfg, err, sizeof(err)) < 0) {
        fault("start-up refused", err);
        goto out;
    }
    /* A workflows folder from before public: true starts, and publishes nothing. */
    if (public_workflow_count(svc) == 0)
        log_warn("server", "no workflow of a type that is not confidential has a public stage "
                           "(public: true): no document will be public on /public/<id>");
    snprintf(path, sizeof(path), "%s/reports.yaml", cfg->content_dir);
    if (report_words_load(&srv.pub.words, path, err, sizeof(err)) < 0) {
        fault("reports", err);
        goto out;
    }
    util_path(path, sizeof(path), cfg->data_dir, "index");
    /* Older versions packed as the journal is read, not after: the start
     * never holds the whole history as records (storage/hpack.h). */
    if (index_new(&svc->index) < 0 || util_mkdirs(path, 0700) < 0 ||
        index_pack_old(svc->index) < 0) {
        fault("start-up", "cannot prepare the index");
        goto out;
    }
    /* And out of memory: the server's heap stays flat however long the
     * history grows (issue 16, item 10).  Without the file it works all
     * the same, with the history in memory. */
    if (index_spill_to(svc->index, path) < 0)
        log_warn("index", "%s: cannot make a scratch file for older versions (%s): they stay "
                          "in memory", path, strerror(errno));
    util_path(path, sizeof(path), cfg->data_dir, "keys");
    if (vault_open(&svc->vault, path, err, sizeof(err)) < 0) {
        fault("case keys", err);
        goto out;
    }
    if (docs_snaps_new(&svc->snaps, svc, cfg->data_dir, cfg) < 0) {
        fault("index", "out of memory");
        goto out;
    }
    /* A replica signs nothing: it checks the primary's signatures against
     * DATA/allowed_signers, copied from the primary. */
    if (!cfg->replica &&
        datadir_signing_open(&sig, cfg->data_dir, cfg->committer_email, 0, err, sizeof(err)) < 0) {
        fault("signing key", err);
        goto out;
    }
    /* Once, before any repository is opened: libgit2's caches are the process's. */
    if (store_git_limits(cfg->git_cache_mib) < 0 ||
        store_pack_limits(cfg->storage_pack_memory_mib) < 0) {
        fault("start-up", "libgit2 refused its cache limits");
        goto out;
    }
    /* Consolidations in a process of their own, this program's
     * `pack-child` (storage/pack_run.c says why).  Started through
     * /proc/self/exe, the very file this server runs from even once an
     * upgrade replaced or removed its path: the child always speaks the
     * server's version of the outcome line. */
    if (store_pack_exec("/proc/self/exe") < 0) {
        fault("start-up", "out of memory");
        goto out;
    }
    /* libgit2 keeps every pack on disk open (no limit of its own: it closed
     * files under other threads), a few hundred while consolidations fall
     * behind; beside the connections, the soft limit of 1,024 descriptors a
     * service manager gives is near.  The hard limit is this process's to
     * take. */
    struct rlimit nofile;
    if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
        nofile.rlim_cur = nofile.rlim_max;
        setrlimit(RLIMIT_NOFILE, &nofile);
    }
    if (mirrors_new(srv.api.mirrors, &loop, cfg) < 0) {
        fault("mirrors", "out of memory");
        goto out;
    }
    if (cfg->replica && cfg->nmirrors)
        log_warn("mirror", "a replica pushes to no mirror: kenes.yaml's mirrors: are not used");
    /* With the primary's case keys copied in, a replica serves cases too. */
    int replica_cases = cfg->replica && replica_has_case_keys(cfg->data_dir);
    if (cfg->replica && replica_new(&srv.replica, svc, cfg, replica_cases) < 0) {
        fault("replica", "cannot open its repositories");
        goto out;
    }
    for (int r = 0; r < 2; r++) {
        util_path(path, sizeof(path), cfg->data_dir, datadir_repo_names[r]);
        /* The lock is ours, so nobody else is writing: what a writer left
         * half-done was left by a crash, and would stop every write. */
        if (!cfg->replica && datadir_clear_leftovers(NULL, path, datadir_repo_names[r]) < 0) {
            fault("cannot clear what a crash left", path);
            goto out;
        }
        if (store_open(&svc->repos[r], &loop, path, cfg->committer_name, cfg->committer_email) < 0 ||
            (sig && store_set_signer(svc->repos[r], sig) < 0) ||
            store_set_max_packs(svc->repos[r], cfg->storage_max_packs) < 0 ||
            store_set_max_merge(svc->repos[r], cfg->storage_max_merge_mib) < 0 ||
            (mirror_set_count(srv.api.mirrors[r]) &&
             store_set_on_batch(svc->repos[r], mirror_set_committed, srv.api.mirrors[r]) < 0)) {
            fault("cannot open the repository", path);
            goto out;
        }
        /* Without the case keys a replica serves documents.git alone: its
         * follower lists the cases' ids (README: Read replicas). */
        if (cfg->replica && r == REPO_CASES && !replica_cases)
            continue;
        if (datadir_check_layout(&svc->layout[r], svc->repos[r], r, err, sizeof(err)) < 0) {
            fault("start-up refused", err);
            goto out;
        }
        char journal[4096];
        datadir_journal_path(journal, sizeof(journal), cfg->data_dir, r);
        if (r == REPO_DOCUMENTS && docs_test_drop())
            log_warn("index", "KENES_TEST_DROP=1 (a test knob): no document is kept parsed "
                              "beyond the one in use, resident ones (kept as text) too");
        unseen_ctx unseen = {&srv, sig, r};
        datadir_load_hooks hooks = {.unseen = srv.replica ? replica_unseen : check_unseen,
                                    .unseen_payload = srv.replica
                                                          ? replica_unseen_payload(srv.replica, r)
                                                          : (void *)&unseen,
                                    .restore = docs_snaps_restore,
                                    .needs_json = docs_snaps_needs_json,
                                    .keep = docs_snaps_keep, .payload = svc->snaps};
        if (datadir_rebuild_index(&nread[r], svc->index, svc->repos[r], svc->vault, r, journal,
                                  &hooks, err, sizeof(err)) < 0 ||
            datadir_load_public_faces(svc->index, svc->repos[r], svc->vault, r, svc->workflows,
                                      err, sizeof(err)) < 0) {
            fprintf(stderr, "kenes: %s: %s\n", path, err);
            goto out;
        }
        if (!cfg->replica && store_set_journal(svc->repos[r], journal) < 0) {
            fault("cannot open the history journal", journal);
            goto out;
        }
    }
    if (datadir_map_former_stages(svc->index, svc->workflows) < 0) {
        fault("index", "out of memory");
        goto out;
    }
    if (sig &&
        datadir_signing_publish(sig, cfg->data_dir, cfg->committer_email, err, sizeof(err)) < 0) {
        fault("signing key", err);
        goto out;
    }
    if (vault_settle(svc->vault, erasure_recorded, svc, err, sizeof(err)) < 0) {
        fault("case keys", err);
        goto out;
    }
    if (srv.replica && replica_loaded(srv.replica) < 0) {
        fault("replica", "out of memory");
        goto out;
    }
    /* What is not resident is read on demand from here on (docs/fetch.h). */
    /* KENES_TEST_DROP=1 (tests only; docs/entry.c): nothing kept beyond the
     * documents in use, so every other read goes to git on the pool. */
    const char *drop = getenv("KENES_TEST_DROP");
    size_t cache_bytes = drop && strcmp(drop, "1") == 0 ? 0 : cfg->index_cache_mib * 1024 * 1024;
    if (docs_cache_new(&svc->cache, cache_bytes) < 0 ||
        docs_fetch_settle(svc) < 0) {
        fault("index", "out of memory");
        goto out;
    }
    /* Documents read for their entry: the next start need not read them. */
    for (int r = 0; r < 2; r++)
        docs_snaps_loaded(svc->snaps, r, nread[r]);
    docs_attach_api(svc);
    util_path(path, sizeof(path), cfg->data_dir, "access.log");
    if (alog_open(&svc->alog, &loop, path, err, sizeof(err)) < 0) {
        fault("access log", err);
        goto out;
    }
    /* The checkpoint is signed with the server's key: a replica has none. */
    if (sig &&
        anchor_start(&svc->anchor, cfg->data_dir, sig, svc->alog, svc->repos, err, sizeof(err)) < 0) {
        fault("start-up refused", err);
        goto out;
    }
    util_path(path, sizeof(path), cfg->data_dir, "users.yaml");
    if (auth_open(&srv.auth, &loop, path, cfg->session_idle_s, err, sizeof(err)) < 0) {
        fault("users", err);
        goto out;
    }
    /* An agency officer's agency is one content/agencies.yaml lists for the region. */
    util_path(path, sizeof(path), cfg->content_dir, "agencies.yaml");
    if (auth_check_agencies(srv.auth, content_agency_fn, (void *)wf_set_content(svc->workflows),
                            path, err, sizeof(err)) < 0) {
        fault("users", err);
        goto out;
    }
    auth_set_login_limits(srv.auth, cfg->max_logins, cfg->max_logins_per_address,
                          AUTH_HASH_THREADS);
    auth_set_lifetime(srv.auth, cfg->session_lifetime_s);
    util_path(path, sizeof(path), cfg->data_dir, "sessions.json");
    if (auth_sessions_keep(srv.auth, path, err, sizeof(err)) < 0) {
        fault("sessions", err);
        goto out;
    }
    if (demo) {
        /* Before the demo adds anything: its logins have public passwords. */
        if (demo_check_data(&srv, err, sizeof(err)) < 0) {
            fault("--demo refused", err);
            goto out;
        }
        if (demo_users_add(cfg, err, sizeof(err)) < 0) {
            fault("demo users", err);
            goto out;
        }
        auth_reload(srv.auth);
    }
    if (demo && index_count(svc->index) == 0) {
        snprintf(path, sizeof(path), "%s/demo/documents.yaml", cfg->content_dir);
        if (demo_load(&srv, path, err, sizeof(err)) < 0) {
            fault("demo documents", err);
            goto out;
        }
    }
    srv.api.auth = srv.auth;
    util_path(path, sizeof(path), cfg->content_dir, "ui");
    if (ui_open(&srv.web.ui, path, err, sizeof(err)) < 0) {
        fault("the web interface", err);
        goto out;
    }
    srv.web = (web_ctx){.svc = svc, .pub = &srv.pub, .auth = srv.auth, .ui = srv.web.ui,
                        .secure_cookies = cfg->behind_tls,
                        .replica_primary = srv.replica ? cfg->replica_primary : NULL};
    if (srv.replica) {
        srv.api.replica_primary = cfg->replica_primary;
        srv.api.replica_json = replica_json;
        srv.api.replica_payload = srv.replica;
    }
    /* After the demo's documents: they are no news to anyone.  Not on a
     * replica: the primary tells people, once. */
    if (!srv.replica &&
        notifier_start(&srv.notify, svc, srv.auth, ui_words(srv.web.ui), err, sizeof(err)) < 0) {
        fault("notifications", err);
        goto out;
    }
    log_packing(svc->index);
    if (datadir_load_templates(&svc->templates, svc->workflows, cfg->content_dir, err,
                               sizeof(err)) < 0) {
        fault("templates", err);
        goto out;
    }
    http_limits lim = {.max_header_bytes = cfg->max_header_bytes,
                       .max_body_bytes = cfg->max_body_bytes,
                       .request_timeout_ms = cfg->request_timeout_s * 1000u,
                       .max_connections = cfg->max_connections,
                       .max_connections_per_address = cfg->max_connections_per_address,
                       .header_timeout_ms = cfg->header_timeout_s * 1000u,
                       .body_limit = body_limit,
                       .body_limit_payload = (void *)cfg,
                       .too_big_page = web_too_big_page,
                       .too_big_payload = &srv.web};
    http_limits_defaults(&lim);
    if ((rc = http_server_new(&srv.http, &loop, &lim, on_request, &srv)) < 0 ||
        (rc = http_server_listen(srv.http, cfg->listen_host, cfg->listen_port)) < 0) {
        snprintf(err, sizeof(err), "%s:%d: %s", cfg->listen_host, cfg->listen_port,
                 rc == KENES_EBUSY ? "the address is in use" : kenes_strerror(rc));
        fault("cannot listen", err);
        goto out;
    }
    /* A replica publishes nothing: the primary's publications reach it as
     * commits, and it shows them as of the last commit it judged. */
    if (srv.replica) {
        snprintf(srv.pub.load_at, sizeof(srv.pub.load_at), "%s", replica_head(srv.replica));
        srv.pub.pinned = 1;
        replica_set_publisher(srv.replica, &srv.pub);
    }
    /* A replica publishes nothing: the primary's publications reach it as commits. */
    if (report_load(&srv.pub) < 0 || (!srv.replica && report_timers_start(&srv.pub) < 0)) {
        fault("reports", "cannot load the published reports");
        goto out;
    }
    snprintf(path, sizeof(path), "%s/templates/page.html", cfg->content_dir);
    if (util_read_file(&srv.pub.page_template, NULL, path) < 0) {
        fault("cannot read the page template", path);
        goto out;
    }
    render_init(); /* before any page is rendered on the thread pool */
    if (page_cache_new(&srv.pub.pages) < 0) {
        fault("pages", "out of memory");
        goto out;
    }
    /* Answers made once and kept (report pages per publication, public
     * pages, documents' JSON per version): limits.prepared_mib. */
    if (http_store_new(&srv.api.prepared, cfg->prepared_mib * 1024 * 1024) < 0) {
        fault("pages", "out of memory");
        goto out;
    }
    srv.web.prepared = srv.api.prepared;
    srv.pub.on_published = api_prepare_reports;
    srv.pub.on_published_payload = &srv.api;
    api_prepare_reports(&srv.api);
    page_cache_set_budget(srv.pub.pages, cfg->page_cache_mib << 20);
    uv_signal_init(&loop, &srv.sig_int);
    uv_signal_init(&loop, &srv.sig_term);
    srv.sig_int.data = srv.sig_term.data = &srv;
    uv_signal_start(&srv.sig_int, on_signal, SIGINT);
    uv_signal_start(&srv.sig_term, on_signal, SIGTERM);

    log_info("server", "%zu documents, %zu workflows, %zu plugins, %zu users",
             index_count(svc->index), wf_set_count(svc->workflows), plugin_count(svc->plugins),
             auth_user_count(srv.auth));
    printf("kenes %s listening on http://%s:%d\n", KENES_VERSION, cfg->listen_host,
           http_server_port(srv.http));
    /* The quick start ends here: at an address a person opens. */
    printf("Open http://%s:%d/ in a browser; staff sign in at http://%s:%d/ui/login%s\n",
           cfg->listen_host, http_server_port(srv.http), cfg->listen_host,
           http_server_port(srv.http), demo ? " with a demo login above" : "");
    fflush(stdout);
    /* Once listening, on the pool: a history missing objects is told. */
    for (int r = 0; r < 2; r++) {
        char journal[4096];
        datadir_journal_path(journal, sizeof(journal), cfg->data_dir, r);
        /* A replica's journal starts with the first commit it takes. */
        if (svc->repos[r] && !(srv.replica && access(journal, F_OK) != 0) &&
            store_check_journal(svc->repos[r], journal) < 0)
            log_warn("store", "%s: the history journal's commits are not checked",
                     datadir_repo_names[r]);
    }
    /* Once listening: the first pushes catch the mirrors up on their own threads. */
    for (int r = 0; r < 2; r++)
        if (mirror_set_start(srv.api.mirrors[r]) < 0)
            log_error("mirror", "%s: the mirrors cannot start; nothing is pushed until a restart",
                      datadir_repo_names[r]);
    if (srv.replica) {
        if (replica_start(srv.replica) < 0)
            log_error("replica", "the follower cannot start: what DATA held at start is served");
        else
            log_info("replica", "a read-only replica: following documents.git's main and "
                     "cases.git's (%s); writes go to the primary, %s",
                     replica_serves_cases(srv.replica)
                         ? "cases served: DATA/keys holds the case keys"
                         : "cases not served: DATA/keys/cases/ holds no key, so a case, meeting "
                           "or referral answers 503 here",
                     cfg->replica_primary);
    }
    uv_run(&loop, UV_RUN_DEFAULT);
    code = 0;
out:
    fflush(stdout);
    http_server_free(srv.http);
    notifier_stop(srv.notify); /* a failed start: the serving loop never stopped it */
    for (int r = 0; r < 2; r++)
        mirror_set_close(srv.api.mirrors[r]);
    replica_stop(srv.replica);
    /* Anything still closing (a failed start) must finish before the loop goes. */
    uv_run(&loop, UV_RUN_DEFAULT);
    notifier_free(srv.notify);
    /* A clean stop: the index as it stands, for the next start.  Not after
     * a failed start, whose index may be half read. */
    if (code == 0)
        docs_snaps_save_now(svc->snaps);
    docs_snaps_free(svc->snaps);
    auth_close(srv.auth);
    alog_close(svc->alog);
    vault_close(svc->vault);
    docs_detach_api(svc);
    docs_cache_free(svc->cache, svc->index);
    index_free(svc->index);
    store_close(svc->repos[REPO_DOCUMENTS]);
    store_close(svc->repos[REPO_CASES]);
    anchor_free(svc->anchor); /* after the log and the stores that write it */
    for (int r = 0; r < 2; r++)
        mirror_set_free(srv.api.mirrors[r]); /* waits a little for a push in flight */
    replica_free(srv.replica); /* its look in flight ended with the loop */
    sign_free(sig);
    wf_set_free(svc->workflows);
    plugin_set_free(svc->plugins);
    json_decref(svc->templates);
    report_publisher_dispose(&srv.pub);
    http_store_free(srv.api.prepared); /* after the loop: no answer holds it */
    ui_close(srv.web.ui);
    region_unload();
    if (uv_loop_close(&loop) != 0)
        log_warn("server", "the loop still had handles at exit");
    datadir_unlock(lock_fd); /* last: everything in DATA is closed */
    return code;
}
