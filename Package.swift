// swift-tools-version: 6.1
//
// auxmtl: primary + auxiliary multi-task learning in Swift.
//
// Layers (each depends only on the ones above it):
//   CBLAS (system library)  → AuxEngine (tensor, kernels, autodiff tape)
//   AuxIO (file formats)    → AuxNN (modules, losses, optimisers, networks)
//   AuxData (datasets, metrics, registries; AuxEngine, AuxIO)
//   AuxMTL (tasks, weighting methods, step driver; AuxEngine, AuxNN)
//   AuxBench (training-step benchmarks, uses AuxMTL)
//   AuxTraining (training loop, experiments, reports) → auxmtl (thin CLI)
// Every dependency edge is imported by some file of its target (no unused edges).
//   CMPI (system library) → AuxMPI (MPI communicator), only with the trait MPI
import PackageDescription

let package = Package(
  name: "auxmtl",
  platforms: [.macOS(.v14)],
  products: [
    .executable(name: "auxmtl", targets: ["auxmtl"]),
    .library(
      name: "AuxMTLKit",
      targets: ["AuxEngine", "AuxIO", "AuxNN", "AuxData", "AuxMTL", "AuxBench", "AuxTraining"]),
  ],
  // Data-parallel training over MPI is optional: `swift build -c release --traits MPI` builds the
  // CMPI system library (Open MPI, `libopenmpi-dev`) and the AuxMPI target and defines the
  // compilation condition MPI in every target; the default build neither needs nor links MPI
  // (checked with pkg-config hiding ompi: `swift build` and `swift test` still build).
  traits: [
    .trait(name: "MPI", description: "Data-parallel training over MPI (needs Open MPI: libopenmpi-dev)"),
    .default(enabledTraits: []),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
  ],
  targets: [
    // MARK: System libraries
    .systemLibrary(
      name: "CBLAS",
      pkgConfig: "openblas",
      providers: [.apt(["libopenblas-dev"])]),
    .systemLibrary(
      name: "CZlib",
      pkgConfig: "zlib",
      providers: [.apt(["zlib1g-dev"])]),
    .systemLibrary(
      name: "CPNG",
      pkgConfig: "libpng",
      providers: [.apt(["libpng-dev"])]),
    .systemLibrary(
      name: "CTIFF",
      pkgConfig: "libtiff-4",
      providers: [.apt(["libtiff-dev"])]),
    .systemLibrary(
      name: "CMPI",
      pkgConfig: "ompi",
      providers: [.apt(["libopenmpi-dev"])]),

    // MARK: Library layers
    .target(
      name: "AuxEngine",
      dependencies: [.target(name: "CBLAS", condition: .when(platforms: [.linux]))]),
    .target(name: "AuxIO", dependencies: ["AuxEngine", "CZlib", "CPNG", "CTIFF"]),
    .target(name: "AuxNN", dependencies: ["AuxEngine", "AuxIO"]),
    .target(name: "AuxData", dependencies: ["AuxEngine", "AuxIO"]),
    .target(name: "AuxMTL", dependencies: ["AuxEngine", "AuxNN"]),
    .target(name: "AuxBench", dependencies: ["AuxEngine", "AuxNN", "AuxMTL"]),
    // `swift build`/`swift test` build every target, so AuxMPI reaches the MPI headers only with
    // the trait; without it, its sources compile to an empty module (`#if MPI`).
    .target(
      name: "AuxMPI",
      dependencies: ["AuxMTL", .target(name: "CMPI", condition: .when(traits: ["MPI"]))]),
    .target(
      name: "AuxTraining",
      dependencies: [
        "AuxEngine", "AuxIO", "AuxNN", "AuxData", "AuxMTL",
        .product(name: "Yams", package: "Yams"),
      ]),
    .executableTarget(
      name: "auxmtl",
      dependencies: [
        "AuxEngine", "AuxMTL", "AuxBench", "AuxTraining",
        .target(name: "AuxMPI", condition: .when(traits: ["MPI"])),
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),

    // MARK: Test support and tests
    .target(name: "AuxTestSupport", dependencies: ["AuxEngine", "AuxIO", "AuxData"]),
    .testTarget(name: "AuxEngineTests", dependencies: ["AuxEngine", "AuxTestSupport"]),
    .testTarget(
      name: "AuxNNTests", dependencies: ["AuxEngine", "AuxNN", "AuxIO", "AuxTestSupport"]),
    .testTarget(name: "AuxIOTests", dependencies: ["AuxEngine", "AuxIO", "AuxTestSupport"]),
    .testTarget(name: "AuxMTLTests", dependencies: ["AuxEngine", "AuxIO", "AuxNN", "AuxMTL", "AuxTestSupport"]),
    .testTarget(name: "AuxBenchTests", dependencies: ["AuxEngine", "AuxIO", "AuxNN", "AuxMTL", "AuxBench", "AuxTestSupport"]),
    .testTarget(
      name: "AuxTrainingTests",
      dependencies: ["AuxEngine", "AuxIO", "AuxNN", "AuxData", "AuxMTL", "AuxTraining", "AuxTestSupport"]),
    .testTarget(
      name: "AuxDataTests", dependencies: ["AuxEngine", "AuxIO", "AuxNN", "AuxData", "AuxTestSupport"]),
  ]
)
