/* The publishing layer: Markdown that cannot carry script, hostile input
 * refused by the work budget (a count of steps, never a time: the times are
 * bench/bench_render.c's), escaped titles, the page's CSP hash, zips the real
 * tools accept. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>
#include <unistd.h>
#include <zip.h>

#include "kenes/plugin.h"
#include "publish/render.h"
#include "publish/report_words.h"
#include "base/util.h"
#include "publish/zipbuf.h"
#include "fixture_files.h"
#include "render_inputs.h"

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

#define TEMPLATE KENES_SOURCE_DIR "/content/templates/page.html"
#define WORDS KENES_SOURCE_DIR "/content/reports.yaml"

/* ---- helpers ---- */

static char *render_ok(const char *md)
{
    char *html = NULL;
    size_t len = 0;
    assert_int_equal(render_markdown(&html, &len, md, strlen(md)), 0);
    assert_non_null(html);
    assert_int_equal(strlen(html), len);
    return html;
}

/* strstr, ignoring ASCII case. */
static const char *find_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return hay;
    return NULL;
}

static size_t count(const char *hay, const char *needle)
{
    /* memmem with explicit lengths: ASan's strstr measures the whole
     * haystack on every call, which turns this loop quadratic. */
    size_t n = 0, len = strlen(needle), total = strlen(hay), left = total;
    for (const char *p = hay; (p = memmem(p, left, needle, len)) != NULL; p += len) {
        n++;
        left = total - (size_t)(p - hay) - len;
    }
    return n;
}

/* Every attr="..." in html is attr="": the link or image is there, its URL is not. */
static void assert_all_empty(const char *html, const char *attr, size_t at_least)
{
    char pat[32];
    snprintf(pat, sizeof(pat), " %s=\"", attr);
    size_t n = 0;
    for (const char *p = html; (p = strstr(p, pat)); p += strlen(pat)) {
        if (p[strlen(pat)] != '"')
            fail_msg("%s not empty in: %s", attr, html);
        n++;
    }
    if (n < at_least)
        fail_msg("%zu empty %s, wanted %zu, in: %s", n, attr, at_least, html);
}

/* Temp files, removed after each test even when an assertion failed. */
static char tracked[4][64];
static size_t ntracked;

static int remove_tracked(void **state)
{
    (void)state;
    for (size_t i = 0; i < ntracked; i++)
        unlink(tracked[i]);
    ntracked = 0;
    return 0;
}

static const char *write_temp(const char *data, size_t len, const char *suffix)
{
    assert_true(ntracked < LEN(tracked));
    char *path = tracked[ntracked];
    snprintf(path, sizeof(tracked[0]), "/tmp/kenes-render-XXXXXX%s", suffix);
    int fd = mkstemps(path, (int)strlen(suffix));
    assert_true(fd >= 0);
    ntracked++;
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    assert_int_equal(close(fd), 0);
    return path;
}

/* ---- Markdown: what gets through ---- */

static void test_raw_html_is_omitted(void **state)
{
    (void)state;
    const char *inputs[] = {
        "<script>alert(1)</script>\n",
        "Text <script>alert(1)</script> more.\n",
        "<img src=x onerror=alert(1)>\n",
        "A picture <img src=x onerror=alert(1)> inline.\n",
        "<IMG SRC=x OnError=alert(1)>\n",
        "<svg onload=alert(1)>\n",
        "<iframe src=\"https://example.org\"></iframe>\n",
        "<style>body{display:none}</style>\n",
        "<a href=\"javascript:alert(1)\">x</a>\n",
        "<div>\n<script>alert(1)</script>\n</div>\n",
        "- item <script>alert(1)</script>\n\n> quote <img src=x onerror=alert(1)>\n",
    };
    for (size_t i = 0; i < LEN(inputs); i++) {
        char *html = render_ok(inputs[i]);
        const char *tags[] = {"<script", "<img", "<svg", "<iframe", "<style", "<a ", "<div"};
        for (size_t k = 0; k < LEN(tags); k++)
            if (find_ci(html, tags[k]))
                fail_msg("%s came through in: %s", tags[k], html);
        /* Commented out, not silently lost. */
        assert_non_null(strstr(html, "<!-- raw HTML omitted -->"));
        free(html);
    }
    /* Quoted as code, it is text. */
    char *html = render_ok("`<script>alert(1)</script>`\n");
    assert_non_null(strstr(html, "<code>&lt;script&gt;alert(1)&lt;/script&gt;</code>"));
    free(html);
}

static void test_dangerous_links_are_dropped(void **state)
{
    (void)state;
    const char *inputs[] = {
        "[x](javascript:alert(1))\n",
        "[x](JaVaScRiPt:alert(1))\n",
        "[x](data:text/html,%3Cscript%3Ealert(1)%3C/script%3E)\n",
        "[x](DATA:text/html;base64,PHNjcmlwdD4=)\n",
        "[x](data:image/png;base64,iVBORw0KGgo=)\n", /* cmark keeps this one */
        "<javascript:alert(1)>\n",
        "<JAVASCRIPT:alert(1)>\n",
        "<data:text/html,x>\n",
        "[x](vbscript:msgbox(1))\n",
        "[x](file:///etc/passwd)\n",
        "[x](&#106;avascript:alert(1))\n",
        "[x](javascript&colon;alert(1))\n",
        "[x](<java\tscript:alert(1)>)\n", /* a browser drops the tab */
        "[x](<\x01javascript:alert(1)>)\n",
        "[x][r]\n\n[r]: javascript:alert(1)\n",
        "[x](javascript:alert(1) \"title\")\n",
    };
    for (size_t i = 0; i < LEN(inputs); i++) {
        char *html = render_ok(inputs[i]);
        assert_all_empty(html, "href", 1);
        free(html);
    }
    const char *images[] = {
        "![x](javascript:alert(1))\n",
        "![x](data:text/html,x)\n",
        "![x](data:image/svg+xml,%3Csvg%20onload=alert(1)%3E)\n",
        "![x](FILE:///etc/passwd)\n",
    };
    for (size_t i = 0; i < LEN(images); i++) {
        char *html = render_ok(images[i]);
        assert_all_empty(html, "src", 1);
        free(html);
    }
    /* What stays: ordinary links, and raster data: images (the CSP blocks them). */
    char *html = render_ok("[ok](https://example.org/a?b=1&c=2) [rel](/reports/) "
                           "![png](data:image/png;base64,iVBORw0KGgo=)\n");
    assert_non_null(strstr(html, "href=\"https://example.org/a?b=1&amp;c=2\""));
    assert_non_null(strstr(html, "href=\"/reports/\""));
    assert_non_null(strstr(html, "src=\"data:image/png;base64,iVBORw0KGgo=\""));
    free(html);
}

static void test_invalid_utf8_is_refused(void **state)
{
    (void)state;
    const char *bad[] = {"\xff", "abc \xc3", "\xc0\xaf", "\xed\xa0\x80", "# Заголовок \xd0\n"};
    for (size_t i = 0; i < LEN(bad); i++) {
        char *html = (char *)1;
        size_t len = 99;
        assert_int_equal(render_markdown(&html, &len, bad[i], strlen(bad[i])), KENES_EINVAL);
        assert_null(html);
        assert_int_equal(len, 0);
    }
    char *html;
    size_t len;
    assert_int_equal(render_markdown(&html, &len, "a\0b", 3), KENES_EINVAL);
    assert_null(html);
    assert_int_equal(render_markdown(&html, &len, NULL, 1), KENES_EINVAL);
    assert_int_equal(render_markdown(NULL, &len, "a", 1), KENES_EINVAL);

    html = render_ok("# Отчёт комиссии\n\nЗащита прав детей — *главное*.\n");
    assert_non_null(strstr(html, "<h1>Отчёт комиссии</h1>"));
    assert_non_null(strstr(html, "<em>главное</em>"));
    free(html);
    assert_int_equal(render_markdown(&html, &len, "", 0), 0);
    assert_string_equal(html, "");
    free(html);
}

/* ---- Markdown: the work budget ---- */

/* Valid text as deep and as large as it gets renders whole: the budget (a
 * count of steps, render.c) leaves it far behind. */
static void test_deep_nesting_renders(void **state)
{
    (void)state;
    size_t len, units;
    char *md = ri_valid(RI_NESTED_QUOTES, &len, &units);
    char *html = render_ok(md);
    assert_int_equal(count(html, "<blockquote>"), 10000);
    assert_non_null(strstr(html, "<p>deep</p>"));
    free(html);
    free(md);

    md = ri_valid(RI_NESTED_LISTS, &len, &units);
    html = render_ok(md);
    assert_int_equal(count(html, "<ul>"), 100000);
    assert_int_equal(count(html, "<li>"), 100000);
    free(html);
    free(md);
}

static void test_table_looking_mebibyte_renders(void **state)
{
    (void)state;
    size_t len, units;
    char *md = ri_valid(RI_TABLE_MEBIBYTE, &len, &units);
    char *html = render_ok(md);
    /* cmark-gfm's table extension: a real table, its cells escaped. */
    assert_non_null(strstr(html, "<table>"));
    assert_non_null(strstr(html, "<td>KZ-11</td>"));
    assert_non_null(strstr(html, "&lt; 5</td>"));
    free(html);
    free(md);

    /* One byte more than the limit is refused outright. */
    md = ri_repeat("", "a", RENDER_MAX_MARKDOWN + 1);
    size_t hlen;
    assert_int_equal(render_markdown(&html, &hlen, md, RENDER_MAX_MARKDOWN + 1), KENES_ETOOBIG);
    assert_null(html);
    free(md);
}

/*
 * Each of cmark-gfm's super-linear cases (render_inputs.h) is refused.  Under
 * RENDER_MAX_MARKDOWN, KENES_ETOOBIG comes only from the budget's one linear
 * pass, before cmark is called: refused this way, it is refused quickly,
 * whatever the machine.  How quickly is bench/bench_render.c's to say.
 */
static void test_pathological_input_is_refused(void **state)
{
    (void)state;
    for (size_t i = 0; i < RI_HOSTILE_COUNT; i++) {
        size_t len, hlen;
        char *md = ri_hostile(i, &len);
        assert_true(len <= RENDER_MAX_MARKDOWN);
        char *html;
        int rc = render_markdown(&html, &hlen, md, len);
        if (rc != KENES_ETOOBIG)
            fail_msg("%s: rc %d, not refused by the budget", ri_hostile_cases[i].name, rc);
        assert_null(html);
        free(md);
    }
}

/* The budget stays far from real text: a 1 MiB report, nested, linked, quoted,
 * with tables. */
static void test_long_real_document_renders(void **state)
{
    (void)state;
    size_t len, n;
    char *md = ri_valid(RI_LONG_DOCUMENT, &len, &n);
    char *html = render_ok(md);
    assert_int_equal(count(html, "<h2>Раздел</h2>"), n);
    assert_int_equal(count(html, "<blockquote>"), 2 * n);
    assert_int_equal(count(html, "<table>"), 2 * n);
    assert_int_equal(count(html, "<td align=\"right\"><em>12</em></td>"), n);
    free(html);
    free(md);
}

/* A table as wide and long as a report gets: 20 columns to 1 MiB, emphasis in
 * its cells, renders whole. */
static void test_wide_table_renders(void **state)
{
    (void)state;
    size_t len, rows;
    char *md = ri_valid(RI_WIDE_TABLE, &len, &rows);
    char *html = render_ok(md);
    assert_int_equal(count(html, "<table>"), 1);
    assert_int_equal(count(html, "<tr>"), rows + 1);
    assert_int_equal(count(html, "<td align=\"right\"><em>12</em></td>"), rows);
    free(html);
    free(md);
}

/* ---- pages ---- */

static void test_page_escapes_title(void **state)
{
    (void)state;
    char *html;
    size_t len;
    assert_int_equal(render_page(&html, &len, "<title>{{title}}</title><h1>{{title}}</h1>{{body}}",
                                 "<script>\"План\" & 'дети'</script>", "<p>тело</p>",
                                 NULL),
                     0);
    assert_int_equal(strlen(html), len);
    assert_string_equal(html, "<title>&lt;script&gt;&quot;План&quot; &amp; &#39;дети&#39;"
                              "&lt;/script&gt;</title>"
                              "<h1>&lt;script&gt;&quot;План&quot; &amp; &#39;дети&#39;"
                              "&lt;/script&gt;</h1><p>тело</p>");
    free(html);

    /* One pass: placeholders in the title or the body are text, not slots. */
    assert_int_equal(render_page(&html, &len, "[{{title}}] {{body}} {{other}} {{", "{{body}}",
                                 "<p>{{title}}</p>", NULL),
                     0);
    assert_string_equal(html, "[{{body}}] <p>{{title}}</p> {{other}} {{");
    free(html);

    assert_int_equal(render_page(&html, &len, "<h1>{{title}}</h1>", "t", "b", NULL), KENES_EINVAL);
    assert_null(html);
    assert_int_equal(render_page(&html, &len, "{{body}}", "\xff", "b", NULL), KENES_EINVAL);
    assert_int_equal(render_page(&html, &len, "{{body}}", NULL, "b", NULL), KENES_EINVAL);
    assert_int_equal(render_page(&html, &len, "{{body}}", "t", NULL, NULL), KENES_EINVAL);
    assert_int_equal(render_page(&html, &len, NULL, "t", "b", NULL), KENES_EINVAL);
}

/* Into the caller's own variable: a helper that returned the pointer util_read_file
 * wrote into a local of its own made gcc 12 at -O3, once it inlined it, see every
 * pointer into the text as one into that dead local (-Wdangling-pointer). */
static void read_template(char **tmpl)
{
    size_t len = 0;
    *tmpl = NULL;
    assert_int_equal(util_read_file(tmpl, &len, TEMPLATE), 0);
    assert_non_null(*tmpl);
}

/* The template in lang, its words from content/reports.yaml. */
static void read_template_in(char **tmpl, int lang)
{
    char *raw, err[256] = "";
    report_words w;
    read_template(&raw);
    if (report_words_load(&w, WORDS, err, sizeof(err)) != 0)
        fail_msg("%s", err);
    *tmpl = report_words_page(&w, lang, raw);
    assert_non_null(*tmpl);
    report_words_dispose(&w);
    free(raw);
}

static void test_template_in_each_language(void **state)
{
    (void)state;
    static const char *const want[][3] = {
        {"<html lang=\"kk\">", "<a href=\"/reports/kk/\">Есептер</a>", "Мазмұнға өту"},
        {"<html lang=\"en\">", "<a href=\"/reports/en/\">Reports</a>", "Skip to content"}};
    for (int l = REPORT_KK; l <= REPORT_EN; l++) {
        char *tmpl, *html;
        size_t len;
        read_template_in(&tmpl, l);
        assert_int_equal(render_page(&html, &len, tmpl, "T", "<p>x</p>", NULL), 0);
        for (int k = 0; k < 3; k++)
            assert_non_null(strstr(html, want[l - REPORT_KK][k]));
        /* No Russian word of the template's left. */
        assert_null(strstr(html, "Отчёты"));
        assert_null(strstr(html, "Перейти"));
        assert_null(strstr(html, "{{"));
        free(html);
        free(tmpl);
    }
}

static void test_real_template(void **state)
{
    (void)state;
    char *tmpl;
    read_template_in(&tmpl, REPORT_RU);
    char *body = render_ok("# Отчёт\n\nВсего дел: 12.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n");
    char *html;
    size_t len;
    assert_int_equal(render_page(&html, &len, tmpl, "Отчёт <KZ-11> & \"2026\"", body, NULL), 0);
    assert_true(strncmp(html, "<!DOCTYPE html>\n<html lang=\"ru\">", 32) == 0);
    assert_non_null(strstr(html, "<meta charset=\"utf-8\">"));
    assert_non_null(strstr(html, "<meta name=\"viewport\""));
    assert_non_null(
        strstr(html, "<title>Отчёт &lt;KZ-11&gt; &amp; &quot;2026&quot; — Кеңес</title>"));
    /* The interface's header, and the title once: the report's own heading. */
    assert_non_null(strstr(html, "<header class=\"site\">"));
    assert_non_null(strstr(html, "<a href=\"/reports/\">Отчёты</a>"));
    assert_int_equal(count(html, "<h1"), 1);
    assert_non_null(strstr(html, "<h1>Отчёт</h1>"));
    assert_non_null(strstr(html, "<p>Всего дел: 12.</p>"));
    /* Tables scroll: each in its wrapper. */
    assert_non_null(strstr(html, "<div class=\"table-wrap\">\n<table>"));
    assert_non_null(strstr(html, "</table>\n</div>"));
    assert_non_null(strstr(html, "«&lt; 5»"));
    assert_null(strstr(html, "{{"));
    /* The one style sheet, the interface's; nothing a CSP of 'self' would block. */
    assert_int_equal(count(html, "<link"), 1);
    assert_non_null(strstr(html, "<link rel=\"stylesheet\" href=\"/static/kenes.css\">"));
    assert_null(find_ci(html, "<script"));
    assert_null(find_ci(html, "<style"));
    assert_null(find_ci(html, " style="));
    assert_null(find_ci(html, "http://"));
    assert_null(find_ci(html, "https://"));
    assert_null(find_ci(html, "@import"));
    assert_null(find_ci(html, "url("));
    free(html);
    free(body);
    free(tmpl);
}

/* The CSP admits no script and no style but the site's own style sheet. */
static void test_csp_admits_only_the_style_sheet(void **state)
{
    (void)state;
    char *tmpl;
    read_template(&tmpl);
    assert_int_equal(count(tmpl, "<style"), 0);
    assert_int_equal(count(tmpl, "<script"), 0);
    assert_non_null(strstr(RENDER_PAGE_CSP, "default-src 'none';"));
    assert_non_null(strstr(RENDER_PAGE_CSP, "style-src 'self';"));
    assert_null(strstr(RENDER_PAGE_CSP, "script-src"));
    assert_null(strstr(RENDER_PAGE_CSP, "unsafe"));
    free(tmpl);
}

/* ---- what the server adds to a page ---- */

static void test_page_record_slot(void **state)
{
    (void)state;
    char *html;
    size_t len;
    /* The record in its slot, once; placeholders in the body stay text. */
    assert_int_equal(render_page(&html, &len, "<div>{{body}}</div>{{record}}", "t",
                                 "<p>{{record}}</p>", "<section>r</section>"),
                     0);
    assert_string_equal(html, "<div><p>{{record}}</p></div><section>r</section>");
    free(html);
    /* No record: the slot stays empty (reports, the index). */
    assert_int_equal(render_page(&html, &len, "<div>{{body}}</div>{{record}}", "t", "<p>b</p>",
                                 NULL),
                     0);
    assert_string_equal(html, "<div><p>b</p></div>");
    free(html);
    /* A record, but nowhere to put it: refused, never dropped. */
    assert_int_equal(render_page(&html, &len, "<div>{{body}}</div>", "t", "<p>b</p>", "<p>r</p>"),
                     KENES_EINVAL);
    assert_null(html);
    /* A body that would leave the container open, or close it, is refused. */
    static const char *const unbalanced[] = {
        "<p>a",          "</div><p>a</p>", "<p>a</p></div>", "<!-- a",
        "<em><p>a</em>", "<p>a</pre>",     "<details>",      "<p>a</p><",
    };
    for (size_t i = 0; i < LEN(unbalanced); i++) {
        assert_int_equal(render_page(&html, &len, "<div>{{body}}</div>{{record}}", "t",
                                     unbalanced[i], "<p>r</p>"),
                         KENES_EINVAL);
        assert_null(html);
    }
    assert_int_equal(render_page(&html, &len, "<div>{{body}}</div>", "t",
                                 "<p>a<br />b</p><hr /><!-- raw HTML omitted -->"
                                 "<p><img src=\"x\" alt=\"y\" /></p><ol start=\"2\"><li>c</li></ol>",
                                 NULL),
                     0);
    free(html);
}

/* A body ending in a fake history and then in a construct left open: the
 * real record stays after the body's container, whole, and the fake stays in
 * the container. */
static void test_body_cannot_swallow_or_imitate_the_record(void **state)
{
    (void)state;
    static const char fake[] = "Утверждён.\n\n## История версий\n\n"
                               "| время | автор | действие | этап |\n|---|---|---|---|\n"
                               "| 2026-01-01T00:00:00Z | FAKEAUTHOR | approve | approved |\n\n";
    static const char *const tails[] = {
        "<!--\n", "```\n", "<details>\n<summary>x</summary>\n\n", "<section data-kenes=\"record\">\n",
        "</article>\n", "<textarea>\n", "<!-- {{record}}\n", "> <!--\n> ```\n", "",
    };
    /* The page as the web interface lays it out (web/public.c): the body in
     * its article, the server's record after it. */
    static const char tmpl[] = "<main><h1>{{title}}</h1>"
                               "<article class=\"kenes-body\" data-kenes=\"body\">{{body}}</article>"
                               "{{record}}</main>";
    static const char rec[] = "<section class=\"kenes-record\" data-kenes=\"record\">"
                              "<h2>История версий</h2><table><tr><td>rev2</td></tr></table>"
                              "</section>";
    for (size_t i = 0; i < LEN(tails); i++) {
        char md[1024];
        snprintf(md, sizeof(md), "%s%s", fake, tails[i]);
        char *body = render_ok(md);
        char *html;
        size_t len;
        assert_int_equal(render_page(&html, &len, tmpl, "План", body, rec), 0);
        const char *open = strstr(html, "<article class=\"kenes-body\" data-kenes=\"body\">");
        const char *close = strstr(html, "</article>");
        const char *fake_at = strstr(html, "FAKEAUTHOR");
        const char *real = strstr(html, rec);
        assert_non_null(open);
        assert_non_null(close);
        assert_int_equal(count(html, "<article"), 1);
        assert_int_equal(count(html, "</article>"), 1);
        assert_int_equal(count(html, "data-kenes=\"record\""), 1);
        assert_int_equal(count(html, "class=\"kenes-record\""), 1);
        assert_int_equal(count(html, "<section"), 1);
        /* The fake inside the container; the record whole, after it, in <main>. */
        assert_true(fake_at && open < fake_at && fake_at < close);
        assert_true(real && close < real && real < strstr(html, "</main>"));
        free(html);
        free(body);
    }
}

/* ---- bundles ---- */

static void test_bundle_passes_unzip_and_python(void **state)
{
    (void)state;
    setenv("KENES_NOW", "2026-02-07T10:00:00Z", 1);
    const char *names[] = {"reports/KZ-11.html", "reports/KZ-15.html", "README.txt"};
    const char *texts[] = {"<p>Алматинская область</p>\n", "<p>&lt; 5</p>\n",
                           "Отчёты комиссий.\n"};
    size_t lens[3];
    for (size_t i = 0; i < 3; i++)
        lens[i] = strlen(texts[i]);
    char *zip;
    size_t len;
    assert_int_equal(render_bundle(&zip, &len, names, texts, lens, 3), 0);
    assert_true(len > 22);
    const char *path = write_temp(zip, len, ".zip");
    assert_int_equal(sh("unzip -tq '%s' >/dev/null", path), 0);
    assert_int_equal(sh("python3 -m zipfile -t '%s' >/dev/null", path), 0);

    /* The names, in order, with the bytes given, dated KENES_NOW. */
    int err = 0;
    zip_t *za = zip_open(path, ZIP_RDONLY | ZIP_CHECKCONS, &err);
    assert_non_null(za);
    assert_int_equal(zip_get_num_entries(za, 0), 3);
    for (size_t i = 0; i < 3; i++) {
        assert_string_equal(zip_get_name(za, i, 0), names[i]);
        zip_stat_t st;
        assert_int_equal(zip_stat_index(za, i, 0, &st), 0);
        assert_int_equal(st.size, lens[i]);
        assert_int_equal(st.comp_method, ZIP_CM_DEFLATE);
        char buf[128];
        zip_file_t *f = zip_fopen_index(za, i, 0);
        assert_non_null(f);
        assert_int_equal(zip_fread(f, buf, sizeof(buf)), (zip_int64_t)lens[i]);
        zip_fclose(f);
        assert_memory_equal(buf, texts[i], lens[i]);
        zip_uint16_t ulen;
        const zip_uint8_t *ut = zip_file_extra_field_get_by_id(za, i, 0x5455, 0, &ulen,
                                                               ZIP_FL_CENTRAL);
        assert_non_null(ut);
        assert_int_equal((uint32_t)ut[1] | (uint32_t)ut[2] << 8 | (uint32_t)ut[3] << 16 |
                             (uint32_t)ut[4] << 24,
                         1770458400);
    }
    zip_close(za);
    free(zip);

    /* No files: the empty zip, which Python reads. */
    assert_int_equal(render_bundle(&zip, &len, NULL, NULL, NULL, 0), 0);
    assert_int_equal(len, 22);
    path = write_temp(zip, len, ".zip");
    assert_int_equal(sh("python3 -c 'import sys, zipfile; "
                        "sys.exit(len(zipfile.ZipFile(sys.argv[1]).namelist()))' '%s'",
                        path),
                     0);
    free(zip);
    unsetenv("KENES_NOW");
}

static void test_bundle_refuses_bad_names(void **state)
{
    (void)state;
    const char *bad[] = {"",       "/etc/passwd", "../x",     "a/../../x", "a//b", "a/",
                         "./a",    "a\\b",        "a\nb.txt", "\xff.txt",  ".."};
    size_t one = 1;
    const char *text = "x";
    for (size_t i = 0; i < LEN(bad); i++) {
        char *zip = (char *)1;
        size_t len = 99;
        const char *names[] = {bad[i]};
        if (render_bundle(&zip, &len, names, &text, &one, 1) != KENES_EINVAL)
            fail_msg("name \"%s\" was accepted", bad[i]);
        assert_null(zip);
        assert_int_equal(len, 0);
    }
    const char *twice[] = {"a.html", "a.html"};
    const char *texts[] = {"1", "2"};
    size_t lens[] = {1, 1};
    char *zip;
    size_t len;
    assert_int_equal(render_bundle(&zip, &len, twice, texts, lens, 2), KENES_EEXISTS);
    assert_null(zip);
    assert_int_equal(render_bundle(&zip, &len, NULL, texts, lens, 1), KENES_EINVAL);

    /* A refused name leaves the builder usable; a finished one takes nothing more. */
    zipbuf *zb;
    assert_int_equal(zipbuf_new(&zb, 0), 0);
    assert_int_equal(zipbuf_add(zb, "../x", "x", 1), KENES_EINVAL);
    assert_int_equal(zipbuf_add(zb, "ok.txt", NULL, 0), 0);
    assert_int_equal(zipbuf_add(zb, "ok.txt", "y", 1), KENES_EEXISTS);
    assert_int_equal(zipbuf_finish(&zip, &len, zb), 0);
    assert_true(len > 22);
    free(zip);
    assert_int_equal(zipbuf_add(zb, "more.txt", "z", 1), KENES_EINVAL);
    assert_int_equal(zipbuf_finish(&zip, &len, zb), KENES_EINVAL);
    assert_null(zip);
    zipbuf_free(zb);
    zipbuf_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_raw_html_is_omitted),
        cmocka_unit_test(test_dangerous_links_are_dropped),
        cmocka_unit_test(test_invalid_utf8_is_refused),
        cmocka_unit_test(test_deep_nesting_renders),
        cmocka_unit_test(test_table_looking_mebibyte_renders),
        cmocka_unit_test(test_pathological_input_is_refused),
        cmocka_unit_test(test_long_real_document_renders),
        cmocka_unit_test(test_wide_table_renders),
        cmocka_unit_test(test_page_escapes_title),
        cmocka_unit_test(test_real_template),
        cmocka_unit_test(test_template_in_each_language),
        cmocka_unit_test(test_csp_admits_only_the_style_sheet),
        cmocka_unit_test(test_page_record_slot),
        cmocka_unit_test(test_body_cannot_swallow_or_imitate_the_record),
        cmocka_unit_test_teardown(test_bundle_passes_unzip_and_python, remove_tracked),
        cmocka_unit_test_teardown(test_bundle_refuses_bad_names, remove_tracked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
