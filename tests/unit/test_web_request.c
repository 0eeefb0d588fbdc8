/*
 * web/request.c: the cookies of a request, and which `next` a sign-in may
 * send a browser on to (a path of this site, never another site however it
 * is disguised).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kenes/plugin.h"
#include "web/call.h"

/* A request with these headers (name, value pairs, NULL-ended). */
static http_request request_with(http_header *h, size_t n)
{
    http_request r;
    memset(&r, 0, sizeof(r));
    r.method = "GET";
    r.headers = h;
    r.nheaders = n;
    return r;
}

static void cookie_found(const http_request *r, const char *name, const char *want)
{
    char out[64] = "untouched";
    int found = web_cookie(r, name, out, sizeof(out));
    if (!want) {
        if (found)
            fail_msg("%s found: \"%s\"", name, out);
        return;
    }
    if (found != 1)
        fail_msg("%s not found", name);
    assert_string_equal(out, want);
}

static void cookies_by_name(void **state)
{
    (void)state;
    http_header h[] = {
        {"Accept", "text/html"},
        {"Cookie", "kenes_lang=kk; xkenes_session=no; kenes_session_old=no; kenes_session=tok-1"},
    };
    http_request r = request_with(h, 2);
    cookie_found(&r, "kenes_session", "tok-1");
    cookie_found(&r, "kenes_lang", "kk");
    cookie_found(&r, "kenes_csrf", NULL);
    cookie_found(&r, "kenes", NULL);     /* a prefix of a name is not the name */
    cookie_found(&r, "session", NULL);   /* nor its tail */
    cookie_found(&r, "xkenes_session", "no");
}

static void cookies_as_browsers_send_them(void **state)
{
    (void)state;
    /* No spaces, a second Cookie header, another case for the header's name. */
    http_header h[] = {
        {"cookie", "a=1;b=2"},
        {"COOKIE", "  kenes_csrf=pre ;c=3"},
    };
    http_request r = request_with(h, 2);
    cookie_found(&r, "a", "1");
    cookie_found(&r, "b", "2");
    cookie_found(&r, "c", "3");
    cookie_found(&r, "kenes_csrf", "pre ");
    /* An empty value is a value. */
    http_header e[] = {{"Cookie", "kenes_session=; kenes_lang=ru"}};
    r = request_with(e, 1);
    cookie_found(&r, "kenes_session", "");
    cookie_found(&r, "kenes_lang", "ru");
    /* No Cookie header at all, a header of only separators. */
    r = request_with(NULL, 0);
    cookie_found(&r, "kenes_session", NULL);
    http_header s[] = {{"Cookie", " ; ;; "}};
    r = request_with(s, 1);
    cookie_found(&r, "kenes_session", NULL);
}

static void a_cookie_too_long_for_the_buffer_is_not_found(void **state)
{
    (void)state;
    char value[200];
    memset(value, 'x', sizeof(value));
    memcpy(value, "kenes_session=", 14);
    value[sizeof(value) - 1] = '\0';
    http_header h[] = {{"Cookie", value}};
    http_request r = request_with(h, 1);
    char out[64];
    assert_int_equal(web_cookie(&r, "kenes_session", out, sizeof(out)), 0);
    char big[256];
    assert_int_equal(web_cookie(&r, "kenes_session", big, sizeof(big)), 1);
    assert_int_equal(strlen(big), sizeof(value) - 1 - 14);
}

static void next_is_a_path_of_this_site(void **state)
{
    (void)state;
    static const char *const ok[] = {
        "/",
        "/ui/inbox",
        "/ui/list?type=regional-plan&page=2",
        "/ui/d/plan/KZ-11/2026/history",
        "/ui/d/case%2FKZ-11%2Fx",
        "/reports/national",
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        if (!web_next_safe(ok[i]))
            fail_msg("refused %s", ok[i]);
    static const char *const bad[] = {
        "//evil.com",            /* scheme-relative: another host */
        "//evil.com/ui/inbox",
        "/\\evil.com",           /* browsers read \ as / */
        "/ui\\..\\\\evil.com",
        "http://x",
        "https://evil.com/",
        "javascript:alert(1)",
        "evil.com",
        "ui/inbox",
        "",
        " /ui/inbox",
        "/ui/inbox\r\nSet-Cookie: x=1", /* a header of its own */
        "/ui/inbox\nx",
        "/\t/evil.com",          /* URL parsers drop tabs and newlines: "//evil.com" */
        "/\n/evil.com",
        "/\x01/evil.com",
        "/ui/\x7f",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (web_next_safe(bad[i]))
            fail_msg("accepted \"%s\"", bad[i]);
    assert_false(web_next_safe(NULL));
}

static void escaped_for_a_query_value(void **state)
{
    (void)state;
    util_buf b;
    util_buf_init(&b);
    web_url_escape(&b, "/ui/list?type=a b&x=Ә");
    assert_string_equal(b.data, "/ui/list%3Ftype%3Da%20b%26x%3D%D3%98");
    util_buf_dispose(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cookies_by_name),
        cmocka_unit_test(cookies_as_browsers_send_them),
        cmocka_unit_test(a_cookie_too_long_for_the_buffer_is_not_found),
        cmocka_unit_test(next_is_a_path_of_this_site),
        cmocka_unit_test(escaped_for_a_query_value),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
