#ifndef LGMCL_CZLIB_SHIM_H
#define LGMCL_CZLIB_SHIM_H
#include <zlib.h>
#endif
