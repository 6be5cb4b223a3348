import AuxEngine
import AuxIO

/// The check that data read from a user's file holds no NaN or infinity.
///
/// A NaN pixel in an input or a target does not fail loudly on its own: it turns a loss, then
/// every weight, into NaN, or is silently dropped by a mask or a max. Loaders of floating-point
/// files therefore refuse such values where they are read, naming the file and the entry.
public enum FiniteValues {
  /// The flat index of the first NaN or ±inf entry of `t`, or nil when every entry is finite.
  public static func firstNonFinite(_ t: Tensor) -> Int? { t.firstNonFiniteIndex() }

  /// Throws a ``AuxIO/FormatError`` naming `file`, the entry's index in `shape` (as stored in
  /// the file) and its value when `t` holds a NaN or an infinity.
  ///
  /// - Parameters:
  ///   - what: what the values are (`"depth"`, `"image"`), for the message.
  public static func require(_ t: Tensor, shape: [Int], file: String, what: String) throws {
    guard let i = firstNonFinite(t) else { return }
    var rest = i
    var position = [Int](repeating: 0, count: shape.count)
    for d in shape.indices.reversed() where shape[d] > 0 {
      position[d] = rest % shape[d]
      rest /= shape[d]
    }
    let value = t.withUnsafeBufferPointer { $0[i] }
    throw FormatError(
      file: file,
      "\(what) entry \(position) (flat index \(i) of shape \(shape)) is \(value); inputs and targets must be finite numbers (fix or drop this sample)")
  }
}
