/* Scratch folders and shell commands for the unit tests: see fixture_files.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fixture_files.h"

int scratch_dir_new(char *dir, size_t cap, const char *name)
{
    int n = snprintf(dir, cap, "/tmp/kenes-%s-XXXXXX", name);
    if (n < 0 || (size_t)n >= cap || !mkdtemp(dir))
        return -1;
    return 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

void scratch_dir_remove(const char *dir)
{
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int keys_dir_new(char *keys, size_t kcap, char *master, size_t mcap, const char *dir)
{
    unsetenv("KENES_MASTER_KEY_FILE");
    int n = snprintf(keys, kcap, "%s/keys", dir);
    int m = snprintf(master, mcap, "%s/master.key", keys);
    if (n < 0 || (size_t)n >= kcap || m < 0 || (size_t)m >= mcap || mkdir(keys, 0700) < 0)
        return -1;
    return 0;
}

int sh_v(const char *out, const char *fmt, va_list ap)
{
    char cmd[8192];
    int n = vsnprintf(cmd, sizeof(cmd), fmt, ap);
    assert_true(n > 0 && (size_t)n < sizeof(cmd));
    if (out) {
        int m = snprintf(cmd + n, sizeof(cmd) - (size_t)n, " >%s 2>&1", out);
        assert_true(m > 0 && (size_t)m < sizeof(cmd) - (size_t)n);
    }
    return system(cmd);
}

int sh(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int st = sh_v(NULL, fmt, ap);
    va_end(ap);
    return st;
}

void sh_first_line(char *out, size_t cap, const char *cmd)
{
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    out[0] = '\0';
    if (!fgets(out, (int)cap, p))
        out[0] = '\0';
    out[strcspn(out, "\n")] = '\0';
    pclose(p);
}
