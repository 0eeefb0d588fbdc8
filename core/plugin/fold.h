/*
 * Text in the form it is compared in: Unicode NFKC and case folding, from
 * libunistring.  Plugins reach it through kenes_api.text_fold, so that
 * "Ｚｚｙｚｘ", "ZZYZX" and "zzyzx" read the same to every document type
 * without each plugin linking (or hand-writing) its own Unicode tables.
 */
#ifndef KENES_FOLD_H
#define KENES_FOLD_H

#include <stddef.h>

/* s (NUL-terminated UTF-8) folded into out (cap bytes, NUL-terminated):
 * NFKC(casefold(NFKC(s))), Unicode's NFKC_Casefold but for default-ignorable
 * characters, so compatibility variants (full-width letters, ligatures,
 * superscripts) and case both vanish.  With KENES_FOLD_WORDS, each run of
 * characters that are not letters, marks or digits becomes one space, none
 * at either end.  0; KENES_EINVAL for invalid UTF-8 or NULL arguments;
 * KENES_ETOOBIG when out is too small; KENES_ENOMEM.  On error out is "". */
int fold_text(char *out, size_t cap, const char *s, unsigned flags);

#endif
