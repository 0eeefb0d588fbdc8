/*
 * The vault's insides, shared by vault.c (keys and sealed files) and
 * vault_derive.c (derived keys; what a start checks of a key file).
 */
#ifndef KENES_VAULT_INTERNAL_H
#define KENES_VAULT_INTERNAL_H

#include <sodium.h>
#include <stddef.h>

#include "base/map.h"
#include "storage/vault.h"

#define KEY_BYTES crypto_aead_xchacha20poly1305_ietf_KEYBYTES
#define NONCE_BYTES crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG_BYTES crypto_aead_xchacha20poly1305_ietf_ABYTES

/* A wrapped case key file: nonce || sealed key || tag. */
#define WRAPPED_BYTES (NONCE_BYTES + KEY_BYTES + TAG_BYTES)
/* Everything a sealed file carries besides the ciphertext. */
#define SEAL_OVERHEAD (VAULT_MAGIC_LEN + NONCE_BYTES + TAG_BYTES)

/* Bound to each wrapped key, so a key file renamed to another case's name
 * does not unwrap (and cannot be mistaken for any other kind of sealed blob). */
#define CASE_KEY_AD "kenes-case-key:"
#define CASE_KEY_AD_LEN (sizeof(CASE_KEY_AD) - 1)

#define KEY_SUFFIX ".key"
#define KEY_SUFFIX_LEN (sizeof(KEY_SUFFIX) - 1)
#define ERASING_LEN (sizeof(VAULT_KEY_ERASING) - 1)

/*
 * Case keys live in page-sized sodium_malloc'd chunks, many to a chunk.
 * One sodium_malloc per key would cost four pages and about four memory
 * mappings each (guard pages on both sides), so a server holding tens of
 * thousands of cases would run into vm.max_map_count (65530) and spend
 * 16 KiB per 32-byte key.  A chunk keeps the same protection (locked,
 * guarded, never in the malloc heap) for 128 keys at a time.
 */
#define CHUNK_BYTES 4096
#define CHUNK_SLOTS (CHUNK_BYTES / KEY_BYTES)

typedef struct key_chunk {
    struct key_chunk *next;
    unsigned char *mem; /* sodium_malloc(CHUNK_BYTES) */
    size_t used;
    unsigned char taken[CHUNK_SLOTS];
} key_chunk;

struct vault {
    unsigned char *master; /* sodium_malloc(KEY_BYTES) */
    char *keys_dir;
    /* document id -> KEY_BYTES inside a chunk once unwrapped, or LISTED:
     * its file was seen at open and is read and unwrapped at first use
     * (key_get), so a start lists tens of thousands of names instead of
     * opening as many files. */
    map *keys;
    map *erasing; /* document id -> path of its "<hex>.key.erasing", until vault_settle() */
    /* document id -> why its key cannot be used (malloc'd words): a key
     * file that does not open, or one the history says must exist and does
     * not (vault_set_unavailable).  Not erased: the file may come back. */
    map *unavailable;
    key_chunk *chunks;
    /* keys_dir/cases, opened at the first vault_key_file_whole: a start
     * asks it of every case, one name each rather than a whole path. */
    int cases_fd;
};

#endif
