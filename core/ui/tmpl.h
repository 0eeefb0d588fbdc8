/*
 * HTML templates: a template text is parsed once (tmpl_new) and rendered
 * many times against a jansson value (tmpl_render).  Pure: no loop, no
 * globals, no files; a compiled template may be rendered from several
 * threads at once.
 *
 * The syntax, all of it:
 *
 *   {{path}}                 the value at path, HTML-escaped, always
 *   {{#each path}}..{{/each}} the body once per item of an array (or value
 *                            of an object), the item as the context
 *   {{@index}}               the item's index (0-based) in the innermost each
 *   {{#if path}}..{{else}}..{{/if}}   the first part when path is truthy
 *   {{! comment }}           nothing
 *
 * A path is "." (the context itself), or names joined by dots ("doc.title",
 * "measures.0.title": a number names an array's item), looked up in the
 * current context; "@root.x" looks it up in the value tmpl_render was given.
 * Spaces inside the braces are ignored.  A missing path, null, an array or an
 * object renders as nothing; a number in decimal; true and false as words.
 * Truthy: a non-empty string, array or object, true, a non-zero number.
 *
 * There is no unescaped form.  Every value is escaped for text and for a
 * double- or single-quoted attribute alike: & < > " ' become entities, and
 * a NUL byte becomes U+FFFD.  (A value put in an unquoted attribute, a URL
 * attribute, a <script> or a <style> is the template's fault; the templates
 * are ours, the values are not.)
 *
 * Bounded work: a template over TMPL_MAX_TEXT bytes is refused, blocks nest
 * at most TMPL_MAX_DEPTH deep, a render stops past TMPL_MAX_OUT bytes of
 * output or TMPL_MAX_STEPS nodes visited (KENES_ETOOBIG).
 */
#ifndef KENES_UI_TMPL_H
#define KENES_UI_TMPL_H

#include <stddef.h>

#include <jansson.h>

#include "base/util.h"

#define TMPL_MAX_TEXT (1u << 20)
#define TMPL_MAX_DEPTH 32
#define TMPL_MAX_OUT (16u << 20)
#define TMPL_MAX_STEPS 10000000u

typedef struct tmpl tmpl;

/* Parses text[0..len) into *out.  0; KENES_EINVAL for a syntax error, with
 * "line:column: what" in err (errcap bytes, may be NULL/0); KENES_ETOOBIG
 * for text over TMPL_MAX_TEXT or blocks deeper than TMPL_MAX_DEPTH (err
 * says where); KENES_ENOMEM.  *out is NULL on failure. */
int tmpl_new(tmpl **out, const char *text, size_t len, char *err, size_t errcap);
void tmpl_free(tmpl *t);

/* Appends t rendered against ctx (may be NULL) to out.  0; KENES_ETOOBIG
 * past the limits above; KENES_ENOMEM.  On failure out is cut back to the
 * length it had. */
int tmpl_render(util_buf *out, const tmpl *t, const json_t *ctx);

#endif
