/*
 * The interface's words: content/ui/strings/<group>.yaml, each a mapping of
 * key -> {ru, kk, en}.  Every key must have all three, non-blank: a page
 * never falls back to another language, so a missing translation is an
 * error at start-up, not Russian left on a Kazakh page.  Templates see one
 * language's words as t.<group>.<key>.
 */
#ifndef KENES_UI_STRINGS_H
#define KENES_UI_STRINGS_H

#include <stddef.h>

#include <jansson.h>

#include "ui/lang.h"

typedef struct ui_strings ui_strings;

/* Reads every *.yaml of dir.  0, or KENES_EINVAL with "file:line: why" in
 * err (a missing language, a blank text, a key that is no word), KENES_EIO,
 * KENES_ENOMEM. */
int ui_strings_load(ui_strings **out, const char *dir, char *err, size_t errcap);
void ui_strings_free(ui_strings *s);

/* {group: {key: text}} in lang (borrowed, lives as long as s). */
const json_t *ui_strings_all(const ui_strings *s, ui_lang lang);
/* One text, or NULL when group or key is unknown. */
const char *ui_text(const ui_strings *s, ui_lang lang, const char *group, const char *key);

#endif
