/*
 * The document file format: "---", YAML front matter, "---", Markdown body.
 *
 * Writing goes through libyaml's emitter and reading through its event
 * parser, converting to and from jansson values.  The two sides share one
 * scalar resolver (YAML 1.2 core schema), so whatever the emitter writes
 * plain is read back as the same type, and every string that a plain
 * scalar would turn into something else is written quoted.
 */
#include "storage/docfile.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "kenes/plugin.h"
#include "base/util.h"

/* The keys every document has, written first and in this order so that a
 * file reads the same way whichever order the JSON object was built in. */
static const char *const doc_fixed_keys[] = {"id", "type", "region", "title", "stage"};

/* Nesting beyond this is not a document, it is an attack on the stack. */
#define DOC_MAX_DEPTH 64

/* ------------------------------------------------------------------------ */
/* The scalar resolver, shared by both directions                          */

enum scalar_kind { SCALAR_STRING, SCALAR_NULL, SCALAR_BOOL, SCALAR_INT, SCALAR_FLOAT };

static int all_in(const char *s, size_t len, const char *set)
{
    if (len == 0)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!s[i] || !strchr(set, s[i]))
            return 0;
    return 1;
}

static int one_of(const char *s, size_t len, const char *const *words, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(words[i]) == len && memcmp(s, words[i], len) == 0)
            return 1;
    return 0;
}

/* [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
static int is_core_float(const char *s, size_t len)
{
    size_t i = 0, digits = 0;
    if (i < len && (s[i] == '-' || s[i] == '+'))
        i++;
    while (i < len && isdigit((unsigned char)s[i]))
        i++, digits++;
    if (i < len && s[i] == '.') {
        i++;
        while (i < len && isdigit((unsigned char)s[i]))
            i++, digits++;
    }
    if (digits == 0)
        return 0;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        size_t exp = 0;
        i++;
        if (i < len && (s[i] == '-' || s[i] == '+'))
            i++;
        while (i < len && isdigit((unsigned char)s[i]))
            i++, exp++;
        if (exp == 0)
            return 0;
    }
    return i == len;
}

/* What a plain scalar with this text means under the YAML 1.2 core schema. */
static enum scalar_kind resolve_plain(const char *s, size_t len)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};
    static const char *const bools[] = {"true", "True", "TRUE", "false", "False", "FALSE"};
    static const char *const specials[] = {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF",
                                           "-.inf", "-.Inf", "-.INF", ".nan", ".NaN", ".NAN"};
    if (one_of(s, len, nulls, UTIL_ARRAY_LEN(nulls)))
        return SCALAR_NULL;
    if (one_of(s, len, bools, UTIL_ARRAY_LEN(bools)))
        return SCALAR_BOOL;
    size_t sign = (s[0] == '-' || s[0] == '+') ? 1 : 0;
    if (all_in(s + sign, len - sign, "0123456789"))
        return SCALAR_INT;
    if (len > 2 && s[0] == '0' && s[1] == 'o' && all_in(s + 2, len - 2, "01234567"))
        return SCALAR_INT;
    if (len > 2 && s[0] == '0' && s[1] == 'x' &&
        all_in(s + 2, len - 2, "0123456789abcdefABCDEF"))
        return SCALAR_INT;
    if (is_core_float(s, len) || one_of(s, len, specials, UTIL_ARRAY_LEN(specials)))
        return SCALAR_FLOAT;
    return SCALAR_STRING;
}

/* Strings that other YAML readers (YAML 1.1: yes/no/on/off, dates, 1_000,
 * 1:30) would take for something else.  Quoting them costs nothing and
 * keeps the files unambiguous for an auditor's own tools; the core schema
 * alone decides what kenes reads back. */
static int looks_ambiguous(const char *s, size_t len)
{
    static const char *const words[] = {"y", "Y", "yes", "Yes", "YES", "n", "N", "no",
                                        "No", "NO", "on", "On", "ON", "off", "Off", "OFF"};
    if (one_of(s, len, words, UTIL_ARRAY_LEN(words)))
        return 1;
    size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
    if (i < len && s[i] == '.')
        i++;
    return i < len && isdigit((unsigned char)s[i]);
}

/* ------------------------------------------------------------------------ */
/* Serialising                                                              */

static int emit_write(void *data, unsigned char *buffer, size_t size)
{
    return util_buf_append(data, (const char *)buffer, size) == 0;
}

static int emit_scalar(yaml_emitter_t *e, const char *s, size_t len, yaml_scalar_style_t style,
                       int plain_implicit)
{
    yaml_event_t ev;
    if (!yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)len,
                                      plain_implicit, 1, style))
        return KENES_EINVAL;
    return yaml_emitter_emit(e, &ev) ? 0 : -1;
}

/* Only "\n" line breaks: a literal block would normalise "\r\n" and the
 * Unicode breaks to "\n", so those strings go double-quoted instead. */
static int literal_safe(const char *s, size_t len)
{
    int lf = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\n')
            lf = 1;
        else if (c == '\r')
            return 0;
        else if (c == 0xC2 && i + 1 < len && (unsigned char)s[i + 1] == 0x85)
            return 0; /* NEL */
        else if (c == 0xE2 && i + 2 < len && (unsigned char)s[i + 1] == 0x80 &&
                 ((unsigned char)s[i + 2] == 0xA8 || (unsigned char)s[i + 2] == 0xA9))
            return 0; /* LS, PS */
    }
    return lf;
}

static int emit_string(yaml_emitter_t *e, const char *s, size_t len)
{
    /* A multi-line text reads best as a literal block; libyaml falls back
     * to double quotes by itself when a block cannot hold the text. */
    if (memchr(s, '\n', len) || memchr(s, '\r', len))
        return emit_scalar(e, s, len,
                           literal_safe(s, len) ? YAML_LITERAL_SCALAR_STYLE
                                                : YAML_DOUBLE_QUOTED_SCALAR_STYLE,
                           0);
    if (resolve_plain(s, len) != SCALAR_STRING || looks_ambiguous(s, len))
        return emit_scalar(e, s, len, YAML_DOUBLE_QUOTED_SCALAR_STYLE, 0);
    /* Plain if libyaml finds it safe (no indicators, no edge spaces),
     * otherwise it picks a quoted style: either reads back as this string. */
    return emit_scalar(e, s, len, YAML_ANY_SCALAR_STYLE, 1);
}

/* The shortest text that strtod() turns back into exactly this double,
 * with a '.' or exponent so that it cannot be read as an integer. */
static void format_real(char *out, size_t cap, double v)
{
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(out, cap, "%.*g", prec, v);
        if (strtod(out, NULL) == v)
            break;
    }
    if (!strpbrk(out, ".eE")) {
        size_t n = strlen(out);
        snprintf(out + n, cap - n, ".0");
    }
}

static int emit_value(yaml_emitter_t *e, const json_t *v, int depth);

static int emit_object(yaml_emitter_t *e, const json_t *obj, int depth, int top)
{
    yaml_event_t ev;
    if (!yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE) ||
        !yaml_emitter_emit(e, &ev))
        return KENES_EINVAL;
    if (top) {
        for (size_t i = 0; i < UTIL_ARRAY_LEN(doc_fixed_keys); i++) {
            const json_t *v = json_object_get(obj, doc_fixed_keys[i]);
            if (!v)
                continue;
            if (emit_string(e, doc_fixed_keys[i], strlen(doc_fixed_keys[i])) < 0 ||
                emit_value(e, v, depth + 1) < 0)
                return KENES_EINVAL;
        }
    }
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v) {
        if (top) {
            int skip = strcmp(key, "body") == 0;
            for (size_t i = 0; i < UTIL_ARRAY_LEN(doc_fixed_keys) && !skip; i++)
                skip = strcmp(key, doc_fixed_keys[i]) == 0;
            if (skip)
                continue;
        }
        if (emit_string(e, key, strlen(key)) < 0 || emit_value(e, v, depth + 1) < 0)
            return KENES_EINVAL;
    }
    if (!yaml_mapping_end_event_initialize(&ev) || !yaml_emitter_emit(e, &ev))
        return KENES_EINVAL;
    return 0;
}

static int emit_value(yaml_emitter_t *e, const json_t *v, int depth)
{
    char num[64];
    yaml_event_t ev;
    if (depth > DOC_MAX_DEPTH)
        return KENES_EINVAL;
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return emit_object(e, v, depth, 0);
    case JSON_ARRAY: {
        size_t i;
        json_t *item;
        if (!yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
                                                  YAML_BLOCK_SEQUENCE_STYLE) ||
            !yaml_emitter_emit(e, &ev))
            return KENES_EINVAL;
        json_array_foreach(v, i, item) {
            if (emit_value(e, item, depth + 1) < 0)
                return KENES_EINVAL;
        }
        if (!yaml_sequence_end_event_initialize(&ev) || !yaml_emitter_emit(e, &ev))
            return KENES_EINVAL;
        return 0;
    }
    case JSON_STRING:
        return emit_string(e, json_string_value(v), json_string_length(v));
    case JSON_INTEGER:
        snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return emit_scalar(e, num, strlen(num), YAML_PLAIN_SCALAR_STYLE, 1);
    case JSON_REAL:
        format_real(num, sizeof(num), json_real_value(v));
        return emit_scalar(e, num, strlen(num), YAML_PLAIN_SCALAR_STYLE, 1);
    case JSON_TRUE:
        return emit_scalar(e, "true", 4, YAML_PLAIN_SCALAR_STYLE, 1);
    case JSON_FALSE:
        return emit_scalar(e, "false", 5, YAML_PLAIN_SCALAR_STYLE, 1);
    case JSON_NULL:
        return emit_scalar(e, "null", 4, YAML_PLAIN_SCALAR_STYLE, 1);
    }
    return KENES_EINVAL;
}

static int emit_front_matter(util_buf *out, const json_t *doc)
{
    yaml_emitter_t e;
    yaml_event_t ev;
    int rc = KENES_EINVAL;
    if (!yaml_emitter_initialize(&e))
        return KENES_ENOMEM;
    yaml_emitter_set_output(&e, emit_write, out);
    /* Cyrillic and Kazakh titles stay readable in the file and in diffs. */
    yaml_emitter_set_unicode(&e, 1);
    /* No folding: a long line split by the emitter is harder to diff, and
     * one scalar per line keeps a stray "---" out of column 0. */
    yaml_emitter_set_width(&e, -1);
    yaml_emitter_set_indent(&e, 2);
    yaml_emitter_set_break(&e, YAML_LN_BREAK);
    if (yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING) &&
        yaml_emitter_emit(&e, &ev) &&
        yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1) &&
        yaml_emitter_emit(&e, &ev) && emit_object(&e, doc, 0, 1) == 0 &&
        yaml_document_end_event_initialize(&ev, 1) && yaml_emitter_emit(&e, &ev) &&
        yaml_stream_end_event_initialize(&ev) && yaml_emitter_emit(&e, &ev) &&
        yaml_emitter_flush(&e))
        rc = 0;
    if (rc < 0)
        rc = e.error == YAML_MEMORY_ERROR ? KENES_ENOMEM : KENES_EINVAL;
    yaml_emitter_delete(&e);
    return rc;
}

int doc_serialize(char **out, size_t *out_len, const json_t *doc)
{
    *out = NULL;
    *out_len = 0;
    if (!json_is_object(doc))
        return KENES_EINVAL;
    const json_t *body = json_object_get(doc, "body");
    if (body && !json_is_string(body) && !json_is_null(body))
        return KENES_EINVAL;

    util_buf b;
    util_buf_init(&b);
    int rc = util_buf_puts(&b, "---\n");
    if (rc == 0)
        rc = emit_front_matter(&b, doc);
    if (rc == 0 && (b.len == 0 || b.data[b.len - 1] != '\n'))
        rc = util_buf_puts(&b, "\n");
    if (rc == 0)
        rc = util_buf_puts(&b, "---\n");
    if (rc == 0 && json_is_string(body))
        rc = util_buf_append(&b, json_string_value(body), json_string_length(body));
    if (rc < 0) {
        util_buf_dispose(&b);
        return rc == KENES_EINVAL ? KENES_EINVAL : KENES_ENOMEM;
    }
    *out = util_buf_detach(&b, out_len);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Parsing                                                                  */

typedef struct fm_parser {
    yaml_parser_t p;
    char *err;
    size_t errcap;
} fm_parser;

__attribute__((format(printf, 3, 4))) static int fail(fm_parser *fp, size_t line,
                                                      const char *fmt, ...)
{
    if (fp->err && fp->errcap) {
        int n = snprintf(fp->err, fp->errcap, "line %zu: ", line + 1);
        va_list ap;
        va_start(ap, fmt);
        if (n >= 0 && (size_t)n < fp->errcap)
            vsnprintf(fp->err + n, fp->errcap - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return KENES_EINVAL;
}

static int next_event(fm_parser *fp, yaml_event_t *ev)
{
    if (yaml_parser_parse(&fp->p, ev))
        return 0;
    if (fp->p.error == YAML_MEMORY_ERROR)
        return KENES_ENOMEM;
    return fail(fp, fp->p.problem_mark.line, "%s%s%s",
                fp->p.problem ? fp->p.problem : "invalid YAML",
                fp->p.context ? " " : "", fp->p.context ? fp->p.context : "");
}

static int scalar_to_json(fm_parser *fp, const yaml_event_t *ev, json_t **out)
{
    const char *s = (const char *)ev->data.scalar.value;
    size_t len = ev->data.scalar.length;
    const char *tag = (const char *)ev->data.scalar.tag;
    size_t line = ev->start_mark.line;
    int plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;

    if (tag && strcmp(tag, "!") != 0 && strcmp(tag, YAML_STR_TAG) != 0)
        return fail(fp, line, "unsupported tag %s", tag);
    enum scalar_kind kind = plain && !tag ? resolve_plain(s, len) : SCALAR_STRING;

    switch (kind) {
    case SCALAR_STRING:
        *out = json_stringn(s, len);
        break;
    case SCALAR_NULL:
        *out = json_null();
        break;
    case SCALAR_BOOL:
        *out = json_boolean(s[0] == 't' || s[0] == 'T');
        break;
    case SCALAR_INT: {
        char *end;
        long long v;
        errno = 0;
        if (s[0] == '0' && (s[1] == 'o' || s[1] == 'x'))
            v = strtoll(s + 2, &end, s[1] == 'o' ? 8 : 16);
        else
            v = strtoll(s, &end, 10);
        if (errno == ERANGE)
            return fail(fp, line, "integer %s is out of range", s);
        *out = json_integer(v);
        break;
    }
    case SCALAR_FLOAT: {
        /* .inf and .nan are floats to YAML but have no JSON form. */
        double v = is_core_float(s, len) ? strtod(s, NULL) : NAN;
        if (!isfinite(v))
            return fail(fp, line, "number %s is not finite", s);
        *out = json_real(v);
        break;
    }
    }
    return *out ? 0 : KENES_ENOMEM;
}

static int parse_node(fm_parser *fp, yaml_event_t *ev, json_t **out, int depth);

/* ev is the MAPPING_START; consumes up to its MAPPING_END. */
static int parse_mapping(fm_parser *fp, json_t **out, int depth)
{
    json_t *obj = json_object();
    int rc = obj ? 0 : KENES_ENOMEM;
    while (rc == 0) {
        yaml_event_t kev, vev;
        if ((rc = next_event(fp, &kev)) < 0)
            break;
        if (kev.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&kev);
            break;
        }
        if (kev.type != YAML_SCALAR_EVENT) {
            rc = fail(fp, kev.start_mark.line, "a key must be a string, not a mapping or a list");
            yaml_event_delete(&kev);
            break;
        }
        const char *key = (const char *)kev.data.scalar.value;
        size_t line = kev.start_mark.line;
        if (strlen(key) != kev.data.scalar.length)
            rc = fail(fp, line, "a key contains a NUL character");
        else if (json_object_get(obj, key))
            rc = fail(fp, line, "duplicate key \"%s\"", key);
        else if (depth == 0 && strcmp(key, "body") == 0)
            rc = fail(fp, line, "\"body\" is the text after the front matter, not a key");
        json_t *v = NULL;
        if (rc == 0 && (rc = next_event(fp, &vev)) == 0)
            rc = parse_node(fp, &vev, &v, depth + 1);
        if (rc == 0 && json_object_set_new(obj, key, v) < 0)
            rc = KENES_ENOMEM;
        yaml_event_delete(&kev);
    }
    if (rc < 0) {
        json_decref(obj);
        return rc;
    }
    *out = obj;
    return 0;
}

static int parse_sequence(fm_parser *fp, json_t **out, int depth)
{
    json_t *arr = json_array();
    int rc = arr ? 0 : KENES_ENOMEM;
    while (rc == 0) {
        yaml_event_t ev;
        if ((rc = next_event(fp, &ev)) < 0)
            break;
        if (ev.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        json_t *v = NULL;
        if ((rc = parse_node(fp, &ev, &v, depth + 1)) == 0 && json_array_append_new(arr, v) < 0)
            rc = KENES_ENOMEM;
    }
    if (rc < 0) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return 0;
}

/* Turns the node that starts with ev into JSON; always deletes ev. */
static int parse_node(fm_parser *fp, yaml_event_t *ev, json_t **out, int depth)
{
    int rc;
    *out = NULL;
    if (depth > DOC_MAX_DEPTH) {
        rc = fail(fp, ev->start_mark.line, "nested too deeply");
    } else {
        switch (ev->type) {
        case YAML_SCALAR_EVENT:
            rc = scalar_to_json(fp, ev, out);
            break;
        case YAML_MAPPING_START_EVENT:
            rc = parse_mapping(fp, out, depth);
            break;
        case YAML_SEQUENCE_START_EVENT:
            rc = parse_sequence(fp, out, depth);
            break;
        case YAML_ALIAS_EVENT:
            /* Aliases would let a small file expand without bound. */
            rc = fail(fp, ev->start_mark.line, "aliases are not allowed");
            break;
        default:
            rc = fail(fp, ev->start_mark.line, "unexpected YAML event");
            break;
        }
    }
    yaml_event_delete(ev);
    return rc;
}

/* Expect one event of this type and nothing else. */
static int expect(fm_parser *fp, yaml_event_type_t type, const char *what)
{
    yaml_event_t ev;
    int rc = next_event(fp, &ev);
    if (rc < 0)
        return rc;
    if (ev.type != type)
        rc = fail(fp, ev.start_mark.line, "%s", what);
    yaml_event_delete(&ev);
    return rc;
}

static int parse_front_matter(fm_parser *fp, json_t **out)
{
    yaml_event_t ev;
    int rc;
    if ((rc = expect(fp, YAML_STREAM_START_EVENT, "invalid YAML")) < 0 ||
        (rc = expect(fp, YAML_DOCUMENT_START_EVENT, "the front matter is empty")) < 0 ||
        (rc = next_event(fp, &ev)) < 0)
        return rc;
    if (ev.type != YAML_MAPPING_START_EVENT) {
        rc = fail(fp, ev.start_mark.line, "the front matter must be a mapping of keys to values");
        yaml_event_delete(&ev);
        return rc;
    }
    if ((rc = parse_node(fp, &ev, out, 0)) < 0)
        return rc;
    rc = expect(fp, YAML_DOCUMENT_END_EVENT, "text after the front matter's mapping");
    if (rc == 0)
        rc = expect(fp, YAML_STREAM_END_EVENT, "more than one YAML document in the front matter");
    if (rc < 0) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

/* Length of the line "---" at p (with its "\n" or "\r\n"), or 0 if the
 * line at p is something else.  At the end of the buffer no newline is needed. */
static size_t marker_line(const char *p, const char *end)
{
    if (end - p < 3 || memcmp(p, "---", 3) != 0)
        return 0;
    if (p + 3 == end)
        return 3;
    if (p[3] == '\n')
        return 4;
    if (p[3] == '\r' && (p + 4 == end || p[4] == '\n'))
        return p + 4 == end ? 4 : 5;
    return 0;
}

int doc_parse(json_t **out, const char *buf, size_t len, char *err, size_t errcap)
{
    fm_parser fp = {.err = err, .errcap = errcap};
    const char *end = buf + len;
    *out = NULL;
    if (err && errcap)
        err[0] = '\0';

    size_t open = marker_line(buf, end);
    if (open == 0 || buf[open - 1] != '\n')
        return fail(&fp, 0, "no front matter: a document starts with a \"---\" line");
    /* The front matter ends at the next "---" line; the body is the rest. */
    const char *close = NULL, *body = NULL;
    for (const char *p = buf + open; p < end;) {
        size_t n = marker_line(p, end);
        if (n) {
            close = p;
            body = p + n;
            break;
        }
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        p = nl ? nl + 1 : end;
    }
    if (!close)
        return fail(&fp, 0, "unterminated front matter: no closing \"---\" line");

    json_t *bodyv = json_stringn(body, (size_t)(end - body));
    if (!bodyv)
        return fail(&fp, 0, "the body is not valid UTF-8");

    if (!yaml_parser_initialize(&fp.p)) {
        json_decref(bodyv);
        return KENES_ENOMEM;
    }
    /* The opening "---" goes to the parser too: it is a YAML document
     * start, and the parser's line numbers then match the file's. */
    yaml_parser_set_input_string(&fp.p, (const unsigned char *)buf, (size_t)(close - buf));
    json_t *doc = NULL;
    int rc = parse_front_matter(&fp, &doc);
    yaml_parser_delete(&fp.p);
    if (rc == 0 && json_object_set_new(doc, "body", bodyv) < 0)
        rc = KENES_ENOMEM;
    else if (rc < 0)
        json_decref(bodyv);
    if (rc < 0) {
        json_decref(doc);
        return rc;
    }
    *out = doc;
    return 0;
}

int doc_parse_yaml(json_t **out, const char *buf, size_t len, char *err, size_t errcap)
{
    fm_parser fp = {.err = err, .errcap = errcap};
    *out = NULL;
    if (err && errcap)
        err[0] = '\0';
    if (!yaml_parser_initialize(&fp.p))
        return KENES_ENOMEM;
    yaml_parser_set_input_string(&fp.p, (const unsigned char *)buf, len);
    int rc = parse_front_matter(&fp, out);
    yaml_parser_delete(&fp.p);
    return rc;
}
