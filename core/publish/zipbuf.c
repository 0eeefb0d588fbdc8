#include "publish/zipbuf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zip.h>

#include "kenes/plugin.h"
#include "base/util.h"

#define ENTRY_MODE 0100644u /* regular file, rw-r--r-- */
#define EF_TIMESTAMP 0x5455 /* Info-ZIP extended timestamp: the mtime in UTC */

struct zipbuf {
    zip_source_t *src; /* the buffer the archive is written into; ours */
    zip_t *za;         /* NULL once zip_close() has written it */
    time_t mtime;
    int has_ut;        /* the mtime fits the extended timestamp's 32 bits */
    zip_uint8_t ut[5]; /* flags (mtime present), mtime little-endian */
    size_t count;
    int err;           /* the error that spoilt the archive, or 0 */
    int finished;
};

int zipbuf_new(zipbuf **out, int64_t mtime)
{
    if (!out)
        return KENES_EINVAL;
    *out = NULL;
    zipbuf *zb = calloc(1, sizeof(*zb));
    if (!zb)
        return KENES_ENOMEM;
    zb->mtime = (time_t)mtime;
    zb->has_ut = mtime >= 0 && mtime <= INT32_MAX;
    zb->ut[0] = 1;
    for (int i = 0; i < 4; i++)
        zb->ut[1 + i] = (zip_uint8_t)((uint32_t)mtime >> (8 * i));

    zip_error_t ze;
    zip_error_init(&ze);
    zb->src = zip_source_buffer_create(NULL, 0, 0, &ze);
    if (!zb->src) {
        zip_error_fini(&ze);
        free(zb);
        return KENES_ENOMEM;
    }
    zb->za = zip_open_from_source(zb->src, ZIP_CREATE | ZIP_TRUNCATE, &ze);
    zip_error_fini(&ze);
    if (!zb->za) {
        zip_source_free(zb->src);
        free(zb);
        return KENES_EIO;
    }
    /* The archive now holds the source; keep our own reference past
     * zip_close(), which writes the archive into it and lets go of it. */
    zip_source_keep(zb->src);
    *out = zb;
    return 0;
}

/* A relative path that stays inside the folder it is unzipped into, on any
 * system: no "..", no absolute path, no backslash (a separator on Windows),
 * no control character (a forged line in unzip's listing). */
static int name_valid(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > ZIPBUF_MAX_NAME || !util_utf8_valid(name, n))
        return 0;
    size_t seg = 0;
    for (size_t i = 0; i <= n; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c == '/' || c == '\0') {
            if (seg == 0 || (seg == 1 && name[i - 1] == '.') ||
                (seg == 2 && name[i - 1] == '.' && name[i - 2] == '.'))
                return 0;
            seg = 0;
            continue;
        }
        if (c < 0x20 || c == 0x7f || c == '\\')
            return 0;
        seg++;
    }
    return 1;
}

static int zip_error_code(zip_t *za)
{
    return zip_error_code_zip(zip_get_error(za)) == ZIP_ER_MEMORY ? KENES_ENOMEM : KENES_EIO;
}

/* Once an entry is in the archive, any failure leaves it half made. */
static int spoil(zipbuf *zb, int rc)
{
    zb->err = rc;
    return rc;
}

int zipbuf_add(zipbuf *zb, const char *name, const char *data, size_t len)
{
    if (!zb || zb->finished || !name_valid(name) || (!data && len > 0))
        return KENES_EINVAL;
    if (zb->err)
        return zb->err;
    char *copy = NULL;
    if (len > 0) {
        if (!(copy = malloc(len)))
            return KENES_ENOMEM;
        memcpy(copy, data, len);
    }
    /* freep = 1: libzip frees the copy with the source. */
    zip_source_t *src = zip_source_buffer(zb->za, copy, len, 1);
    if (!src) {
        free(copy);
        return KENES_ENOMEM;
    }
    zip_int64_t idx = zip_file_add(zb->za, name, src, ZIP_FL_ENC_UTF_8);
    if (idx < 0) {
        int exists = zip_error_code_zip(zip_get_error(zb->za)) == ZIP_ER_EXISTS;
        int rc = exists ? KENES_EEXISTS : zip_error_code(zb->za);
        zip_error_clear(zb->za);
        zip_source_free(src); /* and the copy */
        return rc;
    }
    zip_uint64_t i = (zip_uint64_t)idx;
    if (zip_set_file_compression(zb->za, i, ZIP_CM_DEFLATE, 9) < 0 ||
        zip_file_set_mtime(zb->za, i, zb->mtime, 0) < 0 ||
        zip_file_set_external_attributes(zb->za, i, 0, ZIP_OPSYS_UNIX, ENTRY_MODE << 16) < 0)
        return spoil(zb, zip_error_code(zb->za));
    /* The DOS time libzip writes is local wall-clock time; unzip prefers this. */
    if (zb->has_ut && zip_file_extra_field_set(zb->za, i, EF_TIMESTAMP, ZIP_EXTRA_FIELD_NEW,
                                               zb->ut, sizeof(zb->ut),
                                               ZIP_FL_LOCAL | ZIP_FL_CENTRAL) < 0)
        return spoil(zb, zip_error_code(zb->za));
    zb->count++;
    return 0;
}

/* The finished archive out of its buffer source, into one malloc'd buffer. */
static int read_source(char **out, size_t *len, zip_source_t *src)
{
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_source_stat(src, &st) < 0 || !(st.valid & ZIP_STAT_SIZE) || st.size > SIZE_MAX - 1)
        return KENES_EIO;
    char *buf = malloc((size_t)st.size + 1);
    if (!buf)
        return KENES_ENOMEM;
    if (zip_source_open(src) < 0) {
        free(buf);
        return KENES_EIO;
    }
    zip_uint64_t got = 0;
    while (got < st.size) {
        zip_int64_t r = zip_source_read(src, buf + got, st.size - got);
        if (r <= 0)
            break;
        got += (zip_uint64_t)r;
    }
    zip_source_close(src);
    if (got != st.size) {
        free(buf);
        return KENES_EIO;
    }
    buf[got] = '\0';
    *out = buf;
    *len = (size_t)got;
    return 0;
}

/* libzip writes nothing for an archive without entries; a zip reader wants
 * the end-of-central-directory record alone. */
static int empty_zip(char **out, size_t *len)
{
    static const char eocd[22] = {'P', 'K', 5, 6};
    char *buf = malloc(sizeof(eocd) + 1);
    if (!buf)
        return KENES_ENOMEM;
    memcpy(buf, eocd, sizeof(eocd));
    buf[sizeof(eocd)] = '\0';
    *out = buf;
    *len = sizeof(eocd);
    return 0;
}

int zipbuf_finish(char **zip, size_t *len, zipbuf *zb)
{
    if (!zip || !len)
        return KENES_EINVAL;
    *zip = NULL;
    *len = 0;
    if (!zb || zb->finished)
        return KENES_EINVAL;
    zb->finished = 1;
    if (zb->err)
        return zb->err;
    if (zb->count == 0)
        return empty_zip(zip, len);
    /* On failure zip_close() leaves the archive open: zipbuf_free() discards it. */
    if (zip_close(zb->za) < 0)
        return zip_error_code(zb->za);
    zb->za = NULL;
    return read_source(zip, len, zb->src);
}

void zipbuf_free(zipbuf *zb)
{
    if (!zb)
        return;
    if (zb->za)
        zip_discard(zb->za);
    zip_source_free(zb->src);
    free(zb);
}
