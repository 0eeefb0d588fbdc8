/*
 * Signing: the server's Ed25519 key and SSH signatures on its commits.
 *
 * Every commit kenes makes carries a "gpgsig" header holding an SSH
 * signature (OpenSSH's PROTOCOL.sshsig, namespace "git", SHA-512), so the
 * plain git command checks it:
 *
 *   git -c gpg.format=ssh -c gpg.ssh.allowedSignersFile=DATA/allowed_signers \
 *       verify-commit <commit>
 *
 * git finds the principal by the key (ssh-keygen -Y find-principals), not by
 * the committer, so the principal in allowed_signers is a label; kenes uses
 * the committer email.
 *
 * Files in the keys folder (DATA/keys):
 *   signing.key  the 64-byte libsodium Ed25519 secret key (seed || public
 *                key), mode 0600
 *   signing.pub  "ssh-ed25519 AAAA... kenes\n", the OpenSSH public key line
 *
 * A signer is read-only once open: signing needs no lock, so the store's
 * writer on the thread pool may use it while the loop reads it.
 */
#ifndef KENES_SIGN_H
#define KENES_SIGN_H

#include <stddef.h>

#define SIGN_KEY_FILE "signing.key"
#define SIGN_PUB_FILE "signing.pub"
#define SIGN_NAMESPACE "git"
#define SIGN_KEY_COMMENT "kenes"

/* "ssh-ed25519 " + 68 base64 digits + " kenes" + NUL fits; a principal adds its length. */
#define SIGN_LINE_MAX 128

typedef struct signer signer;

/* Make a new key: dir/signing.key (0600) and dir/signing.pub (0644), both
 * written durably; dir is made (0700) if missing.  KENES_EEXISTS if
 * dir/signing.key is there already (it is never replaced). */
int sign_create_key(const char *dir);

/* Load dir/signing.key into locked, read-only memory.  The file must be 64
 * bytes, readable by its owner only, and its public half must match its
 * seed.  On failure *out is NULL and err names the file and the reason. */
int sign_open(signer **out, const char *dir, char *err, size_t errcap);
/* Wipes the key.  NULL is a no-op. */
void sign_free(signer *s);

/* The OpenSSH public key line, "ssh-ed25519 AAAA... kenes" (no newline).
 * KENES_ETOOBIG if cap is too small (SIGN_LINE_MAX is enough). */
int sign_public_line(const signer *s, char *out, size_t cap);
/* The allowed_signers line for this key, "<principal> namespaces="git"
 * ssh-ed25519 AAAA..." (no newline).  KENES_EINVAL if principal is empty or
 * holds a space, a comma, a quote or a control character; KENES_ETOOBIG if
 * cap is too small. */
int sign_allowed_signers_line(const signer *s, const char *principal, char *out, size_t cap);

/* The signer's Ed25519 public key. */
void sign_public_key(const signer *s, unsigned char pubkey[32]);
/* "ssh-ed25519 AAAA... kenes" for a public key (no newline); KENES_ETOOBIG if
 * cap is too small (SIGN_LINE_MAX is enough). */
int sign_key_line(char *out, size_t cap, const unsigned char pubkey[32]);
/* "SHA256:..." as ssh-keygen -l and git print a key (SIGN_FINGERPRINT_MAX). */
#define SIGN_FINGERPRINT_MAX 56
int sign_key_fingerprint(char *out, size_t cap, const unsigned char pubkey[32]);

/* Sign data for namespace "git": *armored (malloc'd, NUL-terminated, ending
 * in a newline, as ssh-keygen -Y sign writes a .sig file) is the signature
 * between "-----BEGIN SSH SIGNATURE-----" and "-----END SSH SIGNATURE-----",
 * base64 in lines of 70.  Any thread. */
int sign_buffer(const signer *s, char **armored, size_t *len, const char *data, size_t data_len);

/* ---- checking (no key file needed: kenes verify on a copy of the data) ---- */

#define SIGN_PUBKEY_BYTES 32 /* an Ed25519 public key */

/* Check an armored SSH signature of data, as sign_buffer and ssh-keygen
 * -Y sign write it and git_commit_extract_signature returns it: made by
 * pubkey, for namespace "git", over the SHA-512 (or SHA-256) of data.
 * 0 if good; KENES_EINVAL if it is no SSH signature kenes reads (armour,
 * base64, layout, version, a key or signature type other than Ed25519, a
 * hash other than sha512/sha256); KENES_EFORBIDDEN if it is one but for
 * another namespace, by another key, or not of these bytes.  Any thread. */
int sign_verify(const char *armored, size_t len, const char *data, size_t data_len,
                const unsigned char pubkey[SIGN_PUBKEY_BYTES]);

/* The public key a signature names, which says whom to check it against
 * (sign_verify says whether that key made it).  0 or KENES_EINVAL. */
int sign_signature_key(unsigned char pubkey[SIGN_PUBKEY_BYTES], const char *armored, size_t len);

/* The Ed25519 key of one line of signing.pub ("ssh-ed25519 AAAA... kenes")
 * or of an allowed_signers file ("principals [options] ssh-ed25519 AAAA...
 * [comment]"); len excludes the newline, if any.  0 with pubkey set;
 * KENES_ENOTFOUND for a line that names no key for git signatures: blank,
 * a comment, another key type, a namespaces="..." list without git;
 * KENES_EINVAL for a malformed line, or options kenes does not honour
 * (cert-authority, valid-after, valid-before: such a key is not trusted). */
int sign_parse_key_line(unsigned char pubkey[SIGN_PUBKEY_BYTES], const char *line, size_t len);

#endif
