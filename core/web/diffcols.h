/*
 * A side-by-side view of a unified diff (libgit2's patch text, as
 * docs_diff gives it): the two columns are built from the patch's hunks,
 * never by diffing anew.  Within a hunk, a run of removed lines and the run
 * of added lines after it face each other row by row (the longer run's
 * rest faces an empty cell); context lines stand on both sides.
 */
#ifndef KENES_WEB_DIFFCOLS_H
#define KENES_WEB_DIFFCOLS_H

#include <jansson.h>

/* How a line's text is shown (e.g. a front-matter "stage: draft" as the
 * stage's label): a new string to show instead, or NULL to keep it. */
typedef char *(*diffcols_word_fn)(const char *line, void *payload);

/*
 * *out: a new JSON array of rows, each either
 *   {"hunk": true, "left_from": n, "right_from": n}   where a hunk starts, or
 *   {"left": {"no": n, "text": "...", "kind": "del"|"same", "changed": bool},
 *    "right": {"no": n, "text": "...", "kind": "add"|"same", "changed": bool}}
 * where a side with no line is left out.  *changes: how many rows hold a
 * removed or an added line.  0, KENES_EINVAL (a hunk header that does not
 * parse), KENES_ENOMEM.  word may be NULL.
 */
int diffcols_build(json_t **out, int *changes, const char *patch, diffcols_word_fn word,
                   void *payload);

#endif
