#include "storage/mirror_ca.h"

#include <stdio.h>
#include <string.h>

#include <mbedtls/x509_crt.h>

#include "kenes/plugin.h"

int mirror_ca_check(char *why, size_t whycap, const unsigned char *der, size_t len,
                    const char *host, const char *ca_file)
{
    mbedtls_x509_crt ca, leaf;
    uint32_t flags = 0;
    int rc = 0;
    mbedtls_x509_crt_init(&ca);
    mbedtls_x509_crt_init(&leaf);
    /* Every certificate of the file must parse: one skipped quietly would
     * leave a CA the operator named untrusted without a word. */
    if (mbedtls_x509_crt_parse_file(&ca, ca_file) != 0) {
        snprintf(why, whycap, "the ca_file %s holds no readable PEM certificates", ca_file);
        rc = KENES_EIO;
    } else if (mbedtls_x509_crt_parse_der(&leaf, der, len) != 0) {
        snprintf(why, whycap, "the server's certificate does not parse");
        rc = KENES_EFORBIDDEN;
    } else if (mbedtls_x509_crt_verify(&leaf, &ca, NULL, host, &flags, NULL, NULL) != 0) {
        /* One line a reason, each ending in a newline: one line for the log. */
        int n = mbedtls_x509_crt_verify_info(why, whycap, "", flags);
        for (int i = 0; i < n && why[i]; i++)
            if (why[i] == '\n')
                why[i] = i + 1 < n && why[i + 1] ? ';' : '\0';
        rc = KENES_EFORBIDDEN;
    }
    mbedtls_x509_crt_free(&leaf);
    mbedtls_x509_crt_free(&ca);
    return rc;
}
