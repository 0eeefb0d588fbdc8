/* The cache of public pages, and the one way a page not kept is made: on
 * libuv's thread pool, while the loop goes on.  That the loop answers
 * everyone else during a long render is shown by an order of events, never
 * by a time: the render waits until the loop has turned, which it can only
 * do off the loop. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <uv.h>

#include "kenes/plugin.h"
#include "publish/pages.h"
#include "publish/render.h"

/* What one page_cache_make saw, in the order it happened. */
typedef struct made {
    uv_thread_t loop_thread;
    uv_sem_t loop_turned; /* posted by a timer on the loop */
    const char *md;       /* what make renders */
    int on_loop;          /* make ran on the loop's thread */
    char events[8];       /* 'T' the timer, 'D' done, in order */
    int status;
    size_t rows; /* "<tr>" in what done got */
    size_t len;
} made;

static void event(made *m, char e)
{
    size_t n = strlen(m->events);
    assert_true(n + 1 < sizeof(m->events));
    m->events[n] = e;
}

static void on_timer(uv_timer_t *t)
{
    made *m = t->data;
    event(m, 'T');
    uv_sem_post(&m->loop_turned);
    uv_close((uv_handle_t *)t, NULL);
}

/* The real render, after the loop has turned.  On the loop's own thread it
 * must not wait (the loop could never turn): it says so, and the test fails. */
static int render_after_a_turn(char **out, size_t *len, void *payload)
{
    made *m = payload;
    uv_thread_t self = uv_thread_self();
    m->on_loop = uv_thread_equal(&self, &m->loop_thread);
    if (!m->on_loop)
        uv_sem_wait(&m->loop_turned);
    return render_markdown(out, len, m->md, strlen(m->md));
}

static void on_made(int status, const char *data, size_t len, void *payload)
{
    made *m = payload;
    event(m, 'D');
    m->status = status;
    m->len = len;
    for (const char *p = data; p && (p = strstr(p, "<tr>")) != NULL; p += 4)
        m->rows++;
}

/* A table like the e2e test's long plan: 20 columns, a head and 6,000 rows. */
static char *long_table(void)
{
    const char *head = "|h|h|h|h|h|h|h|h|h|h|h|h|h|h|h|h|h|h|h|h|\n"
                       "|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|\n";
    const char *row = "|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|\n";
    size_t hl = strlen(head), rl = strlen(row);
    char *md = malloc(hl + 6000 * rl + 1);
    assert_non_null(md);
    memcpy(md, head, hl);
    for (size_t i = 0; i < 6000; i++)
        memcpy(md + hl + i * rl, row, rl);
    md[hl + 6000 * rl] = '\0';
    return md;
}

static void hash_of(unsigned char hash[PAGE_HASH_BYTES], const char *text)
{
    crypto_generichash(hash, PAGE_HASH_BYTES, (const unsigned char *)text, strlen(text), NULL, 0);
}

/* A loop and an empty cache for each test. */
typedef struct fixture {
    uv_loop_t loop;
    page_cache *c;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    assert_int_equal(uv_loop_init(&f->loop), 0);
    assert_int_equal(page_cache_new(&f->c), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    page_cache_free(f->c);
    assert_int_equal(uv_loop_close(&f->loop), 0);
    free(f);
    return 0;
}

/* Make key's page from md on loop, with a timer due at once: the events in m. */
static void make_page(made *m, uv_loop_t *loop, page_cache *c, const char *key, const char *md)
{
    unsigned char hash[PAGE_HASH_BYTES];
    uv_timer_t timer;
    hash_of(hash, md);
    m->loop_thread = uv_thread_self();
    m->md = md;
    assert_int_equal(uv_sem_init(&m->loop_turned, 0), 0);
    assert_int_equal(uv_timer_init(loop, &timer), 0);
    timer.data = m;
    assert_int_equal(uv_timer_start(&timer, on_timer, 0, 0), 0);
    assert_int_equal(page_cache_make(c, loop, key, hash, render_after_a_turn, on_made, m), 0);
    /* Not answered before the loop runs: a render done in the call would be. */
    assert_string_equal(m->events, "");
    assert_int_equal(uv_run(loop, UV_RUN_DEFAULT), 0);
    uv_sem_destroy(&m->loop_turned);
}

/* The loop turns (its timer fires) while the long table is still being
 * rendered, and the answer comes after: the render ran off the loop. */
static void a_long_page_renders_off_the_loop(void **state)
{
    fixture *f = *state;
    char *md = long_table();
    made m = {0};
    make_page(&m, &f->loop, f->c, "public:plan/KZ-47/2026", md);
    assert_false(m.on_loop);
    assert_string_equal(m.events, "TD");
    assert_int_equal(m.status, 0);
    assert_int_equal(m.rows, 6001); /* the head and every row */

    /* Kept: the same input is answered from the cache, another is not. */
    unsigned char hash[PAGE_HASH_BYTES];
    const char *data;
    size_t len;
    hash_of(hash, md);
    assert_int_equal(page_cache_find(f->c, "public:plan/KZ-47/2026", hash, &data, &len), 1);
    assert_int_equal(len, m.len);
    hash_of(hash, "another text");
    assert_int_equal(page_cache_find(f->c, "public:plan/KZ-47/2026", hash, &data, &len), 0);
    free(md);
}

/* A page that cannot be made is answered with the code, and the result kept
 * before stays the key's. */
static void a_failed_page_keeps_nothing(void **state)
{
    fixture *f = *state;
    unsigned char old[PAGE_HASH_BYTES], bad[PAGE_HASH_BYTES];
    const char *data;
    size_t len;
    hash_of(old, "# old");
    char *kept = strdup("<h1>old</h1>");
    assert_non_null(kept);
    assert_int_equal(page_cache_keep(f->c, "report:x.md", old, kept, strlen(kept)), 0);

    made m = {0};
    make_page(&m, &f->loop, f->c, "report:x.md", "\xff not UTF-8");
    assert_false(m.on_loop);
    assert_string_equal(m.events, "TD");
    assert_int_equal(m.status, KENES_EINVAL);
    assert_int_equal(m.len, 0);
    hash_of(bad, "\xff not UTF-8");
    assert_int_equal(page_cache_find(f->c, "report:x.md", bad, &data, &len), 0);
    assert_int_equal(page_cache_find(f->c, "report:x.md", old, &data, &len), 1);
    assert_string_equal(data, "<h1>old</h1>");
}

/* Keep key's page of n bytes ('x' each), made from key itself. */
static void keep_page(page_cache *c, const char *key, size_t n)
{
    unsigned char hash[PAGE_HASH_BYTES];
    char *data = malloc(n);
    assert_non_null(data);
    memset(data, 'x', n);
    hash_of(hash, key);
    assert_int_equal(page_cache_keep(c, key, hash, data, n), 0);
}

static int has_page(page_cache *c, const char *key)
{
    unsigned char hash[PAGE_HASH_BYTES];
    const char *data;
    size_t len;
    hash_of(hash, key);
    return page_cache_find(c, key, hash, &data, &len);
}

/* One page per document ever shown would grow without end: past its budget
 * the cache lets the least recently used go, counts each eviction, and never
 * counts for more than the budget. */
static void the_cache_stays_within_its_budget(void **state)
{
    fixture *f = *state;
    size_t pages, bytes, evictions;
    char key[64];
    page_cache_set_budget(f->c, 100 * 1024);
    /* 1,000 bodies of 1 KiB: about 90 fit. */
    for (int i = 0; i < 1000; i++) {
        snprintf(key, sizeof(key), "body:case/KZ-11/%04d", i);
        keep_page(f->c, key, 1024);
        page_cache_stats(f->c, &pages, &bytes, &evictions);
        assert_true(bytes <= 100 * 1024);
    }
    page_cache_stats(f->c, &pages, &bytes, &evictions);
    assert_int_equal(pages + evictions, 1000);
    assert_true(pages > 50 && pages < 100);
    assert_true(has_page(f->c, "body:case/KZ-11/0999"));
    assert_false(has_page(f->c, "body:case/KZ-11/0000"));

    /* Least recently used, not least recently kept: a page read stays. */
    snprintf(key, sizeof(key), "body:case/KZ-11/%04zu", 1000 - pages);
    assert_true(has_page(f->c, key)); /* the oldest kept, now the newest used */
    keep_page(f->c, "body:case/KZ-11/new", 1024);
    assert_true(has_page(f->c, key));
    snprintf(key, sizeof(key), "body:case/KZ-11/%04zu", 1000 - pages + 1);
    assert_false(has_page(f->c, key)); /* the next oldest went instead */
    size_t before = evictions;
    page_cache_stats(f->c, &pages, &bytes, &evictions);
    assert_int_equal(evictions, before + 1);

    /* A new version of a page replaces it: no eviction, the same bytes. */
    size_t bytes_before = bytes;
    unsigned char hash[PAGE_HASH_BYTES];
    char *data = strdup("y");
    assert_non_null(data);
    char *second = malloc(1024);
    assert_non_null(second);
    memset(second, 'z', 1024);
    hash_of(hash, "another text");
    assert_int_equal(page_cache_keep(f->c, "body:case/KZ-11/new", hash, second, 1024), 0);
    page_cache_stats(f->c, NULL, &bytes, &evictions);
    assert_int_equal(bytes, bytes_before);
    assert_int_equal(evictions, before + 1);

    /* A page bigger than the whole budget is kept nowhere, and empties nothing. */
    char *huge = malloc(200 * 1024);
    assert_non_null(huge);
    assert_int_equal(page_cache_keep(f->c, "bundle", hash, huge, 200 * 1024), KENES_ETOOBIG);
    free(huge);
    free(data);
    page_cache_stats(f->c, &pages, NULL, &evictions);
    assert_int_equal(evictions, before + 1);
    assert_true(pages > 50);

    /* A smaller budget applies at once. */
    page_cache_set_budget(f->c, 10 * 1024);
    page_cache_stats(f->c, &pages, &bytes, NULL);
    assert_true(bytes <= 10 * 1024);
    assert_true(pages >= 5 && pages < 10);
    const char *got;
    size_t got_len;
    assert_int_equal(page_cache_find(f->c, "body:case/KZ-11/new", hash, &got, &got_len), 1);
    assert_int_equal(got_len, 1024);
}

int main(void)
{
    render_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_long_page_renders_off_the_loop, setup, teardown),
        cmocka_unit_test_setup_teardown(a_failed_page_keeps_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(the_cache_stays_within_its_budget, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
