/*
 * One error space.  Core functions return 0 or a negative KENES_E* code
 * (core/include/kenes/plugin.h, shared with the plugins).  A system call's
 * errno becomes a code where the call fails, through kenes_error_from_errno,
 * so a code never means two things: -ENOENT and KENES_ENOMEM are both -2.
 */
#ifndef KENES_BASE_ERROR_H
#define KENES_BASE_ERROR_H

#include "kenes/plugin.h"

/* A short English name of code ("out of memory"); "unknown error" for a
 * value that is no KENES_E* code.  Never NULL; static storage. */
const char *kenes_strerror(int code);

/* The KENES_E* code for errno value e (positive, as errno holds it). */
int kenes_error_from_errno(int e);

#endif
