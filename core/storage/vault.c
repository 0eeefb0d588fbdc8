/*
 * The vault: per-case keys wrapped by a master key, and sealed case files.
 * The formats are described in vault.h; this file keeps them honest.
 */
#include "storage/vault.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "kenes/plugin.h"
#include "base/error.h"
#include "base/map.h"
#include "base/util.h"
#include "storage/vault_internal.h"

/* The value of a key listed at open and not unwrapped yet. */
static char listed_mark;
#define LISTED ((void *)&listed_mark)

static unsigned char *slot_alloc(vault *v)
{
    key_chunk *c = v->chunks;
    while (c && c->used == CHUNK_SLOTS)
        c = c->next;
    if (!c) {
        c = calloc(1, sizeof(*c));
        if (!c)
            return NULL;
        c->mem = sodium_malloc(CHUNK_BYTES);
        if (!c->mem) {
            free(c);
            return NULL;
        }
        c->next = v->chunks;
        v->chunks = c;
    }
    for (size_t i = 0; i < CHUNK_SLOTS; i++) {
        if (!c->taken[i]) {
            c->taken[i] = 1;
            c->used++;
            return c->mem + i * KEY_BYTES;
        }
    }
    return NULL; /* unreachable: c has a free slot */
}

static void slot_free(vault *v, unsigned char *slot)
{
    sodium_memzero(slot, KEY_BYTES);
    uintptr_t p = (uintptr_t)slot;
    for (key_chunk **pp = &v->chunks; *pp; pp = &(*pp)->next) {
        key_chunk *c = *pp;
        uintptr_t base = (uintptr_t)c->mem;
        if (p < base || p >= base + CHUNK_BYTES)
            continue;
        c->taken[(p - base) / KEY_BYTES] = 0;
        /* Give an empty chunk back, so erasing many cases also frees their pages. */
        if (--c->used == 0) {
            *pp = c->next;
            sodium_free(c->mem);
            free(c);
        }
        return;
    }
}

/* "kenes-case-key:" + id into ad (at least CASE_KEY_AD_LEN + VAULT_ID_MAX). */
static size_t case_key_ad(unsigned char *ad, const char *doc_id, size_t id_len)
{
    memcpy(ad, CASE_KEY_AD, CASE_KEY_AD_LEN);
    memcpy(ad + CASE_KEY_AD_LEN, doc_id, id_len);
    return CASE_KEY_AD_LEN + id_len;
}

/* key wrapped with the master key into w (WRAPPED_BYTES): a key file's bytes. */
static void key_wrap(unsigned char *w, const vault *v, const char *doc_id, size_t id_len,
                     const unsigned char *key)
{
    unsigned char ad[CASE_KEY_AD_LEN + VAULT_ID_MAX];
    size_t adlen = case_key_ad(ad, doc_id, id_len);
    randombytes_buf(w, NONCE_BYTES);
    crypto_aead_xchacha20poly1305_ietf_encrypt(w + NONCE_BYTES, NULL, key, KEY_BYTES, ad, adlen,
                                               NULL, w, v->master);
}

/* The value of a lowercase hex digit, or KENES_EINVAL. */
static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    /* Lowercase only: one id has exactly one file name, never two. */
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return KENES_EINVAL;
}

/* A key file's name back to its id; 0, or KENES_EINVAL if the name is not one we write. */
static int id_from_name(char *id, size_t idcap, const char *name, size_t hex_len)
{
    if (hex_len == 0 || hex_len % 2 || hex_len / 2 >= idcap)
        return KENES_EINVAL;
    for (size_t i = 0; i < hex_len; i += 2) {
        int hi = hex_value(name[i]), lo = hex_value(name[i + 1]);
        /* A NUL byte would cut the id short and alias another case. */
        if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
            return KENES_EINVAL;
        id[i / 2] = (char)(hi << 4 | lo);
    }
    id[hex_len / 2] = '\0';
    return 0;
}

int vault_create_master(const char *path)
{
    if (!path)
        return KENES_EINVAL;
    if (sodium_init() < 0)
        return KENES_EIO;
    /* util_write_file_atomic renames over whatever is there, and replacing a
     * master key makes every case unreadable: refuse first.  (Two inits racing
     * on one directory could still both pass this; init is run by hand.) */
    struct stat st;
    if (lstat(path, &st) == 0)
        return KENES_EEXISTS;
    if (errno != ENOENT)
        return KENES_EIO;
    unsigned char key[KEY_BYTES];
    crypto_aead_xchacha20poly1305_ietf_keygen(key);
    int rc = util_write_file_atomic(path, (const char *)key, sizeof(key), 0600);
    sodium_memzero(key, sizeof(key));
    if (rc == KENES_ENOMEM)
        return KENES_ENOMEM;
    return rc < 0 ? KENES_EIO : 0;
}

/* Read the master key straight into locked memory (util_read_secret). */
static int master_load(unsigned char *key, const char *path, char *err, size_t errcap)
{
    int rc = util_read_secret(key, KEY_BYTES, path, "master key", err, errcap);
    if (rc == KENES_ENOTFOUND)
        util_set_err(err, errcap,
                "master key %s does not exist (kenes init makes one; "
                "KENES_MASTER_KEY_FILE names another)",
                path);
    return rc == KENES_ENOTFOUND || rc == KENES_EINVAL ? rc : rc < 0 ? KENES_EIO : 0;
}

/* Make keys_dir/cases (0700) so the store's writer has somewhere to put the
 * first key file, and make the new folder's entry durable: a key file
 * fsynced into a folder that vanishes in a crash is a lost case. */
static int cases_dir_ensure(const char *dir, const char *keys_dir, char *err, size_t errcap)
{
    struct stat st;
    if (stat(dir, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return 0;
        util_set_err(err, errcap, "%s is not a folder", dir);
        return KENES_EINVAL;
    }
    if (errno != ENOENT) {
        util_set_err(err, errcap, "cannot stat %s: %s", dir, strerror(errno));
        return KENES_EIO;
    }
    int rc = util_mkdirs(dir, 0700);
    if (rc < 0) {
        util_set_err(err, errcap, "cannot create %s: %s", dir, kenes_strerror(rc));
        return KENES_EIO;
    }
    int fd = open(keys_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) < 0) {
        util_set_err(err, errcap, "cannot sync %s: %s", keys_dir, strerror(errno));
        if (fd >= 0)
            close(fd);
        return KENES_EIO;
    }
    close(fd);
    return 0;
}

/* Unwrap the bytes of one key file (read from path) into the map.
 * KENES_EIO: damaged (the wrong length), KENES_EINVAL: it does not open
 * with the master key (err says which); the caller decides what that
 * means for the rest. */
static int key_unwrap(vault *v, const char *path, const char *doc_id, const char *data,
                      size_t len, char *err, size_t errcap)
{
    if (len != WRAPPED_BYTES) {
        util_set_err(err, errcap, "case key %s is %zu bytes, not %zu: the file is damaged", path, len,
                (size_t)WRAPPED_BYTES);
        return KENES_EIO; /* whatever the master key: not a sign that it is wrong */
    }
    unsigned char *slot = slot_alloc(v);
    if (!slot) {
        util_set_err(err, errcap, "out of memory loading %s", path);
        return KENES_ENOMEM;
    }
    unsigned char ad[CASE_KEY_AD_LEN + VAULT_ID_MAX];
    size_t adlen = case_key_ad(ad, doc_id, strlen(doc_id));
    const unsigned char *w = (const unsigned char *)data;
    unsigned long long klen;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(slot, &klen, NULL, w + NONCE_BYTES,
                                                   WRAPPED_BYTES - NONCE_BYTES, ad, adlen, w,
                                                   v->master) != 0) {
        /* Never skip it: with a wrong master key every file fails, and
         * skipping would make all cases look erased. */
        util_set_err(err, errcap,
                "case key %s does not open with the master key: wrong master key "
                "(KENES_MASTER_KEY_FILE?), or the file is damaged or renamed",
                path);
        slot_free(v, slot);
        return KENES_EINVAL;
    }
    if (map_set(v->keys, doc_id, slot) < 0) {
        util_set_err(err, errcap, "out of memory loading %s", path);
        slot_free(v, slot);
        return KENES_ENOMEM;
    }
    return 0;
}

/* Read one key file and unwrap it into the map: key_unwrap's codes, and
 * KENES_EIO when it cannot be read. */
void (*vault_read_hook)(const char *path);

static int case_key_load(vault *v, const char *path, const char *doc_id, char *err, size_t errcap)
{
    char *data;
    size_t len;
    if (vault_read_hook)
        vault_read_hook(path);
    int rc = util_read_file(&data, &len, path);
    if (rc < 0) {
        util_set_err(err, errcap, "cannot read case key %s: %s", path,
                     rc == KENES_ENOTFOUND ? "no such file" : strerror(errno));
        return rc == KENES_ENOMEM ? KENES_ENOMEM : KENES_EIO;
    }
    rc = key_unwrap(v, path, doc_id, data, len, err, errcap);
    sodium_memzero(data, len);
    free(data);
    return rc;
}

int vault_set_unavailable(vault *v, const char *doc_id, const char *why)
{
    if (!v || !doc_id || !why)
        return KENES_EINVAL;
    char *copy = strdup(why);
    void *old = map_get(v->unavailable, doc_id);
    if (!copy || map_set(v->unavailable, doc_id, copy) < 0) {
        free(copy);
        return KENES_ENOMEM;
    }
    free(old);
    return 0;
}

static void vault_unavailable_clear(vault *v, const char *doc_id)
{
    free(map_remove(v->unavailable, doc_id));
}

const char *vault_unavailable(const vault *v, const char *doc_id)
{
    return v && doc_id ? map_get(v->unavailable, doc_id) : NULL;
}

/* One key file that does not load: its case is unavailable, the others
 * load on.  Only a key that does not open with the master key (KENES_EINVAL)
 * counts towards "the master key is wrong" (cases_load). */
static int key_unavailable(vault *v, const char *id, int rc, const char *why, size_t *unopened)
{
    if (rc == KENES_ENOMEM)
        return rc;
    if (rc == KENES_EINVAL)
        (*unopened)++;
    return vault_set_unavailable(v, id, why);
}

/* List the key files of dir: each id goes into v->keys as LISTED, to be
 * unwrapped at its first use (key_get).  Until one key has opened, each is
 * unwrapped at once, as all were before: a wrong master key must stop the
 * open, and one good key is enough to clear it. */
static int cases_load(vault *v, const char *dir, char *err, size_t errcap)
{
    DIR *d = opendir(dir);
    if (!d) {
        util_set_err(err, errcap, "cannot open %s: %s", dir, strerror(errno));
        return KENES_EIO;
    }
    int rc = 0;
    size_t opened = 0, unopened = 0;
    char first[1024] = "";
    for (;;) {
        errno = 0;
        struct dirent *e = readdir(d);
        if (!e) {
            if (errno) {
                util_set_err(err, errcap, "cannot read %s: %s", dir, strerror(errno));
                rc = KENES_EIO;
            }
            break;
        }
        const char *name = e->d_name;
        size_t n = strlen(name);
        /* An erasure a crash interrupted: the key is listed like any other,
         * and vault_settle() decides its fate once the history is read. */
        int erasing = n > ERASING_LEN &&
                      memcmp(name + n - ERASING_LEN, VAULT_KEY_ERASING, ERASING_LEN) == 0;
        if (erasing)
            n -= ERASING_LEN;
        /* Dot files and util_write_file_atomic's leftover "<hex>.key.tmp.<pid>"
         * are not keys. */
        if (name[0] == '.' || n <= KEY_SUFFIX_LEN ||
            memcmp(name + n - KEY_SUFFIX_LEN, KEY_SUFFIX, KEY_SUFFIX_LEN) != 0)
            continue;
        char path[4096];
        if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path)) {
            util_set_err(err, errcap, "path too long: %s/%s", dir, name);
            rc = KENES_EINVAL;
            break;
        }
        char id[VAULT_ID_MAX + 1];
        if (id_from_name(id, sizeof(id), name, n - KEY_SUFFIX_LEN) < 0) {
            util_set_err(err, errcap,
                    "%s is not named <lowercase hex of a document id>.key; "
                    "move it out of %s",
                    path, dir);
            rc = KENES_EINVAL;
            break;
        }
        if (erasing) {
            char *copy = strdup(path);
            if (!copy || map_set(v->erasing, id, copy) < 0) {
                free(copy);
                util_set_err(err, errcap, "out of memory loading %s", path);
                rc = KENES_ENOMEM;
                break;
            }
        }
        if (vault_has_key(v, id))
            continue; /* "<hex>.key" and "<hex>.key.erasing" both: one key */
        if (opened) {
            if (map_set(v->keys, id, LISTED) < 0) {
                util_set_err(err, errcap, "out of memory listing %s", path);
                rc = KENES_ENOMEM;
                break;
            }
            vault_unavailable_clear(v, id); /* the ".erasing" twin may yet open */
            continue;
        }
        char why[1024];
        rc = case_key_load(v, path, id, why, sizeof(why));
        if (rc == 0) {
            opened++;
            vault_unavailable_clear(v, id); /* the ".erasing" twin opened */
        } else if ((rc = key_unavailable(v, id, rc, why, &unopened)) == 0 && !first[0]) {
            snprintf(first, sizeof(first), "%s", why);
        }
        if (rc < 0) {
            util_set_err(err, errcap, "out of memory loading %s", path);
            break;
        }
    }
    closedir(d);
    /* Never a key opens, and some do not: the master key is wrong (or every
     * file damaged alike), and every case would answer as unavailable.  That
     * is the operator's to see at once, not case by case. */
    if (rc == 0 && opened == 0 && unopened > 0) {
        util_set_err(err, errcap, "%s; no case key opens with this master key "
                     "(KENES_MASTER_KEY_FILE?)", first);
        rc = KENES_EINVAL;
    }
    return rc;
}

/* The file a listed key is read from: its "<hex>.key", or before
 * vault_settle() the "<hex>.key.erasing" a crash left when that is all
 * there is. */
static void key_file(const vault *v, const char *doc_id, char *out, size_t cap)
{
    vault_key_path(v, doc_id, out, cap);
    const char *pending = v->erasing ? map_get(v->erasing, doc_id) : NULL;
    if (pending && access(out, F_OK) != 0)
        snprintf(out, cap, "%s", pending);
}

/* doc_id's key into *key (inside a chunk), unwrapped now from its file if
 * it was only listed.  KENES_ENOTFOUND: it has none (erased, or never had
 * one); KENES_EUNAVAILABLE: its file is missing, damaged or does not open,
 * which is recorded (vault_unavailable says why) so that it is tried once;
 * KENES_ENOMEM. */
static int key_get(vault *v, const char *doc_id, const unsigned char **key)
{
    *key = NULL;
    void *k = map_get(v->keys, doc_id);
    if (!k)
        return map_get(v->unavailable, doc_id) ? KENES_EUNAVAILABLE : KENES_ENOTFOUND;
    if (k != LISTED) {
        *key = k;
        return 0;
    }
    char path[4096], why[1024];
    key_file(v, doc_id, path, sizeof(path));
    int rc = path[0] ? case_key_load(v, path, doc_id, why, sizeof(why)) : KENES_EIO;
    if (!path[0])
        snprintf(why, sizeof(why), "the key file's path of %s is too long", doc_id);
    if (rc == 0) {
        *key = map_get(v->keys, doc_id);
        return 0;
    }
    return rc == KENES_ENOMEM ? rc : vault_key_lost(v, doc_id, why);
}

int vault_key_ready(vault *v, const char *doc_id)
{
    const unsigned char *key;
    return v && doc_id ? key_get(v, doc_id, &key) : KENES_EINVAL;
}

int vault_key_listed(const vault *v, const char *doc_id)
{
    return v && doc_id && map_get(v->keys, doc_id) == LISTED;
}

int vault_key_supply(vault *v, const char *doc_id, const char *wrapped, size_t len)
{
    if (!v || !doc_id || (!wrapped && len))
        return KENES_EINVAL;
    void *k = map_get(v->keys, doc_id);
    if (k != LISTED)
        return k ? 0 : map_get(v->unavailable, doc_id) ? KENES_EUNAVAILABLE : KENES_ENOTFOUND;
    char path[4096], why[1024];
    key_file(v, doc_id, path, sizeof(path));
    int rc = key_unwrap(v, path, doc_id, wrapped, len, why, sizeof(why));
    return rc == 0 || rc == KENES_ENOMEM ? rc : vault_key_lost(v, doc_id, why);
}

int vault_key_arrived(vault *v, const char *doc_id)
{
    if (!v || !doc_id || !doc_id[0] || strlen(doc_id) > VAULT_ID_MAX)
        return KENES_EINVAL;
    if (map_get(v->keys, doc_id))
        return 0;
    if (map_set(v->keys, doc_id, LISTED) < 0)
        return KENES_ENOMEM;
    vault_unavailable_clear(v, doc_id); /* the file is here after all */
    return 0;
}

int vault_key_lost(vault *v, const char *doc_id, const char *why)
{
    if (!v || !doc_id || !why)
        return KENES_EINVAL;
    void *k = map_get(v->keys, doc_id);
    if (!k)
        return map_get(v->unavailable, doc_id) ? KENES_EUNAVAILABLE : KENES_ENOTFOUND;
    if (k == LISTED)
        map_remove(v->keys, doc_id);
    return vault_set_unavailable(v, doc_id, why) < 0 ? KENES_ENOMEM : KENES_EUNAVAILABLE;
}

int vault_key_wrap(vault *v, const char *doc_id, char **wrapped, size_t *wrapped_len)
{
    *wrapped = NULL;
    *wrapped_len = 0;
    const unsigned char *key = v && doc_id ? map_get(v->keys, doc_id) : NULL;
    size_t n = doc_id ? strlen(doc_id) : 0;
    if (!key || key == LISTED || n == 0 || n > VAULT_ID_MAX)
        return KENES_ENOTFOUND;
    unsigned char *w = malloc(WRAPPED_BYTES);
    if (!w)
        return KENES_ENOMEM;
    key_wrap(w, v, doc_id, n, key);
    *wrapped = (char *)w;
    *wrapped_len = WRAPPED_BYTES;
    return 0;
}

int vault_open(vault **out, const char *keys_dir, char *err, size_t errcap)
{
    if (out)
        *out = NULL;
    if (!out || !keys_dir || !*keys_dir) {
        util_set_err(err, errcap, "vault_open needs a keys folder");
        return KENES_EINVAL;
    }
    if (sodium_init() < 0) {
        util_set_err(err, errcap, "libsodium failed to initialise");
        return KENES_EIO;
    }
    vault *v = calloc(1, sizeof(*v));
    if (v)
        v->cases_fd = -1;
    if (!v || !(v->keys_dir = strdup(keys_dir)) || map_new(&v->keys) < 0 ||
        map_new(&v->erasing) < 0 || map_new(&v->unavailable) < 0 ||
        !(v->master = sodium_malloc(KEY_BYTES))) {
        util_set_err(err, errcap, "out of memory opening the vault");
        vault_close(v);
        return KENES_ENOMEM;
    }

    char path[4096];
    const char *env = getenv("KENES_MASTER_KEY_FILE");
    if (env && *env)
        snprintf(path, sizeof(path), "%s", env);
    else if ((size_t)snprintf(path, sizeof(path), "%s/master.key", keys_dir) >= sizeof(path))
        path[0] = '\0';
    if (!path[0] || strlen(path) >= sizeof(path) - 1) {
        util_set_err(err, errcap, "master key path too long");
        vault_close(v);
        return KENES_EINVAL;
    }
    int rc = master_load(v->master, path, err, errcap);

    char cases[4096];
    if (rc == 0 &&
        (size_t)snprintf(cases, sizeof(cases), "%s/cases", keys_dir) >= sizeof(cases)) {
        util_set_err(err, errcap, "keys folder path too long");
        rc = KENES_EINVAL;
    }
    if (rc == 0)
        rc = cases_dir_ensure(cases, keys_dir, err, errcap);
    if (rc == 0)
        rc = cases_load(v, cases, err, errcap);
    if (rc < 0) {
        vault_close(v);
        return rc;
    }
    *out = v;
    return 0;
}

/* Free a map whose values are malloc'd strings. */
static void free_strings(map **m)
{
    map_iter it;
    const char *id;
    void *text;
    if (!*m)
        return;
    map_iter_init(&it, *m);
    while (map_iter_next(&it, &id, &text))
        free(text);
    map_free(*m);
    *m = NULL;
}


int vault_settle(vault *v, int (*erased)(const char *doc_id, void *payload), void *payload,
                 char *err, size_t errcap)
{
    map_iter it;
    const char *id;
    void *path;
    int rc = 0;
    if (!v->erasing)
        return 0; /* settled before */
    map_iter_init(&it, v->erasing);
    while (rc == 0 && map_iter_next(&it, &id, &path)) {
        const char *pending = path;
        char key[4096];
        snprintf(key, sizeof(key), "%.*s", (int)(strlen(pending) - ERASING_LEN), pending);
        int e;
        if (erased(id, payload)) {
            /* The erasure was committed: finish it, and no "<hex>.key" may
             * stay either. */
            vault_forget_key(v, id);
            e = util_unlink_durable(pending);
            if (e == 0)
                e = util_unlink_durable(key);
        } else {
            /* It never was: the key goes back to work. */
            e = util_rename_durable(pending, key);
        }
        if (e < 0) {
            util_set_err(err, errcap, "cannot settle %s: %s", pending, kenes_strerror(e));
            rc = KENES_EIO;
        }
    }
    free_strings(&v->erasing);
    return rc;
}

void vault_close(vault *v)
{
    if (!v)
        return;
    while (v->chunks) {
        key_chunk *c = v->chunks;
        v->chunks = c->next;
        sodium_memzero(c->mem, CHUNK_BYTES);
        sodium_free(c->mem);
        free(c);
    }
    if (v->cases_fd >= 0)
        close(v->cases_fd);
    map_free(v->keys); /* its values were the slots just wiped */
    free_strings(&v->erasing);
    free_strings(&v->unavailable);
    if (v->master) {
        sodium_memzero(v->master, KEY_BYTES);
        sodium_free(v->master);
    }
    free(v->keys_dir);
    free(v);
}

void vault_key_path(const vault *v, const char *doc_id, char *out, size_t cap)
{
    if (!out || cap == 0)
        return;
    out[0] = '\0';
    if (!v || !doc_id)
        return;
    size_t n = strlen(doc_id);
    int pre = snprintf(out, cap, "%s/cases/", v->keys_dir);
    /* Truncated, the path would name some other file: leave it empty. */
    if (pre < 0 || (size_t)pre + 2 * n + KEY_SUFFIX_LEN >= cap) {
        out[0] = '\0';
        return;
    }
    static const char digits[] = "0123456789abcdef";
    char *p = out + pre;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)doc_id[i];
        *p++ = digits[c >> 4];
        *p++ = digits[c & 15];
    }
    memcpy(p, KEY_SUFFIX, KEY_SUFFIX_LEN + 1);
}

int vault_new_key(vault *v, const char *doc_id, char **wrapped, size_t *wrapped_len)
{
    if (wrapped)
        *wrapped = NULL;
    if (wrapped_len)
        *wrapped_len = 0;
    if (!v || !doc_id || !wrapped || !wrapped_len)
        return KENES_EINVAL;
    size_t n = strlen(doc_id);
    /* Longer ids would need a file name longer than NAME_MAX. */
    if (n == 0 || n > VAULT_ID_MAX)
        return KENES_EINVAL;
    /* A key that is there but cannot be used is still the case's: a new
     * one would overwrite the file that may yet be restored. */
    if (map_get(v->keys, doc_id) || map_get(v->unavailable, doc_id))
        return KENES_EEXISTS;

    unsigned char *slot = slot_alloc(v);
    unsigned char *w = malloc(WRAPPED_BYTES);
    if (!slot || !w || map_set(v->keys, doc_id, slot) < 0) {
        if (slot)
            slot_free(v, slot);
        free(w);
        return KENES_ENOMEM;
    }
    crypto_aead_xchacha20poly1305_ietf_keygen(slot);
    key_wrap(w, v, doc_id, n, slot);
    *wrapped = (char *)w;
    *wrapped_len = WRAPPED_BYTES;
    return 0;
}

int vault_has_key(const vault *v, const char *doc_id)
{
    return v && doc_id && map_get(v->keys, doc_id) != NULL;
}

int vault_forget_key(vault *v, const char *doc_id)
{
    if (!v || !doc_id)
        return KENES_EINVAL;
    unsigned char *slot = map_remove(v->keys, doc_id);
    if (!slot)
        return KENES_ENOTFOUND;
    if (slot != LISTED)
        slot_free(v, slot);
    return 0;
}

int vault_is_sealed(const char *buf, size_t len)
{
    return buf && len >= VAULT_MAGIC_LEN && memcmp(buf, VAULT_MAGIC, VAULT_MAGIC_LEN) == 0;
}

int vault_seal(vault *v, const char *doc_id, const char *plain, size_t len, char **out,
               size_t *out_len)
{
    if (out)
        *out = NULL;
    if (out_len)
        *out_len = 0;
    if (!v || !doc_id || (!plain && len) || !out || !out_len)
        return KENES_EINVAL;
    const unsigned char *key;
    int rc = key_get(v, doc_id, &key);
    if (rc < 0)
        return rc;
    if (len > crypto_aead_xchacha20poly1305_ietf_MESSAGEBYTES_MAX ||
        len > SIZE_MAX - SEAL_OVERHEAD)
        return KENES_ETOOBIG;
    size_t total = SEAL_OVERHEAD + len;
    unsigned char *buf = malloc(total);
    if (!buf)
        return KENES_ENOMEM;
    unsigned char *nonce = buf + VAULT_MAGIC_LEN;
    memcpy(buf, VAULT_MAGIC, VAULT_MAGIC_LEN);
    randombytes_buf(nonce, NONCE_BYTES);
    /* The id as associated data: a sealed file copied to another case's
     * path fails to open instead of showing up under the wrong case. */
    crypto_aead_xchacha20poly1305_ietf_encrypt(
        nonce + NONCE_BYTES, NULL, (const unsigned char *)(plain ? plain : ""), len,
        (const unsigned char *)doc_id, strlen(doc_id), NULL, nonce, key);
    *out = (char *)buf;
    *out_len = total;
    return 0;
}

int vault_unseal(vault *v, const char *doc_id, const char *sealed, size_t len, char **out,
                 size_t *out_len)
{
    if (out)
        *out = NULL;
    if (out_len)
        *out_len = 0;
    if (!v || !doc_id || !out || !out_len)
        return KENES_EINVAL;
    if (!vault_is_sealed(sealed, len) || len < SEAL_OVERHEAD)
        return KENES_EINVAL;
    const unsigned char *key;
    int rc = key_get(v, doc_id, &key);
    if (rc < 0)
        return rc;
    const unsigned char *nonce = (const unsigned char *)sealed + VAULT_MAGIC_LEN;
    size_t plain_len = len - SEAL_OVERHEAD;
    char *buf = malloc(plain_len + 1);
    if (!buf)
        return KENES_ENOMEM;
    unsigned long long got;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            (unsigned char *)buf, &got, NULL, nonce + NONCE_BYTES, len - VAULT_MAGIC_LEN - NONCE_BYTES,
            (const unsigned char *)doc_id, strlen(doc_id), nonce, key) != 0) {
        free(buf);
        return KENES_EINVAL;
    }
    buf[got] = '\0';
    *out = buf;
    *out_len = (size_t)got;
    return 0;
}
