/* The min-heap behind the deadlines' timer (base/minheap.h): the smallest
 * key first, whatever the order of pushes, after a bulk build too. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "base/minheap.h"

static void empty(void **state)
{
    (void)state;
    minheap h;
    minheap_init(&h);
    assert_null(minheap_peek(&h));
    assert_int_equal(minheap_pop(&h, NULL), 0);
    assert_int_equal(minheap_size(&h), 0);
    minheap_dispose(&h);
}

/* Keys pushed in a scrambled order come out sorted, each with its value. */
static void pushes_pop_in_order(void **state)
{
    (void)state;
    enum { N = 1000 };
    static int64_t vals[N];
    minheap h;
    minheap_init(&h);
    for (int i = 0; i < N; i++) {
        int64_t k = (int64_t)((i * 7919) % N); /* a permutation of 0..N-1 */
        vals[k] = k;
        assert_int_equal(minheap_push(&h, k, &vals[k]), 0);
    }
    assert_int_equal(minheap_size(&h), N);
    for (int64_t want = 0; want < N; want++) {
        const minheap_item *top = minheap_peek(&h);
        assert_non_null(top);
        assert_int_equal(top->key, want);
        minheap_item got;
        assert_int_equal(minheap_pop(&h, &got), 1);
        assert_int_equal(got.key, want);
        assert_ptr_equal(got.value, &vals[want]);
    }
    assert_null(minheap_peek(&h));
    minheap_dispose(&h);
}

/* Appended in bulk and built once (the deadlines at start), duplicates and
 * negative keys among them; then pushes mixed in. */
static void build_then_push(void **state)
{
    (void)state;
    minheap h;
    minheap_init(&h);
    int64_t keys[] = {50, -3, 50, 7, 1000, 0, 7, 42};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        assert_int_equal(minheap_append(&h, keys[i], NULL), 0);
    minheap_build(&h);
    assert_int_equal(minheap_peek(&h)->key, -3);
    assert_int_equal(minheap_push(&h, -10, NULL), 0);
    assert_int_equal(minheap_push(&h, 8, NULL), 0);
    int64_t want[] = {-10, -3, 0, 7, 7, 8, 42, 50, 50, 1000}, prev = INT64_MIN;
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        minheap_item got;
        assert_int_equal(minheap_pop(&h, &got), 1);
        assert_int_equal(got.key, want[i]);
        assert_true(got.key >= prev);
        prev = got.key;
    }
    assert_int_equal(minheap_size(&h), 0);
    /* Cleared, it is empty and usable again. */
    assert_int_equal(minheap_push(&h, 5, NULL), 0);
    minheap_clear(&h);
    assert_null(minheap_peek(&h));
    assert_int_equal(minheap_push(&h, 6, NULL), 0);
    assert_int_equal(minheap_peek(&h)->key, 6);
    minheap_dispose(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(empty),
        cmocka_unit_test(pushes_pop_in_order),
        cmocka_unit_test(build_then_push),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
