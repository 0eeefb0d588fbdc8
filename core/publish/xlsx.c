/*
 * A table as an XLSX workbook, by libxlsxwriter (Debian's 1.1.4, which
 * writes only to a file: a temporary one in tmpdir, read back and
 * removed).  Runs on the thread pool, never on the loop: a workbook of
 * thousands of rows takes tens of milliseconds and a file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "base/error.h"
#include "publish/table.h"

/* Characters, not bytes: a column is as wide as its longest text reads. */
static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; s && *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* "YYYY-MM-DD" into *dt; 0, or -1 when s is no such date. */
static int ymd(lxw_datetime *dt, const char *s)
{
    int y, m, d, end = 0;
    if (!s || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &end) != 3 || end != 10 || s[10] ||
        y < 1900 || m < 1 || m > 12 || d < 1 || d > util_days_in_month(y, m))
        return -1;
    *dt = (lxw_datetime){.year = y, .month = m, .day = d};
    return 0;
}

static int plain_number(const char *s, double *v)
{
    char *end;
    if (!s || !*s || strchr(" \t\r\n", *s))
        return 0;
    *v = strtod(s, &end);
    return *end == '\0';
}

/* Each column as wide as its header or its longest cell, within 8 to 60
 * characters (a long text wraps in the cell instead). */
static double width_of(const xtable *t, size_t c)
{
    size_t w = utf8_chars(t->labels[c]);
    if (t->kinds[c] == XCOL_DATE && w < 10)
        w = 10;
    for (size_t r = 0; r < t->nrows; r++) {
        size_t n = utf8_chars(xtable_cell(t, r, c));
        if (n > w)
            w = n;
    }
    w += 2;
    return w < 8 ? 8 : w > 60 ? 60 : (double)w;
}

/* Excel's rule for a sheet's name: at most 31 characters, none of []:*?/\ */
static void sheet_name(char *out, size_t cap, const char *name)
{
    size_t n = 0, chars = 0;
    for (const char *p = name; *p && n + 4 < cap; p++) {
        int lead = ((unsigned char)*p & 0xC0) != 0x80;
        if (lead && ++chars > 31)
            break;
        out[n++] = strchr("[]:*?/\\", *p) ? '_' : *p;
    }
    out[n] = '\0';
}

static int write_sheet(lxw_workbook *wb, const xtable *t)
{
    char name[128];
    sheet_name(name, sizeof(name), t->sheet);
    lxw_worksheet *ws = workbook_add_worksheet(wb, name[0] ? name : NULL);
    lxw_format *bold = workbook_add_format(wb);
    lxw_format *date = workbook_add_format(wb);
    lxw_format *wrap = workbook_add_format(wb);
    if (!ws || !bold || !date || !wrap)
        return KENES_ENOMEM;
    format_set_bold(bold);
    format_set_text_wrap(bold);
    format_set_align(bold, LXW_ALIGN_VERTICAL_TOP);
    format_set_num_format(date, "dd.mm.yyyy");
    format_set_align(date, LXW_ALIGN_VERTICAL_TOP);
    format_set_text_wrap(wrap);
    format_set_align(wrap, LXW_ALIGN_VERTICAL_TOP);
    for (size_t c = 0; c < t->ncols; c++) {
        worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, width_of(t, c),
                             t->kinds[c] == XCOL_DATE ? date : wrap);
        if (worksheet_write_string(ws, 0, (lxw_col_t)c, t->labels[c], bold) != LXW_NO_ERROR)
            return KENES_EIO;
    }
    /* The header stays in view as the rows scroll. */
    worksheet_freeze_panes(ws, 1, 0);
    for (size_t r = 0; r < t->nrows; r++) {
        lxw_row_t row = (lxw_row_t)(r + 1);
        for (size_t c = 0; c < t->ncols; c++) {
            const char *v = xtable_cell(t, r, c);
            lxw_datetime dt;
            double num;
            lxw_error e = LXW_NO_ERROR;
            if (!v || !*v)
                continue;
            if (t->kinds[c] == XCOL_DATE && ymd(&dt, v) == 0)
                e = worksheet_write_datetime(ws, row, (lxw_col_t)c, &dt, date);
            else if (t->kinds[c] == XCOL_NUMBER && plain_number(v, &num))
                e = worksheet_write_number(ws, row, (lxw_col_t)c, num, wrap);
            else /* a string cell: never read as a formula, whatever it starts with */
                e = worksheet_write_string(ws, row, (lxw_col_t)c, v, wrap);
            if (e != LXW_NO_ERROR)
                return KENES_EIO;
        }
    }
    return 0;
}

int xtable_xlsx(char **out, size_t *len, const xtable *t, const char *tmpdir)
{
    char path[4096];
    *out = NULL;
    *len = 0;
    if (snprintf(path, sizeof(path), "%s/kenes-export-XXXXXX", tmpdir) >= (int)sizeof(path))
        return KENES_EINVAL;
    int fd = mkstemp(path);
    if (fd < 0)
        return kenes_error_from_errno(errno);
    close(fd);
    lxw_workbook_options opt = {.constant_memory = LXW_FALSE, .tmpdir = (char *)tmpdir};
    lxw_workbook *wb = workbook_new_opt(path, &opt);
    int rc = wb ? write_sheet(wb, t) : KENES_ENOMEM;
    if (wb && workbook_close(wb) != LXW_NO_ERROR && rc == 0)
        rc = KENES_EIO;
    if (rc == 0)
        rc = util_read_file(out, len, path);
    unlink(path);
    return rc;
}
