#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/config.h"
#include "kenes/plugin.h"

static char dir[64];

static void write_yaml(const char *text)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/kenes.yaml", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void defaults_and_written_default(void **state)
{
    (void)state;
    config c;
    char err[256];
    assert_int_equal(config_load(&c, dir, err, sizeof(err)), 0);
    assert_int_equal(c.listen_port, 8080);
    assert_int_equal(c.max_header_bytes, 16384);
    assert_int_equal(c.max_body_bytes, 1048576);
    assert_int_equal(c.session_idle_s, 28800);
    assert_int_equal(c.session_lifetime_s, 43200);
    config_dispose(&c);
    /* The file init writes spells out the same defaults. */
    assert_int_equal(config_write_default(dir), 0);
    assert_int_equal(config_load(&c, dir, err, sizeof(err)), 0);
    assert_int_equal(c.listen_port, 8080);
    assert_string_equal(c.listen_host, "127.0.0.1");
    assert_int_equal(c.max_body_bytes, 1048576);
    assert_string_equal(c.committer_name, "kenes");
    assert_int_equal(c.max_connections_per_address, 64);
    assert_int_equal(c.header_timeout_s, 10);
    assert_int_equal(c.max_logins, 8);
    assert_int_equal(c.max_logins_per_address, 2);
    assert_int_equal(c.session_lifetime_s, 43200);
    assert_int_equal(c.attachments_max_bytes, 10485760);
    assert_int_equal(c.storage_max_packs, 32);
    assert_int_equal(c.index_snapshot_every, 1000);
    assert_int_equal(c.storage_pack_memory_mib, 32);
    assert_int_equal(c.storage_max_merge_mib, 16);
    assert_int_equal(c.index_cache_mib, 32);
    assert_int_equal(c.prepared_mib, 16);
    assert_int_equal(c.git_cache_mib, 32);
    assert_int_equal(c.page_cache_mib, 16);
    config_dispose(&c);
}

static void values_and_errors(void **state)
{
    (void)state;
    config c;
    char err[256];
    write_yaml("listen: 0.0.0.0:9000\nlimits:\n  max_body_bytes: 2048\n"
               "  request_timeout_seconds: 20\n  max_connections: 50\n");
    assert_int_equal(config_load(&c, dir, err, sizeof(err)), 0);
    assert_string_equal(c.listen_host, "0.0.0.0");
    assert_int_equal(c.listen_port, 9000);
    assert_int_equal(c.max_body_bytes, 2048);
    assert_int_equal(c.request_timeout_s, 20);
    assert_int_equal(c.max_connections, 50);
    config_dispose(&c);

    write_yaml("limits:\n  max_connections_per_address: 5\n  header_timeout_seconds: 3\n"
               "  max_logins: 4\n  max_logins_per_address: 1\n");
    assert_int_equal(config_load(&c, dir, err, sizeof(err)), 0);
    assert_int_equal(c.max_connections_per_address, 5);
    assert_int_equal(c.header_timeout_s, 3);
    assert_int_equal(c.max_logins, 4);
    assert_int_equal(c.max_logins_per_address, 1);
    config_dispose(&c);

    write_yaml("limits:\n  max_logins_per_address: 0\n");
    assert_int_equal(config_load(&c, dir, err, sizeof(err)), KENES_EINVAL);
    assert_non_null(strstr(err, "kenes.yaml:2: max_logins_per_address must be a positive"));
    config_dispose(&c);

    write_yaml("limits:\n  header_timeout_seconds: 99999999\n");
    assert_int_equal(config_load(&c, dir, err, sizeof(err)), KENES_EINVAL);
    config_dispose(&c);

    write_yaml("sessions:\n  idle_timeout_seconds: 600\n  max_lifetime_seconds: 3600\n");
    assert_int_equal(config_load(&c, dir, err, sizeof(err)), 0);
    assert_int_equal(c.session_idle_s, 600);
    assert_int_equal(c.session_lifetime_s, 3600);
    config_dispose(&c);

    /* One attached file's limit (and its upload route's body). */
    write_yaml("attachments:\n  max_bytes: 4096\n");
    assert_int_equal(config_load(&c, dir, err, sizeof(err)), 0);
    assert_int_equal(c.attachments_max_bytes, 4096);
    assert_int_equal(c.max_body_bytes, 1048576);
    config_dispose(&c);
    write_yaml("attachments:\n  max_bytes: 0\n");
    assert_int_equal(config_load(&c, dir, err, sizeof(err)), KENES_EINVAL);
    assert_non_null(strstr(err, "kenes.yaml:2: max_bytes must be a positive"));
    config_dispose(&c);

    /* Packs a repository may hold before the server consolidates them. */
    write_yaml("storage:\n  max_packs: 4\n");
    assert_int_equal(config_load(&c, dir, err, sizeof(err)), 0);
    assert_int_equal(c.storage_max_packs, 4);
    config_dispose(&c);
    write_yaml("storage:\n  max_packs: none\n");
    assert_int_equal(config_load(&c, dir, err, sizeof(err)), KENES_EINVAL);
    assert_non_null(strstr(err, "kenes.yaml:2: max_packs must be a positive"));
    config_dispose(&c);
    /* A consolidation's pack builder (store_pack_limits): 1..4096 MiB. */
    write_yaml("storage:\n  pack_memory_mib: 8\n");
    assert_int_equal(config_load(&c, dir, err, sizeof(err)), 0);
    assert_int_equal(c.storage_pack_memory_mib, 8);
    config_dispose(&c);
    write_yaml("storage:\n  pack_memory_mib: 0\n");
    assert_int_equal(config_load(&c, dir, err, sizeof(err)), KENES_EINVAL);
    assert_non_null(strstr(err, "kenes.yaml:2: pack_memory_mib must be a positive"));
    config_dispose(&c);
    write_yaml("storage:\n  pack_memory_mib: 5000\n");
    assert_int_equal(config_load(&c, dir, err, sizeof(err)), KENES_EINVAL);
    assert_non_null(strstr(err, "kenes.yaml:2: pack_memory_mib must be between 1 and 4096"));
    config_dispose(&c);
    /* One consolidation's merge (pack_choice.h): 1..1048576 MiB. */
    write_yaml("storage:\n  max_merge_mib: 64\n");
    assert_int_equal(config_load(&c, dir, err, sizeof(err)), 0);
    assert_int_equal(c.storage_max_merge_mib, 64);
    config_dispose(&c);
    write_yaml("storage:\n  max_merge_mib: 0\n");
    assert_int_equal(config_load(&c, dir, err, sizeof(err)), KENES_EINVAL);
    assert_non_null(strstr(err, "kenes.yaml:2: max_merge_mib must be a positive"));
    config_dispose(&c);
    write_yaml("storage:\n  max_merge_mib: 2000000\n");
    assert_int_equal(config_load(&c, dir, err, sizeof(err)), KENES_EINVAL);
    assert_non_null(strstr(err, "kenes.yaml:2: max_merge_mib must be between 1 and 1048576"));
    config_dispose(&c);

    /* The documents' JSON kept in memory (docs/fetch.h): MiB, 32 by default. */
    write_yaml("index:\n  cache_mib: 4\n");
    assert_int_equal(config_load(&c, dir, err, sizeof(err)), 0);
    assert_int_equal(c.index_cache_mib, 4);
    config_dispose(&c);
    write_yaml("index:\n  cache_mib: 0\n");
    assert_int_equal(config_load(&c, dir, err, sizeof(err)), KENES_EINVAL);
    assert_non_null(strstr(err, "kenes.yaml:2: cache_mib must be a positive"));
    config_dispose(&c);
    write_yaml("index:\n  cache_mib: lots\n");
    assert_int_equal(config_load(&c, dir, err, sizeof(err)), KENES_EINVAL);
    assert_non_null(strstr(err, "kenes.yaml:2: cache_mib must be a positive"));
    config_dispose(&c);
    write_yaml("index:\n  cache_mib: 70000\n");
    assert_int_equal(config_load(&c, dir, err, sizeof(err)), KENES_EINVAL);
    assert_non_null(strstr(err, "kenes.yaml:2: cache_mib must be at most 65536"));
    config_dispose(&c);
    /* Commits between two snapshots of the index (docs/snap.h): 1000 by default. */
    write_yaml("index:\n  snapshot_every: 50\n");
    assert_int_equal(config_load(&c, dir, err, sizeof(err)), 0);
    assert_int_equal(c.index_snapshot_every, 50);
    config_dispose(&c);
    /* A sign is no whole number (strtoull would take "-5" for 2^64 - 5). */
    static const char *const every[] = {"0", "-5", "+5", " 5", "often"};
    for (size_t i = 0; i < sizeof(every) / sizeof(every[0]); i++) {
        char yaml[96];
        snprintf(yaml, sizeof(yaml), "index:\n  snapshot_every: \"%s\"\n", every[i]);
        write_yaml(yaml);
        assert_int_equal(config_load(&c, dir, err, sizeof(err)), KENES_EINVAL);
        if (!strstr(err, "kenes.yaml:2: snapshot_every must be a positive"))
            fail_msg("%s: got \"%s\"", every[i], err);
        config_dispose(&c);
    }
    /* Answers kept made (report pages, public pages, documents' JSON). */
    write_yaml("limits:\n  prepared_mib: 64\n");
    assert_int_equal(config_load(&c, dir, err, sizeof(err)), 0);
    assert_int_equal(c.prepared_mib, 64);
    config_dispose(&c);
    write_yaml("limits:\n  prepared_mib: 0\n");
    assert_int_equal(config_load(&c, dir, err, sizeof(err)), KENES_EINVAL);
    assert_non_null(strstr(err, "kenes.yaml:2: prepared_mib must be a positive"));
    config_dispose(&c);
    write_yaml("limits:\n  prepared_mib: 16MiB\n");
    assert_int_equal(config_load(&c, dir, err, sizeof(err)), KENES_EINVAL);
    assert_non_null(strstr(err, "prepared_mib must be a positive"));
    config_dispose(&c);
    write_yaml("limits:\n  prepared_mib: 100000\n");
    assert_int_equal(config_load(&c, dir, err, sizeof(err)), KENES_EINVAL);
    assert_non_null(strstr(err, "kenes.yaml:2: prepared_mib must be at most 65536"));
    config_dispose(&c);
    /* The caches' bounds: a whole positive number of MiB, not past 64 GiB. */
    write_yaml("limits:\n  git_cache_mib: 8\n  page_cache_mib: 4\n");
    assert_int_equal(config_load(&c, dir, err, sizeof(err)), 0);
    assert_int_equal(c.git_cache_mib, 8);
    assert_int_equal(c.page_cache_mib, 4);
    config_dispose(&c);
    static const char *const bad[] = {
        "limits:\n  git_cache_mib: 0\n",         "kenes.yaml:2: git_cache_mib must be a positive",
        "limits:\n  git_cache_mib: 32MB\n",      "kenes.yaml:2: git_cache_mib must be a positive",
        "limits:\n  git_cache_mib: -1\n",        "kenes.yaml:2: git_cache_mib must be a positive",
        "limits:\n  git_cache_mib: 65537\n",     "kenes.yaml:2: a cache must be at most 65536 MiB",
        "limits:\n  page_cache_mib: 0\n",        "kenes.yaml:2: page_cache_mib must be a positive",
        "limits:\n  page_cache_mib: [1]\n",      "kenes.yaml:2: page_cache_mib must be a positive",
        "limits:\n  page_cache_mib: 99999999\n", "kenes.yaml:2: a cache must be at most 65536 MiB",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i += 2) {
        write_yaml(bad[i]);
        assert_int_equal(config_load(&c, dir, err, sizeof(err)), KENES_EINVAL);
        if (!strstr(err, bad[i + 1]))
            fail_msg("%s: got \"%s\"", bad[i], err);
        config_dispose(&c);
    }

    write_yaml("sessions:\n  max_lifetime_seconds: 0\n");
    assert_int_equal(config_load(&c, dir, err, sizeof(err)), KENES_EINVAL);
    assert_non_null(strstr(err, "kenes.yaml:2:"));
    config_dispose(&c);

    write_yaml("listen: 127.0.0.1:8080\nlimits:\n  max_body_bytes: lots\n");
    assert_int_equal(config_load(&c, dir, err, sizeof(err)), KENES_EINVAL);
    assert_non_null(strstr(err, "kenes.yaml:3:"));
    config_dispose(&c);

    write_yaml("listen: 127.0.0.1:8080\nlisen: typo\n");
    assert_int_equal(config_load(&c, dir, err, sizeof(err)), KENES_EINVAL);
    assert_non_null(strstr(err, "kenes.yaml:2: unknown key 'lisen'"));
    config_dispose(&c);

    write_yaml("listen: nowhere\n");
    assert_int_equal(config_load(&c, dir, err, sizeof(err)), KENES_EINVAL);
    config_dispose(&c);

    write_yaml("listen: [unclosed\n");
    assert_int_equal(config_load(&c, dir, err, sizeof(err)), KENES_EINVAL);
    config_dispose(&c);
}

/* mirrors: each remote with its repository and credentials' files; every
 * mistake names its line, and a failed load frees what it read. */
static void mirrors(void **state)
{
    (void)state;
    config c;
    char err[512], key[128], yaml[1024];
    snprintf(key, sizeof(key), "%s/kenes.yaml", dir); /* any readable file */
    snprintf(yaml, sizeof(yaml),
             "mirrors:\n"
             "  documents:\n"
             "    - url: file:///srv/m/documents.git\n"
             "    - url: ssh://git@backup.example.kz/d.git\n"
             "      key: %s\n"
             "  cases:\n"
             "    - url: https://git.example.kz/cases.git\n"
             "      token_file: %s\n"
             "      user: oauth2\n", key, key);
    write_yaml(yaml);
    assert_int_equal(config_load(&c, dir, err, sizeof(err)), 0);
    assert_int_equal(c.nmirrors, 3);
    assert_int_equal(c.mirrors[0].repo, 0);
    assert_int_equal(c.mirrors[0].scheme, CONFIG_MIRROR_FILE);
    assert_null(c.mirrors[0].key);
    assert_int_equal(c.mirrors[1].scheme, CONFIG_MIRROR_SSH);
    assert_string_equal(c.mirrors[1].key, key);
    assert_int_equal(c.mirrors[2].repo, 1);
    assert_string_equal(c.mirrors[2].token_file, key);
    assert_string_equal(c.mirrors[2].user, "oauth2");
    assert_int_equal(c.mirrors[0].interval_s, 0);
    assert_int_equal(c.mirrors[1].interval_s, CONFIG_MIRROR_SSH_INTERVAL_S);
    assert_int_equal(c.mirrors[2].interval_s, 0);
    config_dispose(&c);
    write_yaml("mirrors:\n  documents:\n    - url: file:///srv/m/d.git\n      interval: 600\n");
    assert_int_equal(config_load(&c, dir, err, sizeof(err)), 0);
    assert_int_equal(c.mirrors[0].interval_s, 600);
    config_dispose(&c);

    static const struct { const char *yaml, *want; } bad[] = {
        {"mirrors:\n  documents:\n    - url: ftp://h/x.git\n", "kenes.yaml:3: a mirror's url"},
        {"mirrors:\n  documents:\n    - url: https://u:p@h/x.git\n", "must not carry credentials"},
        {"mirrors:\n  documents:\n    - url: ssh://git:pw@h/x.git\n", "must not carry credentials"},
        {"mirrors:\n  documents:\n    - url: file://host/x.git\n", "absolute path"},
        {"mirrors:\n  documents:\n    - url: file:///tmp/%64ata/x.git\n", "%-escapes"},
        {"mirrors:\n  documents:\n    - url: https://h/x.git\n      key: /k\n", "key: is for"},
        {"mirrors:\n  documents:\n    - url: https://h/x.git\n      token_file: rel\n",
         "absolute path"},
        {"mirrors:\n  documents:\n    - url: file:///m/x.git\n  cases:\n"
         "    - url: file:///m/x.git\n", "kenes.yaml:5: file:///m/x.git is named twice"},
        {"mirrors:\n  documents: file:///m/x.git\n", "a list of mirrors"},
        {"mirrors:\n  documents:\n    - file:///m/x.git\n", "a mirror is a mapping"},
        {"mirrors:\n  documents:\n    - url: file:///m/x.git\n      interval: -5\n",
         "kenes.yaml:4: interval is the least number of seconds between two pushes, 0 to 86400"},
        {"mirrors:\n  documents:\n    - url: file:///m/x.git\n      interval: 86401\n",
         "0 to 86400"},
        {"mirrors:\n  documents:\n    - url: file:///m/x.git\n      interval: 1m\n",
         "0 to 86400"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        write_yaml(bad[i].yaml);
        assert_int_equal(config_load(&c, dir, err, sizeof(err)), KENES_EINVAL);
        if (!strstr(err, bad[i].want))
            fail_msg("%s: got %s", bad[i].yaml, err);
        config_dispose(&c);
    }
    unlink(key);
}

/* replica: primary: makes a replica; the address is checked. */
static void replica(void **state)
{
    (void)state;
    config c;
    char err[512];
    write_yaml("replica:\n  primary: https://kenes.example.kz:8443\n");
    assert_int_equal(config_load(&c, dir, err, sizeof(err)), 0);
    assert_int_equal(c.replica, 1);
    assert_string_equal(c.replica_primary, "https://kenes.example.kz:8443");
    config_dispose(&c);
    write_yaml("listen: 127.0.0.1:1\n");
    assert_int_equal(config_load(&c, dir, err, sizeof(err)), 0);
    assert_int_equal(c.replica, 0);
    assert_null(c.replica_primary);
    config_dispose(&c);
    static const char *const bad[] = {
        "replica:\n  primary: ftp://h\n", "replica:\n  primary: https://u:p@h\n",
        "replica:\n  primary: \"http://h/<b>\"\n", "replica:\n  primary: http://\n",
        "replica:\n  other: http://h\n", "replica: http://h\n",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        write_yaml(bad[i]);
        assert_int_equal(config_load(&c, dir, err, sizeof(err)), KENES_EINVAL);
        if (!strstr(err, "replica: primary must be"))
            fail_msg("%s: got %s", bad[i], err);
        config_dispose(&c);
    }
    assert_int_equal(config_check_primary("http://10.0.0.5:8080"), 0);
    assert_int_equal(config_check_primary("http://h h"), KENES_EINVAL);
    assert_int_equal(config_check_primary("http://h\xd0\x90"), KENES_EINVAL);
    assert_int_equal(config_check_primary(NULL), KENES_EINVAL);
}

int main(void)
{
    snprintf(dir, sizeof(dir), "/tmp/kenes-config-XXXXXX");
    if (!mkdtemp(dir))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_and_written_default),
        cmocka_unit_test(values_and_errors),
        cmocka_unit_test(mirrors),
        cmocka_unit_test(replica),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    char path[128];
    snprintf(path, sizeof(path), "%s/kenes.yaml", dir);
    unlink(path);
    rmdir(dir);
    return rc;
}
