extension TensorBoardEvent {
  /// The `step` (field 2) of a serialised `Event`, 0 when absent (proto3's default, as for the
  /// `file_version` event), or nil when the bytes are not a well-formed message.
  ///
  /// Only the wire format is read: varints, 64- and 32-bit values and length-delimited fields are
  /// skipped by their wire type, so events with summaries of any kind are understood.
  public static func step(of event: ArraySlice<UInt8>) -> Int64? {
    var i = event.startIndex
    func varint() -> UInt64? {
      var v: UInt64 = 0
      var shift: UInt64 = 0
      while i < event.endIndex, shift < 64 {
        let b = event[i]
        i += 1
        v |= UInt64(b & 0x7F) << shift
        if b & 0x80 == 0 { return v }
        shift += 7
      }
      return nil
    }
    var step: Int64 = 0
    while i < event.endIndex {
      guard let key = varint() else { return nil }
      switch key & 7 {
      case 0:
        guard let v = varint() else { return nil }
        if key >> 3 == 2 { step = Int64(bitPattern: v) }
      case 1:
        guard event.endIndex - i >= 8 else { return nil }
        i += 8
      case 2:
        guard let n = varint(), n <= UInt64(event.endIndex - i) else { return nil }
        i += Int(n)
      case 5:
        guard event.endIndex - i >= 4 else { return nil }
        i += 4
      default:
        return nil
      }
    }
    return step
  }
}
