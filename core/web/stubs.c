/*
 * Pages not built yet: each answers 501 with the error page until its own
 * file replaces it here.
 */
#include "web/pages.h"

#define WEB_STUB(name) \
    void name(web_call *c) { web_fail(c, 501, "not_yet"); }

WEB_STUB(web_inbox)
WEB_STUB(web_list)
WEB_STUB(web_doc)
WEB_STUB(web_doc_act)
