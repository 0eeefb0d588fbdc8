#include "auth/throttle.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "kenes/plugin.h"
#include "base/log.h"
#include "base/lru.h"
#include "base/map.h"

/* Recent failures of one key. */
typedef struct strike {
    lru_node node; /* weighs 1: the list holds THROTTLE_KEYS_MAX at most */
    char key[33];               /* hex(blake2b-128(key)) */
    unsigned cap, n, first;     /* times[] is a ring of cap; n in use from first */
    uint64_t times[];           /* each failure, oldest first */
} strike;

struct throttle {
    map *by_key;
    lru lru; /* the strikes in the order last touched */
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

/* s out of the list: out of the map, and freed. */
static void forget(lru_node *n, void *payload)
{
    throttle *t = payload;
    strike *s = LRU_ENTRY(n, strike, node);
    map_remove(t->by_key, s->key);
    free(s);
}

static void drop(throttle *t, strike *s)
{
    lru_remove(&t->lru, &s->node);
    forget(&s->node, t);
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
    while (t->lru.oldest) {
        strike *s = LRU_ENTRY(t->lru.oldest, strike, node);
        expire(t, s, now);
        if (s->n)
            return;
        drop(t, s);
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
    s = calloc(1, sizeof(*s) + t->limit * sizeof(s->times[0]));
    if (!s)
        return NULL;
    memcpy(s->key, key, sizeof(key));
    s->cap = t->limit;
    if (map_set(t->by_key, key, s) < 0) {
        free(s);
        return NULL;
    }
    lru_insert(&t->lru, &s->node, 1);
    lru_trim(&t->lru, &s->node); /* the least recently touched key goes */
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
    lru_init(&t->lru, THROTTLE_KEYS_MAX, NULL, forget, t);
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
    lru_clear(&t->lru);
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
    lru_touch(&t->lru, &s->node);
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
