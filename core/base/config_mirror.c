/*
 * kenes.yaml's mirrors: the git remotes each repository is pushed to.
 * Everything a remote needs is checked here, at start, so that a mistake
 * stops the server with file:line instead of failing every push later:
 * the scheme (file://, ssh://, https://), no credentials inside a URL (they
 * would be in every log line and /healthz answer that names the remote),
 * the key or token file readable, and never the data folder itself.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/config_mirror.h"
#include "base/util.h"
#include "kenes/plugin.h"

static const char *const repo_names[CONFIG_MIRROR_REPOS] = {"documents", "cases"};

/* The authority of url (after "scheme://", up to the next '/'), and its length. */
static size_t authority(const char **out, const char *url)
{
    const char *a = strstr(url, "://");
    a = a ? a + 3 : url;
    *out = a;
    return strcspn(a, "/");
}

/* A URL's scheme and the credentials it must not carry: NULL if fine,
 * else the sentence that says what is wrong. */
static const char *url_fault(const char *url, int *scheme)
{
    if (strncmp(url, "file://", 7) == 0)
        *scheme = CONFIG_MIRROR_FILE;
    else if (strncmp(url, "ssh://", 6) == 0)
        *scheme = CONFIG_MIRROR_SSH;
    else if (strncmp(url, "https://", 8) == 0)
        *scheme = CONFIG_MIRROR_HTTPS;
    else
        return "a mirror's url must begin with file://, ssh:// or https:// (http://, git:// and "
               "scp-like user@host:path are refused: they carry the history unencrypted or "
               "unauthenticated)";
    for (const char *p = url; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == 0x7f)
            return "a mirror's url must not contain spaces or control characters";
    const char *a;
    size_t n = authority(&a, url);
    const char *at = memchr(a, '@', n);
    if (*scheme == CONFIG_MIRROR_FILE) {
        if (n != 0)
            return "a file:// mirror names an absolute path on this machine: file:///srv/m/x.git";
        /* libgit2 decodes %xx: the path checked against DATA must be the one used. */
        if (strchr(url, '%'))
            return "a file:// mirror names its path as it is, without %-escapes";
        return NULL;
    }
    if (n == 0 || (at && at + 1 == a + n))
        return "a mirror's url must name a host";
    /* A user name is no secret (ssh://git@host/...); a password is. */
    if (at && (*scheme == CONFIG_MIRROR_HTTPS || memchr(a, ':', (size_t)(at - a))))
        return "a mirror's url must not carry credentials (user:password@ or a token before "
               "@): they would be written wherever the url is shown; give key: (ssh) or "
               "token_file: (https) instead";
    return NULL;
}

/* 1 if the file:// target is the data folder or inside it: a mirror of
 * a repository onto itself (or onto its sibling) would push to its own
 * main, or pile objects into DATA. */
static int inside_data(const char *target, const char *data_dir)
{
    char t[PATH_MAX], d[PATH_MAX];
    if (!realpath(data_dir, d))
        snprintf(d, sizeof(d), "%s", data_dir);
    if (!realpath(target, t))
        snprintf(t, sizeof(t), "%s", target);
    size_t n = strlen(d);
    while (n > 1 && d[n - 1] == '/')
        n--;
    return strncmp(t, d, n) == 0 && (t[n] == '\0' || t[n] == '/');
}

static void mirror_dispose(config_mirror *m)
{
    free(m->url);
    free(m->key);
    free(m->token_file);
    free(m->user);
    free(m->ca_file);
}

void config_mirrors_dispose(config *c)
{
    for (size_t i = 0; i < c->nmirrors; i++)
        mirror_dispose(&c->mirrors[i]);
    free(c->mirrors);
    c->mirrors = NULL;
    c->nmirrors = 0;
}

/* A key or token file: readable now (a push that cannot read it would only
 * fail later, over and over). */
static int readable(yml_doc *y, yaml_node_t *n, const char *what, char **out, char *err,
                    size_t errcap)
{
    const char *v = yml_scalar(n);
    if (!v || v[0] != '/')
        return yml_fail(err, errcap, y->file, n, "%s must be an absolute path", what);
    if (access(v, R_OK) != 0)
        return yml_fail(err, errcap, y->file, n, "%s %s cannot be read", what, v);
    *out = strdup(v);
    return *out ? 0 : KENES_ENOMEM;
}

static int parse_one(config_mirror *m, yml_doc *y, yaml_node_t *n, const config *c, char *err,
                     size_t errcap)
{
    static const char *known[] = {"url", "key", "token_file", "user", "ca_file", "interval"};
    size_t npairs;
    yaml_node_pair_t *p = yml_pairs(n, &npairs);
    if (!p && n->type != YAML_MAPPING_NODE)
        return yml_fail(err, errcap, y->file, n, "a mirror is a mapping: {url: ...}");
    for (; npairs--; p++) {
        const char *k = yml_scalar(yml_node(y, p->key));
        int ok = 0;
        for (size_t i = 0; k && i < UTIL_ARRAY_LEN(known); i++)
            ok |= strcmp(k, known[i]) == 0;
        if (!ok)
            return yml_fail(err, errcap, y->file, yml_node(y, p->key),
                            "unknown key '%s' in a mirror (url, key, token_file, user, "
                            "ca_file, interval)",
                            k ? k : "?");
    }
    yaml_node_t *u = yml_get(y, n, "url");
    const char *url = yml_scalar(u);
    if (!url || !*url)
        return yml_fail(err, errcap, y->file, u ? u : n, "a mirror needs a url");
    const char *why = url_fault(url, &m->scheme);
    if (why)
        return yml_fail(err, errcap, y->file, u, "%s", why);
    if (m->scheme == CONFIG_MIRROR_FILE && inside_data(url + 7, c->data_dir))
        return yml_fail(err, errcap, y->file, u, "a mirror must not be in the data folder %s: "
                        "a repository would be pushed to itself", c->data_dir);
    if (!(m->url = strdup(url)))
        return KENES_ENOMEM;
    yaml_node_t *key = yml_get(y, n, "key"), *token = yml_get(y, n, "token_file");
    yaml_node_t *user = yml_get(y, n, "user"), *ca = yml_get(y, n, "ca_file");
    if (key && m->scheme != CONFIG_MIRROR_SSH)
        return yml_fail(err, errcap, y->file, key, "key: is for an ssh:// mirror");
    if ((token || user || ca) && m->scheme != CONFIG_MIRROR_HTTPS)
        return yml_fail(err, errcap, y->file, token ? token : user ? user : ca,
                        "token_file:, user: and ca_file: are for an https:// mirror");
    if (m->scheme == CONFIG_MIRROR_SSH && !key)
        return yml_fail(err, errcap, y->file, u, "an ssh:// mirror needs key: (a private key "
                        "file)");
    int rc;
    if (key && (rc = readable(y, key, "key", &m->key, err, errcap)) < 0)
        return rc;
    if (token && (rc = readable(y, token, "token_file", &m->token_file, err, errcap)) < 0)
        return rc;
    if (ca && (rc = readable(y, ca, "ca_file", &m->ca_file, err, errcap)) < 0)
        return rc;
    m->interval_s = m->scheme == CONFIG_MIRROR_SSH ? CONFIG_MIRROR_SSH_INTERVAL_S : 0;
    yaml_node_t *every = yml_get(y, n, "interval");
    if (every) {
        unsigned long long v;
        if (yml_whole(every, &v) < 0 || v > CONFIG_MIRROR_INTERVAL_MAX_S)
            return yml_fail(err, errcap, y->file, every,
                            "interval is the least number of seconds between two pushes, "
                            "0 to %d", CONFIG_MIRROR_INTERVAL_MAX_S);
        m->interval_s = (unsigned)v;
    }
    if (user && (!yml_scalar(user) || !*yml_scalar(user)))
        return yml_fail(err, errcap, y->file, user, "user must be a name");
    if (user && !(m->user = strdup(yml_scalar(user))))
        return KENES_ENOMEM;
    return 0;
}

int config_mirrors_load(config *c, yml_doc *y, yaml_node_t *mirrors, char *err, size_t errcap)
{
    if (!mirrors)
        return 0;
    size_t npairs;
    yaml_node_pair_t *p = yml_pairs(mirrors, &npairs);
    if (!p && mirrors->type != YAML_MAPPING_NODE)
        return yml_fail(err, errcap, y->file, mirrors,
                        "mirrors is a mapping: documents: [...], cases: [...]");
    for (; npairs--; p++) {
        yaml_node_t *kn = yml_node(y, p->key), *list = yml_node(y, p->value);
        const char *k = yml_scalar(kn);
        int repo = -1;
        for (int r = 0; k && r < CONFIG_MIRROR_REPOS; r++)
            if (strcmp(k, repo_names[r]) == 0)
                repo = r;
        if (repo < 0)
            return yml_fail(err, errcap, y->file, kn,
                            "unknown repository '%s' under mirrors (documents, cases)",
                            k ? k : "?");
        size_t count;
        yaml_node_item_t *it = yml_items(list, &count);
        if (!it && list->type != YAML_SEQUENCE_NODE)
            return yml_fail(err, errcap, y->file, list, "mirrors.%s is a list of mirrors", k);
        for (size_t i = 0; i < count; i++) {
            yaml_node_t *n = yml_node(y, it[i]);
            config_mirror *grown = realloc(c->mirrors, (c->nmirrors + 1) * sizeof(*grown));
            if (!grown)
                return KENES_ENOMEM;
            c->mirrors = grown;
            config_mirror *m = &c->mirrors[c->nmirrors++];
            memset(m, 0, sizeof(*m));
            m->repo = repo;
            int rc = parse_one(m, y, n, c, err, errcap);
            if (rc < 0)
                return rc;
            /* Two pushes of one remote's main, from one repository or both,
             * would undo each other (or meet as "diverged"). */
            for (size_t j = 0; j + 1 < c->nmirrors; j++)
                if (strcmp(c->mirrors[j].url, m->url) == 0)
                    return yml_fail(err, errcap, y->file, yml_get(y, n, "url"),
                                    "%s is named twice under mirrors: a remote mirrors one "
                                    "repository once", m->url);
        }
    }
    return 0;
}
