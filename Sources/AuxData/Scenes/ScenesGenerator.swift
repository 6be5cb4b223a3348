import AuxEngine

/// The `scenes` generator: sample `index` is a deterministic function of the configuration and
/// the index.
///
/// Each index gets two random streams forked from `RandomGenerator(seed: config.seed)`: stream
/// `2·index` draws the scene layout (independent of the image size) and stream `2·index + 1` the
/// pixel noise. See `docs/scenes.md`.
public struct ScenesGenerator: Sendable {
  /// Bumped whenever the same configuration and index would render differently; part of the
  /// cache key.
  public static let version = 1

  /// What is generated.
  public let config: ScenesConfig
  /// The camera every image of this configuration is rendered with.
  public let camera: SceneCamera
  private let base: RandomGenerator

  /// A generator; stops with a message when `config` is out of range (see ``ScenesConfig/validate()``).
  public init(config: ScenesConfig = ScenesConfig()) {
    config.validate()
    self.config = config
    self.camera = SceneCamera(width: config.width, height: config.height, horizontalFieldOfView: config.horizontalFieldOfView)
    self.base = RandomGenerator(seed: config.seed)
  }

  /// The layout of scene `index`.
  func layout(index: Int) -> SceneLayout {
    precondition(index >= 0, "ScenesGenerator: index \(index) must be non-negative")
    var rng = base.fork(UInt64(index) &* 2)
    return SceneLayout.random(using: &rng, config: config)
  }

  /// Renders scene `index` with all its labels and the instance map.
  public func render(index: Int) -> SceneRendering {
    var noise = base.fork(UInt64(index) &* 2 &+ 1)
    return SceneRenderer.render(layout(index: index), config: config, noise: &noise)
  }

  /// Scene `index` as a dataset sample: image `[3, H, W]`; labels `semantic [H, W]`,
  /// `depth [1, H, W]`, `normal [3, H, W]`, `edge [H, W]`; masks for `depth` and `normal`
  /// (`[1, H, W]`, 1 where a surface is hit).
  public func sample(index: Int) -> Sample {
    render(index: index).sample
  }
}

extension SceneRendering {
  /// The rendering as a dataset sample (tasks `semantic`, `depth`, `normal`, `edge`).
  public var sample: Sample {
    Sample(
      image: image,
      labels: ["semantic": semantic, "depth": depth, "normal": normal, "edge": edge],
      masks: ["depth": valid, "normal": valid])
  }
}
