#include "base/modes.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "kenes/plugin.h"
#include "base/util.h"

/* What holds a secret: the password hashes, the signing and case keys, the
 * sealed case files, the journals (who did what to which case, when), the
 * session token hashes, and the access log with its checkpoint (who read
 * which case, when). */
static const char *const private_paths[] = {"users.yaml", "keys", "cases.git", "index",
                                            "sessions.json", "access.log",
                                            "access.log.checkpoint"};

int modes_check_private(const char *data_dir, char *err, size_t errcap)
{
    for (size_t i = 0; i < UTIL_ARRAY_LEN(private_paths); i++) {
        char path[4096];
        struct stat st;
        snprintf(path, sizeof(path), "%s/%s", data_dir, private_paths[i]);
        if (stat(path, &st) != 0) {
            if (errno == ENOENT)
                continue; /* not made yet: it will be, under umask 077 */
            snprintf(err, errcap, "cannot look at %.3000s: %s", path, strerror(errno));
            return KENES_EIO;
        }
        /* Any bit for group or others: on a folder, x alone lets them open a
         * file whose name they know. */
        if (st.st_mode & (S_IRWXG | S_IRWXO)) {
            snprintf(err, errcap,
                     "%.3000s is open to group or others (mode %04o): run `chmod %s %.3000s`, "
                     "then start again",
                     path, (unsigned)(st.st_mode & 07777), S_ISDIR(st.st_mode) ? "700" : "600",
                     path);
            return KENES_EFORBIDDEN;
        }
    }
    return 0;
}
