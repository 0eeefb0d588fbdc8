#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "base/map.h"

static void set_get_remove_many(void **state)
{
    (void)state;
    map *m;
    assert_int_equal(map_new(&m), 0);
    char key[32];
    for (intptr_t i = 0; i < 5000; i++) {
        snprintf(key, sizeof(key), "plan/KZ-%ld/2026", (long)i);
        assert_int_equal(map_set(m, key, (void *)(i + 1)), 0);
    }
    assert_int_equal(map_count(m), 5000);
    for (intptr_t i = 0; i < 5000; i += 2) {
        snprintf(key, sizeof(key), "plan/KZ-%ld/2026", (long)i);
        assert_ptr_equal(map_remove(m, key), (void *)(i + 1));
    }
    assert_int_equal(map_count(m), 2500);
    for (intptr_t i = 0; i < 5000; i++) {
        snprintf(key, sizeof(key), "plan/KZ-%ld/2026", (long)i);
        assert_ptr_equal(map_get(m, key), i % 2 ? (void *)(i + 1) : NULL);
    }
    /* Re-inserting over tombstones keeps one entry per key. */
    for (intptr_t i = 0; i < 5000; i++) {
        snprintf(key, sizeof(key), "plan/KZ-%ld/2026", (long)i);
        assert_int_equal(map_set(m, key, (void *)7), 0);
    }
    assert_int_equal(map_count(m), 5000);
    size_t seen = 0;
    map_iter it;
    const char *k;
    void *v;
    map_iter_init(&it, m);
    while (map_iter_next(&it, &k, &v)) {
        assert_ptr_equal(v, (void *)7);
        seen++;
    }
    assert_int_equal(seen, 5000);
    map_free(m);
    map_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(set_get_remove_many)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
