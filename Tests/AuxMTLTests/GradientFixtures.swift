import AuxEngine
import AuxIO
import AuxMTL
import AuxNN
import AuxTestSupport
import Foundation

/// Reference values written by `scripts/fixtures/mtl_gradient_methods.py` (torchjd, numpy, scipy).
enum GradientFixtures {
  static let solvers: SafetensorsArchive = try! Fixtures.load("mtl_gradient_solvers")
  static let methods: SafetensorsArchive = try! Fixtures.load("mtl_gradient_methods")

  /// Number of Jacobian cases in the solver fixture.
  static let caseCount = 7

  static func solver(_ name: String) -> Tensor { try! solvers.tensor(name, file: "mtl_gradient_solvers") }
  static func method(_ name: String) -> Tensor { try! methods.tensor(name, file: "mtl_gradient_methods") }
  static func hasSolver(_ name: String) -> Bool { solvers.tensors[name] != nil }

  /// The Jacobian of solver case `k` as rows of Doubles.
  static func jacobian(_ k: Int) -> [[Double]] { rows(solver("case\(k)/jacobian")) }

  /// A 2-D tensor as rows of Doubles.
  static func rows(_ t: Tensor) -> [[Double]] {
    let c = t.shape[1]
    let s = t.scalars.map(Double.init)
    return (0..<t.shape[0]).map { Array(s[($0 * c)..<(($0 + 1) * c)]) }
  }

  static func vector(_ t: Tensor) -> [Double] { t.scalars.map(Double.init) }
}

/// Gramian of rows, in Double (exact products of the Float inputs).
func gramian(_ j: [[Double]]) -> [[Double]] {
  j.map { a in j.map { b in zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } } }
}

/// `Σ_t w_t j_t`.
func combine(_ j: [[Double]], _ w: [Double]) -> [Double] {
  var out = [Double](repeating: 0, count: j[0].count)
  for (t, row) in j.enumerated() { for i in row.indices { out[i] += w[t] * row[i] } }
  return out
}

/// Whether `|a − e| ≤ atol + rtol·max|e|` element-wise (a scale-relative comparison).
func agree(_ a: [Double], _ e: [Double], rtol: Double = 1e-4, atol: Double = 1e-9) -> Bool {
  guard a.count == e.count else { return false }
  let scale = e.map(abs).max() ?? 0
  return zip(a, e).allSatisfy { abs($0 - $1) <= atol + rtol * scale }
}

func agree(_ a: [Float], _ e: [Double], rtol: Double = 1e-4, atol: Double = 1e-9) -> Bool {
  agree(a.map(Double.init), e, rtol: rtol, atol: atol)
}

/// The linear toy problem of the method fixture: `z = E ⊙ m` (shape [2, 4]),
/// `L_t = a_t ⟨z, j_t⟩ + c_t` with scalar heads `a_t = 1`. The feature gradient of task t is
/// `j_t`, its gradient with respect to `E` is `m ⊙ j_t`, its head gradient is `⟨z, j_t⟩`.
final class LinearTaskProblem {
  let tasks: [TaskInfo]
  let encoder: Parameter
  let scale: Tensor
  let directions: [Tensor]
  let offsets: [Float]
  let heads: [Parameter]

  /// - Parameter rows: which fixture task each task uses (default: the first `tasks.count`).
  init(tasks: [TaskInfo], rows: [Int]? = nil, zeroTasks: Set<Int> = []) {
    self.tasks = tasks
    encoder = Parameter(GradientFixtures.method("problem/E"))
    scale = GradientFixtures.method("problem/m")
    let j = GradientFixtures.method("problem/J")
    let c = GradientFixtures.method("problem/c").scalars
    let all = (0..<3).map { t in Tensor(shape: [2, 4], scalars: Array(j.scalars[(t * 8)..<((t + 1) * 8)])) }
    let order = rows ?? Array(0..<tasks.count)
    directions = order.enumerated().map { zeroTasks.contains($0.offset) ? Tensor.zeros([2, 4]) : all[$0.element] }
    offsets = order.enumerated().map { zeroTasks.contains($0.offset) ? 0 : c[$0.element] }
    heads = tasks.map { _ in Parameter(Tensor([1])) }
  }

  convenience init(taskCount: Int = 3) {
    let roles: [TaskRole] = [.primary, .auxiliary, .auxiliary]
    self.init(tasks: (0..<taskCount).map { TaskInfo(["p", "a", "b"][$0], role: roles[$0]) })
  }

  func zeroGrad() {
    encoder.zeroGrad()
    for h in heads { h.zeroGrad() }
  }

  func makeStep() throws -> MTLStep {
    let z = encoder.value * scale
    let shared = SharedFeatures(z, taskCount: tasks.count)
    let losses = tasks.indices.map { t in (shared[t] * directions[t]).sum() * heads[t].value + offsets[t] }
    return try MTLStep(tasks: tasks, losses: losses, shared: shared, sharedParameters: [encoder], taskParameters: heads.map { [$0] })
  }

  var encoderGrad: [Float] { encoder.grad?.scalars ?? [Float](repeating: 0, count: 8) }
  var headGrads: [Float] { heads.map { $0.grad?.scalars[0] ?? 0 } }
}
