/*
 * bench_export: how long an export's file takes to write, and how big it is.
 *
 *   bench_export [ROWS...]     (default: 2000 50000)
 *
 * A table shaped like the plans' export (24 columns: Cyrillic text, dates,
 * amounts; every row different) of ROWS rows is written as CSV and as XLSX
 * (libxlsxwriter through a temporary file in $TMPDIR or /tmp), three times
 * each; the program prints the median wall and CPU time and the size.
 * 2,000 rows are twenty regions' plans of a hundred measures; 50,000 is
 * XTABLE_MAX_ROWS, the most an export may hold.  It runs on the thread pool
 * in the server: this is how long one pool thread is busy.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "publish/table.h"

static double seconds(clockid_t id)
{
    struct timespec t;
    clock_gettime(id, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static xtable *make(long rows)
{
    xtable *t;
    if (xtable_new(&t, "Меры планов", 24) < 0)
        return NULL;
    for (size_t c = 0; c < 24; c++) {
        char label[64];
        snprintf(label, sizeof(label), "Графа %zu", c + 1);
        xtable_column(t, c, label, c % 8 == 3 ? XCOL_DATE : c % 8 == 5 ? XCOL_NUMBER : XCOL_TEXT);
    }
    for (long r = 0; r < rows; r++) {
        if (xtable_add_row(t) < 0)
            break;
        for (size_t c = 0; c < 24; c++) {
            if (c % 8 == 3)
                xtable_setf(t, c, "2026-%02ld-%02ld", r % 12 + 1, r % 28 + 1);
            else if (c % 8 == 5)
                xtable_setf(t, c, "%ld", r * 12500 + (long)c);
            else
                xtable_setf(t, c, "Управление образования Акмолинской области, мера %ld", r);
        }
    }
    return t;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    long sizes[8] = {2000, 50000};
    int n = 2;
    if (argc > 1)
        for (n = 0; n < argc - 1 && n < 8; n++)
            sizes[n] = atol(argv[n + 1]);
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    printf("%8s %5s %10s %10s %12s\n", "rows", "kind", "wall ms", "cpu ms", "bytes");
    for (int i = 0; i < n; i++) {
        xtable *t = make(sizes[i]);
        if (!t)
            return 1;
        for (int xlsx = 0; xlsx < 2; xlsx++) {
            double wall[3], cpu[3];
            size_t len = 0;
            for (int k = 0; k < 3; k++) {
                char *out = NULL;
                double w0 = seconds(CLOCK_MONOTONIC), c0 = seconds(CLOCK_PROCESS_CPUTIME_ID);
                int rc = xlsx ? xtable_xlsx(&out, &len, t, tmp) : xtable_csv(&out, &len, t);
                wall[k] = (seconds(CLOCK_MONOTONIC) - w0) * 1e3;
                cpu[k] = (seconds(CLOCK_PROCESS_CPUTIME_ID) - c0) * 1e3;
                free(out);
                if (rc < 0) {
                    fprintf(stderr, "bench_export: %s failed (%d)\n", xlsx ? "xlsx" : "csv", rc);
                    return 1;
                }
            }
            qsort(wall, 3, sizeof(double), cmp);
            qsort(cpu, 3, sizeof(double), cmp);
            printf("%8ld %5s %10.1f %10.1f %12zu\n", (long)t->nrows, xlsx ? "xlsx" : "csv",
                   wall[1], cpu[1], len);
        }
        xtable_free(t);
    }
    return 0;
}
