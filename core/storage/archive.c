/* The backup archive's format (archive.h): a zip with a manifest of every
 * entry's hash, and the whole file's checksum in the zip's comment. */
#include "storage/archive.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include "kenes/plugin.h"
#include "base/error.h"
#include "base/util.h"

#define SUM_PREFIX "kenes-backup 1 blake2b-512 "
#define SUM_HEX (crypto_generichash_BYTES_MAX * 2)
#define SUM_LEN (sizeof(SUM_PREFIX) - 1 + SUM_HEX)
#define FILE_HASH crypto_generichash_BYTES /* 32: BLAKE2b-256 per entry */
#define CHUNK 65536

struct archive {
    zip_t *za;
    json_t *manifest;
    json_t *files; /* borrowed from manifest */
};

static int ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), t = strlen(tail);
    return n >= t && strcmp(s + n - t, tail) == 0;
}

/* BLAKE2b-256 and size of a file. */
static int hash_file(char hex[FILE_HASH * 2 + 1], size_t *size, const char *path)
{
    unsigned char buf[CHUNK], sum[FILE_HASH];
    crypto_generichash_state st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return kenes_error_from_errno(errno);
    crypto_generichash_init(&st, NULL, 0, sizeof(sum));
    *size = 0;
    for (;;) {
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            close(fd);
            return KENES_EIO;
        }
        if (n == 0)
            break;
        crypto_generichash_update(&st, buf, (size_t)n);
        *size += (size_t)n;
    }
    close(fd);
    crypto_generichash_final(&st, sum, sizeof(sum));
    sodium_bin2hex(hex, FILE_HASH * 2 + 1, sum, sizeof(sum));
    return 0;
}

/* BLAKE2b-512 of the file's first size bytes, its last SUM_HEX read as
 * '0's: the checksum the comment carries. */
static int file_sum(unsigned char sum[crypto_generichash_BYTES_MAX], int fd, off_t size)
{
    unsigned char buf[CHUNK];
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, crypto_generichash_BYTES_MAX);
    off_t at = 0, digits = size - (off_t)SUM_HEX;
    while (at < size) {
        size_t want = (size_t)(size - at) < sizeof(buf) ? (size_t)(size - at) : sizeof(buf);
        ssize_t n = pread(fd, buf, want, at);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return KENES_EIO;
        for (ssize_t i = 0; i < n; i++)
            if (at + i >= digits)
                buf[i] = '0';
        crypto_generichash_update(&st, buf, (size_t)n);
        at += n;
    }
    crypto_generichash_final(&st, sum, crypto_generichash_BYTES_MAX);
    return 0;
}

static json_t *manifest_of(const char *dir, const char *const *names, size_t n,
                           const json_t *info, char *err, size_t errcap)
{
    json_t *m = info ? json_deep_copy(info) : json_object();
    json_t *files = json_array();
    if (!m || !files || json_object_set_new(m, "format", json_string(ARCHIVE_FORMAT)) < 0 ||
        json_object_set_new(m, "version", json_integer(ARCHIVE_VERSION)) < 0) {
        json_decref(m);
        json_decref(files);
        util_set_err(err, errcap, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        char path[4096], hex[FILE_HASH * 2 + 1];
        size_t size;
        util_path(path, sizeof(path), dir, names[i]);
        int rc = hash_file(hex, &size, path);
        if (rc < 0) {
            util_set_err(err, errcap, "cannot read %s: %s", names[i], kenes_strerror(rc));
            json_decref(m);
            json_decref(files);
            return NULL;
        }
        json_array_append_new(files, json_pack("{s:s, s:I, s:s}", "path", names[i], "size",
                                               (json_int_t)size, "blake2b", hex));
    }
    json_object_set_new(m, "files", files);
    return m;
}

/* Put the checksum into the comment's digits, which libzip wrote last. */
static int seal(const char *path, char *err, size_t errcap)
{
    unsigned char sum[crypto_generichash_BYTES_MAX];
    char tail[SUM_LEN], hex[SUM_HEX + 1];
    struct stat st;
    int fd = open(path, O_RDWR | O_CLOEXEC), rc = KENES_EIO;
    if (fd < 0 || fstat(fd, &st) < 0 || st.st_size < (off_t)SUM_LEN ||
        pread(fd, tail, SUM_LEN, st.st_size - (off_t)SUM_LEN) != (ssize_t)SUM_LEN ||
        memcmp(tail, SUM_PREFIX, sizeof(SUM_PREFIX) - 1) != 0) {
        util_set_err(err, errcap, "the archive does not end with its comment");
        goto out;
    }
    if (file_sum(sum, fd, st.st_size) < 0) {
        util_set_err(err, errcap, "cannot read the archive back");
        goto out;
    }
    sodium_bin2hex(hex, sizeof(hex), sum, sizeof(sum));
    if (pwrite(fd, hex, SUM_HEX, st.st_size - (off_t)SUM_HEX) != (ssize_t)SUM_HEX ||
        fsync(fd) < 0) {
        util_set_err(err, errcap, "cannot write the archive's checksum: %s", strerror(errno));
        goto out;
    }
    rc = 0;
out:
    if (fd >= 0)
        close(fd);
    return rc;
}

int archive_write(const char *path, const char *dir, const char *const *names, size_t n,
                  const json_t *info, char *err, size_t errcap)
{
    char comment[SUM_LEN + 1], full[4096];
    int zerr = 0, rc = KENES_EIO;
    json_t *m = manifest_of(dir, names, n, info, err, errcap);
    if (!m)
        return KENES_EIO;
    char *text = json_dumps(m, JSON_INDENT(1) | JSON_SORT_KEYS);
    json_decref(m);
    zip_t *za = text ? zip_open(path, ZIP_CREATE | ZIP_EXCL, &zerr) : NULL;
    if (!za) {
        util_set_err(err, errcap, "cannot create %.900s (libzip error %d)", path, zerr);
        free(text);
        return KENES_EIO;
    }
    zip_source_t *src = zip_source_buffer(za, text, strlen(text), 0);
    if (!src || zip_file_add(za, ARCHIVE_MANIFEST, src, ZIP_FL_ENC_UTF_8) < 0) {
        zip_source_free(src);
        goto fail;
    }
    for (size_t i = 0; i < n; i++) {
        util_path(full, sizeof(full), dir, names[i]);
        src = zip_source_file(za, full, 0, -1);
        zip_int64_t at = src ? zip_file_add(za, names[i], src, ZIP_FL_ENC_UTF_8) : -1;
        if (at < 0) {
            zip_source_free(src);
            goto fail;
        }
        if ((ends_with(names[i], ".pack") || ends_with(names[i], ".enc")) &&
            zip_set_file_compression(za, (zip_uint64_t)at, ZIP_CM_STORE, 0) < 0)
            goto fail;
    }
    memcpy(comment, SUM_PREFIX, sizeof(SUM_PREFIX) - 1);
    memset(comment + sizeof(SUM_PREFIX) - 1, '0', SUM_HEX);
    comment[SUM_LEN] = '\0';
    if (zip_set_archive_comment(za, comment, (zip_uint16_t)SUM_LEN) < 0 || zip_close(za) < 0)
        goto fail;
    free(text);
    return seal(path, err, errcap);
fail:
    util_set_err(err, errcap, "cannot write %.900s: %s", path, zip_strerror(za));
    zip_discard(za);
    free(text);
    return rc;
}

static int check_sum(const char *path, char *err, size_t errcap)
{
    unsigned char sum[crypto_generichash_BYTES_MAX], want[crypto_generichash_BYTES_MAX];
    char tail[SUM_LEN];
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        util_set_err(err, errcap, "cannot read %.900s: %s", path, strerror(errno));
        return KENES_EIO;
    }
    int rc = KENES_EINVAL;
    if (fstat(fd, &st) < 0 || st.st_size < (off_t)SUM_LEN ||
        pread(fd, tail, SUM_LEN, st.st_size - (off_t)SUM_LEN) != (ssize_t)SUM_LEN ||
        memcmp(tail, SUM_PREFIX, sizeof(SUM_PREFIX) - 1) != 0 ||
        sodium_hex2bin(want, sizeof(want), tail + sizeof(SUM_PREFIX) - 1, SUM_HEX, NULL, NULL,
                       NULL) < 0) {
        util_set_err(err, errcap, "%.900s is not a whole kenes backup: it does not end with the "
                     "checksum kenes backup writes (cut short, or another file)", path);
        goto out;
    }
    if (file_sum(sum, fd, st.st_size) < 0) {
        rc = KENES_EIO;
        util_set_err(err, errcap, "cannot read %.900s", path);
        goto out;
    }
    if (sodium_memcmp(sum, want, sizeof(sum)) != 0) {
        util_set_err(err, errcap, "%.900s is damaged or was altered: its checksum does not "
                     "match its bytes", path);
        goto out;
    }
    rc = 0;
out:
    close(fd);
    return rc;
}

static int read_manifest(archive *a, char *err, size_t errcap)
{
    char *text = NULL;
    size_t len = 0;
    zip_stat_t zs;
    if (zip_stat(a->za, ARCHIVE_MANIFEST, 0, &zs) < 0 || zs.size > (64u << 20))
        goto bad;
    text = malloc(zs.size + 1);
    zip_file_t *zf = text ? zip_fopen(a->za, ARCHIVE_MANIFEST, 0) : NULL;
    if (!zf)
        goto bad;
    zip_int64_t n = zip_fread(zf, text, zs.size);
    zip_fclose(zf);
    if (n < 0 || (zip_uint64_t)n != zs.size)
        goto bad;
    len = (size_t)n;
    text[len] = '\0';
    if (util_json_parse(&a->manifest, text, len) < 0)
        goto bad;
    free(text);
    text = NULL;
    const char *format = json_string_value(json_object_get(a->manifest, "format"));
    a->files = json_object_get(a->manifest, "files");
    if (!format || strcmp(format, ARCHIVE_FORMAT) != 0 || !json_is_array(a->files))
        goto bad;
    if (json_integer_value(json_object_get(a->manifest, "version")) != ARCHIVE_VERSION) {
        util_set_err(err, errcap, "the archive is of version %lld of the format; this kenes "
                     "reads version %d", json_integer_value(json_object_get(a->manifest, "version")),
                     ARCHIVE_VERSION);
        return KENES_EINVAL;
    }
    zip_int64_t entries = zip_get_num_entries(a->za, 0);
    if (entries < 0 || (size_t)entries != json_array_size(a->files) + 1)
        goto bad;
    for (size_t i = 0; i < json_array_size(a->files); i++) {
        const char *name = archive_name(a, i);
        json_t *f = json_array_get(a->files, i);
        if (!name || !json_is_string(json_object_get(f, "blake2b")) ||
            !json_is_integer(json_object_get(f, "size")) ||
            strcmp(name, ARCHIVE_MANIFEST) == 0 || zip_name_locate(a->za, name, 0) < 0)
            goto bad;
    }
    return 0;
bad:
    free(text);
    util_set_err(err, errcap, "the archive's manifest does not list its files as kenes backup "
                 "writes them");
    return KENES_EINVAL;
}

int archive_open(archive **out, const char *path, char *err, size_t errcap)
{
    *out = NULL;
    int rc = check_sum(path, err, errcap);
    if (rc < 0)
        return rc;
    archive *a = calloc(1, sizeof(*a));
    if (!a)
        return KENES_ENOMEM;
    int zerr = 0;
    a->za = zip_open(path, ZIP_RDONLY | ZIP_CHECKCONS, &zerr);
    if (!a->za) {
        util_set_err(err, errcap, "%.900s is no zip archive libzip can read (error %d)", path,
                     zerr);
        free(a);
        return KENES_EINVAL;
    }
    if ((rc = read_manifest(a, err, errcap)) < 0) {
        archive_close(a);
        return rc;
    }
    *out = a;
    return 0;
}

void archive_close(archive *a)
{
    if (!a)
        return;
    if (a->za)
        zip_discard(a->za);
    json_decref(a->manifest);
    free(a);
}

const json_t *archive_manifest(const archive *a)
{
    return a->manifest;
}

size_t archive_count(const archive *a)
{
    return json_array_size(a->files);
}

const char *archive_name(const archive *a, size_t i)
{
    return json_string_value(json_object_get(json_array_get(a->files, i), "path"));
}

static const json_t *listed(const archive *a, const char *name)
{
    for (size_t i = 0; i < archive_count(a); i++)
        if (strcmp(archive_name(a, i), name) == 0)
            return json_array_get(a->files, i);
    return NULL;
}

int archive_extract(const archive *a, const char *name, const char *dest, int mode, char **data,
                    size_t *len, char *err, size_t errcap)
{
    unsigned char buf[CHUNK], sum[FILE_HASH];
    char hex[FILE_HASH * 2 + 1];
    crypto_generichash_state st;
    util_buf out;
    const json_t *f = listed(a, name);
    if (!f) {
        util_set_err(err, errcap, "the archive holds no %s", name);
        return KENES_ENOTFOUND;
    }
    zip_file_t *zf = zip_fopen(a->za, name, 0);
    if (!zf) {
        util_set_err(err, errcap, "cannot read %s from the archive: %s", name, zip_strerror(a->za));
        return KENES_EINVAL;
    }
    int fd = -1, rc = 0;
    util_buf_init(&out);
    if (dest && (fd = open(dest, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)) < 0) {
        util_set_err(err, errcap, "cannot create %.900s: %s", dest, strerror(errno));
        zip_fclose(zf);
        return KENES_EIO;
    }
    crypto_generichash_init(&st, NULL, 0, sizeof(sum));
    size_t total = 0;
    for (;;) {
        zip_int64_t n = zip_fread(zf, buf, sizeof(buf));
        if (n < 0) {
            rc = KENES_EINVAL;
            util_set_err(err, errcap, "%s in the archive is damaged: %s", name,
                         zip_file_strerror(zf));
            break;
        }
        if (n == 0)
            break;
        crypto_generichash_update(&st, buf, (size_t)n);
        total += (size_t)n;
        if (fd >= 0 ? write(fd, buf, (size_t)n) != (ssize_t)n
                    : util_buf_append(&out, (const char *)buf, (size_t)n) < 0) {
            rc = KENES_EIO;
            util_set_err(err, errcap, "cannot write %s", name);
            break;
        }
    }
    zip_fclose(zf);
    crypto_generichash_final(&st, sum, sizeof(sum));
    sodium_bin2hex(hex, sizeof(hex), sum, sizeof(sum));
    if (rc == 0 && ((json_int_t)total != json_integer_value(json_object_get(f, "size")) ||
                    strcmp(hex, json_string_value(json_object_get(f, "blake2b"))) != 0)) {
        rc = KENES_EINVAL;
        util_set_err(err, errcap, "%s in the archive is not the file its manifest lists "
                     "(size or hash differ)", name);
    }
    if (fd >= 0) {
        int synced = rc < 0 || fsync(fd) == 0;
        if ((close(fd) < 0 || !synced) && rc == 0) {
            rc = KENES_EIO;
            util_set_err(err, errcap, "cannot write %.900s", dest);
        }
    }
    if (rc == 0 && !dest) {
        *data = util_buf_detach(&out, len);
        if (!*data) {
            *data = strdup("");
            *len = 0;
        }
    }
    util_buf_dispose(&out);
    return rc;
}
