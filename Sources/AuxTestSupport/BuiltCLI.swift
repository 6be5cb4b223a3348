import Foundation

/// Runs the `auxmtl` executable of the same build as the running tests, directly or under
/// `mpirun`, and returns what it printed.
///
/// `swift test` builds every product next to the test bundle (`.build/release/auxmtl` beside
/// `.build/release/auxmtlPackageTests.xctest`), so tests that need several processes (the MPI
/// collectives and the data-parallel equivalence checks) launch that binary.
public enum BuiltCLI {
  /// The result of one run.
  public struct Result {
    /// The exit status (or the signal number when it was killed).
    public let status: Int32
    /// Everything written to standard output.
    public let stdout: String
    /// Everything written to standard error.
    public let stderr: String
    /// Whether it was killed for running past the timeout.
    public let timedOut: Bool
  }

  /// An error that prevents a run: the executable or `mpirun` is missing or could not start.
  public struct LaunchError: Error, CustomStringConvertible {
    public let description: String
  }

  /// The `auxmtl` binary beside the test bundle.
  ///
  /// - Throws: ``LaunchError`` naming the path when it does not exist.
  public static func executable() throws -> URL {
    let runner = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
    var dir = runner.deletingLastPathComponent()
    // On macOS the runner sits inside `<name>.xctest/Contents/MacOS`.
    while dir.pathExtension == "xctest" || ["MacOS", "Contents"].contains(dir.lastPathComponent) {
      dir = dir.deletingLastPathComponent()
    }
    let url = dir.appendingPathComponent("auxmtl")
    guard FileManager.default.isExecutableFile(atPath: url.path) else {
      throw LaunchError(description: "the auxmtl executable was not found beside the tests at \(url.path); build it in the same configuration (swift build -c release)")
    }
    return url
  }

  /// The path of `mpirun` on `PATH`, or nil.
  public static func mpirun() -> URL? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for dir in path.split(separator: ":") {
      let url = URL(fileURLWithPath: String(dir)).appendingPathComponent("mpirun")
      if FileManager.default.isExecutableFile(atPath: url.path) { return url }
    }
    return nil
  }

  /// Runs `auxmtl arguments…` directly.
  public static func run(_ arguments: [String], timeout: Double = 300) throws -> Result {
    try launch(executable(), arguments, environment: [:], timeout: timeout)
  }

  /// Runs `mpirun --oversubscribe -np ranks auxmtl arguments…`.
  ///
  /// The child environment allows Open MPI to run as root (CI containers) and pins every rank to
  /// one BLAS thread so two ranks on two cores do not oversubscribe further.
  ///
  /// - Throws: ``LaunchError`` when `mpirun` is not on `PATH` or the binary is missing.
  public static func mpirun(ranks: Int, _ arguments: [String], timeout: Double = 300) throws -> Result {
    guard let launcher = mpirun() else {
      throw LaunchError(description: "mpirun is not on PATH; install Open MPI (apt-get install openmpi-bin) or build without the MPI trait")
    }
    let binary = try executable()
    let args = ["--oversubscribe", "-np", "\(ranks)", binary.path] + arguments
    let env = [
      "OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1", "OPENBLAS_NUM_THREADS": "1",
    ]
    return try launch(launcher, args, environment: env, timeout: timeout)
  }

  private static func launch(_ url: URL, _ arguments: [String], environment: [String: String], timeout: Double) throws -> Result {
    let process = Process()
    process.executableURL = url
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("auxmtl-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    // Files rather than pipes: a child that writes more than a pipe buffer never blocks.
    let out = dir.appendingPathComponent("stdout")
    let err = dir.appendingPathComponent("stderr")
    _ = FileManager.default.createFile(atPath: out.path, contents: nil)
    _ = FileManager.default.createFile(atPath: err.path, contents: nil)
    let outHandle = try FileHandle(forWritingTo: out)
    let errHandle = try FileHandle(forWritingTo: err)
    process.standardOutput = outHandle
    process.standardError = errHandle
    process.standardInput = FileHandle.nullDevice
    do {
      try process.run()
    } catch {
      throw LaunchError(description: "could not start \(url.path): \(error)")
    }
    let deadline = Date().addingTimeInterval(timeout)
    var timedOut = false
    while process.isRunning {
      if Date() > deadline {
        timedOut = true
        process.terminate()
        process.waitUntilExit()
        break
      }
      Thread.sleep(forTimeInterval: 0.02)
    }
    process.waitUntilExit()
    try outHandle.close()
    try errHandle.close()
    return Result(
      status: process.terminationStatus,
      stdout: String(decoding: (try? Data(contentsOf: out)) ?? Data(), as: UTF8.self),
      stderr: String(decoding: (try? Data(contentsOf: err)) ?? Data(), as: UTF8.self),
      timedOut: timedOut)
  }
}
