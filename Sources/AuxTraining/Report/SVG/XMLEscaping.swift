/// Escaping text for XML (and so XHTML and SVG) content and attribute values.
enum XMLEscaping {
  /// `&`, `<`, `>`, `"` and `'` as entities; control characters other than tab and newline
  /// (not allowed in XML 1.0) are dropped.
  static func escape(_ s: String) -> String {
    var out = ""
    out.reserveCapacity(s.utf8.count)
    for ch in s.unicodeScalars {
      switch ch {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&#39;"
      case "\t", "\n", "\r": out.unicodeScalars.append(ch)
      default:
        if ch.value < 0x20 || ch.value == 0xFFFE || ch.value == 0xFFFF { continue }
        out.unicodeScalars.append(ch)
      }
    }
    return out
  }
}
