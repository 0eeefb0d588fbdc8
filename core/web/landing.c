/*
 * GET /: the public's way in: the national report, the regions, the
 * documents in force; a sign-in link for staff.
 */
#include "web/pages.h"

void web_landing(web_call *c)
{
    json_t *m = json_pack("{s:s}", "title", web_text(c, "landing", "title"));
    web_page(c, 200, "landing", m);
}
