/*
 * One e-mail as RFC 5322 text: From, To, Subject (RFC 2047 encoded words,
 * UTF-8 in base64, so no character of it can end the header line), Date,
 * Message-ID, MIME-Version, Content-Type: text/plain; charset=utf-8, and
 * the body in base64 (Content-Transfer-Encoding), lines ending CRLF.  The
 * addresses must pass mailaddr_valid and the id is kept to [A-Za-z0-9._-],
 * so no field can add a header of its own.
 */
#ifndef KENES_NOTIFY_MAILMSG_H
#define KENES_NOTIFY_MAILMSG_H

#include <stdint.h>

#include "base/util.h"

typedef struct mailmsg {
    const char *from, *to;
    const char *subject; /* UTF-8, any characters (control characters become spaces) */
    const char *body;    /* UTF-8 text; "\n" line ends */
    const char *id;      /* Message-ID is <id@kenes> */
    int64_t date_ms;     /* Date: */
} mailmsg;

/* The whole message into *out (malloc'd, NUL-terminated).  0;
 * KENES_EINVAL for an address that is not one, an empty id, or text that
 * is not UTF-8; KENES_ENOMEM. */
int mailmsg_build(char **out, const mailmsg *m);

/* s as RFC 2047 encoded words ("=?UTF-8?B?...?="), each at most 75
 * characters and cut only between characters, folded with CRLF SP; control
 * characters become spaces first.  0 or KENES_ENOMEM. */
int mailmsg_encode_words(util_buf *out, const char *s);

/* "Sun, 06 Dec 2026 08:00:00 +0000" (RFC 5322 3.3), into out[40]. */
void mailmsg_date(char out[40], int64_t ms);

#endif
