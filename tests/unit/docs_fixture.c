/* The document service's one unit-test fixture: see docs_fixture.h. */
#include <stdio.h>
#include <stdlib.h>

#include "docs/orders.h"
#include "docs_fixture.h"
#include "plugin/kapi.h"
#include "plugin/region.h"
#include "storage/index.h"

static const kenes_guard *find_guard(const char *name, void *payload)
{
    return plugin_find_guard(payload, name);
}

static int type_known(const char *type, void *payload)
{
    return plugin_find_type(payload, type) != NULL;
}

int docs_fixture_open(docs_service *svc, const char *wf_dir, int with_orders)
{
    char err[512] = "";
    orders *ord = NULL;
    if (region_load(KENES_SOURCE_DIR "/content/regions.yaml", err, sizeof(err)) != 0 ||
        plugin_set_new(&svc->plugins, kapi_get()) != 0 ||
        plugin_load_dir(svc->plugins, KENES_PLUGIN_BUILD_DIR, err, sizeof(err)) != 0 ||
        (with_orders && orders_load(&ord, KENES_SOURCE_DIR "/content/orders.yaml", err,
                               sizeof(err)) != 0)) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    wf_resolver res = {find_guard, type_known, svc->plugins, ord};
    if (wf_set_load_dir(&svc->workflows, wf_dir, &res, err, sizeof(err)) != 0 ||
        index_new(&svc->index) != 0) {
        fprintf(stderr, "%s\n", err);
        orders_free(ord);
        return -1;
    }
    if (ord)
        wf_set_adopt_orders(svc->workflows, ord);
    return 0;
}

int docs_fixture_spill(docs_service *svc, char dir[64], const char *what)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, 64, "%s/kenes-%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", what);
    if (!mkdtemp(dir) || index_pack_old(svc->index) != 0 || index_spill_to(svc->index, dir) != 0)
        return -1;
    return 0;
}

void docs_fixture_close(docs_service *svc)
{
    docs_detach_api(svc);
    index_free(svc->index);
    wf_set_free(svc->workflows);
    plugin_set_free(svc->plugins);
    vault_close(svc->vault);
    region_unload();
}
