#ifndef LGMCL_CMALLOC_SHIM_H
#define LGMCL_CMALLOC_SHIM_H
#include <malloc.h>
#endif
