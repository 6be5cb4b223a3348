import AuxEngine
import AuxNN

/// The network parameters a look-ahead method moves temporarily (Auto-Lambda's virtual step and
/// finite differences, PUW-approx's particles): every trainable parameter of the step's optimiser,
/// with its group's index, learning rate and weight decay.
///
/// Values are moved in place and restored exactly from a snapshot (copy-on-write keeps the
/// snapshot, and any graph recorded before the move, at the old values).
struct LookAheadParameters {
  let parameters: [Parameter]
  /// Each parameter's group in the optimiser.
  let groupIndices: [Int]
  let learningRates: [Float]
  let weightDecays: [Float]

  init(_ optimizer: any Optimizer) {
    var ps: [Parameter] = []
    var gs: [Int] = []
    var lrs: [Float] = []
    var wds: [Float] = []
    var seen = Set<ObjectIdentifier>()
    for (gi, group) in optimizer.groups.enumerated() {
      for (_, p) in group.parameters where p.requiresGrad && seen.insert(ObjectIdentifier(p)).inserted {
        ps.append(p)
        gs.append(gi)
        lrs.append(group.learningRate)
        wds.append(group.weightDecay)
      }
    }
    parameters = ps
    groupIndices = gs
    learningRates = lrs
    weightDecays = wds
  }

  /// The update `optimizer`'s next step would make for `gradients` (one per parameter; nil where
  /// a parameter has none, and so is skipped by the step), from
  /// ``AuxNN/Optimizer/virtualUpdate(of:inGroup:gradient:)``; nothing is moved.
  ///
  /// - Throws: ``MTLStepError`` starting with `method` when the optimiser has no virtual step.
  func virtualStep(_ optimizer: any Optimizer, gradients: [Tensor?], method: String) throws -> [VirtualUpdate?] {
    do {
      return try parameters.indices.map { i in
        try gradients[i].map { try optimizer.virtualUpdate(of: parameters[i], inGroup: groupIndices[i], gradient: $0) }
      }
    } catch let error as VirtualStepUnsupportedError {
      throw MTLStepError("\(method): \(error)")
    }
  }

  var isEmpty: Bool { parameters.isEmpty }

  /// The current values (a snapshot: later in-place moves copy first).
  func snapshot() -> [Tensor] { parameters.map { $0.value.detached() } }

  /// Puts the snapshot's values back, bit for bit.
  func restore(_ snapshot: [Tensor]) {
    for (p, v) in zip(parameters, snapshot) { p.assign(v) }
  }

  /// Sets every parameter with a direction to `base + scale · direction` (others keep `base`).
  func set(_ base: [Tensor], plus direction: [Tensor?], scales: [Float]) {
    for (i, p) in parameters.enumerated() {
      guard let d = direction[i] else {
        p.assign(base[i])
        continue
      }
      let c = scales[i]
      let b = base[i]
      p.update { theta in
        b.withUnsafeBufferPointer { bp in
          d.withUnsafeBufferPointer { dp in
            for k in 0..<theta.count { theta[k] = bp[k] + c * dp[k] }
          }
        }
      }
    }
  }

  /// The gradient of a scalar `objective` with respect to every parameter (nil where it does not
  /// depend on it).
  ///
  /// With a step whose heads ran on ``SharedFeatures`` aliases, the gradient reaching the aliases
  /// is taken on through the encoder, so shared parameters get theirs too. The graph is retained
  /// when `retainGraph` is true (the step's losses are back-propagated again afterwards).
  func gradients(of objective: Tensor, through step: MTLStep? = nil, retainGraph: Bool) -> [Tensor?] {
    guard objective.requiresGrad else { return [Tensor?](repeating: nil, count: parameters.count) }
    let values = parameters.map(\.value)
    let aliases = step?.shared?.aliases ?? []
    let all = Autograd.gradients(of: [objective], wrt: values + aliases, retainGraph: retainGraph)
    var grads = Array(all[0..<values.count])
    let aliasGrads = all[values.count...].compactMap { $0 }
    if let shared = step?.shared, !aliasGrads.isEmpty, shared.features.requiresGrad {
      let h = FeatureMath.sum(aliasGrads)
      let encoder = Autograd.gradients(of: [shared.features], seeds: [h], wrt: values, retainGraph: retainGraph)
      for (i, g) in encoder.enumerated() {
        guard let g else { continue }
        grads[i] = grads[i].map { $0 + g } ?? g
      }
    }
    return grads
  }

  /// Euclidean norm of a list of gradients (nil counts as zero), in Double.
  static func norm(_ grads: [Tensor?]) -> Double {
    grads.reduce(0.0) { $0 + ($1.map { FeatureMath.dot($0, $0) } ?? 0) }.squareRoot()
  }
}
