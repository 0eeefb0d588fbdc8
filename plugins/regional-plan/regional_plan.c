/*
 * regional-plan: each region's plan under the national concept «Дети
 * Казахстана» (2026–2030).  The workflow (workflows/regional-plan.yaml) says
 * who moves a plan between stages; this plugin says what a valid plan is,
 * what its id is, and provides the comment_required guard used when a
 * reviewer returns a plan.
 *
 * Only <kenes/plugin.h>, jansson and libc: everything else comes through the
 * api table.
 */
#include <kenes/plugin.h>

#include <stdio.h>
#include <string.h>

#define PLUGIN_NAME "regional-plan"

#define PERIOD_FIRST 2026 /* the concept runs 2026–2030 */
#define PERIOD_LAST 2030
#define TITLE_MAX 200            /* code points */
#define BODY_MAX (256 * 1024)    /* bytes */

/* The size of a kenes_api as ABI 1 first defined it: the core may hand us
 * a larger table (fields appended), never a smaller one. */
#define API_SIZE_V1 (offsetof(kenes_api, utf8_length) + sizeof(void *))

/* Keys a plan may carry in "fields".  measures, local_specifics and act are
 * optional for now; their shape is checked once they become required. */
static const char *const known_fields[] = {"period", "measures", "local_specifics", "act",
                                           NULL};

static int is_known_field(const char *key)
{
    for (size_t i = 0; known_fields[i]; i++)
        if (strcmp(known_fields[i], key) == 0)
            return 1;
    return 0;
}

/* "fields.<key>" without cutting a UTF-8 sequence in half: the path ends
 * up in a JSON answer, and half a character is not valid JSON text. */
static void field_path(char *out, size_t cap, const char *key)
{
    static const char prefix[] = "fields.";
    size_t room = cap - sizeof(prefix); /* leaves one byte for NUL */
    size_t n = strlen(key);
    if (n > room) {
        n = room;
        while (n > 0 && ((unsigned char)key[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(out, prefix, sizeof(prefix) - 1);
    memcpy(out + sizeof(prefix) - 1, key, n);
    out[sizeof(prefix) - 1 + n] = '\0';
}

/* Length of the whitespace character at s, or 0.  Besides ASCII this
 * counts Unicode spaces (U+00A0, U+2000..U+200B, U+3000, ...): a comment
 * made of a no-break space is still no comment. */
static size_t space_len(const unsigned char *s)
{
    if (*s == ' ' || (*s >= '\t' && *s <= '\r'))
        return 1;
    if (s[0] == 0xC2 && (s[1] == 0x85 || s[1] == 0xA0))
        return 2; /* U+0085 NEL, U+00A0 NBSP */
    if (s[0] == 0xE1 && s[1] == 0x9A && s[2] == 0x80)
        return 3; /* U+1680 */
    if (s[0] == 0xE2 && s[1] == 0x80 &&
        ((s[2] >= 0x80 && s[2] <= 0x8B) || s[2] == 0xA8 || s[2] == 0xA9 || s[2] == 0xAF))
        return 3; /* U+2000..U+200B, U+2028, U+2029, U+202F */
    if (s[0] == 0xE2 && s[1] == 0x81 && (s[2] == 0x9F || s[2] == 0xA0))
        return 3; /* U+205F, U+2060 */
    if (s[0] == 0xE3 && s[1] == 0x80 && s[2] == 0x80)
        return 3; /* U+3000 */
    if (s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)
        return 3; /* U+FEFF */
    return 0;
}

static int blank(const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    while (*s) {
        size_t n = space_len(s);
        if (!n)
            return 0;
        s += n;
    }
    return 1;
}

/* 1 if fields.period is wrong (and reported). */
static int check_period(const kenes_api *api, const json_t *fields, kenes_errors *errs)
{
    const json_t *p = json_object_get(fields, "period");
    if (!p) {
        api->error(errs, "fields.period", "is required: the plan's year, %d to %d",
                   PERIOD_FIRST, PERIOD_LAST);
        return 1;
    }
    if (!json_is_integer(p)) {
        api->error(errs, "fields.period", "must be a whole year (a number), %d to %d",
                   PERIOD_FIRST, PERIOD_LAST);
        return 1;
    }
    json_int_t y = json_integer_value(p);
    if (y < PERIOD_FIRST || y > PERIOD_LAST) {
        api->error(errs, "fields.period",
                   "must be a year from %d to %d, the period of the concept «Дети Казахстана»",
                   PERIOD_FIRST, PERIOD_LAST);
        return 1;
    }
    return 0;
}

static int validate(const kenes_api *api, const kenes_doc *doc, kenes_errors *errs)
{
    int bad = 0;

    const char *region = api->doc_get(doc, "region");
    if (!region || !*region) {
        api->error(errs, "region", "is required: a region code such as KZ-11");
        bad = 1;
    } else if (!api->region_valid(region)) {
        /* The input is not echoed: it may be anything, of any length. */
        api->error(errs, "region", "is not one of the 20 region codes (KZ-10 to KZ-79)");
        bad = 1;
    }

    const char *title = api->doc_get(doc, "title");
    if (!title) {
        api->error(errs, "title", "is required");
        bad = 1;
    } else if (!api->utf8_valid(title, strlen(title))) {
        api->error(errs, "title", "must be valid UTF-8 text");
        bad = 1;
    } else {
        size_t n = api->utf8_length(title);
        if (n < 1 || n > TITLE_MAX) {
            api->error(errs, "title", "must be 1 to %d characters long (it has %zu)", TITLE_MAX,
                       n);
            bad = 1;
        } else if (blank(title)) {
            api->error(errs, "title", "must not be blank");
            bad = 1;
        }
    }

    /* No body yet is an empty body. */
    const char *body = api->doc_get(doc, "body");
    if (body) {
        size_t len = strlen(body);
        if (len > BODY_MAX) {
            api->error(errs, "body", "must be at most 256 KiB (it has %zu bytes)", len);
            bad = 1;
        } else if (!api->utf8_valid(body, len)) {
            api->error(errs, "body", "must be valid UTF-8 text");
            bad = 1;
        }
    }

    /* ABI 1 promises an object here (empty when "fields" is missing or is
     * not an object, so such a plan fails on fields.period); refuse anything
     * else rather than trust it. */
    const json_t *fields = api->doc_fields(doc);
    if (!json_is_object(fields)) {
        api->error(errs, "fields", "must be an object");
        return KENES_EVALIDATION;
    }
    bad |= check_period(api, fields, errs);

    const char *key;
    const json_t *value;
    json_object_foreach((json_t *)fields, key, value) {
        if (is_known_field(key))
            continue;
        char path[160];
        field_path(path, sizeof(path), key);
        api->error(errs, path, "is not a field of a regional plan (expected period, measures, "
                               "local_specifics, act)");
        bad = 1;
    }
    return bad ? KENES_EVALIDATION : 0;
}

static int make_id(const kenes_api *api, const kenes_doc *doc, char *out, size_t cap)
{
    const char *region = api->doc_get(doc, "region");
    const json_t *p = json_object_get(api->doc_fields(doc), "period");
    if (!region || !api->region_valid(region) || !json_is_integer(p))
        return KENES_EINVAL;
    int n = snprintf(out, cap, "plan/%s/%lld", region, (long long)json_integer_value(p));
    if (n < 0 || (size_t)n >= cap)
        return KENES_ETOOBIG;
    return 0;
}

static int comment_required(const kenes_api *api, const kenes_doc *doc, const kenes_ctx *ctx,
                            kenes_errors *errs)
{
    (void)doc;
    const char *comment = api->ctx_get(ctx, "comment");
    if (!comment || blank(comment)) {
        api->error(errs, NULL, "a comment is required to return a document");
        return KENES_EGUARD;
    }
    return 0;
}

static const kenes_doctype types[] = {
    {.name = "regional-plan", .noun = "regional plan", .make_id = make_id, .validate = validate},
    {0},
};

static const kenes_guard guards[] = {
    {.name = "comment_required", .check = comment_required},
    {0},
};

static kenes_plugin plugin = {
    .abi_version = KENES_ABI_VERSION,
    .struct_size = sizeof(kenes_plugin),
    .name = PLUGIN_NAME,
    .version = "0.1.0",
    .types = types,
    .guards = guards,
    .fini = NULL,
};

int kenes_plugin_init(const kenes_api *api, kenes_plugin **out)
{
    if (!api || !out)
        return KENES_EINVAL;
    /* Every function used above is in ABI 1; a table from another ABI may
     * have them elsewhere. */
    if (api->abi_version != KENES_ABI_VERSION || api->struct_size < API_SIZE_V1)
        return KENES_EABI;
    *out = &plugin;
    return 0;
}
