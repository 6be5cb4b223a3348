import AuxData
import AuxEngine
import AuxIO
import Foundation
import Testing

/// Commands that are not tests: they run only when their environment variable is set.
///
///     AUXMTL_SCENES_PNG=1   swift test -c release -Xswiftc -enable-testing --filter ScenesToolTests
///         writes docs/scenes.png (6 scenes × 5 columns at 64 px)
///     AUXMTL_SCENES_BENCH=1 swift test -c release -Xswiftc -enable-testing --filter ScenesToolTests
///         prints the generator's single-thread throughput at 64×64 (and other sizes)
@Suite("Scenes tools")
struct ScenesToolTests {
  static var repositoryRoot: URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  }

  @Test("writes docs/scenes.png", .enabled(if: ProcessInfo.processInfo.environment["AUXMTL_SCENES_PNG"] == "1"))
  func writeReadmePicture() throws {
    let url = Self.repositoryRoot.appendingPathComponent("docs/scenes.png")
    try ScenesPreview.writePNG(generator: ScenesGenerator(config: ScenesConfig(height: 64, width: 64, seed: 0)),
                               scenes: Array(0..<6), to: url)
    print("wrote \(url.path)")
  }

  @Test("prints generator throughput", .enabled(if: ProcessInfo.processInfo.environment["AUXMTL_SCENES_BENCH"] == "1"))
  func benchmark() {
    print(ScenesBenchmark.measure(config: ScenesConfig(height: 64, width: 64), samples: 2000, passes: 5))
    print(ScenesBenchmark.measure(config: ScenesConfig(height: 64, width: 64, noise: 0), samples: 2000, passes: 3))
    print(ScenesBenchmark.measure(config: ScenesConfig(height: 32, width: 32), samples: 2000, passes: 3))
    print(ScenesBenchmark.measure(config: ScenesConfig(height: 128, width: 128), samples: 500, passes: 3))
    print(ScenesBenchmark.measure(config: ScenesConfig(height: 256, width: 256), samples: 100, passes: 3))
    print(ScenesBenchmark.measure(config: ScenesConfig(height: 64, width: 64, antiAliasing: 2), samples: 1000, passes: 3))
  }
}
