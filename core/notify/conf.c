#include "notify/conf.h"

#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/error.h"
#include "base/mailaddr.h"
#include "base/util.h"
#include "base/yml.h"

int notify_url_ok(const char *url, const char *schemes, char **where)
{
    CURLU *h = curl_url();
    char *scheme = NULL, *user = NULL, *pass = NULL, *host = NULL, *port = NULL;
    int ok = h && url && curl_url_set(h, CURLUPART_URL, url, 0) == CURLUE_OK &&
             curl_url_get(h, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
             curl_url_get(h, CURLUPART_HOST, &host, 0) == CURLUE_OK && host && *host;
    if (ok) {
        char key[32];
        snprintf(key, sizeof(key), " %s ", scheme);
        ok = strstr(schemes, key) != NULL;
        /* user:password@ in a URL ends up in logs and process lists. */
        ok = ok && curl_url_get(h, CURLUPART_USER, &user, 0) == CURLUE_NO_USER &&
             curl_url_get(h, CURLUPART_PASSWORD, &pass, 0) == CURLUE_NO_PASSWORD;
    }
    if (ok && where) {
        int has_port = curl_url_get(h, CURLUPART_PORT, &port, 0) == CURLUE_OK;
        size_t n = strlen(host) + (has_port ? strlen(port) + 2 : 1);
        if ((*where = malloc(n)))
            snprintf(*where, n, "%s%s%s", host, has_port ? ":" : "", has_port ? port : "");
        ok = *where != NULL;
    }
    curl_free(scheme);
    curl_free(user);
    curl_free(pass);
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(h);
    return ok;
}

/* A secret's file (relative to the data folder unless absolute): its text
 * without the last newline.  Refused when missing, empty or open to
 * group or others: a secret anyone on the machine reads signs for them. */
static int read_secret_file(char **out, const char *data_dir, const char *file, char *why,
                            size_t whycap)
{
    char path[4096];
    if (file[0] == '/')
        snprintf(path, sizeof(path), "%s", file);
    else
        util_path(path, sizeof(path), data_dir, file);
    struct stat st;
    size_t len;
    *out = NULL;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || util_read_file(out, &len, path) < 0) {
        snprintf(why, whycap, "cannot read %.300s", path);
        return KENES_EINVAL;
    }
    if (st.st_mode & 077) {
        sodium_memzero(*out, len);
        free(*out);
        *out = NULL;
        snprintf(why, whycap, "%.250s is open to group or others: run `chmod 600 %.250s`", path, path);
        return KENES_EINVAL;
    }
    while (len && ((*out)[len - 1] == '\n' || (*out)[len - 1] == '\r'))
        (*out)[--len] = '\0';
    if (len == 0) {
        free(*out);
        *out = NULL;
        snprintf(why, whycap, "%.300s is empty", path);
        return KENES_EINVAL;
    }
    return 0;
}

static int check_keys(yml_doc *y, yaml_node_t *map, const char *const *keys, const char *what,
                      char *err, size_t errcap)
{
    size_t n;
    yaml_node_pair_t *p = yml_pairs(map, &n);
    if (!p && map->type != YAML_MAPPING_NODE)
        return yml_fail(err, errcap, y->file, map, "%s must be a mapping", what);
    for (; n--; p++) {
        const char *k = yml_scalar(yml_node(y, p->key));
        int ok = 0;
        for (size_t i = 0; k && keys[i]; i++)
            ok |= strcmp(k, keys[i]) == 0;
        if (!ok)
            return yml_fail(err, errcap, y->file, yml_node(y, p->key), "%s: unknown key '%s'",
                            what, k ? k : "?");
    }
    return 0;
}

static int load_webhooks(notify_conf *c, yml_doc *y, yaml_node_t *list, const char *data_dir,
                         char *err, size_t errcap)
{
    static const char *const keys[] = {"url", "secret_file", NULL};
    size_t n;
    yaml_node_item_t *items = yml_items(list, &n);
    if (!items && list->type != YAML_SEQUENCE_NODE)
        return yml_fail(err, errcap, y->file, list, "webhooks must be a list of {url, secret_file}");
    if (!(c->webhooks = calloc(n ? n : 1, sizeof(*c->webhooks))))
        return KENES_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *w = yml_node(y, items[i]);
        int rc = check_keys(y, w, keys, "a webhook", err, errcap);
        if (rc < 0)
            return rc;
        yaml_node_t *un = yml_get(y, w, "url"), *sn = yml_get(y, w, "secret_file");
        notify_webhook *h = &c->webhooks[c->nwebhooks];
        if (!un || !notify_url_ok(yml_scalar(un), " http https ", &h->where))
            return yml_fail(err, errcap, y->file, un ? un : w,
                            "a webhook's url must be http:// or https:// with a host and no "
                            "user or password in it");
        c->nwebhooks++;
        if (!(h->url = strdup(yml_scalar(un))))
            return KENES_ENOMEM;
        /* One receiver, one delivery of each event. */
        for (size_t k = 0; k + 1 < c->nwebhooks; k++)
            if (strcmp(c->webhooks[k].url, h->url) == 0)
                return yml_fail(err, errcap, y->file, un, "a second webhook with the url %s",
                                h->url);
        char why[600];
        if (!sn || !yml_scalar(sn))
            return yml_fail(err, errcap, y->file, w,
                            "a webhook needs secret_file (a file of its own holding the secret "
                            "its signatures use)");
        if (read_secret_file(&h->secret, data_dir, yml_scalar(sn), why, sizeof(why)) < 0)
            return yml_fail(err, errcap, y->file, sn, "secret_file: %s", why);
    }
    return 0;
}

static int opt_copy(char **dst, yml_doc *y, yaml_node_t *map, const char *key)
{
    const char *v = yml_scalar(yml_get(y, map, key));
    if (!v)
        return 0;
    return (*dst = strdup(v)) ? 0 : KENES_ENOMEM;
}

static int load_smtp(notify_conf *c, yml_doc *y, yaml_node_t *m, const char *data_dir,
                     char *err, size_t errcap)
{
    static const char *const keys[] = {"url", "from", "starttls", "user", "password_file",
                                       "base_url", "digest", "digest_at", NULL};
    int rc = check_keys(y, m, keys, "smtp", err, errcap);
    if (rc < 0)
        return rc;
    c->smtp = 1;
    yaml_node_t *un = yml_get(y, m, "url"), *fn = yml_get(y, m, "from");
    yaml_node_t *bn = yml_get(y, m, "base_url"), *tn = yml_get(y, m, "starttls");
    yaml_node_t *pn = yml_get(y, m, "password_file"), *dn = yml_get(y, m, "digest");
    yaml_node_t *an = yml_get(y, m, "digest_at");
    if (!un || !notify_url_ok(yml_scalar(un), " smtp smtps ", NULL))
        return yml_fail(err, errcap, y->file, un ? un : m,
                        "smtp.url must be smtp://host:port or smtps://host:port, with no user "
                        "or password in it (smtp.user, smtp.password_file)");
    if (!fn || !mailaddr_valid(yml_scalar(fn)))
        return yml_fail(err, errcap, y->file, fn ? fn : m,
                        "smtp.from must be an e-mail address such as kenes@example.kz");
    if (!bn || !notify_url_ok(yml_scalar(bn), " http https ", NULL))
        return yml_fail(err, errcap, y->file, bn ? bn : m,
                        "smtp.base_url must be the site's public address, http(s)://host[:port]"
                        ", which the links in mails start with");
    const char *tls = tn ? yml_scalar(tn) : "required";
    if (!tls || (strcmp(tls, "required") != 0 && strcmp(tls, "off") != 0))
        return yml_fail(err, errcap, y->file, tn, "smtp.starttls must be required or off");
    c->starttls_required = strcmp(tls, "required") == 0;
    const char *digest = dn ? yml_scalar(dn) : "off";
    if (!digest || (strcmp(digest, "off") != 0 && strcmp(digest, "daily") != 0))
        return yml_fail(err, errcap, y->file, dn, "smtp.digest must be off or daily");
    c->digest_minute = -1;
    if (strcmp(digest, "daily") == 0) {
        const char *at = an ? yml_scalar(an) : "08:00";
        int h, mi, used = 0;
        if (!at || sscanf(at, "%2d:%2d%n", &h, &mi, &used) != 2 || at[used] || h < 0 ||
            h > 23 || mi < 0 || mi > 59)
            return yml_fail(err, errcap, y->file, an, "smtp.digest_at must be HH:MM (UTC)");
        c->digest_minute = h * 60 + mi;
    }
    if ((rc = opt_copy(&c->smtp_url, y, m, "url")) < 0 ||
        (rc = opt_copy(&c->from, y, m, "from")) < 0 ||
        (rc = opt_copy(&c->base_url, y, m, "base_url")) < 0 ||
        (rc = opt_copy(&c->user, y, m, "user")) < 0)
        return rc;
    /* Links are <base_url>/ui/d/<id>: one slash between. */
    size_t bl = strlen(c->base_url);
    while (bl && c->base_url[bl - 1] == '/')
        c->base_url[--bl] = '\0';
    char why[600];
    if (pn && (!yml_scalar(pn) ||
               read_secret_file(&c->password, data_dir, yml_scalar(pn), why, sizeof(why)) < 0))
        return yml_fail(err, errcap, y->file, pn, "smtp.password_file: %s", why);
    if (c->user && !c->password)
        return yml_fail(err, errcap, y->file, m, "smtp.user needs smtp.password_file");
    return 0;
}

int notify_conf_load(notify_conf *c, const char *data_dir, char *err, size_t errcap)
{
    memset(c, 0, sizeof(*c));
    c->digest_minute = -1;
    c->give_up_days = NOTIFY_GIVE_UP_DAYS;
    char path[4096];
    util_path(path, sizeof(path), data_dir, "kenes.yaml");
    yml_doc y;
    int found;
    int rc = yml_load_optional(&y, &found, path, err, errcap);
    if (rc < 0 || !found)
        return rc;
    yaml_node_t *root = yml_root(&y), *n;
    if (root && (n = yml_get(&y, root, "webhooks")) &&
        (rc = load_webhooks(c, &y, n, data_dir, err, errcap)) < 0)
        goto out;
    if (root && (n = yml_get(&y, root, "smtp")) &&
        (rc = load_smtp(c, &y, n, data_dir, err, errcap)) < 0)
        goto out;
    yaml_node_t *g = root ? yml_get(&y, yml_get(&y, root, "notify"), "give_up_days") : NULL;
    if (g) {
        const char *v = yml_scalar(g);
        char *end;
        long d = v ? strtol(v, &end, 10) : 0;
        if (!v || *end || end == v || d < 1 || d > 365) {
            rc = yml_fail(err, errcap, path, g, "notify.give_up_days must be 1 to 365");
            goto out;
        }
        c->give_up_days = (unsigned)d;
    }
out:
    yml_dispose(&y);
    if (rc < 0)
        notify_conf_dispose(c);
    return rc;
}

static void free_secret(char *s)
{
    if (s)
        sodium_memzero(s, strlen(s));
    free(s);
}

void notify_conf_dispose(notify_conf *c)
{
    for (size_t i = 0; i < c->nwebhooks; i++) {
        free(c->webhooks[i].url);
        free(c->webhooks[i].where);
        free_secret(c->webhooks[i].secret);
    }
    free(c->webhooks);
    free(c->smtp_url);
    free(c->from);
    free(c->user);
    free_secret(c->password);
    free(c->base_url);
    memset(c, 0, sizeof(*c));
    c->digest_minute = -1;
}
