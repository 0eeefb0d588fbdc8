/*
 * serve --demo: play content/demo/documents.yaml into an empty data folder.
 * Each step acts as a demo user through the same operations the API uses
 * (create, edit, transition), so demo documents carry real commits,
 * validations and guards.
 *
 *   steps:
 *     - {as: official-kz11, name: plan11, create: {type: regional-plan, region: KZ-11, ...}}
 *     - {as: official-kz11, doc: plan11, act: submit}
 *     - {as: reviewer, doc: plan11, act: return, comment: "..."}
 *     - {as: official-kz11, doc: plan11, edit: {body: "..."}}
 *
 * `doc` is a name given by an earlier create (case ids are chosen by the
 * server) or a document id.
 */
#ifndef KENES_DEMO_H
#define KENES_DEMO_H

#include <stddef.h>

#include "cmd/server.h"

/* Runs the loop until every step is done.  On failure "file: step N: why" in err. */
int demo_load(server *srv, const char *path, char *err, size_t errcap);

/* 0 if the folder holds only what the demo makes: every user in users.yaml a
 * demo login (content/demo/users.yaml) with its name, role, region and
 * password, and every version of every document by a demo login.  Otherwise
 * KENES_EEXISTS with one line in err naming the first user or document that
 * is not: --demo adds logins with public passwords, never to a real folder.
 * Needs srv's users and index loaded. */
int demo_check_data(server *srv, char *err, size_t errcap);

/* Add the demo logins that do not exist yet to DATA/users.yaml and print them all. */
int demo_users_add(const config *cfg, char *err, size_t errcap);

#endif
