/*
 * The order of the commits the index has seen, per repository: what "was
 * this version there before that one was written" asks (plan execution).
 * Each repository's history is one line (main), so that order is the order
 * the index recorded them in — the journal's at start, the writer's after —
 * and answering needs no git read on the loop.
 *
 * About 27 bytes of heap a commit (the 20-byte id once, and a 5-byte slot
 * of a hash table kept 0.64-0.85 full), grown a small step at a time: no
 * allocation larger than 1/64 of the table past about 12,000 commits
 * (order.c says how).
 */
#ifndef KENES_ORDER_H
#define KENES_ORDER_H

#include <stddef.h>
#include <stdint.h>

typedef struct commit_order commit_order;

int order_new(commit_order **out);
/* As order_new, with at most max_per_repository commits in each repository
 * (order_new: 2^31 - 1, what a place holds beside its repository's bit);
 * tests give a small one.  0, KENES_EINVAL (0 or above that) or ENOMEM. */
int order_new_limited(commit_order **out, uint32_t max_per_repository);
/* NULL is a no-op. */
void order_free(commit_order *o);

/* Note commit (40 hex) as the newest of repository repo (0 or 1).  A commit
 * noted again keeps its first place (0, and nothing changes).  0,
 * KENES_EINVAL, or KENES_ENOMEM (out of memory, or the repository already
 * has its limit of commits: a place never wraps; nothing is noted). */
int order_note(commit_order *o, int repo, const char *commit);
/* 1 if a was noted before b in the same repository; 0 if not (the same
 * commit, b first, different repositories, or either never noted). */
int order_before(const commit_order *o, const char *a, const char *b);
size_t order_count(const commit_order *o);
/* Where commit was noted: its repository's bit (ORDER_REPO_BIT) and its
 * place from 1, in one number; 0 if it never was (or is no object id).  A
 * packed version (hpack.h) keeps that number instead of its 20 bytes. */
#define ORDER_REPO_BIT 0x80000000u
uint32_t order_place(const commit_order *o, const char *commit);
/* The commit noted at place (as order_place says it) into out (40 hex and
 * a NUL): 0, or KENES_ENOTFOUND when nothing was noted there. */
int order_commit_at(char out[41], const commit_order *o, uint32_t place);

typedef struct order_stats {
    size_t bytes;   /* heap the table holds now, its own struct included */
    size_t largest; /* the largest single allocation it ever made */
} order_stats;

/* What the table costs, counted by its own allocations (no malloc headers).
 * All zero for NULL. */
void order_get_stats(order_stats *out, const commit_order *o);

#endif
