/*
 * multipart/form-data (web/multipart.h): the input's first line is the
 * Content-Type header, the rest the body.  Any input is parsed or refused
 * as promised, without a fault: every part lies inside the body, its name
 * is non-empty and no two parts share one, and the file's bytes are then
 * judged by the attachments' sniffer (docs/filetype.h) without a fault.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "docs/filetype.h"
#include "kenes/plugin.h"
#include "web/multipart.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    size_t hlen = nl ? (size_t)(nl - data) : size;
    char *header = malloc(hlen + 1);
    if (!header)
        return 0;
    memcpy(header, data, hlen);
    header[hlen] = '\0';
    /* The body in a buffer of its own size, so that a read past it is seen. */
    size_t blen = nl ? size - hlen - 1 : 0;
    char *body = malloc(blen ? blen : 1);
    if (!body) {
        free(header);
        return 0;
    }
    if (blen)
        memcpy(body, nl + 1, blen);
    char boundary[MULTIPART_BOUNDARY_MAX + 1];
    mp_part parts[8];
    size_t n = 0;
    if (multipart_boundary(boundary, header) == 0) {
        if (strlen(boundary) == 0 || strlen(boundary) > MULTIPART_BOUNDARY_MAX)
            abort();
        int rc = multipart_parse(parts, 8, &n, body, blen, boundary);
        if (rc != 0 && rc != KENES_EINVAL && rc != KENES_ETOOBIG)
            abort();
        for (size_t i = 0; rc == 0 && i < n; i++) {
            if (!parts[i].name[0] || parts[i].data < body || parts[i].len > blen ||
                parts[i].data + parts[i].len > body + blen)
                abort();
            for (size_t j = 0; j < i; j++)
                if (strcmp(parts[i].name, parts[j].name) == 0)
                    abort();
            filetype_refusal(parts[i].content_type, (const unsigned char *)parts[i].data,
                             parts[i].len);
            filetype_name_ok(parts[i].filename, strlen(parts[i].filename));
        }
    }
    free(body);
    free(header);
    return 0;
}
