/*
 * The document service's one fixture for the unit tests that run it
 * without a data folder (test_docs_list, test_docs_entry, test_docs_lookup,
 * test_public_face): the regions, the built plugins, a set of workflows and
 * an empty index, as the server loads them.
 */
#ifndef KENES_TEST_DOCS_FIXTURE_H
#define KENES_TEST_DOCS_FIXTURE_H

#include "docs/docs.h"

/* Load into svc content/regions.yaml, the built plugins, the workflows of
 * the folder wf_dir (with content/orders.yaml when with_orders is 1) and a new
 * index.  0, or -1 after saying why on stderr, as a cmocka setup answers. */
int docs_fixture_open(docs_service *svc, const char *wf_dir, int with_orders);
/* The plugins' api detached from svc (if it was attached), and svc's
 * index, workflows, plugins, vault (if any) and the regions freed. */
void docs_fixture_close(docs_service *svc);
/* From now on svc's index packs older versions and writes their full chunks
 * to a scratch file in a new empty folder under $TMPDIR, named into dir (the
 * file has no name: rmdir(dir) succeeds while it is open).  0, or -1. */
int docs_fixture_spill(docs_service *svc, char dir[64], const char *what);

#endif
