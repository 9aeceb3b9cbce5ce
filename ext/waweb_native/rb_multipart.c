#include "waweb_native.h"

void waweb_init_multipart(VALUE mod)
{
    (void)mod;
}
