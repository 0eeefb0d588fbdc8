/*
 * ui/dates.c: dates as people read them in ru, kk and en, on Kazakhstan's
 * clock (UTC+5): the day turns at 19:00 UTC.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "kenes/plugin.h"
#include "ui/dates.h"

/* Milliseconds of a UTC time. */
static int64_t utc(int y, int mo, int d, int h, int mi)
{
    struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h,
                    .tm_min = mi};
    return (int64_t)timegm(&tm) * 1000;
}

static void expect_date(int64_t ms, const char *ru, const char *kk, const char *en)
{
    char out[UI_DATE_CAP];
    ui_format_date(out, UI_RU, ms);
    assert_string_equal(out, ru);
    ui_format_date(out, UI_KK, ms);
    assert_string_equal(out, kk);
    ui_format_date(out, UI_EN, ms);
    assert_string_equal(out, en);
}

static void dates_in_three_languages(void **state)
{
    (void)state;
    expect_date(utc(2026, 2, 5, 10, 0), "5 февраля 2026 г.", "2026 жылғы 5 ақпан",
                "5 February 2026");
    expect_date(utc(2026, 12, 31, 12, 0), "31 декабря 2026 г.", "2026 жылғы 31 желтоқсан",
                "31 December 2026");
    static const char *const kk[12] = {"қаңтар", "ақпан", "наурыз",   "сәуір",  "мамыр",  "маусым",
                                       "шілде",  "тамыз", "қыркүйек", "қазан", "қараша", "желтоқсан"};
    static const char *const ru[12] = {"января", "февраля", "марта",    "апреля",  "мая",    "июня",
                                       "июля",   "августа", "сентября", "октября", "ноября", "декабря"};
    for (int m = 1; m <= 12; m++) {
        char out[UI_DATE_CAP], want[UI_DATE_CAP];
        ui_format_date(out, UI_KK, utc(2026, m, 1, 12, 0));
        snprintf(want, sizeof(want), "2026 жылғы 1 %s", kk[m - 1]);
        assert_string_equal(out, want);
        ui_format_date(out, UI_RU, utc(2026, m, 1, 12, 0));
        snprintf(want, sizeof(want), "1 %s 2026 г.", ru[m - 1]);
        assert_string_equal(out, want);
    }
}

static void kazakh_dates_after_a_preposition(void **state)
{
    (void)state;
    char out[UI_DATE_CAP];
    ui_format_date_case(out, UI_KK, utc(2026, 12, 5, 10, 0), UI_DATE_FROM);
    assert_string_equal(out, "2026 жылғы 5 желтоқсаннан");
    ui_format_date_case(out, UI_KK, utc(2027, 1, 10, 10, 0), UI_DATE_UNTIL);
    assert_string_equal(out, "2027 жылғы 10 қаңтарға");
    /* The day is Kazakhstan's: 20:00 UTC on 31 August is 1 September there. */
    ui_format_date_case(out, UI_KK, utc(2026, 8, 31, 20, 0), UI_DATE_FROM);
    assert_string_equal(out, "2026 жылғы 1 қыркүйектен");
    ui_format_date_case(out, UI_KK, utc(2026, 9, 1, 12, 0), UI_DATE_UNTIL);
    assert_string_equal(out, "2026 жылғы 1 қыркүйекке");
    ui_format_date_case(out, UI_RU, utc(2026, 12, 5, 10, 0), UI_DATE_FROM);
    assert_string_equal(out, "5 декабря 2026 г.");
    ui_format_date_case(out, UI_EN, utc(2026, 12, 5, 10, 0), UI_DATE_UNTIL);
    assert_string_equal(out, "5 December 2026");
}

static void the_day_turns_at_19_utc(void **state)
{
    (void)state;
    /* 2026-02-04T19:30Z is half past midnight on 5 February in Astana. */
    expect_date(utc(2026, 2, 4, 19, 30), "5 февраля 2026 г.", "2026 жылғы 5 ақпан",
                "5 February 2026");
    expect_date(utc(2026, 2, 4, 19, 0), "5 февраля 2026 г.", "2026 жылғы 5 ақпан",
                "5 February 2026");
    expect_date(utc(2026, 2, 4, 19, 0) - 1, "4 февраля 2026 г.", "2026 жылғы 4 ақпан",
                "4 February 2026");
    /* The year turns early too. */
    expect_date(utc(2025, 12, 31, 19, 0), "1 января 2026 г.", "2026 жылғы 1 қаңтар",
                "1 January 2026");
    /* Before the epoch rounds down, not towards zero. */
    expect_date(-1, "1 января 1970 г.", "1970 жылғы 1 қаңтар", "1 January 1970");
    expect_date(-UI_TZ_OFFSET_MS - 1, "31 декабря 1969 г.", "1969 жылғы 31 желтоқсан",
                "31 December 1969");
    /* 29 February. */
    expect_date(utc(2028, 2, 28, 20, 0), "29 февраля 2028 г.", "2028 жылғы 29 ақпан",
                "29 February 2028");
}

static void times_of_day(void **state)
{
    (void)state;
    char out[UI_DATE_CAP];
    ui_format_datetime(out, UI_RU, utc(2026, 2, 4, 19, 30));
    assert_string_equal(out, "5 февраля 2026 г., 00:30");
    ui_format_datetime(out, UI_KK, utc(2026, 2, 5, 9, 5));
    assert_string_equal(out, "2026 жылғы 5 ақпан, 14:05");
    ui_format_datetime(out, UI_EN, utc(2026, 2, 5, 18, 59) + 59999);
    assert_string_equal(out, "5 February 2026, 23:59");
    ui_format_datetime(out, UI_EN, -1);
    assert_string_equal(out, "1 January 1970, 04:59");
}

static void dates_a_document_holds(void **state)
{
    (void)state;
    char out[UI_DATE_CAP];
    assert_int_equal(ui_format_ymd(out, UI_RU, "2026-02-05"), 0);
    assert_string_equal(out, "5 февраля 2026 г.");
    assert_int_equal(ui_format_ymd(out, UI_KK, "2026-02-05"), 0);
    assert_string_equal(out, "2026 жылғы 5 ақпан");
    assert_int_equal(ui_format_ymd(out, UI_EN, "2024-02-29"), 0);
    assert_string_equal(out, "29 February 2024");
    /* Not a date: refused, and the text kept as it is. */
    static const char *const bad[] = {"2026-02-29", "2026-13-01", "2026-00-10", "2026-04-31",
                                      "2026-02-05x", "2026-2-05", "05.02.2026", "2026-Q4", ""};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(ui_format_ymd(out, UI_RU, bad[i]), KENES_EINVAL);
        assert_string_equal(out, bad[i]);
    }
    assert_int_equal(ui_format_ymd(out, UI_RU, NULL), KENES_EINVAL);
    assert_string_equal(out, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dates_in_three_languages),
        cmocka_unit_test(kazakh_dates_after_a_preposition),
        cmocka_unit_test(the_day_turns_at_19_utc),
        cmocka_unit_test(times_of_day),
        cmocka_unit_test(dates_a_document_holds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
