#include "base/minheap.h"

#include <stdlib.h>

#include "base/util.h"
#include "base/error.h"

void minheap_init(minheap *h)
{
    *h = (minheap){0};
}

void minheap_dispose(minheap *h)
{
    free(h->v);
    minheap_init(h);
}

static void swap(minheap_item *a, minheap_item *b)
{
    minheap_item t = *a;
    *a = *b;
    *b = t;
}

static void sift_up(minheap *h, size_t i)
{
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (h->v[parent].key <= h->v[i].key)
            break;
        swap(&h->v[parent], &h->v[i]);
        i = parent;
    }
}

static void sift_down(minheap *h, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, least = i;
        if (l < h->n && h->v[l].key < h->v[least].key)
            least = l;
        if (r < h->n && h->v[r].key < h->v[least].key)
            least = r;
        if (least == i)
            return;
        swap(&h->v[least], &h->v[i]);
        i = least;
    }
}

int minheap_append(minheap *h, int64_t key, void *value)
{
    minheap_item *v = util_grow(h->v, &h->cap, h->n, sizeof(*v), 64);
    if (!v)
        return KENES_ENOMEM;
    h->v = v;
    h->v[h->n++] = (minheap_item){key, value};
    return 0;
}

int minheap_push(minheap *h, int64_t key, void *value)
{
    int rc = minheap_append(h, key, value);
    if (rc == 0)
        sift_up(h, h->n - 1);
    return rc;
}

void minheap_build(minheap *h)
{
    for (size_t i = h->n / 2; i-- > 0;)
        sift_down(h, i);
}

const minheap_item *minheap_peek(const minheap *h)
{
    return h->n ? &h->v[0] : NULL;
}

int minheap_pop(minheap *h, minheap_item *out)
{
    if (!h->n)
        return 0;
    if (out)
        *out = h->v[0];
    h->v[0] = h->v[--h->n];
    sift_down(h, 0);
    return 1;
}

size_t minheap_size(const minheap *h)
{
    return h->n;
}

void minheap_clear(minheap *h)
{
    h->n = 0;
}
