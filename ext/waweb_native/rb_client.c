#include "waweb_native.h"

void waweb_init_client(VALUE mod)
{
    (void)mod;
}
