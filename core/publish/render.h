/*
 * The HTML publishing layer: Markdown to safe HTML, HTML into the page
 * template, reports into one zip.  Pure functions: no loop, no globals, no
 * files; each may run on a libuv thread-pool thread.
 *
 * What render_markdown() lets through (cmark-gfm, safe mode; the tests in
 * tests/unit/test_render.c hold it to this):
 *
 * - CommonMark and GFM tables; no other extension (no strikethrough, task
 *   lists, footnotes or bare-URL autolinks).  Raw HTML, block or inline,
 *   becomes the comment "<!-- raw HTML omitted -->": no tag, attribute or
 *   event handler of the author's reaches the page.
 * - Links: a destination whose scheme is javascript:, vbscript:, file: or
 *   data: (any case; leading spaces, controls, tabs and newlines ignored, as
 *   a browser ignores them) becomes href="".  cmark drops the first three
 *   and data: but data:image/{png,gif,jpeg,webp}, even in a link; we drop
 *   every data: link too.
 * - Images: the same, except that data:image/{png,gif,jpeg,webp} stays, as
 *   cmark leaves it (a raster image runs no script).  The reports' CSP
 *   (RENDER_PAGE_CSP, img-src 'self') keeps browsers from loading it, and any
 *   image from another site, all the same; the web interface's pages, the
 *   public document pages among them, admit 'self' and data: images.
 * - Every <table> comes wrapped in <div class="table-wrap">: a wide table
 *   scrolls sideways instead of being cut off.
 * - Text, titles and URLs are escaped by cmark.
 *
 * Bounded time and memory.  Debian 12's cmark-gfm (0.29.0.gfm.6) still has
 * the super-linear cases fixed upstream since (cmark 0.30 to 0.31, cmark-gfm
 * 0.29.0.gfm.7 to .13: "![[]()" repeated, blank lines under thousands of
 * nested lists, emphasis under thousands of nested quotes, '*' closers
 * walking over '_' openers, rows of thousands of "|", delimiter rows that
 * re-read the paragraph above, a wide header over many short rows made up
 * to gigabytes of cells), which take from seconds to hours, or abort the
 * process out of memory, on 1 MiB or less.  Before calling cmark, one linear
 * pass bounds each of them from above (see render.c) and refuses the input
 * past a budget that real text does not come near: 10,000 nested quotes,
 * 100,000 nested list items on one line, a 1 MiB table of 20 columns still
 * render.  Every input we know of renders or is refused within about half a
 * second, in under 250 MB (a 1 MiB table of short cells takes ~200 MB: cmark
 * spends some 500 bytes a cell).  cmark_gfm_core_extensions_ensure_registered()
 * is not thread-safe: call render_markdown() from one thread at a time, or
 * call that function once before starting others.
 */
#ifndef KENES_RENDER_H
#define KENES_RENDER_H

#include <stddef.h>
#include <stdint.h>

/* Register cmark-gfm's extensions: once, before render_markdown() runs on
 * more than one thread (cmark's registration is not thread-safe). */
void render_init(void);

/* The longest Markdown render_markdown() takes (the API's default body limit). */
#define RENDER_MAX_MARKDOWN ((size_t)1 << 20)

/*
 * The Content-Security-Policy to send with every page made from
 * content/templates/page.html (the reports): no script at all, and no style
 * but the interface's own style sheet, /static/kenes.css, which the
 * template links (no <style> element, no style attribute).
 */
#define RENDER_PAGE_CSP                                                          \
    "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; "    \
    "form-action 'none'; frame-ancestors 'none'"

/*
 * Markdown md[0..md_len) to an HTML fragment: *html is malloc'd (free() it),
 * NUL-terminated, *len its length.  0, or KENES_EINVAL (md not UTF-8, or
 * holding a NUL), KENES_ETOOBIG (longer than RENDER_MAX_MARKDOWN, or past the
 * work budget), KENES_ENOMEM; on error *html is NULL and *len 0.
 */
int render_markdown(char **html, size_t *len, const char *md, size_t md_len);

/*
 * The page tmpl with every "{{title}}" replaced by title, HTML-escaped, every
 * "{{body}}" by body_html as it is (already HTML: render_markdown()'s, whose
 * elements all close within it), and every "{{record}}" by record_html (the
 * server's own part, HTML made by the caller; NULL: nothing).  One pass over
 * tmpl: a "{{body}}" or "{{record}}" inside the title, the body or the record
 * stays text.  The template puts the body in a container of its own and the
 * record after it, outside: nothing in a body can hide, move or restyle what
 * the server adds.  *html is malloc'd (free() it), NUL-terminated, *len its
 * length.  0, or KENES_EINVAL (a NULL, title or tmpl not UTF-8, tmpl without
 * "{{body}}", or without "{{record}}" when record_html is given, body_html
 * that leaves an element or a comment open or closes one it did not open),
 * KENES_ENOMEM; on error *html is NULL and *len 0.
 */
int render_page(char **html, size_t *len, const char *tmpl, const char *title,
                const char *body_html, const char *record_html);

/*
 * n files in one zip: names[i] holding texts[i][0..lens[i]), in that order,
 * dated now (util_now_ms(): KENES_NOW fixes it), as zipbuf.h describes.  n
 * may be 0 (the empty zip).  *zip is malloc'd (free() it).  0, or
 * KENES_EINVAL (a NULL array with n > 0, a bad name: see zipbuf_add()),
 * KENES_EEXISTS (a name twice), KENES_ENOMEM, KENES_EIO; on error *zip is
 * NULL and *len 0.
 */
int render_bundle(char **zip, size_t *len, const char *const *names, const char *const *texts,
                  const size_t *lens, size_t n);

#endif
