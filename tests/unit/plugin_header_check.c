/* Compiles kenes/plugin.h alone: a plugin needs no other core header. */
#include <kenes/plugin.h>

int plugin_header_check_abi(void);
int plugin_header_check_abi(void)
{
    return KENES_ABI_VERSION;
}
