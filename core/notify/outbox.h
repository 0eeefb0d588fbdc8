/*
 * The outbox: DATA/outbox/, one JSON file per delivery still owed (a
 * webhook event to one receiver, a mail to one user, or a notice waiting
 * for a user's daily digest).  A file is written and fsynced, with its
 * folder, on the thread pool before the delivery is tried, and removed
 * once the receiver took it, so a restart resends what was pending (at
 * least once; each carries a stable id for the receiver to de-duplicate).
 */
#ifndef KENES_NOTIFY_OUTBOX_H
#define KENES_NOTIFY_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

enum notify_kind { NOTIFY_WEBHOOK = 0, NOTIFY_MAIL = 1, NOTIFY_NOTICE = 2 };

typedef struct notify_item {
    char *file;   /* DATA/outbox/<kind>-<hash>.json */
    char *id;     /* the event's stable id: X-Kenes-Delivery, Message-ID */
    int kind;     /* enum notify_kind */
    char *target; /* a webhook's URL, or the mail's address */
    char *who;    /* for log lines: the webhook's host, or the user's name */
    char *event;  /* a webhook's X-Kenes-Event ("commit"); NULL for mail */
    char *body;   /* the JSON posted, the whole RFC 5322 message, or a notice's text */
    char *lang;   /* a notice: its user's language ("ru", "kk", "en") */
    int64_t created_ms; /* wall clock when queued: past give_up_days it is dropped */
    /* The deliverer's (deliver.c), never written to the file: */
    unsigned attempts;
    int64_t next_ms; /* not before this wall clock time */
    int running;
    void *easy, *headers;
    size_t sent; /* of body, read into an SMTP upload */
    char error[256];
    struct notify_item *next;
} notify_item;

/* A new item, its file named after kind, id and target in dir (a hash:
 * the same delivery made twice is one file). */
notify_item *notify_item_new(const char *dir, int kind, const char *id, const char *target,
                             const char *who, const char *event, const char *body,
                             const char *lang, int64_t created_ms);
void notify_item_free(notify_item *it);
void notify_items_free(notify_item *list);

/* Write it to its file, durably (tmp, fsync, rename, fsync the folder):
 * blocking, for the thread pool. */
int notify_item_write(const notify_item *it);
/* Read every *.json of dir (start-up): their items, oldest first, into
 * *out (a list); leftovers of writes cut short are removed.  A file that
 * does not parse is logged, renamed *.bad and skipped. */
int notify_outbox_load(notify_item **out, const char *dir);
/* Read one file back (the digest gathers its notices). */
int notify_item_read(notify_item **out, const char *path);

#endif
