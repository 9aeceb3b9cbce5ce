#include "waweb_native.h"

void waweb_init_signature(VALUE mod)
{
    (void)mod;
}
