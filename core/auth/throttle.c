#include "auth/throttle.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "kenes/plugin.h"
#include "base/log.h"
#include "base/map.h"

/* Recent failures of one key. */
typedef struct strike {
    struct strike *prev, *next; /* in the order last touched, least recent first */
    char key[33];               /* hex(blake2b-128(key)) */
    unsigned cap, n, first;     /* times[] is a ring of cap; n in use from first */
    uint64_t times[];           /* each failure, oldest first */
} strike;

struct throttle {
    map *by_key;
    strike *head, *tail;
    unsigned limit;    /* failures allowed within the window, 0: no limit */
    uint64_t window;   /* ms */
    const char *label; /* for the log: "for one user name", "from " */
    int log_key;       /* log the key itself (an address, not a name) */
};

static void strike_key(char out[33], const char *s)
{
    unsigned char h[16];
    crypto_generichash(h, sizeof(h), (const unsigned char *)s, strlen(s), NULL, 0);
    sodium_bin2hex(out, 33, h, sizeof(h));
}

static void link_last(throttle *t, strike *s)
{
    s->prev = t->tail;
    s->next = NULL;
    if (t->tail)
        t->tail->next = s;
    else
        t->head = s;
    t->tail = s;
}

static void unlink_one(throttle *t, strike *s)
{
    if (s->prev)
        s->prev->next = s->next;
    else
        t->head = s->next;
    if (s->next)
        s->next->prev = s->prev;
    else
        t->tail = s->prev;
    s->prev = s->next = NULL;
}

static void drop(throttle *t, strike *s)
{
    map_remove(t->by_key, s->key);
    unlink_one(t, s);
    free(s);
}

/* Time since a strike; a clock set back counts as none passed. */
static uint64_t since(uint64_t now, uint64_t then)
{
    return now > then ? now - then : 0;
}

static void expire(const throttle *t, strike *s, uint64_t now)
{
    while (s->n && since(now, s->times[s->first]) >= t->window) {
        s->first = (s->first + 1) % s->cap;
        s->n--;
    }
}

/* Forget keys with nothing left in the window, least recently touched first,
 * up to the first that still counts. */
static void sweep(throttle *t, uint64_t now)
{
    while (t->head) {
        expire(t, t->head, now);
        if (t->head->n)
            return;
        drop(t, t->head);
    }
}

static strike *get(throttle *t, const char *what, int create)
{
    char key[33];
    if (!t->limit)
        return NULL;
    strike_key(key, what ? what : "");
    strike *s = map_get(t->by_key, key);
    if (s || !create)
        return s;
    if (map_count(t->by_key) >= THROTTLE_KEYS_MAX)
        drop(t, t->head);
    s = calloc(1, sizeof(*s) + t->limit * sizeof(s->times[0]));
    if (!s)
        return NULL;
    memcpy(s->key, key, sizeof(key));
    s->cap = t->limit;
    if (map_set(t->by_key, key, s) < 0) {
        free(s);
        return NULL;
    }
    link_last(t, s);
    return s;
}

int throttle_new(throttle **out, unsigned limit, uint64_t window_ms, const char *label,
                 int log_key)
{
    *out = NULL;
    if (sodium_init() < 0)
        return KENES_ENOMEM;
    throttle *t = calloc(1, sizeof(*t));
    if (!t || map_new(&t->by_key) < 0) {
        free(t);
        return KENES_ENOMEM;
    }
    t->limit = limit;
    t->window = window_ms;
    t->label = label;
    t->log_key = log_key;
    *out = t;
    return 0;
}

void throttle_free(throttle *t)
{
    if (!t)
        return;
    while (t->head)
        drop(t, t->head);
    map_free(t->by_key);
    free(t);
}

void throttle_record(throttle *t, const char *key, uint64_t now)
{
    strike *s = get(t, key, 1);
    if (!s)
        return;
    expire(t, s, now);
    if (s->n < s->cap) {
        s->times[(s->first + s->n++) % s->cap] = now;
        if (s->n == s->cap)
            log_warn("auth", "%u failed logins %s%s within %u s: further logins wait", s->cap,
                     t->label, t->log_key ? key : "", (unsigned)((t->window + 999) / 1000));
    } else {
        s->times[s->first] = now;
        s->first = (s->first + 1) % s->cap;
    }
    unlink_one(t, s);
    link_last(t, s);
}

int throttle_over(throttle *t, const char *key, uint64_t now, uint64_t *wait_ms)
{
    sweep(t, now);
    strike *s = get(t, key, 0);
    if (!s)
        return 0;
    expire(t, s, now);
    if (s->n < t->limit)
        return 0;
    *wait_ms = t->window - since(now, s->times[s->first]); /* until the oldest leaves the window */
    return 1;
}
