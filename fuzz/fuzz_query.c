/*
 * What a URL brings: the query string (http_query() decodes it), RFC 3339
 * times (?at=, ?since=) and document ids.  The input is a query string, a
 * newline, then one more text read as a time and as an id.  What must hold:
 *
 * - a decoded value fits its buffer and is UTF-8 without NUL;
 * - a time util_parse_rfc3339() takes formats back (util_format_rfc3339())
 *   to a text that parses to the same instant;
 * - an id util_id_valid() takes has segments of [A-Za-z0-9._-], none empty,
 *   "." or "..", so it can name nothing outside its repository.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/http.h"
#include "base/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
    if (!ok)
        abort();
}

static void check_value(const char *v)
{
    int64_t ms, again;
    if (util_parse_rfc3339(&ms, v) == 0) {
        char text[64];
        util_format_rfc3339(text, sizeof(text), ms);
        check(util_parse_rfc3339(&again, text) == 0 && again == ms);
    }
    if (util_id_valid(v)) {
        size_t n = strlen(v);
        check(n > 0 && n <= 256 && v[0] != '/' && v[n - 1] != '/');
        for (const char *seg = v; seg;) {
            const char *slash = strchr(seg, '/');
            size_t len = slash ? (size_t)(slash - seg) : strlen(seg);
            check(len > 0 && strspn(seg, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                          "0123456789._-") >= len);
            check(!(len == 1 && seg[0] == '.') && !(len == 2 && seg[0] == '.' && seg[1] == '.'));
            seg = slash ? slash + 1 : NULL;
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    check(text != NULL);
    memcpy(text, data, size);
    text[size] = '\0';
    char *nl = memchr(text, '\n', size);
    if (nl)
        *nl = '\0';

    http_request req;
    memset(&req, 0, sizeof(req));
    req.query = text;
    static const char *const names[] = {"at", "since", "until", "cursor", "user", "type"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        char out[64];
        int rc = http_query(&req, names[i], out, sizeof(out));
        check(rc >= -1 && rc <= 1);
        if (rc == 1) {
            size_t n = strlen(out);
            check(n < sizeof(out) && util_utf8_valid(out, n));
            check_value(out);
        }
    }
    if (nl)
        check_value(nl + 1);
    free(text);
    return 0;
}
