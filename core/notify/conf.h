/*
 * kenes.yaml's notification keys: webhooks: [{url, secret_file}], smtp:
 * {url, from, starttls, user, password_file, base_url, digest, digest_at}
 * and notify: {give_up_days}.  base/config.c only lets the keys through;
 * they are read here, where libcurl judges the URLs.  Secrets are never
 * in kenes.yaml: each is a file of its own, readable by kenes's user only.
 */
#ifndef KENES_NOTIFY_CONF_H
#define KENES_NOTIFY_CONF_H

#include <stddef.h>

typedef struct notify_webhook {
    char *url;    /* http:// or https://, no credentials in it */
    char *secret; /* the secret_file's text, its last newline dropped */
    char *where;  /* "host[:port]" of url, for log lines (the path may hold a token) */
} notify_webhook;

typedef struct notify_conf {
    notify_webhook *webhooks;
    size_t nwebhooks;
    int smtp;              /* 1: smtp: is given, e-mail is sent */
    char *smtp_url;        /* smtp://host:port or smtps://host:port */
    char *from;            /* the From: address */
    int starttls_required; /* starttls: required (the default) or off */
    char *user, *password; /* SMTP AUTH, or NULL */
    char *base_url;        /* links in mails: <base_url>/ui/d/<id> */
    int digest_minute;     /* digest: daily at this UTC minute of the day; -1: a mail each */
    unsigned give_up_days; /* a delivery still failing this long after it was queued is dropped */
} notify_conf;

#define NOTIFY_GIVE_UP_DAYS 3

/* Read DATA/kenes.yaml's keys above into *out (nothing configured: all
 * empty).  0, or KENES_EINVAL with "kenes.yaml:line: why" in err: a URL
 * with another scheme or with credentials in it, a secret file missing,
 * empty or open to others, an address that is not one, a bad digest_at. */
int notify_conf_load(notify_conf *out, const char *data_dir, char *err, size_t errcap);
void notify_conf_dispose(notify_conf *c);

/* 1 if url parses (libcurl's URL parser) with one of the schemes in
 * schemes (" http https "), no user or password, and a host; *where gets
 * "host" or "host:port" (malloc'd) when where is not NULL. */
int notify_url_ok(const char *url, const char *schemes, char **where);

#endif
