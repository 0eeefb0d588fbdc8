/*
 * The file `kenes backup` writes: a zip archive (libzip) of named files,
 * with manifest.json first, which lists every other entry's path, size and
 * BLAKE2b-256 (libsodium), beside what the caller says of the backup, and
 * the zip's archive comment last:
 *
 *     kenes-backup 1 blake2b-512 <128 hex digits>
 *
 * the BLAKE2b-512 of the whole file as written with those digits all '0'.
 * The comment ends the file, so a byte changed anywhere (an entry, a zip
 * header, the manifest, the comment) or a file cut short fails
 * archive_open() before anything is read from it, and every entry is
 * checked against the manifest again as it is taken out.  A checksum, not a
 * signature: it finds damage and an altered byte, not a forger who writes
 * a whole archive of their own (keep archives where only you write).
 */
#ifndef KENES_ARCHIVE_H
#define KENES_ARCHIVE_H

#include <jansson.h>
#include <stddef.h>

#define ARCHIVE_MANIFEST "manifest.json"
#define ARCHIVE_FORMAT "kenes-backup"
#define ARCHIVE_VERSION 1

/* Write path (created; it must not exist) from the files names[0..n) of
 * dir (relative paths, '/' between folders), with info's keys in the
 * manifest beside "format", "version" and "files".  Stored, not deflated,
 * when a name ends in .pack or .enc (packed or sealed already).  The file is
 * synced.  0, or negative with one line in err (path may be left: the
 * caller writes to a temporary name). */
int archive_write(const char *path, const char *dir, const char *const *names, size_t n,
                  const json_t *info, char *err, size_t errcap);

typedef struct archive archive;

/* Check the whole file's checksum, then open it and read its manifest:
 * every entry must be listed there and every listed file be an entry.
 * 0, or negative with one line in err: KENES_EINVAL for a file that is not
 * a whole, unaltered kenes backup, KENES_EIO when it cannot be read. */
int archive_open(archive **out, const char *path, char *err, size_t errcap);
void archive_close(archive *a);

/* The manifest (borrowed). */
const json_t *archive_manifest(const archive *a);
/* How many files the manifest lists, and the i-th one's path. */
size_t archive_count(const archive *a);
const char *archive_name(const archive *a, size_t i);

/* Write entry name to the new file dest (mode), or (dest NULL) into *data,
 * malloc'd and NUL-terminated past *len; either way checked against the
 * manifest's size and hash (KENES_EINVAL with err when it differs). */
int archive_extract(const archive *a, const char *name, const char *dest, int mode, char **data,
                    size_t *len, char *err, size_t errcap);

#endif
