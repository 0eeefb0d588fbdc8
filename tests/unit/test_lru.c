/* The list bounded by bytes the caches share (base/lru.h): the least
 * recently used go first, the bytes counted are every entry's, a pinned
 * entry and the one just put in never go, a budget of 0 keeps only what is
 * pinned, and an entry put in again, weighed again or touched moves as it
 * should.  Entries are the test's own, named by a letter; what was dropped
 * is written down in order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "base/lru.h"

typedef struct item {
    char name;
    int pinned;
    lru_node node;
} item;

typedef struct fixture {
    lru l;
    item it[6]; /* 'a'..'f' */
    char dropped[16]; /* names, in the order the drop callback saw them */
} fixture;

static int is_pinned(const lru_node *n, void *payload)
{
    (void)payload;
    return LRU_ENTRY(n, const item, node)->pinned;
}

static void on_drop(lru_node *n, void *payload)
{
    fixture *f = payload;
    item *it = LRU_ENTRY(n, item, node);
    /* Out of the list already. */
    assert_null(n->newer);
    assert_null(n->older);
    assert_true(f->l.newest != n && f->l.oldest != n);
    size_t k = strlen(f->dropped);
    assert_true(k + 1 < sizeof(f->dropped));
    f->dropped[k] = it->name;
}

static fixture *fixture_new(size_t budget)
{
    static fixture f;
    memset(&f, 0, sizeof(f));
    for (int i = 0; i < 6; i++)
        f.it[i].name = (char)('a' + i);
    lru_init(&f.l, budget, is_pinned, on_drop, &f);
    return &f;
}

/* The names from the most recently used to the least, and the list walked
 * back agrees. */
static void assert_order(const lru *l, const char *want)
{
    char got[16] = "", back[16] = "";
    size_t n = 0;
    for (const lru_node *p = l->newest; p; p = p->older)
        got[n++] = LRU_ENTRY(p, const item, node)->name;
    size_t m = n;
    for (const lru_node *p = l->oldest; p; p = p->newer)
        back[--m] = LRU_ENTRY(p, const item, node)->name;
    assert_string_equal(got, want);
    assert_string_equal(back, want);
    assert_int_equal(l->count, strlen(want));
}

static void evicts_least_recently_used(void **state)
{
    (void)state;
    fixture *f = fixture_new(30);
    for (int i = 0; i < 3; i++) {
        lru_insert(&f->l, &f->it[i].node, 10);
        lru_trim(&f->l, &f->it[i].node);
    }
    assert_order(&f->l, "cba");
    assert_int_equal(f->l.bytes, 30);
    assert_string_equal(f->dropped, "");
    lru_touch(&f->l, &f->it[0].node); /* a used: b is the least recently used */
    assert_order(&f->l, "acb");
    lru_insert(&f->l, &f->it[3].node, 10);
    lru_trim(&f->l, &f->it[3].node);
    assert_string_equal(f->dropped, "b");
    assert_order(&f->l, "dac");
    /* One heavy entry pushes out as many as it must, oldest first. */
    lru_insert(&f->l, &f->it[4].node, 25);
    lru_trim(&f->l, &f->it[4].node);
    assert_string_equal(f->dropped, "bcad");
    assert_order(&f->l, "e");
    assert_int_equal(f->l.bytes, 25);
    assert_int_equal(f->l.evicted, 4);
}

static void counts_bytes(void **state)
{
    (void)state;
    fixture *f = fixture_new(1000);
    lru_insert(&f->l, &f->it[0].node, 7);
    lru_insert(&f->l, &f->it[1].node, 11);
    lru_insert(&f->l, &f->it[2].node, 0);
    assert_int_equal(f->l.bytes, 18);
    lru_remove(&f->l, &f->it[1].node);
    assert_int_equal(f->l.bytes, 7);
    assert_order(&f->l, "ca");
    /* Taken out by its owner: not dropped through the callback, not evicted. */
    assert_string_equal(f->dropped, "");
    assert_int_equal(f->l.evicted, 0);
    lru_clear(&f->l);
    assert_string_equal(f->dropped, "ca"); /* most recently used first */
    assert_int_equal(f->l.bytes, 0);
    assert_int_equal(f->l.evicted, 0);
    assert_order(&f->l, "");
    assert_null(f->l.newest);
    assert_null(f->l.oldest);
}

/* Pinned entries stay however far over the budget; the trim goes on past
 * them to the unpinned newer ones, and stops once the bytes fit. */
static void pinned_never_evicted(void **state)
{
    (void)state;
    fixture *f = fixture_new(30);
    for (int i = 0; i < 5; i++)
        lru_insert(&f->l, &f->it[i].node, 10);
    f->it[0].pinned = f->it[2].pinned = 1;
    lru_trim(&f->l, NULL);
    assert_string_equal(f->dropped, "bd"); /* a and c skipped */
    assert_order(&f->l, "eca");
    assert_int_equal(f->l.bytes, 30);
    /* All pinned and over the budget: nothing goes. */
    f->it[4].pinned = 1;
    lru_insert(&f->l, &f->it[5].node, 10);
    lru_trim(&f->l, &f->it[5].node); /* f is kept for its caller */
    assert_string_equal(f->dropped, "bd");
    assert_order(&f->l, "feca");
    assert_int_equal(f->l.bytes, 40);
    /* Unpinned: the next trim brings the bound back. */
    f->it[0].pinned = 0;
    lru_trim(&f->l, NULL);
    assert_string_equal(f->dropped, "bda");
    assert_order(&f->l, "fec");
    assert_int_equal(f->l.evicted, 3);
}

static void budget_zero_keeps_only_pinned(void **state)
{
    (void)state;
    fixture *f = fixture_new(100);
    for (int i = 0; i < 4; i++)
        lru_insert(&f->l, &f->it[i].node, 5);
    f->it[1].pinned = 1;
    lru_set_budget(&f->l, 0);
    assert_string_equal(f->dropped, "acd");
    assert_order(&f->l, "b");
    assert_int_equal(f->l.bytes, 5);
    /* The one just put in stays for its caller, until the next trim. */
    lru_insert(&f->l, &f->it[4].node, 5);
    lru_trim(&f->l, &f->it[4].node);
    assert_order(&f->l, "eb");
    lru_trim(&f->l, NULL);
    assert_order(&f->l, "b");
    f->it[1].pinned = 0;
    lru_trim(&f->l, NULL);
    assert_order(&f->l, "");
    assert_int_equal(f->l.bytes, 0);
    assert_string_equal(f->dropped, "acdeb");
}

/* Put in again: moved to the front, weighed anew, counted once.  Resized:
 * weighed anew where it is.  Touched: moved, weight unchanged.  Removed and
 * put in again: a new entry. */
static void reinsert_resize_touch(void **state)
{
    (void)state;
    fixture *f = fixture_new(100);
    lru_insert(&f->l, &f->it[0].node, 10);
    lru_insert(&f->l, &f->it[1].node, 20);
    lru_insert(&f->l, &f->it[2].node, 30);
    lru_insert(&f->l, &f->it[0].node, 15);
    assert_order(&f->l, "acb");
    assert_int_equal(f->l.bytes, 65);
    lru_insert(&f->l, &f->it[0].node, 5); /* already the newest */
    assert_order(&f->l, "acb");
    assert_int_equal(f->l.bytes, 55);

    lru_resize(&f->l, &f->it[1].node, 60);
    assert_order(&f->l, "acb");
    assert_int_equal(f->l.bytes, 95);
    lru_resize(&f->l, &f->it[1].node, 80); /* over: nothing goes until a trim */
    assert_int_equal(f->l.bytes, 115);
    assert_string_equal(f->dropped, "");
    lru_trim(&f->l, NULL);
    assert_string_equal(f->dropped, "b");
    assert_order(&f->l, "ac");
    assert_int_equal(f->l.bytes, 35);

    lru_touch(&f->l, &f->it[2].node);
    assert_order(&f->l, "ca");
    lru_touch(&f->l, &f->it[2].node);
    assert_order(&f->l, "ca");
    assert_int_equal(f->l.bytes, 35);

    lru_remove(&f->l, &f->it[2].node);
    assert_order(&f->l, "a");
    lru_insert(&f->l, &f->it[2].node, 1);
    assert_order(&f->l, "ca");
    assert_int_equal(f->l.bytes, 6);
    /* The only entry, put in again: still one. */
    lru_remove(&f->l, &f->it[0].node);
    lru_insert(&f->l, &f->it[2].node, 2);
    assert_order(&f->l, "c");
    assert_int_equal(f->l.bytes, 2);
}

/* No pinned callback: nothing is ever pinned. */
static void without_pins(void **state)
{
    (void)state;
    fixture *f = fixture_new(10);
    lru_init(&f->l, 10, NULL, on_drop, f);
    f->it[0].pinned = 1; /* not asked */
    lru_insert(&f->l, &f->it[0].node, 10);
    lru_insert(&f->l, &f->it[1].node, 10);
    lru_trim(&f->l, &f->it[1].node);
    assert_string_equal(f->dropped, "a");
    assert_order(&f->l, "b");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(evicts_least_recently_used),
        cmocka_unit_test(counts_bytes),
        cmocka_unit_test(pinned_never_evicted),
        cmocka_unit_test(budget_zero_keeps_only_pinned),
        cmocka_unit_test(reinsert_resize_touch),
        cmocka_unit_test(without_pins),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
