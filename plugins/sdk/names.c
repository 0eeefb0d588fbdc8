/*
 * Names as case review compares them: text folded by the core, then
 * reduced to a spelling-blind skeleton in Latin letters.  See names.h.
 */
#include "names.h"

#include "kenes_sdk.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int names_fold(char **out, const kenes_api *api, const char *s, unsigned flags)
{
    return chk_fold(out, api, s, flags);
}

/* names_fold() for a value that may be missing or malformed: then *out is NULL
 * and nothing is compared with it (the validator reports it on its own
 * path).  0 or KENES_ENOMEM. */
int names_fold_optional(char **out, const kenes_api *api, const char *s, unsigned flags)
{
    int rc = names_fold(out, api, s, flags);
    return rc == KENES_EINVAL ? 0 : rc;
}

/* Next code point of valid UTF-8 (folded text is). */
static uint32_t utf8_next(const unsigned char **ps)
{
    const unsigned char *s = *ps;
    uint32_t c = s[0];
    size_t n = 1;
    if (c >= 0xF0) {
        c = ((c & 0x07u) << 18) | ((s[1] & 0x3Fu) << 12) | ((s[2] & 0x3Fu) << 6) | (s[3] & 0x3Fu);
        n = 4;
    } else if (c >= 0xE0) {
        c = ((c & 0x0Fu) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3Fu);
        n = 3;
    } else if (c >= 0xC0) {
        c = ((c & 0x1Fu) << 6) | (s[1] & 0x3Fu);
        n = 2;
    }
    *ps = s + n;
    return c;
}

/* How a folded code point is commonly written in Latin letters, the way
 * passports transliterate Kazakh and Russian names (ICAO 9303), before
 * names_skeleton() evens out the remaining variations.  "" for none (signs,
 * digits, other scripts).  Folded text is lower case and composed (NFKC),
 * so only lower-case, precomposed letters need an entry. */
static const char *latin(uint32_t c)
{
    static const char *const cyr[] = {
        /* а б в г д е ж з и й к л м н о п */
        "a", "b", "v", "g", "d", "e", "zh", "z", "i", "i", "k", "l", "m", "n", "o", "p",
        /* р с т у ф х ц ч ш щ ъ ы ь э ю я */
        "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "ie", "y", "", "e", "iu", "ia",
    };
    /* Each letter NUL-terminated, so that one can be returned as a string. */
    static const char ascii[] = "a\0b\0c\0d\0e\0f\0g\0h\0i\0j\0k\0l\0m\0n\0o\0p\0q\0r\0s\0"
                                "t\0u\0v\0w\0x\0y\0z";
    if (c >= 'a' && c <= 'z')
        return ascii + 2 * (c - 'a');
    if (c >= 0x430 && c <= 0x44F)
        return cyr[c - 0x430];
    switch (c) {
    case 0x451: case 0x454: return "e";               /* ё є */
    case 0x456: case 0x457: return "i";               /* і ї */
    case 0x45E: case 0x4B1: case 0x4AF: return "u";   /* ў ұ ү */
    case 0x4D9: return "a";                           /* ә */
    case 0x493: return "g";                           /* ғ */
    case 0x49B: return "k";                           /* қ */
    case 0x4A3: return "n";                           /* ң */
    case 0x4E9: return "o";                           /* ө */
    case 0x4BB: return "h";                           /* һ */
    case 0xE0: case 0xE1: case 0xE2: case 0xE3: case 0xE4: case 0xE5: case 0x101: case 0x103:
        return "a";
    case 0xE7: case 0x10D: return "ch";
    case 0x107: return "c";
    case 0xE8: case 0xE9: case 0xEA: case 0xEB: case 0x113: case 0x117: case 0x119: return "e";
    case 0xEC: case 0xED: case 0xEE: case 0xEF: case 0x12B: case 0x131: case 0xFD: case 0xFF:
        return "i";
    case 0xF1: case 0x144: case 0x148: return "n";
    case 0xF2: case 0xF3: case 0xF4: case 0xF5: case 0xF6: case 0xF8: case 0x14D: return "o";
    case 0xF9: case 0xFA: case 0xFB: case 0xFC: case 0x16B: return "u";
    case 0x11F: case 0x1F5: return "g";
    case 0x15B: return "s";
    case 0x15F: case 0x161: return "sh";
    case 0x17E: return "zh";
    default: return "";
    }
}

/* Room for names_skeleton() of folded text of n bytes: a code point of one byte
 * gives at most two letters (x -> ks), one of two bytes at most four
 * (щ -> shch). */
size_t names_skeleton_cap(size_t n)
{
    return 2 * n + 1;
}

/* The spelling-blind skeleton of folded text s, into out of
 * names_skeleton_cap(strlen(s)) bytes: its letters in Latin, with the variations
 * between transliterations evened out (y, j -> i; x -> ks; q -> k;
 * kh -> h; zh, sh, ch, gh -> z, s, c, g; ts -> c; ie -> e; a doubled letter
 * once), so that айгерим, aigerim, aygerim and ajgerim all read "aigerim".
 * The same steps run on both sides of a comparison. */
void names_skeleton(char *out, const char *s)
{
    size_t n = 0, cap = names_skeleton_cap(strlen(s));
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        for (const char *l = latin(utf8_next(&p)); *l && n + 2 < cap; l++) {
            if (*l == 'x') {
                out[n++] = 'k';
                out[n++] = 's';
            } else {
                out[n++] = *l == 'y' || *l == 'j' ? 'i' : *l == 'q' ? 'k' : *l;
            }
        }
    }
    out[n] = '\0';

    /* In place: at never passes i, and out[i + 1] is read before out[at]
     * is written. */
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        char c = out[i], next = out[i + 1];
        if (next == 'h' && (c == 'k' || c == 'z' || c == 's' || c == 'c' || c == 'g')) {
            c = c == 'k' ? 'h' : c;
            i++;
        } else if ((c == 't' && next == 's') || (c == 'i' && next == 'e')) {
            c = c == 't' ? 'c' : 'e';
            i++;
        }
        if (at > 0 && out[at - 1] == c)
            continue;
        out[at++] = c;
    }
    out[at] = '\0';
}

char *names_skeleton_new(const char *s)
{
    char *out = malloc(names_skeleton_cap(strlen(s)));
    if (out)
        names_skeleton(out, s);
    return out;
}

/* s without its spaces, in place. */
void names_compact(char *s)
{
    char *w = s;
    for (const char *r = s; *r; r++)
        if (*r != ' ')
            *w++ = *r;
    *w = '\0';
}

/* Code points in valid UTF-8. */
size_t names_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

