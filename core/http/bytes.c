/*
 * Shared bodies and the store that keeps them by key (bytes.h).  The
 * answer that writes one is write.c's (http_respond_bytes).
 */
#include "http/bytes.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/map.h"

http_bytes *http_bytes_take(char *data, size_t len)
{
    http_bytes *b = data ? malloc(sizeof(*b)) : NULL;
    if (!b) {
        free(data);
        return NULL;
    }
    *b = (http_bytes){.refs = 1, .len = len, .data = data};
    return b;
}

http_bytes *http_bytes_new(const char *data, size_t len)
{
    char *copy = malloc(len + 1);
    if (!copy)
        return NULL;
    if (len)
        memcpy(copy, data, len);
    copy[len] = '\0';
    return http_bytes_take(copy, len);
}

http_bytes *http_bytes_ref(http_bytes *b)
{
    if (b)
        b->refs++;
    return b;
}

void http_bytes_unref(http_bytes *b)
{
    if (!b || --b->refs > 0)
        return;
    free(b->data);
    free(b);
}

/* ---- the store ---- */

typedef struct entry {
    char *key; /* the map's key is its own copy; this one names the entry in drops */
    char *tag;
    http_bytes *b;
    int pinned;
    struct entry *prev, *next; /* in its list, most recently used first */
} entry;

typedef struct list {
    entry *head, *tail;
} list;

struct http_store {
    map *entries; /* key -> entry */
    list loose_list, pinned_list;
    size_t budget, loose, pinned;
};

int http_store_new(http_store **out, size_t budget)
{
    http_store *s = calloc(1, sizeof(*s));
    *out = NULL;
    if (!s || map_new(&s->entries) < 0) {
        free(s);
        return KENES_ENOMEM;
    }
    s->budget = budget;
    *out = s;
    return 0;
}

static void unlink_entry(http_store *s, entry *e)
{
    list *l = e->pinned ? &s->pinned_list : &s->loose_list;
    if (e->pinned)
        s->pinned -= e->b->len;
    else
        s->loose -= e->b->len;
    if (e->prev)
        e->prev->next = e->next;
    else
        l->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        l->tail = e->prev;
    e->prev = e->next = NULL;
}

static void free_entry(entry *e)
{
    http_bytes_unref(e->b);
    free(e->key);
    free(e->tag);
    free(e);
}

static void drop(http_store *s, entry *e)
{
    unlink_entry(s, e);
    map_remove(s->entries, e->key);
    free_entry(e);
}

void http_store_free(http_store *s)
{
    if (!s)
        return;
    map_iter it;
    const char *key;
    void *v;
    map_iter_init(&it, s->entries);
    while (map_iter_next(&it, &key, &v))
        free_entry(v);
    map_free(s->entries);
    free(s);
}

static void push_front(http_store *s, entry *e)
{
    list *l = e->pinned ? &s->pinned_list : &s->loose_list;
    if (e->pinned)
        s->pinned += e->b->len;
    else
        s->loose += e->b->len;
    e->prev = NULL;
    e->next = l->head;
    if (l->head)
        l->head->prev = e;
    l->head = e;
    if (!l->tail)
        l->tail = e;
}

http_bytes *http_store_get(http_store *s, const char *key, const char *tag)
{
    entry *e = s ? map_get(s->entries, key) : NULL;
    if (!e || (tag ? !e->tag || strcmp(tag, e->tag) != 0 : e->tag != NULL))
        return NULL;
    if (!e->pinned && s->loose_list.head != e) {
        unlink_entry(s, e);
        push_front(s, e);
    }
    return e->b;
}

int http_store_put(http_store *s, const char *key, const char *tag, http_bytes *b, int pinned)
{
    entry *old = map_get(s->entries, key);
    if (old)
        drop(s, old);
    if (!pinned && b->len > s->budget)
        return 0; /* it would push out everything else and still not fit */
    entry *e = calloc(1, sizeof(*e));
    if (!e || !(e->key = strdup(key)) || (tag && !(e->tag = strdup(tag))) ||
        map_set(s->entries, key, e) < 0) {
        if (e) {
            free(e->key);
            free(e->tag);
        }
        free(e);
        return KENES_ENOMEM;
    }
    e->b = http_bytes_ref(b);
    e->pinned = pinned;
    push_front(s, e);
    while (s->loose > s->budget && s->loose_list.tail && s->loose_list.tail != e)
        drop(s, s->loose_list.tail);
    return 0;
}

void http_store_drop_prefix(http_store *s, const char *prefix)
{
    if (!s)
        return;
    size_t n = strlen(prefix);
    list *lists[2] = {&s->loose_list, &s->pinned_list};
    for (int k = 0; k < 2; k++)
        for (entry *e = lists[k]->head, *next; e; e = next) {
            next = e->next;
            if (strncmp(e->key, prefix, n) == 0)
                drop(s, e);
        }
}

size_t http_store_bytes(const http_store *s)
{
    return s ? s->loose + s->pinned : 0;
}

size_t http_store_count(const http_store *s)
{
    return s ? map_count(s->entries) : 0;
}
