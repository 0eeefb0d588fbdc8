/*
 * A document's body on a page (the document page, the public page): its
 * Markdown through the publisher's safe renderer, made on libuv's thread
 * pool, never on the loop (a 256 KB body takes cmark a good fraction of a
 * second, and the loop answers everyone else meanwhile).
 */
#ifndef KENES_WEB_BODY_H
#define KENES_WEB_BODY_H

#include <stddef.h>

#include "web/call.h"

/* The body without a first line "# <title>" that only repeats the title:
 * a page shows the title once, as its own heading.  *len: the rest's
 * length.  title may be NULL or "" (nothing is left out). */
const char *web_body_after_title(const char *body, const char *title, size_t *len);

/* Back on the loop: status 0 with html (valid during the call only: answer
 * with it now), or a negative KENES_E* code (KENES_ETOOBIG: past the
 * renderer's budget, KENES_EINVAL: not UTF-8...) and NULL. */
typedef void (*web_body_cb)(int status, const char *html, void *payload);

/*
 * Renders md[0..md_len), the body of the document id, to balanced HTML (it
 * closes everything it opens, so it cannot leave the page's container) and
 * calls done with it.  A document that is not confidential keeps its result
 * in the publisher's page cache under "body:<id>" until the text changes
 * (or the bounded cache lets it go): then done runs before this returns.  A confidential one (a case's sealed
 * text) is rendered every time and kept nowhere.  0, or KENES_ENOMEM or
 * KENES_EIO when the work cannot be queued: then done is never called.
 */
int web_body_render(web_call *c, const char *id, int confidential, const char *md, size_t md_len,
                    web_body_cb done, void *payload);

#endif
