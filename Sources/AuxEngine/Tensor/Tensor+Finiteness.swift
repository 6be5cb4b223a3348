extension Tensor {
  /// The flat index of the first NaN or ±infinity entry, or nil when every entry is finite.
  ///
  /// The scan is one vectorised pass over the bits: an entry is NaN or ±inf exactly when its
  /// exponent bits are all ones, and adding one to the exponent field then carries into the sign
  /// bit, so an OR over the integers says whether any is. Only then is the index searched for.
  public func firstNonFiniteIndex() -> Int? {
    withUnsafeBufferPointer { p in
      let flagged = p.withMemoryRebound(to: UInt32.self) { bits in
        var acc: UInt32 = 0
        for b in bits { acc |= (b & 0x7F80_0000) &+ 0x0080_0000 }
        return acc & 0x8000_0000 != 0
      }
      return flagged ? p.firstIndex { !$0.isFinite } : nil
    }
  }
}
