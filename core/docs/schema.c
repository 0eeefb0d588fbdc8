/*
 * A type's declared fields.  (Issue 13: the plugins' schemas are being added;
 * until they are, no type declares any.)
 */
#include "docs/docs.h"

const json_t *docs_schema(const docs_service *svc, const char *type)
{
    (void)svc;
    (void)type;
    return NULL;
}
