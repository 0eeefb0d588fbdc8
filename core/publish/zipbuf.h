/*
 * Zip archives built in memory: add named files, take the finished archive as
 * one malloc'd buffer.  No loop, no globals, no files, so a builder may run on
 * a libuv thread-pool thread (one builder per thread at a time).
 *
 * Every entry is deflated (level 9), mode 0644 (a Unix regular file), named in
 * UTF-8 (the language-encoding flag is set) and dated with the one mtime given
 * to zipbuf_new(): as DOS time (which libzip writes in local wall-clock time)
 * and, when it fits, as an Info-ZIP extended timestamp (0x5455, UTC) in both
 * headers, which unzip prefers.  Entries keep the order they were added in.
 *
 *     zipbuf *zb;
 *     if (zipbuf_new(&zb, util_now_ms() / 1000) == 0 &&
 *         zipbuf_add(zb, "README.md", text, len) == 0 &&
 *         zipbuf_finish(&zip, &zip_len, zb) == 0)
 *         ... send zip, then free(zip) ...
 *     zipbuf_free(zb);
 */
#ifndef KENES_ZIPBUF_H
#define KENES_ZIPBUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct zipbuf zipbuf;

/* The longest entry name zipbuf_add() accepts, in bytes. */
#define ZIPBUF_MAX_NAME 1024

/*
 * A new, empty archive whose entries are all dated mtime (seconds since the
 * epoch).  0 or KENES_ENOMEM, KENES_EIO; on error *out is NULL.
 */
int zipbuf_new(zipbuf **out, int64_t mtime);

/*
 * Add the file name with the bytes data[0..len) (data may be NULL when len is
 * 0).  The bytes are copied: the caller may free data on return.
 *
 * name is a relative path with '/' between folders: UTF-8, at most
 * ZIPBUF_MAX_NAME bytes, no control characters, no backslash, no empty, "." or
 * ".." segment, nothing leading or trailing '/'; so no name can reach outside
 * the folder it is unzipped into.
 *
 * 0, or KENES_EINVAL (a bad name, data NULL with len > 0, zb already
 * finished), KENES_EEXISTS (a file of that name was added already): both leave
 * zb as it was; KENES_ENOMEM, KENES_EIO: zb is then spoilt and
 * zipbuf_finish() will answer the same error.
 */
int zipbuf_add(zipbuf *zb, const char *name, const char *data, size_t len);

/*
 * Write the archive: *zip is malloc'd (free() it) and NUL-terminated past
 * *len bytes.  An archive with no entries is the 22-byte empty zip.  zb is
 * finished either way (zipbuf_add() and zipbuf_finish() then answer
 * KENES_EINVAL) and still needs zipbuf_free().  0, or KENES_EINVAL,
 * KENES_ENOMEM, KENES_EIO (or the error that spoilt zb); on error *zip is
 * NULL and *len 0.
 */
int zipbuf_finish(char **zip, size_t *len, zipbuf *zb);

/* Free zb, finished or not; NULL does nothing. */
void zipbuf_free(zipbuf *zb);

#endif
