#include "base/mailaddr.h"

#include <string.h>

static int atext(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+/=?^_`{|}~-", c) != NULL);
}

static int label_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

/* The local part [s, end): dot-atoms only (a quoted local part is legal
 * mail, but no official needs one, and it is where header tricks hide). */
static int local_valid(const char *s, const char *end)
{
    size_t n = (size_t)(end - s);
    if (n == 0 || n > 64 || *s == '.' || end[-1] == '.')
        return 0;
    for (const char *p = s; p < end; p++)
        if (!(atext(*p) || (*p == '.' && p[1] != '.')))
            return 0;
    return 1;
}

static int domain_valid(const char *s)
{
    size_t labels = 0, len = 0;
    for (const char *p = s;; p++) {
        if (*p == '.' || !*p) {
            if (len == 0 || len > 63 || p[-1] == '-' || p[-(long)len] == '-')
                return 0;
            labels++;
            len = 0;
            if (!*p)
                break;
        } else if (label_char(*p)) {
            len++;
        } else {
            return 0;
        }
    }
    return labels >= 2;
}

int mailaddr_valid(const char *s)
{
    if (!s)
        return 0;
    size_t n = strlen(s);
    const char *at = strchr(s, '@');
    if (n < 3 || n > 254 || !at || strchr(at + 1, '@'))
        return 0;
    return local_valid(s, at) && domain_valid(at + 1);
}
