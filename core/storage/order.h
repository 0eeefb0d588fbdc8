/*
 * The order of the commits the index has seen, per repository: what "was
 * this version there before that one was written" asks (plan execution).
 * Each repository's history is one line (main), so that order is the order
 * the index recorded them in — the journal's at start, the writer's after —
 * and answering needs no git read on the loop.
 */
#ifndef KENES_ORDER_H
#define KENES_ORDER_H

#include <stddef.h>

typedef struct commit_order commit_order;

int order_new(commit_order **out);
/* NULL is a no-op. */
void order_free(commit_order *o);

/* Note commit (40 hex) as the newest of repository repo (0 or 1).  A commit
 * noted again keeps its first place.  0, KENES_EINVAL or KENES_ENOMEM. */
int order_note(commit_order *o, int repo, const char *commit);
/* 1 if a was noted before b in the same repository; 0 if not (the same
 * commit, b first, different repositories, or either never noted). */
int order_before(const commit_order *o, const char *a, const char *b);
size_t order_count(const commit_order *o);

#endif
