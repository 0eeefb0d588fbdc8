#include "ui/dates.h"

#include <stdio.h>
#include <string.h>

#include "base/error.h"
#include "base/util.h"

static const char *const months_ru[12] = {"января", "февраля", "марта",    "апреля",
                                          "мая",    "июня",    "июля",     "августа",
                                          "сентября", "октября", "ноября", "декабря"};
static const char *const months_kk[12] = {"қаңтар", "ақпан", "наурыз",   "сәуір",
                                          "мамыр",  "маусым", "шілде",   "тамыз",
                                          "қыркүйек", "қазан", "қараша", "желтоқсан"};
static const char *const months_en[12] = {"January", "February", "March",     "April",
                                          "May",     "June",     "July",      "August",
                                          "September", "October", "November", "December"};

/* The ablative (-нан/-нен, -дан/-ден, -тан/-тен) and the dative (-ға/-ге,
 * -қа/-ке) as each month's last sound and vowel take them. */
static const char *const months_kk_from[12] = {
    "қаңтардан", "ақпаннан", "наурыздан",   "сәуірден", "мамырдан",  "маусымнан",
    "шілдеден",  "тамыздан", "қыркүйектен", "қазаннан", "қарашадан", "желтоқсаннан"};
static const char *const months_kk_until[12] = {
    "қаңтарға", "ақпанға", "наурызға",   "сәуірге", "мамырға",  "маусымға",
    "шілдеге",  "тамызға", "қыркүйекке", "қазанға", "қарашаға", "желтоқсанға"};

static void ymd(char out[UI_DATE_CAP], ui_lang lang, int y, int m, int d)
{
    if (lang == UI_KK)
        snprintf(out, UI_DATE_CAP, "%d жылғы %d %s", y, d, months_kk[m - 1]);
    else if (lang == UI_EN)
        snprintf(out, UI_DATE_CAP, "%d %s %d", d, months_en[m - 1], y);
    else
        snprintf(out, UI_DATE_CAP, "%d %s %d г.", d, months_ru[m - 1], y);
}

/* Days since the epoch -> civil date (Howard Hinnant's algorithm). */
static void civil(int64_t days, int *y, int *m, int *d)
{
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    int64_t doe = days - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

void ui_format_date(char out[UI_DATE_CAP], ui_lang lang, int64_t ms)
{
    int y, m, d;
    civil(floor_div(ms + UI_TZ_OFFSET_MS, 86400000), &y, &m, &d);
    ymd(out, lang, y, m, d);
}

void ui_format_date_case(char out[UI_DATE_CAP], ui_lang lang, int64_t ms, ui_date_case dc)
{
    if (lang != UI_KK) {
        ui_format_date(out, lang, ms);
        return;
    }
    int y, m, d;
    civil(floor_div(ms + UI_TZ_OFFSET_MS, 86400000), &y, &m, &d);
    snprintf(out, UI_DATE_CAP, "%d жылғы %d %s", y, d,
             dc == UI_DATE_FROM ? months_kk_from[m - 1] : months_kk_until[m - 1]);
}

void ui_format_datetime(char out[UI_DATE_CAP], ui_lang lang, int64_t ms)
{
    int64_t local = ms + UI_TZ_OFFSET_MS;
    int64_t minute = floor_div(local, 60000) - floor_div(local, 86400000) * 1440;
    ui_format_date(out, lang, ms);
    size_t n = strlen(out);
    snprintf(out + n, UI_DATE_CAP - n, ", %02d:%02d", (int)(minute / 60), (int)(minute % 60));
}

int ui_format_ymd(char out[UI_DATE_CAP], ui_lang lang, const char *s)
{
    int y, m, d;
    char tail;
    if (!s || strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || m < 1 ||
        m > 12 || d < 1 || d > util_days_in_month(y, m)) {
        snprintf(out, UI_DATE_CAP, "%s", s ? s : "");
        return KENES_EINVAL;
    }
    ymd(out, lang, y, m, d);
    return 0;
}
