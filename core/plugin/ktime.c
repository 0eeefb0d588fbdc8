#include "plugin/ktime.h"

#include <stdio.h>
#include <string.h>

#include "kenes/plugin.h"
#include "base/util.h"

/* s has exactly the shape given, '9' standing for a digit: sscanf alone
 * would take "2026- 2-+5". */
static int shaped(const char *s, const char *shape)
{
    size_t i = 0;
    for (; shape[i]; i++)
        if (shape[i] == '9' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i])
            return 0;
    return 1;
}

static int number(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

/* The date at the start of s (10 characters, "YYYY-MM-DD"). */
static int date_prefix(const char *s, int *y, int *m, int *d)
{
    if (!s || strnlen(s, 10) < 10 || !shaped(s, "9999-99-99"))
        return KENES_EINVAL;
    int Y = number(s, 4), M = number(s + 5, 2), D = number(s + 8, 2);
    if (Y < 1900 || Y > 2200 || M < 1 || M > 12 || D < 1 || D > util_days_in_month(Y, M))
        return KENES_EINVAL;
    if (y)
        *y = Y;
    if (m)
        *m = M;
    if (d)
        *d = D;
    return 0;
}

int ktime_parse_date(const char *s, int *y, int *m, int *d)
{
    int Y, M, D;
    if (date_prefix(s, &Y, &M, &D) != 0 || s[10] != '\0')
        return KENES_EINVAL;
    if (y)
        *y = Y;
    if (m)
        *m = M;
    if (d)
        *d = D;
    return 0;
}

long long ktime_days_from_civil(int y, int m, int d)
{
    long long yy = y - (m <= 2);
    long long era = (yy >= 0 ? yy : yy - 399) / 400;
    long long yoe = yy - era * 400;
    long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

long long ktime_date_ms(int y, int m, int d)
{
    return ktime_days_from_civil(y, m, d) * 86400000LL;
}

void ktime_date_of_ms(long long ms, int *y, int *m, int *d)
{
    long long z = ms / 86400000;
    if (ms % 86400000 < 0)
        z--;
    z += 719468;
    long long era = (z >= 0 ? z : z - 146096) / 146097;
    long long doe = z - era * 146097;
    long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long long mp = (5 * doy + 2) / 153;
    int D = (int)(doy - (153 * mp + 2) / 5 + 1);
    int M = (int)(mp < 10 ? mp + 3 : mp - 9);
    int Y = (int)(yoe + era * 400 + (M <= 2));
    if (y)
        *y = Y;
    if (m)
        *m = M;
    if (d)
        *d = D;
}

void ktime_today(int *y, int *m, int *d)
{
    ktime_date_of_ms((long long)util_now_ms(), y, m, d);
}

/* Two digits at s as a number, or -1 (reads no further than a NUL). */
static int two_digits(const char *s)
{
    if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
        return -1;
    return (s[0] - '0') * 10 + (s[1] - '0');
}

/* "+05:00" at p: *secs east of UTC and 0, or KENES_EINVAL. */
static int offset_of(const char *p, long long *secs)
{
    int oh = two_digits(p + 1);
    if (oh < 0 || oh > 23 || p[3] != ':')
        return KENES_EINVAL;
    int om = two_digits(p + 4);
    if (om < 0 || om > 59)
        return KENES_EINVAL;
    *secs = (*p == '-' ? -1 : 1) * (oh * 3600LL + om * 60LL);
    return 0;
}

int ktime_parse(const char *s, long long *ms)
{
    int y, mo, d;
    if (date_prefix(s, &y, &mo, &d) != 0)
        return KENES_EINVAL;
    if (s[10] == '\0') {
        *ms = ktime_date_ms(y, mo, d);
        return 0;
    }
    if ((s[10] != 'T' && s[10] != 't') || strnlen(s, 20) < 20 || s[13] != ':' || s[16] != ':')
        return KENES_EINVAL;
    int hh = two_digits(s + 11), mi = two_digits(s + 14), ss = two_digits(s + 17);
    if (hh < 0 || hh > 23 || mi < 0 || mi > 59 || ss < 0 || ss > 60)
        return KENES_EINVAL;
    const char *p = s + 19;
    long long frac = 0;
    if (*p == '.') {
        int digits = 0;
        for (p++; *p >= '0' && *p <= '9'; p++, digits++)
            if (digits < 3)
                frac = frac * 10 + (*p - '0');
        if (!digits)
            return KENES_EINVAL;
        for (; digits < 3; digits++)
            frac *= 10;
    }
    long long offset = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if ((*p == '+' || *p == '-') && offset_of(p, &offset) == 0) {
        p += 6;
    } else {
        return KENES_EINVAL;
    }
    if (*p)
        return KENES_EINVAL;
    long long secs = ktime_days_from_civil(y, mo, d) * 86400 + hh * 3600LL + mi * 60LL + ss;
    *ms = (secs - offset) * 1000 + frac;
    return 0;
}
