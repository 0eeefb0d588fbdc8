#include "base/error.h"

#include <errno.h>

const char *kenes_strerror(int code)
{
    switch (code) {
    case KENES_OK: return "success";
    case KENES_EINVAL: return "invalid argument or malformed input";
    case KENES_ENOMEM: return "out of memory";
    case KENES_ENOTFOUND: return "not found";
    case KENES_EEXISTS: return "exists already";
    case KENES_EVALIDATION: return "the document is not valid";
    case KENES_EGUARD: return "a condition of the workflow is not met";
    case KENES_EABI: return "built for another plugin ABI";
    case KENES_EIO: return "input/output error";
    case KENES_ESTAGE: return "not possible in the current stage";
    case KENES_EFORBIDDEN: return "forbidden";
    case KENES_ESTALE: return "not the latest version";
    case KENES_ETOOBIG: return "too big";
    case KENES_EPLUGIN: return "a plugin misbehaved";
    case KENES_EPRECONDITION: return "the version to change must be named";
    case KENES_EGONE: return "erased";
    case KENES_EBUSY: return "busy; try again later";
    case KENES_ECONFLICT: return "conflicts with what is recorded";
    case KENES_EUNAUTHORIZED: return "not signed in";
    case KENES_EUNAVAILABLE: return "unavailable for now";
    }
    return "unknown error";
}

int kenes_error_from_errno(int e)
{
    switch (e) {
    case 0: return KENES_OK;
    case ENOMEM: return KENES_ENOMEM;
    case ENOENT:
    case ENOTDIR: return KENES_ENOTFOUND;
    case EEXIST:
    case ENOTEMPTY: return KENES_EEXISTS;
    case EINVAL:
    case EILSEQ: return KENES_EINVAL;
    case E2BIG:
    case EFBIG:
    case ENAMETOOLONG:
    case EOVERFLOW: return KENES_ETOOBIG;
    case EACCES:
    case EPERM: return KENES_EFORBIDDEN;
    case EAGAIN:
    case EBUSY:
    case EMFILE:
    case ENFILE: return KENES_EBUSY;
    }
    return KENES_EIO;
}
