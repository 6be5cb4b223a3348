import AuxEngine
import Foundation

/// Throughput of the `scenes` generator on the calling thread.
public enum ScenesBenchmark {
  /// A measurement: the best of several timed passes over the same scenes.
  public struct Result: Sendable, CustomStringConvertible {
    public let config: ScenesConfig
    public let samplesPerPass: Int
    /// Seconds of the fastest pass.
    public let bestSeconds: Double
    /// Seconds of every pass.
    public let passSeconds: [Double]
    /// `samplesPerPass / bestSeconds`.
    public var samplesPerSecond: Double { Double(samplesPerPass) / bestSeconds }

    public var description: String {
      let passes = passSeconds.map { String(format: "%.3f", $0) }.joined(separator: ", ")
      return String(format: "scenes %dx%d (noise %.3g, textures %@, anti-aliasing %d): %.0f samples/s on one thread (best of %d passes of %d samples; pass seconds: %@)",
                    config.height, config.width, Double(config.noise), config.textures ? "on" : "off", config.antiAliasing,
                    samplesPerSecond, passSeconds.count, samplesPerPass, passes)
    }
  }

  /// Generates complete samples (image and all labels as tensors) for scenes `0..<samples`,
  /// `passes` times, and reports the fastest pass.
  public static func measure(config: ScenesConfig = ScenesConfig(), samples: Int = 1000, passes: Int = 3) -> Result {
    precondition(samples > 0 && passes > 0, "ScenesBenchmark.measure: samples and passes must be positive")
    let generator = ScenesGenerator(config: config)
    var times: [Double] = []
    var checksum: Float = 0
    for _ in 0..<passes {
      let start = DispatchTime.now().uptimeNanoseconds
      for i in 0..<samples {
        let s = generator.sample(index: i)
        checksum += s.image.withUnsafeBufferPointer { $0[0] }
      }
      times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    // Keep the work observable so the optimiser cannot drop it.
    precondition(checksum.isFinite, "ScenesBenchmark: non-finite image values")
    return Result(config: config, samplesPerPass: samples, bestSeconds: times.min()!, passSeconds: times)
  }
}
