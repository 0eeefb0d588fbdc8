/*
 * Markdown to HTML (render.h).  Any input renders or is refused without a
 * fault, within libFuzzer's time limit (the work budget), and what renders
 * holds nothing active: no tag of the author's, no script: or data: link.
 * Put in a page, it closes every element it opens: the server's part placed
 * after its container stays whole, and outside it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kenes/plugin.h"
#include "publish/render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The tags cmark-gfm writes, and render.c's table wrapper; anything else
 * came from the input. */
static int known_tag(const char *p)
{
    static const char *const tags[] = {
        "p>", "/p>", "h1>", "/h1>", "h2>", "/h2>", "h3>", "/h3>", "h4>", "/h4>", "h5>",
        "/h5>", "h6>", "/h6>", "ul>", "/ul>", "ol>", "ol start=\"", "/ol>", "li>", "/li>",
        "blockquote>", "/blockquote>", "pre>", "/pre>", "code>", "code class=\"", "/code>",
        "em>", "/em>", "strong>", "/strong>", "a href=\"", "/a>", "img src=\"", "br />",
        "hr />", "table>", "/table>", "thead>", "/thead>", "tbody>", "/tbody>", "tr>",
        "/tr>", "th>", "th align=\"", "/th>", "td>", "td align=\"", "/td>",
        "!-- raw HTML omitted -->",
        /* render.c's own: the wrapper that lets a wide table scroll */
        "div class=\"table-wrap\">", "/div>"};
    for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++)
        if (strncmp(p, tags[i], strlen(tags[i])) == 0)
            return 1;
    return 0;
}

/* A URL attribute's value, as a browser reads it (leading space and
 * controls skipped), must not start with a scheme that runs or embeds. */
static int unsafe_url(const char *v)
{
    while (*v && (unsigned char)*v <= ' ')
        v++;
    return strncasecmp(v, "javascript:", 11) == 0 || strncasecmp(v, "vbscript:", 9) == 0 ||
           strncasecmp(v, "file:", 5) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *html = NULL;
    size_t len = 0;
    int rc = render_markdown(&html, &len, (const char *)data, size);
    if (rc != 0) {
        if (html || len || (rc != KENES_EINVAL && rc != KENES_ETOOBIG && rc != KENES_ENOMEM))
            abort();
        return 0;
    }
    if (!html || strlen(html) != len)
        abort();
    for (const char *p = html; (p = strchr(p, '<')) != NULL; p++)
        if (!known_tag(p + 1))
            abort();
    for (const char *p = html; (p = strstr(p, "href=\"")) != NULL; p++)
        if (unsafe_url(p + 6) || strncasecmp(p + 6, "data:", 5) == 0)
            abort();
    for (const char *p = html; (p = strstr(p, "src=\"")) != NULL; p++)
        if (unsafe_url(p + 5))
            abort();
    /* The page ends in the container's own close, then the record, whole. */
    static const char tail[] = "</article><section data-kenes=\"record\">r</section>";
    char *page = NULL;
    size_t plen;
    rc = render_page(&page, &plen, "<article>{{body}}</article>{{record}}", "t", html,
                     strstr(tail, "<section"));
    if (rc != 0 && rc != KENES_ENOMEM)
        abort(); /* an element left open, or closed that the body did not open */
    if (rc == 0 && (plen < sizeof(tail) - 1 ||
                    strcmp(page + plen - (sizeof(tail) - 1), tail) != 0 ||
                    strstr(page, "</article>") != page + plen - (sizeof(tail) - 1)))
        abort();
    free(page);
    free(html);
    return 0;
}
