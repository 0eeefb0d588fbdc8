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

#include "server.h"

/* Runs the loop until every step is done.  On failure "file: step N: why" in err. */
int demo_load(server *srv, const char *path, char *err, size_t errcap);

#endif
