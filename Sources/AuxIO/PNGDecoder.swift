import AuxEngine
import CPNG
import Foundation

/// A decoded PNG image.
///
/// ``pixels`` holds the samples as `[channels, height, width]` `Float`s in the file's integer
/// scale (0…255 for 8-bit, 0…65535 for 16-bit, 0…2^bitDepth−1 for 1/2/4-bit gray, palette
/// indices when the palette was not expanded). ``unitRange()`` divides by ``maximumValue`` to give
/// [0, 1], as `matplotlib.pyplot.imread` and torchvision's `ToTensor` do for 8-bit images.
public struct PNGImage: Sendable {
  /// The PNG colour type of the file.
  public enum ColorType: Int, Sendable {
    case gray = 0, rgb = 2, palette = 3, grayAlpha = 4, rgba = 6
  }

  /// Width in pixels.
  public var width: Int
  /// Height in pixels.
  public var height: Int
  /// Channels of ``pixels``: 1 gray (or palette index), 2 gray+alpha, 3 RGB, 4 RGBA.
  public var channels: Int
  /// Bits per sample of ``pixels`` (8 after palette expansion; otherwise as in the file).
  public var bitDepth: Int
  /// The colour type in the file's header.
  public var colorType: ColorType
  /// Whether the file was Adam7-interlaced (libpng de-interlaces it).
  public var interlaced: Bool
  /// Whether palette entries were expanded to RGB(A) samples.
  public var paletteExpanded: Bool
  /// Samples, `[channels, height, width]`, in the file's integer scale.
  public var pixels: Tensor

  /// The largest sample value: `2^bitDepth − 1`.
  public var maximumValue: Float { Float((1 << bitDepth) - 1) }

  /// ``pixels`` divided by ``maximumValue``: samples in [0, 1].
  public func unitRange() -> Tensor {
    var t = pixels
    let m = maximumValue
    t.withUnsafeMutableBufferPointer { p in
      for i in 0..<p.count { p[i] /= m }  // a true division, so values equal numpy's x / 255
    }
    return t
  }
}

/// PNG decoding through libpng (Debian `libpng-dev`, system-library target `CPNG`).
///
/// Supports every PNG libpng reads: gray, gray+alpha, RGB, RGBA and palette images at 1–16 bits,
/// interlaced or not. No gamma, sRGB or sBIT correction is applied: sample values are the stored
/// integers (OpenCV's `IMREAD_UNCHANGED` and PIL's `np.array(Image.open(...))` give the same
/// values). A `tRNS` chunk is honoured only when a palette is expanded (giving RGBA).
public enum PNGDecoder {
  /// Reads and decodes a PNG file.
  ///
  /// - Parameter expandPalette: expand palette images to RGB(A) (true, for pictures) or return
  ///   the palette indices as one channel (false, for label maps stored with a palette).
  public static func read(_ url: URL, expandPalette: Bool = true) throws -> PNGImage {
    let data: Data
    do {
      data = try Data(contentsOf: url, options: .mappedIfSafe)
    } catch {
      throw FormatError(file: url.path, "cannot read file: \(FileErrorText.describe(error))")
    }
    return try decode(data, file: url.path, expandPalette: expandPalette)
  }

  /// Decodes PNG bytes; `file` names the source in errors.
  ///
  /// Images whose decoded samples would need more than 1100 bytes per input byte (beyond
  /// deflate's 1032:1 limit, so only a corrupt header can claim it) or more than 4 GiB are
  /// refused before anything is allocated.
  public static func decode(_ data: Data, file: String, expandPalette: Bool = true) throws -> PNGImage {
    var result = auxmtl_png_result()
    let limit = min(1 << 32, data.count * 1100 + (1 << 16))
    let rc = data.withUnsafeBytes { raw -> Int32 in
      guard let base = raw.baseAddress else {
        return auxmtl_png_decode(nil, 0, expandPalette ? 1 : 0, limit, &result)
      }
      return auxmtl_png_decode(base.assumingMemoryBound(to: UInt8.self), raw.count, expandPalette ? 1 : 0, limit, &result)
    }
    guard rc == 0 else {
      let message = withUnsafeBytes(of: &result.message) { String(cString: $0.baseAddress!.assumingMemoryBound(to: CChar.self)) }
      throw FormatError(file: file, message)
    }
    defer { free(result.pixels) }
    let w = Int(result.width), h = Int(result.height), c = Int(result.channels)
    guard let colorType = PNGImage.ColorType(rawValue: Int(result.color_type)) else {
      throw FormatError(file: file, "PNG colour type \(result.color_type) is not valid")
    }
    var pixels = Tensor.uninitialized([c, h, w])
    let plane = w * h
    let sixteen = result.bit_depth == 16
    pixels.withUnsafeMutableBufferPointer { dst in
      guard plane > 0, let src = result.pixels else { return }
      if sixteen {
        src.withMemoryRebound(to: UInt16.self, capacity: plane * c) { s in
          for i in 0..<plane {
            for ch in 0..<c { dst[ch &* plane &+ i] = Float(s[i &* c &+ ch]) }
          }
        }
      } else {
        for i in 0..<plane {
          for ch in 0..<c { dst[ch &* plane &+ i] = Float(src[i &* c &+ ch]) }
        }
      }
    }
    return PNGImage(
      width: w, height: h, channels: c, bitDepth: Int(result.bit_depth), colorType: colorType,
      interlaced: result.interlaced != 0, paletteExpanded: result.palette_expanded != 0, pixels: pixels)
  }
}
