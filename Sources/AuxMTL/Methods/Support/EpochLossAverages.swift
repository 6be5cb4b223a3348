import AuxEngine

/// Epoch-averaged training losses of the last two completed epochs, as DWA's relative training
/// speed needs them: the losses of every step are summed, and an epoch closes when a step of a
/// later epoch arrives (no end-of-epoch call).
struct EpochLossAverages {
  let taskCount: Int
  /// The epoch being accumulated (nil before the first step).
  private(set) var currentEpoch: Int?
  private var sums: [Double]
  private var stepCount = 0
  /// Averages of the completed epochs, oldest first, at most two.
  private(set) var history: [(epoch: Int, averages: [Double])] = []

  init(taskCount: Int) {
    self.taskCount = taskCount
    sums = [Double](repeating: 0, count: taskCount)
  }

  /// Moves to `epoch` (closing the previous one when it is later). Call before ``add(_:)``.
  ///
  /// - Throws: ``MTLStepError`` when epochs go backwards (a resumed run that did not load the state).
  mutating func begin(epoch: Int, method: String) throws {
    if let current = currentEpoch, epoch != current {
      guard epoch > current else {
        throw MTLStepError("\(method): step of epoch \(epoch) after a step of epoch \(current); epochs must not go backwards (load the method's state when resuming)")
      }
      if stepCount > 0 {
        history.append((current, sums.map { $0 / Double(stepCount) }))
        if history.count > 2 { history.removeFirst() }
      }
      sums = [Double](repeating: 0, count: taskCount)
      stepCount = 0
    }
    currentEpoch = epoch
  }

  /// Adds one step's losses to the current epoch.
  mutating func add(_ losses: [Float]) {
    for (t, v) in losses.enumerated() { sums[t] += Double(v) }
    stepCount += 1
  }

  /// `r_t = L̄_t(k−1) / L̄_t(k−2)` from the two completed epochs, or nil before there are two. A
  /// task whose older average is zero or not finite gets ratio 1, named in `notes`.
  func ratios(taskNames: [String], notes: inout [String]) -> [Double]? {
    guard history.count == 2 else { return nil }
    let (older, newer) = (history[0].averages, history[1].averages)
    var r = [Double](repeating: 1, count: taskCount)
    for t in 0..<taskCount {
      if older[t] > 0 && older[t].isFinite && newer[t].isFinite {
        r[t] = newer[t] / older[t]
      } else {
        notes.append("task '\(taskNames[t])': epoch-average loss \(older[t]) cannot be divided by; ratio set to 1")
      }
    }
    return r
  }

  func stateDict(prefix: String) -> [String: Tensor] {
    var out: [String: Tensor] = [
      "\(prefix).current_epoch": ExactStateCoding.encode(count: currentEpoch ?? -1),
      "\(prefix).sums": ExactStateCoding.encode(doubles: sums),
      "\(prefix).step_count": ExactStateCoding.encode(count: stepCount),
    ]
    for (k, h) in history.enumerated() {
      out["\(prefix).history\(k).epoch"] = ExactStateCoding.encode(count: h.epoch)
      out["\(prefix).history\(k).averages"] = ExactStateCoding.encode(doubles: h.averages)
    }
    return out
  }

  mutating func loadStateDict(_ state: [String: Tensor], prefix: String) throws {
    let e = try ExactStateCoding.decodeCount(try state.required("\(prefix).current_epoch"), key: "\(prefix).current_epoch")
    let s = try ExactStateCoding.decodeDoubles(try state.required("\(prefix).sums"), key: "\(prefix).sums", expectedCount: taskCount)
    let c = try ExactStateCoding.decodeCount(try state.required("\(prefix).step_count"), key: "\(prefix).step_count")
    var h: [(epoch: Int, averages: [Double])] = []
    for k in 0..<2 {
      guard let et = state["\(prefix).history\(k).epoch"] else { break }
      let ep = try ExactStateCoding.decodeCount(et, key: "\(prefix).history\(k).epoch")
      let key = "\(prefix).history\(k).averages"
      h.append((ep, try ExactStateCoding.decodeDoubles(try state.required(key), key: key, expectedCount: taskCount)))
    }
    currentEpoch = e < 0 ? nil : e
    sums = s
    stepCount = c
    history = h
  }
}
