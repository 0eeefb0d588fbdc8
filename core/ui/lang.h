/*
 * The interface's three languages and how a request's language is chosen:
 * ?lang= (the switch on every page), else the kenes_lang cookie it left,
 * else the best of Accept-Language, else Russian.
 */
#ifndef KENES_UI_LANG_H
#define KENES_UI_LANG_H

typedef enum ui_lang { UI_RU = 0, UI_KK = 1, UI_EN = 2, UI_NLANGS = 3 } ui_lang;

/* "ru", "kk", "en". */
const char *ui_lang_code(ui_lang l);
/* The language a code names ("ru", "kk", "en", case-insensitive; "kz" and
 * "kk-KZ" too): 0 and *out, or KENES_EINVAL. */
int ui_lang_parse(ui_lang *out, const char *s);
/* The best language an Accept-Language header asks for (q-values honoured,
 * a language with q=0 never chosen); UI_RU when it names none of ours or is NULL. */
ui_lang ui_lang_accept(const char *accept_language);
/* query: ?lang's value or NULL; cookie: kenes_lang's or NULL; accept:
 * Accept-Language or NULL.  The first of them that names one of ours wins. */
ui_lang ui_lang_choose(const char *query, const char *cookie, const char *accept);

#endif
