#include "base/util.h"

#include "base/error.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int util_utf8_valid(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < len) {
        unsigned c = s[i];
        size_t n;
        unsigned cp;
        if (c == 0)
            return 0;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            n = 1;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            n = 2;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            n = 3;
            cp = c & 0x07;
        } else {
            return 0;
        }
        if (i + n >= len)
            return 0;
        for (size_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        /* Overlong forms, surrogates and values past U+10FFFF are not UTF-8. */
        if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
            (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
            return 0;
        i += n + 1;
    }
    return 1;
}

size_t util_utf8_length(const char *str)
{
    size_t n = 0;
    for (const unsigned char *s = (const unsigned char *)str; *s; s++)
        if ((*s & 0xC0) != 0x80)
            n++;
    return n;
}

void util_buf_init(util_buf *b)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void util_buf_dispose(util_buf *b)
{
    free(b->data);
    util_buf_init(b);
}

static int buf_reserve(util_buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p)
        return KENES_ENOMEM;
    b->data = p;
    b->cap = cap;
    return 0;
}

int util_buf_append(util_buf *b, const char *s, size_t n)
{
    if (buf_reserve(b, n) < 0)
        return KENES_ENOMEM;
    if (n)
        memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int util_buf_puts(util_buf *b, const char *s)
{
    return util_buf_append(b, s, strlen(s));
}

int util_buf_printf(util_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || buf_reserve(b, (size_t)n) < 0)
        return KENES_ENOMEM;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

char *util_buf_detach(util_buf *b, size_t *len)
{
    if (buf_reserve(b, 0) < 0)
        return NULL;
    b->data[b->len] = '\0'; /* a buffer never written to has no terminator yet */
    char *p = b->data;
    if (len)
        *len = b->len;
    util_buf_init(b);
    return p;
}

void *util_grow(void *items, size_t *cap, size_t n, size_t size, size_t first)
{
    if (n < *cap)
        return items;
    size_t grown = *cap ? *cap * 2 : first;
    if (grown <= n || grown > SIZE_MAX / size)
        return NULL;
    void *p = realloc(items, grown * size);
    if (p)
        *cap = grown;
    return p;
}

int util_mkdirs(const char *path, int mode)
{
    char tmp[4096];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof(tmp))
        return KENES_ETOOBIG;
    memcpy(tmp, path, n + 1);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, (mode_t)mode) < 0 && errno != EEXIST)
            return kenes_error_from_errno(errno);
        *p = '/';
    }
    if (mkdir(tmp, (mode_t)mode) < 0 && errno != EEXIST)
        return kenes_error_from_errno(errno);
    return 0;
}

int util_read_file(char **out, size_t *len, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return kenes_error_from_errno(errno);
    util_buf b;
    util_buf_init(&b);
    /* Room for the whole file at once: grown by doubling, a journal of
     * 78 MB once took 134 MB at its peak (bench_start, heaptrack). */
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
        (uint64_t)st.st_size < SIZE_MAX / 2 &&
        !(b.data = malloc((size_t)st.st_size + 1))) {
        fclose(f);
        return KENES_ENOMEM;
    }
    if (b.data) {
        b.cap = (size_t)st.st_size + 1;
        b.data[0] = '\0';
    }
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (util_buf_append(&b, chunk, n) < 0) {
            fclose(f);
            util_buf_dispose(&b);
            return KENES_ENOMEM;
        }
    }
    int err = ferror(f) ? KENES_EIO : 0;
    fclose(f);
    if (err) {
        util_buf_dispose(&b);
        return err;
    }
    *out = util_buf_detach(&b, len);
    return *out ? 0 : KENES_ENOMEM;
}

void util_set_err(char *err, size_t errcap, const char *fmt, ...)
{
    if (!err || errcap == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errcap, fmt, ap);
    va_end(ap);
}

int util_read_secret(unsigned char *out, size_t n, const char *path, const char *what, char *err,
                     size_t errcap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        util_set_err(err, errcap, "cannot open %s %s: %s", what, path, strerror(e));
        return kenes_error_from_errno(e);
    }
    struct stat st;
    int rc = 0;
    if (fstat(fd, &st) < 0) {
        util_set_err(err, errcap, "cannot stat %s %s: %s", what, path, strerror(errno));
        rc = KENES_EIO;
    } else if (!S_ISREG(st.st_mode)) {
        util_set_err(err, errcap, "%s %s is not a regular file", what, path);
        rc = KENES_EINVAL;
    } else if (st.st_mode & 077) {
        util_set_err(err, errcap, "%s must be readable by its owner only (chmod 600)", path);
        rc = KENES_EINVAL;
    } else if (st.st_size != (off_t)n) {
        util_set_err(err, errcap, "%s %s is %lld bytes; it must be exactly %zu", what, path,
                (long long)st.st_size, n);
        rc = KENES_EINVAL;
    }
    size_t got = 0;
    while (rc == 0 && got < n) {
        ssize_t r = read(fd, out + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            util_set_err(err, errcap, "cannot read %s %s: %s", what, path, strerror(errno));
            rc = KENES_EIO;
        } else if (r == 0) {
            util_set_err(err, errcap, "%s %s is shorter than %zu bytes", what, path, n);
            rc = KENES_EINVAL;
        } else {
            got += (size_t)r;
        }
    }
    /* The file could have grown since fstat; a longer file is not this key. */
    char extra;
    if (rc == 0 && read(fd, &extra, 1) != 0) {
        util_set_err(err, errcap, "%s %s is longer than %zu bytes", what, path, n);
        rc = KENES_EINVAL;
    }
    close(fd);
    if (rc < 0)
        explicit_bzero(out, n);
    return rc;
}

int util_fsync_dir_of(const char *path)
{
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash == dir)
        slash[1] = '\0';
    else if (slash)
        *slash = '\0';
    else
        snprintf(dir, sizeof(dir), ".");
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return kenes_error_from_errno(errno);
    int rc = fsync(fd) < 0 ? kenes_error_from_errno(errno) : 0;
    close(fd);
    return rc;
}

int util_rename_durable(const char *from, const char *to)
{
    if (rename(from, to) < 0)
        return kenes_error_from_errno(errno);
    return util_fsync_dir_of(to);
}

int util_unlink_durable(const char *path)
{
    if (unlink(path) < 0 && errno != ENOENT)
        return kenes_error_from_errno(errno);
    return util_fsync_dir_of(path);
}

int util_write_file_atomic(const char *path, const char *data, size_t len, int mode)
{
    int rc = util_replace_file(path, data, len, mode);
    return rc < 0 ? rc : util_fsync_dir_of(path);
}

int util_replace_file(const char *path, const char *data, size_t len, int mode)
{
    char tmp[4096];
    if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >= sizeof(tmp))
        return KENES_ETOOBIG;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, (mode_t)mode);
    if (fd < 0)
        return kenes_error_from_errno(errno);
    /* The mode asked for, whatever the umask (077 in kenes): a file meant for
     * everyone, like the public key, says so with 0644. */
    if (fchmod(fd, (mode_t)mode) < 0) {
        int e = kenes_error_from_errno(errno);
        close(fd);
        unlink(tmp);
        return e;
    }
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            int e = kenes_error_from_errno(errno);
            close(fd);
            unlink(tmp);
            return e;
        }
        off += (size_t)w;
    }
    if (fsync(fd) < 0) {
        int e = kenes_error_from_errno(errno);
        close(fd);
        unlink(tmp);
        return e;
    }
    close(fd);
    if (rename(tmp, path) < 0) {
        int e = kenes_error_from_errno(errno);
        unlink(tmp);
        return e;
    }
    return 0;
}

/* n ASCII digits at p as a number, or KENES_EINVAL (a sign, a space, a
 * short field). */
static int digits(const char *p, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return KENES_EINVAL;
        v = v * 10 + (p[i] - '0');
    }
    return v;
}

int util_days_in_month(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

/* RFC 3339's date-time, exactly: "YYYY-MM-DDTHH:MM:SS", an optional
 * fraction, then "Z" or "+HH:MM"/"-HH:MM"; a real calendar day.  Every byte
 * is read by position, so a short or signed field is refused, never read
 * past (these texts come from URLs). */
int util_parse_rfc3339(int64_t *out_ms, const char *s)
{
    size_t len = strnlen(s, 64);
    if (len < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
        s[13] != ':' || s[16] != ':')
        return KENES_EINVAL;
    int Y = digits(s, 4), M = digits(s + 5, 2), D = digits(s + 8, 2), h = digits(s + 11, 2),
        m = digits(s + 14, 2), sec = digits(s + 17, 2);
    if (Y < 0 || M < 1 || M > 12 || D < 1 || D > util_days_in_month(Y, M) || h < 0 || h > 23 ||
        m < 0 || m > 59 || sec < 0 || sec > 60)
        return KENES_EINVAL;
    const char *p = s + 19;
    if (*p == '.') {
        const char *f = ++p;
        while (*p >= '0' && *p <= '9')
            p++;
        if (p == f)
            return KENES_EINVAL;
    }
    long off = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh = digits(p + 1, 2), om = p[1] && p[2] && p[3] == ':' ? digits(p + 4, 2) : -1;
        if (oh < 0 || oh > 23 || om < 0 || om > 59)
            return KENES_EINVAL;
        off = (oh * 60L + om) * 60L * (*p == '+' ? 1 : -1);
        p += 6;
    } else {
        return KENES_EINVAL;
    }
    if (*p)
        return KENES_EINVAL;
    struct tm tm = {0};
    tm.tm_year = Y - 1900;
    tm.tm_mon = M - 1;
    tm.tm_mday = D;
    tm.tm_hour = h;
    tm.tm_min = m;
    tm.tm_sec = sec;
    time_t t = timegm(&tm);
    *out_ms = ((int64_t)t - off) * 1000;
    return 0;
}

int64_t util_now_ms(void)
{
    /* Tests fix the clock with KENES_NOW so that deadlines are reproducible. */
    const char *fixed = getenv("KENES_NOW");
    int64_t ms;
    if (fixed && *fixed && util_parse_rfc3339(&ms, fixed) == 0)
        return ms;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void util_format_rfc3339(char *out, size_t cap, int64_t ms)
{
    /* Whole seconds, rounded down (before 1970 too). */
    time_t t = (time_t)(ms / 1000 - (ms % 1000 < 0));
    struct tm tm;
    gmtime_r(&t, &tm);
    /* Four digits for every year parse takes ("%Y" writes the year 1 as "1"). */
    snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* An id is two or more segments of [A-Za-z0-9._-], none "." or "..". */
int util_id_valid(const char *id)
{
    size_t n = strlen(id), seglen = 0, segs = 1;
    if (n == 0 || n > 256 || id[0] == '/' || id[n - 1] == '/')
        return 0;
    for (const char *p = id;; p++) {
        if (*p == '/' || *p == '\0') {
            if (seglen == 0 || (seglen == 1 && p[-1] == '.') ||
                (seglen == 2 && p[-1] == '.' && p[-2] == '.'))
                return 0;
            if (!*p)
                break;
            segs++;
            seglen = 0;
            continue;
        }
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.'))
            return 0;
        seglen++;
    }
    return segs >= 2;
}

void util_path(char *out, size_t cap, const char *dir, const char *leaf)
{
    snprintf(out, cap, "%s/%s", dir, leaf);
}

/* jansson allocates through json_alloc, so that a parse can tell running
 * out of memory from a bad text: jansson itself reports most of its failed
 * allocations as syntax errors ("invalid token"). */
static _Thread_local int json_oom;

static void *json_alloc(size_t n)
{
    void *p = malloc(n);
    if (!p)
        json_oom = 1;
    return p;
}

static void json_alloc_install(void)
{
    /* malloc and free as before: what jansson allocated until now frees alike. */
    json_set_alloc_funcs(json_alloc, free);
}

int util_json_parse(json_t **out, const char *text, size_t len)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, json_alloc_install);
    json_oom = 0;
    *out = json_loadb(text, len, 0, NULL);
    /* Some of jansson's failed allocations even leave a value, short of
     * what the text holds. */
    if (json_oom) {
        json_decref(*out);
        *out = NULL;
        return KENES_ENOMEM;
    }
    return *out ? 0 : KENES_EINVAL;
}

void util_free_list(char **names, size_t n)
{
    for (size_t i = 0; names && i < n; i++)
        free(names[i]);
    free(names);
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int util_list_dir(char ***out, size_t *n, const char *dir, const char *suffix)
{
    *out = NULL;
    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return kenes_error_from_errno(errno);
    char **names = NULL;
    size_t count = 0, cap = 0, k = strlen(suffix);
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.' || len <= k || strcmp(e->d_name + len - k, suffix) != 0)
            continue;
        if (count == cap) {
            size_t grown = cap ? cap * 2 : 8;
            char **p = realloc(names, grown * sizeof(*p));
            if (!p) {
                rc = KENES_ENOMEM;
                break;
            }
            names = p;
            cap = grown;
        }
        if (!(names[count] = strdup(e->d_name)))
            rc = KENES_ENOMEM;
        else
            count++;
    }
    closedir(d);
    if (rc < 0) {
        util_free_list(names, count);
        return rc;
    }
    if (count)
        qsort(names, count, sizeof(*names), cmp_names);
    *out = names;
    *n = count;
    return 0;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path) < 0 && errno != ENOENT ? -1 : 0;
}

int util_remove_tree(const char *path)
{
    /* Depth first, links not followed: a link inside goes, never what it
     * names. */
    if (nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS) < 0)
        return errno == ENOENT ? 0 : kenes_error_from_errno(errno);
    return 0;
}

int util_write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return kenes_error_from_errno(errno);
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* pread or pwrite until all of len is done (a write only reads buf). */
static int positional_all(int fd, char *buf, size_t len, uint64_t off, int write)
{
    while (len) {
        ssize_t n = write ? pwrite(fd, buf, len, (off_t)off) : pread(fd, buf, len, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0)
            errno = EIO;
        if (n <= 0)
            return KENES_EIO;
        buf += n;
        len -= (size_t)n;
        off += (uint64_t)n;
    }
    return 0;
}

int util_pwrite_all(int fd, const void *data, size_t len, uint64_t off)
{
    return positional_all(fd, (char *)data, len, off, 1);
}

int util_pread_all(int fd, void *buf, size_t len, uint64_t off)
{
    return positional_all(fd, buf, len, off, 0);
}
