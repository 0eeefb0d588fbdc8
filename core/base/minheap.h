/*
 * A binary min-heap of (key, value) pairs: the nearest of many times
 * (deadlines) without sorting them all each time one is asked for.
 * Entries are never updated in place: a changed key is pushed again, and
 * the reader drops a top entry it finds stale (publish/report.c).
 */
#ifndef KENES_MINHEAP_H
#define KENES_MINHEAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct minheap_item {
    int64_t key;
    void *value;
} minheap_item;

typedef struct minheap {
    minheap_item *v;
    size_t n, cap;
} minheap;

void minheap_init(minheap *h);
/* Frees what h holds (not the values); h is empty and usable after. */
void minheap_dispose(minheap *h);

/* 0, or KENES_ENOMEM (h unchanged). */
int minheap_push(minheap *h, int64_t key, void *value);
/* Append without keeping the order (a bulk load), then minheap_build. */
int minheap_append(minheap *h, int64_t key, void *value);
/* Put h in heap order in O(n) after minheap_append. */
void minheap_build(minheap *h);
/* The smallest key's entry (ties: any of them), or NULL when empty. */
const minheap_item *minheap_peek(const minheap *h);
/* Remove the smallest into *out (out may be NULL): 1, or 0 when empty. */
int minheap_pop(minheap *h, minheap_item *out);
size_t minheap_size(const minheap *h);
/* Empty it, keeping its memory. */
void minheap_clear(minheap *h);

#endif
