/// What the `scenes` generator makes: image size, scene content and rendering options.
///
/// Two generators with equal configurations produce identical samples for the same index. The
/// scene *layout* (camera, room, objects, colours, light, textures) depends only on `seed` and the
/// index, not on the image size, so one scene can be rendered at several resolutions.
/// See `docs/scenes.md` for the full description of the benchmark.
public struct ScenesConfig: Sendable, Equatable, Codable {
  /// Image height in pixels, 32…256.
  public var height: Int
  /// Image width in pixels, 32…256.
  public var width: Int
  /// The seed every scene is derived from (with its index).
  public var seed: UInt64
  /// Fewest objects per scene (≥ 1).
  public var minObjects: Int
  /// Most objects per scene (≤ 8).
  public var maxObjects: Int
  /// Whether the floor and the wall get procedural textures (checker or stripes, each chosen with
  /// probability 1/3 per surface).
  public var textures: Bool
  /// The largest per-image standard deviation of the additive Gaussian pixel noise; each image
  /// draws its own standard deviation uniformly from `[0, noise]`. 0 turns noise off.
  public var noise: Float
  /// Colour samples per pixel along each axis (1 = off). With `n > 1` the *image* averages an
  /// `n × n` grid of rays per pixel; labels always come from the pixel-centre ray, so they stay
  /// exact. Costs `n² + 1` rays per pixel.
  public var antiAliasing: Int
  /// Horizontal field of view in degrees (square pixels; the vertical field follows from the
  /// aspect ratio).
  public var horizontalFieldOfView: Float
  /// Normal change, in degrees, between neighbouring pixels of one surface above which the
  /// `edge` label marks a crease.
  public var creaseThreshold: Float

  public init(
    height: Int = 64, width: Int = 64, seed: UInt64 = 0, minObjects: Int = 2, maxObjects: Int = 5,
    textures: Bool = true, noise: Float = 0.02, antiAliasing: Int = 1,
    horizontalFieldOfView: Float = 60, creaseThreshold: Float = 45
  ) {
    self.height = height
    self.width = width
    self.seed = seed
    self.minObjects = minObjects
    self.maxObjects = maxObjects
    self.textures = textures
    self.noise = noise
    self.antiAliasing = antiAliasing
    self.horizontalFieldOfView = horizontalFieldOfView
    self.creaseThreshold = creaseThreshold
  }

  /// Stops with a message naming the field when the configuration is out of range.
  public func validate() {
    precondition((32...256).contains(height) && (32...256).contains(width),
                 "ScenesConfig: image size \(height)×\(width) must be within 32…256 in both dimensions")
    precondition(minObjects >= 1 && minObjects <= maxObjects && maxObjects <= 8,
                 "ScenesConfig: object count range \(minObjects)…\(maxObjects) must satisfy 1 ≤ min ≤ max ≤ 8")
    precondition(noise >= 0 && noise <= 0.5, "ScenesConfig: noise \(noise) must be in [0, 0.5]")
    precondition((1...4).contains(antiAliasing), "ScenesConfig: antiAliasing \(antiAliasing) must be in 1…4")
    precondition(horizontalFieldOfView >= 30 && horizontalFieldOfView <= 100,
                 "ScenesConfig: horizontal field of view \(horizontalFieldOfView)° must be in [30°, 100°]")
    precondition(creaseThreshold > 0 && creaseThreshold < 180,
                 "ScenesConfig: crease threshold \(creaseThreshold)° must be in (0°, 180°)")
  }
}
