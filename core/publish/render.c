#include "publish/render.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kenes/plugin.h"
#include "base/util.h"
#include "publish/zipbuf.h"

/* cmark-gfm: GitHub's cmark with the GFM extensions, for the reports' tables.
 * Safe mode is its default (raw HTML omitted): never CMARK_OPT_UNSAFE. */
#define CMARK_OPTIONS (CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8)

/* ---- the work budget ----
 *
 * Debian 12's cmark-gfm (0.29.0.gfm.6) spends more than linear time, or
 * memory, on some input: its cmark core in 1-4, 8 and 9, its table extension
 * in 5-7 (all fixed upstream since).  Measured on that library:
 *
 * 1. Each line whose text is blank (or only container markers, like ">")
 *    walks every open container: lists left open by "- - - ... x" or by deep
 *    indentation, followed by many blank lines (30,000 levels: minutes).
 * 2. Each inline node added to a block checks that it is not an ancestor of
 *    its parent, walking every container above it: emphasis under 100,000
 *    nested quotes (minutes).
 * 3. Each link closed walks the whole stack of unclosed image openers "![" of
 *    its paragraph: "![[]()" repeated (minutes; 40,000 repeats: 4 s).
 * 4. An emphasis closer may walk back over every opener of the other kind
 *    in its paragraph ('_' over '*', '*' over '_'; commonmark/cmark#389,
 *    fixed in cmark 0.30): 150,000 "*a " then 660 "*a_* ": 3.3 s; "*a " then
 *    "*a_* " to 1 MiB: 18 s; more "*a " first: minutes.
 * 5. A table row's cells are appended to a linked list, each by walking it:
 *    a row of 64,000 "|" takes 8 s.
 * 6. Each line that looks like a table's delimiter row ("-|-") re-reads the
 *    whole paragraph above it as a header, and each line of it walks back to
 *    the paragraph's last '|': "a\n-|-\n" repeated, 48 KB: 9 s; 80,000 lines
 *    of ";" over one "|---|---|": 0.9 s.
 * 7. Each row of a table gets as many cells as the header has columns, made
 *    up if need be: a 20-column header over 500,000 one-letter rows asks for
 *    ten million cells, several gigabytes (cmark aborts the process when an
 *    allocation fails).
 * 8. Each link made walks the whole emphasis delimiter stack of its paragraph
 *    when no delimiter follows its '[': " a** a*[]()" repeated, 128 KB: 1.3 s;
 *    1 MiB: 10 minutes.
 * 9. Each "<!--", "<?", "<![CDATA[" or "<!X" inside a paragraph looks for
 *    its end through the rest of the paragraph: "a" then "<![CDATA[" to
 *    1 MiB, a minute.
 *
 * One pass over the input bounds each from above and refuses it beyond a
 * budget.  depth is an upper bound on the containers open after each line;
 * "levels" bounds the containers one line can match or open, each of which
 * takes one column (">") or two (a list item's marker and space, or the
 * indentation that continues it) of the line's leading run of spaces, tabs
 * and markers.  A list item stays open across a blank line without taking a
 * column, and a paragraph's lazy continuation line keeps every container
 * open without taking any, so depth only falls on a line that can be neither.
 * A paragraph ends at a blank line, under "---", or where a line starts a
 * list item that may interrupt one; a table at a blank line.  Emphasis is
 * followed on a stack of its own, as cmark pairs it; the rest is counted from
 * what each line holds, each '|' taken for a cell.  The budgets leave real
 * text far behind (a 1 MiB report of tables, lists, quotes, links and
 * emphasis uses under a tenth of each), and bound the worst case of each to
 * about 0.3 s and 250 MB. */
#define BUDGET_BLANK 4000000u      /* sum over blank lines of the open depth */
#define BUDGET_INLINE 50000000u    /* sum over lines of depth x bytes of text */
#define BUDGET_IMAGES 4000000u     /* sum over paragraphs of "![" x "]" */
#define BUDGET_EMPHASIS 6000000u   /* emphasis delimiters walked over */
#define BUDGET_ROWS 100000000u     /* sum over lines of (cells in the line)^2 */
#define BUDGET_HEADERS 5000000u    /* sum over delimiter rows of the paragraph above */
#define BUDGET_CELLS 600000u       /* cells of tables, made up ones included */
#define BUDGET_LINKS 10000000u     /* links x emphasis delimiters before them */
#define BUDGET_HTML 100000000u     /* bytes scanned for the end of a raw HTML construct */

/* An emphasis opener ("*" or "_" run that may open) on the delimiter stack. */
typedef struct opener {
    uint32_t len;   /* characters left in the run */
    uint32_t block; /* openers of its kind in a row, ending with this one */
    char kind;
    char both;      /* may close as well */
} opener;

typedef struct scan {
    uint64_t depth; /* container levels possibly open */
    int lazy;       /* the previous line may have left a paragraph open */
    int nomem;
    /* The paragraph possibly open: "![", "]", its emphasis openers, and what
     * reading it as a table header costs (bytes + cells^2 of its lines). */
    uint64_t images, closers, header_cost;
    uint64_t delimiters; /* emphasis runs on cmark's delimiter stack */
    uint64_t since_pipe; /* bytes since its last '|' (or its start) */
    /* Unclosed "<!--", "<?", "<![CDATA[", "<!X": each scan reads on to the end. */
    uint64_t comments, instructions, cdata, declarations;
    opener *open;
    size_t nopen, capopen, nkind[2]; /* [0] '*', [1] '_' */
    uint64_t columns; /* of the widest delimiter row since the last blank line */
    uint64_t blank_work, inline_work, image_work, emphasis_work, row_work, header_work,
        cell_work, link_work, html_work;
} scan;

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\v' || c == '\f';
}

static void end_paragraph(scan *s)
{
    s->image_work += s->images * s->closers;
    s->images = s->closers = s->header_cost = s->delimiters = s->since_pipe = 0;
    s->comments = s->instructions = s->cdata = s->declarations = 0;
    s->nopen = s->nkind[0] = s->nkind[1] = 0;
}

static int is_punct(unsigned char c)
{
    return c > 0x20 && c < 0x7f && !(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'z') &&
           !(c >= 'A' && c <= 'Z');
}

static void push_opener(scan *s, char kind, uint64_t len, int both)
{
    if (s->nopen == s->capopen) {
        size_t cap = s->capopen ? 2 * s->capopen : 64;
        opener *o = realloc(s->open, cap * sizeof(*o));
        if (!o) {
            s->nomem = 1;
            return;
        }
        s->open = o;
        s->capopen = cap;
    }
    const opener *below = s->nopen ? &s->open[s->nopen - 1] : NULL;
    s->open[s->nopen++] = (opener){.len = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len,
                                   .block = below && below->kind == kind ? below->block + 1 : 1,
                                   .kind = kind,
                                   .both = (char)both};
    s->nkind[kind == '_']++;
}

/*
 * The run of '*' or '_' at run (within line[0..end)), as cmark's emphasis pass
 * meets it: a closer walks down the stack to the nearest opener of its kind,
 * removes what lies between when they pair, and walks the whole stack when
 * there is none (cmark 0.29 may not remember where the last such walk
 * stopped: #389) or the rule of three may refuse the pair.  Flanking as
 * CommonMark defines it, the line's ends taken for white space; next to a
 * non-ASCII character a run may both open and close.  Only two kinds: the
 * nearest opener of a kind is on top, or just under the top block of the
 * other kind, so each step is O(1).
 */
static void scan_emphasis(scan *s, const char *line, const char *run, const char *end)
{
    char c = *run;
    const char *after = run;
    while (after < end && *after == c)
        after++;
    unsigned char prev = run > line ? (unsigned char)run[-1] : ' ';
    unsigned char next = after < end ? (unsigned char)*after : ' ';
    int can_open = 1, can_close = 1;
    if (prev < 0x80 && next < 0x80) {
        int prev_space = is_space((char)prev), next_space = is_space((char)next);
        int left = !next_space && (!is_punct(next) || prev_space || is_punct(prev));
        int right = !prev_space && (!is_punct(prev) || next_space || is_punct(next));
        can_open = c == '*' ? left : left && (!right || is_punct(prev));
        can_close = c == '*' ? right : right && (!left || is_punct(next));
    }
    int both = can_open && can_close;
    uint64_t left = (uint64_t)(after - run);
    if (can_open || can_close)
        s->delimiters++;
    while (can_close && left > 0) {
        if (s->nkind[c == '_'] == 0) {
            s->emphasis_work += s->nopen;
            break;
        }
        size_t i = s->nopen; /* just past the nearest opener of kind c */
        if (s->open[i - 1].kind != c)
            i -= s->open[i - 1].block;
        opener *o = &s->open[i - 1];
        s->emphasis_work += s->nopen - i + 1;
        if ((both || o->both) && (o->len + left) % 3 == 0 && !(o->len % 3 == 0 && left % 3 == 0)) {
            s->emphasis_work += s->nopen;
            break;
        }
        s->nkind[c != '_'] -= s->nopen - i; /* the other kind's openers between */
        uint32_t use = left >= 2 && o->len >= 2 ? 2 : 1;
        o->len -= use;
        left -= use;
        s->nopen = i;
        if (o->len == 0) {
            s->nopen--;
            s->nkind[c == '_']--;
        }
    }
    if (can_open && left > 0)
        push_opener(s, c, left, both);
}

static int has_prefix_n(const char *p, const char *end, const char *prefix)
{
    size_t n = strlen(prefix);
    return (size_t)(end - p) >= n && memcmp(p, prefix, n) == 0;
}

/* A '<' that may open a raw HTML construct whose end cmark 0.29 looks for
 * through the rest of the paragraph, every time (commonmark/cmark#457). */
static void scan_html_open(scan *s, const char *p, const char *end)
{
    if (has_prefix_n(p, end, "<!--"))
        s->comments++;
    else if (has_prefix_n(p, end, "<![CDATA["))
        s->cdata++;
    else if (has_prefix_n(p, end, "<?"))
        s->instructions++;
    else if (p + 2 < end && p[1] == '!' &&
             ((p[2] >= 'A' && p[2] <= 'Z') || (p[2] >= 'a' && p[2] <= 'z')))
        s->declarations++;
}

/* The table work of one non-blank line: line[0..end) whole, markers and all. */
static void scan_table(scan *s, const char *line, const char *end)
{
    uint64_t pipes = 0;
    int dash = 0, delimiter_row = 1; /* only ' ', '|', ':', '-' (and quote markers) */
    for (const char *q = line; q < end; q++) {
        if (*q == '|')
            pipes++;
        else if (*q == '-')
            dash = 1;
        else if (*q != ':' && *q != '>' && !is_space(*q))
            delimiter_row = 0;
    }
    /* A row's cells: one more than its pipes, less a leading and a trailing one. */
    const char *first = line, *last = end;
    while (first < end && (*first == '>' || is_space(*first)))
        first++;
    while (last > first && is_space(last[-1]))
        last--;
    uint64_t cells = pipes + 1;
    if (cells > 1 && first < end && *first == '|')
        cells--;
    if (cells > 1 && last > first + 1 && last[-1] == '|')
        cells--;
    s->row_work += cells * cells;
    if (delimiter_row && dash) {
        s->header_work += s->header_cost;
        if (cells > s->columns) {
            s->columns = cells;
            s->cell_work += cells; /* the header row above */
        }
    }
    if (s->columns)
        s->cell_work += cells > s->columns ? cells : s->columns;
    /* Read as a header, each line's first cell walks back to the last '|' of
     * the paragraph, or its start, looking for where it begins. */
    s->header_cost += s->since_pipe + (uint64_t)(end - line) + cells * cells;
    const char *last_pipe = NULL;
    for (const char *q = line; q < end; q++)
        if (*q == '|')
            last_pipe = q;
    s->since_pipe = last_pipe ? (uint64_t)(end - last_pipe)
                              : s->since_pipe + (uint64_t)(end - line) + 1;

    /* "---" under a paragraph makes it a heading (or a table): either way
     * the paragraph ends, and the next one is read alone. */
    const char *q = line;
    while (q < end && q - line < 3 && *q == ' ')
        q++;
    if (q == end || *q != '-')
        return;
    while (q < end && *q == '-')
        q++;
    while (q < end && (*q == ' ' || *q == '\t'))
        q++;
    if (q == end)
        end_paragraph(s);
}

/* One line (without its line ending) into the bounds. */
static void scan_line(scan *s, const char *p, const char *end)
{
    const char *line = p;
    uint64_t col = 0, quotes = 0, markers = 0;
    int item_starts = 0; /* the first marker starts a list item that may interrupt a paragraph */
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
        if (q > p && q < end && !is_space(*q))
            break;
        if (q == p)
            q = p + 1; /* '>' needs no space after it */
        /* Only a bullet or "1." under four columns in surely starts an item
         * (and a new paragraph) when the line has text. */
        if (markers == 0 && col < 4 && (q - p == 1 ? *p != '>' : q - p == 2 && *p == '1'))
            item_starts = 1;
        markers++;
        col += (uint64_t)(q - p);
        p = q;
    }
    uint64_t levels = quotes + (col - quotes + 1) / 2;

    if (p == end && markers == 0) {
        /* Blank: each open container may be walked; paragraphs and tables end. */
        s->blank_work += s->depth;
        end_paragraph(s);
        s->columns = 0;
        s->lazy = 0;
        return;
    }
    if (item_starts && p < end)
        end_paragraph(s);
    scan_table(s, line, end);
    if (p == end) {
        /* Nothing but markers: each open container may be walked. */
        s->blank_work += s->depth;
        /* An empty item ("2)", "*") cannot interrupt a paragraph: it may be
         * the paragraph's text, so s->lazy stays as it was. */
        if (levels > s->depth)
            s->depth = levels;
        return;
    }
    if (s->lazy)
        s->depth = levels > s->depth ? levels : s->depth;
    else
        s->depth = levels < s->depth + markers ? levels : s->depth + markers;
    s->lazy = 1;
    /* Inline nodes: at most one per byte, and one soft break per line. */
    s->inline_work += s->depth * (uint64_t)(end - p + 1);
    s->html_work += s->comments + s->instructions + s->cdata + s->declarations; /* the newline */
    for (char prev = 0; p < end; prev = *p++) {
        s->html_work += s->comments + s->instructions + s->cdata + s->declarations;
        if (*p == ']') {
            s->closers++;
            s->link_work += s->delimiters;
        } else if (*p == '!' && p + 1 < end && p[1] == '[') {
            s->images++;
        } else if ((*p == '*' || *p == '_') && *p != prev) {
            scan_emphasis(s, line, p, end);
        } else if (*p == '<') {
            scan_html_open(s, p, end);
        } else if (*p == '>') {
            s->declarations = 0;
            if (p - line >= 2 && p[-1] == '-' && p[-2] == '-')
                s->comments = 0;
            if (p - line >= 1 && p[-1] == '?')
                s->instructions = 0;
            if (p - line >= 2 && p[-1] == ']' && p[-2] == ']')
                s->cdata = 0;
        }
    }
}

static int over_budget(const scan *s)
{
    return s->blank_work > BUDGET_BLANK || s->inline_work > BUDGET_INLINE ||
           s->image_work > BUDGET_IMAGES || s->emphasis_work > BUDGET_EMPHASIS ||
           s->row_work > BUDGET_ROWS || s->header_work > BUDGET_HEADERS ||
           s->cell_work > BUDGET_CELLS || s->link_work > BUDGET_LINKS ||
           s->html_work > BUDGET_HTML;
}

/* 0, KENES_ETOOBIG or KENES_ENOMEM. */
static int check_budget(const char *md, size_t len)
{
    scan s = {0};
    const char *p = md, *end = md + len;
    int rc = 0;
    while (rc == 0 && p < end) {
        const char *eol = p;
        while (eol < end && *eol != '\n' && *eol != '\r')
            eol++;
        scan_line(&s, p, eol);
        /* cmark's line endings: \n, \r\n and a lone \r. */
        p = eol < end && *eol == '\r' && eol + 1 < end && eol[1] == '\n' ? eol + 2 : eol + 1;
        rc = s.nomem ? KENES_ENOMEM : over_budget(&s) ? KENES_ETOOBIG : 0;
    }
    end_paragraph(&s);
    if (rc == 0 && over_budget(&s))
        rc = KENES_ETOOBIG;
    free(s.open);
    return rc;
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

void render_init(void)
{
    cmark_gfm_core_extensions_ensure_registered();
}

/*
 * Every table in a <div class="table-wrap">, which the style sheet lets
 * scroll sideways: a wide table on a phone scrolls instead of being cut
 * off.  The "<table>" and "</table>" in cmark's HTML are its own: safe mode
 * writes no tag of the author's, and escapes every '<' of text.
 */
static int wrap_tables(char **html)
{
    if (!strstr(*html, "<table>"))
        return 0;
    util_buf b;
    util_buf_init(&b);
    int bad = 0;
    for (const char *p = *html; !bad && *p;) {
        const char *open = strstr(p, "<table>"), *close = strstr(p, "</table>");
        const char *next = open && (!close || open < close) ? open : close;
        if (!next) {
            bad = util_buf_puts(&b, p) < 0;
            break;
        }
        bad = util_buf_append(&b, p, (size_t)(next - p)) < 0 ||
              util_buf_puts(&b, next == open ? "<div class=\"table-wrap\">\n<table>"
                                             : "</table>\n</div>") < 0;
        p = next + (next == open ? strlen("<table>") : strlen("</table>"));
    }
    char *out = bad ? NULL : util_buf_detach(&b, NULL);
    if (!out) {
        util_buf_dispose(&b);
        return KENES_ENOMEM;
    }
    free(*html);
    *html = out;
    return 0;
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
    int rc = check_budget(md, md_len);
    if (rc < 0)
        return rc;
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
    rc = neutralise_urls(doc);
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
    rc = wrap_tables(&out);
    if (rc < 0) {
        free(out);
        return rc;
    }
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
                return KENES_ENOMEM;
            continue;
        }
        if (util_buf_puts(b, e) < 0)
            return KENES_ENOMEM;
    }
    return 0;
}

/*
 * 1 if every element html opens it closes, in order, and it closes none it
 * did not open; comments closed too.  render_markdown()'s HTML always is
 * (cmark writes its own tags only, and escapes every '<' and '>' of text and
 * attributes): this holds it to that, so that a body can never leave the
 * template's container open, or close it, whatever a cmark version writes.
 */
static int balanced(const char *html)
{
    const char **names = NULL; /* the open elements' names, innermost last */
    size_t n = 0, cap = 0;
    int ok = 1;
    for (const char *p = strchr(html, '<'); ok && p; p = strchr(p, '<')) {
        if (strncmp(p, "<!--", 4) == 0) {
            const char *end = strstr(p + 4, "-->");
            ok = end != NULL;
            p = end ? end + 3 : p;
            continue;
        }
        int closing = p[1] == '/';
        const char *name = p + 1 + closing, *e = name;
        while ((*e >= 'a' && *e <= 'z') || (*e >= '0' && *e <= '9'))
            e++;
        const char *gt = strchr(e, '>');
        if (e == name || !gt || (*e != '>' && *e != ' ' && *e != '/')) {
            ok = 0;
            break;
        }
        size_t nl = (size_t)(e - name);
        if (closing) {
            ok = n > 0 && *e == '>' && strncmp(names[n - 1], name, nl) == 0 &&
                 !((names[n - 1][nl] >= 'a' && names[n - 1][nl] <= 'z') ||
                   (names[n - 1][nl] >= '0' && names[n - 1][nl] <= '9'));
            if (ok)
                n--;
        } else if (gt[-1] != '/' && !(nl == 2 && (strncmp(name, "br", 2) == 0 ||
                                                  strncmp(name, "hr", 2) == 0)) &&
                   !(nl == 3 && strncmp(name, "img", 3) == 0)) {
            if (n == cap) {
                cap = cap ? 2 * cap : 64;
                const char **grown = realloc(names, cap * sizeof(*names));
                if (!grown) {
                    ok = -1;
                    break;
                }
                names = grown;
            }
            names[n++] = name;
        }
        p = gt + 1;
    }
    free(names);
    return ok < 0 ? ok : ok && n == 0;
}

int render_page(char **html, size_t *len, const char *tmpl, const char *title,
                const char *body_html, const char *record_html)
{
    if (!html || !len)
        return KENES_EINVAL;
    *html = NULL;
    *len = 0;
    if (!tmpl || !title || !body_html || !util_utf8_valid(tmpl, strlen(tmpl)) ||
        !util_utf8_valid(title, strlen(title)) || !strstr(tmpl, "{{body}}") ||
        (record_html && !strstr(tmpl, "{{record}}")))
        return KENES_EINVAL;
    int whole = balanced(body_html);
    if (whole <= 0)
        return whole < 0 ? KENES_ENOMEM : KENES_EINVAL;
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
        } else if (has_prefix(open, "{{record}}")) {
            bad = record_html && util_buf_puts(&b, record_html) < 0;
            p = open + strlen("{{record}}");
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
