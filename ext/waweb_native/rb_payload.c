#include "waweb_native.h"

void waweb_init_payload(VALUE mod)
{
    (void)mod;
}
