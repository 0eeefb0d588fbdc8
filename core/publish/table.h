/*
 * A table to export (README, "Exports"): named columns, each of a kind
 * (text, number, date), and rows of cells kept as text.  Built on the loop
 * from what is public (export.h), written out as CSV (csv.c) or XLSX
 * (xlsx.c) on the thread pool: the writers read the table and nothing else,
 * so a job owns its table and no lock is needed.
 */
#ifndef KENES_PUBLISH_TABLE_H
#define KENES_PUBLISH_TABLE_H

#include <stddef.h>

#include "base/util.h"

/* How a column's cells are written: text as text (CSV: neutralised against
 * formulas, csv.c), a number as a number when the cell is one (else as
 * text), a date ("YYYY-MM-DD") as a date in XLSX (else as text). */
typedef enum xcol_kind { XCOL_TEXT = 0, XCOL_NUMBER = 1, XCOL_DATE = 2 } xcol_kind;

/* At most this many rows in one export: past it the export is refused
 * (KENES_ETOOBIG), never cut short.  Twenty regions' plans of a hundred
 * measures each are 2,000 rows; sixty monthly case releases about 6,000. */
#define XTABLE_MAX_ROWS 50000
/* A cell longer than this is cut (at a whole character): XLSX holds at most
 * 32,767 characters a cell, and no field of a plan or roster is as long. */
#define XTABLE_MAX_CELL 32000

typedef struct xtable {
    char *sheet; /* the XLSX sheet's name (at most 31 characters, no []:*?/\) */
    size_t ncols;
    char **labels; /* the header row, in the reader's language */
    xcol_kind *kinds;
    size_t nrows, cap;
    char **cells; /* nrows * ncols, row by row; NULL: empty */
} xtable;

/* A table of ncols columns named sheet, no rows.  0 or KENES_ENOMEM. */
int xtable_new(xtable **out, const char *sheet, size_t ncols);
void xtable_free(xtable *t);
/* Column i's header and kind.  0 or KENES_ENOMEM. */
int xtable_column(xtable *t, size_t i, const char *label, xcol_kind kind);
/* A new empty row at the end.  0, KENES_ETOOBIG (XTABLE_MAX_ROWS), KENES_ENOMEM. */
int xtable_add_row(xtable *t);
/* Cell col of the last row (a copy of value; NULL leaves it empty).  0 or KENES_ENOMEM. */
int xtable_set(xtable *t, size_t col, const char *value);
int xtable_setf(xtable *t, size_t col, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Cell (row, col), or NULL when empty. */
const char *xtable_cell(const xtable *t, size_t row, size_t col);

/* ---- writers (on any thread) ---- */

/* The CSV of t (csv.c): RFC 4180 through libcsv, UTF-8 with a byte order
 * mark, CRLF line ends, every field quoted; a text cell that starts with
 * = + - @, a tab or a carriage return gets a leading ' so that no
 * spreadsheet takes it for a formula.  *out malloc'd.  0 or KENES_ENOMEM. */
int xtable_csv(char **out, size_t *len, const xtable *t);
/* One field as xtable_csv writes it, appended to b (no separator). */
int xtable_csv_field(util_buf *b, const char *value, xcol_kind kind);

/* The XLSX of t (xlsx.c): libxlsxwriter writes a temporary file in tmpdir,
 * read back into *out and removed.  Header row bold and frozen, columns as
 * wide as their text (bounded), dates as dates (dd.mm.yyyy), numbers as
 * numbers, every text cell a string (never a formula).  0, KENES_EIO, KENES_ENOMEM. */
int xtable_xlsx(char **out, size_t *len, const xtable *t, const char *tmpdir);

#endif
