/*
 * The case releases as a table, read from reports/cases.md as it was
 * published (README, "Case counts"): each "### <month>" release, each
 * "#### <table>" in it, each cell of its table a row (release, table, row,
 * column, value), "< 5" and the withheld word as they stand.  The figures
 * are the report's and only the report's: nothing is counted here, so an
 * export can hold no figure the publication suppressed.  cmark-gfm (the
 * renderer's parser, with its table extension) reads the Markdown, so a
 * cell is what the page shows, its escapes undone.
 */
#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>
#include <stdlib.h>
#include <string.h>

#include "publish/export.h"

enum { C_RELEASE, C_TABLE, C_ROW, C_COLUMN, C_VALUE, C_N };

/* The text a node shows (its text and code, soft breaks as spaces). */
static char *text_of(cmark_node *node)
{
    util_buf b;
    util_buf_init(&b);
    cmark_iter *it = cmark_iter_new(node);
    cmark_event_type ev;
    while (it && (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *n = cmark_iter_get_node(it);
        if (ev != CMARK_EVENT_ENTER)
            continue;
        cmark_node_type t = cmark_node_get_type(n);
        if (t == CMARK_NODE_TEXT || t == CMARK_NODE_CODE)
            util_buf_puts(&b, cmark_node_get_literal(n) ? cmark_node_get_literal(n) : "");
        else if (t == CMARK_NODE_SOFTBREAK || t == CMARK_NODE_LINEBREAK)
            util_buf_puts(&b, " ");
    }
    cmark_iter_free(it);
    char *s = util_buf_detach(&b, NULL);
    if (!s)
        util_buf_dispose(&b);
    return s;
}

static int is(cmark_node *n, const char *type)
{
    const char *s = cmark_node_get_type_string(n);
    return s && strcmp(s, type) == 0;
}

/* One table of release under title: a row per cell past the first column,
 * named by its row's first cell and its column's header. */
static int table_rows(xtable *t, cmark_node *table, const char *release, const char *title)
{
    char **heads = NULL;
    size_t nheads = 0;
    int rc = 0;
    for (cmark_node *row = cmark_node_first_child(table); row && rc == 0;
         row = cmark_node_next(row)) {
        if (!is(row, "table_row"))
            continue;
        int header = cmark_gfm_extensions_get_table_row_is_header(row);
        char *label = NULL;
        size_t col = 0;
        for (cmark_node *cell = cmark_node_first_child(row); cell && rc == 0;
             cell = cmark_node_next(cell), col++) {
            char *text = text_of(cell);
            if (!text) {
                rc = KENES_ENOMEM;
            } else if (header) {
                char **more = realloc(heads, (nheads + 1) * sizeof(*heads));
                if (!more) {
                    free(text);
                    rc = KENES_ENOMEM;
                    break;
                }
                heads = more;
                heads[nheads++] = text;
                continue;
            } else if (col == 0) {
                label = text;
                continue;
            } else {
                rc = xtable_add_row(t);
                rc = rc ? rc : xtable_set(t, C_RELEASE, release);
                rc = rc ? rc : xtable_set(t, C_TABLE, title);
                rc = rc ? rc : xtable_set(t, C_ROW, label);
                rc = rc ? rc : xtable_set(t, C_COLUMN, col < nheads ? heads[col] : NULL);
                rc = rc ? rc : xtable_set(t, C_VALUE, text);
            }
            free(text);
        }
        free(label);
    }
    for (size_t i = 0; i < nheads; i++)
        free(heads[i]);
    free(heads);
    return rc;
}

static int walk(xtable *t, cmark_node *doc)
{
    char *release = NULL, *title = NULL;
    int rc = 0;
    for (cmark_node *n = cmark_node_first_child(doc); n && rc == 0; n = cmark_node_next(n)) {
        if (cmark_node_get_type(n) == CMARK_NODE_HEADING) {
            int level = cmark_node_get_heading_level(n);
            if (level > 4)
                continue;
            char *text = text_of(n);
            if (!text)
                rc = KENES_ENOMEM;
            free(title); /* a new heading ends the table's */
            title = NULL;
            if (level == 4) {
                title = text;
            } else {
                free(release);
                release = level == 3 ? text : NULL;
                if (level != 3)
                    free(text);
            }
        } else if (is(n, "table") && release) {
            rc = table_rows(t, n, release, title);
        }
    }
    free(release);
    free(title);
    return rc;
}

int export_cases_table(xtable **out, const report_words *w, int lang, const char *md,
                       size_t len)
{
    static const char *const words[] = {"release", "table", "row", "column", "value"};
    xtable *t;
    *out = NULL;
    int rc = xtable_new(&t, report_export_word(w, lang, "sheet_cases"), C_N);
    for (size_t i = 0; rc == 0 && i < C_N; i++)
        rc = xtable_column(t, i, report_export_word(w, lang, words[i]),
                           i == C_VALUE ? XCOL_NUMBER : XCOL_TEXT);
    if (rc < 0) {
        xtable_free(t);
        return rc;
    }
    /* The parser as the renderer sets it up (render.c); registering the
     * core extensions is idempotent and thread-safe after the first call,
     * which the renderer made on the loop at start. */
    cmark_gfm_core_extensions_ensure_registered();
    cmark_parser *parser = cmark_parser_new(CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8);
    cmark_syntax_extension *table = cmark_find_syntax_extension("table");
    cmark_node *doc = NULL;
    if (!parser || !table || !cmark_parser_attach_syntax_extension(parser, table)) {
        rc = KENES_ENOMEM;
    } else {
        cmark_parser_feed(parser, md, len);
        doc = cmark_parser_finish(parser);
        rc = doc ? walk(t, doc) : KENES_ENOMEM;
    }
    if (doc)
        cmark_node_free(doc);
    if (parser)
        cmark_parser_free(parser);
    if (rc < 0)
        xtable_free(t);
    else
        *out = t;
    return rc;
}
