/* The list bounded by bytes the caches share (lru.h). */
#include "base/lru.h"

void lru_init(lru *l, size_t budget, lru_pinned_fn pinned, lru_drop_fn drop, void *payload)
{
    *l = (lru){.budget = budget, .pinned = pinned, .drop = drop, .payload = payload};
}

static int linked(const lru *l, const lru_node *n)
{
    return n->newer || n->older || l->newest == n;
}

static void unlink_node(lru *l, lru_node *n)
{
    if (n->newer)
        n->newer->older = n->older;
    else
        l->newest = n->older;
    if (n->older)
        n->older->newer = n->newer;
    else
        l->oldest = n->newer;
    n->newer = n->older = NULL;
}

static void push_newest(lru *l, lru_node *n)
{
    n->newer = NULL;
    n->older = l->newest;
    if (l->newest)
        l->newest->newer = n;
    l->newest = n;
    if (!l->oldest)
        l->oldest = n;
}

void lru_insert(lru *l, lru_node *n, size_t bytes)
{
    if (linked(l, n)) {
        lru_touch(l, n);
        lru_resize(l, n, bytes);
        return;
    }
    n->bytes = bytes;
    l->bytes += bytes;
    l->count++;
    push_newest(l, n);
}

void lru_touch(lru *l, lru_node *n)
{
    if (l->newest == n)
        return;
    unlink_node(l, n);
    push_newest(l, n);
}

void lru_resize(lru *l, lru_node *n, size_t bytes)
{
    l->bytes = l->bytes - n->bytes + bytes;
    n->bytes = bytes;
}

void lru_remove(lru *l, lru_node *n)
{
    unlink_node(l, n);
    l->bytes -= n->bytes;
    l->count--;
}

void lru_trim(lru *l, const lru_node *keep)
{
    for (lru_node *n = l->oldest, *newer; n && l->bytes > l->budget; n = newer) {
        newer = n->newer;
        if (n == keep || (l->pinned && l->pinned(n, l->payload)))
            continue;
        lru_remove(l, n);
        l->evicted++;
        l->drop(n, l->payload);
    }
}

void lru_set_budget(lru *l, size_t budget)
{
    l->budget = budget;
    lru_trim(l, NULL);
}

void lru_clear(lru *l)
{
    while (l->newest) {
        lru_node *n = l->newest;
        lru_remove(l, n);
        l->drop(n, l->payload);
    }
}
