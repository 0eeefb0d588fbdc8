#include "web/multipart.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "kenes/plugin.h"

/* RFC 2046's bcharsnospace, and space (not last). */
static int bchar(char ch)
{
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
           strchr("'()+_,-./:=? ", ch) != NULL;
}

int multipart_boundary(char out[MULTIPART_BOUNDARY_MAX + 1], const char *ct)
{
    static const char type[] = "multipart/form-data";
    out[0] = '\0';
    if (!ct || strncasecmp(ct, type, sizeof(type) - 1) != 0)
        return KENES_EINVAL;
    const char *p = ct + sizeof(type) - 1;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        if (*p != ';')
            return KENES_EINVAL;
        p++;
        while (*p == ' ' || *p == '\t')
            p++;
        const char *key = p;
        size_t klen = strcspn(p, "=; \t");
        if (klen == 0 || p[klen] != '=')
            return KENES_EINVAL;
        const char *v = p + klen + 1;
        size_t vlen;
        if (*v == '"') {
            v++;
            const char *close = strchr(v, '"');
            if (!close)
                return KENES_EINVAL;
            vlen = (size_t)(close - v);
            p = close + 1;
        } else {
            vlen = strcspn(v, "; \t");
            p = v + vlen;
        }
        if (klen != 8 || strncasecmp(key, "boundary", 8) != 0)
            continue;
        if (out[0] || vlen == 0 || vlen > MULTIPART_BOUNDARY_MAX || v[vlen - 1] == ' ')
            return KENES_EINVAL;
        for (size_t i = 0; i < vlen; i++)
            if (!bchar(v[i]))
                return KENES_EINVAL;
        memcpy(out, v, vlen);
        out[vlen] = '\0';
    }
    return out[0] ? 0 : KENES_EINVAL;
}

/* The first place needle occurs in hay, or NULL (memmem, which is GNU's). */
static const char *find(const char *hay, size_t hlen, const char *needle, size_t nlen)
{
    if (nlen == 0 || hlen < nlen)
        return NULL;
    const char *end = hay + hlen - nlen;
    for (const char *p = hay; p <= end; p++) {
        p = memchr(p, needle[0], (size_t)(end - p) + 1);
        if (!p)
            return NULL;
        if (memcmp(p, needle, nlen) == 0)
            return p;
    }
    return NULL;
}

/* A quoted parameter's value (name="..." in a Content-Disposition): no
 * escapes (browsers percent-encode '"', CR and LF in names, RFC 7578 4.2). */
static int param(char *out, size_t cap, int *found, const char *v, size_t len, const char *key)
{
    size_t klen = strlen(key);
    *found = 0;
    out[0] = '\0';
    const char *p = v, *end = v + len;
    while (p < end) {
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        if (p >= end || *p != ';')
            return KENES_EINVAL;
        p++;
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        const char *eq = memchr(p, '=', (size_t)(end - p));
        if (!eq || eq + 1 >= end || eq[1] != '"')
            return KENES_EINVAL;
        const char *q = eq + 2;
        const char *close = memchr(q, '"', (size_t)(end - q));
        if (!close)
            return KENES_EINVAL;
        if ((size_t)(eq - p) == klen && strncasecmp(p, key, klen) == 0) {
            size_t n = (size_t)(close - q);
            if (*found || n >= cap || memchr(q, '\0', n))
                return KENES_EINVAL;
            memcpy(out, q, n);
            out[n] = '\0';
            *found = 1;
        } else if ((size_t)(eq - p) == 9 && strncasecmp(p, "filename*", 9) == 0) {
            return KENES_EINVAL; /* RFC 7578 4.2: not to be used */
        }
        p = close + 1;
    }
    return 0;
}

/* One part's headers, [h, h + hlen) without the blank line. */
static int part_headers(mp_part *part, const char *h, size_t hlen)
{
    int has_disposition = 0;
    const char *p = h, *end = h + hlen;
    while (p < end) {
        const char *eol = find(p, (size_t)(end - p), "\r\n", 2);
        const char *line_end = eol ? eol : end;
        const char *colon = memchr(p, ':', (size_t)(line_end - p));
        if (!colon || colon == p || memchr(p, '\n', (size_t)(line_end - p)) ||
            memchr(p, '\r', (size_t)(line_end - p)) || memchr(p, '\0', (size_t)(line_end - p)))
            return KENES_EINVAL;
        size_t nlen = (size_t)(colon - p);
        const char *v = colon + 1;
        while (v < line_end && (*v == ' ' || *v == '\t'))
            v++;
        size_t vlen = (size_t)(line_end - v);
        if (nlen == 19 && strncasecmp(p, "Content-Disposition", 19) == 0) {
            int found;
            if (has_disposition || vlen < 9 || strncasecmp(v, "form-data", 9) != 0 ||
                param(part->name, sizeof(part->name), &found, v + 9, vlen - 9, "name") < 0 ||
                !found || !part->name[0] ||
                param(part->filename, sizeof(part->filename), &part->has_filename, v + 9,
                      vlen - 9, "filename") < 0)
                return KENES_EINVAL;
            has_disposition = 1;
        } else if (nlen == 12 && strncasecmp(p, "Content-Type", 12) == 0) {
            if (part->content_type[0] || vlen == 0 || vlen >= sizeof(part->content_type))
                return KENES_EINVAL;
            memcpy(part->content_type, v, vlen);
            part->content_type[vlen] = '\0';
        }
        p = eol ? eol + 2 : end;
    }
    return has_disposition ? 0 : KENES_EINVAL;
}

int multipart_parse(mp_part *parts, size_t max, size_t *n, const char *body, size_t len,
                    const char *boundary)
{
    char delim[MULTIPART_BOUNDARY_MAX + 5];
    size_t blen = boundary ? strlen(boundary) : 0;
    *n = 0;
    if (!body || blen == 0 || blen > MULTIPART_BOUNDARY_MAX)
        return KENES_EINVAL;
    /* "\r\n--boundary": what ends each part's data; the body's first line lacks the CRLF. */
    int dlen = snprintf(delim, sizeof(delim), "\r\n--%s", boundary);
    if (len < (size_t)dlen - 2 || memcmp(body, delim + 2, (size_t)dlen - 2) != 0)
        return KENES_EINVAL;
    const char *p = body + dlen - 2, *end = body + len;
    for (;;) {
        /* After a boundary: "--" closes, "\r\n" opens a part. */
        if (end - p >= 2 && p[0] == '-' && p[1] == '-') {
            p += 2;
            if (p == end || (end - p == 2 && p[0] == '\r' && p[1] == '\n'))
                return *n ? 0 : KENES_EINVAL;
            return KENES_EINVAL;
        }
        if (end - p < 2 || p[0] != '\r' || p[1] != '\n')
            return KENES_EINVAL;
        p += 2;
        if (*n >= max)
            return KENES_ETOOBIG;
        const char *blank = find(p, (size_t)(end - p), "\r\n\r\n", 4);
        /* A part with no header lines at all has no name: refused below. */
        if (!blank)
            return KENES_EINVAL;
        mp_part *part = &parts[*n];
        memset(part, 0, sizeof(*part));
        if (part_headers(part, p, (size_t)(blank - p)) < 0)
            return KENES_EINVAL;
        for (size_t i = 0; i < *n; i++)
            if (strcmp(parts[i].name, part->name) == 0)
                return KENES_EINVAL;
        const char *data = blank + 4;
        const char *next = find(data, (size_t)(end - data), delim, (size_t)dlen);
        if (!next)
            return KENES_EINVAL;
        part->data = data;
        part->len = (size_t)(next - data);
        (*n)++;
        p = next + dlen;
    }
}

const mp_part *multipart_find(const mp_part *parts, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(parts[i].name, name) == 0)
            return &parts[i];
    return NULL;
}
