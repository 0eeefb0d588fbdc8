#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/error.h"
#include "base/log.h"
#include "base/util.h"

static void utf8_accepts_well_formed(void **state)
{
    (void)state;
    const char *ok[] = {"", "plain", "Ақмола облысы", "город Астана", "\xF0\x9F\x98\x80"};
    for (size_t i = 0; i < UTIL_ARRAY_LEN(ok); i++)
        assert_true(util_utf8_valid(ok[i], strlen(ok[i])));
    assert_int_equal(util_utf8_length("Ақмола"), 6);
}

static void utf8_refuses_malformed(void **state)
{
    (void)state;
    const char *bad[] = {"\xff", "\xc0\xae", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
                         "\xc3", "\xe2\x82", "a\x80"};
    for (size_t i = 0; i < UTIL_ARRAY_LEN(bad); i++)
        assert_false(util_utf8_valid(bad[i], strlen(bad[i])));
    assert_false(util_utf8_valid("a\0b", 3));
}

static void buf_grows(void **state)
{
    (void)state;
    util_buf b;
    util_buf_init(&b);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(util_buf_printf(&b, "%d,", i), 0);
    assert_true(strncmp(b.data, "0,1,2,", 6) == 0);
    assert_int_equal(b.data[b.len], '\0');
    size_t len;
    char *p = util_buf_detach(&b, &len);
    assert_int_equal(strlen(p), len);
    assert_null(b.data);
    free(p);
}

static void rfc3339_round_trip(void **state)
{
    (void)state;
    int64_t ms;
    assert_int_equal(util_parse_rfc3339(&ms, "2026-02-07T10:00:00Z"), 0);
    char out[32];
    util_format_rfc3339(out, sizeof(out), ms);
    assert_string_equal(out, "2026-02-07T10:00:00Z");
    int64_t ms2;
    assert_int_equal(util_parse_rfc3339(&ms2, "2026-02-07T15:00:00+05:00"), 0);
    assert_true(ms == ms2);
    assert_true(util_parse_rfc3339(&ms, "2026-02-07") < 0);
    assert_true(util_parse_rfc3339(&ms, "2026-02-07T10:00:00") < 0);
    assert_true(util_parse_rfc3339(&ms, "2026-13-07T10:00:00Z") < 0);
    assert_true(util_parse_rfc3339(&ms, "2026-02-07T25:00:00Z") < 0);
    assert_true(util_parse_rfc3339(&ms, "2026-2-7T10:00:00Z") < 0);
    /* Exactly the grammar: no signs, spaces or short fields, real days. */
    const char *bad[] = {
        "2026-02-07T15:00:00+05:0",   /* a short offset: was read past its end */
        "2026-02-07T15:00:00+05",     "2026-02-07T15:00:00+5:00", "2026-02-07T15:00:00+24:00",
        "2026-02-07T15:00:00+05:60",  " 026-02-07T10:00:00Z",     "+026-02-07T10:00:00Z",
        "-001-02-07T10:00:00Z",       "2026-+2-07T10:00:00Z",     "2026-02- 7T10:00:00Z",
        "2026-02-07T10:00:0-Z",       "2026-02-07 10:00:00Z",     "2026-02-30T10:00:00Z",
        "2026-02-29T10:00:00Z",       "2026-04-31T10:00:00Z",     "2026-02-07T10:00:00.Z",
        "2026-02-07T10:00:00Zjunk",   "2026-02-07T10:60:00Z",     "",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (util_parse_rfc3339(&ms, bad[i]) == 0)
            fail_msg("accepted %s", bad[i]);
    const char *good[] = {"2024-02-29T10:00:00Z", "2026-02-07t10:00:00z",
                          "2026-02-07T10:00:00.123456Z", "2026-02-07T10:00:00-03:30",
                          "0001-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "9999-12-31T23:59:59Z"};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        if (util_parse_rfc3339(&ms, good[i]) != 0)
            fail_msg("refused %s", good[i]);
    /* What format writes, parse reads back, before 1970 and in the year 1 too. */
    assert_int_equal(util_parse_rfc3339(&ms, "0001-01-01T00:00:00Z"), 0);
    util_format_rfc3339(out, sizeof(out), ms);
    assert_string_equal(out, "0001-01-01T00:00:00Z");
    util_format_rfc3339(out, sizeof(out), -1500);
    assert_string_equal(out, "1969-12-31T23:59:58Z");
    setenv("KENES_NOW", "2026-03-01T00:00:00Z", 1);
    assert_int_equal(util_parse_rfc3339(&ms, "2026-03-01T00:00:00Z"), 0);
    assert_true(util_now_ms() == ms);
    unsetenv("KENES_NOW");
    assert_true(util_now_ms() > ms);
}

static void ids(void **state)
{
    (void)state;
    const char *good[] = {"plan/KZ-11/2026", "case/KZ-11/3938fddf-83b6-406d-9fa6-afaf380da50a",
                          "roster/KZ-11/2026-02", "a/b", "x/.hidden"};
    const char *bad[] = {"", "plan", "/plan/KZ-11", "plan/KZ-11/", "plan//2026", "plan/../x",
                         "plan/./x", "plan/KZ 11", "plan/KZ-11/2026\n", "plan\\x/y", "..",
                         "plan/%2e%2e"};
    for (size_t i = 0; i < UTIL_ARRAY_LEN(good); i++)
        assert_true(util_id_valid(good[i]));
    for (size_t i = 0; i < UTIL_ARRAY_LEN(bad); i++)
        assert_false(util_id_valid(bad[i]));
    char longid[300];
    memset(longid, 'a', sizeof(longid) - 1);
    longid[sizeof(longid) - 1] = '\0';
    longid[1] = '/';
    assert_false(util_id_valid(longid));
}

/* A log line cannot be forged (a line break, a carriage return) nor
 * reordered on screen (U+202E and friends); plain text and Cyrillic pass. */
static void log_lines_are_escaped(void **state)
{
    (void)state;
    char out[256];
    log_escape(out, sizeof(out), "GET /api/v1/документы -> 404");
    assert_string_equal(out, "GET /api/v1/документы -> 404");
    log_escape(out, sizeof(out), "a\nfake info line\r\x1b[31m\x7f");
    assert_string_equal(out, "a\\x0Afake info line\\x0D\\x1B[31m\\x7F");
    log_escape(out, sizeof(out), "/x\xe2\x80\xaegpj.exe \xe2\x81\xa6\xe2\x81\xa9 \xe2\x80\x8f"
                                 " \xc2\x85 \xe2\x80\xa8 \xef\xbb\xbf");
    assert_string_equal(out, "/x\\u202Egpj.exe \\u2066\\u2069 \\u200F \\u0085 \\u2028 \\uFEFF");
    /* A backslash is doubled: "\u202E" typed as text is not an escape of ours. */
    log_escape(out, sizeof(out), "\\u202E");
    assert_string_equal(out, "\\\\u202E");
    /* Bytes that are not UTF-8 are escaped one by one. */
    log_escape(out, sizeof(out), "\xff\xe2\x80 \xc0\xaf");
    assert_string_equal(out, "\\xFF\\xE2\\x80 \\xC0\\xAF");
    /* Cut on a whole escape or character, never in the middle of one. */
    log_escape(out, 6, "ab\ncd");
    assert_string_equal(out, "ab");
    log_escape(out, 4, "aЖЖ");
    assert_string_equal(out, "aЖ");
}

/* Positional reads and writes: all of it at its place, and a file that
 * ends first is an error (EIO), never a short answer. */
static void positional_all(void **state)
{
    (void)state;
    char path[] = "/tmp/kenes-util-XXXXXX", buf[8];
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    unlink(path);
    assert_int_equal(util_pwrite_all(fd, "Алматы", 12, 4096), 0);
    assert_int_equal(util_pread_all(fd, buf, 4, 4096 + 2), 0);
    assert_memory_equal(buf, "лм", 4);
    assert_int_equal(util_pread_all(fd, buf, 4, 0), 0); /* the hole reads as zeros */
    assert_memory_equal(buf, "\0\0\0\0", 4);
    errno = 0;
    assert_int_equal(util_pread_all(fd, buf, 8, 4096 + 8), KENES_EIO);
    assert_int_equal(errno, EIO);
    close(fd);
    assert_int_equal(util_pwrite_all(fd, "x", 1, 0), KENES_EIO);
    assert_int_equal(errno, EBADF);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(utf8_accepts_well_formed),
        cmocka_unit_test(utf8_refuses_malformed),
        cmocka_unit_test(buf_grows),
        cmocka_unit_test(rfc3339_round_trip),
        cmocka_unit_test(ids),
        cmocka_unit_test(log_lines_are_escaped),
        cmocka_unit_test(positional_all),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
