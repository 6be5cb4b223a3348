// Shim over zlib (Debian package zlib1g-dev): gzip decoding for IDX files and
// deflate for the PNG writer.
#ifndef AUXMTL_CZLIB_SHIM_H
#define AUXMTL_CZLIB_SHIM_H
#include <zlib.h>
#endif
