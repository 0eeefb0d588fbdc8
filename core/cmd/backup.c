/* kenes backup: the reads in the order that makes the archive consistent
 * (backup.h), into a staging folder beside FILE, then one archive. */
#include "cmd/backup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kenes/plugin.h"
#include "audit/checkpoint.h"
#include "base/error.h"
#include "base/util.h"
#include "cmd/gc.h"
#include "docs/datadir.h"
#include "publish/zipbuf.h"
#include "storage/archive.h"
#include "storage/keyseal.h"
#include "storage/store_backup.h"

#define MAX_NAMES 16
#define HEAD_TRIES 100
#define HEAD_WAIT_US 10000

typedef struct stage {
    char dir[4096];
    const char *names[MAX_NAMES];
    char buf[MAX_NAMES][64];
    size_t n;
} stage;

static void stage_add(stage *s, const char *name)
{
    snprintf(s->buf[s->n], sizeof(s->buf[s->n]), "%s", name);
    s->names[s->n] = s->buf[s->n];
    s->n++;
}

/* 1 when line is a journal line naming commit. */
static int names_commit(const char *line, size_t len, const char *commit)
{
    json_t *j = NULL;
    if (util_json_parse(&j, line, len) < 0)
        return 0;
    const char *c = json_string_value(json_object_get(j, "commit"));
    int yes = c && strcmp(c, commit) == 0;
    json_decref(j);
    return yes;
}

/* The first max whole lines of src (every whole line with SIZE_MAX), and
 * none after the journal line naming commit (when given), into the stage as
 * name; a last line still being written is left out.  KENES_ENOTFOUND when
 * src is not there (nothing staged). */
static int copy_lines(size_t *lines, stage *s, const char *src, const char *name, size_t max,
                      const char *commit)
{
    char dst[4096];
    *lines = 0;
    FILE *in = fopen(src, "re");
    if (!in)
        return errno == ENOENT ? KENES_ENOTFOUND : kenes_error_from_errno(errno);
    util_path(dst, sizeof(dst), s->dir, name);
    int fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    FILE *out = fd >= 0 ? fdopen(fd, "we") : NULL;
    if (!out) {
        if (fd >= 0)
            close(fd);
        fclose(in);
        return KENES_EIO;
    }
    char *line = NULL;
    size_t cap = 0;
    int rc = 0;
    while (*lines < max) {
        ssize_t n = getline(&line, &cap, in);
        if (n <= 0 || line[n - 1] != '\n')
            break;
        if (fwrite(line, 1, (size_t)n, out) != (size_t)n) {
            rc = KENES_EIO;
            break;
        }
        (*lines)++;
        if (commit && *commit && names_commit(line, (size_t)n, commit))
            break; /* lines after it name commits after the head taken */
    }
    if (ferror(in))
        rc = KENES_EIO;
    free(line);
    fclose(in);
    if (fclose(out) != 0 && rc == 0)
        rc = KENES_EIO;
    if (rc == 0)
        stage_add(s, name);
    return rc;
}

/* A whole file into the stage; KENES_ENOTFOUND when it is not there. */
static int copy_file(stage *s, const char *src, const char *name)
{
    char *data = NULL, dst[4096];
    size_t len = 0;
    int rc = util_read_file(&data, &len, src);
    if (rc < 0)
        return rc;
    util_path(dst, sizeof(dst), s->dir, name);
    int fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 || util_write_all(fd, data, len) < 0)
        rc = KENES_EIO;
    if (fd >= 0 && close(fd) < 0)
        rc = KENES_EIO;
    free(data);
    if (rc == 0)
        stage_add(s, name);
    return rc;
}

typedef struct taken {
    char heads[CKPT_REPOS][STORE_OID_HEX];
    size_t objects[CKPT_REPOS];
    int has_ckpt, fell_back;
    ckpt_state ckpt;
    size_t log_lines, key_files;
} taken;

static int read_heads(char heads[CKPT_REPOS][STORE_OID_HEX], const config *cfg, char *err,
                      size_t errcap)
{
    char repo[4096];
    for (int r = 0; r < CKPT_REPOS; r++) {
        util_path(repo, sizeof(repo), cfg->data_dir, datadir_repo_names[r]);
        if (store_backup_head(heads[r], repo) < 0) {
            util_set_err(err, errcap, "%s: cannot read main's head", datadir_repo_names[r]);
            return KENES_EIO;
        }
    }
    return 0;
}

/* 1 when every head the checkpoint names is one of heads or an ancestor. */
static int reached(const config *cfg, const char heads[CKPT_REPOS][STORE_OID_HEX],
                   const ckpt_state *ck)
{
    char repo[4096];
    for (int r = 0; r < CKPT_REPOS; r++) {
        if (!ck->heads[r][0])
            continue;
        util_path(repo, sizeof(repo), cfg->data_dir, datadir_repo_names[r]);
        if (!heads[r][0] || store_backup_reaches(repo, heads[r], ck->heads[r]) != 1)
            return 0;
    }
    return 1;
}

/* Step 2: both heads, then a checkpoint whose heads they reach; or, when
 * the writer keeps moving in between, the heads that checkpoint signed. */
static int heads_and_checkpoint(taken *t, stage *s, const config *cfg, char *err, size_t errcap)
{
    char path[4096], why[256], *text = NULL;
    size_t len = 0, body = 0;
    util_path(path, sizeof(path), cfg->data_dir, CKPT_FILE);
    for (int tries = 0;; tries++) {
        int rc = read_heads(t->heads, cfg, err, errcap);
        if (rc < 0)
            return rc;
        free(text);
        text = NULL;
        rc = util_read_file(&text, &len, path);
        if (rc == KENES_ENOTFOUND)
            return 0; /* a folder no server has started on: no log either */
        if (rc < 0 || ckpt_parse(&t->ckpt, &body, text, len, why, sizeof(why)) < 0) {
            util_set_err(err, errcap, "%s: %s; run kenes verify --data DIR", CKPT_FILE,
                         rc < 0 ? "cannot be read" : "not a checkpoint kenes wrote");
            free(text);
            return KENES_EIO;
        }
        if (reached(cfg, t->heads, &t->ckpt))
            break;
        if (tries + 1 < HEAD_TRIES) {
            usleep(HEAD_WAIT_US); /* the server is between main and its checkpoint */
            continue;
        }
        /* Every commit up to the checkpoint's heads carries a position of
         * the log it signs: take those heads, which main must still reach. */
        char now[CKPT_REPOS][STORE_OID_HEX];
        if ((rc = read_heads(now, cfg, err, errcap)) < 0 || !reached(cfg, now, &t->ckpt)) {
            if (rc == 0)
                util_set_err(err, errcap, "%s names a head that main does not reach: run "
                             "kenes verify --data DIR", CKPT_FILE);
            free(text);
            return rc < 0 ? rc : KENES_ESTALE;
        }
        for (int r = 0; r < CKPT_REPOS; r++)
            snprintf(t->heads[r], sizeof(t->heads[r]), "%s", t->ckpt.heads[r]);
        t->fell_back = 1;
        break;
    }
    char dst[4096];
    util_path(dst, sizeof(dst), s->dir, CKPT_FILE);
    int rc = util_write_file_atomic(dst, text, len, 0600);
    free(text);
    if (rc < 0) {
        util_set_err(err, errcap, "cannot stage %s", CKPT_FILE);
        return rc;
    }
    stage_add(s, CKPT_FILE);
    t->has_ckpt = 1;
    return 0;
}

/* Steps 1 to 4: under both repositories' gc locks. */
static int take_repos(taken *t, stage *s, const config *cfg, char *err, size_t errcap)
{
    static const char *const journals[CKPT_REPOS] = {"index/documents.jsonl",
                                                      "index/cases.jsonl"};
    char repo[CKPT_REPOS][4096], path[4096], msg[512];
    int locks[CKPT_REPOS] = {-1, -1}, rc = 0;
    for (int r = 0; r < CKPT_REPOS && rc == 0; r++) {
        util_path(repo[r], sizeof(repo[r]), cfg->data_dir, datadir_repo_names[r]);
        if ((rc = store_gc_hold(&locks[r], repo[r], msg, sizeof(msg))) < 0)
            util_set_err(err, errcap, "%s: %s", datadir_repo_names[r], msg);
    }
    if (rc == 0)
        rc = heads_and_checkpoint(t, s, cfg, err, errcap);
    /* The journal is main's first-parent history from its start, line by
     * line: cut after the head taken, it names that head's ancestors only. */
    for (int r = 0; r < CKPT_REPOS && rc == 0; r++) {
        size_t lines;
        util_path(path, sizeof(path), cfg->data_dir, journals[r]);
        rc = copy_lines(&lines, s, path, journals[r], t->heads[r][0] ? SIZE_MAX : 0,
                        t->heads[r]);
        if (rc == KENES_ENOTFOUND)
            rc = 0;
        else if (rc < 0)
            util_set_err(err, errcap, "cannot copy %s: %s", journals[r], kenes_strerror(rc));
    }
    for (int r = 0; r < CKPT_REPOS && rc == 0; r++) {
        char name[64];
        snprintf(name, sizeof(name), "%s/config", datadir_repo_names[r]);
        util_path(path, sizeof(path), repo[r], "config");
        if ((rc = copy_file(s, path, name)) == KENES_ENOTFOUND)
            rc = 0;
        if (rc < 0 || !t->heads[r][0])
            continue;
        snprintf(name, sizeof(name), "%s.pack", datadir_repo_names[r]);
        util_path(path, sizeof(path), s->dir, name);
        if ((rc = store_backup_pack(&t->objects[r], repo[r], t->heads[r], path, msg,
                                    sizeof(msg))) < 0)
            util_set_err(err, errcap, "%s: %s", datadir_repo_names[r], msg);
        else
            stage_add(s, name);
    }
    for (int r = 0; r < CKPT_REPOS; r++)
        store_gc_release(locks[r], repo[r]);
    return rc;
}

/* keys/ as it is (signing.pub aside, which goes in the clear), and the
 * master key from KENES_MASTER_KEY_FILE when it lives elsewhere. */
static int add_keys(zipbuf *zb, size_t *count, const char *dir, const char *rel)
{
    char **names = NULL;
    size_t n = 0;
    int rc = util_list_dir(&names, &n, dir, "");
    if (rc < 0)
        return *rel ? rc : 0; /* no keys/ at all: nothing to add */
    for (size_t i = 0; i < n && rc == 0; i++) {
        char path[4096], name[1024];
        struct stat st;
        util_path(path, sizeof(path), dir, names[i]);
        snprintf(name, sizeof(name), "%s%s%s", rel, *rel ? "/" : "", names[i]);
        if (lstat(path, &st) < 0)
            continue; /* gone since the listing (an erasure) */
        if (S_ISDIR(st.st_mode)) {
            rc = add_keys(zb, count, path, name);
            continue;
        }
        const char *elsewhere = getenv("KENES_MASTER_KEY_FILE");
        if (!S_ISREG(st.st_mode) || strcmp(name, "signing.pub") == 0 ||
            (strcmp(name, "master.key") == 0 && elsewhere && *elsewhere))
            continue; /* the public key goes in the clear; the master key in use was added */
        if (strstr(names[i], ".tmp."))
            continue; /* a key being written (util_write_file_atomic): its own name follows */
        char *data = NULL;
        size_t len = 0;
        if ((rc = util_read_file(&data, &len, path)) == KENES_ENOTFOUND) {
            rc = 0;
            continue;
        }
        if (rc == 0 && (rc = zipbuf_add(zb, name, data, len)) == 0)
            (*count)++;
        if (data)
            sodium_memzero(data, len);
        free(data);
    }
    util_free_list(names, n);
    return rc;
}

static int seal_keys(taken *t, stage *s, const config *cfg, const char *pass, char *err,
                     size_t errcap)
{
    zipbuf *zb = NULL;
    char *zip = NULL, *sealed = NULL, path[4096];
    size_t len = 0, slen = 0;
    int rc = zipbuf_new(&zb, util_now_ms() / 1000);
    const char *master = getenv("KENES_MASTER_KEY_FILE");
    if (rc == 0 && master && *master) {
        char *data = NULL;
        size_t mlen = 0;
        if ((rc = util_read_file(&data, &mlen, master)) == 0 &&
            (rc = zipbuf_add(zb, "master.key", data, mlen)) == 0)
            t->key_files++;
        if (data)
            sodium_memzero(data, mlen);
        free(data);
    }
    util_path(path, sizeof(path), cfg->data_dir, "keys");
    if (rc == 0)
        rc = add_keys(zb, &t->key_files, path, "");
    if (rc == 0)
        rc = zipbuf_finish(&zip, &len, zb);
    zipbuf_free(zb);
    if (rc == 0)
        rc = keyseal_seal(&sealed, &slen, zip, len, pass, strlen(pass), KEYSEAL_OPSLIMIT,
                          (size_t)KEYSEAL_MEMLIMIT);
    if (zip)
        sodium_memzero(zip, len);
    free(zip);
    if (rc == 0) {
        util_path(path, sizeof(path), s->dir, "keys.enc");
        if ((rc = util_write_file_atomic(path, sealed, slen, 0600)) == 0)
            stage_add(s, "keys.enc");
    }
    free(sealed);
    if (rc < 0)
        util_set_err(err, errcap, "cannot seal the keys: %s", kenes_strerror(rc));
    return rc;
}

static json_t *info_of(const taken *t, int with_keys)
{
    char now[64];
    util_format_rfc3339(now, sizeof(now), util_now_ms());
    json_t *heads = json_object(), *objects = json_object();
    for (int r = 0; r < CKPT_REPOS; r++) {
        json_object_set_new(heads, datadir_repo_names[r], json_string(t->heads[r]));
        json_object_set_new(objects, datadir_repo_names[r], json_integer((json_int_t)t->objects[r]));
    }
    return json_pack("{s:s, s:s, s:o, s:o, s:I, s:b}", "created", now, "kenes", KENES_VERSION,
                     "heads", heads, "objects", objects, "access_log_lines",
                     (json_int_t)t->log_lines, "keys", with_keys);
}

/* The rest (steps 5 and 6), then the archive. */
static int take_files(taken *t, stage *s, const config *cfg, const backup_opts *o, char *err,
                      size_t errcap)
{
    static const char *const plain[] = {"users.yaml", "kenes.yaml", "allowed_signers",
                                        "keys/signing.pub"};
    char path[4096];
    util_path(path, sizeof(path), cfg->data_dir, "access.log");
    size_t want = t->has_ckpt ? t->ckpt.lines : SIZE_MAX;
    int rc = copy_lines(&t->log_lines, s, path, "access.log", want, NULL);
    if (rc == KENES_ENOTFOUND && (!t->has_ckpt || want == 0))
        rc = 0;
    else if (rc == 0 && t->has_ckpt && t->log_lines < want)
        rc = KENES_ESTALE;
    if (rc < 0) {
        util_set_err(err, errcap, "access.log holds %zu whole lines, fewer than the %zu its "
                     "checkpoint signs: run kenes verify --data DIR", t->log_lines, want);
        return rc;
    }
    for (size_t i = 0; i < UTIL_ARRAY_LEN(plain); i++) {
        util_path(path, sizeof(path), cfg->data_dir, plain[i]);
        if ((rc = copy_file(s, path, plain[i])) < 0 && rc != KENES_ENOTFOUND) {
            util_set_err(err, errcap, "cannot copy %s: %s", plain[i], kenes_strerror(rc));
            return rc;
        }
    }
    return o->passphrase ? seal_keys(t, s, cfg, o->passphrase, err, errcap) : 0;
}

static int publish(const char *tmp, const char *to, int force, char *err, size_t errcap)
{
    /* Without --force a file that appeared meanwhile is not replaced. */
    int rc = renameat2(AT_FDCWD, tmp, AT_FDCWD, to, force ? 0 : RENAME_NOREPLACE);
    if (rc < 0) {
        util_set_err(err, errcap, errno == EEXIST ? "%.900s exists: nothing written (--force "
                                                    "replaces it)"
                                                  : "cannot write %.900s: %s",
                     to, strerror(errno));
        return errno == EEXIST ? KENES_EEXISTS : KENES_EIO;
    }
    return util_fsync_dir_of(to);
}

/* A backup killed midway leaves its staging folder beside FILE, and only
 * the next backup to the same FILE knows the name: it clears them.  Two
 * backups into one folder at once would clear each other's, so the folder
 * FILE is written in stays locked (flock; the kernel drops it with the
 * process) for the backup's life; *fd is the lock's descriptor. */
static int lock_beside(int *fd, const char *dir, const char *to, char *err, size_t errcap)
{
    *fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (*fd < 0) {
        util_set_err(err, errcap, "cannot open the folder of %.900s: %s", to, strerror(errno));
        return KENES_EIO;
    }
    if (flock(*fd, LOCK_EX | LOCK_NB) < 0) {
        util_set_err(err, errcap, "another kenes backup is writing into %.900s: nothing "
                                  "written; run this one when it has finished", dir);
        close(*fd);
        *fd = -1;
        return KENES_EBUSY;
    }
    return 0;
}

/* dirfd: dir, opened; name: FILE's last part. */
static void clear_leftovers(int dirfd, const char *dir, const char *name)
{
    char prefix[4096 + 16];
    snprintf(prefix, sizeof(prefix), "%s.kenes-tmp-", name);
    size_t plen = strlen(prefix);
    int fd = dup(dirfd);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        if (fd >= 0)
            close(fd);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        /* mkdtemp's six characters, nothing more: never another file. */
        if (strncmp(e->d_name, prefix, plen) != 0 || strlen(e->d_name) != plen + 6)
            continue;
        char path[8192 + 8];
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (util_remove_tree(path) == 0)
            fprintf(stderr, "kenes: backup: removed %s, left by a backup that did not finish\n",
                    path);
    }
    closedir(d);
}

int backup_run(const config *cfg, const backup_opts *o, char *err, size_t errcap)
{
    stage s = {0};
    taken t = {0};
    struct stat st;
    if (!o->force && lstat(o->to, &st) == 0) {
        util_set_err(err, errcap, "%.900s exists: nothing written (--force replaces it)", o->to);
        return KENES_EEXISTS;
    }
    int rc = gc_owner_check(cfg, "backup", err, errcap);
    if (rc < 0)
        return rc;
    if ((rc = store_pack_limits(cfg->storage_pack_memory_mib)) < 0) {
        util_set_err(err, errcap, "storage.pack_memory_mib is out of range");
        return rc;
    }
    /* dirname and basename may change what they are given: a copy each. */
    char dir[4096], name[4096];
    snprintf(dir, sizeof(dir), "%s", o->to);
    snprintf(name, sizeof(name), "%s", o->to);
    const char *where = dirname(dir);
    int lock;
    if ((rc = lock_beside(&lock, where, o->to, err, errcap)) < 0)
        return rc;
    clear_leftovers(lock, where, basename(name));
    snprintf(s.dir, sizeof(s.dir), "%s.kenes-tmp-XXXXXX", o->to);
    if (!mkdtemp(s.dir)) {
        util_set_err(err, errcap, "cannot create a folder beside %.900s: %s", o->to,
                     strerror(errno));
        close(lock);
        return KENES_EIO;
    }
    char sub[4096 + 32];
    static const char *const dirs[] = {"index", "keys", "documents.git", "cases.git"};
    for (size_t i = 0; i < UTIL_ARRAY_LEN(dirs) && rc == 0; i++) {
        util_path(sub, sizeof(sub), s.dir, dirs[i]);
        if (mkdir(sub, 0700) < 0) {
            util_set_err(err, errcap, "cannot create %.900s", sub);
            rc = KENES_EIO;
        }
    }
    if (rc == 0)
        rc = take_repos(&t, &s, cfg, err, errcap);
    if (rc == 0)
        rc = take_files(&t, &s, cfg, o, err, errcap);
    json_t *info = rc == 0 ? info_of(&t, o->passphrase != NULL) : NULL;
    util_path(sub, sizeof(sub), s.dir, "backup.zip");
    if (rc == 0)
        rc = archive_write(sub, s.dir, s.names, s.n, info, err, errcap);
    json_decref(info);
    if (rc == 0)
        rc = publish(sub, o->to, o->force, err, errcap);
    util_remove_tree(s.dir);
    close(lock);
    if (rc < 0)
        return rc;
    if (stat(o->to, &st) < 0)
        st.st_size = 0;
    printf("Backed up %s to %s (%lld KiB): documents.git at %s (%zu objects), cases.git at "
           "%s (%zu objects), access.log %zu lines; ",
           cfg->data_dir, o->to, (long long)st.st_size / 1024,
           t.heads[0][0] ? t.heads[0] : "-", t.objects[0], t.heads[1][0] ? t.heads[1] : "-",
           t.objects[1], t.log_lines);
    if (t.fell_back)
        printf("(the heads the signed checkpoint names: the server moved main on while they "
               "were read) ");
    if (o->passphrase)
        printf("keys: %zu files, sealed with the passphrase\n", t.key_files);
    else
        printf("keys: none (restore them from your own backup of DATA/keys)\n");
    return 0;
}
