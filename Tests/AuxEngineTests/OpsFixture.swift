import AuxEngine
import AuxIO
import AuxTestSupport
import Testing

/// One reference file written by `scripts/fixtures/ops.py` (`Tests/Fixtures/ops_<name>.safetensors`).
///
/// A case `c` stores its inputs as `c.<input>`, the PyTorch result as `c.out`, the upstream gradient
/// as `c.seed` (absent for scalar results) and PyTorch's gradients as `c.grad.<input>`.
struct OpsFixture {
  let name: String
  let archive: SafetensorsArchive

  init(_ name: String) throws {
    self.name = name
    archive = try Fixtures.load("ops_\(name)")
  }

  func tensor(_ key: String) throws -> Tensor {
    try archive.tensor(key, file: "ops_\(name).safetensors")
  }

  /// Runs `f` on the case's `inputs` (as leaves) and compares the result and the gradients of
  /// `Σ result ⊙ seed` with PyTorch's, to `rtol` relative.
  func verify(
    _ c: String, inputs: [String], rtol: Float = 1e-4, atol: Float = 1e-5,
    sourceLocation: SourceLocation = #_sourceLocation, _ f: ([Tensor]) -> Tensor
  ) throws {
    let leaves = try inputs.map { try tensor("\(c).\($0)").requiringGrad() }
    let out = f(leaves)
    if let m = Closeness.mismatch(out, try tensor("\(c).out"), rtol: rtol, atol: atol) {
      Issue.record("ops_\(name) \(c) forward: \(m)", sourceLocation: sourceLocation)
    }
    guard out.requiresGrad else {
      Issue.record("ops_\(name) \(c): the result records no gradient", sourceLocation: sourceLocation)
      return
    }
    let seed = archive.tensors["\(c).seed"]
    let grads = Autograd.gradients(of: [out], seeds: [seed], wrt: leaves)
    for (k, input) in inputs.enumerated() {
      let expected = try tensor("\(c).grad.\(input)")
      let g = grads[k] ?? Tensor.zeros(expected.shape)
      if let m = Closeness.mismatch(g, expected, rtol: rtol, atol: atol) {
        Issue.record("ops_\(name) \(c) gradient of \(input): \(m)", sourceLocation: sourceLocation)
      }
    }
  }
}
