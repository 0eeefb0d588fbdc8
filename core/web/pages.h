/*
 * The page handlers, one file per page (or pair of GET and POST), routed by
 * web.c's table.
 */
#ifndef KENES_WEB_PAGES_H
#define KENES_WEB_PAGES_H

#include "web/call.h"

/* static.c: GET /static/{name} */
void web_static(web_call *c);
/* landing.c: GET / (anyone) */
void web_landing(web_call *c);
/* login.c: sign-in, sign-out, a user's own password */
void web_login_form(web_call *c);
void web_login(web_call *c);
void web_logout(web_call *c);
void web_password_form(web_call *c);
void web_password(web_call *c);
/* inbox.c, list.c */
void web_inbox(web_call *c);
void web_list(web_call *c);
/* doc.c: a document's page, and its actions */
void web_doc(web_call *c);
void web_doc_act(web_call *c);
void web_doc_act_get(web_call *c);
/* dossier.c: the dossier's zip, for the browser (its session cookie) */
void web_doc_dossier(web_call *c);
/* files.c: a document's files: upload (multipart/form-data), removal, download */
void web_doc_attach(web_call *c);
void web_doc_detach(web_call *c);
void web_doc_file(web_call *c);
void web_public_file(web_call *c);
/* form.c: create and edit forms, from the type's schema */
void web_new_form(web_call *c);
void web_new(web_call *c);
void web_edit_form(web_call *c);
void web_edit(web_call *c);
/* public.c: GET /public/{id} (anyone): a public document's page */
void web_public(web_call *c);
/* public_cache.c: 1 after answering with the page kept for an anonymous
 * reader of c's path at the public version, in c's language; else 0. */
int web_public_cached(web_call *c, const char *version);
/* The public page (model stolen), kept when every anonymous reader gets it. */
void web_public_send(web_call *c, const char *version, json_t *model, const char *body_html);
/* history.c: versions, a diff of two, the document as of a date */
void web_history(web_call *c);

#endif
