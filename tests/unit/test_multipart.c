/* multipart/form-data (core/web/multipart.c): the boundary from the
 * header, a browser's body parsed, and every malformed body refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "kenes/plugin.h"
#include "web/multipart.h"

#define B "----WebKitFormBoundaryx7T3k"

static void boundaries(void **state)
{
    (void)state;
    char b[MULTIPART_BOUNDARY_MAX + 1];
    assert_int_equal(multipart_boundary(b, "multipart/form-data; boundary=" B), 0);
    assert_string_equal(b, B);
    assert_int_equal(multipart_boundary(b, "Multipart/Form-Data;boundary=\"a b'c\""), 0);
    assert_string_equal(b, "a b'c");
    assert_int_equal(multipart_boundary(b, "multipart/form-data; charset=utf-8; boundary=x"), 0);
    assert_string_equal(b, "x");
    const char *bad[] = {NULL, "", "application/x-www-form-urlencoded",
                         "multipart/form-data", "multipart/form-data; boundary=",
                         "multipart/form-data; boundary=\"\"", "multipart/form-data; boundary=\"x",
                         "multipart/form-data; boundary=a; boundary=b",
                         "multipart/form-data; boundary=a<b", "multipart/form-data; boundary=\"a \"",
                         "multipart/form-data; boundary=1234567890123456789012345678901234567890123456789012345678901234567890X",
                         "multipart/form-data junk; boundary=a", "multipart/mixed; boundary=a"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
        assert_int_equal(multipart_boundary(b, bad[i]), KENES_EINVAL);
}

static const char good[] =
    "--" B "\r\n"
    "Content-Disposition: form-data; name=\"csrf\"\r\n\r\n"
    "tok123\r\n"
    "--" B "\r\n"
    "Content-Disposition: form-data; name=\"file\"; filename=\"Скан №1.pdf\"\r\n"
    "Content-Type: application/pdf\r\n\r\n"
    "%PDF-1.4 --" B "-- not the end\r\n%%EOF\r\n"
    "--" B "--\r\n";

static void a_browser_body(void **state)
{
    (void)state;
    mp_part parts[4];
    size_t n;
    assert_int_equal(multipart_parse(parts, 4, &n, good, sizeof(good) - 1, B), 0);
    assert_int_equal(n, 2);
    assert_string_equal(parts[0].name, "csrf");
    assert_false(parts[0].has_filename);
    assert_int_equal(parts[0].len, 6);
    assert_memory_equal(parts[0].data, "tok123", 6);
    const mp_part *f = multipart_find(parts, n, "file");
    assert_non_null(f);
    assert_true(f->has_filename);
    assert_string_equal(f->filename, "Скан №1.pdf");
    assert_string_equal(f->content_type, "application/pdf");
    /* the data holds the boundary but not after a CRLF, and ends before the CRLF */
    const char *want = "%PDF-1.4 --" B "-- not the end\r\n%%EOF";
    assert_int_equal(f->len, strlen(want));
    assert_memory_equal(f->data, want, f->len);
    assert_null(multipart_find(parts, n, "version"));
    /* no CRLF after the closing boundary is fine too; binary data with NULs */
    static const char bin[] = "--x\r\nContent-Disposition: form-data; name=\"f\"; filename=\"\"\r\n"
                              "\r\n\0\xff\0\r\n--x--";
    assert_int_equal(multipart_parse(parts, 4, &n, bin, sizeof(bin) - 1, "x"), 0);
    assert_int_equal(n, 1);
    assert_int_equal(parts[0].len, 3);
    assert_true(parts[0].has_filename);
    assert_string_equal(parts[0].filename, "");
}

static void refused(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "preamble\r\n--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--x--",
        "--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--x",       /* no close */
        "--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1",               /* no end */
        "--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--x--junk", /* epilogue */
        "--x\r\n\r\n1\r\n--x--",                                                    /* no headers */
        "--x\r\nContent-Type: text/plain\r\n\r\n1\r\n--x--",                        /* no disposition */
        "--x\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\n1\r\n--x--",
        "--x\r\nContent-Disposition: form-data\r\n\r\n1\r\n--x--",                  /* no name */
        "--x\r\nContent-Disposition: form-data; name=\"\"\r\n\r\n1\r\n--x--",
        "--x\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--x--",          /* unquoted */
        "--x\r\nContent-Disposition: form-data; name=\"a\r\n\r\n1\r\n--x--",        /* open quote */
        "--x\r\nContent-Disposition: form-data; name=\"a\"; name=\"b\"\r\n\r\n1\r\n--x--",
        "--x\r\nContent-Disposition: form-data; name=\"a\"; filename*=\"UTF-8''x\"\r\n\r\n1\r\n--x--",
        "--x\r\nContent-Disposition: form-data; name=\"a\"\r\nContent-Disposition: form-data; "
        "name=\"b\"\r\n\r\n1\r\n--x--",
        "--x\r\nContent-Disposition: form-data; name=\"a\"\r\nno colon\r\n\r\n1\r\n--x--",
        "--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--x\r\n"
        "Content-Disposition: form-data; name=\"a\"\r\n\r\n2\r\n--x--",             /* twice */
        "--x\nContent-Disposition: form-data; name=\"a\"\n\n1\n--x--",              /* bare LF */
        "--x--",                                                                    /* no part */
        /* the delimiter inside a part's data (RFC 2046: it must not be there) */
        "--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--xy\r\n--x--",
    };
    mp_part parts[4];
    size_t n;
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        int rc = multipart_parse(parts, 4, &n, bad[i], strlen(bad[i]), "x");
        if (rc != KENES_EINVAL)
            fail_msg("body %zu: %d", i, rc);
    }
    assert_int_equal(multipart_parse(parts, 4, &n, good, sizeof(good) - 1, "other"), KENES_EINVAL);
    assert_int_equal(multipart_parse(parts, 1, &n, good, sizeof(good) - 1, B), KENES_ETOOBIG);
    assert_int_equal(multipart_parse(parts, 4, &n, NULL, 0, "x"), KENES_EINVAL);
    assert_int_equal(multipart_parse(parts, 4, &n, good, sizeof(good) - 1, ""), KENES_EINVAL);
    /* a file name longer than a part keeps */
    char big[MULTIPART_FILENAME_MAX + 200];
    int len = snprintf(big, sizeof(big),
                       "--x\r\nContent-Disposition: form-data; name=\"f\"; filename=\"%0*d\"\r\n"
                       "\r\n1\r\n--x--",
                       MULTIPART_FILENAME_MAX + 1, 0);
    assert_int_equal(multipart_parse(parts, 4, &n, big, (size_t)len, "x"), KENES_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(boundaries),
        cmocka_unit_test(a_browser_body),
        cmocka_unit_test(refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
