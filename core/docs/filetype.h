/*
 * What an attached file is, judged by its bytes, never by its name: the
 * three types a document may carry (a signed scan: PDF, PNG, JPEG), and
 * the names a file may be stored under.  Pure functions, any thread.
 */
#ifndef KENES_FILETYPE_H
#define KENES_FILETYPE_H

#include <stddef.h>

/* The media types an attachment may have, and their one extension. */
typedef enum filetype {
    FILETYPE_NONE = 0,
    FILETYPE_PDF,
    FILETYPE_PNG,
    FILETYPE_JPEG
} filetype;

/* "application/pdf" (parameters after ';' and case ignored) -> FILETYPE_PDF;
 * FILETYPE_NONE for any other type or NULL. */
filetype filetype_of_media(const char *media_type);
/* The canonical media type ("image/png"), or NULL for FILETYPE_NONE. */
const char *filetype_media(filetype t);

/* What the bytes are, by their structure: a PDF starts "%PDF-1.x" and ends
 * with "%%EOF" (and at most a line end or a little whitespace after);
 * a PNG is the signature then an IHDR chunk of 13 bytes; a JPEG starts
 * FF D8 FF and ends FF D9.  FILETYPE_NONE when none fits. */
filetype filetype_sniff(const unsigned char *buf, size_t len);

/* Why a file declared as media_type with these bytes is refused: NULL if
 * it is fine, else the code validation.yaml words: "attachment_empty",
 * "attachment_type" (not one of the three), "attachment_mismatch" (the
 * bytes are not what it says). */
const char *filetype_refusal(const char *media_type, const unsigned char *buf, size_t len);

#define FILETYPE_NAME_MAX 200
/* 1 if name may name an attachment: 1..FILETYPE_NAME_MAX bytes of UTF-8,
 * nothing filetype_invisible finds, no '/' or '\\', not "." or "..". */
int filetype_name_ok(const char *name, size_t len);

/* 1 if s[0..len) (valid UTF-8) holds a character that shows nothing or
 * moves what follows (libunistring's categories): a control character, a
 * format character (Cf: bidi controls U+202A..U+202E and U+2066..U+2069,
 * U+200E/F marks, zero-width characters; the rule of the meetings'
 * invisible_char), U+2028/U+2029, or a default-ignorable code point. */
int filetype_invisible(const char *s, size_t len);

#endif
