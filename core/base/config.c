#include "base/config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kenes/plugin.h"
#include "base/config_mirror.h"
#include "base/util.h"
#include "base/yml.h"

static const char default_yaml[] =
    "# kenes configuration.  Every key is optional; these are the defaults.\n"
    "listen: 127.0.0.1:8080\n"
    "limits:\n"
    "  max_header_bytes: 16384     # request line + headers; more is 431\n"
    "  max_body_bytes: 1048576     # request body; more is 413\n"
    "  request_timeout_seconds: 60 # a request must arrive whole this soon; else 408\n"
    "  max_connections: 1024       # open at once; one more is answered 503\n"
    "  max_connections_per_address: 64 # open at once from one client address; one more is 503\n"
    "  header_timeout_seconds: 10  # request line and headers must arrive whole this soon; else 408\n"
    "  max_logins: 8               # logins being checked (argon2id) at once; more are 429\n"
    "  max_logins_per_address: 2   # of those, from one client address; more are 429\n"
    "  prepared_mib: 16            # answers kept made (report and public pages, documents' JSON)\n"
    "  git_cache_mib: 32           # libgit2's parsed objects, and its mapped packs, at most\n"
    "  page_cache_mib: 16          # rendered pages kept (bodies, public pages, reports)\n"
    "sessions:\n"
    "  idle_timeout_seconds: 28800 # a token unused this long expires (8 hours)\n"
    "  max_lifetime_seconds: 43200 # and every token this long after its login (12 hours)\n"
    "reports:\n"
    "  after_approval: true         # publish the reports after an approval, at most once a minute\n"
    "  daily_at: \"05:00\"            # and every day at this UTC time (\"off\": never)\n"
    "web:\n"
    "  behind_tls: false           # true: the site is served over HTTPS (a TLS proxy in front);\n"
    "                              # the interface's cookies then carry Secure\n"
    "# attachments:                # files attached to a version (PDF, PNG, JPEG):\n"
    "#   max_bytes: 10485760       # one file at most this big; more is 413\n"
    "# storage:\n"
    "#   max_packs: 32             # past this many packs (one per batch of writes) a\n"
    "#                             # repository's small packs are merged, in the background\n"
    "#   max_merge_mib: 16         # one of those merges takes at most this many MiB of\n"
    "#                             # packs; the larger ones stay for a later one or gc\n"
    "#   pack_memory_mib: 32       # a consolidation's pack builder keeps at most this\n"
    "#                             # many MiB of deltas, and as many for its delta window\n"
    "# index:\n"
    "#   cache_mib: 32             # documents' JSON read on demand and kept, at most\n"
    "#                             # this many MiB (least recently used first out)\n"
    "#   snapshot_every: 1000      # the index's snapshot (DATA/index/*.snap), read at\n"
    "#                             # start, written again after this many commits\n"
    "# webhooks:                   # a JSON POST per commit, signed (README, Notifications)\n"
    "#   - url: https://hooks.example.kz/kenes\n"
    "#     secret_file: keys/webhook-1.secret   # relative to DATA; mode 0600\n"
    "# smtp:                       # e-mail to users with an address (kenes user email)\n"
    "#   url: smtp://mail.example.kz:587\n"
    "#   from: kenes@example.kz\n"
    "#   starttls: required        # or off\n"
    "#   user: kenes               # optional, with password_file\n"
    "#   password_file: keys/smtp.password\n"
    "#   base_url: https://kenes.example.kz   # links in mails: <base_url>/ui/d/<id>\n"
    "#   digest: off               # or daily: one mail a day per user, at digest_at (UTC)\n"
    "#   digest_at: \"08:00\"\n"
    "# notify:\n"
    "#   give_up_days: 3           # a delivery failing this long is dropped (one log line)\n"
    "committer:                    # the committer of every commit kenes makes\n"
    "  name: kenes\n"
    "  email: kenes@localhost\n"
    "# Where the server finds its workflows, plugins and content.  By default:\n"
    "# the source tree's workflows/ and content/, and plugins/ beside the binary.\n"
    "# paths:\n"
    "#   workflows: /usr/share/kenes/workflows\n"
    "#   plugins: /usr/lib/kenes/plugins\n"
    "#   content: /usr/share/kenes/content\n"
    "# mirrors:                    # git remotes each repository's main is pushed to after\n"
    "#   documents:                # every batch of commits (README: Replication: mirrors)\n"
    "#     - url: file:///srv/mirror/documents.git\n"
    "#     - url: ssh://git@backup.example.kz/kenes/documents.git\n"
    "#       key: /etc/kenes/mirror_ed25519\n"
    "#   cases:\n"
    "#     - url: https://git.example.kz/kenes/cases.git\n"
    "#       token_file: /etc/kenes/mirror.token\n"
    "# replica:                    # serve read-only, following the mirrors the primary\n"
    "#   primary: https://kenes.example.kz  # pushes here (README: Read replicas)\n";

int config_check_primary(const char *url)
{
    size_t skip = url && strncmp(url, "https://", 8) == 0 ? 8
                  : url && strncmp(url, "http://", 7) == 0 ? 7
                                                           : 0;
    if (!skip || !url[skip] || strlen(url) > 200)
        return KENES_EINVAL;
    /* Shown on pages and in answers: printable ASCII, nothing HTML or a
     * header would read as its own, and no credentials (user:pass@). */
    for (const char *p = url + skip; *p; p++)
        if (*p <= ' ' || *p > '~' || strchr("\"'<>\\@`", *p))
            return KENES_EINVAL;
    return 0;
}

static char *exe_dir_join(const char *leaf)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n <= 0)
        return strdup(leaf);
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = '\0';
    char out[PATH_MAX + 64];
    snprintf(out, sizeof(out), "%s/%s", exe, leaf);
    return strdup(out);
}

int config_parse_listen(config *c, const char *spec)
{
    const char *colon = strrchr(spec, ':');
    if (!colon || colon == spec)
        return KENES_EINVAL;
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || end == colon + 1 || port < 0 || port > 65535)
        return KENES_EINVAL;
    char *host = strndup(spec, (size_t)(colon - spec));
    if (!host)
        return KENES_ENOMEM;
    free(c->listen_host);
    c->listen_host = host;
    c->listen_port = (int)port;
    return 0;
}

static int get_size(yml_doc *y, yaml_node_t *map, const char *key, size_t *out, char *err,
                    size_t errcap)
{
    yaml_node_t *n = yml_get(y, map, key);
    if (!n)
        return 0;
    unsigned long long v;
    if (yml_whole(n, &v) < 0 || v == 0)
        return yml_fail(err, errcap, y->file, n, "%s must be a positive whole number", key);
    *out = (size_t)v;
    return 0;
}

static void replace(char **dst, const char *s)
{
    if (!s)
        return;
    free(*dst);
    *dst = strdup(s);
}

static int config_read(config *c, const char *data_dir, char *err, size_t errcap)
{
    memset(c, 0, sizeof(*c));
    c->data_dir = strdup(data_dir);
    c->listen_host = strdup("127.0.0.1");
    c->listen_port = 8080;
    c->max_header_bytes = 16 * 1024;
    c->max_body_bytes = 1024 * 1024;
    c->request_timeout_s = 60;
    c->max_connections = 1024;
    c->max_connections_per_address = 64;
    c->header_timeout_s = 10;
    c->max_logins = 8;
    c->max_logins_per_address = 2;
    c->session_idle_s = 8 * 3600;
    c->session_lifetime_s = 12 * 3600;
    c->committer_name = strdup("kenes");
    c->committer_email = strdup("kenes@localhost");
    c->workflows_dir = strdup(KENES_SOURCE_DIR "/workflows");
    c->content_dir = strdup(KENES_SOURCE_DIR "/content");
    c->plugins_dir = exe_dir_join("plugins");
    c->reports_after_approval = 1;
    c->reports_daily_minute = 5 * 60;
    c->attachments_max_bytes = 10 * 1024 * 1024;
    c->storage_max_packs = 32;
    c->storage_max_merge_mib = 16;
    c->storage_pack_memory_mib = 32;
    c->index_cache_mib = 32;
    c->index_snapshot_every = 1000;
    c->prepared_mib = 16;
    c->git_cache_mib = 32;
    c->page_cache_mib = 16;

    char path[4096];
    snprintf(path, sizeof(path), "%s/kenes.yaml", data_dir);
    yml_doc y;
    int found;
    int rc = yml_load_optional(&y, &found, path, err, errcap);
    if (rc < 0 || !found)
        return rc;
    yaml_node_t *root = yml_root(&y);
    static const char *known[] = {"listen", "limits", "sessions", "committer", "paths", "reports",
                                  "web", "attachments", "storage", "index", "mirrors",
                                  "replica",
                                  /* read by notify/conf.c, which judges their URLs */
                                  "webhooks", "smtp", "notify"};
    size_t npairs;
    yaml_node_pair_t *p = yml_pairs(root, &npairs);
    if (!p && root->type != YAML_MAPPING_NODE) {
        rc = yml_fail(err, errcap, path, root, "expected a mapping");
        goto out;
    }
    for (; npairs--; p++) {
        const char *k = yml_scalar(yml_node(&y, p->key));
        int ok = 0;
        for (size_t i = 0; k && i < UTIL_ARRAY_LEN(known); i++)
            ok |= strcmp(k, known[i]) == 0;
        if (!ok) {
            rc = yml_fail(err, errcap, path, yml_node(&y, p->key), "unknown key '%s'", k ? k : "?");
            goto out;
        }
    }
    yaml_node_t *n = yml_get(&y, root, "listen");
    if (n && (!yml_scalar(n) || config_parse_listen(c, yml_scalar(n)) < 0)) {
        rc = yml_fail(err, errcap, path, n, "listen must be host:port");
        goto out;
    }
    yaml_node_t *limits = yml_get(&y, root, "limits");
    if ((rc = get_size(&y, limits, "max_header_bytes", &c->max_header_bytes, err, errcap)) < 0 ||
        (rc = get_size(&y, limits, "max_body_bytes", &c->max_body_bytes, err, errcap)) < 0 ||
        (rc = get_size(&y, limits, "max_connections", &c->max_connections, err, errcap)) < 0 ||
        (rc = get_size(&y, limits, "max_connections_per_address",
                       &c->max_connections_per_address, err, errcap)) < 0 ||
        (rc = get_size(&y, limits, "max_logins", &c->max_logins, err, errcap)) < 0 ||
        (rc = get_size(&y, limits, "max_logins_per_address", &c->max_logins_per_address, err,
                       errcap)) < 0 ||
        (rc = get_size(&y, limits, "prepared_mib", &c->prepared_mib, err, errcap)) < 0 ||
        (rc = get_size(&y, limits, "git_cache_mib", &c->git_cache_mib, err, errcap)) < 0 ||
        (rc = get_size(&y, limits, "page_cache_mib", &c->page_cache_mib, err, errcap)) < 0)
        goto out;
    if (c->prepared_mib > 65536) {
        rc = yml_fail(err, errcap, path, yml_get(&y, limits, "prepared_mib"),
                      "prepared_mib must be at most 65536 (64 GiB)");
        goto out;
    }
    /* A cache is kept in the process's memory: a terabyte is a typo. */
    if (c->git_cache_mib > CONFIG_CACHE_MIB_MAX || c->page_cache_mib > CONFIG_CACHE_MIB_MAX) {
        rc = yml_fail(err, errcap, path, yml_get(&y, limits,
                                                 c->git_cache_mib > CONFIG_CACHE_MIB_MAX
                                                     ? "git_cache_mib"
                                                     : "page_cache_mib"),
                      "a cache must be at most %d MiB", CONFIG_CACHE_MIB_MAX);
        goto out;
    }
    if ((rc = get_size(&y, yml_get(&y, root, "attachments"), "max_bytes",
                       &c->attachments_max_bytes, err, errcap)) < 0 ||
        (rc = get_size(&y, yml_get(&y, root, "storage"), "max_packs", &c->storage_max_packs, err,
                       errcap)) < 0 ||
        (rc = get_size(&y, yml_get(&y, root, "storage"), "max_merge_mib",
                       &c->storage_max_merge_mib, err, errcap)) < 0 ||
        (rc = get_size(&y, yml_get(&y, root, "storage"), "pack_memory_mib",
                       &c->storage_pack_memory_mib, err, errcap)) < 0 ||
        (rc = get_size(&y, yml_get(&y, root, "index"), "cache_mib", &c->index_cache_mib, err,
                       errcap)) < 0 ||
        (rc = get_size(&y, yml_get(&y, root, "index"), "snapshot_every",
                       &c->index_snapshot_every, err, errcap)) < 0)
        goto out;

    if (c->storage_pack_memory_mib < 1 || c->storage_pack_memory_mib > 4096) {
        rc = yml_fail(err, errcap, path,
                      yml_get(&y, yml_get(&y, root, "storage"), "pack_memory_mib"),
                      "pack_memory_mib must be between 1 and 4096 (MiB)");
        goto out;
    }
    if (c->storage_max_merge_mib > 1048576) {
        rc = yml_fail(err, errcap, path,
                      yml_get(&y, yml_get(&y, root, "storage"), "max_merge_mib"),
                      "max_merge_mib must be between 1 and 1048576 (MiB)");
        goto out;
    }
    if (c->index_cache_mib > 65536) {
        rc = yml_fail(err, errcap, path, yml_get(&y, yml_get(&y, root, "index"), "cache_mib"),
                      "cache_mib must be at most 65536 (64 GiB)");
        goto out;
    }
    size_t request_s = c->request_timeout_s, header_s = c->header_timeout_s;
    if ((rc = get_size(&y, limits, "request_timeout_seconds", &request_s, err, errcap)) < 0 ||
        (rc = get_size(&y, limits, "header_timeout_seconds", &header_s, err, errcap)) < 0)
        goto out;
    if (request_s > UINT_MAX / 1000 || header_s > UINT_MAX / 1000) {
        rc = yml_fail(err, errcap, path, limits, "a timeout must be under %u seconds",
                      UINT_MAX / 1000);
        goto out;
    }
    c->request_timeout_s = (unsigned)request_s;
    c->header_timeout_s = (unsigned)header_s;
    yaml_node_t *sessions = yml_get(&y, root, "sessions");
    size_t idle = c->session_idle_s, lifetime = c->session_lifetime_s;
    if ((rc = get_size(&y, sessions, "idle_timeout_seconds", &idle, err, errcap)) < 0 ||
        (rc = get_size(&y, sessions, "max_lifetime_seconds", &lifetime, err, errcap)) < 0)
        goto out;
    if (idle > UINT_MAX || lifetime > UINT_MAX) {
        rc = yml_fail(err, errcap, path, sessions, "a session time must fit in %u seconds",
                      UINT_MAX);
        goto out;
    }
    c->session_idle_s = (unsigned)idle;
    c->session_lifetime_s = (unsigned)lifetime;
    yaml_node_t *reports = yml_get(&y, root, "reports");
    yaml_node_t *aa = yml_get(&y, reports, "after_approval");
    if (aa) {
        const char *v = yml_scalar(aa);
        if (!v || (strcmp(v, "true") != 0 && strcmp(v, "false") != 0)) {
            rc = yml_fail(err, errcap, path, aa, "after_approval must be true or false");
            goto out;
        }
        c->reports_after_approval = strcmp(v, "true") == 0;
    }
    yaml_node_t *tls = yml_get(&y, yml_get(&y, root, "web"), "behind_tls");
    if (tls) {
        const char *v = yml_scalar(tls);
        if (!v || (strcmp(v, "true") != 0 && strcmp(v, "false") != 0)) {
            rc = yml_fail(err, errcap, path, tls, "behind_tls must be true or false");
            goto out;
        }
        c->behind_tls = strcmp(v, "true") == 0;
    }
    yaml_node_t *da = yml_get(&y, reports, "daily_at");
    if (da) {
        const char *v = yml_scalar(da);
        int h, m, n = 0;
        if (v && strcmp(v, "off") == 0) {
            c->reports_daily_minute = -1;
        } else if (!v || sscanf(v, "%2d:%2d%n", &h, &m, &n) != 2 || v[n] || h < 0 || h > 23 ||
                   m < 0 || m > 59) {
            rc = yml_fail(err, errcap, path, da, "daily_at must be HH:MM (UTC) or off");
            goto out;
        } else {
            c->reports_daily_minute = h * 60 + m;
        }
    }
    yaml_node_t *committer = yml_get(&y, root, "committer");
    replace(&c->committer_name, yml_scalar(yml_get(&y, committer, "name")));
    replace(&c->committer_email, yml_scalar(yml_get(&y, committer, "email")));
    yaml_node_t *paths = yml_get(&y, root, "paths");
    replace(&c->workflows_dir, yml_scalar(yml_get(&y, paths, "workflows")));
    replace(&c->plugins_dir, yml_scalar(yml_get(&y, paths, "plugins")));
    replace(&c->content_dir, yml_scalar(yml_get(&y, paths, "content")));
    rc = config_mirrors_load(c, &y, yml_get(&y, root, "mirrors"), err, errcap);
    yaml_node_t *replica = yml_get(&y, root, "replica");
    yaml_node_t *primary = yml_get(&y, replica, "primary");
    if (rc == 0 && replica && config_check_primary(yml_scalar(primary)) < 0) {
        rc = yml_fail(err, errcap, path, primary ? primary : replica,
                      "replica: primary must be the primary's address, http(s)://host[:port], "
                      "without a password in it");
        goto out;
    }
    if (rc == 0 && replica) {
        replace(&c->replica_primary, yml_scalar(primary));
        c->replica = 1;
    }
out:
    yml_dispose(&y);
    return rc;
}

int config_load(config *c, const char *data_dir, char *err, size_t errcap)
{
    int rc = config_read(c, data_dir, err, errcap);
    if (rc < 0)
        config_dispose(c); /* a refused file holds nothing: the caller only exits */
    return rc;
}

void config_dispose(config *c)
{
    free(c->data_dir);
    free(c->listen_host);
    free(c->committer_name);
    free(c->committer_email);
    free(c->workflows_dir);
    free(c->plugins_dir);
    free(c->content_dir);
    config_mirrors_dispose(c);
    free(c->replica_primary);
    memset(c, 0, sizeof(*c));
}

int config_write_default(const char *data_dir)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/kenes.yaml", data_dir);
    int rc = util_write_file_atomic(path, default_yaml, sizeof(default_yaml) - 1, 0600);
    return rc < 0 ? KENES_EIO : 0;
}
