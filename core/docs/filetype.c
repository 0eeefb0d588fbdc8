#include "docs/filetype.h"

#include <string.h>
#include <strings.h>
#include <unictype.h>
#include <unistr.h>

#include "base/util.h"

static const struct {
    filetype t;
    const char *media;
} medias[] = {
    {FILETYPE_PDF, "application/pdf"},
    {FILETYPE_PNG, "image/png"},
    {FILETYPE_JPEG, "image/jpeg"},
};

filetype filetype_of_media(const char *media_type)
{
    if (!media_type)
        return FILETYPE_NONE;
    media_type += strspn(media_type, " \t");
    size_t n = strcspn(media_type, ";");
    while (n && (media_type[n - 1] == ' ' || media_type[n - 1] == '\t'))
        n--;
    for (size_t i = 0; i < UTIL_ARRAY_LEN(medias); i++)
        if (strlen(medias[i].media) == n && strncasecmp(medias[i].media, media_type, n) == 0)
            return medias[i].t;
    return FILETYPE_NONE;
}

const char *filetype_media(filetype t)
{
    for (size_t i = 0; i < UTIL_ARRAY_LEN(medias); i++)
        if (medias[i].t == t)
            return medias[i].media;
    return NULL;
}

/* A PDF's trailer ends "%%EOF", perhaps with an end of line after it; some
 * writers pad with a few spaces or NULs, which readers accept too. */
static int pdf_ends(const unsigned char *buf, size_t len)
{
    size_t end = len, slack = 0;
    while (end && slack < 32 && (buf[end - 1] == '\r' || buf[end - 1] == '\n' ||
                                 buf[end - 1] == ' ' || buf[end - 1] == '\t' || buf[end - 1] == 0)) {
        end--;
        slack++;
    }
    return end >= 5 && memcmp(buf + end - 5, "%%EOF", 5) == 0;
}

filetype filetype_sniff(const unsigned char *buf, size_t len)
{
    static const unsigned char png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    /* The IHDR chunk comes first and is 13 bytes long. */
    static const unsigned char ihdr[8] = {0, 0, 0, 13, 'I', 'H', 'D', 'R'};
    if (!buf)
        return FILETYPE_NONE;
    /* "%PDF-1.7": the header names its version */
    if (len >= 8 + 5 && memcmp(buf, "%PDF-", 5) == 0 && buf[5] >= '1' && buf[5] <= '9' &&
        buf[6] == '.' && buf[7] >= '0' && buf[7] <= '9' && pdf_ends(buf, len))
        return FILETYPE_PDF;
    /* signature, IHDR's length and name, its 13 bytes and CRC */
    if (len >= 8 + 8 + 13 + 4 && memcmp(buf, png_sig, 8) == 0 && memcmp(buf + 8, ihdr, 8) == 0)
        return FILETYPE_PNG;
    if (len >= 3 + 2 && buf[0] == 0xFF && buf[1] == 0xD8 && buf[2] == 0xFF &&
        buf[len - 2] == 0xFF && buf[len - 1] == 0xD9)
        return FILETYPE_JPEG;
    return FILETYPE_NONE;
}

const char *filetype_refusal(const char *media_type, const unsigned char *buf, size_t len)
{
    if (len == 0)
        return "attachment_empty";
    filetype declared = filetype_of_media(media_type);
    if (declared == FILETYPE_NONE)
        return "attachment_type";
    if (filetype_sniff(buf, len) != declared)
        return "attachment_mismatch";
    return NULL;
}

int filetype_invisible(const char *s, size_t len)
{
    /* Control characters (C0, DEL, C1), Unicode's format characters (Cf:
     * direction marks and isolates, zero-width spaces and joiners, the soft
     * hyphen, the byte order mark: the commission meeting's invisible_char
     * rule), the line and paragraph separators, and what Unicode says a
     * reader should not see at all (Default_Ignorable_Code_Point: variation
     * selectors, Hangul fillers). */
    uc_general_category_t hidden = uc_general_category_or(
        uc_general_category_or(UC_CONTROL, UC_FORMAT),
        uc_general_category_or(UC_LINE_SEPARATOR, UC_PARAGRAPH_SEPARATOR));
    const uint8_t *p = (const uint8_t *)s;
    for (size_t i = 0; i < len;) {
        ucs4_t c;
        int n = u8_mbtouc(&c, p + i, len - i);
        if (uc_is_general_category(c, hidden) || uc_is_property_default_ignorable_code_point(c))
            return 1;
        i += (size_t)(n > 0 ? n : 1);
    }
    return 0;
}

int filetype_name_ok(const char *name, size_t len)
{
    if (!name || len == 0 || len > FILETYPE_NAME_MAX || !util_utf8_valid(name, len))
        return 0;
    if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
        return 0;
    if (memchr(name, '/', len) || memchr(name, '\\', len))
        return 0;
    return !filetype_invisible(name, len);
}
