/*
 * What the vault gives beyond the case keys: keys derived from the master
 * key for kenes's own sealed files, and the check a start makes of a key
 * file without reading it.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "storage/vault_internal.h"

void vault_derive_key(const vault *v, const char purpose[8], uint64_t id,
                      unsigned char out[VAULT_DERIVED_BYTES])
{
    _Static_assert(KEY_BYTES == crypto_kdf_KEYBYTES, "the master key is a KDF key");
    crypto_kdf_derive_from_key(out, VAULT_DERIVED_BYTES, id, purpose, v->master);
}

int vault_key_file_whole(vault *v, const char *doc_id)
{
    char path[4096];
    struct stat st;
    vault_key_path(v, doc_id, path, sizeof(path));
    const char *name = strrchr(path, '/');
    if (!path[0] || !name)
        return 0;
    if (v->cases_fd < 0) {
        char dir[4096];
        snprintf(dir, sizeof(dir), "%.*s", (int)(name - path), path);
        v->cases_fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    }
    int rc = v->cases_fd >= 0 ? fstatat(v->cases_fd, name + 1, &st, 0) : stat(path, &st);
    return rc == 0 && S_ISREG(st.st_mode) && st.st_size == WRAPPED_BYTES;
}
