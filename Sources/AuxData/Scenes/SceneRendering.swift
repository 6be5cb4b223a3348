import AuxEngine

/// One rendered scene: the image, its exact labels, and what is needed to check them.
///
/// Shapes for an `H × W` image: `image [3, H, W]` RGB in [0, 1]; `semantic [H, W]` classes
/// (``SceneClass`` raw values); `depth [1, H, W]` z-depth in metres (0 where nothing is hit);
/// `normal [3, H, W]` unit normals in the camera frame with x right, y down, z towards the camera
/// (0 where nothing is hit); `valid [1, H, W]` 1 where a surface is hit (the mask of both `depth`
/// and `normal`); `edge [H, W]` 1 on occlusion boundaries and creases, else 0.
public struct SceneRendering: Sendable {
  /// RGB image `[3, H, W]` in [0, 1].
  public var image: Tensor
  /// Class per pixel `[H, W]` (``SceneClass`` raw values as whole-number `Float`s).
  public var semantic: Tensor
  /// Z-depth in metres `[1, H, W]`, 0 where nothing is hit.
  public var depth: Tensor
  /// Unit normals `[3, H, W]` (x right, y down, z towards the camera), 0 where nothing is hit.
  public var normal: Tensor
  /// 1 where a surface is hit, else 0, `[1, H, W]`: the mask of `depth` and `normal`.
  public var valid: Tensor
  /// Occlusion boundaries and creases `[H, W]`, 1 or 0.
  public var edge: Tensor
  /// Which surface each pixel shows, row-major: −1 nothing, 0 floor, 1 wall, `2 + k` object `k`.
  public var instance: [Int32]
  /// The camera (intrinsics) the image was rendered with.
  public var camera: SceneCamera
  /// The class of each object `k` (instance `2 + k`).
  public var objectClasses: [SceneClass]
  /// The standard deviation of the Gaussian noise added to this image.
  public var noiseStd: Float
}
