#include "render.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kenes/plugin.h"
#include "util.h"
#include "zipbuf.h"

/* cmark-gfm: GitHub's cmark with the GFM extensions, for the reports' tables.
 * Safe mode is its default (raw HTML omitted): never CMARK_OPT_UNSAFE. */
#define CMARK_OPTIONS (CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8)

/* ---- the work budget ----
 *
 * cmark 0.30.2 spends more than linear time in three places, all measured on
 * the Debian library (times for a 1 MiB input):
 *
 * 1. Each line whose text is blank (or only container markers, like ">")
 *    walks every open container: lists left open by "- - - ... x" or by deep
 *    indentation, followed by many blank lines (30,000 levels: minutes).
 * 2. Each inline node added to a block checks that it is not an ancestor of
 *    its parent, walking every container above it: emphasis under 100,000
 *    nested quotes (minutes).
 * 3. Each link closed walks the whole stack of unclosed image openers "![" of
 *    its paragraph: "![[]()" repeated (minutes; 40,000 repeats: 4 s).
 *
 * One pass over the input bounds each from above and refuses it beyond a
 * budget.  depth is an upper bound on the containers open after each line;
 * "levels" bounds the containers one line can match or open, each of which
 * takes one column (">") or two (a list item's marker and space, or the
 * indentation that continues it) of the line's leading run of spaces, tabs
 * and markers.  A list item stays open across a blank line without taking a
 * column, and a paragraph's lazy continuation line keeps every container
 * open without taking any, so depth only falls on a line that can be neither.
 * The budgets leave real text, nested a few levels deep, far behind (a 1 MiB
 * text 10 levels deep is 1e7 of the inline budget), and bound the worst case
 * of each to about 0.1 s. */
#define BUDGET_BLANK 4000000u   /* sum over blank lines of the open depth */
#define BUDGET_INLINE 50000000u /* sum over lines of depth x bytes of text */
#define BUDGET_IMAGES 4000000u  /* sum over paragraphs of "![" x "]" */

typedef struct scan {
    uint64_t depth; /* container levels possibly open */
    int lazy;       /* the previous line may have left a paragraph open */
    uint64_t images, closers; /* "![" and "]" since the last blank line */
    uint64_t blank_work, inline_work, image_work;
} scan;

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* One line (without its line ending) into the bounds. */
static void scan_line(scan *s, const char *p, const char *end)
{
    uint64_t col = 0, quotes = 0, markers = 0;
    for (;;) {
        for (; p < end && (*p == ' ' || *p == '\t'); p++)
            col = *p == '\t' ? col + 4 - col % 4 : col + 1;
        if (p == end)
            break;
        const char *q = p;
        if (*p == '>') {
            quotes++;
        } else if (*p == '-' || *p == '+' || *p == '*') {
            q = p + 1;
        } else if (is_digit(*p)) {
            while (q < end && is_digit(*q) && q - p <= 9)
                q++;
            if (q - p > 9 || q == end || (*q != '.' && *q != ')'))
                break;
            q++;
        } else {
            break;
        }
        /* cmark takes any ASCII space after a marker; "-x", "1.5" are text. */
        if (q > p && q < end && *q != ' ' && *q != '\t' && *q != '\v' && *q != '\f')
            break;
        if (q == p)
            q = p + 1; /* '>' needs no space after it */
        markers++;
        col += (uint64_t)(q - p);
        p = q;
    }
    uint64_t levels = quotes + (col - quotes + 1) / 2;

    if (p == end) {
        /* Blank, or nothing but markers: each open container may be walked. */
        s->blank_work += s->depth;
        if (markers == 0) {
            s->image_work += s->images * s->closers; /* a paragraph ends here */
            s->images = s->closers = 0;
            s->lazy = 0;
        } else if (levels > s->depth) {
            /* An empty item ("2)", "*") cannot interrupt a paragraph: it may
             * be the paragraph's text, so s->lazy stays as it was. */
            s->depth = levels;
        }
        return;
    }
    if (s->lazy)
        s->depth = levels > s->depth ? levels : s->depth;
    else
        s->depth = levels < s->depth + markers ? levels : s->depth + markers;
    s->lazy = 1;
    /* Inline nodes: at most one per byte, and one soft break per line. */
    s->inline_work += s->depth * (uint64_t)(end - p + 1);
    for (; p < end; p++) {
        if (*p == ']')
            s->closers++;
        else if (*p == '!' && p + 1 < end && p[1] == '[')
            s->images++;
    }
}

static int within_budget(const char *md, size_t len)
{
    scan s = {0};
    const char *p = md, *end = md + len;
    while (p < end) {
        const char *eol = p;
        while (eol < end && *eol != '\n' && *eol != '\r')
            eol++;
        scan_line(&s, p, eol);
        /* cmark's line endings: \n, \r\n and a lone \r. */
        p = eol < end && *eol == '\r' && eol + 1 < end && eol[1] == '\n' ? eol + 2 : eol + 1;
        if (s.blank_work > BUDGET_BLANK || s.inline_work > BUDGET_INLINE ||
            s.image_work > BUDGET_IMAGES)
            return 0;
    }
    s.image_work += s.images * s.closers;
    return s.image_work <= BUDGET_IMAGES;
}

/* ---- links ---- */

static int has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/*
 * The scheme as a browser reads it: leading spaces and C0 controls skipped,
 * tabs and newlines anywhere ignored, any case.  cmark's own check reads the
 * destination as written and lets data:image/... through for links too.
 */
static int url_refused(const char *url, int image)
{
    char head[24];
    size_t n = 0;
    const unsigned char *u = (const unsigned char *)url;
    while (*u && *u <= 0x20)
        u++;
    for (; *u && n < sizeof(head) - 1; u++) {
        if (*u == '\t' || *u == '\n' || *u == '\r')
            continue;
        head[n++] = (char)(*u >= 'A' && *u <= 'Z' ? *u + ('a' - 'A') : *u);
    }
    head[n] = '\0';
    if (has_prefix(head, "javascript:") || has_prefix(head, "vbscript:") ||
        has_prefix(head, "file:"))
        return 1;
    if (!has_prefix(head, "data:"))
        return 0;
    return !(image && (has_prefix(head, "data:image/png") || has_prefix(head, "data:image/gif") ||
                       has_prefix(head, "data:image/jpeg") ||
                       has_prefix(head, "data:image/webp")));
}

static int neutralise_urls(cmark_node *doc)
{
    cmark_iter *it = cmark_iter_new(doc);
    if (!it)
        return KENES_ENOMEM;
    int rc = 0;
    cmark_event_type ev;
    while (rc == 0 && (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        if (ev != CMARK_EVENT_ENTER)
            continue;
        cmark_node *node = cmark_iter_get_node(it);
        cmark_node_type type = cmark_node_get_type(node);
        if (type != CMARK_NODE_LINK && type != CMARK_NODE_IMAGE)
            continue;
        const char *url = cmark_node_get_url(node);
        if (url && url_refused(url, type == CMARK_NODE_IMAGE) && !cmark_node_set_url(node, ""))
            rc = KENES_ENOMEM;
    }
    cmark_iter_free(it);
    return rc;
}

int render_markdown(char **html, size_t *len, const char *md, size_t md_len)
{
    if (!html || !len)
        return KENES_EINVAL;
    *html = NULL;
    *len = 0;
    if (!md && md_len > 0)
        return KENES_EINVAL;
    if (md_len > RENDER_MAX_MARKDOWN)
        return KENES_ETOOBIG;
    if (!md)
        md = "";
    if (!util_utf8_valid(md, md_len))
        return KENES_EINVAL;
    if (!within_budget(md, md_len))
        return KENES_ETOOBIG;
    /* Registering the core extensions is idempotent; the loop thread is the
     * only caller, so there is no race on the registry. */
    cmark_gfm_core_extensions_ensure_registered();
    cmark_parser *parser = cmark_parser_new(CMARK_OPTIONS);
    cmark_syntax_extension *table = cmark_find_syntax_extension("table");
    if (!parser || !table || !cmark_parser_attach_syntax_extension(parser, table)) {
        if (parser)
            cmark_parser_free(parser);
        return KENES_ENOMEM;
    }
    cmark_parser_feed(parser, md, md_len);
    cmark_node *doc = cmark_parser_finish(parser);
    if (!doc) {
        cmark_parser_free(parser);
        return KENES_ENOMEM;
    }
    int rc = neutralise_urls(doc);
    char *out = rc == 0 ? cmark_render_html(doc, CMARK_OPTIONS,
                                            cmark_parser_get_syntax_extensions(parser))
                        : NULL;
    cmark_node_free(doc);
    cmark_parser_free(parser);
    if (rc == 0 && !out)
        rc = KENES_ENOMEM;
    if (rc < 0)
        return rc;
    /* cmark's default allocator is the C library's: free() frees it. */
    *html = out;
    *len = strlen(out);
    return 0;
}

/* ---- pages ---- */

static int put_escaped(util_buf *b, const char *s)
{
    for (; *s; s++) {
        const char *e;
        switch (*s) {
        case '&': e = "&amp;"; break;
        case '<': e = "&lt;"; break;
        case '>': e = "&gt;"; break;
        case '"': e = "&quot;"; break;
        case '\'': e = "&#39;"; break;
        default:
            if (util_buf_append(b, s, 1) < 0)
                return -1;
            continue;
        }
        if (util_buf_puts(b, e) < 0)
            return -1;
    }
    return 0;
}

int render_page(char **html, size_t *len, const char *tmpl, const char *title,
                const char *body_html)
{
    if (!html || !len)
        return KENES_EINVAL;
    *html = NULL;
    *len = 0;
    if (!tmpl || !title || !body_html || !util_utf8_valid(tmpl, strlen(tmpl)) ||
        !util_utf8_valid(title, strlen(title)) || !strstr(tmpl, "{{body}}"))
        return KENES_EINVAL;
    util_buf b;
    util_buf_init(&b);
    int bad = 0;
    const char *p = tmpl;
    while (!bad && *p) {
        const char *open = strstr(p, "{{");
        if (!open) {
            bad = util_buf_puts(&b, p) < 0;
            break;
        }
        bad = util_buf_append(&b, p, (size_t)(open - p)) < 0;
        if (bad)
            break;
        if (has_prefix(open, "{{title}}")) {
            bad = put_escaped(&b, title) < 0;
            p = open + strlen("{{title}}");
        } else if (has_prefix(open, "{{body}}")) {
            bad = util_buf_puts(&b, body_html) < 0;
            p = open + strlen("{{body}}");
        } else {
            bad = util_buf_append(&b, open, 2) < 0; /* not ours: left as it is */
            p = open + 2;
        }
    }
    if (bad || !(*html = util_buf_detach(&b, len))) {
        util_buf_dispose(&b);
        *len = 0;
        return KENES_ENOMEM;
    }
    return 0;
}

/* ---- bundles ---- */

int render_bundle(char **zip, size_t *len, const char *const *names, const char *const *texts,
                  const size_t *lens, size_t n)
{
    if (!zip || !len)
        return KENES_EINVAL;
    *zip = NULL;
    *len = 0;
    if (n > 0 && (!names || !texts || !lens))
        return KENES_EINVAL;
    zipbuf *zb;
    int rc = zipbuf_new(&zb, util_now_ms() / 1000);
    if (rc < 0)
        return rc;
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = zipbuf_add(zb, names[i], texts[i], lens[i]);
    if (rc == 0)
        rc = zipbuf_finish(zip, len, zb);
    zipbuf_free(zb);
    return rc;
}
