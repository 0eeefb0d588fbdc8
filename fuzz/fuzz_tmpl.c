/*
 * HTML templates (ui/tmpl.h).  The input is a JSON value, a NUL byte, and a
 * template text (no NUL: the whole input is the template, against a fixed
 * hostile value).  Any template parses or is refused without a fault, any
 * value renders or is refused, within the limits, and nothing of the value
 * comes out unescaped: the template's own < > " ' are turned to '_' before
 * it is parsed, so any of them in the output came from the value.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kenes/plugin.h"
#include "ui/tmpl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char hostile[] =
    "{\"a\":\"<script>alert(1)</script>\",\"b\":\"\\\"onmouseover=x '\",\"n\":7,"
    "\"l\":[\"<i>\",{\"a\":\"'><svg>\"},[\"<\",\">\"],true,0,1.5],"
    "\"o\":{\"k\":\"&\\\"\",\"l\":[{\"a\":\"<b>\"}]}}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, '\0', size);
    const char *json = nul ? (const char *)data : hostile;
    size_t jlen = nul ? (size_t)(nul - data) : strlen(hostile);
    const uint8_t *text = nul ? nul + 1 : data;
    size_t tlen = nul ? size - (size_t)(nul + 1 - data) : size;

    char *own = malloc(tlen + 1);
    if (!own)
        return 0;
    for (size_t i = 0; i < tlen; i++) {
        char c = (char)text[i];
        own[i] = c == '<' || c == '>' || c == '"' || c == '\'' ? '_' : c;
    }
    own[tlen] = '\0';

    tmpl *t = NULL;
    char err[128];
    int rc = tmpl_new(&t, own, tlen, err, sizeof(err));
    free(own);
    if (rc != 0) {
        if (t || (rc != KENES_EINVAL && rc != KENES_ETOOBIG && rc != KENES_ENOMEM) ||
            strnlen(err, sizeof(err)) == sizeof(err) || err[0] < '1' || err[0] > '9')
            abort(); /* refused, but not as promised, or with no line:column */
        return 0;
    }
    json_t *ctx = json_loadb(json, jlen, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    util_buf out;
    util_buf_init(&out);
    util_buf_puts(&out, "<");
    rc = tmpl_render(&out, t, ctx);
    if (rc != 0 && (rc != KENES_ETOOBIG && rc != KENES_ENOMEM))
        abort();
    if (rc != 0 && out.len != 1)
        abort(); /* not cut back */
    if (out.len - 1 > TMPL_MAX_OUT)
        abort();
    for (size_t i = 1; i < out.len; i++)
        if (out.data[i] == '<' || out.data[i] == '>' || out.data[i] == '"' || out.data[i] == '\'')
            abort(); /* a character of the value's, unescaped */
    util_buf_dispose(&out);
    json_decref(ctx);
    tmpl_free(t);
    return 0;
}
