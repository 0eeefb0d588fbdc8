/*
 * An https mirror's certificate checked against the CAs of its ca_file
 * (kenes.yaml mirrors: ca_file:), for a git host whose certificate a
 * private CA issued (a ministry's own), which the system's CAs do not
 * vouch for.  mbed TLS's X.509, the library Debian's libgit2 makes its
 * TLS connections with; called from libgit2's certificate_check.
 */
#ifndef KENES_MIRROR_CA_H
#define KENES_MIRROR_CA_H

#include <stddef.h>

/* 0 if the DER certificate der (the server's own, as libgit2 hands it) is
 * signed by a CA of ca_file, in its validity, and names host; else
 * KENES_EFORBIDDEN with why ("the certificate is not correctly signed by the
 * trusted CA", ...) in why, or KENES_EIO when ca_file cannot be read. */
int mirror_ca_check(char *why, size_t whycap, const unsigned char *der, size_t len,
                    const char *host, const char *ca_file);

#endif
