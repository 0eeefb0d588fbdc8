/*
 * National orders (content/orders.yaml): instructions that set one date for
 * every region, such as the January 2026 order to approve the commission
 * rosters within a week.  A workflow's deadline may count from one
 * (`deadline: {order: roster-2026}`), and plugins read their dates through
 * api->order_dates, so no region can move the national clock.
 *
 *   orders:
 *     - name: roster-2026          # [a-z0-9-], once
 *       date: 2026-01-31           # the order's date
 *       term_days: 7               # what it gives (0 to 3650 days)
 *       title: {ru: ..., kk: ..., en: ...}
 */
#ifndef KENES_ORDERS_H
#define KENES_ORDERS_H

#include <stddef.h>

typedef struct orders orders;

/* Read path.  A missing file is an empty set (nothing names an order then);
 * a bad one is KENES_EINVAL with "file:line: message" in err. */
int orders_load(orders **out, const char *path, char *err, size_t errcap);
void orders_free(orders *o);

/* The order called name: *date_ms its date, *due_ms the end of its term
 * (midnight UTC; either may be NULL).  0, or KENES_ENOTFOUND. */
int orders_dates(const orders *o, const char *name, long long *date_ms, long long *due_ms);

/* Its title in lang ("ru", "kk", "en"), or NULL. */
const char *orders_title(const orders *o, const char *name, const char *lang);

/* orders_dates as a kapi_order_fn (payload: the set), for kapi_set_orders. */
int orders_kapi(const void *payload, const char *name, long long *date_ms, long long *due_ms);

#endif
