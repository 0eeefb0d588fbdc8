/*
 * The plugin SDK: helpers the document-type plugins share, built on
 * <kenes/plugin.h> alone into a small static library (libkenes_sdk.a) that
 * each plugin links into its own shared object.  Compiled with hidden
 * visibility: nothing here is exported from a plugin, nothing of the core
 * is seen, and two plugins never share state through it.
 *
 *  - checking a document: one report of every problem at its path,
 *    unknown keys, text that must not be blank (Unicode spaces included),
 *    strict dates and quarters, a document's header (region, title, body)
 *    and the approving act {number, date};
 *  - writing report sections: region names, dates, stage labels (from the
 *    workflow files, through api->label) and the act, written through the
 *    api's report functions;
 *  - the plugin's descriptor and kenes_plugin_init (SDK_PLUGIN).
 *
 * Messages never repeat the values they judge: they reach logs and answers.
 */
#ifndef KENES_SDK_H
#define KENES_SDK_H

#include <kenes/plugin.h>

#define CHK_PATH_CAP 160
#define CHK_TITLE_MAX 200         /* code points */
#define CHK_BODY_MAX (256 * 1024) /* bytes */

/* ---- the plugin ---------------------------------------------------------- */

/* 0 and *out = plugin if api is a core this SDK can serve (this ABI, with
 * every member the SDK calls), else KENES_EINVAL or KENES_EABI. */
int sdk_plugin_init(const kenes_api *api, kenes_plugin **out, kenes_plugin *plugin);

/* A plugin's descriptor and its one exported symbol:
 *   SDK_PLUGIN("regional-plan", "0.2.0", types, guards)
 * (types and guards: tables ended by a NULL name). */
#define SDK_PLUGIN(NAME, VERSION, TYPES, GUARDS)                                                \
    static kenes_plugin sdk_plugin_descriptor = {.abi_version = KENES_ABI_VERSION,              \
                                                 .struct_size = sizeof(kenes_plugin),           \
                                                 .name = (NAME),                                \
                                                 .version = (VERSION),                          \
                                                 .types = (TYPES),                              \
                                                 .guards = (GUARDS),                            \
                                                 .fini = NULL};                                 \
    int kenes_plugin_init(const kenes_api *api, kenes_plugin **out)                             \
    {                                                                                           \
        return sdk_plugin_init(api, out, &sdk_plugin_descriptor);                               \
    }

/* make_id's answer: the id printed from fmt into out (cap bytes), 0, or
 * KENES_ETOOBIG when it does not fit. */
__attribute__((format(printf, 3, 4))) int sdk_id_printf(char *out, size_t cap, const char *fmt,
                                                        ...);

/* 1 if the document's key ("region", "stage", ...) is value. */
int sdk_doc_is(const kenes_api *api, const kenes_doc *doc, const char *key, const char *value);

/* ---- reporting problems -------------------------------------------------- */

typedef struct chk_report {
    const kenes_api *api;
    kenes_errors *errs; /* NULL: only count (a guard asking "is it valid?") */
    int count;          /* problems found, listed or not */
} chk_report;

/* 1 once looking further is pointless: the core's collector lists no more
 * (KENES_ERRORS_MAX; it counts the rest and says there are more), or, with
 * no collector, one problem answers the question.  Loops over a document's
 * lists and keys stop here, so a 1 MiB list of bad items costs a hundred
 * steps, not a million. */
int chk_full(const chk_report *r);

/* validate's answer: KENES_EVALIDATION once any problem was reported, else 0. */
int chk_result(const chk_report *r);

/* Report one problem at path with its code (the core bounds the list):
 * code a word of a-z, 0-9 and _ that content/ui/strings/validation.yaml words
 * for people (a generic one, kenes/plugin.h's error_code, or the plugin's
 * own), fmt the English message.  Pass codes as string literals: a test
 * finds them in the sources and fails on one that file lacks. */
__attribute__((format(printf, 4, 5))) void chk_problem(chk_report *r, const char *path,
                                                       const char *code, const char *fmt, ...);

/* Index of s in the NULL-terminated list, or -1 (also for s NULL): for
 * callers that tally which values were seen. */
int chk_index_of(const char *const *list, const char *s);
/* 1 if s is one of the NULL-terminated list. */
int chk_one_of(const char *const *list, const char *s);

/* "<base>.<key>" and "<base>[i]" into out (cap bytes) without cutting a
 * UTF-8 sequence in half: the path ends up in a JSON answer, and half a
 * character is not valid JSON text. */
void chk_path_key(char *out, size_t cap, const char *base, const char *key);
void chk_path_index(char *out, size_t cap, const char *base, size_t i);
/* Append s to out[0..at) (cap bytes) the same way; the new length. */
size_t chk_append(char *out, size_t cap, size_t at, const char *s);

/* Report each key of obj that is not in known, at "<base>.<key>". */
void chk_unknown_keys(chk_report *r, const json_t *obj, const char *base,
                      const char *const *known, const char *what);

/* ---- text ---------------------------------------------------------------- */

/* Length of the whitespace character at s, or 0.  Besides ASCII this
 * counts Unicode spaces (U+00A0, U+2000..U+200B, U+3000, ...): a comment
 * made of a no-break space is still no comment. */
size_t chk_space_len(const unsigned char *s);
/* 1 if str is nothing but such spaces. */
int chk_blank(const char *str);

/* *out = s folded by the core (api->text_fold with flags), in memory of the
 * plugin's own (free() it).  Folding may lengthen text (NFKC expands some
 * characters many times), so the buffer grows until it fits.  KENES_EINVAL
 * (and *out NULL) when s is NULL or not valid UTF-8; KENES_ENOMEM. */
int chk_fold(char **out, const kenes_api *api, const char *s, unsigned flags);

/* 1 if v (at path) is not non-blank text, and reported; what says what
 * belongs there. */
int chk_text(chk_report *r, const char *path, const json_t *v, const char *what);

/* v (at path) as text of at most max characters: NULL when absent (null
 * counts as absent; reported if required) or wrong (reported: not_text,
 * not_utf8, too_long, and blank when required).  Optional text may be
 * blank.  what says what belongs there. */
const char *chk_text_at(chk_report *r, const json_t *v, const char *path, int required,
                        size_t max, const char *what);

/* The document's fields, or NULL after reporting that "fields" must be an
 * object.  ABI 1 promises an object (empty when "fields" is missing or is
 * not an object, so such a document fails on its first required field);
 * anything else is refused rather than trusted. */
const json_t *chk_fields(chk_report *r, const kenes_doc *doc);

/* 1 if v (at path) is not a list, and reported: "is required: <what>" when
 * it is absent, else "must be a list of <items>". */
int chk_list(chk_report *r, const char *path, const json_t *v, const char *what,
             const char *items);

/* ---- money ---------------------------------------------------------------- */

/* The most tenge one amount in a document may be: 10^13 ₸, ten trillion,
 * several times the whole yearly budget of any region (the largest are
 * about two trillion), while one measure of a regional plan or one
 * half-year's spending on it is a small part of one.  The bound keeps a
 * typo of many zeros out, and sums of thousands of amounts (20 regions'
 * plans) far from a 64-bit overflow (9.2 * 10^18). */
#define CHK_TENGE_MAX 10000000000000LL

/* v (at path) as tenge: a whole number from 0 to CHK_TENGE_MAX.  0 when it
 * is, else 1 and reported (required, not_amount, amount_too_big); what says
 * what belongs there. */
int chk_tenge(chk_report *r, const char *path, const json_t *v, const char *what);

/* *sum += v, checked: 0, or KENES_ETOOBIG (the sum would overflow; *sum
 * left as it was).  Every tally of money adds with this: values written
 * before a bound existed may be anything a 64-bit integer holds. */
int sdk_add(long long *sum, long long v);

/* ---- dates --------------------------------------------------------------- */

/* A calendar date "YYYY-MM-DD" that exists (*y, *m, *d may be NULL). */
int chk_is_date(const kenes_api *api, const char *s, int *y, int *m, int *d);
/* A quarter "YYYY-Qn", n 1 to 4, in the years the core takes dates for. */
int chk_is_quarter(const char *s);

/* ---- a document's header ------------------------------------------------- */

/* region one of the core's regions. */
void chk_region(chk_report *r, const kenes_doc *doc);
/* region; title 1 to CHK_TITLE_MAX characters, not blank; body (absent:
 * empty) valid UTF-8 of at most CHK_BODY_MAX bytes. */
void chk_header(chk_report *r, const kenes_doc *doc);
/* chk_header with an optional title (absent is fine; present, it must be
 * 1 to CHK_TITLE_MAX characters, not blank): a type its fields name. */
void chk_header_untitled(chk_report *r, const kenes_doc *doc);

/* ---- the approving act --------------------------------------------------- */

#define CHK_ACT_NUMBER_MAX 40

/* 0 if act is a valid {number, date}, else 1 with each problem reported
 * under fields.act. */
int chk_act(chk_report *r, const json_t *act);
/* fields.act: must be right whenever present, and present once the
 * document is in force (stage "in-force"); before that the approving
 * transition's guard (chk_act_recorded) asks for it. */
void chk_act_field(chk_report *r, const kenes_doc *doc, const json_t *fields, const char *noun);
/* The end of validate for a document approved by an act: fields.act (as
 * chk_act_field says, for noun), no key of fields outside known (as
 * chk_unknown_keys says, what), then chk_result. */
int chk_finish(chk_report *r, const kenes_doc *doc, const json_t *fields, const char *noun,
               const char *const *known, const char *what);
/* The body of an "act is recorded" guard: the approver records the act with
 * the approval (records: [act]) and the guard, seeing the document with it,
 * refuses an approval without a right one (act_missing). */
int chk_act_recorded(const kenes_api *api, const kenes_doc *doc, kenes_errors *errs,
                     const char *noun);

/* ---- report sections ------------------------------------------------------ *
 *
 * Reports are Markdown, written in the report's language (api->report_lang:
 * "ru", "kk" or "en"; Russian from a core without it): the plugin writes
 * its own markup and words with report_printf and every piece of text that
 * comes from a document with report_text, which escapes all punctuation.
 * Values a helper has checked itself (a date it parsed, a number) are
 * printed from the parsed numbers, never from the document's text.  The
 * rpt_* helpers take the language from the report they write into.
 */

/* The report's languages, in the order of the plugins' word tables. */
enum { RPT_RU = 0, RPT_KK = 1, RPT_EN = 2, RPT_NLANGS = 3 };
/* The report's language: "ru", "kk" or "en". */
const char *rpt_lang(const kenes_api *api, const kenes_report *r);
/* The same as RPT_*: an index into a plugin's {ru, kk, en} word table. */
int rpt_lang_index(const kenes_api *api, const kenes_report *r);
/* words[the report's language]: words is {ru, kk, en}. */
#define RPT_WORD(api, r, words) ((words)[rpt_lang_index((api), (r))])

/* The region's name in the report's language (its code if the core knows no
 * name), escaped: the names come from content/regions.yaml, which is data too. */
void rpt_region_name(const kenes_api *api, kenes_report *r, const char *code);
/* Text from a document as a table cell or a line: escaped, or dash when
 * absent or empty. */
void rpt_text_or(const kenes_api *api, kenes_report *r, const char *text, const char *dash);
/* A date as 05.02.2026 (the same in the three languages): from a document's
 * "YYYY-MM-DD" (else its text escaped, else dash), or from milliseconds. */
void rpt_date(const kenes_api *api, kenes_report *r, const char *s, const char *dash);
void rpt_date_ms(const kenes_api *api, kenes_report *r, long long ms);
/* A stage of document type `type` as its workflow labels it in the report's
 * language, else its name escaped, else (absent) a dash. */
void rpt_stage(const kenes_api *api, kenes_report *r, const char *type, const char *stage);
/* A number someone typed for an act or an order, after "№ " ("No. " in
 * English): escaped, with a "№" typed before it left out, so that «№ 21»
 * reads «№ 21», never «№ № 21».  Nothing if it is blank. */
void rpt_number(const kenes_api *api, kenes_report *r, const char *number);
/* The akimat's resolution, or nothing if absent: "постановлением акимата
 * № 12 от 05.02.2026", "05.02.2026 № 12 әкімдік қаулысымен", "by akimat
 * resolution No. 12 of 05.02.2026" (rpt_number). */
void rpt_act(const kenes_api *api, kenes_report *r, const json_t *act);

/* An amount of tenge as "12 500 000 ₸", the groups of three digits apart by
 * no-break spaces (the same in the three languages). */
void rpt_tenge(const kenes_api *api, kenes_report *r, long long amount);
/* A value an indicator has (a baseline, a target, an actual value): a number
 * as a number (every digit; a decimal comma in ru and kk: «85,5»), text
 * escaped, anything else a dash. */
void rpt_value(const kenes_api *api, kenes_report *r, const json_t *v);

#endif
