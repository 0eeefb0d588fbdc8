/* Small helpers every subsystem uses: UTF-8 checks, a growable buffer,
 * durable files.  Each returns 0 or a negative KENES_E* code (base/error.h):
 * a failed system call's errno becomes one where it fails. */
#ifndef KENES_UTIL_H
#define KENES_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define UTIL_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* In a function whose arguments end in "fmt, ...": its message printed into
 * buf, a char array, cut to fit (<stdarg.h> and <stdio.h> needed).  A macro
 * because only the variadic function itself may start its va_list. */
#define UTIL_FORMAT(buf, fmt)                                                                   \
    do {                                                                                        \
        va_list util_ap_;                                                                       \
        va_start(util_ap_, fmt);                                                                \
        vsnprintf((buf), sizeof(buf), (fmt), util_ap_);                                         \
        va_end(util_ap_);                                                                       \
    } while (0)

/* 1 if s[0..len) is well-formed UTF-8 (no overlongs, no surrogates) and has no NUL. */
int util_utf8_valid(const char *s, size_t len);
/* Code points in a valid UTF-8 string. */
size_t util_utf8_length(const char *s);

/* A growable byte buffer, always NUL-terminated. */
typedef struct util_buf {
    char *data;
    size_t len;
    size_t cap;
} util_buf;

void util_buf_init(util_buf *b);
void util_buf_dispose(util_buf *b);
int util_buf_append(util_buf *b, const char *s, size_t n);
int util_buf_puts(util_buf *b, const char *s);
int util_buf_printf(util_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hand the bytes over to the caller (free() them); b is left empty. */
char *util_buf_detach(util_buf *b, size_t *len);

/* Room for one more item after the n in items (*cap of size bytes each
 * allocated), the allocation doubled from first: the array to use from now
 * on (maybe moved), or NULL when memory ran out (items is then untouched). */
void *util_grow(void *items, size_t *cap, size_t n, size_t size, size_t first);

/* Milliseconds since the epoch, from the core's one clock (KENES_NOW fixes it). */
int64_t util_now_ms(void);

/* Days in month m (1-12) of year y, leap years counted. */
int util_days_in_month(int y, int m);

/* Parse "2026-02-07T10:00:00Z" (or with an offset) into ms since the epoch. */
int util_parse_rfc3339(int64_t *out_ms, const char *s);
/* Format ms since the epoch as RFC 3339 UTC into out (at least 25 bytes). */
void util_format_rfc3339(char *out, size_t cap, int64_t ms);

/* 1 if id is a document id: two or more '/'-separated segments of
 * [A-Za-z0-9._-], none "." or "..", at most 256 bytes. */
int util_id_valid(const char *id);

/* fsync the folder that holds path, so that a rename or unlink in it lasts.
 */
int util_fsync_dir_of(const char *path);
/* rename(), then sync the folder of to.  KENES_ENOTFOUND: no from. */
int util_rename_durable(const char *from, const char *to);
/* unlink(), then sync its folder.  0 for a missing file too. */
int util_unlink_durable(const char *path);

/* mkdir -p. */
int util_mkdirs(const char *path, int mode);
/* Read a whole file; *out is NUL-terminated, free() it.  KENES_ENOTFOUND:
 * no such file. */
int util_read_file(char **out, size_t *len, const char *path);
/* Write a file durably: temp file, fsync, rename, fsync dir. */
int util_write_file_atomic(const char *path, const char *data, size_t len, int mode);
/* The same without the folder's fsync: after a crash path holds the old
 * file or the new one, whole, but maybe the old one.  For a file rewritten
 * often where the old one is also correct (the signed checkpoint). */
int util_replace_file(const char *path, const char *data, size_t len, int mode);

/* The JSON value in text[0..len) into *out (json_decref it): 0,
 * KENES_EINVAL for a text that is not JSON, KENES_ENOMEM when memory ran
 * out, which jansson alone would report as a bad text. */
struct json_t;
int util_json_parse(struct json_t **out, const char *text, size_t len);

/* printf into err (errcap bytes), the why of a failure for the caller to
 * say; nothing when err is NULL or errcap 0. */
void util_set_err(char *err, size_t errcap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Read the secret file at path, exactly n bytes, straight into out (locked
 * memory the caller owns; never via a malloc'd buffer), checking the opened
 * file itself so that the checks and the read concern the same file: a
 * regular file, readable by its owner only, of n bytes.  what names it in
 * err ("the signing key").  0; KENES_ENOTFOUND when there is none,
 * KENES_EINVAL when it is not right, KENES_EIO; out is zeroed on failure. */
int util_read_secret(unsigned char *out, size_t n, const char *path, const char *what, char *err,
                     size_t errcap);

/* dir/leaf into out (a path inside the data folder, say). */
void util_path(char *out, size_t cap, const char *dir, const char *leaf);

/* The names in dir that end in suffix (never one starting with '.'),
 * sorted, so that what is loaded from a folder, and in which order, does not
 * depend on the file system.  0; KENES_ENOMEM; or, when dir cannot be opened,
 * the code of opendir's errno (which errno still holds, for a message).
 * util_free_list frees what it made. */
int util_list_dir(char ***out, size_t *n, const char *dir, const char *suffix);
void util_free_list(char **names, size_t n);

/* Write all of data to fd, again after a short write or EINTR; 0 or the
 * error's KENES_E* code. */
int util_write_all(int fd, const void *data, size_t len);
/* The same at off (pwrite), and its reading side: exactly len bytes of fd
 * at off into buf.  0, or KENES_EIO with errno saying why (EIO: the file
 * ends before them); a caller at a fixed place reads a short file as
 * one it cannot trust. */
int util_pwrite_all(int fd, const void *data, size_t len, uint64_t off);
int util_pread_all(int fd, void *buf, size_t len, uint64_t off);

/* Remove path and everything under it (a folder a command made and gives
 * up, as rm -r would); 0 also when it is not there. */
int util_remove_tree(const char *path);

#endif
