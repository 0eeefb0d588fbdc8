/*
 * What a notice says (notify.c decides when and to whom): the webhook
 * event of a commit, and the mail (or digest notice) to one user about
 * one document, in the user's language, from content/ui/strings/mail.yaml.
 */
#ifndef KENES_NOTIFY_NOTICE_H
#define KENES_NOTIFY_NOTICE_H

#include "auth/auth.h"
#include "docs/service.h"
#include "notify/conf.h"
#include "notify/outbox.h"
#include "ui/strings.h"

typedef struct notice_ctx {
    const docs_service *svc;
    const ui_strings *words;
    const notify_conf *conf;
    const char *dir; /* DATA/outbox */
} notice_ctx;

/* The event of d's version v as the JSON a webhook receives: id, event,
 * time, commit, repository, document, type, region, stage (the one v left
 * it in), action; nothing else (malloc'd; NULL: out of memory). */
char *notice_event_json(const idx_doc *d, const idx_version *v, const char *event_id);

/* A mail to u about d (what: "inbox" or "overdue", due_ms its deadline;
 * date_ms its Date:, the core's clock; queued_ms the wall clock's),
 * or, with smtp.digest daily, a notice for u's digest; NULL when out of
 * memory or u's address cannot be written into a message. */
notify_item *notice_mail(const notice_ctx *c, const auth_user *u, const idx_doc *d,
                         const char *what, const char *id, int64_t due_ms, int64_t date_ms,
                         int64_t queued_ms);

/* One user's digest: the notices' texts (joined, each ending in a blank
 * line) under the digest's words in lang, as a mail item; NULL when out of
 * memory or the address cannot be written.  Reads only what never changes
 * after start-up (the words, conf): safe on the thread pool. */
notify_item *notice_digest_mail(const notice_ctx *c, const char *lang, const char *user,
                               const char *to, const char *id, const char *notices,
                               size_t count, int64_t date_ms, int64_t queued_ms);

#endif
