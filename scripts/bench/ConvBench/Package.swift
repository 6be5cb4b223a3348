// swift-tools-version: 6.0
// A standalone runner for AuxBench's ConvReferenceBenchmark (kept out of the main package's products).
//
//   cd scripts/bench/ConvBench && swift build -c release
//   OPENBLAS_CORETYPE=SkylakeX .build/release/ConvBench [--threads 2] [--tasks 2] [--repeats 20] [name ...]
//
// --threads: OpenBLAS threads; --tasks: Parallel.threadCount (the engine's own threads);
// --no-winograd, --tiles N, --scratch BYTES: conv algorithm settings; --gemm, --concurrency,
// --parallel-probe: micro-probes. Compare with `python3 scripts/bench/conv_reference.py`.
// SwiftPM caches a path dependency's file list: after adding source files to the main package,
// delete .build/x86_64-unknown-linux-gnu/release/description.json here before rebuilding.
import PackageDescription

let package = Package(
  name: "ConvBench",
  dependencies: [.package(name: "auxmtl", path: "../../..")],
  targets: [
    .executableTarget(name: "ConvBench", dependencies: [.product(name: "AuxMTLKit", package: "auxmtl")])
  ]
)
