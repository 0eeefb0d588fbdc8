#include "publish/table.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"

int xtable_new(xtable **out, const char *sheet, size_t ncols)
{
    xtable *t = calloc(1, sizeof(*t));
    *out = NULL;
    if (!t)
        return KENES_ENOMEM;
    t->ncols = ncols;
    t->sheet = strdup(sheet);
    t->labels = calloc(ncols ? ncols : 1, sizeof(*t->labels));
    t->kinds = calloc(ncols ? ncols : 1, sizeof(*t->kinds));
    if (!t->sheet || !t->labels || !t->kinds) {
        xtable_free(t);
        return KENES_ENOMEM;
    }
    *out = t;
    return 0;
}

void xtable_free(xtable *t)
{
    if (!t)
        return;
    for (size_t i = 0; t->labels && i < t->ncols; i++)
        free(t->labels[i]);
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        free(t->cells[i]);
    free(t->cells);
    free(t->labels);
    free(t->kinds);
    free(t->sheet);
    free(t);
}

int xtable_column(xtable *t, size_t i, const char *label, xcol_kind kind)
{
    if (i >= t->ncols)
        return KENES_EINVAL;
    free(t->labels[i]);
    t->labels[i] = strdup(label ? label : "");
    t->kinds[i] = kind;
    return t->labels[i] ? 0 : KENES_ENOMEM;
}

int xtable_add_row(xtable *t)
{
    if (t->nrows >= XTABLE_MAX_ROWS)
        return KENES_ETOOBIG;
    if (t->nrows == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        char **cells = realloc(t->cells, cap * (t->ncols ? t->ncols : 1) * sizeof(*cells));
        if (!cells)
            return KENES_ENOMEM;
        t->cells = cells;
        t->cap = cap;
    }
    memset(&t->cells[t->nrows * t->ncols], 0, t->ncols * sizeof(*t->cells));
    t->nrows++;
    return 0;
}

int xtable_set(xtable *t, size_t col, const char *value)
{
    if (!t->nrows || col >= t->ncols)
        return KENES_EINVAL;
    char **cell = &t->cells[(t->nrows - 1) * t->ncols + col];
    free(*cell);
    *cell = NULL;
    if (!value)
        return 0;
    size_t n = strlen(value);
    if (n > XTABLE_MAX_CELL) {
        n = XTABLE_MAX_CELL;
        while (n > 0 && ((unsigned char)value[n] & 0xC0) == 0x80)
            n--;
    }
    if (!(*cell = malloc(n + 1)))
        return KENES_ENOMEM;
    memcpy(*cell, value, n);
    (*cell)[n] = '\0';
    return 0;
}

int xtable_setf(xtable *t, size_t col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char small[256];
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0)
        return KENES_EINVAL;
    if ((size_t)n < sizeof(small))
        return xtable_set(t, col, small);
    char *big = malloc((size_t)n + 1);
    if (!big)
        return KENES_ENOMEM;
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    int rc = xtable_set(t, col, big);
    free(big);
    return rc;
}

const char *xtable_cell(const xtable *t, size_t row, size_t col)
{
    return row < t->nrows && col < t->ncols ? t->cells[row * t->ncols + col] : NULL;
}
