/// The geometry of a 2-D sliding window (a convolution kernel or a pooling window) over an image.
///
/// For each spatial dimension, output position `o` reads input positions
/// `o · stride − padding + k · dilation` for `k` in `0..<kernel`; positions outside the input are
/// padding. The output size follows PyTorch:
/// `⌊(in + 2·padding − dilation·(kernel − 1) − 1) / stride⌋ + 1`, with pooling's `ceil_mode`
/// rounding up instead and then dropping a last window that would start inside the right padding.
public struct WindowGeometry: Hashable, Sendable {
  /// Input height and width.
  public let inputHeight: Int, inputWidth: Int
  /// Output height and width.
  public let outputHeight: Int, outputWidth: Int
  /// Kernel (window) extent in taps.
  public let kernelHeight: Int, kernelWidth: Int
  /// Step between consecutive windows.
  public let strideHeight: Int, strideWidth: Int
  /// Implicit padding on both sides.
  public let paddingHeight: Int, paddingWidth: Int
  /// Spacing between kernel taps.
  public let dilationHeight: Int, dilationWidth: Int

  /// Computes the output size of a window sliding over an `input` image.
  ///
  /// Stops the program with a message naming `op` when a parameter is not positive (padding: not
  /// negative) or when the output would be empty.
  public init(
    input: Size2D, kernel: Size2D, stride: Size2D, padding: Size2D, dilation: Size2D,
    ceilMode: Bool = false, op: String
  ) {
    precondition(kernel.height > 0 && kernel.width > 0, "\(op): kernel size must be positive, got \(kernel)")
    precondition(stride.height > 0 && stride.width > 0, "\(op): stride must be positive, got \(stride)")
    precondition(dilation.height > 0 && dilation.width > 0, "\(op): dilation must be positive, got \(dilation)")
    precondition(padding.height >= 0 && padding.width >= 0, "\(op): padding must not be negative, got \(padding)")
    func outSize(_ n: Int, _ k: Int, _ s: Int, _ p: Int, _ d: Int) -> Int {
      let span = n + 2 * p - d * (k - 1) - 1
      guard span >= 0 else { return 0 }
      var o = (span + (ceilMode ? s - 1 : 0)) / s + 1
      // PyTorch: with ceil_mode the last window must start inside the input or the left padding.
      if ceilMode && (o - 1) * s >= n + p { o -= 1 }
      return o
    }
    inputHeight = input.height
    inputWidth = input.width
    kernelHeight = kernel.height
    kernelWidth = kernel.width
    strideHeight = stride.height
    strideWidth = stride.width
    paddingHeight = padding.height
    paddingWidth = padding.width
    dilationHeight = dilation.height
    dilationWidth = dilation.width
    outputHeight = outSize(input.height, kernel.height, stride.height, padding.height, dilation.height)
    outputWidth = outSize(input.width, kernel.width, stride.width, padding.width, dilation.width)
    precondition(
      outputHeight > 0 && outputWidth > 0,
      "\(op): input of spatial size \(input) is too small for kernel \(kernel), stride \(stride), padding \(padding), dilation \(dilation) (output would be \(outputHeight)×\(outputWidth))")
  }

  /// Number of input pixels per channel.
  public var inputPlane: Int { inputHeight * inputWidth }
  /// Number of output pixels per channel.
  public var outputPlane: Int { outputHeight * outputWidth }
  /// Number of kernel taps.
  public var taps: Int { kernelHeight * kernelWidth }

  /// Whether the window is a 1×1, stride-1, unpadded kernel: the im2col matrix is the input itself.
  public var isPointwise: Bool {
    kernelHeight == 1 && kernelWidth == 1 && strideHeight == 1 && strideWidth == 1
      && paddingHeight == 0 && paddingWidth == 0
  }

  /// The range of output indices `o` for which `o · stride + offset` falls inside `0..<size`.
  @inlinable
  static func validRange(offset: Int, stride: Int, size: Int, outputs: Int) -> (Int, Int) {
    // lo = ⌈−offset / stride⌉, hi = ⌊(size − 1 − offset) / stride⌋ + 1, both clamped to 0...outputs.
    let lo = Swift.min(Swift.max(ceilDiv(-offset, stride), 0), outputs)
    let hi = Swift.min(Swift.max(floorDiv(size - 1 - offset, stride) + 1, lo), outputs)
    return (lo, hi)
  }

  @inlinable static func floorDiv(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : -((-a + b - 1) / b) }
  @inlinable static func ceilDiv(_ a: Int, _ b: Int) -> Int { -floorDiv(-a, b) }
}
