import AuxEngine
import AuxNN

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// GradNorm: Chen, Badrinarayanan, Lee, Rabinovich, "GradNorm: Gradient Normalization for Adaptive
/// Loss Balancing in Deep Multitask Networks", ICML 2018.
///
/// Learnable task weights `w_t` (initial 1). The network is trained on `Σ_t w_t L_t` with `w`
/// detached (type (A)). The weights themselves minimise
///
///     L_grad = Σ_t | G_t − sg[Ḡ · r_t^α] |,   G_t = ‖∇_W (w_t L_t)‖,  Ḡ = mean_t G_t,
///     r_t = L̃_t / mean(L̃),   L̃_t = L_t / L_t(0)
///
/// so that tasks that train slowly (large `r_t`) get larger gradients. Conventions (the original
/// paper, AuxiLearn and nash-mtl, not LibMTL's softmax parameterisation):
///
/// - `W` is the last shared layer, ``MTLStep/lastSharedParameters`` (`level = last_layer`). Each
///   `G_t` is one backward pass from the shared features `z` seeded with task t's feature gradient,
///   restricted to `W` (it only runs the layers between `z` and `W`). `level = representation` uses
///   `G_t = ‖∂(w_t L_t)/∂z‖` instead, at no extra cost.
/// - `L(0)` is the first step's losses.
/// - `w` is a method parameter (``parameters``) trained by the caller's optimiser in the same step
///   as the network, from the gradient `∂L_grad/∂w` that ``backward(_:)`` writes into its slot
///   (`∂L_grad/∂w_t = sign(G_t − C_t) · sign(w_t) · ‖∇_W L_t‖`, the target `C_t` being a constant).
///   This is how the original code and LibMTL train it: with the network's optimiser. Put `w` in a
///   group without weight decay. ``afterOptimizerStep(_:)`` then renormalises `Σ_t w_t = T`
///   (resetting to 1 if the sum is not positive), so it must be called after every step.
///
/// Requirements: the shared features and, at the default level, the shared parameters (the step's
/// `lastSharedParameters`, or its `sharedParameters` from which the last weight of rank ≥ 2 is
/// taken); T partial encoder passes per step.
///
/// `weight/<task>` reports `w_t` as used in this step; `grad_norm/<task>`, `target/<task>` and
/// `loss_ratio/<task>` report `G_t`, `Ḡ r_t^α` and `r_t`. A task whose initial loss is zero gets
/// `L̃_t = 1` (noted); zero gradients leave `w` unchanged.
public final class GradNorm: WeightingMethod {
  public static let descriptor = MethodDescriptor(
    name: "gradnorm", title: "GradNorm",
    reference: "Chen, Badrinarayanan, Lee, Rabinovich. GradNorm: Gradient Normalization for Adaptive Loss Balancing in Deep Multitask Networks. ICML 2018. Convention: original/AuxiLearn (last shared layer, L(0) = first-step losses, w renormalised to sum T after the step).",
    summary: "Learns task weights that equalise the tasks' gradient norms at the last shared layer, scaled by their relative training rates.",
    kind: .lossWeighting, requirements: [.losses, .featureGradients, .parameterGradients],
    options: [
      OptionSpec("alpha", default: "1.5", "strength α of the pull towards a common training rate"),
      OptionSpec("level", default: "last_layer", "where G_t is measured: the last shared layer (paper) or the shared features", allowed: ["last_layer", "representation"]),
    ],
    make: { ctx in try GradNorm(ctx) })

  public var descriptor: MethodDescriptor { Self.descriptor }
  public let tasks: [TaskInfo]
  public let resolvedOptions: [String: String]
  public let alpha: Double
  public let atRepresentation: Bool
  /// The task weights `w` (learnable through `L_grad`).
  public let weights: Parameter
  /// `L(0)`, recorded at the first step.
  public private(set) var initialLosses: [Float]?

  public var parameters: [(name: String, parameter: Parameter)] { [("weights", weights)] }

  init(_ ctx: MethodContext) throws {
    var o = ctx.options
    tasks = ctx.tasks
    alpha = try o.double("alpha", range: 0...100)
    atRepresentation = try o.string("level") == "representation"
    resolvedOptions = o.resolved
    weights = Parameter(Tensor(shape: [ctx.tasks.count], repeating: 1))
  }

  public func backward(_ step: MTLStep) throws -> StepReport {
    try checkTasks(step)
    let shared = try step.requireShared("gradnorm")
    let count = tasks.count
    var report = StepReport()
    let w = weights.value.scalars.map(Double.init)

    // Decoder pass of Σ w_t L_t: h_t = ∂(w_t L_t)/∂z.
    let h = step.backwardDecoders(step.weightedLossSum(w))

    // G_t = ‖∇_W (w_t L_t)‖.
    var g = [Double](repeating: 0, count: count)
    if atRepresentation {
      g = h.map(FeatureMath.norm)
    } else {
      let last = step.lastSharedParameters.filter(\.requiresGrad).map(\.value)
      guard !last.isEmpty else {
        throw MTLStepError("gradnorm: no last shared layer; pass `lastSharedParameters:` (or trainable `sharedParameters:` with a weight of rank ≥ 2), or use level=representation")
      }
      if shared.features.requiresGrad {
        for t in 0..<count {
          let grads = Autograd.gradients(of: [shared.features], seeds: [h[t]], wrt: last, retainGraph: true)
          g[t] = grads.reduce(0.0) { $0 + ($1.map { FeatureMath.dot($0, $0) } ?? 0) }.squareRoot()
        }
      }
    }

    // Relative inverse training rates.
    let losses = step.lossValues
    if initialLosses == nil { initialLosses = losses }
    var ratio = [Double](repeating: 1, count: count)
    for t in 0..<count {
      let l0 = Double(initialLosses![t])
      if l0 > 0 && l0.isFinite {
        ratio[t] = Double(losses[t]) / l0
      } else {
        report.notes.append("task '\(tasks[t].name)': initial loss \(l0); its loss ratio is taken as 1")
      }
    }
    let meanRatio = ratio.reduce(0, +) / Double(count)
    let r = meanRatio > 0 && meanRatio.isFinite ? ratio.map { $0 / meanRatio } : [Double](repeating: 1, count: count)
    let gBar = g.reduce(0, +) / Double(count)
    let target = r.map { gBar * pow($0, alpha) }

    // ∂L_grad/∂w_t with the target held constant (PyTorch's |x|'(0) = 0 and ‖·‖'(0) = 0).
    var lgrad = 0.0
    var dw = [Float](repeating: 0, count: count)
    for t in 0..<count {
      let diff = g[t] - target[t]
      lgrad += abs(diff)
      guard w[t] != 0, diff != 0 else { continue }
      let rawNorm = g[t] / abs(w[t])
      dw[t] = Float((diff > 0 ? 1 : -1) * (w[t] > 0 ? 1 : -1) * rawNorm)
    }
    let update = Tensor(dw)
    weights.grad = weights.grad.map { $0 + update } ?? update

    try step.backwardEncoder(FeatureMath.sum(h))

    report.set("weight", w.map(Float.init), tasks: tasks)
    report.set("grad_norm", g.map(Float.init), tasks: tasks)
    report.set("target", target.map(Float.init), tasks: tasks)
    report.set("loss_ratio", r.map(Float.init), tasks: tasks)
    report.values["gradnorm_loss"] = Float(lgrad)
    return report
  }

  /// Renormalises the weights to sum to the number of tasks.
  public func afterOptimizerStep(_ step: MTLStep) throws {
    let w = weights.value.scalars.map(Double.init)
    let s = w.reduce(0, +)
    let n = Double(tasks.count)
    let renormalised = s > 0 && s.isFinite ? w.map { Float($0 * n / s) } : [Float](repeating: 1, count: tasks.count)
    weights.assign(Tensor(renormalised))
  }

  public func stateDict() -> [String: Tensor] {
    var out = ["weights": weights.value.detached()]
    if let l = initialLosses { out["initial_losses"] = Tensor(l) }
    return out
  }

  public func loadStateDict(_ state: [String: Tensor]) throws {
    weights.assign(try state.required("weights", count: tasks.count).reshaped(weights.shape))
    initialLosses = state["initial_losses"] == nil ? nil : try state.required("initial_losses", count: tasks.count).scalars
  }
}
