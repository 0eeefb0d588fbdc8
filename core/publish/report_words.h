/*
 * The reports' own words, from content/reports.yaml: each report's title
 * and the index page's headings and links.  They name what the reports are
 * about (plans, commissions, cases), which is content, not the core's.
 */
#ifndef KENES_REPORT_WORDS_H
#define KENES_REPORT_WORDS_H

#include <stddef.h>

#include "kenes/plugin.h"

typedef struct report_words {
    char *title[KENES_REPORT_CASES + 1]; /* by KENES_REPORT_* kind */
    char *link[KENES_REPORT_CASES + 1];  /* the index's link text; none for a region's */
    char *index_title, *index_heading, *index_bundle, *index_regions;
    char *unavailable; /* instead of a section that failed */
} report_words;

/* Load path into w (empty before; report_words_dispose after, also on
 * failure).  0, or KENES_EINVAL with "file:line: why" in err, KENES_ENOMEM,
 * the code of a file that cannot be read. */
int report_words_load(report_words *w, const char *path, char *err, size_t errcap);
void report_words_dispose(report_words *w);

#endif
