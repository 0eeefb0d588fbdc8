/* Failures per key in a sliding window: limits, expiry, the cap on keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "auth/throttle.h"

static void limit_and_window(void **state)
{
    (void)state;
    throttle *t;
    uint64_t wait = 0;
    assert_int_equal(throttle_new(&t, 3, 1000, "for one user name", 0), 0);
    throttle_record(t, "off11", 100);
    throttle_record(t, "off11", 200);
    assert_int_equal(throttle_over(t, "off11", 250, &wait), 0);
    throttle_record(t, "off11", 300);
    assert_int_equal(throttle_over(t, "off11", 400, &wait), 1);
    assert_int_equal(wait, 700); /* the failure at 100 leaves the window at 1100 */
    assert_int_equal(throttle_over(t, "off15", 400, &wait), 0); /* keys are apart */
    assert_int_equal(throttle_over(t, "off11", 1100, &wait), 0);
    throttle_record(t, "off11", 1150); /* with 200 and 300: at the limit again */
    assert_int_equal(throttle_over(t, "off11", 1180, &wait), 1);
    assert_int_equal(wait, 20);
    /* One more while held: the oldest (200) gives way to it, so the wait is
     * the next oldest's (300). */
    throttle_record(t, "off11", 1190);
    assert_int_equal(throttle_over(t, "off11", 1190, &wait), 1);
    assert_int_equal(wait, 110);
    throttle_free(t);
}

static void limit_zero_never_holds(void **state)
{
    (void)state;
    throttle *t;
    uint64_t wait = 0;
    assert_int_equal(throttle_new(&t, 0, 1000, "from ", 1), 0);
    for (int i = 0; i < 50; i++)
        throttle_record(t, "127.0.0.1", (uint64_t)i);
    assert_int_equal(throttle_over(t, "127.0.0.1", 50, &wait), 0);
    throttle_free(t);
}

/* Memory is bounded: past THROTTLE_KEYS_MAX keys the least recently touched
 * is forgotten, not the one being counted. */
static void keys_are_capped(void **state)
{
    (void)state;
    throttle *t;
    uint64_t wait = 0;
    char key[32];
    assert_int_equal(throttle_new(&t, 1, 60000, "from ", 1), 0);
    for (int i = 0; i <= THROTTLE_KEYS_MAX; i++) {
        snprintf(key, sizeof(key), "10.0.%d.%d", i / 256, i % 256);
        throttle_record(t, key, 10);
    }
    assert_int_equal(throttle_over(t, "10.0.0.0", 20, &wait), 0); /* the first: forgotten */
    assert_int_equal(throttle_over(t, "10.0.0.1", 20, &wait), 1);
    snprintf(key, sizeof(key), "10.0.%d.%d", THROTTLE_KEYS_MAX / 256, THROTTLE_KEYS_MAX % 256);
    assert_int_equal(throttle_over(t, key, 20, &wait), 1);
    throttle_free(t);
}

/* A key counted again is the most recently touched: the next key past the
 * bound pushes out the one touched least recently, not it. */
static void touched_key_stays(void **state)
{
    (void)state;
    throttle *t;
    uint64_t wait = 0;
    char key[32];
    assert_int_equal(throttle_new(&t, 1, 60000, "from ", 1), 0);
    for (int i = 0; i < THROTTLE_KEYS_MAX; i++) {
        snprintf(key, sizeof(key), "10.0.%d.%d", i / 256, i % 256);
        throttle_record(t, key, 10);
    }
    throttle_record(t, "10.0.0.0", 11); /* touched: 10.0.0.1 is the least recent now */
    throttle_record(t, "10.1.0.0", 12);
    assert_int_equal(throttle_over(t, "10.0.0.0", 20, &wait), 1);
    assert_int_equal(throttle_over(t, "10.0.0.1", 20, &wait), 0);
    throttle_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(limit_and_window),
        cmocka_unit_test(limit_zero_never_holds),
        cmocka_unit_test(keys_are_capped),
        cmocka_unit_test(touched_key_stays),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
