#include "storage/journal_tail.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kenes/plugin.h"
#include "base/util.h"
#include "storage/journal.h"

/* How much is read at once looking for the end of the last whole line. */
#define TAIL_LOOK 4096
/* The most one read takes of a budget: a reader of two journals (the
 * audit feed) then reads some of each in one budget, not all of it in one. */
#define TAIL_CHUNK (16 * 1024)

/* Read n more bytes, those just before the buffer's, in front of it. */
static int read_before(journal_tail *t, size_t n)
{
    char *buf = malloc(t->len + n);
    if (!buf)
        return KENES_ENOMEM;
    int rc = util_pread_all(t->fd, buf, n, t->end - t->len - n);
    if (rc < 0) {
        free(buf);
        return rc;
    }
    if (t->len)
        memcpy(buf + n, t->buf, t->len);
    free(t->buf);
    t->buf = buf;
    t->len += n;
    return 0;
}

/* The end of the last whole line at or before size (0 if none). */
static int last_line_end(journal_tail *t, uint64_t size)
{
    t->end = size;
    for (;;) {
        for (size_t k = t->len; k-- > 0;)
            if (t->buf[k] == '\n') {
                t->end -= t->len - k - 1;
                t->len = k + 1;
                return 0;
            }
        uint64_t left = t->end - t->len;
        if (!left) {
            t->end = 0; /* one line, unfinished: nothing to read yet */
            t->len = 0;
            return 0;
        }
        int rc = read_before(t, left < TAIL_LOOK ? (size_t)left : TAIL_LOOK);
        if (rc < 0)
            return rc;
    }
}

int journal_tail_open(journal_tail *t, const char *path, uint64_t at)
{
    memset(t, 0, sizeof(*t));
    t->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (t->fd < 0 && errno != ENOENT)
        return KENES_EIO;
    struct stat st;
    uint64_t size = 0;
    if (t->fd >= 0) {
        if (fstat(t->fd, &st) < 0) {
            close(t->fd);
            return KENES_EIO;
        }
        size = (uint64_t)st.st_size;
    }
    int rc = 0;
    char before = '\n';
    if (at == JOURNAL_TAIL_END)
        rc = t->fd >= 0 ? last_line_end(t, size) : 0;
    else if (at > size)
        rc = KENES_EINVAL;
    else if (at > 0 && (rc = util_pread_all(t->fd, &before, 1, at - 1)) == 0 && before != '\n')
        rc = KENES_EINVAL; /* inside a line */
    else
        t->end = at;
    if (rc < 0) {
        free(t->buf);
        if (t->fd >= 0)
            close(t->fd);
        memset(t, 0, sizeof(*t));
        return rc;
    }
    t->is_open = 1;
    return 0;
}

/* The strings a version's line must have, and those it may: a line
 * without them (an administrator's, a foreign commit's, a damaged one) is
 * passed over, as the index passes over them. */
static int take_line(journal_line *out, const char *commit, const char *const s[6],
                     int64_t time_ms)
{
    if (!commit || strlen(commit) != STORE_OID_HEX - 1 || !s[0] || !s[1] || !s[3] || !s[5])
        return 0;
    size_t total = 0;
    for (int i = 0; i < 6; i++)
        total += s[i] ? strlen(s[i]) + 1 : 0;
    char *text = malloc(total ? total : 1), *p = text;
    if (!text)
        return KENES_ENOMEM;
    const char **to[6] = {&out->document, &out->author, &out->role,
                          &out->action,   &out->from,   &out->to};
    for (int i = 0; i < 6; i++) {
        *to[i] = NULL;
        if (s[i]) {
            size_t n = strlen(s[i]) + 1;
            memcpy(p, s[i], n);
            *to[i] = p;
            p += n;
        }
    }
    memcpy(out->commit, commit, STORE_OID_HEX);
    out->time_ms = time_ms;
    out->text = text;
    return 1;
}

/* line[0..n) as the loader reads it (journal.c): the scanner, else jansson. */
static int decode(journal_line *out, char *line, size_t n)
{
    const char *commit = NULL, *document = NULL;
    idx_version v = {0};
    if (journal_scan(line, n, &commit, &document, &v)) {
        const char *s[6] = {document, v.author, v.role, v.action, v.from, v.to};
        return take_line(out, commit, s, v.time_ms);
    }
    json_t *j = NULL;
    if (util_json_parse(&j, line, strnlen(line, n)) == KENES_ENOMEM)
        return KENES_ENOMEM;
    static const char *const keys[6] = {"document", "author", "role", "action", "from", "to"};
    const char *s[6];
    for (int i = 0; i < 6; i++)
        s[i] = json_string_value(json_object_get(j, keys[i]));
    int rc = json_is_object(j) && !json_object_get(j, "admin") &&
                     !json_object_get(j, "foreign")
                 ? take_line(out, json_string_value(json_object_get(j, "commit")), s,
                             json_integer_value(json_object_get(j, "time")))
                 : 0;
    json_decref(j);
    return rc;
}

int journal_tail_prev(journal_line *line, journal_tail *t, size_t *budget)
{
    memset(line, 0, sizeof(*line));
    while (t->end > 0) {
        /* The buffer ends with the newline of the line wanted; the one
         * before it (or the journal's start) is where that line starts. */
        size_t k = t->len ? t->len - 1 : 0;
        while (k > 0 && t->buf[k - 1] != '\n')
            k--;
        if (t->len && (k > 0 || t->end == t->len)) {
            size_t n = t->len - 1 - k;
            uint64_t line_end = t->end;
            int rc = decode(line, t->buf + k, n);
            t->end -= t->len - k;
            t->len = k;
            if (rc < 0)
                return rc;
            if (rc == 1) {
                line->at = t->end;
                line->end = line_end;
                return 1;
            }
            continue; /* not a version's line */
        }
        if (!*budget)
            return JOURNAL_TAIL_PAUSE;
        uint64_t left = t->end - t->len;
        size_t n = *budget < TAIL_CHUNK ? *budget : TAIL_CHUNK;
        n = left < n ? (size_t)left : n;
        int rc = read_before(t, n);
        if (rc < 0)
            return rc;
        *budget -= n;
    }
    return 0;
}

void journal_line_dispose(journal_line *line)
{
    free(line->text);
    memset(line, 0, sizeof(*line));
}

void journal_tail_close(journal_tail *t)
{
    if (!t->is_open)
        return;
    if (t->fd >= 0)
        close(t->fd);
    free(t->buf);
    memset(t, 0, sizeof(*t));
}
