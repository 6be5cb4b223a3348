/// Encodes the `tensorboard.Event` messages our event files hold, by hand (no protobuf library).
///
/// Schema (`tensorboard/compat/proto/event.proto`, `summary.proto`):
///
/// | message, field      | number | type   |
/// |---------------------|--------|--------|
/// | Event.wall_time     | 1      | double |
/// | Event.step          | 2      | int64  |
/// | Event.file_version  | 3      | string |
/// | Event.summary       | 5      | Summary|
/// | Summary.value       | 1      | repeated Summary.Value |
/// | Value.tag           | 1      | string |
/// | Value.simple_value  | 2      | float  |
///
/// Scalars use `simple_value`, which TensorBoard's scalar plugin and `EventAccumulator` read.
/// As proto3 serialisers do, `wall_time` and `step` are left out when they are zero (bit pattern
/// 0); `file_version`, `summary` and `simple_value` belong to oneofs and are always written. The
/// output is byte-identical to TensorBoard's Python protobuf serialisation (tested).
public enum TensorBoardEvent {
  /// The version string of the first event of every file.
  public static let fileVersion = "brain.Event:2"

  /// `Event{wall_time, file_version: "brain.Event:2"}`, the first record of an event file.
  public static func fileVersionEvent(wallTime: Double) -> [UInt8] {
    var e = ProtobufEncoder()
    if wallTime.bitPattern != 0 { e.appendDouble(field: 1, wallTime) }
    e.appendString(field: 3, fileVersion)
    return e.bytes
  }

  /// `Event{wall_time, step, summary{value{tag, simple_value}…}}` with one value per scalar.
  public static func scalarEvent(_ scalars: [(tag: String, value: Float)], step: Int64, wallTime: Double) -> [UInt8] {
    var summary = ProtobufEncoder()
    for (tag, value) in scalars {
      var v = ProtobufEncoder()
      v.appendString(field: 1, tag)
      v.appendFloat(field: 2, value)
      summary.appendBytes(field: 1, v.bytes)
    }
    var e = ProtobufEncoder()
    if wallTime.bitPattern != 0 { e.appendDouble(field: 1, wallTime) }
    if step != 0 { e.appendInt64(field: 2, step) }
    e.appendBytes(field: 5, summary.bytes)
    return e.bytes
  }
}
