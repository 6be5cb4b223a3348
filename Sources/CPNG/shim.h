// Shim over libpng 1.6 (Debian package libpng-dev): PNG decoding for AuxIO.
//
// libpng reports errors by longjmp, which Swift cannot catch, so the whole decode runs here in C:
// auxmtl_png_decode reads a PNG held in memory and returns its pixels, or an error message.
// Samples keep the file's integer scale: no gamma or sBIT correction is applied, 1/2/4-bit samples
// are unpacked to one byte each without rescaling, 16-bit samples come back in host byte order.
#ifndef AUXMTL_CPNG_SHIM_H
#define AUXMTL_CPNG_SHIM_H
#include <png.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  uint32_t width;
  uint32_t height;
  /// Samples per pixel after the transforms (1 gray or index, 2 gray+alpha, 3 RGB, 4 RGBA).
  int channels;
  /// Bits per sample in the file (1, 2, 4, 8 or 16); samples are stored in 8 bits when <= 8.
  int bit_depth;
  /// PNG colour type from the header (0 gray, 2 RGB, 3 palette, 4 gray+alpha, 6 RGBA).
  int color_type;
  /// 1 when the file is Adam7-interlaced.
  int interlaced;
  /// 1 when a palette image was expanded to RGB(A).
  int palette_expanded;
  /// Row-major, channel-interleaved samples: 1 byte each when bit_depth <= 8, else 2 (host order).
  /// Allocated with malloc; the caller frees it.
  unsigned char *pixels;
  size_t pixel_bytes;
  char message[256];
} auxmtl_png_result;

typedef struct {
  const unsigned char *data;
  size_t size;
  size_t offset;
  auxmtl_png_result *result;
} auxmtl_png_reader;

static inline void auxmtl_png_error_fn(png_structp png, png_const_charp msg) {
  auxmtl_png_reader *r = (auxmtl_png_reader *)png_get_error_ptr(png);
  snprintf(r->result->message, sizeof r->result->message, "libpng: %s", msg);
  png_longjmp(png, 1);
}

static inline void auxmtl_png_warning_fn(png_structp png, png_const_charp msg) {
  (void)png;
  (void)msg;
}

static inline void auxmtl_png_read_fn(png_structp png, png_bytep out, size_t n) {
  auxmtl_png_reader *r = (auxmtl_png_reader *)png_get_io_ptr(png);
  if (n > r->size - r->offset) {
    png_error(png, "unexpected end of data (the file is truncated)");
  }
  memcpy(out, r->data + r->offset, n);
  r->offset += n;
}

/// Decodes the PNG in `data[0..<size]`. Palette images become RGB (RGBA when they have a tRNS
/// chunk) when `expand_palette` is non-zero, else one channel of palette indices. Refuses images
/// whose decoded samples would exceed `max_bytes`. Returns 0 on success; otherwise 1 with
/// `result->message` set and nothing to free.
static inline int auxmtl_png_decode(const unsigned char *data, size_t size, int expand_palette,
                                    size_t max_bytes, auxmtl_png_result *result) {
  memset(result, 0, sizeof *result);
  if (size < 8 || png_sig_cmp((png_const_bytep)data, 0, 8) != 0) {
    snprintf(result->message, sizeof result->message,
             "not a PNG file: expected the 8-byte PNG signature 89 50 4E 47 0D 0A 1A 0A at offset 0");
    return 1;
  }
  auxmtl_png_reader reader = {data, size, 0, result};
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &reader, auxmtl_png_error_fn,
                                           auxmtl_png_warning_fn);
  if (png == NULL) {
    snprintf(result->message, sizeof result->message, "libpng: cannot create a read structure");
    return 1;
  }
  png_infop info = png_create_info_struct(png);
  if (info == NULL) {
    png_destroy_read_struct(&png, NULL, NULL);
    snprintf(result->message, sizeof result->message, "libpng: cannot create an info structure");
    return 1;
  }
  unsigned char *volatile pixels = NULL;
  png_bytep *volatile rows = NULL;
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_read_struct(&png, &info, NULL);
    free((void *)pixels);
    free((void *)rows);
    return 1;
  }
  png_set_read_fn(png, &reader, auxmtl_png_read_fn);
  png_set_user_limits(png, 1u << 24, 1u << 24);
  png_read_info(png, info);

  png_uint_32 width = 0, height = 0;
  int bit_depth = 0, color_type = 0, interlace = 0;
  png_get_IHDR(png, info, &width, &height, &bit_depth, &color_type, &interlace, NULL, NULL);
  result->width = width;
  result->height = height;
  result->bit_depth = bit_depth;
  result->color_type = color_type;
  result->interlaced = interlace != PNG_INTERLACE_NONE;

  if (color_type == PNG_COLOR_TYPE_PALETTE && expand_palette) {
    png_set_palette_to_rgb(png);
    if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
    result->palette_expanded = 1;
    result->bit_depth = 8;
  } else if (bit_depth < 8) {
    png_set_packing(png);
  }
  if (bit_depth == 16) {
    uint16_t probe = 1;
    if (*(unsigned char *)&probe == 1) png_set_swap(png);
  }
  png_set_interlace_handling(png);
  png_read_update_info(png, info);

  result->channels = png_get_channels(png, info);
  size_t rowbytes = png_get_rowbytes(png, info);
  size_t sample_bytes = bit_depth == 16 ? 2 : 1;
  if (rowbytes != (size_t)width * (size_t)result->channels * sample_bytes) {
    png_error(png, "unexpected row size after transforms");
  }
  if (height != 0 && rowbytes > max_bytes / height) {
    png_error(png, "decoded image would exceed the size limit");
  }
  size_t total = rowbytes * height;
  pixels = (unsigned char *)malloc(total ? total : 1);
  rows = (png_bytep *)malloc(sizeof(png_bytep) * (height ? height : 1));
  if (pixels == NULL || rows == NULL) png_error(png, "out of memory");
  for (png_uint_32 y = 0; y < height; y++) rows[y] = pixels + (size_t)y * rowbytes;
  png_read_image(png, rows);
  png_read_end(png, NULL);

  png_destroy_read_struct(&png, &info, NULL);
  free((void *)rows);
  result->pixels = pixels;
  result->pixel_bytes = total;
  return 0;
}
#endif
