#include "notify/mailmsg.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/error.h"
#include "base/mailaddr.h"

/* 45 bytes are 60 base64 characters: with "=?UTF-8?B?" and "?=", 72. */
#define WORD_BYTES 45

static int b64_append(util_buf *out, const unsigned char *p, size_t n)
{
    size_t cap = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
    char *tmp = malloc(cap);
    if (!tmp)
        return KENES_ENOMEM;
    sodium_bin2base64(tmp, cap, p, n, sodium_base64_VARIANT_ORIGINAL);
    int rc = util_buf_puts(out, tmp);
    free(tmp);
    return rc;
}

int mailmsg_encode_words(util_buf *out, const char *s)
{
    size_t n = strlen(s);
    unsigned char *clean = malloc(n + 1);
    if (!clean)
        return KENES_ENOMEM;
    /* A subject is one line: CR, LF, tab and the other controls are spaces. */
    for (size_t i = 0; i < n; i++)
        clean[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? ' ' : (unsigned char)s[i];
    int rc = 0;
    for (size_t at = 0; rc == 0 && at < n;) {
        size_t take = n - at < WORD_BYTES ? n - at : WORD_BYTES;
        /* Back off to the start of a character: a word must hold whole ones. */
        while (at + take < n && take > 0 && (clean[at + take] & 0xC0) == 0x80)
            take--;
        if (take == 0)
            take = 1;
        if (at)
            rc = util_buf_puts(out, "\r\n ");
        rc = rc ? rc : util_buf_puts(out, "=?UTF-8?B?");
        rc = rc ? rc : b64_append(out, clean + at, take);
        rc = rc ? rc : util_buf_puts(out, "?=");
        at += take;
    }
    free(clean);
    return rc < 0 ? KENES_ENOMEM : 0;
}

void mailmsg_date(char out[40], int64_t ms)
{
    static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    /* Names of our own: strftime's %a and %b follow the locale. */
    snprintf(out, 40, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday % 7],
             tm.tm_mday % 100, months[tm.tm_mon % 12], (tm.tm_year + 1900) % 10000,
             tm.tm_hour % 100, tm.tm_min % 100, tm.tm_sec % 100);
}

static int id_valid(const char *id)
{
    if (!id || !*id || strlen(id) > 200)
        return 0;
    for (const char *p = id; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == '_' || *p == '-'))
            return 0;
    return 1;
}

/* The body with CRLF line ends, base64 in lines of 76 characters. */
static int body_append(util_buf *out, const char *body)
{
    util_buf crlf;
    util_buf_init(&crlf);
    int rc = 0;
    for (const char *p = body; rc == 0 && *p; p++) {
        if (*p == '\r')
            continue;
        rc = *p == '\n' ? util_buf_puts(&crlf, "\r\n") : util_buf_append(&crlf, p, 1);
    }
    util_buf b64;
    util_buf_init(&b64);
    if (rc == 0 && crlf.len)
        rc = b64_append(&b64, (const unsigned char *)crlf.data, crlf.len);
    for (size_t at = 0; rc == 0 && at < b64.len; at += 76) {
        size_t take = b64.len - at < 76 ? b64.len - at : 76;
        rc = util_buf_append(out, b64.data + at, take);
        rc = rc ? rc : util_buf_puts(out, "\r\n");
    }
    util_buf_dispose(&crlf);
    util_buf_dispose(&b64);
    return rc < 0 ? KENES_ENOMEM : 0;
}

int mailmsg_build(char **out, const mailmsg *m)
{
    *out = NULL;
    if (!mailaddr_valid(m->from) || !mailaddr_valid(m->to) || !id_valid(m->id) || !m->subject ||
        !m->body || !util_utf8_valid(m->subject, strlen(m->subject)) ||
        !util_utf8_valid(m->body, strlen(m->body)))
        return KENES_EINVAL;
    char date[40];
    mailmsg_date(date, m->date_ms);
    util_buf b;
    util_buf_init(&b);
    int rc = util_buf_printf(&b, "From: <%s>\r\nTo: <%s>\r\nSubject: ", m->from, m->to);
    rc = rc ? rc : mailmsg_encode_words(&b, m->subject);
    rc = rc ? rc
            : util_buf_printf(&b,
                              "\r\nDate: %s\r\nMessage-ID: <%s@kenes>\r\nMIME-Version: 1.0\r\n"
                              "Content-Type: text/plain; charset=utf-8\r\n"
                              "Content-Transfer-Encoding: base64\r\n"
                              "Auto-Submitted: auto-generated\r\n\r\n",
                              date, m->id);
    rc = rc ? rc : body_append(&b, m->body);
    if (rc < 0) {
        util_buf_dispose(&b);
        return KENES_ENOMEM;
    }
    *out = util_buf_detach(&b, NULL);
    return *out ? 0 : KENES_ENOMEM;
}
