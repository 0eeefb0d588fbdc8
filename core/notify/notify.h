/*
 * Notifications: a webhook event per commit to every receiver kenes.yaml
 * lists, and e-mail to each user with an address when a document enters
 * their inbox or becomes overdue (one mail each, or a daily digest).  What
 * is sent names ids, types, stages and actions, never a field or body of a
 * document.  Everything owed goes to DATA/outbox/ first (outbox.h), on the
 * thread pool, then to the deliverer's thread (deliver.h): the loop never
 * waits for a receiver, a write never waits for a notice, and a restart
 * resends what was pending.
 */
#ifndef KENES_NOTIFY_H
#define KENES_NOTIFY_H

#include "auth/auth.h"
#include "docs/service.h"
#include "ui/strings.h"

typedef struct notifier notifier;

/* Read kenes.yaml's webhooks:, smtp: and notify: (notify/conf.h), load
 * DATA/outbox/ and start delivering.  Nothing configured: *out NULL, 0.
 * KENES_EINVAL with "file:line: why" in err for a bad key. */
int notifier_start(notifier **out, docs_service *svc, auth *a, const ui_strings *words,
                   char *err, size_t errcap);
/* The commit hook's part (on the loop): d's last version was committed. */
void notifier_committed(notifier *n, const idx_doc *d);
/* Close the timer and stop the deliverer (what is not delivered stays in
 * DATA/outbox/).  On the loop, when the server stops; NULL is a no-op. */
void notifier_stop(notifier *n);
/* After the loop ended. */
void notifier_free(notifier *n);

#endif
