/* When a mirror is pushed to (storage/mirror_plan.h), driven step by step
 * with a clock of the test's own: no thread, no git, no sleep.  One push
 * in flight, commits made meanwhile coalesced into the next push, backoff
 * from 1 s doubling to 5 minutes, the log told once per change of state,
 * a diverged mirror only looked at again, and the lag counted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "storage/mirror_plan.h"

/* The start pushes at once; commits made while it runs wait for it. */
static void one_push_in_flight_and_coalescing(void **state)
{
    (void)state;
    mirror_plan p;
    int64_t now = 1000;
    mirror_plan_init(&p);
    assert_true(mirror_plan_due(&p, now));
    mirror_plan_start(&p);
    assert_int_equal(mirror_plan_wait(&p, now), -1);
    /* Three batches while the push runs: no second push starts. */
    for (int i = 0; i < 3; i++) {
        mirror_plan_commits(&p, 2, 5000 + i);
        assert_false(mirror_plan_due(&p, now + i));
    }
    assert_int_equal(p.behind, 6);
    assert_int_equal(mirror_plan_done(&p, MIRROR_PUSHED, 0, 0, now + 10), MIRROR_NEWS_NONE);
    /* They went with nothing yet: one push takes all three, then none is due. */
    assert_int_equal(p.behind, 6);
    assert_int_equal(p.oldest_ms, 5000);
    assert_string_equal(mirror_plan_word(&p), "behind");
    assert_true(mirror_plan_due(&p, now + 10));
    mirror_plan_start(&p);
    assert_int_equal(mirror_plan_done(&p, MIRROR_PUSHED, 6, 5000, now + 20), MIRROR_NEWS_NONE);
    assert_int_equal(p.behind, 0);
    assert_int_equal(p.oldest_ms, 0);
    assert_string_equal(mirror_plan_word(&p), "ok");
    assert_false(mirror_plan_due(&p, now + 1000000));
    assert_int_equal(mirror_plan_wait(&p, now + 1000000), -1);
}

/* With an interval, a push that succeeded is followed by the next no
 * sooner than interval_ms later, however many commits come meanwhile; a
 * failure still waits its backoff, not the interval. */
static void interval_between_pushes(void **state)
{
    (void)state;
    mirror_plan p;
    mirror_plan_init(&p);
    p.interval_ms = 30000;
    assert_true(mirror_plan_due(&p, 0)); /* the start pushes at once */
    mirror_plan_start(&p);
    assert_int_equal(mirror_plan_done(&p, MIRROR_PUSHED, 0, 0, 1000), MIRROR_NEWS_NONE);
    for (int64_t t = 2000; t < 31000; t += 1000) {
        mirror_plan_commits(&p, 1, t);
        assert_false(mirror_plan_due(&p, t));
        assert_int_equal(mirror_plan_wait(&p, t), 31000 - t);
    }
    assert_int_equal(p.behind, 29);
    assert_true(mirror_plan_due(&p, 31000));
    mirror_plan_start(&p);
    assert_int_equal(mirror_plan_done(&p, MIRROR_FAILED, 29, 2000, 32000), MIRROR_NEWS_FAILING);
    assert_int_equal(mirror_plan_wait(&p, 32000), MIRROR_BACKOFF_MIN_MS);
    mirror_plan_start(&p);
    assert_int_equal(mirror_plan_done(&p, MIRROR_PUSHED, 29, 2000, 33000),
                     MIRROR_NEWS_CAUGHT_UP);
    assert_int_equal(p.behind, 0);
    mirror_plan_commits(&p, 1, 33500);
    assert_int_equal(mirror_plan_wait(&p, 33500), 29500);
}

/* Failures wait 1, 2, 4 ... s, never more than 5 minutes; the log hears of
 * the first failure and of the catch-up only. */
static void backoff_doubles_to_five_minutes(void **state)
{
    (void)state;
    mirror_plan p;
    int64_t now = 0;
    mirror_plan_init(&p);
    mirror_plan_commits(&p, 1, 77);
    int64_t want = MIRROR_BACKOFF_MIN_MS;
    size_t steps = 0;
    for (int i = 0; i < 20; i++) {
        assert_true(mirror_plan_due(&p, now));
        mirror_plan_start(&p);
        enum mirror_news n = mirror_plan_done(&p, MIRROR_FAILED, 1, 77, now);
        assert_int_equal(n, i == 0 ? MIRROR_NEWS_FAILING : MIRROR_NEWS_NONE);
        assert_int_equal(mirror_plan_wait(&p, now), want);
        assert_false(mirror_plan_due(&p, now + want - 1));
        now += want;
        steps++;
        want = want * 2 > MIRROR_BACKOFF_MAX_MS ? MIRROR_BACKOFF_MAX_MS : want * 2;
    }
    assert_int_equal(p.failures, steps);
    assert_int_equal(mirror_plan_wait(&p, now - MIRROR_BACKOFF_MAX_MS), MIRROR_BACKOFF_MAX_MS);
    assert_string_equal(mirror_plan_word(&p), "failing");
    /* Commits made while failing do not hurry the next try. */
    mirror_plan_commits(&p, 4, 99);
    assert_false(mirror_plan_due(&p, now - 1));
    assert_int_equal(p.behind, 5);
    assert_int_equal(p.oldest_ms, 77);
    mirror_plan_start(&p);
    assert_int_equal(mirror_plan_done(&p, MIRROR_PUSHED, 5, 77, now), MIRROR_NEWS_CAUGHT_UP);
    assert_int_equal(p.failures, 0);
    assert_int_equal(p.behind, 0);
    /* The next failure waits the minimum again, and is news again. */
    mirror_plan_commits(&p, 1, 100);
    mirror_plan_start(&p);
    assert_int_equal(mirror_plan_done(&p, MIRROR_FAILED, 1, 100, now), MIRROR_NEWS_FAILING);
    assert_int_equal(mirror_plan_wait(&p, now), MIRROR_BACKOFF_MIN_MS);
}

/* The lag a failed push measured, plus what was made while it ran. */
static void lag_while_failing(void **state)
{
    (void)state;
    mirror_plan p;
    mirror_plan_init(&p);
    mirror_plan_start(&p);
    mirror_plan_commits(&p, 2, 500); /* during the start's push */
    /* The remote lacked 10 commits (the oldest at 100) before these two. */
    mirror_plan_done(&p, MIRROR_FAILED, 10, 100, 0);
    assert_int_equal(p.behind, 12);
    assert_int_equal(p.oldest_ms, 100);
    /* Unreadable remote: the count so far stays, and grows. */
    mirror_plan_start(&p);
    mirror_plan_commits(&p, 3, 600);
    mirror_plan_done(&p, MIRROR_FAILED, -1, 0, MIRROR_BACKOFF_MIN_MS);
    assert_int_equal(p.behind, 15);
    assert_int_equal(p.oldest_ms, 100);
    /* A push that succeeds while one more batch arrives leaves that batch. */
    mirror_plan_start(&p);
    mirror_plan_commits(&p, 1, 700);
    assert_int_equal(mirror_plan_done(&p, MIRROR_PUSHED, 15, 100, 10000), MIRROR_NEWS_CAUGHT_UP);
    assert_int_equal(p.behind, 1);
    assert_int_equal(p.oldest_ms, 700);
    assert_true(mirror_plan_due(&p, 10000));
}

/* Diverged: said once, never pushed on a commit, looked at again every
 * five minutes; fixed, it is news. */
static void diverged_is_left_alone(void **state)
{
    (void)state;
    mirror_plan p;
    int64_t now = 0;
    mirror_plan_init(&p);
    mirror_plan_start(&p);
    assert_int_equal(mirror_plan_done(&p, MIRROR_FOUND_DIVERGED, 3, 50, now),
                     MIRROR_NEWS_DIVERGED);
    assert_string_equal(mirror_plan_word(&p), "diverged");
    for (int i = 0; i < 5; i++) {
        mirror_plan_commits(&p, 1, 60 + i);
        assert_false(mirror_plan_due(&p, now + MIRROR_BACKOFF_MAX_MS - 1));
    }
    assert_int_equal(p.behind, 8);
    assert_int_equal(mirror_plan_wait(&p, now), MIRROR_BACKOFF_MAX_MS);
    now += MIRROR_BACKOFF_MAX_MS;
    assert_true(mirror_plan_due(&p, now));
    mirror_plan_start(&p);
    assert_int_equal(mirror_plan_done(&p, MIRROR_FOUND_DIVERGED, 8, 50, now), MIRROR_NEWS_NONE);
    /* Looked at again with nothing pending: still due on its own schedule. */
    now += MIRROR_BACKOFF_MAX_MS;
    assert_true(mirror_plan_due(&p, now));
    mirror_plan_start(&p);
    assert_int_equal(mirror_plan_done(&p, MIRROR_PUSHED, 8, 50, now), MIRROR_NEWS_CAUGHT_UP);
    assert_string_equal(mirror_plan_word(&p), "ok");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_push_in_flight_and_coalescing),
        cmocka_unit_test(backoff_doubles_to_five_minutes),
        cmocka_unit_test(interval_between_pushes),
        cmocka_unit_test(lag_while_failing),
        cmocka_unit_test(diverged_is_left_alone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
