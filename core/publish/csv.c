/*
 * A table as CSV (RFC 4180) for a spreadsheet: UTF-8 with a byte order mark
 * (without it Excel reads the bytes as the system's code page and Cyrillic
 * comes out garbled), CRLF line ends, every field quoted by libcsv
 * (csv_write2: quotes doubled; commas and line breaks inside a quoted field
 * are data).  A text that starts with = + - @, a tab or a carriage return
 * would be taken by Excel or LibreOffice for a formula (=HYPERLINK(...) in a
 * measure's title runs when the file is opened): it gets a leading ', the
 * spreadsheets' own mark of "this is text" (OWASP, CSV injection).
 */
#include <csv.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "publish/table.h"

/* 1 if s is a plain number (a figure a NUMBER column holds: "-3", "12.5"). */
static int plain_number(const char *s)
{
    char *end;
    if (!*s || strchr(" \t\r\n", *s))
        return 0;
    double v = strtod(s, &end);
    return *end == '\0' && isfinite(v);
}

static int formula_like(const char *s)
{
    return *s && strchr("=+-@\t\r", *s) != NULL;
}

int xtable_csv_field(util_buf *b, const char *value, xcol_kind kind)
{
    const char *v = value ? value : "";
    int mark = formula_like(v) && !(kind == XCOL_NUMBER && plain_number(v));
    size_t n = strlen(v);
    char *src = malloc(n + 2);
    if (!src)
        return KENES_ENOMEM;
    src[0] = '\'';
    memcpy(src + mark, v, n + 1);
    size_t srclen = n + (size_t)mark;
    /* libcsv answers the size it needs (2 quotes and every quote doubled). */
    size_t need = csv_write2(NULL, 0, src, srclen, '"');
    char *dst = malloc(need ? need : 1);
    int rc = dst ? 0 : KENES_ENOMEM;
    if (rc == 0) {
        csv_write2(dst, need, src, srclen, '"');
        rc = util_buf_append(b, dst, need);
    }
    free(dst);
    free(src);
    return rc < 0 ? KENES_ENOMEM : 0;
}

static int csv_row(util_buf *b, const xtable *t, size_t row)
{
    for (size_t c = 0; c < t->ncols; c++) {
        const char *v = row == SIZE_MAX ? t->labels[c] : xtable_cell(t, row, c);
        int rc = c ? util_buf_append(b, ",", 1) : 0;
        if (rc < 0 || xtable_csv_field(b, v, row == SIZE_MAX ? XCOL_TEXT : t->kinds[c]) < 0)
            return KENES_ENOMEM;
    }
    return util_buf_append(b, "\r\n", 2) < 0 ? KENES_ENOMEM : 0;
}

int xtable_csv(char **out, size_t *len, const xtable *t)
{
    util_buf b;
    util_buf_init(&b);
    *out = NULL;
    *len = 0;
    int rc = util_buf_append(&b, "\xEF\xBB\xBF", 3) < 0 ? KENES_ENOMEM : csv_row(&b, t, SIZE_MAX);
    for (size_t r = 0; rc == 0 && r < t->nrows; r++)
        rc = csv_row(&b, t, r);
    if (rc == 0 && !(*out = util_buf_detach(&b, len)))
        rc = KENES_ENOMEM;
    if (rc < 0)
        util_buf_dispose(&b);
    return rc;
}
