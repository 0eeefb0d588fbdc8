/*
 * What text about a child must not give away of it: a case's title its
 * name (in any case, width, spelling, joined or split); the pseudonym,
 * which lists show to more eyes than the case, also its birth date, its
 * school's number and its address; and what a referral carries to an
 * agency (its task and body: id_judge_text) the name, the birth date, the
 * address and the school.  In the SDK (libkenes_sdk.a) since both the
 * case-review and the referral plugins judge by the same rules; text is
 * compared as the core folds it (api->text_fold: NFKC and case folding).
 */
#ifndef KENES_SDK_IDENTITY_H
#define KENES_SDK_IDENTITY_H

#include <kenes/plugin.h>

/* A pseudonym is 3 to 64 of these (checked by the caller before judging). */
#define ID_PSEUDONYM_MIN 3
#define ID_PSEUDONYM_MAX 64
#define ID_PSEUDONYM_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-"

/* The child, folded once per document. */
typedef struct id_child id_child;

/* Any argument but api may be NULL or not valid UTF-8: what is missing or
 * malformed is not compared (the validator reports it on its own path).
 * birth_date is YYYY-MM-DD.  0 or KENES_ENOMEM. */
int id_child_new(id_child **out, const kenes_api *api, const char *full_name,
                 const char *birth_date, const char *address, const char *school);
/* The same for a list, which judges every case it shows and so must stay
 * cheap: nothing is folded, and only the rules that need no folding apply
 * (the pseudonym's own shape, the birth date, the ASCII numbers of the
 * school and the address).  The name and street words were judged when the
 * case was written.  0 or KENES_ENOMEM. */
int id_child_new_for_list(id_child **out, const kenes_api *api, const char *birth_date,
                          const char *address, const char *school);
void id_child_free(id_child *c);

/* *problem = NULL if the well-formed pseudonym p may be listed for child c,
 * else a message saying which rule it breaks (never the values judged).
 * 0 or KENES_ENOMEM. */
int id_judge_pseudonym(const char **problem, const id_child *c, const char *p);

/* *names = 1 if the title holds the child's name or a part of it, 0 if not.
 * 0 or KENES_ENOMEM. */
int id_judge_title(int *names, const id_child *c, const char *title);

/* *code = NULL if free text (a referral's task, its body) gives nothing of
 * child c away, else the code of the first rule it breaks:
 * "text_names_child" (the name or a part of it, as id_judge_title finds
 * it), "text_birth_date" (the birth date with its year, in digits or with
 * the month in words: 30.01.2010, 2010-01-30, 30 января 2010, 30012010),
 * "text_address" (two words or numbers of the address in a row, the words
 * saying what kind of place they are left out: "ул. Абая, д. 12" holds
 * "Абая 12"), "text_school" (two words or numbers of the school's name in
 * a row, or a number of it after "№" or a word such as «школа»).  A child
 * made by id_child_new (not for a list).  0 or KENES_ENOMEM. */
int id_judge_text(const char **code, const id_child *c, const char *text);

#endif
