/*
 * Pages not built yet: each answers 501 with the error page until its own
 * file replaces it here.
 */
#include "web/pages.h"

#define WEB_STUB(name) \
    void name(web_call *c) { web_fail(c, 501, "not_yet"); }

WEB_STUB(web_login_form)
WEB_STUB(web_login)
WEB_STUB(web_logout)
WEB_STUB(web_password_form)
WEB_STUB(web_password)
WEB_STUB(web_new_form)
WEB_STUB(web_new)
WEB_STUB(web_edit_form)
WEB_STUB(web_edit)
WEB_STUB(web_history)
