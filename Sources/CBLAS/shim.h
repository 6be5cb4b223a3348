// Shim over the system CBLAS header. On Debian this is OpenBLAS's cblas.h
// (package libopenblas-dev), found through pkg-config "openblas".
#ifndef AUXMTL_CBLAS_SHIM_H
#define AUXMTL_CBLAS_SHIM_H
#include <cblas.h>
#endif
