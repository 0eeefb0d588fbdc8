/*
 * The reports' own words, from content/reports.yaml, in each language the
 * reports are written in: each report's title, the index page's headings
 * and links, and the words of the page template around a report.  They name
 * what the reports are about (plans, commissions, cases), which is content,
 * not the core's.
 */
#ifndef KENES_REPORT_WORDS_H
#define KENES_REPORT_WORDS_H

#include <jansson.h>
#include <stddef.h>

#include "kenes/plugin.h"

/* The languages of the reports, in the order they are published: Russian
 * first, under reports/ as before; the others under reports/<code>/. */
enum { REPORT_RU = 0, REPORT_KK = 1, REPORT_EN = 2, REPORT_NLANGS = 3 };

/* "ru", "kk", "en" by REPORT_*. */
extern const char *const report_lang_codes[REPORT_NLANGS];
/* The folder of a language's reports under reports/: "", "kk/", "en/". */
extern const char *const report_lang_dirs[REPORT_NLANGS];

/* The words of content/templates/page.html a language fills in: each
 * "{{page.<name>}}" of the template; "{{lang}}" is the language's code and
 * "{{dir}}" its folder (report_lang_dirs). */
#define REPORT_PAGE_WORDS(X) X(skip) X(tagline) X(menu) X(home) X(reports) X(sign_in) \
    X(small_counts) X(about)
#define REPORT_PAGE_ENUM(name) REPORT_PAGE_##name,
enum { REPORT_PAGE_WORDS(REPORT_PAGE_ENUM) REPORT_PAGE_NWORDS };

typedef struct report_lang_words {
    char *title[KENES_REPORT_CASES + 1]; /* by KENES_REPORT_* kind */
    char *link[KENES_REPORT_CASES + 1];  /* the index's link text; none for a region's */
    char *index_title, *index_heading, *index_bundle, *index_regions, *index_languages;
    char *language;    /* the language's own name (the index's language switch) */
    char *unavailable; /* instead of a section that failed */
    char *page[REPORT_PAGE_NWORDS];
    json_t *exports; /* the exports' words (content/reports.yaml exports:): {name: text} */
} report_lang_words;

typedef struct report_words {
    report_lang_words lang[REPORT_NLANGS];
} report_words;

/* Load path into w (empty before; report_words_dispose after, also on
 * failure).  Every word is a mapping {ru, kk, en} of non-empty texts.  0, or
 * KENES_EINVAL with "file:line: why" in err, KENES_ENOMEM, the code of a
 * file that cannot be read. */
int report_words_load(report_words *w, const char *path, char *err, size_t errcap);
void report_words_dispose(report_words *w);
/* The exports' word name in lang (column headers, link texts, file names);
 * name itself when content/reports.yaml gives none. */
const char *report_export_word(const report_words *w, int lang, const char *name);

/* tmpl with "{{lang}}" and every "{{page.<name>}}" replaced by the
 * language's code and words (HTML-escaped); other "{{...}}" kept for
 * render_page.  malloc'd, or NULL (out of memory). */
char *report_words_page(const report_words *w, int lang, const char *tmpl);

#endif
