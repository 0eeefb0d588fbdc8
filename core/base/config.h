/*
 * kenes.yaml: the data folder's configuration.  Every key is optional;
 * what is missing takes the default documented in config_write_default().
 */
#ifndef KENES_CONFIG_H
#define KENES_CONFIG_H

#include <stddef.h>

/* A git remote a repository is pushed to (kenes.yaml mirrors:, config_mirror.c). */
#define CONFIG_MIRROR_REPOS 2 /* 0: documents.git, 1: cases.git (REPO_DOCUMENTS, REPO_CASES) */
enum { CONFIG_MIRROR_FILE = 1, CONFIG_MIRROR_SSH, CONFIG_MIRROR_HTTPS };
typedef struct config_mirror {
    int repo;         /* 0 documents, 1 cases */
    int scheme;       /* CONFIG_MIRROR_* */
    char *url;        /* never with credentials in it */
    char *key;        /* ssh: the private key file; else NULL */
    char *token_file; /* https: a file holding the token (the password); NULL: none */
    char *user;       /* https: the user name sent with the token; NULL: "kenes" */
    char *ca_file;    /* https: PEM CAs trusted for this remote beside the system's; or NULL */
    unsigned interval_s; /* the least time between two pushes (CONFIG_MIRROR_SSH_INTERVAL_S for ssh) */
} config_mirror;
/* Debian 12's libgit2 1.5.1 loses a few hundred bytes on every ssh
 * connection that succeeds (README, "Replication: mirrors"): an ssh mirror
 * is pushed to at most this often unless its interval: says otherwise. */
#define CONFIG_MIRROR_SSH_INTERVAL_S 30
#define CONFIG_MIRROR_INTERVAL_MAX_S 86400

typedef struct config {
    char *data_dir;
    char *listen_host;
    int listen_port;
    size_t max_header_bytes;
    size_t max_body_bytes;
    unsigned request_timeout_s; /* a request must arrive whole within this */
    size_t max_connections;
    size_t max_connections_per_address; /* open at once from one client address */
    unsigned header_timeout_s;          /* a request head must arrive whole within this */
    size_t max_logins;                  /* passwords being hashed (or queued) at once */
    size_t max_logins_per_address;      /* of those, from one client address */
    unsigned session_idle_s;
    unsigned session_lifetime_s; /* a session ends this long after its login, used or not */
    char *committer_name;
    char *committer_email;
    char *workflows_dir;
    char *plugins_dir;
    char *content_dir;
    int reports_after_approval; /* publish after an approval (at most once a minute) */
    int behind_tls;             /* web.behind_tls: served over HTTPS; cookies carry Secure */
    int reports_daily_minute;   /* minute of the UTC day to publish daily; -1: never */
    size_t attachments_max_bytes; /* attachments.max_bytes: one attached file, and its route's body */
    size_t prepared_mib;          /* limits.prepared_mib: answers kept prepared (report pages, ...) */
    size_t storage_max_merge_mib; /* storage.max_merge_mib: at most this much merged at once */
    size_t storage_max_packs;     /* storage.max_packs: consolidate a repository past this many packs */
    size_t storage_pack_memory_mib; /* storage.pack_memory_mib: a pack builder's deltas, window */
    size_t index_cache_mib;       /* index.cache_mib: documents' JSON kept in memory (docs/fetch.h) */
    size_t index_snapshot_every;  /* index.snapshot_every: commits between two snapshots (docs/snap.h) */
    size_t git_cache_mib;         /* limits.git_cache_mib: libgit2's object cache and pack windows */
    size_t page_cache_mib;        /* limits.page_cache_mib: rendered pages kept (publish/pages.h) */
    config_mirror *mirrors;       /* mirrors: every remote of both repositories, in file order */
    size_t nmirrors;
    int replica;           /* serve read-only, following main (replica:, or serve --replica) */
    char *replica_primary; /* replica.primary: the primary's address, named in every refusal */
} config;

/* The most limits.git_cache_mib and limits.page_cache_mib may say (64 GiB). */
#define CONFIG_CACHE_MIB_MAX 65536

/* Defaults, then DATA/kenes.yaml if it exists.  On failure "file:line: why" in err
 * and nothing held (config_dispose already done). */
int config_load(config *out, const char *data_dir, char *err, size_t errcap);
void config_dispose(config *c);

/* Parse "127.0.0.1:8080" into host and port.  KENES_EINVAL if malformed. */
int config_parse_listen(config *c, const char *spec);

/* 0 if url can name a replica's primary: http:// or https://, printable
 * ASCII without quotes, angle brackets or credentials; else KENES_EINVAL. */
int config_check_primary(const char *url);

/* Write DATA/kenes.yaml with every default spelled out (used by init). */
int config_write_default(const char *data_dir);

#endif
