/*
 * The document file format (doc.h promises exact round trips).  Two ways in:
 *
 * 1. The input as a file from the repository: doc_parse() takes or refuses
 *    it without a fault, and what it takes serialises and parses back to
 *    the same JSON.
 * 2. The input as a request body (JSON, as api.c loads it): what
 *    doc_serialize() writes to git parses back to exactly what was sent, so
 *    no field a user submits reads back changed.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

#include "storage/docfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* serialise, parse, compare; abort() on any difference. */
static void roundtrip(const json_t *doc)
{
    char *text = NULL;
    size_t len = 0;
    if (doc_serialize(&text, &len, doc) != 0)
        return;
    json_t *back = NULL;
    char err[256];
    if (doc_parse(&back, text, len, err, sizeof(err)) != 0 || !json_equal(doc, back))
        abort();
    json_decref(back);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *doc = NULL;
    char err[256];
    if (doc_parse(&doc, (const char *)data, size, err, sizeof(err)) == 0) {
        roundtrip(doc);
        json_decref(doc);
    }
    doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    if (json_is_object(doc)) {
        /* A file always has a body, if empty: that is the one thing added. */
        json_t *body = json_object_get(doc, "body");
        if (!body || json_is_null(body))
            json_object_set_new(doc, "body", json_string(""));
        roundtrip(doc);
    }
    json_decref(doc);
    return 0;
}
