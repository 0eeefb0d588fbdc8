/*
 * A KENES_E* code as an HTTP status: the one table, for the API and the
 * web pages alike.
 */
#include "base/error.h"
#include "base/util.h"
#include "http/http.h"

/* The one place a KENES_E* code becomes an HTTP status.  word: what the
 * answer's error code says when the service names no reason of its own. */
static const struct {
    int code;
    int status;
    const char *word;
} statuses[] = {
    {KENES_EINVAL, 400, "bad_request"},
    {KENES_EUNAUTHORIZED, 401, "unauthorized"},
    {KENES_EFORBIDDEN, 403, "forbidden"},
    {KENES_ENOTFOUND, 404, "not_found"},
    {KENES_EEXISTS, 409, "exists"},
    {KENES_ESTAGE, 409, "wrong_stage"},
    {KENES_ECONFLICT, 409, "conflict"},
    {KENES_EGONE, 410, "gone"},
    {KENES_ESTALE, 412, "stale"},
    {KENES_ETOOBIG, 413, "body_too_large"},
    {KENES_EVALIDATION, 422, "validation"},
    {KENES_EGUARD, 422, "guard"},
    {KENES_EPRECONDITION, 428, "precondition_required"},
    {KENES_EBUSY, 429, "too_many_requests"},
    {KENES_EUNAVAILABLE, 503, "unavailable"},
    {KENES_ENOMEM, 500, "internal"},
    {KENES_EIO, 500, "storage"},
    {KENES_EPLUGIN, 500, "internal"},
    {KENES_EABI, 500, "internal"},
};

int http_status_of(int code, const char **word)
{
    for (size_t i = 0; i < UTIL_ARRAY_LEN(statuses); i++) {
        if (statuses[i].code == code) {
            if (word)
                *word = statuses[i].word;
            return statuses[i].status;
        }
    }
    if (word)
        *word = "internal";
    return 500;
}
