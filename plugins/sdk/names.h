/*
 * Names as the identity rules compare them (identity.c): both sides folded by the
 * core (api->text_fold: NFKC and case folding), then reduced to a
 * spelling-blind skeleton in Latin letters, so that Айгерим, Aigerim,
 * Aygerim and "Ai-gerim" all read "aigerim".  In the SDK, for
 * identity.c; tested on its own (tests/unit/test_names.c).
 */
#ifndef KENES_SDK_NAMES_H
#define KENES_SDK_NAMES_H

#include <kenes/plugin.h>

#include <stddef.h>

/* chk_fold (the SDK) under the name this plugin's callers know: *out = s
 * folded by the core, in memory of ours (free() it).  0;
 * KENES_EINVAL (and *out NULL) when s is NULL or not valid UTF-8;
 * KENES_ENOMEM. */
int names_fold(char **out, const kenes_api *api, const char *s, unsigned flags);
/* names_fold() for a value that may be missing or malformed: then *out is
 * NULL and 0 (the validator reports it on its own path).  0 or KENES_ENOMEM. */
int names_fold_optional(char **out, const kenes_api *api, const char *s, unsigned flags);

/* Room names_skeleton() needs for folded text of n bytes. */
size_t names_skeleton_cap(size_t n);
/* The skeleton of folded text s into out (names_skeleton_cap(strlen(s))
 * bytes): its letters in Latin, transliteration variants evened out. */
void names_skeleton(char *out, const char *s);
/* The same, malloc()ed; NULL when out of memory. */
char *names_skeleton_new(const char *s);

/* s without its spaces, in place. */
void names_compact(char *s);
/* Code points in valid UTF-8. */
size_t names_chars(const char *s);

#endif
