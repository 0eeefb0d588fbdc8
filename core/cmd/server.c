#include "cmd/server.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/anchor.h"
#include "api/api.h"
#include "cmd/demo.h"
#include "storage/docfile.h"
#include "plugin/kapi.h"
#include "storage/journal.h"
#include "base/log.h"
#include "storage/message.h"
#include "base/modes.h"
#include "plugin/region.h"
#include "publish/render.h"
#include "publish/report.h"
#include "base/util.h"
#include "cmd/verify.h"
#include "base/yml.h"

const char *const server_repo_names[2] = {"documents.git", "cases.git"};

static const kenes_guard *resolve_guard(const char *name, void *payload)
{
    return plugin_find_guard(payload, name);
}

static int resolve_type(const char *type, void *payload)
{
    return plugin_find_type(payload, type) != NULL;
}

int server_load_plugins_and_workflows(plugin_set **plugins, wf_set **workflows,
                                      const config *cfg, char *err, size_t errcap)
{
    *plugins = NULL;
    *workflows = NULL;
    int rc = plugin_set_new(plugins, kapi_get());
    if (rc == 0)
        rc = plugin_load_dir(*plugins, cfg->plugins_dir, err, errcap);
    if (rc == 0) {
        wf_resolver res = {resolve_guard, resolve_type, *plugins};
        rc = wf_set_load_dir(workflows, cfg->workflows_dir, &res, err, errcap);
    }
    if (rc == 0) /* api->label reads them; wf_set_free stops it */
        kapi_set_labels(wf_set_label, *workflows);
    if (rc < 0) {
        wf_set_free(*workflows);
        plugin_set_free(*plugins);
        *workflows = NULL;
        *plugins = NULL;
    }
    return rc;
}

/* ---- rebuilding the index ---- */

typedef struct load_ctx {
    store *s;
    vault *vault;
    int repo;
    /* main's head, when every commit in it is one of ours: then each
     * document's latest file is the one in main's tree, and all are read
     * from that one tree, whose folders libgit2 then keeps parsed.  "" to
     * read each at its own latest version (a tree apart for each). */
    char head[STORE_OID_HEX];
    char *err;
    size_t errcap;
} load_ctx;

/* Give an entry the JSON of its latest version. */
static int load_head(idx_doc *d, void *payload)
{
    load_ctx *lc = payload;
    char path[300], *text = NULL;
    if (d->repo != lc->repo || d->doc)
        return 0;
    size_t len;
    json_t *doc = NULL;
    snprintf(path, sizeof(path), "%s.md", d->id);
    int rc = store_read_at(lc->s, &text, &len, lc->head[0] ? lc->head : d->version, path);
    if (rc < 0) {
        snprintf(lc->err, lc->errcap, "%s is missing at %.12s", path, d->version);
        return rc;
    }
    if (vault_is_sealed(text, len)) {
        char *plain = NULL;
        rc = lc->vault ? vault_unseal(lc->vault, d->id, text, len, &plain, &len) : KENES_EINVAL;
        free(text);
        text = plain;
        if (rc < 0) {
            snprintf(lc->err, lc->errcap, "%s at %.12s cannot be opened with its key", d->id,
                     d->version);
            return rc;
        }
    }
    rc = doc_parse(&doc, text, len, lc->err, lc->errcap);
    free(text);
    if (rc < 0)
        return rc;
    index_set_doc(d, doc);
    return 0;
}

/* For vault_settle(): 1 if the case's history ends in its erasure (the
 * action its workflow's erase: names). */
static int erasure_recorded(const char *doc_id, void *payload)
{
    const server *srv = payload;
    idx_doc *d = index_get(srv->index, doc_id);
    const char *type = d && d->doc ? json_string_value(json_object_get(d->doc, "type")) : NULL;
    return d && d->nversions &&
           wf_is_erasure(wf_set_find(srv->workflows, type), d->versions[d->nversions - 1].action);
}

void server_journal_path(char *out, size_t cap, const char *data_dir, int repo)
{
    char leaf[64];
    snprintf(leaf, sizeof(leaf), "index/%.*s.jsonl",
             (int)(strlen(server_repo_names[repo]) - 4), server_repo_names[repo]);
    util_path(out, cap, data_dir, leaf);
}

int server_rebuild_index(doc_index *ix, store *s, vault *v, int repo, const char *journal,
                         journal_unseen_cb unseen, void *payload, char *err, size_t errcap)
{
    int foreign;
    int rc = journal_load(ix, s, repo, journal, &foreign, unseen, payload, err, errcap);
    if (rc < 0)
        return rc;
    load_ctx lc = {.s = s, .vault = v, .repo = repo, .err = err, .errcap = errcap};
    if (!foreign && store_head(s, lc.head) < 0)
        lc.head[0] = '\0';
    if (foreign)
        log_warn("index", "%s: commits made outside kenes: each document is read at its "
                          "latest version", server_repo_names[repo]);
    return index_foreach(ix, load_head, &lc);
}

/* ---- the data folder ---- */

/* 1 if text holds line as a whole line. */
static int has_line(const char *text, const char *line)
{
    size_t n = strlen(line);
    for (const char *p = text; p && *p;) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        if (len == n && memcmp(p, line, n) == 0)
            return 1;
        p = eol ? eol + 1 : NULL;
    }
    return 0;
}

int server_allow_signer(const char *dir, const signer *sg, const char *principal, char *err,
                        size_t errcap)
{
    char path[4200], line[1024], *text = NULL;
    size_t len = 0;
    int rc = sign_allowed_signers_line(sg, principal, line, sizeof(line));
    if (rc < 0) {
        snprintf(err, errcap, "the committer email '%.200s' cannot name a signer", principal);
        return rc;
    }
    util_path(path, sizeof(path), dir, "allowed_signers");
    int rrc = util_read_file(&text, &len, path);
    if (rrc < 0 && rrc != -ENOENT) {
        snprintf(err, errcap, "cannot read %.900s: %s", path, strerror(-rrc));
        rc = KENES_EIO;
    } else if (!text || !has_line(text, line)) {
        util_buf b;
        util_buf_init(&b);
        if (text && len)
            util_buf_printf(&b, "%s%s", text, text[len - 1] == '\n' ? "" : "\n");
        util_buf_printf(&b, "%s\n", line);
        if (!b.data || util_write_file_atomic(path, b.data, b.len, 0644) < 0) {
            snprintf(err, errcap, "cannot write %.900s", path);
            rc = KENES_EIO;
        }
        util_buf_dispose(&b);
    }
    free(text);
    return rc;
}

/* signing.pub and the key's line in DATA/allowed_signers naming principal,
 * added to what the file holds so that keys listed before stay listed.  serve
 * writes them only once the commits have been judged by the lines there. */
static int signing_publish(const signer *sg, const char *dir, const char *principal, char *err,
                           size_t errcap)
{
    char path[4200], line[1024], *text = NULL;
    size_t len = 0;
    int rc;
    /* signing.pub is only for people; the key file decides what it says. */
    snprintf(path, sizeof(path), "%s/keys/%s", dir, SIGN_PUB_FILE);
    if ((rc = sign_public_line(sg, line, sizeof(line) - 1)) == 0) {
        strcat(line, "\n");
        if (util_read_file(&text, &len, path) < 0 || strcmp(text, line) != 0)
            rc = util_write_file_atomic(path, line, strlen(line), 0644) < 0 ? KENES_EIO : 0;
        free(text);
    }
    if (rc < 0)
        snprintf(err, errcap, "cannot write %.900s", path);
    else
        rc = server_allow_signer(dir, sg, principal, err, errcap);
    return rc;
}

/* The commit signing key, DATA/keys/signing.key: made only with a new data
 * folder (create set; then published at once, out NULL); a key that goes
 * missing later is never replaced behind the operator's back (see
 * keyrotate.h).  *out gets the signer. */
static int signing_prepare(signer **out, const char *dir, const char *principal, int create,
                           char *err, size_t errcap)
{
    char keys[4096];
    signer *sg = NULL;
    if (out)
        *out = NULL;
    util_path(keys, sizeof(keys), dir, "keys");
    int rc = create ? sign_create_key(keys) : 0;
    if (rc < 0 && rc != KENES_EEXISTS) {
        snprintf(err, errcap, "cannot create the signing key in %.900s", keys);
        return rc;
    }
    if ((rc = sign_open(&sg, keys, err, errcap)) == KENES_ENOTFOUND)
        snprintf(err, errcap, "%.900s/%s is missing: kenes never makes a new key for a data "
                 "folder that has one; restore it from the backup of DATA/keys (a new key "
                 "comes in only with 'kenes key rotate', which the old key signs)", keys,
                 SIGN_KEY_FILE);
    if (rc < 0)
        return rc;
    if (!out)
        rc = signing_publish(sg, dir, principal, err, errcap);
    if (rc < 0 || !out)
        sign_free(sg);
    else
        *out = sg;
    return rc;
}

int server_init_data(const char *dir, char *err, size_t errcap)
{
    char path[4096];
    int rc = util_mkdirs(dir, 0750);
    if (rc < 0) {
        snprintf(err, errcap, "cannot create %s: %s", dir, strerror(-rc));
        return KENES_EIO;
    }
    util_path(path, sizeof(path), dir, "documents.git");
    if (access(path, F_OK) == 0) {
        snprintf(err, errcap, "%s is initialised already", dir);
        return KENES_EEXISTS;
    }
    for (size_t i = 0; i < UTIL_ARRAY_LEN(server_repo_names); i++) {
        util_path(path, sizeof(path), dir, server_repo_names[i]);
        if (store_init_repo(path) < 0) {
            snprintf(err, errcap, "cannot create the repository %s", path);
            return KENES_EIO;
        }
    }
    util_path(path, sizeof(path), dir, "index");
    if (util_mkdirs(path, 0700) < 0) {
        snprintf(err, errcap, "cannot create %.900s", path);
        return KENES_EIO;
    }
    util_path(path, sizeof(path), dir, "keys");
    if (util_mkdirs(path, 0700) < 0) {
        snprintf(err, errcap, "cannot create %.900s", path);
        return KENES_EIO;
    }
    util_path(path, sizeof(path), dir, "keys/master.key");
    int vrc = getenv("KENES_MASTER_KEY_FILE") && *getenv("KENES_MASTER_KEY_FILE")
                  ? 0 /* the master key lives elsewhere, by choice */
                  : vault_create_master(path);
    if (vrc < 0 && vrc != KENES_EEXISTS) {
        snprintf(err, errcap, "cannot create the master key %.900s", path);
        return KENES_EIO;
    }
    util_path(path, sizeof(path), dir, "kenes.yaml");
    if (access(path, F_OK) != 0 && config_write_default(dir) < 0) {
        snprintf(err, errcap, "cannot write %s", path);
        return KENES_EIO;
    }
    /* allowed_signers names the committer that kenes.yaml configures. */
    config cfg;
    if ((rc = config_load(&cfg, dir, err, errcap)) == 0)
        rc = signing_prepare(NULL, dir, cfg.committer_email, 1, err, errcap);
    config_dispose(&cfg);
    return rc;
}

/* ---- templates ---- */

/* content/templates/<type>.<lang>.md for every workflow type, read once:
 * {"regional-plan": {"ru": "...", ...}, ...}.  A missing file is a gap, not a fault. */
static int load_templates(server *srv, char *err, size_t errcap)
{
    static const char *const langs[] = {"ru", "kk", "en"};
    srv->templates = json_object();
    for (size_t i = 0; i < wf_set_count(srv->workflows); i++) {
        const char *type = wf_set_at(srv->workflows, i)->type;
        json_t *per = json_object();
        for (size_t l = 0; l < UTIL_ARRAY_LEN(langs); l++) {
            char path[4096], *text;
            size_t len;
            snprintf(path, sizeof(path), "%s/templates/%s.%s.md", srv->cfg->content_dir, type,
                     langs[l]);
            if (util_read_file(&text, &len, path) < 0)
                continue;
            json_t *s = json_stringn(text, len);
            free(text);
            if (!s) {
                snprintf(err, errcap, "%.900s: not valid UTF-8", path);
                json_decref(per);
                return KENES_EINVAL;
            }
            json_object_set_new(per, langs[l], s);
        }
        json_object_set_new(srv->templates, type, per);
    }
    return 0;
}

/* ---- running ---- */

static void on_http_stopped(void *payload)
{
    server *srv = payload;
    report_timers_stop(srv);
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
    const config *cfg = u->srv->cfg;
    const char *name = server_repo_names[u->repo];
    verify_finding f;
    int rc = verify_unseen(&f, cfg, u->srv->plugins, u->srv->workflows, u->srv->repos[u->repo],
                           u->srv->index, u->repo, since);
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

static void fault(const char *what, const char *detail)
{
    fprintf(stderr, "kenes: %s: %s\n", what, detail);
}

int server_run(const config *cfg, int demo)
{
    char err[1024] = "", path[4096];
    server srv = {0};
    uv_loop_t loop;
    signer *sig = NULL; /* signs every commit; outlives the stores */
    int code = 1, rc = 0;
    srv.cfg = cfg;
    srv.loop = &loop;
    uv_loop_init(&loop);
    signal(SIGPIPE, SIG_IGN);
    /* A file size limit reached is a write that fails (EFBIG), as on a full
     * disk, and is answered as one: not a reason to die mid-commit. */
    signal(SIGXFSZ, SIG_IGN);

    util_path(path, sizeof(path), cfg->data_dir, "documents.git");
    if (access(path, F_OK) != 0) {
        if (server_init_data(cfg->data_dir, err, sizeof(err)) < 0) {
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
    if (server_load_plugins_and_workflows(&srv.plugins, &srv.workflows, cfg, err, sizeof(err)) <
        0) {
        fault("start-up refused", err);
        goto out;
    }
    util_path(path, sizeof(path), cfg->data_dir, "index");
    if (index_new(&srv.index) < 0 || util_mkdirs(path, 0700) < 0) {
        fault("start-up", "cannot prepare the index");
        goto out;
    }
    util_path(path, sizeof(path), cfg->data_dir, "keys");
    if (vault_open(&srv.vault, path, err, sizeof(err)) < 0) {
        fault("case keys", err);
        goto out;
    }
    if (signing_prepare(&sig, cfg->data_dir, cfg->committer_email, 0, err, sizeof(err)) < 0) {
        fault("signing key", err);
        goto out;
    }
    for (int r = 0; r < 2; r++) {
        util_path(path, sizeof(path), cfg->data_dir, server_repo_names[r]);
        if (store_open(&srv.repos[r], &loop, path, cfg->committer_name, cfg->committer_email) < 0 ||
            store_set_signer(srv.repos[r], sig) < 0) {
            fault("cannot open the repository", path);
            goto out;
        }
        char journal[4096];
        server_journal_path(journal, sizeof(journal), cfg->data_dir, r);
        unseen_ctx unseen = {&srv, sig, r};
        if (server_rebuild_index(srv.index, srv.repos[r], srv.vault, r, journal, check_unseen,
                                 &unseen, err, sizeof(err)) < 0) {
            fprintf(stderr, "kenes: %s: %s\n", path, err);
            goto out;
        }
        if (store_set_journal(srv.repos[r], journal) < 0) {
            fault("cannot open the history journal", journal);
            goto out;
        }
    }
    if (signing_publish(sig, cfg->data_dir, cfg->committer_email, err, sizeof(err)) < 0) {
        fault("signing key", err);
        goto out;
    }
    if (vault_settle(srv.vault, erasure_recorded, &srv, err, sizeof(err)) < 0) {
        fault("case keys", err);
        goto out;
    }
    index_sort_events(srv.index);
    util_path(path, sizeof(path), cfg->data_dir, "access.log");
    if (alog_open(&srv.alog, &loop, path, err, sizeof(err)) < 0) {
        fault("access log", err);
        goto out;
    }
    if (anchor_start(&srv.anchor, cfg->data_dir, sig, srv.alog, srv.repos, err, sizeof(err)) < 0) {
        fault("start-up refused", err);
        goto out;
    }
    util_path(path, sizeof(path), cfg->data_dir, "users.yaml");
    if (auth_open(&srv.auth, &loop, path, cfg->session_idle_s, err, sizeof(err)) < 0) {
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
    if (demo && index_count(srv.index) == 0) {
        snprintf(path, sizeof(path), "%s/demo/documents.yaml", cfg->content_dir);
        if (demo_load(&srv, path, err, sizeof(err)) < 0) {
            fault("demo documents", err);
            goto out;
        }
    }
    if (load_templates(&srv, err, sizeof(err)) < 0) {
        fault("templates", err);
        goto out;
    }
    http_limits lim = {.max_header_bytes = cfg->max_header_bytes,
                       .max_body_bytes = cfg->max_body_bytes,
                       .request_timeout_ms = cfg->request_timeout_s * 1000u,
                       .max_connections = cfg->max_connections,
                       .max_connections_per_address = cfg->max_connections_per_address,
                       .header_timeout_ms = cfg->header_timeout_s * 1000u};
    http_limits_defaults(&lim);
    if (http_server_new(&srv.http, &loop, &lim, api_handle, &srv) < 0 ||
        (rc = http_server_listen(srv.http, cfg->listen_host, cfg->listen_port)) < 0) {
        snprintf(err, sizeof(err), "%s:%d: %s", cfg->listen_host, cfg->listen_port,
                 srv.http ? uv_strerror(rc) : "out of memory");
        fault("cannot listen", err);
        goto out;
    }
    if (report_load(&srv) < 0 || report_timers_start(&srv) < 0) {
        fault("reports", "cannot load the published reports");
        goto out;
    }
    snprintf(path, sizeof(path), "%s/templates/page.html", cfg->content_dir);
    if (util_read_file(&srv.page_template, NULL, path) < 0) {
        fault("cannot read the page template", path);
        goto out;
    }
    render_init(); /* before any page is rendered on the thread pool */
    if (api_pages_new(&srv) < 0) {
        fault("pages", "out of memory");
        goto out;
    }
    uv_signal_init(&loop, &srv.sig_int);
    uv_signal_init(&loop, &srv.sig_term);
    srv.sig_int.data = srv.sig_term.data = &srv;
    uv_signal_start(&srv.sig_int, on_signal, SIGINT);
    uv_signal_start(&srv.sig_term, on_signal, SIGTERM);

    log_info("server", "%zu documents, %zu workflows, %zu plugins, %zu users",
             index_count(srv.index), wf_set_count(srv.workflows), plugin_count(srv.plugins),
             auth_user_count(srv.auth));
    printf("kenes %s listening on http://%s:%d\n", KENES_VERSION, cfg->listen_host,
           http_server_port(srv.http));
    fflush(stdout);
    uv_run(&loop, UV_RUN_DEFAULT);
    code = 0;
out:
    fflush(stdout);
    http_server_free(srv.http);
    /* Anything still closing (a failed start) must finish before the loop goes. */
    uv_run(&loop, UV_RUN_DEFAULT);
    auth_close(srv.auth);
    alog_close(srv.alog);
    vault_close(srv.vault);
    index_free(srv.index);
    store_close(srv.repos[REPO_DOCUMENTS]);
    store_close(srv.repos[REPO_CASES]);
    anchor_free(srv.anchor); /* after the log and the stores that write it */
    sign_free(sig);
    wf_set_free(srv.workflows);
    plugin_set_free(srv.plugins);
    json_decref(srv.templates);
    json_decref(srv.reports);
    free(srv.page_template);
    api_pages_free(&srv);
    region_unload();
    if (uv_loop_close(&loop) != 0)
        log_warn("server", "the loop still had handles at exit");
    return code;
}
