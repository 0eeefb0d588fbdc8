/*
 * Percent-decoding and the query string, for every handler of requests.
 */
#include <string.h>

#include "base/error.h"
#include "base/util.h"
#include "http/http.h"

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return KENES_EINVAL; /* not a hex digit */
}

/* "%00" and "%C0%AE" never reach a handler: a result that is not UTF-8 or
 * holds a NUL is refused like a broken escape. */
int http_pct_decode(char *out, size_t cap, const char *in, size_t len, int plus_is_space)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        char c = in[i];
        if (c == '%') {
            if (i + 2 >= len)
                return KENES_EINVAL;
            int hi = hexval(in[i + 1]), lo = hexval(in[i + 2]);
            if (hi < 0 || lo < 0)
                return KENES_EINVAL;
            c = (char)(hi * 16 + lo);
            i += 2;
        } else if (c == '+' && plus_is_space) {
            c = ' ';
        }
        if (o + 1 >= cap)
            return KENES_EINVAL;
        out[o++] = c;
    }
    out[o] = '\0';
    return util_utf8_valid(out, o) ? 0 : KENES_EINVAL;
}

int http_query(const http_request *req, const char *name, char *out, size_t cap)
{
    size_t nlen = strlen(name);
    const char *q = req->query;
    while (q && *q) {
        const char *amp = strchr(q, '&');
        size_t plen = amp ? (size_t)(amp - q) : strlen(q);
        if (plen > nlen && strncmp(q, name, nlen) == 0 && q[nlen] == '=')
            return http_pct_decode(out, cap, q + nlen + 1, plen - nlen - 1, 1) == 0 ? 1 : KENES_EINVAL;
        if (plen == nlen && strncmp(q, name, nlen) == 0) {
            out[0] = '\0';
            return 1;
        }
        q = amp ? amp + 1 : NULL;
    }
    return 0;
}


int http_content_disposition(util_buf *b, const char *name)
{
    return http_content_disposition_as(b, NULL, name);
}

int http_content_disposition_as(util_buf *b, const char *ascii, const char *name)
{
    /* filename= for old clients: ASCII, quotes, backslashes and controls
     * replaced, one '_' a character (a UTF-8 sequence's continuation bytes
     * add none: «Приказ.pdf» is "______.pdf"), or the caller's own ASCII
     * name, cleaned the same way; filename*= (RFC 6266, 8187) the name
     * itself, percent-encoded. */
    const char *fallback = ascii ? ascii : name;
    util_buf_puts(b, "Content-Disposition: attachment; filename=\"");
    for (const unsigned char *p = (const unsigned char *)fallback; *p; p++) {
        if ((*p & 0xC0) == 0x80)
            continue;
        char ch = *p < 0x20 || *p >= 0x7f || *p == '"' || *p == '\\' || *p == '%' ? '_' : (char)*p;
        util_buf_append(b, &ch, 1);
    }
    util_buf_puts(b, "\"; filename*=UTF-8''");
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("!#$&+-.^_`|~", *p))
            util_buf_append(b, (const char *)p, 1);
        else
            util_buf_printf(b, "%%%02X", *p);
    }
    return util_buf_puts(b, "\r\n") < 0 ? KENES_ENOMEM : 0;
}
