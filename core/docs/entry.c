/*
 * Skeleton (issue 16): every document resident and nothing kept beside its
 * JSON yet; part "entry" fills this in.
 */
#include "docs/entry.h"

int docs_resident(const docs_service *svc, const idx_doc *d)
{
    (void)svc;
    (void)d;
    return 1;
}

int docs_entry_keep(docs_service *svc, idx_doc *d, const json_t *doc)
{
    (void)svc;
    (void)d;
    (void)doc;
    return 0;
}
