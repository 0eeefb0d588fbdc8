#include "ui/lang.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/error.h"

static const char *const codes[UI_NLANGS] = {"ru", "kk", "en"};

const char *ui_lang_code(ui_lang l)
{
    return (unsigned)l < UI_NLANGS ? codes[l] : codes[UI_RU];
}

/* The language of a tag's primary subtag (s[0..len)), or -1. */
static int lang_of_tag(const char *s, size_t len)
{
    size_t primary = 0;
    while (primary < len && s[primary] != '-' && s[primary] != '_')
        primary++;
    if (primary != 2)
        return -1;
    for (int l = 0; l < UI_NLANGS; l++)
        if (strncasecmp(s, codes[l], 2) == 0)
            return l;
    /* "kz" is the country, but people and some browsers write it for Kazakh. */
    if (strncasecmp(s, "kz", 2) == 0)
        return UI_KK;
    return -1;
}

int ui_lang_parse(ui_lang *out, const char *s)
{
    int l = s ? lang_of_tag(s, strlen(s)) : -1;
    if (l < 0)
        return KENES_EINVAL;
    *out = (ui_lang)l;
    return 0;
}

/* q of one Accept-Language item's parameters (";q=0.5"), 1000ths; 1000 when absent. */
static int quality(const char *p, const char *end)
{
    while (p < end) {
        while (p < end && (*p == ';' || *p == ' ' || *p == '\t'))
            p++;
        if (end - p >= 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
            p += 2;
            int q = 0, scale = 1000;
            if (p < end && *p == '1')
                return 1000;
            if (p < end && *p == '0')
                p++;
            if (p < end && *p == '.')
                for (p++; p < end && *p >= '0' && *p <= '9' && scale > 1; p++)
                    q += (*p - '0') * (scale /= 10);
            return q;
        }
        while (p < end && *p != ';')
            p++;
    }
    return 1000;
}

ui_lang ui_lang_accept(const char *h)
{
    int best = -1, best_q = 0;
    while (h && *h) {
        const char *end = strchr(h, ',');
        if (!end)
            end = h + strlen(h);
        const char *tag = h;
        while (tag < end && (*tag == ' ' || *tag == '\t'))
            tag++;
        const char *tag_end = tag;
        while (tag_end < end && *tag_end != ';' && *tag_end != ' ')
            tag_end++;
        int l = lang_of_tag(tag, (size_t)(tag_end - tag));
        int q = quality(tag_end, end);
        /* Ties go to the earlier item: the header's order is the user's. */
        if (l >= 0 && q > best_q) {
            best = l;
            best_q = q;
        }
        h = *end ? end + 1 : end;
    }
    return best < 0 ? UI_RU : (ui_lang)best;
}

ui_lang ui_lang_choose(const char *query, const char *cookie, const char *accept)
{
    ui_lang l;
    if (ui_lang_parse(&l, query) == 0 || ui_lang_parse(&l, cookie) == 0)
        return l;
    return ui_lang_accept(accept);
}
