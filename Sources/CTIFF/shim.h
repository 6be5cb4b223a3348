// Shim over libtiff 4.5 (Debian package libtiff-dev): single-channel integer TIFF reading from
// memory and writing to a file, for AuxIO.
//
// TIFFGetField/TIFFSetField are variadic, which Swift cannot call, and libtiff's error handlers
// take a va_list, so the decode and encode loops live here in C. Errors are collected into a
// caller-owned message buffer instead of being printed.
#ifndef AUXMTL_CTIFF_SHIM_H
#define AUXMTL_CTIFF_SHIM_H
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tiffio.h>

typedef struct {
  const unsigned char *data;
  size_t size;
  size_t offset;
  char message[256];
} auxmtl_tiff_io;

typedef struct {
  uint32_t width;
  uint32_t height;
  /// Bits per sample: 8, 16 or 32.
  int bits_per_sample;
  /// 1 when SampleFormat is signed integer.
  int is_signed;
  /// 1 when the image is stored in tiles rather than strips.
  int tiled;
  /// Compression scheme tag value (1 none, 5 LZW, 8 deflate, 32773 PackBits, ...).
  int compression;
  /// Row-major samples widened to 64-bit signed integers; malloc'd, the caller frees it.
  int64_t *values;
} auxmtl_tiff_result;

static inline int auxmtl_tiff_error_handler(TIFF *tif, void *user, const char *module,
                                            const char *fmt, va_list ap) {
  (void)tif;
  auxmtl_tiff_io *io = (auxmtl_tiff_io *)user;
  if (io != NULL && io->message[0] == 0) {
    char text[200];
    vsnprintf(text, sizeof text, fmt, ap);
    snprintf(io->message, sizeof io->message, "libtiff: %s%s%s", module ? module : "",
             module ? ": " : "", text);
  }
  return 1;
}

static inline int auxmtl_tiff_warning_handler(TIFF *tif, void *user, const char *module,
                                              const char *fmt, va_list ap) {
  (void)tif;
  (void)user;
  (void)module;
  (void)fmt;
  (void)ap;
  return 1;
}

static inline tmsize_t auxmtl_tiff_read_proc(thandle_t h, void *buf, tmsize_t n) {
  auxmtl_tiff_io *io = (auxmtl_tiff_io *)h;
  if (n <= 0 || io->offset >= io->size) return 0;
  size_t avail = io->size - io->offset;
  size_t take = (size_t)n < avail ? (size_t)n : avail;
  memcpy(buf, io->data + io->offset, take);
  io->offset += take;
  return (tmsize_t)take;
}

static inline tmsize_t auxmtl_tiff_write_proc(thandle_t h, void *buf, tmsize_t n) {
  (void)h;
  (void)buf;
  (void)n;
  return 0;
}

static inline toff_t auxmtl_tiff_seek_proc(thandle_t h, toff_t off, int whence) {
  auxmtl_tiff_io *io = (auxmtl_tiff_io *)h;
  uint64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? io->offset : io->size;
  uint64_t target = base + off;
  if (target < base) return (toff_t)-1;  // overflow
  io->offset = (size_t)target;           // past the end is allowed; reads then return 0
  return (toff_t)io->offset;
}

static inline int auxmtl_tiff_close_proc(thandle_t h) {
  (void)h;
  return 0;
}

static inline toff_t auxmtl_tiff_size_proc(thandle_t h) { return (toff_t)((auxmtl_tiff_io *)h)->size; }

static inline int auxmtl_tiff_map_proc(thandle_t h, void **base, toff_t *size) {
  (void)h;
  (void)base;
  (void)size;
  return 0;
}

static inline void auxmtl_tiff_unmap_proc(thandle_t h, void *base, toff_t size) {
  (void)h;
  (void)base;
  (void)size;
}

static inline void auxmtl_tiff_fail(auxmtl_tiff_io *io, const char *text) {
  if (io->message[0] == 0) snprintf(io->message, sizeof io->message, "%s", text);
}

/// Decodes the first image of the TIFF in `io->data`: one sample per pixel, 8/16/32-bit unsigned
/// or signed integers, stripped or tiled, any compression libtiff supports. Refuses images with
/// more than `max_pixels` pixels. Returns 0 on success; otherwise 1 with `io->message` set and
/// nothing to free.
static inline int auxmtl_tiff_decode(auxmtl_tiff_io *io, uint64_t max_pixels,
                                     auxmtl_tiff_result *result) {
  memset(result, 0, sizeof *result);
  io->message[0] = 0;
  io->offset = 0;
  TIFFOpenOptions *opts = TIFFOpenOptionsAlloc();
  if (opts == NULL) {
    auxmtl_tiff_fail(io, "libtiff: cannot allocate open options");
    return 1;
  }
  TIFFOpenOptionsSetErrorHandlerExtR(opts, auxmtl_tiff_error_handler, io);
  TIFFOpenOptionsSetWarningHandlerExtR(opts, auxmtl_tiff_warning_handler, io);
  TIFFOpenOptionsSetMaxSingleMemAlloc(opts, (tmsize_t)1 << 30);
  TIFF *tif = TIFFClientOpenExt("memory", "rm", (thandle_t)io, auxmtl_tiff_read_proc,
                                auxmtl_tiff_write_proc, auxmtl_tiff_seek_proc, auxmtl_tiff_close_proc,
                                auxmtl_tiff_size_proc, auxmtl_tiff_map_proc, auxmtl_tiff_unmap_proc,
                                opts);
  TIFFOpenOptionsFree(opts);
  if (tif == NULL) {
    auxmtl_tiff_fail(io, "not a readable TIFF file");
    return 1;
  }
  uint32_t width = 0, height = 0;
  uint16_t bits = 1, spp = 1, format = SAMPLEFORMAT_UINT, compression = COMPRESSION_NONE;
  if (!TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &width) || !TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &height)) {
    auxmtl_tiff_fail(io, "TIFF has no ImageWidth/ImageLength tags");
    TIFFClose(tif);
    return 1;
  }
  TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &bits);
  TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLESPERPIXEL, &spp);
  TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLEFORMAT, &format);
  TIFFGetFieldDefaulted(tif, TIFFTAG_COMPRESSION, &compression);
  result->width = width;
  result->height = height;
  result->bits_per_sample = bits;
  result->is_signed = format == SAMPLEFORMAT_INT;
  result->tiled = TIFFIsTiled(tif);
  result->compression = compression;
  if (spp != 1) {
    snprintf(io->message, sizeof io->message,
             "expected 1 sample per pixel (a single-channel label image), found %u", (unsigned)spp);
    TIFFClose(tif);
    return 1;
  }
  if (bits != 8 && bits != 16 && bits != 32) {
    snprintf(io->message, sizeof io->message, "expected 8, 16 or 32 bits per sample, found %u",
             (unsigned)bits);
    TIFFClose(tif);
    return 1;
  }
  if (format != SAMPLEFORMAT_UINT && format != SAMPLEFORMAT_INT) {
    snprintf(io->message, sizeof io->message,
             "expected integer samples (SampleFormat 1 or 2), found SampleFormat %u", (unsigned)format);
    TIFFClose(tif);
    return 1;
  }
  uint64_t pixels = (uint64_t)width * (uint64_t)height;
  if (pixels > max_pixels) {
    snprintf(io->message, sizeof io->message, "image of %u x %u pixels exceeds the limit of %llu pixels",
             (unsigned)width, (unsigned)height, (unsigned long long)max_pixels);
    TIFFClose(tif);
    return 1;
  }
  int64_t *values = (int64_t *)malloc(sizeof(int64_t) * (pixels ? pixels : 1));
  size_t bytes_per_sample = bits / 8;
  if (values == NULL) {
    auxmtl_tiff_fail(io, "out of memory");
    TIFFClose(tif);
    return 1;
  }
#define AUXMTL_TIFF_STORE(dst, src, n)                                                  \
  for (size_t k = 0; k < (n); k++) {                                                  \
    const unsigned char *p = (const unsigned char *)(src) + k * bytes_per_sample;     \
    int64_t v;                                                                        \
    if (bits == 8) {                                                                  \
      v = result->is_signed ? (int64_t)(*(const int8_t *)p) : (int64_t)(*p);          \
    } else if (bits == 16) {                                                          \
      uint16_t u;                                                                     \
      memcpy(&u, p, 2);                                                               \
      v = result->is_signed ? (int64_t)(int16_t)u : (int64_t)u;                       \
    } else {                                                                          \
      uint32_t u;                                                                     \
      memcpy(&u, p, 4);                                                               \
      v = result->is_signed ? (int64_t)(int32_t)u : (int64_t)u;                       \
    }                                                                                 \
    (dst)[k] = v;                                                                     \
  }
  int ok = 1;
  if (result->tiled) {
    uint32_t tw = 0, th = 0;
    TIFFGetField(tif, TIFFTAG_TILEWIDTH, &tw);
    TIFFGetField(tif, TIFFTAG_TILELENGTH, &th);
    tmsize_t tile_size = TIFFTileSize(tif);
    if (tw == 0 || th == 0 || tile_size <= 0 ||
        (uint64_t)tile_size < (uint64_t)tw * th * bytes_per_sample) {
      auxmtl_tiff_fail(io, "TIFF has invalid tile dimensions");
      ok = 0;
    }
    unsigned char *tile = ok ? (unsigned char *)malloc((size_t)tile_size) : NULL;
    if (ok && tile == NULL) {
      auxmtl_tiff_fail(io, "out of memory");
      ok = 0;
    }
    for (uint32_t y0 = 0; ok && y0 < height; y0 += th) {
      for (uint32_t x0 = 0; ok && x0 < width; x0 += tw) {
        if (TIFFReadTile(tif, tile, x0, y0, 0, 0) < 0) {
          auxmtl_tiff_fail(io, "cannot read a tile (the file is truncated or corrupt)");
          ok = 0;
          break;
        }
        for (uint32_t dy = 0; dy < th && y0 + dy < height; dy++) {
          uint32_t n = (x0 + tw <= width) ? tw : width - x0;
          AUXMTL_TIFF_STORE(values + (size_t)(y0 + dy) * width + x0,
                            tile + (size_t)dy * tw * bytes_per_sample, n)
        }
      }
    }
    free(tile);
  } else {
    tmsize_t line = TIFFScanlineSize(tif);
    if (line <= 0 || (uint64_t)line < (uint64_t)width * bytes_per_sample) {
      auxmtl_tiff_fail(io, "TIFF has an invalid scanline size");
      ok = 0;
    }
    unsigned char *row = ok ? (unsigned char *)malloc((size_t)line) : NULL;
    if (ok && row == NULL) {
      auxmtl_tiff_fail(io, "out of memory");
      ok = 0;
    }
    for (uint32_t y = 0; ok && y < height; y++) {
      if (TIFFReadScanline(tif, row, y, 0) < 0) {
        auxmtl_tiff_fail(io, "cannot read a scanline (the file is truncated or corrupt)");
        ok = 0;
        break;
      }
      AUXMTL_TIFF_STORE(values + (size_t)y * width, row, width)
    }
    free(row);
  }
#undef AUXMTL_TIFF_STORE
  TIFFClose(tif);
  if (!ok) {
    free(values);
    return 1;
  }
  result->values = values;
  return 0;
}

/// Writes a single-channel integer TIFF (one strip per 16 rows) to `path`. `samples` holds
/// width*height samples of `bits`/8 bytes in host order. Returns 0 on success; otherwise 1 with
/// `io->message` set (only `io->message` of `io` is used).
static inline int auxmtl_tiff_write(const char *path, uint32_t width, uint32_t height, int bits,
                                    int is_signed, int compression, const void *samples,
                                    auxmtl_tiff_io *io) {
  io->message[0] = 0;
  TIFFOpenOptions *opts = TIFFOpenOptionsAlloc();
  if (opts == NULL) {
    auxmtl_tiff_fail(io, "libtiff: cannot allocate open options");
    return 1;
  }
  TIFFOpenOptionsSetErrorHandlerExtR(opts, auxmtl_tiff_error_handler, io);
  TIFFOpenOptionsSetWarningHandlerExtR(opts, auxmtl_tiff_warning_handler, io);
  TIFF *tif = TIFFOpenExt(path, "w", opts);
  TIFFOpenOptionsFree(opts);
  if (tif == NULL) {
    auxmtl_tiff_fail(io, "cannot create the TIFF file");
    return 1;
  }
  int ok = TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, width) && TIFFSetField(tif, TIFFTAG_IMAGELENGTH, height) &&
           TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, (uint16_t)bits) &&
           TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, (uint16_t)1) &&
           TIFFSetField(tif, TIFFTAG_SAMPLEFORMAT, (uint16_t)(is_signed ? SAMPLEFORMAT_INT : SAMPLEFORMAT_UINT)) &&
           TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, (uint16_t)PHOTOMETRIC_MINISBLACK) &&
           TIFFSetField(tif, TIFFTAG_PLANARCONFIG, (uint16_t)PLANARCONFIG_CONTIG) &&
           TIFFSetField(tif, TIFFTAG_COMPRESSION, (uint16_t)compression) &&
           TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, (uint32_t)16);
  size_t row_bytes = (size_t)width * (size_t)(bits / 8);
  for (uint32_t y = 0; ok && y < height; y++) {
    ok = TIFFWriteScanline(tif, (unsigned char *)samples + (size_t)y * row_bytes, y, 0) >= 0;
  }
  if (!ok) auxmtl_tiff_fail(io, "cannot write the TIFF file");
  TIFFClose(tif);
  return ok ? 0 : 1;
}
#endif
