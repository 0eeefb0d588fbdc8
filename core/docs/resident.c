/*
 * A resident document kept as text (resident.h): made at each commit and
 * start-up read, taken as is from the snapshot at start.
 */
#include "docs/resident.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "storage/vault.h"

int docs_resident_keep(docs_service *svc, idx_doc *d, const json_t *doc)
{
    char *text = json_dumps(doc, JSON_COMPACT);
    if (!text)
        return KENES_ENOMEM;
    size_t n = strlen(text);
    if (d->repo != REPO_CASES) {
        index_set_text(d, text, n);
        return 0;
    }
    char *sealed = NULL;
    size_t len = 0;
    /* The key was used a moment ago (the commit sealed with it, or the
     * load opened the file with it): in memory, nothing is read. */
    int rc = vault_has_key(svc->vault, d->id) && !vault_key_listed(svc->vault, d->id)
                 ? vault_seal(svc->vault, d->id, text, n, &sealed, &len)
                 : KENES_EUNAVAILABLE;
    sodium_memzero(text, n);
    free(text);
    if (rc < 0)
        return rc;
    index_set_text(d, sealed, len);
    return 0;
}

int docs_resident_take(docs_service *svc, idx_doc *d, const char *bytes, size_t len)
{
    int sealed = vault_is_sealed(bytes, len);
    /* Nothing of cases.git is kept in the clear, and nothing else sealed. */
    if (sealed != (d->repo == REPO_CASES))
        return 1;
    if (sealed) {
        int rc = vault_key_ready(svc->vault, d->id);
        if (rc == KENES_ENOMEM)
            return rc;
        if (rc < 0)
            return 1;
    }
    char *text = malloc(len ? len : 1);
    if (!text)
        return KENES_ENOMEM;
    memcpy(text, bytes, len);
    index_set_text(d, text, len);
    return 0;
}
