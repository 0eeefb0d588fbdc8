/*
 * Calendar dates and times for plugins (through the kenes_api table) and
 * for the core's own reading of document fields: one parser, on the one
 * clock (util_now_ms, which KENES_NOW fixes in tests).  Dates are UTC.
 */
#ifndef KENES_KTIME_H
#define KENES_KTIME_H

/* 0 if s is a calendar date "YYYY-MM-DD" of the years 1900 to 2200 (then
 * *y, *m, *d set; any may be NULL), else KENES_EINVAL. */
int ktime_parse_date(const char *s, int *y, int *m, int *d);

/* *ms of a date (its midnight) or an RFC 3339 time, fractions kept to the
 * millisecond.  0 or KENES_EINVAL (*ms untouched). */
int ktime_parse(const char *s, long long *ms);

/* Days since 1970-01-01 of a civil date, and back (H. Hinnant's algorithms). */
long long ktime_days_from_civil(int y, int m, int d);
void ktime_date_of_ms(long long ms, int *y, int *m, int *d);
long long ktime_date_ms(int y, int m, int d);

/* Today's date by the core's clock. */
void ktime_today(int *y, int *m, int *d);

#endif
