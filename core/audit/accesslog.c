#include "audit/accesslog.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kenes/plugin.h"
#include "base/error.h"
#include "base/log.h"
#include "base/util.h"

typedef struct alog_entry {
    char *line; /* with its newline */
    size_t len;
    char hash[65]; /* of this line: the next one's "prev" */
    alog_cb cb;
    void *payload;
    struct alog_entry *next;
} alog_entry;

struct access_log {
    uv_loop_t *loop;
    char *path;
    int fd;
    char prev[65];    /* hash of the last line queued */
    char durable[65]; /* hash of the last line on disk */
    off_t size;       /* bytes on disk, up to the end of that line */
    size_t lines;     /* whole lines on disk; the writer job's while one runs */
    alog_anchor_fn anchor; /* told of each batch made durable (the signed checkpoint) */
    void *anchor_payload;
    alog_entry *queue, *queue_tail;
    alog_entry *batch; /* being written by the job */
    int batch_status;
    int running;
    uv_work_t work;
};

static void line_hash(char out[65], const char *line, size_t len)
{
    unsigned char h[crypto_hash_sha256_BYTES];
    /* The hash covers the line without its newline. */
    if (len && line[len - 1] == '\n')
        len--;
    crypto_hash_sha256(h, (const unsigned char *)line, len);
    sodium_bin2hex(out, 65, h, sizeof(h));
}

/* The last whole line of the file, to continue its chain, and *keep, the
 * bytes up to its end: more is a line a crash cut short, never answered
 * for (an answer waits for its line's fsync). */
static int read_last_hash(char out[65], off_t *keep, size_t *lines, const char *path)
{
    char *text;
    size_t len;
    memcpy(out, ALOG_GENESIS, 65);
    *keep = 0;
    *lines = 0;
    int rc = util_read_file(&text, &len, path);
    if (rc == KENES_ENOTFOUND)
        return 0;
    if (rc < 0)
        return rc;
    size_t end = len;
    while (end && text[end - 1] != '\n')
        end--;
    *keep = (off_t)end;
    for (size_t i = 0; i < end; i++)
        *lines += text[i] == '\n';
    while (end && text[end - 1] == '\n')
        end--;
    size_t start = end;
    while (start && text[start - 1] != '\n')
        start--;
    if (end > start)
        line_hash(out, text + start, end - start);
    free(text);
    return 0;
}

int alog_open(access_log **out, uv_loop_t *loop, const char *path, char *err, size_t errcap)
{
    if (sodium_init() < 0)
        return KENES_ENOMEM;
    access_log *l = calloc(1, sizeof(*l));
    if (!l)
        return KENES_ENOMEM;
    l->loop = loop;
    l->path = strdup(path);
    l->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    struct stat st;
    int rc = !l->path ? KENES_ENOMEM : l->fd < 0 ? kenes_error_from_errno(errno) : 0;
    if (rc == 0)
        rc = read_last_hash(l->prev, &l->size, &l->lines, path);
    if (rc == 0 &&
        (fstat(l->fd, &st) < 0 || (st.st_size > l->size && ftruncate(l->fd, l->size) < 0)))
        rc = kenes_error_from_errno(errno);
    if (rc < 0) {
        snprintf(err, errcap, "%.900s: %s", path, kenes_strerror(rc));
        alog_close(l);
        return rc == KENES_ENOMEM ? rc : KENES_EIO;
    }
    if (st.st_size > l->size)
        log_warn("access", "%s: dropped an unfinished last line (%lld bytes)", path,
                 (long long)(st.st_size - l->size));
    memcpy(l->durable, l->prev, sizeof(l->durable));
    l->work.data = l;
    *out = l;
    return 0;
}

int alog_cut_to(access_log *l, size_t lines)
{
    if (!alog_idle(l) || lines > l->lines)
        return KENES_EINVAL;
    char *text;
    size_t len;
    int rc = util_read_file(&text, &len, l->path);
    if (rc < 0)
        return KENES_EIO;
    size_t end = 0, seen = 0, start = 0;
    char head[65];
    memcpy(head, ALOG_GENESIS, sizeof(head));
    while (seen < lines && end < len) {
        const char *nl = memchr(text + end, '\n', len - end);
        if (!nl)
            break;
        start = end;
        end = (size_t)(nl - text) + 1;
        seen++;
    }
    if (seen < lines) {
        free(text);
        return KENES_EIO; /* the file changed under us */
    }
    if (lines)
        line_hash(head, text + start, end - start);
    free(text);
    if (ftruncate(l->fd, (off_t)end) < 0 || fdatasync(l->fd) < 0)
        return KENES_EIO;
    l->size = (off_t)end;
    l->lines = lines;
    memcpy(l->prev, head, sizeof(head));
    memcpy(l->durable, head, sizeof(head));
    return 0;
}

void alog_close(access_log *l)
{
    if (!l)
        return;
    if (l->fd >= 0)
        close(l->fd);
    free(l->path);
    free(l);
}

int alog_idle(const access_log *l)
{
    return !l->running && !l->queue;
}

void alog_position(const access_log *l, size_t *lines, char head[65])
{
    *lines = l->lines;
    memcpy(head, l->durable, 65);
}

int alog_set_anchor(access_log *l, alog_anchor_fn fn, void *payload)
{
    if (!alog_idle(l))
        return KENES_EINVAL;
    l->anchor = fn;
    l->anchor_payload = payload;
    return 0;
}

static void write_work(uv_work_t *w)
{
    access_log *l = w->data;
    off_t size = l->size;
    size_t lines = l->lines;
    const alog_entry *last = NULL;
    l->batch_status = 0;
    for (alog_entry *e = l->batch; e && l->batch_status == 0; e = e->next) {
        lines++;
        last = e;
        size_t off = 0;
        while (off < e->len) {
            ssize_t n = write(l->fd, e->line + off, e->len - off);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0) {
                l->batch_status = KENES_EIO;
                break;
            }
            off += (size_t)n;
        }
        size += (off_t)off;
    }
    if (l->batch_status == 0 && fdatasync(l->fd) < 0)
        l->batch_status = KENES_EIO;
    /* The signed checkpoint moves before any of these reads is answered;
     * if it cannot, the lines go as if they had not been written. */
    if (l->batch_status == 0 && l->anchor && last &&
        l->anchor(lines, last->hash, l->anchor_payload) < 0)
        l->batch_status = KENES_EIO;
    if (l->batch_status == 0) {
        l->size = size;
        l->lines = lines;
    } else if (ftruncate(l->fd, l->size) < 0 || fdatasync(l->fd) < 0) {
        /* The file keeps part of the batch; verify will name the line. */
        l->size = size;
    }
}

static void start_job(access_log *l);

/* Call back every entry of e with rc, and free them. */
static void finish(alog_entry *e, int rc)
{
    while (e) {
        alog_entry *next = e->next;
        e->cb(rc, e->payload);
        free(e->line);
        free(e);
        e = next;
    }
}

/* Lines that did not reach the disk: those queued meanwhile chain from them,
 * so they fail too, and the chain goes on from the last line on disk. */
static alog_entry *unwind(access_log *l, alog_entry *failed)
{
    alog_entry **tail = &failed;
    while (*tail)
        tail = &(*tail)->next;
    *tail = l->queue;
    l->queue = l->queue_tail = NULL;
    memcpy(l->prev, l->durable, sizeof(l->prev));
    return failed;
}

static void write_done(uv_work_t *w, int status)
{
    access_log *l = w->data;
    alog_entry *e = l->batch;
    int rc = status < 0 ? KENES_EIO : l->batch_status;
    l->batch = NULL;
    l->running = 0;
    if (rc == 0) {
        for (alog_entry *last = e; last; last = last->next)
            if (!last->next)
                memcpy(l->durable, last->hash, sizeof(l->durable));
    } else {
        e = unwind(l, e);
    }
    start_job(l);
    finish(e, rc);
}

static void start_job(access_log *l)
{
    if (l->running || !l->queue)
        return;
    l->batch = l->queue;
    l->queue = l->queue_tail = NULL;
    l->running = 1;
    if (uv_queue_work(l->loop, &l->work, write_work, write_done) != 0) {
        l->running = 0;
        alog_entry *e = unwind(l, l->batch);
        l->batch = NULL;
        finish(e, KENES_EIO);
    }
}

int alog_append(access_log *l, const char *user, const char *role, const char *document,
                const char *action, alog_cb cb, void *payload)
{
    char when[32];
    util_format_rfc3339(when, sizeof(when), util_now_ms());
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "time", when, "user", user, "role",
                          role, "document", document, "action", action, "prev", l->prev);
    char *text = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(j);
    alog_entry *e = text ? calloc(1, sizeof(*e)) : NULL;
    if (!e) {
        free(text);
        return KENES_ENOMEM;
    }
    size_t n = strlen(text);
    /* Grown in place for the newline; on failure text is still ours. */
    char *line = realloc(text, n + 2);
    if (!line) {
        free(text);
        free(e);
        return KENES_ENOMEM;
    }
    e->line = line;
    e->line[n] = '\n';
    e->line[n + 1] = '\0';
    e->len = n + 1;
    e->cb = cb;
    e->payload = payload;
    line_hash(e->hash, e->line, e->len);
    memcpy(l->prev, e->hash, sizeof(l->prev));
    if (l->queue_tail)
        l->queue_tail->next = e;
    else
        l->queue = e;
    l->queue_tail = e;
    start_job(l);
    return 0;
}

long alog_verify_file(const char *path, size_t *lines, char *err, size_t errcap)
{
    return alog_scan_file(path, lines, NULL, NULL, err, errcap);
}

long alog_scan_file(const char *path, size_t *lines, alog_line_fn each, void *payload, char *err,
                    size_t errcap)
{
    char *text;
    size_t len;
    *lines = 0;
    int rc = util_read_file(&text, &len, path);
    if (rc == KENES_ENOTFOUND)
        return 0;
    if (rc < 0) {
        snprintf(err, errcap, "cannot read the access log: %s", kenes_strerror(rc));
        return rc;
    }
    char prev[65];
    memcpy(prev, ALOG_GENESIS, 65);
    long bad = 0;
    for (char *p = text; *p && !bad;) {
        char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        (*lines)++;
        json_t *j = json_loadb(p, n, 0, NULL);
        const char *claimed = json_string_value(json_object_get(j, "prev"));
        if (!j || !claimed) {
            snprintf(err, errcap, "line %zu is not an access log entry", *lines);
            bad = (long)*lines;
        } else if (strcmp(claimed, prev) != 0) {
            snprintf(err, errcap, "line %zu does not carry the hash of the line before it", *lines);
            bad = (long)*lines;
        }
        json_decref(j);
        line_hash(prev, p, n);
        if (each)
            each(*lines, prev, payload);
        p = nl ? nl + 1 : p + n;
    }
    free(text);
    return bad;
}

int alog_query_file(json_t **out, const char *path, const char *document, const char *user,
                    int64_t since_ms, int64_t until_ms, size_t limit)
{
    char *text;
    size_t len;
    *out = json_array();
    int rc = util_read_file(&text, &len, path);
    if (rc == KENES_ENOTFOUND)
        return 0;
    if (rc < 0)
        return KENES_EIO;
    for (char *p = text; *p;) {
        char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        json_t *j = json_loadb(p, n, 0, NULL);
        const char *d = json_string_value(json_object_get(j, "document"));
        const char *u = json_string_value(json_object_get(j, "user"));
        const char *t = json_string_value(json_object_get(j, "time"));
        int64_t when = -1;
        if (j && d && u && t && util_parse_rfc3339(&when, t) == 0 &&
            (!document || strcmp(d, document) == 0) && (!user || strcmp(u, user) == 0) &&
            (since_ms < 0 || when >= since_ms) && (until_ms < 0 || when <= until_ms)) {
            json_array_append(*out, j);
            if (json_array_size(*out) > limit)
                json_array_remove(*out, 0);
        }
        json_decref(j);
        p = nl ? nl + 1 : p + n;
    }
    free(text);
    return 0;
}
