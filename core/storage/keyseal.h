/*
 * Secrets sealed with a passphrase, for `kenes backup --with-keys`
 * (libsodium): the key is crypto_pwhash (Argon2id) of the passphrase, the
 * bytes go through crypto_secretstream_xchacha20poly1305 in chunks of
 * 64 KiB, the last tagged FINAL, so a chunk altered, dropped, reordered or
 * cut off fails.  The header holds all that opening needs but the
 * passphrase:
 *
 *     "kenes-keys 1\n"            13 bytes
 *     algorithm                   1 byte (crypto_pwhash_ALG_ARGON2ID13)
 *     opslimit, memlimit          8 bytes each, little-endian
 *     salt                        crypto_pwhash_SALTBYTES (16)
 *     secretstream header         24 bytes
 *
 * and is the associated data of the first chunk, so it cannot be changed
 * either.
 */
#ifndef KENES_KEYSEAL_H
#define KENES_KEYSEAL_H

#include <stddef.h>

/* What `kenes backup` uses: libsodium's MODERATE (3 passes, 256 MiB). */
#define KEYSEAL_OPSLIMIT 3ULL
#define KEYSEAL_MEMLIMIT (256ULL << 20)

/* Seal plain[0..len) under pass; *out malloc'd (*outlen bytes).  0, or
 * KENES_EINVAL (limits libsodium refuses), KENES_ENOMEM. */
int keyseal_seal(char **out, size_t *outlen, const void *plain, size_t len, const char *pass,
                 size_t passlen, unsigned long long opslimit, size_t memlimit);

/* Open what keyseal_seal() made: *out malloc'd.  KENES_EINVAL when it is
 * not such a file or its limits are beyond what kenes writes (1 GiB, 10
 * passes), KENES_EFORBIDDEN when the passphrase is wrong or the bytes were
 * altered or cut (secretstream cannot tell the two apart), KENES_ENOMEM. */
int keyseal_open(char **out, size_t *outlen, const void *sealed, size_t len, const char *pass,
                 size_t passlen);

#endif
