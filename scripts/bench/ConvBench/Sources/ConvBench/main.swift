import AuxEngine
import AuxNN
import AuxBench
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

// Usage: ConvBench [--threads N] [--repeats R] [--batch B] [name-substring ...]
// Set OPENBLAS_CORETYPE=SkylakeX in the environment on AVX-512 machines (OpenBLAS reads it at load).
var threads = 2
var repeats = 20
var batch = 16
var only: [String] = []
var gemm = false
var thresholdProbe = false
var parallelProbeOnly = false
var concurrency = false
var group = 1
var args = CommandLine.arguments.dropFirst().makeIterator()
while let a = args.next() {
  switch a {
  case "--threads": threads = Int(args.next() ?? "") ?? threads
  case "--repeats": repeats = Int(args.next() ?? "") ?? repeats
  case "--batch": batch = Int(args.next() ?? "") ?? batch
  case "--gemm": gemm = true
  case "--winograd-threshold": thresholdProbe = true
  case "--no-winograd": ConvKernels.winogradEnabled = false
  case "--tiles": ConvKernels.winogradChunkTiles = Int(args.next() ?? "") ?? ConvKernels.winogradChunkTiles
  case "--parallel-probe": parallelProbeOnly = true
  case "--tasks": Parallel.threadCount = Int(args.next() ?? "") ?? Parallel.threadCount
  case "--scratch": ConvKernels.scratchBytes = Int(args.next() ?? "") ?? ConvKernels.scratchBytes
  case "--concurrency": concurrency = true
  case "--group": group = Int(args.next() ?? "") ?? group
  default: only.append(a)
  }
}
BLAS.threadCount = threads
print("OpenBLAS \(BLAS.coreName), \(BLAS.threadCount) threads; engine \(Parallel.threadCount) threads; conv scratch \(ConvKernels.scratchBytes) B; batch \(batch), \(repeats) runs (median, best)")
if concurrency {
  concurrencyProbe(repeats: repeats)
  exit(0)
}
if parallelProbeOnly {
  parallelProbe(repeats: repeats)
  exit(0)
}
if thresholdProbe {
  winogradThresholdProbe(repeats: repeats)
  exit(0)
}
if gemm {
  gemmProbe(repeats: repeats, group: group)
  exit(0)
}
ConvReferenceBenchmark.run(batch: batch, repeats: repeats, only: only) { t in
  let name = t.name.padding(toLength: 40, withPad: " ", startingAt: 0)
  print("\(name) median \(String(format: "%8.3f", t.medianMilliseconds)) ms  best \(String(format: "%8.3f", t.bestMilliseconds)) ms  thread CPU \(String(format: "%8.3f", t.bestThreadCPUMilliseconds)) ms")
  fflush(nil)
}
