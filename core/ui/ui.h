/*
 * The interface's content, read once at start-up from content/ui/: the page
 * templates (*.html, by name without .html), the words (strings/, see
 * strings.h) and the static files (static/: style sheets, scripts, images)
 * that kenes serves itself, so the pages need nothing from elsewhere
 * (Content-Security-Policy 'self').  A template that does not parse stops
 * the server at start with its line and column.
 *
 * A page is three templates rendered against one model: "layout_top", the
 * page's own, "layout_bottom".  The model is the page's JSON plus what every
 * page has (web/page.c fills it): lang, t (the words in lang), user, csrf.
 */
#ifndef KENES_UI_H
#define KENES_UI_H

#include <stddef.h>

#include <jansson.h>

#include "base/util.h"
#include "ui/lang.h"
#include "ui/strings.h"

typedef struct ui ui;

typedef struct ui_asset {
    const char *name;         /* "style.css" */
    const char *content_type; /* "text/css; charset=utf-8" */
    const char *data;
    size_t len;
    const char *etag; /* "\"<hash>\"" of the content */
} ui_asset;

/* dir: content/ui.  0, or KENES_EINVAL/KENES_EIO with "file: why" in err. */
int ui_open(ui **out, const char *dir, char *err, size_t errcap);
void ui_close(ui *u);

const ui_strings *ui_words(const ui *u);
/* 1 if a template of that name was loaded. */
int ui_has_view(const ui *u, const char *view);
/* Appends layout_top, view and layout_bottom rendered against model.
 * KENES_ENOTFOUND for an unknown view; tmpl_render's codes. */
int ui_render_page(util_buf *out, const ui *u, const char *view, const json_t *model);
/* Appends one template alone (a fragment). */
int ui_render(util_buf *out, const ui *u, const char *view, const json_t *model);
/* A static file by name ("style.css"), or NULL. */
const ui_asset *ui_asset_find(const ui *u, const char *name);

#endif
