/// A pair of integers for the two spatial dimensions of an image tensor: height first, then width.
///
/// Convolution and pooling take kernel sizes, strides, paddings and dilations as `Size2D`, which
/// can be written like PyTorch's `int or (int, int)` arguments: an integer literal applies to both
/// dimensions, an array literal gives height and width.
///
/// ```swift
/// x.conv2d(weight: w, stride: 2, padding: [1, 0])   // stride (2, 2), padding (1, 0)
/// x.maxPool2d(kernelSize: Size2D(k))                // from a variable
/// ```
public struct Size2D: Hashable, Sendable, ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral,
  CustomStringConvertible
{
  /// The value along the height (second-to-last) dimension.
  public var height: Int
  /// The value along the width (last) dimension.
  public var width: Int

  /// A pair with distinct height and width values.
  public init(_ height: Int, _ width: Int) {
    self.height = height
    self.width = width
  }

  /// The same value for both dimensions.
  public init(_ both: Int) { self.init(both, both) }

  public init(integerLiteral value: Int) { self.init(value) }

  /// `[h, w]`, or `[v]` for the same value in both dimensions.
  public init(arrayLiteral elements: Int...) {
    precondition(
      elements.count == 1 || elements.count == 2,
      "Size2D: expected 1 or 2 values (height, width), got \(elements)")
    self.init(elements[0], elements[elements.count - 1])
  }

  public var description: String { "(\(height), \(width))" }
}
