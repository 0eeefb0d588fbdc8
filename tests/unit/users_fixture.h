/*
 * The auth tests' users (test_auth, test_passwd): a scratch folder with a
 * users.yaml of two users, and a clock the test alone moves.  Include
 * <cmocka.h> (and what it needs) first.
 */
#ifndef KENES_TEST_USERS_FIXTURE_H
#define KENES_TEST_USERS_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

/* A new folder /tmp/kenes-<name>-XXXXXX in dir, and its users.yaml in users
 * holding off11 (an official of KZ-11, password "long-enough-pass") and rev
 * (a reviewer, "another-long-pass").  The test fails if it cannot.  Remove
 * it with scratch_dir_remove(dir). */
void users_fixture_new(char *dir, size_t dcap, char *users, size_t ucap, const char *name);

/* auth's clock (auth_open_clock): the int64_t payload points at, in ms.  It
 * stands still while argon2id runs, however loaded the machine, and moves
 * only when the test moves it. */
int64_t users_fixture_clock(void *payload);

#endif
