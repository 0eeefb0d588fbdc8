/*
 * multipart/form-data (RFC 7578), the body a browser sends for a form with
 * a file input: strict, so that what it takes is exactly what the browser
 * meant.  The boundary comes from the Content-Type header (RFC 2046: 1 to
 * 70 characters of its set, quoted or not); the body is the first boundary
 * line with no preamble, parts of headers and data, and the closing
 * boundary with at most a CRLF after it.  Each part must say
 * Content-Disposition: form-data; name="..." (and filename="..." for a
 * file); Content-Type is kept; other headers are ignored as RFC 7578 asks.
 * A name given twice, a header line without CRLF, a part that never ends:
 * refused.  Pure functions over the body, any thread; the parts point into
 * it.
 */
#ifndef KENES_WEB_MULTIPART_H
#define KENES_WEB_MULTIPART_H

#include <stddef.h>

#define MULTIPART_BOUNDARY_MAX 70
#define MULTIPART_NAME_MAX 64
#define MULTIPART_FILENAME_MAX 1024 /* longer: refused (a name is checked later) */
#define MULTIPART_TYPE_MAX 128

typedef struct mp_part {
    char name[MULTIPART_NAME_MAX + 1];
    int has_filename;                       /* filename="..." was given (maybe empty) */
    char filename[MULTIPART_FILENAME_MAX + 1]; /* as sent */
    char content_type[MULTIPART_TYPE_MAX + 1]; /* "" when the part says none */
    const char *data;                        /* into the body */
    size_t len;
} mp_part;

/* The boundary of a Content-Type "multipart/form-data; boundary=...":
 * 0, or KENES_EINVAL (another type, no boundary, or one RFC 2046 refuses). */
int multipart_boundary(char out[MULTIPART_BOUNDARY_MAX + 1], const char *content_type);

/* The parts of body, in order, into parts[0..*n): 0, KENES_EINVAL
 * (malformed), or KENES_ETOOBIG (more than max parts). */
int multipart_parse(mp_part *parts, size_t max, size_t *n, const char *body, size_t len,
                    const char *boundary);

/* The part called name, or NULL. */
const mp_part *multipart_find(const mp_part *parts, size_t n, const char *name);

#endif
