#ifndef LGMCL_CBLAS_SHIM_H
#define LGMCL_CBLAS_SHIM_H
#include <cblas.h>
#endif
