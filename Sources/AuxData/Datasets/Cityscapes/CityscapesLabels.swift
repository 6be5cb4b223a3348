/// The label conversions of Auto-Lambda's Cityscapes loader.
public enum CityscapesLabels {
  /// Train id (0…18) of each Cityscapes label id 0…33, −1 for ignored ids
  /// ({0–6, 9, 10, 14–16, 18, 29, 30}); from cityscapesScripts `labels.py`, as Auto-Lambda's
  /// `map_seg_label` applies it.
  public static let trainIdOfLabelId: [Int] = [
    -1, -1, -1, -1, -1, -1, -1, 0, 1, -1, -1, 2, 3, 4, -1, -1, -1, 5, -1, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, -1, -1, 16, 17, 18,
  ]

  /// Part class (0…9) of each `sid·100 + pid` code, Auto-Lambda's `map_part_seg_label`:
  /// person/rider (sid 24/25) torso 1, head 2, arms 3, legs 4; car/truck/bus (sid 26/27/28)
  /// windows 5, wheels 6, lights 7, licence plate 8, chassis 9. Everything else is 0, background,
  /// which is a scored class.
  public static func partClass(sidPid: Int) -> Int {
    let sid = sidPid / 100, pid = sidPid % 100
    switch sid {
    case 24, 25: return (1...4).contains(pid) ? pid : 0
    case 26, 27, 28: return (1...5).contains(pid) ? 4 + pid : 0
    default: return 0
    }
  }

  /// `sid·100 + pid` of a Cityscapes-Panoptic-Parts uid, as `panoptic_parts.decode_uids(uid,
  /// return_sids_pids=True)[-1]` computes it: uids up to 99 are a semantic id alone, 1000…99 999
  /// are `sid·1000 + iid` (no part), 100 000…9 999 999 are `sid·10^5 + iid·100 + pid`. Without
  /// part information the result is the sid itself. Returns nil for values the format forbids
  /// (negative, 100…999, above 9 999 999).
  public static func sidPid(uid: Int64) -> Int? {
    guard uid >= 0, uid <= 99_999_99, !(100...999).contains(uid) else { return nil }
    if uid <= 99 { return Int(uid) }
    if uid <= 99_999 { return Int(uid / 1000) }
    let sid = uid / 100_000, pid = uid % 100
    return Int(sid * 100 + pid)
  }

  /// Auto-Lambda's disparity: 16-bit value p → `(p − 1) / (256 · 4)` (Cityscapes' `(p − 1) / 256`,
  /// divided by 4 for the 2048 → 512 resize); p = 0 is invalid and becomes −1.
  @inlinable
  public static func disparity(_ p: Float) -> Float {
    p == 0 ? -1 : (p - 1) / 1024
  }
}
