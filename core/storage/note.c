#include "storage/note.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kenes/plugin.h"

#define B64 sodium_base64_VARIANT_ORIGINAL

int note_path(char *out, size_t cap, const char *doc_id, docpath_layout layout)
{
    return docpath_of(out, cap, doc_id, ".note", layout);
}

static char *to_b64(const char *bin, size_t len)
{
    size_t cap = sodium_base64_encoded_len(len, B64);
    char *out = malloc(cap);
    if (out)
        sodium_bin2base64(out, cap, (const unsigned char *)bin, len, B64);
    return out;
}

int note_seal(char **sealed, size_t *sealed_len, char **b64, vault *v, const char *doc_id,
              const char *comment)
{
    *sealed = NULL;
    *sealed_len = 0;
    *b64 = NULL;
    if (!comment || !*comment)
        return KENES_EINVAL;
    json_t *j = json_pack("{s:s}", "comment", comment);
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (!text)
        return KENES_EINVAL; /* not UTF-8, or out of memory */
    /* Padded (ISO/IEC 7816-4, libsodium) to a whole number of blocks, so that
     * the sealed note's size, which a copy of the repository shows, says
     * only roughly how long the comment is. */
    size_t len = strlen(text), padded = 0;
    char *plain = malloc(len + NOTE_PAD_BLOCK);
    int rc = plain ? 0 : KENES_ENOMEM;
    if (rc == 0) {
        memcpy(plain, text, len);
        if (sodium_pad(&padded, (unsigned char *)plain, len, NOTE_PAD_BLOCK,
                       len + NOTE_PAD_BLOCK) != 0)
            rc = KENES_EINVAL;
    }
    sodium_memzero(text, len);
    free(text);
    if (rc == 0)
        rc = vault_seal(v, doc_id, plain, padded, sealed, sealed_len);
    if (plain)
        sodium_memzero(plain, padded ? padded : len);
    free(plain);
    if (rc < 0)
        return rc;
    if (!(*b64 = to_b64(*sealed, *sealed_len))) {
        free(*sealed);
        *sealed = NULL;
        *sealed_len = 0;
        return KENES_ENOMEM;
    }
    return 0;
}

int note_open(char **comment, vault *v, const char *doc_id, const char *b64)
{
    *comment = NULL;
    if (!b64)
        return KENES_EINVAL;
    size_t cap = strlen(b64) / 4 * 3 + 3, len = 0;
    unsigned char *bin = malloc(cap);
    if (!bin)
        return KENES_ENOMEM;
    if (sodium_base642bin(bin, cap, b64, strlen(b64), NULL, &len, NULL, B64) != 0) {
        free(bin);
        return KENES_EINVAL;
    }
    char *plain = NULL;
    size_t plain_len = 0;
    int rc = vault_unseal(v, doc_id, (const char *)bin, len, &plain, &plain_len);
    free(bin);
    if (rc < 0)
        return rc;
    size_t unpadded;
    if (sodium_unpad(&unpadded, (const unsigned char *)plain, plain_len, NOTE_PAD_BLOCK) != 0)
        unpadded = plain_len; /* sealed before notes were padded */
    json_t *j = json_loadb(plain, unpadded, JSON_REJECT_DUPLICATES, NULL);
    const char *c = json_string_value(json_object_get(j, "comment"));
    rc = c ? 0 : KENES_EINVAL;
    if (c && !(*comment = strdup(c)))
        rc = KENES_ENOMEM;
    json_decref(j);
    sodium_memzero(plain, plain_len);
    free(plain);
    return rc;
}

int note_read(char **b64, store *s, const char *commit, const char *doc_id, const char *blob_id)
{
    *b64 = NULL;
    char path[DOCPATH_MAX], id[STORE_OID_HEX];
    /* Either layout's path finds it (store_blob_in looks in the other). */
    if (note_path(path, sizeof(path), doc_id, DOCPATH_FANOUT) < 0 || !blob_id)
        return KENES_EINVAL;
    char *bin = NULL;
    size_t len = 0;
    int rc = store_read_at(s, &bin, &len, commit, path);
    if (rc < 0)
        return rc;
    /* The signed message names the blob: another file at the path (a
     * note put back from another commit) is not this commit's note. */
    if (store_blob_id(id, bin, len) < 0 || strcmp(id, blob_id) != 0)
        rc = KENES_EINVAL;
    else if (!(*b64 = to_b64(bin, len)))
        rc = KENES_ENOMEM;
    free(bin);
    return rc;
}
