/* kenes restore (restore.h). */
#include "cmd/restore.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include "kenes/plugin.h"
#include "base/config.h"
#include "base/error.h"
#include "base/util.h"
#include "cmd/verify.h"
#include "docs/datadir.h"
#include "storage/archive.h"
#include "storage/keyseal.h"
#include "storage/store_backup.h"

/* What a kenes backup holds; anything else is refused. */
static const char *const known[] = {
    "documents.git.pack", "cases.git.pack", "documents.git/config", "cases.git/config",
    "index/documents.jsonl", "index/cases.jsonl", "access.log", "access.log.checkpoint",
    "users.yaml", "kenes.yaml", "allowed_signers", "keys/signing.pub", "keys.enc"};

static int is_known(const char *name)
{
    for (size_t i = 0; i < UTIL_ARRAY_LEN(known); i++)
        if (strcmp(name, known[i]) == 0)
            return 1;
    return 0;
}

static int is_public(const char *name)
{
    return strcmp(name, "allowed_signers") == 0 || strcmp(name, "keys/signing.pub") == 0;
}

/* 1 when path is absent or an empty folder. */
static int empty_or_absent(const char *path)
{
    struct stat st;
    if (lstat(path, &st) < 0)
        return errno == ENOENT;
    if (!S_ISDIR(st.st_mode))
        return 0;
    DIR *d = opendir(path);
    if (!d)
        return 0;
    int empty = 1;
    for (struct dirent *e; empty && (e = readdir(d));)
        empty = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
    closedir(d);
    return empty;
}

/* A key file's name inside the sealed keys: a plain relative path. */
static int key_name_ok(const char *name)
{
    if (!*name || name[0] == '/' || strstr(name, "..") || strlen(name) > 200)
        return 0;
    for (const char *p = name; *p; p++)
        if (!(*p == '/' || *p == '.' || *p == '_' || *p == '-' || (*p >= '0' && *p <= '9') ||
              (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
            return 0;
    return 1;
}

/* A new file, 0600, not synced one by one: thousands of case keys would
 * cost a sync each; the whole folder is synced once before it moves in. */
static int write_new(const char *path, const char *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return kenes_error_from_errno(errno);
    int rc = util_write_all(fd, data, len);
    if (close(fd) < 0)
        rc = KENES_EIO;
    return rc;
}

/* The sealed keys, opened (a zip in memory): written under dir/keys. */
static int write_keys(size_t *count, const char *dir, const char *zipdata, size_t len,
                      char *err, size_t errcap)
{
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(zipdata, len, 0, &ze);
    zip_t *za = src ? zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze) : NULL;
    zip_error_fini(&ze);
    if (!za) {
        zip_source_free(src);
        util_set_err(err, errcap, "the sealed keys are no zip archive");
        return KENES_EINVAL;
    }
    int rc = 0;
    zip_int64_t n = zip_get_num_entries(za, 0);
    *count = 0;
    for (zip_int64_t i = 0; i < n && rc == 0; i++) {
        const char *name = zip_get_name(za, (zip_uint64_t)i, 0);
        zip_stat_t zs;
        char path[4096 + 256], *slash;
        if (!name || !key_name_ok(name) || zip_stat_index(za, (zip_uint64_t)i, 0, &zs) < 0 ||
            zs.size > (1u << 20)) {
            util_set_err(err, errcap, "the sealed keys hold a file kenes backup does not write");
            rc = KENES_EINVAL;
            break;
        }
        snprintf(path, sizeof(path), "%.3800s/keys/%s", dir, name);
        for (slash = strchr(path + strlen(dir) + 6, '/'); slash; slash = strchr(slash + 1, '/')) {
            *slash = '\0';
            if (mkdir(path, 0700) < 0 && errno != EEXIST)
                rc = KENES_EIO;
            *slash = '/';
        }
        char *data = malloc(zs.size + 1);
        zip_file_t *zf = data && rc == 0 ? zip_fopen_index(za, (zip_uint64_t)i, 0) : NULL;
        zip_int64_t got = zf ? zip_fread(zf, data, zs.size) : -1;
        if (zf)
            zip_fclose(zf);
        if (got < 0 || (zip_uint64_t)got != zs.size || write_new(path, data, zs.size) < 0) {
            util_set_err(err, errcap, "cannot write keys/%s", name);
            rc = KENES_EIO;
        } else {
            (*count)++;
        }
        if (data)
            sodium_memzero(data, zs.size);
        free(data);
    }
    zip_close(za);
    return rc;
}

/* The keys, opened with the passphrase on the first line of in: before
 * anything is written, so a wrong one leaves nothing. */
static int open_keys(char **plain, size_t *plen, const archive *a, FILE *in, char *err,
                     size_t errcap)
{
    char pass[1024];
    if (!in || !fgets(pass, sizeof(pass), in)) {
        util_set_err(err, errcap, "the archive holds sealed keys: give their passphrase on the "
                     "first line of standard input");
        return KENES_EPRECONDITION;
    }
    pass[strcspn(pass, "\r\n")] = '\0';
    char *sealed = NULL;
    size_t len = 0;
    int rc = archive_extract(a, "keys.enc", NULL, 0, &sealed, &len, err, errcap);
    if (rc == 0) {
        rc = keyseal_open(plain, plen, sealed, len, pass, strlen(pass));
        if (rc == KENES_EFORBIDDEN)
            util_set_err(err, errcap, "the passphrase does not open the archive's keys: "
                         "nothing written");
        else if (rc < 0)
            util_set_err(err, errcap, "the archive's sealed keys cannot be read: %s",
                         kenes_strerror(rc));
    }
    sodium_memzero(pass, sizeof(pass));
    free(sealed);
    return rc;
}

static const char *head_of(const archive *a, int r)
{
    const char *h = json_string_value(
        json_object_get(json_object_get(archive_manifest(a), "heads"), datadir_repo_names[r]));
    if (!h || (*h && strlen(h) != 40) || strspn(h, "0123456789abcdef") != strlen(h))
        return NULL;
    return h;
}

/* Everything into dir, which is the caller's to remove on failure. */
static int build(size_t *files, const archive *a, const char *dir, const char *keys,
                 size_t keys_len, size_t *key_files, char *err, size_t errcap)
{
    char path[4096 + 64], msg[512];
    static const char *const dirs[] = {"index", "keys"};
    for (size_t i = 0; i < UTIL_ARRAY_LEN(dirs); i++) {
        util_path(path, sizeof(path), dir, dirs[i]);
        if (mkdir(path, 0700) < 0) {
            util_set_err(err, errcap, "cannot create %.900s: %s", path, strerror(errno));
            return KENES_EIO;
        }
    }
    int rc = 0;
    *files = 0;
    for (size_t i = 0; i < archive_count(a) && rc == 0; i++) {
        const char *name = archive_name(a, i);
        if (strstr(name, ".git") || strcmp(name, "keys.enc") == 0)
            continue; /* the repositories below; the keys were opened already */
        util_path(path, sizeof(path), dir, name);
        int mode = is_public(name) ? 0644 : 0600;
        if ((rc = archive_extract(a, name, path, mode, NULL, NULL, err, errcap)) == 0 &&
            chmod(path, (mode_t)mode) < 0) /* past the umask: meant for everyone */
            rc = KENES_EIO;
        (*files)++;
    }
    for (int r = 0; r < 2 && rc == 0; r++) {
        char name[64], repo[4096], pack[4096 + 64], *config = NULL;
        size_t config_len = 0;
        const char *head = head_of(a, r);
        snprintf(name, sizeof(name), "%s/config", datadir_repo_names[r]);
        rc = archive_extract(a, name, NULL, 0, &config, &config_len, err, errcap);
        if (rc == KENES_ENOTFOUND)
            rc = 0;
        snprintf(name, sizeof(name), "%s.pack", datadir_repo_names[r]);
        snprintf(pack, sizeof(pack), "%s/%s", dir, name);
        if (rc == 0 && head[0])
            rc = archive_extract(a, name, pack, 0600, NULL, NULL, err, errcap);
        util_path(repo, sizeof(repo), dir, datadir_repo_names[r]);
        if (rc == 0 && (rc = store_restore_repo(repo, pack, head, config, config_len, msg,
                                                sizeof(msg))) < 0)
            util_set_err(err, errcap, "%s: %s", datadir_repo_names[r], msg);
        unlink(pack);
        free(config);
    }
    if (rc == 0 && keys)
        rc = write_keys(key_files, dir, keys, keys_len, err, errcap);
    return rc;
}

/* Into NEWDIR, which is absent or an empty folder: everything built is on
 * disk first (one syncfs for the file system it is on). */
static int move_in(const char *tmp, const char *newdir, char *err, size_t errcap)
{
    struct stat st;
    int fd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || syncfs(fd) < 0) {
        util_set_err(err, errcap, "cannot sync %.900s: %s", tmp, strerror(errno));
        if (fd >= 0)
            close(fd);
        return KENES_EIO;
    }
    close(fd);
    if (lstat(newdir, &st) == 0 && rmdir(newdir) < 0) {
        util_set_err(err, errcap, "cannot replace the empty folder %.900s: %s", newdir,
                     strerror(errno));
        return KENES_EIO;
    }
    if (rename(tmp, newdir) < 0) {
        util_set_err(err, errcap, "cannot move the restored folder to %.900s: %s", newdir,
                     strerror(errno));
        return KENES_EIO;
    }
    return util_fsync_dir_of(newdir);
}

static int verify_restored(const char *newdir, int has_keys)
{
    config cfg;
    char err[1024];
    if (config_load(&cfg, newdir, err, sizeof(err)) < 0) {
        fprintf(stderr, "kenes: restore: the restored kenes.yaml: %s\n", err);
        return 1;
    }
    int rc = verify_run(&cfg);
    config_dispose(&cfg);
    if (!has_keys)
        printf("No keys in this backup: before kenes serve, copy master.key, signing.key and "
               "cases/ from your own backup of DATA/keys into %s/keys (files 0600, folders "
               "0700); until then no sealed case opens, and verify judged them by their "
               "commits' trailers\n", newdir);
    if (rc == 0) {
        printf("Verified %s: clean\n", newdir);
        return 0;
    }
    fprintf(stderr, "kenes: restore: %s was restored, but verify %s\n", newdir,
            rc > 0 ? "found faults (listed above)" : "could not check it");
    return 1;
}

int restore_run(const char *from, const char *newdir_arg, FILE *in, char *err, size_t errcap)
{
    archive *a = NULL;
    char *keys = NULL, tmp[4096], newdir[4000];
    /* "new/" names the folder new: its staging folder goes beside it. */
    snprintf(newdir, sizeof(newdir), "%s", newdir_arg);
    for (size_t n = strlen(newdir); n > 1 && newdir[n - 1] == '/'; n--)
        newdir[n - 1] = '\0';
    size_t keys_len = 0, files = 0, key_files = 0;
    if (!empty_or_absent(newdir)) {
        util_set_err(err, errcap, "%.900s exists and is not empty: nothing written; restore "
                     "into a new or empty folder", newdir);
        return KENES_EEXISTS;
    }
    int rc = archive_open(&a, from, err, errcap);
    if (rc < 0)
        return rc;
    int has_keys = json_is_true(json_object_get(archive_manifest(a), "keys"));
    size_t sealed = 0;
    for (size_t i = 0; i < archive_count(a) && rc == 0; i++) {
        if (!is_known(archive_name(a, i)))
            rc = KENES_EINVAL;
        sealed += strcmp(archive_name(a, i), "keys.enc") == 0;
    }
    if (rc == 0 && sealed != (size_t)has_keys)
        rc = KENES_EINVAL;
    for (int r = 0; r < 2 && rc == 0; r++)
        if (!head_of(a, r))
            rc = KENES_EINVAL;
    if (rc < 0)
        util_set_err(err, errcap, "%.900s holds what no kenes backup writes", from);
    if (rc == 0 && has_keys)
        rc = open_keys(&keys, &keys_len, a, in, err, errcap);
    /* Beside NEWDIR, on its file system, so that the move is one rename. */
    snprintf(tmp, sizeof(tmp), "%s.kenes-restore-XXXXXX", newdir);
    int made = 0;
    if (rc == 0 && !(made = mkdtemp(tmp) != NULL)) {
        util_set_err(err, errcap, "cannot create a folder beside %.900s: %s", newdir,
                     strerror(errno));
        rc = KENES_EIO;
    }
    if (rc == 0 && (rc = build(&files, a, tmp, keys, keys_len, &key_files, err, errcap)) == 0)
        rc = move_in(tmp, newdir, err, errcap);
    if (rc < 0 && made)
        util_remove_tree(tmp);
    if (keys)
        sodium_memzero(keys, keys_len);
    free(keys);
    if (rc == 0 && has_keys)
        printf("Restored %s into %s: documents.git at %s, cases.git at %s, %zu files; keys: "
               "%zu files, opened with the passphrase\n", from, newdir,
               head_of(a, 0)[0] ? head_of(a, 0) : "-", head_of(a, 1)[0] ? head_of(a, 1) : "-",
               files, key_files);
    else if (rc == 0)
        printf("Restored %s into %s: documents.git at %s, cases.git at %s, %zu files; keys: "
               "none in this backup\n", from, newdir, head_of(a, 0)[0] ? head_of(a, 0) : "-",
               head_of(a, 1)[0] ? head_of(a, 1) : "-", files);
    archive_close(a);
    if (rc < 0)
        return rc;
    fflush(stdout);
    return verify_restored(newdir, has_keys);
}
