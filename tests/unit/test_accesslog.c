#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "audit/accesslog.h"
#include "base/util.h"

static char dir[64], path[128];

static void count_cb(int status, void *payload)
{
    assert_int_equal(status, 0);
    (*(int *)payload)++;
}

static void append_chain_and_query(void **state)
{
    (void)state;
    uv_loop_t loop;
    uv_loop_init(&loop);
    access_log *l;
    char err[256];
    assert_int_equal(alog_open(&l, &loop, path, err, sizeof(err)), 0);
    int done = 0;
    for (int i = 0; i < 30; i++)
        assert_int_equal(alog_append(l, i % 2 ? "aud" : "off11", i % 2 ? "auditor" : "regional-official",
                                     i % 3 ? "case/KZ-11/a" : "case/KZ-11/b", "read", count_cb, &done),
                         0);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(done, 30);
    assert_true(alog_idle(l));
    alog_close(l);

    /* Reopening continues the chain. */
    assert_int_equal(alog_open(&l, &loop, path, err, sizeof(err)), 0);
    assert_int_equal(alog_append(l, "aud", "auditor", "case/KZ-11/b", "read", count_cb, &done), 0);
    uv_run(&loop, UV_RUN_DEFAULT);
    alog_close(l);
    uv_loop_close(&loop);

    size_t lines;
    assert_int_equal(alog_verify_file(path, &lines, err, sizeof(err)), 0);
    assert_int_equal(lines, 31);

    json_t *hits;
    assert_int_equal(alog_query_file(&hits, path, "case/KZ-11/b", "aud", -1, -1, 1000), 0);
    /* i in {3, 9, 15, 21, 27} plus the one after reopening */
    assert_int_equal(json_array_size(hits), 6);
    json_decref(hits);
    assert_int_equal(alog_query_file(&hits, path, NULL, NULL, -1, -1, 4), 0);
    assert_int_equal(json_array_size(hits), 4);
    json_decref(hits);
}

static void tampering_is_found(void **state)
{
    (void)state;
    char *text;
    size_t len;
    assert_int_equal(util_read_file(&text, &len, path), 0);
    /* Change one user name on line 5. */
    char *p = text;
    for (int i = 0; i < 4; i++)
        p = strchr(p, '\n') + 1;
    char *u = strstr(p, "\"user\":\"");
    assert_non_null(u);
    u[8] = u[8] == 'a' ? 'b' : 'a';
    assert_int_equal(util_write_file_atomic(path, text, len, 0600), 0);
    size_t lines;
    char err[256];
    assert_int_equal(alog_verify_file(path, &lines, err, sizeof(err)), 6);
    assert_non_null(strstr(err, "line 6"));
    /* Dropping a line breaks the chain too. */
    char *five = p, *six = strchr(p, '\n') + 1;
    memmove(five, six, strlen(six) + 1);
    assert_int_equal(util_write_file_atomic(path, text, strlen(text), 0600), 0);
    assert_int_equal(alog_verify_file(path, &lines, err, sizeof(err)), 5);
    free(text);
}

/* Counts the callbacks by outcome: [0] written, [1] failed. */
static void outcome_cb(int status, void *payload)
{
    ((int *)payload)[status < 0]++;
}

static void append_n(access_log *l, uv_loop_t *loop, int n, int outcomes[2])
{
    for (int i = 0; i < n; i++)
        assert_int_equal(alog_append(l, "aud", "auditor", "case/KZ-11/c", "read", outcome_cb,
                                     outcomes),
                         0);
    uv_run(loop, UV_RUN_DEFAULT);
}

static off_t file_size(const char *p)
{
    struct stat st;
    assert_int_equal(stat(p, &st), 0);
    return st.st_size;
}

/* The disk refuses a write (here: a file size limit, as a full disk would):
 * the reads fail, the file keeps no part of their lines, and the lines after
 * it chain from the last line on disk, so the log still verifies. */
static void a_failed_write_leaves_the_chain_whole(void **state)
{
    (void)state;
    char p2[160], err[256];
    snprintf(p2, sizeof(p2), "%s/refused.log", dir);
    uv_loop_t loop;
    uv_loop_init(&loop);
    access_log *l;
    assert_int_equal(alog_open(&l, &loop, p2, err, sizeof(err)), 0);
    int outcomes[2] = {0, 0};
    append_n(l, &loop, 3, outcomes);
    assert_int_equal(outcomes[0], 3);

    off_t before = file_size(p2);
    struct rlimit old, lim;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    lim = old;
    lim.rlim_cur = (rlim_t)before + 20; /* room for part of one line */
    signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    append_n(l, &loop, 4, outcomes);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    assert_int_equal(outcomes[0], 3);
    assert_int_equal(outcomes[1], 4);
    assert_int_equal(file_size(p2), before);

    append_n(l, &loop, 2, outcomes);
    assert_int_equal(outcomes[0], 5);
    alog_close(l);
    uv_loop_close(&loop);
    size_t lines;
    assert_int_equal(alog_verify_file(p2, &lines, err, sizeof(err)), 0);
    assert_int_equal(lines, 5);
    unlink(p2);
}

/* A line a crash cut short was never answered for: it is dropped at open,
 * and the chain goes on from the line before it. */
static void an_unfinished_last_line_is_dropped(void **state)
{
    (void)state;
    char p3[160], err[256];
    snprintf(p3, sizeof(p3), "%s/cut.log", dir);
    uv_loop_t loop;
    uv_loop_init(&loop);
    access_log *l;
    int outcomes[2] = {0, 0};
    assert_int_equal(alog_open(&l, &loop, p3, err, sizeof(err)), 0);
    append_n(l, &loop, 2, outcomes);
    alog_close(l);
    off_t whole = file_size(p3);
    FILE *f = fopen(p3, "a");
    assert_non_null(f);
    fputs("{\"time\":\"2026-02-07T10:00:00Z\",\"user\":\"a", f);
    fclose(f);

    assert_int_equal(alog_open(&l, &loop, p3, err, sizeof(err)), 0);
    assert_int_equal(file_size(p3), whole);
    append_n(l, &loop, 1, outcomes);
    assert_int_equal(outcomes[0], 3);
    alog_close(l);
    uv_loop_close(&loop);
    size_t lines;
    assert_int_equal(alog_verify_file(p3, &lines, err, sizeof(err)), 0);
    assert_int_equal(lines, 3);
    unlink(p3);
}

/* What the anchor was told last, and whether it refuses. */
typedef struct anchored {
    size_t lines, calls;
    char head[65];
    int refuse;
} anchored;

static int anchor_cb(size_t lines, const char head[65], void *payload)
{
    anchored *a = payload;
    if (a->refuse)
        return -1;
    a->lines = lines;
    a->calls++;
    memcpy(a->head, head, 65);
    return 0;
}

static void remember_last(size_t n, const char hash[65], void *payload)
{
    (void)n;
    memcpy(payload, hash, 65);
}

/* Each durable batch is told to the anchor (the signed checkpoint) with the
 * lines on disk and the last one's hash, before its reads are answered; an
 * anchor that refuses fails the batch and cuts its lines back out. */
static void the_anchor_hears_of_every_durable_batch(void **state)
{
    (void)state;
    char p4[160], err[256], head[65], scanned[65];
    snprintf(p4, sizeof(p4), "%s/anchored.log", dir);
    uv_loop_t loop;
    uv_loop_init(&loop);
    access_log *l;
    anchored a = {0};
    int outcomes[2] = {0, 0};
    assert_int_equal(alog_open(&l, &loop, p4, err, sizeof(err)), 0);
    size_t lines = 99;
    alog_position(l, &lines, head);
    assert_int_equal(lines, 0);
    assert_string_equal(head, ALOG_GENESIS);
    assert_int_equal(alog_set_anchor(l, anchor_cb, &a), 0);
    append_n(l, &loop, 5, outcomes);
    assert_int_equal(outcomes[0], 5);
    assert_int_equal(a.lines, 5);
    assert_true(a.calls >= 1 && a.calls <= 5);
    assert_int_equal(alog_scan_file(p4, &lines, remember_last, scanned, err, sizeof(err)), 0);
    assert_int_equal(lines, 5);
    assert_string_equal(a.head, scanned);

    off_t before = file_size(p4);
    a.refuse = 1;
    append_n(l, &loop, 2, outcomes);
    assert_int_equal(outcomes[1], 2);
    assert_int_equal(file_size(p4), before);
    a.refuse = 0;
    append_n(l, &loop, 1, outcomes);
    assert_int_equal(a.lines, 6);
    alog_close(l);

    /* Reopened, the position is the file's. */
    assert_int_equal(alog_open(&l, &loop, p4, err, sizeof(err)), 0);
    alog_position(l, &lines, head);
    assert_int_equal(lines, 6);
    assert_string_equal(head, a.head);
    alog_close(l);
    uv_loop_close(&loop);
    assert_int_equal(alog_verify_file(p4, &lines, err, sizeof(err)), 0);
    unlink(p4);
}

int main(void)
{
    snprintf(dir, sizeof(dir), "/tmp/kenes-alog-XXXXXX");
    if (!mkdtemp(dir))
        return 1;
    snprintf(path, sizeof(path), "%s/access.log", dir);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(append_chain_and_query),
        cmocka_unit_test(tampering_is_found),
        cmocka_unit_test(a_failed_write_leaves_the_chain_whole),
        cmocka_unit_test(an_unfinished_last_line_is_dropped),
        cmocka_unit_test(the_anchor_hears_of_every_durable_batch),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    unlink(path);
    rmdir(dir);
    return rc;
}
