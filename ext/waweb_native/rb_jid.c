#include "waweb_native.h"

void waweb_init_jid(VALUE mod)
{
    (void)mod;
}
