/*
 * Dates and times as people read them, in each language: "5 февраля 2026 г.",
 * "2026 жылғы 5 ақпан", "5 February 2026" — never an ISO time on a page.
 * Times are Kazakhstan's (UTC+5, one zone for the whole country since
 * 1 March 2024), where the people who read them are.
 */
#ifndef KENES_UI_DATES_H
#define KENES_UI_DATES_H

#include <stddef.h>
#include <stdint.h>

#include "ui/lang.h"

#define UI_TZ_OFFSET_MS (5LL * 3600 * 1000) /* UTC+5 */
#define UI_DATE_CAP 64

/* The calendar date of ms (since the epoch) in Kazakhstan. */
void ui_format_date(char out[UI_DATE_CAP], ui_lang lang, int64_t ms);
/* The date and the time of day, "5 февраля 2026 г., 14:30". */
void ui_format_datetime(char out[UI_DATE_CAP], ui_lang lang, int64_t ms);
/* A date "YYYY-MM-DD" as a document holds it (a deadline, an act's date),
 * formatted; 0, or KENES_EINVAL (out then holds the text as it is). */
int ui_format_ymd(char out[UI_DATE_CAP], ui_lang lang, const char *ymd);

/* A date after a preposition: Kazakh puts the month in the ablative
 * ("2026 жылғы 5 желтоқсаннан": from) or the dative ("… желтоқсанға":
 * until); Russian's months are already in the genitive and English has no
 * case, so they read as ui_format_date. */
typedef enum ui_date_case { UI_DATE_FROM, UI_DATE_UNTIL } ui_date_case;
void ui_format_date_case(char out[UI_DATE_CAP], ui_lang lang, int64_t ms, ui_date_case dc);

#endif
