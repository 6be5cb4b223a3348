/// "Did you mean …?" for misspelt keys and values.
enum KeySuggestion {
  /// The candidate closest to `word`, or nil when none is close.
  ///
  /// A candidate is close when it equals `word` ignoring case, `_` and `-` (`batchSize`,
  /// `batchsize` → `batch_size`), or when its edit distance (insertions, deletions, substitutions
  /// and swaps of neighbours, on the normalised forms) is at most 2 and at most a third of the
  /// longer word.
  static func closest(to word: String, in candidates: [String]) -> String? {
    let w = normalized(word)
    guard !w.isEmpty else { return nil }
    var best: (String, Int)? = nil
    for c in candidates {
      let n = normalized(c)
      if n == w { return c }
      let d = distance(Array(w), Array(n))
      let limit = Swift.min(2, Swift.max(w.count, n.count) / 3)
      if d <= limit, best == nil || d < best!.1 { best = (c, d) }
    }
    return best?.0
  }

  static func normalized(_ s: String) -> String {
    String(s.lowercased().filter { $0 != "_" && $0 != "-" && $0 != " " })
  }

  /// Optimal-string-alignment distance (Damerau–Levenshtein without repeated edits of a substring).
  static func distance(_ a: [Character], _ b: [Character]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous2 = [Int](repeating: 0, count: b.count + 1)
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
      current[0] = i
      for j in 1...b.count {
        let cost = a[i - 1] == b[j - 1] ? 0 : 1
        var v = Swift.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { v = Swift.min(v, previous2[j - 2] + 1) }
        current[j] = v
      }
      (previous2, previous, current) = (previous, current, previous2)
    }
    return previous[b.count]
  }
}
