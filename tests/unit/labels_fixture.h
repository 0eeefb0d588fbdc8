/*
 * The shipped workflows behind api->label, for the plugin tests that read
 * report text: every built plugin is loaded (the workflows name their
 * guards), then workflows/, whose labels kapi then answers from.  Link
 * kenes_docs.  labels_setup() in a group setup, labels_teardown() after.
 */
#ifndef KENES_TEST_LABELS_FIXTURE_H
#define KENES_TEST_LABELS_FIXTURE_H

#include <stdio.h>

#include "docs/workflow.h"
#include "plugin/kapi.h"
#include "plugin/loader.h"

static plugin_set *labels_plugins;
static wf_set *labels_workflows;

static const kenes_guard *labels_find_guard(const char *name, void *payload)
{
    return plugin_find_guard(payload, name);
}

static int labels_type_known(const char *type, void *payload)
{
    return plugin_find_type(payload, type) != NULL;
}

static int labels_setup(void)
{
    char err[512];
    if (plugin_set_new(&labels_plugins, kapi_get()) != 0 ||
        plugin_load_dir(labels_plugins, KENES_PLUGIN_BUILD_DIR, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    wf_resolver res = {labels_find_guard, labels_type_known, labels_plugins};
    if (wf_set_load_dir(&labels_workflows, KENES_SOURCE_DIR "/workflows", &res, err,
                        sizeof(err)) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    kapi_set_labels(wf_set_label, labels_workflows);
    return 0;
}

static void labels_teardown(void)
{
    wf_set_free(labels_workflows);
    plugin_set_free(labels_plugins);
    labels_workflows = NULL;
    labels_plugins = NULL;
}

#endif
