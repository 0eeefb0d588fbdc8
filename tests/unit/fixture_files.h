/*
 * Scratch folders and shell commands for the unit tests that touch disk
 * and keys (test_sign, test_vault, test_note, test_dossier, test_render,
 * test_store, test_journal, test_checkpoint): what each of them wrote for
 * itself before.  Include <cmocka.h> (and what it needs) first.
 */
#ifndef KENES_TEST_FIXTURE_FILES_H
#define KENES_TEST_FIXTURE_FILES_H

#include <stdarg.h>
#include <stddef.h>

/* A new folder /tmp/kenes-<name>-XXXXXX, its name in dir (cap bytes): 0, or
 * -1 as a cmocka setup answers. */
int scratch_dir_new(char *dir, size_t cap, const char *name);
/* Remove dir and everything below it. */
void scratch_dir_remove(const char *dir);

/* dir/keys, made private (0700), in keys (kcap bytes), and the master key's
 * path in it, keys/master.key, in master; KENES_MASTER_KEY_FILE unset, so
 * that the tests' own environment does not choose the master key.  0 or -1. */
int keys_dir_new(char *keys, size_t kcap, char *master, size_t mcap, const char *dir);

/* Run the shell command made from fmt, its output and errors to the file
 * out (NULL: the test's own); the status system() gives. */
int sh_v(const char *out, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The first line the shell command cmd prints, without the newline, in
 * out ("" if none). */
void sh_first_line(char *out, size_t cap, const char *cmd);

#endif
