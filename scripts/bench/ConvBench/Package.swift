// swift-tools-version: 6.0
// A standalone runner for AuxNN's ConvReferenceBenchmark (kept out of the main package's products).
//
//   cd scripts/bench/ConvBench && OPENBLAS_CORETYPE=SkylakeX swift run -c release ConvBench [--threads 2] [--repeats 20] [name ...]
import PackageDescription

let package = Package(
  name: "ConvBench",
  dependencies: [.package(name: "auxmtl", path: "../../..")],
  targets: [
    .executableTarget(name: "ConvBench", dependencies: [.product(name: "AuxMTLKit", package: "auxmtl")])
  ]
)
