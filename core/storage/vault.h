/*
 * The vault: case files encrypted at rest.
 *
 * Every case has its own random key (libsodium XChaCha20-Poly1305 IETF).
 * The file a case's commit stores in cases.git is sealed with that key, so a
 * copy of the repository reveals no child's name or decision.  Case keys are
 * kept wrapped (sealed with the server's master key) in
 * DATA/keys/cases/<hex of the id>.key, outside git, so that destroying one
 * erases a case without rewriting history.  The master key is
 * DATA/keys/master.key (32 random bytes, mode 0600, made by init) or the
 * file named by KENES_MASTER_KEY_FILE.
 *
 * vault_open() lists the key files' names (the set of cases with a key)
 * and unwraps a key at its first use: a start with tens of thousands of
 * cases opens none of their files.  Apart from that one read of a 72-byte
 * file per case (which a caller may do itself on the pool and hand over,
 * vault_key_supply), the vault does no I/O: new wrapped keys are handed to
 * the caller to write (the store's writer writes them durably before the
 * commit), and destroyed keys are forgotten in memory while the caller
 * removes the file.  Loop thread only: nothing here is shared with the pool.
 *
 * Sealed file: "KENESENC1\n" (10 bytes), 24-byte nonce, ciphertext + 16-byte
 * tag; the document id is the associated data, so a sealed file moved to
 * another case's path does not open.
 */
#ifndef KENES_VAULT_H
#define KENES_VAULT_H

#include <stddef.h>
#include <stdint.h>

#define VAULT_MAGIC "KENESENC1\n"
#define VAULT_MAGIC_LEN 10
/* Longest document id that can have a key: its file name (2 hex digits a
 * byte, ".key") must fit NAME_MAX (255) with room left for a writer's temp
 * suffix (util_write_file_atomic adds ".tmp.<pid>"). */
#define VAULT_ID_MAX 112

typedef struct vault vault;

/* Create a master key file (32 random bytes, 0600, fsynced).  KENES_EEXISTS if present. */
int vault_create_master(const char *path);

/* Load the master key (KENES_MASTER_KEY_FILE when set and non-empty, else
 * keys_dir/master.key; it must be 32 bytes and not readable by group or
 * others) and list the wrapped case keys under keys_dir/cases/, which is
 * made (0700) if missing.  A key file that cannot be read, is damaged or
 * does not unwrap makes its case unavailable (vault_unavailable), not the
 * vault: one case's fault must not stop the service.  Keys are unwrapped at
 * their first use (vault_seal, vault_unseal, vault_key_ready), except the
 * first ones listed, until one opens: when none unwraps and some do not,
 * the master key is wrong, and the open fails: a wrong master key must not
 * look like every case unavailable (or erased).  On failure *out is NULL
 * and err names the file and the reason. */
int vault_open(vault **out, const char *keys_dir, char *err, size_t errcap);
void vault_close(vault *v); /* wipes keys from memory; NULL is a no-op */

/* Where a document's wrapped key lives: keys_dir/cases/<lowercase hex of the
 * id's bytes>.key.  out is "" if cap is too small. */
void vault_key_path(const vault *v, const char *doc_id, char *out, size_t cap);

/* Make a new key for doc_id, usable at once; *wrapped (malloc'd) is what
 * must be written to vault_key_path().  KENES_EEXISTS if it has one (or an
 * unavailable one), KENES_EINVAL if the id is empty or longer than
 * VAULT_ID_MAX.  If writing the file fails, vault_forget_key() it so memory
 * matches the disk. */
int vault_new_key(vault *v, const char *doc_id, char **wrapped, size_t *wrapped_len);
/* 1 if doc_id has a key (it was not erased): made, or its file listed at
 * open and not yet found unusable at its first use. */
int vault_has_key(const vault *v, const char *doc_id);
/* Unwrap doc_id's key now if it is only listed (one read of its file).
 * 0 when it is usable, KENES_ENOTFOUND when it has none, KENES_EUNAVAILABLE
 * when its file is missing, damaged or does not open (recorded: from then
 * on vault_unavailable says why and vault_has_key answers 0), KENES_ENOMEM.
 * vault_seal and vault_unseal do this themselves; kenes verify asks it of
 * every case. */
int vault_key_ready(vault *v, const char *doc_id);
/* 1 if doc_id's key is listed and not unwrapped yet: a job on the pool may
 * read its file (vault_key_path) and hand the bytes to vault_key_supply, so
 * that the loop does not read it. */
int vault_key_listed(const vault *v, const char *doc_id);
/* Unwrap doc_id's listed key from the bytes of its file, read elsewhere:
 * vault_key_ready's codes (0 too when it was unwrapped already). */
int vault_key_supply(vault *v, const char *doc_id, const char *wrapped, size_t len);
/* A read replica (cmd/replica.c) receives a case whose key file was copied
 * in after open: list doc_id's key, to be supplied (vault_key_supply) from
 * the bytes of its file; a case recorded unavailable (its file had not
 * come) is so no more.  0 (also when it has a key in memory already: left
 * as it is), KENES_EINVAL, KENES_ENOMEM. */
int vault_key_arrived(vault *v, const char *doc_id);
/* doc_id's key file could not be read where it was looked for (a job on
 * the pool: why says what it found): a listed key becomes unavailable; a
 * key in memory stays there (vault_key_wrap can still save it) but the
 * case is unavailable as after a restart.  KENES_EUNAVAILABLE, or
 * KENES_ENOTFOUND when doc_id has no key, KENES_ENOMEM. */
int vault_key_lost(vault *v, const char *doc_id, const char *why);
/* doc_id's key, held in memory, wrapped anew with the master key (*wrapped
 * malloc'd, what a key file holds).  KENES_ENOTFOUND unless it is in
 * memory (listed only, or none), KENES_ENOMEM. */
int vault_key_wrap(vault *v, const char *doc_id, char **wrapped, size_t *wrapped_len);
/* Called with a key file's path each time the vault reads one itself (at
 * start, or a first use nobody prepared on the pool): tests count them. */
extern void (*vault_read_hook)(const char *path);
/* Forget doc_id's key (the caller removes the file).  KENES_ENOTFOUND if none. */
int vault_forget_key(vault *v, const char *doc_id);

/* 1 if doc_id's key file is there and of a wrapped key's size (one stat,
 * no read): what a start that reads no case file can check of each key;
 * a file damaged in place is found at its first use. */
int vault_key_file_whole(vault *v, const char *doc_id);

/* A key for one of kenes's own files, derived from the master key
 * (libsodium's KDF): purpose names the use, 8 characters ("idx-snap"), and
 * id tells keys of one use apart.  Changes only with the master key. */
#define VAULT_DERIVED_BYTES 32
void vault_derive_key(const vault *v, const char purpose[8], uint64_t id,
                      unsigned char out[VAULT_DERIVED_BYTES]);

/* Why doc_id's key cannot be used now (its file did not open at its first
 * use, or the history says it has one and the file is missing), or NULL:
 * a key only listed is not known to be bad before its first use (a caller
 * that must know asks vault_key_ready).  Such a case
 * is not erased: it answers "unavailable" until the file is restored and
 * the server restarted, and vault_new_key refuses its id. */
const char *vault_unavailable(const vault *v, const char *doc_id);
/* Record that doc_id's key is missing (start-up, which reads the history);
 * why is copied.  0, KENES_ENOMEM. */
int vault_set_unavailable(vault *v, const char *doc_id, const char *why);

/*
 * An erasure is two steps on disk around its commit: the store renames the
 * key file to "<hex>.key" VAULT_KEY_ERASING before committing, and deletes
 * it after (or renames it back if the commit failed).  A crash between
 * leaves the ".erasing" file: vault_open() lists its key like any other,
 * and once the history is read, vault_settle() finishes each such erasure
 * that was committed (erased(id) answers 1: the file is deleted, the key
 * forgotten) and puts back the key of each that was not.  Call it once at
 * start, before serving.  0, or KENES_EIO with err naming the file.
 */
#define VAULT_KEY_ERASING ".erasing"
int vault_settle(vault *v, int (*erased)(const char *doc_id, void *payload), void *payload,
                 char *err, size_t errcap);

/* 1 if buf starts with VAULT_MAGIC. */
int vault_is_sealed(const char *buf, size_t len);
/* Seal plain with doc_id's key; *out malloc'd.  KENES_ENOTFOUND without a
 * key, KENES_EUNAVAILABLE when it cannot be used (vault_key_ready). */
int vault_seal(vault *v, const char *doc_id, const char *plain, size_t len, char **out,
               size_t *out_len);
/* Open a sealed file; *out malloc'd and NUL-terminated.  KENES_ENOTFOUND when
 * the key was destroyed, KENES_EUNAVAILABLE when it cannot be used
 * (vault_key_ready), KENES_EINVAL when the file was altered or is not sealed. */
int vault_unseal(vault *v, const char *doc_id, const char *sealed, size_t len, char **out,
                 size_t *out_len);

#endif
