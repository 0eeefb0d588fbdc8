#include "plugin/fold.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unicase.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>

#include "kenes/plugin.h"

/* out[at..) = src[0..n), if it fits with the final NUL. */
static int put(char *out, size_t cap, size_t *at, const uint8_t *src, size_t n)
{
    if (*at + n >= cap)
        return KENES_ETOOBIG;
    memcpy(out + *at, src, n);
    *at += n;
    return 0;
}

/* The folded text f[0..len) as words: letters, marks (the accents NFKC
 * leaves combining, Indic vowel signs) and digits kept, each run of
 * anything else one space.  Marks count as letters so that a word with a
 * combining accent is not cut in two. */
static int words(char *out, size_t cap, const uint8_t *f, size_t len)
{
    uc_general_category_t word =
        uc_general_category_or(uc_general_category_or(UC_LETTER, UC_MARK), UC_NUMBER);
    size_t at = 0, i = 0;
    int gap = 0;
    while (i < len) {
        ucs4_t c;
        int n = u8_mbtouc(&c, f + i, len - i);
        if (!uc_is_general_category(c, word)) {
            gap = at > 0;
            i += (size_t)n;
            continue;
        }
        if ((gap && put(out, cap, &at, (const uint8_t *)" ", 1) != 0) ||
            put(out, cap, &at, f + i, (size_t)n) != 0)
            return KENES_ETOOBIG;
        gap = 0;
        i += (size_t)n;
    }
    out[at] = '\0';
    return 0;
}

static int ascii(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80)
            return 0;
    return 1;
}

int fold_text(char *out, size_t cap, const char *s, unsigned flags)
{
    if (!out || cap == 0)
        return KENES_EINVAL;
    out[0] = '\0';
    if (!s)
        return KENES_EINVAL;
    size_t n = strlen(s);
    if (u8_check((const uint8_t *)s, n) != NULL)
        return KENES_EINVAL;
    if (n == 0)
        return 0;

    /* NFKC (full-width letters, ligatures, superscripts become the plain
     * letters they stand for), the case folding, then NFKC again: folding
     * can leave a sequence that is not in normal form (U+0390 folds to
     * three code points), and both sides of a comparison must be in one
     * form for a byte comparison to hold.  This is Unicode's
     * NFKC_Casefold but for default-ignorable characters, at half the cost
     * of u8_casefold(..., UNINORM_NFKC), which decomposes twice more.  No
     * language: the same text folds the same way whatever the server's
     * locale (no Turkish dotless i).  Text in ASCII alone is already in
     * every normal form and folds to lower case: lists fold a pseudonym
     * per case, and it is always ASCII. */
    size_t len = 0;
    uint8_t *f;
    if (ascii(s, n)) {
        f = (uint8_t *)strdup(s);
        for (size_t i = 0; f && i < n; i++)
            if (f[i] >= 'A' && f[i] <= 'Z')
                f[i] = (uint8_t)(f[i] + ('a' - 'A'));
        len = n;
    } else {
        size_t n1 = 0, n2 = 0;
        uint8_t *nf = u8_normalize(UNINORM_NFKC, (const uint8_t *)s, n, NULL, &n1);
        uint8_t *cf = nf ? u8_casefold(nf, n1, NULL, NULL, NULL, &n2) : NULL;
        f = cf ? u8_normalize(UNINORM_NFKC, cf, n2, NULL, &len) : NULL;
        free(nf);
        free(cf);
    }
    if (!f)
        return KENES_ENOMEM;
    int rc;
    if (flags & KENES_FOLD_WORDS) {
        rc = words(out, cap, f, len);
    } else {
        size_t at = 0;
        rc = put(out, cap, &at, f, len);
        out[rc == 0 ? at : 0] = '\0';
    }
    free(f);
    if (rc != 0)
        out[0] = '\0';
    return rc;
}
