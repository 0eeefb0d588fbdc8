/* Writing report sections: see kenes_sdk.h. */
#include "kenes_sdk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *rpt_lang(const kenes_api *api, const kenes_report *r)
{
    const char *lang = KENES_API_HAS(api, report_lang) ? api->report_lang(r) : NULL;
    return lang && (strcmp(lang, "kk") == 0 || strcmp(lang, "en") == 0) ? lang : "ru";
}

int rpt_lang_index(const kenes_api *api, const kenes_report *r)
{
    const char *lang = rpt_lang(api, r);
    return strcmp(lang, "kk") == 0 ? RPT_KK : strcmp(lang, "en") == 0 ? RPT_EN : RPT_RU;
}

void rpt_region_name(const kenes_api *api, kenes_report *r, const char *code)
{
    const char *name = api->region_name(code, rpt_lang(api, r));
    api->report_text(r, name ? name : code);
}

void rpt_text_or(const kenes_api *api, kenes_report *r, const char *text, const char *dash)
{
    if (text && *text)
        api->report_text(r, text);
    else
        api->report_printf(r, "%s", dash);
}

static void date_parts(const kenes_api *api, kenes_report *r, int y, int m, int d)
{
    api->report_printf(r, "%02d.%02d.%04d", d, m, y);
}

void rpt_date(const kenes_api *api, kenes_report *r, const char *s, const char *dash)
{
    int y, m, d;
    if (chk_is_date(api, s, &y, &m, &d))
        date_parts(api, r, y, m, d);
    else
        rpt_text_or(api, r, s, dash);
}

void rpt_date_ms(const kenes_api *api, kenes_report *r, long long ms)
{
    int y, m, d;
    api->date_of_ms(ms, &y, &m, &d);
    date_parts(api, r, y, m, d);
}

void rpt_stage(const kenes_api *api, kenes_report *r, const char *type, const char *stage)
{
    /* The label is the workflow file's, which an administrator writes:
     * escaped like any text that is not the plugin's own. */
    const char *label = api->label(type, "stage", stage, rpt_lang(api, r));
    rpt_text_or(api, r, label ? label : stage, "—");
}

/* number without the "№" and spaces typed before it; NULL if nothing is left. */
static const char *bare_number(const char *number)
{
    static const char sign[] = "№";
    for (size_t n = 1; number && n;) {
        n = strncmp(number, sign, sizeof(sign) - 1) == 0
                ? sizeof(sign) - 1
                : chk_space_len((const unsigned char *)number);
        number += n;
    }
    return number && *number ? number : NULL;
}

void rpt_number(const kenes_api *api, kenes_report *r, const char *number)
{
    /* People type the sign too («№ 21»), and the report writes its own. */
    if (!(number = bare_number(number)))
        return;
    api->report_printf(r, "%s", rpt_lang_index(api, r) == RPT_EN ? "No. " : "№ ");
    api->report_text(r, number);
}

void rpt_act(const kenes_api *api, kenes_report *r, const json_t *act)
{
    static const char *const by[RPT_NLANGS] = {"постановлением акимата", "әкімдік қаулысымен",
                                               "by akimat resolution"};
    static const char *const of[RPT_NLANGS] = {" от ", "", " of "};
    const char *number = bare_number(json_string_value(json_object_get(act, "number")));
    const char *date = json_string_value(json_object_get(act, "date"));
    int lang = rpt_lang_index(api, r);
    if (!number && !date)
        return;
    if (lang == RPT_KK) { /* «06.02.2026 № 7 әкімдік қаулысымен»: the act's words last */
        if (date) {
            rpt_date(api, r, date, "—");
            api->report_printf(r, " ");
        }
        if (number) {
            rpt_number(api, r, number);
            api->report_printf(r, " ");
        }
        api->report_printf(r, "%s", by[lang]);
        return;
    }
    api->report_printf(r, "%s", by[lang]);
    if (number) {
        api->report_printf(r, " ");
        rpt_number(api, r, number);
    }
    if (date) {
        api->report_printf(r, "%s", of[lang]);
        rpt_date(api, r, date, "—");
    }
}

void rpt_tenge(const kenes_api *api, kenes_report *r, long long amount)
{
    char digits[32], grouped[96];
    unsigned long long a = amount < 0 ? 0ULL - (unsigned long long)amount : (unsigned long long)amount;
    int len = snprintf(digits, sizeof(digits), "%llu", a);
    size_t at = 0;
    if (amount < 0)
        grouped[at++] = '-';
    for (int k = 0; k < len; k++) {
        if (k > 0 && (len - k) % 3 == 0) {
            memcpy(grouped + at, "\xc2\xa0", 2); /* U+00A0: the groups never part */
            at += 2;
        }
        grouped[at++] = digits[k];
    }
    grouped[at] = '\0';
    api->report_printf(r, "%s ₸", grouped);
}

void rpt_value(const kenes_api *api, kenes_report *r, const json_t *v)
{
    if (json_is_integer(v))
        api->report_printf(r, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v)) {
        /* Every digit typed (not %g's six: 1234567.5 is no 1.23457e+06),
         * never an exponent (1e+21 is no figure an official reads): up to
         * six decimals, the zeros after the last one dropped, with the
         * decimal comma Russian and Kazakh write.  %.15g first: a binary
         * double's noise past its 15th digit (0.1 + 0.2) stays unprinted. */
        char buf[400], digits[40];
        snprintf(digits, sizeof(digits), "%.15g", json_real_value(v));
        snprintf(buf, sizeof(buf), "%.6f", strtod(digits, NULL));
        char *dot = strchr(buf, '.');
        if (dot) {
            char *end = buf + strlen(buf);
            while (end > dot + 1 && end[-1] == '0')
                *--end = '\0';
            if (end == dot + 1)
                *dot = '\0';
            if (strcmp(buf, "-0") == 0)
                snprintf(buf, sizeof(buf), "0");
        }
        dot = strchr(buf, '.');
        if (dot && rpt_lang_index(api, r) != RPT_EN)
            *dot = ',';
        api->report_printf(r, "%s", buf);
    } else
        rpt_text_or(api, r, json_string_value(v), "—");
}
