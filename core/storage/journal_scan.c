/*
 * The journal's lines read without jansson: every line kenes writes has
 * the keys journal_entry gives it, in its order, compact, so a scanner
 * that knows that order reads one in a single pass with no allocation
 * (a start reads hundreds of thousands of them).  Anything else (an
 * administrator's or a foreign commit's line, a \u escape, a line written
 * by another tool) is not recognised and is left untouched for the
 * general parser, which also judges what is damaged: the scanner
 * recognises only lines that jansson reads to the same values.
 */
#include "storage/journal.h"

#include <string.h>

#include "base/util.h"

/* The keys of a version's line in journal_entry's order (after "commit"). */
enum { F_TIME, F_AUTHOR, F_ROLE, F_ACTION, F_DOCUMENT, F_FROM, F_TO, F_COMMENT, F_APPROVAL,
       F_NOTE, F_COUNT };

static const struct {
    const char *key; /* with its quotes and colon */
    size_t len;
    int optional; /* may be null */
} fields[F_COUNT] = {
#define K(s) s, sizeof(s) - 1
    [F_TIME] = {K("\"time\":"), 0},       [F_AUTHOR] = {K("\"author\":"), 0},
    [F_ROLE] = {K("\"role\":"), 1},       [F_ACTION] = {K("\"action\":"), 0},
    [F_DOCUMENT] = {K("\"document\":"), 0}, [F_FROM] = {K("\"from\":"), 1},
    [F_TO] = {K("\"to\":"), 0},           [F_COMMENT] = {K("\"comment\":"), 1},
    [F_APPROVAL] = {K("\"approval\":"), 1}, [F_NOTE] = {K("\"note\":"), 1},
#undef K
};

/* A string's raw text between its quotes: [start, end), and whether it
 * holds an escape to decode.  start NULL: the value was null. */
typedef struct span {
    char *start, *end;
    int escaped;
} span;

/* The string at *p (its opening quote), checked as jansson checks it:
 * no control character, valid UTF-8, only the escapes a compact dump
 * writes besides \u (which the general parser is left to decode).  *p is
 * moved past the closing quote.  0, or -1 if not recognised. */
static int scan_string(char **p, const char *end, span *s)
{
    char *q = *p;
    if (q >= end || *q != '"')
        return -1;
    s->start = ++q;
    s->escaped = 0;
    int ascii = 1;
    for (; q < end && *q != '"'; q++) {
        unsigned char c = (unsigned char)*q;
        if (c < 0x20)
            return -1;
        if (c >= 0x80)
            ascii = 0;
        if (c == '\\') {
            if (++q >= end || !strchr("\"\\/bfnrt", *q) || !*q)
                return -1;
            s->escaped = 1;
        }
    }
    if (q >= end)
        return -1;
    s->end = q;
    if (!ascii && !util_utf8_valid(s->start, (size_t)(s->end - s->start)))
        return -1;
    *p = q + 1;
    return 0;
}

/* Decode s in place and end it with a NUL (where its closing quote was,
 * or before): the text it points to is then the value jansson gives. */
static char *decode(const span *s)
{
    if (!s->start)
        return NULL;
    if (!s->escaped) {
        *s->end = '\0';
        return s->start;
    }
    char *out = s->start;
    for (const char *in = s->start; in < s->end; in++) {
        if (*in != '\\') {
            *out++ = *in;
            continue;
        }
        switch (*++in) {
        case 'b': *out++ = '\b'; break;
        case 'f': *out++ = '\f'; break;
        case 'n': *out++ = '\n'; break;
        case 'r': *out++ = '\r'; break;
        case 't': *out++ = '\t'; break;
        default: *out++ = *in; break; /* " \ / */
        }
    }
    *out = '\0';
    return s->start;
}

static int is_lower_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

int journal_scan(char *line, size_t n, const char **commit, const char **document,
                 idx_version *v)
{
    const char *end = line + n;
    char *p = line;
    static const char head[] = "{\"commit\":\"";
    if (n < sizeof(head) - 1 + STORE_OID_HEX || memcmp(p, head, sizeof(head) - 1) != 0)
        return 0;
    p += sizeof(head) - 1;
    char *oid = p;
    for (int i = 0; i < STORE_OID_HEX - 1; i++)
        if (!is_lower_hex(oid[i]))
            return 0;
    p += STORE_OID_HEX - 1;
    if (p >= end || *p != '"')
        return 0;
    char *oid_end = p++;

    span s[F_COUNT] = {{0}};
    int64_t time = 0;
    for (int f = 0; f < F_COUNT; f++) {
        if (p >= end || *p++ != ',' || (size_t)(end - p) < fields[f].len ||
            memcmp(p, fields[f].key, fields[f].len) != 0)
            return 0;
        p += fields[f].len;
        if (f == F_TIME) {
            /* What jansson reads as an integer: -?(0|[1-9][0-9]*), kept
             * short of overflow (longer ones go to jansson). */
            int neg = p < end && *p == '-';
            p += neg;
            char *digits = p;
            while (p < end && *p >= '0' && *p <= '9' && p - digits < 18)
                time = time * 10 + (*p++ - '0');
            if (p == digits || (*digits == '0' && p - digits > 1) ||
                (p < end && *p >= '0' && *p <= '9'))
                return 0;
            if (neg)
                time = -time;
        } else if (fields[f].optional && (size_t)(end - p) >= 4 && memcmp(p, "null", 4) == 0) {
            p += 4;
        } else if (scan_string(&p, end, &s[f]) < 0) {
            return 0;
        }
    }
    if (p >= end || *p++ != '}' || p != end)
        return 0;

    /* Recognised: from here on the line is decoded in place. */
    *oid_end = '\0';
    *commit = oid;
    memset(v, 0, sizeof(*v));
    v->time_ms = time;
    v->author = decode(&s[F_AUTHOR]);
    v->role = decode(&s[F_ROLE]);
    v->action = decode(&s[F_ACTION]);
    *document = decode(&s[F_DOCUMENT]);
    v->from = decode(&s[F_FROM]);
    v->to = decode(&s[F_TO]);
    v->comment = decode(&s[F_COMMENT]);
    v->approval = decode(&s[F_APPROVAL]);
    v->note = decode(&s[F_NOTE]);
    return 1;
}
