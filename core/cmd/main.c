/*
 * kenes — the command line.
 *
 *   kenes init  --data DIR
 *   kenes user add --data DIR --name N --role R [--region KZ-XX] [--agency CODE]
 *                  [--email ADDR] [--lang ru|kk|en] --password-stdin
 *   kenes user passwd --data DIR --name N --password-stdin
 *   kenes user disable|enable --data DIR --name N
 *   kenes user email --data DIR --name N --email ADDR [--lang ru|kk|en]
 *   kenes serve [--data DIR] [--listen HOST:PORT] [--demo]
 *   kenes serve --replica [--primary URL] [--data DIR] [--listen HOST:PORT]
 *   kenes verify --data DIR [--descends-from COMMIT]... [--log-at LINES:HASH]
 *   kenes accept --data DIR [--by NAME] COMMIT...
 *   kenes key rotate --data DIR [--by NAME]
 *   kenes gc --data DIR
 *   kenes backup --data DIR --to FILE [--with-keys] [--force]
 *   kenes restore --from FILE --data NEWDIR
 *   kenes --version | help
 *
 * Exit codes: 0 ok, 1 runtime fault, 2 usage error; errors are one line on stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd/accept.h"
#include "cmd/backup.h"
#include "cmd/restore.h"
#include "cmd/gc.h"
#include "auth/auth.h"
#include "cmd/keyrotate.h"
#include "cmd/migrate.h"
#include "base/config.h"
#include "base/modes.h"
#include "plugin/region.h"
#include "cmd/server.h"
#include "auth/sessions.h"
#include "base/util.h"
#include "cmd/verify.h"
#include "storage/store.h"
#include "docs/content.h"
#include "docs/datadir.h"

enum { EXIT_OK = 0, EXIT_FAULT = 1, EXIT_USAGE = 2 };

static const char usage_text[] =
    "usage:\n"
    "  kenes init --data DIR\n"
    "      create DIR with documents.git, cases.git and kenes.yaml\n"
    "  kenes user add --data DIR --name NAME --role ROLE [--region KZ-XX] [--agency CODE]\n"
    "                 [--email ADDR] [--lang ru|kk|en] --password-stdin\n"
    "      roles: regional-official, commission-chair, commission-secretary and\n"
    "             akimat-approver (need --region), agency-officer (needs --region and\n"
    "             --agency, a code content/agencies.yaml lists for the region),\n"
    "             ministry-reviewer, auditor, admin; passwords have 12 characters or more\n"
    "             and must pass cracklib's check (no dictionary words, no repeats)\n"
    "  kenes user passwd --data DIR --name NAME --password-stdin\n"
    "      give a user a new password; their sessions end at once\n"
    "  kenes user disable|enable --data DIR --name NAME\n"
    "      a disabled user cannot log in and their tokens stop working at once\n"
    "  kenes user email --data DIR --name NAME --email ADDR [--lang ru|kk|en]\n"
    "      where the user's notices go (inbox, overdue; see kenes.yaml smtp:) and in which\n"
    "      language (default ru); --email \"\" sends them none\n"
    "  kenes serve [--data DIR] [--listen HOST:PORT] [--demo]\n"
    "      serve the API (default ./kenes-data, created on first start; 127.0.0.1:8080;\n"
    "      port 0 picks a free port); --demo adds the demo logins and prints them\n"
    "      (refused on a folder with users or documents the demo did not make)\n"
    "  kenes serve --replica [--primary URL] [--data DIR] [--listen HOST:PORT]\n"
    "      serve read-only from repositories the primary's mirrors push to, following\n"
    "      main and checking each commit's signature; every write answers 503 naming\n"
    "      the primary (kenes.yaml replica: primary: URL does the same)\n"
    "  kenes reindex --data DIR\n"
    "      rebuild the history journals (DATA/index/) from git alone; the server must be stopped\n"
    "  kenes verify --data DIR [--descends-from COMMIT]... [--log-at LINES:HASH]\n"
    "      check every commit's trailers and document, the access log and its signed\n"
    "      checkpoint; exit 1 on a fault.  --descends-from: a commit seen earlier (GET\n"
    "      /api/v1/audit/head) that main must still contain; --log-at: a position of the\n"
    "      access log seen earlier that the log must still reach\n"
    "  kenes accept --data DIR [--by ADMIN] COMMIT...\n"
    "      keep commits made on main outside kenes (serve names them): an admin's decision,\n"
    "      recorded in a commit kenes signs; the server must be stopped\n"
    "  kenes key rotate --data DIR [--by ADMIN]\n"
    "      replace the signing key, recorded in each repository by a commit the old key\n"
    "      signs; the server must be stopped\n"
    "  kenes gc --data DIR\n"
    "      pack both repositories into one pack each now and drop what no commit reaches\n"
    "      (only objects over an hour old); safe while a server serves DIR\n"
    "  kenes backup --data DIR --to FILE [--with-keys] [--force]\n"
    "      write one archive of DIR (both repositories, the journals, the access log and\n"
    "      its checkpoint, users.yaml, kenes.yaml, allowed_signers, the public key); safe\n"
    "      while a server serves DIR.  --with-keys adds keys/, sealed with the passphrase\n"
    "      on the first line of standard input (12 characters or more); --force replaces\n"
    "      an existing FILE\n"
    "  kenes restore --from FILE --data NEWDIR\n"
    "      check the archive, make NEWDIR (absent or empty) from it and run verify on it;\n"
    "      an archive with keys needs their passphrase on standard input\n"
    "  kenes migrate --data DIR [--by ADMIN]\n"
    "      move a data folder made before issue 16 to the fan-out layout (a case's files\n"
    "      in a folder named by its uuid's first two characters), one signed commit per\n"
    "      repository; the server must be stopped\n"
    "  kenes --version | help\n";

static int usage(const char *fmt, const char *arg)
{
    fprintf(stderr, "kenes: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, " (see 'kenes help')\n");
    return EXIT_USAGE;
}

typedef struct opts {
    const char *data, *listen, *name, *role, *region, *agency, *email, *lang, *primary;
    int demo, password_stdin, replica;
} opts;

/* Parse --flags; only those named in `allowed` are accepted. */
static int parse_opts(opts *o, int argc, char **argv, const char *allowed)
{
    memset(o, 0, sizeof(*o));
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        char key[64];
        snprintf(key, sizeof(key), " %s ", a);
        if (strncmp(a, "--", 2) != 0 || !strstr(allowed, key))
            return usage("unknown argument '%s'", a);
        const char **slot = NULL;
        if (strcmp(a, "--demo") == 0) {
            o->demo = 1;
            continue;
        }
        if (strcmp(a, "--replica") == 0) {
            o->replica = 1;
            continue;
        }
        if (strcmp(a, "--password-stdin") == 0) {
            o->password_stdin = 1;
            continue;
        }
        if (strcmp(a, "--data") == 0)
            slot = &o->data;
        else if (strcmp(a, "--listen") == 0)
            slot = &o->listen;
        else if (strcmp(a, "--name") == 0)
            slot = &o->name;
        else if (strcmp(a, "--role") == 0)
            slot = &o->role;
        else if (strcmp(a, "--region") == 0)
            slot = &o->region;
        else if (strcmp(a, "--agency") == 0)
            slot = &o->agency;
        else if (strcmp(a, "--email") == 0)
            slot = &o->email;
        else if (strcmp(a, "--lang") == 0)
            slot = &o->lang;
        else if (strcmp(a, "--primary") == 0)
            slot = &o->primary;
        if (!slot || i + 1 >= argc)
            return usage("%s needs a value", a);
        *slot = argv[++i];
    }
    return 0;
}

static int load_config(config *cfg, const char *data)
{
    char err[1024];
    if (config_load(cfg, data, err, sizeof(err)) < 0) {
        fprintf(stderr, "kenes: configuration: %s\n", err);
        return EXIT_FAULT;
    }
    return 0;
}

static int cmd_init(int argc, char **argv)
{
    opts o;
    char err[1024];
    if (parse_opts(&o, argc, argv, " --data "))
        return EXIT_USAGE;
    if (!o.data)
        return usage("%s needs --data DIR", "init");
    if (datadir_init(o.data, err, sizeof(err)) < 0) {
        fprintf(stderr, "kenes: init: %s\n", err);
        return EXIT_FAULT;
    }
    printf("Initialised %s (documents.git, cases.git, kenes.yaml)\n", o.data);
    return EXIT_OK;
}

/* The password on the first line of standard input; 0, or a usage error. */
static int read_password(char *out, size_t cap, const char *cmd)
{
    if (!fgets(out, (int)cap, stdin))
        return usage("%s: no password on standard input", cmd);
    out[strcspn(out, "\r\n")] = '\0';
    return 0;
}

/* kenes user passwd|disable|enable: change one user in DATA/users.yaml. */
static int cmd_user_change(const char *sub, int argc, char **argv)
{
    opts o;
    char err[1024], path[4096], password[1024], what[32];
    int passwd = strcmp(sub, "passwd") == 0;
    snprintf(what, sizeof(what), "user %s", sub);
    if (parse_opts(&o, argc, argv, passwd ? " --data --name --password-stdin " : " --data --name "))
        return EXIT_USAGE;
    if (!o.data || !o.name || (passwd && !o.password_stdin))
        return usage(passwd ? "%s needs --data, --name and --password-stdin"
                            : "%s needs --data and --name",
                     what);
    if (passwd && read_password(password, sizeof(password), what))
        return EXIT_USAGE;
    util_path(path, sizeof(path), o.data, "users.yaml");
    int rc = passwd ? auth_users_passwd(path, o.name, password, err, sizeof(err))
                    : auth_users_set_disabled(path, o.name, strcmp(sub, "disable") == 0, err,
                                              sizeof(err));
    memset(password, 0, sizeof(password));
    if (rc == 0 && strcmp(sub, "disable") == 0) {
        /* A running server drops them itself; a stopped one would find them
         * alive again if the user were enabled before it starts. */
        util_path(path, sizeof(path), o.data, "sessions.json");
        rc = sessions_drop_user(path, o.name, err, sizeof(err));
    }
    if (rc < 0) {
        fprintf(stderr, "kenes: %s: %s\n", what, err);
        return rc == KENES_EINVAL ? EXIT_USAGE : EXIT_FAULT;
    }
    if (passwd)
        printf("Changed the password of %s\n", o.name);
    else
        printf("%s %s\n", strcmp(sub, "disable") == 0 ? "Disabled" : "Enabled", o.name);
    return EXIT_OK;
}

/* kenes user email: the address a user's notices go to, and their language. */
static int cmd_user_email(int argc, char **argv)
{
    opts o;
    char err[1024], path[4096];
    if (parse_opts(&o, argc, argv, " --data --name --email --lang "))
        return EXIT_USAGE;
    if (!o.data || !o.name || !o.email)
        return usage("%s needs --data, --name and --email", "user email");
    util_path(path, sizeof(path), o.data, "users.yaml");
    int rc = auth_users_set_email(path, o.name, o.email, o.lang, err, sizeof(err));
    if (rc < 0) {
        fprintf(stderr, "kenes: user email: %s\n", err);
        return rc == KENES_EINVAL ? EXIT_USAGE : EXIT_FAULT;
    }
    if (*o.email)
        printf("Notices of %s go to %s\n", o.name, o.email);
    else
        printf("%s gets no notices by e-mail\n", o.name);
    return EXIT_OK;
}

/* An agency officer's --agency must be one of content/agencies.yaml's for
 * the region: the server would refuse to start otherwise. */
static int check_agency(const config *cfg, const opts *o)
{
    char err[1024], path[4096];
    json_t *lists = NULL;
    if (content_load(&lists, cfg->content_dir, err, sizeof(err)) < 0) {
        fprintf(stderr, "kenes: content: %s\n", err);
        return EXIT_FAULT;
    }
    int known = content_agency_known(lists, o->region, o->agency);
    json_decref(lists);
    if (known)
        return EXIT_OK;
    util_path(path, sizeof(path), cfg->content_dir, "agencies.yaml");
    fprintf(stderr, "kenes: user add: user '%s': agency '%s' is not one of %s's in %s\n",
            o->name, o->agency, o->region, path);
    return EXIT_USAGE;
}

static int cmd_user(int argc, char **argv)
{
    opts o;
    config cfg;
    char err[1024], path[4096], password[1024];
    if (argc >= 1 && (strcmp(argv[0], "passwd") == 0 || strcmp(argv[0], "disable") == 0 ||
                      strcmp(argv[0], "enable") == 0))
        return cmd_user_change(argv[0], argc - 1, argv + 1);
    if (argc >= 1 && strcmp(argv[0], "email") == 0)
        return cmd_user_email(argc - 1, argv + 1);
    if (argc < 1 || strcmp(argv[0], "add") != 0)
        return usage("unknown user command '%s'", argc ? argv[0] : "");
    if (parse_opts(&o, argc - 1, argv + 1, " --data --name --role --region --agency --email --lang "
                                           "--password-stdin "))
        return EXIT_USAGE;
    if (!o.data || !o.name || !o.role || !o.password_stdin)
        return usage("%s needs --data, --name, --role and --password-stdin", "user add");
    enum role role = role_parse(o.role);
    if (role == ROLE_NONE)
        return usage("unknown role '%s'", o.role);
    if (load_config(&cfg, o.data))
        return EXIT_FAULT;
    snprintf(path, sizeof(path), "%s/regions.yaml", cfg.content_dir);
    int code = EXIT_OK;
    if (region_load(path, err, sizeof(err)) < 0) {
        fprintf(stderr, "kenes: regions: %s\n", err);
        code = EXIT_FAULT;
        goto out;
    }
    if (o.region && !region_find(o.region)) {
        code = usage("unknown region '%s'", o.region);
        goto out;
    }
    if (o.agency && role == ROLE_AGENCY && o.region && (code = check_agency(&cfg, &o)) != EXIT_OK)
        goto out;
    if (read_password(password, sizeof(password), "user add")) {
        code = EXIT_USAGE;
        goto out;
    }
    util_path(path, sizeof(path), o.data, "users.yaml");
    int rc = auth_users_add_contact(path, o.name, role, o.region, o.agency, o.email, o.lang,
                                    password, err, sizeof(err));
    memset(password, 0, sizeof(password));
    if (rc < 0) {
        fprintf(stderr, "kenes: user add: %s\n", err);
        code = rc == KENES_EINVAL ? EXIT_USAGE : EXIT_FAULT;
        goto out;
    }
    printf("Added %s (%s%s%s%s%s)\n", o.name, o.role, o.region ? ", " : "",
           o.region ? o.region : "", o.agency ? ", " : "", o.agency ? o.agency : "");
out:
    region_unload();
    config_dispose(&cfg);
    return code;
}

static int cmd_serve(int argc, char **argv)
{
    opts o;
    config cfg;
    if (parse_opts(&o, argc, argv, " --data --listen --demo --replica --primary "))
        return EXIT_USAGE;
    if (o.primary && !o.replica)
        return usage("%s names a replica's primary: it goes with --replica", "--primary");
    if (o.primary && config_check_primary(o.primary) < 0)
        return usage("--primary takes the primary's address, http(s)://host[:port], not '%s'",
                     o.primary);
    if (o.replica && o.demo)
        return usage("%s adds documents and logins: a replica writes neither", "--demo");
    if (load_config(&cfg, o.data ? o.data : "kenes-data"))
        return EXIT_FAULT;
    if (o.replica)
        cfg.replica = 1;
    if (o.primary) {
        free(cfg.replica_primary);
        cfg.replica_primary = strdup(o.primary);
    }
    if (cfg.replica && !cfg.replica_primary) {
        config_dispose(&cfg);
        return usage("a replica names its primary: %s URL, or replica: primary: in kenes.yaml",
                     "--primary");
    }
    if (o.listen && config_parse_listen(&cfg, o.listen) < 0) {
        config_dispose(&cfg);
        return usage("--listen takes HOST:PORT, not '%s'", o.listen);
    }
    int code = server_run(&cfg, o.demo);
    config_dispose(&cfg);
    return code;
}

static int cmd_reindex(int argc, char **argv)
{
    opts o;
    config cfg;
    if (parse_opts(&o, argc, argv, " --data "))
        return EXIT_USAGE;
    if (!o.data)
        return usage("%s needs --data DIR", "reindex");
    if (load_config(&cfg, o.data))
        return EXIT_FAULT;
    /* The journals it rewrites are the ones a running server appends to. */
    char err[1024];
    int lock = -1, code = EXIT_FAULT;
    if (datadir_lock(&lock, cfg.data_dir, "reindex", err, sizeof(err)) < 0)
        fprintf(stderr, "kenes: reindex: %s\n", err);
    else
        code = verify_reindex(&cfg) == 0 ? EXIT_OK : EXIT_FAULT;
    datadir_unlock(lock);
    config_dispose(&cfg);
    return code;
}

static int cmd_gc(int argc, char **argv)
{
    opts o;
    config cfg;
    char err[512];
    if (parse_opts(&o, argc, argv, " --data "))
        return EXIT_USAGE;
    if (!o.data)
        return usage("%s needs --data DIR", "gc");
    if (load_config(&cfg, o.data))
        return EXIT_FAULT;
    int rc = gc_run(&cfg, err, sizeof(err));
    if (rc < 0)
        fprintf(stderr, "kenes: gc: %s\n", err);
    config_dispose(&cfg);
    return rc < 0 ? EXIT_FAULT : EXIT_OK;
}

static int cmd_verify(int argc, char **argv)
{
    opts o;
    config cfg;
    /* The pins an auditor brings (repeatable) are taken out first; the rest
     * are the common flags. */
    char **rest = calloc((size_t)argc + 1, sizeof(*rest));
    const char **descends = calloc((size_t)argc + 1, sizeof(*descends));
    anchor_pins pins = {.descends_from = descends};
    int nrest = 0;
    if (!rest || !descends) {
        free(rest);
        free(descends);
        return EXIT_FAULT;
    }
    for (int i = 0; i < argc; i++) {
        int pin = strcmp(argv[i], "--descends-from") == 0 || strcmp(argv[i], "--log-at") == 0;
        if (pin && i + 1 >= argc) {
            free(rest);
            free(descends);
            return usage("%s needs a value", argv[i]);
        }
        if (!pin)
            rest[nrest++] = argv[i];
        else if (strcmp(argv[i++], "--log-at") == 0)
            pins.log_at = argv[i];
        else
            descends[pins.ndescends++] = argv[i];
    }
    size_t lines;
    char head[CKPT_HASH_HEX];
    int code = parse_opts(&o, nrest, rest, " --data ");
    if (code == 0 && !o.data)
        code = usage("%s needs --data DIR", "verify");
    if (code == 0 && pins.log_at && anchor_parse_log_at(&lines, head, pins.log_at) < 0)
        code = usage("--log-at '%s' is not LINES:HASH (the access log's lines and the "
                     "SHA-256 hex of the last, as GET /api/v1/audit/head gives them)", pins.log_at);
    if (code == 0 && !(code = load_config(&cfg, o.data))) {
        code = verify_run_pinned(&cfg, &pins) == 0 ? EXIT_OK : EXIT_FAULT;
        config_dispose(&cfg);
    }
    free(rest);
    free(descends);
    return code;
}

#define BACKUP_PASSPHRASE_MIN 12

static int cmd_backup(int argc, char **argv)
{
    const char *data = NULL;
    backup_opts bo = {0};
    int with_keys = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--with-keys") == 0)
            with_keys = 1;
        else if (strcmp(argv[i], "--force") == 0)
            bo.force = 1;
        else if ((strcmp(argv[i], "--data") == 0 || strcmp(argv[i], "--to") == 0) && i + 1 < argc)
            *(strcmp(argv[i], "--data") == 0 ? &data : &bo.to) = argv[i + 1], i++;
        else
            return usage(strncmp(argv[i], "--", 2) == 0 && (strcmp(argv[i], "--data") == 0 ||
                                                            strcmp(argv[i], "--to") == 0)
                             ? "%s needs a value"
                             : "unknown argument '%s'",
                         argv[i]);
    }
    if (!data || !bo.to)
        return usage("%s needs --data DIR and --to FILE", "backup");
    char pass[1024] = "";
    if (with_keys) {
        if (read_password(pass, sizeof(pass), "backup --with-keys"))
            return EXIT_USAGE;
        if (strlen(pass) < BACKUP_PASSPHRASE_MIN) {
            memset(pass, 0, sizeof(pass));
            return usage("%s: the passphrase needs 12 characters or more", "backup --with-keys");
        }
        bo.passphrase = pass;
    }
    config cfg;
    char err[1024];
    int code = load_config(&cfg, data);
    if (code == 0) {
        int rc = backup_run(&cfg, &bo, err, sizeof(err));
        if (rc < 0)
            fprintf(stderr, "kenes: backup: %s\n", err);
        code = rc < 0 ? EXIT_FAULT : EXIT_OK;
        config_dispose(&cfg);
    }
    memset(pass, 0, sizeof(pass));
    return code;
}

static int cmd_restore(int argc, char **argv)
{
    const char *from = NULL, *data = NULL;
    for (int i = 0; i < argc; i++) {
        if ((strcmp(argv[i], "--from") == 0 || strcmp(argv[i], "--data") == 0) && i + 1 < argc)
            *(strcmp(argv[i], "--from") == 0 ? &from : &data) = argv[i + 1], i++;
        else
            return usage(strcmp(argv[i], "--from") == 0 || strcmp(argv[i], "--data") == 0
                             ? "%s needs a value"
                             : "unknown argument '%s'",
                         argv[i]);
    }
    if (!from || !data)
        return usage("%s needs --from FILE and --data NEWDIR", "restore");
    char err[1024];
    int rc = restore_run(from, data, stdin, err, sizeof(err));
    if (rc < 0)
        fprintf(stderr, "kenes: restore: %s\n", err);
    return rc == KENES_EPRECONDITION ? EXIT_USAGE : rc == 0 ? EXIT_OK : EXIT_FAULT;
}

static int clear_leftovers(const config *cfg, char *err, size_t errcap)
{
    char path[4096];
    for (int r = 0; r < 2; r++) {
        util_path(path, sizeof(path), cfg->data_dir, datadir_repo_names[r]);
        if (datadir_clear_leftovers(NULL, path, datadir_repo_names[r]) < 0) {
            util_set_err(err, errcap, "cannot clear what a crash left in %s", path);
            return KENES_EIO;
        }
    }
    return 0;
}

/* kenes accept / key rotate: --data DIR, --by NAME, and (accept) commit ids. */
/* kind: 0 accept, 1 key rotate, 2 migrate (the last two take no commits). */
static int cmd_decision(int kind, int argc, char **argv)
{
    static const char *const names[] = {"accept", "key rotate", "migrate"};
    int rotate = kind > 0;
    const char *data = NULL, *by = NULL, *what = names[kind];
    const char **commits = calloc((size_t)argc + 1, sizeof(*commits));
    size_t n = 0;
    config cfg;
    char err[1024] = "";
    if (!commits)
        return EXIT_FAULT;
    for (int i = 0; i < argc; i++) {
        const char **slot = strcmp(argv[i], "--data") == 0 ? &data
                            : strcmp(argv[i], "--by") == 0 ? &by
                                                             : NULL;
        if (slot && i + 1 < argc) {
            *slot = argv[++i];
        } else if (slot || strncmp(argv[i], "--", 2) == 0 || rotate) {
            free(commits);
            return usage(slot ? "%s needs a value" : "unknown argument '%s'", argv[i]);
        } else {
            commits[n++] = argv[i];
        }
    }
    if (!data || (!rotate && n == 0)) {
        free(commits);
        return usage(rotate ? "%s needs --data DIR" : "%s needs --data DIR and a commit", what);
    }
    if (load_config(&cfg, data)) {
        free(commits);
        return EXIT_FAULT;
    }
    /* Each commits with the server stopped, which its lock on DATA proves;
     * holding it, what a crash left (a main.lock) is cleared as serve would. */
    int lock = -1;
    int rc = datadir_lock(&lock, cfg.data_dir, what, err, sizeof(err));
    if (rc == 0)
        rc = clear_leftovers(&cfg, err, sizeof(err));
    if (rc == 0)
        rc = kind == 2 ? migrate_run(&cfg, by, err, sizeof(err))
             : rotate  ? keyrotate_run(&cfg, by, err, sizeof(err))
                       : accept_run(&cfg, commits, n, by, err, sizeof(err));
    datadir_unlock(lock);
    if (rc < 0)
        fprintf(stderr, "kenes: %s: %s\n", what, err);
    free(commits);
    config_dispose(&cfg);
    return rc == KENES_EINVAL ? EXIT_USAGE : rc < 0 ? EXIT_FAULT : EXIT_OK;
}

int main(int argc, char **argv)
{
    /* Before anything is created: the data folder is this user's alone
     * (modes.h); what is meant for everyone is given its mode explicitly. */
    umask(MODES_UMASK);
    if (argc < 2)
        return usage("%s", "a command is needed");
    const char *cmd = argv[1];
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("kenes %s (plugin ABI %d)\n", KENES_VERSION, KENES_ABI_VERSION);
        return EXIT_OK;
    }
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        fputs(usage_text, stdout);
        return EXIT_OK;
    }
    if (strcmp(cmd, "init") == 0)
        return cmd_init(argc - 2, argv + 2);
    if (strcmp(cmd, "user") == 0)
        return cmd_user(argc - 2, argv + 2);
    if (strcmp(cmd, "serve") == 0)
        return cmd_serve(argc - 2, argv + 2);
    if (strcmp(cmd, "verify") == 0)
        return cmd_verify(argc - 2, argv + 2);
    if (strcmp(cmd, "reindex") == 0)
        return cmd_reindex(argc - 2, argv + 2);
    if (strcmp(cmd, "gc") == 0)
        return cmd_gc(argc - 2, argv + 2);
    if (strcmp(cmd, "pack-child") == 0) /* the server's own, never a person's */
        return store_pack_child_main(argc - 2, argv + 2);
    if (strcmp(cmd, "backup") == 0)
        return cmd_backup(argc - 2, argv + 2);
    if (strcmp(cmd, "restore") == 0)
        return cmd_restore(argc - 2, argv + 2);
    if (strcmp(cmd, "accept") == 0)
        return cmd_decision(0, argc - 2, argv + 2);
    if (strcmp(cmd, "key") == 0 && argc >= 3 && strcmp(argv[2], "rotate") == 0)
        return cmd_decision(1, argc - 3, argv + 3);
    if (strcmp(cmd, "migrate") == 0)
        return cmd_decision(2, argc - 2, argv + 2);
    return usage("unknown command '%s'", cmd);
}
