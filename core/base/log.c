#include "base/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/util.h"

static int log_level = KENES_LOG_INFO;

/* Code points that reorder or hide text on a terminal or in a viewer: C1
 * controls, the bidirectional marks, embeddings, overrides and isolates,
 * line and paragraph separators, zero-width and BOM characters. */
static int log_unsafe_cp(unsigned cp)
{
    return (cp >= 0x80 && cp <= 0x9F) || cp == 0x061C || (cp >= 0x200B && cp <= 0x200F) ||
           (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x2069) || cp == 0xFEFF;
}

/* Length and code point of the UTF-8 sequence at s (n bytes left), or 0 if
 * it is not one well-formed sequence. */
static size_t log_utf8_next(const unsigned char *s, size_t n, unsigned *cp)
{
    size_t len = s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC2 ? 2 : 0;
    if (s[0] >= 0xF5 || !len || len > n)
        return 0;
    unsigned c = s[0] & (0x7F >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    static const unsigned min[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (c < min[len] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return len;
}

/*
 * One log line is one line, read as written: what a request carries (a path,
 * a name) may hold control characters, line breaks or bidirectional marks
 * (U+202E) that would forge a line or reorder it on screen.  They are written
 * as escapes, \xHH for bytes and \u202E for code points, and a backslash
 * as two, so an escape in the text cannot pass for one of ours.
 */
void log_escape(char *out, size_t cap, const char *in)
{
    size_t o = 0, n = strlen(in);
    const unsigned char *s = (const unsigned char *)in;
    for (size_t i = 0; i < n && o + 1 < cap;) {
        char esc[16];
        unsigned cp = 0;
        size_t len = s[i] < 0x80 ? 1 : log_utf8_next(s + i, n - i, &cp);
        if (s[i] < 0x80)
            cp = s[i];
        if (len == 0 || cp < 0x20 || cp == 0x7F)
            snprintf(esc, sizeof(esc), "\\x%02X", s[i]), len = 1;
        else if (cp == '\\')
            snprintf(esc, sizeof(esc), "\\\\");
        else if (log_unsafe_cp(cp))
            snprintf(esc, sizeof(esc), "\\u%04X", cp);
        else
            esc[0] = '\0';
        size_t add = esc[0] ? strlen(esc) : len;
        if (o + add >= cap)
            break; /* cut on a whole character or escape */
        memcpy(out + o, esc[0] ? esc : (const char *)s + i, add);
        o += add;
        i += len;
    }
    out[o] = '\0';
}

void log_set_level(int level)
{
    log_level = level;
}

void log_msg(int level, const char *subsystem, const char *fmt, ...)
{
    static const char *names[] = {"debug", "info", "warn", "error"};
    if (level < log_level || level < 0 || level > KENES_LOG_ERROR)
        return;
    char when[32];
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);

    /* Build the line first so concurrent writers (thread pool) do not interleave. */
    char msg[2048], line[4096];
    UTIL_FORMAT(msg, fmt);
    int n = snprintf(line, sizeof(line), "%s.%03ldZ %s %s: ", when, ts.tv_nsec / 1000000,
                     names[level], subsystem);
    if (n >= 0 && (size_t)n < sizeof(line))
        log_escape(line + n, sizeof(line) - (size_t)n, msg);
    fprintf(stderr, "%s\n", line);
}
